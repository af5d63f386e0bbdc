""" "Cite this page": a BibTeX entry and a plain-text citation of one page, in its language (docsgen/editions.py
gives the edition). English plain text follows APA (7th ed.) for a page of a website; Chinese follows
GB/T 7714—2015 for an electronic resource ([EB/OL]) that is part of a larger work (``//`` then the host work).
Nothing here depends on the day of the build: the date cited is the edition's.
"""

from __future__ import annotations

import re
from datetime import date

from docsgen import editions
from docsgen.labels import label

_MONTHS = "January February March April May June July August September October November December".split()
_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def edition_label(number: int, lang: str) -> str:
    """'Edition 3 (2026-11-30)' / '第 3 版（2026-11-30）'."""
    return label("cite.edition", lang).format(n=number, date=editions.date_of(number))


def bibtex_escape(text: str) -> str:
    """``text`` for a BibTeX field: TeX's special characters escaped (a literal backslash or brace is refused)."""
    if any(c in text for c in "\\{}"):
        raise ValueError(f"cannot cite a title holding a backslash or brace: {text!r}")
    return _BIBTEX_SPECIAL.sub(r"\\\1", text).replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def key(lang: str, src_uri: str) -> str:
    """A BibTeX key stable across builds and unique per page and language: gradref-en-bptt, gradref-zh-labs-bptt."""
    stem = src_uri.rsplit(".", 1)[0]
    return "gradref-" + lang + "-" + re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()


def citation(*, lang: str, src_uri: str, title: str | None, site: str, url: str) -> dict[str, str]:
    """The citation of the page ``src_uri`` (``title`` None for the home page, which is cited as the site itself):
    ``{"key", "bibtex", "text", "edition"}``."""
    number, when = editions.latest()
    day = date.fromisoformat(when)
    authors = label("cite.authors", lang)
    ed = edition_label(number, lang)
    fields = [("author", "{" + bibtex_escape(authors) + "}")]
    if title is None:
        fields.append(("title", "{" + bibtex_escape(site) + "}"))
    else:
        fields += [("title", "{" + bibtex_escape(title) + "}"), ("howpublished", bibtex_escape(site))]
    fields += [
        ("year", str(day.year)),
        ("date", when),
        ("edition", str(number)),
        ("note", bibtex_escape(ed)),
        ("url", url),
        ("langid", {"en": "english", "zh": "chinese"}[lang]),
    ]
    width = max(len(k) for k, _ in fields)
    k = key(lang, src_uri)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    bib = f"@misc{{{k},\n{body}\n}}"
    if lang == "zh":  # GB/T 7714—2015: 主要责任者. 题名[EB/OL]//整体题名. 版本项. (更新日期). 获取和访问路径.
        whole = f"{site}. {number}版"
        head = f"{authors}. {site}[EB/OL]. {number}版" if title is None else f"{authors}. {title}[EB/OL]//{whole}"
        text = f"{head}. ({when}). {url}."
    else:  # APA 7th, a page of a website: Author. (Year, Month Day). Title. In Site (nth ed.). URL
        stamp = f"({day.year}, {_MONTHS[day.month - 1]} {day.day})"
        work = f"{site} ({ordinal(number)} ed.)"
        cited = work if title is None else f"{title}. In {work}"
        text = f"{authors}. {stamp}. {cited}. {url}"
    return {"key": k, "bibtex": bib, "text": text, "edition": ed}
