"""A change in derivations/ must reach every page that shows it, notebooks included, even with a warm cache; a prose
edit reuses every cached result; and two builds of the same sources (one from a cold cache, one from the warm cache)
are identical but for dates."""

from __future__ import annotations

import filecmp
import gzip
import os
import re
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


_DATES = re.compile(rb"<lastmod>[^<]*</lastmod>")


def differing_files(a: Path, b: Path) -> list[str]:
    """Files that differ between two built sites, ignoring sitemap dates."""
    out = []
    for pa in sorted(p for p in a.rglob("*") if p.is_file()):
        rel = pa.relative_to(a)
        pb = b / rel
        if not pb.is_file():
            out.append(f"only in first: {rel}")
        elif not filecmp.cmp(pa, pb, shallow=False):
            da, db = pa.read_bytes(), pb.read_bytes()
            if rel.name.endswith(".gz"):
                da, db = gzip.decompress(da), gzip.decompress(db)
            if _DATES.sub(b"", da) != _DATES.sub(b"", db):
                out.append(str(rel))
    out += [
        f"only in second: {p.relative_to(b)}"
        for p in b.rglob("*")
        if p.is_file() and not (a / p.relative_to(b)).exists()
    ]
    return out


SMALL_NAV = {
    "mkdocs.yml": "nav:\n  - Home: index.md\n  - Activations: activations.md\n  - Lab: labs/activations.ipynb\n",
    "mkdocs.zh.yml": "nav:\n  - 首页: index.md\n  - 激活函数: activations.md\n  - 实验: labs/activations.ipynb\n",
}
KEEP = {"index.md", "activations.md", "labs/activations.ipynb"}


def shrink_to_activation_pages(repo: Path) -> None:
    """Keep only the home page, the activations page and its lab (both languages) so the rebuilds stay cheap; links to
    the pages left out are not errors there."""
    for lang in ("en", "zh"):
        base = repo / "docs" / lang
        for page in list(base.rglob("*.md")) + list(base.rglob("*.ipynb")):
            if page.relative_to(base).as_posix() not in KEEP:
                page.unlink()
    for name, nav in SMALL_NAV.items():
        cfg = (repo / name).read_text(encoding="utf-8")
        (repo / name).write_text(cfg[: cfg.index("nav:")] + nav, encoding="utf-8")
    base = repo / "mkdocs.base.yml"
    base.write_text(base.read_text(encoding="utf-8").replace("  anchors: warn", "  anchors: info\n  not_found: info"))


def reuse_derived_cache(repo: Path) -> None:
    """Start from this checkout's cache of derived results, if it has one: entries are keyed by the code they depend
    on, so the copy reuses them exactly as long as its code is the same (which is what the test then changes)."""
    src = ROOT / ".cache" / "derived"
    if src.is_dir():
        shutil.copytree(src, repo / ".cache" / "derived")


def test_changing_a_derivation_rebuilds_pages_and_notebooks(tmp_path):
    repo = tmp_path / "repo"
    copy_checkout(repo)
    shrink_to_activation_pages(repo)
    reuse_derived_cache(repo)
    build_site(repo / "site", root=repo, pdf=False)  # cold notebook cache: executes the notebooks
    assert any((repo / ".cache" / "mkdocs-jupyter").rglob("*.json")), "the notebook cache was not used"
    pages = ["activations", "labs/activations", "zh/activations", "zh/labs/activations"]
    for p in pages:
        html = (repo / "site" / p / "index.html").read_text(encoding="utf-8")
        assert MARKER not in html
        # a contributor's build prints no PDF edition (hooks/pdf.py), so its pages offer none: no button to a missing
        # file, while the print view, built either way, stays linked
        assert "data-pdf-edition" not in html and "data-print-view" in html, p
    assert not (repo / "site" / "pdf").exists() and not (repo / "site" / "zh" / "pdf").exists()

    # A prose edit recomputes nothing: every cached derivation, check run and figure is reused as it is.
    derived = {f: f.stat().st_mtime_ns for f in (repo / ".cache" / "derived").rglob("*.json")}
    assert any("figure-zh" in f.parts for f in derived) and any("checks" in f.parts for f in derived)
    page = repo / "docs" / "zh" / "activations.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n新增的一句话。\n", encoding="utf-8")
    build_site(repo / "site", root=repo, pdf=False)
    assert "新增的一句话。" in (repo / "site" / "zh" / "activations" / "index.html").read_text(encoding="utf-8")
    assert {f: f.stat().st_mtime_ns for f in (repo / ".cache" / "derived").rglob("*.json")} == derived

    src = repo / "derivations" / "activations.py"
    code = src.read_text(encoding="utf-8")
    needle = r'latex=r"\sigma' + "'" + r"(x) = \sigma(x)"
    assert needle in code
    src.write_text(code.replace(needle, needle.replace("(x) = ", rf"(x) \overset{{\text{{{MARKER}}}}}{{=}} ", 1)))

    build_site(repo / "site", root=repo, pdf=False)  # warm cache, changed code
    for p in pages:
        html = (repo / "site" / p / "index.html").read_text(encoding="utf-8")
        assert MARKER in html, f"{p} still shows the output of the old code"


def test_two_builds_are_identical_apart_from_dates(site_dir, tmp_path):
    """Reproducible builds: a second build of the whole site (notebooks from the cache) equals the first."""
    build_site(tmp_path / "again")
    differ = differing_files(site_dir, tmp_path / "again")
    assert not differ, f"two builds of the same sources differ: {differ[:10]}"
