"""Material's start-up without restyling the whole page and after the first paint: patch its built bundle
(``_BUNDLE_FIXES``) so that its start-up does not invalidate the style of every element, which on a math or lab page
(10-20 thousand elements) cost 70-140 ms of main-thread time on a laptop, about four times that on a phone, and
load it only once the page has been drawn.

Traced in Chromium with invalidation tracking, Material 9.8.1's bundle restyled the whole document (or the whole
article) at start-up for four reasons, each removed here or in the templates:

- It adds ``<meta name="theme-color">`` and ``<meta name="color-scheme">`` to the head. Chromium treats either
  insertion (and each change of its content) as a change of the platform colours and restyles everything. The
  bundle here no longer inserts them: the page carries a static theme colour (``overrides/main.html``; the header's
  colour, the same in both schemes, which a browser test compares), and ``extra.css`` gives the viewport the
  palette's colour scheme (``:root:has(> body[data-md-color-scheme=slate])``), also without JavaScript.
- It marks ``<body>`` with ``data-md-color-switching`` while it applies the palette, which the stylesheet's
  ``[data-md-color-switching] *`` rule (no transitions during a switch) turns into a restyle of every element. The
  palette it applies at start-up is the one the page was drawn with, so the bundle here marks only later switches.
- It wraps each table without a class in two ``div``s (a scroll container) once the page has loaded. An element
  inserted into the article invalidates the style of all of the article's blocks (Chromium: the block rules of
  ``extra.css`` and of its own MathML stylesheet are positional, ``:nth-child``), 2-3 thousand elements on a page
  with tables. ``wrap_tables`` here writes the same wrapper at build time, and the bundle wraps only the tables
  that still lack it.
- It swaps ``<html>``'s classes (``no-js`` to ``js``, and ``js-focus-visible`` with ``data-js-focus-visible`` from
  its focus-visible polyfill); since Material's stylesheet has selectors on ``:not([class])``, any class change on
  ``<html>`` invalidates every descendant. ``overrides/main.html`` sets them before anything is styled, so the
  bundle's own calls change nothing.

If Material's code changes, the build fails here rather than shipping a patch that no longer applies.

The bundle is loaded only after the page's first frame (``load_after_first_paint``). Deferred, it could still run
before that frame when the parser finished first: Chromium then ran the deferred scripts and ``DOMContentLoaded``
before painting, so the first paint waited for the bundle's start-up (about 80-130 ms on a laptop, four times that
on Lighthouse's phone) and Lighthouse counted the search index it requests as well (``zh/gru/``: 4 runs in 21 scored
89-92; where the largest paint was recorded, it came at 3.1-3.3 s instead of 2.0 s). The bundle needs the parsed
document, so the loader inserts it after ``DOMContentLoaded``, in a task after the next animation frame, and the
bundle starts at once when the document is no longer loading (it waited for ``DOMContentLoaded``, which has then
passed). On a first visit the page takes the system's palette before it is drawn
(``overrides/partials/javascripts/palette.html``), as the bundle would later. Scripts of ours that need Material
(none today) would use its ``document$``; browser tests wait for it. The print view keeps Material's own script tag:
the print-site plugin writes it after the page hooks have run.

Its code blocks are mounted lazily (``content.lazy`` in ``mkdocs.base.yml``, a flag the bundle reads but
Material's documentation does not list; the start-up trace test fails if it stops working). Otherwise the bundle
measures every code block at start-up, and one inside a closed ``<details>`` (a folded solution, "cite this page")
has no width, so it reads the width of each ancestor in turn, forcing Chromium to lay out that hidden content: 93 ms
for one solution of ``bptt/``.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

# The wrapper Material's bundle puts around a table without a class (its function for it, unminified: renderTable).
_TABLE_WRAP = ('<div class="md-typeset__scrollwrap"><div class="md-typeset__table">', "</div></div>")
_TABLE_TAG = re.compile(r"<(/?)table\b([^>]*)>")

_BUNDLE_TAG = re.compile(r'<script src="([^"]*/bundle\.[0-9a-f]+\.min\.js)"></script>')
# A hidden page draws no frames (a tab opened in the background): it loads the bundle at once.
_LOADER = (
    "<script>(function(){{function load(){{var s=document.createElement('script');s.src='{src}';"
    "document.body.appendChild(s)}}function next(){{(document.hidden?setTimeout:requestAnimationFrame)("
    "function(){{setTimeout(load)}})}}document.readyState==='loading'?"
    "document.addEventListener('DOMContentLoaded',next,{{once:true}}):next()}})()</script>"
)

_BUNDLE_FIXES = (
    ('r=x("meta",{name:"theme-color"});document.head.appendChild(r);', 'r=x("meta",{name:"theme-color"});'),
    ('let o=x("meta",{name:"color-scheme"});document.head.appendChild(o);', 'let o=x("meta",{name:"color-scheme"});'),
    (
        'if(document.body.setAttribute("data-md-color-switching",""),',
        'if(window.__gradientsPalette?document.body.setAttribute("data-md-color-switching",""):'
        "window.__gradientsPalette=!0,",
    ),
    (
        'h(document,"DOMContentLoaded",{once:!0}).subscribe(()=>e.next(document)),e}',
        'document.readyState==="loading"?h(document,"DOMContentLoaded",{once:!0}).subscribe(()=>e.next(document))'
        ":e.next(document),e}",
    ),
    (
        '...M("table:not([class])",e).map(i=>ti(i)),',
        '...M(":not(.md-typeset__table)>table:not([class])",e).map(i=>ti(i)),',
    ),
)


def wrap_tables(html: str) -> str:
    """Each ``<table>`` without a class attribute, wrapped as Material's bundle would wrap it at load."""
    out, opened, last = [], [], 0
    for m in _TABLE_TAG.finditer(html):
        closing, attrs = m.group(1) == "/", m.group(2)
        if not closing:
            wrap = re.search(r"\bclass\s*=", attrs) is None
            opened.append(wrap)
            if wrap:
                out += [html[last : m.start()], _TABLE_WRAP[0]]
                last = m.start()
        elif opened and opened.pop():
            out += [html[last : m.end()], _TABLE_WRAP[1]]
            last = m.end()
    return "".join(out) + html[last:]


def _with_loader(html: str) -> tuple[str, int]:
    """``html`` with each tag loading Material's bundle replaced by the loader, and how many there were."""
    return _BUNDLE_TAG.subn(lambda m: _LOADER.format(src=m.group(1)), html)


def load_after_first_paint(html: str) -> str:
    """The page with Material's bundle loaded by a script that inserts it after the first frame (see the module)."""
    out, found = _with_loader(html)
    if found != 1:
        raise PluginError(f"expected Material's bundle once in the page, found {found}: review hooks/startup.py")
    return out


def fix_bundle(site_dir: Path) -> None:
    """Patch Material's bundle so that its start-up leaves the page's style as it was (see ``_BUNDLE_FIXES``)."""
    from hooks.material_assets import patch  # by package name: hooks/checkout.py has put the checkout on sys.path

    changed = "Material's start-up changed; review _BUNDLE_FIXES in hooks/startup.py"
    patch(site_dir / "assets" / "javascripts", "bundle.*.min.js", _BUNDLE_FIXES, "bundle", changed)


def on_page_content(html, page, config, files):
    return wrap_tables(html)


def on_post_page(output, page, config):
    return load_after_first_paint(output)


def on_post_template(output_content, template_name, config):
    return _with_loader(output_content)[0]  # the 404 page; other templates (sitemap.xml) hold no bundle


def on_post_build(config):
    fix_bundle(Path(config.site_dir))
