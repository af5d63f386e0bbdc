"""Attractors and bifurcations: the latch, the folds of x = w sigma(x) + b, the cliff of Pascanu et al.'s example,
checked with plain float64 / scipy-free arithmetic written here, and mutation rows for every derivation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _bisect(f, lo, hi, n=200):
    flo = f(lo)
    for _ in range(n):
        mid = 0.5 * (lo + hi)
        if (f(mid) > 0) == (flo > 0):
            lo, flo = mid, f(mid)
        else:
            hi = mid
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("w", [1.001, 1.2, 2.0, 4.0, 7.0, 9.0])
def test_latch_slope_below_one(w):
    hs = _bisect(lambda h: math.tanh(w * h) - h, 1e-9, 1.0)
    slope = w * (1 - hs**2)
    assert 0 < slope < 1
    s = math.atanh(hs)
    assert slope == pytest.approx(2 * s / math.sinh(2 * s), rel=1e-9)


def test_latch_gradient_by_iteration():
    hs = _bisect(lambda h: math.tanh(2 * h) - h, 0.5, 1.0)
    a = 2 * (1 - hs**2)
    h, d = hs, 1.0
    for _ in range(10):
        h = math.tanh(2 * h)
        d *= 2 * (1 - h**2)
    assert d == pytest.approx(a**10, rel=1e-9)
    assert get("latch_gradient_decay").result.text["grad_T10"].startswith("1.62")


def test_fold_values_w5_by_bisection():
    """The folds of b(x) = x - 5 sigma(x) are where b'(x) = 0; b there gives the bistable interval."""
    b = lambda x: x - 5 * _sig(x)  # noqa: E731
    db = lambda x: 1 - 5 * _sig(x) * (1 - _sig(x))  # noqa: E731
    xf = _bisect(db, 0.0, 3.0)
    p = get("sigmoid_unit_folds").result.parts
    assert xf == pytest.approx(float(p["x_fold_example"]), abs=1e-12)
    assert b(xf) == pytest.approx(float(p["b_low_example"]), abs=1e-12)
    assert b(-xf) == pytest.approx(float(p["b_high_example"]), abs=1e-12)
    assert b(xf) + b(-xf) == pytest.approx(-5.0, abs=1e-12)


def test_bistable_only_above_four():
    disc = get("sigmoid_unit_folds").result.parts["discriminant"]
    w = next(iter(disc.free_symbols))
    assert disc.subs(w, 4) == 0 and disc.subs(w, 5) > 0 and disc.subs(w, 3) < 0
    xs = np.linspace(-20, 20, 40001)
    for wv in (-3.0, 0.5, 3.99):
        assert np.all(np.diff(xs - wv * _sig(xs)) > 0)  # b(x) increasing: one fixed point for every b


def _upper_root(bv: float) -> float:
    return _bisect(lambda x: 5 * _sig(x) + bv - x, 0.9624, 5.0)


def test_fold_sensitivity_float64():
    blo = float(get("sigmoid_unit_folds").result.parts["b_low_example"])
    for dl in (1e-2, 1e-4):
        bv, e = blo + dl, 1e-7 * dl
        xs = _upper_root(bv)
        fd = (_upper_root(bv + e) - _upper_root(bv - e)) / (2 * e)
        assert fd == pytest.approx(1 / (1 - 5 * _sig(xs) * (1 - _sig(xs))), rel=1e-4)


def test_cliff_gradient_by_forward_recursion():
    bc = 0.5 - 5 * _sig(0.5)
    x, d = 0.5, 0.0
    for _ in range(50):
        s = _sig(x)
        d = 5 * s * (1 - s) * d + 1
        x = 5 * s + bc
    assert x == pytest.approx(0.5, abs=1e-9)
    p = get("cliff_at_basin_boundary").result.parts
    assert d == pytest.approx(float(p["dxdb_50"]), rel=1e-9)
    assert 2 * (_sig(x) - 0.7) * _sig(x) * (1 - _sig(x)) * d == pytest.approx(float(p["dEdb_50"]), rel=1e-8)


def test_cliff_peak_is_below_b_c_not_at_it():
    """|dE_50/db| by float64 forward recursion on a fine grid: larger just below b_c than at b_c, peak where derived."""
    p = get("cliff_at_basin_boundary").result.parts
    bc = 0.5 - 5 * _sig(0.5)
    bs = bc + np.linspace(-2e-4, 5e-5, 250001)
    x, d = np.full_like(bs, 0.5), np.zeros_like(bs)
    for _ in range(50):
        s = _sig(x)
        d = 5 * s * (1 - s) * d + 1
        x = 5 * s + bs
    g = 2 * (_sig(x) - 0.7) * _sig(x) * (1 - _sig(x)) * d
    i = int(np.argmax(np.abs(g)))
    assert bs[i] == pytest.approx(float(p["b_peak"]), abs=2e-9)
    assert g[i] == pytest.approx(float(p["dEdb_peak"]), rel=1e-6)
    assert abs(g[i]) > 8 * abs(float(p["dEdb_50"]))


def test_gradient_after_unclipped_step_is_tiny():
    """After the unclipped step the unit is saturated: dE/db ~ 2 (1 - 0.7) e^{-x_50} with x_50 = b + 5 (math.exp, no
    cancellation)."""
    p = get("cliff_clipped_step").result.parts
    b = float(p["b_after_unclipped"])
    assert float(p["grad_after_unclipped"]) == pytest.approx(0.6 * math.exp(-(b + 5)), rel=1e-3)


def test_clipped_step_is_eta_c():
    p = get("cliff_clipped_step").result.parts
    assert p["step_clipped"] == sp.Rational(1, 20)
    assert float(p["step_unclipped"]) > 30


T_, D_ = sp.Symbol("T", integer=True, positive=True), sp.Symbol("delta", positive=True)
S_, W_ = sp.Symbol("s", positive=True), sp.Symbol("w", real=True)
H_ = sp.Symbol("h^*", real=True)
X_ = sp.Symbol("x", real=True)


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("latch_fixed_point_slope", "slope_of_s", S_ / sp.sinh(S_)),  # a factor 2 lost
        ("latch_gradient_decay", "grad", (W_ * (1 - H_**2)) ** (T_ - 1)),  # one step off
        ("sigmoid_unit_folds", "b_low", -W_ / 2 - sp.sqrt(W_ * (W_ - 4)) / 2),  # width without the 2 x_f
        ("fold_sensitivity", "dxdb", 1 / (1 + W_ * sp.exp(-X_) / (1 + sp.exp(-X_)) ** 2)),  # sign error
        ("fold_sensitivity", "near_fold", 1 / sp.sqrt(D_)),  # constant dropped
        ("cliff_at_basin_boundary", "dxdb", get("cliff_at_basin_boundary").result.parts["lam"] ** T_),  # lam^T
        ("cliff_clipped_step", "loss_after_clipped", sp.Float(0.006)),  # "clipping lowers the loss"
        ("cliff_at_basin_boundary", "dEdb_peak", sp.Float(-661.68)),  # "the peak is at b_c"
        ("cliff_clipped_step", "grad_after_unclipped", sp.Float(2.7e-16)),  # float64 cancellation in sigma(1 - sigma)
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_exercise_derivations_catch_plausible_mistakes(monkeypatch):
    """The derivations behind the page's exercises fail their checks on a plausible wrong answer."""
    # "slope 1 at the fixed point: the gradient is preserved"
    assert_checks_catch(monkeypatch, "latch_critical_decay", "grad_exponent", sp.Integer(0))
    assert_checks_catch(monkeypatch, "latch_critical_decay", "kappa", sp.Rational(1, 3))
    # "the window opens like sqrt(w - 4)"
    eps_ = sp.Symbol("epsilon", positive=True)
    assert_checks_catch(monkeypatch, "cusp_window_width", "series", sp.sqrt(eps_))
    assert_checks_catch(monkeypatch, "cusp_window_width", "leading", eps_ ** sp.Rational(3, 2) / 2)
    # "a hundred times closer, a hundred times larger"
    assert_checks_catch(monkeypatch, "fold_approach_ratio", "ratio_exact", sp.Integer(100))
    assert_checks_catch(monkeypatch, "fold_approach_ratio", "dxdb_2", sp.Float(105.74))
    assert_checks_catch(monkeypatch, "latch_fixed_point_slope", "slope_of_s", sp.Integer(1))
    assert_checks_catch(monkeypatch, "sigmoid_unit_folds", "b_low", -sp.Symbol("w", real=True) / 2)  # zero width
    delta_ = sp.Symbol("delta", positive=True)
    assert_checks_catch(monkeypatch, "fold_sensitivity", "near_fold", 1 / delta_)
