"""Activation functions: derivatives, their bounds, and what the bounds imply for products of many factors.

Conventions: sigma is the logistic sigmoid 1/(1+e^{-x}); derivatives are with respect to the pre-activation x.
"""

from __future__ import annotations

import decimal
import math

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Derivation, Result, derivation
from derivations.nets.act import sigmoid
from derivations.oracles.finite import central_diff, max_abs_err, mp_diff

x = sp.Symbol("x", real=True)
w = sp.Symbol("w", real=True)
alpha = sp.Symbol("alpha", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
h = sp.Symbol("h", positive=True)

SIGMA = 1 / (1 + sp.exp(-x))
RELU = sp.Piecewise((0, x < 0), (x, True))
_GRID = np.linspace(-8.0, 8.0, 321)
_MP_POINTS = (-6.5, -2.0, -0.3, 0.0, 0.7, 3.0, 9.0)


# --- independent oracles: numpy (derivations.nets.act) / mpmath definitions, never the SymPy code path ---------
def _mp_sigmoid(t: mpmath.mpf) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-t))


def _critical_points(expr: sp.Expr) -> sp.Set:
    return sp.solveset(sp.Eq(expr, 0), x, domain=sp.S.Reals)


# --- sigmoid -----------------------------------------------------------------------------------------------
@derivation(
    "sigmoid_derivative",
    title="Logistic sigmoid: sigma'(x) = sigma(x)(1 - sigma(x))",
    title_zh="logistic sigmoid 的导数：σ′(x) = σ(x)(1 − σ(x))",
)
def sigmoid_derivative() -> Result:
    d = sp.diff(SIGMA, x)
    identity = SIGMA * (1 - SIGMA)
    if sp.simplify(d - identity) != 0:
        raise ArithmeticError("sigma' != sigma (1 - sigma)")
    return Result(
        expr=sp.Lambda(x, d),
        latex=r"\sigma'(x) = \sigma(x)\bigl(1-\sigma(x)\bigr) = " + sp.latex(d),
        parts={"derivative": d, "sigma": SIGMA},
        symbols={"x": "pre-activation (real)"},
    )


@sigmoid_derivative.check(
    "central finite differences, float64 (h=1e-5)", tol=1e-9, oracle_zh="float64 中心有限差分（h = 1e-5）"
)
def _() -> float:
    f = sp.lambdify(x, sigmoid_derivative.result.parts["derivative"], "numpy")
    return max_abs_err(f(_GRID), central_diff(sigmoid, _GRID))


@sigmoid_derivative.check("mpmath.diff at 50 digits", tol=1e-40, oracle_zh="mpmath.diff 数值求导（50 位有效数字）")
def _() -> float:
    f = sp.lambdify(x, sigmoid_derivative.result.parts["derivative"], "mpmath")
    with mpmath.workdps(50):
        return max_abs_err([f(mpmath.mpf(p)) for p in _MP_POINTS], [mp_diff(_mp_sigmoid, p) for p in _MP_POINTS])


@derivation(
    "sigmoid_derivative_max",
    title="max sigma' = 1/4, attained only at x = 0 (critical point, second-derivative test, limits)",
    title_zh="σ′ 的最大值为 1/4，仅在 x = 0 处取得（驻点、二阶导数检验、极限）",
)
def sigmoid_derivative_max() -> Result:
    d1 = sp.diff(SIGMA, x)
    d2 = sp.diff(d1, x)
    crit = _critical_points(sp.simplify(d2))
    if crit != sp.FiniteSet(0):
        raise ArithmeticError(f"unexpected critical points of sigma': {crit}")
    x0 = next(iter(crit))
    value = sp.simplify(d1.subs(x, x0))
    curvature = sp.simplify(sp.diff(d1, x, 2).subs(x, x0))
    lim_lo, lim_hi = sp.limit(d1, x, -sp.oo), sp.limit(d1, x, sp.oo)
    if not (curvature < 0 and lim_lo == 0 and lim_hi == 0 and value > 0):
        raise ArithmeticError("x = 0 is not the global maximum of sigma'")
    return Result(
        expr=sp.Tuple(x0, value),
        latex=(
            rf"\sigma''(x)=0 \iff x={sp.latex(x0)},\quad \sigma'''({sp.latex(x0)})={sp.latex(curvature)}<0,\quad"
            rf"\lim_{{x\to\pm\infty}}\sigma'(x)=0 \;\Rightarrow\; \max_x \sigma'(x)=\sigma'(0)={sp.latex(value)}"
        ),
        parts={"argmax": x0, "max": value, "curvature": curvature},
        symbols={"x": "pre-activation (real)", "result": "(argmax, max) of sigma'"},
    )


@sigmoid_derivative_max.check(
    "mpmath.findroot of sigma'' (from mpmath.diff, 50 digits) and value there",
    tol=1e-30,
    oracle_zh="用 mpmath.findroot 求 σ″ 的零点（σ″ 由 mpmath.diff 求得，50 位有效数字），并在该点求值",
)
def _() -> float:
    with mpmath.workdps(50):
        root = mpmath.findroot(lambda t: mp_diff(_mp_sigmoid, t, 2), mpmath.mpf("0.4"))
        peak = mp_diff(_mp_sigmoid, root)
        r = sigmoid_derivative_max.result.parts
        return max(abs(root - float(r["argmax"])), abs(peak - mpmath.mpf(r["max"].p) / r["max"].q))


@sigmoid_derivative_max.check(
    "dense float64 grid maximum of a numpy sigma'", tol=1e-12, oracle_zh="NumPy 实现的 σ′ 在稠密 float64 网格上的最大值"
)
def _() -> float:
    t = np.linspace(-10.0, 10.0, 200001)
    s = sigmoid(t)
    return abs(float(np.max(s * (1 - s))) - float(sigmoid_derivative_max.result.parts["max"]))


# --- tanh --------------------------------------------------------------------------------------------------
@derivation(
    "tanh_derivative",
    title="tanh'(x) = 1 - tanh(x)^2",
    title_zh="tanh 的导数：tanh′(x) = 1 − tanh²(x)",
)
def tanh_derivative() -> Result:
    th = (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))
    d = sp.diff(th, x)
    if sp.simplify(d - (1 - th**2)) != 0:
        raise ArithmeticError("tanh' != 1 - tanh^2")
    result = 1 - sp.tanh(x) ** 2
    if sp.simplify(sp.diff(sp.tanh(x), x) - result) != 0:
        raise ArithmeticError("sympy's tanh disagrees with the exponential definition")
    return Result(
        expr=sp.Lambda(x, result),
        latex=r"\tanh'(x) = 1-\tanh^2(x) = " + sp.latex(sp.simplify(1 / sp.cosh(x) ** 2)),
        parts={"derivative": result},
        symbols={"x": "pre-activation (real)"},
    )


@tanh_derivative.check(
    "central finite differences, float64 (h=1e-5)", tol=1e-9, oracle_zh="float64 中心有限差分（h = 1e-5）"
)
def _() -> float:
    f = sp.lambdify(x, tanh_derivative.result.parts["derivative"], "numpy")
    return max_abs_err(f(_GRID), central_diff(np.tanh, _GRID))


@tanh_derivative.check("mpmath.diff at 50 digits", tol=1e-40, oracle_zh="mpmath.diff 数值求导（50 位有效数字）")
def _() -> float:
    f = sp.lambdify(x, tanh_derivative.result.parts["derivative"], "mpmath")
    with mpmath.workdps(50):
        return max_abs_err([f(mpmath.mpf(p)) for p in _MP_POINTS], [mp_diff(mpmath.tanh, p) for p in _MP_POINTS])


@derivation(
    "tanh_derivative_max",
    title="max tanh' = 1, attained only at x = 0",
    title_zh="tanh′ 的最大值为 1，仅在 x = 0 处取得",
)
def tanh_derivative_max() -> Result:
    d1 = 1 - sp.tanh(x) ** 2
    crit = _critical_points(sp.factor(sp.diff(d1, x)))
    if crit != sp.FiniteSet(0):
        raise ArithmeticError(f"unexpected critical points of tanh': {crit}")
    value = d1.subs(x, 0)
    curvature = sp.diff(d1, x, 2).subs(x, 0)
    if not (curvature < 0 and sp.limit(d1, x, sp.oo) == 0 and sp.limit(d1, x, -sp.oo) == 0):
        raise ArithmeticError("x = 0 is not the global maximum of tanh'")
    return Result(
        expr=sp.Tuple(sp.Integer(0), value),
        latex=(
            rf"\tanh''(x)=-2\tanh(x)\bigl(1-\tanh^2(x)\bigr)=0 \iff x=0,\quad \tanh'''(0)={sp.latex(curvature)}<0"
            rf"\;\Rightarrow\; \max_x \tanh'(x)=\tanh'(0)={sp.latex(value)}"
        ),
        parts={"argmax": sp.Integer(0), "max": value, "curvature": curvature},
        symbols={"x": "pre-activation (real)", "result": "(argmax, max) of tanh'"},
    )


@tanh_derivative_max.check(
    "mpmath.findroot of tanh'' (from mpmath.diff, 50 digits) and value there",
    tol=1e-30,
    oracle_zh="用 mpmath.findroot 求 tanh″ 的零点（tanh″ 由 mpmath.diff 求得，50 位有效数字），并在该点求值",
)
def _() -> float:
    with mpmath.workdps(50):
        root = mpmath.findroot(lambda t: mp_diff(mpmath.tanh, t, 2), mpmath.mpf("0.3"))
        r = tanh_derivative_max.result.parts
        return max(abs(root - float(r["argmax"])), abs(mp_diff(mpmath.tanh, root) - int(r["max"])))


# --- piecewise-linear and exponential units ------------------------------------------------------------------
def _one_sided(f: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    q = (f.subs(x, h) - f.subs(x, 0)) / h
    q_left = (f.subs(x, -h) - f.subs(x, 0)) / (-h)
    return sp.limit(sp.simplify(q_left), h, 0), sp.limit(sp.simplify(q), h, 0)


def _piecewise_derivative(f: sp.Expr) -> Result:
    neg, pos = sp.diff(f.subs(x, -h), h) * -1, sp.diff(f.subs(x, h), h)
    left, right = _one_sided(f)
    d = sp.Piecewise((sp.simplify(neg.subs(h, -x)), x < 0), (sp.simplify(pos.subs(h, x)), x > 0))
    return Result(
        expr=sp.Tuple(sp.Lambda(x, d), left, right),
        latex=(
            sp.latex(d)
            + rf",\qquad \lim_{{h\to0^-}}\frac{{f(h)-f(0)}}{{h}}={sp.latex(left)},\quad"
            + rf"\lim_{{h\to0^+}}\frac{{f(h)-f(0)}}{{h}}={sp.latex(right)}"
        ),
        parts={"derivative": d, "left_at_0": left, "right_at_0": right, "function": f},
        symbols={"x": "pre-activation (real)", "alpha": "negative-side slope/scale (> 0)"},
    )


@derivation(
    "relu_derivative",
    title="ReLU' is 0 for x < 0 and 1 for x > 0; at 0 the one-sided derivatives are 0 and 1",
    title_zh="ReLU 的导数：x < 0 时为 0，x > 0 时为 1；在 0 处左右导数分别为 0 和 1",
)
def relu_derivative() -> Result:
    return _piecewise_derivative(RELU)


@derivation(
    "leaky_relu_derivative",
    title="Leaky ReLU' is alpha for x < 0 and 1 for x > 0; one-sided derivatives alpha and 1 at 0",
    title_zh="Leaky ReLU 的导数：x < 0 时为 α，x > 0 时为 1；在 0 处左右导数分别为 α 和 1",
)
def leaky_relu_derivative() -> Result:
    return _piecewise_derivative(sp.Piecewise((alpha * x, x < 0), (x, True)))


@derivation(
    "elu_derivative",
    title="ELU' is alpha e^x = ELU(x) + alpha for x < 0 and 1 for x > 0; differentiable at 0 iff alpha = 1",
    title_zh="ELU 的导数：x < 0 时为 αeˣ = ELU(x) + α，x > 0 时为 1；仅当 α = 1 时在 0 处可导",
)
def elu_derivative() -> Result:
    f = sp.Piecewise((alpha * (sp.exp(x) - 1), x < 0), (x, True))
    r = _piecewise_derivative(f)
    neg_branch = r.parts["derivative"].args[0][0]
    if sp.simplify(neg_branch - (alpha * (sp.exp(x) - 1) + alpha)) != 0:
        raise ArithmeticError("ELU' != ELU + alpha on x < 0")
    smooth = sp.solve(sp.Eq(r.parts["left_at_0"], r.parts["right_at_0"]), alpha)
    return Result(
        expr=r.expr,
        latex=r.latex + rf",\qquad \text{{differentiable at 0}} \iff \alpha = {sp.latex(smooth[0])}",
        parts={**r.parts, "smooth_alpha": smooth[0]},
        symbols=r.symbols,
    )


def _check_piecewise(d: Derivation, np_f, a: float) -> float:
    r = d.result.parts
    d = sp.lambdify(x, r["derivative"].subs(alpha, a), "numpy")
    t = _GRID[np.abs(_GRID) > 1e-3]
    fd = central_diff(lambda u: np_f(u, a), t, 1e-6)
    hh = 1e-9
    one_sided = [
        abs((np_f(np.array(0.0), a) - np_f(np.array(-hh), a)) / hh - float(r["left_at_0"].subs(alpha, a))),
        abs((np_f(np.array(hh), a) - np_f(np.array(0.0), a)) / hh - float(r["right_at_0"].subs(alpha, a))),
    ]
    return max(max_abs_err(d(t), fd), *one_sided)


def _np_relu(u: np.ndarray, a: float) -> np.ndarray:
    return np.maximum(u, 0.0)


def _np_leaky(u: np.ndarray, a: float) -> np.ndarray:
    return np.where(u < 0, a * u, u)


def _np_elu(u: np.ndarray, a: float) -> np.ndarray:
    return np.where(u < 0, a * np.expm1(np.minimum(u, 0.0)), u)


@relu_derivative.check(
    "float64 finite differences off 0, one-sided quotients at 0",
    tol=1e-6,
    oracle_zh="0 以外用 float64 有限差分，0 处用单侧差商",
)
def _() -> float:
    return _check_piecewise(relu_derivative, _np_relu, 0.0)


@leaky_relu_derivative.check(
    "float64 finite differences off 0, one-sided quotients at 0 (alpha=0.01)",
    tol=1e-6,
    oracle_zh="0 以外用 float64 有限差分，0 处用单侧差商（α = 0.01）",
)
def _() -> float:
    return _check_piecewise(leaky_relu_derivative, _np_leaky, 0.01)


@elu_derivative.check(
    "float64 finite differences off 0, one-sided quotients at 0 (alpha=0.5)",
    tol=1e-6,
    oracle_zh="0 以外用 float64 有限差分，0 处用单侧差商（α = 0.5）",
)
def _() -> float:
    return _check_piecewise(elu_derivative, _np_elu, 0.5)


# --- consequences for products of factors --------------------------------------------------------------------
@derivation(
    "sigmoid_chain_bound",
    title="n sigmoid-derivative factors multiply to at most (1/4)^n; (1/4)^10 = 2^-20 = 9.5367431640625e-07 exactly",
    title_zh="n 个 sigmoid 导数因子之积至多为 (1/4)ⁿ；(1/4)¹⁰ = 2⁻²⁰ = 9.5367431640625e-07（精确值）",
)
def sigmoid_chain_bound() -> Result:
    peak = sp.Rational(1, 4)  # the maximum derived in sigmoid_derivative_max; checked equal below
    if sigmoid_derivative_max.result.parts["max"] != peak:
        raise ArithmeticError("max sigma' is not 1/4")
    bound = peak**n
    ten = bound.subs(n, 10)
    if ten != sp.Integer(2) ** -20:
        raise ArithmeticError("(1/4)^10 != 2^-20")
    digits = str(int(ten * 10**20))  # exact: the denominator is 2^20, so 10^20 * value is an integer
    mantissa, exponent = f"{digits[0]}.{digits[1:].rstrip('0')}", len(digits) - 1 - 20
    decimal_str = f"{mantissa}e{exponent:+03d}"
    return Result(
        expr=sp.Tuple(sp.Lambda(n, bound), ten),
        latex=(
            r"\prod_{j=1}^{n}\sigma'(z_j)\le\Bigl(\tfrac14\Bigr)^{n},\qquad "
            rf"\Bigl(\tfrac14\Bigr)^{{10}} = 2^{{-20}} = {sp.latex(ten)} = {mantissa}\times10^{{{exponent}}}"
        ),
        parts={"bound": bound, "ten_layers": ten, "ten_layers_decimal": sp.Float(decimal_str, 30)},
        text={"ten_layers_decimal": decimal_str},
        symbols={"n": "number of sigmoid layers (positive integer)"},
    )


@sigmoid_chain_bound.check(
    "exact decimal arithmetic (Python decimal) of 0.25**10",
    tol=0.0,
    oracle_zh="用 Python 的 decimal 模块精确计算 0.25**10",
)
def _() -> float:
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        exact = decimal.Decimal(1) / decimal.Decimal(4) ** 10
    r = sigmoid_chain_bound.result.parts
    shown = decimal.Decimal(sigmoid_chain_bound.result.text["ten_layers_decimal"])
    shown_is_repr = 0.0 if sigmoid_chain_bound.result.text["ten_layers_decimal"] == repr(0.25**10) else 1.0
    return (
        shown_is_repr
        + float(abs(exact - shown))
        + abs(0.25**10 - math.ldexp(1.0, -20))
        + float(abs(exact - decimal.Decimal(int(r["ten_layers"].p)) / decimal.Decimal(int(r["ten_layers"].q))))
    )


@sigmoid_chain_bound.check(
    "largest product of 10 numpy sigma' factors over random pre-activations",
    tol=0.0,
    oracle_zh="随机预激活值下 10 个 σ′ 因子（NumPy）之积的最大值",
)
def _() -> float:
    rng = np.random.default_rng(0)
    z = rng.normal(scale=3.0, size=(20000, 10))
    z[0] = 0.0  # the bound is attained only when every pre-activation is 0
    s = sigmoid(z)
    worst = float(np.max(np.prod(s * (1 - s), axis=1)))
    bound = float(sigmoid_chain_bound.result.parts["ten_layers"])
    return max(0.0, worst - bound) + abs(worst - bound)  # never above, and equal at z = 0


@derivation(
    "hochreiter_weight_bound",
    title="sup_x |w sigma'(x)| = |w|/4, so |w sigma'| < 1 for every input iff |w| < 4 (logistic)",
    title_zh="sup_x |w·σ′(x)| = |w|/4，因此当且仅当 |w| < 4 时，对任意输入都有 |w·σ′| < 1（logistic）",
)
def hochreiter_weight_bound() -> Result:
    peak = sigmoid_derivative_max.result.parts["max"]
    sup = sp.Abs(w) * peak
    region = sp.solve_univariate_inequality(sup < 1, w, relational=False)
    if region != sp.Interval.open(-4, 4):
        raise ArithmeticError(f"unexpected region {region}")
    return Result(
        expr=sp.Tuple(sp.Lambda(w, sup), region),
        latex=(rf"\sup_{{x}}\,\bigl|w\,\sigma'(x)\bigr| = {sp.latex(sup)} < 1 \iff w \in {sp.latex(region)}"),
        parts={"sup": sup, "region": region, "threshold": sp.Integer(4)},
        symbols={"w": "weight multiplying sigma' (real)"},
    )


@hochreiter_weight_bound.check(
    "float64 grid: max over x of |w sigma'(x)| for w in [-6, 6]",
    tol=1e-9,
    oracle_zh="float64 网格：w ∈ [−6, 6] 时 |w·σ′(x)| 关于 x 的最大值",
)
def _() -> float:
    t = np.linspace(-12.0, 12.0, 48001)
    s = sigmoid(t)
    ds = s * (1 - s)
    sup = sp.lambdify(w, hochreiter_weight_bound.result.parts["sup"], "numpy")
    ws = np.linspace(-6.0, 6.0, 121)
    numeric = np.array([np.max(np.abs(v * ds)) for v in ws])
    inside = numeric < 1
    region = hochreiter_weight_bound.result.parts["region"]
    disagree = sum(bool(inside[i]) != bool(region.contains(sp.Float(v))) for i, v in enumerate(ws))
    return max_abs_err(sup(ws), numeric) + disagree


def _torch_piecewise(d: Derivation, fn_name: str, a: float) -> float:
    import torch

    r = d.result.parts
    fn = {
        "relu": torch.relu,
        "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, a),
        "elu": lambda t: torch.nn.functional.elu(t, a),
    }[fn_name]
    t = torch.tensor(np.append(_GRID[np.abs(_GRID) > 1e-3], 0.0), dtype=torch.float64, requires_grad=True)
    fn(t).sum().backward()
    expected = sp.lambdify(x, r["derivative"].subs(alpha, a), "numpy")(t.detach().numpy()[:-1])
    at_zero = float(r["left_at_0"].subs(alpha, a))  # autograd takes the left one-sided derivative at 0
    return max(max_abs_err(t.grad.numpy()[:-1], expected), abs(float(t.grad[-1]) - at_zero))


@relu_derivative.check(
    "PyTorch autograd (float64); at 0 torch returns the left derivative 0",
    tol=1e-12,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64）；在 0 处 torch 取左导数 0",
)
def _() -> float:
    return _torch_piecewise(relu_derivative, "relu", 0.0)


@leaky_relu_derivative.check(
    "PyTorch autograd (float64, alpha=0.01); at 0 torch returns alpha",
    tol=1e-12,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64，α = 0.01）；在 0 处 torch 取左导数 α",
)
def _() -> float:
    return _torch_piecewise(leaky_relu_derivative, "leaky_relu", 0.01)


@elu_derivative.check(
    "PyTorch autograd (float64, alpha=0.5); at 0 torch returns alpha",
    tol=1e-12,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64，α = 0.5）；在 0 处 torch 取左导数 α",
)
def _() -> float:
    return _torch_piecewise(elu_derivative, "elu", 0.5)


# --- exercises: tanh as a rescaled sigmoid, underflow depth, the nonzero fixed point of h = tanh(w h) ------------
@derivation(
    "tanh_as_rescaled_sigmoid",
    title="tanh(x) = 2 sigma(2x) - 1, so tanh'(x) = 4 sigma'(2x) and max tanh' = 4 max sigma' = 1",
    title_zh="tanh(x) = 2σ(2x) − 1，因此 tanh′(x) = 4σ′(2x)，tanh′ 的最大值是 σ′ 最大值的 4 倍，即 1",
)
def tanh_as_rescaled_sigmoid() -> Result:
    """tanh is the logistic sigmoid stretched by 2 in x and in y and shifted; its derivative is 4 sigma'(2x)."""
    rescaled = 2 * SIGMA.subs(x, 2 * x) - 1
    th = (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))
    if sp.simplify(rescaled - th) != 0:
        raise ArithmeticError("tanh != 2 sigma(2x) - 1")
    d_rescaled = sp.diff(rescaled, x)  # chain rule: 2 * 2 * sigma'(2x)
    sigma_prime_2x = sp.diff(SIGMA, x).subs(x, 2 * x)
    factor = sp.simplify(d_rescaled / sigma_prime_2x)
    peak = factor * sigmoid_derivative_max.result.parts["max"]
    if factor != 4 or sp.simplify(d_rescaled - sp.diff(th, x)) != 0 or peak != tanh_derivative_max.result.parts["max"]:
        raise ArithmeticError("tanh' != 4 sigma'(2x) or the maxima disagree")
    return Result(
        expr=sp.Tuple(sp.Lambda(x, rescaled), factor, peak),
        latex=(
            r"\tanh(x)=2\sigma(2x)-1\ \Rightarrow\ \tanh'(x)="
            + sp.latex(factor)
            + r"\,\sigma'(2x)\ \Rightarrow\ \max_x\tanh'(x)="
            + sp.latex(factor)
            + r"\cdot"
            + sp.latex(sigmoid_derivative_max.result.parts["max"])
            + "="
            + sp.latex(peak)
        ),
        parts={
            "rescaled": rescaled,
            "factor": factor,
            "x_scale": sp.Integer(2),
            "peak": peak,
            "sigmoid_peak": sigmoid_derivative_max.result.parts["max"],
        },
        symbols={"x": "pre-activation (real)"},
    )


@tanh_as_rescaled_sigmoid.check(
    "mpmath (30 digits): tanh(x) vs 2 sigma(2x) - 1 and mpmath.diff of tanh vs factor * sigma'(2x) at 7 points",
    tol=1e-25,
    oracle_zh="mpmath（30 位）：在 7 个点上比较 tanh(x) 与 2σ(2x) − 1，"
    "以及 mpmath.diff 求得的 tanh′ 与推导出的因子乘以 σ′(2x)",
)
def _() -> float:
    p = tanh_as_rescaled_sigmoid.result.parts
    fac, sc = int(p["factor"]), int(p["x_scale"])
    with mpmath.workdps(30):
        worst = mpmath.mpf(0)
        for v in _MP_POINTS:
            t = mpmath.mpf(v)
            s2 = _mp_sigmoid(sc * t)
            worst = max(worst, abs(mpmath.tanh(t) - (2 * s2 - 1)))
            worst = max(worst, abs(mpmath.diff(mpmath.tanh, t) - fac * s2 * (1 - s2)))
        return float(worst)


@tanh_as_rescaled_sigmoid.check(
    "dense float64 grid: max of numpy 1 - tanh^2 vs the derived peak",
    tol=1e-12,
    oracle_zh="稠密 float64 网格：NumPy 计算的 1 − tanh² 的最大值与推导出的峰值比较",
)
def _() -> float:
    t = np.linspace(-10.0, 10.0, 200001)
    return abs(float(np.max(1.0 - np.tanh(t) ** 2)) - float(tanh_as_rescaled_sigmoid.result.parts["peak"]))


@derivation(
    "sigmoid_chain_underflow_depth",
    title="(1/4)^n falls below the smallest normal number 2^-e iff n > e/2: n = 8 in float16 (e = 14), 64 in float32",
    title_zh="(1/4)ⁿ 低于最小正规数 2^(−e) 当且仅当 n > e/2：float16（e = 14）为 n = 8，float32（e = 126）为 n = 64",
)
def sigmoid_chain_underflow_depth() -> Result:
    """The first depth n at which the bound (1/4)^n on a product of n sigmoid factors is below the smallest positive
    normal number 2^-e of a binary floating-point format (IEEE 754: e = 14 for float16, 126 for float32)."""
    e = sp.Symbol("e", integer=True, positive=True)
    bound = sigmoid_chain_bound.result.parts["bound"]  # (1/4)^n
    # (1/4)^n < 2^-e  <=>  -2n < -e  (log base 2)  <=>  n > e/2
    sol = sp.solve(sp.log(bound, 2) < -e, n)
    threshold = sp.simplify(sp.solve(sp.Eq(sp.expand_log(sp.log(bound, 2), force=True), -e), n)[0])
    formats = {"float16": 14, "float32": 126}
    first = {k: sp.floor(threshold.subs(e, v)) + 1 for k, v in formats.items()}
    for k, v in formats.items():
        if not (bound.subs(n, first[k]) < sp.Integer(2) ** -v <= bound.subs(n, first[k] - 1)):
            raise ArithmeticError(f"{k}: {first[k]} is not the first depth below 2^-{v}")
    return Result(
        expr=sp.Tuple(sp.Lambda(e, threshold), first["float16"], first["float32"]),
        latex=(
            r"\Bigl(\tfrac14\Bigr)^n<2^{-e}\iff n>" + sp.latex(threshold) + r":\quad"
            rf"\text{{float16 }}(e={formats['float16']})\ n\ge{first['float16']},\ "
            rf"\text{{float32 }}(e={formats['float32']})\ n\ge{first['float32']}"
        ),
        parts={
            "threshold": threshold,
            "condition": sol if isinstance(sol, sp.Basic) else sp.Tuple(*sol),
            "e_float16": sp.Integer(formats["float16"]),
            "e_float32": sp.Integer(formats["float32"]),
            "first_float16": first["float16"],
            "first_float32": first["float32"],
            "bound_first_float16": bound.subs(n, first["float16"]),
        },
        text={
            "first_float16": str(first["float16"]),
            "first_float32": str(first["float32"]),
            "e_float16": str(formats["float16"]),
            "e_float32": str(formats["float32"]),
        },
        symbols={"n": "number of sigmoid layers", "e": "2^-e is the format's smallest positive normal number"},
    )


@sigmoid_chain_underflow_depth.check(
    "numpy: finfo(float16/float32).tiny, and 0.25**n evaluated in each format at the derived depth and one less",
    tol=0.0,
    oracle_zh="NumPy：float16 / float32 的 finfo().tiny，以及在各自格式中计算推导出的深度与其前一层的 0.25**n",
)
def _() -> float:
    p = sigmoid_chain_underflow_depth.result.parts
    bad = 0
    for dt, key, ek in ((np.float16, "first_float16", "e_float16"), (np.float32, "first_float32", "e_float32")):
        tiny = np.finfo(dt).tiny
        bad += int(float(tiny) != 2.0 ** -int(p[ek]))
        nn = int(p[key])
        quarter = dt(0.25)
        at, before = quarter ** dt(nn), quarter ** dt(nn - 1)
        bad += int(not (at < tiny <= before))
    return float(bad)


@derivation(
    "tanh_rnn_nonzero_fixed_point",
    title="h = tanh(2h) has fixed points 0 and +-h* (h* ~ 0.9575); the per-step factor 2 tanh'(2 h*) ~ 0.166 < 1",
    title_zh="h = tanh(2h) 的不动点为 0 与 ±h*（h* ≈ 0.9575）；在 ±h* 处每步因子 2·tanh′(2h*) ≈ 0.166 < 1",
)
def tanh_rnn_nonzero_fixed_point() -> Result:
    """The scalar tanh recurrence h_t = tanh(w h_{t-1}), w = 2, no input or bias: the derivative of one step is
    w tanh'(w h); it is w = 2 at the fixed point 0 (unstable) and w (1 - h*^2) < 1 at the attracting h* > 0."""
    wv = sp.Integer(2)
    hh = sp.Symbol("h", real=True)
    step = sp.tanh(wv * hh)
    deriv = sp.diff(step, hh)  # w (1 - tanh^2(w h))
    at_zero = deriv.subs(hh, 0)
    hstar = sp.nsolve(step - hh, hh, 1, prec=40)
    factor = sp.Float(sp.N(deriv.subs(hh, hstar), 40), 40)  # w (1 - tanh^2(w h*)) = w (1 - h*^2)
    if not (0 < factor < 1 < at_zero) or abs(sp.tanh(wv * hstar) - hstar) > sp.Float(1e-35):
        raise ArithmeticError("the fixed point or its factor is off")
    return Result(
        expr=sp.Tuple(sp.Lambda(hh, deriv), hstar, factor),
        latex=(
            r"h_t=\tanh(2h_{t-1}):\ \frac{\partial h_t}{\partial h_{t-1}}="
            + sp.latex(deriv)
            + rf";\ h=0:\ {sp.latex(at_zero)};\ h^*\approx{float(hstar):.4f}:\ 2(1-h^{{*2}})\approx{float(factor):.4f}"
        ),
        parts={
            "w": wv,
            "step_derivative": deriv,
            "factor_at_zero": at_zero,
            "h_star": sp.Float(hstar, 30),
            "factor_at_h_star": factor,
            "h0_example": sp.Rational(1, 1000),
            "steps_example": sp.Integer(50),
        },
        text={"h_star": f"{float(hstar):.4f}", "factor_at_h_star": f"{float(factor):.4f}"},
        symbols={"h": "scalar hidden state", "w": "recurrent weight (2)"},
    )


@tanh_rnn_nonzero_fixed_point.check(
    "float64: iterate h = tanh(2h) from h0 = 0.001 for 50 steps; final state vs h*; d h_t/d h_0 by forward-mode "
    "differentiation (product of the step derivatives) and by central differences over the first 10 steps; the "
    "last step's ratio vs the factor at h*",
    tol=1e-6,
    oracle_zh="float64：从 h0 = 0.001 迭代 h = tanh(2h) 共 50 步，末状态与 h* 比较；用前向模式微分（逐步导数连乘）"
    "求 ∂h_t/∂h₀，前 10 步与中心差分核对；最后一步的比值与 h* 处的因子比较",
)
def _() -> float:
    p = tanh_rnn_nonzero_fixed_point.result.parts
    wv, h0, steps = float(p["w"]), float(p["h0_example"]), int(p["steps_example"])

    def run(v: np.ndarray, k: int) -> np.ndarray:
        for _ in range(k):
            v = np.tanh(wv * v)
        return v

    h, d, derivs = h0, 1.0, []
    for _ in range(steps):
        d *= wv * (1.0 - math.tanh(wv * h) ** 2)  # forward mode: d h_t / d h_0
        h = math.tanh(wv * h)
        derivs.append(d)
    fd10 = central_diff(lambda v: run(v, 10), np.array([h0]), 1e-7)[0]
    errs = [
        abs(h - float(p["h_star"])),
        abs(fd10 / derivs[9] - 1.0),
        abs(derivs[-1] / derivs[-2] - float(p["factor_at_h_star"])),
        float(derivs[-1] >= 1.0),  # after the transient the derivative has shrunk below 1
    ]
    return math.inf if any(math.isnan(v) for v in errs) else max(errs)


@tanh_rnn_nonzero_fixed_point.check(
    "mpmath (30 digits): findroot of tanh(2h) - h from 1, and 2 (1 - h*^2) from mpmath.diff",
    tol=1e-25,
    oracle_zh="mpmath（30 位）：从 1 出发用 findroot 求 tanh(2h) − h 的零点，并用 mpmath.diff 求 h* 处的导数",
)
def _() -> float:
    p = tanh_rnn_nonzero_fixed_point.result.parts
    with mpmath.workdps(30):
        root = mpmath.findroot(lambda v: mpmath.tanh(2 * v) - v, mpmath.mpf(1))
        slope = mpmath.diff(lambda v: mpmath.tanh(2 * v), root)
        return float(
            max(
                abs(root - mpmath.mpf(str(sp.N(p["h_star"], 35)))),
                abs(slope - mpmath.mpf(str(sp.N(p["factor_at_h_star"], 35)))),
            )
        )
