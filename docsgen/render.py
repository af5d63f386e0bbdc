"""Markdown for derived results: display math, numbers, and the check table, in either language."""

from __future__ import annotations

import re
from typing import Any

from docsgen.labels import TEX_TEXT_ZH, label
from docsgen.layout import break_lines

# Widest line of a display formula, in em of KaTeX's display font: ~21 em fit a 390 px phone (display math is set at
# 1.05 em there, extra.css), ~35 em the 688 px column of a laptop; one layout serves both.
DISPLAY_BUDGET = 22.0


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


def display(latex: str) -> str:
    """A display-math block (arithmatex ``$$ ... $$``) on lines of its own, broken into aligned lines where it is
    wider than the column (docsgen/layout.py)."""
    return f"\n$$\n{break_lines(latex, DISPLAY_BUDGET)}\n$$\n"


def fmt_number(value: float, digits: int = 6) -> str:
    """``value`` with ``digits`` significant digits (Python's ``g`` format)."""
    return f"{value:.{digits}g}"


def cell(text: str) -> str:
    """Text for a Markdown table cell: ``|`` would end the cell; outside `code spans`, ``_``/``*`` would start
    emphasis and ``\\`` would escape; inside them everything is shown as written (only ``|`` needs escaping)."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # outside code spans
        parts[i] = parts[i].replace("\\", "\\\\").replace("_", "\\_").replace("*", "\\*")
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
            rows.append(f"| {who} | {cell(oracle)} | {err} | {r['tol']:.0e} | {verdict} |")
    return f"\n{label('checks.caption', lang)}{colon}\n\n" + "\n".join(rows) + "\n"
