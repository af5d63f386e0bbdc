"""Citable pages (issue 15, item 4), on the built site: every page of both languages carries "cite this page" with its
own canonical URL, title and the latest edition in valid BibTeX; the changelog lists the same editions and
corrections in both languages, each correction linking to a section that exists; numbered display formulas run
1..n on each page, are rendered by KaTeX (no raw \\tag), are referred to, and carry the same numbers in both
languages."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from docsgen import editions
from docsgen.cite import bibtex_escape, citation, edition_label, key

from .conftest import LANGS, ROOT, page_sources, page_url
from .test_site import html_of

SITE_URL = yaml.safe_load((ROOT / "mkdocs.base.yml").read_text(encoding="utf-8"))["site_url"]
PREFIX = {"en": "", "zh": "zh/"}
REQUIRED = ("author", "title", "year", "edition", "note", "url")


class _Page(HTMLParser):
    """What these tests read from a built page: its <title>, ids, links, the citation blocks and, per numbered
    display formula, the text of its KaTeX tags, and any TeX left outside KaTeX's annotations."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.ids: list[str] = []
        self.links: list[str] = []
        self.cite: dict[str, str] = {}
        self.cite_key = ""
        self.equations: list[tuple[str, list[str]]] = []  # (id, texts of its tags)
        self.visible_tex: list[str] = []
        self._stack: list[tuple[str, set[str]]] = []
        self._in: str | None = None  # "title", "cite:<kind>", "tag", "annotation"
        self._buf: list[str] = []
        self._tag_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "title":
            self._in, self._buf = "title", []
        if tag == "code" and a.get("data-cite"):
            self._in, self._buf = f"cite:{a['data-cite']}", []
            self.cite_key = a.get("data-cite-key", self.cite_key)
        if tag == "div" and "arithmatex" in classes and a.get("id", "").startswith("eq-"):
            self.equations.append((a["id"], []))
        if tag == "annotation":
            self._in = "annotation"
        if tag == "span" and classes & {"tag", "katex-tag"} and self._in is None:
            self._in, self._buf, self._tag_depth = "tag", [], 0
        if self._in == "tag" and tag == "span":
            self._tag_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._in == "title" and tag == "title":
            self.title, self._in = "".join(self._buf).strip(), None
        elif self._in and self._in.startswith("cite:") and tag == "code":
            self.cite[self._in[5:]], self._in = "".join(self._buf), None
        elif self._in == "annotation" and tag == "annotation":
            self._in = None
        elif self._in == "tag" and tag == "span":
            self._tag_depth -= 1
            if self._tag_depth == 0:
                if self.equations:
                    self.equations[-1][1].append("".join(self._buf))
                self._in = None

    def handle_data(self, data: str) -> None:
        if self._in in ("title", "tag") or (self._in or "").startswith("cite:"):
            self._buf.append(data)
        elif self._in != "annotation" and "\\tag" in data:
            self.visible_tex.append(data.strip()[:80])


def read(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def bibtex_fields(entry: str) -> tuple[str, str, dict[str, str]]:
    """(type, key, fields) of one BibTeX entry whose field values are brace-delimited; AssertionError if the braces
    do not balance or the entry is not of that form."""
    depth = 0
    for ch in entry:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, f"a closing brace with no opening one in {entry!r}"
    assert depth == 0, f"unbalanced braces in {entry!r}"
    m = re.fullmatch(r"@(\w+)\{([^,\s{}]+),\n(.*)\n\}", entry.strip(), re.S)
    assert m, f"not a BibTeX entry: {entry!r}"
    fields: dict[str, str] = {}
    body = m.group(3)
    for fm in re.finditer(r"^\s*(\w+)\s*=\s*\{", body, re.M):
        start, depth = fm.end(), 1
        i = start
        while depth:
            depth += {"{": 1, "}": -1}.get(body[i], 0)
            i += 1
        assert fm.group(1) not in fields, f"field {fm.group(1)} twice"
        fields[fm.group(1)] = body[start : i - 1]
    return m.group(1), m.group(2), fields


def expected_title(page: _Page, lang: str, src: str) -> str:
    """The page's title as the browser tab shows it: '<page> - <site>' (the home page: the site's name)."""
    return page.title.rsplit(" - ", 1)[0] if src != "index.md" else page.title


# --- cite this page -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_cites_itself_with_its_url_title_and_the_latest_edition(site_dir, lang):
    number, when = editions.latest()
    keys = set()
    for src in page_sources(lang):
        page = read(html_of(site_dir, lang, src))
        assert set(page.cite) == {"bibtex", "text"}, f"{lang}/{src}: no 'cite this page' block"
        kind, k, fields = bibtex_fields(page.cite["bibtex"])
        assert kind == "misc" and all(fields.get(f) for f in REQUIRED), (src, kind, sorted(fields))
        url = SITE_URL + PREFIX[lang] + page_url(src)
        assert fields["url"] == url, (src, fields["url"], url)
        assert url in page.cite["text"], src
        title = unescape(expected_title(page, lang, src))
        assert fields["title"] == "{" + bibtex_escape(title) + "}", (src, fields["title"], title)
        assert title in page.cite["text"], (src, title)
        assert fields["edition"] == str(number) and fields["year"] == when[:4] and fields["date"] == when, src
        assert edition_label(number, lang) in fields["note"].replace("\\", ""), src
        assert k == page.cite_key == key(lang, src) and k not in keys, (src, k)
        keys.add(k)
    assert len(keys) == len(page_sources(lang))


def test_the_citation_formats():
    en = citation(lang="en", src_uri="labs/bptt.ipynb", title="Lab: BPTT & 50% of T_1", site="S", url="https://x/y/")
    assert en["key"] == "gradref-en-labs-bptt"
    assert r"title        = {{Lab: BPTT \& 50\% of T\_1}}" in en["bibtex"]
    assert en["text"].startswith("The Gradients Reference contributors. (2026, ") and en["text"].endswith(
        " https://x/y/"
    )
    zh = citation(
        lang="zh",
        src_uri="bptt.md",
        title="随时间反向传播（BPTT）",
        site="梯度消失与梯度爆炸",
        url="https://x/zh/bptt/",
    )
    number, when = editions.latest()
    assert zh["text"] == (
        f"梯度消失与梯度爆炸项目贡献者. 随时间反向传播（BPTT）[EB/OL]//梯度消失与梯度爆炸. {number}版. ({when}). "
        "https://x/zh/bptt/."
    )
    with pytest.raises(AssertionError):
        bibtex_fields(en["bibtex"].replace("{{", "{", 1))  # an unbalanced entry is caught


# --- changelog ------------------------------------------------------------------------------------------------------


def _changelog(site_dir: Path, lang: str) -> tuple[list[str], dict[str, tuple[str, list[str]]]]:
    """(edition ids, correction id -> (date, links of its entry)) of the built changelog in ``lang``."""
    html = html_of(site_dir, lang, "changelog.md").read_text(encoding="utf-8")
    eds = re.findall(r'<h3 id="(edition-\d+)"', html)
    fixes = {}
    parts = re.split(r'(<h[23] id="[^"]+">)', html)
    for head, body in zip(parts[1::2], parts[2::2], strict=True):
        m = re.match(r'<h3 id="(fix-[^"]+)">', head)
        if m:
            date = re.match(r"\s*(\d{4}-\d\d-\d\d) · ", unescape(re.sub(r"<[^>]+>", "", body)))
            assert date, f"{lang}: correction {m.group(1)} has no date at the start of its heading"
            fixes[m.group(1)] = (date.group(1), re.findall(r'<a href="([^"]+)"', body))
    return eds, fixes


def test_the_changelog_lists_the_same_editions_and_corrections_in_both_languages(site_dir):
    (eds_en, fixes_en), (eds_zh, fixes_zh) = (_changelog(site_dir, lang) for lang in LANGS)
    assert eds_en == eds_zh == [f"edition-{n}" for n, _ in sorted(editions.EDITIONS, reverse=True)]
    assert fixes_en and list(fixes_en) == list(fixes_zh)
    assert {k: v[0] for k, v in fixes_en.items()} == {k: v[0] for k, v in fixes_zh.items()}
    dates = [v[0] for v in fixes_en.values()]
    assert dates == sorted(dates, reverse=True), "corrections are listed newest first"
    assert dates[0] <= editions.latest()[1] and dates[-1] >= editions.EDITIONS[0][1]


@pytest.mark.parametrize("lang", LANGS)
def test_every_correction_links_to_an_existing_section_and_its_commit(site_dir, lang):
    page_dir = html_of(site_dir, lang, "changelog.md").parent
    for fix, (_, links) in _changelog(site_dir, lang)[1].items():
        sections = [h for h in links if not urlsplit(h).scheme and urlsplit(h).fragment and "references" not in h]
        assert sections, f"{lang}: {fix} links to no section of a page"
        for href in sections:
            parts = urlsplit(href)
            target = (page_dir / unquote(parts.path)).resolve() / "index.html"
            assert target.is_file(), (fix, href)
            assert parts.fragment in read(target).ids, (fix, href)
        commits = [
            h for h in links if h.startswith("https://github.com/gradients-reference/gradients-reference/commit/")
        ]
        assert commits, f"{lang}: {fix} links to no commit"


def test_the_edition_lives_in_one_place(site_dir):
    """The changelog's latest edition heading and every citation read docsgen/editions.py."""
    for lang in LANGS:
        html = html_of(site_dir, lang, "changelog.md").read_text(encoding="utf-8")
        number, _ = editions.latest()
        head = re.search(rf'<h3 id="edition-{number}">(.*?)<', html)
        assert head and unescape(head.group(1)).strip() == edition_label(number, lang)
    src = (ROOT / "docs" / "en" / "changelog.md").read_text(encoding="utf-8")
    assert not re.search(r"^#+ .*\d{4}-\d\d-\d\d.*\{#edition", src, re.M), "edition dates typed into the page"


# --- numbered equations ---------------------------------------------------------------------------------------------


def numbered(site_dir: Path, lang: str) -> dict[str, list[tuple[str, str]]]:
    """Page -> [(anchor, number)] of its numbered display formulas, with the checks every page must pass."""
    out = {}
    for src in page_sources(lang):
        page = read(html_of(site_dir, lang, src))
        assert not page.visible_tex, f"{lang}/{src}: raw TeX left in the page: {page.visible_tex[:3]}"
        eqs = []
        for i, (anchor, tags) in enumerate(page.equations, 1):
            assert tags and set(tags) == {f"({i})"}, f"{lang}/{src}: {anchor} is tagged {tags}, expected ({i})"
            eqs.append((anchor, str(i)))
        refs = {h[1:] for h in page.links if h.startswith("#eq-")}
        assert refs <= set(page.ids), f"{lang}/{src}: references to missing formulas {sorted(refs - set(page.ids))}"
        unreferenced = {a for a, _ in eqs} - refs
        assert not unreferenced, f"{lang}/{src}: numbered but never referred to: {sorted(unreferenced)}"
        if eqs:
            out[src] = eqs
    return out


def test_numbered_equations_run_in_order_are_referred_to_and_match_across_languages(site_dir):
    en, zh = numbered(site_dir, "en"), numbered(site_dir, "zh")
    assert en, "no page numbers an equation"
    assert en == zh


def test_an_equation_reference_shows_its_number(site_dir):
    for lang, word in (("en", ""), ("zh", "式 ")):
        html = html_of(site_dir, lang, "clipping.md").read_text(encoding="utf-8")
        assert f'<a href="#eq-clip-scale">{word}(1)</a>' in html, lang
