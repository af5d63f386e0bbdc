"""Figures of the spectral-conditions page."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import MaxNLocator

from derivations.spectral import figure_data_heatmap, figure_data_jacobian_norms, figure_data_transient_growth
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import MIN_FONT_PT, WIDTH, legend_below, setup, wrap

NORM_LAMBDAS = (0.9, 1.0, 1.5, 4.0)


@figure("spectral_jacobian_norms")
def jacobian_norms(lang: str):
    """log10 ||dh_T/dh_t||_2 against T - t for sigmoid, tanh, ReLU and IRNN at lambda_1 in NORM_LAMBDAS: a 2 x 2 grid
    (one panel per network, each with its own y range) sharing the x axis, the axis labels and one legend.
    """
    plt = setup(lang)
    d = figure_data_jacobian_norms(lambdas=NORM_LAMBDAS)
    fig, axes = plt.subplots(2, 2, figsize=(WIDTH, 4.3), sharex=True)
    steps = np.arange(1, d["t"].size + 1)
    for ax, key in zip(axes.ravel(), ("sigmoid", "tanh", "relu", "irnn"), strict=True):
        for i, l1 in enumerate(NORM_LAMBDAS):
            y = np.where(np.isfinite(d[key][i]), d[key][i], np.nan)
            ax.plot(steps, y, label=rf"$\lambda_1$ = {l1:g}", linewidth=1.5)
        ax.set_title(label(f"fig.spectral_jacobian_norms.{key}", lang), fontsize=MIN_FONT_PT)
        ax.set_xticks([0, 50, 100])
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.grid(alpha=0.3)
    fig.supxlabel(label("fig.spectral_jacobian_norms.x", lang))
    fig.supylabel(label("fig.spectral_jacobian_norms.y", lang))
    legend_below(fig, ncols=4, where="upper")  # the key first, clear of the shared x label
    return fig


@figure("spectral_heatmap")
def heatmap(lang: str):
    """Heat map of log10 ||dh_T/dh_0||_2 over (lambda_1, T) for the 32-unit tanh RNN, W = lambda_1 Q."""
    plt = setup(lang)
    d = figure_data_heatmap()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
    grid = np.clip(d["log10_norm"], -20, 5)
    half = (d["lambdas"][1] - d["lambdas"][0]) / 2  # the λ₁ grid is uniform
    im = ax.imshow(
        grid,
        aspect="auto",
        origin="lower",
        cmap="RdBu_r",
        norm=TwoSlopeNorm(vmin=-20, vcenter=0, vmax=5),
        interpolation="nearest",  # one cell per (λ₁, T), as computed, as in the lab (and a 5x smaller image)
        extent=(0.5, d["T"][-1] + 0.5, d["lambdas"][0] - half, d["lambdas"][-1] + half),  # cells centred on the grid
    )
    ax.axhline(1.0, color="k", linewidth=0.8, linestyle=":")
    ax.set(
        title=wrap(label("fig.spectral_heatmap.title", lang)),
        xlabel=label("fig.spectral_heatmap.x", lang),
        ylabel=r"$\lambda_1$",
    )
    fig.colorbar(im, ax=ax, label=label("fig.spectral_heatmap.colorbar", lang))
    return fig


@figure("transient_growth")
def transient_growth(lang: str):
    """||W^n||_2 for W = [[0.9, 2], [0, 0.9]] against rho(W)^n and lambda_1^n (log scale)."""
    plt = setup(lang)
    d = figure_data_transient_growth()
    ns = d["n"]
    fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
    ax.semilogy(ns, d["norms"], linewidth=2, label=r"$\|W^n\|_2$")
    ax.semilogy(ns, d["rho_pow"], "--", label=r"$\rho(W)^n$")
    ax.semilogy(ns[:25], d["lambda1_pow"][:25], ":", label=r"$\lambda_1^n$")
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set(title=wrap(label("fig.transient_growth.title", lang).format(rho=f"{d['rho']:g}")), xlabel="$n$")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return fig
