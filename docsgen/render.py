"""Markdown for derived results: display math, numbers, and the check table, in either language."""

from __future__ import annotations

from typing import Any

from docsgen.labels import label


def display(latex: str) -> str:
    """A display-math block (arithmatex ``$$ ... $$``) on lines of its own."""
    return f"\n$$\n{latex}\n$$\n"


def fmt_number(value: float, digits: int = 6) -> str:
    """``value`` with ``digits`` significant digits (Python's ``g`` format)."""
    return f"{value:.{digits}g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


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
            who = f"{_cell(view['title'][lang])}<br>`{view['name']}`" if i == 0 else ""
            rows.append(f"| {who} | {_cell(oracle)} | {err} | {r['tol']:.0e} | {verdict} |")
    return f"\n{label('checks.caption', lang)}{colon}\n\n" + "\n".join(rows) + "\n"
