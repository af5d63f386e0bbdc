"""The built site as files: both languages complete, executed outputs present, notebooks rendered, switch links
pointing at the counterpart page, and nothing loaded from a third-party host."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import LANGS, ROOT, page_sources, page_url

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

    html = html_of(site_dir, lang, "activations.md").read_text(encoding="utf-8")
    # math is rendered at build time; KaTeX keeps the TeX source in the MathML annotation
    sources = {
        unescape(t).strip()
        for t in re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', html, re.S)
    }
    for name in ("sigmoid_derivative", "tanh_derivative_max", "hochreiter_weight_bound"):
        assert get(name).result.display_latex().strip() in sources, name
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
        assert "data:image/png;base64" in html, f"{src}: no executed plot"
        assert "Traceback (most recent call last)" not in html
        assert not re.search(r"-output\" data-mime-type=\"application/vnd.jupyter.(stderr|error)", html), src
        assert 'class="md-content__button' in html  # download / edit actions
        # notebook math is rendered at build time, like every other page's, and a TeX error fails the build
        assert 'class="katex"' in html and "$\\displaystyle" not in html, f"{src}: notebook math not rendered"
        # nbconvert's ~575 KB of inline styles become one trimmed stylesheet, shared by pages that need the same rules
        assert not re.search(r'<style type="text/css">.{2000}', html, re.S), f"{src}: large inline stylesheet"
        sheets = re.findall(r'href="(?:\.\./)*(assets/stylesheets/notebook-[0-9a-f]{12}\.css)"', html)
        assert len(sheets) == 1, f"{src}: {sheets}"
        css = (site_dir / PREFIX[lang] / sheets[0]).read_text(encoding="utf-8")
        assert ".jp-OutputArea-output" in css and "--jp-layout-color1" in css and len(css) < 100_000
        download = html_of(site_dir, lang, src).parent / Path(src).name
        assert download.is_file(), f"{src}: notebook not offered for download"


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


def test_katex_is_served_by_the_site(site_dir):
    for lang in LANGS:
        base = site_dir / PREFIX[lang] / "assets" / "katex"
        assert (base / "katex.min.css").is_file()
        assert list((base / "fonts").glob("KaTeX_Main-Regular.woff2"))


@pytest.mark.parametrize("lang", LANGS)
def test_pages_with_math_preload_its_common_fonts_and_others_do_not(site_dir, lang):
    for src in page_sources(lang):
        path = html_of(site_dir, lang, src)
        html = path.read_text(encoding="utf-8")
        preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin>', html)
        if 'class="katex"' not in html:
            assert not preloads, src
            continue
        assert [Path(p).name for p in preloads] == ["KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2"], src
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


def test_chinese_pages_use_the_glossary_terms():
    from tools.glossary import TERMS
    from tools.parity import pages

    for src in pages("zh"):
        text = (ROOT / "docs" / "zh" / src).read_text(encoding="utf-8")
        for term in TERMS:
            for variant in term.avoid:
                assert variant not in text, f"docs/zh/{src}: uses {variant!r}; the glossary term is {term.zh!r}"
