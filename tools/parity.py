"""Bilingual parity: every page exists in en and zh with the same heading anchors, the same display formulas and
figures in the same order, and the same derivations referenced; every derivation referenced is registered and
checked, and every page that references one ends with its checks table; plus a report of pages whose English
changed after the Chinese.

Usage: python -m tools.parity [--report]   (exit 1 with one line per problem; --report adds the git-history report)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LANGS = ("en", "zh")
_CALL = re.compile(r"""\bget\(\s*["']([A-Za-z0-9_]+)["']""")  # notebooks' code cells
_MACRO = re.compile(r"""\{\{\s*(eq|eq_val|tex|val|num|title|uses|figure|checks)\((.*?)\)\s*\}\}""")
_NAME = re.compile(r"""["']([A-Za-z0-9_]+)["']""")
_BLOCKS = ("eq", "eq_val", "figure", "checks")  # display elements: same sequence in both languages
_ANCHOR = re.compile(r"^#{1,6} .*?\{#([\w-]+)\}\s*$", re.M)
_HEADING = re.compile(r"^#{1,6} .*$", re.M)
_FENCE = re.compile(r"^(`{3,}).*?^\1\s*$", re.S | re.M)


@dataclass(frozen=True)
class Page:
    """What parity compares for one page file: anchors in order, derivations shown, derivations checked."""

    anchors: tuple[str, ...]
    bare_headings: tuple[str, ...]
    shown: frozenset[str]
    blocks: tuple[str, ...]
    has_checks: bool


def pages(lang: str) -> list[str]:
    """Page sources of one language relative to docs/<lang>: Markdown pages and notebooks."""
    base = DOCS / lang
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.suffix in {".md", ".ipynb"})


def _text_of(path: Path) -> tuple[str, str]:
    """(prose with code fences removed, code) of a Markdown page or a notebook."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(raw)["cells"]
        src = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
        kinds = [c["cell_type"] for c in cells]
        prose = "\n".join(s for s, k in zip(src, kinds, strict=True) if k == "markdown")
        code = "\n".join(s for s, k in zip(src, kinds, strict=True) if k == "code")
        return prose, code
    return _FENCE.sub("", raw), "\n".join(m.group(0) for m in _FENCE.finditer(raw))


def read_page(path: Path) -> Page:
    """Parse one page file."""
    prose, code = _text_of(path)
    bare = tuple(h for h in _HEADING.findall(prose) if "{#" not in h) if path.suffix == ".md" else ()
    calls = _MACRO.findall(prose)
    shown = {
        _NAME.findall(args)[0] for macro, args in calls if macro not in ("figure", "checks") and _NAME.search(args)
    }
    shown |= {n for macro, args in calls if macro == "uses" for n in _NAME.findall(args)}
    return Page(
        anchors=tuple(_ANCHOR.findall(prose)),
        bare_headings=bare,
        shown=frozenset(shown | set(_CALL.findall(code))),
        blocks=tuple(f"{macro}({args})" for macro, args in calls if macro in _BLOCKS),
        has_checks=any(macro == "checks" for macro, _ in calls),
    )


def problems() -> list[str]:
    """One line per parity problem, saying which file and what to do."""
    out: list[str] = []
    en, zh = set(pages("en")), set(pages("zh"))
    for src in sorted(en - zh):
        out.append(f"docs/zh/{src}: missing — docs/en/{src} has no Chinese counterpart (add it with the same headings)")
    for src in sorted(zh - en):
        out.append(f"docs/en/{src}: missing — docs/zh/{src} has no English counterpart (add it with the same headings)")
    try:
        from derivations import registry

        reg = registry()
    except Exception as exc:  # the package itself is broken: say so in one line
        return [*out, f"derivations: cannot be imported ({type(exc).__name__}: {exc})"]
    for src in sorted(en & zh):
        page = {lang: read_page(DOCS / lang / src) for lang in LANGS}
        for lang in LANGS:
            for h in page[lang].bare_headings:
                out.append(f"docs/{lang}/{src}: heading without an explicit anchor {{#id}}: {h.strip()!r}")
        if page["en"].anchors != page["zh"].anchors:
            a, b = page["en"].anchors, page["zh"].anchors
            out.append(
                f"docs/zh/{src}: heading anchors differ from docs/en/{src}: en={list(a)} zh={list(b)} "
                "(use the same {#id}s in the same order)"
            )
        if page["en"].shown != page["zh"].shown:
            only_en = sorted(page["en"].shown - page["zh"].shown)
            only_zh = sorted(page["zh"].shown - page["en"].shown)
            out.append(f"docs/*/{src}: derivations referenced differ: only in en {only_en}, only in zh {only_zh}")
        if page["en"].blocks != page["zh"].blocks:
            out.append(
                f"docs/zh/{src}: display formulas and figures differ from docs/en/{src} in content or order: "
                f"en={list(page['en'].blocks)} zh={list(page['zh'].blocks)}"
            )
        for lang in LANGS:
            for name in sorted(page[lang].shown):
                if name not in reg:
                    out.append(f"docs/{lang}/{src}: shows {name!r}, which is not a registered derivation")
                elif not reg[name].checks:
                    out.append(f"derivations: {name!r} (shown on docs/{lang}/{src}) has no numerical check")
            if src.endswith(".md") and page[lang].shown and not page[lang].has_checks:
                out.append(f"docs/{lang}/{src}: references derivations but has no {{{{ checks() }}}} table")
    return out


def _last_change(path: Path) -> tuple[int, str]:
    dirty = subprocess.run(["git", "status", "--porcelain", "--", str(path)], cwd=ROOT, capture_output=True, text=True)
    if dirty.stdout.strip():
        return int(path.stat().st_mtime), "the working tree"
    log = subprocess.run(
        ["git", "log", "-1", "--format=%ct %h", "--", str(path)], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    return (int(log[0]), log[1]) if log else (0, "uncommitted")


def staleness_report() -> list[str]:
    """Pages whose English source was committed after its Chinese counterpart (by git history)."""
    lines = []
    for src in sorted(set(pages("en")) & set(pages("zh"))):
        (t_en, h_en), (t_zh, h_zh) = _last_change(DOCS / "en" / src), _last_change(DOCS / "zh" / src)
        if t_en > t_zh:
            lines.append(f"docs/zh/{src}: English changed in {h_en} after the Chinese was last updated ({h_zh})")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print parity problems (and, with --report, the translation-staleness report); exit 1 on problems."""
    args = sys.argv[1:] if argv is None else argv
    if any(a not in ("--report",) for a in args):
        print(f"parity: unknown option {args}; accepted: --report", file=sys.stderr)
        return 2
    found = problems()
    for line in found:
        print(line)
    if "--report" in args:
        stale = staleness_report()
        print("\nTranslation staleness (English newer than Chinese):")
        print("\n".join(f"  {s}" for s in stale) if stale else "  none")
    print(f"\nparity: {len(found)} problem(s) across {len(pages('en'))} English and {len(pages('zh'))} Chinese pages")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
