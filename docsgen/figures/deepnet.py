"""Figures of the deep-chain page."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.deepnet import W, figure_data_mlp_gradient_norms, sigmoid_unstable_width
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("unstable_width")
def unstable_width(lang: str):
    """The derived width of {a : |w sigma'(w a + b)| >= 1} against |w| in [4, 40], with its maximum marked."""
    plt = setup(lang)
    r = sigmoid_unstable_width.result.parts
    ws = np.linspace(4.0, 40.0, 400)
    width = sp.lambdify(W, r["width"], "numpy")(ws)
    fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
    ax.plot(ws, width, linewidth=2)
    wm, mm = float(r["argmax"]), float(r["max"])
    ax.plot([wm], [mm], "o", color="C3")
    note = label("fig.unstable_width.maximum", lang).replace("{max}", f"{mm:.4f}").replace("{argmax}", f"{wm:.3f}")
    ax.annotate(note, (wm, mm), xytext=(wm + 4, mm - 0.05))
    ax.set(
        title=wrap(label("fig.unstable_width.title", lang)),
        xlabel="|w|",
        ylabel=label("fig.unstable_width.y", lang),
        ylim=(0, 0.5),
    )
    ax.grid(alpha=0.3)
    return fig


@figure("mlp_gradient_norms")
def mlp_gradient_norms(lang: str):
    """Per-layer ||dL/dW_l||_F of a 30-layer sigmoid MLP (N(0, 1) weights) and a He-initialised ReLU MLP, log scale."""
    plt = setup(lang)
    d = figure_data_mlp_gradient_norms()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    ax.semilogy(d["layer"], d["sigmoid"], "o-", label=label("fig.mlp_gradient_norms.sigmoid", lang), markersize=4)
    ax.semilogy(d["layer"], d["relu_he"], "s-", label=label("fig.mlp_gradient_norms.relu", lang), markersize=4)
    ax.set(
        title=wrap(label("fig.mlp_gradient_norms.title", lang)),
        xlabel=label("fig.mlp_gradient_norms.x", lang),
        ylabel=r"$\|\partial L/\partial W_l\|_F$",
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig
