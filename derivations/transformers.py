"""Gradient flow in Transformers: LayerNorm and RMSNorm Jacobians, the Pre-LN residual stream and its final-LN scale,
DeepNorm's constants, Fixup's scaling rule, ReZero's identity Jacobian, and the bounded product over depth.

Conventions: column vectors of d features; LN(y) = (y - mean(y) 1) / sigma(y) with sigma the biased (1/d) standard
deviation, RMSNorm(x) = x / rho(x) with rho = sqrt(mean(x^2)); no affine parameters and eps = 0 unless stated (torch's
F.layer_norm / F.rms_norm with eps=0). Jacobians have rows indexed by outputs; norms of matrices are spectral norms.
Pre-LN block: x_{l+1} = x_l + F_l(LN(x_l)), and a final LN before the output; Post-LN block:
x_{l+1} = LN(x_l + F_l(x_l)). The sublayer of the toy stack is the position-wise feed-forward network
F(u) = W2 relu(W1 u), W1 ~ N(0, 2/d) (d_ff x d), W2 ~ N(0, sigma_w^2/d_ff) (d x d_ff); attention sublayers are left out.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.normalisation import batchnorm_jacobian
from derivations.oracles.finite import central_diff

D_SYM = 3  # feature count of the symbolic LayerNorm / RMSNorm (the same size as the batch-norm derivation)
_Y = sp.Matrix(sp.symbols(f"y1:{D_SYM + 1}", real=True))
d = sp.Symbol("d", positive=True, integer=True)
l_, L_ = sp.Symbol("l", nonnegative=True, integer=True), sp.Symbol("L", positive=True, integer=True)
s2 = sp.Symbol("sigma_w^2", positive=True)
v0 = sp.Symbol("v_0", positive=True)
c_ = sp.Symbol("c", positive=True)


def _ln_sym(y: sp.Matrix) -> sp.Matrix:
    n = y.shape[0]
    mu = sum(y) / n
    return (y - mu * sp.ones(n, 1)) / sp.sqrt(sum((v - mu) ** 2 for v in y) / n)


def _rms_sym(x: sp.Matrix) -> sp.Matrix:
    return x / sp.sqrt(sum(v**2 for v in x) / x.shape[0])


def _ln_np(y: np.ndarray) -> np.ndarray:
    c = y - y.mean()
    return c / np.sqrt(np.mean(c**2))


def _fd_jac(f, x: np.ndarray) -> np.ndarray:
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = 1.0
        cols.append(central_diff(lambda t, e=e: f(x + t * e), np.array(0.0), h=1e-6))
    return np.stack(cols, axis=1)


# --- LayerNorm -----------------------------------------------------------------------------------------------------
@derivation(
    "layernorm_jacobian",
    title="d LN(y)/dy = (I - 11^T/d - y_hat y_hat^T/d)/sigma: eigenvalue 0 on 1 and on y_hat, 1/sigma on the other "
    "d - 2 directions; the batch-norm Jacobian with the batch axis replaced by the feature axis",
    title_zh="∂LN(y)/∂y = (I − 11ᵀ/d − ŷŷᵀ/d)/σ：在 1 与 ŷ 方向上特征值为 0，其余 d − 2 个方向上为 1/σ；"
    "与批量归一化的雅可比矩阵相同，只是批量维换成了特征维",
)
def layernorm_jacobian() -> Result:
    """dLN(y)/dy = P/sigma, P = I - 11^T/d - y_hat y_hat^T/d an orthogonal projection of rank d - 2 (derived for d = 3;
    the rank for general d from 1^T y_hat = 0 and y_hat^T y_hat = d); sigma the biased std of y's features, eps = 0."""
    yh = _ln_sym(_Y)
    jac = yh.jacobian(_Y)
    mu = sum(_Y) / D_SYM
    sigma = sp.sqrt(sum((v - mu) ** 2 for v in _Y) / D_SYM)
    proj = sp.eye(D_SYM) - sp.ones(D_SYM, D_SYM) / D_SYM - yh * yh.T / D_SYM
    if sp.simplify(jac - proj / sigma) != sp.zeros(D_SYM, D_SYM):
        raise ArithmeticError("LN Jacobian differs from P / sigma")
    if sp.simplify(proj * proj - proj) != sp.zeros(D_SYM, D_SYM) or proj.T != proj:
        raise ArithmeticError("P is not an orthogonal projection")
    null_one = sp.simplify(proj * sp.ones(D_SYM, 1))
    null_y = sp.simplify(proj * yh)
    if null_one != sp.zeros(D_SYM, 1) or null_y != sp.zeros(D_SYM, 1):
        raise ArithmeticError("1 and y_hat are not in the kernel")
    # general d: tr P = d - tr(11^T)/d - y_hat^T y_hat / d, with y_hat^T y_hat = sum (y - mu)^2 / sigma^2 = d
    ss = sp.Symbol("S", positive=True)  # sum of squared deviations
    yhat_sq = ss / (ss / d)
    rank_general = sp.simplify(d - d / d - yhat_sq / d)
    if rank_general.subs(d, D_SYM) != sp.simplify(proj.trace()):
        raise ArithmeticError("rank formula disagrees with the d = 3 case")
    same_as_bn = sp.simplify(proj - batchnorm_jacobian.result.parts["projection"]) == sp.zeros(D_SYM, D_SYM)
    if not same_as_bn:
        raise ArithmeticError("LN projection differs from the BN projection on the same numbers")
    return Result(
        expr=sp.Tuple(sp.ImmutableMatrix(proj / sigma), rank_general),
        latex=(
            r"\frac{\partial\,\mathrm{LN}(y)}{\partial y}=\frac{1}{\sigma}\Bigl(I-\tfrac1d\mathbf 1\mathbf 1^\top"
            r"-\tfrac1d\hat y\hat y^\top\Bigr)=\frac{P}{\sigma},\quad P\mathbf 1=P\hat y=0,\quad"
            rf"\operatorname{{tr}}P={sp.latex(rank_general)}"
        ),
        parts={
            "projection": proj,
            "sigma": sigma,
            "rank_general": rank_general,
            "zero_eigenvalues": d - rank_general,
            "spectral_norm": 1 / sp.Symbol("sigma", positive=True),  # for d >= 3 (for d = 2, P = 0)
        },
        symbols={"y1..y3": "the d = 3 features of one token", "sigma": "biased std of the features (eps = 0)"},
    )


@layernorm_jacobian.check(
    "torch.autograd.functional.jacobian of F.layer_norm (float64, eps=0), d = 3 and d = 9: entries, and "
    "eigenvalues (0 twice, 1/sigma d - 2 times)",
    tol=1e-12,
    needs="torch",
    oracle_zh="用 torch.autograd.functional.jacobian 求 F.layer_norm（float64，eps = 0）的雅可比矩阵，d = 3 与 d = 9："
    "逐元素比较，并核对特征值（0 出现两次，1/σ 出现 d − 2 次）",
)
def _() -> float:
    import torch

    parts = layernorm_jacobian.result.parts
    f_p = sp.lambdify(list(_Y), parts["projection"], "numpy")
    f_s = sp.lambdify(list(_Y), parts["sigma"], "numpy")
    rng = np.random.default_rng(21)
    worst = 0.0
    for _ in range(3):
        y = rng.normal(size=3) * 1.7 + 0.4
        jt = torch.autograd.functional.jacobian(
            lambda t: torch.nn.functional.layer_norm(t, (3,), eps=0.0), torch.tensor(y)
        ).numpy()
        worst = max(worst, float(np.max(np.abs(jt - np.array(f_p(*y), dtype=float) / f_s(*y)))))
    y = rng.normal(size=9) * 0.6 - 1.0
    jt = torch.autograd.functional.jacobian(
        lambda t: torch.nn.functional.layer_norm(t, (9,), eps=0.0), torch.tensor(y)
    ).numpy()
    sig = float(np.std(y))
    eig = np.sort(np.linalg.eigvals(jt).real)
    n_zero = int(parts["zero_eigenvalues"].subs(d, 9))
    rank = int(parts["rank_general"].subs(d, 9))
    return max(
        worst,
        float(np.max(np.abs(eig[:n_zero]))),
        float(np.max(np.abs(eig[n_zero:] * sig - 1.0))),
        abs(9 - n_zero - rank),
    )


@layernorm_jacobian.check(
    "F.batch_norm (training mode, eps=1e-300) of the same numbers laid out as a batch of one unit: same Jacobian as "
    "F.layer_norm (torch autograd, float64, d = 7); central finite differences of a numpy LN for d = 3",
    tol=1e-8,
    needs="torch",
    oracle_zh="把同一组数当作同一个单元在一个批量各样本上的取值，"
    "对 F.batch_norm（训练模式，eps = 1e-300）求雅可比矩阵，与 F.layer_norm 的相同"
    "（torch 自动微分，float64，d = 7）；d = 3 时与 NumPy 实现的层归一化的中心有限差分比较",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(22)
    y = rng.normal(size=7)
    j_ln = torch.autograd.functional.jacobian(
        lambda t: torch.nn.functional.layer_norm(t, (7,), eps=0.0), torch.tensor(y)
    ).numpy()
    j_bn = torch.autograd.functional.jacobian(
        lambda t: torch.nn.functional.batch_norm(t[:, None], None, None, training=True, eps=1e-300)[:, 0],
        torch.tensor(y),
    ).numpy()
    parts = layernorm_jacobian.result.parts
    f = sp.lambdify(list(_Y), parts["projection"] / parts["sigma"], "numpy")
    y3 = rng.normal(size=3)
    fd = _fd_jac(_ln_np, y3)
    return max(float(np.max(np.abs(j_ln - j_bn))), float(np.max(np.abs(fd - np.array(f(*y3), dtype=float)))))


# --- RMSNorm -------------------------------------------------------------------------------------------------------
@derivation(
    "rmsnorm_jacobian",
    title="d RMSNorm(x)/dx = (I - r r^T/d)/rho: eigenvalue 0 on x, 1/rho on the other d - 1 directions; "
    "LN(y) = RMSNorm(y - mean(y) 1)",
    title_zh="∂RMSNorm(x)/∂x = (I − rrᵀ/d)/ρ：在 x 方向上特征值为 0，其余 d − 1 个方向上为 1/ρ；"
    "LN(y) = RMSNorm(y − μ·1)，μ 为 y 各分量的均值",
)
def rmsnorm_jacobian() -> Result:
    """dRMSNorm(x)/dx = (I - r r^T/d)/rho with r = x/rho, rho = sqrt(mean x^2) (derived for d = 3, eps = 0);
    I - r r^T/d is the orthogonal projection off x (r^T r = d), rank d - 1; LayerNorm is RMSNorm of the centred y."""
    r = _rms_sym(_Y)
    jac = r.jacobian(_Y)
    rho = sp.sqrt(sum(v**2 for v in _Y) / D_SYM)
    proj = sp.eye(D_SYM) - r * r.T / D_SYM
    if sp.simplify(jac - proj / rho) != sp.zeros(D_SYM, D_SYM):
        raise ArithmeticError("RMSNorm Jacobian differs from (I - r r^T/d)/rho")
    if sp.simplify(proj * proj - proj) != sp.zeros(D_SYM, D_SYM) or sp.simplify(proj * _Y) != sp.zeros(D_SYM, 1):
        raise ArithmeticError("I - r r^T/d is not the projection off x")
    ss = sp.Symbol("S", positive=True)  # sum of squares: r^T r = S / (S/d) = d
    rank_general = sp.simplify(d - (ss / (ss / d)) / d)
    centred = _Y - (sum(_Y) / D_SYM) * sp.ones(D_SYM, 1)
    if sp.simplify(_rms_sym(centred) - _ln_sym(_Y)) != sp.zeros(D_SYM, 1):
        raise ArithmeticError("LN is not RMSNorm of the centred vector")
    return Result(
        expr=sp.Tuple(sp.ImmutableMatrix(proj / rho), rank_general),
        latex=(
            r"\frac{\partial\,\mathrm{RMSNorm}(x)}{\partial x}=\frac{1}{\rho}\Bigl(I-\tfrac1d rr^\top\Bigr),\quad "
            r"r=\frac{x}{\rho},\ \rho=\sqrt{\tfrac1d\textstyle\sum_i x_i^2},\quad "
            rf"\operatorname{{rank}}={sp.latex(rank_general)}"
        ),
        parts={
            "projection": proj,
            "rho": rho,
            "rank_general": rank_general,
            "spectral_norm": 1 / sp.Symbol("rho", positive=True),  # for d >= 2
        },
        symbols={"y1..y3": "the d = 3 features x of one token", "rho": "root mean square of x (eps = 0)"},
    )


@rmsnorm_jacobian.check(
    "torch.autograd.functional.jacobian of torch.nn.functional.rms_norm (float64, eps=0), d = 3 and d = 8: "
    "entries, and eigenvalues (0 once, 1/rho d - 1 times)",
    tol=1e-12,
    needs="torch",
    oracle_zh="用 torch.autograd.functional.jacobian 求 torch.nn.functional.rms_norm（float64，eps = 0）的雅可比矩阵，"
    "d = 3 与 d = 8：逐元素比较，并核对特征值（0 出现一次，1/ρ 出现 d − 1 次）",
)
def _() -> float:
    import torch

    parts = rmsnorm_jacobian.result.parts
    f = sp.lambdify(list(_Y), parts["projection"] / parts["rho"], "numpy")
    rng = np.random.default_rng(23)
    worst = 0.0
    for _ in range(3):
        x = rng.normal(size=3) + 0.3
        jt = torch.autograd.functional.jacobian(
            lambda t: torch.nn.functional.rms_norm(t, (3,), eps=0.0), torch.tensor(x)
        ).numpy()
        worst = max(worst, float(np.max(np.abs(jt - np.array(f(*x), dtype=float)))))
    x = rng.normal(size=8) + 0.5
    jt = torch.autograd.functional.jacobian(lambda t: torch.nn.functional.rms_norm(t, (8,), eps=0.0), torch.tensor(x))
    eig = np.sort(np.linalg.eigvals(jt.numpy()).real)
    rho = float(np.sqrt(np.mean(x**2)))
    n_zero = 8 - int(parts["rank_general"].subs(d, 8))
    return max(worst, float(np.max(np.abs(eig[:n_zero]))), float(np.max(np.abs(eig[n_zero:] * rho - 1.0))))


# --- the Pre-LN residual stream and the final-LN scale ------------------------------------------------------------
@derivation(
    "preln_stream_growth",
    title="Pre-LN toy stack (ReLU FFN sublayers, He-scaled W1, W2 ~ N(0, sigma_w^2/d_ff)): E sigma^2(x_l) = v_0 + "
    "l sigma_w^2 (d-1)/d exactly; the final LN divides the gradient by sigma(x_L), so the last block's weight "
    "gradient is smaller than Post-LN's by about sqrt((1 + s)/(v_0 + L s)) ~ 1/sqrt(L)",
    title_zh="Pre-LN 玩具堆叠（ReLU 前馈子层，W1 按 He 缩放，W2 ~ N(0, σ_w²/d_ff)）："
    "E σ²(x_l) = v_0 + l σ_w²(d−1)/d 精确成立；"
    "最后的层归一化把梯度除以 σ(x_L)，故最后一块权重的梯度约为 Post-LN 的 √((1 + s)/(v_0 + L s)) 倍，按 1/√L 衰减",
)
def preln_stream_growth() -> Result:
    """Mean centred variance v_l = E sigma(x_l)^2 of the Pre-LN residual stream: v_{l+1} = v_l + s with
    s = sigma_w^2 (d-1)/d (expectation over Gaussian weights, any width); the last block's weight-gradient ratio
    Pre-LN / Post-LN = sqrt((1 + s)/(v_0 + L s)) when 1/sigma is replaced by 1/sqrt(E sigma^2) (a wide-d
    approximation)."""
    # one sublayer: u = LN(x) has ||u||^2 = d exactly; z = W1 u ~ N(0, 2 ||u||^2 / d) per unit; E relu(z)^2 = Var/2
    z = sp.Symbol("z", real=True)
    var_z = 2 * d / d
    e_relu_sq = sp.integrate(z**2 * sp.exp(-(z**2) / (2 * var_z)) / sp.sqrt(2 * sp.pi * var_z), (z, 0, sp.oo))
    dff = sp.Symbol("d_ff", positive=True, integer=True)
    e_h_sq = dff * e_relu_sq  # E ||relu(W1 u)||^2
    # W2 ~ N(0, s2/dff), C = I - 11^T/d: E ||C W2 h||^2 = (s2/dff) tr(C) ||h||^2, tr C = d - 1; divide by d
    step = sp.simplify((s2 / dff) * (d - 1) * e_h_sq / d)
    # the cross term E <C x_l, C W2 h> vanishes (W2 has mean 0 and is independent of x_l): the recursion is additive
    v = sp.Function("v")
    sol = sp.rsolve(v(l_ + 1) - v(l_) - step, v(l_), {v(0): v0})
    post = sp.simplify(1 + step)  # Post-LN: the last block's input is an LN output (centred variance 1)
    ratio = sp.sqrt(post / sol.subs(l_, L_))
    ratio_limit = sp.limit(ratio * sp.sqrt(L_), L_, sp.oo)
    # the same limit written as sqrt(1 + d / ((d - 1) sigma_w^2)), for display
    limit_display = sp.sqrt(1 + d / ((d - 1) * s2))
    if sp.simplify(limit_display**2 - ratio_limit**2) != 0:
        raise ArithmeticError("the displayed form of the sqrt(L) limit differs from the derived limit")
    # the standard case: sigma_w^2 = 1, x_0 ~ N(0, I) (v_0 = (d-1)/d), d = 64
    case = {s2: 1, d: 64, v0: sp.Rational(63, 64)}
    ratio_12 = sp.nsimplify(ratio.subs(case).subs(L_, 12))
    return Result(
        expr=sp.Tuple(sol, ratio),
        latex=(
            rf"v_l=\operatorname{{E}}\sigma^2(x_l)={sp.latex(sol)},\qquad"
            rf"\frac{{\lVert\partial\ell/\partial W^{{\mathrm{{Pre}}}}_L\rVert}}{{\lVert\partial\ell/\partial "
            rf"W^{{\mathrm{{Post}}}}_L\rVert}}\approx{sp.latex(ratio)}"
        ),
        parts={
            "step": step,
            "v_l": sol,
            "post_variance": post,
            "ratio": ratio,
            "ratio_sqrtL_limit": limit_display,
            "ratio_L12": ratio_12,
            "e_relu_sq": e_relu_sq,
        },
        symbols={
            "v_l": "mean over weights of the centred variance sigma^2(x_l) of one token's residual stream",
            "v_0": "E sigma^2(x_0)",
            "sigma_w^2": "variance scale of W2 (entries N(0, sigma_w^2/d_ff))",
            "d": "model width",
            "L": "number of blocks",
        },
        text={"ratio_L12": f"{float(ratio_12):.3f}", "step_64": str(step.subs({s2: 1, d: 64}))},
    )


def ffn_stack(pre: bool, depth: int, seed: int, d_model: int = 64, d_ff: int = 256, tokens: int = 16):
    """A seeded float64 torch stack of ``depth`` residual FFN blocks (Pre-LN with a final LN, or Post-LN), W1 ~ N(0,
    2/d), W2 ~ N(0, 1/d_ff); returns (x_0, [W1], [W2], hidden states x_0..x_L, output y, loss weights c)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    x0 = torch.randn(tokens, d_model, generator=g, dtype=torch.float64)
    w1 = [torch.randn(d_ff, d_model, generator=g, dtype=torch.float64) * math.sqrt(2 / d_model) for _ in range(depth)]
    w2 = [torch.randn(d_model, d_ff, generator=g, dtype=torch.float64) * math.sqrt(1 / d_ff) for _ in range(depth)]
    c = torch.randn(tokens, d_model, generator=g, dtype=torch.float64)
    for w in (*w1, *w2):
        w.requires_grad_(True)

    def ln(t):
        return torch.nn.functional.layer_norm(t, (d_model,), eps=0.0)

    hs = [x0]
    h = x0
    for a, b in zip(w1, w2, strict=True):
        h = h + torch.relu(ln(h) @ a.T) @ b.T if pre else ln(h + torch.relu(h @ a.T) @ b.T)
        hs.append(h)
    y = ln(h) if pre else h
    return x0, w1, w2, hs, y, c


def stack_grad_norms(pre: bool, depth: int, seed: int) -> np.ndarray:
    """||d loss / d W2_l||_F for l = 1..depth, loss = sum(y * c) / sqrt(tokens), of the seeded torch FFN stack."""
    import torch

    from derivations.oracles.autograd import single_thread

    with single_thread():
        _, _, w2, _, y, c = ffn_stack(pre, depth, seed)
        loss = (y * c).sum() / math.sqrt(y.shape[0])
        return np.array([float(t.norm()) for t in torch.autograd.grad(loss, w2)])


@preln_stream_growth.check(
    "torch float64 stack (d = 64, d_ff = 256, 16 tokens, 12 blocks, 32 seeds): mean sigma^2(x_l) per "
    "block (relative error; standard error about 1.5 %, tolerance 6 %)",
    tol=0.06,
    needs="torch",
    oracle_zh="torch float64 堆叠（d = 64，d_ff = 256，16 个词元，12 块，32 个随机种子）：每块的 σ²(x_l) 均值"
    "（相对误差；标准误约 1.5%，容差 6%）",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import single_thread

    f = sp.lambdify((l_, s2, d, v0), preln_stream_growth.result.parts["v_l"])
    with torch.no_grad(), single_thread():
        runs = [ffn_stack(True, 12, seed)[3] for seed in range(32)]
    worst = 0.0
    for layer in range(13):
        var = float(np.mean([torch.var(hs[layer], dim=1, unbiased=False).mean().item() for hs in runs]))
        worst = max(worst, abs(var / f(layer, 1.0, 64, 63 / 64) - 1.0))
    return worst


@preln_stream_growth.check(
    "torch autograd (float64): exact identity ||dl/dW2_L||_F = ||P c|| ||h|| / sigma(x_L) for one token; and the "
    "measured Pre/Post ratio of the last block's gradient at L = 2, 12 (4 seeds; tolerance 10 %, the RMS "
    "approximation plus sampling)",
    tol=0.1,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：对单个词元精确核对 ‖∂ℓ/∂W2_L‖_F = ‖Pc‖·‖h‖/σ(x_L)；"
    "并在 L = 2、12 时测量最后一块梯度的 Pre/Post 之比（4 个随机种子；容差 10%，来自均方根近似与抽样）",
)
def _() -> float:
    import torch

    # exact: one token, Pre-LN, loss = c . LN(x_L)
    _, w1, w2, hs, y, c = ffn_stack(True, 3, seed=5, tokens=1)
    (g,) = torch.autograd.grad((y * c).sum(), [w2[-1]])
    xl = hs[-1].detach()[0]
    yh = (xl - xl.mean()) / xl.std(unbiased=False)
    pc = c[0] - c[0].mean() - yh * (yh @ c[0]) / 64
    with torch.no_grad():
        h = torch.relu(torch.nn.functional.layer_norm(hs[-2], (64,), eps=0.0) @ w1[-1].T)
    exact = float(pc.norm() * h.norm() / xl.std(unbiased=False))
    err_exact = abs(float(g.norm()) / exact - 1.0)
    f = sp.lambdify((L_, s2, d, v0), preln_stream_growth.result.parts["ratio"])
    worst = err_exact
    for depth in (2, 12):
        pre = np.mean([stack_grad_norms(True, depth, s)[-1] for s in range(4)])
        post = np.mean([stack_grad_norms(False, depth, s)[-1] for s in range(4)])
        worst = max(worst, abs((pre / post) / f(depth, 1.0, 64, 63 / 64) - 1.0))
    return worst


@functools.cache
def figure_data_pre_post_layers(depth: int = 12, seeds: int = 3) -> dict[str, np.ndarray]:
    """Per-block ||dl/dW2_l||_F (mean over seeds) of the seeded Pre-LN and Post-LN FFN stacks of ``depth`` blocks."""
    pre = np.mean([stack_grad_norms(True, depth, s) for s in range(seeds)], axis=0)
    post = np.mean([stack_grad_norms(False, depth, s) for s in range(seeds)], axis=0)
    return {"block": np.arange(1, depth + 1), "pre": pre, "post": post}


@functools.cache
def figure_data_pre_post_ratio(depths: tuple[int, ...] = (1, 2, 4, 8, 12), seeds: int = 3) -> dict[str, np.ndarray]:
    """The last block's ||dl/dW2_L||_F, Pre-LN over Post-LN (means over seeds), against the depth L, with the toy
    model's prediction sqrt((1 + s)/(v_0 + L s)) (sigma_w^2 = 1, d = 64, v_0 = 63/64)."""
    ratio = [
        np.mean([stack_grad_norms(True, n, s)[-1] for s in range(seeds)])
        / np.mean([stack_grad_norms(False, n, s)[-1] for s in range(seeds)])
        for n in depths
    ]
    f = sp.lambdify((L_, s2, d, v0), preln_stream_growth.result.parts["ratio"])
    grid = np.linspace(1, max(depths), 100)
    return {"depths": np.array(depths), "ratio": np.array(ratio), "grid": grid, "predicted": f(grid, 1.0, 64, 63 / 64)}


# --- DeepNorm -------------------------------------------------------------------------------------------------------
N_, M_ = sp.Symbol("N", positive=True, integer=True), sp.Symbol("M", positive=True, integer=True)
K_ = sp.Symbol("K", positive=True)  # number of residual sublayers


@derivation(
    "deepnorm_constants",
    title="DeepNorm (torchscale): encoder- or decoder-only alpha = (2N)^(1/4), beta = (8N)^(-1/4); encoder-decoder "
    "decoder alpha = (3M)^(1/4), beta = (12M)^(-1/4): with K sublayers, alpha^4 = K and 2K beta^2 = alpha^2",
    title_zh="DeepNorm（torchscale）：仅编码器或仅解码器 α = (2N)^(1/4)、β = (8N)^(−1/4)；编码器–解码器的解码器 "
    "α = (3M)^(1/4)、β = (12M)^(−1/4)：设残差子层数为 K，则 α⁴ = K 且 2Kβ² = α²",
)
def deepnorm_constants() -> Result:
    """DeepNorm's x <- LN(alpha x + G(x)) with the value/output/FFN weights scaled by beta at initialisation; the
    constants as torchscale computes them, and the relations they satisfy, derived: with K residual sublayers
    (2N for an N-layer encoder or decoder, 3M for an M-layer decoder with cross-attention), alpha^4 = K, K (beta^2 +
    beta^2) / alpha^2 = 1, alpha beta = 2^(-1/2); solving the first two for (alpha, beta) returns the constants."""
    a, b = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
    sol = sp.solve([sp.Eq(a**4, K_), sp.Eq(K_ * 2 * b**2 / a**2, 1)], [a, b], dict=True)
    if len(sol) != 1:
        raise ArithmeticError("expected one positive solution")
    alpha_k, beta_k = sol[0][a], sol[0][b]
    consts = {
        "alpha_single": (2 * N_) ** sp.Rational(1, 4),
        "beta_single": (8 * N_) ** sp.Rational(-1, 4),
        "alpha_dec": (3 * M_) ** sp.Rational(1, 4),
        "beta_dec": (12 * M_) ** sp.Rational(-1, 4),
        "alpha_enc": sp.Rational(81, 100) * (N_**4 * M_) ** sp.Rational(1, 16),
        # torchscale divides the weights by (N^4 M)^(1/16) / 1.15, i.e. multiplies them by 1.15 (N^4 M)^(-1/16)
        "beta_enc": sp.Rational(115, 100) * (N_**4 * M_) ** sp.Rational(-1, 16),
    }
    for (ak, bk), kk in ((("alpha_single", "beta_single"), 2 * N_), (("alpha_dec", "beta_dec"), 3 * M_)):
        if sp.simplify(alpha_k.subs(K_, kk) - consts[ak]) != 0 or sp.simplify(beta_k.subs(K_, kk) - consts[bk]) != 0:
            raise ArithmeticError(f"{ak}, {bk} do not solve the relations with K = {kk}")
    prod_single = sp.simplify(consts["alpha_single"] * consts["beta_single"])
    prod_enc = sp.simplify(consts["alpha_enc"] * consts["beta_enc"])
    beta_enc_recip = (N_**4 * M_) ** sp.Rational(-1, 16) / sp.Rational(115, 100)  # the reciprocal factor 1/1.15
    prod_enc_recip = sp.simplify(consts["alpha_enc"] * beta_enc_recip)
    return Result(
        expr=sp.Tuple(*consts.values()),
        latex=(
            r"\alpha^4=K,\quad \frac{K\,(\beta^2+\beta^2)}{\alpha^2}=1\ \Longrightarrow\ "
            rf"\alpha={sp.latex(alpha_k)},\ \beta={sp.latex(beta_k)},\quad \alpha\beta={sp.latex(prod_single)}"
        ),
        parts={
            **consts,
            "alpha_K": alpha_k,
            "beta_K": beta_k,
            "alpha_beta": prod_single,
            "alpha_beta_enc": prod_enc,
            "beta_enc_reciprocal": beta_enc_recip,
            "alpha_beta_enc_reciprocal": prod_enc_recip,
        },
        symbols={
            "N": "layers of an encoder-only or decoder-only model (or the encoder of an encoder-decoder)",
            "M": "decoder layers of an encoder-decoder",
            "K": "residual sublayers: 2N (attention + FFN) or 3M (self-attention, cross-attention, FFN)",
        },
        text={
            "alpha_single": sp.latex(consts["alpha_single"]),
            "beta_single": sp.latex(consts["beta_single"]),
            "alpha_dec": sp.latex(consts["alpha_dec"]),
            "beta_dec": sp.latex(consts["beta_dec"]),
            "alpha_enc": r"0.81\,(N^4M)^{1/16}",
            "beta_enc": r"1.15\,(N^4M)^{-1/16}",
            "beta_enc_reciprocal": r"(N^4M)^{-1/16}/1.15\approx0.87\,(N^4M)^{-1/16}",
            "alpha_beta_enc": f"{float(prod_enc):.4f}",
            "alpha_beta_enc_reciprocal": f"{float(prod_enc_recip):.4f}",
            "inv_sqrt2": f"{2**-0.5:.4f}",
            "alpha_beta": sp.latex(prod_single),
        },
    )


@deepnorm_constants.check(
    "torchscale's formulas (architecture/encoder.py and decoder.py, as math.pow in float64) for N, M in 1..1000",
    tol=1e-13,
    oracle_zh="torchscale 的公式（architecture/encoder.py 与 decoder.py 中的 math.pow，float64），N、M 取 1…1000",
)
def _() -> float:
    parts = deepnorm_constants.result.parts
    fs = {k: sp.lambdify((N_, M_), parts[k]) for k in ("alpha_single", "beta_single", "alpha_dec", "beta_dec")}
    fe = {k: sp.lambdify((N_, M_), parts[k]) for k in ("alpha_enc", "beta_enc")}
    worst = 0.0
    for n in (1, 6, 12, 100, 1000):
        for m in (1, 6, 18, 500):
            ref = {
                "alpha_single": math.pow(2.0 * n, 0.25),
                "beta_single": 1.0 / math.pow(8.0 * n, 0.25),  # weights are divided by init_scale
                "alpha_dec": math.pow(3.0 * m, 0.25),
                "beta_dec": 1.0 / math.pow(12.0 * m, 0.25),
                "alpha_enc": math.pow(math.pow(n, 4) * m, 0.0625) * 0.81,
                "beta_enc": 1.0 / (math.pow(math.pow(n, 4) * m, 0.0625) / 1.15),  # p.data.div_(init_scale)
            }
            for k, f in {**fs, **fe}.items():
                worst = max(worst, abs(f(n, m) / ref[k] - 1.0))
    return worst


@deepnorm_constants.check(
    "numeric relations at N, M = 1..1000 (float64): alpha^4 = K, 2K beta^2 / alpha^2 = 1, alpha beta = 2^(-1/2)",
    tol=1e-12,
    oracle_zh="在 N、M = 1…1000 上数值核对（float64）：α⁴ = K，2Kβ²/α² = 1，αβ = 2^(−1/2)",
)
def _() -> float:
    parts = deepnorm_constants.result.parts
    worst = 0.0
    for n in range(1, 1001, 37):
        for (ak, bk), k in ((("alpha_single", "beta_single"), 2 * n), (("alpha_dec", "beta_dec"), 3 * n)):
            al = float(parts[ak].subs({N_: n, M_: n}))
            be = float(parts[bk].subs({N_: n, M_: n}))
            worst = max(worst, abs(al**4 / k - 1), abs(2 * k * be**2 / al**2 - 1), abs(al * be * math.sqrt(2) - 1))
    return worst


# --- Fixup ----------------------------------------------------------------------------------------------------------
m_ = sp.Symbol("m", positive=True, integer=True)  # layers per residual branch


@derivation(
    "fixup_scale",
    title="Fixup: last layer of each branch 0, the other m - 1 scaled by c; the first SGD step changes the output by "
    "-eta g sum_l ||h_l||^2 with ||h_l||^2 proportional to c^(2m-2), so L c^(2m-2) = 1 gives c = L^(-1/(2m-2))",
    title_zh="Fixup：每个残差分支的最后一层初始化为 0，其余 m − 1 层乘以 c；第一步 SGD 使输出改变 −η g Σ_l ‖h_l‖²，"
    "而 ‖h_l‖² ∝ c^(2m−2)，故由 L c^(2m−2) = 1 得 c = L^(−1/(2m−2))",
)
def fixup_scale() -> Result:
    """Fixup's rule c = L^(-1/(2m-2)) for L residual branches of m layers with ReLU (positively homogeneous): after
    one SGD step from the zero last layers, the output moves by -eta g sum_l ||h_l||^2 (first order in eta), and each
    ||h_l||^2 scales as c^(2m-2); the total is O(eta) independent of L exactly when L c^(2m-2) = 1."""
    cc = sp.Symbol("c", positive=True)
    for x in (sp.Symbol("x", positive=True), sp.Symbol("x", negative=True), sp.Integer(0)):  # relu(c x) = c relu(x)
        if sp.simplify(sp.Max(cc * x, 0) - cc * sp.Max(x, 0)) != 0:
            raise ArithmeticError("ReLU is not positively homogeneous")
    # h = relu(W_{m-1} ... relu(W_1 x)) with every W_i = c V_i: c^(m-1) times the unscaled h; ||h||^2 gains c^(2m-2)
    per_branch = (cc ** (m_ - 1)) ** 2
    (scale,) = sp.solve(sp.Eq(L_ * per_branch, 1), cc)
    scale = sp.powsimp(sp.simplify(scale), force=True)
    return Result(
        expr=sp.Lambda((L_, m_), scale),
        latex=(
            r"\Delta f=-\eta\,g\sum_{l=1}^{L}\lVert h_l\rVert^2+O(\eta^2),\quad \lVert h_l\rVert^2\propto "
            rf"{sp.latex(sp.powsimp(per_branch, force=True))},\quad L\,c^{{2m-2}}=1\iff c={sp.latex(scale)}"
        ),
        parts={"scale": scale, "per_branch": sp.powsimp(per_branch, force=True)},
        symbols={
            "L": "number of residual branches",
            "m": "layers per branch",
            "c": "scale of the first m - 1 layers (after a standard He initialisation)",
            "h_l": "input of branch l's last layer",
            "g": "dloss/doutput at initialisation",
        },
    )


@fixup_scale.check(
    "torch float64: one SGD step (eta = 1e-6) on L ReLU branches with zero last layers: output change against "
    "-eta g sum ||h_l||^2 (relative 1e-4); with c from the rule, sum ||h_l||^2 / ||x||^2 stays near 1 for L = 4, 64 "
    "and m = 2, 3 (width 64; 16 seeds at L = 4, 4 at L = 64; standard error of the mean at most about 0.05; "
    "tolerance 0.2)",
    tol=0.2,
    needs="torch",
    oracle_zh="torch float64：对 L 个最后一层为 0 的 ReLU 分支做一步 SGD（η = 1e-6），输出的变化与 −η g Σ‖h_l‖² 比较"
    "（相对误差 1e-4）；按该规则取 c 时，Σ‖h_l‖²/‖x‖² 在 L = 4、64 与 m = 2、3 时都接近 1"
    "（宽度 64；L = 4 时 16 个随机种子，L = 64 时 4 个；均值的标准误至多约 0.05；容差 0.2）",
)
def _() -> float:
    import torch

    f = sp.lambdify((L_, m_), fixup_scale.result.parts["scale"])
    width = 64
    worst = 0.0
    for nb in (4, 64):
        for m in (2, 3):
            ratios = []
            for seed in range(16 if nb == 4 else 4):  # 4 branches fluctuate more: more seeds, same cost
                g_ = torch.Generator().manual_seed(seed)
                c = f(nb, m)
                layers = [
                    [
                        torch.randn(width, width, generator=g_, dtype=torch.float64) * math.sqrt(2 / width) * c
                        for _ in range(m - 1)
                    ]
                    + [torch.zeros(width, width, dtype=torch.float64, requires_grad=True)]
                    for _ in range(nb)
                ]
                x = torch.randn(width, generator=g_, dtype=torch.float64)
                target = torch.randn(width, generator=g_, dtype=torch.float64)

                def net(x=x, layers=layers):
                    hs, y = [], x
                    for branch in layers:
                        h = y
                        for w in branch[:-1]:
                            h = torch.relu(w @ h)
                        hs.append(h)
                        y = y + branch[-1] @ h
                    return y, hs

                y0, hs = net()
                loss = 0.5 * ((y0 - target) ** 2).sum()
                grads = torch.autograd.grad(loss, [b[-1] for b in layers])
                eta = 1e-6
                with torch.no_grad():
                    for b, gr in zip(layers, grads, strict=True):
                        b[-1] -= eta * gr
                    y1, _ = net()
                    gvec = y0 - target
                    pred = -eta * gvec * sum(float(h @ h) for h in hs)
                    worst = max(worst, 1e3 * float((y1 - y0 - pred).norm() / pred.norm()))  # 1e-4 -> 0.1
                    ratios.append(sum(float(h @ h) for h in hs) / float(x @ x))
            worst = max(worst, abs(float(np.mean(ratios)) - 1.0))
    return worst


# --- ReZero / SkipInit ----------------------------------------------------------------------------------------------
REZERO_BLOCKS = 8  # blocks in the stack the torch check builds


@derivation(
    "rezero_identity",
    title="ReZero: x_{l+1} = x_l + a_l F(x_l) with a_l = 0 at initialisation: every block's Jacobian is I, so the "
    "network's input-output Jacobian is I, while dl/da_l = g^T F(x_l) is in general not 0",
    title_zh="ReZero：x_{l+1} = x_l + a_l F(x_l)，初始化时 a_l = 0：每块的雅可比矩阵都是 I，因而整个网络的输入–输出"
    "雅可比矩阵为 I，而 ∂ℓ/∂a_l = gᵀF(x_l) 一般不为 0",
)
def rezero_identity() -> Result:
    """d(x + a F(x))/dx = I + a dF/dx (derived for two features and an arbitrary smooth F), which is I at a = 0;
    d(x + a F(x))/da = F(x), so the gradient reaches a_l even though the block is the identity."""
    xs = sp.Matrix(sp.symbols("x1 x2", real=True))
    a = sp.Symbol("a", real=True)
    f1, f2 = sp.Function("F1"), sp.Function("F2")
    fx = sp.Matrix([f1(*xs), f2(*xs)])
    block = xs + a * fx
    jac = block.jacobian(xs)
    at0 = jac.subs(a, 0)
    if at0 != sp.eye(2):
        raise ArithmeticError("the block Jacobian at a = 0 is not I")
    d_a = block.diff(a)
    return Result(
        expr=sp.ImmutableMatrix(at0),
        latex=(
            r"\frac{\partial x_{l+1}}{\partial x_l}=I+a_l\frac{\partial F}{\partial x_l}\ \overset{a_l=0}{=}\ "
            rf"{sp.latex(at0)},\quad \prod_l\frac{{\partial x_{{l+1}}}}{{\partial x_l}}=I,\quad "
            r"\frac{\partial x_{l+1}}{\partial a_l}=F(x_l)"
        ),
        parts={"jacobian_at_zero": at0, "jacobian": jac, "d_da": d_a},
        text={"blocks": str(REZERO_BLOCKS)},  # the depth of the stack the torch check builds
        symbols={"a": "ReZero's residual weight a_l (0 at initialisation)", "F": "the residual branch"},
    )


@rezero_identity.check(
    f"torch.autograd.functional.jacobian of a ReZero stack of {REZERO_BLOCKS} blocks (branches tanh(W_l x), "
    "float64, a_l = 0): equal to I entrywise; torch's dl/da_l against g^T F(x_l)",
    tol=1e-12,
    needs="torch",
    oracle_zh=f"用 torch.autograd.functional.jacobian 求 {REZERO_BLOCKS} 块 ReZero 堆叠（分支为 tanh(W_l x)，float64，"
    "a_l = 0）的雅可比矩阵：逐元素等于 I；并把 torch 的 ∂ℓ/∂a_l 与 gᵀF(x_l) 比较",
)
def _() -> float:
    import torch

    g_ = torch.Generator().manual_seed(7)
    n = 2  # the derivation's two features: the first block's Jacobian is compared with the part entrywise
    ws = [torch.randn(n, n, generator=g_, dtype=torch.float64) for _ in range(REZERO_BLOCKS)]
    alphas = torch.zeros(REZERO_BLOCKS, dtype=torch.float64, requires_grad=True)

    def net(x):
        for w, al in zip(ws, alphas, strict=True):
            x = x + al * torch.tanh(w @ x)
        return x

    x0 = torch.randn(n, generator=g_, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(net, x0).numpy()
    want = np.array(rezero_identity.result.parts["jacobian_at_zero"], dtype=float)
    y = net(x0)
    gvec = torch.randn(n, generator=g_, dtype=torch.float64)
    (ga,) = torch.autograd.grad((y * gvec).sum(), [alphas])
    pred = torch.stack([gvec @ torch.tanh(w @ x0) for w in ws])  # x_l = x_0 for every block at a = 0
    return max(float(np.max(np.abs(jac - want))), float((ga - pred).abs().max()))


# --- variance-scaled residual branches: a bounded factor over depth -------------------------------------------------
@derivation(
    "scaled_residual_product",
    title="prod_{l=1}^L (1 + c/L) increases with L to e^c: branches with Jacobian norm <= c/L, or variance "
    "c/L relative to the stream, change the gradient or the variance by at most the factor e^c at any depth",
    title_zh="∏_{l=1}^L (1 + c/L) 随 L 单调增加并趋于 e^c：若各分支的雅可比矩阵范数 ≤ c/L，"
    "或相对残差流增加的方差为 c/L，则任意深度下梯度或方差的变化因子都不超过 e^c",
)
def scaled_residual_product() -> Result:
    """(1 + c/L)^L -> e^c as L -> oo, increasing in L for c > 0 (so it never exceeds e^c); hence
    ||prod (I + A_l)|| <= prod (1 + ||A_l||) <= e^c when every ||A_l|| <= c/L, and a linear residual stream with
    E||A_l x||^2 = (c/L) ||x||^2 and independent zero-mean A_l has E||x_L||^2 = (1 + c/L)^L ||x_0||^2, at most
    e^c ||x_0||^2."""
    prod = (1 + c_ / L_) ** L_
    lim = sp.limit(prod, L_, sp.oo)
    t = sp.Symbol("t", positive=True)
    # d/dL [L log(1 + c/L)] = log(1 + t) - t/(1 + t) with t = c/L; it is 0 at t = 0 with derivative t/(1+t)^2 > 0
    dlog = sp.simplify(sp.diff(L_ * sp.log(1 + c_ / L_), L_).subs(c_, t * L_))
    growth = sp.simplify(sp.diff(dlog, t))
    if dlog.subs(t, 0) != 0 or not growth.is_positive:
        raise ArithmeticError("(1 + c/L)^L is not increasing in L")
    return Result(
        expr=sp.Tuple(prod, lim),
        latex=(
            rf"\prod_{{l=1}}^{{L}}\Bigl(1+\frac cL\Bigr)={sp.latex(prod)}\ \nearrow\ {sp.latex(lim)}"
            r",\quad \Bigl\lVert\prod_l(I+A_l)\Bigr\rVert_2\le\prod_l\bigl(1+\lVert A_l\rVert_2\bigr)\le e^{c}"
        ),
        parts={"product": prod, "limit": lim, "dlog_dL": dlog, "dlog_growth": growth},
        symbols={"c": "total branch budget (> 0)", "L": "number of residual blocks", "A_l": "branch Jacobians"},
    )


@scaled_residual_product.check(
    "mpmath (30 digits): (1 + c/L)^L at L = 10^k, k = 0..8, c in {0.5, 1, 3}: increasing, below e^c, within "
    "c^2 e^c / (2L) of it",
    tol=1e-20,
    oracle_zh="mpmath（30 位有效数字）：c 取 0.5、1、3，L = 10^k（k = 0…8）时的 (1 + c/L)^L：单调增加、小于 e^c，"
    "且与 e^c 之差不超过 c² e^c/(2L)",
)
def _() -> float:
    import mpmath

    parts = scaled_residual_product.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(30):
        for cv in ("0.5", "1", "3"):
            c = mpmath.mpf(cv)
            lim = mpmath.mpf(sp.N(parts["limit"].subs(c_, sp.Rational(cv)), 35))
            prev = mpmath.mpf(0)
            for k in range(9):
                n = mpmath.mpf(10) ** k
                val = (1 + c / n) ** n
                worst = max(worst, prev - val, val - lim, (lim - val) - c**2 * lim / (2 * n))
                prev = val
    return float(max(worst, 0))


@scaled_residual_product.check(
    "seeded Monte Carlo: linear residual stream x + A_l x, A_l ~ N(0, c/(dL)), d = 32, L = 50, c = 1, 400 runs: "
    "mean ||x_L||^2 / ||x_0||^2 against (1 + c/L)^L (standard error about 1.5 %; tolerance 6 %)",
    tol=0.06,
    oracle_zh="固定随机种子的蒙特卡罗：线性残差流 x + A_l x，A_l ~ N(0, c/(dL))，d = 32，L = 50，c = 1，重复 400 次："
    "‖x_L‖²/‖x_0‖² 的均值与 (1 + c/L)^L 比较（标准误约 1.5%，容差 6%）",
)
def _() -> float:
    f = sp.lambdify((c_, L_), scaled_residual_product.result.parts["product"])
    rng = np.random.default_rng(31)
    dim, depth, runs = 32, 50, 400
    ratios = []
    for _ in range(runs):
        x = rng.normal(size=dim)
        x0 = x @ x
        a = rng.normal(size=(depth, dim, dim)) * np.sqrt(1.0 / (dim * depth))
        for al in a:
            x = x + al @ x
        ratios.append((x @ x) / x0)
    return abs(float(np.mean(ratios)) / f(1.0, depth) - 1.0)
