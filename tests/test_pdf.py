"""The print view and the PDF edition of each language (hooks/print_view.py, hooks/pdf.py), as built: the PDF opens,
has a sane number of pages, embeds every font (a CJK one in Chinese), shows no TeX, bookmarks every chapter and
links inside itself; the print view holds every page in navigation order, math rendered, solutions open, links
resolved; every page of the site links to the PDF of its language."""

from __future__ import annotations

import functools
import os
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from .conftest import LANGS, ROOT, page_sources, page_url, site_path

PREFIX = {"en": "", "zh": "zh/"}
CONFIG = {"en": "mkdocs.yml", "zh": "mkdocs.zh.yml"}
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
RAW_TEX = ("\\frac", "\\left", "\\begin{", "$$", "\\mathrm", "\\sigma")


def pdf_path(site: Path, lang: str) -> Path:
    from hooks.pdf import pdf_href

    return site / PREFIX[lang] / pdf_href(lang)


@functools.cache
def _reader(path: Path):
    from pypdf import PdfReader

    return PdfReader(path)


@functools.cache
def _text(path: Path) -> str:
    """The PDF's text, read by PDFium (Chromium's own PDF library; pypdf takes about 25 s for these 300 pages)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def nav(lang: str) -> list[tuple[str, list[str]]]:
    """(section title, [page sources]) of a language's navigation, a top-level page as its own section."""
    out = []
    for item in yaml.safe_load((ROOT / CONFIG[lang]).read_text(encoding="utf-8"))["nav"]:
        ((title, value),) = item.items()
        out.append((title, [value] if isinstance(value, str) else [next(iter(v.values())) for v in value]))
    return out


def heading(site: Path, lang: str, src: str) -> str:
    """The title (h1) of a built page, as text."""
    html = (site / PREFIX[lang] / page_url(src) / "index.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", html[html.find('<article class="md-content__inner') :], re.S)
    assert h1, src
    text = re.sub(r"<a class=.(?:headerlink|anchor-link).*?</a>|<[^>]+>", "", h1.group(1), flags=re.S)
    return " ".join(unescape(text).split())


def outline(lang_pdf: Path) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, str(item.title)))

    walk(_reader(lang_pdf).outline, 0)
    return out


# --- the PDF ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_page_count_is_sane(site_dir, lang):
    pages = len(page_sources(lang))
    n = len(_reader(pdf_path(site_dir, lang)).pages)
    assert pages <= n <= 12 * pages, f"{n} PDF pages for {pages} site pages"


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_embeds_every_font_and_chinese_has_a_cjk_font(site_dir, lang):
    names, missing = set(), set()
    for page in _reader(pdf_path(site_dir, lang)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font") or {}
        for font in fonts.get_object().values():
            font = font.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts") or []] or [font]
            for d in descendants:
                descriptor = d["/FontDescriptor"].get_object() if "/FontDescriptor" in d else {}
                name = str(descriptor.get("/FontName") or font.get("/BaseFont"))
                names.add(name)
                # a Type 3 font's glyphs are drawn by the PDF itself (Chromium writes the CFF-flavoured Noto Sans
                # CJK so); any other font must carry its font file
                if font.get("/Subtype") != "/Type3" and not any(k in descriptor for k in FONT_FILES):
                    missing.add(name)
    assert not missing, f"fonts not embedded: {sorted(missing)}"
    assert any("KaTeX_Main" in n for n in names), sorted(names)  # formulas in KaTeX's own fonts
    cjk = [n for n in names if "NotoSansCJK" in n]
    assert cjk if lang == "zh" else True, f"no CJK font in the Chinese PDF: {sorted(names)}"


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_text_has_no_raw_tex(site_dir, lang):
    text = _text(pdf_path(site_dir, lang))
    assert len(text) > 100_000
    found = {tex: text.count(tex) for tex in RAW_TEX if tex in text}
    assert not found, f"raw TeX in the PDF: {found}"
    if lang == "zh":
        assert "梯度消失" in text and "激活函数" in text


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_outline_lists_every_chapter(site_dir, lang):
    marks = outline(pdf_path(site_dir, lang))
    titles = {title for depth, title in marks if depth == 0}
    wanted = [title for title, pages in nav(lang) if len(pages) > 1]  # sections of the navigation
    wanted += [heading(site_dir, lang, src) for _, pages in nav(lang) for src in pages]  # every page's title
    missing = [t for t in wanted if t not in titles]
    assert not missing, f"not bookmarked: {missing}"
    assert len(marks) > 3 * len(wanted)  # the pages' sections too


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_links_inside_the_document(site_dir, lang):
    reader = _reader(pdf_path(site_dir, lang))
    pages = {page.indirect_reference.idnum for page in reader.pages}
    named = reader.named_destinations  # Chromium names a destination after the id it links to
    internal, nowhere = 0, []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A") or {}
            dest = annot.get("/Dest") or (action.get("/D") if action.get("/S") == "/GoTo" else None)
            if annot.get("/Subtype") != "/Link" or dest is None:
                continue
            internal += 1
            if isinstance(dest, str):  # a name
                target = named[str(dest)].page if str(dest) in named else None
            else:  # an explicit [page, /XYZ, ...]
                target = dest[0]
            if getattr(target, "idnum", None) not in pages:
                nowhere.append(str(dest))
    sections = sum(len(p) for _, p in nav(lang))
    assert internal >= 2 * sections, f"only {internal} internal links"  # the contents alone link every page
    assert not nowhere, f"{len(nowhere)} of {internal} internal links lead nowhere: {nowhere[:5]}"


# --- the print view ---------------------------------------------------------------------------------------------


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.anchors: list[str] = []
        self.svg = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.svg += tag == "svg"
        if a.get("id") and not self.svg:
            self.ids.append(a["id"] or "")
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.anchors.append((a["href"] or "")[1:])

    def handle_endtag(self, tag):
        self.svg -= tag == "svg"


def print_view(site: Path, lang: str) -> str:
    return (site / PREFIX[lang] / "print_page" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
def test_print_view_holds_every_page_in_navigation_order(site_dir, lang):
    html = print_view(site_dir, lang)
    order = re.findall(r'<section class="print-page" id="([^"]+)" heading-number=', html)
    expected = [page_url(src).strip("/").replace("/", "-") or "index" for _, pages in nav(lang) for src in pages]
    assert order == expected
    assert f'<html lang="{lang}"' in html


@pytest.mark.parametrize("lang", LANGS)
def test_print_view_is_finished(site_dir, lang):
    from docsgen.labels import label

    html = print_view(site_dir, lang)
    body = html[html.find('<div id="print-site-page"') :]
    assert not re.search(r"<details\b(?![^>]*\sopen\b)", body), "a folded <details> in the print view"
    assert body.count("<details open") >= 3  # hints, solutions and wrong answers of the exercises
    assert not re.search(r'class="arithmatex"[^>]*>\\[(\[]', body), "TeX left unrendered"
    assert body.count('class="katex"') > 500
    assert body.count("<svg") > 20 and 'class="figure-svg"' in body  # the figures, inline
    assert not re.search(r'<style type="text/css">(?:(?!</style>).){2000}', body, re.S)  # nbconvert's styles
    assert label("print.toc", lang) in body and label("print.title", lang) in html
    assert body.count('<ul class="print-site-toc">') >= 1 and "generate_toc()" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_print_view_links_resolve_inside_it(site_dir, lang):
    parser = _Ids()
    html = print_view(site_dir, lang)
    parser.feed(html[html.find('<div id="print-site-page"') :])
    ids = set(parser.ids)
    broken = sorted({a for a in parser.anchors if a not in ids})
    assert not broken, f"{len(broken)} links lead nowhere in the print view: {broken[:10]}"
    dupes = sorted({i for i in parser.ids if parser.ids.count(i) > 1}) if len(ids) != len(parser.ids) else []
    assert not dupes, f"ids used twice: {dupes[:10]}"
    assert len(parser.anchors) > 200


@pytest.mark.parametrize("lang", LANGS)
def test_print_view_is_not_indexed_for_search_nor_in_the_sitemap(site_dir, lang):
    index = (site_dir / PREFIX[lang] / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "print_page" not in index
    sitemap = site_dir / PREFIX[lang] / "sitemap.xml"
    assert not sitemap.is_file() or "print_page" not in sitemap.read_text(encoding="utf-8")


# --- links to the PDF -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_links_to_the_pdf_of_its_language(site_dir, lang):
    from docsgen.labels import label

    link = re.compile(r'<a href="([^"]+)" download title="([^"]+)" aria-label="([^"]+)"[^>]*data-pdf-edition')
    base = site_dir / PREFIX[lang]
    target = pdf_path(site_dir, lang).resolve()
    assert target.is_file()
    pages = [p for p in base.rglob("*.html") if lang != "en" or not p.is_relative_to(site_dir / "zh")]
    assert len(pages) > len(page_sources(lang))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        links = link.findall(html)
        assert len(links) == 1, page
        href, title, aria = links[0]
        assert aria == title == label("pdf.download", lang), page
        if page.name == "404.html":  # served at any depth: root-relative, like every link of a 404 page
            assert href == site_path() + PREFIX[lang] + target.relative_to(base).as_posix(), (page, href)
        else:
            assert not href.startswith(("/", "http")), (page, href)
            assert (page.parent / href).resolve() == target, (page, href)
        assert "data-print-view" in html, page


@pytest.mark.parametrize("lang", LANGS)
def test_only_the_print_view_loads_the_print_plugins_assets(site_dir, lang):
    """The plugin's stylesheets and script serve the print view; on any other page they would only delay rendering."""
    assets = re.compile(r'href="[./]*css/print-site[^"]*\.css"|src="[./]*js/print-site\.js"')
    assert len(assets.findall(print_view(site_dir, lang))) == 3
    root = site_dir / PREFIX[lang]
    pages = [p for p in root.rglob("*.html") if "print_page" not in p.parts and (lang == "zh" or "zh" not in p.parts)]
    assert len(pages) > 25 and (root / "404.html") in pages
    loading = [str(p.relative_to(site_dir)) for p in pages if assets.search(p.read_text(encoding="utf-8"))]
    assert not loading, f"pages that load the print view's assets: {loading[:5]}"


# --- when the PDFs are printed (hooks/pdf.py, without a browser) ------------------------------------------------


def _hook_config(site: Path, lang: str):
    from types import SimpleNamespace

    view = site / "print_page" / "index.html"
    view.parent.mkdir(parents=True, exist_ok=True)
    view.write_text(f"<html lang='{lang}'><body>print view</body></html>", encoding="utf-8")
    return SimpleNamespace(extra={"site_lang": lang, "repository": "https://example.org/repo"}, site_dir=str(site))


@pytest.fixture
def pdf_hook(tmp_path, monkeypatch):
    from hooks import pdf

    monkeypatch.setattr(pdf, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(pdf, "fix_outline", lambda path, html: 0)
    for var in (pdf.SERVING, pdf.DEFER):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(pdf.ENABLE, "1")
    yield pdf
    pdf._wait_for_prints()
    pdf._COPIES.clear()


def test_pdf_hook_events_run_in_the_order_the_overlap_needs():
    """Print view finished (0) -> its print starts (-10) -> the Chinese build (-20) -> wait for both (-50)."""
    from hooks import i18n, pdf, print_view

    def priority(event) -> int:
        return getattr(event, "mkdocs_priority", 0)

    assert [fn.__name__ for fn in pdf.on_post_build.methods] == ["_start_printing", "_finish_printing"]
    order = [print_view.on_post_build, pdf._start_printing, i18n.on_post_build, pdf._finish_printing]
    assert [priority(e) for e in order] == sorted((priority(e) for e in order), reverse=True)
    assert len({priority(e) for e in order}) == len(order)


def test_english_pdf_prints_while_chinese_builds_and_the_build_waits_for_both(tmp_path, pdf_hook, monkeypatch):
    import threading

    release, started = threading.Event(), {"en": threading.Event(), "zh": threading.Event()}

    def render(site, out, lang, repository):
        started[lang].set()
        assert release.wait(30)
        out.write_bytes(b"%PDF " + lang.encode())

    monkeypatch.setattr(pdf_hook, "render", render)
    site = tmp_path / "site"
    en, zh = _hook_config(site, "en"), _hook_config(site / "zh", "zh")
    en_pdf, zh_pdf = site / pdf_hook.pdf_href("en"), site / "zh" / pdf_hook.pdf_href("zh")
    pdf_hook.on_pre_build(en)
    pdf_hook._start_printing(en)  # returns while the English PDF prints: the Chinese site is built meanwhile
    assert started["en"].wait(30)
    pdf_hook._start_printing(zh)
    assert started["zh"].wait(30)
    pdf_hook._finish_printing(zh)  # the Chinese build inside the English one leaves the waiting to it
    assert not en_pdf.exists() and not zh_pdf.exists()
    release.set()
    pdf_hook._finish_printing(en)
    assert en_pdf.read_bytes() == b"%PDF en" and zh_pdf.read_bytes() == b"%PDF zh"

    # unchanged print view: copied from the cache, nothing printed
    def no_render(site, out, lang, repository):
        raise AssertionError("printed again")

    monkeypatch.setattr(pdf_hook, "render", no_render)
    en_pdf.unlink()
    pdf_hook.on_pre_build(en)
    pdf_hook._start_printing(en)
    pdf_hook._finish_printing(en)
    assert en_pdf.read_bytes() == b"%PDF en"


def test_a_failed_english_print_fails_the_build_at_its_end(tmp_path, pdf_hook, monkeypatch):
    from mkdocs.exceptions import PluginError

    def render(site, out, lang, repository):
        raise PluginError("Chromium crashed")

    monkeypatch.setattr(pdf_hook, "render", render)
    site = tmp_path / "site"
    en = _hook_config(site, "en")
    pdf_hook.on_pre_build(en)
    pdf_hook._start_printing(en)
    with pytest.raises(PluginError, match="Chromium crashed"):
        pdf_hook._finish_printing(en)
    assert not (site / pdf_hook.pdf_href("en")).exists()
    assert not list((tmp_path / "cache").glob("en-*.pdf"))


# --- which builds print it ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "serving", "printed"),
    [(None, False, False), ("0", False, False), ("1", False, True), ("1", True, False)],
)
def test_only_a_build_asked_for_it_prints_the_pdf_and_links_to_it(
    tmp_path, pdf_hook, monkeypatch, value, serving, printed
):
    """GRADIENTS_PDF=1 under `mkdocs build` prints the PDF and links every page to it; otherwise (unset, 0, or under
    `mkdocs serve`) nothing is printed, and the pages get no download button rather than one to a missing file."""
    prints = []
    monkeypatch.setattr(pdf_hook, "render", lambda site, out, lang, repo: prints.append(lang) or out.write_bytes(b"%"))
    if value is None:
        monkeypatch.delenv(pdf_hook.ENABLE)
    else:
        monkeypatch.setenv(pdf_hook.ENABLE, value)
    if serving:
        monkeypatch.setenv(pdf_hook.SERVING, "1")
    site = tmp_path / "site"
    en = _hook_config(site, "en")
    assert pdf_hook.on_config(en).extra["pdf_edition"]["href"] == (pdf_hook.pdf_href("en") if printed else None)
    pdf_hook.on_pre_build(en)
    pdf_hook._start_printing(en)
    pdf_hook._finish_printing(en)
    assert prints == (["en"] if printed else [])
    assert (site / pdf_hook.pdf_href("en")).is_file() == printed
    assert pdf_hook.DEFER not in os.environ


@pytest.mark.parametrize("value", ["yes", "true", ""])
def test_a_bad_pdf_switch_is_one_line_naming_what_is_accepted(pdf_hook, monkeypatch, value):
    from mkdocs.exceptions import PluginError

    monkeypatch.setenv(pdf_hook.ENABLE, value)
    with pytest.raises(PluginError) as info:
        pdf_hook.enabled()
    message = str(info.value)
    assert "\n" not in message and f"GRADIENTS_PDF={value!r}" in message and "1" in message and "0" in message
