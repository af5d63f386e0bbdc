"""Why clipping helps, and its modern forms: (L0, L1)-smoothness of x^4, gradient descent versus clipped descent on
it, unit-wise adaptive gradient clipping, Pascanu's regulariser, the Huber loss as a clipped error, and randomized
truncation of backpropagation through time.

Conventions: f(x) = x^4 (not x^4/4), so f'(x) = 4x^3; gradient descent x_{k+1} = x_k - eta f'(x_k) with step eta > 0;
clipped descent replaces f'(x) by clip_c(f'(x)) = sign(f'(x)) min(|f'(x)|, c) (clipping by norm in one dimension).
Matrices are in PyTorch's (out, in) layout: a unit is a row. Jacobians are in numerator layout (one row per output),
and the backpropagated error dE/dx is a row vector. Huber_delta(r) = r^2/2 for |r| <= delta, delta (|r| - delta/2)
otherwise (torch.nn.functional.huber_loss). Randomized truncation: at each step back the recursion continues with
probability p and the surviving term is multiplied by 1/p (xi = 1/p with probability p, 0 otherwise).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.core import Result, derivation

x = sp.Symbol("x", real=True)
eta = sp.Symbol("eta", positive=True)  # step size
c = sp.Symbol("c", positive=True)  # clipping threshold
L1 = sp.Symbol("L_1", positive=True)
r = sp.Symbol("r", real=True)  # residual
delta = sp.Symbol("delta", positive=True)
a = sp.Symbol("a", positive=True)  # per-step factor of the scalar recurrence
p = sp.Symbol("p", positive=True)  # probability of continuing one more step back
k = sp.Symbol("k", integer=True, nonnegative=True)

F_QUARTIC = x**4
EXAMPLE_ETA = sp.Rational(1, 10)
EXAMPLE_C = sp.Integer(10)


def _quartic_map(eta_v, c_v=None):
    """x -> x - eta f'(x) for f = x^4, with f' clipped by norm at c_v if given; works on floats and mpf."""

    def step(u):
        g = 4 * u**3
        if c_v is not None and abs(g) > c_v:
            g = c_v if g > 0 else -c_v
        return u - eta_v * g

    return step


# --- (L0, L1)-smoothness of x^4 -------------------------------------------------------------------------------
@derivation(
    "quartic_l0l1_smooth",
    title="f = x^4: |f''| <= L0 + L1 |f'| holds with L0 = 16/L1^2 (tight), e.g. (L0, L1) = (1, 4); f'' is unbounded",
    title_zh="f = x⁴：|f″| ≤ L₀ + L₁|f′| 在 L₀ = 16/L₁² 时成立，且这个 L₀ 不能再小，例如 (L₀, L₁) = (1, 4)；f″ 无界",
)
def quartic_l0l1_smooth() -> Result:
    """f(x) = x^4 is (L0, L1)-smooth with the smallest L0 = 16/L1^2 for each L1 > 0 (attained at |x| = 2/L1), and is
    not L-smooth for any L because f''(x) = 12 x^2 is unbounded."""
    f1 = sp.diff(F_QUARTIC, x)
    f2 = sp.diff(F_QUARTIC, x, 2)
    u = sp.Symbol("u", positive=True)  # |x|; f'' and |f'| are even in x
    slack = f2.subs(x, u) - L1 * sp.Abs(f1).subs(x, u)  # L0 must be at least this for every u
    crit = sp.solve(sp.diff(slack, u), u)
    (u_star,) = [s for s in crit if s.is_positive]
    if not sp.diff(slack, u, 2).subs(u, u_star).is_negative:
        raise ArithmeticError("critical point of the slack is not a maximum")
    l0 = sp.simplify(slack.subs(u, u_star))
    l0_at_4 = l0.subs(L1, 4)
    if sp.limit(f2, x, sp.oo) != sp.oo:
        raise ArithmeticError("f'' should be unbounded")
    return Result(
        expr=sp.Lambda(L1, l0),
        latex=(
            rf"f(x)=x^4:\quad |f''(x)|={sp.latex(f2)}\le L_0+L_1|f'(x)|=L_0+4L_1|x|^3"
            rf"\iff L_0\ge {sp.latex(l0)}"
        ),
        parts={
            "f1": f1,
            "f2": f2,
            "L0_of_L1": l0,
            "argmax": u_star,
            "L0_at_L1_4": l0_at_4,
            "smoothness_condition": sp.Le(f2, l0_at_4 + 4 * sp.Abs(f1)),
        },
        symbols={"L_1": "coefficient of |f'| (> 0)", "x": "the parameter (real)"},
        text={"L0_at_L1_4": sp.latex(l0_at_4), "argmax_at_L1_4": sp.latex(u_star.subs(L1, 4))},
    )


@quartic_l0l1_smooth.check(
    "numpy: max over a 10^6-point grid of 12x^2 - 4 L1 |x|^3 for L1 in {1/2, 1, 4, 10}, relative error",
    tol=1e-8,
    oracle_zh="NumPy：在 10⁶ 个格点上求 12x² − 4L₁|x|³ 的最大值（L₁ 取 1/2、1、4、10），计算相对误差",
)
def _() -> float:
    f = sp.lambdify(L1, quartic_l0l1_smooth.result.parts["L0_of_L1"], "math")
    worst = 0.0
    for l1 in (0.5, 1.0, 4.0, 10.0):
        u = np.linspace(0.0, 6.0 / l1, 1_000_001)
        worst = max(worst, abs(float(np.max(12 * u**2 - 4 * l1 * u**3)) - f(l1)) / f(l1))
    return worst


# --- gradient descent on x^4: the exact divergence threshold ---------------------------------------------------
@derivation(
    "quartic_gd_threshold",
    title="GD on f = x^4 with step eta: x -> x - 4 eta x^3 converges to 0 iff |x0| < 1/sqrt(2 eta), diverges iff >",
    title_zh="在 f = x⁴ 上以步长 η 做梯度下降：x → x − 4ηx³，当且仅当 |x₀| < 1/√(2η) 时收敛到 0，"
    "当且仅当 |x₀| > 1/√(2η) 时发散",
)
def quartic_gd_threshold() -> Result:
    """Gradient descent x_{k+1} = x_k - eta 4 x_k^3 on f = x^4 converges to 0 iff |x_0| < 1/sqrt(2 eta), stays on
    the 2-cycle +-1/sqrt(2 eta) at equality, and diverges iff |x_0| > 1/sqrt(2 eta)."""
    phi = x - eta * sp.diff(F_QUARTIC, x)
    factor = sp.factor(phi / x)  # phi(x) = x (1 - 4 eta x^2)
    # |phi(x)| < |x|  <=>  |1 - 4 eta x^2| < 1  <=>  0 < 4 eta x^2 < 2 (x != 0)
    shrink = sp.solve_univariate_inequality(sp.Abs(factor) < 1, x, relational=False)
    grow = sp.solve_univariate_inequality(sp.Abs(factor) > 1, x, relational=False)
    cycle = [s for s in sp.solve(sp.Eq(phi, -x), x) if s.is_positive]
    (x_star,) = cycle
    if shrink != sp.Union(sp.Interval.open(-x_star, 0), sp.Interval.open(0, x_star)):
        raise ArithmeticError(f"unexpected contraction set {shrink}")
    if grow != sp.Union(sp.Interval.open(-sp.oo, -x_star), sp.Interval.open(x_star, sp.oo)):
        raise ArithmeticError(f"unexpected growth set {grow}")
    multiplier = sp.simplify(sp.diff(phi, x).subs(x, x_star) ** 2)  # of the 2-cycle; > 1: repelling
    ex = x_star.subs(eta, EXAMPLE_ETA)
    if sp.simplify(factor - (1 - 4 * eta * x**2)) != 0 or sp.simplify(x_star - 1 / sp.sqrt(2 * eta)) != 0:
        raise ArithmeticError("display forms do not match the derived ones")
    return Result(
        expr=sp.Lambda(eta, x_star),
        latex=(
            r"x_{k+1}=x_k-\eta f'(x_k)=\bigl(1-4\eta x_k^2\bigr)\,x_k;\quad"
            r"|x_{k+1}|>|x_k|\iff |x_k|>\frac{1}{\sqrt{2\eta}}"
        ),
        parts={
            "step_map": phi,
            "factor": factor,
            "threshold": x_star,
            "cycle_multiplier": multiplier,
            "threshold_example": ex,
        },
        symbols={"eta": "step size (> 0)", "x": "the iterate"},
        text={
            "threshold_example": sp.latex(ex),
            "threshold_example_dec": f"{float(ex):.4f}",
            "eta_example": sp.latex(EXAMPLE_ETA),
            "cycle_multiplier": sp.latex(multiplier),
        },
    )


@quartic_gd_threshold.check(
    "mpmath (40 digits): bisection on x0 between convergence and divergence of the iterated map, eta in {1/10, 1/1000}",
    tol=1e-25,
    oracle_zh="mpmath（40 位）：迭代该映射，以收敛还是发散为判据对 x₀ 做二分查找，η 取 1/10 与 1/1000",
)
def _() -> float:
    import mpmath as mp

    thr = sp.lambdify(eta, quartic_gd_threshold.result.parts["threshold"], "mpmath")
    worst = 0.0
    with mp.workdps(40):
        for eta_v in (mp.mpf(1) / 10, mp.mpf(1) / 1000):
            step = _quartic_map(eta_v)
            lo, hi = mp.mpf(0), mp.mpf(1)
            while True:  # find an upper start that diverges
                u = hi
                for _ in range(400):
                    u = step(u)
                    if abs(u) > 1e6 * hi:
                        break
                if abs(u) > 1e6 * hi:
                    break
                lo, hi = hi, 2 * hi
            for _ in range(110):
                mid = (lo + hi) / 2
                u = mid
                for _ in range(400):
                    u = step(u)
                    if abs(u) > 10 * mid or abs(u) < mid / 2:
                        break
                lo, hi = (mid, hi) if abs(u) < mid / 2 else (lo, mid)
            worst = max(worst, float(abs((lo + hi) / 2 - thr(eta_v)) / thr(eta_v)))
    return worst


# --- clipped gradient descent on x^4: converges from every start iff eta^3 c^2 < 2 ----------------------------
@derivation(
    "quartic_clipped_gd",
    title="Clipped GD on x^4 (threshold c, step eta) converges to 0 from every start iff eta^3 c^2 < 2",
    title_zh="在 x⁴ 上做裁剪梯度下降（阈值 c、步长 η）：当且仅当 η³c² < 2 时从任意起点都收敛到 0",
)
def quartic_clipped_gd() -> Result:
    """Clipped descent x_{k+1} = x_k - eta clip_c(4 x_k^3) on f = x^4 satisfies |x_{k+1}| < |x_k| for every x_k != 0,
    hence converges to 0 from every start, iff eta < 2^{1/3} c^{-2/3} (eta^3 c^2 < 2); otherwise it has 2-cycles."""
    xc = sp.solve(sp.Eq(4 * x**3, c), x)
    (x_clip,) = [s for s in xc if s.is_positive]  # |f'| = c here; clipped for |x| > x_clip
    # unclipped region 0 < u <= x_clip: |phi| = u |1 - 4 eta u^2| < u iff 4 eta u^2 < 2; worst at u = x_clip
    cond_inner = sp.Lt(4 * eta * x_clip**2, 2)
    # clipped region u >= x_clip: |phi| = |u - eta c| < u iff eta c < 2u; worst at u = x_clip
    cond_outer = sp.Lt(eta * c, 2 * x_clip)
    (eta_inner,) = sp.solve(sp.Eq(cond_inner.lhs, cond_inner.rhs), eta)
    (eta_outer,) = sp.solve(sp.Eq(cond_outer.lhs, cond_outer.rhs), eta)
    if sp.simplify(eta_inner - eta_outer) != 0:
        raise ArithmeticError("the two regions should give the same bound on eta")
    eta_max = sp.simplify(eta_outer)
    condition = sp.simplify(sp.Lt(eta**3 * c**2, 2))
    if sp.simplify(eta_max**3 * c**2 - 2) != 0:
        raise ArithmeticError("eta_max is not the root of eta^3 c^2 = 2")
    # above the bound: every start u in [x_clip, eta c - x_clip] is a 2-cycle u -> u - eta c -> u
    cycle_interval = sp.Interval(x_clip, eta * c - x_clip)
    ex_eta_max = eta_max.subs(c, EXAMPLE_C)
    return Result(
        expr=sp.Lambda((eta, c), condition),
        latex=(
            r"x_{k+1}=x_k-\eta\,\operatorname{clip}_c\!\bigl(4x_k^3\bigr):\quad"
            rf"|x_{{k+1}}|<|x_k|\ \forall x_k\ne0\iff \eta<{sp.latex(eta_max)}\iff \eta^3c^2<2"
        ),
        parts={
            "x_clip": x_clip,
            "eta_max": eta_max,
            "condition": condition,
            "cycle_interval": cycle_interval,
            "eta_max_example": ex_eta_max,
        },
        symbols={"eta": "step size (> 0)", "c": "clipping threshold on |f'| (> 0)"},
        text={
            "eta_max_example_dec": f"{float(ex_eta_max):.4f}",
            "x_clip_example": sp.latex(x_clip.subs(c, EXAMPLE_C)),
            "x_clip_example_dec": f"{float(x_clip.subs(c, EXAMPLE_C)):.4f}",
            "c_example": sp.latex(EXAMPLE_C),
            "eta3c2_example": sp.latex(EXAMPLE_ETA**3 * EXAMPLE_C**2),
        },
    )


@quartic_clipped_gd.check(
    "mpmath (40 digits): bisection on eta of whether the orbit from |f'| = c returns after two steps (c in {1, 10, "
    "1000}), and |x_{k+1}| < |x_k| on 400 starts from 1e-3 to 1e6 at 0.9 eta_max",
    tol=1e-25,
    oracle_zh="mpmath（40 位）：从 |f′| = c 处出发，以两步后是否回到原处为判据对 η 做二分查找（c 取 1、10、1000）；"
    "并在 η = 0.9η_max 时核对 1e-3 到 1e6 之间 400 个起点都满足 |x_{k+1}| < |x_k|",
)
def _() -> float:
    import mpmath as mp

    f_max = sp.lambdify(c, quartic_clipped_gd.result.parts["eta_max"], "mpmath")
    worst = 0.0
    with mp.workdps(40):
        for c_v in (mp.mpf(1), mp.mpf(10), mp.mpf(1000)):
            x0 = mp.cbrt(c_v / 4)
            lo, hi = mp.mpf(0), mp.mpf(1)
            while True:
                step = _quartic_map(hi, c_v)
                if abs(step(step(x0))) >= x0 - mp.mpf(10) ** -30:
                    break
                hi *= 2
            for _ in range(120):
                mid = (lo + hi) / 2
                step = _quartic_map(mid, c_v)
                lo, hi = (lo, mid) if abs(step(step(x0))) >= x0 - mp.mpf(10) ** -30 else (mid, hi)
            worst = max(worst, float(abs((lo + hi) / 2 - f_max(c_v)) / f_max(c_v)))
            step = _quartic_map(f_max(c_v) * mp.mpf("0.9"), c_v)
            for u in mp.linspace(mp.mpf(-3), mp.mpf(6), 200):
                for s in (1, -1):
                    x_v = s * mp.power(10, u)
                    worst = max(worst, float(max(0, abs(step(x_v)) - abs(x_v) + mp.mpf(10) ** -35)))
    return worst


def figure_data_quartic(steps: int = 40) -> dict:
    """|x_k| of plain and clipped descent on x^4 (eta = 1/10, c = 10), float64: plain GD from 0.95 and 1.05 times the
    threshold 1/sqrt(2 eta), clipped GD from 1.05 times the threshold and from 20; a diverging run stops above 1e8."""
    eta_v, c_v = float(EXAMPLE_ETA), float(EXAMPLE_C)
    thr = float(quartic_gd_threshold.result.parts["threshold_example"])
    runs = {}
    for key, x0, cv in (
        ("gd_below", 0.95 * thr, None),
        ("gd_above", 1.05 * thr, None),
        ("clip_above", 1.05 * thr, c_v),
        ("clip_far", 20.0, c_v),
    ):
        step = _quartic_map(eta_v, cv)
        xs = [x0]
        for _ in range(steps):
            xs.append(step(xs[-1]))
            if abs(xs[-1]) > 1e8:
                break
        runs[key] = np.abs(np.array(xs))
    return {"runs": runs, "threshold": thr, "eta": eta_v, "c": c_v}


# --- adaptive gradient clipping is unit-wise -------------------------------------------------------------------
AGC_W = sp.Matrix([[4, 0], [0, 3]])
AGC_G = sp.Matrix([[sp.Rational(1, 5), 0], [0, sp.Rational(2, 5)]])
AGC_LAMBDA = sp.Rational(1, 10)
AGC_EPS = sp.Rational(1, 1000)


def _frob(m: sp.Matrix) -> sp.Expr:
    return sp.sqrt(sum(v**2 for v in m))


@derivation(
    "agc_unitwise_example",
    title="AGC with lambda = 1/10: unit 2 of W = diag(4, 3) has ||G_2||/||W_2|| = 2/15 > lambda and is scaled by 3/4, "
    "while the whole-tensor ratio sqrt(5)/25 < lambda clips nothing",
    title_zh="λ = 1/10 的自适应梯度裁剪：W = diag(4, 3) 的第 2 个单元 ‖G₂‖/‖W₂‖ = 2/15 > λ，其梯度被乘以 3/4；"
    "而整个张量的比值 √5/25 < λ，按整个张量裁剪不会裁掉任何东西",
)
def agc_unitwise_example() -> Result:
    """Adaptive gradient clipping (Brock et al. 2021) per unit i (row of W in (out, in) layout):
    G_i <- lambda max(||W_i||, eps)/||G_i|| G_i if ||G_i||/max(||W_i||, eps) > lambda; the same rule applied to the
    whole tensor with Frobenius norms leaves this example unchanged."""
    rows_w = [max(_frob(AGC_W.row(i)), AGC_EPS) for i in range(AGC_W.rows)]
    ratios = [_frob(AGC_G.row(i)) / rows_w[i] for i in range(AGC_G.rows)]
    scales = [AGC_LAMBDA / q if q > AGC_LAMBDA else sp.Integer(1) for q in ratios]
    clipped = sp.Matrix.vstack(*(scales[i] * AGC_G.row(i) for i in range(AGC_G.rows)))
    tensor_ratio = sp.nsimplify(_frob(AGC_G) / max(_frob(AGC_W), AGC_EPS))
    clipped_tensor = AGC_G * (AGC_LAMBDA / tensor_ratio if tensor_ratio > AGC_LAMBDA else 1)
    if clipped_tensor != AGC_G or clipped == AGC_G:
        raise ArithmeticError("the example should separate the unit-wise and whole-tensor rules")
    g_vec, c_vec = list(AGC_G), list(clipped)
    cos = sp.nsimplify(sum(u * v for u, v in zip(g_vec, c_vec, strict=True)) / (_frob(AGC_G) * _frob(clipped)))
    angle = sp.acos(cos) * 180 / sp.pi
    return Result(
        expr=sp.Tuple(clipped, clipped_tensor),
        latex=(
            rf"\frac{{\lVert G_i\rVert}}{{\lVert W_i\rVert^*}}={sp.latex(sp.Tuple(*ratios))}\ \Rightarrow\ "
            rf"G\to{sp.latex(clipped)}"
        ),
        parts={
            "W": AGC_W,
            "G": AGC_G,
            "lam": AGC_LAMBDA,
            "eps": AGC_EPS,
            "unit_ratios": sp.Tuple(*ratios),
            "unit_scales": sp.Tuple(*scales),
            "clipped_unitwise": clipped,
            "tensor_ratio": tensor_ratio,
            "clipped_tensor": clipped_tensor,
            "cos_angle": cos,
            "angle_deg": angle,
        },
        symbols={"W": "weights, rows = units", "G": "their gradient", "lambda": "clipping factor", "eps": "1e-3"},
        text={
            "angle_deg": f"{float(angle):.2f}",
            "tensor_ratio_dec": f"{float(tensor_ratio):.4f}",
            "unit_ratio_2": sp.latex(ratios[1]),
            "unit_scale_2": sp.latex(scales[1]),
            "lam": sp.latex(AGC_LAMBDA),
        },
    )


@agc_unitwise_example.check(
    "numpy transcription of optax's adaptive_grad_clip (JAX (in, out) layout: norms over axis 0), float64",
    tol=1e-15,
    oracle_zh="用 NumPy 照原样重写的 optax `adaptive_grad_clip`（JAX 的 (输入, 输出) 布局：沿第 0 轴求范数），float64",
)
def _() -> float:
    prt = agc_unitwise_example.result.parts
    w_io = np.array([[4.0, 0.0], [0.0, 3.0]]).T  # optax/haiku store a linear layer as (in, out)
    g_io = np.array([[0.2, 0.0], [0.0, 0.4]]).T
    lam, eps = 0.1, 1e-3

    def unitwise_norm(m: np.ndarray) -> np.ndarray:
        return np.sum(m**2, axis=0, keepdims=True) ** 0.5

    g_norm, max_norm = unitwise_norm(g_io), lam * np.maximum(unitwise_norm(w_io), eps)
    out = np.where(g_norm < max_norm, g_io, g_io * (max_norm / np.maximum(g_norm, 1e-6))).T
    # the same rule on the whole tensor: one norm each
    gn, mn = np.sqrt(np.sum(g_io**2)), lam * max(np.sqrt(np.sum(w_io**2)), eps)
    out_t = g_io.T if gn < mn else g_io.T * mn / gn
    ang = np.degrees(np.arccos(np.sum(out * g_io.T) / (np.linalg.norm(out) * np.linalg.norm(g_io))))
    return max(
        float(np.max(np.abs(out - np.array(prt["clipped_unitwise"], dtype=float)))),
        float(np.max(np.abs(out_t - np.array(prt["clipped_tensor"], dtype=float)))),
        abs(gn / (mn / lam) - float(prt["tensor_ratio"])),
        abs(ang - float(prt["angle_deg"])) / 100,
    )


@agc_unitwise_example.check(
    "torch float64: torch.linalg.vector_norm over each row (dim=1) and torch.where, as in timm's adaptive_clip_grad",
    tol=1e-15,
    needs="torch",
    oracle_zh="torch float64：按行（dim=1）用 `torch.linalg.vector_norm` 求范数，再用 `torch.where`，"
    "做法与 timm 的 `adaptive_clip_grad` 相同",
)
def _() -> float:
    import torch

    prt = agc_unitwise_example.result.parts
    w = torch.tensor([[4.0, 0.0], [0.0, 3.0]], dtype=torch.float64)
    g = torch.tensor([[0.2, 0.0], [0.0, 0.4]], dtype=torch.float64)
    max_norm = torch.linalg.vector_norm(w, dim=1, keepdim=True).clamp(min=1e-3) * 0.1
    g_norm = torch.linalg.vector_norm(g, dim=1, keepdim=True)
    out = torch.where(g_norm < max_norm, g, g * (max_norm / g_norm.clamp(min=1e-6)))
    return float((out - torch.tensor(np.array(prt["clipped_unitwise"], dtype=float))).abs().max())


# --- Pascanu's regulariser -------------------------------------------------------------------------------------
PASCANU_W = sp.Matrix([[2, 0], [0, sp.Rational(1, 2)]])
PASCANU_DELTA = sp.Matrix([[1, 1]])  # dE/dx_3 for E = x_3,1 + x_3,2


@derivation(
    "pascanu_omega",
    title="Pascanu et al. (2013) regulariser Omega = sum_k (||delta_{k+1} J_k|| / ||delta_{k+1}|| - 1)^2: 0 for a "
    "linear RNN with orthogonal W; for W = diag(2, 1/2), E = sum x_3 it is (sqrt(17/8) - 1)^2 + (sqrt(257/68) - 1)^2",
    title_zh="Pascanu 等（2013）的正则项 Ω = Σ_k (‖δ_{k+1}J_k‖/‖δ_{k+1}‖ − 1)²：W 为正交矩阵的线性 RNN 中为 0；"
    "W = diag(2, 1/2)、E = x₃ 各分量之和时为 (√(17/8) − 1)² + (√(257/68) − 1)²",
)
def pascanu_omega() -> Result:
    """Omega = sum_k (||delta_{k+1} dx_{k+1}/dx_k|| / ||delta_{k+1}|| - 1)^2 with delta_{k+1} = dE/dx_{k+1} (row
    vector, 2-norm); for a linear RNN x_{k+1} = W x_k + (input) the Jacobian is W, so every term is 0 when W is
    orthogonal, whatever E is."""
    th = sp.Symbol("theta", real=True)
    d1, d2 = sp.symbols("delta_1 delta_2", real=True)
    rot = sp.Matrix([[sp.cos(th), -sp.sin(th)], [sp.sin(th), sp.cos(th)]])
    dv = sp.Matrix([[d1, d2]])
    ratio_sq = sp.simplify(((dv * rot) * (dv * rot).T)[0] / (dv * dv.T)[0])
    if ratio_sq != 1:
        raise ArithmeticError(f"orthogonal W should preserve the norm of every row vector: {ratio_sq}")
    omega_orth = sp.Integer(0) if ratio_sq == 1 else (sp.sqrt(ratio_sq) - 1) ** 2
    # non-orthogonal example: two steps back from delta_3
    deltas = [PASCANU_DELTA]
    for _ in range(2):
        deltas.append(deltas[-1] * PASCANU_W)  # delta_k = delta_{k+1} dx_{k+1}/dx_k
    terms = []
    for i in range(2):
        num = sp.sqrt((deltas[i + 1] * deltas[i + 1].T)[0])
        den = sp.sqrt((deltas[i] * deltas[i].T)[0])
        terms.append(sp.nsimplify(sp.simplify(num / den)))
    omega_terms = [(q - 1) ** 2 for q in terms]
    omega = sp.Add(*omega_terms)
    return Result(
        expr=sp.Tuple(omega_orth, omega),
        latex=(
            r"\Omega=\sum_k\Biggl(\frac{\bigl\lVert \frac{\partial E}{\partial x_{k+1}}"
            r"\frac{\partial x_{k+1}}{\partial x_k}\bigr\rVert}{\bigl\lVert\frac{\partial E}{\partial x_{k+1}}"
            r"\bigr\rVert}-1\Biggr)^{2}"
        ),
        parts={
            "ratio_sq_rotation": ratio_sq,
            "omega_orthogonal": omega_orth,
            "W_example": PASCANU_W,
            "delta_3": PASCANU_DELTA,
            "ratios_example": sp.Tuple(*terms),
            "omega_example": omega,
        },
        symbols={"x_k": "state at step k", "E": "loss", "W": "recurrent matrix (linear RNN)"},
        text={
            "omega_example": sp.latex(omega),
            "omega_example_dec": f"{float(omega):.6f}",
            "ratios_example": sp.latex(sp.Tuple(*terms)),
        },
    )


@pascanu_omega.check(
    "torch autograd (float64): dE/dx_k by retain_grad in a linear RNN; W = diag(2, 1/2) and a random orthogonal "
    "4x4 W (QR) with a nonlinear loss over 6 steps",
    tol=1e-12,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：在线性 RNN 中用 retain_grad 取 ∂E/∂x_k；W = diag(2, 1/2)，"
    "以及由 QR 分解得到的随机 4×4 正交矩阵 W 配非线性损失、共 6 步",
)
def _() -> float:
    import torch

    prt = pascanu_omega.result.parts

    def omega(w: torch.Tensor, steps: int, loss) -> float:
        xs = [torch.ones(w.shape[0], dtype=torch.float64, requires_grad=True)]
        for _ in range(steps):
            xs.append(w @ xs[-1] + 0.1)
            xs[-1].retain_grad()
        loss(xs[-1]).backward()
        total = 0.0
        for kk in range(1, steps):  # terms k = 1 .. steps - 1 (x_0 is the leaf)
            dlt = xs[kk + 1].grad
            total += float((torch.linalg.vector_norm(dlt @ w) / torch.linalg.vector_norm(dlt) - 1) ** 2)
        return total

    w1 = torch.tensor([[2.0, 0.0], [0.0, 0.5]], dtype=torch.float64)
    err1 = abs(omega(w1, 3, torch.sum) - float(prt["omega_example"]))
    gen = torch.Generator().manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(4, 4, dtype=torch.float64, generator=gen))
    om2 = omega(q, 6, lambda v: torch.sum(torch.sin(v) * torch.arange(1.0, 5.0, dtype=torch.float64)))
    return max(err1, abs(om2 - float(prt["omega_orthogonal"])))


# --- Huber: the derivative is the clipped error ----------------------------------------------------------------
@derivation(
    "huber_clipped_error",
    title="d/dr Huber_delta(r) = clip(r, -delta, delta); smooth L1 with beta: d/dr = clip(r/beta, -1, 1)",
    title_zh="d/dr Huber_δ(r) = clip(r, −δ, δ)；参数为 β 的平滑 L1 损失：导数为 clip(r/β, −1, 1)",
)
def huber_clipped_error() -> Result:
    """The Huber loss Huber_delta(r) = r^2/2 (|r| <= delta), delta (|r| - delta/2) (|r| > delta) of the residual
    r = input - target has derivative clip(r, -delta, delta) with respect to the input: a clipped error."""
    huber = sp.Piecewise((r**2 / 2, sp.Abs(r) <= delta), (delta * (sp.Abs(r) - delta / 2), True))
    d = sp.diff(huber, r)
    clipped = sp.Max(-delta, sp.Min(delta, r))
    for val in (
        -3 * delta,
        -delta,
        -delta / 3,
        sp.Integer(0),
        delta / 2,
        delta,
        2 * delta,
    ):  # branches and both kinks
        if sp.simplify(d.subs(r, val) - clipped.subs(r, val)) != 0:
            raise ArithmeticError(f"derivative differs from the clipped error at r = {val}")
    # continuity of the loss and of its derivative at |r| = delta (the two branches meet)
    inner, outer = r**2 / 2, delta * (r - delta / 2)
    if sp.simplify((inner - outer).subs(r, delta)) != 0 or sp.simplify(sp.diff(inner - outer, r).subs(r, delta)):
        raise ArithmeticError("Huber loss is not C^1 at |r| = delta")
    beta = sp.Symbol("beta", positive=True)
    smooth_l1_d = sp.Max(-1, sp.Min(1, r / beta))  # torch: smooth_l1(beta) = huber(delta = beta) / beta
    return Result(
        expr=sp.Lambda((r, delta), clipped),
        latex=(
            r"\operatorname{Huber}_\delta(r)=\begin{cases}\tfrac12 r^2 & |r|\le\delta\\"
            r"\delta\bigl(|r|-\tfrac12\delta\bigr) & |r|>\delta\end{cases}\ \Rightarrow\ "
            r"\frac{d}{dr}\operatorname{Huber}_\delta(r)=\max\bigl(-\delta,\min(\delta,r)\bigr)"
        ),
        parts={"huber": huber, "derivative": clipped, "smooth_l1_derivative": smooth_l1_d},
        symbols={"r": "residual input - target", "delta": "Huber threshold (> 0)", "beta": "smooth L1 beta"},
    )


@huber_clipped_error.check(
    "torch autograd of torch.nn.functional.huber_loss / smooth_l1_loss (reduction='sum', float64), 401 residuals, "
    "delta and beta in {0.5, 1, 2}",
    tol=1e-12,
    needs="torch",
    oracle_zh="对 `torch.nn.functional.huber_loss` / `smooth_l1_loss`（reduction='sum'，float64）做自动微分，"
    "401 个残差，δ 与 β 取 0.5、1、2",
)
def _() -> float:
    import torch

    prt = huber_clipped_error.result.parts
    beta = sp.Symbol("beta", positive=True)
    f_h = sp.lambdify((r, delta), prt["derivative"], "numpy")
    f_s = sp.lambdify((r, beta), prt["smooth_l1_derivative"], "numpy")
    res = np.linspace(-5.0, 5.0, 401)
    worst = 0.0
    for dv in (0.5, 1.0, 2.0):
        for fn, ref, kw in (
            (torch.nn.functional.huber_loss, f_h, "delta"),
            (torch.nn.functional.smooth_l1_loss, f_s, "beta"),
        ):
            inp = torch.tensor(res, dtype=torch.float64, requires_grad=True)
            fn(inp, torch.zeros_like(inp), reduction="sum", **{kw: dv}).backward()
            worst = max(worst, float(np.max(np.abs(inp.grad.numpy() - ref(res, dv)))))
    return worst


@huber_clipped_error.check(
    "central finite differences of the Huber loss written with numpy.where (h = 1e-6), away from |r| = delta",
    tol=1e-8,
    oracle_zh="对用 numpy.where 写出的 Huber 损失做中心有限差分（h = 1e-6），避开 |r| = δ",
)
def _() -> float:
    f_h = sp.lambdify((r, delta), huber_clipped_error.result.parts["derivative"], "numpy")
    worst = 0.0
    for dv in (0.5, 1.0, 2.0):
        res = np.linspace(-5.0, 5.0, 400)  # no grid point within 1e-3 of +-delta
        res = res[np.abs(np.abs(res) - dv) > 1e-3]

        def hub(t: np.ndarray, dv: float = dv) -> np.ndarray:
            return np.where(np.abs(t) <= dv, 0.5 * t**2, dv * (np.abs(t) - 0.5 * dv))

        h = 1e-6
        fd = (hub(res + h) - hub(res - h)) / (2 * h)
        worst = max(worst, float(np.max(np.abs(fd - f_h(res, dv)))))
    return worst


# --- randomized truncation of BPTT ------------------------------------------------------------------------------
@derivation(
    "randomized_truncation",
    title="Randomized truncation (continue with prob. p, reweight by 1/p): unbiased; term k has second moment "
    "(a^2/p)^k; infinite-horizon variance a^2 (1-p) / ((1-a)^2 (p - a^2)), finite iff a^2 < p",
    title_zh="随机截断（以概率 p 继续回传并乘以 1/p）：无偏；第 k 项的二阶矩为 (a²/p)^k；"
    "无限长序列的方差为 a²(1−p)/((1−a)²(p−a²))，当且仅当 a² < p 时有限",
)
def randomized_truncation() -> Result:
    """For the scalar recurrence whose BPTT gradient is sum_k a^k (0 < a < 1), the randomized-truncation estimator
    Z = sum_k a^k prod_{i<k} xi_i with i.i.d. xi = 1/p (prob. p), 0 (prob. 1-p) has E[Z] = sum_k a^k, each term has
    second moment (a^2/p)^k, and over an infinite horizon Var Z = a^2 (1-p)/((1-a)^2 (p-a^2)) iff a^2 < p (else
    infinite)."""
    xi_mean = p * (1 / p) + (1 - p) * 0
    xi_sq = p * (1 / p) ** 2 + (1 - p) * 0
    if sp.simplify(xi_mean - 1) != 0:
        raise ArithmeticError("E[xi] should be 1")
    term_mean = sp.simplify(a**k * xi_mean**k)  # independence: E[prod xi] = prod E[xi]
    term_sq = sp.simplify(a ** (2 * k) * xi_sq**k)
    growth = sp.simplify(term_sq.subs(k, k + 1) / term_sq)
    # E[prod_{i<j} xi prod_{i<l} xi] = E[xi^2]^min(j,l) E[xi]^|j-l|
    jj, ll = sp.symbols("j l", integer=True, nonnegative=True)
    cross = xi_sq ** sp.Min(jj, ll)
    # infinite horizon: K = number of steps taken back, P(K = n) = (1-p) p^n; Z = sum_{k<=K} (a/p)^k
    n = sp.Symbol("n", integer=True, nonnegative=True)
    q = a / p
    partial = (1 - q ** (n + 1)) / (1 - q)
    rho = sp.Symbol("rho", positive=True)
    geo = sp.summation(rho**n, (n, 0, sp.oo))  # Piecewise: 1/(1 - rho) for rho < 1, else divergent
    geo_sum, geo_cond = geo.args[0]
    expanded = sp.expand((1 - p) * p**n * (1 - q ** (n + 1)) ** 2)  # three geometric series in n
    second = sp.Integer(0)
    ratios = []
    for term in sp.Add.make_args(expanded):
        ratio = sp.simplify(term.subs(n, n + 1) / term)
        ratios.append(ratio)
        second += sp.simplify(term.subs(n, 0)) * geo_sum.subs(rho, ratio)
    if set(ratios) != {p, a, a**2 / p}:
        raise ArithmeticError(f"unexpected ratios {ratios}")
    second = sp.factor(sp.simplify(second / (1 - q) ** 2))
    mean_inf = geo_sum.subs(rho, a)
    var_inf = sp.factor(sp.simplify(second - mean_inf**2))
    var_display = a**2 * (1 - p) / ((1 - a) ** 2 * (p - a**2))
    second_display = p * (1 + a) / ((1 - a) * (p - a**2))
    if sp.simplify(var_inf - var_display) != 0 or sp.simplify(second - second_display) != 0:
        raise ArithmeticError("closed forms do not match their display")
    # the geometric series of the second moment: ratio a^2/p must be < 1
    cond = sp.Lt(a**2, p)
    if sp.simplify(geo_cond.subs(rho, a**2 / p)) != sp.simplify(sp.Lt(a**2 / p, 1)):
        raise ArithmeticError("convergence condition of the second-moment series")
    return Result(
        expr=sp.Tuple(term_mean, term_sq, var_inf),
        latex=(
            r"P\bigl(\xi=\tfrac1p\bigr)=p,\ P(\xi=0)=1-p:\quad "
            rf"\mathbb{{E}}\Bigl[a^k\prod_{{i<k}}\xi_i\Bigr]={sp.latex(term_mean)},\ "
            rf"\mathbb{{E}}\Bigl[\bigl(a^k\prod_{{i<k}}\xi_i\bigr)^2\Bigr]={sp.latex(term_sq)}"
        ),
        parts={
            "term_mean": term_mean,
            "term_second_moment": term_sq,
            "growth_factor": growth,
            "cross_moment": cross,
            "partial_sum": partial,
            "second_moment_inf": second,
            "mean_inf": mean_inf,
            "variance_inf": var_inf,
            "finite_iff": cond,
        },
        symbols={
            "a": "per-step factor of the scalar recurrence (0 < a < 1)",
            "p": "probability of going one step further back",
            "k": "number of steps back",
        },
        text={
            "variance_inf": r"\frac{a^2(1-p)}{(1-a)^2(p-a^2)}",
            "second_moment_inf": r"\frac{p(1+a)}{(1-a)(p-a^2)}",
            "growth_factor": sp.latex(growth),
            "geo_condition": sp.latex(geo_cond.subs(rho, a**2 / p)),
        },
    )


def truncation_moments(a_v: float, p_v: float, horizon: int) -> tuple[float, float]:
    """Mean and variance of Z_T = sum_{k<=T} a^k prod_{i<k} xi_i from the derived cross moments (float64)."""
    ks = np.arange(horizon + 1)
    jl = sp.symbols("j l", integer=True, nonnegative=True)
    cross = sp.lambdify((*jl, p), randomized_truncation.result.parts["cross_moment"], "numpy")
    mn = np.minimum.outer(ks, ks).astype(float)
    ak = a_v**ks
    second = float(ak @ cross(mn, mn, p_v) @ ak)
    mean = float(np.sum(ak))
    return mean, second - mean**2


@randomized_truncation.check(
    "mpmath (40 digits): exact enumeration of the truncation length K (P(K=n) = (1-p) p^n, K capped at T), "
    "mean and variance for (a, p, T) in {(0.9, 0.9, 20), (0.9, 0.5, 30), (0.5, 0.3, 40)} and T = 3000",
    tol=1e-20,
    oracle_zh="mpmath（40 位）：精确枚举截断长度 K 的分布（P(K=n) = (1−p)pⁿ，K 不超过 T），"
    "(a, p, T) 取 (0.9, 0.9, 20)、(0.9, 0.5, 30)、(0.5, 0.3, 40) 以及 T = 3000 时的均值与方差",
)
def _() -> float:
    import mpmath as mp

    prt = randomized_truncation.result.parts
    f_var = sp.lambdify((a, p), prt["variance_inf"], "mpmath")
    f_mean = sp.lambdify(a, prt["mean_inf"], "mpmath")
    f_cross = sp.lambdify((*sp.symbols("j l", integer=True, nonnegative=True), p), prt["cross_moment"], "mpmath")
    worst = mp.mpf(0)
    with mp.workdps(40):

        def enumerate_(av, pv, horizon):
            m1 = m2 = mp.mpf(0)
            z = mp.mpf(0)
            for nn in range(horizon + 1):
                z += (av / pv) ** nn  # Z when K = n: every surviving term reweighted by p^-k
                prob = pv**nn * ((1 - pv) if nn < horizon else 1)
                m1 += prob * z
                m2 += prob * z**2
            return m1, m2 - m1**2

        for av, pv, horizon in ((0.9, 0.9, 20), (0.9, 0.5, 30), (0.5, 0.3, 40)):
            av, pv = mp.mpf(av), mp.mpf(pv)
            m1, var = enumerate_(av, pv, horizon)
            exact_mean = sum(av**kk for kk in range(horizon + 1))
            second = sum(av ** (j + l_) * f_cross(j, l_, pv) for j in range(horizon + 1) for l_ in range(horizon + 1))
            worst = max(worst, abs(m1 - exact_mean) / exact_mean, abs(var - (second - exact_mean**2)) / var)
        for av, pv in ((mp.mpf("0.9"), mp.mpf("0.9")), (mp.mpf("0.5"), mp.mpf("0.3"))):  # a^2 < p: finite limit
            m1, var = enumerate_(av, pv, 3000)
            worst = max(worst, abs(m1 - f_mean(av)) / m1, abs(var - f_var(av, pv)) / var)
        # one term a^k prod xi: value a^k p^-k with probability p^k, else 0
        f_t1 = sp.lambdify((a, p, k), prt["term_mean"], "mpmath")
        f_t2 = sp.lambdify((a, p, k), prt["term_second_moment"], "mpmath")
        for av, pv in ((mp.mpf("0.9"), mp.mpf("0.5")), (mp.mpf("0.3"), mp.mpf("0.7"))):
            for kk in range(12):
                val, prob = av**kk / pv**kk, pv**kk
                worst = max(worst, abs(prob * val - f_t1(av, pv, kk)) / (prob * val))
                worst = max(worst, abs(prob * val**2 - f_t2(av, pv, kk)) / (prob * val**2))
    return float(worst)


@randomized_truncation.check(
    "seeded Monte Carlo, 200000 truncation lengths (a = 0.9, p = 0.9, T = 20): largest |z-score| of the sample mean "
    "and sample variance against the derived ones (standard errors from the sample; 4 = four standard errors)",
    tol=4.0,
    oracle_zh="固定种子的蒙特卡罗模拟，200000 个截断长度（a = 0.9、p = 0.9、T = 20）：样本均值与样本方差相对推导值的"
    "最大 |z 分数|（标准误由样本估计；容差 4 即四个标准误）",
)
def _() -> float:
    av, pv, horizon, n_samp = 0.9, 0.9, 20, 200_000
    rng = np.random.default_rng(12345)
    steps = np.minimum(rng.geometric(1 - pv, size=n_samp) - 1, horizon)  # steps taken back before stopping
    cum = np.cumsum((av / pv) ** np.arange(horizon + 1))
    z = cum[steps]
    mean_d, var_d = truncation_moments(av, pv, horizon)
    f_term = sp.lambdify((a, p, k), randomized_truncation.result.parts["term_mean"], "numpy")
    mean_d = float(sum(f_term(av, pv, kk) for kk in range(horizon + 1)))  # unbiased: sum of the term means
    se_mean = z.std(ddof=1) / np.sqrt(n_samp)
    dev = z - z.mean()
    m4 = np.mean(dev**4)
    var_s = z.var(ddof=1)
    se_var = np.sqrt((m4 - var_s**2) / n_samp)
    return float(max(abs(z.mean() - mean_d) / se_mean, abs(var_s - var_d) / se_var))


def figure_data_truncation_variance(a_v: float = 0.9, horizon: int = 60) -> dict:
    """Var Z_T for T = 0..horizon at a = 0.9 and p in {0.95, a^2, 0.6} from the derived cross moments."""
    ps = (0.95, a_v**2, 0.6)
    out = {}
    for pv in ps:
        out[pv] = np.array([truncation_moments(a_v, pv, t)[1] for t in range(horizon + 1)])
    return {"a": a_v, "T": np.arange(horizon + 1), "var": out}


# --- exercise: randomized truncation with a = p = 9/10 ---------------------------------------------------------------
RT_A = sp.Rational(9, 10)
RT_P = sp.Rational(9, 10)
RT_P_LOW = sp.Rational(4, 5)


@derivation(
    "randomized_truncation_example",
    title="Randomized truncation at a = p = 9/10: E Z = 10, Var Z = 90, 9 steps back on average; at p = 4/5 < a^2 "
    "E Z is still 10 but Var Z is infinite",
    title_zh="a = p = 9/10 时的随机截断：E Z = 10，Var Z = 90，平均回传 9 步；"
    "p = 4/5 < a² 时 E Z 仍为 10，Var Z 却为无穷大",
)
def randomized_truncation_example() -> Result:
    """The infinite-horizon estimator Z = sum_k a^k prod_{i<k} xi_i of randomized_truncation (continue with
    probability p, reweight by 1/p) at a = p = 9/10: mean 1/(1-a) = 10, variance 90, expected number of steps taken
    back E K = p/(1-p) = 9; at p = 4/5 < a^2 = 81/100 the mean is unchanged and the variance is infinite."""
    prt = randomized_truncation.result.parts
    at = {a: RT_A, p: RT_P}
    mean = prt["mean_inf"].subs(a, RT_A)
    var = sp.simplify(prt["variance_inf"].subs(at))
    n = sp.Symbol("n", integer=True, nonnegative=True)
    mean_steps = sp.summation(n * (1 - p) * p**n, (n, 0, sp.oo))  # E K, P(K = n) = (1-p) p^n; Piecewise in p
    if isinstance(mean_steps, sp.Piecewise):
        mean_steps = mean_steps.args[0][0]  # the branch for p < 1
    steps, steps_low = sp.simplify(mean_steps.subs(p, RT_P)), sp.simplify(mean_steps.subs(p, RT_P_LOW))
    finite_at_p = bool(prt["finite_iff"].subs(at))
    finite_at_low = bool(prt["finite_iff"].subs({a: RT_A, p: RT_P_LOW}))
    if not finite_at_p or finite_at_low:
        raise ArithmeticError("the example should have a finite variance at p and an infinite one at p_low")
    return Result(
        expr=sp.Tuple(mean, var, steps),
        latex=(
            rf"a=p={sp.latex(RT_A)}:\ \mathbb{{E}}Z={sp.latex(mean)},\ \operatorname{{Var}}Z={sp.latex(var)},\ "
            rf"\mathbb{{E}}K={sp.latex(steps)};\quad p={sp.latex(RT_P_LOW)}<a^2:\ \operatorname{{Var}}Z=\infty"
        ),
        parts={
            "a": RT_A,
            "p": RT_P,
            "p_low": RT_P_LOW,
            "a_squared": RT_A**2,
            "mean": mean,
            "variance": var,
            "std_over_mean": sp.sqrt(var) / mean,
            "expected_steps": steps,
            "expected_steps_low": steps_low,
            "finite_at_p_low": sp.false if not finite_at_low else sp.true,
        },
        text={"std_over_mean_dec": f"{float(sp.sqrt(var) / mean):.3f}"},
        symbols={"a": "per-step factor", "p": "probability of one more step back", "K": "steps taken back"},
    )


@randomized_truncation_example.check(
    "closed form of the geometric law: with a = p every surviving term is (a/p)^k = 1, so Z = K + 1 with "
    "P(K = n) = (1-p) p^n: mean 1/(1-p), variance p/(1-p)^2; and seeded Monte Carlo, 10^5 draws, mean within 4 s.e.",
    tol=1e-12,
    oracle_zh="几何分布的闭式结果：a = p 时每个保留的项 (a/p)^k 都等于 1，故 Z = K + 1，P(K = n) = (1−p)pⁿ，"
    "均值为 1/(1−p)，方差为 p/(1−p)²；另做 10⁵ 次固定种子的蒙特卡罗抽样，均值须在 4 个标准误之内",
)
def _() -> float:
    prt = randomized_truncation_example.result.parts
    pv, p_low = float(prt["p"]), float(prt["p_low"])
    # K + 1 = number of trials up to the first stop, geometric with success probability 1 - p:
    # mean 1/(1-p), variance p/(1-p)^2 (textbook closed form)
    errs = [
        abs(1 / (1 - pv) - float(prt["mean"])) / float(prt["mean"]),
        abs(pv / (1 - pv) ** 2 - float(prt["variance"])) / float(prt["variance"]),
        abs(1 / (1 - pv) - 1 - float(prt["expected_steps"])),
        abs(1 / (1 - p_low) - 1 - float(prt["expected_steps_low"])),
    ]
    z = np.random.default_rng(7).geometric(1 - pv, size=100_000).astype(float)
    z_score = abs(z.mean() - float(prt["mean"])) / (z.std(ddof=1) / np.sqrt(z.size))
    return float(max(errs) + (0.0 if z_score < 4 else 1.0))


@randomized_truncation_example.check(
    "mpmath (30 digits): exact enumeration of K up to horizon T at p = 4/5: the mean tends to 10 while the variance "
    "at T = 1600 exceeds that at T = 800 by more than the factor (a^2/p)^800 / 2",
    tol=0.0,
    oracle_zh="mpmath（30 位）：p = 4/5 时精确枚举 K（不超过序列长度 T）的分布：均值趋于 10，而 T = 1600 时的方差超过 "
    "T = 800 时的 (a²/p)^800 / 2 倍",
)
def _() -> float:
    import mpmath as mp

    prt = randomized_truncation_example.result.parts
    with mp.workdps(30):
        av, pv = mp.mpf(prt["a"].p) / prt["a"].q, mp.mpf(prt["p_low"].p) / prt["p_low"].q

        def moments(horizon: int) -> tuple:
            m1 = m2 = z = mp.mpf(0)
            for nn in range(horizon + 1):
                z += (av / pv) ** nn
                prob = pv**nn * ((1 - pv) if nn < horizon else 1)
                m1, m2 = m1 + prob * z, m2 + prob * z**2
            return m1, m2 - m1**2

        _, v_800 = moments(800)
        m_1600, v_1600 = moments(1600)
        grows = v_1600 / v_800 > (av**2 / pv) ** 800 / 2
        mean_ok = abs(m_1600 - float(prt["mean"])) < mp.mpf(10) ** -20
        infinite_claimed = not bool(prt["finite_at_p_low"])
    return 0.0 if (grows and mean_ok and infinite_claimed) else 1.0
