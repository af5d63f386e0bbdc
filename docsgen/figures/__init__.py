"""Figures of the site: one module per topic, each figure a function ``draw(lang) -> matplotlib Figure`` registered
with ``@figure("id")``. Data come from the topic's ``figure_data_*`` functions in ``derivations``; every label comes
from ``docsgen.labels`` (key ``fig.<id>.*``), so the two languages differ only in their labels.
"""

from __future__ import annotations

from collections.abc import Callable

from docsgen import labels, style

_FIGURES: dict[str, Callable] = {}


def figure(fig_id: str) -> Callable[[Callable], Callable]:
    """Decorator registering ``draw(lang)`` as the figure ``fig_id`` (alt text: label ``fig.<id>.alt``)."""

    def register(draw: Callable) -> Callable:
        if fig_id in _FIGURES and _FIGURES[fig_id] is not draw:
            raise ValueError(f"figure {fig_id!r} registered twice")
        _FIGURES[fig_id] = draw
        return draw

    return register


def render(fig_id: str, lang: str) -> str:
    """The figure ``fig_id`` drawn with ``lang`` labels, as deterministic inline SVG wrapped for the page."""
    if fig_id not in _FIGURES:
        raise KeyError(f"figure {fig_id!r} is not registered: import its module (docsgen/figures/<topic>.py) first")
    style.setup(lang)
    return style.svg(_FIGURES[fig_id](lang), labels.label(f"fig.{fig_id}.alt", lang))
