"""Build from this checkout's code, never from a stale copy.

- Put this checkout first on ``sys.path`` (at hook load, before any plugin imports our packages) and on notebook
  kernels' ``PYTHONPATH``.
- Key mkdocs-jupyter's execution cache on the code each notebook runs, not only on the notebook's bytes: the modules
  of ``derivations``/``docsgen`` its code cells import (transitively) or whose derivations they name, and the pinned
  requirements. An edit there re-executes the notebooks that use it, and only those. (Pages' derived values, check
  runs and figures have their own cache with the same keys: ``docsgen/cache.py``.)
- Under ``mkdocs serve``, watch every directory the site is built from.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))

# The Chinese search index is segmented by jieba with a user dictionary made from the glossary, so that 雅可比矩阵,
# 奇异值 or 随时间反向传播 are indexed as words (mkdocs.zh.yml: search.jieba_dict_user). Written here, when the hooks
# are loaded, because the search plugin reads it in its on_config, before any hook's.
JIEBA_USER_DICT = ROOT / ".cache" / "jieba" / "userdict.txt"


def _write_jieba_dictionary() -> None:
    from docsgen.glossary import write_jieba_dictionary

    write_jieba_dictionary(JIEBA_USER_DICT)


_write_jieba_dictionary()

WATCHED = ("docs/zh", "derivations", "docsgen", "mkdocs.zh.yml", "mkdocs.base.yml", "overrides", "hooks")


_NB_HASHES: dict[tuple[str, int, int], str] = {}  # per build (cleared in on_config): the code does not change in one


def notebook_code_hash(nb_path: str | Path, root: Path = ROOT) -> str:
    """Hash of the code a notebook's outputs depend on: the closure of the modules its code cells import or whose
    derivations they name, and the pinned requirements (docsgen.deps). Cells that do not parse as Python (magics)
    make it depend on all of ``derivations`` and ``docsgen``."""
    from docsgen import deps

    cells = json.loads(Path(nb_path).read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))  # magics
    try:
        modules = deps.tree_imports(ast.parse(code), root, literal_names=True)
    except SyntaxError:
        modules = set(deps.all_modules(root))
    return deps.modules_hash(modules, "notebook", root=root)


def _key_notebooks_on_their_code() -> None:
    """Mix ``notebook_code_hash`` into mkdocs-jupyter's cache key (its key covers the notebook and its options only).
    Fails the build loudly if mkdocs-jupyter's internals change, rather than serving stale notebooks."""
    import mkdocs_jupyter.plugin as nbplugin

    original = getattr(nbplugin, "_compute_cache_key", None)
    if original is None:
        raise PluginError("mkdocs-jupyter has no _compute_cache_key any more: review hooks/checkout.py")
    if getattr(original, "keyed_on_code", False):
        return

    def key(nb_path, config, exec_nb):
        st = Path(nb_path).stat()
        memo = (str(nb_path), st.st_mtime_ns, st.st_size)
        if memo not in _NB_HASHES:
            _NB_HASHES[memo] = notebook_code_hash(nb_path)
        return f"{original(nb_path, config, exec_nb)[:32]}-{_NB_HASHES[memo]}"

    key.keyed_on_code = True  # type: ignore[attr-defined]
    nbplugin._compute_cache_key = key


def on_config(config):
    parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *parts])  # notebook kernels import this checkout too
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        _NB_HASHES.clear()
        _key_notebooks_on_their_code()
        # one directory per language: mkdocs-jupyter evicts the entries no notebook used in a build
        jupyter.config["cache_dir"] = str(ROOT / ".cache" / "mkdocs-jupyter" / config.extra.get("site_lang", "en"))
    return config


def on_serve(server, config, builder):
    for extra in WATCHED:
        server.watch(str(ROOT / extra))
    return server
