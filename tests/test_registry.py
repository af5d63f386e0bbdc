"""Every registered derivation: has checks in both languages' titles, passes them, and round-trips via srepr."""

from __future__ import annotations

import inspect
from importlib.util import find_spec

import pytest
import sympy as sp
from sympy.functions.elementary.piecewise import ExprCondPair

from derivations import registry

NAMES = list(registry())
NS = {**vars(sp), "ExprCondPair": ExprCondPair}  # srepr of Piecewise needs it


@pytest.mark.parametrize("name", NAMES)
def test_derivation_passes_its_checks(name):
    """Every check passes. The run is the build's (docsgen.cache, keyed on the code the derivation depends on, so it
    is never stale; run here, in parallel, if the build has not run); `python -m derivations verify` runs them anew."""
    from docsgen.cache import check_rows

    d = registry()[name]
    assert d.checks, f"{name} has no numerical check"
    rows = check_rows(name)
    assert len(rows) == len(d.checks)
    failed = [
        f"{r['oracle']}: error {r['error']} > tol {r['tol']} {r['detail']}" for r in rows if r["status"] == "FAIL"
    ]
    assert not failed, failed
    # a check is skipped only where its module is missing: not where a transient import failure was cached
    wrongly_skipped = [
        c.oracle for c, r in zip(d.checks, rows, strict=True) if r["status"] == "skip" and find_spec(c.needs)
    ]
    assert not wrongly_skipped, f"skipped although {[c.needs for c in d.checks]} can be imported: {wrongly_skipped}"


@pytest.mark.parametrize("name", NAMES)
def test_result_is_rebuildable_and_documented(name):
    d = registry()[name]
    r = d.result
    rebuilt = eval(sp.srepr(r.expr), NS)
    assert rebuilt == r.expr
    assert r.display_latex().strip()
    assert d.title.strip() and d.title_zh.strip() and d.title != d.title_zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in d.title_zh), f"{name}: title_zh has no Chinese"
    assert inspect.getdoc(d.func) is None or inspect.getdoc(d.func).strip()


def test_public_functions_have_docstrings():
    import derivations.cli
    import derivations.core
    import derivations.sym
    import derivations.verify
    import docsgen.cache
    import docsgen.deps
    import docsgen.layout
    import docsgen.render

    for mod in (
        derivations.core,
        derivations.verify,
        derivations.sym,
        derivations.cli,
        docsgen.cache,
        docsgen.deps,
        docsgen.layout,
        docsgen.render,
    ):
        for fname, obj in inspect.getmembers(mod, inspect.isfunction):
            if not fname.startswith("_") and obj.__module__ == mod.__name__:
                assert inspect.getdoc(obj), f"{mod.__name__}.{fname} has no docstring"
