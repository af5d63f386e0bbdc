"""Mean-field signal propagation at initialisation (Poole et al. 2016; Schoenholz et al. 2017): the length map, its
fixed point q*, the backward factor chi_1, depth scales, the critical line of tanh, and ReLU's arc-cosine map.

Conventions: a fully connected net h_l = W_l phi(h_{l-1}) + b_l of width N, W_ij ~ N(0, sigma_w^2/N),
b_i ~ N(0, sigma_b^2), N -> infinity. q_l = (1/N) sum_i h_{l,i}^2 is the second moment of a pre-activation (its
variance); E_z is over z ~ N(0, 1). delta_l = dL/dh_l, and "the backward second moment" is E[delta_{l,i}^2]. The
mean-field results use the gradient-independence assumption of Schoenholz et al. (2017) (the weights of the backward
pass treated as drawn independently of the forward pass). Numbers: expectations in float64 by the trapezoidal rule in z
(exponentially accurate for these analytic integrands) and roots by bisection; the oracles use mpmath at 30 digits.
"""

from __future__ import annotations

import json
import math
from functools import cache

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.meanfield import backward, random_net

q = sp.Symbol("q", nonnegative=True)  # second moment of a pre-activation
sw2 = sp.Symbol("sigma_w^2", positive=True)
sb2 = sp.Symbol("sigma_b^2", nonnegative=True)
chi = sp.Symbol("chi_1", positive=True)
z = sp.Symbol("z", real=True)
u = sp.Symbol("u", real=True)
c = sp.Symbol("c", real=True)  # correlation of two inputs' pre-activations
r = sp.Symbol("r", positive=True)
alpha = sp.Symbol("alpha", real=True)
theta = sp.Symbol("theta", positive=True)  # arccos c
eps = sp.Symbol("epsilon", positive=True)  # 1 - c
ell = sp.Symbol("l", positive=True)  # depth
big_l = sp.Symbol("L", positive=True, integer=True)
slope = sp.Symbol("s", positive=True)

# E_z by the trapezoidal rule on [-Z_MAX, Z_MAX]: for an integrand analytic in the strip |Im z| < d its error is about
# exp(-2 pi d / STEP); tanh(sqrt(q) z) has its nearest poles at |Im z| = pi/(2 sqrt q), so d > 0.45 for q < 12 and
# the error is below 1e-30; the tails beyond Z_MAX = 12 weigh less than 1e-32.
Z_MAX, STEP = 12.0, 0.04
SB2 = sp.Rational(1, 20)  # the example bias variance (tanh)
SW2_ORDERED, SW2_CHAOTIC = sp.Integer(1), sp.Integer(3)  # tanh examples on either side of the critical line
SW2_DEPTH = sp.Rational(3, 2)  # tanh example for the depth scales (ordered phase)
CRITICAL_SB2 = (0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  # sigma_b^2 values tabulated on the critical line
EXPLORER_SW2 = tuple(round(0.5 + 0.05 * k, 2) for k in range(71))  # 0.5 .. 4.0


def _pdf(v: sp.Symbol) -> sp.Expr:
    return sp.exp(-(v**2) / 2) / sp.sqrt(2 * sp.pi)


def _gauss(expr: sp.Expr) -> sp.Integral:
    """E_z[expr] as an unevaluated integral against the standard normal density."""
    return sp.Integral(expr * _pdf(z), (z, -sp.oo, sp.oo))


# --- numerical core: float64 Gauss-Hermite expectations and bisection ---------------------------------------------
@cache
def _nodes() -> tuple[np.ndarray, np.ndarray]:
    zs = np.arange(-Z_MAX, Z_MAX + STEP / 2, STEP)
    ws = STEP * np.exp(-(zs**2) / 2) / math.sqrt(2 * math.pi)
    return zs, ws


@cache
def _tanh_integrands():
    """phi^2, phi'^2 and phi'^2 + phi phi'' for phi = tanh, derived by SymPy and turned into NumPy functions of u."""
    phi = sp.tanh(u)
    d1, d2 = sp.diff(phi, u), sp.diff(phi, u, 2)
    return tuple(sp.lambdify(u, e, "numpy") for e in (phi**2, d1**2, d1**2 + phi * d2))


def gauss_mean(f, qq: float) -> float:
    """E_z[f(sqrt(qq) z)], z ~ N(0, 1), by the trapezoidal rule (step ``STEP`` on [-Z_MAX, Z_MAX]) in float64."""
    zs, ws = _nodes()
    return float(np.sum(ws * f(math.sqrt(qq) * zs)))


def _bisect(f, lo: float, hi: float) -> float:
    flo = f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo < 1e-15 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def tanh_length_map_value(qq: float, a: float, b: float) -> float:
    """The tanh length map sigma_w^2 E[tanh(sqrt(q) z)^2] + sigma_b^2 at q = qq, sigma_w^2 = a, sigma_b^2 = b."""
    return a * gauss_mean(_tanh_integrands()[0], qq) + b


def tanh_q_star(a: float, b: float) -> float:
    """Fixed point q* of the tanh length map (sigma_w^2 = a, sigma_b^2 = b); 0 when b = 0 and a <= 1.

    The map is increasing and concave in q with slope a at q = 0, so it has one stable fixed point."""
    if b == 0 and a <= 1:
        return 0.0
    return _bisect(lambda qq: tanh_length_map_value(qq, a, b) - qq, 1e-9 if b == 0 else 0.0, a + b + 1.0)


def tanh_chi1(a: float, b: float) -> float:
    """chi_1 = sigma_w^2 E[tanh'(sqrt(q*) z)^2] at the fixed point q* of (a, b)."""
    return a * gauss_mean(_tanh_integrands()[1], tanh_q_star(a, b))


def tanh_length_slope(a: float, b: float) -> float:
    """Slope of the tanh length map at q*: sigma_w^2 E[phi'^2 + phi phi''] (Gaussian integration by parts)."""
    return a * gauss_mean(_tanh_integrands()[2], tanh_q_star(a, b))


def tanh_critical_sw2(b: float) -> float:
    """The sigma_w^2 with chi_1 = 1 at bias variance b (1 exactly at b = 0)."""
    if b == 0:
        return 1.0
    return _bisect(lambda a: tanh_chi1(a, b) - 1.0, 1.0, 20.0)


# --- oracles: mpmath at 30 digits ----------------------------------------------------------------------------------
def _mp_mean(f, qq) -> mpmath.mpf:
    s = mpmath.sqrt(qq)
    return mpmath.quad(lambda t: f(s * t) * mpmath.npdf(t), [-mpmath.inf, -3, 0, 3, mpmath.inf])


def _mp_map(a, b, qq) -> mpmath.mpf:
    """The tanh length map at qq by mpmath quadrature."""
    return a * _mp_mean(lambda x: mpmath.tanh(x) ** 2, qq) + b


def _mp_q_star(a, b, start: float) -> mpmath.mpf:
    """Root of the tanh length map's fixed-point equation by mpmath.findroot (secant) from ``start``."""
    return mpmath.findroot(lambda qq: _mp_map(a, b, qq) - qq, mpmath.mpf(start))


def _mp_chi1(a, qq) -> mpmath.mpf:
    return a * _mp_mean(lambda x: mpmath.sech(x) ** 4, qq)


# --- 1. ReLU: length map, fixed point, chi_1 = sigma_w^2 / 2 ------------------------------------------------------
@derivation(
    "relu_length_map",
    title="ReLU: length map q -> sigma_w^2 q/2 + sigma_b^2, q* = 2 sigma_b^2/(2 - sigma_w^2) for sigma_w^2 < 2; "
    "chi_1 = sigma_w^2/2, so He (sigma_w^2 = 2) is the critical point",
    title_zh="ReLU：长度映射 q → σ_w² q/2 + σ_b²，σ_w² < 2 时 q* = 2σ_b²/(2 − σ_w²)；χ₁ = σ_w²/2，"
    "因此 He 初始化（σ_w² = 2）正是临界点",
)
def relu_length_map() -> Result:
    """For phi = ReLU: E[phi(sqrt(q) z)^2] = q/2 and E[phi'(sqrt(q) z)^2] = 1/2 (phi'(0) = 0), so the length map
    is linear with slope chi_1 = sigma_w^2/2 for every q."""
    m2 = sp.integrate(q * z**2 * _pdf(z), (z, 0, sp.oo))  # relu(sqrt(q) z)^2 = q z^2 on z > 0, else 0
    d2 = sp.integrate(_pdf(z), (z, 0, sp.oo))  # relu'^2 = 1 on z > 0
    qmap = sw2 * m2 + sb2
    (qstar,) = sp.solve(sp.Eq(qmap, q), q)
    chi1 = sp.simplify(sw2 * d2)
    map_slope = sp.diff(qmap, q)
    if sp.simplify(map_slope - chi1) != 0:
        raise ArithmeticError("ReLU: the length map's slope should equal chi_1")
    qstar_shown = 2 * sb2 / (2 - sw2)  # the same fraction, written with a positive denominator for sigma_w^2 < 2
    if sp.simplify(qstar - qstar_shown) != 0:
        raise ArithmeticError("q* rewritten wrongly")
    (he,) = sp.solve(sp.Eq(chi1, 1), sw2)
    glorot_factor = chi1.subs(sw2, 1)  # Glorot/Xavier at equal widths: Var(W) = 2/(N + N) = 1/N
    return Result(
        expr=sp.Tuple(sp.Lambda(q, qmap), qstar, chi1),
        latex=(
            rf"q_l = {sp.latex(qmap.subs(q, sp.Symbol('q_{l-1}')))},\quad q^*={sp.latex(qstar_shown)}"
            rf"\ (\sigma_w^2<2),\quad \chi_1={sp.latex(chi1)}"
        ),
        parts={
            "second_moment": m2,
            "deriv_second_moment": d2,
            "length_map": qmap,
            "q_star": qstar,
            "chi1": chi1,
            "map_slope": map_slope,
            "he_sw2": he,
            "glorot_chi1": glorot_factor,
        },
        symbols={
            "q": "second moment of a pre-activation",
            "sigma_w^2": "N Var(W_ij)",
            "sigma_b^2": "Var(b_i)",
            "chi_1": "per-layer factor of the backward second moment",
        },
    )


@relu_length_map.check(
    "mpmath quadrature (20 digits) of E[relu(sqrt(q) z)^2] and E[relu'(sqrt(q) z)^2] at q = 0.7, 3; the map "
    "evaluated by quadrature at q* (sigma_w^2 = 1.5, sigma_b^2 = 0.2) returns q*",
    tol=1e-18,
    oracle_zh="mpmath 数值积分（20 位有效数字）计算 q = 0.7、3 时的 E[relu(√q z)²] 与 E[relu′(√q z)²]；"
    "σ_w² = 1.5、σ_b² = 0.2 时，用数值积分计算的映射在 q* 处的值等于 q*",
)
def _() -> float:
    p = relu_length_map.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(20):
        for qq in (sp.Rational(7, 10), sp.Integer(3)):
            m = _mp_mean(lambda x: max(x, 0) ** 2, mpmath.mpf(sp.N(qq, 30)))
            d = _mp_mean(lambda x: 1 if x > 0 else 0, mpmath.mpf(sp.N(qq, 30)))
            worst = max(
                worst,
                abs(m - mpmath.mpf(sp.N(p["second_moment"].subs(q, qq), 30))),
                abs(d - mpmath.mpf(sp.N(p["deriv_second_moment"], 30))),
            )
        a, b = sp.Rational(3, 2), sp.Rational(1, 5)
        qs = mpmath.mpf(sp.N(p["q_star"].subs({sw2: a, sb2: b}), 30))
        mapped = mpmath.mpf(sp.N(a, 30)) * _mp_mean(lambda t: max(t, 0) ** 2, qs) + mpmath.mpf(sp.N(b, 30))
        worst = max(worst, abs(mapped - qs))
    return float(worst)


@relu_length_map.check(
    "seeded wide ReLU nets (width 600, 12 layers, batch 8, no bias), sigma_w^2 = 1 (Glorot) and 2 (He): mean "
    "per-layer ratios q_l/q_{l-1} and E[delta_{l-1}^2]/E[delta_l^2] vs sigma_w^2/2 (relative; across seeds the "
    "spread is about 2 %)",
    tol=0.07,
    oracle_zh="固定随机种子的宽 ReLU 网络（宽 600、12 层、批量 8、无偏置），σ_w² = 1（Glorot）与 2（He）："
    "逐层比值 q_l/q_{l−1} 与 E[δ_{l−1}²]/E[δ_l²] 的平均值与 σ_w²/2 的相对误差（不同随机种子之间的标准差约 2%）",
)
def _() -> float:
    f = sp.lambdify(sw2, relu_length_map.result.parts["chi1"], "numpy")
    worst = 0.0
    for a in (1.0, 2.0):
        rng = np.random.default_rng([7, int(a)])
        hs, ws = random_net(600, 12, a, 0.0, rng.normal(size=(600, 8)), "relu", rng)
        ds = backward(hs, ws, rng.normal(size=(600, 8)), "relu")
        fwd = [np.mean(hs[k] ** 2) / np.mean(hs[k - 1] ** 2) for k in range(2, len(hs))]
        bwd = [np.mean(ds[k - 1] ** 2) / np.mean(ds[k] ** 2) for k in range(2, len(ds))]
        worst = max(worst, abs(np.mean(fwd) / f(a) - 1), abs(np.mean(bwd) / f(a) - 1))
    return float(worst)


# --- 1'. tanh: fixed point q* and chi_1 at the examples ------------------------------------------------------------
@derivation(
    "tanh_length_map",
    title="tanh: length map q -> sigma_w^2 E[tanh(sqrt(q) z)^2] + sigma_b^2, its fixed point q* and "
    "chi_1 = sigma_w^2 E[tanh'(sqrt(q*) z)^2]; at sigma_b^2 = 0.05: chi_1 < 1 at sigma_w^2 = 1, > 1 at 3",
    title_zh="tanh：长度映射 q → σ_w² E[tanh(√q z)²] + σ_b²、其不动点 q* 与 χ₁ = σ_w² E[tanh′(√q* z)²]；"
    "σ_b² = 0.05 时，σ_w² = 1 处 χ₁ < 1，σ_w² = 3 处 χ₁ > 1",
)
def tanh_length_map() -> Result:
    """The tanh length map and chi_1 at q*, evaluated at sigma_b^2 = 1/20 for sigma_w^2 = 1 (ordered), the
    critical value, and 3 (chaotic); at q = 0, chi_1 = sigma_w^2 tanh'(0)^2 = sigma_w^2."""
    phi = sp.tanh(sp.sqrt(q) * z)
    dphi = sp.diff(sp.tanh(u), u).subs(u, sp.sqrt(q) * z)
    qmap = sw2 * _gauss(phi**2) + sb2
    chi1 = sw2 * _gauss(dphi**2)
    chi1_at_0 = sp.simplify(sw2 * sp.integrate((dphi**2 * _pdf(z)).subs(q, 0), (z, -sp.oo, sp.oo)))
    b = float(SB2)
    crit = tanh_critical_sw2(b)
    nums = {}
    for name, a in (("ordered", float(SW2_ORDERED)), ("critical", crit), ("chaotic", float(SW2_CHAOTIC))):
        nums[f"q_star_{name}"] = tanh_q_star(a, b)
        nums[f"chi1_{name}"] = tanh_chi1(a, b)
    return Result(
        expr=sp.Tuple(sp.Lambda(q, qmap), chi1, chi1_at_0),
        latex=(
            rf"q_l = \sigma_w^2\,\mathbb{{E}}_z\bigl[{sp.latex(sp.tanh(u) ** 2)}\bigr]_{{u=\sqrt{{q_{{l-1}}}}\,z}}"
            r" + \sigma_b^2,\qquad "
            rf"\chi_1 = \sigma_w^2\,\mathbb{{E}}_z\Bigl[{sp.latex(sp.diff(sp.tanh(u), u) ** 2)}\Bigr]"
            r"_{u=\sqrt{q^*}\,z}"
        ),
        parts={
            "length_map": qmap,
            "chi1": chi1,
            "chi1_at_q0": chi1_at_0,
            "sb2": SB2,
            "sw2_ordered": SW2_ORDERED,
            "sw2_chaotic": SW2_CHAOTIC,
            "sw2_critical": sp.Float(crit, 15),
            **{k: sp.Float(v, 15) for k, v in nums.items()},
        },
        text={
            "sw2_critical": f"{crit:.4f}",
            **{k: f"{v:.4f}" for k, v in nums.items()},
            **{f"{k}_pow20": f"{v**20:.3g}" for k, v in nums.items() if k.startswith("chi1")},
        },
        symbols={
            "q": "second moment of a pre-activation",
            "sigma_w^2": "N Var(W_ij)",
            "sigma_b^2": "Var(b_i)",
            "z": "standard normal",
            "chi_1": "per-layer factor of the backward second moment",
        },
    )


@tanh_length_map.check(
    "mpmath (20 digits): at the critical example q* by findroot on the length map integrated by mpmath.quad; at "
    "the other two, the map evaluated by mpmath.quad at q* returns q*; chi_1 by mpmath.quad (relative)",
    tol=1e-10,
    oracle_zh="mpmath（20 位有效数字）：在临界示例点，对 mpmath.quad 积分得到的长度映射用 findroot 求 q*；"
    "在另两个示例点，用 mpmath.quad 计算的映射把 q* 映到 q*；χ₁ 用 mpmath.quad 计算（相对误差）",
)
def _() -> float:
    p = tanh_length_map.result.parts
    worst = 0.0
    with mpmath.workdps(20):
        b = mpmath.mpf(1) / 20
        for name in ("ordered", "critical", "chaotic"):
            a = mpmath.mpf(str(float(p[f"sw2_{name}"])))
            if name == "critical":
                qs = _mp_q_star(a, b, start=float(p[f"q_star_{name}"]) * 1.01)
            else:
                qs = mpmath.mpf(str(float(p[f"q_star_{name}"])))
                worst = max(worst, float(abs(_mp_map(a, b, qs) / qs - 1)))
            worst = max(
                worst,
                abs(float(qs) / float(p[f"q_star_{name}"]) - 1),
                abs(float(_mp_chi1(a, qs)) / float(p[f"chi1_{name}"]) - 1),
            )
        # at sigma_b^2 = 0, q* = 0 for sigma_w^2 <= 1 and chi_1 = sigma_w^2 there
        a = mpmath.mpf("0.8")
        worst = max(worst, float(abs(_mp_chi1(a, mpmath.mpf(0)) - p["chi1_at_q0"].subs(sw2, 0.8))))
    return worst


# --- 2. the backward second moment: a factor chi_1 per layer -------------------------------------------------------
@derivation(
    "backward_second_moment",
    title="Mean field, equal widths: E[delta_{l-1,i}^2] = chi_1 E[delta_{l,j}^2], so over L layers the backward "
    "second moment is multiplied by chi_1^L",
    title_zh="平均场、各层等宽：E[δ_{l−1,i}²] = χ₁ E[δ_{l,j}²]，因此经过 L 层，反向二阶矩乘以 χ₁^L",
)
def backward_second_moment() -> Result:
    """delta_{l-1,i} = phi'(h_{l-1,i}) sum_j W_{l,ji} delta_{l,j}; with the W independent of phi' and of delta_l
    (gradient independence), E[delta_{l-1,i}^2] = E[phi'^2] sum_j (sigma_w^2/N) E[delta_{l,j}^2]
    = chi_1 E[delta_l^2]."""
    n = sp.Symbol("N", positive=True, integer=True)
    j = sp.Symbol("j", positive=True, integer=True)
    m_phi = sp.Symbol("m_phi", positive=True)  # E[phi'(h)^2] at q*
    m_delta = sp.Symbol("m_delta", positive=True)  # E[delta_{l,j}^2], the same for every j
    # cross terms E[W_ji W_ki] = 0 for j != k: only the diagonal of the double sum survives
    per_layer = m_phi * sp.summation(sw2 / n * m_delta, (j, 1, n))
    factor = sp.simplify(per_layer / m_delta)
    if sp.simplify(factor - sw2 * m_phi) != 0:
        raise ArithmeticError("per-layer factor should be sigma_w^2 E[phi'^2]")
    over_l = chi**big_l
    xi_grad = -1 / sp.log(chi)
    p = tanh_length_map.result.parts
    num = {k: float(p[f"chi1_{k}"]) for k in ("ordered", "critical", "chaotic")}
    return Result(
        expr=sp.Tuple(factor, over_l, xi_grad),
        latex=(
            r"\mathbb{E}\bigl[\delta_{l-1,i}^2\bigr] = \chi_1\,\mathbb{E}\bigl[\delta_{l,j}^2\bigr],\qquad"
            rf"\frac{{\mathbb{{E}}[\delta_{{0}}^2]}}{{\mathbb{{E}}[\delta_{{L}}^2]}} = {sp.latex(over_l)}"
        ),
        parts={
            "per_layer": per_layer,
            "factor": factor,
            "over_L": over_l,
            "xi_grad": xi_grad,
            **{f"chi1_{k}": sp.Float(v, 15) for k, v in num.items()},
        },
        text={f"xi_grad_{k}": f"{-1 / math.log(v):.1f}" for k, v in num.items() if k != "critical"},
        symbols={
            "delta_l": "dL/dh_l",
            "chi_1": "sigma_w^2 E[phi'(sqrt(q*) z)^2]",
            "N": "width",
            "L": "number of layers",
        },
    )


def mc_backward_ratios(
    a: float,
    b: float,
    act: str = "tanh",
    width: int = 400,
    depth: int = 16,
    burn: int = 4,
    batch: int = 8,
    seed: int = 0,
) -> np.ndarray:
    """Seeded wide net: mean over the batch of delta_l^2 for l = 0..depth (the last ``depth`` layers after
    ``burn`` layers that bring q to q*), divided by its value at the top; delta at the top ~ N(0, 1)."""
    rng = np.random.default_rng([13, seed])
    hs, ws = random_net(width, burn + depth, a, b, rng.normal(size=(width, batch)), act, rng)
    ds = backward(hs, ws, rng.normal(size=(width, batch)), act)
    m = np.array([np.mean(d**2) for d in ds[burn:]])
    return m / m[-1]


@backward_second_moment.check(
    "seeded wide tanh nets (width 400, 4 burn-in + 16 layers, batch 8, sigma_b^2 = 0.05; sigma_w^2 = 1, critical, "
    "3): geometric mean per-layer ratio E[delta_{l-1}^2]/E[delta_l^2] vs chi_1 (relative; across seeds the "
    "spread is about 1.5 %)",
    tol=0.05,
    oracle_zh="固定随机种子的宽 tanh 网络（宽 400、先经过 4 层预热再测 16 层、批量 8、σ_b² = 0.05；"
    "σ_w² = 1、临界值、3）：逐层比值 E[δ_{l−1}²]/E[δ_l²] 的几何平均与 χ₁ 的相对误差（不同随机种子之间的标准差约 1.5%）",
)
def _() -> float:
    p = backward_second_moment.result.parts
    worst = 0.0
    for k, a in (("ordered", 1.0), ("critical", float(tanh_length_map.result.parts["sw2_critical"])), ("chaotic", 3.0)):
        m = mc_backward_ratios(a, 0.05)
        rate = m[0] ** (1 / (len(m) - 1))
        worst = max(worst, abs(rate / float(p[f"chi1_{k}"]) - 1))
    return worst


@backward_second_moment.check(
    "torch autograd (float64), width 400, 10 layers after 6, batch 16, sigma_b^2 = 0.05, sigma_w^2 = 1 and 3: "
    "sum of (dL/dh_0)^2 over sum of (dL/dh_10)^2 vs chi_1^10 (relative; across seeds this ratio scatters by about "
    "10 %)",
    tol=0.2,
    needs="torch",
    oracle_zh="torch 自动微分（float64），宽 400、先经过 6 层预热再测 10 层、批量 16、σ_b² = 0.05、σ_w² = 1 与 3："
    "(∂L/∂h_0)² 之和与 (∂L/∂h_10)² 之和的比值与 χ₁¹⁰ 的相对误差（不同随机种子之间该比值的标准差约 10%）",
)
def _() -> float:
    import torch

    p = backward_second_moment.result.parts
    f = sp.lambdify((chi, big_l), p["over_L"], "numpy")
    worst = 0.0
    for k, a in (("ordered", 1.0), ("chaotic", 3.0)):
        gen = torch.Generator().manual_seed(5 + int(a))
        width, burn, depth, batch = 400, 6, 10, 16
        h = torch.randn(batch, width, generator=gen, dtype=torch.float64)
        net = []
        for _ in range(burn + depth):
            w = torch.randn(width, width, generator=gen, dtype=torch.float64) * math.sqrt(a / width)
            bias = torch.randn(width, generator=gen, dtype=torch.float64) * math.sqrt(0.05)
            net.append((w, bias))
        for w, bias in net[:burn]:
            h = torch.tanh(h) @ w.T + bias
        h0 = h.detach().requires_grad_(True)
        h = h0
        for w, bias in net[burn:]:
            h = torch.tanh(h) @ w.T + bias
        v = torch.randn(batch, width, generator=gen, dtype=torch.float64)
        (g0,) = torch.autograd.grad((h * v).sum(), h0)  # dL/dh_top = v
        ratio = float((g0**2).sum() / (v**2).sum())
        worst = max(worst, abs(ratio / f(float(p[f"chi1_{k}"]), depth) - 1))
    return worst


# --- 3. depth scales ----------------------------------------------------------------------------------------------
@derivation(
    "depth_scales",
    title="Depth scales: slope of the length map at q* = chi_1 + sigma_w^2 E[phi phi''] (Gaussian integration by "
    "parts), xi_q = -1/ln(slope); in the ordered phase (c* = 1) xi_c = xi_grad = -1/ln chi_1",
    title_zh="深度尺度：长度映射在 q* 处的斜率 = χ₁ + σ_w² E[φφ″]（高斯分部积分），ξ_q = −1/ln(斜率)；"
    "有序相（c* = 1）中 ξ_c = ξ_∇ = −1/ln χ₁",
)
def depth_scales() -> Result:
    """d/dq sigma_w^2 E[phi(sqrt(q) z)^2] = sigma_w^2 E[phi'^2 + phi phi''] by Stein's lemma E[z g(z)] = E[g'(z)];
    numbers for tanh at sigma_w^2 = 3/2, sigma_b^2 = 1/20."""
    phi = sp.Function("phi")
    gfun = sp.Function("g")
    # Stein's lemma: z p(z) g(z) = p(z) g'(z) - d/dz[p(z) g(z)], and p g -> 0 at +-infinity
    stein = sp.simplify(z * _pdf(z) * gfun(z) - (_pdf(z) * sp.diff(gfun(z), z) - sp.diff(_pdf(z) * gfun(z), z)))
    if stein != 0:
        raise ArithmeticError("Stein's identity failed")
    d_integrand = sp.diff(phi(sp.sqrt(q) * z) ** 2, q)  # = phi phi' z / sqrt(q)
    g_of_z = sp.simplify(d_integrand / z)
    after_parts = sp.simplify(sp.diff(g_of_z, z))  # E[z g(z)] = E[g'(z)]
    x = sp.Symbol("x", real=True)
    expected = (sp.Derivative(phi(x), x) ** 2 + phi(x) * sp.Derivative(phi(x), x, 2)).subs(x, sp.sqrt(q) * z)
    if sp.simplify((after_parts - expected).doit()) != 0:
        raise ArithmeticError("slope integrand is not phi'^2 + phi phi''")
    slope_integrand = sp.factor(sp.diff(sp.tanh(u), u) ** 2 + sp.tanh(u) * sp.diff(sp.tanh(u), u, 2))
    xi = -1 / sp.log(slope)
    a, b = float(SW2_DEPTH), float(SB2)
    s_num, chi_num, qs = tanh_length_slope(a, b), tanh_chi1(a, b), tanh_q_star(a, b)
    return Result(
        expr=sp.Tuple(sp.Lambda(u, slope_integrand), xi),
        latex=(
            r"\frac{d}{dq}\,\sigma_w^2\,\mathbb{E}_z\bigl[\phi(\sqrt q z)^2\bigr]\Big|_{q^*}"
            r"= \chi_1 + \sigma_w^2\,\mathbb{E}_z\bigl[\phi(\sqrt{q^*}z)\,\phi''(\sqrt{q^*}z)\bigr]"
        ),
        parts={
            "tanh_slope_integrand": slope_integrand,
            "xi_q": xi.subs(slope, sp.Symbol("s_q")),
            "xi_grad": -1 / sp.log(chi),
            "sw2": SW2_DEPTH,
            "sb2": SB2,
            "q_star": sp.Float(qs, 15),
            "slope_value": sp.Float(s_num, 15),
            "chi1_value": sp.Float(chi_num, 15),
            "xi_q_value": sp.Float(-1 / math.log(s_num), 15),
            "xi_c_value": sp.Float(-1 / math.log(chi_num), 15),
        },
        text={
            "slope": f"{s_num:.4f}",
            "chi1": f"{chi_num:.4f}",
            "q_star": f"{qs:.4f}",
            "xi_q": f"{-1 / math.log(s_num):.2f}",
            "xi_c": f"{-1 / math.log(chi_num):.1f}",
        },
        symbols={
            "s": "slope of the length map at q*",
            "phi": "activation",
            "xi_q, xi_c, xi_grad": "depth scales of the length, the correlation and the gradient",
        },
    )


@depth_scales.check(
    "mpmath (20 digits): numerical derivative (mpmath.diff) of the quadrature length map at q*, and "
    "xi_q = -1/ln of it (relative)",
    tol=1e-9,
    oracle_zh="mpmath（20 位有效数字）：对数值积分得到的长度映射在 q* 处做数值求导（mpmath.diff），"
    "并由此得到 ξ_q = −1/ln(导数)（相对误差）",
)
def _() -> float:
    p = depth_scales.result.parts
    with mpmath.workdps(20):
        a, b = mpmath.mpf(3) / 2, mpmath.mpf(1) / 20

        d = mpmath.diff(lambda qq: _mp_map(a, b, qq), mpmath.mpf(str(float(p["q_star"]))))
        xi = -1 / mpmath.log(d)
    return max(abs(float(d) / float(p["slope_value"]) - 1), abs(float(xi) / float(p["xi_q_value"]) - 1))


@depth_scales.check(
    "2-D Gauss-Hermite quadrature (float64, 60 x 60 nodes): slope of the correlation map at c = 1 by a one-sided "
    "finite difference (h = 1e-4) vs chi_1 (relative; truncation error O(h))",
    tol=2e-3,
    oracle_zh="二维 Gauss–Hermite 求积（float64，60 × 60 个节点）：在 c = 1 处对相关系数映射做单侧有限差分"
    "（h = 1e-4），与 χ₁ 比较（相对误差；截断误差为 O(h)）",
)
def _() -> float:
    p = depth_scales.result.parts
    a, b, qs = float(p["sw2"]), float(p["sb2"]), float(p["q_star"])
    zs, ws = np.polynomial.hermite_e.hermegauss(60)
    ws = ws / ws.sum()
    z1, z2 = np.meshgrid(zs, zs, indexing="ij")
    w2 = np.outer(ws, ws)

    def cmap(cc: float) -> float:
        u1 = math.sqrt(qs) * z1
        u2 = math.sqrt(qs) * (cc * z1 + math.sqrt(1 - cc * cc) * z2)
        return (a * float(np.sum(w2 * np.tanh(u1) * np.tanh(u2))) + b) / qs

    h = 1e-4
    fd = (cmap(1.0) - cmap(1.0 - h)) / h
    return max(abs(fd / float(p["chi1_value"]) - 1), abs(cmap(1.0) - 1))


# --- 4. the critical line of tanh ----------------------------------------------------------------------------------
@derivation(
    "tanh_critical_line",
    title="tanh: the critical line chi_1(sigma_w^2, sigma_b^2) = 1 starts at (1, 0) and rises with sigma_b^2; "
    "sigma_w^2 = 1.76 at sigma_b^2 = 0.05",
    title_zh="tanh：临界线 χ₁(σ_w², σ_b²) = 1 从 (1, 0) 出发，随 σ_b² 增大而上升；σ_b² = 0.05 时 σ_w² = 1.76",
)
def tanh_critical_line() -> Result:
    """Points (sigma_w^2, sigma_b^2) with chi_1 = 1 at q*; at sigma_b^2 = 0, q* = 0 and chi_1 = sigma_w^2, so the
    line starts at sigma_w^2 = 1; for sigma_b^2 > 0 the critical sigma_w^2 is found by bisection."""
    chi1_q0 = tanh_length_map.result.parts["chi1_at_q0"]
    (start,) = sp.solve(sp.Eq(chi1_q0, 1), sw2)
    table = {b: tanh_critical_sw2(b) for b in CRITICAL_SB2}
    table[0] = float(start)
    sw = np.array([table[b] for b in CRITICAL_SB2])
    if np.any(np.diff(sw) <= 0):
        raise ArithmeticError("the critical sigma_w^2 should increase with sigma_b^2")
    rows = sp.Matrix(
        [[sp.Float(b, 15), sp.Float(table[b], 15), sp.Float(tanh_q_star(table[b], b), 15)] for b in CRITICAL_SB2]
    )
    return Result(
        expr=sp.Tuple(start, rows),
        latex=(
            r"\chi_1(\sigma_w^2,\sigma_b^2)=\sigma_w^2\,\mathbb{E}_z\bigl[\tanh'(\sqrt{q^*}z)^2\bigr]=1,"
            rf"\quad \sigma_b^2=0:\ \sigma_w^2={sp.latex(start)}"
        ),
        parts={"start": start, "table": rows},
        text={
            "table_md": "\n".join(
                ["| $\\sigma_b^2$ | $\\sigma_w^2$ | $q^*$ |", "|---:|---:|---:|"]
                + [f"| {b:g} | {table[b]:.4f} | {tanh_q_star(table[b], b):.4f} |" for b in CRITICAL_SB2]
            ),
            "at_005": f"{table[0.05]:.4f}",
        },
        symbols={"sigma_w^2": "N Var(W_ij)", "sigma_b^2": "Var(b_i)"},
    )


@tanh_critical_line.check(
    "mpmath (20 digits): at the tabulated (sigma_w^2, q*) for sigma_b^2 = 0.05, 0.5, 2, both equations hold: the "
    "quadrature length map returns q* (relative) and chi_1 = 1 (a relative error e in sigma_w^2 shows as about e)",
    tol=1e-9,
    oracle_zh="mpmath（20 位有效数字）：在表中 σ_b² = 0.05、0.5、2 对应的 (σ_w², q*) 处，两个方程都成立："
    "数值积分得到的长度映射把 q* 映到 q*（相对误差），且 χ₁ = 1（σ_w² 若有相对误差 e，χ₁ 约偏离 1 达 e）",
)
def _() -> float:
    rows = tanh_critical_line.result.parts["table"]
    worst = 0.0
    with mpmath.workdps(20):
        for k in range(rows.rows):
            b = float(rows[k, 0])
            if b in (0.05, 0.5, 2.0):
                a, qs = mpmath.mpf(str(float(rows[k, 1]))), mpmath.mpf(str(float(rows[k, 2])))
                worst = max(
                    worst, float(abs(_mp_map(a, mpmath.mpf(str(b)), qs) / qs - 1)), float(abs(_mp_chi1(a, qs) - 1))
                )
    return worst + abs(float(tanh_critical_line.result.parts["start"]) - 1.0)


# --- 5. ReLU: the arc-cosine correlation map and the approach of c_l to 1 ---------------------------------------
@derivation(
    "relu_correlation_map",
    title="ReLU, sigma_b = 0: c -> (sqrt(1 - c^2) + (pi - arccos c) c)/pi (Cho & Saul 2009); slope 1 at c = 1, "
    "and 1 - c_l ~ 9 pi^2/(2 l^2)",
    title_zh="ReLU、σ_b = 0：c → (√(1 − c²) + (π − arccos c)c)/π（Cho 和 Saul，2009）；在 c = 1 处斜率为 1，"
    "且 1 − c_l ~ 9π²/(2l²)",
)
def relu_correlation_map() -> Result:
    """Correlation map of two inputs through a ReLU layer without bias, for any sigma_w^2 (the map is scale-free),
    from the Gaussian integral in polar coordinates; near c = 1, 1 - c_{l+1} = (1 - c_l) - a (1 - c_l)^(3/2) + ...,
    so 1 - c_l ~ 4/(a l)^2."""
    # z = r (cos alpha, sin alpha); u1 = r cos(alpha), u2 = r cos(alpha - theta) with c = cos(theta); both > 0 for
    # alpha in (theta - pi/2, pi/2)
    radial = sp.integrate(r**3 * sp.exp(-(r**2) / 2), (r, 0, sp.oo))
    angular = sp.integrate(sp.cos(alpha) * sp.cos(alpha - theta), (alpha, theta - sp.pi / 2, sp.pi / 2))
    kernel = sp.simplify(radial * angular / (2 * sp.pi))  # E[relu(u1) relu(u2)] for unit variances
    # q_l = sigma_w^2 q_{l-1} / 2 with sigma_b = 0, so c_l = sigma_w^2 q_{l-1} kernel / q_l = 2 kernel
    cmap = sp.simplify((2 * kernel).subs(theta, sp.acos(c)))
    slope_at_1 = sp.limit(sp.diff(cmap, c), c, 1, "-")
    expansion = sp.series(1 - cmap.subs(c, 1 - eps), eps, 0, 2).removeO()
    a = -expansion.coeff(eps ** sp.Rational(3, 2))
    if sp.simplify(expansion - (eps - a * eps ** sp.Rational(3, 2))) != 0:
        raise ArithmeticError("unexpected expansion of the correlation map near c = 1")
    # d eps/dl = -a eps^(3/2)  =>  eps^(-1/2) = a l/2 + const  =>  eps ~ 4/(a l)^2
    e_fun = sp.Function("e")
    sol = sp.dsolve(sp.Eq(e_fun(ell).diff(ell), -a * e_fun(ell) ** sp.Rational(3, 2)))
    sols = sol if isinstance(sol, list) else [sol]
    rates = {sp.simplify(sp.limit(s.rhs * ell**2, ell, sp.oo)) for s in sols}
    rates.discard(sp.oo)
    (rate,) = rates
    c_l = sp.Symbol("c_l", real=True)
    step = sp.lambdify(c, cmap, "math")  # float64 iteration from c_0 = 0: how far l^2 (1 - c_l) still is from rate
    x, gaps = 0.0, {}
    for layer in range(1, 4001):
        x = step(x)
        if layer in (1000, 4000):
            gaps[f"gap_{layer}"] = f"{100 * (1 - layer**2 * (1 - x) / float(rate)):.1f}"
    return Result(
        expr=sp.Tuple(sp.Lambda(c, cmap), slope_at_1, rate),
        latex=rf"c_{{l}} = {sp.latex(cmap.subs(c, sp.Symbol('c_{l-1}')))}",
        parts={
            "kernel": kernel,
            "map": cmap,
            "slope_at_1": slope_at_1,
            # shown as equations: 1 - c_l = eps - a eps^(3/2) + O(eps^(5/2)) with eps = 1 - c_{l-1}, and the limit
            "expansion": sp.Eq(1 - c_l, expansion + sp.O(eps ** sp.Rational(5, 2))),
            "a": a,
            "rate": rate,
            "asymptote": sp.Eq(sp.Limit(ell**2 * (1 - c_l), ell, sp.oo), rate),
        },
        text={"rate_num": f"{float(rate):.2f}", **gaps},
        symbols={
            "c": "correlation of the pre-activations of two inputs",
            "theta": "arccos c",
            "epsilon": "1 - c",
            "l": "depth",
        },
    )


@relu_correlation_map.check(
    "mpmath (20 digits): 2-D quadrature of E[relu(u1) relu(u2)] at c = -0.9, -0.3, 0, 0.5, 0.95 vs kernel",
    tol=1e-15,
    oracle_zh="mpmath（20 位有效数字）：在 c = −0.9、−0.3、0、0.5、0.95 处对 E[relu(u1) relu(u2)] 做二维数值积分，"
    "与核函数比较",
)
def _() -> float:
    f = sp.lambdify(c, relu_correlation_map.result.parts["map"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(20):
        for cc in ("-0.9", "-0.3", "0", "0.5", "0.95"):
            cv = mpmath.mpf(cc)
            s = mpmath.sqrt(1 - cv * cv)

            def inner(z1, cv=cv, s=s):
                # relu(u2) > 0 for z2 > -c z1 / s: integrate (c z1 + s z2) over that half-line in closed form
                m = cv * z1
                return s * mpmath.npdf(m / s) + m * mpmath.ncdf(m / s)

            e = mpmath.quad(lambda z1, inner=inner: z1 * inner(z1) * mpmath.npdf(z1), [0, mpmath.inf])
            worst = max(worst, abs(2 * e - f(cv)))
    return float(worst)


@relu_correlation_map.check(
    "mpmath (20 digits): the exact map iterated from c_0 = 0; l^2 (1 - c_l) at l = 4000 vs 9 pi^2/2 "
    "(relative; the approach is slow, about 0.8 % left at l = 4000)",
    tol=0.012,
    oracle_zh="mpmath（20 位有效数字）：从 c_0 = 0 起迭代精确映射，比较 l = 4000 时的 l²(1 − c_l) 与 9π²/2"
    "（相对误差；收敛较慢，l = 4000 时仍差约 0.8%）",
)
def _() -> float:
    rate = float(relu_correlation_map.result.parts["rate"])
    with mpmath.workdps(20):
        x = mpmath.mpf(0)
        for _ in range(4000):
            x = (mpmath.sqrt(1 - x * x) + (mpmath.pi - mpmath.acos(x)) * x) / mpmath.pi
        return float(abs(4000**2 * (1 - x) / rate - 1))


# --- myth: "Glorot/Xavier keeps a deep ReLU network's gradients stable" -------------------------------------------
GLOROT_DEPTH = 30


@derivation(
    "relu_glorot_gradients",
    title="ReLU, no bias, equal widths, Glorot/Xavier (sigma_w^2 = 1): E[delta_l^2] and q_l both halve per layer "
    "(2^-30 over 30 layers), while every layer's weight gradient has the same second moment",
    title_zh="ReLU、无偏置、各层等宽、Glorot（Xavier）初始化（σ_w² = 1）：E[δ_l²] 与 q_l 每层都减半"
    "（30 层后为 2^−30），而各层权重梯度的二阶矩彼此相同",
)
def relu_glorot_gradients() -> Result:
    """With sigma_b = 0: q_l = (sigma_w^2/2)^l q_0, E[delta_l^2] = (sigma_w^2/2)^(L-l) E[delta_L^2], and
    E[(dL/dW_l)_ij^2] = E[delta_l^2] E[relu(h_{l-1})^2] = E[delta_L^2] q_0 (sigma_w^2/2)^(L-1) / 2 for every l
    (gradient independence); Glorot at equal widths is sigma_w^2 = 2/(N + N) * N = 1."""
    n = sp.Symbol("N", positive=True)
    glorot = sp.simplify(n * 2 / (n + n))  # N Var(W) with Var(W) = 2/(fan_in + fan_out), fan_in = fan_out = N
    k = sp.Symbol("l", positive=True, integer=True)
    q0, d_top = sp.symbols("q_0 m_L", positive=True)
    rho = relu_length_map.result.parts["chi1"]  # sigma_w^2/2: per-layer factor of q (sigma_b = 0) and of E[delta^2]
    q_l = rho**k * q0
    delta_l = rho ** (big_l - k) * d_top
    relu_m2 = relu_length_map.result.parts["second_moment"]  # E[relu(h)^2] = q/2
    weight_grad = sp.powsimp(sp.simplify(delta_l * relu_m2.subs(q, q_l.subs(k, k - 1))), force=True)
    if sp.simplify(sp.diff(weight_grad, k)) != 0:
        raise ArithmeticError("the weight-gradient second moment should not depend on the layer")
    at_glorot = {
        "chi1": rho.subs(sw2, glorot),
        "over_L": (rho**GLOROT_DEPTH).subs(sw2, glorot),
    }
    return Result(
        expr=sp.Tuple(glorot, q_l, delta_l, weight_grad),
        latex=(
            rf"\mathbb{{E}}\bigl[(\partial L/\partial W_l)_{{ij}}^2\bigr] = \mathbb{{E}}[\delta_{{l,i}}^2]\,"
            rf"\mathbb{{E}}[\phi(h_{{l-1,j}})^2] = {sp.latex(weight_grad)}"
        ),
        parts={
            "glorot_sw2": glorot,
            "q_l": q_l,
            "delta_l": delta_l,
            "weight_grad": weight_grad,
            "chi1_glorot": at_glorot["chi1"],
            "over_30_glorot": at_glorot["over_L"],
        },
        text={"over_30": f"{float(at_glorot['over_L']):.2e}", "depth": str(GLOROT_DEPTH)},
        symbols={
            "q_0": "second moment of the input pre-activation",
            "m_L": "E[delta_L^2] at the top layer",
            "l": "layer",
            "L": "depth",
        },
    )


@relu_glorot_gradients.check(
    "torch autograd (float64), bias-free ReLU MLP, width 400, 12 layers, batch 16, W ~ N(0, 1/N): slope of "
    "ln(mean squared weight gradient) over the layers, and the per-layer rate of the input gradient's second "
    "moment relative to the output's, (ratio)^(1/12), vs the derived ones (across seeds: slope spread 0.015, "
    "rate spread 2 %)",
    tol=0.08,
    needs="torch",
    oracle_zh="torch 自动微分（float64），无偏置 ReLU 多层感知机，宽 400、12 层、批量 16、W ~ N(0, 1/N)："
    "各层权重梯度均方值取对数后随层数的斜率，以及输入处与输出处梯度二阶矩之比的逐层速率 (比值)^(1/12)，"
    "与推导值比较（不同随机种子之间：斜率的标准差约 0.015，速率的约 2%）",
)
def _() -> float:
    import torch

    p = relu_glorot_gradients.result.parts
    layer, m_top, q_in = (
        sp.Symbol("l", positive=True, integer=True),
        sp.Symbol("m_L", positive=True),
        sp.Symbol("q_0", positive=True),
    )
    width, depth, batch = 400, 12, 16
    a = p["glorot_sw2"]
    gen = torch.Generator().manual_seed(2010)
    ws = [
        (torch.randn(width, width, generator=gen, dtype=torch.float64) * math.sqrt(float(a) / width)).requires_grad_(
            True
        )
        for _ in range(depth)
    ]
    h0 = torch.randn(batch, width, generator=gen, dtype=torch.float64).requires_grad_(True)
    h = h0
    for w in ws:
        h = torch.relu(h) @ w.T
    v = torch.randn(batch, width, generator=gen, dtype=torch.float64)
    grads = torch.autograd.grad((h * v).sum(), [*ws, h0])
    logs = np.log([float((g**2).mean()) for g in grads[:-1]])
    slope = float(np.polyfit(np.arange(1, depth + 1), logs, 1)[0])
    rate = float((grads[-1] ** 2).sum() / (v**2).sum()) ** (1 / depth)
    subs = {sw2: a, m_top: 1, q_in: 1, big_l: depth}
    slope_expected = float(sp.diff(sp.log(p["weight_grad"]), layer).subs(subs))
    rate_expected = float((p["delta_l"].subs(subs).subs(layer, 0)) ** sp.Rational(1, depth))
    return max(abs(slope - slope_expected), abs(rate / rate_expected - 1))


@relu_glorot_gradients.check(
    "NumPy, the chain rule written out (derivations.nets.meanfield), same network and statistics as the torch check "
    "with another seed",
    tol=0.08,
    oracle_zh="NumPy，手写链式法则（derivations.nets.meanfield），网络与统计量同 torch 校验，换一个随机种子",
)
def _() -> float:
    p = relu_glorot_gradients.result.parts
    layer, m_top, q_in = (
        sp.Symbol("l", positive=True, integer=True),
        sp.Symbol("m_L", positive=True),
        sp.Symbol("q_0", positive=True),
    )
    width, depth, batch = 400, 12, 16
    a = p["glorot_sw2"]
    rng = np.random.default_rng(2010)
    hs, ws = random_net(width, depth, float(a), 0.0, rng.normal(size=(width, batch)), "relu", rng)
    ds = backward(hs, ws, rng.normal(size=(width, batch)), "relu")
    # dL/dW_l = delta_l relu(h_{l-1})^T summed over the batch (samples are columns)
    logs = np.log([float(np.mean((ds[k] @ np.maximum(hs[k - 1], 0).T) ** 2)) for k in range(1, depth + 1)])
    slope = float(np.polyfit(np.arange(1, depth + 1), logs, 1)[0])
    rate = float(np.sum(ds[0] ** 2) / np.sum(ds[-1] ** 2)) ** (1 / depth)
    subs = {sw2: a, m_top: 1, q_in: 1, big_l: depth}
    slope_expected = float(sp.diff(sp.log(p["weight_grad"]), layer).subs(subs))
    rate_expected = float((p["delta_l"].subs(subs).subs(layer, 0)) ** sp.Rational(1, depth))
    return max(abs(slope - slope_expected), abs(rate / rate_expected - 1))


# --- 6. data for the interactive chi_1 explorer --------------------------------------------------------------------
@derivation(
    "signal_explorer",
    title="Interactive data: chi_1 and q* of tanh at sigma_b^2 = 0.05 for sigma_w^2 = 0.5 .. 4; over L layers the "
    "backward second moment is multiplied by chi_1^L",
    title_zh="交互图数据：σ_b² = 0.05 时 tanh 在 σ_w² = 0.5 … 4 上的 χ₁ 与 q*；经过 L 层，反向二阶矩乘以 χ₁^L",
)
def signal_explorer() -> Result:
    """chi_1(sigma_w^2) and q*(sigma_w^2) of tanh at sigma_b^2 = 1/20 on a grid, as language-neutral JSON."""
    b = float(SB2)
    rows = [(a, tanh_q_star(a, b), tanh_chi1(a, b)) for a in EXPLORER_SW2]
    data = {
        "sb2": f"{b:g}",
        "sw2": [f"{a:.2f}" for a in EXPLORER_SW2],
        "q_star": [float(f"{qs:.6g}") for _, qs, _ in rows],
        "chi1": [float(f"{ch:.6g}") for _, _, ch in rows],
        "critical": float(f"{tanh_critical_sw2(b):.6g}"),
        "depths": [1, 100],
    }
    over_l = chi**big_l
    return Result(
        expr=sp.Lambda((chi, big_l), over_l),
        latex=rf"\frac{{\mathbb{{E}}[\delta_0^2]}}{{\mathbb{{E}}[\delta_L^2]}} = {sp.latex(over_l)}",
        parts={
            "over_L": over_l,
            "chi1_grid": sp.Matrix([[sp.Float(a, 15), sp.Float(ch, 15), sp.Float(qs, 15)] for a, qs, ch in rows]),
        },
        text={"series_json": json.dumps(data, separators=(",", ":"))},
        symbols={"chi_1": "sigma_w^2 E[tanh'(sqrt(q*) z)^2]", "L": "depth"},
    )


@signal_explorer.check(
    "mpmath (20 digits) at sigma_w^2 = 0.5, 2, 4: the quadrature length map returns the grid's q*, and chi_1 by "
    "quadrature at q* (relative)",
    tol=1e-9,
    oracle_zh="mpmath（20 位有效数字），σ_w² = 0.5、2、4：数值积分得到的长度映射把网格中的 q* 映到 q*，"
    "χ₁ 用数值积分在 q* 处计算（相对误差）",
)
def _() -> float:
    grid = signal_explorer.result.parts["chi1_grid"]
    worst = 0.0
    with mpmath.workdps(20):
        for k in (0, 30, 70):
            a, qs = mpmath.mpf(str(float(grid[k, 0]))), mpmath.mpf(str(float(grid[k, 2])))
            worst = max(
                worst,
                float(abs(_mp_map(a, mpmath.mpf(1) / 20, qs) / qs - 1)),
                abs(float(_mp_chi1(a, qs)) / float(grid[k, 1]) - 1),
            )
    return worst


# --- figure data ---------------------------------------------------------------------------------------------------
def figure_data_phase_diagram() -> dict:
    """The tanh critical line sigma_w^2(sigma_b^2) on a grid of sigma_b^2 in [0, 2], and the three examples."""
    bs = np.linspace(0.0, 2.0, 41)
    p = tanh_length_map.result.parts
    return {
        "sb2": bs,
        "sw2": np.array([tanh_critical_sw2(float(b)) for b in bs]),
        "examples": [(float(p[f"sw2_{k}"]), float(SB2)) for k in ("ordered", "critical", "chaotic")],
    }


def figure_data_chi1() -> dict:
    """chi_1 versus sigma_w^2 for tanh at sigma_b^2 = 0, 0.05, 0.5, and for ReLU (sigma_w^2/2)."""
    a = np.linspace(0.25, 4.0, 76)
    out = {"sw2": a, "relu": a / 2}
    for b in (0.0, 0.05, 0.5):
        out[f"tanh_{b:g}"] = np.array([tanh_chi1(float(x), b) for x in a])
    return out


def figure_data_backward(depth: int = 20) -> dict:
    """Seeded wide tanh nets at sigma_b^2 = 0.05 (width 800, batch 16, seed 0): E[delta_l^2]/E[delta_L^2] over l,
    against chi_1^(L-l)."""
    p = tanh_length_map.result.parts
    out = {"layer": np.arange(depth + 1)}
    for k in ("ordered", "critical", "chaotic"):
        a = float(p[f"sw2_{k}"])
        out[k] = mc_backward_ratios(a, float(SB2), width=800, depth=depth, batch=16)
        out[f"{k}_theory"] = float(p[f"chi1_{k}"]) ** (depth - out["layer"])
        out[f"{k}_sw2"] = a
    return out


def figure_data_relu_correlation(depth: int = 1000) -> dict:
    """1 - c_l for ReLU (sigma_b = 0) from c_0 = 0 by the exact map in float64, and the asymptote 9 pi^2/(2 l^2)."""
    f = sp.lambdify(c, relu_correlation_map.result.parts["map"], "math")
    rate = float(relu_correlation_map.result.parts["rate"])
    x, out = 0.0, []
    for _ in range(depth):
        x = f(x)
        out.append(1.0 - x)
    layer = np.arange(1, depth + 1)
    return {"layer": layer, "one_minus_c": np.array(out), "asymptote": rate / layer**2.0}


# --- exercises: the ReLU length recursion solved, and a point on the tanh critical line ---------------------------
RELU_EX_SW2, RELU_EX_SB2, RELU_EX_DEPTH = sp.Rational(3, 2), sp.Rational(1, 5), 10  # ordered example, q_0 = 0
RELU_HE_Q0 = sp.Integer(1)  # He example: sigma_w^2 = 2, the same sigma_b^2, q_0 = 1


@derivation(
    "relu_length_recursion",
    title="ReLU length map solved: q_l = q* + (sigma_w^2/2)^l (q_0 - q*) for sigma_w^2 != 2; at He's sigma_w^2 = 2, "
    "q_l = q_0 + l sigma_b^2 (chi_1 = 1 but no fixed point when sigma_b^2 > 0)",
    title_zh="求解 ReLU 长度映射：σ_w² ≠ 2 时 q_l = q* + (σ_w²/2)^l (q_0 − q*)；He 初始化（σ_w² = 2）时 "
    "q_l = q_0 + l σ_b²（χ₁ = 1，但 σ_b² > 0 时没有不动点）",
)
def relu_length_recursion() -> Result:
    """The mean-field recursion q_l = sigma_w^2 q_{l-1}/2 + sigma_b^2 of a ReLU net solved from q_0 by rsolve: the
    distance to q* shrinks by chi_1 = sigma_w^2/2 per layer; at sigma_w^2 = 2 every layer adds sigma_b^2. Examples:
    sigma_w^2 = 3/2, sigma_b^2 = 1/5 from q_0 = 0, and sigma_w^2 = 2, sigma_b^2 = 1/5 from q_0 = 1."""
    qf = sp.Function("q")
    q0 = sp.Symbol("q_0", nonnegative=True)
    lv = sp.Symbol("l", integer=True, nonnegative=True)
    p = relu_length_map.result.parts
    qmap, qstar, chi1 = p["length_map"], p["q_star"], p["chi1"]
    general = sp.rsolve(qf(lv + 1) - qmap.subs(q, qf(lv)), qf(lv), {qf(0): q0})
    he = sp.expand(sp.rsolve(qf(lv + 1) - qmap.subs(sw2, 2).subs(q, qf(lv)), qf(lv), {qf(0): q0}))
    shown = qstar + chi1**lv * (q0 - qstar)  # the form printed on the page
    if sp.simplify(general - shown) != 0:
        raise ArithmeticError("rsolve's solution differs from q* + chi_1^l (q_0 - q*)")
    if sp.simplify(he - (q0 + lv * sb2)) != 0:
        raise ArithmeticError("at sigma_w^2 = 2 the solution should be q_0 + l sigma_b^2")
    ex = {sw2: RELU_EX_SW2, sb2: RELU_EX_SB2, q0: 0}
    q_ex = sp.simplify(shown.subs(ex))
    he_ex = he.subs({sb2: RELU_EX_SB2, q0: RELU_HE_Q0})
    qs_sym = sp.Symbol("q^*", positive=True)
    readable = qs_sym + chi1**lv * (q0 - qs_sym)  # the same solution with q* kept as a symbol, for reading
    return Result(
        expr=sp.Tuple(sp.Lambda((lv, q0), shown), sp.Lambda((lv, q0), he)),
        latex=rf"q_l = {sp.latex(shown)}\ \ (\sigma_w^2\ne2),\qquad q_l = {sp.latex(he)}\ \ (\sigma_w^2=2)",
        parts={
            "q_l": shown,
            "q_l_readable": readable,
            "q_star": qstar,
            "q_l_he": he,
            "sw2": RELU_EX_SW2,
            "sb2": RELU_EX_SB2,
            "depth": sp.Integer(RELU_EX_DEPTH),
            "q_star_example": qstar.subs(ex),
            "chi1_example": chi1.subs(ex),
            "q_l_example": q_ex,
            "q_depth_example": q_ex.subs(lv, RELU_EX_DEPTH),
            "he_q0": RELU_HE_Q0,
            "he_chi1": chi1.subs(sw2, 2),
            "q_l_he_example": he_ex,
            "q_depth_he": he_ex.subs(lv, RELU_EX_DEPTH),
        },
        text={"q_depth_example": f"{float(q_ex.subs(lv, RELU_EX_DEPTH)):.4f}"},
        symbols={"q_0": "second moment of the input pre-activation", "l": "layer", "q*": "fixed point"},
    )


@relu_length_recursion.check(
    "exact rational arithmetic (fractions): the map q -> sigma_w^2 q/2 + sigma_b^2 iterated 20 times at the two "
    "examples, at sigma_w^2 = 5/2, sigma_b^2 = 1/3, q_0 = 7 and (the form q* + chi_1^l (q_0 - q*)) at "
    "sigma_w^2 = 1/2, sigma_b^2 = 3, q_0 = 1/9, against the solved q_l; the example's q* by 200 float iterations and "
    "chi_1 as the exact ratio (q_2 - q*)/(q_1 - q*)",
    tol=1e-12,
    oracle_zh="精确有理数运算（fractions）：在两个示例、σ_w² = 5/2、σ_b² = 1/3、q_0 = 7 处，"
    "以及（对 q* + χ₁^l (q_0 − q*) 这一写法）"
    "σ_w² = 1/2、σ_b² = 3、q_0 = 1/9 处，把映射 q → σ_w² q/2 + σ_b² 迭代 20 次，与求出的 q_l 比较；"
    "示例的 q* 由 200 次浮点迭代得到，χ₁ 取精确比值 (q_2 − q*)/(q_1 − q*)",
)
def _() -> float:
    from fractions import Fraction

    p = relu_length_recursion.result.parts
    lv, q0 = sp.Symbol("l", integer=True, nonnegative=True), sp.Symbol("q_0", nonnegative=True)
    worst = 0.0
    cases = [
        (Fraction(3, 2), Fraction(1, 5), Fraction(0), p["q_l"], p["q_l_example"], p["q_depth_example"]),
        (Fraction(2), Fraction(1, 5), Fraction(1), p["q_l_he"], p["q_l_he_example"], p["q_depth_he"]),
        (Fraction(5, 2), Fraction(1, 3), Fraction(7), p["q_l"], None, None),
        (
            Fraction(1, 2),
            Fraction(3),
            Fraction(1, 9),
            p["q_l_readable"].subs(sp.Symbol("q^*", positive=True), p["q_star"]),
            None,
            None,
        ),
    ]
    for a, b, start, formula, example, at_depth in cases:
        x = start
        f = formula.subs({sw2: sp.Rational(a.numerator, a.denominator), sb2: sp.Rational(b.numerator, b.denominator)})
        f = f.subs(q0, sp.Rational(start.numerator, start.denominator))
        for layer in range(21):
            for g in (f, example) if example is not None else (f,):
                val = sp.Rational(x.numerator, x.denominator) - g.subs(lv, layer)
                worst = max(worst, abs(float(val)))
            if layer == RELU_EX_DEPTH and at_depth is not None:
                worst = max(worst, abs(float(sp.Rational(x.numerator, x.denominator) - at_depth)))
            x = a * x / 2 + b
    # the example's fixed point (float iteration, 200 steps: the distance shrinks by (3/4)^200) and the exact
    # per-layer ratio of the distances to it
    x, qs = 0.0, float(p["q_star_example"])
    for _ in range(200):
        x = float(p["sw2"]) * x / 2 + float(p["sb2"])
    x1 = Fraction(1, 5)  # q_1 from q_0 = 0
    x2 = Fraction(3, 2) * x1 / 2 + Fraction(1, 5)
    star = Fraction(int(sp.numer(p["q_star_example"])), int(sp.denom(p["q_star_example"])))
    ratio = (x2 - star) / (x1 - star)
    return max(worst, abs(x - qs), abs(float(ratio - Fraction(str(p["chi1_example"])))))


@relu_length_recursion.check(
    "seeded Monte Carlo, 600 independent ReLU nets of width 16 (10 layers, numpy float64): the mean of h_l^2 over "
    "nets and units at every layer vs the solved q_l, for both examples (relative, worst layer; the recursion holds "
    "in expectation at any width because h is conditionally symmetric, so E relu(h)^2 = E h^2/2; across 30 seeds the "
    "worst layer is off by 4 % and 9 % in the median, at most 17 %)",
    tol=0.25,
    oracle_zh="固定随机种子的蒙特卡罗：600 个相互独立、宽 16 的 ReLU 网络（10 层，NumPy float64），每层 h_l² 在网络与"
    "单元上的均值与求出的 q_l 比较，两个示例都算（相对误差，取最差的一层；给定上一层时 h 的条件分布关于 0 对称，因此"
    "E relu(h)² = E h²/2，该递推对任意宽度在期望意义下都成立；30 个随机种子中最差一层的误差中位数分别为 4% 与 9%，"
    "最大 17%）",
)
def _() -> float:
    p = relu_length_recursion.result.parts
    lv = sp.Symbol("l", integer=True, nonnegative=True)
    nets, width, worst = 600, 16, 0.0
    for a, start, formula in ((p["sw2"], 0.0, p["q_l_example"]), (2, float(p["he_q0"]), p["q_l_he_example"])):
        rng = np.random.default_rng([29, int(2 * a)])
        h = rng.normal(size=(nets, width, 1)) * math.sqrt(start)
        for layer in range(1, RELU_EX_DEPTH + 1):
            w = rng.normal(size=(nets, width, width)) * math.sqrt(float(a) / width)
            h = w @ np.maximum(h, 0.0) + rng.normal(size=(nets, width, 1)) * math.sqrt(float(p["sb2"]))
            worst = max(worst, abs(float(np.mean(h**2)) / float(formula.subs(lv, layer)) - 1))
    return worst


TANH_EX_SB2 = sp.Rational(1, 4)  # a bias variance between two rows of the critical-line table


@derivation(
    "tanh_critical_weight_variance",
    title="tanh at sigma_b^2 = 1/4: sigma_w^2 = 1 is in the ordered phase (chi_1 < 1 at its q*); the critical "
    "sigma_w^2 and its q* solve q* = sigma_w^2 E[tanh(sqrt(q*) z)^2] + sigma_b^2 and chi_1 = 1 together",
    title_zh="tanh 网络，σ_b² = 1/4：σ_w² = 1 处于有序相（在相应的 q* 处 χ₁ < 1）；临界的 σ_w² 与相应的 q* 同时满足 "
    "q* = σ_w² E[tanh(√q* z)²] + σ_b² 与 χ₁ = 1",
)
def tanh_critical_weight_variance() -> Result:
    """At sigma_b^2 = 1/4: q* and chi_1 for sigma_w^2 = 1 (where chi_1 = sigma_w^2 only at q* = 0, i.e. without
    bias), and the critical (sigma_w^2, q*) by bisection on chi_1(sigma_w^2) - 1 with q* by bisection inside."""
    chi1_q0 = tanh_length_map.result.parts["chi1_at_q0"]
    (naive,) = sp.solve(sp.Eq(chi1_q0, 1), sw2)  # the critical sigma_w^2 if q* were 0: 1
    b = float(TANH_EX_SB2)
    q_naive, chi_naive = tanh_q_star(float(naive), b), tanh_chi1(float(naive), b)
    crit = tanh_critical_sw2(b)
    q_crit = tanh_q_star(crit, b)
    if not chi_naive < 1 < crit:
        raise ArithmeticError("sigma_w^2 = 1 should be ordered at sigma_b^2 = 1/4")
    return Result(
        expr=sp.Tuple(TANH_EX_SB2, sp.Float(crit, 15), sp.Float(q_crit, 15)),
        latex=rf"\sigma_b^2={sp.latex(TANH_EX_SB2)}:\quad \sigma_w^2={crit:.4f},\ q^*={q_crit:.4f}",
        parts={
            "sb2": TANH_EX_SB2,
            "naive_sw2": naive,
            "q_star_naive": sp.Float(q_naive, 15),
            "chi1_naive": sp.Float(chi_naive, 15),
            "sw2_critical": sp.Float(crit, 15),
            "q_star_critical": sp.Float(q_crit, 15),
        },
        text={
            "q_star_naive": f"{q_naive:.4f}",
            "chi1_naive": f"{chi_naive:.4f}",
            "sw2_critical": f"{crit:.4f}",
            "q_star_critical": f"{q_crit:.4f}",
        },
        symbols={"sigma_w^2": "N Var(W_ij)", "sigma_b^2": "Var(b_i)", "q*": "fixed point of the length map"},
    )


@tanh_critical_weight_variance.check(
    "mpmath (20 digits): at the derived (sigma_w^2, q*) of both points, the length map integrated by mpmath.quad "
    "returns q* (relative), chi_1 by mpmath.quad is 1 at the critical point and the stated value at sigma_w^2 = 1 "
    "(a relative error e in sigma_w^2 shows as about e in chi_1)",
    tol=1e-9,
    oracle_zh="mpmath（20 位有效数字）：在两个点推导出的 (σ_w², q*) 处，用 mpmath.quad 积分得到的长度映射把 q* 映到 q*"
    "（相对误差），用 mpmath.quad 计算的 χ₁ 在临界点等于 1、在 σ_w² = 1 处等于所给的值"
    "（σ_w² 若有相对误差 e，χ₁ 的相对偏差也约为 e）",
)
def _() -> float:
    p = tanh_critical_weight_variance.result.parts
    with mpmath.workdps(20):
        b = mpmath.mpf(1) / 4
        worst = 0.0
        for sw, qs, chi_want in (
            (p["sw2_critical"], p["q_star_critical"], 1),
            (p["naive_sw2"], p["q_star_naive"], p["chi1_naive"]),
        ):
            a, qq = mpmath.mpf(str(float(sw))), mpmath.mpf(str(float(qs)))
            worst = max(
                worst,
                float(abs(_mp_map(a, b, qq) / qq - 1)),
                float(abs(_mp_chi1(a, qq) / mpmath.mpf(str(float(chi_want))) - 1)),
            )
        return worst
