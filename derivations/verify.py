"""Run the numerical checks of registered derivations and collect one row per check."""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass

from derivations.core import Derivation


@dataclass(frozen=True)
class Row:
    """Outcome of one check: which derivation, which oracle, the largest error found, and the verdict."""

    name: str
    oracle: str
    error: float | None
    tol: float
    status: str  # "pass", "FAIL" or "skip"
    detail: str = ""


def run_checks(d: Derivation) -> list[Row]:
    """Run every check of ``d``; a check that raises or returns NaN fails, one whose extra is missing is skipped."""
    rows: list[Row] = []
    if not d.checks:
        return [Row(d.name, "(no check registered)", None, 0.0, "FAIL", "every derivation needs a check")]
    for c in d.checks:
        if c.needs and importlib.util.find_spec(c.needs) is None:
            rows.append(Row(d.name, c.oracle, None, c.tol, "skip", f"{c.needs} not installed"))
            continue
        try:
            err = float(c.run())
        except Exception as exc:  # a broken derivation or oracle is a failed check, reported in one line
            rows.append(Row(d.name, c.oracle, None, c.tol, "FAIL", f"{type(exc).__name__}: {exc}"))
            continue
        ok = not math.isnan(err) and err <= c.tol
        rows.append(Row(d.name, c.oracle, err, c.tol, "pass" if ok else "FAIL"))
    return rows


def format_table(rows: list[Row]) -> str:
    """Plain-text table of rows: name, oracle, max error, tolerance, result."""
    head = ("name", "oracle", "max error", "tolerance", "result")
    body = [
        (
            r.name,
            r.oracle,
            "-" if r.error is None else f"{r.error:.3e}",
            f"{r.tol:.0e}",
            r.status + (f" ({r.detail})" if r.detail else ""),
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
