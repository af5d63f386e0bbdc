"""Markdown for derived results: display math, numbers, and the check table, in either language."""

from __future__ import annotations

import re
from typing import Any

from docsgen.labels import TEX_TEXT_ZH, label
from docsgen.layout import break_lines

# Widest line of a display formula, in em as docsgen.layout estimates them (it underestimates KaTeX's real widths by
# ~10 %): the column of a laptop (688 px at KaTeX's 1.21 em) holds ~35 em, a 390 px phone's (358 px; display math at
# 1.05 em there, extra.css) ~21 em. A formula laid out for DISPLAY_BUDGET that a PHONE_BUDGET layout would break
# differently gets both layouts; the page shows one of them per screen (PHONE_MARK, hooks/katex.py, extra.css).
DISPLAY_BUDGET = 22.0
PHONE_BUDGET = 16.0
PHONE_MARK = "%phone-layout"  # a TeX comment line: ignored by any TeX reader that sees it unsplit
ANCHOR_MARK = "%anchor:"  # first line of a numbered display: the id hooks/katex.py gives its block
TAG_WIDTH = 3.0  # em a "(12)" tag and its gap take from the line of a numbered formula


_TEXT = re.compile(r"\\text\{([^{}]*)\}")


def localise_tex(latex: str, lang: str) -> str:
    """``latex`` with the words of its ``\\text{…}`` in ``lang`` (labels.TEX_TEXT_ZH for Chinese; spacing kept)."""
    if lang != "zh":
        return latex

    def swap(m: re.Match[str]) -> str:
        inner = m.group(1)
        word = inner.strip()
        if word not in TEX_TEXT_ZH:
            return m.group(0)
        zh = TEX_TEXT_ZH[word]
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
        return rf"\text{{{lead}{zh}{'' if zh.endswith(('：', '）')) else trail}}}"

    return _TEXT.sub(swap, latex)


def display(latex: str, number: int | None = None, anchor: str | None = None) -> str:
    """A display-math block (arithmatex ``$$ ... $$``) on lines of its own, broken into aligned lines where it is
    wider than the column (docsgen/layout.py); followed, after a ``PHONE_MARK`` line, by a narrower layout for phones
    where that one differs. A ``number`` is set as ``\\tag{number}`` in every layout (which is then laid out for a
    column narrower by the tag), and an ``anchor`` becomes the id of the block (an ``ANCHOR_MARK`` line first)."""
    room = TAG_WIDTH if number is not None else 0.0
    wide, narrow = break_lines(latex, DISPLAY_BUDGET - room), break_lines(latex, PHONE_BUDGET - room)
    tag = "" if number is None else f" \\tag{{{number}}}"
    body = f"{wide}{tag}" if narrow == wide else f"{wide}{tag}\n{PHONE_MARK}\n{narrow}{tag}"
    if anchor is not None:
        body = f"{ANCHOR_MARK}{anchor}\n{body}"
    return f"\n$$\n{body}\n$$\n"


def fmt_number(value: float, digits: int = 6) -> str:
    """``value`` with ``digits`` significant digits (Python's ``g`` format)."""
    return f"{value:.{digits}g}"


def cell(text: str) -> str:
    """Text for a Markdown table cell: ``|`` would end the cell; outside `code spans`, ``_``/``*`` would start
    emphasis, ``\\`` would escape and a trailing ``{…}`` would be taken for attributes; inside them everything is
    shown as written (only ``|`` needs escaping)."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # outside code spans
        parts[i] = parts[i].replace("\\", "\\\\").replace("_", "\\_").replace("*", "\\*")
        parts[i] = parts[i].replace("{", "&#123;")  # a cell ending in {…} would be read as attr_list attributes
    return "`".join(parts).replace("|", "\\|")


def checks_table(entries: list[tuple[dict[str, Any], list[dict[str, Any]]]], lang: str) -> str:
    """Markdown table of check rows, one per check: derivation (title and name, on its first row), oracle, max error,
    tolerance, verdict; labels and oracle descriptions in ``lang``."""
    colon = "：" if lang == "zh" else ":"
    head = [label(f"checks.{k}", lang) for k in ("derivation", "oracle", "error", "tol", "result")]
    rows = ["| " + " | ".join(head) + " |", "|---|---|---|---|---|"]
    for view, checks in entries:
        for i, r in enumerate(checks):
            oracle = (r["oracle_zh"] or r["oracle"]) if lang == "zh" else r["oracle"]
            err = "–" if r["error"] is None else f"{r['error']:.2e}"
            cls = "verdict-pass" if r["status"] == "pass" else "verdict-fail"
            verdict = f'<span class="{cls}">{label("checks." + r["status"], lang)}</span>'
            who = f"{cell(view['title'][lang])}<br>`{view['name']}`" if i == 0 else ""
            rows.append(f"| {who} | {cell(oracle)} | {err} | {r['tol']:.3g} | {verdict} |")
    return f"\n{label('checks.caption', lang)}{colon}\n\n" + "\n".join(rows) + "\n"
