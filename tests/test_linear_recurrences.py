"""Linear recurrences and state-space models: independent numbers written here, and one mutation per derivation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch

LAM = sp.Symbol("lambda", real=True)
RHO = sp.Symbol("rho", nonnegative=True)
A_, DT = sp.Symbol("a", negative=True), sp.Symbol("Delta", positive=True)
Z = sp.Symbol("z", real=True)
NU = sp.Symbol("nu", real=True)
R, RMIN, RMAX = sp.Symbol("r", nonnegative=True), *sp.symbols("r_min r_max", nonnegative=True)


def test_modulus_below_one_and_rounding():
    """|exp(-e^nu + i theta)| < 1 for nu well above -37.4 in float64; at nu = -40 the double is exactly 1."""
    nus = np.linspace(-35, 5, 81)
    assert np.all(np.abs(np.exp(-np.exp(nus) + 0.3j)) < 1.0)
    assert np.exp(-np.exp(-40.0)) == 1.0
    assert get("lru_exponential_parametrisation").result.text["nu_rounds_to_one"] == "-37.43"


def test_ring_sampling_is_uniform_in_area_not_in_radius():
    """With r_min = 0, r_max = 1 a quarter (not half) of the draws have |lambda| <= 1/2; 81 % have |lambda| <= 0.9."""
    rng = np.random.default_rng(123)
    u1 = rng.uniform(size=100_000)
    nu_log = np.log(-0.5 * np.log(u1 * (1.0**2 - 0.0**2) + 0.0**2))
    m = np.exp(-np.exp(nu_log))
    assert abs(np.mean(m <= 0.5) - 0.25) < 0.006 and abs(np.mean(m <= 0.9) - 0.81) < 0.006
    p = get("lru_ring_init").result.parts
    assert p["cdf_default_half"] == sp.Rational(1, 4) and p["cdf_default_0.9"] == sp.Rational(81, 100)
    # E|lambda|^2 = (0.81 + 0.998001)/2 on the example ring
    assert float(p["mean_sq_example"]) == pytest.approx((0.81 + 0.998001) / 2, rel=1e-15)
    # E 1/(1 - |lambda|^2) on [0.9, 0.999] by a midpoint rule in |lambda|^2 (uniform there)
    s = 0.81 + (np.arange(200_000) + 0.5) / 200_000 * (0.998001 - 0.81)
    assert float(p["mean_blowup_example"]) == pytest.approx(np.mean(1 / (1 - s)), rel=1e-8)


def test_forward_blowup_by_exact_covariance():
    """E|h_t|^2 as the squared norm of the impulse response (1, lambda, ..., lambda^{t-1}) for a complex lambda."""
    lam_c = 0.97 * np.exp(0.4j)
    finite = get("lru_forward_blowup").result.parts["finite"]
    f = sp.lambdify((RHO, sp.Symbol("t", positive=True, integer=True)), finite)
    for t in (1, 5, 50, 500):
        impulse = lam_c ** np.arange(t)
        assert f(0.97, t) == pytest.approx(float(np.sum(np.abs(impulse) ** 2)), rel=1e-12)


def test_zoh_against_matrix_exponential_series_and_euler_blowup():
    """exp of the augmented matrix by a 60-term Taylor series; Euler at a = -10, Delta = 1/4 multiplies by -3/2."""
    p = get("zoh_discretisation").result.parts
    fa, fb = sp.lambdify((A_, DT), p["a_bar"]), sp.lambdify((A_, sp.Symbol("b", real=True), DT), p["b_bar"])
    for av, bv, d in ((-2.0, 0.5, 0.1), (-0.3, -1.0, 3.0)):
        m = np.array([[av * d, bv * d], [0.0, 0.0]])
        e, term = np.eye(2), np.eye(2)
        for j in range(1, 60):
            term = term @ m / j
            e = e + term
        assert e[0, 0] == pytest.approx(fa(av, d), rel=1e-13) and e[0, 1] == pytest.approx(fb(av, bv, d), rel=1e-12)
    assert p["a_euler_example"] == sp.Rational(-3, 2) and float(p["a_bar_example"]) == pytest.approx(math.exp(-2.5))
    h = 1.0
    for _ in range(40):
        h *= 1 + 0.25 * -10
    assert abs(h) > 1e6  # Euler diverges although the continuous system decays


def test_mamba_gate_and_reference_implementation_input_term():
    """exp(-softplus(z)) = 1 - sigmoid(z); the reference code's Euler input term Delta B = softplus(z) is not
    sigmoid(z) (log 2 = 0.6931 versus 1/2 at z = 0)."""
    zz = np.linspace(-20, 20, 401)
    sp_ = np.logaddexp(0.0, zz)
    assert np.max(np.abs(np.exp(-sp_) - (1 - 1 / (1 + np.exp(-zz))))) < 1e-15
    p = get("mamba_gate_identity").result.parts
    assert float(p["b_euler_at_0"]) == pytest.approx(math.log(2)) and p["b_bar_at_0"] == sp.Rational(1, 2)


def test_diagonal_factor_has_no_input_dependence(torch):
    """The Jacobian of h_T with respect to h_0 is the same for two different input sequences."""
    lam_t = torch.tensor([0.9, 0.999, -0.5], dtype=torch.float64)
    jacs = []
    for seed in (0, 1):
        xs = torch.randn(100, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)

        def run(h0, xs=xs):
            h = h0
            for x in xs:
                h = lam_t * h + x
            return h

        jacs.append(torch.autograd.functional.jacobian(run, torch.zeros(3, dtype=torch.float64)))
    assert torch.equal(jacs[0], jacs[1])
    assert torch.allclose(torch.diagonal(jacs[0]), lam_t**100, rtol=1e-13, atol=0)
    assert get("diagonal_bptt_factor").result.text["vanish_0.9_1000"] == r"1.75 \times 10^{-46}"


def test_curse_of_memory_values():
    """At lambda = 0.9: sum n^2 0.81^(n-1) by plain float64 summation; normalised 1/(1 - 0.81)^2."""
    s = sum(nn * nn * 0.81 ** (nn - 1) for nn in range(1, 3000))
    f = sp.lambdify(LAM, get("curse_of_memory").result.parts["sensitivity"])
    assert f(0.9) == pytest.approx(s, rel=1e-12)
    pn = get("curse_of_memory_normalised").result.parts
    assert float(pn["normalised_lambda"].subs(LAM, sp.Rational(9, 10))) == pytest.approx(1 / 0.19**2, rel=1e-14)
    assert pn["limit_normalised_nu"] == sp.Rational(1, 4) and pn["leading_unnormalised_nu"] == sp.Rational(1, 4)
    # gamma held fixed (the LRU's separate parameter): gamma^2 sum n^2 0.81^(n-1) by plain float64 summation
    assert float(pn["fixed_gamma_lambda"].subs(LAM, sp.Rational(9, 10))) == pytest.approx(0.19 * s, rel=1e-12)
    assert pn["limit_fixed_gamma_nu"] == sp.Rational(1, 2)


def test_gradient_norm_figure_data():
    from derivations.linear_recurrences import figure_data_gradient_norms

    d = figure_data_gradient_norms()
    k = d["k"].astype(float)
    assert np.allclose(d["lru_near_one"], d["lru_near_one"][0] ** k, rtol=1e-10)
    assert d["tanh_orthogonal"][-1] < 1e-100 < d["lru_moderate"][-1] < d["lru_near_one"][-1] < 1


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("lru_exponential_parametrisation", "modulus", sp.exp(-NU)),
        ("lru_ring_init", "cdf", (R - RMIN) / (RMAX - RMIN)),
        ("lru_forward_blowup", "limit", 1 / (1 - RHO)),
        ("zoh_discretisation", "b_bar", DT * sp.Symbol("b", real=True)),
        ("zoh_discretisation", "euler_threshold", -1 / A_),
        ("mamba_gate_identity", "b_bar", sp.log(1 + sp.exp(Z))),
        ("diagonal_bptt_factor", "product", sp.diag(*sp.symbols("lambda_1 lambda_2")) ** 2),
        ("curse_of_memory", "sensitivity", 1 / (1 - LAM**2) ** 3),
        ("curse_of_memory_normalised", "normalised_nu", 1 / (1 - LAM**2) ** 2),
        ("curse_of_memory_normalised", "fixed_gamma_lambda", 1 / (1 - LAM**2) ** 2),
        ("curse_of_memory_normalised", "limit_fixed_gamma_nu", sp.Rational(1, 4)),
    ],
)
def test_checks_catch_mutations(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_exercise_derivations_catch_plausible_mistakes(monkeypatch):
    """The derivations behind the page's exercises fail their checks on a plausible wrong answer."""
    # "the time constant 1/(1 - |lambda|) = 100 steps is when the gradient falls to 1/100"
    assert_checks_catch(monkeypatch, "memory_horizon", "k_steps", sp.Integer(100))
    # nu = ln(1/H), the ln 2 of the half-life forgotten
    assert_checks_catch(monkeypatch, "memory_horizon", "nu_half", sp.log(sp.Rational(1, 1000)))
    assert_checks_catch(monkeypatch, "discretisation_large_step", "euler_after", sp.Integer(-3) ** 9)  # one step short
    assert_checks_catch(monkeypatch, "discretisation_large_step", "fixed_point", sp.Integer(1))
    assert_checks_catch(monkeypatch, "diagonal_bptt_factor", "vanish_0.9_1000", sp.Rational(9, 10) ** 100)
    assert_checks_catch(monkeypatch, "lru_exponential_parametrisation", "nu_rounds_to_one", sp.Integer(-7))
    assert_checks_catch(monkeypatch, "zoh_discretisation", "a_bar", 1 + DT * A_)
    # "the reference scan is still Theorem 1's gate": the Euler input coefficient at z = 0 taken as sigma(0)
    assert_checks_catch(monkeypatch, "mamba_gate_identity", "b_euler_at_0", sp.Rational(1, 2))
