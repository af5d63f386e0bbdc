"""Line breaks for long display formulas: a chain ``a = b = c`` or a list ``A,\\quad B`` wider than the column is
set as aligned lines, broken at top-level relations (``=``, ``\\le``, ``\\Rightarrow`` …) and statement separators
(``\\quad``, ``,\\ ``), never inside braces, ``\\left…\\right`` or environments. The width of TeX is estimated in em
(a rough model of KaTeX's metrics, calibrated on this site's formulas); the browser suite measures the result.

Hand-written here because no maintained library breaks TeX at the source level (KaTeX breaks only inline math, and
MathJax's line breaking needs its client-side renderer).
"""

from __future__ import annotations

import math
import re

RELATIONS = {
    "=", "<", ">", r"\le", r"\leq", r"\ge", r"\geq", r"\approx", r"\ne", r"\neq", r"\equiv", r"\Rightarrow",
    r"\Longrightarrow", r"\implies", r"\xrightarrow", r"\longrightarrow", r"\iff", r"\sim", r"\propto", r"\ll",
    r"\gg", r"\lesssim", r"\gtrsim", r"\overset", r"\to", r"\rightarrow", r"\leftarrow", r"\mapsto", r"\cong",
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


_OPENERS = (r"\left", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl")  # each opens a pair of sized delimiters
_CLOSERS = (r"\right", r"\bigr", r"\Bigr", r"\biggr", r"\Biggr")
_SIZED = (*_OPENERS, *_CLOSERS)  # a bracket right after one of these is a delimiter of the pair, not a group


def _top_level(toks: list[str], sized: bool = True) -> list[int]:
    """Depth of nesting (braces, brackets, set braces ``\\{…\\}``, ``\\left…\\right`` and ``\\bigl…\\bigr``
    pairs, environments) before each token; with ``sized`` False a ``\\bigl…\\bigr`` pair does not count (a long
    sum may be continued on the next line inside one, as TeX allows, but not inside ``\\left…\\right``)."""
    openers, closers = (_OPENERS, _CLOSERS) if sized else (_OPENERS[:1], _CLOSERS[:1])
    depth, out = 0, []
    for i, t in enumerate(toks):
        delimiter = i > 0 and toks[i - 1] in _SIZED
        if t in ("}", r"\end", *closers) or (t in (")", "]", r"\}") and not delimiter):
            depth -= 1
        out.append(depth)
        if t in ("{", r"\begin", *openers) or (t in ("(", "[", r"\{") and not delimiter):
            depth += 1
    return out


def sum_parts(text: str) -> list[str]:
    """``text`` split before each top-level binary ``+`` or ``-`` (the last resort for a line that is too wide; inside
    a ``\\bigl…\\bigr`` pair too)."""
    toks = tokens(text)
    depth = _top_level(toks, sized=False)
    parts, start = [], 0
    for i, t in enumerate(toks):
        prev = next((p for p in reversed(toks[:i]) if not p.isspace()), "")
        binary = prev and prev not in ("(", "[", "{", "=", ",", "&") and prev not in RELATIONS
        if depth[i] == 0 and t in ("+", "-") and binary:
            parts.append("".join(toks[start:i]).strip())
            start = i
    parts.append("".join(toks[start:]).strip())
    return [p for p in parts if p]


def statements(toks: list[str], budget: float = math.inf) -> list[tuple[list[str], list[str]]]:
    """Top-level statements (text, separator that followed it): split at ``\\quad``, ``\\qquad``, ``,\\ ``, ``;\\ ``
    and ``:\\ `` (the punctuation stays with the statement it ends); a fragment with no relation is joined to a
    neighbour where the line fits in ``budget`` em (``_bind_fragments``)."""
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
    return _bind_fragments([s for s in out if "".join(s[0]).strip()], budget)


def _bind_fragments(stmts: list[tuple[list[str], list[str]]], budget: float) -> list[tuple[list[str], list[str]]]:
    """Statements with no top-level relation of their own joined to the neighbour they belong to, where the line
    that makes fits in ``budget`` em, so that no line reads as the continuation of the line above: a value to the
    label it follows ("h = 0: 2"), and a label or a list item followed by a thin space to what follows
    ("norm A, norm B <= c"; "N(0,1): r = 65")."""
    out = list(stmts)
    changed = True
    while changed:
        changed = False
        for k, (text, sep) in enumerate(out):
            if len(relation_parts(text)) > 1:
                continue
            prev_end = "".join(out[k - 1][0]).rstrip()[-1:] if k > 0 else ""
            if prev_end == ":" or (prev_end == "," and _tight(out[k - 1][1])):
                prev_text, prev_sep = out[k - 1]
                parts = relation_parts(prev_text)
                line = (parts[0] if len(parts) == 2 else []) + parts[-1] + prev_sep + text
                if width(line) <= budget:
                    out[k - 1 : k + 1] = [(prev_text + prev_sep + text, sep)]
                    changed = True
                    break
            if k + 1 < len(out) and "".join(text).rstrip().endswith((",", ":")):
                next_text, next_sep = out[k + 1]
                parts = relation_parts(text + sep + next_text)
                if _tight(sep) and width(parts[0] + (parts[1] if len(parts) > 1 else [])) <= budget:
                    out[k : k + 2] = [(text + sep + next_text, next_sep)]
                    changed = True
                    break
    return out


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
    line would exceed the budget. Only a continuation starts right of the alignment point: a statement without a
    relation is set left of it, as a new statement starts, unless it is the value of a label ending the line above
    ("x:")."""
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
    stmts = statements(toks, budget)
    for k, (stmt, separator) in enumerate(stmts):
        parts = ["".join(p).strip() for p in relation_parts(stmt)]
        if len(parts) == 1:  # no relation to align at: a lead-in goes left, anything else continues the line above
            lines.append((parts[0], "") if _leads_in(parts[0], separator, k + 1 < len(stmts)) else ("", parts[0]))
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


def _leads_in(text: str, separator: list[str], more: bool) -> bool:
    """Whether a statement without a relation introduces what follows it: a label ("N(0,1):") or a list item
    followed by a thin space and more ("norm A, norm B <= c"), rather than a value or condition of the line above."""
    return more and (text.endswith(":") or (text.endswith(",") and _tight(separator)))


def _tight(separator: list[str]) -> bool:
    """A thin-space separator (``,\\ ``), which binds a list, as opposed to ``\\quad`` between statements."""
    return all(t == r"\ " or t.isspace() for t in separator)


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
            stmts = ["".join(s).strip() for s, _sep in statements(tokens(right), budget - width(left))] or [right]
            cur = stmts[0]
            for stmt in stmts[1:]:
                if width(left) + width(cur + stmt) + 1.0 <= budget:
                    cur += r",\quad " + stmt if not cur.rstrip().endswith((",", ";")) else r"\quad " + stmt
                else:
                    rows.extend(_wrap_sum(left, cur, budget))
                    left, cur = "", stmt
            rows.extend(_wrap_sum(left, cur, budget))
    return r"\begin{aligned}" + r" \\ ".join(f"{left} &{right}" for left, right in rows) + r"\end{aligned}"
