"""Not a hook: the function ``hooks/notebooks.py`` runs in worker processes to execute a notebook ahead of the build
(it must be importable by name, which the hook modules MkDocs loads from their paths are not).

Kernels talk to the worker over IPC (Unix sockets in a private temporary directory), not TCP on localhost: no port
to bind, so no ``Address already in use`` when kernels start at once under load, and no "running over TCP without
encryption" warning. mkdocs-jupyter builds nbconvert's configuration from the user's config files only
(``NbConvertApp.load_config_file``), so the setting reaches jupyter_client's ``KernelManager`` through a
``jupyter_nbconvert_config.json`` on ``JUPYTER_CONFIG_PATH``, written for the one execution. ``ip`` must be an
absolute path: the kernel runs in the notebook's directory, the worker elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
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


@contextlib.contextmanager
def ipc_kernels():
    """Within the block, kernels started by nbconvert in this process use IPC transport (see the module's docstring)."""
    with tempfile.TemporaryDirectory(prefix="nb-kernel-") as tmp:
        config = {"KernelManager": {"transport": "ipc", "ip": os.path.join(tmp, "kernel")}}
        Path(tmp, "jupyter_nbconvert_config.json").write_text(json.dumps(config), encoding="utf-8")
        before = os.environ.get("JUPYTER_CONFIG_PATH")
        os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (tmp, before) if p)  # first: it wins
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("JUPYTER_CONFIG_PATH", None)
            else:
                os.environ["JUPYTER_CONFIG_PATH"] = before


def execute(nb_path: str, cache_path: str, options: dict) -> None:
    """What mkdocs-jupyter does on a cache miss (plugin.new_render): execute and convert the notebook with the
    plugin's options, and write the cache entry the plugin reads (atomically)."""
    import mkdocs_jupyter.plugin as nbplugin
    from mkdocs_jupyter import convert

    with ipc_kernels():
        body = convert.nb2html(nb_path, execute=True, **{k: options[k] for k in NB2HTML_OPTIONS})
    toc_tokens, title = nbplugin._get_nb_toc_tokens(nb_path, options["toc_depth"])
    path = Path(cache_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"content": body, "toc_tokens": toc_tokens, "title": title}), encoding="utf-8")
    os.replace(tmp, path)
