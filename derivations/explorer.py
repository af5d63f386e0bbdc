"""Data for the interactive gradient explorer: ||dh_T/dh_t||_2 versus t for a vanilla RNN
h_t = f(W h_{t-1} + U x_t), with W = lambda_1 * Q (Q orthogonal, so every singular value of W equals lambda_1).

Conventions: Jacobian (numerator) layout, dh_t/dh_{t-1} = diag(f'(a_t)) W; norms are spectral norms (largest
singular value). The bound ||prod J|| <= (gamma * lambda_1)^(T-t) holds with gamma = sup|f'|.
"""

from __future__ import annotations

import json

import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.rnn import run_rnn

ACTIVATIONS: dict[str, float] = {"linear": 1.0, "tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}  # name -> sup|f'|
LAMBDAS = tuple(round(v, 2) for v in np.arange(0.5, 2.01, 0.1))
HIDDEN, STEPS = 32, 60


def jacobian_norms(activation: str, lam: float, hidden: int = HIDDEN, steps: int = STEPS, seed: int = 0) -> np.ndarray:
    """||dh_T/dh_t||_2 for t = T, T-1, ..., 0 (index k = T - t) of h_t = f(W h_{t-1} + U x_t), W = lam * Q with Q
    orthogonal, U_ij ~ N(0, 1/hidden), x_t ~ N(0, I), h_0 = 0; seeded. Numerator layout, spectral norm."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; accepted: {', '.join(ACTIVATIONS)}")
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(hidden, hidden)))
    w = lam * q
    u = rng.normal(scale=1 / np.sqrt(hidden), size=(hidden, hidden))
    xs = rng.normal(size=(steps, hidden))
    _, _, jacs = run_rnn(w, u, np.zeros(hidden), xs, np.zeros(hidden), activation)
    prod = np.eye(hidden)
    norms = [1.0]
    for jac in reversed(jacs):  # multiply J_T J_{T-1} ... J_{t+1}
        prod = prod @ jac
        norms.append(float(np.linalg.norm(prod, 2)))
    return np.array(norms)


def explorer_series() -> dict:
    """The explorer's data, language-neutral: {"gamma": sup|f'| per activation, "lambdas": ["0.5", ...],
    "series": {activation: {lambda: [||dh_T/dh_t||_2 for T - t = 0..T], 4 significant digits}}}."""
    series = {
        act: {f"{lam:.1f}": [float(f"{v:.4g}") for v in jacobian_norms(act, lam)] for lam in LAMBDAS}
        for act in ACTIVATIONS
    }
    return {"gamma": ACTIVATIONS, "lambdas": [f"{v:.1f}" for v in LAMBDAS], "series": series}


# --- registered results behind the explorer -------------------------------------------------------------------
_lam, _k = sp.symbols("lambda_1 k", positive=True)


@derivation(
    "orthogonal_linear_power",
    title="Linear RNN with W = lambda_1 Q (Q orthogonal): ||dh_T/dh_t||_2 = lambda_1^(T-t) exactly",
    title_zh="线性 RNN 且 W = λ₁Q（Q 为正交矩阵）时：‖∂h_T/∂h_t‖₂ 恰好等于 λ₁^(T−t)",
)
def orthogonal_linear_power() -> Result:
    """(lambda_1 Q)^k has Gram matrix lambda_1^(2k) I for orthogonal Q, so every singular value is lambda_1^k."""
    theta = sp.Symbol("theta", real=True)
    q = sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])  # a generic 2x2 rotation
    k = 3
    m = (_lam * q) ** k
    gram = sp.simplify(m.T * m)
    if gram != _lam ** (2 * k) * sp.eye(2):
        raise ArithmeticError("(lambda Q)^k is not lambda^k times an orthogonal matrix")
    return Result(
        expr=sp.Lambda((_lam, _k), _lam**_k),
        latex=(
            r"\bigl((\lambda_1 Q)^{k}\bigr)^{\!\top}(\lambda_1 Q)^{k} = \lambda_1^{2k} I"
            r"\;\Rightarrow\;\Bigl\|\frac{\partial h_T}{\partial h_t}\Bigr\|_2 = \lambda_1^{\,T-t}"
        ),
        parts={"norm": _lam**_k, "gram_k3": gram},
        symbols={"lambda_1": "largest (here: every) singular value of W", "k": "steps back, T - t"},
    )


@orthogonal_linear_power.check(
    "numpy: spectral norms of the explorer's linear-RNN products, 60 steps",
    tol=1e-9,
    oracle_zh="NumPy：交互图中线性 RNN 雅可比矩阵乘积的谱范数，60 步",
)
def _() -> float:
    f = sp.lambdify((_lam, _k), orthogonal_linear_power.result.parts["norm"], "numpy")
    worst = 0.0
    for lam in (0.7, 1.0, 1.3):
        norms = jacobian_norms("linear", lam)
        ks = np.arange(len(norms))
        worst = max(worst, float(np.max(np.abs(norms / f(lam, ks) - 1))))
    return worst


@derivation(
    "explorer_bound",
    title="Every curve of the explorer stays below (gamma lambda_1)^(T-t), gamma = sup|f'|",
    title_zh="交互图中的每条曲线都不超过 (γλ₁)^(T−t)，其中 γ = sup|f′|",
)
def explorer_bound() -> Result:
    """||prod_j diag(f'_j) W|| <= prod_j ||diag(f'_j)|| ||W|| <= (gamma lambda_1)^k by submultiplicativity."""
    g = sp.Symbol("gamma", positive=True)
    bound = (g * _lam) ** _k
    gammas = {name: sp.nsimplify(v) for name, v in ACTIVATIONS.items()}
    return Result(
        expr=sp.Lambda((g, _lam, _k), bound),
        latex=(
            r"\Bigl\|\prod_{j=t+1}^{T}\operatorname{diag}\bigl(f'(a_j)\bigr)W\Bigr\|_2 \le"
            r"\prod_{j=t+1}^{T}\bigl\|\operatorname{diag}\bigl(f'(a_j)\bigr)\bigr\|_2\,\|W\|_2"
            r" \le (\gamma\lambda_1)^{T-t}"
        ),
        parts={"bound": bound, **{f"gamma_{k}": v for k, v in gammas.items()}},
        symbols={"gamma": "sup |f'|", "lambda_1": "largest singular value of W", "k": "steps back, T - t"},
        text={"series_json": json.dumps(explorer_series(), separators=(",", ":"))},
    )


@explorer_bound.check(
    "numpy: max over all explorer series of measured / bound - 1 (must be <= 0)",
    tol=1e-9,
    oracle_zh="NumPy：交互图全部曲线上（实测值 / 上界 − 1）的最大值（应 ≤ 0）",
)
def _() -> float:
    worst = -1.0
    for act, gamma in ACTIVATIONS.items():
        for lam in LAMBDAS:
            norms = jacobian_norms(act, lam)
            worst = max(worst, float(np.max(norms / (gamma * lam) ** np.arange(len(norms)) - 1)))
    return max(worst, 0.0)
