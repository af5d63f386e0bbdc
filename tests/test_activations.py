"""Activation derivatives checked against oracles written here, independently of derivations/activations.py."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.activations import alpha, w, x
from tests.helpers import assert_checks_catch

GRID = np.linspace(-7.5, 7.5, 151)


def fd(f, t, h=1e-6):
    return (f(t + h) - f(t - h)) / (2 * h)


def test_sigmoid_derivative_matches_finite_differences_and_mpmath():
    d = sp.lambdify(x, get("sigmoid_derivative").result.parts["derivative"], "numpy")
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    assert np.max(np.abs(d(GRID) - fd(sig, GRID))) < 1e-9
    dm = sp.lambdify(x, get("sigmoid_derivative").result.parts["derivative"], "mpmath")
    mpmath.mp.dps = 60
    for p in ("-3.25", "0", "0.5", "11"):
        exact = mpmath.diff(lambda t: mpmath.mpf(1) / (1 + mpmath.e ** (-t)), mpmath.mpf(p))
        assert abs(dm(mpmath.mpf(p)) - exact) < mpmath.mpf(10) ** -45
    mpmath.mp.dps = 15


def test_sigmoid_maximum_is_a_quarter_at_zero():
    r = get("sigmoid_derivative_max").result.parts
    assert r["argmax"] == 0 and r["max"] == sp.Rational(1, 4) and r["curvature"] == sp.Rational(-1, 8)
    t = np.linspace(-20, 20, 400001)
    s = 1 / (1 + np.exp(-t))
    assert abs(t[np.argmax(s * (1 - s))]) < 1e-3
    # third derivative of sigma at 0 by an independent 5-point stencil
    h = 1e-3
    sig = lambda u: 1 / (1 + math.exp(-u))  # noqa: E731
    third = (sig(2 * h) - 2 * sig(h) + 2 * sig(-h) - sig(-2 * h)) / (2 * h**3)
    assert third == pytest.approx(-1 / 8, abs=1e-6)


def test_tanh_derivative_and_maximum():
    d = sp.lambdify(x, get("tanh_derivative").result.parts["derivative"], "numpy")
    assert np.max(np.abs(d(GRID) - fd(np.tanh, GRID))) < 1e-9
    r = get("tanh_derivative_max").result.parts
    assert (r["argmax"], r["max"], r["curvature"]) == (0, 1, -2)


@pytest.mark.parametrize(
    ("name", "f", "a"),
    [
        ("relu_derivative", lambda t, a: np.maximum(t, 0), 0.0),
        ("leaky_relu_derivative", lambda t, a: np.where(t > 0, t, a * t), 0.2),
        ("elu_derivative", lambda t, a: np.where(t > 0, t, a * (np.exp(t) - 1)), 1.7),
    ],
)
def test_piecewise_derivatives(name, f, a):
    r = get(name).result.parts
    d = sp.lambdify(x, r["derivative"].subs(alpha, a), "numpy")
    t = GRID[np.abs(GRID) > 0.01]
    assert np.max(np.abs(d(t) - fd(lambda u: f(u, a), t))) < 1e-6
    h = 1e-10
    assert float(r["left_at_0"].subs(alpha, a)) == pytest.approx((f(0.0, a) - f(-h, a)) / h, abs=1e-6)
    assert float(r["right_at_0"].subs(alpha, a)) == pytest.approx((f(h, a) - f(0.0, a)) / h, abs=1e-6)


def test_elu_is_differentiable_at_zero_only_for_alpha_one():
    assert get("elu_derivative").result.parts["smooth_alpha"] == 1
    for a, smooth in ((1.0, True), (0.5, False)):
        h = 1e-7
        left = (0 - a * math.expm1(-h)) / h
        assert (abs(left - 1.0) < 1e-6) is smooth


def test_ten_sigmoid_layers_bound_is_exactly_two_to_minus_twenty():
    r = get("sigmoid_chain_bound").result
    assert (
        Fraction(0.25**10) == Fraction(1, 2**20) == Fraction(int(r.parts["ten_layers"].p), int(r.parts["ten_layers"].q))
    )
    assert r.text["ten_layers_decimal"] == "9.5367431640625e-07"
    assert float(r.text["ten_layers_decimal"]) == 2.0**-20


def test_hochreiter_region_is_open_interval_minus_four_four():
    r = get("hochreiter_weight_bound").result.parts
    assert r["region"] == sp.Interval.open(-4, 4)
    sup = sp.lambdify(w, r["sup"])
    for v in (-4.0, -3.99, 0.5, 3.99, 4.0, 7.0):
        assert bool(sup(v) < 1) == (abs(v) < 4)
        assert sup(v) == pytest.approx(abs(v) * 0.25)


def test_relu_family_torch_convention_at_zero():
    torch = pytest.importorskip("torch")
    for fn, expected in (
        (torch.relu, 0.0),
        (lambda t: torch.nn.functional.leaky_relu(t, 0.3), 0.3),
        (lambda t: torch.nn.functional.elu(t, 0.7), 0.7),
    ):
        t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        fn(t).sum().backward()
        assert t.grad.item() == expected


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("sigmoid_derivative", "derivative", sp.exp(-x) / (1 + sp.exp(-x))),  # forgot the square
        ("tanh_derivative", "derivative", 1 - sp.tanh(x)),  # forgot the square
        ("relu_derivative", "derivative", sp.Piecewise((0, x < 0), (sp.Rational(1, 2), True))),
        ("sigmoid_derivative_max", "max", sp.Rational(1, 2)),
        ("hochreiter_weight_bound", "sup", sp.Abs(w) / 2),
        ("sigmoid_chain_bound", "ten_layers", sp.Rational(1, 4) ** 9),
        ("leaky_relu_derivative", "left_at_0", sp.Integer(0)),  # torch returns alpha at 0
        ("elu_derivative", "derivative", sp.Piecewise((alpha * sp.exp(x) - alpha, x < 0), (1, True))),
        ("tanh_derivative_max", "max", sp.Rational(1, 4)),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    """The registered checks are not vacuous: each one catches a plausible mistake."""
    assert_checks_catch(monkeypatch, name, part, wrong)


# --- exercises ---------------------------------------------------------------------------------------------------
def test_tanh_as_rescaled_sigmoid_checks_catch_a_missing_chain_rule_factor(monkeypatch):
    """tanh'(x) = 2 sigma'(2x): forgetting the inner derivative of sigma(2x)."""
    assert_checks_catch(monkeypatch, "tanh_as_rescaled_sigmoid", "factor", sp.Integer(2))


def test_underflow_depth_checks_catch_an_off_by_one(monkeypatch):
    """n = e/2 = 7 in float16: there (1/4)^n equals the smallest normal number, it is not yet below it."""
    assert_checks_catch(monkeypatch, "sigmoid_chain_underflow_depth", "first_float16", sp.Integer(7))


def test_nonzero_fixed_point_checks_catch_the_factor_at_zero(monkeypatch):
    """'The factor stays 2 (the value at h = 0)': the explosion read off the unstable fixed point."""
    assert_checks_catch(monkeypatch, "tanh_rnn_nonzero_fixed_point", "factor_at_h_star", sp.Integer(2))
