"""Exercises: every topic page has 3-6 in each language, each with a hint and a solution that rest on derivations
whose checks pass; no number is typed into an exercise; the built pages fold hints and solutions; a wrong solution
fails (the macro refuses it, the lint flags a typed answer, the derivation's checks catch the community's answer)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from derivations import get
from docsgen import cache
from docsgen.exercises import LEVELS, PER_PAGE, WITHOUT_EXERCISES, parse, typed_numbers

from .conftest import LANGS, ROOT, page_sources
from .test_site import html_of

TOPIC_PAGES = [s for s in page_sources("en") if s.endswith(".md") and s not in WITHOUT_EXERCISES]


def exercises(lang: str, src: str):
    return parse((ROOT / "docs" / lang / src).read_text(encoding="utf-8"))


@pytest.mark.parametrize("src", TOPIC_PAGES)
def test_every_topic_page_has_exercises_that_match_across_languages(src):
    en, zh = exercises("en", src), exercises("zh", src)
    lo, hi = PER_PAGE
    assert lo <= len(en) <= hi, f"{src}: {len(en)} exercises (want {lo}-{hi})"
    shape = lambda exs: [(e.slug, e.level, e.kinds(), e.derivations()) for e in exs]  # noqa: E731
    assert shape(en) == shape(zh), f"{src}: the two languages' exercises differ"
    for e in en:
        assert e.level in LEVELS, f"{src}#{e.slug}: level {e.level!r}"
        kinds = e.kinds()
        assert kinds[:2] == ["hint", "solution"], f"{src}#{e.slug}: want a hint, then the solution: {kinds}"
        assert set(kinds[2:]) <= {"wrong_answer"}, f"{src}#{e.slug}: {kinds}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("src", TOPIC_PAGES)
def test_no_number_is_typed_into_an_exercise(lang, src):
    for e in exercises(lang, src):
        for part, text in [("title", e.title), ("question", e.question)] + [(k, b) for k, _, b in e.folds]:
            assert not typed_numbers(text), f"{lang}/{src}#{e.slug} {part}: typed {typed_numbers(text)}"


def test_every_solution_rests_on_registered_derivations_whose_checks_pass():
    names = {n for src in TOPIC_PAGES for e in exercises("en", src) for n in e.derivations()}
    assert names
    for n in sorted(names):
        get(n)  # registered
        rows = cache.check_rows(n)
        assert rows and all(r["status"] != "FAIL" for r in rows), f"{n}: {rows}"
        assert any(r["status"] == "pass" for r in rows), f"{n}: no check ran"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("src", TOPIC_PAGES)
def test_built_exercises_fold_hint_and_solution(site_dir, lang, src):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_of(site_dir, lang, src).read_text(encoding="utf-8"), "html.parser")
    for e in exercises(lang, src):
        h = soup.find("h3", id=f"ex-{e.slug}")
        assert h is not None, f"{lang}/{src}: no heading #ex-{e.slug}"
        folds = []
        for sib in h.find_next_siblings():
            if sib.name in ("h2", "h3"):
                break
            if sib.name == "details":
                folds.append(sib)
        assert [d.get("class")[0] for d in folds] == [
            {"hint": "tip", "solution": "success", "wrong_answer": "failure"}[k] for k in e.kinds()
        ]
        assert all(not d.has_attr("open") for d in folds), f"{lang}/{src}#{e.slug}: a fold is open"
        assert "#verification" in str(folds[1]), f"{lang}/{src}#{e.slug}: the solution does not say what checks it"


# --- a wrong solution fails ------------------------------------------------------------------------------------------
def test_a_typed_answer_is_flagged_and_a_macro_answer_is_not():
    assert typed_numbers("so the spectral radius is 0.25 and grows by 4.49 per pair") == ["0.25", "4.49"]
    assert typed_numbers("after 100 steps, 1e-3 and $10^{-3}$") == ["100", "1e-3", "10"]
    assert typed_numbers('{{ num("x", "y", 3) }} in float64, $h_{t-1}$, a $2\\times2$ matrix, Saxe et al. (2014)') == []
    assert typed_numbers("第 10 步") == ["10"]


def _macros(lang: str = "en"):
    """The page macros as mkdocs-macros loads them (by path), and the module that defines them. Loading it re-imports
    docsgen afresh; the modules other tests imported are put back afterwards."""
    import importlib.util
    import sys

    kept = {k: m for k, m in sys.modules.items() if k.split(".")[0] == "docsgen"}
    spec = importlib.util.spec_from_file_location("_page_macros", ROOT / "docsgen" / "macros.py")
    macros = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(macros)
        found: dict = {}
        env = SimpleNamespace(
            conf={"theme": {"language": lang}},
            page=SimpleNamespace(file=SimpleNamespace(src_uri="spectral.md")),
            macro=lambda f: found.setdefault(f.__name__, f),
        )
        macros.define_env(env)
    finally:
        sys.modules.update(kept)
    return found, macros


def test_the_build_refuses_a_solution_whose_derivation_fails_its_checks(monkeypatch):
    m, module = _macros()
    m["exercise"]("radius-of-a-product", "compute", "t", caller=lambda: "Q")
    good = m["solution"]("spectral_radius_of_product", caller=lambda: "S")
    assert "??? success" in good and "#verification" in good
    failing = [{**r, "status": "FAIL"} for r in module.cache.check_rows("spectral_radius_of_product")]
    monkeypatch.setattr(module.cache, "check_rows", lambda name, *a: failing)
    with pytest.raises(ValueError, match="checks fail"):
        m["solution"]("spectral_radius_of_product", caller=lambda: "S")
    with pytest.raises(ValueError, match="names no derivation"):
        m["solution"](caller=lambda: "S")


def test_every_derivation_behind_a_solution_has_a_mutation_test():
    """Each derivation a solution names is mutated in its topic's test file (tests.helpers.assert_checks_catch), with
    the common wrong answer where the exercise records one: its checks are shown to fail on a wrong solution."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    names = {n for src in TOPIC_PAGES for e in exercises("en", src) for n in e.derivations()}
    missing = sorted(n for n in names if not re.search(rf'assert_checks_catch\(\s*monkeypatch,\s*"{n}"', sources))
    assert not missing, f"no assert_checks_catch row for: {', '.join(missing)}"
