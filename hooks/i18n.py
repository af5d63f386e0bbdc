"""Two languages, one site: every page's language switch lands on the same page in the other language, and the
English build builds the Chinese site (``mkdocs.zh.yml``) into ``<site_dir>/zh`` right after itself, so one
``mkdocs build`` produces the whole site. (mkdocs-static-i18n cannot be used: it does not compose with
mkdocs-jupyter, upstream static-i18n #198.)
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.i18n")

ROOT = Path(__file__).resolve().parent.parent
LANGS = {"en": "", "zh": "zh/"}  # language -> prefix of its pages under the site root


def _lang(config) -> str:
    return config.extra.get("site_lang", "en")


def alternate_href(here: str, target: str) -> str:
    """Relative link from the page at site path ``here`` to the site path ``target`` (both like 'zh/bptt/')."""
    cur_dir = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    rel = posixpath.relpath(target.rstrip("/") or ".", cur_dir.rstrip("/") or ".")
    return rel + "/" if (target.endswith("/") or not target) and rel != "." else ("./" if rel == "." else rel)


def on_page_context(context, page, config, nav):
    here = LANGS[_lang(config)] + page.url
    links = []
    for alt in config.extra["alternate"]:
        other = alt["lang"]
        if (ROOT / "docs" / other / page.file.src_uri).is_file():
            target = LANGS[other] + page.url
        else:
            log.warning(f"{page.file.src_uri} has no counterpart in docs/{other}/")
            target = LANGS[other]
        links.append({**alt, "href": alternate_href(here, target)})
    context["alternate_links"] = links
    # Both languages keep the reader's settings (colour scheme) under one scope, the English site's root.
    config.extra["scope"] = (
        posixpath.normpath(posixpath.join(context["base_url"], "..")) + "/"
        if here.startswith("zh/")
        else context["base_url"]
    )
    return context


def on_page_content(html: str, page, config, files) -> str:
    """Markdown's heading permalinks are titled in English by the toc extension: title them in the page's language."""
    if _lang(config) == "zh":
        html = html.replace('title="Permanent link"', 'title="本节链接"')
    return html


def site_root(config) -> str:
    """Path of the English site's root on the server, from site_url (the Chinese site is ``<root>zh/``)."""
    path = urlsplit(config.site_url or "/").path
    prefix = LANGS[_lang(config)]
    return path[: -len(prefix)] if prefix and path.endswith(prefix) else path


def on_template_context(context, template_name, config):
    if template_name == "404.html":  # served at any depth, with links absolute to site_url's path: one scope
        from docsgen.labels import label

        config.extra["scope"] = site_root(config)
        config.extra["site_root"] = site_root(config)
        config.extra["not_found_title"] = label("404.title", _lang(config))
        config.extra["not_found_text"] = label("404.text", _lang(config))
    return context


@event_priority(-20)  # after every other hook's and plugin's (the print view finished, its PDF being printed)
def on_post_build(config):
    if _lang(config) != "en":
        return
    zh = load_config(str(ROOT / "mkdocs.zh.yml"), site_dir=str(Path(config.site_dir) / "zh"), strict=config.strict)
    build(zh)
