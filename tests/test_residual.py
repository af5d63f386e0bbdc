"""Residual-block Jacobians checked against torch autograd (float64) and finite differences written here."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.residual import figure_data_gradient_norm_vs_depth, gradient_norm_ratio
from tests.helpers import assert_checks_catch


def test_product_has_all_paths():
    p = get("residual_jacobian").result.parts
    assert p["paths_3"] == 8
    a1, a2, a3 = sp.symbols("A1 A2 A3", commutative=False)
    assert a3 * a2 * a1 in sp.Add.make_args(p["product_3"]) and a1 * a2 * a3 not in sp.Add.make_args(p["product_3"])


@pytest.mark.parametrize("skip", [False, True])
def test_manual_backprop_matches_torch(torch, skip):
    depth, width, alpha = 7, 10, 0.5
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=width)
    ws = [rng.normal(scale=1 / math.sqrt(width), size=(width, width)) for _ in range(depth)]
    g = rng.normal(size=width)

    def net(x):
        for w in ws:
            z = torch.tanh(torch.tensor(w) @ x)
            x = x + alpha * z if skip else z
        return x

    jac = torch.autograd.functional.jacobian(net, torch.tensor(x0)).numpy()
    expected = np.linalg.norm(jac.T @ g) / np.linalg.norm(g)
    assert gradient_norm_ratio(depth, skip, alpha, width, seed=0) == pytest.approx(expected, rel=1e-12)


def test_identity_path_cannot_be_cancelled_only_if_branch_is_small():
    a = -np.eye(3)  # a branch Jacobian of -I cancels the skip: the block Jacobian is 0
    assert np.allclose(np.eye(3) + a, 0)
    small = 0.1 * np.random.default_rng(1).normal(size=(3, 3)) / 3
    s = np.linalg.norm(small, 2)
    sv = np.linalg.svd(np.eye(3) + small, compute_uv=False)
    assert 1 - s <= sv[-1] and sv[0] <= 1 + s


def test_figure_data_shape_and_trends():
    t0 = time.process_time()
    d = figure_data_gradient_norm_vs_depth()
    assert time.process_time() - t0 < 6.0  # about 0.2-0.5 s alone; BLAS threads spin (and count) under load
    assert d["plain"][-1] < 0.05 < d["plain"][0]  # plain tanh net: the gradient shrinks with depth
    assert d["residual"][-1] > 10  # unscaled skips: it grows
    assert 0.5 < d["residual_alpha_0.1"].min() and d["residual_alpha_0.1"].max() < 2  # scaled branches: ~1


def test_check_fails_without_the_identity(monkeypatch):
    wrong = get("residual_jacobian").result.parts["jacobian_formula"] - sp.eye(2)  # forget the skip
    assert_checks_catch(monkeypatch, "residual_jacobian", "jacobian_formula", wrong)


@pytest.mark.parametrize(
    ("part", "wrong"),
    [
        ("max_deviation", sp.Float(0.05)),  # "within 5 %"
        ("ratios", sp.Tuple(*[sp.Float(1.0)] * 7)),  # as if the scaled curve were flat at 1
    ],
)
def test_scaled_branch_checks_catch(monkeypatch, part, wrong):
    assert_checks_catch(monkeypatch, "residual_scaled_branch_depth", part, wrong)


def test_branch_scaling_checks_catch_the_unscaled_bound(monkeypatch):
    """The 1/L scaling forgotten: (1 + a)^L = 2^100 in place of (1 + a/L)^L; and a lower bound of 0."""
    p = get("residual_branch_scaling_bound").result.parts
    assert_checks_catch(monkeypatch, "residual_branch_scaling_bound", "upper_example", p["unscaled_example"])
    assert_checks_catch(monkeypatch, "residual_branch_scaling_bound", "lower_example", sp.Integer(1))
