"""The interactive chi_1 explorer's HTML (signal-propagation page): a container, its data as embedded JSON and a
no-JavaScript fallback (the same sigma_w^2, q*, chi_1 grid as a table, then a notice).

The data come from derivation ``signal_explorer`` (its ``series_json`` value, computed by
``derivations.signal_propagation``); the labels from ``docsgen.labels`` (keys ``signal.*``). The script that draws it
is ``overrides/assets/javascripts/signal-explorer.js``. The outer ``gradient-explorer`` class only lends the gradient
explorer's styles (colours, focus outline, plot classes); that explorer's script ignores a container without its data.
"""

from __future__ import annotations

import html as _html
import json

from docsgen.labels import label

LABEL_KEYS = ("sw2", "depth", "x", "y", "readout", "ordered", "chaotic", "critical")


def html(series_json: str, lang: str, script: str) -> str:
    """The widget for ``lang``: the container, the data of ``series_json`` and every label as JSON, then its script
    (``script``: the URL of ``signal-explorer.js`` from the page; only the pages that show the widget load it), run
    where it stands so that the widget is drawn before what follows it (``docsgen.explorer.html``)."""
    data = json.loads(series_json)
    labels = {key: label(f"signal.{key}", lang) for key in LABEL_KEYS}
    payload = json.dumps({**data, "labels": labels}, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # never close the <script> element early
    fallback = _html.escape(label("signal.noscript", lang))
    # without JavaScript: the same numbers as a table, then the notice (which refers to the table "above")
    rows = "".join(
        f"<tr><td>{a}</td><td>{qs:.4f}</td><td>{ch:.4f}</td></tr>"
        for a, qs, ch in zip(data["sw2"], data["q_star"], data["chi1"], strict=True)
    )
    table = (
        f"<table><caption>tanh · σ_b² = {_html.escape(data['sb2'])}</caption>"
        f"<thead><tr><th>σ_w²</th><th>q*</th><th>χ₁</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return (
        f'<div class="gradient-explorer"><div class="signal-explorer" data-lang="{lang}">'
        f"<noscript>{table}<p>{fallback}</p></noscript></div>\n"
        f'<script type="application/json" class="signal-explorer-data">{payload}</script></div>'
        f'<script src="{script}"></script>'
    )
