"""Wide random fully connected networks at initialisation in NumPy float64 (no SymPy), for mean-field checks.

Convention (Poole et al. 2016): h_l = W_l phi(h_{l-1}) + b_l for l = 1..L, with W_l of shape (N, N), entries
N(0, sigma_w^2 / N), biases N(0, sigma_b^2), the samples as columns of h. The backward pass propagates
delta_l = dL/dh_l: delta_{l-1} = phi'(h_{l-1}) * (W_l^T delta_l) (elementwise product).
"""

from __future__ import annotations

import numpy as np

from derivations.nets.act import ACTS


def random_net(
    width: int, depth: int, sw2: float, sb2: float, h0: np.ndarray, act: str, rng: np.random.Generator
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward pass of a freshly drawn net: returns the pre-activations [h_0, h_1, ..., h_L] (each (N, batch)) and
    the weight matrices [W_1, ..., W_L]; ``h0`` is the input pre-activation (N, batch), ``act`` tanh or relu."""
    f = ACTS[act][0]
    hs, ws = [np.asarray(h0, dtype=np.float64)], []
    for _ in range(depth):
        w = rng.normal(scale=np.sqrt(sw2 / width), size=(width, width))
        b = rng.normal(scale=np.sqrt(sb2), size=(width, 1))
        hs.append(w @ f(hs[-1]) + b)
        ws.append(w)
    return hs, ws


def backward(hs: list[np.ndarray], ws: list[np.ndarray], delta_top: np.ndarray, act: str) -> list[np.ndarray]:
    """dL/dh_l for l = 0..L by the chain rule, given dL/dh_L = ``delta_top``: returns [delta_0, ..., delta_L]."""
    df = ACTS[act][1]
    deltas = [np.asarray(delta_top, dtype=np.float64)]
    for layer in range(len(ws), 0, -1):
        deltas.append(df(hs[layer - 1]) * (ws[layer - 1].T @ deltas[-1]))
    return deltas[::-1]
