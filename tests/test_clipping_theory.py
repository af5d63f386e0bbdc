"""Why clipping helps: x^4 under plain and clipped descent, unit-wise AGC, Pascanu's Omega, Huber, randomized
truncation, each checked with plain float64 arithmetic written here (not the checks' code)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch


def _run(x0: float, eta: float, c: float | None, steps: int) -> list[float]:
    xs = [x0]
    for _ in range(steps):
        g = 4.0 * xs[-1] ** 3
        if c is not None:
            g = math.copysign(min(abs(g), c), g)
        xs.append(xs[-1] - eta * g)
        if abs(xs[-1]) > 1e12:
            break
    return xs


def test_l0l1_constants_tight_at_one_half():
    # 12 x^2 <= 1 + 16 |x|^3 everywhere, with equality at |x| = 1/2; no L works for all x
    u = np.linspace(-50, 50, 200_001)
    assert np.all(12 * u**2 <= 1 + 16 * np.abs(u) ** 3 + 1e-9)
    assert 12 * 0.25 == 1 + 16 * 0.125
    assert get("quartic_l0l1_smooth").result.parts["L0_at_L1_4"] == 1


def test_gd_on_quartic_threshold_sqrt5_at_eta_tenth():
    assert get("quartic_gd_threshold").result.parts["threshold_example"] == sp.sqrt(5)
    s5 = math.sqrt(5)
    assert abs(_run(0.999 * s5, 0.1, None, 3000)[-1]) < 0.2
    assert abs(_run(1.001 * s5, 0.1, None, 3000)[-1]) > 1e12
    xs = _run(s5, 0.1, None, 4)  # the 2-cycle +-sqrt(5)
    assert all(abs(abs(v) - s5) < 1e-12 for v in xs)


def test_clipped_gd_converges_from_far_and_cycles_above_bound():
    eta_max = float(get("quartic_clipped_gd").result.parts["eta_max"].subs(sp.Symbol("c", positive=True), 10))
    assert eta_max == pytest.approx((2 / 100) ** (1 / 3), rel=1e-14)
    for x0 in (-300.0, -2.0, 0.5, 2.3, 50.0):
        xs = _run(x0, 0.9 * eta_max, 10.0, 4000)
        assert all(abs(b) < abs(a) for a, b in itertools.pairwise(xs))
        assert abs(xs[-1]) < 0.1
    # above the bound: x0 = 1.4 lies in [x_c, eta c - x_c] = [1.357, 1.44..] for eta = 0.28 -> a 2-cycle
    xs = _run(1.4, 0.28, 10.0, 10)
    assert xs[2] == pytest.approx(1.4, abs=1e-12) and xs[10] == pytest.approx(1.4, abs=1e-12)


def test_agc_unitwise_by_hand():
    w = np.array([[4.0, 0.0], [0.0, 3.0]])
    g = np.array([[0.2, 0.0], [0.0, 0.4]])
    out = g.copy()
    for i in range(2):
        ratio = np.linalg.norm(g[i]) / max(np.linalg.norm(w[i]), 1e-3)
        if ratio > 0.1:
            out[i] = g[i] * 0.1 * max(np.linalg.norm(w[i]), 1e-3) / np.linalg.norm(g[i])
    assert np.allclose(out, [[0.2, 0.0], [0.0, 0.3]], atol=1e-16)
    assert np.linalg.norm(g) / np.linalg.norm(w) < 0.1  # whole tensor: untouched
    assert get("agc_unitwise_example").result.text["angle_deg"] == "7.13"


def test_pascanu_omega_by_hand():
    w = np.diag([2.0, 0.5])
    d3 = np.array([1.0, 1.0])
    d2 = d3 @ w
    omega = (np.linalg.norm(d2) / np.linalg.norm(d3) - 1) ** 2 + (np.linalg.norm(d2 @ w) / np.linalg.norm(d2) - 1) ** 2
    assert float(get("pascanu_omega").result.parts["omega_example"]) == pytest.approx(omega, rel=1e-14)
    q = np.array([[0.6, -0.8], [0.8, 0.6]])
    v = np.array([3.0, -7.0])
    assert np.linalg.norm(v @ q) == pytest.approx(np.linalg.norm(v), rel=1e-15)


def test_huber_gradient_is_clipped_residual(torch):
    res = torch.tensor([-3.0, -1.0, -0.2, 0.0, 0.7, 1.0, 4.0], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.huber_loss(res, torch.zeros_like(res), reduction="sum", delta=1.0).backward()
    assert res.grad.tolist() == [-1.0, -1.0, -0.2, 0.0, 0.7, 1.0, 1.0]


def test_randomized_truncation_small_case_by_enumeration():
    # T = 2, p = 1/2, a = 1/2: K in {0, 1, 2} with probs 1/2, 1/4, 1/4; Z = 1, 1 + 1, 1 + 1 + 1
    zs, ps = np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.25, 0.25])
    assert zs @ ps == pytest.approx(1 + 0.5 + 0.25)  # unbiased
    var = (zs**2) @ ps - (zs @ ps) ** 2
    from derivations.clipping_theory import truncation_moments

    assert truncation_moments(0.5, 0.5, 2) == pytest.approx((1.75, var), rel=1e-14)
    vinf = get("randomized_truncation").result.parts["variance_inf"]
    a_, p_ = sp.Symbol("a", positive=True), sp.Symbol("p", positive=True)
    assert float(vinf.subs({a_: sp.Rational(1, 2), p_: sp.Rational(1, 2)})) == pytest.approx(0.25 * 0.5 / (0.25 * 0.25))


A, P, K = sp.Symbol("a", positive=True), sp.Symbol("p", positive=True), sp.Symbol("k", integer=True, nonnegative=True)
C, L1 = sp.Symbol("c", positive=True), sp.Symbol("L_1", positive=True)
ETA = sp.Symbol("eta", positive=True)
R, DELTA = sp.Symbol("r", real=True), sp.Symbol("delta", positive=True)


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("quartic_l0l1_smooth", "L0_of_L1", 32 / L1**2),
        ("quartic_gd_threshold", "threshold", 1 / sp.sqrt(ETA)),  # |x0| < 1/sqrt(eta), a factor sqrt 2 off
        ("agc_unitwise_example", "clipped_unitwise", sp.Matrix([[sp.Rational(1, 5), 0], [0, sp.Rational(2, 5)]])),
        ("pascanu_omega", "omega_example", sp.Integer(0)),
        ("pascanu_omega", "omega_orthogonal", sp.Integer(1)),
        ("huber_clipped_error", "derivative", R),  # "the gradient of Huber is the residual"
        ("randomized_truncation", "variance_inf", A**2 * (1 - P) / ((1 - A) ** 2 * (1 - A**2))),
        ("randomized_truncation", "term_mean", (A / P) ** K),  # "reweighting biases it"
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_exercise_rows_quartic_and_randomized_truncation(monkeypatch):
    """The derivations behind the exercises on clipped descent and randomized truncation catch a wrong result."""
    assert_checks_catch(monkeypatch, "quartic_clipped_gd", "eta_max", 2 / C ** sp.Rational(2, 3))
    assert_checks_catch(monkeypatch, "randomized_truncation", "term_second_moment", A ** (2 * K))  # no 1/p^k


def test_lowering_p_below_a_squared_does_not_keep_the_variance_finite(monkeypatch):
    """The tempting answer to the exercise: a smaller p only saves computation, the variance stays finite."""
    assert_checks_catch(monkeypatch, "randomized_truncation_example", "finite_at_p_low", sp.true)
    monkeypatch.undo()
    assert_checks_catch(monkeypatch, "randomized_truncation_example", "variance", sp.Integer(9))  # p/(1-p), no square
