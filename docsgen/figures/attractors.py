"""Figures of the attractors page: the bifurcation diagram of x = w sigma(x) + b (w = 5), the cliff of Pascanu et
al.'s E_50 in b, and the latch's vanishing gradient."""

from __future__ import annotations

import numpy as np

from derivations.attractors import figure_data_bifurcation, figure_data_cliff, figure_data_latch
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("attractors_bifurcation")
def attractors_bifurcation(lang: str):
    """Fixed points x* against b for w = 5: stable branches solid, the unstable middle branch dashed, folds dotted."""
    plt = setup(lang)
    d = figure_data_bifurcation()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    st = d["stable"]
    for part, lo in ((d["x"] < 0) & st, True), ((d["x"] > 0) & st, False):
        ax.plot(
            d["b"][part],
            d["x"][part],
            color="tab:blue",
            linewidth=2,
            label=label("fig.attractors_bifurcation.stable", lang) if lo else None,
        )
    ax.plot(
        d["b"][~st],
        d["x"][~st],
        "--",
        color="tab:red",
        linewidth=1.5,
        label=label("fig.attractors_bifurcation.unstable", lang),
    )
    ax.plot(
        d["fold_b"], d["fold_x"], "o", color="black", markersize=5, label=label("fig.attractors_bifurcation.fold", lang)
    )
    ax.set(
        xlim=(-3.2, -1.8),
        ylim=(-4.5, 4.5),
        title=wrap(label("fig.attractors_bifurcation.title", lang)),
        xlabel=label("fig.attractors_bifurcation.x", lang),
        ylabel=label("fig.attractors_bifurcation.y", lang),
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=1)
    return fig


@figure("attractors_cliff")
def attractors_cliff(lang: str):
    """E_50(b) (top) and |dE_50/db| on a log scale (bottom), w = 5, x_0 = 1/2; b_c and the folds marked."""
    plt = setup(lang)
    d = figure_data_cliff()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(WIDTH, 4.6), sharex=True)
    a1.plot(d["b"], d["loss"], color="tab:blue")
    a2.semilogy(d["b"], np.maximum(d["grad"], 1e-6), color="tab:red")
    for ax in (a1, a2):
        ax.axvline(d["b_c"], color="black", linestyle="--", linewidth=1)
        for bf in d["folds"]:
            ax.axvline(bf, color="grey", linestyle=":", linewidth=1)
        ax.grid(alpha=0.3)
    a1.plot([], [], "--", color="black", label=label("fig.attractors_cliff.b_c", lang))
    a1.plot([], [], ":", color="grey", label=label("fig.attractors_cliff.folds", lang))
    a1.set(title=wrap(label("fig.attractors_cliff.title", lang)), ylabel=label("fig.attractors_cliff.loss", lang))
    a2.set(
        xlabel=label("fig.attractors_cliff.x", lang),
        ylabel=label("fig.attractors_cliff.grad", lang),
        xlim=(-2.75, -2.3),
    )
    legend_below(fig, ncols=1)
    return fig


@figure("attractors_latch")
def attractors_latch(lang: str):
    """|dh_T/dh_0| of the latch h_t = tanh(w h_{t-1}) from h_0 = 0.5 against T, log scale, w = 1.5, 2, 3."""
    plt = setup(lang)
    d = figure_data_latch()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for wv, color in zip((1.5, 2.0, 3.0), ("tab:blue", "tab:orange", "tab:green"), strict=True):
        vals = d[wv]
        keep = vals > 0
        ax.semilogy(d["T"][keep], vals[keep], color=color, label=f"$w = {wv:g}$")
    ax.set(
        title=wrap(label("fig.attractors_latch.title", lang)),
        xlabel=label("fig.attractors_latch.x", lang),
        ylabel=r"$|\partial h_T/\partial h_0|$",
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=3)
    return fig
