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
