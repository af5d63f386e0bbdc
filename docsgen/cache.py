"""On-disk cache of what pages show: each derivation's displayed values, each derivation's check run, each figure in
each language. An entry is keyed by ``deps.source_hash`` of the code it depends on (and of the pinned requirements,
and for check runs of the installed PyTorch), so a prose edit recomputes nothing, an edit of one topic module
recomputes only what imports it, and no entry made by other code is ever read.

Missing entries are computed in fresh worker processes (``spawn``: they import the code as it is on disk now, even
under ``mkdocs serve``), one task per module, on every core; the build process itself never imports SymPy.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import importlib.metadata
import importlib.util
import json
import logging
import math
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from docsgen import deps

CACHE_DIR = deps.ROOT / ".cache" / "derived"
LANGS = ("en", "zh")
log = logging.getLogger("mkdocs.docsgen.cache")
FORMAT = "1"  # bump when the layout of an entry changes


def _torch_tag() -> str:
    if importlib.util.find_spec("torch") is None:
        return "torch:none"
    return "torch:" + importlib.metadata.version("torch")


def _key(kind: str, name: str, module: str, root: Path) -> Path:
    extra = (FORMAT, kind, _torch_tag()) if kind == "checks" else (FORMAT, kind)
    return root / ".cache" / "derived" / kind / f"{name}.{deps.source_hash(module, *extra, root=root)}.json"


# Keys computed by ensure() for the build in progress (the code does not change during one build; the macros
# module, which imports this one afresh for every build, starts each build with an empty memo).
_KEYS: dict[Path, dict[tuple[str, str], Path]] = {}


def _write(path: Path, data: Any) -> None:
    """Write JSON atomically, and drop the entries of the same name made by other code."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(path.name.split(".")[0] + ".*.json"):
        if old != path:
            old.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    os.replace(tmp, path)


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- what a worker computes ----------------------------------------------------------------------------------
def _float(value: Any) -> float | None:
    import sympy as sp

    if isinstance(value, sp.Expr) and value.is_number:
        try:
            v = complex(sp.N(value, 30))
        except (TypeError, ValueError):
            return None
        return v.real if v.imag == 0 and math.isfinite(v.real) else None
    return None


def view_of(name: str) -> dict[str, Any]:
    """What pages can show of a derivation: titles, displayed LaTeX, each part's LaTeX and value, its text values."""
    import sympy as sp

    from derivations.core import get

    d = get(name)
    r = d.result
    return {
        "name": name,
        "title": {"en": d.title, "zh": d.title_zh},
        "latex": r.display_latex(),
        "parts": {k: {"latex": sp.latex(v), "value": _float(v)} for k, v in r.parts.items()},
        "text": dict(r.text),
    }


def rows_of(name: str) -> list[dict[str, Any]]:
    """The check run of a derivation, one dict per check (``derivations.verify.Row`` fields)."""
    from derivations.core import get
    from derivations.verify import run_checks

    oracle_zh = {c.oracle: c.oracle_zh for c in get(name).checks}
    return [
        {
            "oracle": r.oracle,
            "oracle_zh": oracle_zh.get(r.oracle, ""),
            "error": None if r.error is None or math.isnan(r.error) else r.error,
            "tol": r.tol,
            "status": r.status,
            "detail": r.detail,
        }
        for r in run_checks(get(name))
    ]


def single_threaded() -> None:
    """Worker initializer: one thread per process for OpenMP, OpenBLAS, MKL and PyTorch (read when they are first
    imported), because the build runs one worker per core; several threads each would only contend."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def _use_checkout(root: str) -> None:
    """In a worker: import the packages of the checkout at ``root`` (the one whose files the keys were made from)."""
    import sys

    if sys.path[0] != root:
        sys.path.insert(0, root)


def _compute_derivations(module: str, names: list[str], root: str) -> None:
    _use_checkout(root)
    for name in names:
        _write(_key("view", name, module, Path(root)), view_of(name))
        _write(_key("checks", name, module, Path(root)), rows_of(name))


def _compute_figures(module: str, ids: list[str], root: str) -> None:
    _use_checkout(root)
    from docsgen import figures

    importlib.import_module(module)
    for fig_id in ids:
        for lang in LANGS:
            _write(_key(f"figure-{lang}", fig_id, module, Path(root)), {"svg": figures.render(fig_id, lang)})


# --- the build side --------------------------------------------------------------------------------------------
def _keys(root: Path) -> dict[tuple[str, str], Path]:
    """The cache file of every entry the current code needs: (kind, derivation or figure) -> path."""
    keys: dict[tuple[str, str], Path] = {}
    with deps.frozen(root):
        for name, module in deps.registered("derivation", root).items():
            for kind in ("view", "checks"):
                keys[kind, name] = _key(kind, name, module, root)
        for fig_id, module in deps.registered("figure", root).items():
            for lang in LANGS:
                keys[f"figure-{lang}", fig_id] = _key(f"figure-{lang}", fig_id, module, root)
    return keys


def _missing(root: Path, keys: dict[tuple[str, str], Path]) -> list[tuple[str, str, list[str]]]:
    tasks: dict[tuple[str, str], list[str]] = {}
    for name, module in deps.registered("derivation", root).items():
        if not (keys["view", name].is_file() and keys["checks", name].is_file()):
            tasks.setdefault(("derivations", module), []).append(name)
    for fig_id, module in deps.registered("figure", root).items():
        if not all(keys[f"figure-{lang}", fig_id].is_file() for lang in LANGS):
            tasks.setdefault(("figures", module), []).append(fig_id)
    # biggest modules first, so that the last task to finish is a small one
    order = sorted(tasks, key=lambda t: -(deps.module_path(t[1], root) or Path()).stat().st_size)
    return [(kind, module, tasks[kind, module]) for kind, module in order]


def ensure(root: Path = deps.ROOT, workers: int | None = None) -> list[str]:
    """Compute every missing entry in worker processes; returns the modules recomputed (empty when all is cached)."""
    _KEYS.pop(root, None)
    keys = _keys(root)
    tasks = _missing(root, keys)
    _KEYS[root] = keys
    if not tasks:
        return []
    workers = max(1, min(len(tasks), workers or os.cpu_count() or 1))
    start = time.monotonic()
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=single_threaded
    ) as pool:
        futures = {
            pool.submit(
                _compute_derivations if kind == "derivations" else _compute_figures, module, names, str(root)
            ): (module)
            for kind, module, names in tasks
        }
        for f in concurrent.futures.as_completed(futures):
            try:
                f.result()
            except Exception as exc:  # not an ImportError: mkdocs-macros would report that as "module not found"
                raise RuntimeError(f"computing {futures[f]} failed: {type(exc).__name__}: {exc}") from exc
    log.debug(f"{len(tasks)} modules derived, checked or drawn in {time.monotonic() - start:.1f} s")
    return [module for _, module, _ in tasks]


_PENDING: dict[Path, concurrent.futures.Future] = {}


def start(root: Path = deps.ROOT) -> None:
    """Run ``ensure`` in the background, so that the build can do other work meanwhile (execute notebooks); every
    read below waits for it first. Its errors surface at the first read, as the build's error."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="docsgen-cache")
    _PENDING[root] = pool.submit(ensure, root)
    pool.shutdown(wait=False)


def _wait(root: Path) -> None:
    future = _PENDING.pop(root, None)
    if future is not None:
        future.result()


def _path(kind: str, name: str, decorator: str, root: Path) -> Path:
    _wait(root)
    memo = _KEYS.get(root)
    if memo is not None and (kind, name) in memo:
        return memo[kind, name]
    return _key(kind, name, deps.registered(decorator, root)[name], root)


def view(name: str, root: Path = deps.ROOT) -> dict[str, Any]:
    """The cached view of derivation ``name`` (computed first if missing); KeyError if no such derivation."""
    path = _path("view", name, "derivation", root)
    if not path.is_file():
        ensure(root)
    return _read(path)


def check_rows(name: str, root: Path = deps.ROOT) -> list[dict[str, Any]]:
    """The cached check run of derivation ``name`` (run first if missing)."""
    path = _path("checks", name, "derivation", root)
    if not path.is_file():
        ensure(root)
    return _read(path)


def figure_svg(fig_id: str, lang: str, root: Path = deps.ROOT) -> str:
    """The cached SVG of figure ``fig_id`` labelled in ``lang`` (drawn first if missing); KeyError if unknown."""
    path = _path(f"figure-{lang}", fig_id, "figure", root)
    if not path.is_file():
        ensure(root)
    return _read(path)["svg"]
