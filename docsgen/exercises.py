"""Exercises on the pages: how a page writes them, how they are rendered, and how tests read them back.

A page writes each exercise as Jinja call blocks (the macros are in ``docsgen/macros.py``)::

    {% call exercise("power-iteration", "compute", "How fast does power iteration converge?") %}
    The question, with every number from a derivation: {{ tex("power_iteration_rate", "W") }} …
    {% endcall %}
    {% call hint() %}
    A hint, revealed on its own.
    {% endcall %}
    {% call solution("power_iteration_rate") %}
    The solution; its numbers come from the derivations it names, whose checks must pass.
    {% endcall %}
    {% call wrong_answer("gru_gate_paths") %}     (optional, any number of them)
    A common wrong answer, and the computation that refutes it.
    {% endcall %}

An exercise is a level-3 heading (so it has an anchor, a table-of-contents entry and a place in the print
edition) followed by its question; the hint, solution and wrong answers are admonitions folded by default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docsgen.labels import label

LEVELS = ("understand", "derive", "compute", "explore")

# Pages that are not topic pages and carry no exercises: the home page, the reference lists, the changelog and the
# page of claims (each of its myths is already a counter-example to check). Every other Markdown page has 3-6.
WITHOUT_EXERCISES = ("index.md", "glossary.md", "references.md", "myths.md", "changelog.md")
PER_PAGE = (3, 6)

# Kinds of folded block under an exercise: (macro name, Material admonition type).
FOLDS = {"hint": "tip", "solution": "success", "wrong_answer": "failure"}

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# A number typed into an exercise instead of taken from a derivation: a decimal, a power of ten in e-notation,
# or an integer of two or more digits; not a year in a citation, and not digits that are part of a name
# (float64, x1, h_{t-1} have no standalone number of two digits).
TYPED_NUMBER = re.compile(r"(?<![A-Za-z_\d.\\])(?:\d+\.\d+|\d+(?:\.\d+)?[eE][-+]?\d+|\d{2,})(?![A-Za-z_\d])")
YEAR = re.compile(r"^(?:19|20)\d\d$")


def indent(text: str, spaces: int) -> str:
    """``text`` with every non-blank line indented by ``spaces`` spaces (Markdown block continuation)."""
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.strip("\n").split("\n"))


def heading(number: int, level: str, title: str, slug: str, lang: str) -> str:
    """The exercise's heading: number, level and title in ``lang``, anchored at ``#ex-<slug>``."""
    if level not in LEVELS:
        raise ValueError(f"exercise level {level!r}: use one of {', '.join(LEVELS)}")
    if not SLUG.fullmatch(slug):
        raise ValueError(f"exercise slug {slug!r}: use lower-case letters, digits and single hyphens")
    word, lev = label("ex.exercise", lang), label(f"ex.level.{level}", lang)
    text = f"{word} {number}（{lev}）：{title}" if lang == "zh" else f"{word} {number} ({lev}): {title}"
    return f"### {text} {{#ex-{slug}}}"


def fold(kind: str, body: str, lang: str, footer: str = "") -> str:
    """A folded admonition of ``kind`` (hint, solution, wrong_answer) holding ``body``, nested in the exercise."""
    inner = body.strip("\n") + (f"\n\n{footer}" if footer else "")
    return f'??? {FOLDS[kind]} "{label(f"ex.{kind}", lang)}"\n\n{indent(inner, 4)}'


@dataclass
class Exercise:
    """An exercise as a page's source writes it (before Jinja): what tests and tools read back."""

    slug: str
    level: str
    title: str
    question: str
    folds: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)  # (kind, derivation names, body)

    def kinds(self) -> list[str]:
        """The kinds of the folded blocks, in page order."""
        return [k for k, _, _ in self.folds]

    def derivations(self) -> list[str]:
        """Every derivation named by the exercise's solution and wrong answers."""
        return [n for _, names, _ in self.folds for n in names]


_CALL = re.compile(r"\{%-?\s*call\s+(\w+)\((.*?)\)\s*-?%\}(.*?)\{%-?\s*endcall\s*-?%\}", re.S)
_STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")


def _args(text: str) -> list[str]:
    return [a if a else b for a, b in _STRING.findall(text)]


def parse(source: str) -> list[Exercise]:
    """The exercises of a page's Markdown source, in order (the call blocks above, read without rendering)."""
    out: list[Exercise] = []
    for m in _CALL.finditer(source):
        macro, args, body = m.group(1), _args(m.group(2)), m.group(3).strip("\n")
        if macro == "exercise":
            slug, level, title = [*args, "", "", ""][:3]
            out.append(Exercise(slug=slug, level=level, title=title, question=body))
        elif macro in FOLDS:
            if not out:
                raise ValueError(f"{{% call {macro}() %}} before any exercise")
            out[-1].folds.append((macro, tuple(args), body))
    return out


def typed_numbers(text: str) -> list[str]:
    """Numbers typed in ``text`` (Markdown source of an exercise) rather than produced by a macro: what is left
    after removing macro calls, link targets, anchors and citation years."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)|\{#[^}]*\}", " ", text)
    return [n for n in TYPED_NUMBER.findall(text) if not YEAR.match(n)]
