"""Attractors and bifurcations of one-unit recurrences: why storing a bit makes gradients vanish, and where a gradient
with respect to a parameter becomes huge although every state stays bounded.

Conventions. The latch is h_t = tanh(w h_{t-1}) (no input, no bias, w real). The second system is Pascanu, Mikolov
and Bengio (2013), eq. (8): x_t = w sigma(x_{t-1}) + b with sigma the logistic sigmoid 1/(1 + e^{-x}), no input; its
section 2.3 example takes x_0 = 1/2 and the loss E_T = (sigma(x_T) - 0.7)^2 after T = 50 steps, and its Fig. 3 (the
bifurcation diagram, after Doya 1993) fixes the recurrent weight at 5. A fixed point is stable when the map's slope
there has modulus < 1. "Gradient" means the derivative of a scalar (state or loss) with respect to one scalar (the
initial state or the bias).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.sym import sci_latex

s = sp.Symbol("s", positive=True)  # latch: h* = tanh(s)
w = sp.Symbol("w", real=True)
h = sp.Symbol("h", real=True)
x = sp.Symbol("x", real=True)
b = sp.Symbol("b", real=True)
T = sp.Symbol("T", integer=True, positive=True)
delta = sp.Symbol("delta", positive=True)  # distance of b from a fold

SIG = 1 / (1 + sp.exp(-x))
LATCH_W = sp.Integer(2)  # the latch example
W_DOYA = sp.Integer(5)  # Pascanu et al. (2013), Fig. 3: recurrent weight 5.0
X0 = sp.Rational(1, 2)  # Pascanu et al. (2013), section 2.3: x_0 = .5
TARGET = sp.Rational(7, 10)  # ... E_50 = (sigma(x_50) - 0.7)^2
T_CLIFF = 50
ETA = sp.Rational(1, 20)  # learning rate of the one-step clipping example
CLIP = sp.Integer(1)  # clipping threshold of that example


# --- independent float64 / mpmath simulations (no SymPy) -------------------------------------------------------
def _mp_sig(t):
    return 1 / (1 + mpmath.exp(-t))


def _mp_run(bv, wv=5, steps=T_CLIFF):
    """x_T of x_t = w sigma(x_{t-1}) + b from x_0 = 1/2 in mpmath (working precision of the caller)."""
    xv = mpmath.mpf(1) / 2
    for _ in range(steps):
        xv = wv * _mp_sig(xv) + bv
    return xv


def _mp_loss_grad(bv, steps=T_CLIFF):
    """(E_T, dE_T/db, x_T, d^2E_T/db^2) of x_t = 5 sigma(x_{t-1}) + b from x_0 = 1/2, target 0.7, in mpmath (working
    precision of the caller), by forward mode: d_t = dx_t/db = 5 sigma'(x_{t-1}) d_{t-1} + 1 and
    d2_t = 5 sigma''(x_{t-1}) d_{t-1}^2 + 5 sigma'(x_{t-1}) d2_{t-1} (d_0 = d2_0 = 0), sigma'' = sigma'(1 - 2 sigma)."""
    xv, d, d2, tgt = mpmath.mpf(1) / 2, mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(7) / 10
    for _ in range(steps):
        sg = _mp_sig(xv)
        s1 = sg * (1 - sg)
        d, d2 = 5 * s1 * d + 1, 5 * s1 * (1 - 2 * sg) * d**2 + 5 * s1 * d2
        xv = 5 * sg + bv
    sg = _mp_sig(xv)
    s1 = sg * (1 - sg)
    grad = 2 * (sg - tgt) * s1 * d
    curv = 2 * (s1**2 + (sg - tgt) * s1 * (1 - 2 * sg)) * d**2 + 2 * (sg - tgt) * s1 * d2
    return (sg - tgt) ** 2, grad, xv, curv


def simulate(bv: np.ndarray, wv: float = 5.0, x0: float = 0.5, steps: int = T_CLIFF, target: float = 0.7) -> dict:
    """float64, vectorised over b: x_T, E_T = (sigma(x_T) - target)^2 and dE_T/db by forward-mode recursion
    d_t = w sigma'(x_{t-1}) d_{t-1} + 1 (d_0 = 0)."""
    bv = np.asarray(bv, dtype=np.float64)
    xv = np.full_like(bv, x0)
    d = np.zeros_like(bv)
    for _ in range(steps):
        sg = 1.0 / (1.0 + np.exp(-xv))
        d = wv * sg * (1.0 - sg) * d + 1.0
        xv = wv * sg + bv
    sg = 1.0 / (1.0 + np.exp(-xv))
    return {"x": xv, "loss": (sg - target) ** 2, "dxdb": d, "grad": 2.0 * (sg - target) * sg * (1.0 - sg) * d}


# --- 1. the latch: fixed points and their slope ------------------------------------------------------------------
@derivation(
    "latch_fixed_point_slope",
    title="Latch h = tanh(w h), w > 1: with h* = tanh s, w = s coth s and the slope at +-h* is "
    "w(1 - h*^2) = 2s/sinh 2s < 1; at 0 it is w > 1",
    title_zh="锁存器 h = tanh(wh)，w > 1：令 h* = tanh s，则 w = s·coth s，±h* 处的斜率 w(1 − h*²) = 2s/sinh 2s < 1；"
    "0 处的斜率为 w > 1",
)
def latch_fixed_point_slope() -> Result:
    """For w > 1 the latch h_t = tanh(w h_{t-1}) has fixed points 0 (slope w > 1, unstable) and +-h*, h* = tanh s
    with s coth s = w; the slope there, w(1 - h*^2) = 2s/sinh(2s), is < 1 for every w > 1 (proved: sinh y > y)."""
    w_of_s = s / sp.tanh(s)  # tanh(w h*) = h* with h* = tanh s  <=>  w tanh s = s
    if sp.simplify(sp.tanh(w_of_s * sp.tanh(s)) - sp.tanh(s)) != 0:
        raise ArithmeticError("h* = tanh s is not a fixed point for w = s coth s")
    slope = sp.diff(sp.tanh(w * h), h).subs(w, w_of_s).subs(h, sp.tanh(s))
    slope_closed = 2 * s / sp.sinh(2 * s)
    if sp.simplify((slope - slope_closed).rewrite(sp.exp)) != 0:
        raise ArithmeticError("slope at h* is not 2s/sinh 2s")
    # proof that 2s/sinh(2s) < 1: g(y) = sinh y - y has g(0) = 0 and g'(y) = cosh y - 1 = 2 sinh^2(y/2) > 0 for y > 0
    y = sp.Symbol("y", positive=True)
    gap = sp.sinh(y) - y
    gap_d = sp.diff(gap, y)
    if gap.subs(y, 0) != 0 or sp.simplify((gap_d - 2 * sp.sinh(y / 2) ** 2).rewrite(sp.exp)) != 0:
        raise ArithmeticError("sinh y - y is not increasing from 0")
    # w = s coth s is strictly increasing from 1 (s -> 0) to oo: one s > 0 for every w > 1
    dw = sp.diff(w_of_s, s)
    dw_closed = (sp.sinh(2 * s) / 2 - s) / sp.sinh(s) ** 2  # > 0 by the same inequality, y = 2s
    if sp.simplify((dw - dw_closed).rewrite(sp.exp)) != 0 or sp.limit(w_of_s, s, 0) != 1:
        raise ArithmeticError("s coth s is not an increasing bijection (0, oo) -> (1, oo)")
    slope_origin = sp.diff(sp.tanh(w * h), h).subs(h, 0)
    s_ex = sp.nsolve(w_of_s - LATCH_W, s, 1, prec=30)
    h_ex = sp.tanh(s_ex)
    slope_ex = slope_closed.subs(s, s_ex).evalf(30)
    return Result(
        expr=sp.Tuple(sp.Lambda(s, w_of_s), sp.Lambda(s, slope_closed)),
        latex=(
            r"h^*=\tanh s,\quad w=" + sp.latex(w_of_s) + r",\quad "
            r"\frac{\partial h_t}{\partial h_{t-1}}\Big|_{\pm h^*}=w\bigl(1-h^{*2}\bigr)="
            + sp.latex(slope_closed)
            + "<1"
        ),
        parts={
            "w_of_s": w_of_s,
            "slope_of_s": slope_closed,
            "slope_origin": slope_origin,
            "gap": gap,
            "gap_derivative": 2 * sp.sinh(y / 2) ** 2,
            "w_example": LATCH_W,
            "h_example": h_ex,
            "slope_example": slope_ex,
        },
        symbols={
            "w": "recurrent weight (> 1)",
            "s": "artanh h* (> 0)",
            "h*": "positive stable fixed point",
            "y": "2s in the proof that sinh y > y",
        },
        text={"h_example": f"{float(h_ex):.5f}", "slope_example": f"{float(slope_ex):.5f}"},
    )


@latch_fixed_point_slope.check(
    "mpmath.findroot of h = tanh(wh) at 50 digits for w in {1.01, 1.5, 2, 3, 5, 10}; slope w(1 - h^2) from it",
    tol=1e-35,
    oracle_zh="mpmath.findroot 在 50 位精度下求解 h = tanh(wh)（w 取 1.01、1.5、2、3、5、10），再由根算斜率 w(1 − h²)",
)
def _() -> float:
    p = latch_fixed_point_slope.result.parts
    w_of = sp.lambdify(s, p["w_of_s"], "mpmath")
    slope_of = sp.lambdify(s, p["slope_of_s"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for wv in ("1.01", "1.5", "2", "3", "5", "10"):
            wm = mpmath.mpf(wv)
            hs = mpmath.findroot(lambda t, wm=wm: mpmath.tanh(wm * t) - t, mpmath.mpf("0.999"))
            if not 0 < hs < 1:
                return float("inf")
            sv = mpmath.atanh(hs)
            a = wm * (1 - hs**2)
            worst = max(worst, abs(w_of(sv) - wm), abs(slope_of(sv) - a), max(a - 1, 0))
        # the example w = 2
        hs = mpmath.findroot(lambda t: mpmath.tanh(2 * t) - t, mpmath.mpf("0.9"))
        worst = max(worst, abs(hs - mpmath.mpf(str(p["h_example"]))) * 1e-10)
    return float(worst)


@latch_fixed_point_slope.check(
    "central finite differences, float64 (h=1e-6), of tanh(2h) at the example's h* and at 0",
    tol=1e-9,
    oracle_zh="float64 中心有限差分（步长 1e-6）：tanh(2h) 在示例的 h* 处和 0 处的导数",
)
def _() -> float:
    p = latch_fixed_point_slope.result.parts
    hs, step = float(p["h_example"]), 1e-6
    fd = (np.tanh(2 * (hs + step)) - np.tanh(2 * (hs - step))) / (2 * step)
    fd0 = (np.tanh(2 * step) - np.tanh(-2 * step)) / (2 * step)
    return max(abs(fd - float(p["slope_example"])), abs(fd0 - float(p["slope_origin"].subs(w, 2))))


# --- 2. the latch's gradient vanishes geometrically -------------------------------------------------------------
@derivation(
    "latch_gradient_decay",
    title="Latch stored at h*: dh_T/dh_0 = (w(1 - h*^2))^T (T <= 4 symbolically, all T by the chain rule); "
    "w = 2: T = 10 and T = 50",
    title_zh="锁存器停在 h* 时：∂h_T/∂h_0 = (w(1 − h*²))^T（T ≤ 4 时符号验证，任意 T 由链式法则得出）；"
    "w = 2 时 T = 10 与 T = 50 的值",
)
def latch_gradient_decay() -> Result:
    """At the stored fixed point h_0 = h*, the T-step derivative of the latch h_t = tanh(w h_{t-1}) is a^T with
    a = w(1 - h*^2) < 1: it vanishes geometrically in T (derivative with respect to the initial state h_0)."""
    hs = sp.Symbol("h^*", real=True)
    a = w * (1 - hs**2)
    f_iter = h
    for k in range(1, 5):  # d/dh_0 of the k-fold composition, at h_0 = h*, using tanh(w h*) = h*
        f_iter = sp.tanh(w * f_iter)
        g = sp.diff(f_iter, h).subs(h, hs)
        for _ in range(k + 1):
            g = g.subs(sp.tanh(w * hs), hs)
        if sp.simplify(g - a**k) != 0:
            raise ArithmeticError(f"T = {k}: derivative is not a^T")
    grad = a**T
    a_ex = latch_fixed_point_slope.result.parts["slope_example"]
    g10, g50 = a_ex**10, a_ex**50
    return Result(
        expr=sp.Lambda((w, hs, T), grad),
        latex=r"\frac{\partial h_T}{\partial h_0}\Big|_{h_0=h^*}=\bigl(w(1-h^{*2})\bigr)^{T}",
        parts={"grad": grad, "factor": a, "grad_T10": g10, "grad_T50": g50},
        symbols={"w": "recurrent weight", "h^*": "stored fixed point", "T": "number of steps"},
        text={"grad_T10": sci_latex(float(g10), 3), "grad_T50": sci_latex(float(g50), 3)},
    )


@latch_gradient_decay.check(
    "mpmath.diff at 50 digits of the T-fold map tanh(w .) at its fixed point, T in {1, 5, 10, 25}, w in {1.5, 2, 3}",
    tol=1e-15,
    oracle_zh="mpmath.diff 在 50 位精度下对 T 次复合映射 tanh(w·) 在其不动点处求导，T 取 1、5、10、25，w 取 1.5、2、3",
)
def _() -> float:
    p = latch_gradient_decay.result.parts
    hs_sym = next(v for v in p["grad"].free_symbols if v.name == "h^*")
    f = sp.lambdify((w, hs_sym, T), p["grad"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for wv in (mpmath.mpf("1.5"), mpmath.mpf(2), mpmath.mpf(3)):
            hs = mpmath.findroot(lambda t, wv=wv: mpmath.tanh(wv * t) - t, mpmath.mpf("0.95"))
            for steps in (1, 5, 10, 25):

                def it(t, wv=wv, steps=steps):
                    for _ in range(steps):
                        t = mpmath.tanh(wv * t)
                    return t

                ref = mpmath.diff(it, hs)
                worst = max(worst, abs(f(wv, hs, steps) - ref) / abs(ref))
        worst = max(
            worst,
            abs(mpmath.mpf(str(p["grad_T10"])) - f(2, mpmath.findroot(lambda t: mpmath.tanh(2 * t) - t, 0.9), 10))
            / mpmath.mpf(str(p["grad_T10"]))
            * 1e-10,
        )
    return float(worst)


# --- 3. one sigmoid unit x = w sigma(x) + b: the folds ---------------------------------------------------------
@derivation(
    "sigmoid_unit_folds",
    title="x = w sigma(x) + b: folds where w sigma'(x) = 1, i.e. x = +-ln((w - 2 + sqrt(w(w-4)))/2); bistable "
    "only for w > 4; w = 5: b in (-2.656, -2.344)",
    title_zh="x = wσ(x) + b：折叠点满足 wσ′(x) = 1，即 x = ±ln((w − 2 + √(w(w−4)))/2)；仅当 w > 4 时为双稳态；"
    "w = 5 时 b ∈ (−2.656, −2.344)",
)
def sigmoid_unit_folds() -> Result:
    """Fixed points of x_t = w sigma(x_{t-1}) + b lie on the curve b(x) = x - w sigma(x); saddle-node folds are its
    critical points, 1 - w sigma'(x) = 0; three fixed points (two stable) exactly for b strictly between the fold
    values, which exist only for w > 4 (sigma logistic)."""
    b_of_x = x - w * SIG
    fold = sp.diff(b_of_x, x)  # = 1 - w sigma'(x)
    u = sp.Symbol("u", positive=True)  # u = e^x; sigma'(x) = u/(1+u)^2
    quad = sp.expand(sp.numer(sp.together(sp.simplify(fold.subs(x, sp.log(u))))))  # numerator of 1 - w u/(1+u)^2
    disc = sp.factor(sp.discriminant(quad, u))
    if sp.simplify(disc - w * (w - 4)) != 0:
        raise ArithmeticError(f"discriminant {disc} is not w(w - 4)")
    roots = sp.solve(quad, u)
    if len(roots) != 2 or sp.simplify(roots[0] * roots[1] - 1) != 0:
        raise ArithmeticError("fold roots are not reciprocal (x_- = -x_+)")
    u_plus = next(r for r in roots if sp.simplify(r.subs(w, 5) - 1) > 0)
    x_fold = sp.log(u_plus)
    b_low = sp.simplify(b_of_x.subs(x, x_fold))  # at x = +x_f: the lower end of the interval
    b_high = sp.simplify(b_of_x.subs(x, -x_fold))
    if sp.simplify(b_low + b_high + w) != 0:
        raise ArithmeticError("the interval is not centred at -w/2")
    width = sp.sqrt(w * (w - 4)) - 2 * x_fold  # sigma(x_f) - sigma(-x_f) = sqrt(1 - 4/w)
    if sp.simplify(b_high - b_low - width) != 0 and any(
        abs(sp.N((b_high - b_low - width).subs(w, wv), 40)) > 1e-35 for wv in (sp.Rational(9, 2), 5, 8, 20)
    ):
        raise ArithmeticError("width is not sqrt(w(w - 4)) - 2 x_f")
    b_low, b_high = -w / 2 - width / 2, -w / 2 + width / 2
    # fold curve in the (w, b) plane, parametrised by the fold's x: w = 1/sigma'(x), b = x - sigma(x)/sigma'(x)
    w_curve = sp.simplify(1 / sp.diff(SIG, x))
    b_curve = sp.simplify(x - SIG / sp.diff(SIG, x))
    if (
        sp.simplify((w_curve - (2 + 2 * sp.cosh(x))).rewrite(sp.exp)) != 0
        or sp.simplify(b_curve - (x - 1 - sp.exp(x))) != 0
    ):
        raise ArithmeticError("fold curve is not w = 2 + 2 cosh x, b = x - 1 - e^x")
    if sp.minimum(2 + 2 * sp.cosh(x), x) != 4:
        raise ArithmeticError("the cusp is not at w = 4")
    ex = {w: W_DOYA}
    b_lo_ex, b_hi_ex, xf_ex = (sp.N(e.subs(ex), 30) for e in (b_low, b_high, x_fold))
    return Result(
        expr=sp.Tuple(sp.Lambda(w, x_fold), sp.Lambda(w, b_low), sp.Lambda(w, b_high)),
        latex=(r"b(x)=x-w\sigma(x),\quad b'(x)=1-w\sigma'(x)=0\iff x=\pm x_f,\quad x_f=" + sp.latex(x_fold)),
        parts={
            "b_of_x": b_of_x,
            "fold_condition": 1 - w * sp.Symbol(r"\sigma'(x)"),
            "discriminant": disc,
            "x_fold": x_fold,
            "b_low": b_low,
            "b_high": b_high,
            "width": width,
            "centre": -w / 2,
            "fold_w": 2 + 2 * sp.cosh(x),
            "fold_b": x - 1 - sp.exp(x),
            "cusp_w": sp.Integer(4),
            "b_low_example": b_lo_ex,
            "b_high_example": b_hi_ex,
            "x_fold_example": xf_ex,
        },
        symbols={"w": "recurrent weight", "b": "bias", "x": "state (pre-activation)", "x_f": "fold state (> 0)"},
        text={
            "b_low_example": f"{float(b_lo_ex):.4f}".replace("-", "−"),
            "b_high_example": f"{float(b_hi_ex):.4f}".replace("-", "−"),
            "x_fold_example": f"{float(xf_ex):.4f}",
            "width_example": f"{float(b_hi_ex - b_lo_ex):.4f}",
        },
    )


@sigmoid_unit_folds.check(
    "mpmath.findroot at 50 digits of the 2x2 system x = w sigma(x) + b, w sigma'(x) = 1 for (x, b), w in {4.5, 5, 8}",
    tol=1e-35,
    oracle_zh="mpmath.findroot 在 50 位精度下求解关于 (x, b) 的方程组 x = wσ(x) + b、wσ′(x) = 1，w 取 4.5、5、8",
)
def _() -> float:
    p = sigmoid_unit_folds.result.parts
    fx, flo, fhi = (sp.lambdify(w, p[k], "mpmath") for k in ("x_fold", "b_low", "b_high"))
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for wv in (mpmath.mpf("4.5"), mpmath.mpf(5), mpmath.mpf(8)):

            def sys_(xx, bb, wv=wv):
                sg = _mp_sig(xx)
                return [wv * sg + bb - xx, wv * sg * (1 - sg) - 1]

            for sign, fb in ((1, flo), (-1, fhi)):
                xr, br = mpmath.findroot(sys_, (sign * mpmath.mpf("1.2"), -wv / 2))
                worst = max(worst, abs(xr - sign * fx(wv)), abs(br - fb(wv)))
        worst = max(worst, abs(mpmath.mpf(str(p["b_low_example"])) - flo(5)) * 1e-10)
    return float(worst)


@sigmoid_unit_folds.check(
    "float64 count of sign changes of w sigma(x) + b - x on x in [-30, 30]: 3 fixed points just inside the "
    "interval, 1 just outside (w = 5); none of b(x) decreasing for w = 4 and w = 3.9",
    tol=0.0,
    oracle_zh="float64：在 x ∈ [−30, 30] 上统计 wσ(x) + b − x 的变号次数——w = 5 时，b 略在双稳态区间之内有 3 个不动点，"
    "略在区间之外只有 1 个；w = 4 与 w = 3.9 时 b(x) 处处不减",
)
def _() -> float:
    p = sigmoid_unit_folds.result.parts
    lo, hi = float(p["b_low_example"]), float(p["b_high_example"])
    xs = np.linspace(-30, 30, 600001)
    sg = 1 / (1 + np.exp(-xs))

    def count(bv, wv=5.0):
        f = wv * sg + bv - xs
        return int(np.sum(np.sign(f[1:]) != np.sign(f[:-1])))

    errs = [count(lo + 1e-3) - 3, count(hi - 1e-3) - 3, count(lo - 1e-3) - 1, count(hi + 1e-3) - 1]
    for wv in (4.0, 3.9):
        errs.append(int(np.min(1 - wv * sg * (1 - sg)) < -1e-15))
    return float(max(abs(e) for e in errs))


# --- 4. the attractor's sensitivity to b diverges at the fold --------------------------------------------------
@derivation(
    "fold_sensitivity",
    title="dx*/db = 1/(1 - w sigma'(x*)), infinite at a fold; near it |dx*/db| ~ (1 - 4/w)^(-1/4) / sqrt(2 delta)",
    title_zh="dx*/db = 1/(1 − wσ′(x*))，在折叠点处为无穷大；其附近 |dx*/db| ≈ (1 − 4/w)^(−1/4)/√(2δ)",
)
def fold_sensitivity() -> Result:
    """The fixed point x* of x = w sigma(x) + b moves with b at rate dx*/db = 1/(1 - w sigma'(x*)) (implicit
    differentiation); at a fold w sigma'(x*) = 1 and the rate is infinite; at distance delta = |b - b_fold| on the
    surviving side, |dx*/db| = (1 - 4/w)^(-1/4) (2 delta)^(-1/2) (1 + O(sqrt delta))."""
    F = w * SIG + b - x
    dxdb = sp.simplify(-sp.diff(F, b) / sp.diff(F, x))
    sprime = sp.diff(SIG, x)
    if sp.simplify(dxdb - 1 / (1 - w * sprime)) != 0:
        raise ArithmeticError("dx*/db is not 1/(1 - w sigma')")
    # b(x) = x - w sigma(x): b'(x_f) = 0, b''(x_f) = -w sigma''(x_f); with w sigma'(x_f) = 1, b'' = 2 sigma(x_f) - 1
    xf = sigmoid_unit_folds.result.parts["x_fold"]
    b2 = sp.diff(x - w * SIG, x, 2).subs(x, xf)
    curv = sp.sqrt(1 - 4 / w)
    if sp.simplify(b2 - curv) != 0 and abs(sp.N((b2 - curv).subs(w, 5), 30)) > 1e-25:
        raise ArithmeticError("b''(x_f) is not sqrt(1 - 4/w)")
    # b - b_f = b''/2 (x - x_f)^2 + ...  =>  dx*/db = 1/b'(x) = 1/(b'' (x - x_f)) = 1/sqrt(2 b'' delta)
    near = 1 / sp.sqrt(2 * curv * delta)
    return Result(
        expr=sp.Lambda((x, w), dxdb),
        latex=(r"\frac{dx^*}{db}=\frac{1}{1-w\sigma'(x^*)},\qquad \Bigl|\frac{dx^*}{db}\Bigr|\approx" + sp.latex(near)),
        parts={"dxdb": 1 / (1 - w * sprime), "curvature": curv, "near_fold": near, "b_second_derivative": b2},
        symbols={"x*": "a fixed point", "delta": "|b - b_fold| on the side where x* exists", "w": "weight (> 4)"},
    )


@fold_sensitivity.check(
    "mpmath at 50 digits: fixed point by findroot at b and b +- 1e-20, central difference, upper branch of w = 5 "
    "at distance 1e-1 ... 1e-8 from the fold",
    tol=1e-15,
    oracle_zh="mpmath（50 位）：用 findroot 求 b 与 b ± 1e-20 处的不动点并作中心差分；"
    "w = 5 的上方分支，与折叠点相距 1e-1 至 1e-8",
)
def _() -> float:
    f = sp.lambdify((x, w), fold_sensitivity.result.parts["dxdb"], "mpmath")
    fp = sigmoid_unit_folds.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        blo = sp.lambdify(w, fp["b_low"], "mpmath")(5)
        xf = sp.lambdify(w, fp["x_fold"], "mpmath")(5)
        for k in range(1, 9):
            bv = blo + mpmath.mpf(10) ** (-k)
            guess = xf + mpmath.sqrt(2 * mpmath.mpf(10) ** (-k) / mpmath.sqrt(mpmath.mpf("0.2")))

            def root(bb, guess=guess):
                return mpmath.findroot(lambda t: 5 * _mp_sig(t) + bb - t, guess)

            xs, e = root(bv), mpmath.mpf(10) ** -20
            fd = (root(bv + e) - root(bv - e)) / (2 * e)
            worst = max(worst, abs(f(xs, 5) - fd) / abs(fd))
    return float(worst)


@fold_sensitivity.check(
    "mpmath at 50 digits: |dx*/db| times sqrt(2 delta (1 - 4/w)^(1/2)) at delta = 1e-12 above the lower fold, "
    "w = 5 and 8",
    tol=1e-5,
    oracle_zh="mpmath（50 位）：w = 5 与 8，在下折叠点之上 δ = 1e-12 处计算 |dx*/db|·√(2δ(1 − 4/w)^(1/2))，应接近 1",
)
def _() -> float:
    p = fold_sensitivity.result.parts
    near = sp.lambdify((delta, w), p["near_fold"], "mpmath")
    fp = sigmoid_unit_folds.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for wv in (5, 8):
            blo = sp.lambdify(w, fp["b_low"], "mpmath")(wv)
            xf = sp.lambdify(w, fp["x_fold"], "mpmath")(wv)
            dl = mpmath.mpf(10) ** -12
            bv = blo + dl
            xs = mpmath.findroot(lambda t, wv=wv, bv=bv: wv * _mp_sig(t) + bv - t, xf + mpmath.mpf(10) ** -6)
            sg = _mp_sig(xs)
            rate = 1 / (1 - wv * sg * (1 - sg))  # implicit differentiation done here by hand, in mpmath
            worst = max(worst, abs(abs(rate) / near(dl, wv) - 1))
    return float(worst)


# --- 5. the cliff of Pascanu et al.'s E_50 sits at a basin boundary ---------------------------------------------
@derivation(
    "cliff_at_basin_boundary",
    title="w = 5, x_0 = 1/2: at b_c = x_0 - w sigma(x_0) the state stays at x_0 and "
    "dx_T/db = (lambda^T - 1)/(lambda - 1), "
    "lambda = w sigma'(x_0) > 1; dE_50/db there",
    title_zh="w = 5、x_0 = 1/2：在 b_c = x_0 − wσ(x_0) 处状态始终停在 x_0，dx_T/db = (λ^T − 1)/(λ − 1)，"
    "λ = wσ′(x_0) > 1；以及该处的 dE_50/db",
)
def cliff_at_basin_boundary() -> Result:
    """Pascanu et al.'s one-unit example (w = 5, x_0 = 1/2, E_T = (sigma(x_T) - 0.7)^2): at b = b_c the initial state
    is the unstable middle fixed point, so x_t = x_0 for all t while dx_T/db = (lambda^T - 1)/(lambda - 1) grows
    like lambda^T (lambda = w sigma'(x_0) > 1); b_c lies strictly inside the bistable interval, not at a fold. The
    largest |dE_50/db| is not at b_c itself but a little below it (found numerically: float64 scan, mpmath refinement),
    where the state lingers near x_0 and is still falling at t = 50."""
    b_c = sp.simplify((x - W_DOYA * SIG).subs(x, X0))
    lam = sp.simplify((W_DOYA * sp.diff(SIG, x)).subs(x, X0))
    if not sp.N(lam, 30) > 1:
        raise ArithmeticError("x_0 is not an unstable fixed point")
    fp = sigmoid_unit_folds.result.parts
    if not (sp.N(fp["b_low_example"], 30) < sp.N(b_c, 30) < sp.N(fp["b_high_example"], 30)):
        raise ArithmeticError("b_c is not inside the bistable interval")
    # d_t = dx_t/db along x_t = x_0: d_t = lambda d_{t-1} + 1, d_0 = 0
    d = sp.Function("d")
    t = sp.Symbol("t", integer=True, nonnegative=True)
    sol = sp.rsolve(d(t + 1) - lam * d(t) - 1, d(t), {d(0): 0})
    dxdb = sp.simplify(sol.subs(t, T))
    closed = (lam**T - 1) / (lam - 1)
    if sp.simplify(dxdb - closed) != 0 and any(abs(sp.N((dxdb - closed).subs(T, k), 30)) > 1e-20 for k in (1, 7, 50)):
        raise ArithmeticError("dx_T/db is not (lambda^T - 1)/(lambda - 1)")
    s0 = SIG.subs(x, X0)
    dEdx = 2 * (s0 - TARGET) * s0 * (1 - s0)
    dEdb = dEdx * closed
    loss_c = (s0 - TARGET) ** 2
    v50 = sp.N(closed.subs(T, T_CLIFF), 30)
    g50 = sp.N(dEdb.subs(T, T_CLIFF), 30)
    # where |dE_50/db| is largest: not at b_c itself but a little below it. float64 scan of the figure's window
    # [-2.75, -2.3] (step 1e-6) and of b_c +- 2e-4 (step 1e-9), then the zero of d/db (dE_50/db) by mpmath.findroot
    bcf = float(b_c)
    grid = np.concatenate([np.linspace(-2.75, -2.3, 450001), bcf + np.linspace(-2e-4, 2e-4, 400001)])
    b_scan = float(grid[np.argmax(np.abs(simulate(grid)["grad"]))])
    if not bcf - 1e-4 < b_scan < bcf:
        raise ArithmeticError(f"the largest |dE_50/db| in the window is not just below b_c: b = {b_scan}")
    with mpmath.workdps(40):
        # verify=False: |d^2E/db^2| is ~1e13 times steeper than b, so its residual cannot reach findroot's default tol
        b_pk = mpmath.findroot(
            lambda bb: _mp_loss_grad(bb)[3], (mpmath.mpf(b_scan) - 1e-9, mpmath.mpf(b_scan) + 1e-9), verify=False
        )
        _, g_pk, x_pk, c_pk = _mp_loss_grad(b_pk)
        if abs(c_pk) * mpmath.mpf(10) ** -10 > abs(g_pk) * mpmath.mpf(10) ** -20:  # peak width ~1e-5: c ~ g / 1e-10
            raise ArithmeticError(f"d^2E/db^2 = {c_pk} at the refined peak")
        curv = mpmath.diff(lambda u: _mp_loss_grad(u)[3], b_pk)  # d/db of d^2E/db^2: opposite sign to g at a peak
    if abs(b_pk - b_scan) > 1e-8 or not curv * g_pk < 0:
        raise ArithmeticError("refined peak of |dE_50/db| is not a maximum near the scanned one")
    b_peak, g_peak, x_peak = (sp.Float(mpmath.nstr(v, 30), 30) for v in (b_pk, g_pk, x_pk))
    return Result(
        expr=sp.Lambda(T, dEdb),
        latex=(
            r"b_c=x_0-w\sigma(x_0),\quad x_t=x_0\ (t\ge0),\quad \frac{\partial x_T}{\partial b}\Big|_{b_c}="
            r"\frac{\lambda^T-1}{\lambda-1},\ \lambda=w\sigma'(x_0)"
        ),
        parts={
            "b_c": b_c,
            "lam": lam,
            "dxdb": closed,
            "dEdb": dEdb,
            "loss_at_b_c": loss_c,
            "dxdb_50": v50,
            "dEdb_50": g50,
            "b_peak": b_peak,
            "dEdb_peak": g_peak,
            "x50_peak": x_peak,
        },
        symbols={"T": "number of steps", "lambda": "slope of the map at x_0 = 1/2", "b_c": "basin boundary"},
        text={
            "b_c": f"{float(b_c):.4f}".replace("-", "−"),
            "lam": f"{float(lam):.4f}",
            "dxdb_50": f"{float(v50):.0f}",
            "dEdb_50": f"{float(g50):.1f}".replace("-", "−"),
            "loss_at_b_c": f"{float(loss_c):.4f}",
            "peak_offset": sci_latex(float(b_peak - b_c), 2),
            "dEdb_peak": f"{float(g_peak):.0f}".replace("-", "−"),
            "peak_ratio": f"{float(g_peak / g50):.1f}",
            "x50_peak": f"{float(x_peak):.2f}".replace("-", "−"),
        },
    )


@cliff_at_basin_boundary.check(
    "mpmath at 60 digits: central differences (step 1e-25) of x_T(b) and E_T(b) simulated from x_0 = 1/2, "
    "T in {1, 10, 50}",
    tol=1e-15,
    oracle_zh="mpmath（60 位）：从 x_0 = 1/2 出发模拟，对 x_T(b) 和 E_T(b) 作中心差分（步长 1e-25），T 取 1、10、50",
)
def _() -> float:
    p = cliff_at_basin_boundary.result.parts
    fx = sp.lambdify(T, p["dxdb"], "mpmath")
    fe = sp.lambdify(T, p["dEdb"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(60):
        bc = mpmath.mpf(1) / 2 - 5 * _mp_sig(mpmath.mpf(1) / 2)
        e = mpmath.mpf(10) ** -25
        for steps in (1, 10, 50):
            xp, xm = _mp_run(bc + e, steps=steps), _mp_run(bc - e, steps=steps)
            dx = (xp - xm) / (2 * e)
            de = ((_mp_sig(xp) - mpmath.mpf("0.7")) ** 2 - (_mp_sig(xm) - mpmath.mpf("0.7")) ** 2) / (2 * e)
            worst = max(worst, abs(fx(steps) - dx) / dx, abs(fe(steps) - de) / abs(de))
        worst = max(worst, abs(mpmath.mpf(str(p["dEdb_50"])) - fe(50)) / abs(fe(50)) * 1e-10)
    return float(worst)


@cliff_at_basin_boundary.check(
    "float64 simulation, T = 50: E_50 at b_c - 0.01 and b_c + 0.01 are within 1e-3 of the loss at the lower "
    "and the upper attractor; |x_t| <= max(|b|, |b + w|) all along",
    tol=1e-3,
    oracle_zh="float64 模拟（T = 50）：b_c − 0.01 与 b_c + 0.01 处的 E_50 分别与下方、上方吸引子处的损失相差不到 1e-3；"
    "全程 |x_t| ≤ max(|b|, |b + w|)",
)
def _() -> float:
    p = cliff_at_basin_boundary.result.parts
    bc = float(p["b_c"])
    left, right = simulate(np.array([bc - 1e-2])), simulate(np.array([bc + 1e-2]))

    def attractor_loss(bv: float, lo: float, hi: float) -> float:  # bisection for x = 5 sigma(x) + b on [lo, hi]
        for _ in range(200):
            mid = (lo + hi) / 2
            if (5 / (1 + np.exp(-mid)) + bv - mid > 0) == (5 / (1 + np.exp(-lo)) + bv - lo > 0):
                lo = mid
            else:
                hi = mid
        return (1 / (1 + np.exp(-lo)) - 0.7) ** 2

    e_low, e_high = attractor_loss(bc - 1e-2, -10.0, 0.0), attractor_loss(bc + 1e-2, 1.0, 10.0)
    xv, bound = 0.5, 0.0
    for _ in range(T_CLIFF):
        xv = 5 / (1 + np.exp(-xv)) + bc
        bound = max(bound, abs(xv) - max(abs(bc), abs(bc + 5)))
    return max(abs(float(left["loss"][0]) - e_low), abs(float(right["loss"][0]) - e_high), bound)


@cliff_at_basin_boundary.check(
    "mpmath at 30 digits: central differences (step 1e-12) of E_50 simulated on b_c + k 1e-7, k = -1000 ... 200; "
    "float64 central differences (step 1e-9) on [-2.75, -2.3] every 1e-6: both maxima of |dE_50/db| at the derived "
    "peak (relative error of the value; distance beyond one grid step)",
    tol=1e-5,
    oracle_zh="mpmath（30 位）：在 b_c + k·1e-7（k = −1000 … 200）上模拟 E_50 并作中心差分（步长 1e-12）；"
    "float64：在 [−2.75, −2.3] 上每隔 1e-6 作中心差分（步长 1e-9）；两处 |dE_50/db| 的最大值都应落在推导给出的峰值处"
    "（比较数值的相对误差，以及位置超出一个格距的部分）",
)
def _() -> float:
    p = cliff_at_basin_boundary.result.parts
    b_pk, g_pk = float(p["b_peak"]), float(p["dEdb_peak"])
    worst = 0.0
    with mpmath.workdps(30):
        bc = mpmath.mpf(1) / 2 - 5 * _mp_sig(mpmath.mpf(1) / 2)
        e, tgt = mpmath.mpf(10) ** -12, mpmath.mpf("0.7")

        def loss(bb):
            return (_mp_sig(_mp_run(bb)) - tgt) ** 2

        best_g, best_b = mpmath.mpf(0), None
        for kk in range(-1000, 201):
            bb = bc + kk * mpmath.mpf(10) ** -7
            g = (loss(bb + e) - loss(bb - e)) / (2 * e)
            if abs(g) > best_g:
                best_g, best_b = abs(g), bb
        worst = max(worst, float(abs(best_g - abs(g_pk)) / abs(g_pk)), max(0.0, abs(float(best_b) - b_pk) - 1e-7))
    bs, h = np.linspace(-2.75, -2.3, 450001), 1e-9
    fd = (simulate(bs + h)["loss"] - simulate(bs - h)["loss"]) / (2 * h)
    worst = max(worst, max(0.0, abs(float(bs[np.argmax(np.abs(fd))]) - b_pk) - 1e-6))
    return worst


# --- 6. what clipping does at the cliff -------------------------------------------------------------------------
@derivation(
    "cliff_clipped_step",
    title="One gradient step from b_c (eta = 1/20): unclipped it moves b by about 33 onto a flat plateau; clipped "
    "at c = 1 it moves b by eta c = 1/20",
    title_zh="从 b_c 出发的一步梯度下降（η = 1/20）：不裁剪时 b 移动约 33，落到平坦的平台区；"
    "以 c = 1 为阈值裁剪时 b 只移动 ηc = 1/20",
)
def cliff_clipped_step() -> Result:
    """One step b <- b - eta g from b = b_c (Pascanu et al.'s one-unit example, T = 50): unclipped |step| = eta |g|;
    clipped by norm at c (one parameter: |g| -> min(|g|, c)) |step| = eta min(|g|, c). Losses after the step are
    simulated in mpmath (40 digits); the loss function itself, and its cliff, are unchanged by clipping."""
    cp = cliff_at_basin_boundary.result.parts
    g = cp["dEdb_50"]
    b0 = cp["b_c"]
    step_u = -ETA * g
    step_c = -ETA * sp.sign(g) * sp.Min(abs(g), CLIP)
    b_u, b_cl = sp.N(b0 + step_u, 30), sp.N(b0 + step_c, 30)
    with mpmath.workdps(40):  # in float64, sigma(x)(1 - sigma(x)) at x ~ 35 would lose most of its digits
        (lu, gu, _, _), (lc, gc, _, _) = (_mp_loss_grad(mpmath.mpf(str(v))) for v in (b_u, b_cl))
    lu, lc = (sp.Float(f"{float(v):.6g}") for v in (lu, lc))
    gu, gc = float(gu), float(gc)
    return Result(
        expr=sp.Tuple(step_u, step_c),
        latex=(
            r"\Delta b=-\eta g:\ "
            + f"{float(step_u):.2f}"
            + r",\qquad \Delta b=-\eta\,\frac{g}{|g|}\min(|g|,c):\ "
            + sp.latex(step_c)
        ),
        parts={
            "step_unclipped": sp.N(step_u, 30),
            "step_clipped": step_c,
            "b_after_unclipped": b_u,
            "b_after_clipped": b_cl,
            "loss_after_unclipped": lu,
            "loss_after_clipped": lc,
            "grad_after_unclipped": sp.Float(gu, 15),
            "grad_after_clipped": sp.Float(gc, 15),
            "eta": ETA,
            "c": CLIP,
        },
        symbols={"eta": "learning rate", "c": "clipping threshold", "g": "dE_50/db at b_c"},
        text={
            "step_unclipped": f"{float(step_u):.2f}",
            "b_after_unclipped": f"{float(b_u):.2f}",
            "b_after_clipped": f"{float(b_cl):.4f}".replace("-", "−"),
            "loss_after_unclipped": f"{float(lu):.4f}",
            "loss_after_clipped": f"{float(lc):.4f}",
            "grad_after_unclipped": sci_latex(abs(gu), 2),
            "grad_after_clipped": f"{gc:.3f}",
            "loss_at_b_c": f"{float(cp['loss_at_b_c']):.4f}",
        },
    )


@cliff_clipped_step.check(
    "mpmath at 30 digits: gradient at b_c by central difference (step 1e-15), the two steps, and E_50 after each "
    "by simulation; at 60 digits, the gradient after each step by central difference (step 1e-20)",
    tol=1e-6,
    oracle_zh="mpmath（30 位）：在 b_c 处用中心差分（步长 1e-15）求梯度，算出两种更新步，再模拟出各自更新后的 E_50；"
    "并在 60 位精度下用中心差分（步长 1e-20）求每次更新后的梯度",
)
def _() -> float:
    p = cliff_clipped_step.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(30):
        bc = mpmath.mpf(1) / 2 - 5 * _mp_sig(mpmath.mpf(1) / 2)

        def loss(bb):
            return (_mp_sig(_mp_run(bb)) - mpmath.mpf("0.7")) ** 2

        e = mpmath.mpf(10) ** -15
        g = (loss(bc + e) - loss(bc - e)) / (2 * e)
        eta = mpmath.mpf(1) / 20
        su, sc = -eta * g, -eta * mpmath.sign(g) * min(abs(g), 1)
        worst = max(
            abs(su - mpmath.mpf(str(p["step_unclipped"]))) / abs(su),
            abs(sc - mpmath.mpf(str(sp.N(p["step_clipped"], 30)))),
            abs(loss(bc + su) - mpmath.mpf(str(p["loss_after_unclipped"]))),
            abs(loss(bc + sc) - mpmath.mpf(str(p["loss_after_clipped"]))),
        )
    with mpmath.workdps(60):  # gradients after each step, by central differences (step 1e-20) of the simulated loss
        e, tgt = mpmath.mpf(10) ** -20, mpmath.mpf("0.7")
        for key, bb in (("unclipped", bc + su), ("clipped", bc + sc)):
            bb = mpmath.mpf(bb)
            fd = ((_mp_sig(_mp_run(bb + e)) - tgt) ** 2 - (_mp_sig(_mp_run(bb - e)) - tgt) ** 2) / (2 * e)
            worst = max(worst, abs(fd - mpmath.mpf(str(p[f"grad_after_{key}"]))) / abs(fd))
    return float(worst)


# --- figure data -----------------------------------------------------------------------------------------------
def figure_data_bifurcation(wv: float = 5.0, n: int = 1201) -> dict:
    """Fixed points x* of x = w sigma(x) + b as the parametric curve b(x) = x - w sigma(x), x in [-5, 5], split into
    stable (w sigma'(x) < 1) and unstable parts; the two folds (x_f, b) for this w."""
    xs = np.linspace(-5.0, 5.0, n)
    sg = 1 / (1 + np.exp(-xs))
    bs = xs - wv * sg
    slope = wv * sg * (1 - sg)
    p = sigmoid_unit_folds.result.parts
    xf = float(p["x_fold"].subs(w, wv))
    folds_b = (float(p["b_low"].subs(w, wv)), float(p["b_high"].subs(w, wv)))
    return {"x": xs, "b": bs, "stable": slope < 1, "fold_x": (xf, -xf), "fold_b": folds_b}


def figure_data_cliff(n: int = 2001) -> dict:
    """E_50(b) and |dE_50/db| for Pascanu et al.'s example (w = 5, x_0 = 1/2, target 0.7), b in [-2.75, -2.3]
    (plus points packed near b_c, where the wall is 1e-5 wide)."""
    bc = float(cliff_at_basin_boundary.result.parts["b_c"])
    bs = np.unique(np.concatenate([np.linspace(-2.75, -2.3, n), bc + np.linspace(-2e-4, 2e-4, 801)]))
    out = simulate(bs)
    p = sigmoid_unit_folds.result.parts
    return {
        "b": bs,
        "loss": out["loss"],
        "grad": np.abs(out["grad"]),
        "b_c": bc,
        "folds": (float(p["b_low_example"]), float(p["b_high_example"])),
    }


def figure_data_latch(ws: tuple[float, ...] = (1.5, 2.0, 3.0), t_max: int = 60, h0: float = 0.5) -> dict:
    """|dh_T/dh_0| of the latch h_t = tanh(w h_{t-1}) from h_0 = 0.5 (forward-mode product of the slopes), T = 1..t_max,
    for each w; float64 (values below ~1e-300 underflow to 0)."""
    out = {"T": np.arange(1, t_max + 1)}
    for wv in ws:
        hv, d, vals = h0, 1.0, []
        for _ in range(t_max):
            hn = np.tanh(wv * hv)
            d *= wv * (1 - hn**2)
            hv = hn
            vals.append(abs(d))
        out[wv] = np.array(vals)
    return out


# --- exercises: the latch at its bifurcation, the cusp, approaching a fold ----------------------------------------
LATCH_CRITICAL_H0 = sp.Rational(1, 2)
CUSP_EXAMPLE_W = sp.Rational(41, 10)
FOLD_DELTAS = (sp.Rational(1, 100), sp.Rational(1, 10000))


@derivation(
    "latch_critical_decay",
    title="Latch at the bifurcation w = 1: h_T ~ (2T/3)^(-1/2) and dh_T/dh_0 decays like T^(-3/2), algebraically, "
    "although the slope at the fixed point 0 is 1",
    title_zh="分岔点 w = 1 处的锁存器：h_T ~ (2T/3)^(−1/2)，∂h_T/∂h_0 按 T^(−3/2) 代数衰减，尽管不动点 0 处的斜率为 1",
)
def latch_critical_decay() -> Result:
    """For h_t = tanh(h_{t-1}) (w = 1) and h_0 != 0: 1/h_t^2 - 1/h_{t-1}^2 -> kappa = 2/3, so h_t^2 ~ 1/(kappa t); the
    step's slope 1 - h_t^2 has log(1 - tanh(h)^2) = c h^2 + O(h^4) in the previous state with c = -1, so
    log dh_T/dh_0 = sum log(1 - h_t^2) = (c/kappa) log T + O(1): dh_T/dh_0 decays like T^(-3/2) (leading order as
    T -> oo). Only the exponent is derived for the gradient: the factor in front depends on h_0 and is not computed;
    for the state the constant is derived, h_T^2 kappa T -> 1 for every h_0 != 0."""
    kappa = sp.limit(1 / sp.tanh(h) ** 2 - 1 / h**2, h, 0)
    slope_series = sp.series(sp.log(sp.diff(sp.tanh(h), h)), h, 0, 4).removeO()
    c2 = slope_series.coeff(h, 2)
    if slope_series.coeff(h, 0) != 0 or slope_series.coeff(h, 1) != 0:
        raise ArithmeticError("log tanh' does not start at h^2")
    grad_exp = c2 / kappa
    state_exp = sp.Rational(-1, 2)
    slope_at_zero = sp.diff(sp.tanh(w * h), h).subs({h: 0, w: 1})
    return Result(
        expr=sp.Tuple(kappa, c2, grad_exp),
        latex=(
            r"w=1:\quad h_T\sim\Bigl(" + sp.latex(kappa) + r"\,T\Bigr)^{-1/2},\qquad "
            r"\frac{\partial h_T}{\partial h_0}\sim T^{" + sp.latex(grad_exp) + "}"
        ),
        parts={
            "kappa": kappa,
            "log_slope_coefficient": c2,
            "grad_exponent": grad_exp,
            "state_exponent": state_exp,
            "slope_at_zero": slope_at_zero,
            "h0": LATCH_CRITICAL_H0,
        },
        symbols={"h": "state", "T": "number of steps", "kappa": "limit of 1/h_t^2 - 1/h_{t-1}^2"},
    )


@latch_critical_decay.check(
    "float64 forward iteration of h = tanh(h) from h_0 = 1/2 with the product of the slopes, T up to 40000: local "
    "exponents d log / d log T between T = 20000 and 40000 (tolerance 0.01 for the O(log T/T) corrections)",
    tol=1e-2,
    oracle_zh="float64：从 h_0 = 1/2 出发迭代 h = tanh(h)，同时连乘斜率，T 至 40000；在 T = 20000 与 40000 之间"
    "求局部指数 d log / d log T（容差 0.01，容纳 O(log T/T) 的修正）",
)
def _() -> float:
    p = latch_critical_decay.result.parts
    hv, g = float(p["h0"]), 1.0
    at = {}
    for step in range(1, 40_001):
        hv = math.tanh(hv)
        g *= 1.0 - hv * hv
        if step in (20_000, 40_000):
            at[step] = (hv, g)
    (h1, g1), (h2, g2) = at[20_000], at[40_000]
    ln2 = math.log(2.0)
    return max(
        abs(math.log(g2 / g1) / ln2 - float(p["grad_exponent"])),
        abs(math.log(h2 / h1) / ln2 - float(p["state_exponent"])),
        abs(1 / h2**2 / 40_000 - float(p["kappa"])),
    )


@latch_critical_decay.check(
    "mpmath (60 digits) at h = 1e-12: 1/tanh(h)^2 - 1/h^2 against kappa and log(1 - tanh(h)^2)/h^2 against its "
    "coefficient",
    tol=1e-20,
    oracle_zh="mpmath（60 位），h = 1e-12：1/tanh(h)² − 1/h² 与 κ 比较，log(1 − tanh(h)²)/h² 与其系数比较",
)
def _() -> float:
    p = latch_critical_decay.result.parts
    with mpmath.workdps(60):
        hv = mpmath.mpf(10) ** -12
        return float(
            max(
                abs(1 / mpmath.tanh(hv) ** 2 - 1 / hv**2 - mpmath.mpf(str(sp.N(p["kappa"], 45)))),
                abs(
                    mpmath.log(1 - mpmath.tanh(hv) ** 2) / hv**2 - mpmath.mpf(str(sp.N(p["log_slope_coefficient"], 45)))
                ),
            )
        )


@derivation(
    "cusp_window_width",
    title="Just above the cusp w = 4, the bistable window of x = w sigma(x) + b has width (w - 4)^(3/2)/3 to leading "
    "order; at w = 4.1 about 0.0105",
    title_zh="在尖点 w = 4 之上，x = wσ(x) + b 的双稳态区间宽度的首项为 (w − 4)^(3/2)/3；w = 4.1 时约为 0.0105",
)
def cusp_window_width() -> Result:
    """The width sqrt(w(w - 4)) - 2 x_f of the bistable interval (sigmoid_unit_folds) expanded in eps = w - 4 > 0:
    eps^(3/2)/3 - eps^(5/2)/40 + O(eps^3): it opens like the 3/2 power of the distance to the cusp, not linearly."""
    ww = sigmoid_unit_folds.result.parts["width"]
    ep = sp.Symbol("epsilon", positive=True)
    qq = sp.Symbol("q", positive=True)  # q = sqrt(eps): the expansion is in half-integer powers of eps
    poly = sp.Poly(sp.series(ww.subs(w, 4 + qq**2), qq, 0, 6).removeO(), qq)
    ser = sum(cf * ep ** sp.Rational(m[0], 2) for m, cf in poly.terms())
    m_low, c_low = min(poly.terms(), key=lambda t_: t_[0][0])
    exponent = sp.Rational(m_low[0], 2)
    lead = c_low * ep**exponent
    coeff = sp.simplify(lead / ep**exponent)
    ex_eps = CUSP_EXAMPLE_W - 4
    return Result(
        expr=sp.Lambda(ep, ser),
        latex=r"b_+-b_-=" + sp.latex(ser) + r"+O(\epsilon^{3}),\quad \epsilon=w-4",
        parts={
            "series": ser,
            "leading": lead,
            "exponent": exponent,
            "coefficient": coeff,
            "w_example": CUSP_EXAMPLE_W,
            "leading_example": sp.N(lead.subs(ep, ex_eps), 30),
            "width_example": sp.N(ww.subs(w, CUSP_EXAMPLE_W), 30),
        },
        symbols={"epsilon": "w - 4 > 0", "b_+, b_-": "fold values of b"},
    )


@cusp_window_width.check(
    "mpmath.findroot at 40 digits of the fold system x = w sigma(x) + b, w sigma'(x) = 1 for both folds, w = 4 + 1e-2, "
    "4 + 1e-4, 4.1: width against the two-term series (relative error over eps^2) and the leading term "
    "(relative error over 10 eps); the exact width at w = 4.1",
    tol=2e-2,
    oracle_zh="mpmath.findroot（40 位）求解两个折叠点的方程组 x = wσ(x) + b、wσ′(x) = 1，w = 4 + 1e-2、4 + 1e-4、4.1："
    "区间宽度与两项级数比较（相对误差除以 ε²），与首项比较（相对误差除以 10ε）；并与 w = 4.1 处的精确宽度比较",
)
def _() -> float:
    p = cusp_window_width.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(40):
        for ev in (mpmath.mpf("1e-2"), mpmath.mpf("1e-4"), mpmath.mpf("0.1")):
            wv = 4 + ev

            def sys_(xx, bb, wv=wv):
                sg = _mp_sig(xx)
                return [wv * sg + bb - xx, wv * sg * (1 - sg) - 1]

            guess = mpmath.sqrt(ev)  # the folds sit at x = +-sqrt(eps) to leading order
            bs = [mpmath.findroot(sys_, (sgn * guess, -wv / 2))[1] for sgn in (1, -1)]
            width = abs(bs[1] - bs[0])
            ser = sp.lambdify(sp.Symbol("epsilon", positive=True), p["series"], "mpmath")(ev)
            lead = sp.lambdify(sp.Symbol("epsilon", positive=True), p["leading"], "mpmath")(ev)
            if ev < mpmath.mpf("0.05"):
                # the two-term series is good to O(eps^2) relative, the leading term to O(eps) (next term -3 eps/40)
                worst = max(worst, abs(width / ser - 1) / ev**2, abs(width / lead - 1) / ev / 10)
            else:
                worst = max(worst, abs(width - mpmath.mpf(str(p["width_example"]))) * 1e10)
    return float(worst)


@derivation(
    "fold_approach_ratio",
    title="w = 5, upper branch above the lower fold: at delta = 1e-2 and 1e-4, dx*/db is about 10.3 and 105.4 (ratio "
    "about 10.2); the leading-order ratio is sqrt(100) = 10",
    title_zh="w = 5，下折叠点之上的上方分支：δ = 1e-2 与 1e-4 处 dx*/db 约为 10.3 与 105.4（比值约 10.2）；"
    "首项给出的比值为 √100 = 10",
)
def fold_approach_ratio() -> Result:
    """On the upper branch of x = 5 sigma(x) + b at b = b_fold + delta (b_fold the lower end of the bistable interval),
    dx*/db = 1/(1 - 5 sigma'(x*)) (fold_sensitivity) with x* solved at 30 digits (sympy nsolve); the leading term
    (1 - 4/w)^(-1/4)(2 delta)^(-1/2) predicts the ratio sqrt(delta_1/delta_2) between two distances."""
    fp, sp_ = sigmoid_unit_folds.result.parts, fold_sensitivity.result.parts
    b_f = fp["b_low"].subs(w, W_DOYA)
    x_f = fp["x_fold"].subs(w, W_DOYA)
    vals, lead = [], []
    for dl in FOLD_DELTAS:
        guess = sp.N(x_f + sp.sqrt(2 * dl / sp_["curvature"].subs(w, W_DOYA)), 30)
        xs = sp.nsolve(W_DOYA * SIG + b_f + dl - x, x, guess, prec=30)
        if not xs > sp.N(x_f, 30):
            raise ArithmeticError("not on the upper branch")
        vals.append(sp.N(sp_["dxdb"].subs({w: W_DOYA, x: xs}), 30))
        lead.append(sp_["near_fold"].subs({w: W_DOYA, delta: dl}))
    ratio_lead = sp.simplify(lead[1] / lead[0])
    return Result(
        expr=sp.Tuple(*vals, ratio_lead),
        latex=r"\frac{dx^*}{db}\Big|_{\delta_2}\Big/\frac{dx^*}{db}\Big|_{\delta_1}\approx\sqrt{\delta_1/\delta_2}="
        + sp.latex(ratio_lead),
        parts={
            "delta_1": FOLD_DELTAS[0],
            "delta_2": FOLD_DELTAS[1],
            "w": W_DOYA,
            "dxdb_1": vals[0],
            "dxdb_2": vals[1],
            "leading_1": sp.N(lead[0], 30),
            "leading_2": sp.N(lead[1], 30),
            "ratio_leading": ratio_lead,
            "ratio_exact": sp.N(vals[1] / vals[0], 30),
        },
        symbols={"delta": "b - b_fold (upper branch exists for delta > 0)"},
    )


@fold_approach_ratio.check(
    "mpmath at 40 digits: the upper fixed point by bisection at b_fold + delta, dx*/db by central differences "
    "(step 1e-25) of the fixed point in b",
    tol=1e-12,
    oracle_zh="mpmath（40 位）：在 b_fold + δ 处用二分法求上方不动点，"
    "再对不动点关于 b 作中心差分（步长 1e-25）得到 dx*/db",
)
def _() -> float:
    p = fold_approach_ratio.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(40):
        fp = sigmoid_unit_folds.result.parts
        b_f = mpmath.mpf(str(sp.N(fp["b_low"].subs(w, 5), 45)))
        x_f = mpmath.mpf(str(sp.N(fp["x_fold"].subs(w, 5), 45)))

        def upper(bb):
            lo, hi = x_f, mpmath.mpf(10)  # g = 5 sigma(x) + b - x: > 0 at x_f (for b above the fold), < 0 at 10
            for _ in range(200):
                mid = (lo + hi) / 2
                if 5 * _mp_sig(mid) + bb - mid > 0:
                    lo = mid
                else:
                    hi = mid
            return (lo + hi) / 2

        got = []
        for key in ("delta_1", "delta_2"):
            bb = b_f + mpmath.mpf(str(p[key]))
            e = mpmath.mpf(10) ** -25
            got.append((upper(bb + e) - upper(bb - e)) / (2 * e))
        for g, key in zip(got, ("dxdb_1", "dxdb_2"), strict=True):
            worst = max(worst, abs(g / mpmath.mpf(str(p[key])) - 1))
        worst = max(worst, abs(got[1] / got[0] / mpmath.mpf(str(p["ratio_exact"])) - 1))
    return float(worst)
