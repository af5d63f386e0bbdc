"""Chinese citation style: a citation is 作者 等（年份） in running text or （作者 等，年份） in brackets, never an
author followed directly by a year ("Cho 等 2014，"), and no full-width bracket inside another ("（…（…）…）"), on
the Chinese pages and in every derivation's Chinese title and oracle description (the Chinese check tables)."""

from __future__ import annotations

import re

import pytest

from derivations.core import registry
from tests.test_glossary import DOCS, pages, prose

# an author (等 or a capitalised surname) followed directly by a year, without 「（」 or 「，」 in between
_BARE_YEAR = re.compile(r"(?:等|(?<![A-Za-z])[A-Z][a-z]+)[ \t]*(?:19|20)\d\d")
_NESTED = re.compile(r"（[^（）\n]*（[^（）\n]*）[^（）\n]*）")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_ANCHOR = re.compile(r"\{#[\w-]+\}")
_BIB_ENTRY = re.compile(r"^- <span id=.*$", re.M)  # references.md entries: "**Cho 等 2014.** K. Cho …"


def page_text(src: str) -> str:
    """Reader-visible prose of a Chinese page, without code, macros, link targets, anchors or bibliography entries."""
    text = _BIB_ENTRY.sub("", prose(DOCS / "zh" / src))
    return _ANCHOR.sub("", _LINK_TARGET.sub("]", text)).replace("[", "").replace("]", "")


def derivation_texts() -> list[tuple[str, str]]:
    out = []
    for name, d in registry().items():
        out.append((f"{name}.title_zh", d.title_zh))
        out += [(f"{name}.oracle_zh[{i}]", c.oracle_zh) for i, c in enumerate(d.checks)]
    return out


def style_problems(text: str) -> list[str]:
    found = [f"author directly followed by a year: {m.group(0)!r}" for m in _BARE_YEAR.finditer(text)]
    return found + [f"bracket inside a bracket: {m.group(0)!r}" for m in _NESTED.finditer(text)]


SOURCES = [(f"docs/zh/{src}", page_text(src)) for src in pages("zh")] + derivation_texts()


@pytest.mark.parametrize(("where", "text"), SOURCES, ids=[w for w, _ in SOURCES])
def test_chinese_citations_and_brackets(where, text):
    found = style_problems(text)
    assert not found, f"{where}: " + "; ".join(found)


def test_the_checker_catches_old_citations_and_nested_brackets():
    assert style_problems("GRU（Cho 等 2014，重置门作用在乘积之前）")
    assert style_problems("（Hochreiter 和 Schmidhuber 1997）")
    assert style_problems("单位矩阵初始化（IRNN，Le 等（2015））")
    for ok in (
        "GRU（Cho 等，2014；重置门作用在乘积之前）",
        "Chung 等（2014）的 z⊙h̃（更新门乘候选状态）",
        "（Hochreiter 和 Schmidhuber，1997）",
        "ICML 2013 (arXiv:1211.5063)",
    ):
        assert not style_problems(ok), ok
