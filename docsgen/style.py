"""Matplotlib set-up for the site's figures: a CJK-capable font (no tofu boxes in Chinese labels), a size made for a
phone column, and deterministic SVG output (no date, fixed ids, text as paths), so that a rebuild of unchanged code
gives identical pages.

Size: every figure is drawn ``WIDTH`` inches wide (72 pt each in the SVG) with no text smaller than ``MIN_FONT_PT``.
Pages show the SVG at the column width, capped at 22rem on wide screens (extra.css, ``.figure-svg``): on a 390 CSS px
phone the column is ``PHONE_COLUMN_PX`` wide, so the smallest text is ``MIN_FONT_PT * PHONE_COLUMN_PX / (72 * WIDTH)``
= 12.4 CSS px (11.9 on the padded dark-mode card), and on a laptop (figure 440 px wide) about 15 px, near the body
text. Long titles are wrapped (``wrap``) and long legends go under the plot (``legend_below``) rather than shrink.

The labs (docs/*/labs/*.ipynb) draw their plots with the same set-up: in Jupyter, ``setup`` also makes the inline
backend show figures as SVG (text as paths, no date), which hooks/notebooks.py puts in the page like a figure, so a lab
plot drawn ``WIDTH`` wide reads like one (tests/browser/test_figures.py measures both).
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import sys
from functools import cache

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei")

WIDTH = 3.6  # inches (72 pt each in the SVG): about a phone column
MIN_FONT_PT = 9.0  # tick labels, legends, annotations
LABEL_FONT_PT = 9.5  # axis labels
TITLE_FONT_PT = 10.0  # titles
PHONE_COLUMN_PX = 358  # content column of a 390 CSS px wide phone (Material: 16 px margins)
MIN_PHONE_PX = 11.0  # the smallest text a reader should get on that phone, in CSS px


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
            # the fonts by name, not the generic "sans-serif": only a list of names gives each glyph a fallback
            # (a subscript such as "₁" is not in the CJK fonts, and would be a box)
            "font.family": ([font] if font else []) + ["DejaVu Sans"],
            "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "svg.hashsalt": "gradients",
            "svg.fonttype": "path",
            # sizes for a phone column (module docstring): nothing under MIN_FONT_PT
            "font.size": MIN_FONT_PT,
            "xtick.labelsize": MIN_FONT_PT,
            "ytick.labelsize": MIN_FONT_PT,
            "legend.fontsize": MIN_FONT_PT,
            "legend.title_fontsize": MIN_FONT_PT,
            "axes.labelsize": LABEL_FONT_PT,
            "axes.titlesize": TITLE_FONT_PT,
            "figure.titlesize": TITLE_FONT_PT,
            "figure.labelsize": LABEL_FONT_PT,
            "axes.titlepad": 4.0,
            "axes.labelpad": 2.0,
            "xtick.major.pad": 2.0,
            "ytick.major.pad": 2.0,
            "legend.borderaxespad": 0.3,
            "legend.handlelength": 1.6,
            "legend.handletextpad": 0.4,
            "legend.labelspacing": 0.3,
            "legend.columnspacing": 1.0,
            "legend.framealpha": 0.9,
            "lines.linewidth": 1.8,
            "lines.markersize": 4.0,
            "figure.constrained_layout.use": True,
            "figure.constrained_layout.h_pad": 0.02,
            "figure.constrained_layout.w_pad": 0.02,
        }
    )
    _inline_svg()
    return plt


SVG_SAVE = {"bbox_inches": "tight", "pad_inches": 0.02, "metadata": {"Date": None, "Creator": None}}


def _inline_svg() -> None:
    """In Jupyter (IPython's inline backend), show figures as SVG saved like the site's (``SVG_SAVE``): they scale
    with the column and stay sharp, and a re-run gives the same output. Elsewhere nothing changes."""
    ipython = sys.modules.get("IPython")
    if ipython is None or ipython.get_ipython() is None:
        return
    try:  # importing the backend module configures the inline backend if it is the one in use
        from matplotlib_inline.backend_inline import InlineBackend
    except ImportError:
        return
    inline = InlineBackend.instance()  # its settings apply now if it is configured, or when it is
    inline.print_figure_kwargs = SVG_SAVE
    inline.figure_formats = {"svg"}


_TOKEN = re.compile(
    r"\$[^$]*\$|[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s$\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|\s+"
)
_NO_LINE_START = set("，。、：；）」』》!?,.:;)]")


def _width_pt(text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    ismath = text.count("$") >= 2 and text.count("$") % 2 == 0
    return TextToPath().get_text_width_height_descent(text, FontProperties(size=size), ismath=ismath)[0]


def wrap(text: str, size: float = TITLE_FONT_PT, width_pt: float = WIDTH * 72 - 56) -> str:
    """``text`` broken into lines of at most ``width_pt`` points at ``size`` (call after ``setup``; the default is
    about the width of the axes, over which a title is centred): between words,
    and between Chinese characters (never before closing punctuation); a ``$…$`` formula is never split."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            line += " " if line else ""
            continue
        candidate = line + token
        if line.strip() and token[0] not in _NO_LINE_START and _width_pt(candidate, size) > width_pt:
            lines.append(line.rstrip())
            line = token
        else:
            line = candidate
    lines.append(line.rstrip())
    return "\n".join(lines)


def legend_below(fig, ncols: int = 1, where: str = "lower"):
    """The legend of the first axes under the plot (``where="upper"``: above it), across the figure, where a long
    entry cannot hide a curve; constrained layout makes room for it."""
    handles, labels = fig.axes[0].get_legend_handles_labels()
    return fig.legend(handles, labels, loc=f"outside {where} center", ncols=ncols, frameon=False)


def min_font_pt(fig) -> float:
    """Smallest font size (pt) of the visible, non-empty text of ``fig`` (sub- and superscripts of a formula are
    drawn at 70 % of it, as in print)."""
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes)


# Matplotlib's SVG starts with a <style> holding this one rule, which inline in a page would style every element of
# the document; extra.css holds it scoped to the figures (``.figure-svg svg *``).
_SVG_STYLE = re.compile(r"<style type=\"text/css\">\*\{stroke-linejoin: round; stroke-linecap: butt\}</style>\s*")
_SVG_NOISE = re.compile(r"\A.*?(?=<svg\b)|<metadata>.*?</metadata>\s*|<!--.*?-->\s*|<defs>\s*</defs>\s*", re.S)
_SVG_ID = re.compile(r' id="([^"]+)"')
_SVG_ARTIST = re.compile(r"([a-z][a-z0-9.]*)_\d+")  # Matplotlib's group ids: text_3, axes_1, matplotlib.axis_2
_SVG_REF = re.compile(r'((?:xlink:)?href="#|url\(#)([^")]+)')


def page_svg(text: str) -> str:
    """A Matplotlib SVG made fit to sit in a page beside others: no prologue, metadata, comments or <style>; the ids
    that nothing references dropped (``axes_1``, ``patch_1`` … repeat in every figure), and the others (glyphs, clip
    paths, markers) prefixed with a hash of the figure, so that two figures on one page share no id. Matplotlib's
    numbered group ids become classes naming the artist (``id="text_3"`` -> ``class="text"``)."""
    if "<style" in text and not _SVG_STYLE.search(text):
        raise ValueError("Matplotlib's SVG <style> changed: review _SVG_STYLE in docsgen/style.py and extra.css")
    prefix = "f" + hashlib.sha256(text.encode()).hexdigest()[:8] + "-"
    text = _SVG_STYLE.sub("", text)
    text = _SVG_NOISE.sub("", text)
    used = {m.group(2) for m in _SVG_REF.finditer(text)}

    def scoped(m: re.Match[str]) -> str:
        if m.group(1) in used:
            return f' id="{prefix}{m.group(1)}"'
        artist = _SVG_ARTIST.fullmatch(m.group(1))
        return f' class="{artist.group(1)}"' if artist else ""

    text = _SVG_ID.sub(scoped, text)
    return _SVG_REF.sub(lambda m: m.group(1) + prefix + m.group(2), text)


def svg(fig, alt: str) -> str:
    """Inline, deterministic SVG of a Matplotlib figure with ``alt`` as its accessible name, wrapped for the page;
    closes the figure. The wrapper carries the smallest font size (``data-min-font-pt``) for tests and styles."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", **SVG_SAVE)
    smallest = min_font_pt(fig)  # after drawing: tick labels get their text when drawn
    plt.close(fig)
    text = page_svg(buf.getvalue())
    text = text.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt, quote=True)}" ', 1)
    return f'<div class="figure-svg" data-min-font-pt="{smallest:g}">{text}</div>'
