"""Batch-norm results checked against torch (float64 autograd, F.batch_norm) and finite differences written here."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.nets.mlp import bn_backward, bn_forward
from derivations.normalisation import bn_net_gradients, figure_data_batchnorm_depth
from tests.helpers import assert_checks_catch


def test_derived_parts():
    p = get("batchnorm_scale_invariance").result.parts
    assert p["grad_scale_at_aW"] == 1 / sp.Symbol("a", positive=True)
    assert p["bn_difference"] == sp.zeros(3, 1)
    assert get("batchnorm_jacobian").result.parts["rank"] == 1  # m - 2 with m = 3
    g = get("batchnorm_relu_gradient_growth").result.parts
    assert sp.simplify(g["factor_sq"] - sp.pi / (sp.pi - 1)) == 0
    assert float(g["factor"]) == pytest.approx(math.sqrt(math.pi / (math.pi - 1)), rel=1e-15)


def test_eps_breaks_exact_invariance():
    y = np.random.default_rng(0).normal(size=(10, 2)) * 0.01
    a, b = bn_forward(y, 1e-5)[0], bn_forward(100 * y, 1e-5)[0]
    assert np.max(np.abs(a - b)) > 1e-3  # var 1e-4 vs eps 1e-5: far from invariant
    assert np.max(np.abs(bn_forward(y)[0] - bn_forward(100 * y)[0])) < 1e-12


def test_manual_backward_matches_torch(torch):
    rng = np.random.default_rng(1)
    y = rng.normal(size=(9, 4)) * 3 + 1
    g = rng.normal(size=(9, 4))
    t = torch.tensor(y, requires_grad=True)
    out = torch.nn.functional.batch_norm(t, None, None, training=True, eps=1e-5)
    (out * torch.tensor(g)).sum().backward()
    yh, sd = bn_forward(y, 1e-5)
    assert np.max(np.abs(yh - out.detach().numpy())) < 1e-13
    assert np.max(np.abs(bn_backward(g, yh, sd) - t.grad.numpy())) < 1e-12


def test_deep_bn_net_gradients_match_torch(torch):
    """Rebuild the numpy net (same seeded weights) in torch and compare every ||dL/dW_l||."""
    depth, width, batch = 6, 16, 12
    rng = np.random.default_rng(0)
    h = rng.normal(size=(batch, width))
    ws = [rng.normal(scale=1 / math.sqrt(width), size=(width, width)) for _ in range(depth)]
    r = rng.normal(size=(batch, width))
    tws = [torch.tensor(w, requires_grad=True) for w in ws]
    x = torch.tensor(h)
    for w in tws:
        x = torch.relu(torch.nn.functional.batch_norm(x @ w.T, None, None, training=True, eps=1e-5))
    ((x * torch.tensor(r)).sum() / batch).backward()
    expected = np.array([float(w.grad.norm()) for w in tws])
    got = bn_net_gradients(depth, width=width, batch=batch, act="relu", seed=0)
    assert np.max(np.abs(got - expected) / expected) < 1e-10


def test_explosion_grows_with_depth_and_is_fast():
    t0 = time.process_time()
    d = figure_data_batchnorm_depth()
    assert time.process_time() - t0 < 6.0  # about 0.2-0.5 s alone; BLAS threads spin (and count) under load
    assert np.all(np.diff(d["relu"][1:]) > 0) and d["relu"][-1] > 1e3  # first/last ratio at depth 50
    assert d["tanh"][-1] > 10


def test_weight_scale_does_not_change_bn_net_gradients_wrt_input():
    rng = np.random.default_rng(3)
    u, w = rng.normal(size=(8, 5)), rng.normal(size=(4, 5))
    c = rng.normal(size=(8, 4))
    g1 = bn_backward(c, *bn_forward(u @ w.T)) @ w
    g2 = bn_backward(c, *bn_forward(u @ (7.0 * w).T)) @ (7.0 * w)
    assert np.max(np.abs(g1 - g2)) < 1e-12


A_, ETA, R, FP = (
    sp.Symbol("a", positive=True),
    sp.Symbol("eta", positive=True),
    sp.Symbol("r", positive=True),
    sp.Symbol("fp", real=True),
)


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("batchnorm_scale_invariance", "grad_scale_at_aW", A_),  # a instead of 1/a
        ("batchnorm_relu_gradient_growth", "factor", sp.sqrt(2)),  # He-style sqrt 2
        ("batchnorm_effective_step", "lr_for_scaled_weights", A_ * ETA),  # a instead of a^2
        ("batchnorm_effective_step", "angle_step", -sp.atan(ETA * FP / R)),  # 1/r instead of 1/r^2
        ("batchnorm_effective_step", "norm_sq_after", R**2),  # forgot that the norm grows
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_effective_step_parts():
    p = get("batchnorm_effective_step").result.parts
    assert p["effective_lr"] == ETA / R**2 and p["lr_for_scaled_weights"] == A_**2 * ETA
    # one step with a small eta: the angle moves by -eta f'/r^2 to first order, independently of this derivation
    val = float(p["angle_step"].subs({ETA: 1e-4, R: 2.0, FP: 3.0}))
    assert val == pytest.approx(-1e-4 * 3.0 / 4.0, rel=1e-7)


# --- exercises ---------------------------------------------------------------------------------------------------
def test_null_directions_checks_catch_only_the_mean(monkeypatch):
    """'BN only removes the mean': a one-dimensional null space (the scale direction y_hat forgotten)."""
    assert_checks_catch(monkeypatch, "batchnorm_jacobian_null_directions", "null_dimension", sp.Integer(1))


def test_depth_ratio_checks_catch_the_squared_factor(monkeypatch):
    """pi/(pi - 1) per layer for the norm instead of for the squared norm."""
    assert_checks_catch(monkeypatch, "batchnorm_relu_depth_ratio", "ratio", (sp.pi / (sp.pi - 1)) ** 20)
