"""Batch normalisation: scale invariance of the weights, its Jacobian, and why it does not stop exploding gradients.

Conventions: training-mode batch norm over the batch axis (axis 0) of a (batch, units) array, without the affine
parameters: BN(y)_k = (y_k - mean(y)) / sqrt(var(y) + eps), var the biased (1/m) batch variance, as torch uses
in training mode. A layer is y = u W^T (W of shape (n_out, n_in)). Unless stated, eps = 0.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.oracles.finite import central_diff

a = sp.Symbol("a", positive=True)  # scale of the weights
w = sp.Symbol("w", real=True)
eps = sp.Symbol("epsilon", nonnegative=True)
M = 3  # batch size of the symbolic examples
_Y = sp.Matrix(sp.symbols(f"y1:{M + 1}", real=True))


def _bn_sym(y: sp.Matrix, e: sp.Expr = sp.S.Zero) -> sp.Matrix:
    m = y.shape[0]
    mu = sum(y) / m
    var = sum((v - mu) ** 2 for v in y) / m
    return (y - mu * sp.ones(m, 1)) / sp.sqrt(var + e)


# --- NumPy reference implementation ------------------------------------------------------------------------------
def bn_forward(y: np.ndarray, eps_val: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Batch norm over axis 0 without affine parameters: returns (y_hat, sigma) with sigma = sqrt(var + eps)."""
    sd = np.sqrt(y.var(axis=0) + eps_val)
    return (y - y.mean(axis=0)) / sd, sd


def bn_backward(dyh: np.ndarray, yh: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Gradient w.r.t. y from the gradient w.r.t. y_hat: (dyh - mean(dyh) - y_hat mean(dyh * y_hat)) / sigma."""
    return (dyh - dyh.mean(axis=0) - yh * (dyh * yh).mean(axis=0)) / sd


# --- scale invariance --------------------------------------------------------------------------------------------
@derivation(
    "batchnorm_scale_invariance",
    title="BN(aWu) = BN(Wu) for a > 0, hence dL/du is unchanged, dL/dW at aW is (dL/dW at W)/a, and <W, dL/dW> = 0",
    title_zh="a > 0 时 BN(aWu) = BN(Wu)：因此 ∂L/∂u 不变，在 aW 处的 ∂L/∂W 等于在 W 处的 1/a 倍，且 ⟨W, ∂L/∂W⟩ = 0",
)
def batchnorm_scale_invariance() -> Result:
    invariance = sp.simplify(_bn_sym(a * _Y) - _bn_sym(_Y))
    if invariance != sp.zeros(M, 1):
        raise ArithmeticError("BN(a y) != BN(y)")
    with_eps = sp.simplify(_bn_sym(a * _Y, eps)[0] / _bn_sym(_Y, 0)[0])  # = sigma / sqrt(sigma^2 + eps/a^2)
    # The loss as a function of the weights only through BN(W u): L(aW) = L(W) for all a > 0 (any other input u).
    loss = sp.Function("L")
    identity = sp.Eq(loss(a * w), loss(w))
    d_w = [sp.diff(side, w) for side in (identity.lhs, identity.rhs)]  # a L'(aw) = L'(w)
    lprime_at_aw = sp.Symbol("Lp_aw")
    (grad_at_aw,) = sp.solve(sp.Eq(d_w[0].subs(d_w[0] / a, lprime_at_aw), d_w[1]), lprime_at_aw)
    grad_scale = sp.simplify(grad_at_aw / sp.Derivative(loss(w), w))  # 1/a
    d_a = sp.diff(identity.lhs - identity.rhs, a).subs(a, 1).doit()  # w L'(w) = 0: gradient orthogonal to w
    return Result(
        expr=sp.Tuple(invariance, sp.Eq(lprime_at_aw, grad_at_aw), sp.Eq(d_a, 0)),
        latex=(
            r"\operatorname{BN}(a\,y)=\operatorname{BN}(y)\ (a>0,\ \epsilon=0)\ \Rightarrow\ L(u,aW)=L(u,W)"
            r"\ \Rightarrow\ \nabla_u L(u,aW)=\nabla_u L(u,W),\quad \nabla_W L\big|_{aW}="
            r"\tfrac1a\nabla_W L\big|_{W},\quad \langle W,\nabla_W L\rangle=0"
        ),
        parts={
            "bn_difference": invariance,
            "grad_at_aW": grad_at_aw,
            "grad_scale_at_aW": grad_scale,
            "radial_derivative": d_a,
            "eps_ratio": with_eps,
        },
        text={
            "eps": "with eps > 0 the invariance is approximate: BN_eps(a y) = (y - mean) / sqrt(var + eps/a^2)",
            "consequence": "the weight scale does not change the function, and an init scale cannot fix BN gradients",
        },
        symbols={
            "a": "positive scale of W",
            "w": "a weight (the matrix case is the same, entry by entry)",
            "L": "loss",
            "y1..y3": "a batch of pre-activations",
            "epsilon": "BN's eps",
        },
    )


def _bn_net_loss(u: np.ndarray, wm: np.ndarray, c: np.ndarray) -> float:
    yh, _ = bn_forward(u @ wm.T)
    return float(np.sum(c * np.tanh(yh)))


def _fd_grad(f, x0: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        e = np.zeros_like(x0)
        e[idx] = 1.0
        out[idx] = central_diff(lambda hh, e=e: np.array([f(x0 + v * e) for v in hh]), np.array([0.0]), h)[0]
    return out


@batchnorm_scale_invariance.check("central finite differences (float64) of a BN-tanh layer at W and 3W", tol=1e-7)
def _() -> float:
    rng = np.random.default_rng(12)
    u, wm, c = rng.normal(size=(8, 4)), rng.normal(size=(3, 4)), rng.normal(size=(8, 3))
    av = 3.0
    f = sp.lambdify(a, batchnorm_scale_invariance.result.parts["grad_scale_at_aW"])  # 1/a
    gu1 = _fd_grad(lambda x: _bn_net_loss(x, wm, c), u)
    gu3 = _fd_grad(lambda x: _bn_net_loss(x, av * wm, c), u)
    gw1 = _fd_grad(lambda x: _bn_net_loss(u, x, c), wm)
    gw3 = _fd_grad(lambda x: _bn_net_loss(u, x, c), av * wm)
    return max(
        float(np.max(np.abs(gu1 - gu3))),
        float(np.max(np.abs(gw3 - gw1 * f(av)))),
        abs(float(np.sum(wm * gw1))),  # <W, grad_W L> = 0
    )


@batchnorm_scale_invariance.check(
    "torch autograd (float64, F.batch_norm training, eps=1e-300) at W and 0.2W", tol=1e-12, needs="torch"
)
def _() -> float:
    import torch

    rng = np.random.default_rng(13)
    u = torch.tensor(rng.normal(size=(16, 5)), requires_grad=True)
    c = torch.tensor(rng.normal(size=(16, 4)))
    w0 = torch.tensor(rng.normal(size=(4, 5)))
    grads = {}
    for av in (1.0, 0.2):
        wm = (av * w0).clone().requires_grad_(True)
        y = torch.nn.functional.batch_norm(u @ wm.T, None, None, training=True, eps=1e-300)
        loss = (c * torch.relu(y)).sum()
        grads[av] = torch.autograd.grad(loss, (u, wm))
    (gu1, gw1), (gu2, gw2) = grads[1.0], grads[0.2]
    return max(float((gu1 - gu2).abs().max()), float((gw2 - gw1 / 0.2).abs().max()), abs(float((w0 * gw1).sum())))


# --- the Jacobian of BN ------------------------------------------------------------------------------------------
@derivation(
    "batchnorm_jacobian",
    title="d BN(y)/dy = (I - 11^T/m - y_hat y_hat^T/m)/sigma: a rank m-2 orthogonal projection / sigma, norm 1/sigma",
    title_zh="∂BN(y)/∂y = (I − 11ᵀ/m − ŷŷᵀ/m)/σ：秩为 m−2 的正交投影除以 σ，谱范数为 1/σ",
)
def batchnorm_jacobian() -> Result:
    yh = _bn_sym(_Y)
    jac = yh.jacobian(_Y)
    mu = sum(_Y) / M
    sigma = sp.sqrt(sum((v - mu) ** 2 for v in _Y) / M)
    proj = sp.eye(M) - sp.ones(M, M) / M - yh * yh.T / M
    if sp.simplify(jac - proj / sigma) != sp.zeros(M, M):
        raise ArithmeticError("BN Jacobian differs from the projection formula")
    idempotent = sp.simplify(proj * proj - proj)
    if idempotent != sp.zeros(M, M) or sp.simplify(proj.T - proj) != sp.zeros(M, M):
        raise ArithmeticError("P is not an orthogonal projection")
    rank = sp.simplify(proj.trace())  # trace of a projection = its rank
    return Result(
        expr=sp.Tuple(sp.ImmutableMatrix(proj / sigma), rank),
        latex=(
            r"\frac{\partial \hat y}{\partial y}=\frac{1}{\sigma}\Bigl(I-\tfrac1m\mathbf 1\mathbf 1^\top-"
            r"\tfrac1m\hat y\hat y^\top\Bigr)=\frac{P}{\sigma},\quad P^2=P=P^\top,\ \operatorname{tr}P=m-2\ "
            + rf"(={sp.latex(rank)}\text{{ for }}m={M})"
            + r",\quad \Bigl\lVert\frac{\partial\hat y}{\partial y}\Bigr\rVert_2=\frac1\sigma"
        ),
        parts={"projection": proj, "sigma": sigma, "rank": rank},
        text={
            "consequence": "backward through BN the gradient is projected and multiplied by 1/sigma: nothing caps "
            "the product of such factors over many layers",
        },
        symbols={"y1..y3": "a batch (m = 3) of one unit's pre-activations", "sigma": "batch std (eps = 0)"},
    )


@batchnorm_jacobian.check("central finite differences (float64) of the numpy BN, batch 6", tol=1e-8)
def _() -> float:
    rng = np.random.default_rng(14)
    y = rng.normal(size=6) * 2.0 + 0.5
    yh, sd = bn_forward(y[:, None])
    fd = np.stack([_fd_grad(lambda v, kk=kk: bn_forward(v[:, None])[0][kk, 0], y) for kk in range(6)])
    pj = np.eye(6) - np.ones((6, 6)) / 6 - yh @ yh.T / 6
    sv = np.linalg.svd(pj, compute_uv=False)
    return max(float(np.max(np.abs(fd - pj / sd[0]))), abs(sv[0] - 1.0), abs(sv[-3] - 1.0), abs(sv[-2]) + abs(sv[-1]))


@batchnorm_jacobian.check(
    "torch.autograd.functional.jacobian of F.batch_norm (eps=1e-300) and the manual backward",
    tol=1e-12,
    needs="torch",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(15)
    y = rng.normal(size=(7, 3))

    def f(t: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.batch_norm(t, None, None, training=True, eps=1e-300)

    jac = torch.autograd.functional.jacobian(f, torch.tensor(y)).numpy()  # (7, 3, 7, 3)
    yh, sd = bn_forward(y)
    worst = 0.0
    for unit in range(3):
        pj = np.eye(7) - np.ones((7, 7)) / 7 - np.outer(yh[:, unit], yh[:, unit]) / 7
        worst = max(worst, float(np.max(np.abs(jac[:, unit, :, unit] - pj / sd[unit]))))
    g = rng.normal(size=(7, 3))
    manual = bn_backward(g, yh, sd)
    auto = np.einsum("iu,iujv->jv", g, jac)
    return max(worst, float(np.max(np.abs(manual - auto))))


# --- BN does not stop exploding gradients: the per-layer growth factor for ReLU ----------------------------------
@derivation(
    "batchnorm_relu_gradient_growth",
    title="BN-ReLU net at init (wide, large batch): ||grad||^2 grows by pi/(pi - 1) per layer backwards (norm 1.2112)",
    title_zh="BN-ReLU 网络初始化时（宽、大批量）：反向每层 ‖梯度‖² 放大 π/(π − 1) 倍，‖梯度‖ 放大约 1.2112 倍",
)
def batchnorm_relu_gradient_growth() -> Result:
    z = sp.Symbol("z", real=True)
    pdf = sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)
    m1 = sp.integrate(z * pdf, (z, 0, sp.oo))  # E[relu(Z)], Z = BN output ~ N(0, 1)
    m2 = sp.integrate(z**2 * pdf, (z, 0, sp.oo))  # E[relu(Z)^2]
    var_relu = sp.simplify(m2 - m1**2)  # batch variance of a post-ReLU unit
    d2 = sp.integrate(pdf, (z, 0, sp.oo))  # E[relu'(Z)^2] = P(Z > 0)
    nvw = sp.Symbol("c_w", positive=True)  # n Var(w): cancels, as scale invariance says it must
    var_y = nvw * var_relu  # batch variance of the next pre-activation y = h W^T
    factor_sq = sp.simplify(d2 * nvw / var_y)  # backward: relu' mask, then 1/sigma_y^2 from BN, then W^T
    factor = sp.sqrt(factor_sq)
    if sp.simplify(factor_sq - sp.pi / (sp.pi - 1)) != 0 or sp.simplify(var_relu - (sp.pi - 1) / (2 * sp.pi)) != 0:
        raise ArithmeticError("displayed forms differ from the derived ones")
    return Result(
        expr=sp.Tuple(factor_sq, factor),
        latex=(
            r"\operatorname{Var}[\operatorname{relu}(Z)]=\frac{\pi-1}{2\pi},\ "
            rf"\mathbb{{E}}[\operatorname{{relu}}'(Z)^2]={sp.latex(d2)}\ \Rightarrow\ "
            rf"\frac{{\lVert\delta_{{l-1}}\rVert^2}}{{\lVert\delta_l\rVert^2}}\approx"
            rf"\frac{{{sp.latex(d2)}\,c_w}}{{c_w\operatorname{{Var}}[\operatorname{{relu}}(Z)]}}"
            rf"=\frac{{\pi}}{{\pi-1}}\approx{float(factor_sq):.4f}"
        ),
        parts={"var_relu": var_relu, "mask_factor": d2, "factor_sq": factor_sq, "factor": factor},
        text={
            "factor": f"{float(factor):.4f}",
            "factor_sq": f"{float(factor_sq):.4f}",
            "assumptions": "mean-field estimate: wide layers, large batch, gradients treated as independent of the "
            "forward pass (the usual gradient-independence assumption); the weight scale cancels",
        },
        symbols={"Z": "BN output of a unit, ~ N(0, 1)", "c_w": "n Var(w) (cancels)", "delta_l": "dL/dy_l"},
    )


@batchnorm_relu_gradient_growth.check(
    "seeded numpy BN-ReLU net (width 128, batch 128, 50 layers): fitted per-layer growth of ||dL/dW_l||", tol=0.03
)
def _() -> float:
    v = bn_net_gradients(50, width=128, batch=128, act="relu", seed=0)
    slope = np.polyfit(np.arange(5, 45), np.log(v[5:45]), 1)[0]
    return abs(math.exp(-slope) / float(batchnorm_relu_gradient_growth.result.parts["factor"]) - 1.0)


# --- figure data: BN alone does not stop exploding gradients ----------------------------------------------------
def bn_net_gradients(depth: int, width: int = 64, batch: int = 64, act: str = "relu", seed: int = 0) -> np.ndarray:
    """Frobenius norms ||dL/dW_l|| for l = 1..depth of a Linear -> BN -> act network at initialisation (no skips).

    Weights N(0, 1/width) (their scale is irrelevant under BN), inputs and a linear read-out R standard normal,
    loss L = sum(h_depth * R) / batch; BN in training mode with eps = 1e-5; manual backpropagation in float64.
    """
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(batch, width))
    ws = [rng.normal(scale=1 / math.sqrt(width), size=(width, width)) for _ in range(depth)]
    r = rng.normal(size=(batch, width))
    f, df = {
        "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
        "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    }[act]
    cache = []
    for wm in ws:
        yh, sd = bn_forward(h @ wm.T, 1e-5)
        cache.append((h, yh, sd))
        h = f(yh)
    dh = r / batch
    norms = np.zeros(depth)
    for layer in range(depth - 1, -1, -1):
        h_in, yh, sd = cache[layer]
        dy = bn_backward(dh * df(yh), yh, sd)
        norms[layer] = np.linalg.norm(dy.T @ h_in)
        dh = dy @ ws[layer]
    return norms


def figure_data_batchnorm_depth(depths: tuple[int, ...] = (2, 5, 10, 20, 30, 40, 50), seed: int = 0) -> dict:
    """Ratio ||dL/dW_1|| / ||dL/dW_L|| (first over last layer) at initialisation vs depth L, BN-ReLU and BN-tanh."""
    out: dict = {"depth": np.array(depths)}
    for act in ("relu", "tanh"):
        out[act] = np.array([(lambda v: v[0] / v[-1])(bn_net_gradients(d, act=act, seed=seed)) for d in depths])
    return out


def figure_batchnorm_depth(lang: str = "en"):
    """First-layer over last-layer gradient norm at initialisation vs depth, BN-ReLU and BN-tanh, with the estimate."""
    from derivations.plotting import setup

    plt = setup(lang)
    d = figure_data_batchnorm_depth()
    rate = float(batchnorm_relu_gradient_growth.result.parts["factor"])
    lab = {
        "en": (
            "Batch norm without skips: gradients grow with depth",
            "depth $L$",
            r"$\|\partial L/\partial W_1\| \,/\, \|\partial L/\partial W_L\|$",
            "BN + ReLU",
            "BN + tanh",
            rf"estimate ${rate:.4f}^{{L-1}}$",
        ),
        "zh": (
            "无残差连接的批归一化：梯度随深度增长",
            "深度 $L$",
            r"$\|\partial L/\partial W_1\| \,/\, \|\partial L/\partial W_L\|$",
            "BN + ReLU",
            "BN + tanh",
            rf"估计 ${rate:.4f}^{{L-1}}$",
        ),
    }[lang]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.semilogy(d["depth"], d["relu"], "o-", label=lab[3], linewidth=2)
    ax.semilogy(d["depth"], d["tanh"], "s-", label=lab[4], linewidth=2)
    ax.semilogy(d["depth"], rate ** (d["depth"] - 1.0), "k:", label=lab[5])
    ax.set(title=lab[0], xlabel=lab[1], ylabel=lab[2])
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig
