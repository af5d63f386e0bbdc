"""derivations.nets.mlp against torch in float64: the sigmoid chain, the MLP forward/backward pass and batch norm."""

from __future__ import annotations

import numpy as np
import pytest

from derivations.nets import mlp


def test_sigmoid_chain_matches_torch(torch):
    rng = np.random.default_rng(0)
    for _ in range(5):
        ws, bs, x = rng.normal(scale=2.0, size=4), rng.normal(size=4), float(rng.normal())
        zs, a = mlp.sigmoid_chain(ws, bs, x)
        t = torch.tensor(x, dtype=torch.float64)
        for w, b, z in zip(ws, bs, zs, strict=True):
            t = w * t + b
            assert float(t) == pytest.approx(z, rel=1e-15, abs=1e-15)
            t = torch.sigmoid(t)
        assert float(t) == pytest.approx(a, rel=1e-15)


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu"])
def test_mlp_forward_and_backward_match_torch_autograd(torch, act):
    rng = np.random.default_rng(1)
    dims = (5, 4, 6, 3)
    ws = [rng.normal(size=(dims[i + 1], dims[i])) for i in range(len(dims) - 1)]
    x, y = rng.normal(size=(5, 7)), rng.normal(size=(3, 7))
    loss, d_w, d_h = mlp.mse_grads(ws, x, y, act)
    tw = [torch.tensor(w, requires_grad=True) for w in ws]
    hs = [torch.tensor(x)]
    for w in tw:
        hs.append(getattr(torch, act)(w @ hs[-1]))
        hs[-1].retain_grad()
    t_loss = torch.sum((hs[-1] - torch.tensor(y)) ** 2) / (2 * 7)
    t_loss.backward()
    assert loss == pytest.approx(float(t_loss.detach()), rel=1e-14)
    for mine, ref in zip(d_w, tw, strict=True):
        assert np.max(np.abs(mine - ref.grad.numpy())) <= 1e-13 * max(1.0, np.max(np.abs(ref.grad.numpy())))
    for mine, ref in zip(d_h, hs[1:], strict=True):
        assert np.max(np.abs(mine - ref.grad.numpy())) <= 1e-13 * max(1.0, np.max(np.abs(ref.grad.numpy())))
    pre, outs = mlp.forward(ws, x, act)
    assert len(pre) == 3 and len(outs) == 4 and np.array_equal(outs[0], x)


@pytest.mark.parametrize("eps", [0.0, 1e-5])
def test_batch_norm_forward_and_backward_match_torch(torch, eps):
    rng = np.random.default_rng(2)
    y = rng.normal(size=(9, 4)) * 3 + 1
    g = rng.normal(size=(9, 4))
    t = torch.tensor(y, requires_grad=True)
    out = torch.nn.functional.batch_norm(t, None, None, training=True, eps=eps if eps else 1e-300)
    (out * torch.tensor(g)).sum().backward()
    yh, sd = mlp.bn_forward(y, eps)
    assert np.max(np.abs(yh - out.detach().numpy())) < 1e-13
    assert np.max(np.abs(mlp.bn_backward(g, yh, sd) - t.grad.numpy())) < 1e-13


def test_batch_norm_is_scale_invariant_only_without_eps():
    y = np.random.default_rng(0).normal(size=(10, 2)) * 0.01
    assert np.max(np.abs(mlp.bn_forward(y)[0] - mlp.bn_forward(100 * y)[0])) < 1e-12
    assert np.max(np.abs(mlp.bn_forward(y, 1e-5)[0] - mlp.bn_forward(100 * y, 1e-5)[0])) > 1e-3
