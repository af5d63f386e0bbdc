"""Matplotlib set-up for the site's figures: a CJK-capable font (no tofu boxes in Chinese labels) and deterministic
SVG output (no date, fixed ids, text as paths), so that a rebuild of unchanged code gives identical pages."""

from __future__ import annotations

import html
import io
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
            "svg.fonttype": "path",
        }
    )
    return plt


def svg(fig, alt: str) -> str:
    """Inline, deterministic SVG of a Matplotlib figure with ``alt`` as its accessible name, wrapped for the page;
    closes the figure."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = text.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt, quote=True)}" ', 1)
    return f'<div class="figure-svg">{text}</div>'
