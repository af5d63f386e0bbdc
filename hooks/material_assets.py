"""Material's built JavaScript patched in place by exact replacements of its minified code (used by
``hooks/search.py`` and ``hooks/startup.py``). Each replacement must apply once, or have been applied by an earlier
build over the same files; anything else fails the build, so a patch never silently stops applying when Material's
code changes."""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError


def patch(folder: Path, pattern: str, fixes: tuple[tuple[str, str], ...], what: str, changed: str) -> None:
    """Apply ``fixes`` (old, new) to the one file matching ``pattern`` in ``folder`` (Material's ``what``); the build
    fails with ``changed`` unless, afterwards, every ``new`` is there once and no ``old`` is left."""
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        raise PluginError(f"expected one Material {what} in {folder}, found {len(found)}")
    code = found[0].read_text(encoding="utf-8")
    for old, new in fixes:
        if code.count(old) == 1:
            code = code.replace(old, new)
        if code.count(old) or code.count(new) != 1:  # neither Material's code nor (a rebuild over) the patched one
            raise PluginError(f"{found[0].name}: {changed}")
    found[0].write_text(code, encoding="utf-8")
