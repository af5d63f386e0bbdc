"""Figures (docsgen.figures): Chinese labels render with a real CJK font (no tofu boxes), every figure has its
labels in both languages, and the SVG output is deterministic."""

from __future__ import annotations

import importlib
import warnings

import pytest

from docsgen import deps, figures
from docsgen.labels import LABELS
from docsgen.style import cjk_font

FIGURES = sorted(deps.registered("figure"))  # every figure of the site, found as the build finds them


def render(fig_id: str, lang: str) -> str:
    importlib.import_module(deps.registered("figure")[fig_id])
    return figures.render(fig_id, lang)


def test_a_cjk_font_is_installed():
    assert cjk_font() is not None, "install a CJK font (Debian: apt-get install fonts-noto-cjk)"


@pytest.mark.parametrize("fig_id", FIGURES)
def test_chinese_figure_has_no_missing_glyphs(fig_id):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = render(fig_id, "zh")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message).lower()]
    assert not missing, missing
    assert svg.startswith('<div class="figure-svg"><svg role="img" aria-label="')


@pytest.mark.parametrize("fig_id", FIGURES)
def test_figure_labels_exist_in_both_languages(fig_id):
    keys = [k for k in LABELS if k.startswith(f"fig.{fig_id}.")]
    assert f"fig.{fig_id}.alt" in keys
    for k in keys:
        assert LABELS[k]["en"] and LABELS[k]["zh"], k


def test_figures_are_deterministic():
    assert render("activation_curves", "en") == render("activation_curves", "en")
