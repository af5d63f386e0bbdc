"""Softmax and dot-product attention: the softmax Jacobian, its tight spectral-norm bound, Var(q.k) = d_k, and what
the 1/sqrt(d_k) scaling does to the softmax's sensitivity over the whole distribution of queries at initialisation.

Conventions: p = softmax(s), p_i = exp(s_i) / sum_j exp(s_j), for a column vector of logits s; the Jacobian dp/ds
has rows indexed by outputs; "spectral norm" is the largest singular value (the Jacobian is symmetric positive
semi-definite, so it equals the largest eigenvalue). Attention logits for one query q and n keys k_j (rows of K):
s_j = q.k_j / tau with tau = sqrt(d_k) ("scaled") or tau = 1 ("unscaled"). At initialisation the components of q and
of every k_j are taken i.i.d. with mean 0 and variance 1, as in Vaswani et al. (2017), footnote 4.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
import sympy.stats as st

from derivations.core import Result, derivation

N_SYM = 3  # number of logits in the symbolic softmax
_S = sp.Matrix(sp.symbols(f"s1:{N_SYM + 1}", real=True))
_P = sp.Matrix(sp.symbols(f"p1:{N_SYM + 1}", positive=True))
p = sp.Symbol("p", nonnegative=True)  # one probability
d_k = sp.Symbol("d_k", positive=True, integer=True)
tau = sp.Symbol("tau", positive=True)

# the numerical myth check: key dimension, number of keys, number of seeded queries
MYTH_DK = 64
MYTH_N = 64
MYTH_DRAWS = 1000
SATURATED = 1e-3  # a softmax Jacobian with spectral norm below this counts as "saturated"


def _softmax_sym(s: sp.Matrix) -> sp.Matrix:
    e = s.applyfunc(sp.exp)
    return e / sum(e)


# --- the softmax Jacobian and its tight bound ---------------------------------------------------------------------
@derivation(
    "softmax_jacobian_bound",
    title="d softmax/ds = diag(p) - p p^T: symmetric positive semi-definite, spectral norm <= max_i 2 p_i (1 - p_i)"
    " <= 1/2, attained when two probabilities are 1/2",
    title_zh="∂softmax/∂s = diag(p) − ppᵀ：对称半正定，谱范数 ≤ maxᵢ 2pᵢ(1 − pᵢ) ≤ 1/2；"
    "当有两个概率各为 1/2 时取到上界",
)
def softmax_jacobian_bound() -> Result:
    """dp/ds = diag(p) - p p^T (rows: outputs), derived for n = 3; Gershgorin's discs give lambda_max <= 2 p_i(1-p_i)
    <= 1/2, attained at p = (1/2, 1/2, 0, ..., 0) (spectral norm = largest eigenvalue, the matrix being PSD)."""
    sm = _softmax_sym(_S)
    jac = sm.jacobian(_S)
    formula = sp.diag(*sm) - sm * sm.T
    if sp.simplify(jac - formula) != sp.zeros(N_SYM, N_SYM):
        raise ArithmeticError("softmax Jacobian differs from diag(p) - p p^T")
    jac_p = sp.diag(*_P) - _P * _P.T  # the same matrix written in the probabilities
    # quadratic form v^T J v = sum p v^2 - (sum p v)^2 = Var_p(v) >= 0 (PSD); check the identity symbolically
    v = sp.Matrix(sp.symbols(f"v1:{N_SYM + 1}", real=True))
    quad = sp.expand((v.T * jac_p * v)[0])
    mean_v = sum(_P[i] * v[i] for i in range(N_SYM))
    var_form = sp.expand(sum(_P[i] * v[i] ** 2 for i in range(N_SYM)) - mean_v**2)
    if sp.simplify(quad - var_form) != 0:
        raise ArithmeticError("v^T J v is not the variance of v under p")
    # Gershgorin: centre J_ii = p_i - p_i^2, radius sum_{j != i} p_i p_j = p_i (1 - p_i) when sum p = 1
    centre = jac_p[0, 0]
    radius = sum(abs(jac_p[0, j]) for j in range(1, N_SYM))
    disc_right = sp.factor((centre + radius).subs(_P[1] + _P[2], 1 - _P[0]).subs(_P[2], 1 - _P[0] - _P[1]))
    gersh = sp.factor(disc_right.subs(_P[0], p))  # 2 p (1 - p)
    (argmax,) = sp.solve(sp.diff(gersh, p), p)
    bound = gersh.subs(p, argmax)
    if not sp.diff(gersh, p, 2).is_negative:
        raise ArithmeticError("2p(1-p) is not concave")
    attain = sp.Matrix([sp.Rational(1, 2), sp.Rational(1, 2), 0])
    eig_attain = sorted(jac_p.subs(dict(zip(_P, attain, strict=True))).eigenvals(multiple=True))
    if eig_attain[-1] != bound:
        raise ArithmeticError("the bound is not attained at (1/2, 1/2, 0)")
    if sp.expand(gersh - 2 * p * (1 - p)) != 0:
        raise ArithmeticError("the Gershgorin bound is not 2p(1-p)")
    p2 = sp.Matrix([p, 1 - p])  # n = 2: eigenvalues 0 and 2p(1-p)
    eig_two = [sp.factor(e) for e in (sp.diag(*p2) - p2 * p2.T).eigenvals(multiple=True)]
    want_two = [sp.Integer(0), sp.expand(2 * p * (1 - p))]
    if sorted((sp.expand(e) for e in eig_two), key=sp.default_sort_key) != sorted(want_two, key=sp.default_sort_key):
        raise ArithmeticError("the two-logit eigenvalues are not 0 and 2p(1-p)")
    eig_two = [sp.Integer(0), 2 * p * (1 - p)]  # written as on the page
    return Result(
        expr=sp.Tuple(sp.ImmutableMatrix(jac_p), bound),
        latex=(
            r"\frac{\partial p}{\partial s}=\operatorname{diag}(p)-pp^\top,\quad "
            r"v^\top\frac{\partial p}{\partial s}v=\operatorname{Var}_p(v)\ge0,\quad "
            r"\Bigl\lVert\frac{\partial p}{\partial s}\Bigr\rVert_2\le\max_i "
            r"2p_i(1-p_i)"  # = gersh at p = p_i, checked above
            rf"\le {sp.latex(bound)}"
        ),
        parts={
            "jacobian": jac_p,
            "gershgorin_bound": 2 * p * (1 - p),  # = gersh, written as on the page
            "argmax": argmax,
            "bound": bound,
            "attaining_p": attain,
            "eigs_at_attaining": sp.Tuple(*eig_attain),
            "eigs_two_logits": sp.Tuple(*eig_two),
        },
        symbols={"s": "logits (column)", "p": "softmax(s)", "p_i": "one probability", "v": "a direction"},
        text={"bound": "1/2"},
    )


@softmax_jacobian_bound.check(
    "torch.autograd.functional.jacobian of torch.softmax (float64), 3 and 7 logits",
    tol=1e-13,
    needs="torch",
    oracle_zh="用 torch.autograd.functional.jacobian 求 torch.softmax 的雅可比矩阵（float64），3 个与 7 个 logit",
)
def _() -> float:
    import torch

    f = sp.lambdify([list(_P)], softmax_jacobian_bound.result.parts["jacobian"], "numpy")
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(5):
        s = rng.normal(size=3) * 2.0
        jt = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), torch.tensor(s)).numpy()
        pv = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
        worst = max(worst, float(np.max(np.abs(jt - np.array(f(pv), dtype=float)))))
    s = rng.normal(size=7)  # larger n: the same pattern, largest eigenvalue below the Gershgorin bound
    jt = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), torch.tensor(s)).numpy()
    pv = torch.softmax(torch.tensor(s), 0).numpy()
    g = sp.lambdify(p, softmax_jacobian_bound.result.parts["gershgorin_bound"])
    excess = np.linalg.eigvalsh(jt)[-1] - max(g(x) for x in pv)
    return max(worst, float(np.max(np.abs(jt - (np.diag(pv) - np.outer(pv, pv))))), max(0.0, float(excess)))


@softmax_jacobian_bound.check(
    "seeded Monte Carlo over the simplex (Dirichlet, n = 2..8, 14000 points) never above the bound; a grid on the "
    "3-simplex (step 1/401) reaches it within 1e-5",
    tol=1e-5,
    oracle_zh="在单纯形上做固定随机种子的蒙特卡罗抽样（Dirichlet 分布，n = 2…8，共 14000 个点），"
    "最大特征值从不超过该上界；"
    "在三个概率构成的单纯形上以 1/401 为步长做网格搜索，所得最大值与上界相差不到 1e-5",
)
def _() -> float:
    bound = float(softmax_jacobian_bound.result.parts["bound"])
    rng = np.random.default_rng(4)
    worst_excess = 0.0
    for n in range(2, 9):
        ps = rng.dirichlet(np.full(n, 0.5), size=2000)
        mats = ps[:, :, None] * np.eye(n) - ps[:, :, None] * ps[:, None, :]
        worst_excess = max(worst_excess, float(np.linalg.eigvalsh(mats)[:, -1].max()) - bound)
    g = np.arange(402) / 401.0
    p1, p2 = np.meshgrid(g, g, indexing="ij")
    keep = p1 + p2 <= 1.0
    pv = np.stack([p1[keep], p2[keep], 1.0 - p1[keep] - p2[keep]], axis=1)
    mats = pv[:, :, None] * np.eye(3) - pv[:, :, None] * pv[:, None, :]
    best = float(np.linalg.eigvalsh(mats)[:, -1].max())
    return max(worst_excess, 0.0) + abs(best - bound)


# --- Var(q.k) = d_k -----------------------------------------------------------------------------------------------
@derivation(
    "qk_dot_variance",
    title="q, k with i.i.d. mean-0, variance-1 components: Var(q.k) = d_k, so Var(q.k / sqrt(d_k)) = 1",
    title_zh="q、k 的分量独立同分布、均值 0、方差 1：Var(q·k) = d_k，因而 Var(q·k/√d_k) = 1",
)
def qk_dot_variance() -> Result:
    """Var(q.k) = d_k for q, k independent with i.i.d. components of mean 0 and variance 1 (no normality needed:
    only the first two moments enter); dividing by sqrt(d_k) makes the variance 1 for every d_k."""
    a, b = sp.symbols("a b", real=True)
    m2 = sp.Symbol("m2", positive=True)  # E[q_i^2] = E[k_i^2]
    # one term q_i k_i with q_i, k_i independent: E = E q E k = 0, E (q k)^2 = E q^2 E k^2
    mean_term = sp.Integer(0) * sp.Integer(0)
    var_term = (m2 * m2 - mean_term**2).subs(m2, 1)
    # the terms are independent across i, so their variances add (Bienayme); the sum has d_k terms
    i = sp.Symbol("i", integer=True, positive=True)
    var_sum = sp.summation(var_term, (i, 1, d_k))
    var_scaled = sp.simplify(var_sum / sp.sqrt(d_k) ** 2)
    # the same for Gaussian components, computed by sympy.stats from the densities
    q1, k1 = st.Normal("q1", 0, 1), st.Normal("k1", 0, 1)
    if sp.simplify(st.variance(q1 * k1) - var_term) != 0:
        raise ArithmeticError("Var(q1 k1) != 1 for standard normal components")
    del a, b
    return Result(
        expr=sp.Tuple(var_sum, var_scaled),
        latex=(
            rf"\operatorname{{Var}}(q\cdot k)=\sum_{{i=1}}^{{d_k}}\operatorname{{E}}[q_i^2]\operatorname{{E}}[k_i^2]"
            rf"={sp.latex(var_sum)},\qquad \operatorname{{Var}}\Bigl(\frac{{q\cdot k}}{{\sqrt{{d_k}}}}\Bigr)"
            rf"={sp.latex(var_scaled)}"
        ),
        parts={
            "var_unscaled": var_sum,
            "var_scaled": var_scaled,
            "std_unscaled_64": sp.sqrt(var_sum.subs(d_k, MYTH_DK)),
        },
        symbols={"d_k": "key/query dimension", "q, k": "query and key, i.i.d. components with mean 0, variance 1"},
        text={"std_unscaled_64": sp.latex(sp.sqrt(var_sum.subs(d_k, MYTH_DK)))},
    )


@qk_dot_variance.check(
    "seeded Monte Carlo, 100000 pairs, d_k = 64, Gaussian and uniform components (relative standard error about "
    "0.5 %; tolerance 3 %)",
    tol=0.03,
    oracle_zh="固定随机种子的蒙特卡罗：100000 对向量，d_k = 64，分量取正态分布和均匀分布（相对标准误约 0.5%，容差 3%）",
)
def _() -> float:
    f_un = sp.lambdify(d_k, qk_dot_variance.result.parts["var_unscaled"])
    f_sc = sp.lambdify(d_k, qk_dot_variance.result.parts["var_scaled"])
    rng = np.random.default_rng(5)
    worst = 0.0
    for draw in (rng.standard_normal, lambda size: rng.uniform(-np.sqrt(3), np.sqrt(3), size=size)):
        q, k = draw(size=(100000, MYTH_DK)), draw(size=(100000, MYTH_DK))
        dots = np.einsum("ij,ij->i", q, k)
        worst = max(
            worst,
            abs(dots.var() / f_un(MYTH_DK) - 1.0),
            abs((dots / np.sqrt(MYTH_DK)).var() / f_sc(MYTH_DK) - 1.0),
        )
    return worst


# --- what 1/sqrt(d_k) does to the softmax: the whole distribution over queries ------------------------------------
def attention_draws(seed: int, draws: int = MYTH_DRAWS, dk: int = MYTH_DK, n: int = MYTH_N):
    """Seeded queries (draws, dk) and keys (draws, n, dk) with i.i.d. N(0, 1) components, and the unscaled logits
    q.k_j (draws, n)."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((draws, dk))
    k = rng.standard_normal((draws, n, dk))
    return q, k, np.einsum("bd,bnd->bn", q, k)


def _softmax_rows(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_sensitivity(seed: int, draws: int = MYTH_DRAWS, with_q: bool = True) -> dict[str, np.ndarray]:
    """For ``draws`` seeded queries (d_k = 64, n = 64 keys), unscaled (tau = 1) and scaled (tau = 8): the largest
    probability, the spectral norm of dp/ds at the logits, and the spectral norm of dp/dq = (dp/ds) K / tau."""
    _, k, s = attention_draws(seed, draws)
    out: dict[str, np.ndarray] = {}
    for key, t in (("raw", 1.0), ("scaled", float(np.sqrt(MYTH_DK)))):
        pr = _softmax_rows(s / t)
        jac = pr[:, :, None] * np.eye(MYTH_N) - pr[:, :, None] * pr[:, None, :]
        out[f"maxp_{key}"] = pr.max(axis=1)
        out[f"jnorm_{key}"] = np.linalg.eigvalsh(jac)[:, -1]
        if with_q:
            out[f"qnorm_{key}"] = np.linalg.norm(np.einsum("bij,bjd->bid", jac, k), ord=2, axis=(1, 2)) / t
    return out


QUANTILES = (0.1, 0.5, 0.9)


@derivation(
    "attention_scaling_distribution",
    title="d_k = 64, 64 keys, 1000 seeded queries at initialisation: without 1/sqrt(d_k) the softmax is nearly one-hot"
    " for most queries and its Jacobian norm spreads from ~0 to ~1/2; with it, no query saturates and the norm "
    "concentrates near 0.1",
    title_zh="d_k = 64、64 个键、1000 个固定随机种子的查询（初始化时）：不除以 √d_k 时，多数查询的 softmax 接近独热，"
    "其雅可比矩阵的范数从约 0 分散到约 1/2；除以 √d_k 后没有查询饱和，范数集中在 0.1 附近",
)
def attention_scaling_distribution() -> Result:
    """The chain rule dp/dq = (diag p - p p^T) K / tau (derived for n = d = 2), then the seeded distribution over
    queries of max p, ||dp/ds||_2 and ||dp/dq||_2 for tau = 1 and tau = sqrt(d_k) (quantiles 10 %, 50 %, 90 %)."""
    qv = sp.Matrix(sp.symbols("q1 q2", real=True))
    km = sp.Matrix(2, 2, sp.symbols("k11 k12 k21 k22", real=True))  # rows are keys
    sm = _softmax_sym(km * qv / tau)
    jac_q = sm.jacobian(qv)
    chain = (sp.diag(*sm) - sm * sm.T) * km / tau
    if sp.simplify(jac_q - chain) != sp.zeros(2, 2):
        raise ArithmeticError("dp/dq is not (diag p - p p^T) K / tau")
    data = softmax_sensitivity(0)
    parts: dict[str, sp.Basic] = {"chain_rule": chain}
    text: dict[str, str] = {}
    for key, arr in data.items():
        qs = np.quantile(arr, QUANTILES)
        for qq, val in zip(QUANTILES, qs, strict=True):
            name = f"{key}_q{int(qq * 100)}"
            parts[name] = sp.Float(float(val), 6)
            text[name] = f"{val:.3g}"
    for key in ("raw", "scaled"):
        frac = float(np.mean(data[f"jnorm_{key}"] < SATURATED))
        parts[f"saturated_frac_{key}"] = sp.Float(frac, 6)
        text[f"saturated_percent_{key}"] = f"{100 * frac:.1f}"
        text[f"above_quarter_percent_{key}"] = f"{100 * float(np.mean(data[f'jnorm_{key}'] > 0.25)):.1f}"
    text.update(
        {
            "dk": str(MYTH_DK),
            "n": str(MYTH_N),
            "draws": str(MYTH_DRAWS),
            "saturated": r"10^{-3}",
            "median_ratio_q": f"{float(parts['qnorm_raw_q50'] / parts['qnorm_scaled_q50']):.3g}",
        }
    )
    return Result(
        expr=sp.Tuple(parts["jnorm_raw_q50"], parts["jnorm_scaled_q50"]),
        latex=r"\frac{\partial p}{\partial q}=\bigl(\operatorname{diag}(p)-pp^\top\bigr)\frac{K}{\tau},\quad "
        r"p=\operatorname{softmax}\Bigl(\frac{Kq}{\tau}\Bigr),\ \tau\in\{1,\sqrt{d_k}\}",
        parts=parts,
        symbols={
            "q": "query (d_k)",
            "K": "keys as rows (n x d_k)",
            "tau": "temperature: 1 (unscaled) or sqrt(d_k)",
            "*_q10/50/90": "quantiles over queries; jnorm = ||dp/ds||_2, qnorm = ||dp/dq||_2, maxp = max_j p_j",
        },
        text=text,
    )


@attention_scaling_distribution.check(
    "torch (float64), a fresh seed and 500 other queries: torch.softmax, torch.linalg.eigvalsh / matrix_norm, "
    "the Jacobians of 10 of them by torch.autograd.functional.jacobian; each quantile within 10 % of the 10-90 % "
    "spread (sampling error), the saturated fraction within 0.1",
    tol=0.1,
    needs="torch",
    oracle_zh="torch（float64），换一个随机种子、另取 500 个查询：torch.softmax，用 torch.linalg.eigvalsh 与 "
    "matrix_norm 求范数，其中 10 个查询的雅可比矩阵另用 "
    "torch.autograd.functional.jacobian 求出；"
    "每个分位数的偏差不超过 10%–90% 分位距的 10%（抽样误差），饱和比例之差不超过 0.1",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import single_thread

    parts = attention_scaling_distribution.result.parts
    rng = np.random.default_rng(99)
    draws = 500
    q = torch.tensor(rng.standard_normal((draws, MYTH_DK)))
    k = torch.tensor(rng.standard_normal((draws, MYTH_N, MYTH_DK)))
    worst = 0.0
    with single_thread():
        for key, t in (("raw", 1.0), ("scaled", MYTH_DK**0.5)):
            # the Jacobians by autograd for the first 10 queries must equal the matrices used for all of them
            s = torch.einsum("bnd,bd->bn", k, q) / t
            pr = torch.softmax(s, dim=1)
            js = torch.diag_embed(pr) - pr[:, :, None] * pr[:, None, :]
            jq = js @ k / t
            for i in range(10):
                auto_s = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), s[i])
                auto_q = torch.autograd.functional.jacobian(lambda a, i=i, t=t: torch.softmax(k[i] @ a / t, 0), q[i])
                worst = max(worst, float((auto_s - js[i]).abs().max()), float((auto_q - jq[i]).abs().max()))
            stats = {
                "maxp": pr.max(dim=1).values,
                "jnorm": torch.linalg.eigvalsh(js)[:, -1],
                "qnorm": torch.linalg.matrix_norm(jq, ord=2),
            }
            for name, arr in stats.items():
                ref = [float(parts[f"{name}_{key}_q{int(qq * 100)}"]) for qq in QUANTILES]
                spread = ref[-1] - ref[0]
                for val, r in zip(np.quantile(arr.numpy(), QUANTILES), ref, strict=True):
                    worst = max(worst, abs(val - r) / spread)
            frac = float((stats["jnorm"] < SATURATED).double().mean())
            worst = max(worst, abs(frac - float(parts[f"saturated_frac_{key}"])))
    return worst


@attention_scaling_distribution.check(
    "exact on 30 of the seeded queries: largest eigenvalue of diag(p) - pp^T from the secular equation (mpmath "
    "findroot, 40 digits), "
    "against the spectral norms behind the quantiles",
    tol=1e-9,
    oracle_zh="对其中 30 个查询精确核对：用 mpmath 的 findroot 解久期方程（40 位有效数字），"
    "求 diag(p) − ppᵀ 的最大特征值，与分位数所依据的谱范数比较",
)
def _() -> float:
    import mpmath

    data = softmax_sensitivity(0, draws=30)
    _, _, s = attention_draws(0, draws=30)
    worst = 0.0
    for key, t in (("raw", 1.0), ("scaled", float(np.sqrt(MYTH_DK)))):
        pr = _softmax_rows(s / t)
        for row, lam_np in zip(pr, data[f"jnorm_{key}"], strict=True):
            # eigenvalues of D - pp^T solve 1 = sum p_i^2 / (p_i - lambda); the largest lies in (p_(2), p_(1))
            with mpmath.workdps(40):
                pm = [mpmath.mpf(float(x)) for x in row]
                top = sorted(pm)[::-1]
                gap = (top[0] - top[1]) * mpmath.mpf("1e-25")

                def sec(x: mpmath.mpf, pm: list = pm) -> mpmath.mpf:
                    return 1 - mpmath.fsum(pi**2 / (pi - x) for pi in pm)

                lam = mpmath.findroot(sec, (top[1] + gap, top[0] - gap), solver="anderson")
            worst = max(worst, abs(float(lam) - lam_np))
    return worst


@functools.cache
def figure_data_attention_scaling() -> dict[str, np.ndarray]:
    """Sorted ||dp/ds||_2 over the seeded queries, unscaled and scaled (for an empirical CDF), d_k = n = 64."""
    data = softmax_sensitivity(0, with_q=False)
    return {"raw": np.sort(data["jnorm_raw"]), "scaled": np.sort(data["jnorm_scaled"])}


# --- exercise: the softmax Jacobian at one probability vector ------------------------------------------------------
EX_PROBS = (sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 6))


@derivation(
    "softmax_jacobian_example",
    title="Softmax Jacobian at p = (1/2, 1/3, 1/6): every row sums to 0 (J 1 = 0: shifting all logits changes "
    "nothing), eigenvalues 0 and (11 +- sqrt(13))/36, spectral norm (11 + sqrt(13))/36 < 1/2; the elementwise "
    "p(1 - p) is wrong",
    title_zh="p = (1/2, 1/3, 1/6) 处的 softmax 雅可比矩阵：每行之和为 0（J·1 = 0：所有 logit 同加一个常数不改变输出），"
    "特征值为 0 与 (11 ± √13)/36，谱范数 (11 + √13)/36 < 1/2；把导数当作逐元素的 p(1 − p) 是错的",
)
def softmax_jacobian_example() -> Result:
    """dp/ds = diag(p) - p p^T (softmax_jacobian_bound) at p = (1/2, 1/3, 1/6): its row sums p_i - p_i sum_j p_j
    vanish because sum_j p_j = 1, its eigenvalues and spectral norm (largest eigenvalue, the matrix being PSD) exactly,
    and the diagonal-only matrix diag(p_i (1 - p_i)) of an elementwise derivative, whose rows do not sum to 0."""
    jac_sym = softmax_jacobian_bound.result.parts["jacobian"]
    probs = sp.Matrix(EX_PROBS)
    jac = jac_sym.subs(dict(zip(_P, probs, strict=True)))
    ones = sp.ones(N_SYM, 1)
    row_sums = sp.simplify(jac * ones)
    general_rows = sp.simplify((jac_sym * ones).subs(_P[2], 1 - _P[0] - _P[1]))
    if general_rows != sp.zeros(N_SYM, 1) or row_sums != sp.zeros(N_SYM, 1):
        raise ArithmeticError("the rows of diag(p) - pp^T should sum to 0 when sum p = 1")
    eigs = sorted((sp.radsimp(e) for e in jac.eigenvals(multiple=True)), key=float)
    norm = eigs[-1]
    lam = sp.Symbol("lambda")
    charpoly = sp.factor(jac.charpoly(lam).as_expr())
    elementwise = sp.diag(*[pi * (1 - pi) for pi in probs])
    return Result(
        expr=sp.Tuple(sp.ImmutableMatrix(jac), sp.Tuple(*eigs)),
        latex=rf"J={sp.latex(jac)},\quad J\mathbf 1=0,\quad \lVert J\rVert_2={sp.latex(norm)}",
        parts={
            "probs": probs.T,
            "jacobian": jac,
            "row_sums": row_sums.T,
            "charpoly": charpoly,
            "eigenvalues": sp.Tuple(*eigs),
            "spectral_norm": norm,
            "bound": softmax_jacobian_bound.result.parts["bound"],
            "elementwise": elementwise,
            "elementwise_row_sums": (elementwise * ones).T,
        },
        text={"spectral_norm": f"{float(norm):.4f}"},
        symbols={"p": "softmax probabilities", "J": "dp/ds", "lambda": "eigenvalue"},
    )


@softmax_jacobian_example.check(
    "torch.autograd.functional.jacobian of torch.softmax (float64) at logits ln p: entries, J 1, and the largest "
    "eigenvalue by torch.linalg.eigvalsh",
    tol=1e-13,
    needs="torch",
    oracle_zh="在 logit 为 ln p 处，用 torch.autograd.functional.jacobian 求 torch.softmax 的雅可比矩阵（float64）："
    "逐元素比较，核对 J·1，并用 torch.linalg.eigvalsh 求最大特征值",
)
def _() -> float:
    import torch

    p = softmax_jacobian_example.result.parts
    s = torch.log(torch.tensor([float(x) for x in p["probs"]], dtype=torch.float64))
    jt = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), s)
    want = torch.tensor(np.array(p["jacobian"], dtype=float))
    rows = jt @ torch.ones(3, dtype=torch.float64)
    top = float(torch.linalg.eigvalsh(jt)[-1])
    return max(
        float((jt - want).abs().max()),
        float((rows - torch.tensor(np.array(p["row_sums"], dtype=float)[0])).abs().max()),
        abs(top - float(p["spectral_norm"])),
    )


@softmax_jacobian_example.check(
    "central finite differences (h = 1e-6) of a numpy softmax at logits ln p: the Jacobian and its row sums; "
    "softmax(s + 5 * 1) - softmax(s); numpy eigenvalues (float64)",
    tol=1e-9,
    oracle_zh="在 logit 为 ln p 处对 NumPy 实现的 softmax 做中心有限差分（h = 1e-6）：雅可比矩阵及其行和；"
    "softmax(s + 5·1) − softmax(s)；NumPy 求特征值（float64）",
)
def _() -> float:
    p = softmax_jacobian_example.result.parts

    def softmax(t: np.ndarray) -> np.ndarray:
        e = np.exp(t - t.max())
        return e / e.sum()

    s = np.log(np.array([float(x) for x in p["probs"]]))
    h = 1e-6
    cols = []
    for j in range(3):
        e = np.zeros(3)
        e[j] = h
        cols.append((softmax(s + e) - softmax(s - e)) / (2 * h))
    fd = np.stack(cols, axis=1)
    eig = np.sort(np.linalg.eigvalsh(fd))
    want = np.array([float(x) for x in p["eigenvalues"]])
    return max(
        float(np.max(np.abs(fd - np.array(p["jacobian"], dtype=float)))),
        float(np.max(np.abs(fd.sum(axis=1) - np.array(p["row_sums"], dtype=float)[0]))),
        float(np.max(np.abs(softmax(s + 5.0) - softmax(s)))),
        float(np.max(np.abs(eig - want))),
    )
