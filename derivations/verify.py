"""Run the numerical checks of registered derivations and collect one row per check."""

from __future__ import annotations

import concurrent.futures
import importlib.util
import math
import multiprocessing
import os
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


def _run_names(names: list[str]) -> list[Row]:
    from derivations.core import get

    return [row for name in names for row in run_checks(get(name))]


def _single_threaded() -> None:
    # one worker per core: each with one BLAS/OpenMP/PyTorch thread (read at their import), or they contend
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def run_parallel(names: list[str], workers: int | None = None) -> list[Row]:
    """Run the checks of ``names`` in worker processes, one topic module per task, on ``workers`` cores (default:
    all); rows come back in the order of ``names``. With one module or one worker it runs in this process."""
    from derivations.core import get

    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(get(name).module, []).append(name)
    workers = max(1, min(len(groups), workers or os.cpu_count() or 1))
    if workers == 1:
        return _run_names(names)
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no state shared with this process
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_single_threaded
    ) as pool:
        # biggest groups first, so that the last task to finish is a small one
        order = sorted(groups.values(), key=len, reverse=True)
        by_name = {r_name: [] for r_name in names}
        for rows in pool.map(_run_names, order):
            for r in rows:
                by_name[r.name].append(r)
    return [r for name in names for r in by_name[name]]


_HEAD = {
    "en": ("name", "oracle", "max error", "tolerance", "result"),
    "zh": ("名称", "独立对照", "最大误差", "容差", "结果"),
}
_STATUS = {
    "en": {"pass": "pass", "FAIL": "FAIL", "skip": "skip"},
    "zh": {"pass": "通过", "FAIL": "失败", "skip": "跳过"},
}


def format_table(rows: list[Row], lang: str = "en", oracle_zh: dict[tuple[str, str], str] | None = None) -> str:
    """Plain-text table of rows: name, oracle, max error, tolerance, result; headers and verdicts in ``lang`` (en or
    zh), oracles in Chinese where ``oracle_zh`` maps (name, English oracle) to a description."""
    head = _HEAD[lang]
    body = [
        (
            r.name,
            ((oracle_zh or {}).get((r.name, r.oracle)) if lang == "zh" else None) or r.oracle,
            "-" if r.error is None else f"{r.error:.3e}",
            f"{r.tol:.3g}",
            _STATUS[lang][r.status] + (f" ({r.detail})" if r.detail else ""),
        )
        for r in rows
    ]
    widths = [max(_width(str(row[i])) for row in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Terminal width of ``text``: CJK characters and full-width punctuation take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
