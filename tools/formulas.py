"""How display formulas fit the screen (a report, not a test): for every page of a built site, in headless Chromium
on a 1366 x 768 laptop and a 390 x 844 phone, how many display formulas are wider than their column, and by how much.

Usage: python -m tools.formulas SITE_DIR [--list N]
The browser test tests/browser/test_formulas.py asserts the same measurements against the issue's targets.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"laptop": (1366, 768), "phone": (390, 844)}
# What a reader sees once every block has come into view: the article's blocks are laid out only near the screen
# (content-visibility in extra.css), and measuring must not depend on where the page happens to be scrolled.
LAY_OUT_EVERY_BLOCK = """() => document.head.insertAdjacentHTML('beforeend',
    '<style>.md-content__inner > *, .jp-Notebook > .jp-Cell { content-visibility: visible !important; }</style>')"""
# Likewise formulas past the first screens get their KaTeX layout shortly before they come into view (lazy-math.js).
LAY_OUT_EVERYTHING = f"() => {{ ({LAY_OUT_EVERY_BLOCK})(); window.gradientsMath.typesetAll(); }}"
# every display formula: arithmatex blocks (pages) and KaTeX display spans (notebook Markdown)
MEASURE = """() => [...document.querySelectorAll(
        '.md-content div.arithmatex, .md-content span.arithmatex > .katex-display')].map(e => {
    // the layout shown on this screen (a formula may carry a hidden second layout for the other kind of screen)
    const shown = [...e.querySelectorAll('.katex-display > .katex, .katex')].filter(k => k.getClientRects().length);
    const inner = shown[0] || e;
    return {width: Math.ceil(inner.scrollWidth), column: e.clientWidth,
            tex: (inner.querySelector('annotation') || {}).textContent || ''};
})"""


def pages(site: Path) -> list[str]:
    """Site paths of every built page of both languages (directories holding an index.html), home pages included."""
    out = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site).as_posix()
        if rel.split("/")[0] in {"assets", "search"}:
            continue
        out.append("" if rel == "." else rel + "/")
    return out


def measure(site: Path, paths: list[str]) -> dict[str, dict[str, list[dict]]]:
    """{viewport: {path: [{width, column, tex}, ...]}} for every display formula of every page."""
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    out: dict[str, dict[str, list[dict]]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for name, (w, h) in VIEWPORTS.items():
                page = browser.new_page(viewport={"width": w, "height": h})
                out[name] = {}
                for path in paths:
                    page.goto(base + path, wait_until="load")
                    page.evaluate("document.fonts.ready.then(() => true)")
                    page.evaluate(LAY_OUT_EVERYTHING)
                    out[name][path] = page.evaluate(MEASURE)
                page.close()
            browser.close()
    finally:
        httpd.shutdown()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.formulas", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--list", type=int, default=10, metavar="N", help="list the N widest formulas per viewport")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: not a built site (no index.html); build it with mkdocs build first", file=sys.stderr)
        return 2
    data = measure(args.site, pages(args.site))
    for name, by_page in data.items():
        rows = [(f["width"] / max(f["column"], 1), path, f) for path, fs in by_page.items() for f in fs]
        wide = [r for r in rows if r[2]["width"] > r[2]["column"] + 1]
        share = len(wide) / max(len(rows), 1)
        print(f"{name}: {len(wide)} of {len(rows)} display formulas wider than their column ({share:.0%})")
        for ratio, path, f in sorted(wide, key=lambda r: r[0], reverse=True)[: args.list]:
            print(f"  {ratio:4.2f}x  {f['width']:4d}/{f['column']} px  {path}  {f['tex'][:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
