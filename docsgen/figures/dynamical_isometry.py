"""Figures of the dynamical-isometry page."""

from __future__ import annotations

import numpy as np

from derivations.dynamical_isometry import figure_data_jacobian_spectrum, figure_data_log_norm
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap

LOG_MIN, LOG_MAX = -8.0, 2.0  # log10 range shown; smaller eigenvalues are counted in the leftmost bin


@figure("jacobian_spectrum")
def jacobian_spectrum(lang: str):
    """Histograms of log10 of the eigenvalues of JJ^T, critical tanh net, Gaussian (top) and orthogonal (bottom)."""
    plt = setup(lang)
    d = figure_data_jacobian_spectrum()
    bins = np.linspace(LOG_MIN, LOG_MAX, 41)
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH, 4.6), sharex=True, layout="constrained")
    for ax, weights in zip(axes, ("gaussian", "orthogonal"), strict=True):
        for i, depth in enumerate(d["depths"]):
            vals = np.clip(np.log10(np.maximum(d[(weights, depth)], 1e-300)), LOG_MIN, LOG_MAX)
            ax.hist(
                vals,
                bins=bins,
                histtype="step",
                linewidth=1.6,
                color=f"C{i}",
                label=label("fig.jacobian_spectrum.depth", lang).replace("{L}", str(depth)),
            )
        ax.axvline(0.0, color="grey", linewidth=0.8, linestyle=":")
        ax.set_title(label(f"fig.jacobian_spectrum.{weights}", lang))
        ax.set_ylabel(label("fig.jacobian_spectrum.y", lang))
        ax.grid(alpha=0.3)
    axes[1].set_xlabel(label("fig.jacobian_spectrum.x", lang))
    fig.suptitle(wrap(label("fig.jacobian_spectrum.title", lang)))
    legend_below(fig, ncols=3)
    return fig


@figure("random_product_growth")
def random_product_growth(lang: str):
    """ln||P_K e_1|| of products of 4x4 N(0, 1) matrices in 12 seeded runs, the predicted K lambda_1 and +-1 sd."""
    plt = setup(lang)
    d = figure_data_log_norm()
    ks = d["k"]
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6), layout="constrained")
    for i, curve in enumerate(d["curves"]):
        ax.plot(
            ks,
            curve,
            color="grey",
            linewidth=0.8,
            alpha=0.7,
            label=label("fig.random_product_growth.runs", lang) if i == 0 else None,
        )
    ax.plot(
        ks,
        d["mean"],
        color="C3",
        linewidth=2,
        label=label("fig.random_product_growth.mean", lang).replace("{lam}", f"{d['lambda_1']:.3f}"),
    )
    ax.fill_between(
        ks,
        d["mean"] - d["sd"],
        d["mean"] + d["sd"],
        color="C3",
        alpha=0.15,
        label=label("fig.random_product_growth.band", lang),
    )
    ax.set(
        title=wrap(label("fig.random_product_growth.title", lang)),
        xlabel=label("fig.random_product_growth.x", lang),
        ylabel=r"$\ln\|P_K e_1\|_2$",
        xlim=(0, ks[-1]),
    )
    ax.grid(alpha=0.3)
    legend_below(fig)
    return fig
