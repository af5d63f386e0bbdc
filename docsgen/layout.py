"""Line breaks for long display formulas: a chain ``a = b = c`` or a list ``A,\\quad B`` wider than the column is
set as aligned lines, broken at top-level relations (``=``, ``\\le``, ``\\Rightarrow`` …) and statement separators
(``\\quad``, ``,\\ ``), never inside braces, ``\\left…\\right`` or environments. The width of TeX is estimated in em
(a rough model of KaTeX's metrics, calibrated on this site's formulas); the browser suite measures the result.

Hand-written here because no maintained library breaks TeX at the source level (KaTeX breaks only inline math, and
MathJax's line breaking needs its client-side renderer).
"""

from __future__ import annotations

import re

RELATIONS = {
    "=", "<", ">", r"\le", r"\leq", r"\ge", r"\geq", r"\approx", r"\ne", r"\neq", r"\equiv", r"\Rightarrow",
    r"\Longrightarrow", r"\implies", r"\xrightarrow", r"\longrightarrow", r"\iff", r"\sim", r"\propto", r"\ll",
    r"\gg", r"\lesssim", r"\gtrsim", r"\overset",
}  # fmt: skip
SEPARATORS = {r"\quad", r"\qquad"}
_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|[{}]|\s+|.", re.S)
_SPACES = {r"\,": 0.17, r"\;": 0.28, r"\:": 0.22, r"\!": -0.17, r"\ ": 0.33, r"\quad": 1.0, r"\qquad": 2.0}
_WIDE = {r"\sum": 1.4, r"\prod": 1.4, r"\int": 0.8, r"\infty": 1.0, r"\odot": 1.0, r"\cdot": 0.6, r"\cdots": 1.4}
_NARROW_WORDS = {r"\operatorname", r"\mathrm", r"\text", r"\textrm", r"\mathbf", r"\mathcal", r"\mathbb"}


def tokens(tex: str) -> list[str]:
    """TeX split into commands, single characters, braces and runs of whitespace."""
    return _TOKEN.findall(tex)


def _group(toks: list[str], i: int) -> tuple[list[str], int]:
    """The argument starting at ``toks[i]`` (a braced group or one token) and the index after it."""
    while i < len(toks) and toks[i].isspace():
        i += 1
    if i >= len(toks):
        return [], i
    if toks[i] != "{":
        return [toks[i]], i + 1
    depth, j = 0, i
    while j < len(toks):
        depth += {"{": 1, "}": -1}.get(toks[j], 0)
        if depth == 0:
            return toks[i + 1 : j], j + 1
        j += 1
    return toks[i + 1 :], len(toks)


def width(toks: list[str] | str) -> float:
    """Estimated width in em of TeX in display style (KaTeX's Main/Math fonts)."""
    if isinstance(toks, str):
        toks = tokens(toks)
    w, i = 0.0, 0
    while i < len(toks):
        t = toks[i]
        if t.isspace() or t in (
            "{",
            "}",
            r"\left",
            r"\right",
            r"\bigl",
            r"\bigr",
            r"\Bigl",
            r"\Bigr",
            r"\displaystyle",
        ):
            i += 1
            w += 0.35 if t in (r"\bigl", r"\bigr", r"\Bigl", r"\Bigr") else 0.0
            continue
        if t in ("^", "_"):
            arg, i = _group(toks, i + 1)
            w += 0.7 * width(arg)
            continue
        if t in (r"\frac", r"\dfrac", r"\tfrac", r"\binom"):
            num, i = _group(toks, i + 1)
            den, i = _group(toks, i)
            w += max(width(num), width(den)) * (0.75 if t == r"\tfrac" else 1.0) + 0.3
            continue
        if t in (r"\sqrt",):
            arg, i = _group(toks, i + 1)
            w += width(arg) + 0.9
            continue
        if t in _NARROW_WORDS:
            arg, i = _group(toks, i + 1)
            w += 0.5 * sum(len(a) for a in arg if not a.startswith("\\")) + width(
                [a for a in arg if a.startswith("\\")]
            )
            continue
        if t in (r"\underbrace", r"\overbrace", r"\underset", r"\overset", r"\stackrel"):
            first, i = _group(toks, i + 1)
            second, i = _group(toks, i)
            w += max(width(first) * 0.7, width(second)) if t != r"\underbrace" else width(first)
            continue
        if t == r"\begin":
            env, j = _group(toks, i + 1)
            body, i = _environment(toks, j, "".join(env))
            w += _env_width(body, "".join(env))
            continue
        if t in _SPACES:
            w += _SPACES[t]
        elif t in RELATIONS or t == ":=":
            w += 1.35
        elif t in ("+", "-", r"\pm", r"\times", r"\in", r"\to", r"\mapsto", r"\notin", r"\subset"):
            w += 1.2
        elif t in (",", ";"):
            w += 0.45
        elif t in _WIDE:
            w += _WIDE[t]
        elif t.startswith("\\"):
            w += 0.65
        else:
            w += 0.55 if t.isalpha() else 0.5
        i += 1
    return w


def _environment(toks: list[str], i: int, name: str) -> tuple[list[str], int]:
    """Body of environment ``name`` whose ``\\begin`` ended before ``toks[i]``, and the index after its ``\\end``."""
    depth, j = 1, i
    while j < len(toks):
        if toks[j] in (r"\begin", r"\end"):
            env, k = _group(toks, j + 1)
            if "".join(env) == name:
                depth += 1 if toks[j] == r"\begin" else -1
                if depth == 0:
                    return toks[i:j], k
            j = k
            continue
        j += 1
    return toks[i:], len(toks)


def _cells(body: list[str]) -> list[list[list[str]]]:
    rows: list[list[list[str]]] = [[[]]]
    depth = 0
    for t in body:
        if t in ("{",) or t in (r"\left", r"\begin"):
            depth += 1
        elif t in ("}",) or t in (r"\right", r"\end"):
            depth -= 1
        if depth == 0 and t == "&":
            rows[-1].append([])
        elif depth == 0 and t == r"\\":
            rows.append([[]])
        else:
            rows[-1][-1].append(t)
    return rows


def _env_width(body: list[str], name: str) -> float:
    rows = _cells(body)
    cols = max(len(r) for r in rows)
    col_w = [max((width(r[c]) if c < len(r) else 0.0) for r in rows) for c in range(cols)]
    if name in ("aligned", "align", "align*", "alignedat"):
        return sum(col_w) + 1.0 * (cols // 2)
    if name in ("cases",):
        return sum(col_w) + 1.0 * (cols - 1) + 1.0
    return sum(col_w) + 1.0 * (cols - 1) + (0.8 if "matrix" in name and name != "matrix" else 0.0)


def _top_level(toks: list[str]) -> list[int]:
    """Depth of nesting (braces, brackets, set braces ``\\{…\\}``, \\left…\\right, environments) before each
    token."""
    depth, out = 0, []
    for i, t in enumerate(toks):
        delimiter = i > 0 and toks[i - 1] in (r"\left", r"\right", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr")
        if t in ("}", r"\right", r"\end") or (t in (")", "]", r"\}") and not delimiter):
            depth -= 1
        out.append(depth)
        if t in ("{", r"\left", r"\begin") or (t in ("(", "[", r"\{") and not delimiter):
            depth += 1
    return out


def sum_parts(text: str) -> list[str]:
    """``text`` split before each top-level binary ``+`` or ``-`` (the last resort for a line that is too wide)."""
    toks = tokens(text)
    depth = _top_level(toks)
    parts, start = [], 0
    for i, t in enumerate(toks):
        prev = next((p for p in reversed(toks[:i]) if not p.isspace()), "")
        binary = prev and prev not in ("(", "[", "{", "=", ",", "&") and prev not in RELATIONS
        if depth[i] == 0 and t in ("+", "-") and binary:
            parts.append("".join(toks[start:i]).strip())
            start = i
    parts.append("".join(toks[start:]).strip())
    return [p for p in parts if p]


def statements(toks: list[str]) -> list[tuple[list[str], list[str]]]:
    """Top-level statements (text, separator that followed it): split at ``\\quad``, ``\\qquad``, ``,\\ ``, ``;\\ ``
    and ``:\\ `` (the punctuation stays with the statement it ends)."""
    depth = _top_level(toks)
    out, start, i = [], 0, 0
    while i < len(toks):
        t = toks[i]
        if depth[i] == 0 and (t in SEPARATORS or (t == r"\ " and i > 0 and toks[i - 1] in (",", ";", ":"))):
            j = i + 1
            while j < len(toks) and (toks[j].isspace() or (depth[j] == 0 and toks[j] in (*SEPARATORS, r"\ "))):
                j += 1
            out.append((toks[start:i], toks[i:j]))
            start = i = j
            continue
        i += 1
    out.append((toks[start:], []))
    return [s for s in out if "".join(s[0]).strip()]


def relation_parts(toks: list[str]) -> list[list[str]]:
    """A statement split before each top-level relation: [lhs, rel rhs, rel rhs, …]."""
    depth = _top_level(toks)
    parts, start = [], 0
    for i, t in enumerate(toks):
        if depth[i] == 0 and i > 0 and (t in RELATIONS or t == "<" or t == ">") and toks[i - 1] not in ("\\",):
            parts.append(toks[start:i])
            start = i
    parts.append(toks[start:])
    return [p for p in parts if "".join(p).strip()]


def break_lines(tex: str, budget: float) -> str:
    """``tex`` unchanged if it fits in ``budget`` em (or is already laid out in rows), else as ``aligned`` lines:
    one statement per line, a chain of relations continued on the next line (aligned at its relation) where the
    line would exceed the budget."""
    toks = tokens(tex)
    top = [t for t, d in zip(toks, _top_level(toks), strict=True) if d == 0]
    if width(toks) <= budget:
        return tex
    if "&" in top or r"\\" in top:
        return tex
    if toks and toks[0] == r"\begin":  # an author's aligned block: narrower rows where they are too wide
        rows = _split_rows(tex, budget)
        if rows is not None:
            return rows
    lines: list[tuple[str, str]] = []  # (left of the alignment point, right of it)
    for stmt, _separator in statements(toks):
        parts = ["".join(p).strip() for p in relation_parts(stmt)]
        if len(parts) == 1:
            lines.append(("", parts[0]))
            continue
        lhs, cur = parts[0], parts[1]
        for part in parts[2:]:
            if width(lhs) + width(cur + part) <= budget:
                cur += " " + part
            else:
                lines.extend(_wrap_sum(lhs, cur, budget))
                lhs, cur = "", part
        lines.extend(_wrap_sum(lhs, cur, budget))
    if len(lines) < 2:
        return tex
    return r"\begin{aligned}" + r" \\ ".join(f"{left} &{right}" for left, right in lines) + r"\end{aligned}"


def _wrap_sum(lhs: str, right: str, budget: float) -> list[tuple[str, str]]:
    """One line (lhs, right), or several if ``right`` is a long sum: continued lines start with ``\\quad +``."""
    if width(lhs) + width(right) <= budget:
        return [(lhs, right)]
    lines: list[tuple[str, str]] = []
    cur = ""
    for term in sum_parts(right):
        if cur and width(lhs if not lines else "") + width(cur + term) > budget:
            lines.append((lhs if not lines else "", cur))
            cur = r"\quad " + term
        else:
            cur = f"{cur} {term}" if cur else term
    lines.append((lhs if not lines else "", cur))
    return lines


def _split_rows(tex: str, budget: float) -> str | None:
    """An author's ``aligned`` block whose rows are too wide, re-set with narrower rows: a row of several column
    pairs (``a &= b, & c &= d``) becomes one row per pair, and a cell holding several statements separated by
    ``\\quad`` one row per statement. None if ``tex`` is not one aligned block."""
    toks = tokens(tex.strip())
    if not toks or toks[0] != r"\begin":
        return None
    env, i = _group(toks, 1)
    if "".join(env) != "aligned":
        return None
    body, end = _environment(toks, i, "aligned")
    if "".join(toks[end:]).strip():
        return None
    rows: list[tuple[str, str]] = []
    for cells in _cells(body):
        text = ["".join(c).strip() for c in cells]
        pairs = [(text[k], text[k + 1] if k + 1 < len(text) else "") for k in range(0, len(text), 2)]
        if width(" ".join(text)) <= budget:
            rows.append((pairs[0][0], " & ".join(t for t in text[1:])))
            continue
        for left, right in pairs:
            stmts = ["".join(s).strip() for s, _sep in statements(tokens(right))] or [right]
            cur = stmts[0]
            for stmt in stmts[1:]:
                if width(left) + width(cur + stmt) + 1.0 <= budget:
                    cur += r",\quad " + stmt if not cur.rstrip().endswith((",", ";")) else r"\quad " + stmt
                else:
                    rows.extend(_wrap_sum(left, cur, budget))
                    left, cur = "", stmt
            rows.extend(_wrap_sum(left, cur, budget))
    return r"\begin{aligned}" + r" \\ ".join(f"{left} &{right}" for left, right in rows) + r"\end{aligned}"
