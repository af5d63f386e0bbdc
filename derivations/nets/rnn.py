"""Vanilla recurrent nets in NumPy float64: the vector RNN h_t = f(W h_{t-1} + U x_t + b) with its step Jacobians,
loss and adjoint (BPTT) gradient, and the scalar tanh RNN with its adjoint gradient. No SymPy here.

Conventions: column vectors and numerator (Jacobian) layout, so J_t = dh_t/dh_{t-1} = diag(f'(a_t)) W with row i
belonging to unit i of h_t; products of Jacobians multiply later steps on the left (J_T ... J_1 = dh_T/dh_0).
Parameter dicts use the names W_hh -> ``"Whh"``, W_hx -> ``"Whx"``, b -> ``"b"``, W_oh -> ``"Woh"``; sequences are
arrays of shape (T, n_in) and ``hs[0]`` is h_0. ReLU's derivative at 0 is 0, as in PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from derivations.nets.act import ACTS as _BASE_ACTS


def _identity(t: np.ndarray) -> np.ndarray:
    return np.asarray(t, dtype=np.float64)


def _ones(t: np.ndarray) -> np.ndarray:
    return np.ones_like(np.asarray(t, dtype=np.float64))


ACTS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    **_BASE_ACTS,
    "linear": (_identity, _ones),
}
"""Activation name -> (f, f') accepted by the runners: tanh, sigmoid, relu (``nets.act``) and linear (identity)."""


def _act(name: str) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    try:
        return ACTS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; accepted: {', '.join(ACTS)}") from None


def _states(
    w: np.ndarray, u: np.ndarray, b: np.ndarray, xs: np.ndarray, h0: np.ndarray, act: str
) -> tuple[np.ndarray, np.ndarray]:
    fn, _ = _act(act)
    hs, pre = [np.asarray(h0, dtype=np.float64)], []
    for xt in xs:
        a = w @ hs[-1] + u @ xt + b
        pre.append(a)
        hs.append(fn(a))
    return np.array(hs), np.array(pre).reshape(len(pre), -1)


def run_rnn(
    w: np.ndarray, u: np.ndarray, b: np.ndarray, xs: np.ndarray, h0: np.ndarray, act: str = "tanh"
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Run h_t = f(W h_{t-1} + U x_t + b) for t = 1..T; returns (states h_0..h_T, f'(a_t) per step, [J_1, ..., J_T]).

    Numerator layout: J_t = diag(f'(a_t)) W. ``act`` is a key of :data:`ACTS`.
    """
    _, fp = _act(act)
    hs, pre = _states(w, u, b, xs, h0, act)
    derivs = fp(pre)
    return hs, derivs, [d[:, None] * w for d in derivs]


def jacobian_product(jacs: Sequence[np.ndarray]) -> np.ndarray:
    """J_T ... J_2 J_1 = dh_T/dh_0 for ``jacs = [J_1, ..., J_T]`` (numerator layout: later steps on the left)."""
    p = np.eye(jacs[0].shape[0])
    for jac in jacs:
        p = jac @ p
    return p


def forward(
    params: dict[str, np.ndarray], xs: np.ndarray, h0: np.ndarray, act: str = "tanh"
) -> tuple[np.ndarray, np.ndarray]:
    """States and pre-activations of h_t = f(W_hh h_{t-1} + W_hx x_t + b): returns (hs, pre) with ``hs[t]`` = h_t
    (``hs[0]`` = h_0) and ``pre[t-1]`` = a_t; column-vector convention, ``xs`` of shape (T, n_in)."""
    return _states(params["Whh"], params["Whx"], params["b"], xs, h0, act)


def loss(params: dict[str, np.ndarray], xs: np.ndarray, ys: np.ndarray, h0: np.ndarray, act: str = "tanh") -> float:
    """L = sum_t ||W_oh h_t - y_t||^2 / 2 over t = 1..T for the RNN of :func:`forward`."""
    hs, _ = forward(params, xs, h0, act)
    return float(0.5 * np.sum((hs[1:] @ params["Woh"].T - ys) ** 2))


def grad_adjoint(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    ys: np.ndarray,
    h0: np.ndarray,
    tau: int | None = None,
    act: str = "tanh",
) -> dict[str, np.ndarray]:
    """dL/dW_hh, dL/dW_hx, dL/db (and, for exact BPTT, dL/dh_0) of :func:`loss` by the adjoint recursion
    delta_t = (dL_t/dh_t)^T + J_{t+1}^T delta_{t+1}; gradients are shaped like the parameters.

    With ``tau`` set, every L_t is back-propagated through at most ``tau`` Jacobians (terms with t - k > tau dropped:
    BPTT truncated per loss term, no ``"h0"`` entry); ``tau=None`` is exact BPTT.
    """
    _, dfn = _act(act)
    hs, pre = forward(params, xs, h0, act)
    n = len(xs)
    fp = dfn(pre)
    g = (hs[1:] @ params["Woh"].T - ys) @ params["Woh"]  # row t-1: (dL_t/dh_t)^T
    out = {k: np.zeros_like(params[k]) for k in ("Whh", "Whx", "b")}
    if tau is None:
        delta = np.zeros_like(h0)
        for t in range(n, 0, -1):
            delta = g[t - 1] + (params["Whh"].T @ (fp[t] * delta) if t < n else 0.0)
            da = delta * fp[t - 1]
            out["Whh"] += np.outer(da, hs[t - 1])
            out["Whx"] += np.outer(da, xs[t - 1])
            out["b"] += da
        out["h0"] = params["Whh"].T @ (fp[0] * delta)
        return out
    for t in range(n, 0, -1):  # per loss term, back through at most tau Jacobians
        delta = g[t - 1].copy()
        for k in range(t, max(0, t - tau - 1), -1):
            da = delta * fp[k - 1]
            out["Whh"] += np.outer(da, hs[k - 1])
            out["Whx"] += np.outer(da, xs[k - 1])
            out["b"] += da
            delta = params["Whh"].T @ da
    return out


# --- the scalar tanh RNN ---------------------------------------------------------------------------------------------
def scalar_states(w: float, u: float, b: float, xs: Sequence[float], h0: float) -> list[float]:
    """[h_0, h_1, ..., h_T] of the scalar tanh RNN h_t = tanh(w h_{t-1} + u x_t + b), in Python floats."""
    hs, h = [h0], h0
    for xt in xs:
        h = math.tanh(w * h + u * xt + b)
        hs.append(h)
    return hs


def scalar_loss(w: float, u: float, b: float, v: float, xs: Sequence[float], ys: Sequence[float], h0: float) -> float:
    """L = sum_t (v h_t - y_t)^2 / 2 over t = 1..T for the scalar tanh RNN of :func:`scalar_states`."""
    hs = scalar_states(w, u, b, xs, h0)
    return 0.5 * sum((v * h - y) ** 2 for h, y in zip(hs[1:], ys, strict=True))


LocalFn = Callable[[float, float, float, float, float, float, float, float], float]

TANH_LOCAL: tuple[LocalFn, ...] = (
    lambda w, u, b, v, hp, x, y, h: w * (1 - h**2),  # dh_t/dh_{t-1}
    lambda w, u, b, v, hp, x, y, h: hp * (1 - h**2),  # d+h_t/dw
    lambda w, u, b, v, hp, x, y, h: x * (1 - h**2),  # d+h_t/du
    lambda w, u, b, v, hp, x, y, h: 1 - h**2,  # d+h_t/db
    lambda w, u, b, v, hp, x, y, h: v * (v * h - y),  # dL_t/dh_t
    lambda w, u, b, v, hp, x, y, h: h * (v * h - y),  # dL_t/dv
)
"""Local derivatives of one step of the scalar tanh RNN, each a function of (w, u, b, v, h_{t-1}, x_t, y_t, h_t):
dh_t/dh_{t-1}, the immediate partials d+h_t/d(w, u, b), dL_t/dh_t and dL_t/dv (tanh'(a_t) written as 1 - h_t^2)."""


def scalar_grad_adjoint(
    w: float,
    u: float,
    b: float,
    v: float,
    xs: Sequence[float],
    ys: Sequence[float],
    h0: float,
    local: Sequence[LocalFn] = TANH_LOCAL,
) -> dict[str, float]:
    """Exact dL/d(w, u, b, v, h_0) of :func:`scalar_loss` by one O(T) backward sweep of the adjoint
    delta_t = dL_t/dh_t + (dh_{t+1}/dh_t) delta_{t+1}; keys ``w u b v h0``.

    ``local`` holds the six one-step local derivatives in the order and signature of :data:`TANH_LOCAL` (a caller
    may pass derived ones, e.g. lambdified SymPy expressions).
    """
    jac, imm_w, imm_u, imm_b, dl_dh, dl_dv = local
    hs = scalar_states(w, u, b, xs, h0)
    gw = gu = gb = gv = 0.0
    delta, n = 0.0, len(xs)
    for t in range(n, 0, -1):
        ht, xt, yt = hs[t], float(xs[t - 1]), float(ys[t - 1])
        if t < n:
            delta = delta * jac(w, u, b, v, ht, float(xs[t]), 0.0, hs[t + 1])
        delta += dl_dh(w, u, b, v, hs[t - 1], xt, yt, ht)
        gw += delta * imm_w(w, u, b, v, hs[t - 1], xt, yt, ht)
        gu += delta * imm_u(w, u, b, v, hs[t - 1], xt, yt, ht)
        gb += delta * imm_b(w, u, b, v, hs[t - 1], xt, yt, ht)
        gv += dl_dv(w, u, b, v, hs[t - 1], xt, yt, ht)
    gh0 = delta * jac(w, u, b, v, h0, float(xs[0]), 0.0, hs[1])
    return {"w": gw, "u": gu, "b": gb, "v": gv, "h0": gh0}
