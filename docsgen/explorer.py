"""The interactive gradient explorer's HTML: a container, its data as embedded JSON and a no-JavaScript fallback.

The curves come from derivation ``explorer_bound`` (its ``series_json`` value, computed by ``derivations.explorer``);
the labels the widget shows come from ``docsgen.labels`` (keys ``explorer.*``). The script that draws it is
``overrides/assets/javascripts/gradient-explorer.js``.
"""

from __future__ import annotations

import html as _html
import json

from docsgen.labels import label

LABEL_KEYS = ("activation", "lambda", "x", "y", "measured", "bound", "legend", "readout", "below")


def html(series_json: str, lang: str, script: str) -> str:
    """The widget for ``lang``: the container, the data of ``series_json`` and every label as JSON, then its script
    (``script``: the URL of ``gradient-explorer.js`` from the page; only the pages that show the widget load it). The
    script runs where it stands, not deferred: the widget is drawn before what follows it is, so nothing below it
    moves when it appears (it moved by up to 0.11 of the screen on a phone)."""
    data = json.loads(series_json)
    labels = {key: label(f"explorer.{key}", lang) for key in LABEL_KEYS}
    labels["acts"] = {act: label(f"explorer.act.{act}", lang) for act in data["series"]}
    payload = json.dumps({**data, "labels": labels}, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # never close the <script> element early
    fallback = _html.escape(label("explorer.noscript", lang))
    return (
        f'<div class="gradient-explorer" data-lang="{lang}"><noscript>{fallback}</noscript></div>\n'
        f'<script type="application/json" class="gradient-explorer-data">{payload}</script>'
        f'<script src="{script}"></script>'
    )
