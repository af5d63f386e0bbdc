"""Which source files a derivation or a figure depends on, read from the code itself (no import): the static import
graph of ``derivations`` and ``docsgen`` (function-level imports included) plus ``get("name")`` calls with a literal
name, resolved to the module that registers that derivation.

A cache entry is keyed by a hash of exactly these files and the pinned dependencies, so that editing one topic module
recomputes only what depends on it, and nothing can be served from a cache made by other code.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("derivations", "docsgen")
PINS = ("requirements/constraints.txt", "pyproject.toml")


def module_path(module: str, root: Path = ROOT) -> Path | None:
    """Source file of ``module`` (a package's ``__init__.py``) under ``root``, or None if it is not ours."""
    base = root.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


class Summary(NamedTuple):
    """What the dependency graph needs from one file's code, read in one walk over its syntax tree."""

    imports: tuple[tuple[str, int, tuple[str, ...]], ...]  # (module, relative level, imported names)
    calls: dict[str, tuple[str, ...]]  # function name -> first arguments that are string literals
    strings: frozenset[str]  # every string literal


def summarise(tree: ast.AST) -> Summary:
    """The imports, literal-named calls and string literals of ``tree``."""
    imports: list[tuple[str, int, tuple[str, ...]]] = []
    calls: dict[str, list[str]] = {}
    strings: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports += [(a.name, 0, ()) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imports.append((node.module or "", node.level, tuple(a.name for a in node.names)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name and isinstance(node.args[0].value, str):
                calls.setdefault(name, []).append(node.args[0].value)
    return Summary(tuple(imports), {k: tuple(v) for k, v in calls.items()}, frozenset(strings))


def _summary(path: Path) -> Summary:
    st = path.stat()
    return _read_summary(path, st.st_mtime_ns, st.st_size)


@functools.cache
def _read_summary(path: Path, mtime_ns: int, size: int) -> Summary:  # keyed on the file's stat: edits are seen
    return summarise(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))


def all_modules(root: Path = ROOT) -> list[str]:
    """Every module of the two packages, dotted, sorted."""
    out = []
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out.append(".".join(parts))
    return sorted(out)


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    if root in _FROZEN:
        return _FROZEN[root]
    files = sorted(p for pkg in PACKAGES for p in (root / pkg).rglob("*.py"))
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


_FROZEN: dict[Path, tuple[tuple[str, int, int], ...]] = {}


@contextlib.contextmanager
def frozen(root: Path = ROOT) -> Iterator[None]:
    """Within this block the code under ``root`` is taken not to change: its files are listed and stat'ed once."""
    _FROZEN[root] = _fingerprint(root)
    try:
        yield
    finally:
        _FROZEN.pop(root, None)


def registered(decorator: str, root: Path = ROOT) -> dict[str, str]:
    """Name -> module for every call ``decorator("name", ...)`` in the packages (``derivation`` or ``figure``)."""
    return _registered(decorator, root, _fingerprint(root))


@functools.cache
def _registered(decorator: str, root: Path, fingerprint: tuple) -> dict[str, str]:
    found: dict[str, str] = {}
    for module in all_modules(root):
        path = module_path(module, root)
        assert path is not None
        for name in _summary(path).calls.get(decorator, ()):
            if name in found:
                raise ValueError(f"{decorator} {name!r} is registered in both {found[name]} and {module}")
            found[name] = module
    return found


def _imports(module: str, root: Path) -> set[str]:
    """Modules of ours that ``module`` imports anywhere in its body, and derivations it fetches with get("...")."""
    path = module_path(module, root)
    if path is None:
        return set()
    out = summary_imports(_summary(path), root, module, path.name == "__init__.py", literal_names=False)
    out.discard(module)
    return out


def summary_imports(
    summary: Summary, root: Path = ROOT, module: str = "", is_pkg: bool = False, literal_names: bool = False
) -> set[str]:
    """Modules of ours that the summarised code imports, and the modules of derivations it fetches with get("name");
    with ``literal_names``, of every string literal that is a derivation's name (a notebook's ``for name in [...]``)."""
    names = registered("derivation", root)
    targets: list[str] = []
    for base, level, imported in summary.imports:
        if level:  # relative import
            anchor = module.split(".") if is_pkg else module.split(".")[:-1]
            anchor = anchor[: len(anchor) - level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        targets += [base] + [f"{base}.{a}" for a in imported]
    targets += [names[n] for n in summary.calls.get("get", ()) if n in names]
    if literal_names:
        targets += [names[n] for n in summary.strings if n in names]
    out: set[str] = set()
    for t in targets:
        parts = t.split(".")
        if parts[0] in PACKAGES:
            for k in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
                if module_path(".".join(parts[:k]), root) is not None:
                    out.add(".".join(parts[:k]))
    return out


def tree_imports(tree: ast.AST, root: Path = ROOT, literal_names: bool = False) -> set[str]:
    """``summary_imports`` of a syntax tree that is not a module of ours (a notebook's code)."""
    return summary_imports(summarise(tree), root, literal_names=literal_names)


def closure(module: str, root: Path = ROOT) -> list[str]:
    """``module`` and every module of ours it depends on, transitively, sorted."""
    return list(_closure(module, root, _fingerprint(root)))


@functools.cache
def _closure(module: str, root: Path, fingerprint: tuple) -> tuple[str, ...]:
    seen, todo = {module}, [module]
    for parts in (module.split(".")[:k] for k in range(1, module.count(".") + 1)):
        todo.append(".".join(parts))
        seen.add(".".join(parts))
    while todo:
        for dep in _imports(todo.pop(), root):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return tuple(sorted(seen))


@functools.cache
def _digest(path: Path, mtime_ns: int, size: int) -> bytes:  # keyed on the file's stat: edits are seen
    return hashlib.sha256(path.read_bytes()).digest()


def source_hash(module: str, *extra: str, root: Path = ROOT) -> str:
    """SHA-256 (16 hex digits) of the files in ``closure(module)``, the pinned requirements and ``extra`` strings."""
    return modules_hash([module], *extra, root=root)


def modules_hash(modules: list[str] | set[str], *extra: str, root: Path = ROOT) -> str:
    """SHA-256 (16 hex digits) of the files in the closures of ``modules``, the pinned requirements and ``extra``."""
    h = hashlib.sha256()
    for dep in sorted({d for m in modules for d in closure(m, root)}):
        path = module_path(dep, root)
        assert path is not None
        st = path.stat()
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + _digest(path, st.st_mtime_ns, st.st_size))
    for pin in PINS:
        p = root / pin
        h.update(pin.encode() + b"\0" + (p.read_bytes() if p.is_file() else b"") + b"\0")
    for e in extra:
        h.update(e.encode() + b"\0")
    return h.hexdigest()[:16]
