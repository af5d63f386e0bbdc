"""Page budgets (a report, not a test): bytes each page transfers when opened in Chromium, raw and gzip-compressed
(as GitHub Pages serves it), and optionally Lighthouse mobile scores.

Usage: python -m tools.budgets SITE_DIR [--lighthouse]
Lighthouse comes from the npm registry (npx lighthouse@12.8.2) and drives Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

LIMIT = 1_000_000  # bytes, target per page
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``site`` on an ephemeral localhost port; returns the server and its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def page_paths(site: Path) -> list[str]:
    """Site-relative URLs of every page (directories with an index.html), both languages."""
    return sorted(
        p.parent.relative_to(site).as_posix().removeprefix(".") + "/"
        for p in site.rglob("index.html")
        if "assets" not in p.parts and "search" not in p.parts
    )


def transfer_sizes(site: Path, base: str, paths: list[str]) -> dict[str, tuple[int, int, int]]:
    """For each page: (requests, raw bytes, gzip bytes) of everything it loads, measured in Chromium."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:])
        for path in paths:
            page = browser.new_page(viewport={"width": 375, "height": 800})
            urls: list[str] = []
            page.on("requestfinished", lambda r, urls=urls: urls.append(r.url))
            page.goto(base + path.lstrip("/"), wait_until="networkidle")
            raw = gz = 0
            for url in set(urls):
                local = site / url.removeprefix(base).split("?")[0].split("#")[0]
                if local.is_dir():
                    local = local / "index.html"
                if local.is_file():
                    data = local.read_bytes()
                    raw += len(data)
                    gz += len(gzip.compress(data, 6))
            out[path] = (len(set(urls)), raw, gz)
            page.close()
        browser.close()
    return out


def lighthouse(url: str) -> dict[str, float]:
    """Lighthouse (mobile) category scores 0-100 for ``url``."""
    npx = shutil.which("npx")
    if npx is None:
        raise RuntimeError("npx not found (install Node.js)")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [
                npx,
                "--yes",
                "lighthouse@12.8.2",
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                f"--chrome-path={CHROMIUM}",
                f"--chrome-flags={' '.join(FLAGS)}",
                "--form-factor=mobile",
                "--only-categories=performance,accessibility,best-practices,seo",
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
        )
        data = json.loads(report.read_text())
    return {k: round(v["score"] * 100) for k, v in data["categories"].items()}


def main(argv: list[str] | None = None) -> int:
    """Print the budget table (and Lighthouse scores with --lighthouse); exit 1 if a page exceeds the limit."""
    args = sys.argv[1:] if argv is None else argv
    if not args or not Path(args[0]).is_dir():
        print("budgets: usage: python -m tools.budgets SITE_DIR [--lighthouse]", file=sys.stderr)
        return 2
    site = Path(args[0]).resolve()
    httpd, base = serve(site)
    try:
        sizes = transfer_sizes(site, base, page_paths(site))
        print(f"{'page':40} {'requests':>8} {'raw bytes':>11} {'gzip bytes':>11}")
        for path, (n, raw, gz) in sorted(sizes.items(), key=lambda kv: -kv[1][1]):
            flag = "  over 1 MB" if gz > LIMIT else ""
            print(f"{path:40} {n:8d} {raw:11,d} {gz:11,d}{flag}")
        heaviest = max(sizes, key=lambda k: sizes[k][1])
        print(f"\nhome page: {sizes['/'][1]:,} B raw, {sizes['/'][2]:,} B gzip")
        print(f"heaviest:  {heaviest} {sizes[heaviest][1]:,} B raw, {sizes[heaviest][2]:,} B gzip")
        if "--lighthouse" in args:
            print("\nLighthouse (mobile):")
            for path in ["/", "/zh/", heaviest]:
                print(f"  {path:38} {lighthouse(base + path.lstrip('/'))}")
        return 1 if any(gz > LIMIT for _, _, gz in sizes.values()) else 0
    finally:
        httpd.shutdown()


if __name__ == "__main__":
    sys.exit(main())
