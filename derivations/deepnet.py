"""Deep feed-forward nets: the chain rule through many layers, per-factor bounds, and the matrix form of backprop.

Conventions: z_j = w_j a_{j-1} + b_j and a_j = sigma(z_j) (logistic sigma) for the single-neuron chain; for matrices,
column vectors and numerator (Jacobian) layout: d y / d x has shape (len y, len x), so a scalar's gradient with
respect to a vector is a row vector, and dL/dW (for a matrix W) is arranged like W: (dL/dW)_{ij} = dL / dW_{ij}.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import mpmath
import numpy as np
import sympy as sp

from derivations.activations import sigmoid_derivative_max
from derivations.core import Result, derivation
from derivations.nets import mlp
from derivations.nets.act import sigmoid
from derivations.oracles.finite import central_diff, max_rel_err, mp_diff
from derivations.sym import sci_latex, symbol_matrix

N_CHAIN = 4
x = sp.Symbol("x", real=True)
W = sp.Symbol("W", positive=True)  # |w|
q = sp.Symbol("q", positive=True)
s_ = sp.Symbol("s", positive=True)
WS = sp.symbols(f"w1:{N_CHAIN + 1}", real=True)
BS = sp.symbols(f"b1:{N_CHAIN + 1}", real=True)
ZS = sp.symbols(f"z1:{N_CHAIN + 1}", real=True)
A4 = sp.Symbol(f"a{N_CHAIN}", real=True)
sigma = sp.Function("sigma")
sigma_prime = sp.Function("sigma_prime")
C = sp.Function("C")
C_prime = sp.Function("C_prime")
SIGMA_X = 1 / (1 + sp.exp(-x))


def _mp_sigmoid_prime(t: mpmath.mpf) -> mpmath.mpf:
    e = mpmath.exp(-t)
    return e / (1 + e) ** 2


def _replace_derivatives(expr: sp.Expr, f: sp.FunctionClass, fp: sp.FunctionClass) -> sp.Expr:
    """Replace SymPy's Subs(Derivative(f(xi), xi), xi, u) and Derivative(f(u), u) by fp(u)."""

    def is_fd(e: sp.Basic) -> bool:
        return isinstance(e, sp.Derivative) and e.expr.func == f and len(e.variables) == 1

    out = expr.replace(is_fd, lambda e: fp(e.variables[0]))
    return out.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit())


# --- 1. Nielsen's single-neuron chain ------------------------------------------------------------------------
@derivation(
    "nielsen_chain",
    title="4-neuron chain: dC/db1 = s'(z1) w2 s'(z2) w3 s'(z3) w4 s'(z4) dC/da4 (differentiated composition)",
    title_zh="四个神经元的链：dC/db1 = σ′(z1) w2 σ′(z2) w3 σ′(z3) w4 σ′(z4) ∂C/∂a4（对复合函数求导得到）",
)
def nielsen_chain() -> Result:
    a = x
    for j in range(N_CHAIN):
        a = sigma(WS[j] * a + BS[j])
    raw = sp.diff(C(a), BS[0])
    d = _replace_derivatives(_replace_derivatives(raw, sigma, sigma_prime), C, C_prime)
    for j in range(N_CHAIN):  # innermost first: name every pre-activation z_j, then a4 = sigma(z4)
        d = d.subs(WS[j] * (sigma(ZS[j - 1]) if j else x) + BS[j], ZS[j])
    d = d.subs(sigma(ZS[-1]), A4)
    factors = [sigma_prime(ZS[0])]
    for j in range(1, N_CHAIN):
        factors += [WS[j], sigma_prime(ZS[j])]
    nielsen = sp.Mul(*factors) * C_prime(A4)
    if sp.expand(d - nielsen) != 0:
        raise ArithmeticError(f"differentiated chain {d} is not Nielsen's product")
    latex = (
        r"\frac{\partial C}{\partial b_1} = \sigma'(z_1)\,w_2\,\sigma'(z_2)\,w_3\,\sigma'(z_3)\,w_4\,\sigma'(z_4)\,"
        r"\frac{\partial C}{\partial a_4},\qquad z_j = w_j a_{j-1} + b_j,\; a_j=\sigma(z_j),\; a_0 = x"
    )
    return Result(
        expr=sp.Eq(sp.Derivative(C(A4), BS[0]), d),
        latex=latex,
        parts={"derivative": d, "raw": raw, "factors": sp.Tuple(*factors)},
        symbols={
            "x": "input a_0",
            "w1..w4, b1..b4": "weights and biases of the four neurons",
            "z1..z4": "pre-activations z_j = w_j a_{j-1} + b_j",
            "a4": "output a_4 = sigma(z_4)",
            "sigma_prime": "derivative of the activation sigma",
            "C_prime": "dC/da_4",
        },
    )


def _chain_forward(params: np.ndarray, xin: float, y: float) -> tuple[float, list[float], float]:
    """The 4-neuron logistic chain (derivations.nets.mlp) with C = (a4 - y)^2 / 2; returns (C, z list, a4)."""
    zs, a = mlp.sigmoid_chain(params[:N_CHAIN], params[N_CHAIN:], xin)
    return 0.5 * (a - y) ** 2, zs, a


Y_TARGET = sp.Symbol("y", real=True)


def _nielsen_numeric() -> object:
    """The derived dC/db1 as a numpy function of (w1..w4, z1..z4, a4, y), with C = (a4 - y)^2/2, logistic sigma."""
    r = nielsen_chain.result.parts["derivative"]
    concrete = r.replace(sigma_prime, sp.Lambda(x, sp.diff(SIGMA_X, x))).subs(C_prime(A4), A4 - Y_TARGET)
    return sp.lambdify([*WS, *ZS, A4, Y_TARGET], concrete, "numpy")


@nielsen_chain.check(
    "central finite difference in b1 of a numpy 4-neuron chain, C=(a4-y)^2/2 (abs err)",
    tol=1e-9,
    oracle_zh="NumPy 四神经元链对 b1 的中心有限差分，C = (a4 − y)²/2（绝对误差）",
)
def _() -> float:
    f = _nielsen_numeric()
    rng = np.random.default_rng(1)
    errs = []
    for _ in range(20):
        p = rng.normal(scale=1.5, size=2 * N_CHAIN)
        xin, y = float(rng.normal()), 0.3
        _, zs, a4 = _chain_forward(p, xin, y)

        def cost_of_b1(b1: np.ndarray, p: np.ndarray = p, xin: float = xin, y: float = y) -> np.ndarray:
            q_ = p.copy()
            q_[N_CHAIN] = float(b1)
            return np.array(_chain_forward(q_, xin, y)[0])

        fd = float(central_diff(cost_of_b1, np.array(p[N_CHAIN]), 1e-5))
        errs.append(abs(float(f(*p[:N_CHAIN], *zs, a4, y)) - fd))
    return max(errs)


@nielsen_chain.check(
    "mpmath.diff in b1 of an mpmath 4-neuron chain at 50 digits (relative error)",
    tol=1e-13,
    oracle_zh="用 mpmath.diff 对 mpmath 实现的四神经元链关于 b1 数值求导（50 位有效数字，相对误差）",
)
def _() -> float:
    f = _nielsen_numeric()
    rng = np.random.default_rng(2)
    errs = []
    for _ in range(10):
        p = rng.normal(scale=1.5, size=2 * N_CHAIN)
        xin, y = float(rng.normal()), 0.3
        _, zs, a4 = _chain_forward(p, xin, y)

        def cost(b1: mpmath.mpf, p: np.ndarray = p, xin: float = xin, y: float = y) -> mpmath.mpf:
            a = mpmath.mpf(xin)
            for j in range(N_CHAIN):
                a = 1 / (1 + mpmath.exp(-(mpmath.mpf(p[j]) * a + (b1 if j == 0 else mpmath.mpf(p[N_CHAIN + j])))))
            return (a - mpmath.mpf(y)) ** 2 / 2

        exact = mp_diff(cost, p[N_CHAIN])
        errs.append(float(abs(float(f(*p[:N_CHAIN], *zs, a4, y)) - exact) / abs(exact)))
    return max(errs)


# --- 2. per-factor bounds: vanishing for |w| <= 1, exploding for large |w| -------------------------------------
@derivation(
    "deepnet_factor_bounds",
    title="|w s'(z)| <= |w|/4: at most 1/4 when |w| <= 1; up to |w|/4 (25 at w = 100, z = 0) for large weights",
    title_zh="|w·σ′(z)| ≤ |w|/4：|w| ≤ 1 时至多 1/4；权重很大时可达 |w|/4（w = 100、z = 0 时为 25）",
)
def deepnet_factor_bounds() -> Result:
    wsym = sp.Symbol("w", real=True)
    peak = sigmoid_derivative_max.result.parts["max"]  # max sigma' = 1/4 at z = 0
    d1 = sp.diff(SIGMA_X, x)
    if d1.subs(x, 0) != peak:
        raise ArithmeticError("sigma'(0) is not the maximum")
    sup = sp.Abs(wsym) * peak
    small = sp.maximum(sup, wsym, sp.Interval(-1, 1))
    big = sup.subs(wsym, 100)
    # the factor reaches its sup only if z = w a + b = 0, i.e. b = -w a: a fine-tuned bias
    attained = sp.simplify((wsym * d1).subs(x, 0).subs(wsym, 100))
    if small != sp.Rational(1, 4) or big != 25 or attained != 25:
        raise ArithmeticError("unexpected factor bounds")
    return Result(
        expr=sp.Tuple(sp.Lambda(wsym, sup), small, big),
        latex=(
            rf"\bigl|w_j\,\sigma'(z_j)\bigr|\le \frac{{|w_j|}}{{4}},\qquad \max_{{|w_j|\le1}}\frac{{|w_j|}}{{4}}"
            rf"={sp.latex(small)},\qquad w_j=100,\ z_j=0:\ w_j\,\sigma'(0)={sp.latex(attained)}=\frac{{w_j}}{{4}}"
        ),
        parts={"sup": sup, "small_weight_bound": small, "w100": big, "w100_attained_at_z0": attained},
        symbols={"w": "weight w_j multiplying sigma'(z_j)", "z": "pre-activation z_j = w_j a_{j-1} + b_j"},
    )


@deepnet_factor_bounds.check(
    "float64 grid of |w sigma'(z)| (numpy sigmoid): sup for |w|<=1 and at w=100",
    tol=1e-12,
    oracle_zh="|w·σ′(z)| 在 float64 网格上的取值（NumPy sigmoid）：|w| ≤ 1 时的上确界，以及 w = 100 时的值",
)
def _() -> float:
    z = np.linspace(-20.0, 20.0, 400001)
    s = sigmoid(z)
    ds = s * (1 - s)
    r = deepnet_factor_bounds.result.parts
    ws = np.linspace(-1.0, 1.0, 201)
    small = max(float(np.max(np.abs(v * ds))) for v in ws)
    big = float(np.max(np.abs(100.0 * ds)))
    a_prev = 0.37  # any input works once b = -w a, so that z = w a + b = 0
    s0 = float(sigmoid(np.array(100.0 * a_prev - 100.0 * a_prev)))
    at_tuned_bias = abs(100.0 * s0 * (1.0 - s0))
    return max(abs(small - float(r["small_weight_bound"])), abs(big - 25.0), abs(at_tuned_bias - float(r["w100"])))


# --- 3. the width of the input interval where |w sigma'(w a + b)| >= 1 -----------------------------------------
@derivation(
    "sigmoid_unstable_width",
    title="Width of {a : |w s'(w a + b)| >= 1} is (2/|w|) ln(|w|(1+sqrt(1-4/|w|))/2 - 1); max ~0.4477 at |w| ~6.894",
    title_zh="使 |w·σ′(wa + b)| ≥ 1 的输入区间宽度为 (2/|w|) ln(|w|(1+√(1−4/|w|))/2 − 1)；最大约 0.4477（|w| ≈ 6.894）",
)
def sigmoid_unstable_width() -> Result:
    # |w| sigma'(u) = 1 with sigma' = sigma (1 - sigma): solve for s = sigma(u), then u = logit(s)
    roots = sp.solve(sp.Eq(W * s_ * (1 - s_), 1), s_)
    s_lo, s_hi = sorted(roots, key=lambda r: float(r.subs(W, 8)))
    u_of = lambda s: sp.log(s / (1 - s))  # noqa: E731  (inverse of the logistic function)
    width = sp.simplify((u_of(s_hi) - u_of(s_lo)) / W)  # u = w a + b, so a-width = u-width / |w|
    nielsen = 2 / W * sp.log(W * (1 + sp.sqrt(1 - 4 / W)) / 2 - 1)
    # prove equality: both are (2/W) log(r) with r in terms of q = sqrt(1 - 4/W), W = 4/(1 - q^2)
    qsub = {W: 4 / (1 - q**2)}
    r_derived = sp.simplify(s_hi / s_lo)  # exp(W width / 2) = s_hi / s_lo because s_lo = 1 - s_hi
    lhs = sp.simplify(r_derived.subs(sp.sqrt(1 - 4 / W), q).subs(qsub))
    rhs = sp.simplify((W * (1 + q) / 2 - 1).subs(qsub))
    if sp.simplify(lhs - rhs) != 0 or sp.simplify(s_lo + s_hi - 1) != 0:
        raise ArithmeticError("derived width differs from the closed form")
    if abs(sp.N(width - nielsen, 30, subs={W: sp.Rational(137, 10)})) > 1e-25:
        raise ArithmeticError("derived width differs numerically from the closed form")
    dwidth = sp.diff(nielsen, W)
    with mpmath.workdps(40):
        w_star = sp.nsolve(dwidth, W, 7, prec=40)
    max_width = nielsen.subs(W, w_star).evalf(40)
    second = sp.diff(nielsen, W, 2).subs(W, w_star).evalf(20)
    if not second < 0:
        raise ArithmeticError("critical point is not a maximum")
    return Result(
        expr=sp.Tuple(sp.Lambda(W, nielsen), w_star, max_width),
        latex=(
            r"\bigl|\{a:\ |w\,\sigma'(wa+b)|\ge 1\}\bigr| = "
            + sp.latex(nielsen).replace("W", r"|w|")
            + rf"\quad(|w|\ge4),\qquad \max_{{|w|}} = {sp.N(max_width, 6)},\ "
            + rf"\operatorname*{{arg\,max}}_{{|w|}} = {sp.N(w_star, 6)}"
        ),
        parts={
            "width": nielsen,
            "width_raw": width,
            "derivative": dwidth,
            "argmax": sp.Float(w_star, 30),
            "max": sp.Float(max_width, 30),
            "sigma_roots": sp.Tuple(s_lo, s_hi),
        },
        symbols={"W": "|w| (positive, >= 4 for a nonempty interval)", "a": "input to the neuron", "b": "bias"},
        text={"argmax": mpmath.nstr(mpmath.mpf(str(w_star)), 10), "max": mpmath.nstr(mpmath.mpf(str(max_width)), 10)},
    )


def _mp_width(wabs: mpmath.mpf) -> mpmath.mpf:
    """Independent: root of |w| sigma'(u) = 1 on u > 0 by bracketing findroot (Illinois); width = 2 u_+ / |w|."""
    u_plus = mpmath.findroot(
        lambda u: wabs * _mp_sigmoid_prime(u) - 1, (mpmath.mpf(0), 2 * mpmath.log(wabs) + 2), solver="illinois"
    )
    return 2 * u_plus / wabs


@sigmoid_unstable_width.check(
    "mpmath (30 digits): findroot of |w|s'(u)=1, then findroot of d(width)/d|w|",
    tol=1e-12,
    oracle_zh="mpmath（30 位有效数字）：用 findroot 解 |w|σ′(u) = 1，再用 findroot 求 d(宽度)/d|w| 的零点",
)
def _() -> float:
    r = sigmoid_unstable_width.result.parts
    f = sp.lambdify(W, r["width"], "mpmath")
    with mpmath.workdps(30):
        pts = [mpmath.mpf(v) for v in ("4.5", "6.894", "10", "37.5", "200")]
        width_err = max(abs(f(p) - _mp_width(p)) for p in pts)
        w_star = mpmath.findroot(lambda t: mpmath.diff(_mp_width, t), mpmath.mpf(7))
        peak = _mp_width(w_star)
        argmax_err = abs(w_star - mpmath.mpf(str(r["argmax"])))
        return float(max(width_err, argmax_err, abs(peak - mpmath.mpf(str(r["max"])))))


@sigmoid_unstable_width.check(
    "brute float64 grid: measure of {a : |w s'(w a)| >= 1} (a-step 2e-5), |w| in [4.5, 12] step 0.02, and its max",
    tol=1e-4,
    oracle_zh="float64 网格穷举：{a : |w·σ′(wa)| ≥ 1} 的长度（a 的步长 2e-5），"
    "|w| 取 [4.5, 12]、步长 0.02，以及其最大值",
)
def _() -> float:
    r = sigmoid_unstable_width.result.parts
    a = np.linspace(-0.25, 0.25, 25001)  # the interval is centred at a = -b/w = 0 and narrower than 0.45
    da = a[1] - a[0]
    ws = np.arange(4.5, 12.0, 0.02)
    s = sigmoid(np.outer(ws, a))
    measured = np.count_nonzero(ws[:, None] * s * (1 - s) >= 1.0, axis=1) * da
    # the curve is flat at its peak, so a grid argmax is ill-conditioned; the mpmath check tests the argmax
    derived = sp.lambdify(W, r["width"], "numpy")(ws)
    return max(float(np.max(np.abs(measured - derived))), abs(float(np.max(measured)) - float(r["max"])))


# --- 4. matrix form for a 3-layer net ------------------------------------------------------------------------
DIMS = (3, 2, 3, 2)  # input, layer 1, layer 2, layer 3 widths (unequal, so a transposition error cannot hide)
f_act = sp.Function("f")
f_prime = sp.Function("f_prime")


def _diag_fprime(a: sp.Matrix) -> sp.Matrix:
    return sp.diag(*[f_prime(v) for v in a])


@derivation(
    "matrix_chain_3layer",
    title="3-layer net: dL/dW1 = dL/df3 diag(f'(a3)) W3 diag(f'(a2)) W2 diag(f'(a1)) da1/dW1 (Jacobian layout)",
    title_zh="三层网络：dL/dW1 = ∂L/∂f3 · diag(f′(a3)) W3 · diag(f′(a2)) W2 · diag(f′(a1)) · ∂a1/∂W1（雅可比布局）",
)
def matrix_chain_3layer() -> Result:
    n0, n1, n2, n3 = DIMS
    xv = sp.Matrix(n0, 1, lambda i, _: sp.Symbol(f"x_{i + 1}", real=True))
    yv = sp.Matrix(n3, 1, lambda i, _: sp.Symbol(f"y_{i + 1}", real=True))
    w1, w2, w3 = (
        symbol_matrix("W1", n1, n0, start=1),
        symbol_matrix("W2", n2, n1, start=1),
        symbol_matrix("W3", n3, n2, start=1),
    )
    a1 = w1 * xv
    h1 = a1.applyfunc(f_act)
    a2 = w2 * h1
    h2 = a2.applyfunc(f_act)
    a3 = w3 * h2
    f3 = a3.applyfunc(f_act)
    loss = ((f3 - yv).T * (f3 - yv))[0, 0] / 2
    derived = sp.Matrix(n1, n0, lambda i, j: _replace_derivatives(sp.diff(loss, w1[i, j]), f_act, f_prime))
    dl_df3 = (f3 - yv).T  # row vector: numerator layout
    g = dl_df3 * _diag_fprime(a3) * w3 * _diag_fprime(a2) * w2 * _diag_fprime(a1)  # 1 x n1 = dL/da1
    # da1/dW1 is the 3-index array (da1_k / dW1_ij) = delta_ki x_j, so contracting with g gives g_i x_j
    da1_dw1 = sp.MutableDenseNDimArray.zeros(n1, n1, n0)
    for k in range(n1):
        for j in range(n0):
            da1_dw1[k, k, j] = sp.diff(a1[k], w1[k, j])
    formula = sp.Matrix(n1, n0, lambda i, j: sum(g[0, k] * da1_dw1[k, i, j] for k in range(n1)))
    if (derived - formula).applyfunc(sp.expand) != sp.zeros(n1, n0):
        raise ArithmeticError("matrix chain rule disagrees with entrywise differentiation")
    if (formula - g.T * xv.T).applyfunc(sp.expand) != sp.zeros(n1, n0):
        raise ArithmeticError("contraction with da1/dW1 is not the outer product g^T x^T")
    return Result(
        expr=sp.Eq(sp.Symbol("dL/dW1"), g.T * xv.T),
        latex=(
            r"\frac{\partial L}{\partial W_1} = \underbrace{\frac{\partial L}{\partial f_3}\,"
            r"\operatorname{diag}\!\bigl(f'(a_3)\bigr)\,W_3\,\operatorname{diag}\!\bigl(f'(a_2)\bigr)\,W_2\,"
            r"\operatorname{diag}\!\bigl(f'(a_1)\bigr)}_{g\;=\;\partial L/\partial a_1\ (1\times n_1)}"
            r"\cdot\frac{\partial a_1}{\partial W_1} = g^{\top}x^{\top},\qquad"
            r"\Bigl(\frac{\partial a_1}{\partial W_1}\Bigr)_{k,ij} = \delta_{ki}\,x_j"
        ),
        parts={"derived": derived, "g": g, "formula": g.T * xv.T},
        symbols={
            "x": "input column vector (3)",
            "W1, W2, W3": "weights 2x3, 3x2, 2x3; a1 = W1 x, a2 = W2 f(a1), a3 = W3 f(a2), f3 = f(a3)",
            "f, f_prime": "elementwise activation and its derivative",
            "L": "loss ||f3 - y||^2 / 2 (so dL/df3 = (f3 - y)^T, a row vector)",
            "layout": "numerator (Jacobian) layout, column vectors; dL/dW1 arranged like W1",
        },
    )


def _np_net3(ws: list[np.ndarray], xv: np.ndarray, yv: np.ndarray, act: str) -> float:
    hs = mlp.forward(ws, xv, act)[1]
    return float(0.5 * np.sum((hs[-1] - yv) ** 2))


def _derived_grad_w1(ws: list[np.ndarray], xv: np.ndarray, yv: np.ndarray, act: str) -> np.ndarray:
    """Evaluate the derived g^T x^T with numpy, substituting f' of the chosen activation."""
    fn = _lambdified_grad_w1(act)
    return np.array(fn(*[v for wm in ws for v in wm.ravel()], *xv.ravel(), *yv.ravel()), dtype=float)


@functools.cache
def _lambdified_grad_w1(act: str) -> Callable[..., object]:
    r = matrix_chain_3layer.result.parts["formula"]
    fp = sp.Lambda(x, sp.diff(sp.tanh(x) if act == "tanh" else SIGMA_X, x))
    n0, n1, n2, n3 = DIMS
    shapes = [(n1, n0), (n2, n1), (n3, n2)]
    syms = [
        *[sp.Symbol(f"W{m + 1}_{i + 1}{j + 1}", real=True) for m, sh in enumerate(shapes) for i, j in np.ndindex(sh)],
        *[sp.Symbol(f"x_{i + 1}", real=True) for i in range(n0)],
        *[sp.Symbol(f"y_{i + 1}", real=True) for i in range(n3)],
    ]
    concrete = r.replace(f_prime, fp).replace(f_act, sp.Lambda(x, sp.tanh(x) if act == "tanh" else SIGMA_X))
    return sp.lambdify(syms, concrete, "numpy")


def _random_net3(seed: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n0, n1, n2, n3 = DIMS
    ws = [rng.normal(size=(n1, n0)), rng.normal(size=(n2, n1)), rng.normal(size=(n3, n2))]
    return ws, rng.normal(size=(n0, 1)), rng.normal(size=(n3, 1))


@matrix_chain_3layer.check(
    "central finite differences of a numpy 3-layer net (tanh and sigmoid), relative",
    tol=1e-7,
    oracle_zh="NumPy 三层网络（tanh 与 sigmoid）的中心有限差分（相对误差）",
)
def _() -> float:
    errs = []
    for seed, act in ((0, "tanh"), (1, "sigmoid"), (2, "tanh")):
        ws, xv, yv = _random_net3(seed)
        derived = _derived_grad_w1(ws, xv, yv, act)
        fd = np.zeros_like(ws[0])
        for i, j in np.ndindex(ws[0].shape):

            def loss_ij(t: np.ndarray, i: int = i, j: int = j, ws: list = ws, xv=xv, yv=yv, act=act) -> np.ndarray:
                w1 = ws[0].copy()
                w1[i, j] = float(t)
                return np.array(_np_net3([w1, ws[1], ws[2]], xv, yv, act))

            fd[i, j] = float(central_diff(loss_ij, np.array(ws[0][i, j]), 1e-5))
        errs.append(max_rel_err(derived, fd, floor=1e-3))
    return max(errs)


@matrix_chain_3layer.check(
    "PyTorch autograd (float64) of the same 3-layer net, tanh and sigmoid",
    tol=1e-12,
    needs="torch",
    oracle_zh="同一三层网络（tanh 与 sigmoid）的 PyTorch 自动微分（float64）",
)
def _() -> float:
    import torch

    errs = []
    for seed, act in ((0, "tanh"), (1, "sigmoid")):
        ws, xv, yv = _random_net3(seed)
        tw = [torch.tensor(wm, dtype=torch.float64, requires_grad=True) for wm in ws]
        h = torch.tensor(xv, dtype=torch.float64)
        for wm in tw:
            h = torch.tanh(wm @ h) if act == "tanh" else torch.sigmoid(wm @ h)
        loss = 0.5 * torch.sum((h - torch.tensor(yv, dtype=torch.float64)) ** 2)
        loss.backward()
        errs.append(max_rel_err(_derived_grad_w1(ws, xv, yv, act), tw[0].grad.numpy(), floor=1e-3))
    return max(errs)


# --- 5. per-layer gradients of a deep MLP: sigmoid with N(0, 1) weights vs ReLU with He initialisation ------------
MLP_DEPTH, MLP_WIDTH, MLP_BATCH = 30, 64, 32


def _mlp_setup(depth: int, width: int, batch: int, seed: int) -> tuple[np.ndarray, np.ndarray, list, list]:
    """Seeded inputs x ~ N(0, I), targets y ~ U(0, 1), sigmoid weights N(0, 1), ReLU weights N(0, 2/width)."""
    rng = np.random.default_rng(seed)
    xb = rng.normal(size=(width, batch))
    yb = rng.uniform(size=(width, batch))
    sig_w = [rng.normal(size=(width, width)) for _ in range(depth)]
    relu_w = [rng.normal(scale=np.sqrt(2.0 / width), size=(width, width)) for _ in range(depth)]
    return xb, yb, sig_w, relu_w


def mlp_layer_grad_norms(
    weights: list[np.ndarray], xb: np.ndarray, yb: np.ndarray, act: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per-layer gradient norms of the bias-free MLP h_l = f(W_l h_{l-1}) (columns are samples) with loss
    ||h_L - y||_F^2 / (2 batch): (||dL/dW_l||_F, mean over the batch of ||dL/dh_l||_2), l = 1..L, computed by the
    matrix chain rule of ``matrix_chain_3layer`` (derivations.nets.mlp)."""
    _, d_w, d_h = mlp.mse_grads(weights, xb, yb, act)
    return (
        np.array([float(np.linalg.norm(g)) for g in d_w]),
        np.array([float(np.mean(np.linalg.norm(g, axis=0))) for g in d_h]),
    )


def figure_data_mlp_gradient_norms(
    depth: int = MLP_DEPTH, width: int = MLP_WIDTH, batch: int = MLP_BATCH, seed: int = 0
) -> dict:
    """Per-layer ||dL/dW_l||_F for a deep sigmoid MLP with N(0, 1) weights vs a ReLU MLP with He init N(0, 2/fan_in).

    Same seeded inputs x ~ N(0, I) and targets y ~ U(0, 1); no biases; loss = ||h_L - y||_F^2 / (2 batch).
    Layer 1 is next to the input. Returns arrays keyed "layer", "sigmoid", "relu_he" (Frobenius norms) and
    "sigmoid_h", "relu_he_h" (mean norm of dL/dh_l).
    """
    xb, yb, sig_w, relu_w = _mlp_setup(depth, width, batch, seed)
    s_w, s_h = mlp_layer_grad_norms(sig_w, xb, yb, "sigmoid")
    r_w, r_h = mlp_layer_grad_norms(relu_w, xb, yb, "relu")
    return {"layer": np.arange(1, depth + 1), "sigmoid": s_w, "relu_he": r_w, "sigmoid_h": s_h, "relu_he_h": r_h}


@derivation(
    "deepnet_mlp_gradient_spread",
    title="30-layer MLP, width 64 (seeded): last/first-layer ||dL/dW_l||_F for sigmoid with N(0,1) weights; "
    "max/min over layers for ReLU with He init",
    title_zh="30 层、宽 64 的 MLP（固定随机种子）：sigmoid（权重 N(0,1)）最后一层与第一层 ‖∂L/∂W_l‖_F 之比；"
    "ReLU（He 初始化）各层中的最大值与最小值之比",
)
def deepnet_mlp_gradient_spread() -> Result:
    d = figure_data_mlp_gradient_norms()
    s, r = d["sigmoid"], d["relu_he"]
    last_first = float(s[-1] / s[0])
    spread = float(r.max() / r.min())
    per_layer = last_first ** (1.0 / (MLP_DEPTH - 1))
    lf, sp_ = sp.Float(f"{last_first:.4g}"), sp.Float(f"{spread:.4g}")
    return Result(
        expr=sp.Tuple(lf, sp_),
        latex=(
            r"\sigma,\ N(0,1):\ "
            r"\frac{\lVert\partial L/\partial W_{30}\rVert_F}{\lVert\partial L/\partial W_{1}\rVert_F}"
            rf"\approx {last_first:.4g};\qquad \mathrm{{ReLU}},\ N(0,2/n):\ "
            r"\frac{\max_l\lVert\partial L/\partial W_l\rVert_F}{\min_l\lVert\partial L/\partial W_l\rVert_F}"
            rf"\approx {spread:.4g}"
        ),
        parts={
            "sigmoid_last_over_first": lf,
            "relu_max_over_min": sp_,
            "sigmoid_per_layer": sp.Float(f"{per_layer:.4g}"),
        },
        text={
            "sigmoid_last_over_first": f"{last_first:.0f}",
            "relu_max_over_min": f"{spread:.1f}",
            "sigmoid_per_layer": f"{per_layer:.2f}",
        },
        symbols={
            "W_l": f"layer l weights ({MLP_WIDTH}x{MLP_WIDTH}, no bias), l = 1 next to the input",
            "L": f"||h_L - y||_F^2 / (2 batch), batch {MLP_BATCH}, x ~ N(0, I), y ~ U(0, 1), seed 0",
        },
    )


@deepnet_mlp_gradient_spread.check(
    "PyTorch autograd (float64) of the same seeded 30-layer nets: per-layer ||dL/dW_l||_F, then the two ratios "
    "(relative error)",
    tol=1e-3,
    needs="torch",
    oracle_zh="对同一组固定随机种子的 30 层网络做 PyTorch 自动微分（float64）："
    "逐层 ‖∂L/∂W_l‖_F，再求两个比值（相对误差）",
)
def _() -> float:
    import torch

    xb, yb, sig_w, relu_w = _mlp_setup(MLP_DEPTH, MLP_WIDTH, MLP_BATCH, 0)
    norms = {}
    for name, ws, f in (("sigmoid", sig_w, torch.sigmoid), ("relu", relu_w, torch.relu)):
        tw = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in ws]
        h = torch.tensor(xb, dtype=torch.float64)
        for w in tw:
            h = f(w @ h)
        loss = torch.sum((h - torch.tensor(yb, dtype=torch.float64)) ** 2) / (2 * MLP_BATCH)
        loss.backward()
        norms[name] = np.array([float(torch.linalg.norm(w.grad)) for w in tw])
    p = deepnet_mlp_gradient_spread.result.parts
    got = (norms["sigmoid"][-1] / norms["sigmoid"][0], norms["relu"].max() / norms["relu"].min())
    want = (float(p["sigmoid_last_over_first"]), float(p["relu_max_over_min"]))
    return max(abs(g / w_ - 1.0) for g, w_ in zip(got, want, strict=True))


# --- exercises ------------------------------------------------------------------------------------------------
@derivation(
    "sigmoid_large_weight_factor",
    title="A large weight without a tuned bias: w = 100, b = 0, a = 1/2 gives w s'(w a) = 100 s'(50) ~ 1.9e-20, "
    "and float64 autograd returns exactly 0",
    title_zh="权重很大而偏置未经调节：w = 100、b = 0、a = 1/2 时 w·σ′(wa) = 100·σ′(50) ≈ 1.9e-20，"
    "float64 下自动微分恰好给出 0",
)
def sigmoid_large_weight_factor() -> Result:
    """The chain factor d a_j / d a_{j-1} = w sigma'(w a + b) of a logistic neuron at w = 100, b = 0, a = 1/2 is
    100 e^{-50} / (1 + e^{-50})^2; since e^{-50} < 2^{-54}, float64 rounds sigma(50) to 1 and s (1 - s) to 0."""
    wsym, a, bsym = sp.symbols("w a b", real=True)
    factor = sp.diff(SIGMA_X.subs(x, wsym * a + bsym), a)
    w0, a0, b0 = sp.Integer(100), sp.Rational(1, 2), sp.Integer(0)
    z0 = w0 * a0 + b0
    value_exp = factor.subs({wsym: w0, a: a0, bsym: b0})  # w e^{-z} / (1 + e^{-z})^2 at z = 50
    cosh_form = 1 / (4 * sp.cosh(x / 2) ** 2)  # sigma'(x) in hyperbolic form, proved next
    if sp.simplify((sp.diff(SIGMA_X, x) - cosh_form).rewrite(sp.exp)) != 0:
        raise ArithmeticError("sigma' is not 1 / (4 cosh^2(x/2))")
    value = w0 * cosh_form.subs(x, z0)
    if abs(sp.N(value - value_exp, 80)) > sp.Float(10) ** -90:
        raise ArithmeticError("the two forms of the factor differ")
    half_gap = sp.Rational(1, 2**54)  # half the gap between 1 and the next smaller double (2^-53)
    rounds_to_one = bool(sp.exp(-z0) < half_gap)  # so 1/(1 + e^-z) rounds to exactly 1 in float64
    if not rounds_to_one:
        raise ArithmeticError("sigma(z0) does not round to 1 in float64")
    tuned = factor.subs({wsym: w0, a: a0, bsym: -w0 * a0})
    return Result(
        expr=sp.Tuple(value, tuned),
        latex=(
            rf"w\,\sigma'(wa+b)\big|_{{w=100,\,b=0,\,a=1/2}}={sp.latex(value)}\approx{sci_latex(float(value), 4)},"
            rf"\qquad b=-wa:\ {sp.latex(tuned)}"
        ),
        parts={
            "w": w0,
            "a": a0,
            "b": b0,
            "z": z0,
            "factor": factor,
            "value": value,
            "value_exp": value_exp,
            "tuned_bias": -w0 * a0,
            "tuned_value": tuned,
            "float64_autograd": sp.Integer(0),
            "exp_minus_z": sp.exp(-z0),
            "half_gap": half_gap,
        },
        text={
            "value": sci_latex(float(value), 4),
            "exp_minus_z": sci_latex(float(sp.exp(-z0)), 4),
            "half_gap": rf"2^{{{int(sp.log(half_gap, 2))}}}",
        },
        symbols={"w": "weight", "a": "input a_{j-1}", "b": "bias"},
    )


@sigmoid_large_weight_factor.check(
    "mpmath.diff (50 digits) of a -> sigma(100 a) at a = 1/2 (relative); torch autograd in float64 returns 0",
    tol=1e-30,
    needs="torch",
    oracle_zh="mpmath.diff（50 位）对 a ↦ σ(100a) 在 a = 1/2 处数值求导（相对误差）；float64 下 PyTorch 自动微分返回 0",
)
def _() -> float:
    import torch

    p = sigmoid_large_weight_factor.result.parts
    with mpmath.workdps(50):
        d = mpmath.diff(lambda t: 1 / (1 + mpmath.exp(-100 * t)), mpmath.mpf(1) / 2)
        rel = abs(d / mpmath.mpf(str(sp.N(p["value"], 60))) - 1)
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(100 * t).backward()
    return float(rel) + abs(float(t.grad) - float(p["float64_autograd"]))


@derivation(
    "sigmoid_unstable_width_golden",
    title="At |w| = 5 the interval of inputs where |w s'(w a + b)| >= 1 has width (4/5) ln(golden ratio) ~ 0.385",
    title_zh="|w| = 5 时，使 |w·σ′(wa + b)| ≥ 1 的输入区间宽度为 (4/5)·ln φ ≈ 0.385，φ 为黄金比",
)
def sigmoid_unstable_width_golden() -> Result:
    """Solving 5 s (1 - s) = 1 gives s = (1 +- 1/sqrt 5)/2; the logits are +-ln(phi^2), so the a-interval has width
    2 ln(phi^2)/5 = (4/5) ln(phi), phi = (1 + sqrt 5)/2; same as sigmoid_unstable_width's closed form at |w| = 5."""
    w0 = sp.Integer(5)
    roots = sorted(sp.solve(sp.Eq(w0 * s_ * (1 - s_), 1), s_), key=float)
    u_hi = sp.log(roots[1] / roots[0])  # logit(s_hi) = ln(s_hi / s_lo) since s_lo = 1 - s_hi
    phi = sp.GoldenRatio
    ratio = sp.expand(sp.radsimp(roots[1] / roots[0]))
    if sp.simplify(ratio - phi**2) != 0 or sp.simplify(sp.expand(phi**2) - ratio) != 0:
        raise ArithmeticError("s_hi / s_lo is not phi^2")
    width = sp.Rational(4, 5) * sp.log(phi)  # 2 u_hi / |w| with u_hi = ln(phi^2) = 2 ln(phi)
    general = sigmoid_unstable_width.result.parts["width"].subs(W, w0)
    if abs(sp.N(general - width, 40)) > 1e-35 or abs(sp.N(2 * u_hi / w0 - width, 40)) > 1e-35:
        raise ArithmeticError("width at |w| = 5 is not (4/5) ln(phi)")
    return Result(
        expr=sp.Tuple(sp.Tuple(*roots), width),
        latex=(
            rf"5s(1-s)=1\Rightarrow s={sp.latex(roots[0])},\ {sp.latex(roots[1])};\quad "
            rf"\frac{{s_+}}{{s_-}}=\varphi^2;\quad |I|=\frac{{2\ln\varphi^2}}{{5}}=\frac45\ln\varphi"
            rf"\approx{float(width):.4f}"
        ),
        parts={
            "w": w0,
            "roots": sp.Tuple(*roots),
            "s_lo": roots[0],
            "s_hi": roots[1],
            "ratio": ratio,
            "u_hi": sp.simplify(u_hi),
            "width": width,
            "phi": phi,
        },
        symbols={
            "s": "sigma(u) at the edges of the interval",
            "|I|": "width of the interval of inputs a",
            "phi": "golden ratio (1 + sqrt 5)/2",
        },
    )


@sigmoid_unstable_width_golden.check(
    "mpmath (40 digits): findroot of 5 s'(u) = 1 on u > 0 (Illinois bracket), width 2u/5 against (4/5) ln(phi)",
    tol=1e-30,
    oracle_zh="mpmath（40 位）：在 u > 0 上用 findroot（Illinois 试位法）解 5σ′(u) = 1，宽度 2u/5 与 (4/5)·ln φ 比较",
)
def _() -> float:
    p = sigmoid_unstable_width_golden.result.parts
    with mpmath.workdps(40):
        u = mpmath.findroot(lambda t: 5 * _mp_sigmoid_prime(t) - 1, (mpmath.mpf(0), mpmath.mpf(5)), solver="illinois")
        return float(abs(2 * u / 5 - mpmath.mpf(str(sp.N(p["width"], 50)))))


@sigmoid_unstable_width_golden.check(
    "float64 grid: measure of {a : 5 s'(5 a) >= 1} with a-step 1e-6 (numpy sigmoid)",
    tol=3e-6,
    oracle_zh="float64 网格：{a : 5σ′(5a) ≥ 1} 的长度，a 的步长 1e-6（NumPy sigmoid）",
)
def _() -> float:
    p = sigmoid_unstable_width_golden.result.parts
    a = np.linspace(-0.25, 0.25, 500001)
    s = sigmoid(5.0 * a)
    measured = np.count_nonzero(5.0 * s * (1 - s) >= 1.0) * (a[1] - a[0])
    return abs(measured - float(p["width"]))


def sigmoid_layer_grad_norms(scale: float) -> np.ndarray:
    """||dL/dW_l||_F, l = 1 (next to the input) .. 30, for the sigmoid net of the per-layer figure (same seed, inputs,
    targets and loss) with every weight matrix multiplied by ``scale`` (1: N(0, 1) weights, 1/8: N(0, 1/64))."""
    xb, yb, sig_w, _ = _mlp_setup(MLP_DEPTH, MLP_WIDTH, MLP_BATCH, 0)
    return mlp_layer_grad_norms([w * scale for w in sig_w], xb, yb, "sigmoid")[0]


def sigmoid_slope_stats(scale: float) -> tuple[float, float]:
    """Mean and root mean square of sigma'(z) over every unit, layer and sample of the forward pass of that net
    (weights times ``scale``)."""
    xb, _, sig_w, _ = _mlp_setup(MLP_DEPTH, MLP_WIDTH, MLP_BATCH, 0)
    h, slopes = xb, []
    for w in sig_w:
        h = sigmoid((w * scale) @ h)
        slopes.append(h * (1 - h))
    s = np.stack(slopes)
    return float(np.mean(s)), float(np.sqrt(np.mean(s**2)))


def sigmoid_mean_slope(scale: float) -> float:
    """Mean of sigma'(z) over every unit, layer and sample of the forward pass of that net (weights times ``scale``)."""
    return sigmoid_slope_stats(scale)[0]


def sigmoid_per_layer_estimate(scale: float, rms_slope: float) -> float:
    """Heuristic per-layer factor of the spread: one layer back multiplies the gradient by diag(sigma'(z_l)), about
    the rms slope, and by W_l^T, which stretches a vector independent of W_l by about scale * sqrt(n) (entries
    N(0, scale^2)); so the gradient shrinks by about 1 / (scale * sqrt(n) * rms sigma') per layer."""
    return 1.0 / (scale * np.sqrt(MLP_WIDTH) * rms_slope)


@derivation(
    "deepnet_sigmoid_small_weight_spread",
    title="The 30-layer sigmoid MLP of the per-layer figure with weights N(0, 1/n) instead of N(0, 1): "
    "last/first-layer ||dL/dW_l||_F ~ 1.6e18, about 4.25 per layer; mean sigma' ~ 0.234",
    title_zh="把逐层梯度图中 30 层 sigmoid MLP 的权重从 N(0, 1) 换成 N(0, 1/n)："
    "最后一层与第一层 ‖∂L/∂W_l‖_F 之比约 1.6e18，平均每层约 4.25 倍；σ′ 的平均值约 0.234",
)
def deepnet_sigmoid_small_weight_spread() -> Result:
    """Same seeded net, inputs and loss as deepnet_mlp_gradient_spread (30 layers, width n = 64, no biases, batch 32),
    with every sigmoid weight matrix scaled by 1/sqrt(n), i.e. N(0, 1/n); Frobenius norms of dL/dW_l, l = 1 next to
    the input; the mean and the rms of sigma'(z) over all units, layers and samples, for both weight scales, and the
    heuristic per-layer factor 1 / (scale sqrt(n) rms sigma') of ``sigmoid_per_layer_estimate``."""
    scale = sp.Rational(1, round(np.sqrt(MLP_WIDTH)))
    s_w = sigmoid_layer_grad_norms(float(scale))
    last_first = float(s_w[-1] / s_w[0])
    per_layer = last_first ** (1.0 / (MLP_DEPTH - 1))
    big = deepnet_mlp_gradient_spread.result.parts
    (slope_small, rms_small), (slope_big, rms_big) = sigmoid_slope_stats(float(scale)), sigmoid_slope_stats(1.0)
    est_small, est_big = sigmoid_per_layer_estimate(float(scale), rms_small), sigmoid_per_layer_estimate(1.0, rms_big)
    return Result(
        expr=sp.Tuple(sp.Float(f"{last_first:.4g}"), sp.Float(f"{per_layer:.4g}")),
        latex=(
            r"\sigma,\ N(0,1/n):\ "
            r"\frac{\lVert\partial L/\partial W_{30}\rVert_F}{\lVert\partial L/\partial W_{1}\rVert_F}"
            rf"\approx {sci_latex(last_first, 4)}"
        ),
        parts={
            "last_over_first": sp.Float(f"{last_first:.4g}"),
            "per_layer": sp.Float(f"{per_layer:.4g}"),
            "scale": scale,
            "width": sp.Integer(MLP_WIDTH),
            "depth": sp.Integer(MLP_DEPTH),
            "mean_slope_small": sp.Float(f"{slope_small:.3g}"),
            "mean_slope_big": sp.Float(f"{slope_big:.3g}"),
            "rms_slope_small": sp.Float(f"{rms_small:.3g}"),
            "rms_slope_big": sp.Float(f"{rms_big:.3g}"),
            "estimate_small": sp.Float(f"{est_small:.3g}"),
            "estimate_big": sp.Float(f"{est_big:.3g}"),
            "mean_estimate_big": sp.Float(f"{sigmoid_per_layer_estimate(1.0, slope_big):.3g}"),
            "max_slope": sigmoid_derivative_max.result.parts["max"],
            "big_last_over_first": big["sigmoid_last_over_first"],
            "big_per_layer": big["sigmoid_per_layer"],
        },
        text={
            "last_over_first": sci_latex(last_first, 4),
            "per_layer": f"{per_layer:.2f}",
            "mean_slope_small": f"{slope_small:.3f}",
            "mean_slope_big": f"{slope_big:.3f}",
            "rms_slope_small": f"{rms_small:.3f}",
            "rms_slope_big": f"{rms_big:.3f}",
            "estimate_small": f"{est_small:.2f}",
            "estimate_big": f"{est_big:.2f}",
            "mean_estimate_big": f"{sigmoid_per_layer_estimate(1.0, slope_big):.1f}",
        },
        symbols={"W_l": "layer l weights, N(0, 1/64)", "L": "same loss as deepnet_mlp_gradient_spread"},
    )


@deepnet_sigmoid_small_weight_spread.check(
    "PyTorch autograd (float64) of the same seeded 30-layer sigmoid net with weights scaled by 1/8: "
    "last/first-layer ||dL/dW_l||_F (relative error); mean sigma'(z) by autograd of torch.sigmoid, both scales",
    tol=1e-3,
    needs="torch",
    oracle_zh="对同一个固定随机种子、权重乘以 1/8 的 30 层 sigmoid 网络做 PyTorch 自动微分（float64）："
    "最后一层与第一层 ‖∂L/∂W_l‖_F 之比（相对误差）；对 torch.sigmoid 自动微分求 σ′(z) 的平均值，两种权重尺度",
)
def _() -> float:
    import torch

    xb, yb, sig_w, _ = _mlp_setup(MLP_DEPTH, MLP_WIDTH, MLP_BATCH, 0)
    tw = [
        torch.tensor(
            w * float(deepnet_sigmoid_small_weight_spread.result.parts["scale"]),
            dtype=torch.float64,
            requires_grad=True,
        )
        for w in sig_w
    ]
    h = torch.tensor(xb, dtype=torch.float64)
    for w in tw:
        h = torch.sigmoid(w @ h)
    loss = torch.sum((h - torch.tensor(yb, dtype=torch.float64)) ** 2) / (2 * MLP_BATCH)
    loss.backward()
    norms = [float(torch.linalg.norm(w.grad)) for w in tw]
    p = deepnet_sigmoid_small_weight_spread.result.parts
    got = norms[-1] / norms[0]
    slopes = {}
    for key, sc in (("mean_slope_small", float(p["scale"])), ("mean_slope_big", 1.0)):
        # mean sigma'(z) from torch.sigmoid's own derivative: one autograd call over every layer's pre-activation
        with torch.no_grad():
            h, zs = torch.tensor(xb, dtype=torch.float64), []
            for w in sig_w:
                zs.append(torch.tensor(w * sc) @ h)
                h = torch.sigmoid(zs[-1])
        zs = [z.requires_grad_(True) for z in zs]
        grads = torch.autograd.grad(sum(torch.sigmoid(z).sum() for z in zs), zs)
        slopes[key] = float(np.mean([float(g.mean()) for g in grads]))
    slope_err = max(abs(slopes[k] / float(p[k]) - 1) for k in slopes)  # parts have 3 significant digits
    return max(
        abs(got / float(p["last_over_first"]) - 1),
        abs(got ** (1 / (MLP_DEPTH - 1)) / float(p["per_layer"]) - 1),
        max(slope_err - 2.5e-3, 0.0),
    )


def _torch_spread_and_rms(scale: float) -> tuple[float, float, float]:
    """Per-layer factor (||dL/dW_30||_F / ||dL/dW_1||_F)^(1/29) by PyTorch autograd, and the rms and the mean of
    sigma'(z) from autograd of torch.sigmoid, for the seeded sigmoid net with weights times ``scale``."""
    import torch

    xb, yb, sig_w, _ = _mlp_setup(MLP_DEPTH, MLP_WIDTH, MLP_BATCH, 0)
    tw = [torch.tensor(w * scale, dtype=torch.float64, requires_grad=True) for w in sig_w]
    h, zs = torch.tensor(xb, dtype=torch.float64), []
    for w in tw:
        zs.append(w @ h)
        h = torch.sigmoid(zs[-1])
    loss = torch.sum((h - torch.tensor(yb, dtype=torch.float64)) ** 2) / (2 * MLP_BATCH)
    loss.backward()
    norms = [float(torch.linalg.norm(w.grad)) for w in tw]
    zd = [z.detach().requires_grad_(True) for z in zs]
    slopes = torch.autograd.grad(sum(torch.sigmoid(z).sum() for z in zd), zd)
    rms = float(torch.sqrt(torch.mean(torch.stack(slopes) ** 2)))
    return (norms[-1] / norms[0]) ** (1 / (MLP_DEPTH - 1)), rms, float(torch.mean(torch.stack(slopes)))


@deepnet_sigmoid_small_weight_spread.check(
    "PyTorch autograd (float64), both weight scales: rms of sigma'(z) from autograd of torch.sigmoid, and the "
    "estimate 1/(scale sqrt(n) rms sigma') recomputed from it; the same with the mean slope at scale 1 "
    "(relative error, 3 significant digits)",
    tol=1e-3,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64），两种权重尺度：对 torch.sigmoid 自动微分求 σ′(z) 的均方根，"
    "再由它重新计算估计值 1/(尺度·√n·σ′ 的均方根)；尺度为 1 时改用平均斜率的同一估计（相对误差，3 位有效数字）",
)
def _() -> float:
    p = deepnet_sigmoid_small_weight_spread.result.parts
    errs = []
    for suffix, sc in (("small", float(p["scale"])), ("big", 1.0)):
        _, rms, mean = _torch_spread_and_rms(sc)
        est = 1.0 / (sc * np.sqrt(MLP_WIDTH) * rms)
        errs += [abs(rms / float(p[f"rms_slope_{suffix}"]) - 1), abs(est / float(p[f"estimate_{suffix}"]) - 1)]
    errs.append(abs(1.0 / (np.sqrt(MLP_WIDTH) * mean) / float(p["mean_estimate_big"]) - 1))  # mean slope, s = 1
    return max(max(errs) - 5e-3, 0.0)  # parts have 3 significant digits: half a unit of the last one


@deepnet_sigmoid_small_weight_spread.check(
    "the heuristic is close for this seeded net: the estimate 1/(scale sqrt(n) rms sigma') against the per-layer "
    "factor measured by PyTorch autograd, both weight scales (largest relative difference, at most 5%)",
    tol=0.05,
    needs="torch",
    oracle_zh="这个固定随机种子的网络上启发式估计是否接近：估计值 1/(尺度·√n·σ′ 的均方根) 与 PyTorch 自动微分实测的"
    "每层倍数比较，两种权重尺度（最大相对差，不超过 5%）",
)
def _() -> float:
    p = deepnet_sigmoid_small_weight_spread.result.parts
    errs = []
    for suffix, sc in (("small", float(p["scale"])), ("big", 1.0)):
        measured, _, _ = _torch_spread_and_rms(sc)
        errs.append(abs(float(p[f"estimate_{suffix}"]) / measured - 1))
    return max(errs)
