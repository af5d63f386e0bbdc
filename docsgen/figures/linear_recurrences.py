"""Figures of the linear-recurrences page: backward gradient norms over 1000 steps (LRU-style diagonal recurrences
versus a tanh RNN), and the curse-of-memory sensitivity with and without normalisation and reparametrisation."""

from __future__ import annotations

import numpy as np

from derivations.linear_recurrences import figure_data_curse_of_memory, figure_data_gradient_norms
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("lr_gradient_norms")
def lr_gradient_norms(lang: str):
    """log10 ||dh_T/dh_{T-k}||_2 against k for two LRU rings and a tanh RNN with orthogonal W."""
    plt = setup(lang)
    d = figure_data_gradient_norms()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for key, color, style in (
        ("lru_near_one", "tab:blue", "-"),
        ("lru_moderate", "tab:green", "--"),
        ("tanh_orthogonal", "tab:red", "-"),
    ):
        ax.plot(d["k"], np.log10(d[key]), style, color=color, label=label(f"fig.lr_gradient_norms.{key}", lang))
    ax.set(
        title=wrap(label("fig.lr_gradient_norms.title", lang)),
        xlabel=label("fig.lr_gradient_norms.x", lang),
        ylabel=label("fig.lr_gradient_norms.y", lang),
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=1)
    return fig


@figure("lr_curse_of_memory")
def lr_curse_of_memory(lang: str):
    """The four limits of the sensitivity against 1 - lambda, log-log."""
    plt = setup(lang)
    d = figure_data_curse_of_memory()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for key, color, style in (
        ("lambda_plain", "tab:red", "-"),
        ("lambda_normalised", "tab:orange", "--"),
        ("nu_plain", "tab:purple", "-."),
        ("nu_normalised", "tab:blue", "-"),
    ):
        ax.loglog(d["one_minus_lambda"], d[key], style, color=color, label=label(f"fig.lr_curse_of_memory.{key}", lang))
    ax.invert_xaxis()
    ax.set(
        title=wrap(label("fig.lr_curse_of_memory.title", lang)),
        xlabel=label("fig.lr_curse_of_memory.x", lang),
        ylabel=label("fig.lr_curse_of_memory.y", lang),
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig, ncols=1)
    return fig
