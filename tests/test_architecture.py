"""The layout the code promises: one home per kind of code and no import cycle, read from the source (function-level
imports included), and a build cache that finds every derivation and figure by reading the code."""

from __future__ import annotations

import ast
import subprocess
import sys

from derivations import registry
from docsgen import deps

from .conftest import ROOT

# Layers, bottom up: a module may import its own layer's modules or lower layers', never a higher layer's.
LAYERS = (
    ("derivations", "derivations.core", "derivations.verify", "derivations.oracles.finite", "derivations.sym"),
    ("derivations.nets",),
    ("derivations.oracles",),
    ("derivations.experiments",),
    ("derivations.<topic>",),
    ("derivations.cli", "derivations.__main__"),
    ("docsgen",),
)


def layer(module: str) -> int:
    """Index in LAYERS of the most specific entry ``module`` belongs to."""
    best, best_len = None, -1.0
    for i, names in enumerate(LAYERS):
        for name in names:
            if name == "derivations.<topic>":
                hit = module.count(".") == 1 and module.startswith("derivations.")
                size = 1.5  # more specific than "derivations", less than any named module
            else:
                hit = module == name or module.startswith(name + ".")
                size = name.count(".") + 1
            if hit and size > best_len:
                best, best_len = i, size
    assert best is not None, module
    return best


def imports(module: str) -> set[str]:
    path = deps.module_path(module)
    assert path is not None
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in out if deps.module_path(m) is not None and m != module}


def test_no_import_cycle_anywhere():
    graph = {m: imports(m) for m in deps.all_modules()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph.get(m, ())):
            if d == "derivations" or d == m.rsplit(".", 1)[0]:
                continue  # a package's __init__ re-exports; importing it is not a cycle of modules
            assert state.get(d) != 1, "import cycle: " + " -> ".join([*path, m, d])
            if d not in state:
                visit(d, [*path, m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


def test_imports_go_down_the_layers():
    bad = []
    for m in deps.all_modules():
        for d in imports(m):
            if d == "derivations" or m == "derivations":
                continue
            if layer(d) > layer(m):
                bad.append(f"{m} imports {d}")
    assert not bad, bad


def test_no_topic_imports_another_topics_private_names():
    bad = []
    for m in deps.all_modules():
        path = deps.module_path(m)
        assert path is not None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("derivations."):
                bad += [f"{m}: from {node.module} import {a.name}" for a in node.names if a.name.startswith("_")]
    assert not bad, bad


def test_the_cache_finds_every_derivation_by_reading_the_source():
    """docsgen/deps.py maps names to modules without importing them: it must see exactly what the registry holds."""
    found = deps.registered("derivation")
    reg = registry()
    assert set(found) == set(reg)
    assert all(found[n] == d.module for n, d in reg.items())


def test_derivations_import_no_presentation_code():
    code = (
        "import sys, derivations; derivations.registry(); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('docsgen', 'matplotlib', 'mkdocs')]; "
        "assert not bad, bad"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
