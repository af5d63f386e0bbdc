"""Gate time constants: what a forget-gate bias means in steps, the chrono initialisation, and its PyTorch pitfall.

Conventions. A memory that is multiplied by the same factor f in (0, 1) at every step (a forget gate held at
f = sigma(b), with its other inputs zero) decays like f^t. Its *time constant* is tau = 1/(1 - f) (the sum of the
geometric series sum_k f^k); the *e-folding time* tau_e = -1/ln f is the number of steps after which f^t = 1/e.
Both are stated; the page says which is used where. The chrono initialisation is quoted from Tallec & Ollivier
(2018): b_f = ln u with u ~ U[1, T_max - 1], b_i = -b_f. PyTorch's LSTM adds two bias vectors, bias_ih and bias_hh,
to every gate pre-activation (gate order i, f, g, o), so the forget gate sees their sum (lstm_two_biases).
A leaky unit is h_t = (1 - alpha) h_{t-1} + alpha phi(W h_{t-1} + U x_t + b), with the leak alpha in (0, 1).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.act import sigmoid
from derivations.sym import replace_fprime, sci_latex

b = sp.Symbol("b", real=True)  # forget-gate bias (its whole pre-activation when inputs and state are zero)
u = sp.Symbol("u", positive=True)  # chrono draw, u ~ U[1, T_max - 1]
v = sp.Symbol("v", positive=True)  # a second, independent draw
f = sp.Symbol("f", positive=True)  # gate value in (0, 1)
t = sp.Symbol("t", positive=True)  # a time constant (argument of a CDF)
x = sp.Symbol("x", positive=True)  # a gate value (argument of a CDF)
s = sp.Symbol("s", positive=True)  # a product u v (argument of a CDF)
k = sp.Symbol("k", integer=True, nonnegative=True)
M = sp.Symbol(r"T_{\max}", positive=True)  # chrono's T_max (> 2)
alpha = sp.Symbol("alpha", positive=True)  # leak of a leaky unit, in (0, 1)
n = sp.Symbol("n", integer=True, positive=True)  # number of steps

EXAMPLE_TMAX = sp.Integer(100)  # the T_max of the page's worked numbers and figure (an illustration, not the paper's)
MC_SAMPLES = 20000
KS_999 = 1.949  # 99.9 % quantile of the Kolmogorov distribution: P(sqrt(n) D_n > 1.949) ~ 0.001 for large n


def _sig(z: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-z))


def _tex(e: sp.Basic) -> str:
    return sp.latex(e, ln_notation=True)


def _converged(total: sp.Expr) -> sp.Expr:
    """The value of a summed geometric series on its convergent branch (SymPy returns a Piecewise)."""
    folded = sp.piecewise_fold(total)
    return folded.args[0][0] if isinstance(folded, sp.Piecewise) else folded


def _fmt(r: sp.Expr, digits: int = 4) -> str:
    return f"{float(r):.{digits}g}"


# --- 1. sigma(ln u) = u/(1 + u); time constant and e-folding time --------------------------------------------------
@derivation(
    "gate_time_constant",
    title="sigma(ln u) = u/(1+u); a gate held at f = sigma(b) has time constant 1/(1-f) = 1 + e^b and e-folding time "
    "-1/ln f = 1/ln(1 + e^-b); their gap tends to 1/2 as b grows",
    title_zh="σ(ln u) = u/(1+u)；固定为 f = σ(b) 的门，时间常数 1/(1−f) = 1 + e^b，e 折时间 −1/ln f = 1/ln(1 + e^−b)；"
    "b 增大时两者之差趋于 1/2",
)
def gate_time_constant() -> Result:
    """A forget gate held at f = sigma(b) has time constant 1/(1 - f) = 1 + e^b (1 + u at b = ln u) and e-folding
    time -1/ln f; the first exceeds the second for every f in (0, 1), by 1/2 in the limit f -> 1."""
    sig_log = sp.simplify(_sig(sp.log(u)))  # u/(u + 1)
    if sp.simplify(sig_log - u / (1 + u)) != 0:
        raise ArithmeticError("sigma(ln u) is not u/(1 + u)")
    geometric = _converged(sp.summation(f**k, (k, 0, sp.oo)))  # 1/(1 - f) for |f| < 1
    tau_b = sp.simplify(geometric.subs(f, _sig(b)))  # 1 + e^b
    tau_u = sp.simplify(tau_b.subs(b, sp.log(u)))  # 1 + u
    tau_e_f = -1 / sp.log(f)  # f^t = e^{-t/tau_e}
    tau_e_b = 1 / sp.log(1 + sp.exp(-b))  # the same as -1/ln sigma(b), written as SymPy checks next
    if sp.simplify(sp.expand_log(tau_e_f.subs(f, _sig(b)) - tau_e_b, force=True)) != 0:
        raise ArithmeticError("-1/ln sigma(b) is not 1/ln(1 + e^-b)")
    # tau > tau_e on (0, 1): -ln f > 1 - f there, because g(f) = -ln f - (1 - f) has g(1) = 0 and g' = 1 - 1/f < 0
    g_ = -sp.log(f) - (1 - f)
    if g_.subs(f, 1) != 0 or not sp.simplify(sp.diff(g_, f) - (1 - 1 / f)) == 0:
        raise ArithmeticError("the comparison -ln f > 1 - f failed")
    gap = tau_b - tau_e_b
    gap_long = sp.limit(gap, b, sp.oo)  # f -> 1
    gap_short = sp.limit(gap, b, -sp.oo)  # f -> 0
    at = {name: (tau_b.subs(b, bb), tau_e_b.subs(b, bb)) for name, bb in (("b0", 0), ("b1", 1))}
    return Result(
        expr=sp.Tuple(sp.Lambda(u, sig_log), sp.Lambda(b, tau_b), sp.Lambda(b, tau_e_b)),
        latex=(
            rf"\sigma(\ln u)={_tex(sig_log)},\quad \tau=\frac{{1}}{{1-f}}={_tex(tau_b)},\quad"
            rf"\tau_e=-\frac{{1}}{{\ln f}}={_tex(tau_e_b)}"
        ),
        parts={
            "sigmoid_log": sp.Eq(sp.Symbol(r"\sigma(\ln u)"), sig_log),
            "sig_log": sig_log,
            "geometric": sp.Eq(sp.Sum(f**k, (k, 0, sp.oo)), geometric),
            "tau_f": geometric,
            "tau_b": tau_b,
            "tau_u": tau_u,
            "tau_e_f": tau_e_f,
            "tau_e_b": tau_e_b,
            "gap_limit_long": gap_long,
            "gap_limit_short": gap_short,
            "tau_b0": at["b0"][0],
            "tau_e_b0": at["b0"][1],
            "tau_b1": at["b1"][0],
            "tau_e_b1": at["b1"][1],
        },
        text={
            "tau_b0": _tex(at["b0"][0]),
            "tau_e_b0": _fmt(at["b0"][1]),
            "tau_b1": _fmt(at["b1"][0]),
            "tau_e_b1": _fmt(at["b1"][1]),
            "gap_b0": _fmt(at["b0"][0] - at["b0"][1], 3),
            "gap_limit_long": _tex(gap_long),
            "gap_limit_short": _tex(gap_short),
        },
        symbols={
            "b": "forget-gate bias = its pre-activation when input and state are zero",
            "u": "e^b > 0",
            "f": "gate value sigma(b) in (0, 1)",
            "tau": "time constant 1/(1 - f)",
            "tau_e": "e-folding time -1/ln f",
        },
    )


@gate_time_constant.check(
    "mpmath at 40 digits: sigma(ln u), 1/(1 - sigma(b)) and -1/ln sigma(b) for b in [-6, 12]; a float64 loop "
    "summing f^k and counting steps until f^t < 1/e",
    tol=1e-12,
    oracle_zh="mpmath 40 位精度：b ∈ [−6, 12] 上的 σ(ln u)、1/(1 − σ(b)) 与 −1/ln σ(b)；float64 循环累加 f^k，"
    "并数出 f^t 降到 1/e 以下所需的步数",
)
def _() -> float:
    p = gate_time_constant.result.parts
    sig_log = sp.lambdify(u, p["sig_log"], "mpmath")
    tau = sp.lambdify(b, p["tau_b"], "mpmath")
    tau_e = sp.lambdify(b, p["tau_e_b"], "mpmath")
    errs = []
    with mpmath.workdps(40):
        for bb in np.linspace(-6.0, 12.0, 37):
            m = mpmath.mpf(bb)
            sg = 1 / (1 + mpmath.exp(-m))
            errs.append(abs(sig_log(mpmath.exp(m)) - sg) / sg)
            errs.append(abs(tau(m) - 1 / (1 - sg)) / tau(m))
            errs.append(abs(tau_e(m) + 1 / mpmath.log(sg)) / tau_e(m))
        # the two limits of the gap tau - tau_e: f -> 1 (b = 40, gap - 1/2 ~ e^-b/12) and f -> 0 (b = -1e15,
        # gap - 1 ~ -1/|b|), far enough out that the distance to the limit is below the tolerance
        for bb, key in ((40, "gap_limit_long"), (-(10**15), "gap_limit_short")):
            sg = 1 / (1 + mpmath.exp(-mpmath.mpf(bb)))
            errs.append(abs((1 / (1 - sg) + 1 / mpmath.log(sg)) - mpmath.mpf(float(p[key]))))
    # float64: the geometric sum of f^k is tau; f^t first drops below 1/e at t = ceil(tau_e)
    for bb in (0.0, 1.0, 2.0, float(np.log(99.0))):
        fv = float(sigmoid(bb))
        total, term, steps = 0.0, 1.0, 0
        while term > 1e-18:
            total += term
            term *= fv
        prod = 1.0
        while prod >= np.exp(-1.0):
            prod *= fv
            steps += 1
        errs.append(abs(total - float(tau(bb))) / total)
        errs.append(0.0 if steps == int(np.ceil(float(tau_e(bb)))) else 1.0)
    return float(max(errs))


# --- 2. the chrono initialisation and the distribution of its time constants -------------------------------------
@derivation(
    "chrono_time_constants",
    title="Chrono initialisation b_f = ln u, b_i = -b_f, u ~ U[1, T_max - 1]: tau = 1 + u ~ U[2, T_max], i = 1 - f, "
    "CDF of f: (2x - 1)/((1 - x)(T_max - 2)) on [1/2, 1 - 1/T_max]",
    title_zh="chrono 初始化 b_f = ln u、b_i = −b_f、u ~ U[1, T_max − 1]：τ = 1 + u ~ U[2, T_max]，i = 1 − f；"
    "f 的分布函数为 (2x − 1)/((1 − x)(T_max − 2))，x ∈ [1/2, 1 − 1/T_max]",
)
def chrono_time_constants() -> Result:
    """Under chrono initialisation (zero weights or zero input and state) the time constant 1/(1 - f) is 1 + u,
    uniform on [2, T_max]; the input gate is exactly 1 - f; f has CDF (2x - 1)/((1 - x)(T_max - 2))."""
    tau_u = gate_time_constant.result.parts["tau_u"]  # 1 + u
    f_u = gate_time_constant.result.parts["sig_log"]  # u/(1 + u)
    i_u = sp.simplify(_sig(-sp.log(u)))  # b_i = -b_f
    if sp.simplify(i_u + f_u - 1) != 0:
        raise ArithmeticError("chrono's input gate is not 1 - f")
    density_u = 1 / (M - 2)  # U[1, T_max - 1]
    (u_of_t,) = sp.solve(sp.Eq(tau_u, t), u)  # t - 1
    cdf_tau = sp.simplify(sp.integrate(density_u, (u, 1, u_of_t)))  # (t - 2)/(T_max - 2)
    lo_tau, hi_tau = tau_u.subs(u, 1), tau_u.subs(u, M - 1)
    (u_of_x,) = sp.solve(sp.Eq(f_u, x), u)  # x/(1 - x)
    cdf_f = cdf_tau.subs(t, 1 / (1 - x))  # f <= x  <=>  tau = 1/(1 - f) <= 1/(1 - x)
    if sp.simplify(cdf_f - sp.integrate(density_u, (u, 1, u_of_x))) != 0:
        raise ArithmeticError("the CDF of f disagrees with the direct integral over u")
    pdf_f = sp.factor(sp.simplify(sp.diff(cdf_f, x)))
    lo_f, hi_f = sp.simplify(f_u.subs(u, 1)), sp.simplify(f_u.subs(u, M - 1))
    mean_tau = sp.simplify(sp.integrate(tau_u * density_u, (u, 1, M - 1)))
    tau_e_u = sp.simplify(gate_time_constant.result.parts["tau_e_b"].subs(b, sp.log(u)))  # 1/ln(1 + 1/u)
    tau_e_hi = tau_e_u.subs(u, M - 1)
    ex = {M: EXAMPLE_TMAX}
    return Result(
        expr=sp.Tuple(sp.Lambda((t, M), cdf_tau), sp.Lambda((x, M), cdf_f), i_u),
        latex=(
            rf"b_f=\ln u,\ b_i=-b_f,\ u\sim U[1,{_tex(M - 1)}]:\quad \tau={_tex(tau_u)}\sim "
            rf"U[{_tex(lo_tau)},{_tex(hi_tau)}],\quad i={_tex(i_u)}=1-f"
        ),
        parts={
            "input_gate": i_u,
            "cdf_tau": cdf_tau,
            "cdf_tau_eq": sp.Eq(sp.Symbol(r"P(\tau\le t)"), cdf_tau),
            "tau_range": sp.Interval(lo_tau, hi_tau),
            "cdf_f": cdf_f,
            "cdf_f_eq": sp.Eq(sp.Symbol(r"P(f\le x)"), cdf_f),
            "pdf_f": pdf_f,
            "f_range": sp.Interval(lo_f, hi_f),
            "mean_tau": mean_tau,
            "tau_e_u": tau_e_u,
            "tau_e_max": tau_e_hi,
        },
        text={
            "tmax": str(EXAMPLE_TMAX),
            "mean_tau_example": _tex(mean_tau.subs(ex)),
            "f_max_example": _tex(hi_f.subs(ex)),
            "b_max_example": _fmt(sp.log(EXAMPLE_TMAX - 1), 4),
            "tau_e_min": _fmt(tau_e_u.subs(u, 1), 4),
            "tau_e_max_example": _fmt(tau_e_hi.subs(ex), 4),
            "mc_samples": str(MC_SAMPLES),
            "ks_tol": f"{KS_999 / np.sqrt(MC_SAMPLES):.4f}",
        },
        symbols={
            "u": "U[1, T_max - 1] draw, one per unit",
            "T_max": "chrono's largest expected dependency range (> 2)",
            "t": "a time constant",
            "x": "a forget-gate value",
        },
    )


def _ks(samples: np.ndarray, cdf) -> float:
    """Kolmogorov-Smirnov distance between the empirical CDF of ``samples`` and ``cdf`` (vectorised)."""
    xs = np.sort(samples)
    m = xs.size
    c = cdf(xs)
    return float(max(np.max(np.arange(1, m + 1) / m - c), np.max(c - np.arange(m) / m)))


def _chrono_draws(seed: int, tmax: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(1.0, tmax - 1.0, MC_SAMPLES), rng.uniform(1.0, tmax - 1.0, MC_SAMPLES)


@chrono_time_constants.check(
    f"seeded Monte Carlo ({MC_SAMPLES} draws, seed 0, T_max = 100): b = ln u, f = sigmoid(b) in float64, "
    "Kolmogorov-Smirnov distance of tau = 1/(1 - f) and of f to the derived CDFs; tolerance 1.949/sqrt(n), "
    "the 99.9 % quantile of that distance",
    tol=KS_999 / np.sqrt(MC_SAMPLES),
    oracle_zh=f"固定随机种子（0）的蒙特卡罗抽样（{MC_SAMPLES} 个，T_max = 100）：b = ln u，float64 计算 f = σ(b)，"
    "τ = 1/(1 − f) 与 f 的经验分布同推导出的分布函数之间的柯尔莫哥洛夫–斯米尔诺夫距离；容差 1.949/√n，"
    "即该距离的 99.9% 分位数",
)
def _() -> float:
    p = chrono_time_constants.result.parts
    tm = float(EXAMPLE_TMAX)
    cdf_tau = sp.lambdify(t, p["cdf_tau"].subs(M, EXAMPLE_TMAX), "numpy")
    cdf_f = sp.lambdify(x, p["cdf_f"].subs(M, EXAMPLE_TMAX), "numpy")
    uu, _ = _chrono_draws(0, tm)
    fv = sigmoid(np.log(uu))
    return max(_ks(1.0 / (1.0 - fv), cdf_tau), _ks(fv, cdf_f))


@chrono_time_constants.check(
    "torch.nn.LSTM (float64, zero weights): forget and input gate read from one step with zero input and "
    "zero hidden state (h_0 = 0), "
    "c_0 = 1 (c_1 = f) and c_0 = 0, candidate bias 1 (c_1 = i tanh 1); tau = 1/(1 - f), -1/ln f, i vs 1 - f",
    tol=1e-9,
    needs="torch",
    oracle_zh="`torch.nn.LSTM`（float64，权重全为零）：在零输入、h_0 = 0 下运行一步，"
    "读出遗忘门与输入门——c_0 = 1 时 c_1 = f；c_0 = 0 且候选状态偏置为 1 时 c_1 = i·tanh 1；"
    "比较 τ = 1/(1 − f)、−1/ln f 以及 i 与 1 − f",
)
def _() -> float:
    p = chrono_time_constants.result.parts
    tau_of_u = sp.lambdify(u, gate_time_constant.result.parts["tau_u"], "numpy")
    i_of_u = sp.lambdify(u, p["input_gate"], "numpy")
    tau_e_of_u = sp.lambdify(u, p["tau_e_u"], "numpy")
    uu = np.array([1.0, 1.5, 7.0, 42.0, 99.0])
    gates = _torch_gates(np.log(uu), np.zeros_like(uu), -np.log(uu), np.zeros_like(uu))
    return float(
        max(
            np.max(np.abs(1.0 / (1.0 - gates["f"]) - tau_of_u(uu)) / tau_of_u(uu)),
            np.max(np.abs(gates["i"] - i_of_u(uu))),
            np.max(np.abs(-1.0 / np.log(gates["f"]) - tau_e_of_u(uu)) / tau_e_of_u(uu)),
        )
    )


def _torch_gates(bf_ih: np.ndarray, bf_hh: np.ndarray, bi_ih: np.ndarray, bi_hh: np.ndarray) -> dict[str, np.ndarray]:
    """Forget and input gates of a real torch.nn.LSTM (float64, all weights zero, biases as given, g's bias 0 or 1)
    after one step with zero input and zero hidden state: with c_0 = 1 and g = tanh(0) = 0, c_1 = f; with c_0 = 0 and
    the candidate's bias 1, c_1 = i tanh(1)."""
    import torch

    hid = bf_ih.size
    lstm = torch.nn.LSTM(1, hid, dtype=torch.float64)
    out = {}
    for key, c0, g_bias in (("f", 1.0, 0.0), ("i", 0.0, 1.0)):
        with torch.no_grad():
            for prm in lstm.parameters():
                prm.zero_()
            lstm.bias_ih_l0[:hid] = torch.tensor(bi_ih)
            lstm.bias_hh_l0[:hid] = torch.tensor(bi_hh)
            lstm.bias_ih_l0[hid : 2 * hid] = torch.tensor(bf_ih)
            lstm.bias_hh_l0[hid : 2 * hid] = torch.tensor(bf_hh)
            lstm.bias_ih_l0[2 * hid : 3 * hid] = g_bias
            zeros = torch.zeros(1, 1, hid, dtype=torch.float64)
            _, (_h, c1) = lstm(torch.zeros(1, 1, 1, dtype=torch.float64), (zeros, torch.full_like(zeros, c0)))
        c = c1.reshape(-1).numpy()
        out[key] = c if key == "f" else c / np.tanh(1.0)
    return out


# --- 3. the PyTorch pitfall: the chrono value written into both bias vectors -------------------------------------
@derivation(
    "chrono_both_biases",
    title="Chrono value written into both bias_ih and bias_hh: b_f = 2 ln u, tau = 1 + u^2; independent draws in each: "
    "tau = 1 + u v; for T_max = 100, 90.9 % and 96.3 % of the time constants exceed T_max",
    title_zh="把 chrono 值同时写进 bias_ih 和 bias_hh：b_f = 2 ln u，τ = 1 + u²；两个向量各自独立抽样：τ = 1 + uv；"
    "T_max = 100 时分别有 90.9% 和 96.3% 的时间常数超过 T_max",
)
def chrono_both_biases() -> Result:
    """PyTorch adds bias_ih and bias_hh: the same chrono value ln u in both gives b_f = 2 ln u and tau = 1 + u^2
    (up to 1 + (T_max - 1)^2); independent draws ln u, ln v give tau = 1 + u v. CDFs and P(tau > T_max) for both."""
    tau_b = gate_time_constant.result.parts["tau_b"]  # 1 + e^b
    tau_same = sp.simplify(tau_b.subs(b, 2 * sp.log(u)))  # 1 + u^2
    tau_indep = sp.simplify(tau_b.subs(b, sp.log(u) + sp.log(v)))  # 1 + u v
    density_u = 1 / (M - 2)
    (u_same,) = sp.solve(sp.Eq(tau_same, t), u)  # sqrt(t - 1)
    cdf_same = sp.simplify(sp.integrate(density_u, (u, 1, u_same)))
    # product of two independent U[1, a], a = T_max - 1: P(u v <= s) = int_1^a P(v <= s/u) du/(a - 1)
    a = M - 1
    low = sp.integrate((s / u - 1) / (a - 1) ** 2, (u, 1, s))  # 1 <= s <= a: v <= s/u needs u <= s
    high = sp.integrate((a - 1) / (a - 1) ** 2, (u, 1, s / a)) + sp.integrate((s / u - 1) / (a - 1) ** 2, (u, s / a, a))
    low_s = sp.factor_terms(sp.simplify(low))
    high_s = sp.simplify(sp.expand_log(high, force=True))
    cdf_prod = sp.Piecewise((low_s, s <= a), (high_s, True))
    # the same two branches in the symbol m = T_max - 1, for display
    a_sym = sp.Symbol("m", positive=True)
    low_a = sp.factor(low_s.subs(M, a_sym + 1))
    high_a = sp.collect(sp.expand(sp.numer(sp.together(high_s.subs(M, a_sym + 1)))), s) / (a_sym - 1) ** 2
    if sp.simplify(sp.expand_log(high_a - high_s.subs(M, a_sym + 1), force=True)) != 0:
        raise ArithmeticError("the displayed upper branch differs from the derived one")
    if sp.simplify((low - high).subs(s, a)) != 0 or sp.simplify(high.subs(s, a**2) - 1) != 0:
        raise ArithmeticError("the CDF of the product is not continuous or does not reach 1")
    cdf_indep = cdf_prod.subs(s, t - 1)
    ex = {M: EXAMPLE_TMAX}
    over_same = sp.simplify(1 - cdf_same.subs(t, M))
    over_indep = sp.simplify(1 - cdf_prod.args[0][0].subs(s, M - 1))  # tau > T_max  <=>  u v > T_max - 1 = a
    median_same = sp.simplify(tau_same.subs(u, M / 2))  # median of u is T_max/2
    hi_same = tau_same.subs(u, M - 1)
    return Result(
        expr=sp.Tuple(tau_same, tau_indep, sp.Lambda((t, M), cdf_same), sp.Lambda((s, M), cdf_prod)),
        latex=(rf"b_f=\ln u+\ln u:\ \tau={_tex(tau_same)};\qquad b_f=\ln u+\ln v:\ \tau={_tex(tau_indep)}"),
        parts={
            "tau_same": tau_same,
            "tau_indep": tau_indep,
            "cdf_same": cdf_same,
            "cdf_same_eq": sp.Eq(sp.Symbol(r"P(\tau\le t)"), cdf_same),
            "cdf_product": cdf_prod,
            "cdf_product_eq": sp.Eq(sp.Symbol(r"P(uv\le s)"), cdf_prod),
            "cdf_indep": cdf_indep,
            "over_tmax_same": over_same,
            "over_tmax_indep": over_indep,
            "median_same": median_same,
            "max_same": hi_same,
        },
        text={
            "cdf_product_low_tex": rf"P(uv\le s)={_tex(low_a)}\quad(1\le s\le m)",
            "cdf_product_high_tex": rf"P(uv\le s)={_tex(high_a)}\quad(m\le s\le m^{{2}})",
            "over_tmax_same_pct": f"{100 * float(over_same.subs(ex)):.1f}",
            "over_tmax_indep_pct": f"{100 * float(over_indep.subs(ex)):.1f}",
            "median_same_example": _tex(median_same.subs(ex)),
            "max_same_example": _tex(hi_same.subs(ex)),
        },
        symbols={
            "u, v": "independent U[1, T_max - 1] draws",
            "s": "a value of the product u v",
            "t": "a time constant",
        },
    )


@chrono_both_biases.check(
    f"seeded Monte Carlo ({MC_SAMPLES} draws, seed 1, T_max = 100): b_f = ln u + ln u and ln u + ln v, "
    "f = sigmoid(b_f) in float64, Kolmogorov-Smirnov distance of tau = 1/(1 - f) to the derived CDFs; tolerance "
    "1.949/sqrt(n), the 99.9 % quantile of that distance",
    tol=KS_999 / np.sqrt(MC_SAMPLES),
    oracle_zh=f"固定随机种子（1）的蒙特卡罗抽样（{MC_SAMPLES} 个，T_max = 100）：b_f = ln u + ln u 与 ln u + ln v，"
    "float64 计算 f = σ(b_f)，τ = 1/(1 − f) 的经验分布同推导出的分布函数之间的柯尔莫哥洛夫–斯米尔诺夫距离；"
    "容差 1.949/√n，即该距离的 99.9% 分位数",
)
def _() -> float:
    p = chrono_both_biases.result.parts
    tm = float(EXAMPLE_TMAX)
    cdf_same = sp.lambdify(t, p["cdf_same"].subs(M, EXAMPLE_TMAX), "numpy")
    cdf_indep = np.vectorize(sp.lambdify(t, p["cdf_indep"].subs(M, EXAMPLE_TMAX), "math"))
    uu, vv = _chrono_draws(1, tm)
    same = 1.0 / (1.0 - sigmoid(2.0 * np.log(uu)))
    indep = 1.0 / (1.0 - sigmoid(np.log(uu) + np.log(vv)))
    return max(_ks(same, cdf_same), _ks(indep, cdf_indep))


@chrono_both_biases.check(
    "mpmath quadrature at 30 digits: P(u v <= s) = integral over u of P(v <= s/u), and P(u^2 <= t - 1), T_max = 100",
    tol=1e-20,
    oracle_zh="mpmath 30 位精度数值积分：P(uv ≤ s) = 对 u 积分 P(v ≤ s/u)，以及 P(u² ≤ t − 1)，T_max = 100",
)
def _() -> float:
    p = chrono_both_biases.result.parts
    cdf_prod = sp.lambdify(s, p["cdf_product"].subs(M, EXAMPLE_TMAX), "mpmath")
    cdf_same = sp.lambdify(t, p["cdf_same"].subs(M, EXAMPLE_TMAX), "mpmath")
    errs = []
    with mpmath.workdps(30):
        am = mpmath.mpf(99)

        def p_v_below(y):
            return min(max((y - 1) / (am - 1), mpmath.mpf(0)), mpmath.mpf(1))

        for sv in (1.5, 7, 42, 99, 150, 2000, 9000):
            sm = mpmath.mpf(sv)
            cuts = sorted({mpmath.mpf(1), am, *(c for c in (sm / am, sm) if 1 < c < am)})
            q = mpmath.quad(lambda uu, sm=sm: p_v_below(sm / uu), cuts) / (am - 1)
            errs.append(abs(q - cdf_prod(sm)))
        for tv in (2.5, 50, 100, 5000):
            direct = (mpmath.sqrt(mpmath.mpf(tv) - 1) - 1) / (am - 1)
            errs.append(abs(direct - cdf_same(mpmath.mpf(tv))))
    return float(max(errs))


@chrono_both_biases.check(
    "torch.nn.LSTM (float64, zero weights): chrono written into bias_ih only, into both (same value), into both "
    "(independent draws); one step from zero input, h_0 = 0 and c_0 = 1 reads f; tau = 1/(1 - f)",
    tol=1e-9,
    needs="torch",
    oracle_zh="`torch.nn.LSTM`（float64，权重全为零）：chrono 值只写进 bias_ih、同一值写进两个向量、"
    "两个向量各自独立抽样；在零输入、h_0 = 0、c_0 = 1 下运行一步读出 f，τ = 1/(1 − f)",
)
def _() -> float:
    p = chrono_both_biases.result.parts
    same = sp.lambdify(u, p["tau_same"], "numpy")
    indep = sp.lambdify((u, v), p["tau_indep"], "numpy")
    rng = np.random.default_rng(3)
    uu, vv = rng.uniform(1.0, 99.0, 6), rng.uniform(1.0, 99.0, 6)
    lu, lv = np.log(uu), np.log(vv)
    g_same = _torch_gates(lu, lu, -lu, -lu)
    g_indep = _torch_gates(lu, lv, -lu, -lv)
    return float(
        max(
            np.max(np.abs(1.0 / (1.0 - g_same["f"]) - same(uu)) / same(uu)),
            np.max(np.abs(1.0 / (1.0 - g_indep["f"]) - indep(uu, vv)) / indep(uu, vv)),
            np.max(np.abs(g_same["i"] - (1.0 - g_same["f"]))),  # b_i = -b_f in both vectors: still i = 1 - f
        )
    )


@chrono_both_biases.check(
    f"seeded Monte Carlo ({MC_SAMPLES} draws, seed 2, T_max = 100): the fraction of units whose tau = 1/(1 - f) "
    "exceeds T_max, with the same value and with independent draws in both vectors; tolerance 0.01, about 5 "
    "standard errors of a binomial fraction near 0.9",
    tol=0.01,
    oracle_zh=f"固定随机种子（2）的蒙特卡罗抽样（{MC_SAMPLES} 个，T_max = 100）：两个向量写入同一值、各自独立抽样时，"
    "τ = 1/(1 − f) 超过 T_max 的单元所占比例；容差 0.01，约为比例在 0.9 附近时二项分布标准误差的 5 倍",
)
def _() -> float:
    p = chrono_both_biases.result.parts
    tm = float(EXAMPLE_TMAX)
    uu, vv = _chrono_draws(2, tm)
    same = 1.0 / (1.0 - sigmoid(2.0 * np.log(uu)))
    indep = 1.0 / (1.0 - sigmoid(np.log(uu) + np.log(vv)))
    want = [float(p[k].subs(M, EXAMPLE_TMAX)) for k in ("over_tmax_same", "over_tmax_indep")]
    return max(abs(np.mean(same > tm) - want[0]), abs(np.mean(indep > tm) - want[1]))


# --- 4. forget-gate bias 1 in steps ---------------------------------------------------------------------------------
@derivation(
    "forget_bias_one_time_constant",
    title="Forget-gate bias 1: tau = 1 + e ≈ 3.72 steps (e-folding 3.19); bias 1 in both PyTorch vectors: "
    "1 + e^2 ≈ 8.39; tau = 100 needs b = ln 99 ≈ 4.60",
    title_zh="遗忘门偏置为 1：τ = 1 + e ≈ 3.72 步（e 折时间 3.19）；PyTorch 两个偏置向量都设为 1：1 + e² ≈ 8.39；"
    "τ = 100 需要 b = ln 99 ≈ 4.60",
)
def forget_bias_one_time_constant() -> Result:
    """With its other inputs zero, a forget gate with bias 1 has time constant 1 + e (about 3.72 steps under the
    1/(1 - f) convention); the bias giving time constant T is ln(T - 1)."""
    p = gate_time_constant.result.parts
    tau1, tau_e1 = p["tau_b"].subs(b, 1), p["tau_e_b"].subs(b, 1)
    tau2 = p["tau_b"].subs(b, 2)
    big_t = sp.Symbol("T", positive=True)
    (b_for_t,) = sp.solve(sp.Eq(p["tau_b"], big_t), b)  # log(T - 1)
    b100 = b_for_t.subs(big_t, 100)
    keep100 = p["sig_log"].subs(u, sp.E) ** 100  # sigma(1)^100: what is left after 100 steps
    return Result(
        expr=sp.Tuple(tau1, tau2, sp.Lambda(big_t, b_for_t)),
        latex=(
            rf"\tau\big|_{{b_f=1}}={_tex(tau1)}\approx{_fmt(tau1, 3)},"
            rf"\quad \tau_e\big|_{{b_f=1}}\approx{_fmt(tau_e1, 3)},"
            rf"\quad \tau\big|_{{b_f=2}}={_tex(tau2)}\approx{_fmt(tau2, 3)},\quad b_f\big|_{{\tau=T}}={_tex(b_for_t)}"
        ),
        parts={
            "tau_bias_1": tau1,
            "tau_e_bias_1": tau_e1,
            "tau_bias_2": tau2,
            "bias_for_tau": b_for_t,
            "bias_for_100": b100,
            "left_after_100": keep100,
        },
        text={
            "tau_bias_1": _fmt(tau1, 3),
            "tau_e_bias_1": _fmt(tau_e1, 3),
            "tau_bias_2": _fmt(tau2, 3),
            "bias_for_100": f"{float(b100):.2f}",
            "f_bias_1": _fmt(p["sig_log"].subs(u, sp.E), 4),
            "left_after_100": sci_latex(keep100, 3),
        },
        symbols={"T": "a desired time constant (> 1)", "b_f": "forget-gate bias (sum of both PyTorch vectors)"},
    )


@forget_bias_one_time_constant.check(
    "torch.nn.LSTMCell (float64, zero weights, bias_ih_f = 1, then also bias_hh_f = 1): 100 steps of zero input "
    "from c_0 = 1 give c_100 = f^100; tau = 1/(1 - f) from one step; mpmath for ln 99",
    tol=1e-12,
    needs="torch",
    oracle_zh="`torch.nn.LSTMCell`（float64，权重全为零，bias_ih_f = 1，再加上 bias_hh_f = 1）："
    "从 c_0 = 1 出发以零输入运行 100 步，得 c_100 = f^100；由一步求 τ = 1/(1 − f)；用 mpmath 计算 ln 99",
)
def _() -> float:
    import torch

    p = forget_bias_one_time_constant.result.parts
    hid = 2
    cell = torch.nn.LSTMCell(1, hid, dtype=torch.float64)
    errs = []
    for both, key in ((False, "tau_bias_1"), (True, "tau_bias_2")):
        with torch.no_grad():
            for prm in cell.parameters():
                prm.zero_()
            cell.bias_ih[hid : 2 * hid] = 1.0
            if both:
                cell.bias_hh[hid : 2 * hid] = 1.0
            h, c = torch.zeros(1, hid, dtype=torch.float64), torch.ones(1, hid, dtype=torch.float64)
            h, c = cell(torch.zeros(1, 1, dtype=torch.float64), (h, c))
            f1 = float(c[0, 0])
            for _ in range(99):
                h, c = cell(torch.zeros(1, 1, dtype=torch.float64), (h, c))
        errs.append(abs(1.0 / (1.0 - f1) - float(p[key])) / float(p[key]))
        if not both:
            errs.append(abs(float(c[0, 0]) - float(p["left_after_100"])) / float(p["left_after_100"]))
    errs.append(abs(float(p["bias_for_100"]) - float(mpmath.log(99))))
    return float(max(errs))


# --- 5. the leaky unit ----------------------------------------------------------------------------------------------
@derivation(
    "leaky_unit_time_constant",
    title="Leaky unit h_t = (1 - alpha) h_{t-1} + alpha phi(a_t): dh_t/dh_{t-1} = (1 - alpha) I "
    "+ alpha diag(phi'(a_t)) W; the leak path gives (1 - alpha)^(T - t); time constant 1/alpha",
    title_zh="渗漏单元 h_t = (1 − α)h_{t−1} + α φ(a_t)：∂h_t/∂h_{t−1} = (1 − α)I + α diag(φ′(a_t))W；"
    "渗漏通路贡献 (1 − α)^(T − t)；时间常数 1/α",
)
def leaky_unit_time_constant() -> Result:
    """For h_t = (1 - alpha) h_{t-1} + alpha phi(W h_{t-1} + U x_t + b) the one-step Jacobian is
    (1 - alpha) I + alpha diag(phi'(a_t)) W; the leak path alone contributes (1 - alpha)^(T - t) I to dh_T/dh_t (all of
    it when W = 0); the time constant is 1/alpha (1/(1 - f) with f = 1 - alpha)."""
    hh = 2
    phi = sp.Function("phi")
    wm = sp.Matrix(hh, hh, lambda r, c: sp.Symbol(f"w_{r + 1}{c + 1}", real=True))
    hs = sp.Matrix(hh, 1, lambda r, _c: sp.Symbol(f"h_{r + 1}", real=True))
    z = sp.Matrix(hh, 1, lambda r, _c: sp.Symbol(f"z_{r + 1}", real=True))  # U x_t + b
    pre = wm * hs + z
    step = (1 - alpha) * hs + alpha * pre.applyfunc(phi)
    jac = step.jacobian(hs)
    dphi = sp.diag(*[sp.diff(phi(pre[r]), z[r]) for r in range(hh)])  # phi'(a_t), elementwise
    expected = (1 - alpha) * sp.eye(hh) + alpha * dphi * wm
    dphi_name = sp.Function("phi'")
    jac = replace_fprime(jac, phi, dphi_name)  # phi'(a) instead of Subs(Derivative(...)) with a random Dummy
    expected = replace_fprime(expected, phi, dphi_name)
    if sp.simplify(jac - expected) != sp.zeros(hh, hh):
        raise ArithmeticError("the leaky unit's Jacobian is not (1 - alpha) I + alpha diag(phi') W")
    leak_path = jac.subs({w: 0 for w in wm})  # W = 0: (1 - alpha) I
    if leak_path != (1 - alpha) * sp.eye(hh):
        raise ArithmeticError("with W = 0 the step Jacobian is not (1 - alpha) I")
    n_step = (1 - alpha) ** n  # product of n equal diagonal factors
    tau = gate_time_constant.result.parts["tau_f"].subs(f, 1 - alpha)  # 1/alpha
    tau_e = sp.simplify(gate_time_constant.result.parts["tau_e_f"].subs(f, 1 - alpha))
    weights_sum = sp.simplify(_converged(sp.summation(alpha * (1 - alpha) ** k, (k, 0, sp.oo))))  # = 1
    mean_lag = sp.simplify(_converged(sp.summation(k * alpha * (1 - alpha) ** k, (k, 0, sp.oo))))  # (1 - alpha)/alpha
    return Result(
        expr=sp.Tuple(jac, n_step, tau),
        latex=(
            r"\frac{\partial h_t}{\partial h_{t-1}}=(1-\alpha)I+\alpha\,\operatorname{diag}\bigl(\phi'(a_t)\bigr)W;"
            rf"\quad \frac{{\partial h_T}}{{\partial h_{{T-n}}}}\Big|_{{W=0}}={_tex(n_step)}\,I,\quad \tau={_tex(tau)}"
        ),
        parts={
            "jacobian": jac,
            "jacobian_formula": sp.Eq(
                sp.Symbol(r"\partial h_t/\partial h_{t-1}"),
                sp.Symbol(r"(1-\alpha)I+\alpha\,\operatorname{diag}(\phi'(a_t))W"),
            ),
            "leak_path_n_steps": n_step,
            "tau": tau,
            "tau_e": tau_e,
            "input_weights_sum": weights_sum,
            "mean_lag": mean_lag,
        },
        symbols={
            "alpha": "leak in (0, 1)",
            "phi": "activation",
            "a_t": "pre-activation W h_{t-1} + U x_t + b",
            "W": "recurrent weights (H = 2 in the derivation)",
            "n": "number of steps T - t",
        },
    )


@leaky_unit_time_constant.check(
    "torch autograd (float64): a leaky tanh unit with W = 0 over 60 steps (dh_T/dh_0 vs (1 - alpha)^60) and with a "
    "random 3x3 W (one-step Jacobian by torch.autograd.functional.jacobian); mpmath sums of the input weights",
    tol=1e-12,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：W = 0 的渗漏 tanh 单元运行 60 步（比较 ∂h_T/∂h_0 与 (1 − α)^60），"
    "以及随机 3×3 矩阵 W 下的一步雅可比矩阵（torch.autograd.functional.jacobian）；用 mpmath 对输入权重求和",
)
def _() -> float:
    import torch

    p = leaky_unit_time_constant.result.parts
    nstep = sp.lambdify((alpha, n), p["leak_path_n_steps"], "math")
    errs = []
    rng = np.random.default_rng(4)
    for al in (0.05, 0.3):
        xs = torch.tensor(rng.normal(size=(60, 3)))
        h0 = torch.tensor(rng.normal(size=3), requires_grad=True)

        def run(h, al=al, xs=xs):
            for xt in xs:
                h = (1 - al) * h + al * torch.tanh(xt)  # W = 0: the input drive does not depend on h
            return h

        jac = torch.autograd.functional.jacobian(run, h0)
        errs.append(float((jac - nstep(al, 60) * torch.eye(3, dtype=torch.float64)).abs().max()) / nstep(al, 60))
        w = torch.tensor(rng.normal(size=(3, 3)))
        xt = torch.tensor(rng.normal(size=3))
        hv = torch.tensor(rng.normal(size=3))
        one = torch.autograd.functional.jacobian(
            lambda h, al=al, w=w, xt=xt: (1 - al) * h + al * torch.tanh(w @ h + xt), hv
        )
        a_t = (w @ hv + xt).numpy()
        formula = (1 - al) * np.eye(3) + al * np.diag(1 - np.tanh(a_t) ** 2) @ w.numpy()
        errs.append(float(np.max(np.abs(one.numpy() - formula))))
    with mpmath.workdps(30):
        for al in (0.05, 0.3):
            am = mpmath.mpf(al)
            total = mpmath.nsum(lambda j, am=am: am * (1 - am) ** j, [0, mpmath.inf])
            lag = mpmath.nsum(lambda j, am=am: j * am * (1 - am) ** j, [0, mpmath.inf])
            errs.append(abs(total - float(p["input_weights_sum"])))
            errs.append(abs(lag - float(p["mean_lag"].subs(alpha, al))) / lag)
            errs.append(abs(1 / am - float(p["tau"].subs(alpha, al))) * am)
    return float(max(errs))


# --- figure data -----------------------------------------------------------------------------------------------------
def figure_data_chrono_cdfs(num: int = 400) -> dict[str, np.ndarray | float]:
    """Exact CDFs of the time constant tau = 1/(1 - f) at T_max = 100: chrono as published (bias in one vector), the
    same value in both PyTorch bias vectors, independent draws in each; tau on a log grid from 1.5 to
    1.2 (T_max - 1)^2."""
    p2 = chrono_time_constants.result.parts
    p3 = chrono_both_biases.result.parts
    ex = {M: EXAMPLE_TMAX}
    tm = float(EXAMPLE_TMAX)
    grid = np.geomspace(1.5, 1.2 * (tm - 1.0) ** 2, num)
    one = np.clip(sp.lambdify(t, p2["cdf_tau"].subs(ex), "numpy")(grid), 0.0, 1.0)
    same = np.clip(sp.lambdify(t, p3["cdf_same"].subs(ex), "numpy")(np.maximum(grid, 1.0)), 0.0, 1.0)
    f_ind = sp.lambdify(t, p3["cdf_indep"].subs(ex), "math")
    indep = np.array([min(max(f_ind(g), 0.0), 1.0) if g > 2.0 else 0.0 for g in grid])
    return {"tau": grid, "one_vector": one, "same_both": same, "independent_both": indep, "tmax": tm}


# --- 6. the leak that best remembers an input a given number of steps back ------------------------------------------
EXAMPLE_LAG = 9  # the lag of the page's worked exercise


@derivation(
    "leaky_unit_best_leak_for_lag",
    title="The leak that maximises the weight alpha (1 - alpha)^k of the input k steps back is alpha = 1/(k + 1): "
    "time constant k + 1, gate f = k/(k + 1), bias ln k",
    title_zh="使 k 步之前输入的权重 α(1 − α)^k 最大的渗漏率是 α = 1/(k + 1)：时间常数为 k + 1，门值 f = k/(k + 1)，"
    "偏置为 ln k",
)
def leaky_unit_best_leak_for_lag() -> Result:
    """For a leaky unit with W = 0 (an exponential moving average with leak alpha), the weight of the input k >= 1
    steps back, alpha (1 - alpha)^k, is largest at alpha = 1/(k + 1): time constant tau = k + 1, gate f = 1 - alpha =
    k/(k + 1), forget bias ln k (sigma(ln u) = u/(1 + u)); the largest weight is k^k/(k + 1)^(k + 1) ~ 1/(e (k + 1))."""
    kk = sp.Symbol("k", positive=True)  # the lag, >= 1 (real here so SymPy can solve; integer in use)
    weight = alpha * (1 - alpha) ** kk
    # dw/dalpha = (1 - alpha)^(k - 1) (1 - alpha - k alpha): the first factor vanishes only at alpha = 1 (weight 0)
    q = sp.Symbol("q", positive=True)  # 1 - alpha
    reduced = sp.expand(sp.powsimp(sp.expand(sp.diff(weight, alpha).subs(alpha, 1 - q) / q ** (kk - 1))))
    if any(e.exp.has(kk) for e in reduced.atoms(sp.Pow)):
        raise ArithmeticError(f"the derivative did not reduce: {reduced}")
    crit = [1 - c for c in sp.solve(reduced, q)]
    if len(crit) != 1:
        raise ArithmeticError(f"unexpected critical points {crit}")
    best = sp.simplify(crit[0])
    second = sp.diff(weight, alpha, 2).subs(alpha, best)
    if any(second.subs(kk, lag) >= 0 for lag in (1, 2, 9, 50)):
        raise ArithmeticError("the critical point is not a maximum")
    tau = sp.simplify(gate_time_constant.result.parts["tau_f"].subs(f, 1 - best))  # 1/(1 - f) with f = 1 - alpha
    gate = sp.simplify(1 - best)
    bias = sp.solve(sp.Eq(_sig(b), gate), b)
    if len(bias) != 1:
        raise ArithmeticError("no unique bias")
    bias = sp.expand_log(sp.simplify(bias[0]), force=True)
    top = sp.simplify(weight.subs(alpha, best))
    if sp.simplify(top - kk**kk / (kk + 1) ** (kk + 1)) != 0:  # the form the page shows (text "weight_best_tex")
        raise ArithmeticError(f"unexpected largest weight {top}")
    scaled_limit = sp.limit((kk + 1) * top, kk, sp.oo)  # (k + 1) w* -> 1/e
    lag = sp.Integer(EXAMPLE_LAG)
    ex = {key: sp.nsimplify(val.subs(kk, lag)) for key, val in (("alpha", best), ("tau", tau), ("f", gate), ("w", top))}
    return Result(
        expr=sp.Tuple(sp.Lambda(kk, best), sp.Lambda(kk, top)),
        latex=(
            rf"\max_{{0<\alpha<1}}\alpha(1-\alpha)^k\ \text{{at}}\ \alpha={_tex(best)}:\quad \tau={_tex(tau)},\ "
            rf"f={_tex(gate)},\ b_f={_tex(bias)},\ \alpha(1-\alpha)^k={_tex(top)}"
        ),
        parts={
            "weight": weight,
            "alpha_best": best,
            "tau_best": tau,
            "f_best": gate,
            "bias_best": bias,
            "weight_best": top,
            "scaled_limit": scaled_limit,
            "lag_example": lag,
            "alpha_example": ex["alpha"],
            "tau_example": ex["tau"],
            "f_example": ex["f"],
            "bias_example": bias.subs(kk, lag),
            "weight_example": ex["w"],
        },
        text={
            "weight_example": f"{float(ex['w']):.4f}",
            "bias_example": f"{float(sp.log(lag)):.3f}",
            "bias_best_tex": _tex(bias),
            "bias_example_tex": _tex(bias.subs(kk, lag)),
            "weight_best_tex": r"\frac{k^k}{(k+1)^{k+1}}",
        },
        symbols={
            "alpha": "leak in (0, 1)",
            "k": "lag in steps (k >= 1)",
            "tau": "time constant 1/alpha",
            "f": "the equivalent gate value 1 - alpha",
            "b_f": "the forget bias that gives f: sigma(b_f) = f",
        },
    )


@leaky_unit_best_leak_for_lag.check(
    "mpmath (60 digits): root of the numerical derivative of alpha (1 - alpha)^k for k = 1, 4, 9 and the weight "
    "there; (k + 1) w* at k = 10^6 against 1/e",
    tol=1e-6,
    oracle_zh="mpmath（60 位）：k = 1、4、9 时 α(1 − α)^k 数值导数的零点及该处的权重；k = 10⁶ 时 (k + 1)w* 与 1/e 比较",
)
def _() -> float:
    p = leaky_unit_best_leak_for_lag.result.parts
    kk = sp.Symbol("k", positive=True)
    errs = []
    with mpmath.workdps(60):
        for lag in (1, 4, 9):
            w = lambda a, lag=lag: a * (1 - a) ** lag  # noqa: E731
            # a bracketing solver on (0.001, 0.75), where the derivative changes sign once
            bracket = (mpmath.mpf("0.001"), mpmath.mpf("0.75"))
            root = mpmath.findroot(lambda a, w=w: mpmath.diff(w, a), bracket, solver="anderson")
            errs.append(abs(root - mpmath.mpf(str(sp.N(p["alpha_best"].subs(kk, lag), 40)))) * 1e14)
            errs.append(abs(w(root) - mpmath.mpf(str(sp.N(p["weight_best"].subs(kk, lag), 40)))) * 1e14)
        big = mpmath.mpf(10) ** 6
        a = 1 / (big + 1)
        errs.append(abs((big + 1) * a * (1 - a) ** big - mpmath.mpf(str(sp.N(p["scaled_limit"], 40)))))
    return float(max(errs))  # the 1e14 factor: roots and weights must agree to 1e-20


@leaky_unit_best_leak_for_lag.check(
    "torch autograd (float64): a leaky tanh unit with W = 0, dh_T/dx_(T-9) on a grid of 999 leaks in (0, 1); the "
    "largest is at the grid point nearest the derived leak, and the value there matches the formula",
    tol=1e-12,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：W = 0 的渗漏 tanh 单元，在 (0, 1) 内 999 个渗漏率的网格上求 ∂h_T/∂x_(T−9)；"
    "最大值出现在离推导出的渗漏率最近的网格点上，且该处的值与公式一致",
)
def _() -> float:
    import torch

    p = leaky_unit_best_leak_for_lag.result.parts
    lag = int(p["lag_example"])
    grid = np.linspace(0.001, 0.999, 999)
    al = torch.tensor(grid)
    rng = np.random.default_rng(5)
    xs = rng.normal(size=lag + 1)
    x_early = torch.full((grid.size,), float(xs[0]), dtype=torch.float64, requires_grad=True)
    h = torch.zeros(grid.size, dtype=torch.float64)
    for j in range(lag + 1):
        x = x_early if j == 0 else torch.full((grid.size,), float(xs[j]), dtype=torch.float64)
        h = (1 - al) * h + al * torch.tanh(x)
    (g,) = torch.autograd.grad(h.sum(), x_early)
    sens = g.numpy() / (1 - np.tanh(xs[0]) ** 2)  # the weight alpha (1 - alpha)^lag
    best = float(p["alpha_example"])
    nearest = int(np.argmin(np.abs(grid - best)))
    located = 0.0 if int(np.argmax(sens)) == nearest else 1.0
    formula = sp.lambdify(alpha, p["weight"].subs(sp.Symbol("k", positive=True), lag), "numpy")(grid)
    return max(located, float(np.max(np.abs(sens - formula))))
