"""Figures of the gradient-clipping page."""

from __future__ import annotations

import numpy as np

from derivations.clipping import clip_value_vs_norm_example
from derivations.clipping_theory import figure_data_quartic, figure_data_truncation_variance
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


@figure("clipping_quartic")
def clipping_quartic(lang: str):
    """|x_k| of gradient descent and clipped descent on f = x^4 (eta = 1/10, c = 10), log scale."""
    plt = setup(lang)
    d = figure_data_quartic()
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    styles = {
        "gd_below": ("tab:blue", "-"),
        "gd_above": ("tab:red", "-"),
        "clip_above": ("tab:green", "--"),
        "clip_far": ("tab:purple", "--"),
    }
    for key, xs in d["runs"].items():
        color, ls = styles[key]
        ax.plot(
            np.arange(len(xs)),
            xs,
            ls,
            color=color,
            marker="o",
            markersize=3,
            label=label(f"fig.clipping_quartic.{key}", lang),
        )
    ax.axhline(d["threshold"], color="grey", linestyle=":", label=label("fig.clipping_quartic.threshold", lang))
    ax.set_yscale("log")
    ax.set(
        ylim=(1e-1, 1e8),
        xlabel=label("fig.clipping_quartic.x", lang),
        ylabel=label("fig.clipping_quartic.y", lang),
        title=wrap(label("fig.clipping_quartic.title", lang)),
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=2)
    return fig


@figure("clipping_truncation_variance")
def clipping_truncation_variance(lang: str):
    """Variance of the randomized-truncation estimator against the horizon T, a = 0.9, three values of p."""
    plt = setup(lang)
    d = figure_data_truncation_variance()
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    for (pv, var), color in zip(d["var"].items(), ("tab:blue", "tab:orange", "tab:red"), strict=True):
        ax.plot(
            d["T"][1:],
            var[1:],
            color=color,
            label=f"$p = {pv:.2f}$"
            + label("fig.clipping_truncation_variance.ratio", lang).format(ratio=d["a"] ** 2 / pv),
        )
    ax.set_yscale("log")
    ax.set(
        xlabel=label("fig.clipping_truncation_variance.x", lang),
        ylabel=label("fig.clipping_truncation_variance.y", lang),
        title=wrap(label("fig.clipping_truncation_variance.title", lang)),
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=1)
    return fig
