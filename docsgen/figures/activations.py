"""Figures of the activations page."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.activations import (
    SIGMA,
    sigmoid_derivative,
    sigmoid_derivative_max,
    tanh_derivative,
    tanh_derivative_max,
    x,
)
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("activation_curves")
def activation_curves(lang: str):
    """sigma, sigma', tanh, tanh' on [-6, 6], evaluated from the derived (SymPy) expressions."""
    plt = setup(lang)
    t = np.linspace(-6, 6, 601)
    curves = {
        "σ(x)": sp.lambdify(x, SIGMA, "numpy")(t),
        "σ′(x)": sp.lambdify(x, sigmoid_derivative.result.parts["derivative"], "numpy")(t),
        "tanh(x)": np.tanh(t),
        "tanh′(x)": sp.lambdify(x, tanh_derivative.result.parts["derivative"], "numpy")(t),
    }
    fig, ax = plt.subplots(figsize=(WIDTH, 3.1))
    for (name, y), style in zip(curves.items(), ["-", "--", "-", "--"], strict=True):
        ax.plot(t, y, style, label=name, linewidth=2)
    s_max = float(sigmoid_derivative_max.result.parts["max"])
    t_max = float(tanh_derivative_max.result.parts["max"])
    ax.axhline(s_max, color="grey", linewidth=0.8, linestyle=":")
    ax.axhline(t_max, color="grey", linewidth=0.8, linestyle=":")
    # left of the origin, where every curve is near 0 or -1 and out of the labels' way
    ax.annotate(label("fig.activation_curves.max_sigmoid", lang), (-5.8, s_max + 0.04))
    ax.annotate(label("fig.activation_curves.max_tanh", lang), (-5.8, t_max - 0.13))
    ax.set(
        title=wrap(label("fig.activation_curves.title", lang)),
        xlabel=label("fig.activation_curves.x", lang),
        ylabel=label("fig.activation_curves.y", lang),
        ylim=(-1.1, 1.1),
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=4)
    return fig
