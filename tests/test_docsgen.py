"""The presentation layer: cache keys follow the code each entry depends on (and nothing else), the check table and
numbers render in both languages, every label exists in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docsgen import cache, deps, labels
from docsgen.render import checks_table, fmt_number

from .conftest import ROOT


def copy_code(dest: Path) -> None:
    for name in (*deps.PACKAGES, "requirements", "pyproject.toml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)


def keys(root: Path) -> dict[tuple[str, str], Path]:
    """The cache file of every entry, as the build computes them (derivations' views and checks, figures)."""
    return cache._keys(root)


@pytest.fixture(scope="module")
def code_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("code")
    copy_code(root)
    return root


def test_a_topic_edit_changes_exactly_the_keys_that_depend_on_it(code_copy):
    before = keys(code_copy)
    edited = code_copy / "derivations" / "losses.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = keys(code_copy)
    changed = {k for k in before if before[k] != after[k]}
    owner = {**deps.registered("derivation", code_copy), **deps.registered("figure", code_copy)}
    depends = {k for k in before if "derivations.losses" in deps.closure(owner[k[1]], code_copy)}
    assert changed == depends
    assert depends and all(
        deps.registered("derivation", code_copy).get(k[1]) != "derivations.activations" for k in changed
    )
    assert ("view", "sigmoid_derivative") not in changed  # activations does not import losses


def test_a_prose_or_page_edit_changes_no_key(code_copy):
    before = keys(code_copy)
    (code_copy / "docs").mkdir(exist_ok=True)
    (code_copy / "docs" / "page.md").write_text("new prose\n", encoding="utf-8")
    assert keys(code_copy) == before


def test_an_edit_to_the_registry_or_the_pins_changes_every_key(code_copy):
    before = keys(code_copy)
    for rel in ("derivations/core.py", "requirements/constraints.txt"):
        f = code_copy / rel
        f.write_text(f.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        after = keys(code_copy)
        assert all(before[k] != after[k] for k in before), rel
        before = after


def test_get_with_a_literal_name_is_a_dependency():
    """spectral.py reads other topics' results through their Derivation objects or get("..."): either way, an edit
    there must reach it."""
    for module in deps.registered("derivation").values():
        closure = deps.closure(module)
        assert "derivations.core" in closure and module in closure


def test_every_label_has_both_languages():
    for key, entry in labels.LABELS.items():
        assert set(entry) == set(labels.LANGS), key
        assert all(entry[lang].strip() for lang in labels.LANGS), key
    with pytest.raises(KeyError, match="no zh label 'nope'"):
        labels.label("nope", "zh")


def test_check_table_is_fully_translated():
    view = {"name": "x_y", "title": {"en": "A title", "zh": "一个标题"}}
    rows = [
        {"oracle": "central differences", "oracle_zh": "中心差分", "error": 1e-12, "tol": 1e-9, "status": "pass"},
        {"oracle": "torch", "oracle_zh": "PyTorch 自动微分", "error": None, "tol": 1e-9, "status": "skip"},
    ]
    zh = checks_table([(view, rows)], "zh")
    assert "中心差分" in zh and "通过" in zh and "跳过" in zh and "一个标题" in zh and "：" in zh
    assert "central" not in zh and "pass" not in zh.replace("verdict-pass", "")
    en = checks_table([(view, rows)], "en")
    assert "central differences" in en and "A title" in en and "skipped" in en
    assert en.count("`x_y`") == 1  # the derivation is named on its first row only


def test_numbers_keep_the_digits_asked_for():
    assert fmt_number(0.1234567, 3) == "0.123"
    assert fmt_number(2.0**-100, 4) == "7.889e-31"


def test_short_formulas_are_left_alone_and_long_chains_are_broken_at_relations():
    from docsgen.layout import break_lines

    assert break_lines(r"a = b", 34) == r"a = b"
    out = break_lines(r"x = \frac{a+b}{c} = \sqrt{y+z} \le w", 4)
    assert out.startswith(r"\begin{aligned}") and out.count(r"\\") == 2
    assert r"\frac{a+b}{c}" in out and r"\sqrt{y+z}" in out  # nothing broken inside a group
    stmts = break_lines(r"A = 1,\quad B = \left(2 = 2\right),\ C \approx 3", 6)
    assert stmts.count(r"\\") == 2 and r"\left(2 = 2\right)" in stmts
    aligned = r"\begin{aligned}a&=b\\c&=d\end{aligned}"
    assert break_lines(aligned, 34) == aligned  # laid out by its author, and it fits
    pairs = r"\begin{aligned}r&=\sigma(Wx+b),&z&=\sigma(Ux+c)\end{aligned}"
    split = break_lines(pairs, 8)  # a row of two column pairs that does not fit: one row per pair
    assert split.count(r"\\") == 1 and r"z &=\sigma(Ux+c)" in split


def test_a_long_sum_is_continued_on_the_next_line():
    from docsgen.layout import break_lines

    out = break_lines(r"L = " + " + ".join(rf"\frac{{a_{k}}}{{b_{k}}}" for k in range(12)), 10)
    assert out.count(r"\quad +") >= 2
    row = r"\begin{aligned}J &=" + " + ".join(rf"\frac{{a_{k}}}{{b_{k}}}" for k in range(12)) + r"\end{aligned}"
    assert break_lines(row, 10).count(r"\quad +") >= 2  # an author's row that is too wide: its sum is continued too


def test_statements_after_an_environment_are_broken_too():
    from docsgen.layout import break_lines

    tex = r"\begin{cases}a & x<0\\b & x>0\end{cases},\qquad \lim_{h\to0} f = \alpha,\qquad g \iff \alpha = 1"
    out = break_lines(tex, 8)
    assert out.startswith(r"\begin{aligned}") and out.count(r"\\") == 3  # 1 inside cases + 2 between the 3 statements
    assert r"\begin{cases}a & x<0\\b & x>0\end{cases}" in out


def test_a_statement_after_a_colon_starts_a_line_but_a_set_keeps_its_colon():
    from docsgen.layout import break_lines

    wide = r"\frac{a_1}{b_1} + \frac{a_2}{b_2} + \frac{a_3}{b_3}"
    out = break_lines(rf"W = {wide}:\ \rho(W) = {wide}", 12)
    assert r"{b_3}: \\ \rho(W)" in out  # the colon ends the first line; the statement it introduces starts the next
    out = break_lines(rf"\#\{{(t,k):\ t-k>\tau\}} = {wide} + {wide}", 12)
    assert r"\#\{(t,k):\ t-k>\tau\}" in out  # the colon of set-builder notation is inside braces: no break there


def test_no_line_reads_as_the_continuation_of_a_statement_it_is_not_part_of():
    from docsgen.layout import break_lines

    wide = r"\frac{a_1}{b_1} + \frac{a_2}{b_2} + \frac{a_3}{b_3}"
    # "A, B <= c": the list item joins the relation it shares, instead of a line of its own under "x = ..."
    out = break_lines(rf"x = {wide},\qquad \|A\|_2,\ \|B\|_2\le c", 14)
    assert r"\|A\|_2,\ \|B\|_2 &\le c" in out and r"&\|A\|_2," not in out
    # a value stays with the label it follows ("g = 5/3: 25/18"), not alone on the next line
    out = break_lines(rf"y = {wide};\ g^2=\frac13:\ \frac16,\ g=\frac53:\ \frac{{25}}{{18}}", 14)
    assert r"g^2 &=\frac13:\ \frac16," in out and r"g &=\frac53:\ \frac{25}{18}" in out
    # a label too wide to join what it introduces starts its own line left of the alignment point ...
    out = break_lines(rf"\mathrm{{ReLU}},\ N(0,2/n):\ {wide} \approx 3", 8)
    assert r"\mathrm{ReLU},\ N(0,2/n): &" in out
    # ... while a trailing condition continues the line it qualifies
    out = break_lines(rf"y = {wide} + {wide},\quad (a>0)", 14)
    assert out.endswith(r"&(a>0)\end{aligned}")
    # sized delimiters nest like \left...\right: no break at a relation or comma inside them
    out = break_lines(r"P\bigl(\xi=\tfrac1p\bigr)=p,\ P(\xi=0)=1-p,\ \sigma=\Bigl\{1,\ \frac{Tb+r}{r}\Bigr\}", 8)
    assert r"P\bigl(\xi=\tfrac1p\bigr) &=p" in out and r"\sigma &=\Bigl\{1,\ \frac{Tb+r}{r}\Bigr\}" in out


def test_chinese_formulas_say_their_words_in_chinese():
    from docsgen.render import localise_tex

    tex = r"\begin{cases} 0 & \text{for}\: x<0 \\ 1 & \text{otherwise}\end{cases},\ \text{GRU: } h,\ \text{LSTMCell}"
    zh = localise_tex(tex, "zh")
    assert r"\text{若}" in zh and r"\text{其他情况}" in zh and r"\text{GRU：}" in zh
    assert r"\text{LSTMCell}" in zh  # a name, not a word: unchanged
    assert localise_tex(tex, "en") == tex


def test_a_formula_too_wide_for_a_phone_carries_a_narrower_layout():
    from docsgen.layout import width
    from docsgen.render import PHONE_BUDGET, PHONE_MARK, display

    assert PHONE_MARK not in display(r"a = b")
    chain = r"x = " + " = ".join(rf"\frac{{a_{k}+b_{k}}}{{c_{k}}}" for k in range(5))
    wide, narrow = display(chain).strip().strip("$").strip().split(f"\n{PHONE_MARK}\n")
    longest = {name: max(map(width, layout.split(r"\\"))) for name, layout in (("wide", wide), ("narrow", narrow))}
    assert longest["narrow"] <= PHONE_BUDGET < longest["wide"]  # a narrower widest line, within the phone budget


def test_a_table_cell_keeps_braces_markdown_would_take_for_attributes():
    import markdown

    from docsgen.render import cell

    text = "mpmath roots for w in {4.5, 5, 8}"
    table = f"| a | b |\n|---|---|\n| {cell(text)} | `x{{1}}` |\n"
    html = markdown.markdown(table, extensions=["tables", "attr_list"])
    assert "{4.5, 5, 8}" in html.replace("&#123;", "{") and "<code>x{1}</code>" in html


def test_a_numbered_display_is_tagged_in_both_layouts_and_names_its_anchor():
    from docsgen.render import ANCHOR_MARK, PHONE_MARK, display

    wide = r"\lVert a \rVert = " + " + ".join(rf"\frac{{x_{i}}}{{y_{i}}}" for i in range(14))
    block = display(wide, 3, "eq-sum")
    assert block.count(r"\tag{3}") == 2 and PHONE_MARK in block  # laptop and phone layouts
    assert block.strip().split("\n")[1] == f"{ANCHOR_MARK}eq-sum"
    assert r"\tag" not in display(wide) and ANCHOR_MARK not in display(wide)


def test_the_edition_data_is_ordered_and_latest_is_last():
    from docsgen import editions

    numbers = [n for n, _ in editions.EDITIONS]
    dates = [d for _, d in editions.EDITIONS]
    assert numbers == list(range(1, len(numbers) + 1)) and dates == sorted(dates)
    assert editions.latest() == editions.EDITIONS[-1]
    with pytest.raises(KeyError):
        editions.date_of(len(numbers) + 1)
