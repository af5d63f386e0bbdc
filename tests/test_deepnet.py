"""Deep-net chain rule: derived results against oracles written here (numpy, mpmath, torch), and failing checks."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import deepnet as dn
from derivations import get
from derivations.verify import run_checks
from tests.helpers import assert_checks_catch


def sig(t):
    return 1.0 / (1.0 + np.exp(-t))


def test_nielsen_chain_is_the_product_of_local_factors():
    r = get("nielsen_chain").result.parts
    d = r["derivative"]
    factors = sp.Mul(*r["factors"])
    assert sp.expand(d - factors * dn.C_prime(dn.A4)) == 0
    # exactly three weights (w2, w3, w4) and four sigma' factors appear; w1 does not
    assert d.has(*dn.WS[1:]) and not d.has(dn.WS[0])
    assert len(d.atoms(dn.sigma_prime)) == 4


def test_nielsen_chain_against_an_independent_backward_pass():
    rng = np.random.default_rng(10)
    for _ in range(5):
        ws, bs, x0, y = rng.normal(size=4), rng.normal(size=4), rng.normal(), 0.7
        zs, a = [], x0
        for j in range(4):
            zs.append(ws[j] * a + bs[j])
            a = sig(zs[-1])
        expected = (a - y) * math.prod(sig(z) * (1 - sig(z)) for z in zs) * ws[1] * ws[2] * ws[3]
        got = dn._nielsen_numeric()(*ws, *zs, a, y)
        assert got == pytest.approx(expected, rel=1e-12)


def test_nielsen_check_fails_when_a_factor_is_dropped(monkeypatch):
    assert_checks_catch(
        monkeypatch, "nielsen_chain", "derivative", dn.nielsen_chain.result.parts["derivative"] / dn.WS[2]
    )


def test_factor_bounds():
    r = get("deepnet_factor_bounds").result.parts
    assert r["small_weight_bound"] == sp.Rational(1, 4) and r["w100"] == 25
    z = np.linspace(-30, 30, 600001)
    assert np.max(100 * sig(z) * (1 - sig(z))) == pytest.approx(25.0, abs=1e-12)
    # away from z = 0 the factor at w = 100 is far below 25: at |z| = 5 it is about 0.66
    assert 100 * sig(5.0) * (1 - sig(5.0)) < 0.7


def test_unstable_width_closed_form_and_peak():
    r = get("sigmoid_unstable_width").result
    width = sp.lambdify(dn.W, r.parts["width"], "mpmath")
    mpmath.mp.dps = 40
    try:
        for wv in ("4", "5", "6.894", "20", "1000"):
            wabs = mpmath.mpf(wv)
            # independent: the two crossing points from the quadratic in e^{-u}: |w| e^{-u} = (1 + e^{-u})^2
            q = mpmath.sqrt(1 - 4 / wabs)
            expected = 2 / wabs * mpmath.log((1 + q) / (1 - q))
            assert abs(width(wabs) - expected) < mpmath.mpf(10) ** -30
    finally:
        mpmath.mp.dps = 15
    assert float(r.parts["argmax"]) == pytest.approx(6.894, abs=5e-4)
    assert float(r.parts["max"]) == pytest.approx(0.4477, abs=5e-5)
    assert r.text["max"].startswith("0.4477") and r.text["argmax"].startswith("6.894")
    # brute force in float64 at |w| = 6.894
    a = np.linspace(-0.5, 0.5, 1_000_001)
    s = sig(6.894 * a)
    measured = np.count_nonzero(6.894 * s * (1 - s) >= 1) * (a[1] - a[0])
    assert measured == pytest.approx(0.44774, abs=2e-5)


def test_width_is_empty_below_four():
    z = np.linspace(-10, 10, 200001)
    assert np.max(3.999 * sig(z) * (1 - sig(z))) < 1


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("sigmoid_unstable_width", "width", dn.sigmoid_unstable_width.result.parts["width"] / 2),
        ("sigmoid_unstable_width", "max", sp.Float(0.5)),
        ("deepnet_factor_bounds", "small_weight_bound", sp.Integer(1)),
        ("deepnet_factor_bounds", "w100", sp.Integer(100)),
        ("deepnet_mlp_gradient_spread", "sigmoid_last_over_first", sp.Float(6.5)),
        ("deepnet_mlp_gradient_spread", "relu_max_over_min", sp.Float(30.0)),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_mlp_gradient_spread_values():
    r = dn.deepnet_mlp_gradient_spread.result
    d = dn.figure_data_mlp_gradient_norms()
    assert float(r.parts["sigmoid_last_over_first"]) == pytest.approx(d["sigmoid"][-1] / d["sigmoid"][0], rel=1e-3)
    assert r.text["sigmoid_last_over_first"] == f"{d['sigmoid'][-1] / d['sigmoid'][0]:.0f}"
    assert float(r.text["relu_max_over_min"]) == pytest.approx(d["relu_he"].max() / d["relu_he"].min(), abs=0.05)


def test_matrix_chain_against_torch_autograd():
    torch = pytest.importorskip("torch")
    ws, xv, yv = dn._random_net3(42)
    derived = dn._derived_grad_w1(ws, xv, yv, "tanh")
    tw = [torch.tensor(wm, dtype=torch.float64) for wm in ws]

    def loss(w1):
        h = torch.tensor(xv, dtype=torch.float64)
        for wm in (w1, tw[1], tw[2]):
            h = torch.tanh(wm @ h)
        return 0.5 * torch.sum((h - torch.tensor(yv, dtype=torch.float64)) ** 2)

    grad = torch.autograd.functional.jacobian(loss, tw[0]).numpy()
    assert grad.shape == derived.shape == ws[0].shape  # dL/dW1 is arranged like W1
    assert np.max(np.abs(derived - grad)) < 1e-13


def test_matrix_chain_check_fails_with_a_transposed_layer(monkeypatch):
    d = get("matrix_chain_3layer")
    formula = d.result.parts["formula"]
    wrong = formula.applyfunc(lambda e: e.subs(sp.Symbol("W3_12", real=True), sp.Symbol("W3_21", real=True)))
    monkeypatch.setitem(d.result.parts, "formula", wrong)
    dn._lambdified_grad_w1.cache_clear()
    try:
        rows = [r for r in run_checks(d) if r.status != "skip"]
        assert rows and all(r.status == "FAIL" for r in rows)
    finally:
        dn._lambdified_grad_w1.cache_clear()


def test_mlp_backprop_matches_torch_and_figure_data_is_deterministic():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    ws = [rng.normal(size=(6, 6)) for _ in range(4)]
    xb, yb = rng.normal(size=(6, 3)), rng.uniform(size=(6, 3))
    for act, tf in (("sigmoid", torch.sigmoid), ("relu", torch.relu)):
        w_norms, _ = dn.mlp_layer_grad_norms(ws, xb, yb, act)
        tw = [torch.tensor(w, requires_grad=True) for w in ws]
        h = torch.tensor(xb)
        for w in tw:
            h = tf(w @ h)
        (0.5 * torch.sum((h - torch.tensor(yb)) ** 2) / 3).backward()
        assert np.allclose(w_norms, [float(torch.linalg.norm(w.grad)) for w in tw], rtol=1e-12, atol=0)
    a, b = dn.figure_data_mlp_gradient_norms(), dn.figure_data_mlp_gradient_norms()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert a["sigmoid"].shape == (30,) and a["relu_he"].shape == (30,)
    # sigmoid: the first layer learns far more slowly than the last; He-ReLU stays within one order of magnitude
    assert a["sigmoid"][0] < a["sigmoid"][-1] / 10
    assert a["relu_he"].max() / a["relu_he"].min() < 10


def test_large_weight_factor_is_tiny_and_float64_rounds_it_to_zero():
    p = dn.sigmoid_large_weight_factor.result.parts
    assert float(p["value"]) == pytest.approx(100 * math.exp(-50) / (1 + math.exp(-50)) ** 2, rel=1e-14)
    assert sig(50.0) == 1.0 and sig(50.0) * (1 - sig(50.0)) == 0.0
    assert p["tuned_value"] == 25


def test_large_weight_checks_catch_the_large_factor_answer(monkeypatch):
    """'A large weight gives a large factor': w/4 = 25 in place of 100 sigma'(50) is caught."""
    assert_checks_catch(monkeypatch, "sigmoid_large_weight_factor", "value", sp.Integer(25))
    assert_checks_catch(monkeypatch, "sigmoid_large_weight_factor", "float64_autograd", sp.Float(1.929e-20))


def test_golden_width_against_a_direct_solution():
    p = dn.sigmoid_unstable_width_golden.result.parts
    s_hi = (1 + 1 / math.sqrt(5)) / 2
    assert float(p["width"]) == pytest.approx(2 * math.log(s_hi / (1 - s_hi)) / 5, rel=1e-14)
    assert float(p["width"]) == pytest.approx(0.8 * math.log((1 + math.sqrt(5)) / 2), rel=1e-14)


def test_golden_width_checks_catch_a_missing_factor(monkeypatch):
    phi = sp.GoldenRatio
    assert_checks_catch(monkeypatch, "sigmoid_unstable_width_golden", "width", 2 * sp.log(phi) / 5)  # u_+ / |w|
    assert_checks_catch(
        monkeypatch, "sigmoid_unstable_width", "width", dn.sigmoid_unstable_width.result.parts["width"] / 2
    )


def test_small_weights_make_the_sigmoid_spread_worse(monkeypatch):
    p = dn.deepnet_sigmoid_small_weight_spread.result.parts
    g = dn.sigmoid_layer_grad_norms(1 / 8)
    assert g[-1] / g[0] == pytest.approx(float(p["last_over_first"]), rel=5e-4)
    assert float(p["last_over_first"]) > 1e15 * float(p["big_last_over_first"])
    # the intuition that smaller weights help: the N(0, 1) spread in place of the N(0, 1/n) one is caught
    assert_checks_catch(monkeypatch, "deepnet_sigmoid_small_weight_spread", "last_over_first", p["big_last_over_first"])


def test_small_weight_heuristic_uses_the_rms_slope(monkeypatch):
    """The per-layer estimate 1/(scale sqrt(n) rms sigma') is close to the measured factor at both weight scales;
    the same estimate with the mean slope in place of the rms (about 1.7 for N(0, 1) weights, against a measured
    1.15) is caught."""
    p = dn.deepnet_sigmoid_small_weight_spread.result.parts
    assert float(p["estimate_small"]) == pytest.approx(float(p["per_layer"]), rel=0.01)
    assert float(p["estimate_big"]) == pytest.approx(float(p["big_per_layer"]), rel=0.05)
    assert float(p["mean_estimate_big"]) > 1.4 * float(p["big_per_layer"])
    assert_checks_catch(monkeypatch, "deepnet_sigmoid_small_weight_spread", "estimate_big", p["mean_estimate_big"])
