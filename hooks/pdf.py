"""The PDF edition: after each language's build, headless Chromium (Playwright, Debian's ``/usr/bin/chromium``)
prints that language's print view (``print_page/``, ``hooks/print_view.py``) to ``pdf/<name>.pdf`` in the
language's site, with bookmarks (the outline of the headings), tags, internal links and embedded fonts (Chinese:
Noto Sans CJK, ``fonts-noto-cjk``).

- A build prints it when asked to: ``GRADIENTS_PDF=1 mkdocs build`` (``scripts/test.sh``, the Pages workflow). Printing
  both languages takes about a minute of two cores, and any prose edit changes the print view, so a contributor's
  ``mkdocs build`` and ``mkdocs serve`` leave it out: their pages show no download button and the site has no
  ``pdf/``, rather than a button to a missing file. The print view is built either way.
- The PDF is cached in ``.cache/pdf/`` keyed on the print view's HTML, the stylesheets and scripts it loads and this
  file: an unchanged rebuild copies it, and a clean build (empty cache) prints it.
- The page is printed when it is ready, not after a fixed delay: loaded, its web fonts loaded
  (``document.fonts.ready``) and every image decoded.
- Each language is printed in the background (a thread with its own event loop and browser) as soon as its print
  view is final, while the build goes on: the English PDF while the Chinese site is built (``hooks/i18n.py``), the
  Chinese one as soon as that build has written its print view. The English build waits for both at its very end; a
  failed print fails the build there.
- Links to files of the site that are not in the print view (the labs' notebooks) point to the repository in the
  PDF: a relative link would resolve against the address the PDF was printed from.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import http.server
import logging
import os
import re
import shutil
import threading
import time
from html import unescape
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority

log = logging.getLogger("mkdocs.hooks.pdf")

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "pdf"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NAMES = {"en": "vanishing-exploding-gradients.pdf", "zh": "vanishing-exploding-gradients-zh.pdf"}
PRINT_VIEW = "print_page/index.html"
SERVING = "GRADIENTS_SERVING"  # set under `mkdocs serve`, seen by both languages' builds (one process)
ENABLE = "GRADIENTS_PDF"  # "1": print the PDF edition; unset or "0": leave it out
DEFER = "GRADIENTS_PDF_DEFERRED"  # set by the English build while it builds the Chinese one (hooks/i18n.py)
FLAGS = ["--no-sandbox", "--disable-dev-shm-usage"]


def _lang(config) -> str:
    return config.extra.get("site_lang", "en")


def pdf_href(lang: str) -> str:
    """Path of the PDF of ``lang`` relative to that language's site root."""
    return f"pdf/{NAMES[lang]}"


def enabled() -> bool:
    """Whether this build prints the PDF edition: ``GRADIENTS_PDF=1`` under ``mkdocs build``, never under serve."""
    value = os.environ.get(ENABLE, "0")
    if value not in ("0", "1"):
        raise PluginError(f"{ENABLE}={value!r}: accepted values are 1 (print the PDF edition) and 0 (leave it out)")
    return value == "1" and not os.environ.get(SERVING)


def on_startup(command, dirty):
    if command == "serve":
        os.environ[SERVING] = "1"


def on_config(config):
    from docsgen.labels import label

    lang = _lang(config)
    config.extra["pdf_edition"] = {
        "href": pdf_href(lang) if enabled() else None,  # no download button for a PDF this build does not print
        "print_href": "print_page/",
        "label": label("pdf.download", lang),
        "print_label": label("pdf.view", lang),
    }
    return config


_ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="((?:\.\./)+[^"?#]+)"')


def cache_key(site: Path, html: str) -> str:
    """Hash of what the PDF is made of: the print view, the local stylesheets and scripts it loads, this file."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(html.encode())
    for rel in sorted(set(_ASSET.findall(html))):
        asset = (site / "print_page" / rel).resolve()
        h.update(rel.encode() + b"\0" + (asset.read_bytes() if asset.is_file() else b"missing"))
    return h.hexdigest()[:24]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def _served(site: Path):
    """``site`` over HTTP on an ephemeral localhost port (file:// pages may not load their web fonts)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


# Links to site files outside the print view (the labs' notebooks): to the repository's copy, for the PDF only.
_OUTSIDE = """(repo) => {
  for (const a of document.querySelectorAll("#print-site-page a[href]")) {
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname === location.pathname) continue;
    const m = url.pathname.match(/\\/labs\\/[^/]+\\/([^/]+\\.ipynb)$/);
    if (m) a.href = `${repo}/blob/main/docs/${document.documentElement.lang}/labs/${m[1]}`;
    else a.removeAttribute("href");
  }
}"""
_READY = """async () => {
  await document.fonts.ready;
  await Promise.all([...document.images].map(img => img.complete ? null : img.decode().catch(() => null)));
}"""
_FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


async def _print(browser, site: Path, out: Path, lang: str, repository: str) -> None:
    # without scripts: the print view is complete as HTML, and the interactive figures print their static text
    context = await browser.new_context(
        color_scheme="light", java_script_enabled=False, locale="zh-CN" if lang == "zh" else "en-GB"
    )
    try:
        with _served(site) as base:
            page = await context.new_page()
            page.set_default_timeout(600_000)
            await page.goto(base + "print_page/", wait_until="load")
            await page.evaluate(_READY)  # the page's own scripts are off; Playwright's evaluation still runs
            await page.evaluate(_OUTSIDE, repository)
            await page.pdf(
                path=str(out),
                format="A4",
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=_FOOTER,
                margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
            )
    finally:
        await context.close()


def render(site: Path, out: Path, lang: str, repository: str) -> None:
    """Print the print view of ``lang`` served from ``site`` to ``out`` with headless Chromium (one browser)."""
    import asyncio

    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).is_file():
        raise PluginError(f"Chromium not found at {CHROMIUM}: the PDF edition needs it (bash scripts/bootstrap.sh)")

    async def main() -> None:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                await _print(browser, site, out, lang, repository)
            finally:
                await browser.close()

    asyncio.run(main())


def _headings(html: str) -> dict[str, str]:
    """The print view's headings by their text without whitespace."""
    out = {}
    body = html[html.find('<div id="print-site-page"') :]
    for m in re.finditer(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]>", body, re.S):
        text = re.sub(r"<a class=.(?:headerlink|anchor-link).*?</a>", "", m.group(1), flags=re.S)
        text = " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split())
        out.setdefault("".join(text.split()), text)
    return out


def fix_outline(path: Path, html: str) -> int:
    """Chromium writes some bookmark titles wrongly (the space at a line wrap dropped, a CJK title doubled): give
    each bookmark its heading's text. Returns the number of titles changed."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    headings = _headings(html)
    writer = PdfWriter(path, incremental=True)  # appends the changed titles, leaves the rest as Chromium wrote it
    changed = 0
    outlines = writer._root_object.get("/Outlines")
    stack = [outlines.get_object().get("/First")] if outlines is not None else []
    while stack:
        ref = stack.pop()
        if ref is None:
            continue
        node = ref.get_object()
        title = str(node.get("/Title", ""))
        key = "".join(title.split())
        half = len(key) // 2
        if key not in headings and len(key) % 2 == 0 and key[:half] == key[half:]:
            key = key[:half]
        if key in headings and headings[key] != title:
            node[NameObject("/Title")] = TextStringObject(headings[key])
            changed += 1
        stack += [node.get("/Next"), node.get("/First")]
    if changed:
        tmp = path.with_suffix(".outline.tmp")
        with tmp.open("wb") as f:
            writer.write(f)
        os.replace(tmp, path)
    return changed


def on_pre_build(config):
    if _lang(config) == "en":
        os.environ[DEFER] = "1"  # the Chinese build (hooks/i18n.py) leaves waiting for its PDF to this build


# This module is loaded once per process and serves both languages' builds (MkDocs caches hook modules), so the
# English build sees the Chinese print started by the Chinese build it runs.
_PRINTING: dict[str, concurrent.futures.Future] = {}  # language -> its print in the background
_COPIES: dict[str, tuple[Path, Path]] = {}  # language -> (cached PDF, where it goes in the site)


def _print_into_cache(site: Path, cached: Path, lang: str, html: str, repository: str) -> float:
    """Print one language's view into the cache (in a background thread); returns the seconds it took."""
    start = time.monotonic()
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    render(site, tmp, lang, repository)
    fix_outline(tmp, html)
    for old in CACHE.glob(f"{lang}-*.pdf"):
        old.unlink(missing_ok=True)
    os.replace(tmp, cached)
    return time.monotonic() - start


def _wait_for_prints() -> dict[str, concurrent.futures.Future]:
    """Wait until every print in the background has ended (printed or failed); returns them by language."""
    running = dict(_PRINTING)
    _PRINTING.clear()
    concurrent.futures.wait(running.values())
    return running


def on_build_error(error):
    os.environ.pop(DEFER, None)
    _wait_for_prints()  # let the browsers close; the build has failed already
    _COPIES.clear()


@event_priority(-10)  # after hooks/print_view.py has finished the print view, before hooks/i18n.py builds Chinese
def _start_printing(config):
    """Start printing this language's print view in the background, unless its PDF is cached."""
    if not enabled():
        return
    lang = _lang(config)
    site = Path(config.site_dir)
    view = site / PRINT_VIEW
    if not view.is_file():
        raise PluginError(f"no print view at {view}: hooks/print_view.py runs before this hook")
    html = view.read_text(encoding="utf-8")
    cached = CACHE / f"{lang}-{cache_key(site, html)}.pdf"
    if not cached.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"pdf-{lang}")
        _PRINTING[lang] = pool.submit(_print_into_cache, site, cached, lang, html, config.extra["repository"])
        pool.shutdown(wait=False)
    _COPIES[lang] = (cached, site / pdf_href(lang))


@event_priority(-50)  # after hooks/i18n.py has built the Chinese site (and started printing it)
def _finish_printing(config):
    """At the end of the English build (or of a Chinese build run alone): wait for every print, fail the build if
    one failed, and copy each language's PDF into its site."""
    if _lang(config) != "en" and os.environ.get(DEFER):
        return  # the English build, which runs this one, waits for it with its own
    os.environ.pop(DEFER, None)
    if not enabled():
        log.info(f"PDF edition not printed: {ENABLE}=1 mkdocs build prints it")
        return
    start = time.monotonic()
    running = _wait_for_prints()
    copies = dict(_COPIES)
    _COPIES.clear()
    for future in running.values():
        future.result()  # the print's error, as the build's
    if running:
        took = ", ".join(f"{lang} in {future.result():.1f} s" for lang, future in running.items())
        log.info(f"PDF edition printed: {took} (the build waited {time.monotonic() - start:.1f} s at its end)")
    for cached, out in copies.values():
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, out)


on_post_build = CombinedEvent(_start_printing, _finish_printing)
