"""The macros pages call (mkdocs-macros): a page is prose plus one-line references to derived results.

    {{ eq("name") }}              display formula of a derivation ({{ eq("name", "part") }}: one named part;
                                  label="bound": numbered in order on the page, anchored at #eq-bound)
    {{ eqref("bound") }}          a link to that numbered formula: "(3)", in Chinese "式 (3)"
    {{ tex("name", "part") }}     the same, inline
    {{ latex("name", "part") }}   the bare LaTeX, to compose inside math written on the page: $A = {{ latex(…) }}$
    {{ val("name", "key") }}      a value the derivation produced (Result.text: numbers, exact strings, LaTeX)
    {{ eq_val("name", "key") }}   such a value that is LaTeX, as display math
    {{ num("name", "part", 4) }}  a part evaluated to a number, with that many significant digits
    {{ title("name") }}           the derivation's title in the page's language
    {{ figure("id") }}            a figure, labelled in the page's language
    {{ uses("name", ...) }}       nothing shown: a derivation whose checks back a sentence of the page
    {{ checks() }}                table of the checks of every derivation the page referenced above it
    {{ edition() }}               the latest edition, "Edition 3 (2026-11-30)" ({{ edition(2) }}: edition 2)
    {{ counts().derivations }}    how many derivations (``.checks``: checks) this build holds
    {{ glossary() }}              the glossary table;  {{ label("key") }}: an interface label
    {% call exercise("slug", "level", "title") %}…{% endcall %}   an exercise (docsgen/exercises.py), followed by
    {% call hint() %}, {% call solution("name", ...) %}, {% call wrong_answer("name", ...) %} blocks

Everything comes from ``docsgen.cache``: computed once per version of the code it depends on, shared by both
languages. Jinja's comment marker is ``{##`` here, so that ``{#anchor}`` headings stay Markdown.
"""

from __future__ import annotations

import sys
from pathlib import Path

# mkdocs-macros executes this file by path: make this checkout's packages the ones imported, freshly on every
# build, so that `mkdocs serve` never runs code older than what is on disk (the derivations themselves are only
# ever imported by the cache's worker processes).
_ROOT = str(Path(__file__).resolve().parent.parent)
if sys.path[0] != _ROOT:
    sys.path.insert(0, _ROOT)
for _m in [m for m in sys.modules if m.split(".")[0] == "docsgen"]:
    del sys.modules[_m]

import re  # noqa: E402

from docsgen import cache, labels  # noqa: E402
from docsgen.render import checks_table, display, fmt_number, localise_tex  # noqa: E402

_MACRO_CALL = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_DISPLAY_CALL = re.compile(r"\s*(?:eq|eq_val)\(")
_LABEL_ARG = re.compile(r"\blabel\s*=\s*[\"']([A-Za-z0-9_-]+)[\"']")


def define_env(env) -> None:
    """Register the macros for one language build (the language is the theme's)."""
    lang = env.conf["theme"]["language"]
    used: dict[str, list[str]] = {}
    cache.start()  # compute whatever the current code has not cached yet, on every core, while the build goes on

    def _use(name: str) -> dict:
        try:
            v = cache.view(name)
        except KeyError:
            raise KeyError(f"unknown derivation {name!r} (python -m derivations list)") from None
        names = used.setdefault(env.page.file.src_uri, [])
        if name not in names:
            names.append(name)
        return v

    def _part(v: dict, part: str) -> dict:
        if part not in v["parts"]:
            raise KeyError(f"{v['name']} has no part {part!r}; parts: {', '.join(v['parts'])}")
        return v["parts"][part]

    numbered: dict[str, dict[str, int]] = {}  # page -> label -> equation number (order of appearance)
    shown: dict[str, list[str]] = {}  # page -> labels displayed so far

    def _numbers() -> dict[str, int]:
        """The page's equation labels numbered in order of appearance, read from its source (so that a reference
        may come before the formula it names)."""
        page = env.page.file.src_uri
        if page not in numbered:
            found: dict[str, int] = {}
            for expr in _MACRO_CALL.findall(env.markdown):
                m = _LABEL_ARG.search(expr)
                if m and _DISPLAY_CALL.match(expr):
                    if m.group(1) in found:
                        raise ValueError(f"{page}: equation label {m.group(1)!r} used twice")
                    found[m.group(1)] = len(found) + 1
            numbered[page] = found
        return numbered[page]

    def _display(latex_src: str, label: str | None) -> str:
        if label is None:
            return display(latex_src)
        page = env.page.file.src_uri
        number = _numbers().get(label)
        order = shown.setdefault(page, [])
        if number is None or number != len(order) + 1:
            raise ValueError(f"{page}: equation label {label!r} not found in order in the page's source")
        order.append(label)
        return display(latex_src, number, f"eq-{label}")

    @env.macro
    def eq(name: str, part: str | None = None, label: str | None = None) -> str:
        """Display math: a derivation's result, or one named part; ``label``: numbered, anchored at #eq-<label>."""
        v = _use(name)
        return _display(localise_tex(v["latex"] if part is None else _part(v, part)["latex"], lang), label)

    @env.macro
    def eqref(label: str) -> str:
        """A link to the numbered display formula ``label`` of this page: "(3)", in Chinese "式 (3)"."""
        number = _numbers().get(label)
        if number is None:
            raise KeyError(f"{env.page.file.src_uri}: eqref({label!r}) names no labelled formula on this page")
        return f"[{labels.label('eq.ref', lang).format(n=number)}](#eq-{label})"

    @env.macro
    def edition(number: int | None = None) -> str:
        """The latest edition (or edition ``number``) with its date, in this page's language."""
        from docsgen import editions
        from docsgen.cite import edition_label

        return edition_label(editions.latest()[0] if number is None else number, lang)

    @env.macro
    def tex(name: str, part: str | None = None) -> str:
        """Inline math: a derivation's result, or one named part."""
        v = _use(name)
        return f"${localise_tex(v['latex'] if part is None else _part(v, part)['latex'], lang)}$"

    @env.macro
    def latex(name: str, part: str | None = None) -> str:
        """The bare LaTeX of a result or part, to compose in math written on the page: ``$A = {{ latex(…) }}$``."""
        v = _use(name)
        return localise_tex(v["latex"] if part is None else _part(v, part)["latex"], lang)

    @env.macro
    def val(name: str, key: str) -> str:
        """A language-neutral value the derivation produced (``Result.text[key]``)."""
        v = _use(name)
        if key not in v["text"]:
            raise KeyError(f"{name} has no text value {key!r}; values: {', '.join(v['text'])}")
        return localise_tex(v["text"][key], lang)

    @env.macro
    def eq_val(name: str, key: str, label: str | None = None) -> str:
        """Display math holding a LaTeX value the derivation produced (``Result.text[key]``); ``label`` as for eq."""
        return _display(val(name, key), label)

    @env.macro
    def num(name: str, part: str, digits: int = 6) -> str:
        """A numeric part with ``digits`` significant digits."""
        value = _part(_use(name), part)["value"]
        if value is None:
            raise ValueError(f"{name}: part {part!r} is not a real number")
        return fmt_number(value, digits)

    @env.macro
    def title(name: str) -> str:
        """The derivation's one-line title in this page's language."""
        return _use(name)["title"][lang]

    @env.macro
    def uses(*names: str) -> str:
        """Record derivations whose checks back this page's prose; shows nothing."""
        for name in names:
            _use(name)
        return ""

    @env.macro
    def figure(fig_id: str) -> str:
        """A figure labelled in this page's language (inline SVG)."""
        try:
            return cache.figure_svg(fig_id, lang)
        except KeyError:
            raise KeyError(f"unknown figure {fig_id!r} (registered with @figure in docsgen/figures/)") from None

    def _asset(rel: str) -> str:
        """URL of ``assets/<rel>`` from this page (directory URLs: one ``../`` per level)."""
        return "../" * env.page.url.count("/") + "assets/" + rel

    @env.macro
    def explorer() -> str:
        """The interactive gradient explorer (data: derivation ``explorer_bound``; labels in this page's language)."""
        from docsgen.explorer import html

        return html(val("explorer_bound", "series_json"), lang, _asset("javascripts/gradient-explorer.js"))

    @env.macro
    def signal_explorer() -> str:
        """The interactive chi_1 explorer (data: derivation ``signal_explorer``; labels in this page's language)."""
        from docsgen.signal_explorer import html

        return html(val("signal_explorer", "series_json"), lang, _asset("javascripts/signal-explorer.js"))

    @env.macro
    def checks() -> str:
        """Markdown table of the checks of every derivation referenced above on this page."""
        names = used.get(env.page.file.src_uri, [])
        if not names:
            raise ValueError("checks() on a page that references no derivation")
        return checks_table([(cache.view(n), cache.check_rows(n)) for n in names], lang)

    @env.macro
    def counts() -> dict[str, int]:
        """How many derivations and checks this build holds: ``{{ counts().derivations }}``, ``.checks``."""
        from docsgen import deps

        names = deps.registered("derivation")
        return {"derivations": len(names), "checks": sum(len(cache.check_rows(n)) for n in names)}

    @env.macro
    def glossary() -> str:
        """The glossary table in this page's language (docsgen/glossary.py)."""
        from docsgen.glossary import table

        return table(lang)

    exercises: dict[str, int] = {}

    @env.macro
    def exercise(slug: str, level: str, title: str, caller=None) -> str:
        """An exercise: numbered heading anchored at ``#ex-<slug>``, then its question (the call block's body)."""
        from docsgen.exercises import heading

        page = env.page.file.src_uri
        exercises[page] = exercises.get(page, 0) + 1
        return f"{heading(exercises[page], level, title, slug, lang)}\n\n{caller().strip(chr(10))}\n"

    def _fold(kind: str, names: tuple[str, ...], caller) -> str:
        from docsgen.exercises import fold

        if not exercises.get(env.page.file.src_uri):
            raise ValueError(f"{kind}() before any exercise() on this page")
        footer = ""
        if kind != "hint":
            if not names:
                raise ValueError(f"{kind}() names no derivation: name those whose checks back it")
            rows = []
            for n in names:
                _use(n)
                rows += cache.check_rows(n)
            failed = [n for n in names if any(r["status"] == "FAIL" for r in cache.check_rows(n))]
            if failed:
                raise ValueError(f"{kind}() rests on derivations whose checks fail: {', '.join(failed)}")
            ran = [r for r in rows if r["status"] == "pass"]
            footer = labels.label("ex.checked", lang).format(
                names=labels.label("ex.sep", lang).join(f"`{n}`" for n in names),
                checks=labels.label("ex.checks.one" if len(ran) == 1 else "ex.checks.many", lang).format(n=len(ran)),
            )
        elif names:
            raise ValueError("hint() takes no derivation")
        return f"\n{fold(kind, caller(), lang, footer)}\n"

    @env.macro
    def hint(caller=None) -> str:
        """A hint to the exercise above, folded."""
        return _fold("hint", (), caller)

    @env.macro
    def solution(*names: str, caller=None) -> str:
        """The solution of the exercise above, folded; ``names``: the derivations whose checks back it (all must
        pass, else the build fails); they join the page's table of checks."""
        return _fold("solution", names, caller)

    @env.macro
    def wrong_answer(*names: str, caller=None) -> str:
        """A common wrong answer to the exercise above and its refutation, folded; ``names`` as for solution()."""
        return _fold("wrong_answer", names, caller)

    @env.macro
    def label(key: str) -> str:
        """An interface label from docsgen/labels.py in this page's language."""
        return labels.label(key, lang)
