"""Dynamical isometry, Gaussian matrix products and Saxe's linear mode, checked by code written here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch

L_ = sp.Symbol("L", integer=True, positive=True)
N_ = sp.Symbol("N", integer=True, positive=True)
SIGMA_W = sp.Symbol("sigma_w", positive=True)
K_ = sp.Symbol("k", integer=True, positive=True)
n_ = sp.Symbol("n", integer=True, positive=True)
SIG2 = sp.Symbol("sigma^2", positive=True)


def test_linear_gaussian_exact_small_cases():
    """N = 2, L = 1: JJ^T = WW^T with W 2x2 N(0, 1/2): E[m_2 - m_1^2] from 200000 samples."""
    p = get("linear_gaussian_jacobian_spectrum").result.parts
    rng = np.random.default_rng(123)
    w = rng.normal(scale=math.sqrt(0.5), size=(200000, 2, 2))
    ev = np.linalg.eigvalsh(w @ np.swapaxes(w, 1, 2))
    sample = float(np.mean(ev.var(axis=1)))
    exact = float(p["variance"].subs({N_: 2, L_: 1, SIGMA_W: 1}))
    assert sample == pytest.approx(exact, rel=0.02)
    # L = 1 by hand (Isserlis): E tr(B^2) = N (1 + 2/N) + N(N - 1)/N = 2N + 1 and E (tr B)^2 = E(chi^2_{N^2})^2/N^2
    # = N^2 + 2, so E[m_2 - m_1^2] = (2N + 1)/N - (N^2 + 2)/N^2 = 1 + 1/N - 2/N^2
    for width in range(1, 6):
        val = p["variance"].subs({N_: width, L_: 1, SIGMA_W: 1})
        assert val == 1 + sp.Rational(1, width) - sp.Rational(2, width**2)


def test_linear_gaussian_wide_single_sample():
    """One wide sample (N = 300, L = 3) is already close to the large-N variance L."""
    rng = np.random.default_rng(5)
    j = np.eye(300)
    for _ in range(3):
        j = rng.normal(scale=1 / math.sqrt(300), size=(300, 300)) @ j
    ev = np.linalg.eigvalsh(j @ j.T)
    assert ev.var() == pytest.approx(3.0, rel=0.1)
    assert get("linear_gaussian_jacobian_spectrum").result.parts["limit_variance"].subs({SIGMA_W: 1}) == L_


def test_free_product_step_on_explicit_matrices():
    """The one-layer step tau(D C D C) = mu_2 tau(C)^2 + mu_1^2 (tau(C^2) - tau(C)^2) for a random 0/1 diagonal D
    and an independent Wishart C (N = 400): within 3 %."""
    p = get("jacobian_spectrum_variance").result.parts
    rng = np.random.default_rng(9)
    size = 400
    w = rng.normal(scale=1 / math.sqrt(size), size=(size, size))
    c = w @ w.T
    d = (rng.random(size) < 0.5).astype(float)
    dcd = d[:, None] * c * d[None, :]
    lhs = float(np.sum(dcd * dcd)) / size
    sym = {name: sp.Symbol(name, positive=True) for name in ("m_1", "m_2", "mu_1", "mu_2")}
    pd = float(d.mean())  # phi' in {0, 1}: mu_1 = mu_2 = fraction of ones
    rhs = p["one_layer_m2"].subs({sym["m_1"]: 1, sym["m_2"]: 1, sym["mu_1"]: pd, sym["mu_2"]: pd})
    rhs = rhs.subs({SIGMA_W: 1, sp.Symbol("g", nonnegative=True): 1})
    assert lhs == pytest.approx(float(rhs), rel=0.03)


def test_relu_orthogonal_variance_grows_with_depth():
    """The myth: orthogonal ReLU (sigma_w^2 = 2) is not isometric — the normalised spectral variance grows ~ L."""
    from derivations.dynamical_isometry import jacobian_at_init, spectral_moments

    def nvar(depth: int) -> float:
        vals = []
        for seed in range(10):
            a, b = spectral_moments(jacobian_at_init("relu", "orthogonal", 2.0, 0.0, 1.0, 64, depth, 100 + seed))
            vals.append(b / a**2 - 1)
        return float(np.mean(vals))

    v2, v6 = nvar(2), nvar(6)
    assert v2 == pytest.approx(2.0, rel=0.15) and v6 == pytest.approx(6.0, rel=0.15)
    assert get("jacobian_spectrum_variance").result.parts["relu_orthogonal"] == L_


def test_linear_orthogonal_is_exactly_isometric(torch):
    gen = torch.Generator().manual_seed(0)
    j = torch.eye(50, dtype=torch.float64)
    for _ in range(10):
        w = torch.empty(50, 50, dtype=torch.float64)
        torch.nn.init.orthogonal_(w, generator=gen)
        j = w @ j
    sv = torch.linalg.svdvals(j)
    assert float((sv - 1).abs().max()) < 1e-12


def test_lyapunov_n2_by_renormalised_power_iteration():
    """n = 2, sigma = 1: lambda_1 = (ln 2 - gamma)/2 = 0.0580; a vectorised power iteration with renormalisation."""
    p = get("lyapunov_gaussian_product").result.parts
    exact = float(p["lambda_1"].subs({n_: 2, SIG2: 1}))
    assert exact == pytest.approx((math.log(2) - 0.5772156649015329) / 2, abs=1e-14)
    rng = np.random.default_rng(77)
    v = np.tile([1.0, 0.0], (256, 1))
    acc = 0.0
    for _ in range(2000):
        v = np.einsum("rij,rj->ri", rng.normal(size=(256, 2, 2)), v)
        nrm = np.linalg.norm(v, axis=1)
        acc += float(np.sum(np.log(nrm)))
        v /= nrm[:, None]
    assert acc / (256 * 2000) == pytest.approx(exact, abs=0.005)  # s.e. about 0.0011


def test_log_chi_square_variance_by_sampling():
    p = get("lyapunov_gaussian_product").result.parts
    rng = np.random.default_rng(4)
    x = rng.chisquare(3, size=400000)
    assert np.log(x).var() == pytest.approx(float(p["step_variance"].subs(n_, 3)) * 4, rel=0.01)


def test_d2l_prediction_numbers():
    """101 factors (one matrix, then 100 more): typical |entry| about 10^24, spread about 1.8 decades."""
    r = get("lyapunov_gaussian_product").result
    assert r.text["log10_mean_d2l"] == "23.96" and r.text["log10_sd_d2l"] == "1.81"
    lam = float(r.parts["lambda_1_d2l"])
    assert lam == pytest.approx((math.log(2) + 1 - 0.5772156649015329) / 2, abs=1e-14)


def test_saxe_closed_form_by_rk4():
    p = get("saxe_linear_mode").result.parts
    t, tau, s, u0 = sp.Symbol("t", nonnegative=True), *sp.symbols("tau s u_0", positive=True)
    f = sp.lambdify((t, tau, s, u0), p["u_closed"], "math")
    u, h, sv = 0.02, 1e-3, 2.0
    for i in range(3000):  # classical RK4 for u' = 2u(s - u), tau = 1
        k1 = 2 * u * (sv - u)
        k2 = 2 * (u + h * k1 / 2) * (sv - u - h * k1 / 2)
        k3 = 2 * (u + h * k2 / 2) * (sv - u - h * k2 / 2)
        k4 = 2 * (u + h * k3) * (sv - u - h * k3)
        u += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        if (i + 1) % 1000 == 0:
            assert u == pytest.approx(f((i + 1) * h, 1.0, sv, 0.02), rel=1e-10)
    assert p["balance_rate"] == 0 and p["t_learn_eps_remainder"] == 0


TAU, S, U0, UF = sp.symbols("tau s u_0 u_f", positive=True)
T_ = sp.Symbol("t", nonnegative=True)


@pytest.mark.parametrize(
    ("name", "part", "wrong", "oracle"),
    [
        # the large-N value used at finite N
        ("linear_gaussian_jacobian_spectrum", "mean_m2", (1 + L_) * SIGMA_W ** (4 * L_), "numpy, 40000"),
        ("linear_gaussian_jacobian_spectrum", "limit_m2", L_ * SIGMA_W ** (4 * L_), "closed forms"),
        # "orthogonal ReLU is isometric"; the Gaussian value for orthogonal tanh: the two Monte Carlo checks, run
        # below at a smaller width and with fewer seeds (the mistakes are off by 100 % and 700 %)
        ("jacobian_spectrum_variance", "relu_orthogonal", sp.Integer(0), "numpy wide nets"),
        ("jacobian_spectrum_variance", "tanh_orthogonal", sp.Float(1.137, 6) * L_, "torch autograd"),
        ("jacobian_spectrum_variance", "tanh_sigma_b2", sp.Integer(0), "Gauss-Hermite"),
        ("lyapunov_gaussian_product", "lambda_k", sp.log(2 * SIG2) + sp.polygamma(0, (n_ - K_ + 1) / 2), "numpy QR"),
        ("lyapunov_gaussian_product", "entry_log_mean_d2l", 100 * sp.Float(0.558, 6), "the D2L recipe"),  # K = 100
        ("lyapunov_gaussian_product", "chi2_log_var", sp.polygamma(1, sp.Symbol("nu", positive=True)), "mpmath q"),
        ("saxe_linear_mode", "u_closed", S * sp.exp(S * T_ / TAU) / (sp.exp(S * T_ / TAU) - 1 + S / U0), "mpmath"),
        ("saxe_linear_mode", "t_learn", TAU / S * sp.log(UF * (S - U0) / (U0 * (S - UF))), "gradient descent"),
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong, oracle):
    """The named check (the one meant to catch this mistake, whose oracle starts with ``oracle``) fails on it; only
    that check runs, and the Monte Carlo ones at width 40 with 6 seeds, to keep the file fast."""
    from derivations import dynamical_isometry as dim

    d = get(name)
    assert d.result is not None  # derived (and cached) before the check width is lowered
    chosen = [c for c in d.checks if c.oracle.startswith(oracle)]
    assert len(chosen) == 1, f"{name}: {len(chosen)} checks start with {oracle!r}"
    if chosen[0].needs:
        pytest.importorskip(chosen[0].needs)
    monkeypatch.setattr(d, "checks", chosen)
    monkeypatch.setattr(dim, "CHECK_WIDTH", 40)
    monkeypatch.setattr(dim, "CHECK_SEEDS", 6)
    assert_checks_catch(monkeypatch, name, part, wrong)


# --- exercises ---------------------------------------------------------------------------------------------------
def test_narrow_linear_net_checks_catch_the_large_width_value(monkeypatch):
    """The large-N variance L = 3 put in place of the exact 21/4 at N = 2."""
    p = get("linear_jacobian_variance_example").result.parts
    assert p["variance"] == sp.Rational(21, 4) and p["limit"] == 3
    assert_checks_catch(monkeypatch, "linear_jacobian_variance_example", "variance", p["limit"])


def test_variance_preserving_product_checks_catch_the_preserved_norm_answer(monkeypatch):
    """'Variance 1/n preserves the norm': E ln||P v|| = 0 in place of K lambda_1."""
    assert_checks_catch(monkeypatch, "variance_preserving_product", "mean_log_norm", sp.Integer(0))


def test_variance_preserving_product_numbers():
    p = get("variance_preserving_product").result.parts
    assert p["mean_square"] == 1 and float(p["lambda_1"]) == pytest.approx(-0.13518, abs=1e-5)
    assert float(p["typical_norm"]) == pytest.approx(math.exp(50 * float(p["lambda_1"])))


def test_orthogonal_relu_checks_catch_isometry(monkeypatch):
    """'Orthogonal initialisation makes a ReLU net isometric': variance 0 instead of L (the numpy check, at width 40
    with 6 seeds, as in test_checks_catch_a_wrong_result)."""
    from derivations import dynamical_isometry as dim

    d = get("jacobian_spectrum_variance")
    assert d.result is not None
    monkeypatch.setattr(d, "checks", [c for c in d.checks if c.oracle.startswith("numpy wide nets")])
    monkeypatch.setattr(dim, "CHECK_WIDTH", 40)
    monkeypatch.setattr(dim, "CHECK_SEEDS", 6)
    assert_checks_catch(monkeypatch, "jacobian_spectrum_variance", "relu_orthogonal", sp.Integer(0))
