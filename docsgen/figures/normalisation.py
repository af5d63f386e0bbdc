"""Figures of the normalisation page: batch norm without skips."""

from __future__ import annotations

from derivations.normalisation import batchnorm_relu_gradient_growth, figure_data_batchnorm_depth
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("batchnorm_depth")
def batchnorm_depth(lang: str):
    """First-layer over last-layer gradient norm at initialisation against depth, BN-ReLU and BN-tanh (no skips),
    with the mean-field estimate factor^(L-1), log scale."""
    plt = setup(lang)
    d = figure_data_batchnorm_depth()
    rate = float(batchnorm_relu_gradient_growth.result.parts["factor"])
    fig, ax = plt.subplots(figsize=(WIDTH, 3.7))
    ax.semilogy(d["depth"], d["relu"], "o-", label="BN + ReLU", linewidth=2)
    ax.semilogy(d["depth"], d["tanh"], "s-", label="BN + tanh", linewidth=2)
    estimate = label("fig.batchnorm_depth.estimate", lang).replace("{rate}", f"{rate:.4f}")
    ax.semilogy(d["depth"], rate ** (d["depth"] - 1.0), "k:", label=estimate)
    ax.set(
        title=wrap(label("fig.batchnorm_depth.title", lang)),
        xlabel=label("fig.batchnorm_depth.x", lang),
        ylabel=r"$\|\partial L/\partial W_1\| \,/\, \|\partial L/\partial W_L\|$",
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig
