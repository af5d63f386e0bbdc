"""Notebook (lab) pages, as mkdocs-jupyter renders them with nbconvert, made to behave like every other page.

- Drop nbconvert's CDN scripts (MathJax 2, Mermaid): no request leaves the site.
- Mark notebook TeX up like arithmatex's, so ``hooks/katex.py`` renders it at build time like every other formula.
- Put SVG plots (the labs draw them with ``docsgen.style.setup``) in the page as inline SVG, wrapped and sized like the
  site's figures, with an accessible name read from the plot's own texts; give inline PNG plots their pixel size (no
  layout shift) and Chinese headings the ids their TOC links to.
- Put a download link for the notebook itself under the title.
- Execute every notebook whose cached output is missing (both languages) in worker processes as soon as the
  build is configured, in parallel with the derivations being computed, instead of one after the other when each
  page is rendered; mkdocs-jupyter then finds them in its cache (same call, same key: ``hooks/notebook_worker.py``).
- Index a lab for search by its prose: Material's indexer closes a heading's section at the end of its cell and files
  every later cell under no heading, code and outputs included; it reads a flat copy of the Markdown cells instead.
  Labs rank below the chapters they accompany.
- Replace nbconvert's ~0.6 MB of inline JupyterLab styles by one file of the rules the page can use (PurgeCSS),
  cached on disk by the hash of its inputs.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import html as html_lib
import json
import logging
import multiprocessing
import os
import re
import shutil
import struct
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority

log = logging.getLogger("mkdocs.hooks.notebooks")

ROOT = Path(__file__).resolve().parent.parent
PURGE_CACHE = ROOT / ".cache" / "purge-css"
LAB_SEARCH_BOOST = 0.5

# nbconvert's notebook template loads MathJax 2 from a CDN, and Mermaid from a CDN when a notebook has a
# diagram (ours have none). KaTeX, served from the site, renders notebook math instead.
_NB_CDN = (
    re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S),
    re.compile(r'<script type="module">(?:(?!</script>).)*?mermaid\.esm\.min\.mjs.*?</script>', re.S),
)


_NB_HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)<a class="anchor-link" href="#[^"]*">', re.S)


def _flat(items):
    for item in items:
        yield item
        yield from _flat(item.children)


# Notebook math (Markdown cells and text/latex outputs) is marked up like arithmatex's, so on_post_page renders it
# at build time with the same KaTeX as every other page. Delimiters are those MathJax/JupyterLab accept; text in
# pre, code, script, style and textarea is left alone (code and printed output), as KaTeX's auto-render would.
_NB_OPAQUE = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1>|<[^>]*>", re.S | re.I)
_NB_TEX = re.compile(r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)|\$(?P<i2>[^$]+?)\$", re.S)


def _tex_markup(m: re.Match[str]) -> str:
    display = m.group("d1") or m.group("d2")
    if display is not None:
        return f'<span class="arithmatex">\\[{display}\\]</span>'
    return f'<span class="arithmatex">\\({m.group("i1") or m.group("i2")}\\)</span>'


def notebook_math(html: str) -> str:
    """Wrap the TeX in a notebook's HTML text (outside code, tags and scripts) as arithmatex spans."""
    out, last = [], 0
    for m in _NB_OPAQUE.finditer(html):
        out.append(_NB_TEX.sub(_tex_markup, html[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_NB_TEX.sub(_tex_markup, html[last:]))
    return "".join(out)


_NB_PNG = re.compile(r'<img (?![^>]*\bwidth=)([^>]*?)src="data:image/png;base64,([A-Za-z0-9+/]{32})')


def _png_size(m: re.Match[str]) -> str:
    """Give an inline PNG its pixel size (read from the IHDR chunk), so the page does not shift as it loads."""
    head = base64.b64decode(m.group(2))  # 24 bytes: signature, IHDR length and type, width, height
    width, height = struct.unpack(">II", head[16:24])
    return f'<img width="{width}" height="{height}" {m.group(1)}src="data:image/png;base64,{m.group(2)}'


# nbconvert shows an SVG output as an <img> of a data URL: its text can be neither measured nor read by a screen reader,
# and base64 adds a third to its size before compression. It goes in the page as the SVG itself instead.
_NB_SVG = re.compile(r'<img\b[^>]*?\bsrc="data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)"[^>]*>')
_SVG = "{http://www.w3.org/2000/svg}"
_TEX_WORDS = {"partial": "∂", "sigma": "σ", "lambda": "λ", "delta": "δ", "chi": "χ", "ell": "ℓ", "infty": "∞"}
_TEX_MARKS = {"|": "‖", ",": " ", ";": " ", "!": ""}


def _plain(text: str) -> str:
    """A Matplotlib text as a screen reader should get it: mathtext without its $, braces and TeX commands."""
    text = re.sub(r"\\([A-Za-z]+)\s*", lambda m: _TEX_WORDS.get(m.group(1), ""), text)  # TeX eats the space
    text = re.sub(r"\\(\W)", lambda m: _TEX_MARKS.get(m.group(1), m.group(1)), text)  # \| \, \{ ...
    return " ".join(text.replace("$", "").replace("{", "").replace("}", "").replace("^*", "*").split())


def plot_texts(svg: str) -> tuple[list[str], list[str], list[str]]:
    """(titles, axis labels, legend entries) of a Matplotlib SVG, in drawing order, without repeats. Matplotlib writes
    each text as an XML comment in its group ``text_<n>``; where the group sits tells its role: in a legend, directly
    in an axis (its label; tick labels are in ticks and left out), or else in an axes or the figure (a title)."""
    root = ET.fromstring(svg, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    titles: list[str] = []
    labels: list[str] = []
    legend: list[str] = []

    def walk(group: ET.Element, found: list[str] | None) -> None:
        for child in group:
            gid = child.get("id", "")
            if child.tag != f"{_SVG}g" or gid.startswith(("xtick_", "ytick_")):
                continue
            if gid.startswith("text_"):
                text = _plain(" ".join(c.text or "" for c in child if c.tag is ET.Comment))  # a comment a line
                in_axis = group.get("id", "").startswith("matplotlib.axis")
                into = found if found is not None else labels if in_axis else titles
                if text and text not in into:
                    into.append(text)
            else:
                walk(child, legend if gid.startswith("legend_") else found)

    walk(root, None)
    return titles, labels, legend


def plot_name(svg: str, lang: str) -> str:
    """The accessible name of a lab plot, in the page's language: its titles, axis labels and legend entries."""
    from docsgen.labels import label

    titles, labels, legend = plot_texts(svg)
    sep = label("lab.plot_sep", lang)
    parts = [label("lab.plot_titled", lang).format(sep.join(titles)) if titles else label("lab.plot", lang)]
    if labels:
        parts.append(label("lab.plot_axes", lang).format(sep.join(labels)))
    if legend:
        parts.append(label("lab.plot_legend", lang).format(sep.join(legend)))
    return "".join(parts)


def inline_svg(data: str, lang: str) -> str:
    """A base64 SVG plot as inline SVG in a ``figure-svg`` wrapper (sized, and carded in dark mode, like the site's
    figures: extra.css), with ``role="img"`` and an accessible name, cleaned like them (``docsgen.style.page_svg``)."""
    from docsgen.style import page_svg

    svg = base64.b64decode(data).decode("utf-8")
    name = html_lib.escape(plot_name(svg[svg.index("<svg") :], lang), quote=True)
    svg = page_svg(svg)
    return f'<div class="figure-svg lab-plot"><svg role="img" aria-label="{name}" {svg[len("<svg ") :]}</div>'


LANG_DIRS = {"en": "docs/en", "zh": "docs/zh"}
_RUNNING: dict[str, concurrent.futures.Future] = {}  # cache file -> its execution


def on_config(config):
    """Start executing, in the background, every notebook of this build (and of the Chinese build, from the English
    one) that has no cached output for the current code."""
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None or not jupyter.config["execute"] or jupyter.config["execute_ignore"]:
        return config
    import mkdocs_jupyter.plugin as nbplugin

    langs = ("en", "zh") if config.extra.get("site_lang", "en") == "en" else (config.extra["site_lang"],)
    todo = []
    for lang in langs:
        cache_dir = ROOT / ".cache" / "mkdocs-jupyter" / lang  # as hooks/checkout.py sets it for each language
        for nb in sorted((ROOT / LANG_DIRS[lang]).rglob("*.ipynb")):
            if ".ipynb_checkpoints" in nb.parts:
                continue
            key = nbplugin._compute_cache_key(str(nb), jupyter.config, True)
            target = nbplugin._get_cache_path(str(cache_dir), key)
            if not target.exists() and str(target) not in _RUNNING:
                todo.append((str(nb), str(target)))
    if todo:
        from hooks.notebook_worker import NB2HTML_OPTIONS, execute  # importable by name: worker processes need it

        options = {k: jupyter.config[k] for k in (*NB2HTML_OPTIONS, "toc_depth")}
        ctx = multiprocessing.get_context("spawn")
        from docsgen.cache import single_threaded

        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=min(len(todo), os.cpu_count() or 1), mp_context=ctx, initializer=single_threaded
        )
        start = time.monotonic()
        for nb, target in todo:
            _RUNNING[target] = future = pool.submit(execute, nb, target, options)
            name = "/".join(Path(nb).parts[-3:])
            future.add_done_callback(
                lambda _, name=name: log.debug(f"{name} executed ({time.monotonic() - start:.1f} s)")
            )
        pool.shutdown(wait=False)
    return config


def on_pre_page(page, config, files):
    """Before mkdocs-jupyter renders a notebook, wait for its execution if it is still running (its cache entry)."""
    if page.file.src_uri.endswith(".ipynb"):
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None:
            import mkdocs_jupyter.plugin as nbplugin

            key = nbplugin._compute_cache_key(page.file.abs_src_path, jupyter.config, True)
            target = str(nbplugin._get_cache_path(jupyter.config["cache_dir"], key))
            future = _RUNNING.pop(target, None)
            if future is not None:
                future.result()  # an error in the notebook fails the build here, as it would in mkdocs-jupyter
    return page


def on_page_content(html: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    # A lab repeats its chapter's terms in a few lines of prose, so search would rank it above the chapter, which is
    # the reference; every lab is weighted down alike (Material's search boost), whatever the query.
    page.meta.setdefault("search", {}).setdefault("boost", LAB_SEARCH_BOOST)
    for pattern in _NB_CDN:
        html = pattern.sub("", html)
    html = notebook_math(html)  # before SVG plots are inlined: the TeX in their texts is drawn already
    lang = config.extra.get("site_lang", "en")
    html = _NB_SVG.sub(lambda m: inline_svg(m.group(1), lang), html)
    html = _NB_PNG.sub(_png_size, html)
    # nbconvert gives Chinese headings an empty id (it drops non-ASCII) while mkdocs-jupyter's table of contents
    # links to Python-Markdown slugs ("_1", "_2", ...). A translated lab has the headings of its English twin in the
    # same order: give each heading, and its TOC entry, the twin's id, so that links and the language switch land on
    # the same section in both languages; otherwise the id its TOC entry links to.
    entries = list(_flat(page.toc.items))
    twin = twin_heading_ids(Path(config.docs_dir).parent / "en" / page.file.src_uri) if lang != "en" else []
    if twin and [level for level, _ in twin] == [item.level for item in entries]:
        for item, (_, anchor) in zip(entries, twin, strict=True):
            item.id = anchor
    ids = iter([item.id for item in entries])

    def fix(m: re.Match[str]) -> str:
        anchor = next(ids, None) or m.group(2)
        return f'<h{m.group(1)} id="{anchor}">{m.group(3)}<a class="anchor-link" href="#{anchor}">'

    html = _NB_HEADING.sub(fix, html)
    return download_link(localise_chrome(html, lang), Path(page.file.src_uri).name, lang)


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def twin_heading_ids(path: Path) -> list[tuple[int, str]]:
    """(level, id) of every Markdown heading of the notebook at ``path``, in order, with Python-Markdown's slugs
    (the ids the English lab's table of contents uses, duplicates suffixed ``_1``, ``_2``…); [] if there is none."""
    from markdown.extensions.toc import slugify, unique

    if not path.is_file():
        return []
    seen: set[str] = set()
    out = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        in_code = False
        for line in source.splitlines():
            in_code ^= line.lstrip().startswith("```")
            m = None if in_code else _MD_HEADING.match(line)
            if m:
                out.append((len(m.group(1)), unique(slugify(m.group(2), "-"), seen)))
    return out


def localise_chrome(html: str, lang: str) -> str:
    """nbconvert's English interface text on a notebook page (copy buttons, the placeholder alt text of plots), in
    the page's language."""
    from docsgen.labels import label

    return (
        html.replace('aria-label="Copy to Clipboard"', f'aria-label="{label("lab.copy", lang)}"')
        .replace(
            '<span class="notice" hidden="">Copied!</span>',
            f'<span class="notice" hidden="">{label("lab.copied", lang)}</span>',
        )
        .replace('alt="No description has been provided for this image"', f'alt="{label("lab.plot_alt", lang)}"')
    )


def download_link(html: str, filename: str, lang: str) -> str:
    """Insert a link that downloads the notebook (deployed next to its page) right after the page's title."""
    from docsgen.labels import label

    link = (
        f'<p class="lab-download"><a class="md-button" href="{filename}" download>{label("lab.download", lang)}</a></p>'
    )
    end = html.find("</h1>")
    return html[: end + 5] + link + html[end + 5 :] if end >= 0 else link + html


def _node(purpose: str) -> str:
    """Path of the ``node`` executable; a clear build error naming ``purpose`` if Node.js is missing."""
    node = shutil.which("node")
    if node is None:
        raise PluginError(f"node not found: {purpose} (install Node.js)")
    return node


# nbconvert's stylesheets: long style elements, each matched alone (an inline SVG plot has a short one of its own)
_NB_STYLE = re.compile(r'<style type="text/css">((?:(?!</style>).){2000,})</style>', re.S)


def purge_css(css: str, html: str) -> str:
    """The rules of ``css`` that can match ``html`` (PurgeCSS, scripts/purge-css.cjs), unused variables dropped;
    cached on disk by the hash of the script, the stylesheet and the page."""
    script = ROOT / "scripts" / "purge-css.cjs"
    key = hashlib.sha256(b"\0".join([script.read_bytes(), css.encode(), html.encode()])).hexdigest()[:24]
    cached = PURGE_CACHE / f"{key}.css"
    if cached.is_file():
        return cached.read_text(encoding="utf-8")
    done = subprocess.run(
        [_node("notebook styles are trimmed at build time"), str(script)],
        cwd=ROOT,
        input=json.dumps({"css": css, "html": html}),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    if done.returncode != 0:
        raise PluginError(f"scripts/purge-css.cjs failed: {done.stderr.strip()[-500:]}")
    PURGE_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(done.stdout, encoding="utf-8")
    os.replace(tmp, cached)
    return done.stdout


def _shared_notebook_css(output: str, page, config) -> str:
    """Replace nbconvert's inline stylesheets (~0.6 MB on every notebook page, almost all of it JupyterLab rules
    a static page never uses) by one file holding the rules this page can use, named by its content."""
    styles = list(_NB_STYLE.finditer(output))
    if not styles:
        return output
    rest = _NB_STYLE.sub("", output)  # the page without them: what the rules must match
    css = purge_css("\n".join(m.group(1) for m in styles), rest)
    name = f"assets/stylesheets/notebook-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = Path(config.site_dir) / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    depth = page.url.count("/") if page.url else 0
    link = f'<link rel="stylesheet" href="{"../" * depth}{name}">'
    first = styles[0].start()  # nothing before the first style block was removed, so it sits at the same offset
    return rest[:first] + link + rest[first:]


def search_view(html: str) -> str:
    """A lab's prose as Material's search indexer can read it: the rendered Markdown cells one after another, so that
    every heading is a sibling of the paragraphs under it (nested in cells, a heading's section ends with its cell and
    later cells are filed under no heading); code, prompts, outputs and the download link left out."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for chrome in soup.select(".lab-download, a.anchor-link"):
        chrome.decompose()
    # nothing before the first heading: it opens the page's own entry, as a Markdown page's title does
    return "\n".join(cell.decode_contents().strip() for cell in soup.select(".jp-RenderedMarkdown"))


_SHOWN: dict[str, str] = {}  # page URL -> its content, while the search plugin reads the search view


@event_priority(100)  # before Material's search plugin indexes the page (its on_page_context)
def _index_prose(context, page, config, nav):
    if page.file.src_uri.endswith(".ipynb") and page.content:
        _SHOWN[page.url] = page.content
        page.content = search_view(page.content)
    return context


@event_priority(-100)  # after it: the page is rendered with its content
def _show_notebook(context, page, config, nav):
    if page.url in _SHOWN:
        page.content = _SHOWN.pop(page.url)
    return context


on_page_context = CombinedEvent(_index_prose, _show_notebook)


def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        output = _shared_notebook_css(output, page, config)
    return output
