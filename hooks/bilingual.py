"""MkDocs hooks shared by the English and Chinese builds.

- Import ``derivations`` from this checkout (never a stale installed copy) and re-import it on every build,
  so ``mkdocs serve`` shows the current code.
- Key mkdocs-jupyter's execution cache on the code the notebooks depend on (``derivations/``, this hook, the
  pinned requirements), not only on the notebook's bytes: a change there re-executes every notebook.
- Render math at build time with KaTeX (``scripts/katex-render.cjs``), notebooks included: pages ship finished
  HTML + MathML, a TeX error fails the strict build, and no script runs or shifts the page to typeset it. The CDN
  MathJax that nbconvert adds is dropped: no request leaves the site.
- Trim nbconvert's inline notebook stylesheets to the rules each notebook page can use (PurgeCSS).
- Give every page a language switch that lands on the same page in the other language.
- After the English build, build the Chinese site into ``<site_dir>/zh`` (mkdocs-static-i18n cannot be used:
  it does not compose with mkdocs-jupyter), so one ``mkdocs build`` produces the whole site.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import logging
import os
import posixpath
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.bilingual")

ROOT = Path(__file__).resolve().parent.parent
LANGS = {"en": "", "zh": "zh/"}  # language -> prefix of its pages under the site root
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
# Inputs whose change must re-execute notebooks (besides the notebook itself, which mkdocs-jupyter hashes).
CODE_INPUTS = ("derivations", "tools", "hooks", "requirements", "pyproject.toml")


def _lang(config) -> str:
    return config.extra.get("site_lang", "en")


def code_hash(root: Path = ROOT) -> str:
    """SHA-256 over the paths and bytes of every file the executed outputs depend on."""
    h = hashlib.sha256()
    for name in CODE_INPUTS:
        base = root / name
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for p in files:
            if p.exists() and "__pycache__" not in p.parts:
                h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def on_config(config):
    root = str(ROOT)
    if sys.path[0] != root:
        sys.path.insert(0, root)
    parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    os.environ["PYTHONPATH"] = os.pathsep.join([root, *parts])  # notebook kernels import this checkout too
    key = code_hash()
    if os.environ.get("GRADIENTS_IMPORTED_CODE") != key:
        # markdown-exec runs in this process: re-import the current code (the Chinese build, which runs right
        # after the English one with the same code, keeps the modules and their cached results)
        for mod in [m for m in sys.modules if m.split(".")[0] in ("derivations", "tools")]:
            del sys.modules[mod]
        os.environ["GRADIENTS_IMPORTED_CODE"] = key

    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        base = ROOT / ".cache" / "mkdocs-jupyter" / _lang(config)
        jupyter.config["cache_dir"] = str(base / key)
        if base.is_dir():  # drop caches made by other versions of the code
            for old in base.iterdir():
                if old.name != key:
                    shutil.rmtree(old, ignore_errors=True)
    return config


def on_files(files: Files, config) -> Files:
    if not (KATEX_DIST / "katex.min.css").is_file():
        raise PluginError(f"KaTeX not found in {KATEX_DIST}: run 'npm ci' at the repository root")
    wanted = ["katex.min.css"]  # math is rendered at build time: pages need KaTeX's styles and fonts, not its code
    wanted += [f"fonts/{p.name}" for p in sorted((KATEX_DIST / "fonts").glob("*.woff2"))]
    for rel in wanted:
        files.append(File.generated(config, f"assets/katex/{rel}", abs_src_path=str(KATEX_DIST / rel)))
    return files


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


def on_page_content(html: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    for pattern in _NB_CDN:
        html = pattern.sub("", html)
    html = notebook_math(html)
    html = _NB_PNG.sub(_png_size, html)
    # nbconvert gives Chinese headings an empty id (it drops non-ASCII) while mkdocs-jupyter's table of contents
    # links to Python-Markdown slugs ("_1", "_2", ...): give each heading the id its TOC entry links to.
    ids = iter([item.id for item in _flat(page.toc.items)])

    def fix(m: re.Match[str]) -> str:
        anchor = next(ids, None) or m.group(2)
        return f'<h{m.group(1)} id="{anchor}">{m.group(3)}<a class="anchor-link" href="#{anchor}">'

    return _NB_HEADING.sub(fix, html)


def alternate_href(here: str, target: str) -> str:
    """Relative link from the page at site path ``here`` to the site path ``target`` (both like 'zh/bptt/')."""
    cur_dir = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    rel = posixpath.relpath(target.rstrip("/") or ".", cur_dir.rstrip("/") or ".")
    return rel + "/" if (target.endswith("/") or not target) and rel != "." else ("./" if rel == "." else rel)


def on_page_context(context, page, config, nav):
    here = LANGS[_lang(config)] + page.url
    links = []
    for alt in config.extra["alternate"]:
        other = alt["lang"]
        if (ROOT / "docs" / other / page.file.src_uri).is_file():
            target = LANGS[other] + page.url
        else:
            log.warning(f"{page.file.src_uri} has no counterpart in docs/{other}/")
            target = LANGS[other]
        links.append({**alt, "href": alternate_href(here, target)})
    context["alternate_links"] = links
    return context


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
                [_node("KaTeX renders the math at build time"), str(ROOT / "scripts" / "katex-render.cjs")],
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
    r'<(span|div) class="arithmatex">(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])</(?:span|div)>', re.S
)


_NB_STYLE = re.compile(r'<style type="text/css">(.{2000,}?)</style>', re.S)


def purge_css(css: str, html: str) -> str:
    """The rules of ``css`` that can match ``html`` (PurgeCSS, scripts/purge-css.cjs), unused variables dropped."""
    done = subprocess.run(
        [_node("notebook styles are trimmed at build time"), str(ROOT / "scripts" / "purge-css.cjs")],
        cwd=ROOT,
        input=json.dumps({"css": css, "html": html}),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    if done.returncode != 0:
        raise PluginError(f"scripts/purge-css.cjs failed: {done.stderr.strip()[-500:]}")
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


def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        output = _shared_notebook_css(output, page, config)

    def render(m: re.Match[str]) -> str:
        display = m.group("display") is not None
        tex = html_lib.unescape(m.group("display") if display else m.group("inline"))
        rendered, error = _katex.render(tex, display)
        if error:
            log.error(f"{page.file.src_uri}: KaTeX cannot render {tex[:80]!r}: {error}")
            return m.group(0)
        return f'<{m.group(1)} class="arithmatex">{rendered}</{m.group(1)}>'

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


# Material 9.8.1's search worker segments a Chinese query greedily against the index's tokens, but its loop
# `for (j = i + 1; j < query.length; j++)` never tries a slice that ends at the query's last character, and it only
# continues from position a when `a < query.length - 1`. So the last word is dropped: "梯度裁剪" is searched as
# "梯度" alone. The two replacements make both bounds inclusive. If Material's code changes, the build fails here
# rather than silently shipping the bug (or a patch that no longer applies).
_SEGMENT_FIXES = (
    ("for(let o=s+1;o<t.length;o++)t.slice(s,o)in e", "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"),
    ("n[a]&&a<t.length-1&&(i[s++]=a)", "n[a]&&a<t.length&&(i[s++]=a)"),
)


def fix_chinese_query_segmentation(site_dir: Path) -> None:
    """Patch the search worker so a Chinese query's last word is searched too (see ``_SEGMENT_FIXES``)."""
    workers = sorted((site_dir / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    if len(workers) != 1:
        raise PluginError(f"expected one Material search worker in {site_dir}, found {len(workers)}")
    code = workers[0].read_text(encoding="utf-8")
    for old, new in _SEGMENT_FIXES:
        if code.count(old) + code.count(new) != 1:
            raise PluginError(
                f"{workers[0].name}: Material's query segmentation changed; review _SEGMENT_FIXES in hooks/bilingual.py"
            )
        code = code.replace(old, new)
    workers[0].write_text(code, encoding="utf-8")


def on_post_build(config):
    _katex.close()
    fix_chinese_query_segmentation(Path(config.site_dir))
    if _lang(config) != "en":
        return
    zh = load_config(str(ROOT / "mkdocs.zh.yml"), site_dir=str(Path(config.site_dir) / "zh"), strict=config.strict)
    build(zh)


def on_serve(server, config, builder):
    for extra in ("docs/zh", "derivations", "mkdocs.zh.yml", "mkdocs.base.yml", "overrides", "hooks"):
        server.watch(str(ROOT / extra))
    return server
