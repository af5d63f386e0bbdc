"""Which source files a derivation or a figure depends on, read from the code itself (no import): the static import
graph of ``derivations`` and ``docsgen`` (function-level imports included) plus ``get("name")`` calls with a literal
name, resolved to the module that registers that derivation.

A cache entry is keyed by a hash of exactly these files and the pinned dependencies, so that editing one topic module
recomputes only what depends on it, and nothing can be served from a cache made by other code.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

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


def _tree(path: Path) -> ast.Module:
    st = path.stat()
    return _parse(path, st.st_mtime_ns, st.st_size)


@functools.cache
def _parse(path: Path, mtime_ns: int, size: int) -> ast.Module:  # keyed on the file's stat: edits are seen
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _calls(tree: ast.Module, func: str) -> list[str]:
    """First string arguments of every call ``func("name", ...)`` in a module, decorators included."""
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == func
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


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
    files = sorted(p for pkg in PACKAGES for p in (root / pkg).rglob("*.py"))
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def registered(decorator: str, root: Path = ROOT) -> dict[str, str]:
    """Name -> module for every call ``decorator("name", ...)`` in the packages (``derivation`` or ``figure``)."""
    return _registered(decorator, root, _fingerprint(root))


@functools.cache
def _registered(decorator: str, root: Path, fingerprint: tuple) -> dict[str, str]:
    found: dict[str, str] = {}
    for module in all_modules(root):
        path = module_path(module, root)
        assert path is not None
        for name in _calls(_tree(path), decorator):
            if name in found:
                raise ValueError(f"{decorator} {name!r} is registered in both {found[name]} and {module}")
            found[name] = module
    return found


def _imports(module: str, root: Path) -> set[str]:
    """Modules of ours that ``module`` imports anywhere in its body, and derivations it fetches with get("...")."""
    path = module_path(module, root)
    if path is None:
        return set()
    out: set[str] = set()
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(_tree(path)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = module.split(".") if is_pkg else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            owner = registered("derivation", root).get(node.args[0].value)
            if owner:
                targets = [owner]
        for t in targets:
            parts = t.split(".")
            if parts[0] in PACKAGES:
                for k in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
                    if module_path(".".join(parts[:k]), root) is not None:
                        out.add(".".join(parts[:k]))
    out.discard(module)
    return out


def closure(module: str, root: Path = ROOT) -> list[str]:
    """``module`` and every module of ours it depends on, transitively, sorted."""
    seen, todo = {module}, [module]
    for parts in (module.split(".")[:k] for k in range(1, module.count(".") + 1)):
        todo.append(".".join(parts))
        seen.add(".".join(parts))
    while todo:
        for dep in _imports(todo.pop(), root):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return sorted(seen)


def source_hash(module: str, *extra: str, root: Path = ROOT) -> str:
    """SHA-256 (16 hex digits) of the files in ``closure(module)``, the pinned requirements and ``extra`` strings."""
    h = hashlib.sha256()
    for dep in closure(module, root):
        path = module_path(dep, root)
        assert path is not None
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for pin in PINS:
        p = root / pin
        h.update(pin.encode() + b"\0" + (p.read_bytes() if p.is_file() else b"") + b"\0")
    for e in extra:
        h.update(e.encode() + b"\0")
    return h.hexdigest()[:16]
