"""General gated recurrence, sigmoid-gate range, and the figure data, checked against torch autograd (float64)."""

from __future__ import annotations

import time
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.gated import figure_data_gradient_norms
from derivations.nets.act import sigmoid, sigmoid_naive
from derivations.nets.lstm import init_params
from derivations.sym import Sigmoid, sigmoid_rule_ok
from tests.helpers import assert_checks_catch

torch = pytest.importorskip("torch")


def test_sigmoid_function_rule_and_numpy_sigmoid():
    z = sp.Symbol("z", real=True)
    assert sigmoid_rule_ok()
    assert sp.diff(Sigmoid(z), z) == Sigmoid(z) * (1 - Sigmoid(z))
    t = np.linspace(-50, 50, 1001)
    assert np.max(np.abs(sigmoid(t) - torch.sigmoid(torch.tensor(t)).numpy())) <= 2.3e-16


def _correctly_rounded_sigma(z: float) -> float:
    """sigma(z) at 80 digits, rounded once to float64 (float(Fraction) rounds to nearest, ties to even)."""
    with mpmath.workdps(80):
        man, exp = (1 / (1 + mpmath.exp(-mpmath.mpf(z)))).man_exp
    return float(Fraction(int(man)) * Fraction(2) ** int(exp))


def test_sigmoid_float64_saturation_thresholds():
    r = get("sigmoid_gate_open_interval").result
    one = float(r.parts["float64_rounds_to_one_from"])
    naive_one = float(r.parts["naive_float64_one_from"])
    down = float(r.parts["float64_rounds_to_zero_below"])
    naive = float(r.parts["naive_float64_zero_below"])
    assert one == pytest.approx(54 * np.log(2), abs=1e-12) and naive_one == pytest.approx(53 * np.log(2), abs=1e-12)
    assert down == pytest.approx(-1075 * np.log(2), abs=1e-9) and naive == pytest.approx(-709.782712893384, abs=1e-9)
    # correctly rounded: 1.0 from ln(2^54 - 1) on, 1 - 2^-53 just below (and at 37)
    assert _correctly_rounded_sigma(one + 1e-9) == 1.0
    assert _correctly_rounded_sigma(one - 1e-9) == _correctly_rounded_sigma(37.0) == 1.0 - 2.0**-53
    assert r.parts["float64_sigma_37"] == 1 - sp.Rational(1, 2**53)
    assert _correctly_rounded_sigma(down - 1e-9) == 0.0 and _correctly_rounded_sigma(down + 1e-9) > 0.0
    # the naive formula (NumPy and torch): 1.0 already from 53 ln 2 on, 0.0 already below -ln(DBL_MAX)
    z = np.array([naive_one - 1e-9, naive_one + 1e-9, 37.0, naive + 0.001, naive - 0.001])
    for s in (sigmoid_naive(z), torch.sigmoid(torch.tensor(z)).numpy()):
        assert s[0] < 1.0 and s[1] == 1.0 and s[2] == 1.0 and s[3] > 0.0 and s[4] == 0.0


def test_gated_jacobian_general_formula_with_own_cell():
    jac = get("gated_recurrence_jacobian").result.expr
    h0, h1 = sp.symbols("h_0 h_1", real=True)
    a = sp.Matrix([[0.3, -0.8], [1.1, 0.2]])
    subs = {}
    for i in range(2):
        lin = a[i, 0] * h0 + a[i, 1] * h1
        subs[sp.Function(f"G1_{i}")(h0, h1)] = 1 / (1 + sp.exp(-lin))
        subs[sp.Function(f"G2_{i}")(h0, h1)] = sp.Rational(1, 2) * (1 + sp.tanh(lin))
        subs[sp.Function(f"hhat_{i}")(h0, h1)] = sp.sin(lin)
    num = np.array(jac.subs(subs).doit().subs({h0: 0.4, h1: -0.9}).evalf(), dtype=float)
    at = torch.tensor(a.tolist(), dtype=torch.float64)

    def step(h):
        lin = at @ h
        return torch.sigmoid(lin) * h + 0.5 * (1 + torch.tanh(lin)) * torch.sin(lin)

    jt = torch.autograd.functional.jacobian(step, torch.tensor([0.4, -0.9], dtype=torch.float64)).numpy()
    assert np.max(np.abs(num - jt)) < 1e-13


def test_gated_unit_can_explode():
    r = get("gated_jacobian_exceeds_one").result
    assert r.parts["example_value"] == 2
    h0 = torch.zeros((), dtype=torch.float64, requires_grad=True)
    h = h0
    for _ in range(30):
        z = torch.sigmoid(torch.zeros((), dtype=torch.float64))
        h = z * h + (1 - z) * torch.tanh(3 * h)
    (g,) = torch.autograd.grad(h, h0)
    assert float(g) == float(r.parts["t_step"].subs(sp.Symbol("T", integer=True, positive=True), 30)) == 2.0**30


def test_figure_data_deterministic_fast_and_matches_torch():
    t0 = time.perf_counter()
    d = figure_data_gradient_norms()
    assert time.perf_counter() - t0 < 2.0
    d2 = figure_data_gradient_norms()
    assert all(np.array_equal(d[k], d2[k]) for k in d)
    steps, hid, inp = len(d["t"]), 32, 8
    assert set(d) == {"t", "rnn_h", "lstm_b0_c", "lstm_b0_h", "lstm_b1_c", "lstm_b1_h", "gru_h"}
    xs = torch.tensor(np.random.default_rng(1).normal(size=(steps, inp)))
    t = 60  # ||d state_T / d state_t|| by torch autograd through the real cells from step t on
    norm2 = lambda m: float(torch.linalg.matrix_norm(m, ord=2))  # noqa: E731

    def load(cell, gates):
        p = init_params(gates, inp, hid, np.random.default_rng(0))
        with torch.no_grad():
            for k, v in p.items():
                getattr(cell, k).copy_(torch.tensor(v))
        return cell

    rnn = load(torch.nn.RNNCell(inp, hid, dtype=torch.float64), 1)
    gru = load(torch.nn.GRUCell(inp, hid, dtype=torch.float64), 3)
    with torch.no_grad():
        hr = hg = torch.zeros(1, hid, dtype=torch.float64)
        for x in xs[:t]:
            hr, hg = rnn(x[None], hr), gru(x[None], hg)

    def run(cell, h):
        for x in xs[t:]:
            h = cell(x[None], h[None])[0]
        return h

    assert norm2(torch.autograd.functional.jacobian(lambda h: run(rnn, h), hr[0])) == pytest.approx(
        d["rnn_h"][t], rel=1e-9
    )
    assert norm2(torch.autograd.functional.jacobian(lambda h: run(gru, h), hg[0])) == pytest.approx(
        d["gru_h"][t], rel=1e-9
    )
    for bias in (0, 1):
        lstm = load(torch.nn.LSTMCell(inp, hid, dtype=torch.float64), 4)
        with torch.no_grad():
            lstm.bias_ih[hid : 2 * hid] += bias
            hc = (torch.zeros(1, hid, dtype=torch.float64), torch.zeros(1, hid, dtype=torch.float64))
            for x in xs[:t]:
                hc = lstm(x[None], hc)

        def run_lstm(c, h, lstm=lstm):
            hx, cx = h[None], c[None]
            for x in xs[t:]:
                hx, cx = lstm(x[None], (hx, cx))
            return cx[0], hx[0]

        j = torch.autograd.functional.jacobian(run_lstm, (hc[1][0], hc[0][0]))
        assert norm2(j[0][0]) == pytest.approx(d[f"lstm_b{bias}_c"][t], rel=1e-9)
        assert norm2(j[1][1]) == pytest.approx(d[f"lstm_b{bias}_h"][t], rel=1e-9)
    # the forget bias keeps the cell-path gradient alive much longer
    assert d["lstm_b1_c"][0] > 1e6 * d["lstm_b0_c"][0]


def test_gradient_norms_100_are_the_figure_data():
    r = get("gated_gradient_norms_100").result
    d = figure_data_gradient_norms()
    for key in ("rnn_h", "lstm_b0_c", "lstm_b1_c", "gru_h"):
        assert float(r.parts[key]) == pytest.approx(d[key][0], rel=1e-12)
        assert r.text[key] == f"{d[key][0]:.1e}"


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("gated_jacobian_exceeds_one", "t_step", sp.Integer(3) ** sp.Symbol("T", integer=True, positive=True)),
        ("sigmoid_gate_open_interval", "float64_rounds_to_one_from", 53 * sp.log(2)),
        ("sigmoid_gate_open_interval", "naive_float64_one_from", 54 * sp.log(2)),
        ("sigmoid_gate_open_interval", "float64_sigma_37", sp.Integer(1)),
        ("sigmoid_gate_open_interval", "float64_rounds_to_zero_below", sp.Integer(-700)),
        ("gated_gradient_norms_100", "lstm_b1_c", sp.Float(1e-7)),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_the_constant_gate_slope_exercise_checks_catch_a_dropped_copy_term(monkeypatch):
    """dh'/dh at h = 0 without the copy term z: u (1 - z) instead of z + (1 - z) u."""
    b, u = sp.symbols("b u", real=True)
    assert_checks_catch(monkeypatch, "gated_jacobian_exceeds_one", "derivative_at_0", u / (sp.exp(b) + 1))
