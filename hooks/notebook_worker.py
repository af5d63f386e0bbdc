"""Not a hook: the function ``hooks/notebooks.py`` runs in worker processes to execute a notebook ahead of the build
(it must be importable by name, which the hook modules MkDocs loads from their paths are not)."""

from __future__ import annotations

import json
import os
from pathlib import Path

# mkdocs-jupyter's nb2html options, passed through unchanged (its cache key covers the same ones).
NB2HTML_OPTIONS = (
    "kernel_name",
    "theme",
    "allow_errors",
    "show_input",
    "no_input",
    "no_prompt",
    "remove_tag_config",
    "highlight_extra_classes",
    "include_requirejs",
    "custom_mathjax_url",
)


def execute(nb_path: str, cache_path: str, options: dict) -> None:
    """What mkdocs-jupyter does on a cache miss (plugin.new_render): execute and convert the notebook with the
    plugin's options, and write the cache entry the plugin reads (atomically)."""
    import mkdocs_jupyter.plugin as nbplugin
    from mkdocs_jupyter import convert

    body = convert.nb2html(nb_path, execute=True, **{k: options[k] for k in NB2HTML_OPTIONS})
    toc_tokens, title = nbplugin._get_nb_toc_tokens(nb_path, options["toc_depth"])
    path = Path(cache_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"content": body, "toc_tokens": toc_tokens, "title": title}), encoding="utf-8")
    os.replace(tmp, path)
