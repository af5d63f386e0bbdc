"""Print build and verify timings (a benchmark script, not a test): clean build of the whole site, warm rebuild with
no change, rebuild after editing one prose page, rebuild after editing one topic module, and `derivations verify`,
each with its ratio to the clean build (ratios measured in one run hold best on a noisy machine). These are a
contributor's builds, without the PDF edition; two more rows time what printing it adds (GRADIENTS_PDF=1, as
scripts/test.sh and the Pages workflow build): both languages printed, then the English one reprinted after a
prose edit.
With --tests also the test suite without the browser, and the browser suite alone.

Usage: python benchmarks/build_times.py [--tests] [--topic derivations/lstm.py]"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], cwd: Path, pdf: bool = False) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GRADIENTS_PDF": "1" if pdf else "0"}
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        files = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for rel in files:
            if (ROOT / rel).is_file():
                (repo / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, repo / rel)
        os.symlink(ROOT / "node_modules", repo / "node_modules")
        build = [sys.executable, "-m", "mkdocs", "build", "--strict"]
        rows = [("clean build, whole site (en + zh), cold notebook cache", timed(build, repo))]
        rows.append(("warm rebuild, no change", timed(build, repo)))
        page = repo / "docs" / "en" / "index.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
        rows.append(("rebuild after editing one prose page", timed(build, repo)))
        topic = sys.argv[sys.argv.index("--topic") + 1] if "--topic" in sys.argv else "derivations/lstm.py"
        mod = repo / topic
        mod.write_text(mod.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        rows.append((f"rebuild after editing {topic}", timed(build, repo)))
        rows.append(("python -m derivations verify", timed([sys.executable, "-m", "derivations", "verify"], repo)))
        rows.append(("build with the PDF edition (both languages printed)", timed(build, repo, pdf=True)))
        page.write_text(page.read_text(encoding="utf-8") + "\nAnother sentence.\n", encoding="utf-8")
        rows.append(("  then one prose edit (English PDF reprinted)", timed(build, repo, pdf=True)))
        if "--tests" in sys.argv:
            os.environ["GRADIENTS_SITE_DIR"] = str(repo / "site")
            timed(build, repo, pdf=True)  # a site that matches the sources, as the test script builds it
            pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            rows.append(("pytest, all but the browser suite", timed([*pytest, "--ignore=tests/browser"], repo)))
            rows.append(("pytest tests/browser (real Chromium)", timed([*pytest, "tests/browser"], repo)))
    width = max(len(name) for name, _ in rows)
    clean = rows[0][1]
    for name, seconds in rows:
        print(f"{name.ljust(width)}  {seconds:7.2f} s  {seconds / clean:5.2f}")


if __name__ == "__main__":
    main()
