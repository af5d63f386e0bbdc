"""Initialisation results checked against torch.nn.init (float64), mpmath and seeded simulations written here."""

from __future__ import annotations

import math
import time

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.initialisation import figure_data_activation_variance
from tests.helpers import assert_checks_catch

n_in = sp.Symbol("n_in", integer=True, positive=True)
n_out = sp.Symbol("n_out", integer=True, positive=True)
q = sp.Symbol("q", nonnegative=True)


def test_closed_forms():
    p = get("lecun_glorot_init").result.parts
    assert p["lecun_var"] == 1 / n_in
    assert sp.simplify(p["glorot_var"] - 2 / (n_in + n_out)) == 0
    assert sp.simplify(p["glorot_uniform_limit"] - sp.sqrt(6 / (n_in + n_out))) == 0
    assert sp.simplify(p["torch_linear_default_var"] - 1 / (3 * n_in)) == 0
    h = get("he_init").result.parts
    assert h["he_var"] == 2 / n_in and h["gain"] == sp.sqrt(2)
    assert h["per_layer_factor_lecun_relu"] == sp.Rational(1, 2)


def test_relu_second_moment_by_quadrature_here():
    s = sp.Symbol("s", positive=True)
    expr = get("he_init").result.parts["relu_second_moment"]
    with mpmath.workdps(30):
        for sd in (0.5, 2.0):
            val = mpmath.quad(lambda t, sd=sd: t**2 * mpmath.exp(-(t**2) / (2 * sd**2)), [0, mpmath.inf])
            val /= mpmath.sqrt(2 * mpmath.pi) * sd
            assert abs(val - float(expr.subs(s, sd))) < 1e-14


def test_one_relu_layer_variance_by_monte_carlo():
    """Var(z_next) = n Var(w) E[relu(z)^2] = Var(z) for He; independent samples, 1% tolerance (s.e. ~0.3%)."""
    rng = np.random.default_rng(1)
    n = 64
    z = rng.normal(scale=1.7, size=(100_000, n))
    w = rng.normal(scale=math.sqrt(2 / n), size=(100_000, n))
    z_next = np.sum(w * np.maximum(z, 0), axis=1)
    assert np.var(z_next) / 1.7**2 == pytest.approx(1.0, abs=0.01)


def test_simulated_depth_50_against_prediction():
    t0 = time.process_time()
    d = figure_data_activation_variance()
    assert time.process_time() - t0 < 6.0  # about 0.2-0.5 s alone; BLAS threads spin (and count) under load
    assert abs(math.log2(d["relu_he"][-1] / d["relu_he"][0])) < 4
    assert abs(math.log2(d["relu_lecun"][-1] / d["relu_lecun"][0]) + 50) < 4
    assert d["tanh_gain_1"][-1] < 0.05 < d["tanh_gain_5_3"][-1]  # gain 1 decays, 5/3 settles at q* ~ 1.18
    again = figure_data_activation_variance()
    assert all(np.array_equal(d[k], again[k]) for k in d)


def test_tanh_fixed_point_by_iterating_the_map_here():
    zs, ws = np.polynomial.hermite_e.hermegauss(100)
    ws = ws / ws.sum()
    q = 0.1
    for _ in range(200):
        q = (5 / 3) ** 2 * float(np.sum(ws * np.tanh(math.sqrt(q) * zs) ** 2))
    assert q == pytest.approx(float(get("tanh_gain_variance_map").result.parts["fixed_point_5_3"]), rel=1e-9)


def test_torch_init_functions(torch):
    gen = torch.Generator().manual_seed(3)
    w = torch.empty(500, 300, dtype=torch.float64)
    torch.nn.init.xavier_normal_(w, generator=gen)
    glorot = float(get("lecun_glorot_init").result.parts["glorot_var"].subs({n_in: 300, n_out: 500}))
    assert float(w.var()) == pytest.approx(glorot, rel=0.01)
    torch.nn.init.kaiming_uniform_(w, nonlinearity="relu", generator=gen)
    assert float(w.var()) == pytest.approx(2 / 300, rel=0.01)
    assert torch.nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2), rel=1e-15)
    assert torch.nn.init.calculate_gain("tanh") == pytest.approx(5 / 3, rel=1e-15)


def test_torch_orthogonal_rectangular_is_semi_orthogonal(torch):
    w = torch.empty(20, 50, dtype=torch.float64)
    torch.nn.init.orthogonal_(w, generator=torch.Generator().manual_seed(0))
    assert np.allclose(w.numpy() @ w.numpy().T, np.eye(20), atol=1e-13)
    assert np.allclose(np.linalg.svd(w.numpy(), compute_uv=False), 1.0, atol=1e-13)


def test_gaussian_matrix_is_not_norm_preserving():
    """Contrast for the orthogonal page: N(0, 1/n) has spectral radius ~1 but singular values spread over (0, 2)."""
    n = 400
    a = np.random.default_rng(5).normal(scale=1 / math.sqrt(n), size=(n, n))
    sv = np.linalg.svd(a, compute_uv=False)
    assert sv[0] > 1.9 and sv[-1] < 0.05
    assert 0.9 < max(abs(np.linalg.eigvals(a))) < 1.1


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("he_init", "relu_second_moment", sp.Symbol("s", positive=True) ** 2),  # forgot the one half
        ("he_init", "per_layer_factor_lecun_relu", sp.Rational(3, 4)),
        ("he_init", "he_std", sp.sqrt(1 / n_in)),
        ("lecun_glorot_init", "glorot_uniform_limit", sp.sqrt(3 / (n_in + n_out))),
        ("lecun_glorot_init", "uniform_var", sp.Symbol("a", positive=True) ** 2 / 2),
        ("tanh_gain_variance_map", "fixed_point_5_3", sp.Float(0.9)),
        ("tanh_gain_backward_factor", "chi_5_3", sp.Float(1.0)),  # as if 5/3 were critical
        ("tanh_gain_backward_factor", "chi_series", 1 - q + 7 * q**2),  # wrong linear coefficient
        ("orthogonal_init", "gaussian_singular_max", sp.Integer(1)),
        ("orthogonal_init", "gaussian_spectral_radius", sp.Integer(2)),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_lecun_relu_50_layers_value():
    h = get("he_init").result
    assert h.parts["lecun_relu_50_layers"] == sp.Rational(1, 2**50)
    assert h.text["lecun_relu_50_layers"] == r"8.9\times10^{-16}"


# --- exercises ---------------------------------------------------------------------------------------------------
def test_wrong_gain_checks_catch_forgetting_the_relu_half(monkeypatch):
    """g^2 instead of g^2/2: the ReLU's halving of the second moment forgotten (nn.Linear default as 'a third')."""
    assert_checks_catch(monkeypatch, "relu_variance_factor_for_gain", "factor_linear_default", sp.Rational(1, 3))


def test_backward_telescoping_checks_catch_a_compounding_factor(monkeypatch):
    """'The mismatch n_out/n_in compounds': the last ratio taken to the power L - 1 instead of telescoping."""
    assert_checks_catch(monkeypatch, "he_fan_in_backward_telescopes", "total_example", sp.Integer(4) ** 3)


def test_orthogonal_tanh_step_checks_catch_norm_one(monkeypatch):
    """'An orthogonal W keeps every singular value of the step Jacobian at 1', the nonlinearity forgotten."""
    assert_checks_catch(monkeypatch, "orthogonal_tanh_step_singular_values", "singular_value_of_entry", sp.Integer(1))
