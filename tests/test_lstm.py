"""LSTM results checked against torch.nn.LSTMCell (float64) and oracles written here, apart from derivations/lstm.py."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.lstm import lstm_block_jacobian_np, lstm_cell_np, lstm_multistep_np
from derivations.verify import run_checks

torch = pytest.importorskip("torch")


def _params(hid: int, inp: int, seed: int, scale: float = 1.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "weight_ih": scale * rng.normal(size=(4 * hid, inp)) / np.sqrt(hid),
        "weight_hh": scale * rng.normal(size=(4 * hid, hid)) / np.sqrt(hid),
        "bias_ih": rng.normal(size=4 * hid),
        "bias_hh": rng.normal(size=4 * hid),
    }


def _cell(p: dict[str, np.ndarray]) -> torch.nn.LSTMCell:
    cell = torch.nn.LSTMCell(p["weight_ih"].shape[1], p["weight_hh"].shape[1], dtype=torch.float64)
    with torch.no_grad():
        for k, v in p.items():
            getattr(cell, k).copy_(torch.tensor(v))
    return cell


def _torch_block_jacobian(cell, x, h, c):
    def f(cv, hv):
        hn, cn = cell(torch.tensor(x)[None], (hv[None], cv[None]))
        return cn[0], hn[0]

    j = torch.autograd.functional.jacobian(f, (torch.tensor(c), torch.tensor(h)))
    return np.block([[j[0][0].numpy(), j[0][1].numpy()], [j[1][0].numpy(), j[1][1].numpy()]])


def test_numpy_cell_and_block_jacobian_match_torch_for_h5():
    p = _params(5, 3, 0, scale=2.0)
    rng = np.random.default_rng(1)
    x, h, c = rng.normal(size=3), rng.uniform(-1, 1, 5), rng.normal(size=5)
    cell = _cell(p)
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
    assert np.max(np.abs(num - _torch_block_jacobian(_cell(p), x, h, c))) < 1e-12


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
    cell = _cell(p)

    def unroll(cv, hv):
        hx, cx = hv[None], cv[None]
        for x in xs:
            hx, cx = cell(torch.tensor(x)[None], (hx, cx))
        return cx[0], hx[0]

    j = torch.autograd.functional.jacobian(unroll, (torch.tensor(c0), torch.zeros(hid, dtype=torch.float64)))
    ref = np.block([[j[0][0].numpy(), j[0][1].numpy()], [j[1][0].numpy(), j[1][1].numpy()]])
    h, c, prod = np.zeros(hid), c0, np.eye(2 * hid)
    for x in xs:
        prod = lstm_block_jacobian_np(p, x, h, c) @ prod
        h, c = lstm_cell_np(p, x, h, c)
    assert np.max(np.abs(prod - ref)) < 1e-12 * max(1.0, np.max(np.abs(ref)))


def test_shortcuts_are_wrong_and_numbers_match_torch():
    r = lstm_multistep_np()
    p = r["params"]
    hid = p["weight_hh"].shape[1]
    cell = _cell(p)
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


def _replace(d, **parts_or_text):
    parts = {**d.result.parts, **{k: v for k, v in parts_or_text.items() if not isinstance(v, str)}}
    text = {**d.result.text, **{k: v for k, v in parts_or_text.items() if isinstance(v, str)}}
    return dataclasses.replace(d.result, parts=parts, text=text)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        # forgot the output-gate term diag(tanh c * o(1-o)) W_ho in the dh/dh block
        ("lstm_block_jacobian", lambda r: {"jacobian": r.parts["jacobian"].subs(sp.Symbol("o_0", real=True), 1)}),
        ("lstm_shortcut_counterexample", lambda r: {"rel_err_diag_f": sp.Float(0.05)}),
        ("lstm_forget_bias_product", lambda r: {"prod_0_9": "2.7e-05"}),
        ("lstm_two_biases", lambda r: {"f_at_effective": 1 / (1 + sp.exp(-1))}),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, change):
    d = get(name)
    monkeypatch.setitem(d.__dict__, "result", _replace(d, **change(d.result)))
    statuses = [r.status for r in run_checks(d) if r.status != "skip"]
    assert "FAIL" in statuses, statuses
