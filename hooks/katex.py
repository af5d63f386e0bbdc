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

import functools
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
    shown: list[str] = []  # the formulas laid out at load, whose font faces the page preloads

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
            if lazy and seen[0] > EAGER:
                rendered = defer_layout(rendered, display)
            else:
                shown.append(rendered)
            out.append(rendered)
        return f'<{m.group(1)} class="arithmatex"{anchor}>{"".join(out)}</{m.group(1)}>'

    output = _MATH.sub(render, output)
    return _preload_math_fonts(output, font_faces("".join(shown)))


_KATEX_CSS = re.compile(r'<link rel="stylesheet" href="((?:\.\./)*)assets/katex/katex\.min\.css">')
_FACE = re.compile(r"@font-face\{([^}]*)\}")
_RULE = re.compile(r"([^{}]+)\{([^{}]*font-family[^{}]*)\}")
_CLASSES = re.compile(r'class="([^"]+)"')


def _declarations(block: str) -> dict[str, str]:
    return dict(d.split(":", 1) for d in block.split(";") if ":" in d)


@functools.cache
def _face_rules() -> tuple[dict[tuple[str, str, str], str], list[tuple[frozenset[str], frozenset[str], tuple]]]:
    """From KaTeX's stylesheet: each font face's file by (family, weight, style), and each selector that sets a font
    family, as the classes of its last compound with classes (one element carries them all) and the classes of the
    compounds before (``.katex .mathnormal`` -> {mathnormal}, {}, KaTeX_Math italic)."""
    css = (KATEX_DIST / "katex.min.css").read_text(encoding="utf-8")
    faces = {}
    for block in _FACE.findall(css):
        d = _declarations(block)
        file = re.search(r"url\(fonts/([\w-]+)\.woff2\)", d["src"]).group(1)
        faces[(d["font-family"], d.get("font-weight", "400"), d.get("font-style", "normal"))] = file
    rules = []
    for selectors, block in _RULE.findall(css):
        d = _declarations(block)
        face = (d["font-family"].split(",")[0], d.get("font-weight", "400"), d.get("font-style", "normal"))
        for selector in selectors.split(","):
            if selector.startswith(".katex "):  # not @font-face, not .katex itself (KaTeX_Main: always wanted)
                compounds = [set(re.findall(r"\.([\w-]+)", c)) for c in re.split(r"[ >+~]", selector[7:])]
                compounds = [c for c in compounds if c]
                rules.append((frozenset(compounds[-1]), frozenset().union(*compounds[:-1]), face))
    return faces, rules


def font_faces(html: str) -> list[str]:
    """The KaTeX font files (without extension) that the formulas in ``html`` are drawn with: KaTeX_Main-Regular for
    any formula, and the face of each selector of KaTeX's stylesheet that one of their elements matches, judged by
    classes (an element carries those of the selector's last compound, the formulas those of the ones before)."""
    if 'class="katex' not in html:
        return []
    faces, rules = _face_rules()
    elements = {frozenset(attr.split()) for attr in _CLASSES.findall(html)}
    present = frozenset().union(*elements)
    wanted = {("KaTeX_Main", "400", "normal")} | {
        face for own, context, face in rules if context <= present and any(own <= e for e in elements)
    }
    return sorted(faces[face] for face in wanted if face in faces)


def _preload_math_fonts(output: str, files: list[str]) -> str:
    """Preload ``files`` (KaTeX font faces) next to KaTeX's stylesheet. The formulas laid out at load need them before
    the first paint: a face that arrives later changes the width of the formulas drawn with it, text around them
    reflows and what follows moves (Lighthouse measured a 0.19 layout shift on the spectral page). Faces of formulas
    shown later load when they are needed."""
    if not files:
        return output

    def links(m: re.Match[str]) -> str:
        base = f"{m.group(1)}assets/katex/fonts/"
        pre = "".join(
            f'<link rel="preload" href="{base}{face}.woff2" as="font" type="font/woff2" crossorigin>' for face in files
        )
        return pre + m.group(0)

    return _KATEX_CSS.sub(links, output, count=1)


def on_post_build(config):
    _katex.close()
    _rendered.save()
