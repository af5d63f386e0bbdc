"""A change in derivations/ must reach every page that shows it, notebooks included, even with a warm cache."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, build_site

pytestmark = pytest.mark.slow

MARKER = "STALECHECK"


def copy_checkout(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    os.symlink(ROOT / "node_modules", dest / "node_modules")


def test_changing_a_derivation_rebuilds_pages_and_notebooks(tmp_path):
    repo = tmp_path / "repo"
    copy_checkout(repo)
    build_site(repo / "site", root=repo)  # primes the notebook cache in repo/.cache
    assert any((repo / ".cache" / "mkdocs-jupyter").rglob("*.json")), "the notebook cache was not used"
    pages = ["activations", "labs/activations", "zh/activations", "zh/labs/activations"]
    for p in pages:
        assert MARKER not in (repo / "site" / p / "index.html").read_text(encoding="utf-8")

    src = repo / "derivations" / "activations.py"
    code = src.read_text(encoding="utf-8")
    needle = r'latex=r"\sigma' + "'" + r"(x) = \sigma(x)"
    assert needle in code
    src.write_text(code.replace(needle, needle.replace("(x) = ", rf"(x) \overset{{\text{{{MARKER}}}}}{{=}} ", 1)))

    build_site(repo / "site", root=repo)
    for p in pages:
        html = (repo / "site" / p / "index.html").read_text(encoding="utf-8")
        assert MARKER in html, f"{p} still shows the output of the old code"
