"""Feed-forward reference networks in NumPy float64 (no SymPy): the single-neuron sigmoid chain, a bias-free MLP
with its backward pass, and batch normalisation (training mode, no affine parameters) forward and backward.

Conventions: an MLP layer computes a_l = W_l h_{l-1} and h_l = f(a_l) with W_l of shape (n_l, n_{l-1}) and the
samples as columns of h (h_0 = x); gradients of a matrix are arranged like the matrix, (dL/dW)_ij = dL/dW_ij.
Batch norm normalises over axis 0 (the batch) of a (batch, units) array with the biased (1/m) batch variance, as
``torch.nn.functional.batch_norm`` does in training mode.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from derivations.nets.act import ACTS, sigmoid


def sigmoid_chain(ws: Sequence[float], bs: Sequence[float], x: float) -> tuple[list[float], float]:
    """Forward pass of the single-neuron chain z_j = w_j a_{j-1} + b_j, a_j = sigma(z_j) (logistic, a_0 = x):
    returns the pre-activations [z_1, ..., z_n] and the output a_n."""
    a, zs = float(x), []
    for w, b in zip(ws, bs, strict=True):
        z = float(w) * a + float(b)
        zs.append(z)
        a = float(sigmoid(np.float64(z)))
    return zs, a


def forward(weights: Sequence[np.ndarray], x: np.ndarray, act: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward pass of the bias-free MLP h_l = f(W_l h_{l-1}), h_0 = x (columns are samples), f = ``act`` (tanh,
    sigmoid or relu): returns the pre-activations [a_1, ..., a_L] and the outputs [h_0, h_1, ..., h_L]."""
    f = ACTS[act][0]
    hs, pre = [np.asarray(x, dtype=np.float64)], []
    for w in weights:
        a = w @ hs[-1]
        pre.append(a)
        hs.append(f(a))
    return pre, hs


def backward(
    weights: Sequence[np.ndarray], pre: Sequence[np.ndarray], hs: Sequence[np.ndarray], dh: np.ndarray, act: str
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Backward pass of :func:`forward` given dL/dh_L (same shape as h_L): returns [dL/dW_1, ..., dL/dW_L] and
    [dL/dh_1, ..., dL/dh_L], by the matrix chain rule dL/da_l = f'(a_l) * dL/dh_l, dL/dh_{l-1} = W_l^T dL/da_l,
    dL/dW_l = dL/da_l h_{l-1}^T."""
    df = ACTS[act][1]
    n = len(weights)
    d_w: list[np.ndarray] = [np.empty(0)] * n
    d_h: list[np.ndarray] = [np.empty(0)] * n
    g = np.asarray(dh, dtype=np.float64)
    for l_ in range(n - 1, -1, -1):
        d_h[l_] = g
        d_a = g * df(pre[l_])
        d_w[l_] = d_a @ hs[l_].T
        g = weights[l_].T @ d_a
    return d_w, d_h


def mse_grads(
    weights: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray, act: str
) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """Loss L = ||h_L - y||_F^2 / (2 batch) of the bias-free MLP (batch = number of columns of x), its gradients
    [dL/dW_l] and [dL/dh_l], l = 1..L."""
    pre, hs = forward(weights, x, act)
    batch = np.asarray(x).shape[1]
    loss = float(np.sum((hs[-1] - y) ** 2) / (2 * batch))
    d_w, d_h = backward(weights, pre, hs, (hs[-1] - y) / batch, act)
    return loss, d_w, d_h


def bn_forward(y: np.ndarray, eps: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Batch norm over axis 0 without affine parameters: returns (y_hat, sigma), y_hat = (y - mean) / sigma with
    sigma = sqrt(var + eps), var the biased batch variance."""
    y = np.asarray(y, dtype=np.float64)
    sd = np.sqrt(y.var(axis=0) + eps)
    return (y - y.mean(axis=0)) / sd, sd


def bn_backward(dyh: np.ndarray, yh: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """dL/dy from dL/dy_hat through :func:`bn_forward` (training mode): (dyh - mean(dyh) - y_hat mean(dyh y_hat))
    / sigma, means over the batch axis."""
    return (dyh - dyh.mean(axis=0) - yh * (dyh * yh).mean(axis=0)) / sd
