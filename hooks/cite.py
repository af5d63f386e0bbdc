""" "Cite this page" on every page of both languages: a folded block after the content (overrides/partials/cite.html)
with a BibTeX entry and a plain-text citation (docsgen/cite.py) of the page's canonical URL and the latest edition
(docsgen/editions.py), each copyable with Material's code-copy button.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from docsgen import cite, editions
from docsgen.labels import label


def on_page_context(context, page, config, nav):
    if not page.canonical_url:
        raise PluginError("site_url is not set: 'cite this page' needs each page's canonical URL (mkdocs.base.yml)")
    lang = config.extra.get("site_lang", "en")
    c = cite.citation(
        lang=lang,
        src_uri=page.file.src_uri,
        title=None if page.is_homepage else page.title,
        site=config.site_name,
        url=page.canonical_url,
    )
    href = get_relative_url("changelog/", page.url or ".")
    when = editions.latest()[1]
    context["cite"] = {
        **c,
        "summary": label("cite.summary", lang),
        "bibtex_label": label("cite.bibtex", lang),
        "text_label": label("cite.text", lang),
        "lead": label("cite.lead", lang).format(edition=c["edition"], href=href),
        "note": label("cite.note", lang).format(date=when),
    }
    return context
