"""Regularisation results checked against torch.optim / autograd (float64) and simulations written here."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch


def test_numbers():
    p = get("weight_decay_shrink").result.parts
    assert p["example_steps"] == 406  # ln(1.5) / -ln(0.999) = 405.26...
    assert np.log(1.5) / -np.log(1 - 0.001) == pytest.approx(405.26, abs=0.01)
    s = get("small_weights_forget").result
    assert s.parts["example_0_9_50"] == sp.Rational(9, 10) ** 50
    assert s.text["example_0_9_50"] == "0.0052" and s.parts["steps_to_1_percent"] == 44
    assert s.text["steps_to_1_percent"] == "44"
    assert 0.9**43 > 0.01 > 0.9**44


def test_torch_sgd_weight_decay_matches_shrink(torch):
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64) * 2.0)
    opt = torch.optim.SGD([p], lr=0.1, weight_decay=0.5)
    for _ in range(7):
        p.grad = torch.zeros_like(p)
        opt.step()
    assert float(p.detach()[0]) == pytest.approx(2.0 * (1 - 0.05) ** 7, rel=1e-14)


def test_torch_adam_l2_moves_by_lr_regardless_of_lambda(torch):
    for lam in (1e-4, 1e-2, 1.0):
        p = torch.nn.Parameter(torch.tensor([5.0, -5.0], dtype=torch.float64))
        opt = torch.optim.Adam([p], lr=0.01, weight_decay=lam)
        p.grad = torch.zeros_like(p)
        opt.step()
        assert np.allclose(p.detach().numpy(), [4.99, -4.99], atol=1e-8)


def test_forgetting_in_the_linear_regime():
    """Tiny states keep tanh linear: the distance follows W^t exactly (1e-9) and stays below sigma_1^t."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(8, 8))
    w *= 0.9 / np.linalg.norm(w, 2)
    delta = 1e-6 * rng.normal(size=8)
    h, h2 = np.zeros(8), delta.copy()
    for _ in range(20):
        h, h2 = np.tanh(w @ h), np.tanh(w @ h2)
    ratio = np.linalg.norm(h - h2) / np.linalg.norm(delta)
    assert ratio <= 0.9**20
    linear = np.linalg.norm(np.linalg.matrix_power(w, 20) @ delta) / np.linalg.norm(delta)
    assert ratio == pytest.approx(linear, rel=1e-9)


def test_nonnormal_matrix_amplifies_despite_small_spectral_radius():
    w = np.array([[0.5, 3.0], [0.0, 0.5]])
    assert max(abs(np.linalg.eigvals(w))) == 0.5
    assert np.linalg.norm(w @ w, 2) > 3.0
    x = np.array([0.0, 1.0])
    assert np.linalg.norm(w @ w @ x) > 2.9  # grows for two steps although rho = 1/2


LAM, ETA, W11 = sp.Symbol("lambda", positive=True), sp.Symbol("eta", positive=True), sp.Symbol("w11", real=True)
K = sp.Symbol("k", integer=True, nonnegative=True)
W2 = sp.Matrix(2, 2, sp.symbols("w11 w12 w21 w22", real=True))


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("small_weights_forget", "example_0_9_50", sp.Rational(8, 10) ** 50),  # a wrong rate
        ("small_weights_forget", "nonnormal_rho", sp.Integer(3)),
        ("small_weights_forget", "nonnormal_last_above_one", sp.Integer(2)),  # "two steps", read off sigma_1(W^2)
        ("penalty_gradients", "grad_l2", 2 * LAM * W2),  # forgot the 1/2
        ("penalty_gradients", "grad_l1", LAM * W2),  # L1 as if it were L2
        ("weight_decay_shrink", "factor", (1 - ETA * LAM) ** (K + 1)),  # off by one step
        ("weight_decay_shrink", "example_steps", sp.Integer(405)),  # ceiling vs floor
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_adam_check_catches_a_shrink(monkeypatch, torch):
    w, eps = sp.Symbol("w", real=True), sp.Symbol("epsilon", positive=True)
    assert_checks_catch(monkeypatch, "adam_l2_is_not_decay", "first_step", -ETA * LAM * w + 0 * eps)  # as if decay


# --- exercises ---------------------------------------------------------------------------------------------------
def test_decayed_jacobian_checks_catch_forgetting_the_lag(monkeypatch):
    """sigma_1(W_k) taken as the bound on the whole Jacobian, i.e. the power t over the lag forgotten."""
    p = get("decayed_recurrent_jacobian_bound").result.parts
    assert_checks_catch(monkeypatch, "decayed_recurrent_jacobian_bound", "bound", p["sigma_k"])


def test_l1_cycle_checks_catch_exact_zero(monkeypatch):
    """The common wrong answer: 'L1 with plain SGD drives the weight to exactly 0'."""
    assert_checks_catch(monkeypatch, "l1_subgradient_cycle", "cycle_low_example", sp.Integer(0))
