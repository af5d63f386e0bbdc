"""Figures of the BPTT page."""

from __future__ import annotations

from derivations.bptt import figure_data_path_contributions
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("bptt_path_contributions")
def path_contributions(lang: str):
    """|contribution| of the paths of each length t - k to dL/dW_hh (Frobenius norm, summed over t) for the 5-unit
    tanh RNNs of the truncation table, with the truncation length marked."""
    plt = setup(lang)
    d = figure_data_path_contributions()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.3))
    for l1, norms in zip(d["lambdas"], d["norms"], strict=True):
        ax.semilogy(d["lengths"], norms, label=rf"$\lambda_1$ = {l1:g}")
    ax.axvline(
        d["tau"], color="grey", linestyle=":", label=label("fig.bptt_path_contributions.tau", lang).format(tau=d["tau"])
    )
    ax.set(
        title=wrap(label("fig.bptt_path_contributions.title", lang)),
        xlabel=label("fig.bptt_path_contributions.x", lang),
        ylabel=label("fig.bptt_path_contributions.y", lang),
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig, ncols=3)
    return fig
