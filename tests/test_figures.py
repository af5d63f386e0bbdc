"""Figures (docsgen.figures): Chinese labels render with a real CJK font (no tofu boxes), every figure has its
labels in both languages, the SVG output is deterministic, and its text is large enough to read on a phone."""

from __future__ import annotations

import importlib
import re
import warnings

import pytest

from docsgen import deps, figures, style
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
    assert re.match(r'<div class="figure-svg" data-min-font-pt="[\d.]+"><svg role="img" aria-label="', svg)


@pytest.mark.parametrize("fig_id", FIGURES)
def test_figure_labels_exist_in_both_languages(fig_id):
    keys = [k for k in LABELS if k.startswith(f"fig.{fig_id}.")]
    assert f"fig.{fig_id}.alt" in keys
    for k in keys:
        assert LABELS[k]["en"] and LABELS[k]["zh"], k


def test_figures_are_deterministic():
    assert render("activation_curves", "en") == render("activation_curves", "en")


# Text drawn as paths: each line of text is a group ``translate(...) [rotate(...)] scale(s -s)`` whose glyphs are drawn
# at 100 units per em (Matplotlib's FONT_SCALE), so its font size is 100 s pt.
GLYPH_GROUP = re.compile(r'<g transform="translate\([^)]*\)(?: rotate\([^)]*\))? scale\(([\d.]+) -\1\)">')


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fig_id", FIGURES)
def test_figure_text_is_readable_in_a_phone_column(fig_id, lang):
    """Shown across a 390 px phone's column, no text of the figure is under MIN_PHONE_PX CSS px (the browser test
    measures the same on the built pages). The SVG is the one the pages show: the build's, from docsgen.cache (keyed
    on the code it depends on; drawn here if the build has not run)."""
    from docsgen.cache import figure_svg

    svg = figure_svg(fig_id, lang)
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    sizes = [100 * float(s) for s in GLYPH_GROUP.findall(svg)]
    assert len(sizes) >= 3, "no text found in the SVG"
    assert min(sizes) == pytest.approx(float(re.search(r'data-min-font-pt="([\d.]+)"', svg).group(1)), abs=0.01)
    phone_px = min(sizes) * style.PHONE_COLUMN_PX / view_width
    assert phone_px >= style.MIN_PHONE_PX, f"smallest text {phone_px:.1f} CSS px on a phone"


def test_wrap_breaks_between_words_and_chinese_characters_but_never_inside_a_formula():
    style.setup("zh")
    title = r"tanh RNN: $\log_{10}\|\partial h_T/\partial h_0\|_2$ against $\lambda_1$ and $T$ for sixty steps"
    lines = style.wrap(title, width_pt=120).split("\n")
    assert len(lines) > 1 and " ".join(lines) == title
    assert all(line.count("$") % 2 == 0 for line in lines)
    zh = "从 T = 100 反向的梯度范数（H = 32，PyTorch 默认初始化，随机种子 0）"
    lines = style.wrap(zh, width_pt=120).split("\n")
    assert len(lines) > 1 and all(not line.startswith(("，", "）")) for line in lines)
    assert "".join(lines).replace(" ", "") == zh.replace(" ", "")


def test_two_figures_on_one_page_share_no_id_and_bring_no_style():
    """page_svg: no <style> (it would style the whole page), unreferenced ids dropped, the rest unique per figure and
    every reference still resolving inside its own figure."""
    pages = [render("activation_curves", "en"), render("activation_curves", "zh")]
    ids = [re.findall(r' id="([^"]+)"', svg) for svg in pages]
    assert ids[0] and ids[1] and not set(ids[0]) & set(ids[1])
    for svg, own in zip(pages, ids, strict=True):
        assert "<style" not in svg and "<metadata" not in svg and "<?xml" not in svg
        assert len(own) == len(set(own))
        assert set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg)) == set(own)
    with pytest.raises(ValueError, match="<style> changed"):
        style.page_svg('<svg><style type="text/css">*{stroke-linejoin: miter}</style></svg>')


def test_the_heat_map_centres_each_cell_on_its_grid_value():
    """One cell per computed (λ₁, T), drawn as computed (no smoothing) and centred on its grid value: the cells of the
    first and last rows sit at the first and last λ₁, the first and last columns at T = 1 and T = steps."""
    from derivations.spectral import figure_data_heatmap
    from docsgen.figures.spectral import heatmap

    fig = heatmap("en")
    image = fig.axes[0].images[0]
    left, right, bottom, top = image.get_extent()
    d = figure_data_heatmap()
    rows, cols = image.get_array().shape
    assert image.get_interpolation() == "nearest"
    assert bottom + (top - bottom) / (2 * rows) == pytest.approx(d["lambdas"][0])
    assert top - (top - bottom) / (2 * rows) == pytest.approx(d["lambdas"][-1])
    assert left + (right - left) / (2 * cols) == pytest.approx(d["T"][0])
    assert right - (right - left) / (2 * cols) == pytest.approx(d["T"][-1])
