"""ReLU RNNs: D_t W, active sets, identity initialisation, against torch autograd and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations import relu_rnn as rr
from derivations.nets.rnn import jacobian_product
from derivations.verify import run_checks
from tests.helpers import assert_checks_catch


def test_jacobian_is_mask_times_w():
    r = get("relu_rnn_jacobian").result.parts
    jac = r["jacobian"]
    vals = {
        s: v for s, v in zip(sorted(jac.free_symbols, key=str), np.linspace(-1, 1, len(jac.free_symbols)), strict=True)
    }
    num = np.array(jac.subs(vals), dtype=float)
    assert set(np.unique(num / np.where(num == 0, 1, num))) <= {0.0, 1.0}


def test_product_against_torch_with_dead_units():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    w, u, b = rng.normal(size=(5, 5)) * 0.6, rng.normal(size=(5, 2)), rng.normal(size=5) * 0.3
    xs, h0 = rng.normal(size=(12, 2)), np.abs(rng.normal(size=5))
    _, masks, jacs = rr.relu_rnn_jacobians(w, u, b, xs, h0)
    assert 0 < masks.sum() < masks.size  # some units are off at some steps

    def run(h):
        for x in torch.tensor(xs):
            h = torch.relu(torch.tensor(w) @ h + torch.tensor(u) @ x + torch.tensor(b))
        return h

    jt = torch.autograd.functional.jacobian(run, torch.tensor(h0)).numpy()
    assert np.allclose(jacobian_product(jacs), jt, rtol=1e-12, atol=1e-15)
    # and it is not W^T unless every unit is active
    assert not np.allclose(jt, np.linalg.matrix_power(w, 12))


def test_all_active_gives_pure_powers():
    rng = np.random.default_rng(4)
    w = np.abs(rng.normal(size=(3, 3))) * 0.4  # nonnegative W and h_0 > 0, b = 0, x = 0: every unit stays active
    _, masks, jacs = rr.relu_rnn_jacobians(w, np.zeros((3, 1)), np.zeros(3), np.zeros((10, 1)), np.ones(3))
    assert masks.all()
    assert np.allclose(jacobian_product(jacs), np.linalg.matrix_power(w, 10), rtol=1e-13)


def test_active_set_identity_numeric():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(4, 4))
    d = np.diag([1.0, 0.0, 1.0, 0.0])
    lhs = np.linalg.matrix_power(d @ w, 7)
    rhs = np.linalg.matrix_power(d @ w @ d, 6) @ d @ w
    assert np.allclose(lhs, rhs, rtol=1e-12)
    ws = w[np.ix_([0, 2], [0, 2])]
    rate = np.linalg.norm(np.linalg.matrix_power(d @ w, 60), 2) ** (1 / 60)
    assert rate == pytest.approx(max(abs(np.linalg.eigvals(ws))), rel=0.1)


def test_active_set_examples_and_failing_check(monkeypatch):
    r = get("relu_active_set_powers").result.parts
    assert float(r["grow_rho"]) < 1 and float(r["decay_rho"]) > 1
    p, _ = rr._two_unit_case(np.array(r["grow_W"], dtype=float), np.array([0.0, -10.0]), 30, np.array([1.0, 0.0]))
    assert p[0, 0] == pytest.approx(1.2**30, rel=1e-12)
    assert_checks_catch(monkeypatch, "relu_active_set_powers", "decay_W", r["grow_W"])  # wrong matrix for the decay


def test_irnn_identity_and_failing_check(monkeypatch):
    r = get("irnn_identity_product").result.parts
    assert r["all_active"] == sp.eye(3)
    n = 3
    _, _, jacs = rr.relu_rnn_jacobians(
        np.eye(n), np.array([[1.0], [1.0], [-1.0]]), np.zeros(n), np.ones((6, 1)), np.array([1.0, 1.0, 2.5])
    )
    # unit 3 decreases by 1 a step from 2.5: active for 2 steps, then a <= 0: its path is cut
    assert np.array_equal(jacobian_product(jacs), np.diag([1.0, 1.0, 0.0]))
    d = get("irnn_identity_product")
    monkeypatch.setattr(rr, "relu_rnn_jacobians", lambda *a: (None, np.ones((1, 3)), [np.eye(3) * 0.99] * 40))
    assert any(row.status == "FAIL" for row in run_checks(d))


def test_relu_rnn_exploding_gradient_all_active_and_power_law():
    p = get("relu_rnn_exploding_gradient").result.parts
    w = np.array(p["W"], dtype=float)
    rng = np.random.default_rng(11)
    _, masks, jacs = rr.relu_rnn_jacobians(
        w, np.ones((2, 1)), np.zeros(2), rng.uniform(size=(30, 1)), np.array([0.0, 1.0])
    )
    assert masks.min() == 1.0
    assert np.linalg.norm(jacobian_product(jacs), 2) == pytest.approx(1.25**30, rel=1e-12)


def test_the_common_wrong_answer_relu_avoids_explosion_fails(monkeypatch):
    """'ReLU's derivative is 0 or 1, so the gradient cannot explode': a norm of 1 in place of (5/4)^T is caught."""
    assert_checks_catch(monkeypatch, "relu_rnn_exploding_gradient", "norm_T", sp.Integer(1))
    assert_checks_catch(monkeypatch, "relu_rnn_exploding_gradient", "norm_steps", sp.Integer(1))
