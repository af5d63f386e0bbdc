"""Residual connections: the Jacobian of x_{l+1} = x_l + F(x_l) is I + dF/dx_l, and what that does to gradients.

Conventions: column vectors; Jacobians J = dx_{l+1}/dx_l (rows index outputs); the backward pass multiplies the
gradient (a row vector) by J from the right, i.e. the column gradient by J^T. Norms are 2-norms (largest singular
value for matrices). The residual branch in the examples is F(x) = W2 tanh(W1 x) or alpha * tanh(W x).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.oracles.finite import central_diff
from derivations.sym import sci_latex

_X = sp.Matrix(sp.symbols("x1 x2", real=True))
_W1 = sp.Matrix(2, 2, sp.symbols("a11 a12 a21 a22", real=True))
_W2 = sp.Matrix(2, 2, sp.symbols("b11 b12 b21 b22", real=True))
L = sp.Symbol("L", integer=True, positive=True)


@derivation(
    "residual_jacobian",
    title="x_{l+1} = x_l + F(x_l) gives dx_{l+1}/dx_l = I + dF/dx_l; over L blocks the product expands into 2^L paths,"
    " the identity path among them",
    title_zh="x_{l+1} = x_l + F(x_l) 的雅可比矩阵为 I + ∂F/∂x_l；L 个块的乘积展开为 2^L 条路径，其中包含恒等路径",
)
def residual_jacobian() -> Result:
    pre = _W1 * _X
    branch = _W2 * pre.applyfunc(sp.tanh)
    jac = (_X + branch).jacobian(_X)
    formula = sp.eye(2) + _W2 * sp.diag(*[1 - sp.tanh(v) ** 2 for v in pre]) * _W1
    if sp.simplify(jac - formula) != sp.zeros(2, 2):
        raise ArithmeticError("Jacobian of the residual block is not I + W2 D W1")
    a1, a2, a3 = sp.symbols("A1 A2 A3", commutative=False)
    product = sp.expand((1 + a3) * (1 + a2) * (1 + a1))  # dx_3/dx_0 = (I + A3)(I + A2)(I + A1)
    n_paths = len(sp.Add.make_args(product))
    if n_paths != 2**3 or 1 not in sp.Add.make_args(product):
        raise ArithmeticError("expansion does not have 2^L terms including the identity")
    nrm = sp.symbols("n1:4", nonnegative=True)  # ||A_k||
    upper = sp.Mul(*[1 + v for v in nrm])  # submultiplicativity and the triangle inequality
    upper_exp = sp.exp(sum(nrm))  # 1 + x <= e^x
    u = sp.Symbol("u", nonnegative=True)
    gap = sp.exp(u) - 1 - u  # 0 at u = 0 with derivative e^u - 1 >= 0, so 1 + u <= e^u
    if gap.subs(u, 0) != 0 or sp.solveset(sp.diff(gap, u) < 0, u, sp.Interval(0, sp.oo)) != sp.S.EmptySet:
        raise ArithmeticError("1 + u <= e^u failed")
    return Result(
        expr=sp.Tuple(sp.ImmutableMatrix(formula), product),
        latex=(
            r"\frac{\partial x_{l+1}}{\partial x_l}=I+\frac{\partial F}{\partial x_l}"
            r"\ \bigl(=I+W_2\,\operatorname{diag}(1-\tanh^2(W_1x_l))\,W_1\bigr),\quad"
            r"\frac{\partial x_3}{\partial x_0}=I+" + sp.latex(product - 1) + r",\quad"
            r"\Bigl\lVert\prod_k(I+A_k)\Bigr\rVert_2\le\prod_k(1+\lVert A_k\rVert_2)\le e^{\sum_k\lVert A_k\rVert_2}"
        ),
        parts={
            "jacobian": jac,
            "jacobian_formula": formula,
            "product_3": product,
            "paths_3": sp.Integer(n_paths),
            "paths": 2**L,
            "upper_bound_3": upper,
            "upper_bound_exp_3": upper_exp,
        },
        symbols={
            "x1, x2": "block input",
            "a_ij": "entries of W1",
            "b_ij": "entries of W2",
            "A_k": "dF_k/dx_{k-1}, non-commuting",
            "n_k": "||A_k||_2",
        },
    )


def _block(x: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    return x + w2 @ np.tanh(w1 @ x)


@residual_jacobian.check(
    "central finite differences (float64) of a seeded 6-dim residual block",
    tol=1e-8,
    oracle_zh="固定随机种子的 6 维残差块的中心有限差分（float64）",
)
def _() -> float:
    rng = np.random.default_rng(16)
    w1, w2, x = rng.normal(size=(6, 6)), rng.normal(size=(6, 6)), rng.normal(size=6)
    fd = np.stack(
        [
            central_diff(lambda h, e=e: np.array([_block(x + v * e, w1, w2) for v in h]), np.array([0.0]))[0]
            for e in np.eye(6)
        ],
        axis=1,
    )
    analytic = np.eye(6) + w2 @ np.diag(1 - np.tanh(w1 @ x) ** 2) @ w1
    sym = sp.lambdify((*_X, *_W1, *_W2), residual_jacobian.result.parts["jacobian_formula"])
    two = np.array(sym(*x[:2], *w1[:2, :2].ravel(), *w2[:2, :2].ravel()), dtype=float)
    w1s, w2s = w1[:2, :2], w2[:2, :2]
    two_np = np.eye(2) + w2s @ np.diag(1 - np.tanh(w1s @ x[:2]) ** 2) @ w1s
    return max(float(np.max(np.abs(fd - analytic))), float(np.max(np.abs(two - two_np))))


@residual_jacobian.check(
    "torch autograd jacobian of 3 blocks (float64) vs the product and its norm bound",
    tol=1e-12,
    needs="torch",
    oracle_zh="三个残差块的 PyTorch 自动微分雅可比矩阵（float64），与连乘积及其范数上界比较",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(17)
    ws = [(rng.normal(size=(5, 5)) * 0.4, rng.normal(size=(5, 5)) * 0.4) for _ in range(3)]
    x0 = rng.normal(size=5)

    def net(x: torch.Tensor) -> torch.Tensor:
        for w1, w2 in ws:
            x = x + torch.tensor(w2) @ torch.tanh(torch.tensor(w1) @ x)
        return x

    jac = torch.autograd.functional.jacobian(net, torch.tensor(x0)).numpy()
    x, prod, bound = x0.copy(), np.eye(5), 1.0
    for w1, w2 in ws:
        a_k = w2 @ np.diag(1 - np.tanh(w1 @ x) ** 2) @ w1
        prod = (np.eye(5) + a_k) @ prod
        bound *= 1 + np.linalg.norm(a_k, 2)
        x = _block(x, w1, w2)
    return max(float(np.max(np.abs(jac - prod))), max(0.0, np.linalg.norm(jac, 2) - bound))


# --- figure data ----------------------------------------------------------------------------------------------
def gradient_norm_ratio(depth: int, skip: bool, alpha: float = 1.0, width: int = 64, seed: int = 0) -> float:
    """||dL/dx_0|| / ||dL/dx_L|| for x_{l+1} = tanh(W_l x_l) (plain) or x_l + alpha tanh(W_l x_l) (skip).

    Weights N(0, 1/width) (LeCun/Glorot scale for square layers), input and dL/dx_L standard normal, seeded;
    manual backpropagation in float64 (the column gradient is multiplied by J^T at each block).
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=width)
    ws = [rng.normal(scale=1 / math.sqrt(width), size=(width, width)) for _ in range(depth)]
    zs = []
    for wm in ws:
        z = wm @ x
        zs.append(z)
        x = x + alpha * np.tanh(z) if skip else np.tanh(z)
    g = rng.normal(size=width)
    g_last = np.linalg.norm(g)
    for wm, z in zip(ws[::-1], zs[::-1], strict=True):
        through_branch = wm.T @ ((alpha if skip else 1.0) * (1 - np.tanh(z) ** 2) * g)
        g = g + through_branch if skip else through_branch
    return float(np.linalg.norm(g) / g_last)


def figure_data_gradient_norm_vs_depth(
    depths: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100), seeds: int = 5, width: int = 64
) -> dict:
    """Geometric mean over seeds of ||dL/dx_0|| / ||dL/dx_L|| vs depth: plain tanh, skips, skips with alpha = 0.1."""
    out: dict = {"depth": np.array(depths)}
    for name, skip, alpha in (("plain", False, 1.0), ("residual", True, 1.0), ("residual_alpha_0.1", True, 0.1)):
        out[name] = np.array(
            [
                math.exp(np.mean([math.log(gradient_norm_ratio(d, skip, alpha, width, s)) for s in range(seeds)]))
                for d in depths
            ]
        )
    return out


SCALED_CASE = {"width": 64, "seeds": 5, "alpha": 0.1}  # the figure's scaled-branch curve


@derivation(
    "residual_scaled_branch_depth",
    title="One-layer tanh branches x + 0.1 tanh(W x), W ~ N(0, 1/64), geometric mean over 5 seeds: "
    "||dL/dx_0|| / ||dL/dx_L|| stays within 16 % of 1 up to depth 100",
    title_zh="单层 tanh 分支 x + 0.1·tanh(Wx)，W ~ N(0, 1/64)，对 5 个随机种子取几何平均："
    "深度不超过 100 时，‖∂L/∂x_0‖ / ‖∂L/∂x_L‖ 与 1 相差不到 16%",
)
def residual_scaled_branch_depth() -> Result:
    d = figure_data_gradient_norm_vs_depth(seeds=SCALED_CASE["seeds"], width=SCALED_CASE["width"])
    ratios = d["residual_alpha_0.1"]
    dev = float(np.max(np.abs(ratios - 1.0)))
    depth_max = int(d["depth"][-1])
    pct = math.ceil(100 * dev)
    return Result(
        expr=sp.Tuple(*(sp.nsimplify(SCALED_CASE[k]) for k in ("width", "seeds", "alpha")), sp.Integer(depth_max)),
        latex=(
            r"x_{l+1}=x_l+\alpha\tanh(W_lx_l),\ W_l\sim N(0,\tfrac1n),\ n="
            + str(SCALED_CASE["width"])
            + r",\ \alpha="
            + f"{SCALED_CASE['alpha']:g}"
            + r":\quad \max_{L\le"
            + str(depth_max)
            + r"}\Bigl|\Bigl(\prod_{s=1}^{"
            + str(SCALED_CASE["seeds"])
            + r"}\frac{\lVert\partial L/\partial x_0\rVert_s}{\lVert\partial L/\partial x_L\rVert_s}\Bigr)^{1/"
            + str(SCALED_CASE["seeds"])
            + rf"}}-1\Bigr|\approx{dev:.4f}<{pct / 100:g}"
        ),
        parts={
            "ratios": sp.Tuple(*(sp.Float(float(v), 15) for v in ratios)),
            "depths": sp.Tuple(*(sp.Integer(int(v)) for v in d["depth"])),
            "max_deviation": sp.Float(dev, 15),
        },
        text={
            "max_deviation_percent": str(pct),
            "depth_max": str(depth_max),
            "width": str(SCALED_CASE["width"]),
            "seeds": str(SCALED_CASE["seeds"]),
            "alpha": f"{SCALED_CASE['alpha']:g}",
        },
        symbols={"alpha": "branch scale", "n": "width", "L": "depth (number of blocks)"},
    )


@residual_scaled_branch_depth.check(
    "central finite differences (float64) of g . x_L in each component of x_0, same seeded nets, geometric mean over "
    "the seeds, every depth (relative)",
    tol=1e-6,
    oracle_zh="对同一批固定随机种子的网络，用中心有限差分（float64）求 g·x_L 对 x_0 各分量的导数，"
    "对各种子取几何平均，覆盖每个深度（相对误差）",
)
def _() -> float:
    p = residual_scaled_branch_depth.result.parts
    width, seeds, alpha = SCALED_CASE["width"], SCALED_CASE["seeds"], SCALED_CASE["alpha"]
    worst = 0.0
    for depth, ratio in zip(p["depths"], p["ratios"], strict=True):
        logs = []
        for seed in range(seeds):
            rng = np.random.default_rng(seed)  # the draws of gradient_norm_ratio, in the same order
            x0 = rng.normal(size=width)
            ws = [rng.normal(scale=1 / math.sqrt(width), size=(width, width)) for _ in range(int(depth))]
            g = rng.normal(size=width)

            def out(x: np.ndarray, ws: list = ws, g: np.ndarray = g) -> float:
                for wm in ws:
                    x = x + alpha * np.tanh(wm @ x)
                return float(g @ x)

            h = 1e-6
            grad = np.array([(out(x0 + h * e) - out(x0 - h * e)) / (2 * h) for e in np.eye(width)])
            logs.append(math.log(np.linalg.norm(grad) / np.linalg.norm(g)))
        worst = max(worst, abs(math.exp(float(np.mean(logs))) / float(ratio) - 1.0))
    dev = max(abs(float(r) - 1.0) for r in p["ratios"])
    return worst + abs(dev - float(p["max_deviation"]))


# --- exercise: branches scaled by 1/L bound the product of block Jacobians on both sides -------------------------
@derivation(
    "residual_branch_scaling_bound",
    title="||A_k|| <= a < L: every singular value of prod_k (I + A_k/L) lies in [(1 - a/L)^L, (1 + a/L)^L], "
    "which tend to e^-a and e^a; unscaled branches allow (1 + a)^L",
    title_zh="若 ‖A_k‖ ≤ a < L：∏_k (I + A_k/L) 的每个奇异值都在 [(1 − a/L)^L, (1 + a/L)^L] 内，"
    "两端分别趋于 e^(−a) 与 e^a；分支不缩放时上界为 (1 + a)^L",
)
def residual_branch_scaling_bound() -> Result:
    """Block Jacobians I + A_k/L with ||A_k||_2 <= a (largest singular value): ||I + A/L|| <= 1 + a/L by the triangle
    inequality and sigma_min(I + A/L) >= 1 - a/L (Weyl), both submultiplicative over the product of L blocks."""
    a_ = sp.Symbol("a", positive=True)
    upper, lower, unscaled = (1 + a_ / L) ** L, (1 - a_ / L) ** L, (1 + a_) ** L
    lim_up, lim_lo = sp.limit(upper, L, sp.oo), sp.limit(lower, L, sp.oo)
    if sp.simplify(lim_up - sp.exp(a_)) != 0 or sp.simplify(lim_lo - sp.exp(-a_)) != 0:
        raise ArithmeticError("unexpected limits")
    ex = {a_: sp.Integer(1), L: sp.Integer(100)}
    return Result(
        expr=sp.Tuple(sp.Lambda((a_, L), upper), sp.Lambda((a_, L), lower), lim_up, lim_lo),
        latex=(
            r"\Bigl(1-\frac aL\Bigr)^{L}\le\sigma_{\min}\Bigl(\prod_{k=1}^{L}\bigl(I+\tfrac{A_k}{L}\bigr)\Bigr),\quad"
            r"\Bigl\lVert\prod_{k=1}^{L}\bigl(I+\tfrac{A_k}{L}\bigr)\Bigr\rVert_2\le\Bigl(1+\frac aL\Bigr)^{L}"
            rf";\quad L\to\infty:\ {sp.latex(lim_lo)},\ {sp.latex(lim_up)}"
        ),
        parts={
            "upper": upper,
            "lower": lower,
            "unscaled_upper": unscaled,
            "limit_upper": lim_up,
            "limit_lower": lim_lo,
            "a_example": ex[a_],
            "L_example": ex[L],
            "upper_example": upper.subs(ex),
            "lower_example": lower.subs(ex),
            "unscaled_example": unscaled.subs(ex),
        },
        text={
            "upper_example": f"{float(upper.subs(ex)):.4f}",
            "lower_example": f"{float(lower.subs(ex)):.4f}",
            "unscaled_example": sci_latex(float(unscaled.subs(ex)), 3),
            "L_example": str(ex[L]),
        },
        symbols={"a": "bound on ||A_k||_2", "L": "number of blocks", "A_k": "Jacobian of the k-th branch"},
    )


@residual_branch_scaling_bound.check(
    "mpmath (30 digits): (1 +- 1/100)^100, e^{+-1} and 2^100 against the derived values",
    tol=1e-25,
    oracle_zh="mpmath（30 位）：(1 ± 1/100)^100、e^(±1) 与 2^100，和推导值比较",
)
def _() -> float:
    p = residual_branch_scaling_bound.result.parts
    with mpmath.workdps(30):
        vals = {
            "upper_example": (1 + mpmath.mpf(1) / 100) ** 100,
            "lower_example": (1 - mpmath.mpf(1) / 100) ** 100,
            "unscaled_example": mpmath.mpf(2) ** 100,
        }
        errs = [abs(v / mpmath.mpf(str(sp.N(p[k], 40))) - 1) for k, v in vals.items()]
        one = {sp.Symbol("a", positive=True): 1}
        errs.append(abs(mpmath.e - mpmath.mpf(str(sp.N(p["limit_upper"].subs(one), 40)))))
        errs.append(abs(1 / mpmath.e - mpmath.mpf(str(sp.N(p["limit_lower"].subs(one), 40)))))
        return float(max(errs))


@residual_branch_scaling_bound.check(
    "numpy, seeded: 100 blocks I + A_k/100 with random 16x16 A_k scaled to ||A_k||_2 = 1, and A_k = +-I (bounds "
    "attained): extreme singular values of the product inside the derived interval",
    tol=1e-12,
    oracle_zh="NumPy，固定随机种子：100 个块 I + A_k/100，A_k 为随机 16×16 矩阵并缩放到 ‖A_k‖₂ = 1，"
    "另取 A_k = ±I（取到上下界）：乘积的最大、最小奇异值落在推导出的区间内",
)
def _() -> float:
    p = residual_branch_scaling_bound.result.parts
    nl = int(p["L_example"])
    up, lo = float(p["upper_example"]), float(p["lower_example"])
    rng = np.random.default_rng(23)
    prod = np.eye(16)
    for _ in range(nl):
        a_k = rng.normal(size=(16, 16))
        prod = (np.eye(16) + a_k / np.linalg.norm(a_k, 2) / nl) @ prod
    sv = np.linalg.svd(prod, compute_uv=False)
    attained = [
        abs(np.linalg.norm(np.linalg.matrix_power(np.eye(16) * (1 + s / nl), nl), 2) - b)
        for s, b in ((1, up), (-1, lo))
    ]
    return max(0.0, sv[0] - up, lo - sv[-1], *attained)
