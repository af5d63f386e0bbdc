"""General gated recurrence, sigmoid-gate range, and the figure data, checked against torch autograd (float64)."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.gated import Sigmoid, figure_data_gradient_norms, init_params, np_sigmoid, sigmoid_rule_ok
from derivations.verify import run_checks

torch = pytest.importorskip("torch")


def test_sigmoid_function_rule_and_numpy_sigmoid():
    z = sp.Symbol("z", real=True)
    assert sigmoid_rule_ok()
    assert sp.diff(Sigmoid(z), z) == Sigmoid(z) * (1 - Sigmoid(z))
    t = np.linspace(-50, 50, 1001)
    assert np.max(np.abs(np_sigmoid(t) - torch.sigmoid(torch.tensor(t)).numpy())) <= 2.3e-16


def test_sigmoid_float64_saturation_thresholds():
    r = get("sigmoid_gate_open_interval").result
    up = float(r.parts["float64_rounds_to_one_above"])
    down = float(r.parts["float64_rounds_to_zero_below"])
    assert up == pytest.approx(36.7368005696771, abs=1e-9) and down == pytest.approx(-745.1332191019412, abs=1e-9)
    naive = float(r.parts["naive_float64_zero_below"])
    assert naive == pytest.approx(-709.782712893384, abs=1e-9)
    s = np_sigmoid(np.array([up - 0.1, up + 0.1, down + 0.3, down - 0.3]))
    assert s[0] < 1.0 and s[1] == 1.0 and s[2] > 0.0 and s[3] == 0.0
    # torch evaluates 1/(1 + exp(-z)): exp overflows first, so it returns 0 already below -709.78
    s = torch.sigmoid(torch.tensor([naive + 0.001, naive - 0.001, down + 0.3], dtype=torch.float64))
    assert s[0] > 0.0 and s[1] == 0.0 and s[2] == 0.0


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


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("gated_jacobian_exceeds_one", "t_step", sp.Integer(3) ** sp.Symbol("T", integer=True, positive=True)),
        ("sigmoid_gate_open_interval", "float64_rounds_to_one_above", sp.Integer(30)),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    d = get(name)
    bad = dataclasses.replace(d.result, parts={**d.result.parts, part: wrong})
    monkeypatch.setitem(d.__dict__, "result", bad)
    statuses = [r.status for r in run_checks(d) if r.status != "skip"]
    assert "FAIL" in statuses, statuses
