"""Gate time constants checked with arithmetic written here, scipy-free statistics and torch.nn.LSTM (float64)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch

B, U, V, F = (
    sp.Symbol("b", real=True),
    sp.Symbol("u", positive=True),
    sp.Symbol("v", positive=True),
    sp.Symbol("f", positive=True),
)
T, X, S = sp.Symbol("t", positive=True), sp.Symbol("x", positive=True), sp.Symbol("s", positive=True)
TMAX = sp.Symbol(r"T_{\max}", positive=True)
ALPHA, N = sp.Symbol("alpha", positive=True), sp.Symbol("n", integer=True, positive=True)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_sigma_of_log_and_the_two_time_constants_by_hand():
    p = get("gate_time_constant").result.parts
    for uu in (0.5, 1.0, 3.0, 99.0):
        assert float(p["sig_log"].subs(U, uu)) == pytest.approx(uu / (1 + uu), rel=1e-15)
    # b = 0: f = 1/2, tau = 2, tau_e = 1/ln 2; b = 1: tau = 1 + e
    assert p["tau_b0"] == 2 and float(p["tau_e_b0"]) == pytest.approx(1 / math.log(2), rel=1e-15)
    assert float(p["tau_b1"]) == pytest.approx(1 + math.e, rel=1e-15)
    # tau_e < tau for every gate value, and the gap approaches 1/2 as f -> 1
    for ff in np.linspace(0.01, 0.999, 50):
        assert -1 / math.log(ff) < 1 / (1 - ff)
    assert 1 / (1 - 0.9999) + 1 / math.log(0.9999) == pytest.approx(0.5, abs=1e-4)
    assert p["gap_limit_long"] == sp.Rational(1, 2) and p["gap_limit_short"] == 1


def test_half_life_in_steps_matches_e_folding_time():
    """After round(tau_e * ln 2) steps a memory held by f = sigma(ln 99) has about halved."""
    fv = _sigmoid(math.log(99.0))
    tau_e = float(get("gate_time_constant").result.parts["tau_e_b"].subs(B, math.log(99.0)))
    assert fv ** (tau_e * math.log(2)) == pytest.approx(0.5, rel=1e-12)


def test_chrono_time_constants_are_uniform_on_2_to_tmax():
    p = get("chrono_time_constants").result.parts
    assert p["tau_range"] == sp.Interval(2, TMAX)
    assert p["cdf_tau"].subs({T: 2, TMAX: 100}) == 0 and p["cdf_tau"].subs({T: 100, TMAX: 100}) == 1
    rng = np.random.default_rng(11)
    u = rng.uniform(1.0, 99.0, 4000)
    tau = 1.0 / (1.0 - 1.0 / (1.0 + np.exp(-np.log(u))))
    assert tau.min() >= 2.0 - 1e-12 and tau.max() <= 100.0 + 1e-9
    # quartiles of U[2, 100] at 26.5, 51, 75.5; the standard error of a sample quartile here is about 0.7
    assert np.quantile(tau, [0.25, 0.5, 0.75]) == pytest.approx([26.5, 51.0, 75.5], abs=3.0)
    assert p["mean_tau"].subs(TMAX, 100) == 51


def test_chrono_input_gate_makes_a_leaky_unit():
    """b_i = -b_f gives i = 1 - f exactly: with zero weights c_t = f c_{t-1} + (1 - f) g, a leaky unit."""
    i_u = get("chrono_time_constants").result.parts["input_gate"]
    for uu in (1.0, 2.5, 98.0):
        assert float(i_u.subs(U, uu)) + _sigmoid(math.log(uu)) == pytest.approx(1.0, abs=1e-15)


def test_both_biases_by_hand():
    p = get("chrono_both_biases").result.parts
    assert p["tau_same"] == U**2 + 1 and p["tau_indep"] == U * V + 1
    # fraction above T_max = 100: same value, u > sqrt(99); independent, u v > 99
    assert float(p["over_tmax_same"].subs(TMAX, 100)) == pytest.approx((99 - math.sqrt(99)) / 98, rel=1e-14)
    frac_below = (99 * math.log(99) - 99 + 1) / 98**2
    assert float(p["over_tmax_indep"].subs(TMAX, 100)) == pytest.approx(1 - frac_below, rel=1e-14)
    assert p["median_same"].subs(TMAX, 100) == 2501 and p["max_same"].subs(TMAX, 100) == 9802


def test_product_cdf_against_a_grid_integral():
    """P(u v <= s) by a fine midpoint grid over (u, v) in [1, 99]^2, independent of SymPy and mpmath."""
    cdf = get("chrono_both_biases").result.parts["cdf_product"].subs(TMAX, 100)
    g = 1.0 + (np.arange(1500) + 0.5) * 98.0 / 1500
    prod = np.multiply.outer(g, g)
    for sv in (5.0, 99.0, 500.0, 5000.0):
        assert float(cdf.subs(S, sv)) == pytest.approx(np.mean(prod <= sv), abs=2e-3)


def test_doubled_bias_in_torch_lstm(torch):
    """Chrono's ln u in both bias_ih and bias_hh of nn.LSTM: the forget gate, recomputed from the layer's own
    parameters and read from one step of the layer, is u^2/(1 + u^2)."""
    hid = 4
    lstm = torch.nn.LSTM(3, hid, dtype=torch.float64)
    u = torch.tensor([1.0, 3.0, 10.0, 99.0], dtype=torch.float64)
    with torch.no_grad():
        for prm in lstm.parameters():
            prm.zero_()
        lstm.bias_ih_l0[hid : 2 * hid] = u.log()
        lstm.bias_hh_l0[hid : 2 * hid] = u.log()
    pre = lstm.bias_ih_l0 + lstm.bias_hh_l0  # zero input and zero state: the gate pre-activations are the biases
    f = torch.sigmoid(pre[hid : 2 * hid]).detach()
    tau_same = get("chrono_both_biases").result.parts["tau_same"]
    expected = torch.tensor([float(tau_same.subs(U, float(x))) for x in u], dtype=torch.float64)
    assert torch.allclose(1.0 / (1.0 - f), expected, rtol=1e-12, atol=0)
    # and the layer itself: one step from c_0 = 1 multiplies the cell by f
    z = torch.zeros(1, 1, hid, dtype=torch.float64)
    _, (_h, c1) = lstm(torch.zeros(1, 1, 3, dtype=torch.float64), (z, torch.ones_like(z)))
    assert torch.allclose(c1.reshape(-1), f, rtol=1e-15, atol=0)


def test_forget_bias_one_in_steps():
    p = get("forget_bias_one_time_constant").result.parts
    assert float(p["tau_bias_1"]) == pytest.approx(1 / (1 - _sigmoid(1.0)), rel=1e-14)
    assert float(p["tau_bias_2"]) == pytest.approx(1 / (1 - _sigmoid(2.0)), rel=1e-14)
    assert float(p["bias_for_100"]) == pytest.approx(math.log(99), rel=1e-15)
    assert _sigmoid(float(p["bias_for_100"])) == pytest.approx(0.99, rel=1e-15)


def test_leaky_unit_by_finite_differences():
    p = get("leaky_unit_time_constant").result.parts
    al, steps, h = 0.2, 25, 1e-6
    xs = np.random.default_rng(5).normal(size=steps)

    def run(h0: float) -> float:
        hv = h0
        for xt in xs:
            hv = (1 - al) * hv + al * math.tanh(xt)
        return hv

    fd = (run(0.3 + h) - run(0.3 - h)) / (2 * h)
    assert fd == pytest.approx(float(p["leak_path_n_steps"].subs({ALPHA: al, N: steps})), rel=1e-8)
    assert p["tau"] == 1 / ALPHA and p["input_weights_sum"] == 1


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("gate_time_constant", "tau_b", sp.exp(B)),  # "tau = 1/(1 - f) = e^b" (drops the 1)
        ("gate_time_constant", "tau_e_b", 1 + sp.exp(B)),  # the two conventions confused
        ("chrono_time_constants", "cdf_tau", (T - 1) / (TMAX - 1)),  # "tau = u ~ U[1, T_max - 1]"
        ("chrono_time_constants", "input_gate", U / (1 + U)),  # "b_i = b_f"
        ("chrono_both_biases", "tau_same", 1 + U),  # "the second bias is harmless"
        ("chrono_both_biases", "cdf_same", (T - 2) / (TMAX - 2)),
        ("chrono_both_biases", "cdf_product", (S - 1) / (TMAX - 2)),
        ("forget_bias_one_time_constant", "tau_bias_1", sp.Integer(100)),  # "bias 1 remembers ~100 steps"
        ("leaky_unit_time_constant", "leak_path_n_steps", ALPHA**N),  # leak and keep confused
        ("leaky_unit_time_constant", "mean_lag", 1 / ALPHA),
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


# --- exercises ---------------------------------------------------------------------------------------------------
def test_the_best_leak_for_a_lag_is_one_over_lag_plus_one(monkeypatch):
    """The wrong answer "the time constant should equal the lag" (alpha = 1/k) put in place of the derived 1/(k + 1)."""
    k = sp.Symbol("k", positive=True)
    p = get("leaky_unit_best_leak_for_lag").result.parts
    assert p["alpha_best"] == 1 / (k + 1) and p["tau_best"] == k + 1 and p["bias_best"] == sp.log(k)
    grid = np.linspace(1e-4, 1 - 1e-4, 20001)
    assert grid[np.argmax(grid * (1 - grid) ** 9)] == pytest.approx(0.1, abs=1e-4)
    assert_checks_catch(monkeypatch, "leaky_unit_best_leak_for_lag", "alpha_best", 1 / k)
    assert_checks_catch(monkeypatch, "leaky_unit_best_leak_for_lag", "alpha_example", sp.Rational(1, 9))


def test_the_exercises_reused_derivations_catch_their_wrong_answers(monkeypatch):
    # "tau and tau_e agree for long memories": gap limit 0 instead of 1/2
    assert_checks_catch(monkeypatch, "gate_time_constant", "gap_limit_long", sp.Integer(0))
    # "writing the bias twice doubles tau - 1": tau = 1 + 2u, so P(tau > T_max) = (T_max - 1)/(2 (T_max - 2))
    assert_checks_catch(monkeypatch, "chrono_both_biases", "over_tmax_same", (TMAX - 1) / (2 * (TMAX - 2)))
    # the best-leak exercise reads the mean lag (1 - alpha)/alpha: "the mean lag is the time constant" fails
    assert_checks_catch(monkeypatch, "leaky_unit_time_constant", "mean_lag", 1 / ALPHA)
