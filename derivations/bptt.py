"""Backpropagation through time: the total derivative as a sum over paths, its O(T) adjoint recursion, truncation.

Conventions: h_t = f(W_hh h_{t-1} + W_hx x_t + b), y_t = W_oh h_t, L = sum_t L_t (t = 1..T, h_0 given); column
vectors and numerator (Jacobian) layout, so dL_t/dh_t is a row vector and dh_t/dh_{t-1} = diag(f'(a_t)) W_hh.
d+h_k/dW (the *immediate* partial) differentiates h_k = f(W h_{k-1} + ...) with h_{k-1} held fixed.
The blog notation C_t = tanh(W_c C_{t-1} + W_x X_t), H_t = W_h C_t, E_k = (H_k - Y_k)^2/2 is the same recurrence.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets import rnn
from derivations.oracles.finite import central_diff, max_rel_err
from derivations.sym import replace_fprime

# scalar recurrence symbols (shared by both notations)
w, u, b, v = sp.symbols("w u b v", real=True)
f = sp.Function("f")
f_prime = sp.Function("f_prime")
T_SMALL = 4


def _nc(prefix: str, n: int) -> list[sp.Symbol]:
    """Noncommutative symbols prefix1..prefixn (Jacobians are matrices: the order of factors matters)."""
    return [sp.Symbol(f"{prefix}{i}", commutative=False) for i in range(1, n + 1)]


def _nc_latex_names(n: int, param: str = "W") -> dict[sp.Symbol, str]:
    names: dict[sp.Symbol, str] = {}
    for i in range(1, n + 1):
        names[sp.Symbol(f"g{i}", commutative=False)] = rf"\frac{{\partial L_{i}}}{{\partial h_{i}}}"
        names[sp.Symbol(f"J{i}", commutative=False)] = rf"\frac{{\partial h_{i}}}{{\partial h_{{{i - 1}}}}}"
        names[sp.Symbol(f"p{i}", commutative=False)] = rf"\frac{{\partial^{{+}} h_{i}}}{{\partial {param}}}"
    return names


def path_sum(g: list[sp.Expr], jac: list[sp.Expr], p: list[sp.Expr], t_max: int | None = None) -> sp.Expr:
    """sum_{t} sum_{k<=t} g_t (J_t J_{t-1} ... J_{k+1}) p_k with 1-based t, k; ``jac[j-1]`` is J_j = dh_j/dh_{j-1}.

    Numerator layout: g_t = dL_t/dh_t (row), J_j = dh_j/dh_{j-1}, p_k = d+h_k/dW. Factor order is kept, so the
    same function serves noncommutative (matrix) symbols and plain numbers.
    """
    n = len(p) if t_max is None else t_max
    total = sp.Integer(0)
    for t in range(1, n + 1):
        for k in range(1, t + 1):
            chain = sp.Integer(1)
            for j in range(t, k, -1):
                chain = chain * jac[j - 1]
            total += g[t - 1] * chain * p[k - 1]
    return total


# --- the popular single-chain formula is only the longest path ----------------------------------------------------
Wc, Wx, Wh = sp.symbols("W_c W_x W_h", real=True)
C0 = sp.Symbol("C_0", real=True)
BLOG_CASE = {"W_c": 0.8, "W_x": 0.9, "W_h": 1.1, "X": (0.5, -0.3, 0.8, 0.2), "Y": 0.1}
"""The tutorial-notation example of ``bptt_single_chain_is_one_path`` (k = 4 steps, no bias), evaluated at C_0 = 0.5
and C_0 = 0."""
BLOG_C0 = (0.5, 0.0)


def _blog_states(c0: float, wc: float = BLOG_CASE["W_c"]) -> list[float]:
    """[C_0, C_1, ..., C_4] of C_t = tanh(W_c C_{t-1} + W_x X_t) for :data:`BLOG_CASE`."""
    return rnn.scalar_states(wc, BLOG_CASE["W_x"], 0.0, BLOG_CASE["X"], c0)


def _blog_values(exprs: dict[str, sp.Expr], c0: float) -> dict[str, float]:
    """The expressions in ``exprs`` (in W_c, W_h, C_0..C_4, Y_4) evaluated on :data:`BLOG_CASE` at C_0 = ``c0``."""
    k = T_SMALL
    states = _blog_states(c0)
    subs = {Wc: BLOG_CASE["W_c"], Wh: BLOG_CASE["W_h"], C0: c0, sp.Symbol(f"Y_{k}", real=True): BLOG_CASE["Y"]}
    subs |= {sp.Symbol(f"C_{t}", real=True): states[t] for t in range(1, k + 1)}
    return {key: float(e.subs(subs)) for key, e in exprs.items()}


@derivation(
    "bptt_single_chain_is_one_path",
    title="dE_k/dW = dE_k/dH_k dH_k/dC_k (prod dC_t/dC_{t-1}) dC_1/dW is only the longest of k paths; truth sums all",
    title_zh=(
        "流行公式 dE_k/dW = ∂E_k/∂H_k ∂H_k/∂C_k (∏ ∂C_t/∂C_{t−1}) ∂C_1/∂W 只是 k 条路径中最长的一条；"
        "真正的导数是所有路径之和"
    ),
)
def bptt_single_chain_is_one_path() -> Result:
    k = T_SMALL
    xs = sp.symbols(f"X_1:{k + 1}", real=True)
    cs = sp.symbols(f"C_1:{k + 1}", real=True)
    yk = sp.Symbol(f"Y_{k}", real=True)
    c = C0
    for t in range(k):
        c = sp.tanh(Wc * c + Wx * xs[t])
    e_k = (Wh * c - yk) ** 2 / 2
    d = sp.diff(e_k, Wc)
    prev = C0
    for t in range(k):  # name the states from the inside out
        d = d.subs(sp.tanh(Wc * prev + Wx * xs[t]), cs[t])
        prev = cs[t]
    # local derivatives (derived): dC_t/dC_{t-1}, immediate d+C_t/dW_c, dE_k/dH_k, dH_k/dC_k
    a_t = sp.Symbol("a")
    tanh_p = sp.diff(sp.tanh(a_t), a_t).subs(sp.tanh(a_t), sp.Symbol("C"))
    jac = [Wc * tanh_p.subs(sp.Symbol("C"), cs[t]) for t in range(k)]
    imm = [(C0 if t == 0 else cs[t - 1]) * tanh_p.subs(sp.Symbol("C"), cs[t]) for t in range(k)]
    head = (Wh * cs[-1] - yk) * Wh
    terms = []
    for i in range(1, k + 1):
        chain = sp.Mul(*[jac[j - 1] for j in range(i + 1, k + 1)])
        terms.append(head * chain * imm[i - 1])
    if sp.expand(d - sum(terms)) != 0:
        raise ArithmeticError("the sum over paths is not the total derivative")
    single = terms[0]  # dE_k/dH_k dH_k/dC_k prod_{t=2}^{k} dC_t/dC_{t-1} dC_1/dW
    if sp.expand(d - single) == 0:
        raise ArithmeticError("single chain unexpectedly complete")
    missing = sum(terms[1:])
    g_, jj, pp = [sp.Symbol("g", commutative=False)], _nc("J", k), _nc("p", k)
    shown = sum((g_[0] * sp.Mul(*reversed(jj[i:])) * pp[i - 1] for i in range(1, k + 1)), sp.Integer(0))
    names = {
        g_[0]: rf"\frac{{\partial E_{k}}}{{\partial H_{k}}}\frac{{\partial H_{k}}}{{\partial C_{k}}}",
        **{jj[i]: rf"\frac{{\partial C_{i + 1}}}{{\partial C_{{{i}}}}}" for i in range(k)},
        **{pp[i]: rf"\frac{{\partial^{{+}} C_{i + 1}}}{{\partial W_c}}" for i in range(k)},
    }
    return Result(
        expr=sp.Tuple(sp.Eq(sp.Symbol(f"dE_{k}/dW_c"), d), single),
        latex=rf"\frac{{d E_{k}}}{{d W_c}} = " + sp.latex(shown, symbol_names=names),
        parts={
            "total": d,
            "single_chain": single,
            "terms": sp.Tuple(*terms),
            "paths_latex_expr": shown,
            "missing": sp.Add(*terms[1:]),
        },
        symbols={
            "C_0..C_4": "cell states C_t = tanh(W_c C_{t-1} + W_x X_t), C_0 given",
            "W_c, W_x, W_h": "recurrent, input and output weights (scalars here)",
            "E_4": "loss at step k = 4: (W_h C_4 - Y_4)^2 / 2, H_4 = W_h C_4",
        },
        text={
            "popular": r"\frac{\partial E_k}{\partial W}=\frac{\partial E_k}{\partial H_k}"
            r"\frac{\partial H_k}{\partial C_k}"
            r"\Bigl(\prod_{t=2}^{k}\frac{\partial C_t}{\partial C_{t-1}}\Bigr)\frac{\partial C_1}{\partial W}",
            "example": (
                rf"W_c = {BLOG_CASE['W_c']},\ W_x = {BLOG_CASE['W_x']},\ W_h = {BLOG_CASE['W_h']},\ "
                rf"X = ({', '.join(str(x) for x in BLOG_CASE['X'])}),\ Y_{k} = {BLOG_CASE['Y']}"
            ),
            **{
                f"{key}_C0_{c0}": f"{val:.6g}"
                for c0 in BLOG_C0
                for key, val in _blog_values({"total": d, "single_chain": single, "missing": missing}, c0).items()
            },
        },
    )


def blog_example(c0: float) -> dict[str, float]:
    """The k = 4 example at C_0 = ``c0``: the true dE_4/dW_c (sum of 4 paths), the single chain, the other 3 paths."""
    r = bptt_single_chain_is_one_path.result.parts
    return _blog_values({key: r[key] for key in ("total", "single_chain", "missing")}, c0)


def _blog_loss(wc: float, c0: float) -> float:
    """E_4 = (W_h C_4 - Y_4)^2 / 2 of :data:`BLOG_CASE` as a function of W_c."""
    return 0.5 * (BLOG_CASE["W_h"] * _blog_states(c0, wc)[-1] - BLOG_CASE["Y"]) ** 2


@bptt_single_chain_is_one_path.check(
    "central finite difference in W_c (float64), C_0 = 0.5 and C_0 = 0",
    tol=1e-9,
    oracle_zh="对 W_c 的中心有限差分（float64），C_0 = 0.5 与 C_0 = 0",
)
def _() -> float:
    errs = []
    for c0 in BLOG_C0:
        ex = blog_example(c0)
        fd = float(central_diff(lambda t, c0=c0: np.array(_blog_loss(float(t), c0)), np.array(BLOG_CASE["W_c"]), 1e-6))
        errs.append(abs(ex["total"] - fd))
        errs.append(abs((fd - ex["single_chain"]) - ex["missing"]))  # what the popular formula misses
    return max(errs)


# --- the full total derivative and its T = 4 expansion ---------------------------------------------------------
def _unrolled_scalar(n: int) -> tuple[sp.Expr, list[sp.Symbol], list[sp.Symbol], list[sp.Symbol], list[sp.Symbol]]:
    xs = list(sp.symbols(f"x_1:{n + 1}", real=True))
    ys = list(sp.symbols(f"y_1:{n + 1}", real=True))
    hs = list(sp.symbols(f"h_0:{n + 1}", real=True))
    a_s = list(sp.symbols(f"a_1:{n + 1}", real=True))
    h, loss = hs[0], sp.Integer(0)
    for t in range(n):
        h = f(w * h + u * xs[t] + b)
        loss += (v * h - ys[t]) ** 2 / 2
    return loss, xs, ys, hs, a_s


def _name_states(expr: sp.Expr, n: int, xs: list[sp.Symbol], hs: list[sp.Symbol], a_s: list[sp.Symbol]) -> sp.Expr:
    for t in range(n):
        expr = expr.subs(w * hs[t] + u * xs[t] + b, a_s[t]).subs(f(a_s[t]), hs[t + 1])
    return expr


@derivation(
    "bptt_total_derivative",
    title="dL/dW = sum_t sum_{k<=t} dL_t/dh_t (prod_{j=k+1}^t dh_j/dh_{j-1}) d+h_k/dW (sum over all paths)",
    title_zh="dL/dW = Σ_t Σ_{k≤t} ∂L_t/∂h_t (∏_{j=k+1}^t ∂h_j/∂h_{j−1}) ∂⁺h_k/∂W（对所有路径求和）",
)
def bptt_total_derivative() -> Result:
    n = T_SMALL
    loss, xs, ys, hs, a_s = _unrolled_scalar(n)
    d = _name_states(replace_fprime(sp.diff(loss, w), f, f_prime), n, xs, hs, a_s)
    g = [sp.diff((v * hs[t] - ys[t - 1]) ** 2 / 2, hs[t]) for t in range(1, n + 1)]
    a_sym = sp.Symbol("a")
    step = f(w * sp.Symbol("h_prev") + u * sp.Symbol("x") + b)
    jac_local = replace_fprime(sp.diff(step, sp.Symbol("h_prev")), f, f_prime)
    imm_local = replace_fprime(sp.diff(step, w), f, f_prime)
    arg = w * sp.Symbol("h_prev") + u * sp.Symbol("x") + b
    jac_local, imm_local = jac_local.subs(arg, a_sym), imm_local.subs(arg, a_sym)
    jac = [jac_local.subs(a_sym, a_s[t]) for t in range(n)]
    imm = [imm_local.subs({a_sym: a_s[t], sp.Symbol("h_prev"): hs[t]}) for t in range(n)]
    formula = path_sum(g, jac, imm)
    if sp.expand(d - formula) != 0:
        raise ArithmeticError("the double sum is not the derivative of the unrolled loss")
    gg, jj, pp = _nc("g", n), _nc("J", n), _nc("p", n)
    expansion = path_sum(gg, jj, pp)
    names = _nc_latex_names(n)
    h3 = [sp.Symbol("q3", commutative=False)]
    three = path_sum([sp.Integer(0), sp.Integer(0), h3[0]], jj, pp, t_max=3).subs(h3[0], 1)  # the t = 3 row only
    general = (
        r"\frac{dL}{dW}=\sum_{t=1}^{T}\sum_{k=1}^{t}\frac{\partial L_t}{\partial h_t}"
        r"\Bigl(\prod_{j=k+1}^{t}\frac{\partial h_j}{\partial h_{j-1}}\Bigr)\frac{\partial^{+} h_k}{\partial W}"
    )
    return Result(
        expr=sp.Tuple(sp.Eq(sp.Symbol("dL/dw"), d), expansion, three),
        latex=general,
        parts={
            "derivative": d,
            "formula": formula,
            "expansion_T4": expansion,
            "dh3_dW": three,
            "local_jacobian": jac_local,
            "local_immediate": imm_local,
        },
        symbols={
            "h_0..h_4, a_1..a_4": "states and pre-activations a_t = w h_{t-1} + u x_t + b, h_t = f(a_t)",
            "w, u, b, v": "W_hh, W_hx, bias, W_oh (scalars in the SymPy proof)",
            "g_t": "dL_t/dh_t (row vector)",
            "J_j": "dh_j/dh_{j-1} = diag(f'(a_j)) W_hh",
            "p_k": "d+h_k/dW: immediate partial, h_{k-1} held fixed",
        },
        text={
            "expansion_T4_latex": r"\frac{dL}{dW}=" + sp.latex(expansion, symbol_names=names),
            "dh3_dW_latex": r"\frac{d h_3}{d W}=" + sp.latex(three, symbol_names=names),
            "n_terms_T4": str(len(expansion.args)),
        },
    )


@bptt_total_derivative.check(
    "central finite difference (float64) of a tanh RNN with T = 4, 10 random draws",
    tol=1e-8,
    oracle_zh="T = 4 的 tanh RNN 的中心有限差分（float64），随机抽取 10 组参数",
)
def _() -> float:
    r = bptt_total_derivative.result.parts["derivative"]
    n = T_SMALL
    tanh_p = sp.Lambda(sp.Symbol("z"), 1 - sp.tanh(sp.Symbol("z")) ** 2)
    _, xs_s, ys_s, hs_s, a_s = _unrolled_scalar(n)
    fn = sp.lambdify([w, u, b, v, *xs_s, *ys_s, *hs_s, *a_s], r.replace(f_prime, tanh_p), "math")
    rng = np.random.default_rng(3)
    errs = []
    for _ in range(10):
        prm = dict(zip("wubv", rng.normal(size=4), strict=True))
        xs, ys, h0 = rng.normal(size=n), rng.normal(size=n), float(rng.normal())
        hs = rnn.scalar_states(prm["w"], prm["u"], prm["b"], xs, h0)
        a_vals = [prm["w"] * hs[t] + prm["u"] * xs[t] + prm["b"] for t in range(n)]
        derived = fn(*prm.values(), *xs, *ys, *hs, *a_vals)
        fd = float(
            central_diff(
                lambda t, prm=prm, xs=xs, ys=ys, h0=h0: np.array(
                    rnn.scalar_loss(float(t), prm["u"], prm["b"], prm["v"], xs, ys, h0)
                ),
                np.array(prm["w"]),
            )
        )
        errs.append(abs(derived - fd) / max(1.0, abs(fd)))
    return max(errs)


# --- the recursion a_t = b_t + c_t a_{t-1} and its closed form ---------------------------------------------------
def _closed_form(t: int, bb: sp.IndexedBase, cc: sp.IndexedBase) -> sp.Expr:
    i, j = sp.symbols("i j", integer=True, positive=True)
    return (bb[t] + sp.Sum(sp.Product(cc[j], (j, i + 1, t)) * bb[i], (i, 1, t - 1))).doit()


@derivation(
    "bptt_recursion_closed_form",
    title="a_t = b_t + c_t a_{t-1} (a_1 = b_1) unrolls to a_t = b_t + sum_{i<t} (prod_{j=i+1}^t c_j) b_i",
    title_zh="递推 a_t = b_t + c_t a_{t−1}（a_1 = b_1）展开为 a_t = b_t + Σ_{i<t} (∏_{j=i+1}^t c_j) b_i",
)
def bptt_recursion_closed_form() -> Result:
    bb, cc = sp.IndexedBase("b"), sp.IndexedBase("c")
    t_max = 8
    a = bb[1]
    for t in range(2, t_max + 1):
        a = bb[t] + cc[t] * a
        if sp.expand(a - _closed_form(t, bb, cc)) != 0:
            raise ArithmeticError(f"closed form fails at t = {t}")
    ts, i, j = sp.symbols("t i j", integer=True, positive=True)
    closed = bb[ts] + sp.Sum(sp.Product(cc[j], (j, i + 1, ts)) * bb[i], (i, 1, ts - 1))
    return Result(
        expr=sp.Lambda(ts, closed),
        latex=(
            r"a_t = b_t + c_t\,a_{t-1},\ a_1=b_1 \;\Longrightarrow\; a_t = "
            + sp.latex(closed)
            + r",\qquad a_t=\frac{dh_t}{dW},\ b_t=\frac{\partial^{+}h_t}{\partial W},\ "
            + r"c_t=\frac{\partial h_t}{\partial h_{t-1}}"
        ),
        parts={"closed_form": closed, "unrolled_t8": sp.expand(a)},
        symbols={
            "a_t": "total derivative dh_t/dW",
            "b_t": "immediate partial d+h_t/dW",
            "c_t": "dh_t/dh_{t-1}",
            "t": "time step (closed form verified symbolically for t = 2..8)",
        },
    )


CASE = {"w": 0.9, "u": 0.7, "b": 0.1, "h0": 0.4, "x": (0.5, -1.0, 0.3, 0.8, -0.2, 0.6)}
"""The scalar tanh RNN h_t = tanh(w h_{t-1} + u x_t + b) of the recursion examples: the '+'/'=' counter-example uses
the first four inputs (T = 4), the check of the '+' recursion all six."""
CASE_T = 4


def _case_states(n: int, w_: float = CASE["w"]) -> list[float]:
    """[h_0, ..., h_n] of :data:`CASE` (first ``n`` inputs), with the recurrent weight set to ``w_``."""
    return rnn.scalar_states(w_, CASE["u"], CASE["b"], CASE["x"][:n], CASE["h0"])


def _recursions(n: int) -> tuple[list[float], list[float], list[float], list[float]]:
    """For :data:`CASE` over ``n`` steps: the '+' recursion a_t = b_t + c_t a_{t-1}, the '=' version a_t = c_t a_{t-1},
    b_t = d+h_t/dw and c_t = dh_t/dh_{t-1} (t = 1..n)."""
    hs = _case_states(n)
    plus, eq, bs, cs = [], [], [], []
    for t in range(1, len(hs)):
        dt = 1 - hs[t] ** 2
        b_t, c_t = dt * hs[t - 1], dt * CASE["w"]
        plus.append(b_t + (c_t * plus[-1] if plus else 0.0))
        eq.append(c_t * eq[-1] if eq else b_t)
        bs.append(b_t)
        cs.append(c_t)
    return plus, eq, bs, cs


@bptt_recursion_closed_form.check(
    "closed form (evaluated) vs the recursion run in plain Python, random b, c",
    tol=1e-12,
    oracle_zh="闭式解（代入数值）与用纯 Python 运行的递推比较，b、c 随机",
)
def _() -> float:
    bb, cc = sp.IndexedBase("b"), sp.IndexedBase("c")
    rng = np.random.default_rng(4)
    bv, cv = rng.normal(size=9), rng.normal(size=9)
    a, errs = 0.0, []
    for t in range(1, 9):
        a = bv[t] + cv[t] * a if t > 1 else bv[1]
        e = _closed_form(t, bb, cc)
        val = float(e.subs({bb[k]: bv[k] for k in range(1, 9)} | {cc[k]: cv[k] for k in range(1, 9)}))
        errs.append(abs(val - a))
    return max(errs)


@bptt_recursion_closed_form.check(
    "the closed form shown (the part, summed by SymPy at t = 1..8) vs the recursion run in plain Python, random b, c",
    tol=1e-12,
    oracle_zh="页面所示的闭式解（由 SymPy 在 t = 1, …, 8 时求和）与用纯 Python 运行的递推比较，b、c 随机",
)
def _() -> float:
    bb, cc = sp.IndexedBase("b"), sp.IndexedBase("c")
    ts = sp.Symbol("t", integer=True, positive=True)
    shown = bptt_recursion_closed_form.result.parts["closed_form"]
    rng = np.random.default_rng(5)
    bv, cv = rng.normal(size=9), rng.normal(size=9)
    values = {bb[k]: bv[k] for k in range(1, 9)} | {cc[k]: cv[k] for k in range(1, 9)}
    a, errs = 0.0, []
    for t in range(1, 9):
        a = bv[t] + cv[t] * a if t > 1 else bv[1]
        errs.append(abs(float(shown.subs(ts, t).doit().subs(values)) - a))
    return max(errs)


@bptt_recursion_closed_form.check(
    "'+' recursion vs central finite differences of dh_t/dw, tanh RNN, t = 1..6",
    tol=1e-9,
    oracle_zh="“+”递推与 dh_t/dw 的中心有限差分比较，tanh RNN，t = 1, …, 6",
)
def _() -> float:
    n = len(CASE["x"])
    plus, _, _, _ = _recursions(n)
    fd = [
        float(central_diff(lambda s, t=t: np.array(_case_states(n, float(s))[t]), np.array(CASE["w"])))
        for t in range(1, n + 1)
    ]
    return max(abs(p_ - q_) for p_, q_ in zip(plus, fd, strict=True))


@derivation(
    "bptt_equals_instead_of_plus",
    title="Counter-example: writing dh_t/dW = dh_t/dh_{t-1} dh_{t-1}/dW ('=' instead of '+') gives a wrong number",
    title_zh="反例：把 dh_t/dW 写成 ∂h_t/∂h_{t−1} · dh_{t−1}/dW（用“=”代替“+”）会得到错误的数值",
)
def bptt_equals_instead_of_plus() -> Result:
    closed = bptt_recursion_closed_form.result.parts["closed_form"]
    ts = sp.Symbol("t", integer=True, positive=True)
    bb, cc = sp.IndexedBase("b"), sp.IndexedBase("c")
    wrong = (
        sp.Product(
            cc[sp.Symbol("j", integer=True, positive=True)], (sp.Symbol("j", integer=True, positive=True), 2, ts)
        )
        * bb[1]
    )
    missing = closed - wrong  # b_t + sum_{i=2}^{t-1} (prod c) b_i : every path except the longest
    plus, eq, _, _ = _recursions(CASE_T)
    xs = CASE["x"][:CASE_T]
    return Result(
        expr=sp.Tuple(sp.Lambda(ts, wrong), sp.Float(plus[-1], 17), sp.Float(eq[-1], 17)),
        latex=(
            r"a_t = c_t\,a_{t-1}\ \Rightarrow\ a_t = "
            + sp.latex(wrong)
            + r"\ \ne\ a_t = b_t + c_t\,a_{t-1};\quad T=4:\ "
            + rf"a_4^{{(+)}} = {plus[-1]:.6f}\ \ne\ a_4^{{(=)}} = {eq[-1]:.6f}"
        ),
        parts={
            "wrong": wrong,
            "missing": missing,
            "correct_T4": sp.Float(plus[-1], 17),
            "wrong_T4": sp.Float(eq[-1], 17),
        },
        symbols={
            "b_t, c_t": "as in bptt_recursion_closed_form",
            "example": f"tanh RNN w={CASE['w']}, u={CASE['u']}, b={CASE['b']}, h_0={CASE['h0']}, x={xs}",
        },
        text={
            "case": rf"w = {CASE['w']},\ u = {CASE['u']},\ b = {CASE['b']},\ h_0 = {CASE['h0']}",
            "example_x": rf"(x_1, \dots, x_{CASE_T}) = ({', '.join(str(x) for x in xs)})",
            "correct_T4": f"{plus[-1]:.12g}",
            "wrong_T4": f"{eq[-1]:.12g}",
        },
    )


@bptt_equals_instead_of_plus.check(
    "finite differences agree with '+' and miss '=' by the dropped paths (T = 4)",
    tol=1e-9,
    oracle_zh="中心有限差分与“+”递推一致，与“=”写法之差恰为被丢掉的路径之和（T = 4）",
)
def _() -> float:
    r = bptt_equals_instead_of_plus.result.parts
    n = CASE_T
    fd = float(central_diff(lambda s: np.array(_case_states(n, float(s))[n]), np.array(CASE["w"])))
    _, _, bs, cs = _recursions(n)
    dropped = bs[n - 1] + sum(math.prod(cs[j - 1] for j in range(i + 1, n + 1)) * bs[i - 1] for i in range(2, n))
    gap = abs((fd - float(r["wrong_T4"])) - dropped)
    if abs(fd - float(r["wrong_T4"])) < 1e-3:  # the counter-example must actually separate the two
        return 1.0
    return max(abs(fd - float(r["correct_T4"])), gap)


# --- the O(T) adjoint recursion ---------------------------------------------------------------------------------
@derivation(
    "bptt_adjoint_recursion",
    title="delta_t = dL_t/dh_t + J_{t+1}^T delta_{t+1} gives the double sum in O(T): dL/dW = sum_k delta_k^T d+h_k/dW",
    title_zh="伴随递推 δ_t = ∂L_t/∂h_t + J_{t+1}ᵀ δ_{t+1} 以 O(T) 计算双重求和：dL/dW = Σ_k δ_kᵀ ∂⁺h_k/∂W",
)
def bptt_adjoint_recursion() -> Result:
    n = 5
    gg, jj, pp = _nc("g", n), _nc("J", n), _nc("p", n)
    # row-vector (numerator-layout) form: delta_T = g_T, delta_t = g_t + delta_{t+1} J_{t+1}
    deltas: list[sp.Expr] = [sp.Integer(0)] * (n + 1)
    deltas[n] = gg[n - 1]
    for t in range(n - 1, 0, -1):
        deltas[t] = gg[t - 1] + deltas[t + 1] * jj[t]
    adjoint = sp.expand(sum((deltas[k] * pp[k - 1] for k in range(1, n + 1)), sp.Integer(0)))
    double = sp.expand(path_sum(gg, jj, pp))
    if sp.expand(adjoint - double) != 0:
        raise ArithmeticError("adjoint recursion differs from the double sum")
    return Result(
        expr=sp.Eq(adjoint, double),
        latex=(
            r"\delta_T=\Bigl(\frac{\partial L_T}{\partial h_T}\Bigr)^{\!\top},\quad "
            r"\delta_t=\Bigl(\frac{\partial L_t}{\partial h_t}\Bigr)^{\!\top}+J_{t+1}^{\top}\delta_{t+1},\quad "
            r"\frac{dL}{dW_{hh}}=\sum_{k=1}^{T}\bigl(\delta_k\odot f'(a_k)\bigr)\,h_{k-1}^{\top},\quad "
            r"J_{t}=\operatorname{diag}\bigl(f'(a_t)\bigr)W_{hh}"
        ),
        parts={"adjoint_T5": adjoint, "double_sum_T5": double},
        symbols={
            "g_t": "dL_t/dh_t (row)",
            "J_t": "dh_t/dh_{t-1}",
            "p_k": "d+h_k/dW",
            "delta_t": "dL/dh_t counting every path from h_t to the losses L_t..L_T (column vector)",
        },
    )


def random_rnn(n_h: int, n_in: int, n_out: int, seq: int, seed: int, scale: float = 1.0) -> tuple:
    """Seeded tanh RNN parameters (W_hh with largest singular value ``scale``), inputs, targets and h_0."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(n_h, n_h)))
    params = {
        "Whh": scale * q @ np.diag(np.linspace(1.0, 0.5, n_h)),
        "Whx": rng.normal(scale=0.5, size=(n_h, n_in)),
        "b": rng.normal(scale=0.1, size=n_h),
        "Woh": rng.normal(size=(n_out, n_h)),
    }
    return params, rng.normal(size=(seq, n_in)), rng.normal(size=(seq, n_out)), rng.normal(scale=0.5, size=n_h)


@bptt_adjoint_recursion.check(
    "central finite differences (float64) of a 4-unit tanh RNN, T = 12, all parameters",
    tol=1e-7,
    oracle_zh="4 个隐藏单元、T = 12 的 tanh RNN 的中心有限差分（float64），全部参数",
)
def _() -> float:
    params, xs, ys, h0 = random_rnn(4, 3, 2, 12, seed=5, scale=1.2)
    grads = rnn.grad_adjoint(params, xs, ys, h0)
    errs = []
    for key in ("Whh", "Whx", "b"):
        fd = np.zeros_like(params[key])
        for idx in np.ndindex(params[key].shape):

            def loss_at(s: np.ndarray, key: str = key, idx: tuple = idx) -> np.ndarray:
                p2 = {k: val.copy() for k, val in params.items()}
                p2[key][idx] = float(s)
                return np.array(rnn.loss(p2, xs, ys, h0))

            fd[idx] = float(central_diff(loss_at, np.array(params[key][idx]), 1e-5))
        errs.append(max_rel_err(grads[key], fd, floor=1e-2))
    return max(errs)


@bptt_adjoint_recursion.check(
    "PyTorch autograd (float64), same weights, T = 30, W_hh W_hx b h_0",
    tol=1e-12,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64），相同权重，T = 30，对 W_hh、W_hx、b、h_0 求梯度",
)
def _() -> float:
    import torch

    params, xs, ys, h0 = random_rnn(5, 3, 2, 30, seed=6, scale=1.1)
    grads = rnn.grad_adjoint(params, xs, ys, h0)
    tp = {k: torch.tensor(val, dtype=torch.float64, requires_grad=True) for k, val in params.items()}
    th0 = torch.tensor(h0, dtype=torch.float64, requires_grad=True)
    h, loss = th0, torch.zeros((), dtype=torch.float64)
    for xt, yt in zip(torch.tensor(xs), torch.tensor(ys), strict=True):
        h = torch.tanh(tp["Whh"] @ h + tp["Whx"] @ xt + tp["b"])
        loss = loss + 0.5 * torch.sum((tp["Woh"] @ h - yt) ** 2)
    loss.backward()
    pairs = [(grads[k], tp[k].grad.numpy()) for k in ("Whh", "Whx", "b")] + [(grads["h0"], th0.grad.numpy())]
    return max(max_rel_err(a, c, floor=1e-3) for a, c in pairs)


# --- truncated BPTT ----------------------------------------------------------------------------------------------
TRUNC_LAMBDAS = (0.9, 1.5)
"""Largest singular values of W_hh in the truncation table and figure (5-unit tanh RNN, :func:`random_rnn`)."""
TRUNC_TAUS = (1, 3, 5, 10, 20)


def truncation_table(seq: int = 60, seed: int = 7) -> dict[float, dict[int, float]]:
    """||dropped||_F / ||exact||_F for dL/dW_hh of a 5-unit tanh RNN when each L_t is truncated after tau steps."""
    table: dict[float, dict[int, float]] = {}
    for scale in TRUNC_LAMBDAS:
        params, xs, ys, h0 = random_rnn(5, 3, 2, seq, seed=seed, scale=scale)
        exact = rnn.grad_adjoint(params, xs, ys, h0)["Whh"]
        table[scale] = {
            tau: float(np.linalg.norm(exact - rnn.grad_adjoint(params, xs, ys, h0, tau)["Whh"]) / np.linalg.norm(exact))
            for tau in TRUNC_TAUS
        }
    return table


@derivation(
    "bptt_truncated",
    title="Truncated BPTT after tau steps keeps the terms with t - k <= tau and drops every longer path",
    title_zh="截断的随时间反向传播（τ 步）只保留 t − k ≤ τ 的项，丢掉所有更长的路径",
)
def bptt_truncated() -> Result:
    n, tau = 6, 2
    gg, jj, pp = _nc("g", n), _nc("J", n), _nc("p", n)
    full = sp.expand(path_sum(gg, jj, pp))
    kept = sp.Integer(0)
    for t in range(1, n + 1):
        for k in range(max(1, t - tau), t + 1):
            kept += gg[t - 1] * sp.Mul(*[jj[j - 1] for j in range(t, k, -1)]) * pp[k - 1]
    dropped = sp.expand(full - kept)
    n_dropped = len(sp.Add.make_args(dropped))
    if n_dropped != (n - tau - 1) * (n - tau) // 2:
        raise ArithmeticError("unexpected number of dropped paths")
    table = truncation_table()
    text = {f"{scale}_{tau_}": f"{val:.3g}" for scale, row in table.items() for tau_, val in row.items()}
    return Result(
        expr=sp.Tuple(kept, dropped),
        latex=(
            r"\frac{dL}{dW}\Big|_{\tau}=\sum_{t=1}^{T}\sum_{k=\max(1,\,t-\tau)}^{t}\frac{\partial L_t}{\partial h_t}"
            r"\Bigl(\prod_{j=k+1}^{t}\frac{\partial h_j}{\partial h_{j-1}}\Bigr)\frac{\partial^{+}h_k}{\partial W},"
            r"\qquad\#\{(t,k):\ t-k>\tau\}=\tfrac{(T-\tau-1)(T-\tau)}{2}"
        ),
        parts={"kept_T6_tau2": kept, "dropped_T6_tau2": dropped, "n_dropped": sp.Integer(n_dropped)},
        symbols={"tau": "truncation length (Jacobian factors kept per loss term)", "T": "sequence length"},
        text=text,  # "<lambda_1>_<tau>": ||dropped||_F / ||exact||_F of dL/dW_hh, 5-unit tanh RNN, T = 60
    )


@bptt_truncated.check(
    "truncated gradient vs per-window finite differences with h_{t-tau-1} frozen (T = 10, tau = 3)",
    tol=1e-7,
    oracle_zh="截断梯度与逐窗口中心有限差分比较，窗口起点 h_{t−τ−1} 固定为常量（T = 10，τ = 3）",
)
def _() -> float:
    tau = 3
    params, xs, ys, h0 = random_rnn(3, 2, 2, 10, seed=8, scale=1.3)
    trunc = rnn.grad_adjoint(params, xs, ys, h0, tau)["Whh"]
    hs, _ = rnn.forward(params, xs, h0)
    fd = np.zeros_like(params["Whh"])
    for t in range(1, len(xs) + 1):
        start = max(0, t - tau - 1)  # state entering the window, treated as a constant

        def window_loss(s: np.ndarray, idx: tuple, t: int = t, start: int = start) -> np.ndarray:
            p2 = {k: val.copy() for k, val in params.items()}
            p2["Whh"][idx] = float(s)
            hw, _ = rnn.forward(p2, xs[start:t], hs[start])
            return np.array(0.5 * np.sum((p2["Woh"] @ hw[-1] - ys[t - 1]) ** 2))

        for idx in np.ndindex(fd.shape):
            fd[idx] += float(central_diff(lambda s, idx=idx: window_loss(s, idx), np.array(params["Whh"][idx]), 1e-5))
    return max_rel_err(trunc, fd, floor=1e-2)


# --- any T: local derivatives derived once, adjoint run numerically ------------------------------------------------
hp, xt_, yt_ = sp.symbols("h_{t-1} x_t y_t", real=True)


@derivation(
    "bptt_scalar_tanh_any_T",
    title="Scalar tanh RNN, any T: derive the one-step local derivatives once, then run the adjoint (T = 1000 < 1 s)",
    title_zh="标量 tanh RNN（任意 T）：单步局部导数只推导一次，再数值运行伴随递推（T = 1000 时用时不到 1 秒）",
)
def bptt_scalar_tanh_any_T() -> Result:
    a = w * hp + u * xt_ + b
    h = sp.tanh(a)
    hs_ = sp.Symbol("h_t", real=True)
    loss_t = (v * hs_ - yt_) ** 2 / 2
    th = sp.Symbol("h_t", real=True)

    def local(e: sp.Expr) -> sp.Expr:  # express tanh'(a) as 1 - h_t^2
        return sp.simplify(e.subs(sp.tanh(a), th))

    jac = local(sp.diff(h, hp))
    imm = sp.Tuple(local(sp.diff(h, w)), local(sp.diff(h, u)), local(sp.diff(h, b)))
    dl_dh, dl_dv = sp.diff(loss_t, hs_), sp.diff(loss_t, v)
    return Result(
        expr=sp.Tuple(sp.Lambda((w, th), jac), sp.Lambda((hp, xt_, th), imm), sp.Lambda((v, th, yt_), dl_dh)),
        latex=(
            rf"\frac{{\partial h_t}}{{\partial h_{{t-1}}}}={sp.latex(jac)},\quad "
            rf"\frac{{\partial^{{+}}h_t}}{{\partial(w,u,b)}}=\Bigl({sp.latex(imm[0])},\ {sp.latex(imm[1])},\ "
            rf"{sp.latex(imm[2])}\Bigr),\quad \frac{{\partial L_t}}{{\partial h_t}}={sp.latex(dl_dh)},\quad "
            r"\delta_t=\frac{\partial L_t}{\partial h_t}+\frac{\partial h_{t+1}}{\partial h_t}\,\delta_{t+1}"
        ),
        parts={"jacobian": jac, "immediate": imm, "dL_dh": dl_dh, "dL_dv": dl_dv},
        symbols={
            "h_t, h_{t-1}": "h_t = tanh(w h_{t-1} + u x_t + b)",
            "w, u, b, v": "recurrent weight, input weight, bias, output weight",
            "L_t": "(v h_t - y_t)^2 / 2",
        },
    )


@functools.cache
def _scalar_local_fns() -> tuple[Callable, ...]:
    r = bptt_scalar_tanh_any_T.result.parts
    th = sp.Symbol("h_t", real=True)
    args = [w, u, b, v, hp, xt_, yt_, th]
    return tuple(sp.lambdify(args, e, "math") for e in (r["jacobian"], *r["immediate"], r["dL_dh"], r["dL_dv"]))


def scalar_rnn_grad(w_: float, u_: float, b_: float, v_: float, xs: np.ndarray, ys: np.ndarray, h0: float) -> dict:
    """Exact dL/d(w, u, b, v, h_0) of L = sum_t (v h_t - y_t)^2/2, h_t = tanh(w h_{t-1} + u x_t + b), by the O(T)
    adjoint sweep of ``nets.rnn.scalar_grad_adjoint`` run with the local derivatives derived in
    ``bptt_scalar_tanh_any_T`` (lambdified once)."""
    return rnn.scalar_grad_adjoint(w_, u_, b_, v_, xs, ys, h0, local=_scalar_local_fns())


SCALE_CASE = {"w": 0.95, "u": 0.7, "b": 0.1, "v": 1.3, "h0": 0.2}


def scale_sequence(seq: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Seeded inputs x_t ~ N(0, 1) and targets y_t ~ U(-1, 1) for the scalar scaling experiment."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=seq), rng.uniform(-1.0, 1.0, size=seq)


def _mp_scalar_loss(prm: dict[str, mpmath.mpf], xs: np.ndarray, ys: np.ndarray) -> mpmath.mpf:
    h, loss = prm["h0"], mpmath.mpf(0)
    for xt, yt in zip(xs, ys, strict=True):
        h = mpmath.tanh(prm["w"] * h + prm["u"] * mpmath.mpf(float(xt)) + prm["b"])
        loss += (prm["v"] * h - mpmath.mpf(float(yt))) ** 2 / 2
    return loss


def mp_scalar_grad_fd(xs: np.ndarray, ys: np.ndarray, dps: int = 40, step: str = "1e-15") -> dict[str, float]:
    """Oracle: central differences of the loss computed in mpmath at ``dps`` digits (truncation error ~ step^2)."""
    out = {}
    with mpmath.workdps(dps):
        base = {k: mpmath.mpf(val) for k, val in SCALE_CASE.items()}
        eps = mpmath.mpf(step)
        for key in ("w", "u", "b", "v", "h0"):
            hi = _mp_scalar_loss({**base, key: base[key] + eps}, xs, ys)
            lo = _mp_scalar_loss({**base, key: base[key] - eps}, xs, ys)
            out[key] = float((hi - lo) / (2 * eps))
    return out


@bptt_scalar_tanh_any_T.check(
    "mpmath central differences at 40 digits (step 1e-15), T = 1000, all 5 gradients",
    tol=1e-10,
    oracle_zh="mpmath 40 位精度的中心差分（步长 1e-15），T = 1000，全部 5 个梯度",
)
def _() -> float:
    xs, ys = scale_sequence(1000)
    c = SCALE_CASE
    mine = scalar_rnn_grad(c["w"], c["u"], c["b"], c["v"], xs, ys, c["h0"])
    ref = mp_scalar_grad_fd(xs, ys)
    return max(abs(mine[k] - ref[k]) / abs(ref[k]) for k in ref)


@bptt_scalar_tanh_any_T.check(
    "PyTorch autograd (float64), T = 1000, same weights",
    tol=1e-11,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64），T = 1000，相同权重",
)
def _() -> float:
    import torch

    xs, ys = scale_sequence(1000)
    c = SCALE_CASE
    mine = scalar_rnn_grad(c["w"], c["u"], c["b"], c["v"], xs, ys, c["h0"])
    tp = {k: torch.tensor(val, dtype=torch.float64, requires_grad=True) for k, val in c.items()}
    h, loss = tp["h0"], torch.zeros((), dtype=torch.float64)
    for xt, yt in zip(xs.tolist(), ys.tolist(), strict=True):
        h = torch.tanh(tp["w"] * h + tp["u"] * xt + tp["b"])
        loss = loss + (tp["v"] * h - yt) ** 2 / 2
    loss.backward()
    return max(abs(mine[k] - float(tp[k].grad)) / abs(float(tp[k].grad)) for k in tp)


# --- figure data -----------------------------------------------------------------------------------------------------
def path_length_contributions(params: dict, xs: np.ndarray, ys: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """||sum over t of the (t, k = t - m) term of dL/dW_hh||_F for each path length m = 0..T-1 (numerator layout)."""
    hs, pre = rnn.forward(params, xs, h0)
    n = len(xs)
    fp = 1 - np.tanh(pre) ** 2
    g = (hs[1:] @ params["Woh"].T - ys) @ params["Woh"]
    acc = np.zeros((n, *params["Whh"].shape))
    for t in range(n, 0, -1):
        delta = g[t - 1].copy()
        for k in range(t, 0, -1):
            da = delta * fp[k - 1]
            acc[t - k] += np.outer(da, hs[k - 1])
            delta = params["Whh"].T @ da
    return np.linalg.norm(acc, axis=(1, 2))


TRUNC_FIGURE_TAU = 10


def figure_data_path_contributions(seq: int = 40, seed: int = 7) -> dict:
    """Path-length profile of dL/dW_hh for the 5-unit tanh RNNs of the truncation table (same seed, T = ``seq``):
    {"lengths": m = 0..T-1, "lambdas": TRUNC_LAMBDAS, "norms": (len(lambdas), T) array of
    :func:`path_length_contributions`, "tau": the truncation marked in the figure}."""
    norms = []
    for scale in TRUNC_LAMBDAS:
        params, xs, ys, h0 = random_rnn(5, 3, 2, seq, seed=seed, scale=scale)
        norms.append(path_length_contributions(params, xs, ys, h0))
    return {"lengths": np.arange(seq), "lambdas": TRUNC_LAMBDAS, "norms": np.array(norms), "tau": TRUNC_FIGURE_TAU}


# --- exercise: how many path terms truncation keeps ------------------------------------------------------------------
COUNT_T, COUNT_TAU = 12, 3


@derivation(
    "bptt_truncation_path_counts",
    title="Path terms kept out of T(T+1)/2: per-loss truncation after tau steps keeps (tau+1)(2T-tau)/2, cutting the "
    "graph every m steps keeps T(m+1)/2 (T = 12, tau = 3: 78, 42; m = 3: 24, m = 4: 30)",
    title_zh="T(T+1)/2 个路径项中保留多少：按损失截断（τ 步）保留 (τ+1)(2T−τ)/2 项，每 m 步切断计算图保留 T(m+1)/2 项"
    "（T = 12、τ = 3 时共 78 项，按损失截断保留 42 项；m = 3 时保留 24 项，m = 4 时保留 30 项）",
)
def bptt_truncation_path_counts() -> Result:
    """Number of terms (t, k), 1 <= k <= t <= T, of the BPTT sum that each recipe keeps: all of them (full BPTT);
    those with t - k <= tau (each L_t truncated after tau Jacobians, T >= tau + 1); those with k and t in the same
    chunk when the graph is cut (h.detach()) every m steps (m divides T)."""
    tt, ta, mm, t_, j_ = sp.symbols("T tau m t j", integer=True, positive=True)
    full = sp.factor(sp.summation(t_, (t_, 1, tt)))
    # per loss: L_t keeps k = max(1, t - tau) .. t, i.e. min(t, tau + 1) terms
    per_loss = sp.factor(sp.summation(t_, (t_, 1, ta + 1)) + sp.summation(ta + 1, (t_, ta + 2, tt)))
    # chunked: the loss at position j of a chunk (j = 1..m) keeps j terms; T/m chunks
    chunked = sp.factor(tt / mm * sp.summation(j_, (j_, 1, mm)))
    subs = {tt: COUNT_T, ta: COUNT_TAU}
    vals = {
        "full": full.subs(subs),
        "per_loss": per_loss.subs(subs),
        "chunked_tau": chunked.subs({tt: COUNT_T, mm: COUNT_TAU}),
        "chunked_tau_plus_1": chunked.subs({tt: COUNT_T, mm: COUNT_TAU + 1}),
    }
    if not vals["full"] > vals["per_loss"] > vals["chunked_tau_plus_1"] > vals["chunked_tau"]:
        raise ArithmeticError(f"unexpected ordering {vals}")
    return Result(
        expr=sp.Tuple(full, per_loss, chunked),
        latex=(
            rf"\text{{all}}={sp.latex(full)},\quad \text{{per loss}}(\tau)={sp.latex(per_loss)},\quad "
            rf"\text{{chunks of }}m={sp.latex(chunked)}"
        ),
        parts={
            "full_count": full,
            "per_loss_count": per_loss,
            "chunked_count": chunked,
            "T": sp.Integer(COUNT_T),
            "tau": sp.Integer(COUNT_TAU),
            "tau_plus_1": sp.Integer(COUNT_TAU + 1),
            **{f"n_{k}": sp.Integer(val) for k, val in vals.items()},
        },
        symbols={"T": "sequence length", "tau": "Jacobians kept per loss term", "m": "chunk length (divides T)"},
    )


def _kept_by_autograd(seq: int, tau: int | None = None, chunk: int | None = None) -> float:
    """dL/dw at w = 1 for h_t = w h_{t-1}, h_0 = 1, L = sum_t h_t in torch float64: every path term is 1, so the
    gradient counts the terms kept. tau: each L_t from h_{t-tau-1}.detach(); chunk: detach every ``chunk`` steps."""
    import torch

    wt = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    one = torch.tensor(1.0, dtype=torch.float64)
    if tau is not None:  # a separate window per loss term
        loss = torch.zeros((), dtype=torch.float64)
        for t in range(1, seq + 1):
            h = one  # h_{t-tau-1}, detached (a constant; its value is 1 at w = 1)
            for _ in range(max(1, t - tau), t + 1):
                h = wt * h
            loss = loss + h
    else:
        h, loss = one, torch.zeros((), dtype=torch.float64)
        for t in range(1, seq + 1):
            h = wt * h
            loss = loss + h
            if chunk is not None and t % chunk == 0:
                h = h.detach()
    loss.backward()
    return float(wt.grad)


@bptt_truncation_path_counts.check(
    "PyTorch autograd (float64) on h_t = w h_{t-1}, h_0 = 1, L = sum h_t at w = 1, where every path term equals 1: "
    "the gradient counts the kept terms (no detach; a detached window per loss; detach every m steps), T = 12",
    tol=0.0,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64）：h_t = w h_{t−1}、h_0 = 1、L = Σ h_t、w = 1 时每个路径项都等于 1，"
    "梯度即保留的项数（不切断；每个损失项单独一个窗口，窗口起点切断；每 m 步切断一次），T = 12",
)
def _() -> float:
    prt = bptt_truncation_path_counts.result.parts
    seq, tau = int(prt["T"]), int(prt["tau"])
    got = (
        _kept_by_autograd(seq),
        _kept_by_autograd(seq, tau=tau),
        _kept_by_autograd(seq, chunk=tau),
        _kept_by_autograd(seq, chunk=tau + 1),
    )
    want = (prt["n_full"], prt["n_per_loss"], prt["n_chunked_tau"], prt["n_chunked_tau_plus_1"])
    return max(abs(g - float(wv)) for g, wv in zip(got, want, strict=True))


@bptt_truncation_path_counts.check(
    "enumeration of the pairs (t, k) each rule keeps, for every T <= 30, tau < T, and m dividing T, against the "
    "closed forms",
    tol=0.0,
    oracle_zh="对每个 T ≤ 30、τ < T 以及整除 T 的 m，逐一枚举各规则保留的 (t, k) 对，与闭式结果比较",
)
def _() -> float:
    prt = bptt_truncation_path_counts.result.parts
    tt, ta, mm = sp.symbols("T tau m", integer=True, positive=True)
    f_full = sp.lambdify(tt, prt["full_count"])
    f_loss = sp.lambdify((tt, ta), prt["per_loss_count"])
    f_chunk = sp.lambdify((tt, mm), prt["chunked_count"])
    worst = 0.0
    for seq in range(1, 31):
        pairs = [(t, k) for t in range(1, seq + 1) for k in range(1, t + 1)]
        worst = max(worst, abs(len(pairs) - f_full(seq)))
        for tau in range(seq):
            worst = max(worst, abs(sum(t - k <= tau for t, k in pairs) - f_loss(seq, tau)))
        for m in range(1, seq + 1):
            if seq % m == 0:
                same_chunk = sum((t - 1) // m == (k - 1) // m for t, k in pairs)
                worst = max(worst, abs(same_chunk - f_chunk(seq, m)))
    return float(worst)
