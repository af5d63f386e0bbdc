"""Shared fixtures: the built site (built once per session unless GRADIENTS_SITE_DIR points at a fresh build),
a localhost HTTP server for it, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\frac|\\sigma|\\begin\{")  # TeX a reader should never see
LANGS = ("en", "zh")


def build_site(dest: Path, root: Path = ROOT, pdf: bool = True) -> None:
    """Run the real strict build of the whole bilingual site from ``root`` into ``dest``, with the PDF edition as the
    published site has it (``pdf=False``: without, as a contributor's build, for tests of other things)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GRADIENTS_PDF": "1" if pdf else "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(dest)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"mkdocs build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: $GRADIENTS_SITE_DIR if set (the test script builds it first), else a fresh build."""
    given = os.environ.get("GRADIENTS_SITE_DIR")
    if given:
        path = Path(given).resolve()
        assert (path / "index.html").is_file(), f"GRADIENTS_SITE_DIR={given} holds no built site"
        return path
    dest = tmp_path_factory.mktemp("site")
    build_site(dest)
    return dest


def page_sources(lang: str) -> list[str]:
    """Source files of the pages of one language, relative to docs/<lang> (Markdown and notebooks)."""
    from tools.parity import pages

    return pages(lang)


def page_url(src: str) -> str:
    """Site-relative URL (directory style) of a page source such as 'labs/bptt.ipynb' -> 'labs/bptt/'."""
    stem = src.rsplit(".", 1)[0]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def all_pages() -> list[tuple[str, str]]:
    """(lang, site path) of every page of both languages, e.g. ('zh', 'zh/activations/')."""
    prefix = {"en": "", "zh": "zh/"}
    return [(lang, prefix[lang] + page_url(src)) for lang in LANGS for src in page_sources(lang)]


def site_path() -> str:
    """Path of the site on its server, from site_url (GitHub Pages serves a project site under /<repository>/)."""
    from urllib.parse import urlsplit

    import yaml

    base = yaml.safe_load((ROOT / "mkdocs.base.yml").read_text(encoding="utf-8"))
    return urlsplit(base["site_url"]).path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under site_url's path, as GitHub Pages does (anything outside it: 404)."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no such file")
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def server(site_dir: Path) -> Iterator[str]:
    """Base URL of a localhost HTTP server serving the built site."""
    prefix = site_path()
    handler = functools.partial(type("_Handler", (_QuietHandler,), {"prefix": prefix}), directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium (no browser download) driven by Playwright."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def torch():
    """PyTorch for oracle tests (the `oracle` extra); the test is skipped where it is not installed."""
    return pytest.importorskip("torch")
