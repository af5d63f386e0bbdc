"""Math rendered at build time by KaTeX (``scripts/katex-render.cjs``), on every page, notebooks included: pages ship
finished HTML + MathML and only KaTeX's CSS and fonts, served by the site itself; a TeX error fails the strict build.
Rendered formulas are cached on disk by the hash of the KaTeX version and the script, so a rebuild renders only new
formulas.

A math-dense page holds 15-23 thousand elements, most of them KaTeX's HTML layout, and a phone spends seconds styling
and laying them out at load. So past the first ``EAGER`` formulas of a page, each formula's HTML layout is shipped
inside an inert ``<template>`` and put in place by ``assets/javascripts/lazy-math.js`` shortly before the formula
comes into view (and all at once before printing). Until then the formula's MathML, which is always in the document
(screen readers read it), is shown as the browser renders it natively; so it is without JavaScript. The print view
(``hooks/print_view.py``, printed to PDF without scripts) gets every layout in place.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from docsgen.render import ANCHOR_MARK, PHONE_MARK

log = logging.getLogger("mkdocs.hooks.katex")

ROOT = Path(__file__).resolve().parent.parent
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
SCRIPT = ROOT / "scripts" / "katex-render.cjs"


def on_files(files: Files, config) -> Files:
    if not (KATEX_DIST / "katex.min.css").is_file():
        raise PluginError(f"KaTeX not found in {KATEX_DIST}: run 'npm ci' at the repository root")
    wanted = ["katex.min.css"]  # math is rendered at build time: pages need KaTeX's styles and fonts, not its code
    wanted += [f"fonts/{p.name}" for p in sorted((KATEX_DIST / "fonts").glob("*.woff2"))]
    for rel in wanted:
        files.append(File.generated(config, f"assets/katex/{rel}", abs_src_path=str(KATEX_DIST / rel)))
    return files


def _node(purpose: str) -> str:
    """Path of the ``node`` executable; a clear build error naming ``purpose`` if Node.js is missing."""
    node = shutil.which("node")
    if node is None:
        raise PluginError(f"node not found: {purpose} (install Node.js)")
    return node


class _KaTeX:
    """A node process running KaTeX, fed one JSON line per formula (started on first use, one per build)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None

    def render(self, tex: str, display: bool) -> tuple[str | None, str | None]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [_node("KaTeX renders the math at build time"), str(SCRIPT)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return answer.get("html"), answer.get("error")

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=10)
            self.proc = None


_katex = _KaTeX()
_MATH = re.compile(
    r'<(span|div) class="arithmatex"(?: data-search-exclude)?(?P<id> id="[^"]*")?>'
    r"(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])</(?:span|div)>",
    re.S,
)


_ANCHORED = re.compile(
    r'(<div class="arithmatex" data-search-exclude)>(\\\[\s*)' + re.escape(ANCHOR_MARK) + r"([\w-]+)\n"
)


def on_page_content(html: str, page, config, files) -> str:
    """Keep TeX source out of the search index (it would show as raw LaTeX in result snippets). A numbered display
    formula (docsgen.render.display) names its id on its first line: make it the id of its block, one that links to
    it may name (MkDocs checks anchors before the page is written)."""
    html = html.replace('class="arithmatex">', 'class="arithmatex" data-search-exclude>')

    def anchor(m: re.Match[str]) -> str:
        if page.present_anchor_ids is not None:
            page.present_anchor_ids.add(m.group(3))
        return f'{m.group(1)} id="{m.group(3)}">{m.group(2)}'

    return _ANCHORED.sub(anchor, html)


class _Cache:
    """Rendered formulas by (display, TeX), in one JSON file per KaTeX version and render script."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.data: dict[str, str] = {}
        self.dirty = False

    def _load(self) -> None:
        if self.path is None:
            version = json.loads((KATEX_DIST.parent / "package.json").read_text(encoding="utf-8"))["version"]
            key = hashlib.sha256(version.encode() + b"\0" + SCRIPT.read_bytes()).hexdigest()[:16]
            self.path = ROOT / ".cache" / "katex" / f"{key}.json"
            if self.path.is_file():
                self.data = json.loads(self.path.read_text(encoding="utf-8"))

    def get(self, tex: str, display: bool) -> tuple[str | None, str | None]:
        self._load()
        k = ("D" if display else "I") + tex
        if k in self.data:
            return self.data[k], None
        rendered, error = _katex.render(tex, display)
        if rendered is not None:
            self.data[k] = rendered
            self.dirty = True
        return rendered, error

    def save(self) -> None:
        if self.dirty and self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for old in self.path.parent.glob("*.json"):
                if old != self.path:
                    old.unlink(missing_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
            self.dirty = False


_rendered = _Cache()


EAGER = 16  # formulas of a page typeset at load, in page order: more than the first screen of a phone or laptop holds
_HTML_LAYOUT = '<span class="katex-html" aria-hidden="true">'


def defer_layout(rendered: str, display: bool) -> str:
    """KaTeX's output for one formula with its HTML layout moved into a ``<template class="katex-lazy">`` and the
    formula marked ``katex-pending`` (its MathML shown meanwhile); the layout is the last child of ``.katex``."""
    start = rendered.index(_HTML_LAYOUT)
    end = len(rendered) - len("</span>") * (2 if display else 1)  # closes .katex-html (its last child) and .katex
    head = rendered[:start].replace('<span class="katex">', '<span class="katex katex-pending">', 1)
    return f'{head}<template class="katex-lazy">{rendered[start:end]}</template>{rendered[end:]}'


def on_post_page(output: str, page, config) -> str:
    return render_math(output, page, lazy=True)


def render_math(output: str, page, lazy: bool) -> str:
    """Every formula of a page's HTML rendered; with ``lazy``, the layouts past the first ``EAGER`` formulas are
    deferred (``defer_layout``)."""
    seen = [0]

    def render(m: re.Match[str]) -> str:
        display = m.group("display") is not None
        tex = html_lib.unescape(m.group("display") if display else m.group("inline"))
        anchor = m.group("id") or ""  # a numbered display formula's id (on_page_content)
        # a display formula with a phone layout (docsgen.render.display): both rendered, the stylesheet shows one
        layouts = tex.split(f"\n{PHONE_MARK}\n") if display else [tex]
        seen[0] += 1
        out = []
        for tex, cls in zip(layouts, ("katex-wide", "katex-narrow") if len(layouts) == 2 else ("",), strict=True):
            rendered, error = _rendered.get(tex, display)
            if error:
                log.error(f"{page.file.src_uri}: KaTeX cannot render {tex[:80]!r}: {error}")
                return m.group(0)
            if cls:
                rendered = rendered.replace('class="katex-display"', f'class="katex-display {cls}"', 1)
            out.append(defer_layout(rendered, display) if lazy and seen[0] > EAGER else rendered)
        return f'<{m.group(1)} class="arithmatex"{anchor}>{"".join(out)}</{m.group(1)}>'

    return _preload_math_fonts(_MATH.sub(render, output))


_KATEX_CSS = re.compile(r'<link rel="stylesheet" href="((?:\.\./)*)assets/katex/katex\.min\.css">')
# The two faces nearly every formula uses (upright and math italic). Fetched early, they are in place before the
# first paint, so text around inline math does not reflow when they arrive (Lighthouse measured a 0.19 layout
# shift on the spectral page without them). The other faces (big delimiters, bold, AMS) load on demand.
_MATH_FONTS = ("KaTeX_Main-Regular", "KaTeX_Math-Italic")


def _preload_math_fonts(output: str) -> str:
    """On pages with rendered math, preload KaTeX's two common font faces next to KaTeX's stylesheet."""
    if 'class="katex"' not in output:
        return output

    def links(m: re.Match[str]) -> str:
        base = f"{m.group(1)}assets/katex/fonts/"
        pre = "".join(
            f'<link rel="preload" href="{base}{face}.woff2" as="font" type="font/woff2" crossorigin>'
            for face in _MATH_FONTS
        )
        return pre + m.group(0)

    return _KATEX_CSS.sub(links, output, count=1)


def on_post_build(config):
    _katex.close()
    _rendered.save()
