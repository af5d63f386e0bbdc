"""Mean-field signal propagation checked by plain NumPy written here (fixed-point iteration, Gauss-Hermite quadrature,
finite differences, closed forms), independently of the module's trapezoidal rule and bisection; plus mutation
tests showing each derivation's checks fail on a plausible mistake."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations import signal_propagation as spm
from tests.helpers import assert_checks_catch

_Z, _W = np.polynomial.hermite_e.hermegauss(240)
_W = _W / _W.sum()


def _mean(f, q: float) -> float:
    return float(np.sum(_W * f(math.sqrt(q) * _Z)))


def _q_star_by_iteration(a: float, b: float, steps: int = 400) -> float:
    qq = 1.0
    for _ in range(steps):  # the map's slope at q* is below 1 on both sides of the critical line
        qq = a * _mean(lambda x: np.tanh(x) ** 2, qq) + b
    return qq


def test_relu_closed_forms():
    p = get("relu_length_map").result.parts
    q, sw2, sb2 = spm.q, spm.sw2, spm.sb2
    assert p["second_moment"] == q / 2 and p["deriv_second_moment"] == sp.Rational(1, 2)
    assert p["chi1"] == sw2 / 2 and p["he_sw2"] == 2 and p["glorot_chi1"] == sp.Rational(1, 2)
    # iterate q -> 1.2 q / 2 + 0.3 from q = 5: converges to 0.3 / (1 - 0.6) = 0.75
    x = 5.0
    for _ in range(200):
        x = 1.2 * x / 2 + 0.3
    assert abs(x - float(p["q_star"].subs({sw2: sp.Rational(6, 5), sb2: sp.Rational(3, 10)}))) < 1e-12


def test_tanh_fixed_point_and_chi1_by_iteration():
    p = get("tanh_length_map").result.parts
    for name in ("ordered", "critical", "chaotic"):
        a = float(p[f"sw2_{name}"])
        qs = _q_star_by_iteration(a, 0.05)
        assert abs(qs / float(p[f"q_star_{name}"]) - 1) < 1e-9
        chi = a * _mean(lambda x: 1 / np.cosh(x) ** 4, qs)
        assert abs(chi / float(p[f"chi1_{name}"]) - 1) < 1e-9
    assert float(p["chi1_ordered"]) < 1 < float(p["chi1_chaotic"])
    assert abs(float(p["chi1_critical"]) - 1) < 1e-12
    # the map q -> E[tanh(sqrt(q) z)^2] is increasing and concave on (0, 20]: one stable fixed point
    qs = np.linspace(1e-3, 20, 200)
    f = np.array([_mean(lambda x: np.tanh(x) ** 2, v) for v in qs])
    assert np.all(np.diff(f) > 0) and np.all(np.diff(f, 2) < 0)
    # no bias and sigma_w^2 <= 1: q* = 0 and chi_1 = sigma_w^2
    assert spm.tanh_q_star(0.8, 0.0) == 0.0 and abs(spm.tanh_chi1(0.8, 0.0) - 0.8) < 1e-12


def test_length_map_slope_by_finite_difference():
    p = get("depth_scales").result.parts
    a, b, qs = float(p["sw2"]), float(p["sb2"]), float(p["q_star"])
    h = 1e-5
    fd = (spm.tanh_length_map_value(qs + h, a, b) - spm.tanh_length_map_value(qs - h, a, b)) / (2 * h)
    assert abs(fd / float(p["slope_value"]) - 1) < 1e-8
    # xi_q << xi_c in this ordered example: the length settles long before correlations do
    assert float(p["xi_q_value"]) < 2 < 15 < float(p["xi_c_value"])
    u = spm.u
    t = sp.Symbol("t")
    assert sp.expand(p["tanh_slope_integrand"].subs(sp.tanh(u), t) - (1 - t**2) * (1 - 3 * t**2)) == 0


def test_critical_line_is_increasing_and_chi1_crosses_one():
    rows = get("tanh_critical_line").result.parts["table"]
    sw = [float(rows[k, 1]) for k in range(rows.rows)]
    assert sw[0] == 1.0 and all(x < y for x, y in itertools.pairwise(sw))
    for k in range(1, rows.rows):
        b, a = float(rows[k, 0]), float(rows[k, 1])
        qs_low = _q_star_by_iteration(0.98 * a, b)
        qs_high = _q_star_by_iteration(1.02 * a, b)
        assert 0.98 * a * _mean(lambda x: 1 / np.cosh(x) ** 4, qs_low) < 1
        assert 1.02 * a * _mean(lambda x: 1 / np.cosh(x) ** 4, qs_high) > 1


def test_relu_correlation_map_values_and_rate():
    p = get("relu_correlation_map").result.parts
    f = sp.lambdify(spm.c, p["map"], "math")
    assert abs(f(1.0) - 1) < 1e-15 and abs(f(-1.0)) < 1e-15 and abs(f(0.0) - 1 / math.pi) < 1e-15
    # Monte Carlo of 2 E[relu(u1) relu(u2)] at c = 0.5 (4e5 samples, s.e. about 2.5e-3)
    rng = np.random.default_rng(3)
    z1, z2 = rng.normal(size=(2, 400_000))
    u2 = 0.5 * z1 + math.sqrt(0.75) * z2
    assert abs(2 * np.mean(np.maximum(z1, 0) * np.maximum(u2, 0)) - f(0.5)) < 1e-2
    assert p["rate"] == 9 * sp.pi**2 / 2 and p["slope_at_1"] == 1
    d = spm.figure_data_relu_correlation(depth=2000)
    ratio = d["one_minus_c"] * d["layer"] ** 2 / float(p["rate"])
    assert 0.97 < ratio[-1] < 1 and ratio[-1] > ratio[999]  # approaches 1 from below, slowly


def test_backward_second_moment_grows_and_shrinks():
    """Relative to the top, ordered nets lose and chaotic nets gain backward second moment (seeded, width 300)."""
    low = spm.mc_backward_ratios(1.0, 0.05, width=300, depth=10, seed=4)
    high = spm.mc_backward_ratios(3.0, 0.05, width=300, depth=10, seed=4)
    assert low[0] < 0.15 and high[0] > 3.0


def test_explorer_json():
    d = json.loads(get("signal_explorer").result.text["series_json"])
    assert len(d["sw2"]) == len(d["chi1"]) == len(d["q_star"]) == len(spm.EXPLORER_SW2)
    assert all(x < y for x, y in itertools.pairwise(d["chi1"]))
    k = d["sw2"].index("2.00")
    assert abs(d["chi1"][k] - spm.tanh_chi1(2.0, 0.05)) < 1e-5 and 1.7 < d["critical"] < 1.8


def _catch(monkeypatch, name: str, part: str, wrong, oracle: str) -> None:
    """The check of ``name`` whose oracle starts with ``oracle`` (the one meant to catch this mistake) fails when
    ``parts[part]`` is ``wrong``; only that check runs, so that each Monte Carlo check runs once in this file."""
    d = get(name)
    chosen = [ch for ch in d.checks if ch.oracle.startswith(oracle)]
    assert len(chosen) == 1, f"{name}: {len(chosen)} checks start with {oracle!r}"
    with monkeypatch.context() as m:
        m.setattr(d, "checks", chosen)
        assert_checks_catch(m, name, part, wrong)


def test_checks_catch_mistakes(monkeypatch):
    _catch(monkeypatch, "relu_length_map", "q_star", spm.sb2 / (2 - spm.sw2), "mpmath quadrature")
    _catch(monkeypatch, "tanh_length_map", "chi1_chaotic", sp.Float(1.25), "mpmath")
    _catch(monkeypatch, "backward_second_moment", "chi1_ordered", sp.Float(0.7), "seeded wide tanh")
    _catch(monkeypatch, "depth_scales", "slope_value", sp.Float(0.56), "mpmath")
    _catch(monkeypatch, "depth_scales", "chi1_value", sp.Float(0.95), "2-D Gauss-Hermite")
    rows = get("tanh_critical_line").result.parts["table"].copy()
    rows[5, 1] = rows[5, 1] * 1.001
    _catch(monkeypatch, "tanh_critical_line", "table", rows, "mpmath")
    _catch(monkeypatch, "relu_correlation_map", "rate", 9 * sp.pi**2 / 4, "mpmath (20 digits): the exact map")
    wrong_map = (sp.sqrt(1 - spm.c**2) + (sp.pi - sp.acos(spm.c)) * spm.c) / (2 * sp.pi)
    _catch(monkeypatch, "relu_correlation_map", "map", wrong_map, "mpmath (20 digits): 2-D quadrature")
    grid = get("signal_explorer").result.parts["chi1_grid"].copy()
    grid[30, 1] = grid[30, 1] * 1.01
    _catch(monkeypatch, "signal_explorer", "chi1_grid", grid, "mpmath")


def test_glorot_relu_weight_gradients_do_not_depend_on_the_layer():
    p = get("relu_glorot_gradients").result.parts
    layer = sp.Symbol("l", positive=True, integer=True)
    assert p["glorot_sw2"] == 1 and p["chi1_glorot"] == sp.Rational(1, 2)
    assert sp.diff(p["weight_grad"], layer) == 0
    assert p["over_30_glorot"] == sp.Rational(1, 2**30)


def _glorot_wrong_weight_grad():
    """The weight gradient with the backward factor counted twice: it would shrink towards the input."""
    layer = sp.Symbol("l", positive=True, integer=True)
    return get("relu_glorot_gradients").result.parts["weight_grad"] * (spm.sw2 / 2) ** (spm.big_l - layer)


def test_glorot_mutation(monkeypatch):
    _catch(monkeypatch, "relu_glorot_gradients", "weight_grad", _glorot_wrong_weight_grad(), "NumPy, the chain rule")


def test_torch_mutations(monkeypatch, torch):
    _catch(monkeypatch, "backward_second_moment", "over_L", spm.chi ** (spm.big_l + 3), "torch autograd")
    _catch(monkeypatch, "relu_glorot_gradients", "weight_grad", _glorot_wrong_weight_grad(), "torch autograd")


# --- exercises ---------------------------------------------------------------------------------------------------
def test_relu_length_recursion_checks_catch_a_constant_variance_at_he(monkeypatch):
    """'He initialisation keeps the variance constant' (true only without bias) in place of q_0 + l sigma_b^2."""
    q0 = sp.Symbol("q_0", nonnegative=True)
    d = get("relu_length_recursion")
    monkeypatch.setattr(d, "checks", [ch for ch in d.checks if ch.oracle.startswith("exact rational")])
    assert_checks_catch(monkeypatch, "relu_length_recursion", "q_l_he", q0 + 0 * spm.sb2)


def test_relu_length_recursion_checks_catch_a_wrong_fixed_point(monkeypatch):
    """q* = sigma_b^2/(2 - sigma_w^2) (a factor 2 lost) at the example: 2/5 instead of 4/5."""
    d = get("relu_length_recursion")
    monkeypatch.setattr(d, "checks", [ch for ch in d.checks if ch.oracle.startswith("exact rational")])
    assert_checks_catch(monkeypatch, "relu_length_recursion", "q_star_example", sp.Rational(2, 5))


def test_relu_length_map_checks_catch_a_wrong_chi1(monkeypatch):
    """chi_1 = sigma_w^2 (the derivative of ReLU taken as 1 everywhere) instead of sigma_w^2/2."""
    d = get("relu_length_map")
    monkeypatch.setattr(d, "checks", [ch for ch in d.checks if ch.oracle.startswith("seeded wide ReLU")])
    assert_checks_catch(monkeypatch, "relu_length_map", "chi1", spm.sw2)


def test_tanh_critical_weight_variance_checks_catch_the_common_wrong_answer(monkeypatch):
    """'sigma_w^2 = 1 is critical for tanh': chi_1 = 1 at sigma_w^2 = 1 put in place of the derived value."""
    assert_checks_catch(monkeypatch, "tanh_critical_weight_variance", "chi1_naive", sp.Integer(1))


def test_tanh_critical_weight_variance_checks_catch_the_bias_free_critical_point(monkeypatch):
    assert_checks_catch(monkeypatch, "tanh_critical_weight_variance", "sw2_critical", sp.Integer(1))


def test_relu_length_recursion_matches_plain_iteration():
    p = get("relu_length_recursion").result.parts
    lv = sp.Symbol("l", integer=True, nonnegative=True)
    x = 0.0
    for layer in range(1, 11):
        x = 1.5 * x / 2 + 0.2
        assert float(p["q_l_example"].subs(lv, layer)) == pytest.approx(x, rel=1e-14)
    assert p["q_depth_he"] == 3 and p["he_chi1"] == 1 and p["q_star_example"] == sp.Rational(4, 5)


def test_tanh_critical_weight_variance_by_gauss_hermite():
    """Independent of the module's trapezoidal rule and bisection: fixed-point iteration with Gauss-Hermite nodes."""
    p = get("tanh_critical_weight_variance").result.parts
    a = float(p["sw2_critical"])
    qs = _q_star_by_iteration(a, 0.25)
    assert qs == pytest.approx(float(p["q_star_critical"]), rel=1e-8)
    assert a * _mean(lambda x: 1 / np.cosh(x) ** 4, qs) == pytest.approx(1.0, rel=1e-8)
    assert float(p["chi1_naive"]) < 1 < a
