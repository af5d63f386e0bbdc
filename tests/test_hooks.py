"""Unit checks of the build hooks' text transforms (the built site is checked in test_site and tests/browser)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import zlib
from pathlib import Path
from typing import ClassVar

import pytest
from mkdocs.exceptions import PluginError

from hooks import katex, notebooks, search, startup

from .conftest import ROOT


def test_notebook_math_marks_tex_in_text_but_not_in_code_or_scripts():
    html = (
        "<p>Let $\\lambda_1&lt;1$ and</p><p>$$\\sum_t x_t$$</p><pre>print('$5 and $6')</pre>"
        "<code>$x$</code><script>var a = '$y$';</script><div>\\(a\\) and \\[b\\]</div>"
    )
    out = notebooks.notebook_math(html)
    assert '<span class="arithmatex">\\(\\lambda_1&lt;1\\)</span>' in out
    assert '<span class="arithmatex">\\[\\sum_t x_t\\]</span>' in out
    assert "<pre>print('$5 and $6')</pre><code>$x$</code><script>var a = '$y$';</script>" in out
    assert '<span class="arithmatex">\\(a\\)</span> and <span class="arithmatex">\\[b\\]</span>' in out
    # what it marks is exactly what the page renderer picks up
    assert len(katex._MATH.findall(out)) == 4


def _png(width: int, height: int) -> str:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk).decode()


def test_inline_pngs_get_their_pixel_size():
    html = f'<img alt="plot" src="data:image/png;base64,{_png(690, 390)}"/>'
    out = notebooks._NB_PNG.sub(notebooks._png_size, html)
    assert out.startswith('<img width="690" height="390" alt="plot" src="data:image/png;base64,')
    assert notebooks._NB_PNG.sub(notebooks._png_size, out) == out  # sized images are left alone


def test_svg_plots_go_in_the_page_as_svg_named_by_their_texts():
    import io

    from docsgen.style import SVG_SAVE, WIDTH, legend_below, setup

    plt = setup("zh")
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 2.5))
    axes[0].semilogy([1, 2], [1, 10], label="稳定")
    axes[0].plot([1, 2], [2, 3], label="λ₁ = 0.9")
    axes[0].set(title="x = 5σ(x) + b", xlabel="偏置 $b$", ylabel=r"$|\partial E_{50}/\partial b|$")
    axes[1].set(xlabel="偏置 $b$")  # repeated: named once
    legend_below(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", **SVG_SAVE)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue().encode()).decode()
    img = f'<img alt="No description has been provided for this image" src="data:image/svg+xml;base64,{data}"/>'
    out = notebooks._NB_SVG.sub(lambda m: notebooks.inline_svg(m.group(1), "zh"), f"<div>{img}\n</div>")
    name = "图：x = 5σ(x) + b。坐标轴：偏置 b；|∂E_50/∂b|。图例：稳定；λ₁ = 0.9"
    assert out.startswith(f'<div><div class="figure-svg lab-plot"><svg role="img" aria-label="{name}" xmlns')
    assert out.endswith("</svg>\n</div>\n</div>") and out.count("<svg") == 1
    assert "<?xml" not in out and "<metadata" not in out and "<!--" not in out and "data:image/svg" not in out


def _material_asset(folder: str, pattern: str) -> Path:
    import material

    found = sorted((Path(material.__file__).parent / "templates/assets/javascripts" / folder).glob(pattern))
    assert len(found) == 1
    return found[0]


def _material_worker() -> Path:
    return _material_asset("workers", "search.*.min.js")


def test_search_worker_fixes_apply_to_the_pinned_material(tmp_path):
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    worker = workers / _material_worker().name
    shutil.copy(_material_worker(), worker)
    search.fix_search_worker(tmp_path)
    code = worker.read_text(encoding="utf-8")
    assert all(new in code and old not in code for old, new in search._WORKER_FIXES)
    search.fix_search_worker(tmp_path)  # a second build over the same files is a no-op
    assert worker.read_text(encoding="utf-8") == code


def test_search_worker_fixes_fail_loudly_when_material_changes(tmp_path):
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    (workers / "search.0000.min.js").write_text("function segment(){/* rewritten upstream */}", encoding="utf-8")
    with pytest.raises(PluginError, match="query handling changed"):
        search.fix_search_worker(tmp_path)


def test_start_up_fixes_apply_to_the_pinned_material(tmp_path):
    scripts = tmp_path / "assets" / "javascripts"
    scripts.mkdir(parents=True)
    bundle = scripts / _material_asset(".", "bundle.*.min.js").name
    shutil.copy(_material_asset(".", "bundle.*.min.js"), bundle)
    startup.fix_bundle(tmp_path)
    code = bundle.read_text(encoding="utf-8")
    assert all(new in code and old not in code for old, new in startup._BUNDLE_FIXES)
    assert "document.head.appendChild(r)" not in code and "document.head.appendChild(o)" not in code
    startup.fix_bundle(tmp_path)  # a second build over the same files is a no-op
    assert bundle.read_text(encoding="utf-8") == code


def test_start_up_fixes_fail_loudly_when_material_changes(tmp_path):
    scripts = tmp_path / "assets" / "javascripts"
    scripts.mkdir(parents=True)
    (scripts / "bundle.0000.min.js").write_text("function li(e){/* rewritten upstream */}", encoding="utf-8")
    with pytest.raises(PluginError, match="start-up changed"):
        startup.fix_bundle(tmp_path)


def test_tables_come_in_materials_wrapper_and_the_bundle_skips_them():
    """hooks/startup.py writes the wrapper Material's bundle adds at load (renderTable) around each table without a
    class, nested ones included, and the patched bundle mounts only tables that lack it."""
    wrap, end = startup._TABLE_WRAP
    html = '<p>a</p><table><tr><td><table id="t"><tr><td>1</td></tr></table></td></tr></table><table class="x"></table>'
    assert startup.wrap_tables(html) == (
        f'<p>a</p>{wrap}<table><tr><td>{wrap}<table id="t"><tr><td>1</td></tr></table>{end}</td></tr></table>{end}'
        '<table class="x"></table>'
    )
    assert startup.wrap_tables("<p>no table</p>") == "<p>no table</p>"
    code = _material_asset(".", "bundle.*.min.js").read_text(encoding="utf-8")
    assert 'x("div",{class:"md-typeset__scrollwrap"},x("div",{class:"md-typeset__table"},e))' in code
    skipped = dict(startup._BUNDLE_FIXES)['...M("table:not([class])",e).map(i=>ti(i)),']
    assert '":not(.md-typeset__table)>table:not([class])"' in skipped


def test_materials_bundle_is_loaded_after_the_first_frame_and_the_build_fails_without_it():
    src = "../assets/javascripts/bundle.0123abcd.min.js"
    page = f'<body><p>x</p><script src="{src}"></script><script src="../x.js" defer></script></body>'
    out = startup.load_after_first_paint(page)
    assert f'<script src="{src}">' not in out and f"s.src='{src}'" in out and "requestAnimationFrame" in out
    assert out.endswith('<script src="../x.js" defer></script></body>')
    with pytest.raises(PluginError, match="bundle once"):
        startup.load_after_first_paint("<body><p>Material's template changed</p></body>")


def test_the_search_index_is_written_as_utf8_with_the_same_content(tmp_path):
    index = tmp_path / "search" / "search_index.json"
    index.parent.mkdir()
    doc = {"location": "bptt/", "title": "随时间反向传播", "text": "梯度 σ′ < 1"}
    data = {"config": {"lang": ["zh"]}, "docs": [doc]}
    index.write_text(json.dumps(data), encoding="utf-8")
    search.index_as_utf8(tmp_path)
    raw = index.read_text(encoding="utf-8")
    assert "随时间反向传播" in raw and "\\u" not in raw and json.loads(raw) == data
    with pytest.raises(PluginError, match="no search index"):
        search.index_as_utf8(tmp_path / "elsewhere")


def test_math_and_notebook_code_are_kept_out_of_the_search_index():
    html = '<p>so <span class="arithmatex">\\(x^2\\)</span></p><div class="arithmatex">\\[y\\]</div>'
    marked = katex.on_page_content(html, None, None, None)
    assert marked.count("data-search-exclude") == 2
    assert len(katex._MATH.findall(marked)) == 2  # still rendered after being marked


def test_a_lab_is_indexed_by_its_prose_with_every_heading():
    from material.plugins.search.plugin import Parser

    def cell(kind: str, inner: str) -> str:
        return f'<div class="jp-Cell jp-{kind}Cell"><div class="jp-InputArea">{inner}</div></div>'

    markdown = '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown" data-mime-type="text/markdown">{}</div>'
    page = (
        cell("Markdown", markdown.format('<h1 id="lab">Lab</h1><p class="lab-download">Get</p><p>Intro</p>'))
        + cell("Code", '<div class="jp-InputPrompt">In [1]:</div><pre>import torch</pre>')
        + '<div class="jp-OutputArea"><pre>1.5</pre></div>'
        + cell("Markdown", markdown.format("<p>More</p>"))
        + cell("Markdown", markdown.format('<h2 id="two">Two</h2><p>Second</p>'))
    )

    def sections(html: str) -> list[tuple[str, str]]:
        parser = Parser()
        parser.feed(html)
        parser.close()
        return [("".join(s.title).strip(), "".join(s.text).strip()) for s in parser.data]

    assert sections(notebooks.search_view(page)) == [("Lab", "<p>Intro</p> <p>More</p>"), ("Two", "<p>Second</p>")]
    # what Material's indexer makes of the page itself: "More" and the code filed under no heading
    assert sections(page)[0] == ("", "In [1]:<pre>import torch</pre><pre>1.5</pre><p>More</p>")


def test_the_english_search_splits_words_at_punctuation():
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    separator = next(p["search"]["separator"] for p in config["plugins"] if isinstance(p, dict) and "search" in p)
    words = [w for w in re.split(separator, "Vanishing gradients, derived (BPTT): e.g. 1.5") if w]
    assert words == ["Vanishing", "gradients", "derived", "BPTT", "e", "g", "1.5"]


def test_the_download_link_goes_under_the_title():
    out = notebooks.download_link("<h1>Lab</h1><p>text</p>", "bptt.ipynb", "zh")
    assert out.startswith('<h1>Lab</h1><p class="lab-download"><a class="md-button" href="bptt.ipynb" download>')
    assert "下载" in out


def test_notebook_interface_text_is_in_the_page_language():
    html = (
        '<clipboard-copy aria-label="Copy to Clipboard"><span class="notice" hidden="">Copied!</span></clipboard-copy>'
        '<img alt="No description has been provided for this image">'
    )
    zh = notebooks.localise_chrome(html, "zh")
    assert "复制到剪贴板" in zh and "已复制" in zh and "上方代码单元格输出的图" in zh
    assert "Cop" not in zh and "No description" not in zh


def test_a_numbered_formula_gets_its_anchor_before_links_are_checked():
    class Page:
        present_anchor_ids: ClassVar[set[str]] = set()

    html = '<div class="arithmatex">\\[\n%anchor:eq-bound\nx \\tag{1}\n\\]</div>'
    out = katex.on_page_content(html, Page, None, None)
    assert '<div class="arithmatex" data-search-exclude id="eq-bound">\\[\nx \\tag{1}' in out
    assert Page.present_anchor_ids == {"eq-bound"}
    assert katex._MATH.search(out).group("id") == ' id="eq-bound"'


def test_a_deferred_formula_keeps_its_mathml_and_puts_its_layout_in_a_template():
    mathml = '<span class="katex-mathml"><math><mi>x</mi></math></span>'
    layout = '<span class="katex-html" aria-hidden="true"><span class="base"><span class="mord">x</span></span></span>'
    inline = f'<span class="katex">{mathml}{layout}</span>'
    assert katex.defer_layout(inline, display=False) == (
        f'<span class="katex katex-pending">{mathml}<template class="katex-lazy">{layout}</template></span>'
    )
    display = f'<span class="katex-display">{inline}</span>'
    assert katex.defer_layout(display, display=True) == (
        f'<span class="katex-display"><span class="katex katex-pending">{mathml}'
        f'<template class="katex-lazy">{layout}</template></span></span>'
    )


def test_notebook_kernels_are_configured_for_ipc_transport():
    """nbconvert's app, as mkdocs-jupyter builds it, gives its kernel manager IPC sockets at an absolute path."""
    import os

    from nbconvert.nbconvertapp import NbConvertApp

    from hooks.notebook_worker import ipc_kernels

    before = os.environ.get("JUPYTER_CONFIG_PATH")
    with ipc_kernels():
        app = NbConvertApp()
        app.load_config_file()
        assert app.config.KernelManager.transport == "ipc"
        assert os.path.isabs(app.config.KernelManager.ip)
    assert os.environ.get("JUPYTER_CONFIG_PATH") == before
