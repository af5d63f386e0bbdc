"""Figures of the signal-propagation page: the tanh phase diagram, chi_1 versus sigma_w^2, the backward second moment
of seeded wide nets against chi_1^(L-l), and the approach of ReLU correlations to 1."""

from __future__ import annotations

import numpy as np

from derivations.signal_propagation import (
    figure_data_backward,
    figure_data_chi1,
    figure_data_phase_diagram,
    figure_data_relu_correlation,
)
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap

_EXAMPLES = ("ordered", "critical", "chaotic")
_COLORS = {"ordered": "tab:blue", "critical": "black", "chaotic": "tab:red"}


@figure("signal_phase_diagram")
def signal_phase_diagram(lang: str):
    """The critical line chi_1 = 1 of tanh in the (sigma_w^2, sigma_b^2) plane, the two phases, the three examples."""
    plt = setup(lang)
    d = figure_data_phase_diagram()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.9))
    xmax = 5.0
    ax.fill_betweenx(d["sb2"], 0, d["sw2"], color="tab:blue", alpha=0.12, linewidth=0)
    ax.fill_betweenx(d["sb2"], d["sw2"], xmax, color="tab:red", alpha=0.12, linewidth=0)
    ax.plot(d["sw2"], d["sb2"], "k-", label=label("fig.signal_phase_diagram.line", lang))
    for key, (a, b) in zip(_EXAMPLES, d["examples"], strict=True):
        ax.plot([a], [b], "o", color=_COLORS[key], label=label(f"fig.signal_phase_diagram.{key}", lang))
    ax.text(0.45, 1.5, label("fig.signal_phase_diagram.ordered_region", lang), color="tab:blue")
    ax.text(3.6, 0.4, label("fig.signal_phase_diagram.chaotic_region", lang), color="tab:red")
    ax.set(
        xlim=(0, xmax),
        ylim=(0, float(d["sb2"][-1])),
        title=wrap(label("fig.signal_phase_diagram.title", lang)),
        xlabel=r"$\sigma_w^2$",
        ylabel=r"$\sigma_b^2$",
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=2)
    return fig


@figure("signal_chi1")
def signal_chi1(lang: str):
    """chi_1 against sigma_w^2 for tanh (three bias variances) and ReLU, with the critical value 1."""
    plt = setup(lang)
    d = figure_data_chi1()
    fig, ax = plt.subplots(figsize=(WIDTH, 4.0))
    for b, style in (("0", "-"), ("0.05", "--"), ("0.5", "-.")):
        sep = "，" if lang == "zh" else ", "
        ax.plot(d["sw2"], d[f"tanh_{b}"], style, label=rf"tanh{sep}$\sigma_b^2 = {b}$")
    ax.plot(d["sw2"], d["relu"], ":", color="tab:purple", label=label("fig.signal_chi1.relu", lang))
    ax.axhline(1.0, color="grey", linewidth=1)
    ax.set(
        xlim=(float(d["sw2"][0]), float(d["sw2"][-1])),
        ylim=(0, 2.1),
        title=wrap(label("fig.signal_chi1.title", lang)),
        xlabel=r"$\sigma_w^2$",
        ylabel=r"$\chi_1$",
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=2)
    return fig


@figure("signal_backward")
def signal_backward(lang: str):
    """E[delta_l^2]/E[delta_L^2] over the layers of seeded wide tanh nets (width 800) at the three examples, with the
    mean-field prediction chi_1^(L-l) dashed."""
    plt = setup(lang)
    d = figure_data_backward()
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    for key in _EXAMPLES:
        value = rf"$\sigma_w^2 = {d[f'{key}_sw2']:.2f}$"
        name = label(f"fig.signal_backward.{key}", lang) + (f"（{value}）" if lang == "zh" else f" ({value})")
        ax.semilogy(d["layer"], d[key], "o", color=_COLORS[key], markersize=3.5, label=name)
        ax.semilogy(d["layer"], d[f"{key}_theory"], "--", color=_COLORS[key], linewidth=1.2)
    ax.plot([], [], "k--", linewidth=1.2, label=label("fig.signal_backward.theory", lang))
    ax.set(
        title=wrap(label("fig.signal_backward.title", lang)),
        xlabel=label("fig.signal_backward.x", lang),
        ylabel=r"$\mathbb{E}[\delta_l^2]\,/\,\mathbb{E}[\delta_L^2]$",
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig


@figure("signal_relu_correlation")
def signal_relu_correlation(lang: str):
    """1 - c_l for ReLU without bias (exact map, c_0 = 0) on log-log axes, and the asymptote 9 pi^2/(2 l^2)."""
    plt = setup(lang)
    d = figure_data_relu_correlation()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.9))
    ax.loglog(d["layer"], d["one_minus_c"], label=label("fig.signal_relu_correlation.exact", lang))
    ax.loglog(d["layer"], d["asymptote"], "k--", linewidth=1.2, label=r"$9\pi^2/(2l^2)$")
    ax.set(
        ylim=(float(np.min(d["one_minus_c"])) / 2, 2.0),
        title=wrap(label("fig.signal_relu_correlation.title", lang)),
        xlabel=label("fig.signal_relu_correlation.x", lang),
        ylabel=r"$1 - c_l$",
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig, ncols=2)
    return fig
