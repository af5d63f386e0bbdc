"""Render derived results into page Markdown (used by markdown-exec blocks and notebooks at build time).

Every formula, number and table a page shows comes through here from the registry, so both languages show the
same derived output. Functions return Markdown strings; pages ``print`` them.
"""

from __future__ import annotations

import io
import math

import sympy as sp

from derivations.core import get
from derivations.verify import run_checks

_LABELS = {
    "en": {
        "check": "Check",
        "oracle": "Independent oracle",
        "error": "Max error",
        "tol": "Tolerance",
        "result": "Result",
        "pass": "pass",
        "FAIL": "FAIL",
        "skip": "skipped",
        "caption": "Checks run while this page was built",
    },
    "zh": {
        "check": "推导",
        "oracle": "独立对照",
        "error": "最大误差",
        "tol": "容差",
        "result": "结果",
        "pass": "通过",
        "FAIL": "失败",
        "skip": "跳过",
        "caption": "本页构建时运行的数值校验",
    },
}


def _lang(lang: str) -> dict[str, str]:
    if lang not in _LABELS:
        raise ValueError(f"unknown language {lang!r}; accepted: {', '.join(_LABELS)}")
    return _LABELS[lang]


def latex(name: str, part: str | None = None) -> str:
    """LaTeX of a derivation's displayed result, or of one named part (via ``sympy.latex``)."""
    r = get(name).result
    return r.display_latex() if part is None else sp.latex(r.parts[part])


def equation(name: str, part: str | None = None) -> str:
    """A display-math block (arithmatex ``$$ ... $$``) with the derived result or one of its parts."""
    return f"\n$$\n{latex(name, part)}\n$$\n"


def inline(name: str, part: str | None = None) -> str:
    """Inline math ``$...$`` with the derived result or one of its parts."""
    return f"${latex(name, part)}$"


def text(name: str, key: str) -> str:
    """An exact string the derivation produced (e.g. a decimal expansion), for prose."""
    return get(name).result.text[key]


def number(name: str, part: str, digits: int = 6) -> str:
    """A part evaluated to a float and formatted with ``digits`` significant digits."""
    value = float(sp.N(get(name).result.parts[part], 30))
    return f"{value:.{digits}g}"


def title(name: str, lang: str = "en") -> str:
    """The one-line title of a derivation in ``lang`` (en or zh)."""
    _lang(lang)
    d = get(name)
    return d.title_zh if lang == "zh" else d.title


_CHECKED: dict[str, list] = {}  # name -> rows; the English and Chinese builds share one run per process


def checks_table(names: list[str], lang: str = "en") -> str:
    """Markdown table of every check of ``names``, run now (at build time): oracle, max error, tolerance, verdict."""
    lab = _lang(lang)
    rows = [
        f"| {lab['check']} | {lab['oracle']} | {lab['error']} | {lab['tol']} | {lab['result']} |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        if name not in _CHECKED:
            _CHECKED[name] = run_checks(get(name))
        for r in _CHECKED[name]:
            err = "–" if r.error is None or math.isnan(r.error) else f"{r.error:.2e}"
            cls = "verdict-pass" if r.status == "pass" else "verdict-fail"
            oracle = r.oracle.replace("|", "\\|")
            rows.append(f'| `{name}` | {oracle} | {err} | {r.tol:.0e} | <span class="{cls}">{lab[r.status]}</span> |')
    return f"\n{lab['caption']}:\n\n" + "\n".join(rows) + "\n"


def figure(fig, alt: str) -> str:
    """Inline, deterministic SVG of a Matplotlib figure (no date, fixed ids), wrapped for the page; closes it."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "gradients", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{alt}" ', 1)
    return f'<div class="figure-svg">{svg}</div>'
