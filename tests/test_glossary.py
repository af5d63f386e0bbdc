"""The Chinese text keeps to the glossary (docsgen/glossary.py): no avoided variant anywhere in the Chinese pages,
notebooks or interface labels, and the preferred term on every Chinese page whose English twin uses the concept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from docsgen.glossary import TERMS, table
from docsgen.labels import LABELS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
_FENCE = re.compile(r"^(`{3,}).*?^\1\s*$", re.S | re.M)
_CODE = re.compile(r"`[^`\n]*`")
_MACRO = re.compile(r"\{\{.*?\}\}", re.S)
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)


def prose(path: Path) -> str:
    """The reader-visible prose of a page or notebook: front matter description kept, code and macro calls removed."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(raw)["cells"]
        raw = "\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells
            if c["cell_type"] == "markdown"
        )
    return _CODE.sub(" ", _MACRO.sub(" ", _FENCE.sub(" ", raw))).replace("**", "")


def pages(lang: str) -> list[str]:
    base = DOCS / lang
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.suffix in {".md", ".ipynb"})


def without_preferred(text: str) -> str:
    """``text`` with every preferred term removed, so that a variant inside a preferred term is not reported."""
    for t in sorted(TERMS, key=lambda t: -len(t.zh)):
        text = text.replace(t.zh, " ")
        text = text.replace(t.zh.split("（")[0], " ")
    return text


def variants_in(text: str) -> list[str]:
    rest = without_preferred(text)
    return [f"{v!r} (use {t.zh!r})" for t in TERMS for v in t.avoid if v in rest]


def chinese_sources() -> list[tuple[str, str]]:
    out = [(f"docs/zh/{src}", prose(DOCS / "zh" / src)) for src in pages("zh")]
    out += [(f"docsgen/labels.py[{key}]", entry["zh"]) for key, entry in LABELS.items()]
    return out


@pytest.mark.parametrize(
    ("where", "text"), chinese_sources(), ids=lambda v: v if v.startswith(("docs", "docsgen")) else ""
)
def test_no_avoided_variant(where, text):
    found = variants_in(text)
    assert not found, f"{where}: uses " + "; ".join(found)


# the bibliography quotes English titles; the glossary page holds only the table
TWINS = [s for s in pages("en") if (DOCS / "zh" / s).is_file() and s not in {"references.md", "glossary.md"}]


@pytest.mark.parametrize("src", TWINS)
def test_preferred_term_where_the_english_uses_the_concept(src):
    en = prose(DOCS / "en" / src).lower()
    zh = prose(DOCS / "zh" / src)
    missing = [
        f"{t.en!r} -> {t.required()!r}" for t in TERMS if any(m in en for m in t.en_markers) and t.required() not in zh
    ]
    assert not missing, f"docs/zh/{src} lacks the glossary term for: " + "; ".join(missing)


def test_every_variant_is_named_once_and_differs_from_every_preferred_term():
    seen: dict[str, str] = {}
    preferred = {t.zh for t in TERMS}
    for t in TERMS:
        assert t.zh and t.en
        for v in t.avoid:
            assert v not in preferred and v not in seen, f"{v!r} ({t.en}) is also {seen.get(v, 'a preferred term')}"
            seen[v] = t.en


def test_the_checker_catches_a_variant_and_spares_a_preferred_term():
    assert variants_in("用批归一化和常数误差传送带，以及梯度截断")
    assert not variants_in("批量归一化、恒定误差传送带、梯度裁剪、次可乘性、自动微分、预激活值")
    assert variants_in("预激活为负") and not variants_in("预激活值为负")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_table_lists_every_term_and_its_variants(lang):
    out = table(lang)
    for t in TERMS:
        assert f"| {t.zh} |" in out
        for v in t.avoid:
            assert v in out


def test_search_dictionary_keeps_terms_and_variants_whole():
    from docsgen.glossary import search_words

    words = search_words()
    for w in ("雅可比矩阵", "奇异值", "谱半径", "随时间反向传播", "雅可比", "雅克比", "梯度弥散"):
        assert w in words, w
    assert len(words) == len(set(words)) and all(any("\u4e00" <= c <= "\u9fff" for c in w) for w in words)
