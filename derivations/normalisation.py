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
from derivations.nets.mlp import bn_backward, bn_forward
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


@batchnorm_scale_invariance.check(
    "central finite differences (float64) of a BN-tanh layer at W and 3W",
    tol=1e-7,
    oracle_zh="BN-tanh 层在 W 与 3W 处的中心有限差分（float64）",
)
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
    "torch autograd (float64, F.batch_norm training, eps=1e-300) at W and 0.2W",
    tol=1e-12,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64，F.batch_norm 训练模式，eps = 1e-300），分别在 W 与 0.2W 处",
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


# --- what the weight scale does change: the effective step size ------------------------------------------------
@derivation(
    "batchnorm_effective_step",
    title="Under BN, a gradient step of size eta turns W/||W|| by arctan(eta f'/||W||^2) = (eta/||W||^2) f' + O(eta^3);"
    " (aW, a^2 eta) follows the same path as (W, eta), scaled by a",
    title_zh="对带 BN 的层，步长为 η 的一步梯度下降使方向 W/‖W‖ 转过 arctan(ηf′/‖W‖²) = (η/‖W‖²)f′ + O(η³)；"
    "从 aW 出发、学习率取 a²η，与从 W 出发、学习率取 η，两条轨迹只相差一个缩放因子 a",
)
def batchnorm_effective_step() -> Result:
    r, eta, fp = sp.Symbol("r", positive=True), sp.Symbol("eta", positive=True), sp.Symbol("fp", real=True)
    th = sp.Symbol("theta", real=True)
    w1, w2 = sp.symbols("w1 w2", real=True)
    # L(W) = f(theta(W)) depends on the direction only (scale invariance); its gradient is f'(theta) grad theta
    polar = {w1: r * sp.cos(th), w2: r * sp.sin(th)}
    grad = sp.Matrix([sp.simplify(fp * sp.diff(sp.atan2(w2, w1), v).subs(polar)) for v in (w1, w2)])
    wvec = sp.Matrix([polar[w1], polar[w2]])
    e_r, e_th = sp.Matrix([sp.cos(th), sp.sin(th)]), sp.Matrix([-sp.sin(th), sp.cos(th)])
    if sp.simplify(grad - fp / r * e_th) != sp.zeros(2, 1):
        raise ArithmeticError("gradient of a direction-only loss is not f'(theta)/r e_theta")
    after = wvec - eta * grad  # one plain gradient-descent step
    radial, tangential = sp.simplify(after.dot(e_r)), sp.simplify(after.dot(e_th))
    angle_step = sp.atan(tangential / radial)  # radial = r > 0, so atan2 = atan
    norm_sq = sp.simplify(after.dot(after))
    series = sp.series(angle_step, eta, 0, 4).removeO()
    lead = series.coeff(eta, 1) * eta
    eff_lr = sp.simplify(-lead / fp)
    if radial != r or sp.simplify(norm_sq - (r**2 + eta**2 * fp**2 / r**2)) != 0 or eff_lr != eta / r**2:
        raise ArithmeticError("unexpected step")
    # exact equivalence: grad at aW is grad at W over a (batchnorm_scale_invariance), so a step from aW with a^2 eta
    # lands on a times the step from W with eta
    a_, g = sp.Symbol("a", positive=True), sp.Matrix(sp.symbols("g1 g2", real=True))
    scale = batchnorm_scale_invariance.result.parts["grad_scale_at_aW"].subs(a, a_)
    lr_scaled = a_**2 * eta
    if sp.simplify(a_ * wvec - lr_scaled * scale * g - a_ * (wvec - eta * g)) != sp.zeros(2, 1):
        raise ArithmeticError("(aW, a^2 eta) is not equivalent to (W, eta)")
    shown = {fp: sp.Symbol(r"f'(\theta)")}
    return Result(
        expr=sp.Tuple(sp.Eq(sp.Symbol("dtheta"), angle_step), sp.Eq(sp.Symbol("norm_sq_after"), norm_sq), eff_lr),
        latex=(
            r"L(W)=f(\theta),\ W=r(\cos\theta,\sin\theta):\ \nabla_W L=\frac{f'(\theta)}{r}(-\sin\theta,\cos\theta);"
            r"\quad W'=W-\eta\nabla_W L:\ \theta'-\theta="
            + sp.latex(angle_step.subs(shown), inv_trig_style="full")
            + "="
            + sp.latex(lead.subs(shown))
            + r"+O(\eta^3),\ \lVert W'\rVert^2="
            + sp.latex(sp.expand(norm_sq).subs(shown))
            + r";\quad (aW,\ a^2\eta)\ \mapsto\ a\,(W-\eta\nabla_W L)"
        ),
        parts={
            "gradient": grad,
            "angle_step": angle_step,
            "angle_step_series": series,
            "norm_sq_after": norm_sq,
            "effective_lr": eff_lr,
            "lr_for_scaled_weights": lr_scaled,
        },
        symbols={
            "r": "||W|| (Frobenius norm of the weights feeding one BN layer)",
            "theta": "direction of W (the 2-dimensional case; any dimension is the same in the plane of W and grad)",
            "fp": "f'(theta), derivative of the loss along the sphere",
            "eta": "learning rate of plain gradient descent",
            "a": "positive scale of W",
        },
    )


def _bn_unit_loss(u: np.ndarray, wv: np.ndarray, c: np.ndarray) -> float:
    """One BN unit on y = u w (w a 2-vector): loss sum(c tanh(BN(y))), a function of the direction of w only."""
    yh, _ = bn_forward((u @ wv)[:, None])
    return float(np.sum(c * np.tanh(yh[:, 0])))


@batchnorm_effective_step.check(
    "numpy BN unit, W in R^2: one gradient step (central-difference gradient), measured turn angle and new norm",
    tol=1e-7,
    oracle_zh="NumPy 实现的单个 BN 单元，W ∈ R²：用中心差分梯度走一步，实测方向转角与新的范数",
)
def _() -> float:
    rng = np.random.default_rng(21)
    u, c = rng.normal(size=(10, 2)), rng.normal(size=10)
    p = batchnorm_effective_step.result.parts
    r, eta, fp = sp.Symbol("r", positive=True), sp.Symbol("eta", positive=True), sp.Symbol("fp", real=True)
    angle = sp.lambdify((r, eta, fp), p["angle_step"])
    norm_sq = sp.lambdify((r, eta, fp), p["norm_sq_after"])
    worst = 0.0
    for rv, th0, ev in ((2.5, 0.7, 0.3), (0.4, -2.0, 0.05), (6.0, 2.9, 3.0)):
        wv = rv * np.array([np.cos(th0), np.sin(th0)])
        grad = _fd_grad(lambda v: _bn_unit_loss(u, v, c), wv)
        step = wv - ev * grad
        d_theta = float(np.angle(complex(*step) / complex(*wv)))
        f_prime = float(
            central_diff(
                lambda t: np.array([_bn_unit_loss(u, np.array([np.cos(v), np.sin(v)]), c) for v in t]),
                np.array([th0]),
                1e-6,
            )[0]
        )
        worst = max(worst, abs(d_theta - angle(rv, ev, f_prime)), abs(step @ step - norm_sq(rv, ev, f_prime)))
    return worst


@batchnorm_effective_step.check(
    "torch autograd (float64): 10 SGD steps of a 2-layer BN net from (W1, W2, eta) and from (3 W1, W2/2) with the "
    "derived learning rates; max relative difference of the scaled weights and of the outputs",
    tol=1e-11,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64）：两层 BN 网络分别从 (W1, W2, η) 与 (3W1, W2/2) 出发、"
    "按推导出的学习率做 10 步 SGD；比较缩放后的权重与输出的最大相对差",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(22)
    u, c = torch.tensor(rng.normal(size=(16, 5))), torch.tensor(rng.normal(size=(16, 3)))
    w0 = [rng.normal(size=(4, 5)), rng.normal(size=(3, 4))]
    lr = sp.lambdify(
        (sp.Symbol("a", positive=True), sp.Symbol("eta", positive=True)),
        batchnorm_effective_step.result.parts["lr_for_scaled_weights"],
    )
    eta, scales = 0.05, (3.0, 0.5)

    def bn(t: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.batch_norm(t, None, None, training=True, eps=1e-300)

    def run(ws: list, lrs: tuple) -> tuple[list, torch.Tensor]:
        ws = [torch.tensor(w, requires_grad=True) for w in ws]
        for _ in range(10):
            loss = (c * torch.tanh(bn(torch.relu(bn(u @ ws[0].T)) @ ws[1].T))).sum()
            grads = torch.autograd.grad(loss, ws)
            ws = [(w - lr_ * g).detach().requires_grad_(True) for w, g, lr_ in zip(ws, grads, lrs, strict=True)]
        out = torch.tanh(bn(torch.relu(bn(u @ ws[0].T)) @ ws[1].T))
        return [w.detach().numpy() for w in ws], out.detach()

    base, out0 = run(w0, (eta, eta))
    scaled, out1 = run([s_ * w for s_, w in zip(scales, w0, strict=True)], tuple(lr(s_, eta) for s_ in scales))
    rel = [
        np.max(np.abs(ws_ - s_ * wb)) / np.max(np.abs(s_ * wb))
        for ws_, s_, wb in zip(scaled, scales, base, strict=True)
    ]
    return max(*rel, float((out1 - out0).abs().max()))


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
        symbols={"y1..y3": "a batch (m = 3) of one unit's pre-activations", "sigma": "batch std (eps = 0)"},
    )


@batchnorm_jacobian.check(
    "central finite differences (float64) of the numpy BN, batch 6",
    tol=1e-8,
    oracle_zh="NumPy 实现的 BN 的中心有限差分（float64），批量大小 6",
)
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
    oracle_zh="用 torch.autograd.functional.jacobian 求 F.batch_norm（eps = 1e-300）的雅可比矩阵，"
    "并与手写的反向传播比较",
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
        },
        symbols={"Z": "BN output of a unit, ~ N(0, 1)", "c_w": "n Var(w) (cancels)", "delta_l": "dL/dy_l"},
    )


@batchnorm_relu_gradient_growth.check(
    "seeded numpy BN-ReLU net (width 128, batch 128, 50 layers): fitted per-layer growth of ||dL/dW_l||",
    tol=0.03,
    oracle_zh="固定随机种子的 NumPy BN-ReLU 网络（宽 128、批量大小 128、50 层）：拟合 ‖∂L/∂W_l‖ 的逐层增长倍数",
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


# --- exercises: the directions the BN Jacobian annihilates; the gradient ratio across 20 BN-ReLU layers --------
@derivation(
    "batchnorm_jacobian_null_directions",
    title="BN (eps = 0) is invariant to shifting the batch by c 1 and to scaling y - mean: its Jacobian annihilates "
    "1 and y_hat, so dL/dy sums to 0 and is orthogonal to y_hat",
    title_zh="BN（ε = 0）对整批平移 c·1 不变，对 y 与均值之差的缩放也不变：其雅可比矩阵把 1 与 ŷ 映为 0，"
    "因此 ∂L/∂y 各分量之和为 0，且与 ŷ 正交",
)
def batchnorm_jacobian_null_directions() -> Result:
    """Training-mode BN of one unit over a batch (m = 3 symbolic), eps = 0: d/dt BN(y + t 1) = 0 and
    d/dt BN(mean + (1 + t)(y - mean)) = 0 at t = 0, i.e. J 1 = 0 and J y_hat = 0; J is symmetric, so the backward
    gradient J^T g is orthogonal to both directions."""
    tt = sp.Symbol("t", real=True)
    ones = sp.ones(M, 1)
    mu = sum(_Y) / M
    shift = sp.simplify(sp.diff(_bn_sym(_Y + tt * ones), tt).subs(tt, 0))
    scale = sp.simplify(sp.diff(_bn_sym(mu * ones + (1 + tt) * (_Y - mu * ones)), tt).subs(tt, 0))
    jac = _bn_sym(_Y).jacobian(_Y)
    yh = _bn_sym(_Y)
    j_ones, j_yhat = sp.simplify(jac * ones), sp.simplify(jac * yh)
    symmetric = sp.simplify(jac - jac.T)
    zero = sp.zeros(M, 1)
    if any(v != zero for v in (shift, scale, j_ones, j_yhat)) or symmetric != sp.zeros(M, M):
        raise ArithmeticError("BN's Jacobian does not annihilate 1 and y_hat")
    count = M - batchnorm_jacobian.result.parts["rank"]  # dimension of the null space: m - (m - 2)
    return Result(
        expr=sp.Tuple(shift, scale, j_ones, j_yhat),
        latex=(
            r"\tfrac{d}{dt}\operatorname{BN}(y+t\mathbf 1)\big|_0=J\mathbf 1=0,\quad "
            r"\tfrac{d}{dt}\operatorname{BN}\bigl(\mu\mathbf 1+(1+t)(y-\mu\mathbf 1)\bigr)\big|_0=\sigma J\hat y=0"
            r"\ \Rightarrow\ \mathbf 1^\top\nabla_yL=0,\ \hat y^\top\nabla_yL=0"
        ),
        parts={
            "shift_derivative": shift,
            "scale_derivative": scale,
            "J_ones": j_ones,
            "J_yhat": j_yhat,
            "null_dimension": count,
        },
        symbols={"y1..y3": "a batch (m = 3) of one unit's pre-activations", "t": "shift or scale parameter"},
    )


@batchnorm_jacobian_null_directions.check(
    "torch autograd (float64, F.batch_norm training, eps=1e-300), batch 8: ||J 1||, ||J y_hat||, 1^T and y_hat^T "
    "times a backpropagated gradient, and the numerical rank m - null dimension",
    tol=1e-12,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64，F.batch_norm 训练模式，eps = 1e-300），批量 8：‖J1‖、‖Jŷ‖、"
    "反向传播梯度与 1 和 ŷ 的内积，以及数值秩是否等于 m 减零空间维数",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(16)
    m = 8
    y = torch.tensor(rng.normal(size=(m, 1)) * 1.7 + 0.4, requires_grad=True)

    def f(t: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.batch_norm(t, None, None, training=True, eps=1e-300)

    jac = torch.autograd.functional.jacobian(f, y.detach())[:, 0, :, 0].numpy()
    yh = f(y.detach())[:, 0].numpy()
    (grad,) = torch.autograd.grad((torch.tensor(rng.normal(size=(m, 1))) * torch.tanh(f(y))).sum(), y)
    g = grad[:, 0].numpy()
    p = batchnorm_jacobian_null_directions.result.parts
    rank_err = abs(np.linalg.matrix_rank(jac, tol=1e-9) - (m - int(p["null_dimension"])))
    return max(
        float(np.linalg.norm(jac @ np.ones(m))),
        float(np.linalg.norm(jac @ yh)),
        abs(float(g.sum())),
        abs(float(g @ yh)),
        float(rank_err),
    )


@batchnorm_jacobian_null_directions.check(
    "central finite differences (float64) of the numpy BN, batch 6: shift by t 1 and scale of y - mean",
    tol=1e-8,
    oracle_zh="NumPy 实现的 BN 的中心有限差分（float64），批量 6：沿 t·1 平移，以及对 y 与均值之差的缩放",
)
def _() -> float:
    y = np.random.default_rng(17).normal(size=6) * 3.0 - 1.0
    mu = y.mean()

    def bn(v: np.ndarray) -> np.ndarray:
        return bn_forward(v[:, None])[0][:, 0]

    d_shift = (bn(y + 1e-5) - bn(y - 1e-5)) / 2e-5
    d_scale = (bn(mu + (1 + 1e-5) * (y - mu)) - bn(mu + (1 - 1e-5) * (y - mu))) / 2e-5
    rank = np.linalg.matrix_rank(
        np.stack([(bn(y + 1e-5 * e) - bn(y - 1e-5 * e)) / 2e-5 for e in np.eye(6)], axis=1), tol=1e-6
    )
    nd = int(batchnorm_jacobian_null_directions.result.parts["null_dimension"])
    return max(float(np.max(np.abs(d_shift))), float(np.max(np.abs(d_scale))), float(abs(rank - (6 - nd))))


@derivation(
    "batchnorm_relu_depth_ratio",
    title="BN-ReLU net at init (mean field): ||dL/dy_5|| / ||dL/dy_25|| ~ (pi/(pi - 1))^10 ~ 46.1, whatever the "
    "weight scale",
    title_zh="BN-ReLU 网络初始化时（平均场）：‖∂L/∂y_5‖ / ‖∂L/∂y_25‖ ≈ (π/(π − 1))¹⁰ ≈ 46.1，与权重尺度无关",
)
def batchnorm_relu_depth_ratio() -> Result:
    """Gradient with respect to the pre-activations y_l of a Linear -> BN -> ReLU stack (no skips) at initialisation:
    its squared norm grows by pi/(pi - 1) per layer backwards (batchnorm_relu_gradient_growth), so from layer b
    down to layer a < b the norm grows by (pi/(pi - 1))^((b - a)/2)."""
    lo, hi, depth = sp.Integer(5), sp.Integer(25), sp.Integer(30)
    factor_sq = batchnorm_relu_gradient_growth.result.parts["factor_sq"]
    ratio = factor_sq ** ((hi - lo) / 2)
    return Result(
        expr=ratio,
        latex=(
            rf"\frac{{\lVert\partial L/\partial y_{{{lo}}}\rVert}}{{\lVert\partial L/\partial y_{{{hi}}}\rVert}}"
            rf"\approx\Bigl(\frac{{\pi}}{{\pi-1}}\Bigr)^{{({hi}-{lo})/2}}={sp.latex(ratio)}\approx{float(ratio):.1f}"
        ),
        parts={"layer_low": lo, "layer_high": hi, "depth": depth, "ratio": ratio, "steps": hi - lo},
        text={"ratio": f"{float(ratio):.1f}"},
        symbols={"y_l": "pre-activations of layer l (before BN)", "L": "loss"},
    )


@batchnorm_relu_depth_ratio.check(
    "seeded numpy BN-ReLU net (width 128, batch 128, 30 layers, manual backward), 2 seeds: log of "
    "||dL/dy_5|| / ||dL/dy_25|| per layer vs the prediction, at weight scales 1 and 10",
    tol=0.03,
    oracle_zh="固定随机种子的 NumPy BN-ReLU 网络（宽 128、批量大小 128、30 层、手写反向传播），2 个种子："
    "‖∂L/∂y_5‖ / ‖∂L/∂y_25‖ 的对数按层平均后与预测比较，权重尺度分别取 1 与 10",
)
def _() -> float:
    p = batchnorm_relu_depth_ratio.result.parts
    lo, hi, depth = int(p["layer_low"]), int(p["layer_high"]), int(p["depth"])
    width = batch = 128
    worst = 0.0
    for seed in (0, 1):
        for scale in (1.0, 10.0):
            rng = np.random.default_rng([5, seed])
            h = rng.normal(size=(batch, width))
            ws = [scale * rng.normal(scale=1 / math.sqrt(width), size=(width, width)) for _ in range(depth)]
            cache = []
            for wm in ws:
                yh, sd = bn_forward(h @ wm.T, 1e-5)
                cache.append((yh, sd))
                h = np.maximum(yh, 0.0)
            dh = rng.normal(size=(batch, width)) / batch
            norms = {}
            for layer in range(depth - 1, -1, -1):
                yh, sd = cache[layer]
                dy = bn_backward(dh * (yh > 0), yh, sd)
                norms[layer + 1] = float(np.linalg.norm(dy))  # layers numbered 1..depth
                dh = dy @ ws[layer]
            measured = math.log(norms[lo] / norms[hi]) / (hi - lo)
            worst = max(worst, abs(measured - math.log(float(p["ratio"])) / (hi - lo)))
    return worst  # per layer in log; the mean-field factor itself is log(1.2112) = 0.19 per layer
