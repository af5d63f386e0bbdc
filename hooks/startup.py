"""Material's start-up without restyling the whole page: patch its built bundle (``_BUNDLE_FIXES``) so that the
first script task of every page does not invalidate the style of every element, which on a math or lab page
(10-20 thousand elements) cost 70-140 ms of main-thread time on a laptop, about four times that on a phone.

Traced in Chromium with invalidation tracking, Material 9.8.1's bundle restyled the whole document at start-up for
three reasons, each removed here or in the templates:

- It adds ``<meta name="theme-color">`` and ``<meta name="color-scheme">`` to the head. Chromium treats either
  insertion (and each change of its content) as a change of the platform colours and restyles everything. The
  bundle here no longer inserts them: the page carries a static theme colour (``overrides/main.html``; the header's
  colour, the same in both schemes, which a browser test compares), and ``extra.css`` gives the viewport the
  palette's colour scheme (``:root:has(> body[data-md-color-scheme=slate])``), also without JavaScript.
- It marks ``<body>`` with ``data-md-color-switching`` while it applies the palette, which the stylesheet's
  ``[data-md-color-switching] *`` rule (no transitions during a switch) turns into a restyle of every element. The
  palette it applies at start-up is the one the page was drawn with, so the bundle here marks only later switches.
- It swaps ``<html>``'s classes (``no-js`` to ``js``, and ``js-focus-visible`` with ``data-js-focus-visible`` from
  its focus-visible polyfill); since Material's stylesheet has selectors on ``:not([class])``, any class change on
  ``<html>`` invalidates every descendant. ``overrides/main.html`` sets them before anything is styled, so the
  bundle's own calls change nothing.

If Material's code changes, the build fails here rather than shipping a patch that no longer applies.
"""

from __future__ import annotations

from pathlib import Path

_BUNDLE_FIXES = (
    ('r=x("meta",{name:"theme-color"});document.head.appendChild(r);', 'r=x("meta",{name:"theme-color"});'),
    ('let o=x("meta",{name:"color-scheme"});document.head.appendChild(o);', 'let o=x("meta",{name:"color-scheme"});'),
    (
        'if(document.body.setAttribute("data-md-color-switching",""),',
        'if(window.__gradientsPalette?document.body.setAttribute("data-md-color-switching",""):'
        "window.__gradientsPalette=!0,",
    ),
)


def fix_bundle(site_dir: Path) -> None:
    """Patch Material's bundle so that its start-up leaves the page's style as it was (see ``_BUNDLE_FIXES``)."""
    from hooks.material_assets import patch  # by package name: hooks/checkout.py has put the checkout on sys.path

    changed = "Material's start-up changed; review _BUNDLE_FIXES in hooks/startup.py"
    patch(site_dir / "assets" / "javascripts", "bundle.*.min.js", _BUNDLE_FIXES, "bundle", changed)


def on_post_build(config):
    fix_bundle(Path(config.site_dir))
