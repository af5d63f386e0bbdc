"""Figures of the gradient-clipping page."""

from __future__ import annotations

import numpy as np

from derivations.clipping import clip_value_vs_norm_example
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


def _pair(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{x:g}".replace("-", "\u2212") for x in v) + ")"


@figure("clipping_2d")
def clipping_2d(lang: str):
    """The worked example in the plane: g = (30, -40), the box |g_i| <= 15 (by value), the circle ||g|| = 15."""
    plt = setup(lang)
    p = clip_value_vs_norm_example.result.parts
    g = np.array(p["g"], dtype=float).ravel()
    by_value = np.array(p["by_value"], dtype=float).ravel()
    by_norm = np.array(p["by_norm"], dtype=float).ravel()
    cv = float(p["threshold"])
    colon = label("fig.clipping_2d.colon", lang)
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    box = plt.Rectangle((-cv, -cv), 2 * cv, 2 * cv, fill=False, linestyle="--", color="grey", label=r"$|g_i| \leq c$")
    ax.add_patch(box)
    theta = np.linspace(0, 2 * np.pi, 200)
    ax.plot(cv * np.cos(theta), cv * np.sin(theta), ":", color="grey", label=r"$\|g\|_2 = c$")
    for vec, key, color in (
        (g, "original", "black"),
        (by_value, "by_value", "tab:red"),
        (by_norm, "by_norm", "tab:blue"),
    ):
        ax.annotate("", xy=vec, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": color, "linewidth": 2})
        ax.plot([], [], color=color, linewidth=2, label=label(f"fig.clipping_2d.{key}", lang) + colon + _pair(vec))
    ax.set(
        xlim=(-20, 35),
        ylim=(-45, 20),
        aspect="equal",
        title=wrap(label("fig.clipping_2d.title", lang)),
        xlabel=r"$g_1$",
        ylabel=r"$g_2$",
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=2)
    return fig
