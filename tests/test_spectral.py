"""Spectral conditions: Jacobian layout, the singular-value bound, counter-examples, and the figure data."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations import spectral as spc
from derivations.verify import run_checks
from tests.helpers import assert_checks_catch


def test_jacobian_layout_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w, u, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 1)), rng.normal(size=3)
    x, h = rng.normal(size=1), rng.normal(size=3)
    jt = torch.autograd.functional.jacobian(
        lambda hh: torch.sigmoid(torch.tensor(w) @ hh + torch.tensor(u @ x + b)), torch.tensor(h)
    ).numpy()
    s = 1 / (1 + np.exp(-(w @ h + u @ x + b)))
    assert np.allclose(jt, np.diag(s * (1 - s)) @ w, rtol=1e-13)  # row i is unit i of h_t
    assert np.allclose(spc.step_jacobians(w, u, b, x[None, :], h, "sigmoid")[0], jt, rtol=1e-13)


def test_state_jacobian_check_fails_if_transposed(monkeypatch):
    d = get("rnn_state_jacobian")
    orig = spc.step_jacobians
    monkeypatch.setattr(spc, "step_jacobians", lambda *a: [j.T for j in orig(*a)])
    assert all(r.status == "FAIL" for r in run_checks(d) if r.status != "skip")


def test_bound_thresholds_and_singular_value_not_eigenvalue():
    r = get("jacobian_product_bound").result.parts
    assert r["threshold_tanh"] == 1 and r["threshold_sigmoid"] == 4 and r["threshold_relu"] == 1
    # the bound with the spectral radius instead of lambda_1 is violated: W = [[0.9, 2], [0, 0.9]], linear
    w = np.array([[0.9, 2.0], [0.0, 0.9]])
    rho = max(abs(np.linalg.eigvals(w)))
    assert np.linalg.norm(np.linalg.matrix_power(w, 5), 2) > rho**5
    assert np.linalg.norm(np.linalg.matrix_power(w, 5), 2) <= np.linalg.norm(w, 2) ** 5


def test_bound_check_fails_if_gamma_is_wrong(monkeypatch):
    assert_checks_catch(monkeypatch, "jacobian_product_bound", "gamma_sigmoid", sp.Rational(1, 8))  # not sup|sigma'|


def test_exploding_condition_is_not_sufficient():
    w = np.array([[0.0, 5.0], [0.0, 0.0]])
    rng = np.random.default_rng(1)
    d1, d2 = np.diag(rng.uniform(size=2)), np.diag(rng.uniform(size=2))
    assert np.linalg.norm(w, 2) == 5.0 and not np.any(d2 @ w @ d1 @ w)


def test_transient_growth_numbers_and_mpmath_tail():
    r = get("transient_growth").result.parts
    assert int(r["peak_n"]) == 9 and float(r["peak_norm"]) == pytest.approx(7.7677, abs=1e-4)
    assert int(r["below_one_from"]) == 44 and r["rho"] == sp.Rational(9, 10)
    assert float(r["lambda_1"]) == pytest.approx(np.linalg.norm([[0.9, 2], [0, 0.9]], 2), rel=1e-14)
    with mpmath.workdps(30):
        m = mpmath.matrix([[mpmath.mpf("0.9"), 2], [0, mpmath.mpf("0.9")]]) ** 5000
        assert m[0, 1] == pytest.approx(2 * 5000 * mpmath.mpf("0.9") ** 4999, rel=1e-25)
        assert m[0, 1] < mpmath.mpf("1e-200")  # underflow territory for long float64 products


def test_transient_check_fails_with_wrong_power(monkeypatch):
    n = sp.Symbol("n", integer=True, positive=True)
    wrong = sp.Matrix([[sp.Rational(9, 10) ** n, 2 * sp.Rational(9, 10) ** n], [0, sp.Rational(9, 10) ** n]])
    assert_checks_catch(monkeypatch, "transient_growth", "W_pow_n", wrong)


def test_spectral_radius_counterexample_and_failing_check(monkeypatch):
    r = get("spectral_radius_not_sufficient").result.parts
    assert float(r["rho"]) < 1 < float(r["lambda_1"])
    p = spc._saturated_case(60)
    assert np.linalg.norm(p, 2) > 1.2**55  # grows although rho(W) < 1
    n = sp.Symbol("n", integer=True, positive=True)
    assert_checks_catch(monkeypatch, "spectral_radius_not_sufficient", "DW_pow_n", r["W"] ** n)  # eigenvalue intuition


def test_tanh_counterexample_with_torch():
    torch = pytest.importorskip("torch")

    def run(h):
        for _ in range(10):
            h = torch.tanh(2.0 * h)
        return h

    jac = torch.autograd.functional.jacobian(run, torch.zeros(3, dtype=torch.float64)).numpy()
    assert np.array_equal(jac, 1024.0 * np.eye(3))
    t = sp.Symbol("t", integer=True, positive=True)
    assert get("tanh_bound_counterexample").result.parts["product"].subs(t, 10) == 1024 * sp.eye(2)


def test_figure_data_shapes_determinism_and_direct_products():
    a, b = spc.figure_data_jacobian_norms(), spc.figure_data_jacobian_norms()
    for k in ("sigmoid", "tanh", "relu", "irnn"):
        assert a[k].shape == (7, 100) and np.array_equal(a[k], b[k])
    i1 = list(a["lambdas"]).index(1.0)
    assert np.all(a["irnn"][i1] <= 1e-12)  # IRNN at lambda_1 = 1: product is a 0/1 diagonal
    assert np.all(np.diff(a["sigmoid"][0]) < 0)  # sigmoid at lambda_1 = 0.5 vanishes monotonically
    # renormalised log-norms agree with a direct float64 product for a short horizon
    rng = np.random.default_rng(9)
    w = 1.3 * np.linalg.qr(rng.normal(size=(5, 5)))[0]
    jacs = spc.step_jacobians(w, rng.normal(size=(5, 2)), np.zeros(5), rng.normal(size=(12, 2)), np.zeros(5), "tanh")
    logs = spc.log10_norm_products(jacs, backward=True)
    p = np.eye(5)
    for i, j in enumerate(reversed(jacs)):
        p = p @ j
        assert logs[i] == pytest.approx(np.log10(np.linalg.norm(p, 2)), abs=1e-12)
    hm = spc.figure_data_heatmap()
    assert hm["log10_norm"].shape == (31, 100)
    lam = hm["lambdas"]
    # tanh with lambda_1 < 1 obeys the bound lambda_1^T
    below = lam < 1
    assert np.all(hm["log10_norm"][below] <= np.outer(np.log10(lam[below]), hm["T"]) + 1e-9)


def test_linear_asymptotics_and_failing_check(monkeypatch):
    r = get("linear_rnn_asymptotics").result.parts
    mu, n = sp.Symbol("mu", positive=True), sp.Symbol("n", integer=True, positive=True)
    jb = np.array([[0.7, 1, 0], [0, 0.7, 1], [0, 0, 0.7]])
    assert np.allclose(np.array(r["jordan_power"].subs({mu: 0.7, n: 25}), dtype=float), np.linalg.matrix_power(jb, 25))
    assert_checks_catch(
        monkeypatch, "linear_rnn_asymptotics", "jordan_power", r["jordan_power"].subs(sp.binomial(n, 2), n**2)
    )


def test_pascanu_parametrisation_check_fails_for_the_transposed_formula(monkeypatch):
    paper = get("pascanu_parametrisation_jacobian").result.parts["paper_formula"]
    assert_checks_catch(monkeypatch, "pascanu_parametrisation_jacobian", "formula", paper)


def test_threshold_grows_with_the_input_scale_and_matches_the_heat_map():
    r = get("tanh_threshold_vs_input_scale").result.parts
    thresholds = [float(r[f"threshold_{s:g}"]) for s in spc.INPUT_SCALES]
    assert thresholds == sorted(thresholds) and thresholds[0] == 1.0  # no input: the threshold is 1/gamma = 1
    hm = spc.figure_data_heatmap()
    below = hm["lambdas"][hm["log10_norm"][:, -1] < 0]
    assert float(r["threshold_1"]) == pytest.approx(below.max())  # the heat map is the unit-scale case
    assert spc.tanh_log10_norm(float(r["threshold_2"]), 2.0) < 0 <= spc.tanh_log10_norm(float(r["first_above_2"]), 2.0)


def test_threshold_check_fails_on_a_wrong_threshold(monkeypatch):
    assert_checks_catch(monkeypatch, "tanh_threshold_vs_input_scale", "threshold_1", sp.Rational(2))


@pytest.mark.parametrize(
    ("part", "wrong"),
    [
        ("threshold_0_seed3", sp.Rational(3, 2)),  # one seed's threshold misread
        ("max_4", sp.Rational(4)),  # a range end that no seed gives
    ],
)
def test_threshold_across_seeds_checks_catch(monkeypatch, part, wrong):
    assert_checks_catch(monkeypatch, "tanh_threshold_across_seeds", part, wrong)


def test_the_common_wrong_answer_to_the_radius_of_a_product_fails(monkeypatch):
    """rho(AB) <= rho(A) rho(B), the wrong answer to the exercise, put in place of the derived rho(AB)."""
    parts = get("spectral_radius_of_product").result.parts
    assert parts["rho_product_of_radii"] == sp.Rational(1, 4)
    assert_checks_catch(monkeypatch, "spectral_radius_of_product", "rho_AB", parts["rho_product_of_radii"])


def test_backprop_power_iteration_against_a_direct_loop():
    """Independent of the derivation: iterate g <- W^T g in exact rationals and read the angle off the cross product."""
    p = get("backprop_power_iteration").result.parts
    wt, g = sp.Matrix(p["WT"]), sp.Matrix([1, 0])
    k = sp.Symbol("k", integer=True, nonnegative=True)
    for j in range(12):
        assert sp.simplify(p["g_k"].subs(k, j) - g) == sp.zeros(2, 1)
        tan = abs(g[0] * 2 - g[1]) / (g[0] + 2 * g[1])  # limit direction (1, 2)
        assert tan == p["tan_k"].subs(k, j)
        g = wt * g
    assert p["rate"] == sp.Rational(1, 2) and p["k_star"] == 9


def test_the_singular_value_ratio_is_the_wrong_rate_for_power_iteration(monkeypatch):
    """The rate is |lambda_2 / lambda_1| (eigenvalues), not sigma_2 / sigma_1: the checks catch the latter."""
    parts = get("backprop_power_iteration").result.parts
    assert_checks_catch(monkeypatch, "backprop_power_iteration", "rate", parts["sigma_ratio"])


def test_power_iteration_checks_catch_the_eigenvector_of_w_instead_of_w_transposed(monkeypatch):
    parts = get("backprop_power_iteration").result.parts
    assert_checks_catch(monkeypatch, "backprop_power_iteration", "limit_direction", parts["W_eigenvector"])
    assert_checks_catch(monkeypatch, "backprop_power_iteration", "k_star", sp.Integer(8))
