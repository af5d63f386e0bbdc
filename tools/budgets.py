"""Page budgets (a report, not a test): bytes each page transfers when opened in Chromium, raw and gzip-compressed
(as GitHub Pages serves it), and optionally Lighthouse mobile scores.

Usage: python -m tools.budgets SITE_DIR [--lighthouse [--runs N]]
Lighthouse comes from the npm registry (npx lighthouse@12.8.2) and drives Debian's /usr/bin/chromium; with
--lighthouse every page is scored, each score the median of N runs (default 3), because single runs on a busy 2-core
machine vary by up to ±13 points. The local server compresses text with gzip, as GitHub Pages does.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

LIMIT = 1_000_000  # bytes, target per page
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


_COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".ipynb")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Static server that gzips text responses when the client accepts it, as GitHub Pages does."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the trailing slash
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or path.suffix not in _COMPRESSIBLE or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # GitHub Pages' caching
        self.end_headers()
        return io.BytesIO(body)


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
        # not the print view (print_page/): the source of the PDF edition, not a page read on a phone
        if "assets" not in p.parts and "search" not in p.parts and "print_page" not in p.parts
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
    usage = "usage: python -m tools.budgets SITE_DIR [--lighthouse [--runs N]]"
    if not args or not Path(args[0]).is_dir():
        print(f"budgets: SITE_DIR must be a built site directory; {usage}", file=sys.stderr)
        return 2
    runs = 3
    if "--runs" in args:
        value = args[args.index("--runs") + 1] if args.index("--runs") + 1 < len(args) else ""
        if not value.isdigit() or int(value) < 1:
            print(f"budgets: --runs takes a whole number of runs, 1 or more (got {value!r}); {usage}", file=sys.stderr)
            return 2
        runs = int(value)
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
            print(f"\nLighthouse (mobile), median of {runs} runs, every page:")
            low = []
            for path in sorted(sizes):
                scores = [lighthouse(base + path.lstrip("/")) for _ in range(runs)]
                median = {k: statistics.median_high(s[k] for s in scores) for k in scores[0]}
                perf = sorted(s["performance"] for s in scores)
                print(f"  {path:38} {median}  performance runs {perf}", flush=True)
                low += [path] if min(median.values()) < 95 else []
            print(f"\npages with a category below 95: {len(low)} of {len(sizes)} {low}")
        return 1 if any(gz > LIMIT for _, _, gz in sizes.values()) else 0
    finally:
        httpd.shutdown()


if __name__ == "__main__":
    sys.exit(main())
