"""The site's figures and the labs' plots as a reader sees them in Chromium: readable on a phone, in both languages
and colour schemes, not wider than the screen, not oversized on a laptop, and on a light card in dark mode.

Figures are Matplotlib SVGs with their text drawn as paths: each text is a group ``g.text`` (docsgen.style.page_svg)
whose glyphs (``use``) are drawn in a coordinate system of 100 units per em (Matplotlib's ``FONT_SCALE``), so the
rendered font size of a glyph in CSS px is 100 × the scale of its screen transform. A text's size is that of its
largest glyph (sub- and superscripts are drawn at 70 % of it, as in print). Lab plots are drawn the same way
(docsgen.style.setup in the notebooks, inlined by hooks/notebooks.py); a plot shown as a raster image has no text
that can be measured."""

from __future__ import annotations

import pytest

from tools.formulas import LAY_OUT_EVERYTHING

from ..conftest import LANGS, ROOT, page_sources, page_url
from .test_pages import MATERIAL_STARTED

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
MIN_PX = 11.0  # smallest text on the phone, CSS px
MAX_LAPTOP_PX = 18.0  # largest tick/legend text on a laptop: figures are capped, not stretched to the column
WHITE = "rgb(255, 255, 255)"

FIGURES = ".md-typeset .figure-svg"  # the site's figures (docsgen.style.svg) and the labs' SVG plots
LAB_PLOTS = ".md-typeset .jupyter-wrapper .jp-OutputArea-output .figure-svg"

MEASURE = """selector => [...document.querySelectorAll(selector)].map(fig => {
  const svg = fig.querySelector('svg'), box = svg.getBoundingClientRect(), card = getComputedStyle(fig);
  const texts = [], glyphs = [];
  let fill = null;
  for (const t of svg.querySelectorAll('g.text')) {
    let size = 0;
    for (const u of t.querySelectorAll('use')) {
      const m = u.getScreenCTM(), px = 100 * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      size = Math.max(size, px); glyphs.push(px); fill = fill || getComputedStyle(u).fill;
    }
    if (size) texts.push(size);
  }
  return {
    name: svg.getAttribute('aria-label'), left: box.left, right: box.right, width: box.width,
    viewBoxWidth: svg.viewBox.baseVal.width, minFontPt: 'minFontPt' in fig.dataset ? +fig.dataset.minFontPt : null,
    texts: texts.length, minText: Math.min(...texts), maxText: Math.max(...texts), minGlyph: Math.min(...glyphs),
    textFill: fill, filter: getComputedStyle(svg).filter, background: card.backgroundColor,
    padding: parseFloat(card.paddingLeft), radius: parseFloat(card.borderTopLeftRadius),
  };
})"""

RASTER_PLOTS = """() => [...document.querySelectorAll('.jupyter-wrapper .jp-OutputArea-output img')].map(img => ({
  naturalWidth: img.naturalWidth, width: img.getBoundingClientRect().width,
}))"""

PAGE_BACKGROUND = "getComputedStyle(document.body).backgroundColor"


def _pages(predicate) -> list[tuple[str, str]]:
    prefix = {"en": "", "zh": "zh/"}
    return [
        (lang, prefix[lang] + page_url(src))
        for lang in LANGS
        for src in page_sources(lang)
        if predicate(src, (ROOT / "docs" / lang / src).read_text(encoding="utf-8"))
    ]


FIGURE_PAGES = _pages(lambda src, text: "{{ figure(" in text)
LAB_PAGES = _pages(lambda src, text: src.endswith(".ipynb"))  # notebooks, executed at build time, all plot


def _luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def open_page(browser, url: str, device: dict, scheme: str):
    context = browser.new_context(**device, color_scheme=scheme)  # first visit: the palette follows the system
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_function(MATERIAL_STARTED)  # Material loads after the first frame (hooks/startup.py)
    page.evaluate("document.fonts.ready.then(() => true)")  # layout is final once the web fonts are in
    page.wait_for_function(
        "s => document.body.getAttribute('data-md-color-scheme') === s", arg="slate" if scheme == "dark" else "default"
    )
    page.evaluate(LAY_OUT_EVERYTHING)  # every figure as it is once scrolled into view
    return context, page


def test_every_figure_page_and_a_notebook_plot_page_are_covered():
    assert len({p for _, p in FIGURE_PAGES}) >= 2 and {lang for lang, _ in FIGURE_PAGES} == set(LANGS)
    assert LAB_PAGES, "no notebook page found"


def check_on_a_dark_phone(page, figures: list[dict]) -> None:
    """Figures (MEASURE) of a page open on the phone in dark mode (sizes do not depend on the scheme; the light
    scheme's transparent background is checked on the laptop): text large enough, inside the screen, unfiltered, on
    a light card."""
    assert figures, "no figure on the page"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, "the page overflows"
    page_bg = page.evaluate(PAGE_BACKGROUND)
    for f in figures:
        where = f"{f['name'][:60]!r} (dark)"
        assert f["texts"] >= 3, f"{where}: no text drawn as glyphs"
        assert f["minText"] >= MIN_PX, f"{where}: smallest text {f['minText']:.1f} CSS px < {MIN_PX}"
        assert f["minGlyph"] >= 0.7 * MIN_PX - 0.05, f"{where}: a script glyph is {f['minGlyph']:.1f} CSS px"
        if f["minFontPt"] is not None:  # the wrapper's declared smallest font size, at the rendered scale
            expected = f["minFontPt"] * f["width"] / f["viewBoxWidth"]
            assert abs(expected - f["minText"]) < 0.2, f"{where}: data-min-font-pt says {expected:.2f} px"
        assert f["left"] >= 0 and f["right"] <= 390, f"{where}: figure spans {f['left']:.0f}..{f['right']:.0f}"
        assert f["filter"] == "none", f"{where}: figure is filtered ({f['filter']})"
        # a light card with the figure's own colours, set off from the dark page
        assert f["background"] == WHITE, f"{where}: card background {f['background']}"
        assert f["padding"] >= 4 and f["radius"] >= 4, f"{where}: no card padding/rounded corners"
        assert contrast(f["background"], page_bg) >= 7, f"{where}: card hardly differs from the page"
        assert contrast(f["textFill"], WHITE) >= 7, f"{where}: text colour {f['textFill']} on white"


def check_on_a_laptop(figures: list[dict]) -> None:
    """Figures (MEASURE) of a page open on the laptop in light mode: capped, not stretched to the column."""
    assert figures, "no figure on the page"
    for f in figures:
        assert MIN_PX <= f["minText"] <= MAX_LAPTOP_PX, f"{f['name'][:60]!r}: smallest text {f['minText']:.1f} px"
        assert f["background"] == "rgba(0, 0, 0, 0)", f"{f['name'][:60]!r}: a card in light mode"


def lab_plots(page) -> list[dict]:
    """MEASURE of a lab page's plots; fails on a plot shown as a raster image, whose text cannot be measured."""
    for img in page.evaluate(RASTER_PLOTS):
        scale = img["width"] / img["naturalWidth"]
        raise AssertionError(
            f"a plot is a raster image ({img['naturalWidth']} px wide, shown at {img['width']:.0f} CSS px: its text "
            f"at {scale:.2f} of its drawn size), not a measurable SVG: draw it with docsgen.style.setup"
        )
    return page.evaluate(MEASURE, LAB_PLOTS)


@pytest.mark.parametrize(("lang", "path"), FIGURE_PAGES)
def test_figures_are_readable_on_a_phone(browser, server, lang, path):
    context, page = open_page(browser, server + path, PHONE, "dark")
    try:
        check_on_a_dark_phone(page, page.evaluate(MEASURE, FIGURES))
    finally:
        context.close()


@pytest.mark.parametrize(("lang", "path"), FIGURE_PAGES)
def test_figures_are_not_blown_up_on_a_laptop(browser, server, lang, path):
    context, page = open_page(browser, server + path, LAPTOP, "light")
    try:
        check_on_a_laptop(page.evaluate(MEASURE, FIGURES))
    finally:
        context.close()


@pytest.mark.parametrize(("lang", "path"), LAB_PAGES)
def test_lab_plots_are_readable_on_a_phone_on_a_light_card(browser, server, lang, path):
    context, page = open_page(browser, server + path, PHONE, "dark")
    try:
        check_on_a_dark_phone(page, lab_plots(page))
    finally:
        context.close()


@pytest.mark.parametrize(("lang", "path"), LAB_PAGES)
def test_lab_plots_are_not_blown_up_on_a_laptop(browser, server, lang, path):
    context, page = open_page(browser, server + path, LAPTOP, "light")
    try:
        check_on_a_laptop(lab_plots(page))
    finally:
        context.close()
