"""The built site as files: both languages complete, executed outputs present, notebooks rendered, switch links
pointing at the counterpart page, and nothing loaded from a third-party host."""

from __future__ import annotations

import itertools
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import LANGS, RAW_TEX, ROOT, page_sources, page_url

PREFIX = {"en": "", "zh": "zh/"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.resources: list[str] = []
        self.switch: dict[str, str] = {}
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "script" and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("rel") in ("stylesheet", "preconnect", "icon", "modulepreload"):
            self.resources.append(a.get("href") or "")
        if tag in ("img", "iframe", "source") and a.get("src"):
            self.resources.append(a["src"])
        if tag == "a" and a.get("data-lang-switch"):
            self.switch[a["data-lang-switch"]] = a.get("href") or ""


def parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def html_of(site: Path, lang: str, src: str) -> Path:
    return site / (PREFIX[lang] + page_url(src)) / "index.html"


def test_both_languages_have_the_same_pages():
    assert page_sources("en") == page_sources("zh")


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_is_built(site_dir, lang):
    for src in page_sources(lang):
        assert html_of(site_dir, lang, src).is_file(), src


@pytest.mark.parametrize("lang", LANGS)
def test_language_switch_points_to_the_same_page(site_dir, lang):
    for src in page_sources(lang):
        page = html_of(site_dir, lang, src)
        links = parse(page).switch
        assert set(links) == set(LANGS), (src, links)
        for other, href in links.items():
            target = (page.parent / href).resolve() / "index.html"
            assert target == html_of(site_dir, other, src).resolve(), (src, other, href)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_loads_materials_bundle_after_its_first_paint(site_dir, lang):
    """hooks/startup.py replaces Material's script tag by a loader: if Material's template changes, the rewrite must
    not silently stop applying (the build fails if the tag is missing; here: nothing left that loads it earlier)."""
    pages = [html_of(site_dir, lang, src) for src in page_sources(lang)] + [site_dir / PREFIX[lang] / "404.html"]
    for path in pages:
        html = path.read_text()
        assert not re.findall(r"<script[^>]*/bundle\.[0-9a-f]+\.min\.js", html), path
        loaders = re.findall(r"s\.src='[^']*/bundle\.[0-9a-f]+\.min\.js'", html)
        assert len(loaders) == 1 and "requestAnimationFrame" in html, (path, loaders)


@pytest.mark.parametrize("lang", LANGS)
def test_no_third_party_resources(site_dir, lang):
    base = site_dir / PREFIX[lang]
    for page in base.rglob("*.html"):
        if lang == "en" and page.is_relative_to(site_dir / "zh"):
            continue
        for url in parse(page).resources:
            assert not re.match(r"^(https?:)?//", url), f"{page}: loads {url}"
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "cdnjs" not in text and "unpkg" not in text, page
        assert "api.github.com" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_derived_formulas_and_checks_are_executed_into_the_page(site_dir, lang):
    from derivations import get
    from docsgen.render import DISPLAY_BUDGET, break_lines, localise_tex

    html = html_of(site_dir, lang, "activations.md").read_text(encoding="utf-8")
    # math is rendered at build time; KaTeX keeps the TeX source in the MathML annotation
    sources = {
        unescape(t).strip()
        for t in re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', html, re.S)
    }
    for name in ("sigmoid_derivative", "tanh_derivative_max", "hochreiter_weight_bound"):
        shown = localise_tex(break_lines(get(name).result.display_latex(), DISPLAY_BUDGET), lang)
        assert shown.strip() in sources, name
    assert '<span class="katex-display">' in html and "\\[" not in html
    assert "9.5367431640625e-07" in html
    assert html.count('class="verdict-pass"') >= 9 and 'class="verdict-fail"' not in html
    assert "<svg" in html and 'class="figure-svg"' in html
    assert "```python" not in html and 'exec="1"' not in html


@pytest.mark.parametrize("lang", LANGS)
def test_notebooks_are_rendered_and_executed_not_copied_raw(site_dir, lang):
    for src in page_sources(lang):
        if not src.endswith(".ipynb"):
            continue
        html = html_of(site_dir, lang, src).read_text(encoding="utf-8")
        assert "jupyter-wrapper" in html and '"nbformat"' not in html, src
        # executed plots, inline SVG drawn for a phone column with an accessible name (hooks/notebooks.py)
        assert re.search(r'<div class="figure-svg lab-plot"><svg role="img" aria-label="[^"]{8,}"', html), src
        assert not re.search(r'<img [^>]*src="data:image/', html), f"{src}: a plot left as an image"
        assert "Traceback (most recent call last)" not in html
        assert not re.search(r"-output\" data-mime-type=\"application/vnd.jupyter.(stderr|error)", html), src
        assert 'class="md-content__button' in html  # download / edit actions
        # notebook math is rendered at build time, like every other page's, and a TeX error fails the build
        assert 'class="katex"' in html and "$\\displaystyle" not in html, f"{src}: notebook math not rendered"
        # nbconvert's ~575 KB of inline styles become one trimmed stylesheet, shared by pages that need the same rules
        long_style = r'<style type="text/css">(?:(?!</style>).){2000}'  # not an SVG plot's short one
        assert not re.search(long_style, html, re.S), f"{src}: large inline stylesheet"
        sheets = re.findall(r'href="(?:\.\./)*(assets/stylesheets/notebook-[0-9a-f]{12}\.css)"', html)
        assert len(sheets) == 1, f"{src}: {sheets}"
        css = (site_dir / PREFIX[lang] / sheets[0]).read_text(encoding="utf-8")
        assert ".jp-OutputArea-output" in css and "--jp-layout-color1" in css and len(css) < 100_000
        download = html_of(site_dir, lang, src).parent / Path(src).name
        assert download.is_file(), f"{src}: notebook not offered for download"


@pytest.mark.parametrize("lang", LANGS)
def test_search_index_holds_prose_under_its_headings(site_dir, lang):
    """What search shows as a snippet is prose: no TeX, no notebook prompts or "Copied!", no pilcrows; and each lab
    is indexed section by section under its own headings, without its code cells (hooks/notebooks.py
    ``search_view``)."""
    import json

    docs = json.loads((site_dir / PREFIX[lang] / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    for doc in docs:
        shown = doc["title"] + " " + doc["text"]
        assert not RAW_TEX.search(shown), f"{doc['location']}: TeX in the search index: {shown[:200]}"
        for chrome in ("In [", "Copied!", "已复制", "¶"):
            assert chrome not in shown, f"{doc['location']}: {chrome!r} in the search index"
    labs = [src for src in page_sources(lang) if src.endswith(".ipynb")]
    assert labs
    for src in labs:
        url = src.removesuffix(".ipynb") + "/"
        sections = [d for d in docs if d["location"].split("#")[0] == url]
        titles = [d["title"] for d in sections]
        assert len(sections) >= 3 and len(set(titles)) == len(titles), f"{url}: {titles}"
        assert not any("<pre>" in d["text"] for d in sections), f"{url}: a code cell in the search index"


@pytest.mark.parametrize("lang", LANGS)
def test_every_id_on_a_page_is_unique(site_dir, lang):
    """Ids are unique on every page, inline figures and lab plots included (docsgen.style.page_svg): a repeated id
    is invalid HTML, and a link or an SVG reference to it resolves to whichever comes first."""
    for src in page_sources(lang):
        ids = re.findall(r'\sid="([^"]+)"', html_of(site_dir, lang, src).read_text(encoding="utf-8"))
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        assert not repeated, f"{src}: {len(repeated)} repeated ids, e.g. {repeated[:5]}"


def test_chinese_pages_are_chinese_and_english_pages_english(site_dir):
    zh = html_of(site_dir, "zh", "activations.md").read_text(encoding="utf-8")
    en = html_of(site_dir, "en", "activations.md").read_text(encoding="utf-8")
    assert '<html lang="zh"' in zh and '<html lang="en"' in en
    assert "激活函数" in zh and "激活函数" not in en


def test_heading_anchors_match_across_languages(site_dir):
    from tools.parity import read_page

    for src in page_sources("en"):
        if src.endswith(".ipynb"):
            continue
        ids = {lang: {i for i in parse(html_of(site_dir, lang, src)).ids if not i.startswith("__")} for lang in LANGS}
        pages = {lang: read_page(ROOT / "docs" / lang / src) for lang in LANGS}
        for lang in LANGS:
            bare = pages[lang].bare_headings
            assert not bare, f"docs/{lang}/{src}: headings without an explicit {{#id}}: {bare}"
        headings = {lang: set(pages[lang].anchors) for lang in LANGS}
        assert headings["en"] == headings["zh"], src
        assert headings["en"] <= ids["en"] and headings["zh"] <= ids["zh"], src


def test_lab_headings_have_the_same_ids_in_both_languages(site_dir):
    """A translated lab's headings carry its English twin's ids (not nbconvert's "_1", "_2"), in the same order, and
    its table of contents links to them."""
    heading = re.compile(r'<h[1-6] id="([^"]+)"')
    labs = [src for src in page_sources("en") if src.endswith(".ipynb")]
    assert labs
    for src in labs:
        html = {lang: html_of(site_dir, lang, src).read_text(encoding="utf-8") for lang in LANGS}
        ids = {lang: heading.findall(html[lang]) for lang in LANGS}
        assert ids["en"] and ids["en"] == ids["zh"], src
        assert not any(re.fullmatch(r"_\d+", i) for i in ids["zh"]), src
        for anchor in ids["zh"][1:]:
            assert f'href="#{anchor}"' in html["zh"], f"{src}: no table-of-contents link to #{anchor}"


def test_katex_is_served_by_the_site(site_dir):
    for lang in LANGS:
        base = site_dir / PREFIX[lang] / "assets" / "katex"
        assert (base / "katex.min.css").is_file()
        assert list((base / "fonts").glob("KaTeX_Main-Regular.woff2"))


@pytest.mark.parametrize("lang", LANGS)
def test_pages_with_math_preload_math_fonts_and_others_do_not(site_dir, lang):
    """Which faces: tests/browser/test_pages.py compares them with what the browser loads."""
    for src in page_sources(lang):
        path = html_of(site_dir, lang, src)
        html = path.read_text(encoding="utf-8")
        preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin>', html)
        if 'class="katex"' not in html:
            assert not preloads, src
            continue
        assert "KaTeX_Main-Regular.woff2" in [Path(p).name for p in preloads], src  # every formula's face
        assert all((path.parent / p).resolve().is_file() for p in preloads), src
        assert html.index(preloads[0]) < html.index("katex.min.css"), src


def test_no_broken_internal_links_or_anchors(site_dir, tmp_path):
    from tools.links import check

    broken, external = check(site_dir)
    assert not broken, "\n".join(broken)
    assert external, "expected some external links (repository, papers) in the report"


def test_bilingual_parity():
    from tools.parity import problems

    found = problems()
    assert not found, "\n".join(found)


_FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.S | re.M)


@pytest.mark.parametrize("lang", LANGS)
def test_pages_are_prose_plus_references(lang):
    """No page executes Python: results come in through the macros (docs/<lang>/*.md)."""
    for src in page_sources(lang):
        if src.endswith(".md"):
            text = (ROOT / "docs" / lang / src).read_text(encoding="utf-8")
            assert "exec=" not in text, f"docs/{lang}/{src}: an executed code block; use the macros instead"


@pytest.mark.parametrize("lang", LANGS)
def test_every_macro_was_rendered(site_dir, lang):
    for src in page_sources(lang):
        html = html_of(site_dir, lang, src).read_text(encoding="utf-8")
        body = re.sub(r"<(pre|code|script)\b.*?</\1>", "", html, flags=re.S)
        assert "{{" not in body and "{%" not in body, f"{lang}/{src}: an unrendered macro"


_PROSE_LINE = re.compile(r"^(?![\s>|#<{$!\-*+]|\d+\.\s|\[\^|---|\?\?\?|:)")


def test_chinese_paragraphs_are_one_line_each():
    """A hard-wrapped Chinese paragraph shows a stray space where the line broke: one paragraph per source line."""
    bad = []
    for src in page_sources("zh"):
        if not src.endswith(".md"):
            continue
        text = _FENCED.sub("", (ROOT / "docs" / "zh" / src).read_text(encoding="utf-8"))
        text = re.sub(r"^\$\$.*?^\$\$", "", re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S), flags=re.S | re.M)
        lines = text.split("\n")
        for a, b in itertools.pairwise(lines):
            if a.strip() and b.strip() and _PROSE_LINE.match(a) and _PROSE_LINE.match(b):
                bad.append(f"docs/zh/{src}: {a[-30:]!r} / {b[:30]!r}")
            elif (
                a.lstrip().startswith(("- ", "* "))
                and b.startswith("  ")
                and b.strip()
                and _PROSE_LINE.match(b.strip())
            ):
                bad.append(f"docs/zh/{src}: list item wrapped: {b[:40]!r}")
    assert not bad, "\n".join(bad)


# Latin-script phrases allowed in Chinese check tables: names of functions that Chinese texts use as they are.
_ZH_TABLE_PHRASES = {"logistic sigmoid", "Leaky ReLU"}


def test_chinese_check_tables_have_no_english(site_dir):
    """Oracle descriptions and titles in the Chinese check tables are Chinese: no English phrase (two or more English
    words in a row) outside code and formulas. Single Latin tokens are identifiers or symbols (h_t, numel, diag)."""
    bad = []
    for src in page_sources("zh"):
        html = html_of(site_dir, "zh", src).read_text(encoding="utf-8")
        if "本页构建时运行的数值校验" not in html:
            continue
        table = html[html.index("本页构建时运行的数值校验") :]
        table = table[: table.index("</table>")]
        table = re.sub(r"<code>.*?</code>|<span class=\"katex.*?</span></span></span>|<[^>]+>", " ", table, flags=re.S)
        for phrase in re.findall(r"\b[A-Za-z][a-z]{2,}(?:[ \-]+[A-Za-z][a-z]{1,})+\b", unescape(table)):
            if phrase not in _ZH_TABLE_PHRASES:
                bad.append(f"zh/{src}: {phrase!r}")
    assert not bad, sorted(set(bad))


_NAMES_IN_TEXT = re.compile(
    r"\b(GRU|LSTM|RNN|IRNN|PyTorch|cuDNN|Cho|Chung|Keras|Glorot|He|ReLU|tanh|BN|MLP|Adam|AdamW|LSTMCell|GRUCell)\b"
)


def test_chinese_formulas_have_no_english_words(site_dir):
    """Words inside \\text{…} of the formulas on Chinese pages are Chinese (names such as GRU or PyTorch aside)."""
    bad = []
    for src in page_sources("zh"):
        html = unescape(html_of(site_dir, "zh", src).read_text(encoding="utf-8"))
        for tex in re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', html, flags=re.S):
            for word in re.findall(r"\\text\{([^{}]*)\}", tex):
                if re.search(r"[A-Za-z]{2,}", _NAMES_IN_TEXT.sub("", word)):
                    bad.append(f"zh/{src}: \\text{{{word}}}")
    assert not bad, sorted(set(bad))


def test_chinese_interface_is_chinese(site_dir):
    """Titles, labels and alt texts a reader meets on a Chinese page (header, footer, buttons, plots, 404) are
    Chinese: no English phrase (two or more English words) outside code."""
    bad = []
    pages = [html_of(site_dir, "zh", src) for src in page_sources("zh")] + [site_dir / "zh" / "404.html"]
    for path in pages:
        html = path.read_text(encoding="utf-8")
        html = re.sub(r"<(script|style|code|pre|math)\b.*?</\1>", "", html, flags=re.S)
        values = re.findall(r'(?:title|aria-label|alt|placeholder)="([^"]*)"', html)
        chrome = re.findall(r"<(?:header|footer|nav)\b.*?</(?:header|footer|nav)>", html, flags=re.S)
        values += [re.sub(r"<[^>]+>", " ", c) for c in chrome]
        for v in values:
            for phrase in re.findall(r"\b[A-Za-z][a-z]{2,}(?:[ \-]+[A-Za-z][a-z]{1,})+\b", unescape(v)):
                bad.append(f"{path.relative_to(site_dir)}: {phrase!r}")
    assert not bad, sorted(set(bad))[:30]
