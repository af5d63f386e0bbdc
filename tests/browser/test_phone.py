"""Every page on a 375 px phone: nothing shifts while it loads, the page never scrolls sideways, a wide display formula
scrolls inside its own block and shows it, and at most one display formula in ten needs to."""

from __future__ import annotations

import pytest

from tools.formulas import LAY_OUT_EVERYTHING

from ..conftest import all_pages
from .test_pages import MAX_LAYOUT_SHIFT, layout_shift_on_reload, open_page

pytestmark = pytest.mark.browser

PHONE = 375  # px: narrower than the 390 px phone of the reviews, so what fits here fits there
PHONE_BLOCKS = """() => [...document.querySelectorAll(
        '.md-content div.arithmatex, .md-content span.arithmatex > .katex-display')].map(e => {
    const cs = getComputedStyle(e);
    return {wide: e.scrollWidth > e.clientWidth + 1, overflow: cs.overflowX,
            shadows: (cs.backgroundImage.match(/gradient/g) || []).length};
})"""
_phone_blocks: dict[str, list[dict]] = {}  # path -> blocks, filled by the per-page test, summed by the next one


@pytest.mark.parametrize(("lang", "path"), all_pages())
def test_a_phone_never_scrolls_sideways_and_wide_formulas_show_they_scroll(browser, server, lang, path):
    """On a 375 px phone nothing shifts while the page loads and the page itself never scrolls sideways; a display
    formula either fits its column or scrolls inside its own block, which carries the scroll shadows (docs:
    extra.css) that show there is more to the side."""
    page, _ = open_page(browser, server + path, width=PHONE, wait="load")  # measured after the reload below
    try:
        shift = layout_shift_on_reload(page)  # content-visibility estimates blocks not yet shown: none on screen
        assert shift < MAX_LAYOUT_SHIFT, f"the page shifted by {shift:.3f} while it loaded"
        page.evaluate(LAY_OUT_EVERYTHING)  # every block as it is once scrolled into view (none clipped by containment)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"page is {overflow}px wider than a {PHONE}px screen"
        blocks = _phone_blocks[path] = page.evaluate(PHONE_BLOCKS)
        for b in blocks:
            if b["wide"]:
                assert b["overflow"] == "auto" and b["shadows"] == 4, b
    finally:
        page.close()


def test_at_most_one_display_formula_in_ten_scrolls_on_a_phone(browser, server):
    """Over the whole site, at most 10 % of display formulas are wider than a 375 px phone's column (the rest fit,
    laid out for phones by docsgen/layout.py). Reuses the per-page test's measurements (the tests of one file run on
    one worker, in order: `--dist loadfile`) and measures any page it did not run on."""
    for _lang, path in all_pages():
        if path not in _phone_blocks:
            page, _ = open_page(browser, server + path, width=PHONE)
            try:
                page.evaluate(LAY_OUT_EVERYTHING)
                _phone_blocks[path] = page.evaluate(PHONE_BLOCKS)
            finally:
                page.close()
    blocks = [b for _, path in all_pages() for b in _phone_blocks[path]]
    wide = sum(b["wide"] for b in blocks)
    assert blocks and wide <= 0.10 * len(blocks), f"{wide} of {len(blocks)} display formulas scroll on a phone"
