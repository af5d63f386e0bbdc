"""No change a reader can see in the math: every derivation's `show --format json` latex and sympy (srepr) equal the
snapshot committed before the second-edition reorganisation (tests/snapshots/derivations.json).

A derivation whose math changes on purpose updates its entry in the same commit, with the reason in the message;
a new derivation adds one (regenerate with ``python -m tests.test_snapshot``).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from derivations import registry
from derivations.cli import main

SNAPSHOT = Path(__file__).parent / "snapshots" / "derivations.json"
EXPECTED: dict[str, dict[str, str]] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))


_ASSUMPTIONS = re.compile(r"(Symbol|Dummy)\('([^']*)'((?:, \w+=(?:True|False))+)\)")


def canonical(srepr: str) -> str:
    """``srepr`` with each symbol's assumptions in alphabetical order: SymPy prints them in the order of the first
    call that created the symbol, which depends on which module was imported first, not on the math."""

    def sort(m: re.Match[str]) -> str:
        kwargs = sorted(m.group(3).split(", ")[1:])
        return f"{m.group(1)}('{m.group(2)}', {', '.join(kwargs)})"

    return _ASSUMPTIONS.sub(sort, srepr)


def shown(name: str) -> dict[str, str]:
    """The latex and sympy fields that ``python -m derivations show NAME --format json`` prints (assumptions of
    symbols in a canonical order)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["show", name, "--format", "json"]) in (0, None)
    data = json.loads(buf.getvalue())
    return {"latex": data["latex"], "sympy": canonical(data["sympy"])}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_math_is_unchanged(name):
    assert name in registry(), f"{name} is in the snapshot but no longer registered"
    expected = EXPECTED[name]
    assert shown(name) == {"latex": expected["latex"], "sympy": canonical(expected["sympy"])}


def test_every_shown_formula_is_valid_tex():
    """What `show` prints is TeX a reader can paste: KaTeX (the site's renderer, strict about unknown commands)
    renders every snapshot formula, including those no page displays whole."""
    from hooks.katex import _KaTeX

    katex = _KaTeX()
    try:
        errors = {name: katex.render(entry["latex"], True)[1] for name, entry in EXPECTED.items()}
    finally:
        katex.close()
    assert not {name: e for name, e in errors.items() if e}


def test_symbol_assumptions_are_compared_in_one_order():
    a = "Symbol('m', positive=True, integer=True)"
    assert canonical(a) == canonical("Symbol('m', integer=True, positive=True)") != canonical(a.replace("m'", "n'"))


def test_every_derivation_is_in_the_snapshot():
    missing = sorted(set(registry()) - set(EXPECTED))
    assert not missing, f"not in {SNAPSHOT.name} (run python -m tests.test_snapshot): {missing}"


if __name__ == "__main__":  # regenerate: adds new derivations, rewrites changed ones
    current = {name: shown(name) for name in registry()}
    SNAPSHOT.write_text(json.dumps(current, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(current)} derivations written to {SNAPSHOT}")
