"""Figures of the normalisation page: residual connections."""

from __future__ import annotations

from derivations.residual import figure_data_gradient_norm_vs_depth
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("residual_gradient_depth")
def residual_gradient_depth(lang: str):
    """||dL/dx_0|| / ||dL/dx_L|| against depth for a plain tanh net, with skips, and with skips scaled by 0.1 (log-log,
    width 64, geometric mean over 5 seeds)."""
    plt = setup(lang)
    d = figure_data_gradient_norm_vs_depth()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.8))
    for key, style in (("plain", "o-"), ("residual", "s-"), ("residual_alpha_0.1", "^-")):
        name = label(f"fig.residual_gradient_depth.{key.replace('_alpha_0.1', '_scaled')}", lang)
        ax.loglog(d["depth"], d[key], style, label=name, linewidth=2)
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set(
        title=wrap(label("fig.residual_gradient_depth.title", lang)),
        xlabel=label("fig.residual_gradient_depth.x", lang),
        ylabel=r"$\|\partial L/\partial x_0\| \,/\, \|\partial L/\partial x_L\|$",
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig
