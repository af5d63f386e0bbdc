"""Matplotlib set-up shared by figures: a CJK-capable font (no tofu boxes in Chinese labels), deterministic output."""

from __future__ import annotations

from functools import cache

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei")


@cache
def cjk_font() -> str | None:
    """Name of the first installed font with Chinese glyphs, or None (Debian: ``apt-get install fonts-noto-cjk``)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def setup(lang: str = "en"):
    """Configure Matplotlib for ``lang`` and return pyplot; raises if Chinese is asked for and no CJK font exists."""
    import matplotlib.pyplot as plt  # headless processes fall back to Agg; notebooks keep their inline backend

    font = cjk_font()
    if lang == "zh" and font is None:
        raise RuntimeError(
            "no CJK font installed (Debian: apt-get install fonts-noto-cjk); Chinese labels would be boxes"
        )
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "svg.hashsalt": "gradients",
        }
    )
    return plt


def activation_figure(lang: str = "en"):
    """Figure of sigma, sigma', tanh, tanh' evaluated from the derived (SymPy) expressions, labelled in ``lang``."""
    import numpy as np
    import sympy as sp

    from derivations.activations import SIGMA, x
    from derivations.core import get

    plt = setup(lang)
    t = np.linspace(-6, 6, 601)
    curves = {
        "σ(x)": sp.lambdify(x, SIGMA, "numpy")(t),
        "σ'(x)": sp.lambdify(x, get("sigmoid_derivative").result.parts["derivative"], "numpy")(t),
        "tanh(x)": np.tanh(t),
        "tanh'(x)": sp.lambdify(x, get("tanh_derivative").result.parts["derivative"], "numpy")(t),
    }
    labels = {
        "en": ("Activations and their derivatives", "pre-activation x", "value", "max σ' = 1/4", "max tanh' = 1"),
        "zh": ("激活函数及其导数", "预激活值 x", "函数值", "σ' 的最大值 = 1/4", "tanh' 的最大值 = 1"),
    }[lang]
    fig, ax = plt.subplots(figsize=(7, 4))
    for (name, y), style in zip(curves.items(), ["-", "--", "-", "--"], strict=True):
        ax.plot(t, y, style, label=name, linewidth=2)
    s_max = float(get("sigmoid_derivative_max").result.parts["max"])
    t_max = float(get("tanh_derivative_max").result.parts["max"])
    ax.axhline(s_max, color="grey", linewidth=0.8, linestyle=":")
    ax.axhline(t_max, color="grey", linewidth=0.8, linestyle=":")
    ax.annotate(labels[3], (2.2, s_max + 0.04))
    ax.annotate(labels[4], (2.2, t_max - 0.12))
    ax.set(title=labels[0], xlabel=labels[1], ylabel=labels[2], ylim=(-1.1, 1.1))
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
