"""The print view: every page of one language on one page (``print_page/``), in navigation order, labs included,
made by mkdocs-print-site-plugin and finished here like every other page, so that ``hooks/pdf.py`` can print it.

The plugin writes the print view in its ``on_post_build`` from each page's HTML and a theme template, so the
per-page hooks that run later do not reach it. Here:

- Its title, table of contents and cover speak the build's language (``docsgen/labels.py``).
- It collects each page's HTML after every hook has finished it (headings ids of the Chinese labs, permalink
  titles), not as the plugin sees it before our hooks.
- Every id of a page gets the page's prefix, not only the headings' (the plugin prefixes h1-h6, sup and li only,
  while it rewrites every link): exercise anchors, code lines and citations then resolve inside the document.
  Ids inside inline SVG figures stay as they are (their own ``url(#…)`` and ``xlink:href`` refer to them).
- The plugin's stylesheets and script are removed from every other page (only the print view uses them).
- Math is rendered by ``hooks/katex.py`` as on every page, every layout in place (no deferred ones); nbconvert's
  inline JupyterLab styles are replaced by the labs' trimmed stylesheets; folded hints, solutions and wrong answers
  (``<details>``) are printed open; the language switch leads to the other language's print view.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.print_view")

PLUGIN = "print-site"
LANG_PREFIX = {"en": "", "zh": "zh/"}  # as in hooks/i18n.py
_PAGE_START = re.compile(r'<section class="print-page" id="([^"]+)" heading-number="[^"]*">')


def _lang(config) -> str:
    return config.extra.get("site_lang", "en")


def _plugin(config):
    plugin = config.plugins.get(PLUGIN)
    if plugin is None:
        raise PluginError(f"the {PLUGIN} plugin is not configured: hooks/print_view.py finishes its page")
    return plugin


_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_ID = re.compile(r"""(<[a-zA-Z][\w:-]*(?:[^>"']|"[^"]*"|'[^']*')*?\sid=")([^"]*)(")""")


def prefix_ids(page_html: str, page_key: str) -> str:
    """Every ``id`` of a page's HTML, outside inline SVG, prefixed with ``<page_key>-`` (what the plugin makes of
    every ``#anchor`` and ``page/#anchor`` link)."""

    def ids(text: str) -> str:
        return _ID.sub(lambda m: f"{m.group(1)}{page_key}-{m.group(2)}{m.group(3)}", text)

    out, last = [], 0
    for m in _SVG.finditer(page_html):
        out += [ids(page_html[last : m.start()]), m.group(0)]
        last = m.end()
    out.append(ids(page_html[last:]))
    return "".join(out)


def _prefix_every_id() -> None:
    """Make the plugin prefix every id of a page (see the module's docstring); a build error if its internals move."""
    from mkdocs_print_site_plugin import urls

    if not callable(getattr(urls, "update_anchor_ids", None)) or not callable(getattr(urls, "fix_href_links", None)):
        raise PluginError("mkdocs-print-site-plugin has no urls.update_anchor_ids any more: review hooks/print_view.py")
    urls.update_anchor_ids = prefix_ids


@event_priority(100)  # before the plugin's on_config, which reads the titles
def on_config(config):
    from docsgen.labels import label

    lang = _lang(config)
    plugin = _plugin(config)
    plugin.config["print_page_title"] = label("print.title", lang)
    plugin.config["toc_title"] = label("print.toc", lang)
    config.extra["print_labels"] = {k: label(f"print.{k}", lang) for k in ("cover", "online", "licence")}
    _prefix_every_id()
    return config


@event_priority(-100)  # after every other hook has finished the page's HTML
def on_page_content(html: str, page, config, files) -> str:
    page.html = html  # what the plugin combines into the print view
    return html


# The plugin links its stylesheets and script from every page, but only the print view uses them: elsewhere they
# would be three more render-blocking requests.
_PRINT_ASSETS = re.compile(
    r'<link rel="stylesheet" href="(?:\.\./)*css/print-site(?:-material)?\.css">'
    r'|<script src="(?:\.\./)*js/print-site\.js"></script>'
)


@event_priority(-100)
def on_post_page(output: str, page, config) -> str:
    """A page of the site (not the print view, which the plugin writes after the pages): without the plugin's assets."""
    return _PRINT_ASSETS.sub("", output)


def on_post_template(output_content: str, template_name: str, config) -> str:
    """The same for the 404 page."""
    return _PRINT_ASSETS.sub("", output_content) if template_name == "404.html" else output_content


_DETAILS = re.compile(r"<details\b(?![^>]*\sopen\b)")
# nbconvert's inline stylesheets (hooks/notebooks.py), not the short ones of inline SVG figures
_NB_STYLE = re.compile(r'<style type="text/css">(?:(?!</style>).){2000,}</style>', re.S)
_NB_SHEET = re.compile(r'href="(?:\.\./)*(assets/stylesheets/notebook-[0-9a-f]{12}\.css)"')
_SWITCH = re.compile(r'href="[^"]*"(?= hreflang="(\w+)" lang="\w+" class="md-select__link" data-lang-switch=)')


def _lab_stylesheets(config, nav) -> list[str]:
    """The trimmed stylesheets (hooks/notebooks.py) that the built lab pages link, site-relative."""
    sheets: list[str] = []
    for page in nav.pages:
        if page.file.src_uri.endswith(".ipynb"):
            built = Path(page.file.abs_dest_path).read_text(encoding="utf-8")
            sheets += [s for s in _NB_SHEET.findall(built) if s not in sheets]
    return sheets


_TOC_TITLE = re.compile(r"<h1 class='print-page-toc-title'>.*?</h1>", re.S)  # the plugin's, in its empty nav


def toc_html(items) -> str:
    """Nested lists of links to the print view's pages and sections (its ``page.toc``)."""
    from html import escape

    if not items:
        return ""
    rows = "".join(f'<li><a href="#{item.id}">{escape(item.title)}</a>{toc_html(item.children)}</li>' for item in items)
    return f'<ul class="print-site-toc">{rows}</ul>'


def finish(html: str, config, print_page, lab_sheets: list[str]) -> str:
    """The plugin's print view, finished: math rendered, lab styles shared, hints and solutions open, the language
    switch to the other print view."""
    katex = config.plugins.get("hooks/katex.py")
    if katex is None:
        raise PluginError("hooks/katex.py is not loaded: the print view's math would stay TeX")
    html = katex.render_math(html, print_page, lazy=False)  # every layout in place: printed without scripts
    if _NB_STYLE.search(html):
        links = "".join(f'<link rel="stylesheet" href="../{s}">' for s in lab_sheets)
        html = _NB_STYLE.sub("", html).replace("</head>", links + "</head>", 1)
    html = _DETAILS.sub("<details open", html)
    # the table of contents in the page itself, not filled in by the plugin's script (the PDF is printed without
    # scripts: the interactive figures print their static text)
    html, found = _TOC_TITLE.subn(lambda m: m.group(0) + toc_html(print_page.toc.items), html, count=1)
    if not found:
        raise PluginError("the print view has no table of contents: review hooks/print_view.py")
    html = html.replace("generate_toc();", "")
    here = LANG_PREFIX[_lang(config)] + "print_page/"
    up = "../" * here.count("/")
    html = _SWITCH.sub(lambda m: f'href="{up}{LANG_PREFIX[m.group(1)]}print_page/"', html)
    return html


_NAV = {}


def on_nav(nav, config, files):
    _NAV["nav"] = nav
    return nav


def on_post_build(config):
    plugin = _plugin(config)
    path = Path(plugin.print_page.file.abs_dest_path)
    if not path.is_file():
        raise PluginError(f"{PLUGIN} wrote no print view at {path}")
    html = finish(path.read_text(encoding="utf-8"), config, plugin.print_page, _lab_stylesheets(config, _NAV["nav"]))
    path.write_text(html, encoding="utf-8")
