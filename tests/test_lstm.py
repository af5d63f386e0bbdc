"""LSTM results checked against torch.nn.LSTMCell (float64) and oracles written here, apart from derivations/lstm.py."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.lstm import shortcut_case
from derivations.nets.lstm import lstm_block_jacobian_np, lstm_cell_np
from tests.helpers import assert_checks_catch, normal_layout_params

torch = pytest.importorskip("torch")


from derivations.oracles.autograd import jacobian, lstm_state_map, torch_lstm_cell  # noqa: E402


def _params(hid: int, inp: int, seed: int, scale: float = 1.0) -> dict[str, np.ndarray]:
    return normal_layout_params(4, inp, hid, seed, scale)


def _torch_block_jacobian(cell, x, h, c):
    return jacobian(lstm_state_map(cell, [x]), c, h)


def test_numpy_cell_and_block_jacobian_match_torch_for_h5():
    p = _params(5, 3, 0, scale=2.0)
    rng = np.random.default_rng(1)
    x, h, c = rng.normal(size=3), rng.uniform(-1, 1, 5), rng.normal(size=5)
    cell = torch_lstm_cell(p)
    with torch.no_grad():
        ht, ct = cell(torch.tensor(x)[None], (torch.tensor(h)[None], torch.tensor(c)[None]))
    hn, cn = lstm_cell_np(p, x, h, c)
    assert np.max(np.abs(hn - ht[0].numpy())) < 1e-14 and np.max(np.abs(cn - ct[0].numpy())) < 1e-14
    assert np.max(np.abs(lstm_block_jacobian_np(p, x, h, c) - _torch_block_jacobian(cell, x, h, c))) < 1e-12


def test_symbolic_block_jacobian_evaluated_by_hand_matches_torch():
    """Substitute gate values computed here (not by the module) into the derived 4x4 matrix."""
    hid = 2
    p = _params(hid, 2, 5, scale=2.0)
    rng = np.random.default_rng(6)
    x, h, c = rng.normal(size=2), rng.uniform(-1, 1, hid), rng.normal(size=hid)
    zs = p["weight_ih"] @ x + p["bias_ih"] + p["weight_hh"] @ h + p["bias_hh"]
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    gates = {"i": sig(zs[0:2]), "f": sig(zs[2:4]), "g": np.tanh(zs[4:6]), "o": sig(zs[6:8])}
    c_new = gates["f"] * c + gates["i"] * gates["g"]
    vals = {}
    for n, k in enumerate("ifgo"):
        for a in range(hid):
            vals[sp.Symbol(f"{k}_{a}", real=True)] = gates[k][a]
            for b in range(hid):
                vals[sp.Symbol(f"U{k}_{a}{b}", real=True)] = p["weight_hh"][n * hid + a, b]
    for a in range(hid):
        vals[sp.Symbol(f"tc_{a}", real=True)] = np.tanh(c_new[a])
        vals[sp.Symbol(f"cp_{a}", real=True)] = c[a]
    jac = get("lstm_block_jacobian").result.parts["jacobian"]
    assert jac.free_symbols <= set(vals)
    num = np.array(jac.xreplace({k: sp.Float(v, 30) for k, v in vals.items()}).evalf(), dtype=float)
    assert np.max(np.abs(num - _torch_block_jacobian(torch_lstm_cell(p), x, h, c))) < 1e-12


def test_cell_path_block_is_diag_f_and_cec_is_identity():
    f0, f1 = sp.symbols("f_0 f_1", real=True)
    assert get("lstm_cell_path_derivative").result.expr == sp.diag(f0, f1)
    assert get("lstm_block_jacobian").result.parts["dc_dc"] == sp.diag(f0, f1)
    assert get("lstm_cec_1997").result.parts["dc_dc"] == sp.eye(2)


def test_multistep_product_matches_torch_unroll():
    hid, steps = 6, 15
    p = _params(hid, 4, 9)
    rng = np.random.default_rng(10)
    xs, c0 = rng.normal(size=(steps, 4)), rng.normal(size=hid)
    cell = torch_lstm_cell(p)

    ref = jacobian(lstm_state_map(cell, xs), c0, np.zeros(hid))
    h, c, prod = np.zeros(hid), c0, np.eye(2 * hid)
    for x in xs:
        prod = lstm_block_jacobian_np(p, x, h, c) @ prod
        h, c = lstm_cell_np(p, x, h, c)
    assert np.max(np.abs(prod - ref)) < 1e-12 * max(1.0, np.max(np.abs(ref)))


def test_shortcuts_are_wrong_and_numbers_match_torch():
    r = shortcut_case()
    p = r["params"]
    hid = p["weight_hh"].shape[1]
    cell = torch_lstm_cell(p)
    c0 = r["c0"]

    def unroll(cv):
        hx, cx = torch.zeros(1, hid, dtype=torch.float64), cv[None]
        for x in r["xs"]:
            hx, cx = cell(torch.tensor(x)[None], (hx, cx))
        return cx[0]

    true = torch.autograd.functional.jacobian(unroll, torch.tensor(c0)).numpy()
    assert np.max(np.abs(true - r["true"])) < 1e-15 + 1e-10 * np.max(np.abs(true))
    rel = lambda a: np.linalg.norm(a - true) / np.linalg.norm(true)  # noqa: E731
    res = get("lstm_shortcut_counterexample").result
    assert rel(r["diag_f"]) == pytest.approx(float(res.parts["rel_err_diag_f"]), rel=1e-9)
    assert rel(r["one_step_total"]) == pytest.approx(float(res.parts["rel_err_one_step_total"]), rel=1e-9)
    assert rel(r["diag_f"]) > 0.5 and rel(r["one_step_total"]) > 0.05
    assert float(res.parts["rel_err_one_step_total_who0"]) < 1e-12


def test_forget_bias_products_exact():
    r = get("lstm_forget_bias_product").result
    assert r.parts["prod_0_9"] == sp.Rational(9, 10) ** 100
    assert Fraction(str(r.parts["prod_0_9"])) == Fraction(9, 10) ** 100
    with mpmath.workdps(40):
        assert mpmath.mpf(r.text["prod_0_9"]) == pytest.approx(mpmath.mpf("2.6561398887587476e-05"), rel=1e-15)
        assert mpmath.mpf(r.text["prod_0_99"]) == pytest.approx(mpmath.mpf("0.36603234127322950"), rel=1e-15)
    assert sp.simplify(r.parts["bias_for_0_9"] - sp.log(9)) == 0
    assert sp.simplify(r.parts["bias_for_0_99"] - sp.log(99)) == 0
    assert r.parts["prod_bias_0"] == sp.Rational(1, 2**100)
    assert float(r.parts["prod_bias_1"]) == pytest.approx((1 / (1 + np.exp(-1.0))) ** 100, rel=1e-13)


def test_two_biases_add_in_torch():
    hid = 2
    cell = torch.nn.LSTMCell(1, hid, dtype=torch.float64)
    with torch.no_grad():
        for prm in cell.parameters():
            prm.zero_()
        cell.bias_ih[hid : 2 * hid] = 0.7
        cell.bias_hh[hid : 2 * hid] = 1.3
        c = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
        _, c_new = cell(torch.zeros(1, 1, dtype=torch.float64), (torch.zeros(1, hid, dtype=torch.float64), c))
    assert torch.allclose(c_new, torch.sigmoid(torch.tensor(2.0, dtype=torch.float64)) * c, rtol=0, atol=1e-15)
    assert get("lstm_two_biases").result.parts["effective_bias"] == 2


def test_one_step_totals_part_is_the_numpy_shortcut():
    """The exposed symbolic one-step totals (H = 1, T = 3) equal the NumPy shortcut product, evaluated here."""
    r = get("lstm_shortcut_counterexample").result.parts
    rng = np.random.default_rng(4)
    vals = {sp.Symbol(f"a_{k}_{t}", real=True): rng.normal() for k in "ifgo" for t in (1, 2, 3)}
    u = {k: rng.normal() for k in "ifgo"}
    vals |= {sp.Symbol(f"u_{k}", real=True): v for k, v in u.items()}
    vals |= {sp.Symbol("c_0", real=True): -0.3, sp.Symbol("h_0", real=True): 0.0}
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    c, h, total, prev_k = -0.3, 0.0, 1.0, 0.0
    for t in (1, 2, 3):
        s = {k: vals[sp.Symbol(f"a_{k}_{t}", real=True)] + u[k] * h for k in "ifgo"}
        f, i, g, o = sig(s["f"]), sig(s["i"]), np.tanh(s["g"]), sig(s["o"])
        dc_dh = c * f * (1 - f) * u["f"] + g * i * (1 - i) * u["i"] + i * (1 - g**2) * u["g"]
        total *= f if t == 1 else f + dc_dh * prev_k
        c = f * c + i * g
        h = o * np.tanh(c)
        prev_k = o * (1 - np.tanh(c) ** 2)
    assert float(r["one_step_totals"].subs(vals)) == pytest.approx(total, rel=1e-12)


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        # forgot the output-gate term diag(tanh c * o(1-o)) W_ho in the dh/dh block
        (
            "lstm_block_jacobian",
            "jacobian",
            get("lstm_block_jacobian").result.parts["jacobian"].subs(sp.Symbol("o_0", real=True), 1),
        ),
        ("lstm_shortcut_counterexample", "rel_err_diag_f", sp.Float(0.05)),
        ("lstm_shortcut_counterexample", "one_step_totals", sp.Integer(1)),
        ("lstm_shortcut_counterexample", "rel_err_one_step_total_who0", sp.Float(1e-3)),
        ("lstm_forget_bias_product", "orders_bias_1_over_0", sp.Float(15.5)),
        ("lstm_two_biases", "f_at_effective", 1 / (1 + sp.exp(-1))),
        ("lstm_cell_equations", "c", sp.zeros(2, 1)),
        ("lstm_cec_1997", "dc_dc", 2 * sp.eye(2)),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


# --- exercises ---------------------------------------------------------------------------------------------------
def test_forget_product_exact_names_i_f_g_and_not_o(monkeypatch):
    """W_ho = 0 (what makes the one-step totals exact) is not what makes the forget-gate product exact."""
    needed = get("lstm_forget_product_exact").result.parts["needed_zero"]
    assert [str(s) for s in needed] == ["W_hi", "W_hf", "W_hg"]
    assert_checks_catch(monkeypatch, "lstm_forget_product_exact", "needed_zero", sp.Tuple(sp.Symbol("W_ho")))


def test_doubled_forget_bias_checks_catch_the_intended_product(monkeypatch):
    """The mistake "the second bias is harmless": sigma(1)^100 put in place of sigma(2)^100."""
    r = get("lstm_forget_bias_doubled_product").result.parts
    assert float(r["prod_doubled"]) / float(r["prod_intended"]) == pytest.approx(float(r["ratio"]), rel=1e-12)
    assert_checks_catch(monkeypatch, "lstm_forget_bias_doubled_product", "prod_doubled", r["prod_intended"])
    assert_checks_catch(monkeypatch, "lstm_forget_bias_doubled_product", "ratio", sp.Integer(1))


def test_the_carousel_exercise_rests_on_the_1997_identity(monkeypatch):
    assert_checks_catch(monkeypatch, "lstm_cec_1997", "dc_dc", 2 * sp.eye(2))
