"""derivations.nets.rnn against PyTorch in float64: states (torch.nn.RNNCell), step Jacobians and their products
(torch.autograd.functional.jacobian), the loss gradient by the adjoint (exact and truncated) and the scalar tanh RNN."""

from __future__ import annotations

import numpy as np
import pytest

from derivations.nets import rnn
from tests.helpers import torch_layout_params


def _cell(torch, p: dict, nonlinearity: str):
    """A float64 torch.nn.RNNCell carrying the weights ``p`` (PyTorch layout)."""
    hidden, n_in = p["weight_ih"].shape
    cell = torch.nn.RNNCell(n_in, hidden, nonlinearity=nonlinearity).double()
    with torch.no_grad():
        for name, value in p.items():
            getattr(cell, name).copy_(torch.tensor(value))
    return cell


def _case(seed: int, n_in: int = 3, hidden: int = 5, steps: int = 12, scale: float = 1.5):
    rng = np.random.default_rng(seed + 100)
    p = torch_layout_params(1, n_in, hidden, seed, scale)
    return p, rng.normal(size=(steps, n_in)), rng.normal(size=hidden)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_states_match_torch_rnncell(torch, act):
    p, xs, h0 = _case(0)
    cell = _cell(torch, p, act)
    hs, derivs, jacs = rnn.run_rnn(p["weight_hh"], p["weight_ih"], p["bias_ih"] + p["bias_hh"], xs, h0, act)
    h = torch.tensor(h0)
    for t, xt in enumerate(torch.tensor(xs), start=1):
        h = cell(xt[None, :], h[None, :])[0]
        assert np.allclose(hs[t], h.detach().numpy(), rtol=1e-14, atol=1e-15)
    assert len(jacs) == len(xs) and derivs.shape == (len(xs), len(h0))


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu", "linear"])
def test_step_jacobians_and_product_match_autograd(torch, act):
    rng = np.random.default_rng(1)
    w, u, b = rng.normal(size=(4, 4)) * 0.8, rng.normal(size=(4, 2)), rng.normal(size=4) * 0.3
    xs, h0 = rng.normal(size=(9, 2)), rng.normal(size=4)
    fn = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "linear": lambda a: a}[act]
    tw, tu, tb, txs = (torch.tensor(a) for a in (w, u, b, xs))
    hs, _, jacs = rnn.run_rnn(w, u, b, xs, h0, act)
    for t, jac in enumerate(jacs, start=1):  # J_t = dh_t/dh_{t-1}: row i is unit i of h_t
        jt = torch.autograd.functional.jacobian(
            lambda h, t=t: fn(tw @ h + tu @ txs[t - 1] + tb), torch.tensor(hs[t - 1])
        )
        assert np.allclose(jac, jt.numpy(), rtol=1e-13, atol=1e-15)

    def run(h):
        for xt in txs:
            h = fn(tw @ h + tu @ xt + tb)
        return h

    full = torch.autograd.functional.jacobian(run, torch.tensor(h0)).numpy()
    assert np.allclose(rnn.jacobian_product(jacs), full, rtol=1e-12, atol=1e-15)


def _torch_loss(torch, params: dict, xs, ys, h0, act: str):
    fn = {"tanh": torch.tanh, "relu": torch.relu}[act]
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    th0 = torch.tensor(h0, requires_grad=True)
    h, loss = th0, torch.zeros((), dtype=torch.float64)
    for xt, yt in zip(torch.tensor(xs), torch.tensor(ys), strict=True):
        h = fn(tp["Whh"] @ h + tp["Whx"] @ xt + tp["b"])
        loss = loss + 0.5 * torch.sum((tp["Woh"] @ h - yt) ** 2)
    loss.backward()
    return float(loss.detach()), {**{k: t.grad.numpy() for k, t in tp.items()}, "h0": th0.grad.numpy()}


def _params(seed: int, scale: float = 1.2):
    rng = np.random.default_rng(seed)
    params = {
        "Whh": scale * np.linalg.qr(rng.normal(size=(5, 5)))[0],
        "Whx": rng.normal(scale=0.5, size=(5, 3)),
        "b": rng.normal(scale=0.1, size=5),
        "Woh": rng.normal(size=(2, 5)),
    }
    return params, rng.normal(size=(25, 3)), rng.normal(size=(25, 2)), rng.normal(scale=0.5, size=5)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_loss_and_adjoint_gradient_match_autograd(torch, act):
    params, xs, ys, h0 = _params(2)
    ref_loss, ref = _torch_loss(torch, params, xs, ys, h0, act)
    assert rnn.loss(params, xs, ys, h0, act) == pytest.approx(ref_loss, rel=1e-14)
    mine = rnn.grad_adjoint(params, xs, ys, h0, act=act)
    for key in ("Whh", "Whx", "b", "h0"):
        assert np.allclose(mine[key], ref[key], rtol=1e-12, atol=1e-14), key


def test_truncated_gradient_matches_autograd_with_detached_windows(torch):
    params, xs, ys, h0 = _params(3, scale=1.4)
    tau = 4
    hs, _ = rnn.forward(params, xs, h0)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    loss = torch.zeros((), dtype=torch.float64)
    for t in range(1, len(xs) + 1):  # L_t back-propagated through at most tau Jacobians: start from a constant state
        start = max(0, t - tau - 1)
        h = torch.tensor(hs[start])
        for k in range(start, t):
            h = torch.tanh(tp["Whh"] @ h + tp["Whx"] @ torch.tensor(xs[k]) + tp["b"])
        loss = loss + 0.5 * torch.sum((tp["Woh"] @ h - torch.tensor(ys[t - 1])) ** 2)
    loss.backward()
    mine = rnn.grad_adjoint(params, xs, ys, h0, tau=tau)
    for key in ("Whh", "Whx", "b"):
        assert np.allclose(mine[key], tp[key].grad.numpy(), rtol=1e-12, atol=1e-14), key
    assert rnn.grad_adjoint(params, xs, ys, h0, tau=len(xs))["Whh"] == pytest.approx(
        rnn.grad_adjoint(params, xs, ys, h0)["Whh"], rel=1e-13, abs=1e-15
    )


def test_scalar_rnn_states_loss_and_adjoint_match_autograd(torch):
    rng = np.random.default_rng(4)
    w, u, b, v, h0 = 1.1, 0.7, -0.2, 1.3, 0.3
    xs, ys = rng.normal(size=200), rng.uniform(-1, 1, size=200)
    tp = {
        k: torch.tensor(val, dtype=torch.float64, requires_grad=True)
        for k, val in zip("wubv", (w, u, b, v), strict=True)
    }
    th0 = torch.tensor(h0, dtype=torch.float64, requires_grad=True)
    h, loss, states = th0, torch.zeros((), dtype=torch.float64), [h0]
    for xt, yt in zip(xs.tolist(), ys.tolist(), strict=True):
        h = torch.tanh(tp["w"] * h + tp["u"] * xt + tp["b"])
        states.append(float(h.detach()))
        loss = loss + (tp["v"] * h - yt) ** 2 / 2
    loss.backward()
    assert np.allclose(rnn.scalar_states(w, u, b, xs, h0), states, rtol=1e-14, atol=1e-15)
    assert rnn.scalar_loss(w, u, b, v, xs, ys, h0) == pytest.approx(float(loss.detach()), rel=1e-13)
    mine = rnn.scalar_grad_adjoint(w, u, b, v, xs, ys, h0)
    for key, ref in {**{k: float(t.grad) for k, t in tp.items()}, "h0": float(th0.grad)}.items():
        assert mine[key] == pytest.approx(ref, rel=1e-11), key


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="accepted: tanh"):
        rnn.run_rnn(np.eye(2), np.eye(2), np.zeros(2), np.zeros((1, 2)), np.zeros(2), "swish")
