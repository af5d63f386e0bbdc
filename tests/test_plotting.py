"""Figures: Chinese labels render with a real CJK font (no tofu boxes), and the SVG output is deterministic."""

from __future__ import annotations

import warnings

from derivations.plotting import activation_figure, cjk_font
from derivations.render import figure


def test_a_cjk_font_is_installed():
    assert cjk_font() is not None, "install a CJK font (Debian: apt-get install fonts-noto-cjk)"


def test_chinese_figure_has_no_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = figure(activation_figure("zh"), "图")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message).lower()]
    assert not missing, missing
    assert svg.startswith('<div class="figure-svg"><svg')


def test_figures_are_deterministic():
    assert figure(activation_figure("en"), "a") == figure(activation_figure("en"), "a")
