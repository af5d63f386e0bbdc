"""Linear recurrences and state-space models: the LRU's exponential parametrisation and ring initialisation, the
forward blow-up and its normaliser, zero-order hold versus Euler, Mamba's gate identity, the backward factor of a
diagonal recurrence, and the curse of memory with and without normalisation.

Conventions: a diagonal linear recurrence is h_t = lambda h_{t-1} + x_t per channel (lambda complex, |lambda| < 1),
started at h_0 = 0; "white noise" means independent inputs x_t with mean 0 and E|x_t|^2 = 1. The LRU (Orvieto et al.
2023) writes lambda = exp(-exp(nu) + i theta) with real nu, theta, and normalises the input by
gamma = sqrt(1 - |lambda|^2). The continuous-time system is h'(t) = a h(t) + b u(t) with u constant over each step of
length Delta > 0 (zero-order hold). Jacobians are in numerator layout, dh_T/dh_t; the 2-norm is the largest singular
value. In the curse-of-memory results lambda is real.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.rnn import run_rnn
from derivations.sym import sci_latex

nu, theta = sp.symbols("nu theta", real=True)
rho = sp.Symbol("rho", nonnegative=True)  # |lambda|
q = sp.Symbol("q", positive=True)  # |lambda|^2 or lambda^2, in (0, 1)
u = sp.Symbol("u", nonnegative=True)  # U[0, 1] draw
w = sp.Symbol("w", positive=True)  # u (r_max^2 - r_min^2) + r_min^2, in (0, 1]
r = sp.Symbol("r", nonnegative=True)
r_min, r_max = sp.symbols("r_min r_max", nonnegative=True)
t = sp.Symbol("t", positive=True, integer=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
n = sp.Symbol("n", integer=True, positive=True)
lam = sp.Symbol("lambda", real=True)  # real eigenvalue in (-1, 1)
a = sp.Symbol("a", negative=True)  # continuous-time eigenvalue (stable: a < 0)
b = sp.Symbol("b", real=True)
dt = sp.Symbol("Delta", positive=True)
z = sp.Symbol("z", real=True)

RING = (sp.Rational(9, 10), sp.Rational(999, 1000))  # an example ring close to the unit circle
RING_DEFAULT = (
    sp.Integer(0),
    sp.Integer(1),
)  # the defaults of the paper's reference code (Orvieto et al. 2023, App. A)
ZOH_EXAMPLE = {"a": sp.Integer(-10), "Delta": sp.Rational(1, 4)}
T_LONG = 1000


def _geometric() -> sp.Expr:
    """sum_{n>=0} q^n for 0 < q < 1, from SymPy's summation (its convergent branch)."""
    s = sp.summation(q**k, (k, 0, sp.oo))
    if isinstance(s, sp.Piecewise):
        s = s.args[0][0]
    return s


def _orient(e: sp.Expr) -> tuple[int, sp.Expr]:
    """(s, f) with e = s f and s = +-1, every sum in f written with a positive constant term (1 - x, not x - 1)."""
    if e.is_Add:
        const = e.as_coeff_Add()[0]
        return (-1, sp.expand(-e)) if const.is_negative else (1, e)
    if e.is_Pow and e.exp.is_integer:
        sgn, base = _orient(e.base)
        return sgn ** int(e.exp), base**e.exp
    if e.is_Mul:
        sgn, parts = 1, []
        for f in e.args:
            sf, pf = _orient(f)
            sgn, parts = sgn * sf, [*parts, pf]
        return sgn, sp.Mul(*parts)
    return 1, e


def _tidy(expr: sp.Expr) -> sp.Expr:
    """The same rational expression as a quotient whose sums read 1 - x rather than x - 1 (display only; the value
    is unchanged, which is checked)."""
    num, den = sp.fraction(sp.together(expr))
    (sn, num), (sd, den) = _orient(num), _orient(den)
    out = sn * sd * num / den
    if sp.simplify(out - expr) != 0:
        raise ArithmeticError("_tidy changed the expression")
    return out


def _sample_ring(rng: np.random.Generator, size: int, rmin: float, rmax: float) -> np.ndarray:
    """The paper's reference sampling (Orvieto et al. 2023, App. A): nu_log = log(-1/2 log(u1 (rmax^2 - rmin^2) +
    rmin^2)), theta = 2 pi u2; returns lambda = exp(-exp(nu_log) + i theta)."""
    u1, u2 = rng.uniform(size=size), rng.uniform(size=size)
    nu_log = np.log(-0.5 * np.log(u1 * (rmax**2 - rmin**2) + rmin**2))
    return np.exp(-np.exp(nu_log) + 1j * 2 * np.pi * u2)


# --- the exponential parametrisation ------------------------------------------------------------------------------
@derivation(
    "lru_exponential_parametrisation",
    title="LRU: lambda = exp(-exp(nu) + i theta) has |lambda| = exp(-exp(nu)) in (0, 1) for every real nu",
    title_zh="LRU：λ = exp(−e^ν + iθ) 的模 |λ| = exp(−e^ν)，对一切实数 ν 都落在 (0, 1) 内",
)
def lru_exponential_parametrisation() -> Result:
    """|lambda| = exp(-e^nu) for lambda = exp(-e^nu + i theta) with real nu, theta: strictly decreasing in nu,
    tending to 1 as nu -> -inf and to 0 as nu -> +inf, so 0 < |lambda| < 1 for every real nu (exact arithmetic)."""
    lam_c = sp.exp(-sp.exp(nu) + sp.I * theta)
    modulus = sp.simplify(sp.Abs(lam_c))
    dmod = sp.diff(modulus, nu)
    if not dmod.is_negative:
        raise ArithmeticError("|lambda| is not strictly decreasing in nu")
    lim_lo, lim_hi = sp.limit(modulus, nu, -sp.oo), sp.limit(modulus, nu, sp.oo)
    if (lim_lo, lim_hi) != (1, 0):
        raise ArithmeticError("unexpected limits of |lambda|")
    rr = sp.Symbol("r", positive=True)
    (nu_of_r,) = sp.solve(sp.Eq(modulus, rr), nu)
    # float64: exp(-eps) rounds to 1.0 once eps < 2^-54 (half the spacing 2^-53 of the doubles just below 1)
    nu_one = sp.solve(sp.Eq(sp.exp(nu), sp.Rational(1, 2**54)), nu)[0]
    return Result(
        expr=sp.Lambda(nu, modulus),
        latex=rf"\lambda=e^{{-e^{{\nu}}+i\theta}},\quad |\lambda|={sp.latex(modulus)}\in(0,1)",
        parts={
            "lambda": lam_c,
            "modulus": modulus,
            "dmodulus_dnu": dmod,
            "nu_of_r": nu_of_r,
            "nu_rounds_to_one": nu_one,
        },
        text={"nu_rounds_to_one": f"{float(nu_one):.2f}"},
        symbols={"nu": "real parameter", "theta": "real phase", "r": "target modulus in (0, 1)"},
    )


@lru_exponential_parametrisation.check(
    "numpy complex exp on a grid of nu and random theta (float64); 1 - |lambda| > 0 at nu = -1000 by mpmath "
    "(50 digits, expm1); where float64 rounds |lambda| to 1",
    tol=1e-13,
    oracle_zh="NumPy 复指数在 ν 网格与随机 θ 上计算（float64）；用 mpmath（50 位，expm1）验证 ν = −1000 处 "
    "1 − |λ| > 0；并求出 float64 开始把 |λ| 舍入为 1 的 ν",
)
def _() -> float:
    p = lru_exponential_parametrisation.result.parts
    mod = sp.lambdify(nu, p["modulus"], "numpy")
    inv = sp.lambdify(sp.Symbol("r", positive=True), p["nu_of_r"], "numpy")
    rng = np.random.default_rng(0)
    nus = np.linspace(-30.0, 3.0, 331)
    lam_np = np.exp(-np.exp(nus) + 1j * rng.uniform(-np.pi, np.pi, nus.size))
    err = float(np.max(np.abs(np.abs(lam_np) - mod(nus))))
    err = max(err, float(np.max(np.abs(inv(np.abs(lam_np[nus > -20])) - nus[nus > -20]) * 1e-6)))
    err = max(err, float(np.any(np.abs(lam_np) >= 1.0)), float(np.any(np.diff(np.abs(lam_np)) >= 0)))
    with mpmath.workdps(50):
        gap = -mpmath.expm1(-mpmath.exp(-1000))  # 1 - |lambda|, about 5e-435, without cancellation
        err = max(err, float(gap <= 0))
    nu1 = float(p["nu_rounds_to_one"])
    # one unit of nu either side (e^nu changes by a factor e): clear of any last-bit difference between exp's
    for ex in (np.exp, math.exp):
        err = max(err, float(ex(-ex(nu1 - 1.0)) != 1.0), float(ex(-ex(nu1 + 1.0)) == 1.0))
    return err


@lru_exponential_parametrisation.check(
    "central finite differences of |lambda| in nu, float64 (h = 1e-6)",
    tol=1e-8,
    oracle_zh="|λ| 对 ν 的中心差分，float64（步长 1e-6）",
)
def _() -> float:
    d = sp.lambdify(nu, lru_exponential_parametrisation.result.parts["dmodulus_dnu"], "numpy")
    x = np.linspace(-5.0, 2.0, 71)
    h = 1e-6
    fd = (np.abs(np.exp(-np.exp(x + h))) - np.abs(np.exp(-np.exp(x - h)))) / (2 * h)
    return float(np.max(np.abs(fd - d(x))))


# --- ring initialisation ------------------------------------------------------------------------------------------
@derivation(
    "lru_ring_init",
    title="LRU ring initialisation: |lambda|^2 = u (r_max^2 - r_min^2) + r_min^2 is uniform, so |lambda| is not; "
    "E|lambda|^2 = (r_min^2 + r_max^2)/2",
    title_zh="LRU 的圆环初始化：|λ|² = u(r_max² − r_min²) + r_min² 服从均匀分布，|λ| 本身则不是；"
    "E|λ|² = (r_min² + r_max²)/2",
)
def lru_ring_init() -> Result:
    """With u ~ U[0, 1] and nu = log(-1/2 log(u (r_max^2 - r_min^2) + r_min^2)), |lambda|^2 = exp(-2 e^nu) is affine
    in u, hence uniform on [r_min^2, r_max^2] (uniform in area on the ring); |lambda| has density
    2r/(r_max^2 - r_min^2)."""
    w_of_u = u * (r_max**2 - r_min**2) + r_min**2
    nu_init = sp.log(-sp.log(w) / 2)
    sq_mod = sp.simplify(sp.exp(-2 * sp.exp(nu_init)))  # |lambda|^2 as a function of w
    if sq_mod != w:
        raise ArithmeticError("|lambda|^2 is not w")
    sq_mod_u = sq_mod.subs(w, w_of_u)
    if sp.diff(sq_mod_u, u, 2) != 0:
        raise ArithmeticError("|lambda|^2 is not affine in u")
    (u_at_r,) = sp.solve(sp.Eq(sq_mod_u, r**2), u)  # |lambda| <= r  <=>  u <= u_at_r (increasing in u)
    cdf = sp.simplify(u_at_r)
    pdf = sp.simplify(sp.diff(cdf, r))
    mean_sq = sp.factor(sp.integrate(sq_mod_u, (u, 0, 1)))
    mean_mod = sp.factor(sp.simplify(sp.integrate(sp.sqrt(sq_mod_u), (u, 0, 1))))
    s_ = sp.Symbol("s", positive=True)  # s = 1 - |lambda|^2 > 0 (r_max < 1)
    mean_blowup = sp.logcombine(sp.integrate(1 / s_, (s_, 1 - r_max**2, 1 - r_min**2)), force=True) / (
        r_max**2 - r_min**2
    )
    ex = dict(zip((r_min, r_max), RING, strict=True))
    dflt = dict(zip((r_min, r_max), RING_DEFAULT, strict=True))
    cdf_default_half = cdf.subs(dflt).subs(r, sp.Rational(1, 2))
    cdf_default_09 = cdf.subs(dflt).subs(r, sp.Rational(9, 10))
    return Result(
        expr=sp.Tuple(sp.Lambda(u, sq_mod_u), sp.Lambda(r, cdf)),
        latex=rf"|\lambda|^2={sp.latex(sq_mod_u)}\sim U[r_{{\min}}^2,r_{{\max}}^2]",
        parts={
            "nu_init": nu_init,
            "sq_modulus": sq_mod_u,
            "cdf": cdf,
            "pdf": pdf,
            "mean_sq": mean_sq,
            "mean_modulus": mean_mod,
            "mean_blowup": mean_blowup,
            "mean_sq_example": mean_sq.subs(ex),
            "mean_modulus_example": mean_mod.subs(ex),
            "mean_blowup_example": mean_blowup.subs(ex),
            "cdf_default_half": cdf_default_half,
            "cdf_default_0.9": cdf_default_09,
        },
        text={
            "ring_example": rf"[{sp.latex(RING[0])},\ {sp.latex(RING[1])}]",
            "mean_sq_example": f"{float(mean_sq.subs(ex)):.4f}",
            "mean_blowup_example": f"{float(mean_blowup.subs(ex)):.1f}",
            "mean_blowup_display": r"\mathbb{E}\Bigl[\frac{1}{1-|\lambda|^2}\Bigr]=" + sp.latex(mean_blowup),
            "cdf_default_half": sp.latex(cdf_default_half),
            "cdf_default_0.9": sp.latex(cdf_default_09),
        },
        symbols={
            "u": "U[0, 1] draw",
            "w": "u (r_max^2 - r_min^2) + r_min^2",
            "r": "a radius in [r_min, r_max]",
            "r_min, r_max": "radii of the ring, 0 <= r_min < r_max <= 1",
        },
    )


@lru_ring_init.check(
    "seeded Monte Carlo with the paper's numpy sampling code, 200000 draws: CDF of |lambda| (DKW bound 0.008 at "
    "probability 1e-9 of a false alarm) and the means",
    tol=8e-3,
    oracle_zh="用论文的 NumPy 采样代码做固定随机种子的蒙特卡罗，200000 次抽样：|λ| 的分布函数（DKW 界 0.008，"
    "误报概率 1e-9）以及各均值",
)
def _() -> float:
    p = lru_ring_init.result.parts
    worst = 0.0
    for rmin, rmax in ((0.0, 1.0), (0.9, 0.999), (0.5, 0.95)):
        vals = {r_min: rmin, r_max: rmax}
        lam_np = _sample_ring(np.random.default_rng(3), 200_000, rmin, rmax)
        m = np.sort(np.abs(lam_np))
        cdf = sp.lambdify(r, p["cdf"].subs(vals), "numpy")
        ecdf = np.arange(1, m.size + 1) / m.size
        worst = max(worst, float(np.max(np.abs(ecdf - cdf(m)))))
        worst = max(worst, abs(float(np.mean(m**2)) - float(p["mean_sq"].subs(vals))))
        worst = max(worst, abs(float(np.mean(m)) - float(p["mean_modulus"].subs(vals))))
    return worst


@lru_ring_init.check(
    "mpmath quadrature at 30 digits of the moments of the area-uniform ring, E|lambda|, E|lambda|^2, "
    "E[1/(1 - |lambda|^2)] (polar coordinates)",
    tol=1e-20,
    oracle_zh="用 mpmath（30 位）在极坐标下对面积均匀的圆环做数值积分，求 E|λ|、E|λ|²、E[1/(1 − |λ|²)]",
)
def _() -> float:
    p = lru_ring_init.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(30):
        for rmin, rmax in ((mpmath.mpf(0), mpmath.mpf(1) / 2), (mpmath.mpf("0.9"), mpmath.mpf("0.999"))):
            area = mpmath.pi * (rmax**2 - rmin**2)

            def avg(f, lo=rmin, hi=rmax, ar=area):
                return 2 * mpmath.pi * mpmath.quad(lambda s: f(s) * s, [lo, hi]) / ar

            vals = {r_min: sp.Float(str(rmin), 30), r_max: sp.Float(str(rmax), 30)}
            for part, f in (
                ("mean_modulus", lambda s: s),
                ("mean_sq", lambda s: s**2),
                ("mean_blowup", lambda s: 1 / (1 - s**2)),
            ):
                exact = mpmath.mpf(str(sp.N(p[part].subs(vals), 30)))
                worst = max(worst, abs(avg(f) - exact) / abs(exact))
    return float(worst)


# --- forward blow-up and the normaliser ---------------------------------------------------------------------------
@derivation(
    "lru_forward_blowup",
    title="h_t = lambda h_{t-1} + x_t under white noise: E|h_t|^2 = (1 - |lambda|^{2t})/(1 - |lambda|^2) -> "
    "1/(1 - |lambda|^2); gamma = sqrt(1 - |lambda|^2) makes the limit 1",
    title_zh="白噪声输入下 h_t = λh_{t−1} + x_t：E|h_t|² = (1 − |λ|^{2t})/(1 − |λ|²) → 1/(1 − |λ|²)；"
    "乘以 γ = √(1 − |λ|²) 后极限为 1",
)
def lru_forward_blowup() -> Result:
    """E|h_t|^2 = sum_{k<t} |lambda|^{2k} for h_0 = 0 and independent inputs with mean 0, E|x|^2 = 1 (the cross terms
    vanish); it increases to 1/(1 - |lambda|^2); the LRU's gamma = sqrt(1 - |lambda|^2) on the input makes it 1."""
    finite = sp.summation(q**k, (k, 0, t - 1))
    if isinstance(finite, sp.Piecewise):  # the branch q = 1 is excluded (|lambda| < 1)
        finite = next(e for e, c in finite.args if c == sp.true)
    finite = _tidy(finite)
    s_ = sp.Symbol("s", positive=True)  # q = exp(-s), 0 < q < 1
    limit = _tidy(sp.limit(finite.subs(q, sp.exp(-s_)), t, sp.oo).subs(s_, -sp.log(q)))
    gamma = sp.sqrt(1 - rho**2)
    normalised = sp.simplify(gamma**2 * limit.subs(q, rho**2))
    if normalised != 1:
        raise ArithmeticError("the normalised limit is not 1")
    return Result(
        expr=sp.Lambda((rho, t), finite.subs(q, rho**2)),
        latex=(
            r"\mathbb{E}|h_t|^2=" + sp.latex(finite.subs(q, rho**2)) + r"\;\xrightarrow[t\to\infty]{}\;"
            rf"{sp.latex(limit.subs(q, rho**2))},\quad \rho=|\lambda|"
        ),
        parts={
            "finite": finite.subs(q, rho**2),
            "limit": limit.subs(q, rho**2),
            "gamma": gamma,
            "normalised_limit": normalised,
        },
        text={"limit_0.99": f"{float(limit.subs(q, sp.Rational(99, 100) ** 2)):.2f}"},
        symbols={"rho": "|lambda| in [0, 1)", "t": "steps since h_0 = 0"},
    )


@lru_forward_blowup.check(
    "variance recursion v_t = |lambda|^2 v_{t-1} + 1 iterated in float64, 1 <= t <= 3000",
    tol=1e-12,
    oracle_zh="在 float64 中迭代方差递推 v_t = |λ|² v_{t−1} + 1，1 ≤ t ≤ 3000",
)
def _() -> float:
    p = lru_forward_blowup.result.parts
    f = sp.lambdify((rho, t), p["finite"], "numpy")
    lim = sp.lambdify(rho, p["limit"], "numpy")
    worst = 0.0
    for rv in (0.3, 0.9, 0.99, 0.999):
        v = 0.0
        for tt in range(1, 3001):
            v = rv**2 * v + 1.0
            if tt in (1, 2, 10, 100, 3000):
                worst = max(worst, abs(v - f(rv, tt)) / v)
        if rv < 0.999:
            worst = max(worst, abs(v - lim(rv)) / v)
    return worst


@lru_forward_blowup.check(
    "seeded Monte Carlo: 20000 complex white-noise sequences, |lambda| = 0.95, t = 300, with and without gamma "
    "(relative standard error 0.7 %; tolerance 4 %)",
    tol=0.04,
    oracle_zh="固定随机种子的蒙特卡罗：20000 条复白噪声序列，|λ| = 0.95，t = 300，分别带与不带 γ"
    "（相对标准误 0.7%，容差 4%）",
)
def _() -> float:
    p = lru_forward_blowup.result.parts
    rng = np.random.default_rng(5)
    lam_c = 0.95 * np.exp(1j * 0.7)
    gam = float(p["gamma"].subs(rho, sp.Rational(95, 100)))
    h = np.zeros(20_000, dtype=complex)
    for _ in range(300):
        x = (rng.normal(size=h.size) + 1j * rng.normal(size=h.size)) / np.sqrt(2.0)
        h = lam_c * h + x
    e_h = float(np.mean(np.abs(h) ** 2))
    e_n = float(np.mean(np.abs(gam * h) ** 2))
    lim = float(p["limit"].subs(rho, sp.Rational(95, 100)))
    return max(abs(e_h - lim) / lim, abs(e_n - float(p["normalised_limit"])))


# --- zero-order hold versus Euler ---------------------------------------------------------------------------------
@derivation(
    "zoh_discretisation",
    title="Zero-order hold: a_bar = exp(Delta a), b_bar = (exp(Delta a) - 1) b / a; Euler: 1 + Delta a, Delta b, "
    "unstable for Delta > 2/|a|",
    title_zh="零阶保持：ā = exp(Δa)，b̄ = (exp(Δa) − 1)b/a；欧拉法：1 + Δa、Δb，当 Δ > 2/|a| 时不稳定",
)
def zoh_discretisation() -> Result:
    """Exact solution of h' = a h + b u over one step of length Delta with u held constant: h(Delta) = a_bar h(0) +
    b_bar u with a_bar = e^{Delta a}, b_bar = (Delta a)^{-1}(e^{Delta a} - 1) Delta b (one diagonal entry, a < 0);
    forward Euler gives 1 + Delta a and Delta b, and |1 + Delta a| < 1 exactly when Delta < 2/|a|."""
    tt = sp.Symbol("t", nonnegative=True)
    h = sp.Function("h")
    h0, uu = sp.symbols("h_0 u_0", real=True)
    sol = sp.dsolve(sp.Eq(h(tt).diff(tt), a * h(tt) + b * uu), h(tt), ics={h(0): h0}).rhs
    end = sp.expand(sol.subs(tt, dt))
    a_bar = sp.simplify(end.coeff(h0))
    b_bar = sp.simplify(end.coeff(uu))
    paper_form = (dt * a) ** -1 * (sp.exp(dt * a) - 1) * dt * b  # (Delta A)^{-1}(exp(Delta A) - I) Delta B, diagonal
    if sp.simplify(b_bar - paper_form) != 0 or sp.simplify(a_bar - sp.exp(dt * a)) != 0:
        raise ArithmeticError("ODE solution differs from the ZOH formulas")
    a_eul, b_eul = 1 + dt * a, dt * b
    gap = sp.series(a_bar - a_eul, dt, 0, 3).removeO()
    (threshold,) = sp.solve(sp.Eq(a_eul, -1), dt)  # 1 + Delta a decreases through -1 at Delta = -2/a
    ex = {a: ZOH_EXAMPLE["a"], dt: ZOH_EXAMPLE["Delta"]}
    return Result(
        expr=sp.Tuple(sp.Lambda((a, dt), a_bar), sp.Lambda((a, b, dt), b_bar)),
        latex=rf"\bar a={sp.latex(a_bar)},\quad \bar b={sp.latex(b_bar)}",
        parts={
            "a_bar": a_bar,
            "b_bar": b_bar,
            "paper_form": paper_form,
            "a_euler": a_eul,
            "b_euler": b_eul,
            "gap_a": gap,
            "euler_threshold": threshold,
            "a_bar_example": a_bar.subs(ex),
            "a_euler_example": a_eul.subs(ex),
        },
        text={
            "example": rf"a={sp.latex(ZOH_EXAMPLE['a'])},\ \Delta={sp.latex(ZOH_EXAMPLE['Delta'])}",
            "a_euler_example": sp.latex(a_eul.subs(ex)),
            "a_bar_example": f"{float(a_bar.subs(ex)):.4f}",
            "threshold_example": sp.latex(threshold.subs(ex)),
        },
        symbols={"a": "eigenvalue of A (< 0)", "b": "input weight", "Delta": "step length (> 0)"},
    )


@zoh_discretisation.check(
    "mpmath.expm (30 digits) of the augmented matrix Delta [[A, B], [0, 0]] for a diagonal 3 x 3 A (Van Loan)",
    tol=1e-12,
    oracle_zh="用 mpmath.expm（30 位）对增广矩阵 Δ[[A, B], [0, 0]] 求矩阵指数，A 为 3 × 3 对角阵",
)
def _() -> float:
    p = zoh_discretisation.result.parts
    fa = sp.lambdify((a, dt), p["a_bar"], "mpmath")
    fb = sp.lambdify((a, b, dt), p["b_bar"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(30):
        for step in (mpmath.mpf("0.01"), mpmath.mpf("0.3"), mpmath.mpf(2)):
            diag = [mpmath.mpf(-3), mpmath.mpf("-0.5"), mpmath.mpf(-20)]
            bv = [mpmath.mpf(1), mpmath.mpf(-2), mpmath.mpf("0.5")]
            m = mpmath.zeros(4, 4)
            for i in range(3):
                m[i, i], m[i, 3] = diag[i] * step, bv[i] * step
            e = mpmath.expm(m)
            for i in range(3):
                worst = max(worst, abs(e[i, i] - fa(diag[i], step)), abs(e[i, 3] - fb(diag[i], bv[i], step)))
    return float(worst)


@zoh_discretisation.check(
    "classical Runge-Kutta (4th order, 2000 substeps per step) on h' = a h + b u with piecewise-constant u, "
    "20 steps, float64",
    tol=1e-10,
    oracle_zh="对 h' = ah + bu（u 分段常数）用经典四阶龙格-库塔法积分 20 步，每步 2000 个子步，float64",
)
def _() -> float:
    p = zoh_discretisation.result.parts
    fa = sp.lambdify((a, dt), p["a_bar"], "numpy")
    fb = sp.lambdify((a, b, dt), p["b_bar"], "numpy")
    rng = np.random.default_rng(7)
    us = rng.normal(size=20)
    av, bv, step, sub = -4.0, 1.5, 0.3, 2000
    hz, hr = 0.7, 0.7
    worst = 0.0
    for uk in us:
        hz = fa(av, step) * hz + fb(av, bv, step) * uk
        dd = step / sub
        for _ in range(sub):
            k1 = av * hr + bv * uk
            k2 = av * (hr + dd / 2 * k1) + bv * uk
            k3 = av * (hr + dd / 2 * k2) + bv * uk
            k4 = av * (hr + dd * k3) + bv * uk
            hr += dd / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        worst = max(worst, abs(hz - hr))
    return worst


@zoh_discretisation.check(
    "Euler iterated in float64 at 0.999, 1 and 1.001 times the threshold: per-step factor below, at and above 1",
    tol=1e-12,
    oracle_zh="在阈值的 0.999、1、1.001 倍处用 float64 迭代欧拉法：每步放大倍数分别小于、等于、大于 1",
)
def _() -> float:
    p = zoh_discretisation.result.parts
    worst = 0.0
    for av in (-10.0, -0.5, -123.0):
        thr = float(p["euler_threshold"].subs(a, av))
        rates = []
        for f in (0.999, 1.0, 1.001):
            h = 1.0
            for _ in range(50):
                h_new = h + f * thr * av * h
                rate, h = abs(h_new / h), h_new
            rates.append(rate)
        worst = max(worst, max(0.0, rates[0] - 1 + 1e-4), abs(rates[1] - 1), max(0.0, 1 + 1e-4 - rates[2]))
    return worst


# --- Mamba's Theorem 1 --------------------------------------------------------------------------------------------
@derivation(
    "mamba_gate_identity",
    title="Mamba, Theorem 1: N = 1, A = -1, B = 1, Delta = softplus(z) under zero-order hold give "
    "h_t = (1 - sigma(z)) h_{t-1} + sigma(z) x_t",
    title_zh="Mamba 定理 1：N = 1、A = −1、B = 1、Δ = softplus(z)，按零阶保持离散化后 "
    "h_t = (1 − σ(z))h_{t−1} + σ(z)x_t",
)
def mamba_gate_identity() -> Result:
    """With A = -1, B = 1 and Delta = softplus(z) = log(1 + e^z): a_bar = exp(-Delta) = 1 - sigma(z) and the
    zero-order-hold b_bar = 1 - exp(-Delta) = sigma(z), the logistic sigmoid; an Euler input term Delta B gives
    softplus(z) instead."""
    delta = sp.log(1 + sp.exp(z))
    aa, bb = -1, 1
    a_bar = sp.simplify(sp.exp(delta * aa))
    b_bar = sp.simplify((delta * aa) ** -1 * (sp.exp(delta * aa) - 1) * delta * bb)
    gate = 1 / (1 + sp.exp(-z))
    if sp.simplify(a_bar - (1 - gate)) != 0 or sp.simplify(b_bar - gate) != 0:
        raise ArithmeticError("the identity 1 - exp(-softplus(z)) = sigmoid(z) failed")
    b_euler = delta * bb
    return Result(
        expr=sp.Tuple(sp.Lambda(z, a_bar), sp.Lambda(z, b_bar)),
        latex=(
            rf"\bar a=e^{{-\operatorname{{softplus}}(z)}}={sp.latex(a_bar)}=1-\sigma(z),\quad "
            rf"\bar b=1-e^{{-\operatorname{{softplus}}(z)}}=\sigma(z)"
        ),
        parts={
            "a_bar": a_bar,
            "b_bar": b_bar,
            "gate": gate,
            "b_euler": b_euler,
            "b_euler_at_0": b_euler.subs(z, 0),
            "b_bar_at_0": sp.simplify(b_bar.subs(z, 0)),
        },
        text={"b_euler_at_0": f"{float(b_euler.subs(z, 0)):.4f}"},
        symbols={"z": "the input-dependent pre-activation of Delta (Linear(x_t) in the paper)"},
    )


@mamba_gate_identity.check(
    "torch float64: F.softplus, torch.exp and torch.sigmoid on z in [-15, 15], and a 50-step selective-scan "
    "recurrence (exp(Delta A) h + ZOH input) against the gated form",
    tol=1e-13,
    needs="torch",
    oracle_zh="torch（float64）：在 z ∈ [−15, 15] 上用 F.softplus、torch.exp、torch.sigmoid 计算，"
    "并把 50 步选择性扫描递推（exp(ΔA)h 加零阶保持输入项）与门控形式对比",
)
def _() -> float:
    import torch
    import torch.nn.functional as F

    p = mamba_gate_identity.result.parts
    zz = torch.linspace(-15, 15, 301, dtype=torch.float64)
    d = F.softplus(zz)
    fa = sp.lambdify(z, p["a_bar"], "numpy")
    fb = sp.lambdify(z, p["b_bar"], "numpy")
    err = max(
        float((torch.exp(-d) - torch.tensor(fa(zz.numpy()))).abs().max()),
        float(((1 - torch.exp(-d)) - torch.tensor(fb(zz.numpy()))).abs().max()),
    )
    g = torch.Generator().manual_seed(0)
    zs, xs = torch.randn(50, generator=g, dtype=torch.float64) * 3, torch.randn(50, generator=g, dtype=torch.float64)
    h_ssm, h_gate = torch.zeros((), dtype=torch.float64), torch.zeros((), dtype=torch.float64)
    for zt, xt in zip(zs, xs, strict=True):
        dl = F.softplus(zt)
        h_ssm = torch.exp(-dl) * h_ssm + (1 - torch.exp(-dl)) * xt
        gt = torch.sigmoid(zt)
        h_gate = (1 - gt) * h_gate + gt * xt
        err = max(err, float((h_ssm - h_gate).abs()))
    return err


@mamba_gate_identity.check(
    "mpmath at 40 digits: 1 - exp(-log(1 + e^z)) against 1/(1 + e^-z), and log(1 + e^z) at z = 0",
    tol=1e-25,
    oracle_zh="mpmath（40 位）：比较 1 − exp(−log(1 + e^z)) 与 1/(1 + e^−z)，并计算 z = 0 处的 log(1 + e^z)",
)
def _() -> float:
    p = mamba_gate_identity.result.parts
    worst = mpmath.mpf(0)
    with mpmath.workdps(40):
        fb = sp.lambdify(z, p["b_bar"], "mpmath")
        for zv in (-30, -3, -0.5, 0, 0.25, 2, 12):
            zm = mpmath.mpf(zv)
            ref = 1 / (1 + mpmath.exp(-zm))
            worst = max(
                worst, abs(1 - mpmath.exp(-mpmath.log(1 + mpmath.exp(zm))) - ref) / ref, abs(fb(zm) - ref) / ref
            )
        worst = max(worst, abs(mpmath.log(2) - mpmath.mpf(str(sp.N(p["b_euler_at_0"], 40)))))
    return float(worst)


# --- BPTT factor of a diagonal linear recurrence ------------------------------------------------------------------
@derivation(
    "diagonal_bptt_factor",
    title="Diagonal linear recurrence: dh_T/dh_t = diag(lambda)^{T-t}, singular values |lambda_i|^{T-t}; "
    "no activation derivative",
    title_zh="对角线性循环：∂h_T/∂h_t = diag(λ)^{T−t}，奇异值为 |λ_i|^{T−t}；不含激活函数的导数",
)
def diagonal_bptt_factor() -> Result:
    """For h_t = diag(lambda) h_{t-1} + B x_t, each step's Jacobian is diag(lambda) whatever the input, so
    dh_T/dh_t = diag(lambda_i^{T-t}) with singular values |lambda_i|^{T-t} (the matrix is normal); a tanh RNN's step
    Jacobian diag(1 - h_t^2) W carries the input-dependent factor 1 - h_t^2 <= 1."""
    l1, l2 = sp.symbols("lambda_1 lambda_2")
    hv = sp.Matrix(sp.symbols("h_1 h_2"))
    xv = sp.Matrix(sp.symbols("x_1 x_2", real=True))
    bm = sp.Matrix(2, 2, sp.symbols("B_11 B_12 B_21 B_22", real=True))
    lin_step = sp.diag(l1, l2) * hv + bm * xv
    j_lin = lin_step.jacobian(hv)
    m_ = sp.Symbol("m", integer=True, positive=True)  # m = T - t
    j_pow = sp.simplify(j_lin**m_)
    l1r, l2r = sp.symbols("lambda_1 lambda_2", real=True)  # singular values for real lambda (modulus otherwise)
    jr = j_pow.subs({l1: l1r, l2: l2r})
    sing = sorted({sp.sqrt(e) for e in (jr.T * jr).eigenvals()}, key=sp.default_sort_key)
    wm = sp.Matrix(2, 2, sp.symbols("W_11 W_12 W_21 W_22", real=True))
    hr = sp.Matrix(sp.symbols("h_1 h_2", real=True))
    pre = wm * hr + bm * xv
    j_tanh = pre.applyfunc(sp.tanh).jacobian(hr)
    vanish = sp.Rational(9, 10) ** T_LONG
    return Result(
        expr=sp.Lambda(m_, j_pow),
        latex=(
            r"\frac{\partial h_T}{\partial h_t}=" + sp.latex(j_pow.subs(m_, sp.Symbol("T-t"))) + r",\quad "
            r"\sigma_i=|\lambda_i|^{T-t}"
        ),
        parts={
            "step_jacobian": j_lin,
            "product": j_pow,
            "singular_values_real": sp.Tuple(*sing),
            "tanh_step_jacobian": j_tanh,
            "vanish_0.9_1000": vanish,
        },
        text={
            "vanish_0.9_1000": sp.latex(sp.Float(vanish, 3)).replace(r"\cdot", r"\times"),
            "keep_0.999_1000": f"{0.999**T_LONG:.3f}",
            "T": str(T_LONG),
        },
        symbols={"lambda_i": "diagonal entries (eigenvalues)", "m": "T - t", "W": "tanh RNN recurrent matrix"},
    )


@diagonal_bptt_factor.check(
    "torch.autograd.functional.jacobian (float64) of h_200 with respect to h_0 through 200 steps with inputs",
    tol=1e-13,
    needs="torch",
    oracle_zh="torch.autograd.functional.jacobian（float64）：经过 200 个带输入的时间步，求 h_200 对 h_0 的雅可比矩阵",
)
def _() -> float:
    import torch

    prod = diagonal_bptt_factor.result.parts["product"]
    l1, l2 = sp.symbols("lambda_1 lambda_2")
    f = sp.lambdify((l1, l2, sp.Symbol("m", integer=True, positive=True)), prod, "numpy")
    g = torch.Generator().manual_seed(1)
    lam_t = torch.tensor([0.99, -0.95], dtype=torch.float64)
    bm = torch.randn(2, 2, generator=g, dtype=torch.float64)
    xs = torch.randn(200, 2, generator=g, dtype=torch.float64)

    def run(h0):
        h = h0
        for x in xs:
            h = lam_t * h + bm @ x
        return h

    jac = torch.autograd.functional.jacobian(run, torch.zeros(2, dtype=torch.float64))
    return float(np.max(np.abs(jac.numpy() - np.array(f(0.99, -0.95, 200), dtype=float))))


@diagonal_bptt_factor.check(
    "numpy SVD of the product of 500 complex diagonal step Jacobians against the moduli |lambda_i|^500; mpmath for "
    "0.9^1000",
    tol=1e-12,
    oracle_zh="NumPy 对 500 个复对角单步雅可比矩阵之积做奇异值分解，与 |λ_i|^500 对比；0.9^1000 用 mpmath 计算",
)
def _() -> float:
    p = diagonal_bptt_factor.result.parts
    rng = np.random.default_rng(2)
    lam_c = rng.uniform(0.95, 0.999, 6) * np.exp(1j * rng.uniform(-np.pi, np.pi, 6))
    m = np.eye(6, dtype=complex)
    for _ in range(500):
        m = np.diag(lam_c) @ m
    sv = np.sort(np.linalg.svd(m, compute_uv=False))
    l1r, l2r = sp.symbols("lambda_1 lambda_2", real=True)
    fs = sp.lambdify((l1r, l2r, sp.Symbol("m", integer=True, positive=True)), p["singular_values_real"], "numpy")
    # the derived singular values for real lambda are |lambda_i|^m: evaluate them at the moduli
    mods = np.abs(lam_c)
    derived = np.sort(np.concatenate([np.array(fs(mods[i], mods[i + 1], 500), dtype=float) for i in (0, 2, 4)]))
    err = float(np.max(np.abs(sv - derived) / derived))
    with mpmath.workdps(30):
        err = max(
            err,
            float(
                abs(mpmath.mpf("0.9") ** 1000 - mpmath.mpf(str(sp.N(p["vanish_0.9_1000"], 30))))
                / mpmath.mpf("0.9") ** 1000
            ),
        )
    return err


@functools.cache
def figure_data_gradient_norms(steps: int = T_LONG, width: int = 32, seed: int = 0) -> dict[str, np.ndarray]:
    """||dh_T/dh_{T-k}||_2 for k = 1..steps: LRU-style diagonal recurrences with eigenvalues from the ring
    initialisation on [0.9, 0.999] and on [0.5, 0.95] (exactly max_i |lambda_i|^k), and a tanh RNN h_t = tanh(W h_{t-1}
    + U x_t) with orthogonal W (all singular values 1), U entries N(0, 1/width), inputs N(0, 1), seeded."""
    rng = np.random.default_rng(seed)
    ks = np.arange(1, steps + 1)
    out = {"k": ks}
    for key, (lo, hi) in (("lru_near_one", (0.9, 0.999)), ("lru_moderate", (0.5, 0.95))):
        mods = np.abs(_sample_ring(rng, width, lo, hi))
        out[key] = np.max(mods) ** ks.astype(float)
    wq = np.linalg.qr(rng.normal(size=(width, width)))[0]
    uu = rng.normal(size=(width, width)) / np.sqrt(width)
    xs = rng.normal(size=(steps, width))
    _, _, jacs = run_rnn(wq, uu, np.zeros(width), xs, np.zeros(width), "tanh")
    prod = np.eye(width)
    norms = np.empty(steps)
    for i in range(steps):  # dh_T/dh_{T-k} = J_T J_{T-1} ... J_{T-k+1}
        prod = prod @ jacs[steps - 1 - i]
        norms[i] = np.linalg.norm(prod, 2)
    out["tanh_orthogonal"] = norms
    return out


# --- the curse of memory ------------------------------------------------------------------------------------------
def _series_sums() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """S0 = sum_{n>=0} q^n, S1 = sum_{n>=1} n q^{n-1}, S2 = sum_{n>=1} n^2 q^{n-1} from the geometric series by
    differentiation (0 < q < 1)."""
    s0 = _geometric()
    s1 = sp.diff(s0, q)
    s2 = sp.diff(q * s1, q)
    return s0, _tidy(s1), _tidy(s2)


@derivation(
    "curse_of_memory",
    title="Curse of memory: h_t = lambda h_{t-1} + x_t under white noise, E(dh_t/dlambda)^2 -> "
    "(1 + lambda^2)/(1 - lambda^2)^3",
    title_zh="记忆诅咒：白噪声输入下 h_t = λh_{t−1} + x_t，E(∂h_t/∂λ)² → (1 + λ²)/(1 − λ²)³",
)
def curse_of_memory() -> Result:
    """dh_t/dlambda = sum_{n>=1} n lambda^{n-1} x_{t-n} for h_0 = 0, so under white noise (independent, mean 0,
    variance 1) E(dh_t/dlambda)^2 = sum n^2 lambda^{2(n-1)} -> (1 + lambda^2)/(1 - lambda^2)^3 as t -> oo (real
    lambda in (-1, 1)); it grows like 1/(4 (1 - lambda)^3) as lambda -> 1, while E h_t^2 -> 1/(1 - lambda^2)."""
    s0, _, s2 = _series_sums()
    sens = _tidy(s2.subs(q, lam**2))
    var = _tidy(s0.subs(q, lam**2))
    lead = sp.limit(sens * (1 - lam) ** 3, lam, 1, "-")
    return Result(
        expr=sp.Lambda(lam, sens),
        latex=r"\lim_{t\to\infty}\mathbb{E}\Bigl(\frac{\partial h_t}{\partial\lambda}\Bigr)^2=" + sp.latex(sens),
        parts={"sensitivity": sens, "variance": var, "leading_coefficient": lead},
        text={"sens_0.99": sci_latex(float(sens.subs(lam, sp.Rational(99, 100))), 3, bare_zero_exponent=True)},
        symbols={"lambda": "real eigenvalue in (-1, 1)"},
    )


@curse_of_memory.check(
    "direct partial sums of n^2 lambda^(2n-2) in mpmath at 30 digits, up to n = 20000",
    tol=1e-20,
    oracle_zh="用 mpmath（30 位）直接求 n²λ^(2n−2) 的部分和，n 至 20000",
)
def _() -> float:
    f = sp.lambdify(lam, curse_of_memory.result.parts["sensitivity"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(30):
        for lv in ("0.5", "-0.7", "0.9", "0.99"):
            lm = mpmath.mpf(lv)
            s = mpmath.fsum(nn**2 * lm ** (2 * nn - 2) for nn in range(1, 20001))
            worst = max(worst, abs(s - f(lm)) / s)
    return float(worst)


@curse_of_memory.check(
    "seeded Monte Carlo, forward-mode sensitivity s_t = lambda s_{t-1} + h_{t-1}: 20000 Gaussian white-noise "
    "sequences, lambda = 0.9, t = 400 (relative standard error 1 %; tolerance 5 %)",
    tol=0.05,
    oracle_zh="固定随机种子的蒙特卡罗，前向模式灵敏度 s_t = λs_{t−1} + h_{t−1}：20000 条高斯白噪声序列，"
    "λ = 0.9，t = 400（相对标准误 1%，容差 5%）",
)
def _() -> float:
    p = curse_of_memory.result.parts
    rng = np.random.default_rng(11)
    lv = 0.9
    h, s = np.zeros(20_000), np.zeros(20_000)
    for _ in range(400):
        s = lv * s + h
        h = lv * h + rng.normal(size=h.size)
    ref_s = float(p["sensitivity"].subs(lam, sp.Rational(9, 10)))
    ref_v = float(p["variance"].subs(lam, sp.Rational(9, 10)))
    return max(abs(float(np.mean(s**2)) - ref_s) / ref_s, abs(float(np.mean(h**2)) - ref_v) / ref_v)


@derivation(
    "curse_of_memory_normalised",
    title="With gamma = sqrt(1 - lambda^2) on the input: E(dh/dlambda)^2 -> 1/(1 - lambda^2)^2; with also "
    "lambda = exp(-exp(nu)): E(dh/dnu)^2 -> (lambda ln lambda)^2/(1 - lambda^2)^2 -> 1/4 as lambda -> 1",
    title_zh="输入乘以 γ = √(1 − λ²) 后：E(∂h/∂λ)² → 1/(1 − λ²)²；再令 λ = exp(−e^ν)："
    "E(∂h/∂ν)² → (λ ln λ)²/(1 − λ²)²，当 λ → 1 时趋于 1/4",
)
def curse_of_memory_normalised() -> Result:
    """For h_t = lambda h_{t-1} + gamma(lambda) x_t with gamma = sqrt(1 - lambda^2), real lambda in (0, 1) and white
    noise, lim E(dh_t/dlambda)^2 = gamma^2 S2 + 2 gamma gamma' S1 + gamma'^2 S0 = 1/(1 - lambda^2)^2; through
    lambda = exp(-e^nu) (dlambda/dnu = lambda ln lambda) the sensitivity to nu tends to 1/4 as lambda -> 1, whereas
    without gamma it grows like 1/(4 (1 - lambda)). With gamma held fixed at sqrt(1 - lambda^2) (the LRU trains it as
    a separate parameter) the sensitivity to lambda is gamma^2 S2 = (1 + lambda^2)/(1 - lambda^2)^2 and the one to nu
    tends to 1/2."""
    s0, s1, s2 = _series_sums()
    s0, s1, s2 = (e.subs(q, lam**2) for e in (s0, s1, s2))
    s1 = lam * s1  # sum n lambda^{n-1} lambda^n = lambda sum n q^{n-1}
    gamma = sp.sqrt(1 - lam**2)
    dg = sp.diff(gamma, lam)
    # coefficient of x_{t-n}: d/dlambda (gamma lambda^n) = gamma n lambda^{n-1} + gamma' lambda^n; square and sum
    norm_lam = _tidy(sp.simplify(gamma**2 * s2 + 2 * gamma * dg * s1 + dg**2 * s0))
    unnorm_lam = _tidy(s2)
    lam_of_nu = sp.exp(-sp.exp(nu))
    chain = sp.diff(lam_of_nu, nu).subs(sp.exp(nu), -sp.log(lam))  # e^nu = -ln lambda: lambda ln lambda
    if sp.simplify(chain - lam * sp.log(lam)) != 0:
        raise ArithmeticError("dlambda/dnu is not lambda ln lambda")
    norm_nu = _tidy(norm_lam * chain**2)
    unnorm_nu = _tidy(unnorm_lam * chain**2)
    lim_norm_nu = sp.limit(norm_nu, lam, 1, "-")
    lead_unnorm_nu = sp.limit(unnorm_nu * (1 - lam), lam, 1, "-")
    lead_norm_lam = sp.limit(norm_lam * (1 - lam) ** 2, lam, 1, "-")
    # the LRU trains gamma as its own parameter: held at its initial value it does not move with lambda
    fixed_lam = _tidy(sp.simplify(gamma**2 * s2))
    lim_fixed_nu = sp.limit(fixed_lam * chain**2, lam, 1, "-")
    return Result(
        expr=sp.Tuple(sp.Lambda(lam, norm_lam), sp.Lambda(lam, norm_nu)),
        latex=(
            r"\mathbb{E}\Bigl(\frac{\partial h}{\partial\lambda}\Bigr)^2\to" + sp.latex(norm_lam) + r",\quad "
            r"\mathbb{E}\Bigl(\frac{\partial h}{\partial\nu}\Bigr)^2\to" + sp.latex(norm_nu)
        ),
        parts={
            "normalised_lambda": norm_lam,
            "normalised_nu": norm_nu,
            "unnormalised_nu": unnorm_nu,
            "dlambda_dnu": chain,
            "limit_normalised_nu": lim_norm_nu,
            "leading_unnormalised_nu": lead_unnorm_nu,
            "leading_normalised_lambda": lead_norm_lam,
            "fixed_gamma_lambda": fixed_lam,
            "limit_fixed_gamma_nu": lim_fixed_nu,
        },
        text={
            "normalised_nu_0.99": f"{float(norm_nu.subs(lam, sp.Rational(99, 100))):.4f}",
            "unnormalised_nu_0.99": f"{float(unnorm_nu.subs(lam, sp.Rational(99, 100))):.2f}",
        },
        symbols={"lambda": "real eigenvalue in (0, 1)", "nu": "lambda = exp(-exp(nu))"},
    )


@curse_of_memory_normalised.check(
    "mpmath at 30 digits: sum over n of (d/dx [gamma lambda^n])^2 with the derivative taken numerically by "
    "mpmath.diff, in x = lambda and in x = nu, for lambda = 0.5 and 0.9; the same with gamma held fixed, and its "
    "limit in nu at lambda = 1 - 1e-12",
    tol=1e-15,
    oracle_zh="mpmath（30 位）：对 n 求 (d/dx [γλ^n])² 之和，导数由 mpmath.diff 数值求得，x 分别取 λ 与 ν，"
    "λ = 0.5 与 0.9；γ 固定不变时同样计算，并在 λ = 1 − 1e-12 处检验其对 ν 的极限",
)
def _() -> float:
    p = curse_of_memory_normalised.result.parts
    f_lam = sp.lambdify(lam, p["normalised_lambda"], "mpmath")
    f_nu = sp.lambdify(lam, p["normalised_nu"], "mpmath")
    f_fix = sp.lambdify(lam, p["fixed_gamma_lambda"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(30):
        for lv in ("0.5", "0.9"):
            lm = mpmath.mpf(lv)
            nu0 = mpmath.log(-mpmath.log(lm))
            n_max = 400 if lv == "0.5" else 900
            s_lam = mpmath.fsum(
                mpmath.diff(lambda x, nn=nn: mpmath.sqrt(1 - x**2) * x**nn, lm) ** 2 for nn in range(n_max)
            )

            def coef(x, nn):
                lx = mpmath.exp(-mpmath.exp(x))
                return mpmath.sqrt(1 - lx**2) * lx**nn

            s_nu = mpmath.fsum(mpmath.diff(lambda x, nn=nn: coef(x, nn), nu0) ** 2 for nn in range(n_max))
            worst = max(worst, abs(s_lam - f_lam(lm)) / s_lam, abs(s_nu - f_nu(lm)) / s_nu)
            g0 = mpmath.sqrt(1 - lm**2)  # gamma held at its value: it does not move with lambda
            s_fix = mpmath.fsum(mpmath.diff(lambda x, nn=nn, g=g0: g * x**nn, lm) ** 2 for nn in range(n_max))
            worst = max(worst, abs(s_fix - f_fix(lm)) / s_fix)
        # the limit in nu: (lambda ln lambda)^2 (1 + lambda^2)/(1 - lambda^2)^2 at lambda = 1 - 1e-12 is within about
        # 1e-12 of it; scaled by 1e-6 so that this deviation stays below the tolerance and a wrong limit does not
        lm = 1 - mpmath.mpf("1e-12")
        near = (lm * mpmath.log(lm)) ** 2 * (1 + lm**2) / (1 - lm**2) ** 2
        worst = max(worst, abs(near - mpmath.mpf(str(p["limit_fixed_gamma_nu"]))) * mpmath.mpf("1e-6"))
    return float(worst)


@curse_of_memory_normalised.check(
    "seeded Monte Carlo with central finite differences in nu (h = 1e-6) of the normalised and unnormalised "
    "recurrences: 20000 Gaussian sequences, lambda = 0.95, t = 600 (tolerance 5 %)",
    tol=0.05,
    oracle_zh="固定随机种子的蒙特卡罗：对归一化与未归一化的递推在 ν 上做中心差分（步长 1e-6），20000 条高斯序列，"
    "λ = 0.95，t = 600（容差 5%）",
)
def _() -> float:
    p = curse_of_memory_normalised.result.parts
    rng = np.random.default_rng(13)
    xs = rng.normal(size=(600, 20_000))
    nu0, hh = math.log(-math.log(0.95)), 1e-6

    def final(nuv: float, normalise: bool) -> np.ndarray:
        lv = math.exp(-math.exp(nuv))
        g = math.sqrt(1 - lv * lv) if normalise else 1.0
        h = np.zeros(xs.shape[1])
        for x in xs:
            h = lv * h + g * x
        return h

    worst = 0.0
    for normalise, part in ((True, "normalised_nu"), (False, "unnormalised_nu")):
        d = (final(nu0 + hh, normalise) - final(nu0 - hh, normalise)) / (2 * hh)
        ref = float(p[part].subs(lam, sp.Rational(95, 100)))
        worst = max(worst, abs(float(np.mean(d**2)) - ref) / ref)
    return worst


def figure_data_curse_of_memory(points: int = 200) -> dict[str, np.ndarray]:
    """The four limits against lambda in (0, 1), on a grid of 1 - lambda from 1e-3 to 0.9 (log-spaced): sensitivity
    to lambda without and with gamma, and to nu = log(-log lambda) without and with gamma."""
    p, pn = curse_of_memory.result.parts, curse_of_memory_normalised.result.parts
    one_minus = np.logspace(-3, math.log10(0.9), points)
    lv = 1 - one_minus
    return {
        "one_minus_lambda": one_minus,
        "lambda_plain": sp.lambdify(lam, p["sensitivity"], "numpy")(lv),
        "lambda_normalised": sp.lambdify(lam, pn["normalised_lambda"], "numpy")(lv),
        "nu_plain": sp.lambdify(lam, pn["unnormalised_nu"], "numpy")(lv),
        "nu_normalised": sp.lambdify(lam, pn["normalised_nu"], "numpy")(lv),
    }


# --- exercises: the forgetting horizon and a large ZOH step ---------------------------------------------------------
HORIZON_R, HORIZON_EPS, HALF_LIFE = sp.Rational(99, 100), sp.Rational(1, 100), 1000


@derivation(
    "memory_horizon",
    title="A channel with |lambda| = 0.99 passes less than 1/100 of the gradient after 459 steps; a half-life of "
    "1000 steps needs |lambda| = 2^(-1/1000), nu = log(ln 2/1000)",
    title_zh="|λ| = 0.99 的通道经过 459 步，回传的梯度降到 1/100 以下；要让梯度每 1000 步才减半，"
    "需要 |λ| = 2^(−1/1000)，ν = ln(ln 2/1000)",
)
def memory_horizon() -> Result:
    """The gradient factor of a diagonal channel over k steps is |lambda|^k (diagonal_bptt_factor), so it falls below
    a fraction eps after k = ln eps / ln|lambda| steps (the first integer step count is the ceiling); a half-life of H
    steps, |lambda|^H = 1/2, needs |lambda| = 2^(-1/H), i.e. nu = log(-ln|lambda|) = log(ln 2 / H) in the LRU's
    lambda = exp(-exp(nu) + i theta)."""
    kk, rr, hh = sp.Symbol("k", positive=True), sp.Symbol("r", positive=True), sp.Symbol("H", positive=True)
    (k_of,) = sp.solve(sp.Eq(rr**kk, sp.Symbol("varepsilon", positive=True)), kk)
    k_exact = k_of.subs({rr: HORIZON_R, sp.Symbol("varepsilon", positive=True): HORIZON_EPS})
    k_steps = sp.ceiling(k_exact)
    if not (HORIZON_R ** (k_steps - 1) >= HORIZON_EPS > HORIZON_R**k_steps):
        raise ArithmeticError("the step count is not the first one below eps")
    tau = 1 / (1 - HORIZON_R)  # the time constant 1/(1 - |lambda|), for comparison
    r_sols = [s for s in sp.solve(sp.Eq(rr**hh, sp.Rational(1, 2)), rr) if s.is_positive is not False]
    r_half = sp.simplify(r_sols[0].subs(hh, HALF_LIFE))
    nu_of_r = lru_exponential_parametrisation.result.parts["nu_of_r"]
    (r_sym,) = nu_of_r.free_symbols
    nu_half = sp.expand_log(sp.simplify(nu_of_r.subs(r_sym, r_half)), force=True)
    nu_example = sp.simplify(nu_of_r.subs(r_sym, HORIZON_R))
    return Result(
        expr=sp.Tuple(k_exact, k_steps, r_half, nu_half),
        latex=rf"|\lambda|^k\le\varepsilon\iff k\ge{sp.latex(k_of, ln_notation=True)}",
        parts={
            "k_formula": k_of,
            "r": HORIZON_R,
            "eps": HORIZON_EPS,
            "k_exact": k_exact,
            "k_steps": k_steps,
            "tau": tau,
            "decay_at_tau": HORIZON_R**tau,
            "nu_example": nu_example,
            "H": sp.Integer(HALF_LIFE),
            "r_half": r_half,
            "nu_half": nu_half,
        },
        text={
            "r_half": rf"2^{{-1/{HALF_LIFE}}}",
            "nu_half": rf"\ln\frac{{\ln 2}}{{{HALF_LIFE}}}",
            "nu_example": r"\ln\bigl(-\ln" + sp.latex(HORIZON_R) + r"\bigr)",
        },
        symbols={"r": "|lambda|", "varepsilon": "fraction of the gradient left", "H": "half-life in steps"},
    )


@memory_horizon.check(
    "float64: multiply 1 by 0.99 until it falls below 1/100 and count the steps; (2^(-1/1000))^1000 and "
    "log(-log|lambda|) with numpy",
    tol=1e-12,
    oracle_zh="float64：把 1 反复乘以 0.99，直到小于 1/100，数出步数；用 NumPy 计算 (2^(−1/1000))^1000 与 log(−log|λ|)",
)
def _() -> float:
    p = memory_horizon.result.parts
    g, steps = 1.0, 0
    while g >= float(p["eps"]):
        g *= float(p["r"])
        steps += 1
    r_half = 2.0 ** (-1.0 / int(p["H"]))
    return max(
        float(steps != int(p["k_steps"])),
        abs(r_half ** int(p["H"]) - 0.5),
        abs(float(p["r_half"]) - r_half),
        abs(np.log(-np.log(r_half)) - float(p["nu_half"])),
        abs(np.log(-np.log(0.99)) - float(p["nu_example"])),
        abs(0.99**100 - float(p["decay_at_tau"])),
    )


@memory_horizon.check(
    "mpmath (30 digits): findroot of r^k = eps in k, and of exp(-exp(nu))^1000 = 1/2 in nu",
    tol=1e-25,
    oracle_zh="mpmath（30 位）：用 findroot 解 r^k = ε（未知数 k）与 exp(−exp(ν))^1000 = 1/2（未知数 ν）",
)
def _() -> float:
    p = memory_horizon.result.parts
    with mpmath.workdps(30):
        kr = mpmath.findroot(lambda kv: mpmath.mpf("0.99") ** kv - mpmath.mpf("0.01"), 400)
        nr = mpmath.findroot(lambda nv: mpmath.exp(-mpmath.exp(nv)) ** 1000 - mpmath.mpf(1) / 2, -7)
        return float(
            max(
                abs(kr - mpmath.mpf(str(sp.N(p["k_exact"], 40)))),
                abs(nr - mpmath.mpf(str(sp.N(p["nu_half"], 40)))),
            )
        )


LARGE_STEP = {"a": sp.Integer(-4), "b": sp.Integer(1), "Delta": sp.Integer(1), "steps": 10}


@derivation(
    "discretisation_large_step",
    title="a = -4, b = 1, Delta = 1 (twice Euler's threshold 1/2): ZOH multiplies the state by e^-4 per step, Euler by "
    "-3; after 10 steps e^-40 against 59049; both have the fixed point -b/a = 1/4",
    title_zh="a = −4、b = 1、Δ = 1（欧拉法阈值 1/2 的两倍）：零阶保持每步把状态乘以 e^−4，欧拉法乘以 −3；"
    "10 步后分别为 e^−40 与 59049；两者的不动点都是 −b/a = 1/4",
)
def discretisation_large_step() -> Result:
    """The zero-order-hold and forward-Euler steps of h' = a h + b u (zoh_discretisation) at a = -4, b = 1, Delta = 1:
    a_bar = e^{-4}, b_bar = (1 - e^{-4})/4, against 1 + Delta a = -3 and Delta b = 1; ten steps without input multiply
    h_0 by e^{-40} and by (-3)^10; under a constant input u = 1 both recurrences have the fixed point b_bar/(1 - a_bar)
    = -b/a, the ODE's equilibrium, but only the ZOH one is reached (|a_bar| < 1)."""
    zp = zoh_discretisation.result.parts
    sub = {a: LARGE_STEP["a"], b: LARGE_STEP["b"], dt: LARGE_STEP["Delta"]}
    a_z, b_z = sp.simplify(zp["a_bar"].subs(sub)), sp.factor_terms(sp.expand(zp["b_bar"].subs(sub)))
    a_e, b_e = zp["a_euler"].subs(sub), zp["b_euler"].subs(sub)
    hh = sp.Symbol("h", real=True)
    (fp_z,) = sp.solve(sp.Eq(hh, a_z * hh + b_z), hh)
    (fp_e,) = sp.solve(sp.Eq(hh, a_e * hh + b_e), hh)
    (fp_ode,) = sp.solve(sp.Eq(a * hh + b, 0).subs(sub), hh)
    fp_z = sp.simplify(fp_z)
    if fp_z != fp_ode or fp_e != fp_ode:
        raise ArithmeticError("the fixed points differ from the ODE's equilibrium")
    n_ = LARGE_STEP["steps"]
    return Result(
        expr=sp.Tuple(a_z, sp.expand(b_z), a_e, b_e, fp_z),  # expanded: srepr round-trips
        latex=(
            rf"\bar a={sp.latex(a_z)},\ \bar b={sp.latex(b_z)};\quad "
            rf"1+\Delta a={sp.latex(a_e)},\ \Delta b={sp.latex(b_e)}"
        ),
        parts={
            "a": LARGE_STEP["a"],
            "b": LARGE_STEP["b"],
            "Delta": LARGE_STEP["Delta"],
            "steps": sp.Integer(n_),
            "threshold": zp["euler_threshold"].subs(sub),
            "a_bar": a_z,
            "b_bar": b_z,
            "a_euler": a_e,
            "b_euler": b_e,
            "zoh_after": a_z**n_,
            "euler_after": a_e**n_,
            "fixed_point": fp_z,
        },
        text={"zoh_after": sci_latex(float(a_z**n_), 3, bare_zero_exponent=True)},
        symbols={"a": "continuous-time eigenvalue", "b": "input weight", "Delta": "step"},
    )


@discretisation_large_step.check(
    "mpmath.expm (30 digits) of Delta [[a, b], [0, 0]] (Van Loan); float64 iteration: 10 steps without input from "
    "h_0 = 1, 400 steps under u = 1 from h_0 = 0",
    tol=1e-12,
    oracle_zh="mpmath.expm（30 位）对 Δ[[a, b], [0, 0]] 求矩阵指数（增广矩阵法）；"
    "float64 迭代：无输入时从 h_0 = 1 走 10 步，u = 1 时从 h_0 = 0 走 400 步",
)
def _() -> float:
    p = discretisation_large_step.result.parts
    av, bv, dv = float(p["a"]), float(p["b"]), float(p["Delta"])
    with mpmath.workdps(30):
        e = mpmath.expm(mpmath.matrix([[av * dv, bv * dv], [0, 0]]))
        err = max(
            abs(e[0, 0] - mpmath.mpf(str(sp.N(p["a_bar"], 40)))), abs(e[0, 1] - mpmath.mpf(str(sp.N(p["b_bar"], 40))))
        )
    err = float(err)
    hz, he = 1.0, 1.0
    for _ in range(int(p["steps"])):
        hz, he = math.exp(av * dv) * hz, (1 + dv * av) * he
    err = max(err, abs(hz / float(p["zoh_after"]) - 1), abs(he / float(p["euler_after"]) - 1))
    hz = 0.0
    for _ in range(400):
        hz = math.exp(av * dv) * hz + (math.exp(av * dv) - 1) / av * bv
    return max(err, abs(hz - float(p["fixed_point"])))
