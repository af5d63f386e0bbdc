"""Every built page of both languages opened in headless Debian Chromium, as a reader would."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest

from tools.formulas import LAY_OUT_EVERY_BLOCK, LAY_OUT_EVERYTHING, MEASURE

from ..conftest import RAW_TEX, all_pages

pytestmark = pytest.mark.browser


# Every page counts its layout shifts from the start (Lighthouse's "cumulative layout shift", without the session
# windows: the plain sum, which is never smaller); a reader's input does not count.
TRACK_LAYOUT_SHIFT = """window.__layoutShift = 0;
new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__layoutShift += e.value;
}).observe({type: "layout-shift", buffered: true});"""
MAX_LAYOUT_SHIFT = 0.05  # Lighthouse calls under 0.1 good
# Material's bundle is loaded after the first frame (hooks/startup.py): it has started once its document$ exists.
MATERIAL_STARTED = "() => 'document$' in window"
# ... and its start-up is done a frame later (a promise for page.evaluate).
STARTED = f"""new Promise(r => {{
  const go = () => (({MATERIAL_STARTED})() ? requestAnimationFrame(() => setTimeout(r)) : setTimeout(go, 10)); go();
}})"""


def layout_shift_on_reload(page) -> float:
    """The layout shift of opening the page again, its web fonts cached: a font that arrives after the first frame
    shifts text by an amount that depends on when it arrived; what is left depends on the page alone."""
    page.reload(wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page.evaluate(f"{STARTED}.then(() => window.__layoutShift)")  # Material's start-up included


def open_page(browser, url: str, width: int = 1200, wait: str = "networkidle"):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.add_init_script(TRACK_LAYOUT_SHIFT)
    seen = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(url, wait_until=wait)  # math is rendered at build time: nothing left to typeset
    page.wait_for_function(MATERIAL_STARTED)
    page.evaluate("document.fonts.ready.then(() => true)")  # layout is final once the web fonts are in
    return page, seen


@pytest.mark.parametrize(("lang", "path"), all_pages())
def test_page_renders_math_with_no_errors_and_no_third_party_requests(browser, server, lang, path):
    """On a 1366 px laptop: math typeset without errors, nothing fetched from other hosts, no raw TeX left, and every
    display formula fits the text column (tools/formulas.py measures the same way)."""
    page, seen = open_page(browser, server + path, width=1366)
    try:
        host = urlparse(server).netloc
        foreign = [u for u in seen["requests"] if urlparse(u).netloc not in (host, "") and not u.startswith("data:")]
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not seen["errors"], f"console errors: {seen['errors']}"
        assert page.locator(".katex-error").count() == 0
        assert page.locator("mjx-merror").count() == 0
        n_math = page.locator(".arithmatex").count()
        rendered = page.locator(".arithmatex:has(.katex)").count()  # a formula may carry a second (phone) layout
        assert rendered == n_math, "an arithmatex block was not rendered"
        visible = page.locator(".md-content").inner_text()
        leftover = RAW_TEX.findall(re.sub(r"python -m derivations.*", "", visible))
        code = " ".join(page.locator(".md-content pre, .md-content code").all_inner_texts())
        leftover = [t for t in leftover if t not in code]
        assert not leftover, f"raw TeX left on the page: {leftover[:5]}"
        assert page.evaluate("document.documentElement.lang") == lang
        page.evaluate(LAY_OUT_EVERYTHING)  # every block as it is once scrolled into view
        too_wide = [f for f in page.evaluate(MEASURE) if f["width"] > f["column"] + 1]
        assert not too_wide, f"display formulas wider than the column: {[f['tex'][:60] for f in too_wide]}"
    finally:
        page.close()


FACES_LOADED = """document.fonts.ready.then(() => [...document.fonts]
  .filter(f => f.status === "loaded" && f.family.startsWith("KaTeX_"))
  .map(f => f.family + "-"
    + (((f.weight === "700" ? "Bold" : "") + (f.style === "italic" ? "Italic" : "")) || "Regular")))"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_page_preloads_the_math_fonts_its_first_formulas_use(browser, server, lang):
    """A page preloads every KaTeX face that the formulas it lays out at load are drawn with (hooks/katex.py: the
    faces of its first formulas, read from their classes and KaTeX's stylesheet): a face that arrived after the first
    frame would reflow the text around them. Without JavaScript only those formulas get KaTeX's layout (the others
    show their MathML), so every face the browser loads is theirs; KaTeX names a face's file family-BoldItalic,
    -Bold, -Italic or -Regular. (The preload may hold a face of a first formula further down, not yet drawn.)"""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 900})
    try:
        page = context.new_page()
        for page_lang, path in all_pages():
            if page_lang != lang:
                continue
            page.goto(server + path, wait_until="load")
            page.evaluate("document.body.offsetHeight")  # laid out: every face the first layout needs is requested
            loaded = sorted(set(page.evaluate(FACES_LOADED)))
            preloaded = page.eval_on_selector_all(
                "link[rel=preload][as=font]", "ls => ls.map(l => l.href.split('/').pop().replace('.woff2', ''))"
            )
            assert set(loaded) <= set(preloaded), f"{path}: loads {loaded}, preloads {sorted(preloaded)}"
    finally:
        context.close()


def _switch(page, lang: str) -> None:
    """Open the language menu in the header the way a reader does (hover) and pick ``lang``."""
    page.locator(".md-header .md-select").first.hover()
    page.locator(f".md-header a[data-lang-switch='{lang}']").first.click()


# The switch's links are checked on every page of both languages without a browser (test_site.py); the menu itself
# is the same script on every page, so a reader's round trip is tried on one page of each kind.
ROUND_TRIP = ["", "bptt/", "myths/", "labs/bptt/"]


@pytest.mark.parametrize(("lang", "path"), [p for p in all_pages() if p[0] == "en" and p[1] in ROUND_TRIP])
def test_language_switch_round_trip(browser, server, lang, path):
    page, _ = open_page(browser, server + path)
    try:
        _switch(page, "zh")
        page.wait_for_url(server + "zh/" + path)
        _switch(page, "en")
        page.wait_for_url(server + path)
    finally:
        page.close()


def search(page, query: str) -> list[str]:
    """Type ``query`` into the site search like a reader and return the result links, once the search worker has
    answered (Material writes the number of results, or "no results", into the result meta line)."""
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.keyboard.press("End")  # a key event after the text, as after an IME commit
    page.wait_for_function(
        """q => document.querySelector("input.md-search__input").value === q
              && document.querySelector(".md-search-result__meta").textContent.match(/\\d|没有|No /)""",
        arg=query,
    )
    # the worker may still answer an earlier prefix of the query: wait until the list is the same on successive
    # frames, then read it in one step (reading link by link races with Material re-rendering the list)
    read = "() => [...document.querySelectorAll('.md-search-result__item > a')].map(a => a.getAttribute('href') || '')"
    page.wait_for_function(
        f"""() => {{ const now = JSON.stringify(({read})());
                   const same = window.__hits === now; window.__hits = now;
                   window.__stable = same ? (window.__stable || 0) + 1 : 0; return window.__stable >= 5; }}""",
        polling="raf",
    )
    return page.evaluate(read)


SEARCHES = [  # (language prefix, query, the page that must come first): a topic page for its own name
    ("", "sigmoid derivative", "activations/"),
    ("", "vanishing gradient", ""),
    ("", "gradient clipping", "clipping/"),  # not the home page, whose title says "gradients,"
    ("", "BPTT", "bptt/"),  # not its lab; the title says "(BPTT)"
    ("", "LSTM", "lstm/"),
    ("", "initialisation", "initialisation/"),
    ("", "LSTMs", "lstm/"),  # a plural finds the singular (stemmed query and index)
    ("zh/", "激活函数", "zh/activations/"),
    ("zh/", "梯度消失", "zh/"),
    ("zh/", "遗忘门", "zh/lstm/"),
    ("zh/", "梯度裁剪", "zh/clipping/"),  # needs the query-segmentation fix in hooks/search.py
    ("zh/", "梯度爆炸", "zh/"),
    ("zh/", "随时间反向传播", "zh/bptt/"),
    ("zh/", "批量归一化", "zh/normalisation/"),
]


@pytest.mark.parametrize(("prefix", "query", "expected"), SEARCHES)
def test_search_returns_the_right_page_first(browser, server, prefix, query, expected):
    page, _ = open_page(browser, server + prefix)
    try:
        hits = search(page, query)
        assert hits, f"no result for {query!r}"
        assert hits[0].split("?")[0].split("#")[0] == server + expected, hits[:3]
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_first_visit_is_drawn_in_the_systems_scheme_before_material_starts(browser, server, scheme):
    """overrides/partials/javascripts/palette.html: with Material's bundle never loaded, a first visit already has
    the palette that matches the system, and the toggle shows the button for it."""
    context = browser.new_context(color_scheme=scheme)
    context.route("**/bundle.*.min.js", lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto(server + "bptt/", wait_until="load")
        assert not page.evaluate(MATERIAL_STARTED)
        body = page.evaluate("['scheme', 'media'].map(k => document.body.getAttribute('data-md-color-' + k))")
        assert body == (
            ["slate", "(prefers-color-scheme: dark)"]
            if scheme == "dark"
            else ["default", "(prefers-color-scheme: light)"]
        )
        shown = page.locator("form[data-md-component='palette'] label:not([hidden])").evaluate_all(
            "ls => ls.map(l => l.previousElementSibling.getAttribute('data-md-color-scheme'))"
        )
        assert shown == [body[0]]
    finally:
        context.close()


def test_dark_mode_toggles(browser, server):
    page, _ = open_page(browser, server)
    try:
        schemes = []
        for _ in range(2):  # two states: light and dark
            before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            page.locator("form[data-md-component='palette'] label:visible").first.click()
            page.wait_for_function("b => document.body.getAttribute('data-md-color-scheme') !== b", arg=before)
            schemes.append(page.evaluate("document.body.getAttribute('data-md-color-scheme')"))
        assert "slate" in schemes and "default" in schemes
    finally:
        page.close()


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_explorer_reacts_to_its_controls(browser, server, prefix):
    page, seen = open_page(browser, server + prefix + "explorer/")
    try:
        readout = page.locator(".gradient-explorer__readout")
        page.wait_for_selector(".gradient-explorer[data-ready='1'] path.ge-measured")
        first = readout.inner_text()
        page.select_option(".gradient-explorer select", "linear")
        page.locator(".gradient-explorer input[type=range]").fill("15")  # lambda_1 = 2.0
        after = readout.inner_text()
        assert after != first
        assert "1.15e+18" in after  # linear, lambda_1 = 2: measured = bound = 2^60
        assert not seen["errors"]
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_signal_explorer_follows_its_sliders(browser, server, lang):
    """The chi_1 explorer: moving sigma_w^2 from its smallest to its largest value takes the readout from the ordered to
    the chaotic phase, in the page's language, and the slider announces sigma_w^2 with chi_1 (not a step number)."""
    from docsgen.labels import label

    page, seen = open_page(browser, server + ("zh/" if lang == "zh" else "") + "signal-propagation/")
    try:
        page.wait_for_selector(".signal-explorer[data-ready='1'] path.ge-measured")
        readout = page.locator(".signal-explorer .gradient-explorer__readout")
        sw2 = page.locator(".signal-explorer input[type=range]").first
        sw2.fill(sw2.get_attribute("min"))
        low = readout.inner_text()
        assert label("signal.ordered", lang) in low
        sw2.fill(sw2.get_attribute("max"))
        high = readout.inner_text()
        assert label("signal.chaotic", lang) in high and high != low
        assert "χ₁ = " in sw2.get_attribute("aria-valuetext")
        assert not seen["errors"]
    finally:
        page.close()


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("spectral/#verification", "zh/spectral/#verification"),
        ("zh/bptt/#truncated", "bptt/#truncated"),
        ("zh/labs/bptt/#jacobian-norms-over-time", "labs/bptt/#jacobian-norms-over-time"),
    ],
)
def test_language_switch_keeps_the_section(browser, server, start, target):
    page, _ = open_page(browser, server + start)
    try:
        _switch(page, "en" if start.startswith("zh/") else "zh")
        page.wait_for_url(server + target)
        # the section is on screen, not the top of the page
        page.wait_for_function("window.scrollY > 0")
    finally:
        page.close()


def test_the_colour_scheme_is_shared_by_both_languages(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, color_scheme="light")
    page = context.new_page()
    try:
        page.goto(server + "bptt/", wait_until="networkidle")
        page.wait_for_function(MATERIAL_STARTED)
        for _ in range(3):  # the toggle cycles system -> light -> dark
            if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate":
                break
            page.locator("form[data-md-component='palette'] label:visible").first.click()
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        assert page.evaluate(VIEWPORT_SCHEME) == "dark"  # scrollbars and canvas follow (extra.css)
        page.goto(server + "zh/lstm/", wait_until="networkidle")
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        assert page.evaluate(VIEWPORT_SCHEME) == "dark"
    finally:
        context.close()


VIEWPORT_SCHEME = "getComputedStyle(document.documentElement).colorScheme"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_browser_ui_and_scrollbars_take_the_palettes_colours(browser, server, scheme):
    """The static theme colour (overrides/main.html) is the header's, and the viewport's colour scheme the
    palette's, as Material's own meta elements would have made them (hooks/startup.py)."""
    context = browser.new_context(color_scheme=scheme)  # first visit: the palette follows the system
    page = context.new_page()
    try:
        page.goto(server + "bptt/", wait_until="load")
        page.evaluate(STARTED)
        header = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
        rgb = "#" + "".join(f"{int(c):02x}" for c in re.findall(r"\d+", header)[:3])
        assert page.evaluate("[...document.querySelectorAll('meta[name=theme-color]')].map(m => m.content)") == [rgb]
        assert page.evaluate(VIEWPORT_SCHEME) == ("dark" if scheme == "dark" else "light")
    finally:
        context.close()


@pytest.mark.parametrize("path", ["zh/spectral/", "labs/attractors/", "bptt/", "glossary/"])
def test_materials_start_up_restyles_no_whole_page(browser, server, path):
    """hooks/startup.py: in Chromium's invalidation tracking, no style change made by Material's bundle reaches
    every element of <html>, <body> or the article (a theme-color or color-scheme meta inserted, a class changed on
    <html>, data-md-color-switching set on <body>, a table wrapped), and the bundle forces no style of content that
    is not shown (a code block measured inside a closed <details>: bptt/'s solutions, every page's "cite")."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        browser.start_tracing(page=page, categories=["disabled-by-default-devtools.timeline.invalidationTracking"])
        try:
            page.goto(server + path, wait_until="load")
            page.evaluate(STARTED)
        finally:
            events = json.loads(browser.stop_tracing())["traceEvents"]
        by_bundle = [
            e["args"]["data"]
            for e in events
            if e["name"] == "StyleRecalcInvalidationTracking"
            and any("/bundle." in f["url"] for f in e["args"]["data"].get("stackTrace", []))
        ]
        whole = [
            (d["nodeName"], d.get("reason"))
            for d in by_bundle
            if d.get("subtree") and d["nodeName"].startswith(("HTML", "BODY", "ARTICLE"))
        ]
        assert not whole, f"Material's start-up restyled the whole page: {whole}"
        hidden = [d["nodeName"] for d in by_bundle if d.get("reason") == "DisplayLock"]
        assert not hidden, f"Material's start-up forced the style of content not shown: {hidden}"
    finally:
        page.close()


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_404_pages_link_to_their_own_language(browser, server, prefix):
    page, _ = open_page(browser, server + prefix + "404.html")
    try:
        switch = {
            lang: page.locator(f"a[data-lang-switch='{lang}']").first.evaluate("a => a.href") for lang in ("en", "zh")
        }
        assert switch == {"en": server, "zh": server + "zh/"}
        nav = page.locator("nav.md-nav--primary a.md-nav__link[href]").evaluate_all("as => as.map(a => a.href)")
        assert nav and all(h.startswith(server + prefix) for h in nav), nav[:5]
    finally:
        page.close()


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_every_lab_offers_its_notebook_for_download(browser, server, prefix):
    labs = [path for lang, path in all_pages() if path.startswith(prefix + "labs/")]
    assert labs
    for path in labs:
        page, _ = open_page(browser, server + path, wait="domcontentloaded")  # the link is in the HTML
        try:
            link = page.locator("a[download][href$='.ipynb']").first  # the page also offers the site's PDF
            href = link.evaluate("a => a.href")
            assert href.endswith(".ipynb") and link.is_visible()
            status = page.evaluate("u => fetch(u).then(r => r.ok && r.json()).then(nb => nb && nb.cells.length)", href)
            assert status, f"{path}: {href} is not a notebook"
        finally:
            page.close()


def test_the_round_trip_pages_exist():
    assert {p for lang, p in all_pages() if lang == "en"} >= set(ROUND_TRIP)


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_an_exercise_reveals_its_hint_without_its_solution(browser, server, prefix):
    """Hints and solutions start folded; opening the hint shows the hint and still hides the solution, which opens
    on its own (keyboard: Enter on its summary)."""
    page, seen = open_page(browser, server + prefix + "spectral/#ex-radius-of-a-product")
    try:
        ex = page.locator("#ex-radius-of-a-product")
        hint = ex.locator("xpath=following-sibling::details[1]")
        solution = ex.locator("xpath=following-sibling::details[2]")
        assert "tip" in hint.get_attribute("class") and "success" in solution.get_attribute("class")
        assert not hint.locator("p").first.is_visible() and not solution.locator("p").first.is_visible()
        hint.locator("summary").click()
        hint.locator("p").first.wait_for(state="visible")
        assert not solution.locator("p").first.is_visible()
        solution.locator("summary").focus()
        page.keyboard.press("Enter")
        solution.locator("p").first.wait_for(state="visible")
        assert solution.locator("a[href='#verification']").count() == 1
        assert not seen["errors"], seen["errors"]
    finally:
        page.close()


@pytest.mark.parametrize("path", ["bptt/", "zh/labs/bptt/"])
def test_each_citation_has_a_copy_button_that_copies_it(browser, server, path):
    """'Cite this page': the BibTeX and the plain-text citation each copy themselves (Material names a button's
    target after the nearest id: with one id for both, both buttons copied the BibTeX)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(server + path, wait_until="networkidle")
        page.wait_for_function(MATERIAL_STARTED)
        block = page.locator("#cite-this-page")
        block.locator("summary").click()
        for kind in ("bibtex", "text"):
            code = block.locator(f"code[data-cite='{kind}']")
            code.scroll_into_view_if_needed()  # a code block gets its copy button once on screen (content.lazy)
            code.locator("xpath=..").locator("button[data-md-type='copy']").click()
            assert page.evaluate("navigator.clipboard.readText()") == code.inner_text(), kind
    finally:
        context.close()


# the last display formula of the page, its position, and whether it is laid out (one of its layouts rendered)
_LAST_FORMULA = """() => { const b = [...document.querySelectorAll('.md-content__inner > div.arithmatex')].at(-1);
    return {top: b.getBoundingClientRect().top, cv: getComputedStyle(b).contentVisibility,
        laidOut: [...b.querySelectorAll('.katex-html')].some(k => k.checkVisibility({contentVisibilityAuto: true}))};
}"""
# scrolled to again on every frame until it is laid out: blocks above it take their real height as they render
_SCROLL_TO_LAST_FORMULA = f"""() => {{
    [...document.querySelectorAll('.md-content__inner > div.arithmatex')].at(-1).scrollIntoView({{block: 'center'}});
    return ({_LAST_FORMULA})().laidOut; }}"""


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_a_long_page_lays_out_its_blocks_near_the_screen_only(browser, server, prefix):
    """Math-dense pages: a block far below the first screen is not laid out at load (content-visibility, extra.css);
    scrolled to, it is; a link to a formula's anchor inside such a block lands on it; printing lays out every block."""
    page, seen = open_page(browser, server + prefix + "bptt/", width=390)
    try:
        last = page.evaluate(_LAST_FORMULA)
        assert last["top"] > 2 * 900 and last["cv"] == "auto" and not last["laidOut"], last
        page.wait_for_function(_SCROLL_TO_LAST_FORMULA)
        page.emulate_media(media="print")
        assert page.evaluate(_LAST_FORMULA)["cv"] == "visible"
        assert not seen["errors"], seen["errors"]
    finally:
        page.close()
    page, _ = open_page(browser, server + prefix + "clipping/#eq-clip-scale", width=390)
    try:
        target = page.locator("#eq-clip-scale")
        page.wait_for_function("() => document.querySelector('#eq-clip-scale').checkVisibility()")
        box = target.bounding_box()
        assert box is not None and 0 <= box["y"] < 900 and box["height"] > 10, box
    finally:
        page.close()


# the page's formulas: how many, how many wait for their KaTeX layout, the first that waits, and of those shown on
# this screen (not in a folded hint or the other screen's layout) how many show their MathML meanwhile; whether the
# last display formula of the article waits
_PENDING = """() => { const ks = [...document.querySelectorAll('.md-content .katex')];
    const waiting = ks.filter(k => k.classList.contains('katex-pending'));
    const shown = waiting.filter(k => k.getClientRects().length);
    return {all: ks.length, waiting: waiting.length, first: ks.findIndex(k => k.classList.contains('katex-pending')),
            shown: shown.length, mathml: shown.filter(k => k.querySelector('.katex-mathml').offsetWidth > 0).length,
            lastWaits: [...[...document.querySelectorAll('.md-content__inner > div.arithmatex')].at(-1).children]
                .filter(d => getComputedStyle(d).display !== 'none')
                .some(d => d.querySelector('.katex').classList.contains('katex-pending'))}; }"""


_MATHML_HIT = """() => [...document.querySelectorAll('.md-content .katex-pending')]
    .filter(k => k.getClientRects().length).slice(0, 5).map(k => {
        const m = k.querySelector('.katex-mathml');
        m.scrollIntoView({block: 'center'});
        const r = m.getBoundingClientRect(), hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!hit && m.contains(hit); })"""


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_formulas_past_the_first_screens_get_their_layout_as_they_come_into_view(browser, server, prefix):
    """hooks/katex.py and lazy-math.js: the first EAGER formulas (both layouts of each) are typeset at load; a
    later one shows its MathML until shortly before it comes into view, then its KaTeX layout; without JavaScript
    every formula shows as MathML."""
    from hooks.katex import EAGER

    page, seen = open_page(browser, server + prefix + "bptt/", width=390)
    try:
        s = page.evaluate(_PENDING)
        assert s["first"] >= EAGER and s["waiting"] > s["all"] / 2 and s["lastWaits"], s
        page.wait_for_function(_SCROLL_TO_LAST_FORMULA)
        page.wait_for_function(f"() => !({_PENDING})().lastWaits")
        assert not seen["errors"], seen["errors"]
    finally:
        page.close()
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server + prefix + "bptt/", wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")  # Playwright's evaluation runs without page scripts
        page.evaluate(LAY_OUT_EVERY_BLOCK)  # the page's own scripts are off: its formulas stay deferred
        s = page.evaluate(_PENDING)
        assert s["shown"] > 20 and s["mathml"] == s["shown"], s
        # and it is painted, not clipped away: what the reader hits at the middle of the MathML is the MathML
        hits = page.evaluate(_MATHML_HIT)
        assert len(hits) == 5 and all(hits), hits
    finally:
        context.close()


CODE_COLOURS = """() => {
  const code = document.querySelector(".md-typeset .highlight pre > code");
  const background = getComputedStyle(code).backgroundColor;
  const tokens = [...code.querySelectorAll("span[class]")].filter(s => s.textContent.trim());  // not whitespace
  return [...new Set(tokens.map(s => s.className + " " + getComputedStyle(s).color))].map(e => [e, background]);
}"""


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_highlighted_code_meets_aa_contrast(browser, server, scheme):
    """Every kind of token in a highlighted code block (deep-chain/'s has comments and operator words such as "in")
    has 4.5:1 contrast with the code background, its colour's transparency blended in (Material's operator colour
    was 4.47:1 in light mode)."""
    from .test_explorer import NUM, contrast

    page = browser.new_page(color_scheme="dark" if scheme == "slate" else "light")  # a first visit follows it
    try:
        page.goto(server + "deep-chain/", wait_until="load")
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
        low = []
        for entry, background in page.evaluate(CODE_COLOURS):
            cls, colour = entry.split(" ", 1)
            r, g, b, *alpha = (float(v) for v in NUM.findall(colour))
            a = alpha[0] if alpha else 1.0
            br, bg, bb = (float(v) for v in NUM.findall(background)[:3])
            shown = f"rgb({r * a + br * (1 - a)}, {g * a + bg * (1 - a)}, {b * a + bb * (1 - a)})"
            ratio = contrast(shown, background)
            low += [f".{cls} {colour} on {background}: {ratio:.2f}:1"] if ratio < 4.5 else []
        assert not low, f"{scheme}: {low}"
    finally:
        page.close()
