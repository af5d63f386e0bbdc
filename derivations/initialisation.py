"""Weight initialisation from variance propagation: LeCun, Glorot/Xavier, He, orthogonal, and torch's gains.

Conventions: a layer computes z_j = sum_{i=1}^{n_in} W_ji x_i (weights W of shape (n_out, n_in), as torch's
``nn.Linear`` stores them), weights i.i.d. with mean 0, independent of the inputs x. "Var" is over the random
weights and inputs; E[x^2] = Var(x) + E[x]^2 (inputs after a ReLU do NOT have mean 0). Norms are 2-norms;
"singular value" and "eigenvalue" are never used interchangeably.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation

n = sp.Symbol("n", integer=True, positive=True)
n_in = sp.Symbol("n_in", integer=True, positive=True)
n_out = sp.Symbol("n_out", integer=True, positive=True)
v_w = sp.Symbol("v_w", positive=True)  # Var(w)
v_x = sp.Symbol("v_x", positive=True)  # Var(x)
m_x = sp.Symbol("m_x", real=True)  # E[x]
s = sp.Symbol("s", positive=True)  # std of a pre-activation
q = sp.Symbol("q", nonnegative=True)  # variance of a pre-activation (tanh map)
g = sp.Symbol("g", positive=True)  # gain
a = sp.Symbol("a", positive=True)  # uniform half-width
t = sp.Symbol("t", real=True)
theta = sp.Symbol("theta", real=True)
i, j = sp.symbols("i j", integer=True, positive=True)

TORCH_TANH_GAIN = sp.Rational(5, 3)  # the gain torch.nn.init.calculate_gain recommends for tanh (no derivation given)


def _sci_latex(value: float, digits: int) -> str:
    """``value`` in scientific notation with ``digits`` significant digits, as LaTeX: 8.9\\times10^{-16}."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return rf"{mantissa}\times10^{{{int(exponent)}}}"


def _gauss_pdf(std: sp.Expr) -> sp.Expr:
    return sp.exp(-(t**2) / (2 * std**2)) / (sp.sqrt(2 * sp.pi) * std)


# --- Var of a pre-activation ---------------------------------------------------------------------------------
@derivation(
    "preactivation_variance",
    title="Var(sum_i w_i x_i) = n_in Var(w) E[x^2] for i.i.d. zero-mean w independent of x; E[x] = 0 gives Var(x)",
    title_zh="若 w 独立同分布、均值为 0 且与 x 独立：Var(Σ wᵢxᵢ) = n_in·Var(w)·E[x²]；E[x] = 0 时为 n_in·Var(w)·Var(x)",
)
def preactivation_variance() -> Result:
    m_w = sp.Symbol("m_w", real=True)  # E[w], set to 0 at the end
    rho = sp.Symbol("rho", real=True)  # E[x_i x_j] for i != j (any value: it ends up multiplied by E[w]^2 = 0)
    ex2 = v_x + m_x**2  # E[x_i^2]
    # E[z^2] = sum_i E[w_i^2] E[x_i^2] + sum_{i != j} E[w_i] E[w_j] E[x_i x_j]   (w independent of x and i.i.d.)
    diag = sp.Sum((v_w + m_w**2) * ex2, (i, 1, n_in)).doit()
    off = sp.Sum(sp.Sum(m_w**2 * rho, (j, 1, n_in)), (i, 1, n_in)).doit() - sp.Sum(m_w**2 * rho, (i, 1, n_in)).doit()
    mean = sp.Sum(m_w * m_x, (i, 1, n_in)).doit()
    general = sp.expand(diag + off - mean**2)
    var = sp.factor(general.subs(m_w, 0))
    if sp.simplify(var - n_in * v_w * ex2) != 0:
        raise ArithmeticError(f"unexpected variance {var}")
    zero_mean = var.subs(m_x, 0)
    return Result(
        expr=sp.Lambda((n_in, v_w, v_x, m_x), var),
        latex=(
            r"\operatorname{Var}\Bigl(\sum_{i=1}^{n_{\mathrm{in}}} w_i x_i\Bigr)="
            + sp.latex(var)
            + r"=n_{\mathrm{in}}\operatorname{Var}(w)\,\mathbb{E}[x^2]\ \xrightarrow{\ \mathbb{E}[x]=0\ }\ "
            + sp.latex(zero_mean)
        ),
        parts={"variance": var, "variance_zero_mean_input": zero_mean, "variance_any_weight_mean": general},
        symbols={
            "n_in": "fan-in",
            "v_w": "Var(w) (weights i.i.d., mean 0, independent of x)",
            "v_x": "Var(x)",
            "m_x": "E[x]",
            "m_w": "E[w] (0 in every scheme here)",
            "rho": "E[x_i x_j], i != j",
        },
    )


@preactivation_variance.check(
    "Monte Carlo, 200000 seeded samples, n_in = 32, inputs with nonzero mean",
    tol=0.03,
    oracle_zh="蒙特卡罗模拟：20 万个样本（固定随机种子），n_in = 32，输入均值不为 0",
)
def _() -> float:
    rng = np.random.default_rng(3)
    n_s, fan = 200_000, 32
    f = sp.lambdify((n_in, v_w, v_x, m_x), preactivation_variance.result.expr.expr)
    worst = 0.0
    for vw, shift in [(0.5, 0.0), (0.03, 1.5)]:
        w = rng.normal(scale=math.sqrt(vw), size=(n_s, fan))
        x = rng.exponential(size=(n_s, fan)) - 1.0 + shift  # Var(x) = 1, E[x] = shift
        z = np.sum(w * x, axis=1)
        worst = max(worst, abs(np.var(z) / f(fan, vw, 1.0, shift) - 1.0))
    return worst  # relative error; the Monte Carlo standard error is about 0.5-1 %


# --- LeCun, Glorot/Xavier, He -------------------------------------------------------------------------------
@derivation(
    "lecun_glorot_init",
    title="LeCun Var(w) = 1/n_in; Glorot Var(w) = 2/(n_in + n_out), uniform limit sqrt(6/(n_in + n_out))",
    title_zh="LeCun：Var(w) = 1/n_in；Glorot：Var(w) = 2/(n_in + n_out)，均匀分布界为 √(6/(n_in + n_out))",
)
def lecun_glorot_init() -> Result:
    fwd = preactivation_variance.result.parts["variance_zero_mean_input"]
    (lecun,) = sp.solve(sp.Eq(fwd, v_x), v_w)  # forward: keep Var(z) = Var(x)
    (bwd,) = sp.solve(sp.Eq(fwd.subs(n_in, n_out), v_x), v_w)  # backward: gradients sum over n_out units
    glorot = sp.simplify(2 / (1 / lecun + 1 / bwd))  # harmonic mean of the two conditions
    u_var = sp.integrate(t**2 / (2 * a), (t, -a, a))  # Var of U(-a, a)
    (limit,) = sp.solve(sp.Eq(u_var, glorot), a)
    torch_linear_gain_sq = sp.simplify(2 / (1 + sp.sqrt(5) ** 2))  # kaiming_uniform_(a=sqrt(5)) in nn.Linear
    torch_linear_var = sp.simplify(torch_linear_gain_sq / n_in)
    return Result(
        expr=sp.Tuple(sp.Lambda(n_in, lecun), sp.Lambda((n_in, n_out), glorot), sp.Lambda((n_in, n_out), limit)),
        latex=(
            rf"n_{{\mathrm{{in}}}}\operatorname{{Var}}(w)=1\Rightarrow\operatorname{{Var}}(w)={sp.latex(lecun)};\quad"
            rf"\ n_{{\mathrm{{out}}}}\operatorname{{Var}}(w)=1\Rightarrow{sp.latex(bwd)};\quad"
            rf"\text{{Glorot: }}\operatorname{{Var}}(w)={sp.latex(glorot)},\ \tfrac{{a^2}}{{3}}={sp.latex(glorot)}"
            rf"\Rightarrow a={sp.latex(limit)}"
        ),
        parts={
            "lecun_var": lecun,
            "lecun_std": sp.sqrt(lecun),
            "backward_var": bwd,
            "glorot_var": glorot,
            "uniform_var": u_var,
            "glorot_uniform_limit": limit,
            "torch_linear_default_var": torch_linear_var,
        },
        symbols={"n_in": "fan-in", "n_out": "fan-out", "a": "half-width of U(-a, a)", "v_x": "Var(x)"},
    )


@lecun_glorot_init.check(
    "torch.nn.init.xavier_uniform_ / nn.Linear default: bound and sample variance",
    tol=0.01,
    needs="torch",
    oracle_zh="torch.nn.init.xavier_uniform_ 与 nn.Linear 的默认初始化：取值界与样本方差",
)
def _() -> float:
    import torch

    p = lecun_glorot_init.result.parts
    fo, fi = 600, 400
    w = torch.empty(fo, fi, dtype=torch.float64)
    torch.nn.init.xavier_uniform_(w, generator=torch.Generator().manual_seed(0))
    lim = float(p["glorot_uniform_limit"].subs({n_in: fi, n_out: fo}))
    var = float(p["glorot_var"].subs({n_in: fi, n_out: fo}))
    with torch.random.fork_rng():  # nn.Linear draws from the global generator: seed it (reproducible page)
        torch.manual_seed(0)
        lin = torch.nn.Linear(fi, fo, dtype=torch.float64)
    lin_var = float(p["torch_linear_default_var"].subs(n_in, fi))
    return max(
        abs(float(w.abs().max()) / lim - 1.0),  # the largest of 240000 draws is within ~1e-5 of the bound
        max(0.0, float(w.abs().max()) - lim),
        abs(float(w.var()) / var - 1.0),
        abs(float(lin.weight.detach().var()) / lin_var - 1.0),
    )


@lecun_glorot_init.check(
    "mpmath quadrature of the U(-a, a) variance, a = 0.37",
    tol=1e-40,
    oracle_zh="用 mpmath 数值积分计算 U(−a, a) 的方差，a = 0.37",
)
def _() -> float:
    f = sp.lambdify(a, lecun_glorot_init.result.parts["uniform_var"], "mpmath")
    with mpmath.workdps(50):
        av = mpmath.mpf("0.37")
        v = mpmath.quad(lambda u: u**2 / (2 * av), [-av, av])
        return float(abs(v - f(av)))


@derivation(
    "he_init",
    title="He: E[relu(z)^2] = Var(z)/2 for z ~ N(0, Var(z)), so Var(w) = 2/n_in (std sqrt(2/n_in), gain sqrt 2)",
    title_zh="He 初始化：z ~ N(0, Var(z)) 时 E[relu(z)²] = Var(z)/2，故 Var(w) = 2/n_in（标准差 √(2/n_in)，增益 √2）",
)
def he_init() -> Result:
    relu_sq = sp.simplify(sp.integrate(t**2 * _gauss_pdf(s), (t, 0, sp.oo)))  # E[relu(z)^2], z ~ N(0, s^2)
    if sp.simplify(relu_sq - s**2 / 2) != 0:
        raise ArithmeticError(f"E[relu^2] = {relu_sq}")
    relu_mean = sp.simplify(sp.integrate(t * _gauss_pdf(s), (t, 0, sp.oo)))  # nonzero: the input mean is not 0
    # Var(z_{l+1}) = n_in Var(w) E[x^2] with x = relu(z_l): put E[x^2] = relu_sq (m_x = 0, v_x = E[x^2])
    var_next = sp.simplify(preactivation_variance.result.parts["variance"].subs(m_x, 0).subs(v_x, relu_sq))
    (vw,) = sp.solve(sp.Eq(var_next, s**2), v_w)
    gain = sp.sqrt(vw * n_in)
    ratio_lecun = sp.simplify(var_next.subs(v_w, 1 / n_in) / s**2)  # per-layer factor with LeCun init: 1/2
    return Result(
        expr=sp.Tuple(sp.Lambda(n_in, vw), sp.Lambda(s, relu_sq)),
        latex=(
            rf"\mathbb{{E}}[\operatorname{{relu}}(z)^2]=\int_0^\infty t^2\,\tfrac{{e^{{-t^2/2s^2}}}}{{\sqrt{{2\pi}}s}}"
            rf"\,dt={sp.latex(relu_sq)},\quad n_{{\mathrm{{in}}}}\operatorname{{Var}}(w)\tfrac{{s^2}}{{2}}=s^2"
            rf"\Rightarrow\operatorname{{Var}}(w)={sp.latex(vw)},\ \text{{gain}}={sp.latex(gain)}"
        ),
        parts={
            "relu_second_moment": relu_sq,
            "relu_mean": relu_mean,
            "he_var": vw,
            "he_std": sp.sqrt(vw),
            "gain": gain,
            "per_layer_factor_lecun_relu": ratio_lecun,
            "lecun_relu_50_layers": ratio_lecun**50,
        },
        text={"lecun_relu_50_layers": _sci_latex(float(ratio_lecun**50), 2)},
        symbols={"s": "std of the pre-activation z", "n_in": "fan-in", "v_w": "Var(w)"},
    )


@he_init.check(
    "mpmath quadrature at 50 digits of E[relu(z)^2], z ~ N(0, s^2)",
    tol=1e-40,
    oracle_zh="用 mpmath 数值积分（50 位有效数字）计算 E[relu(z)²]，z ~ N(0, s²)",
)
def _() -> float:
    f = sp.lambdify(s, he_init.result.parts["relu_second_moment"], "mpmath")
    with mpmath.workdps(50):
        worst = mpmath.mpf(0)
        for sv in ["0.3", "1", "2.5"]:
            sd = mpmath.mpf(sv)
            val = mpmath.quad(lambda u, sd=sd: u**2 * mpmath.npdf(u, 0, sd), [0, mpmath.inf])
            worst = max(worst, abs(val - f(sd)))
        return float(worst)


@he_init.check(
    "torch.nn.init.kaiming_normal_(relu) std and calculate_gain('relu')",
    tol=0.01,
    needs="torch",
    oracle_zh="torch.nn.init.kaiming_normal_（relu）的标准差与 calculate_gain('relu')",
)
def _() -> float:
    import torch

    p = he_init.result.parts
    w = torch.empty(1000, 300, dtype=torch.float64)
    torch.nn.init.kaiming_normal_(w, nonlinearity="relu", generator=torch.Generator().manual_seed(0))
    std = float(p["he_std"].subs(n_in, 300))
    return max(abs(float(w.std()) / std - 1.0), abs(torch.nn.init.calculate_gain("relu") - float(p["gain"])))


@he_init.check(
    "seeded simulation: ReLU net, width 256, 50 layers, log2 variance ratio (He ~ 0, LeCun ~ -50)",
    tol=4.0,
    oracle_zh="固定随机种子的模拟：宽 256、50 层的 ReLU 网络，方差比的 log₂（He 约为 0，LeCun 约为 −50）",
)
def _() -> float:
    # finite width: log2 of the ratio moves by a few units from seed to seed (seeds 0-7: from -2.8 to +4.0; seed 0:
    # -0.6 for He, -1.8 for LeCun); the two schemes differ by 50, so a tolerance of 4 still separates them
    d = figure_data_activation_variance(configs=("relu_he", "relu_lecun"))
    pred_lecun = 50 * math.log2(float(he_init.result.parts["per_layer_factor_lecun_relu"]))
    return max(
        abs(math.log2(d["relu_he"][-1] / d["relu_he"][0])),
        abs(math.log2(d["relu_lecun"][-1] / d["relu_lecun"][0]) - pred_lecun),
    )


# --- torch's tanh gain: what 5/3 does ------------------------------------------------------------------------
@derivation(
    "tanh_gain_variance_map",
    title="tanh, weight std g/sqrt(n_in): q -> g^2(q - 2q^2 + ...); q_l ~ 1/(2l) if g = 1, fixed point q* > 0 if g > 1",
    title_zh="tanh、权重标准差 g/√n_in：q → g²(q − 2q² + …)；g = 1 时 q_l ~ 1/(2l)，g > 1 时有不动点 q* > 0",
)
def tanh_gain_variance_map() -> Result:
    u = sp.Symbol("u", real=True)
    series = sp.series(sp.tanh(u) ** 2, u, 0, 8).removeO()
    moment = {k: sp.integrate(t**k * _gauss_pdf(sp.Integer(1)), (t, -sp.oo, sp.oo)) for k in (2, 4, 6)}
    poly = sp.Poly(series, u)
    mapped = sp.expand(sum(coef * q ** (k[0] // 2) * moment[k[0]] for k, coef in poly.terms()))
    slope0 = sp.diff(g**2 * mapped, q).subs(q, 0)  # g^2: a nonzero fixed point needs slope > 1 at q = 0
    # g = 1: q' = q - 2q^2 + O(q^3)  =>  1/q' = 1/q + 2 + O(q)  =>  q_l ~ 1/(2 l)
    inv_step = sp.limit(1 / mapped.subs(q, q) - 1 / q, q, 0)
    qstar = _tanh_fixed_point(float(TORCH_TANH_GAIN))
    return Result(
        expr=sp.Tuple(sp.Lambda(q, mapped), slope0, inv_step),
        latex=(
            rf"\mathbb{{E}}_{{Z\sim N(0,1)}}\bigl[\tanh^2(\sqrt q\,Z)\bigr]={sp.latex(mapped)}+O(q^4),\quad"
            rf"\frac{{d}}{{dq}}\Big|_0 = g^2,\quad g=1:\ \frac1{{q_{{l+1}}}}-\frac1{{q_l}}\to{sp.latex(inv_step)}"
            rf"\Rightarrow q_l\sim\frac{{1}}{{2l}};\quad g=\tfrac53:\ q^*\approx{qstar:.4f}"
        ),
        parts={
            "map_series": mapped,
            "slope_at_0": slope0,
            "inverse_step": inv_step,
            "torch_tanh_gain": TORCH_TANH_GAIN,
            "fixed_point_5_3": sp.Float(qstar, 15),
        },
        text={"fixed_point_5_3": f"{qstar:.4f}"},
        symbols={"q": "pre-activation variance", "g": "gain (weights N(0, g^2/n_in))", "Z": "standard normal"},
    )


def _tanh_fixed_point(gain: float) -> float:
    """Nonzero fixed point q* of q = gain^2 E[tanh(sqrt(q) Z)^2] (Z standard normal), by mpmath quadrature."""
    with mpmath.workdps(20):

        def f(qq: mpmath.mpf) -> mpmath.mpf:
            m = mpmath.quad(
                lambda z: mpmath.tanh(mpmath.sqrt(qq) * z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf]
            )
            return gain**2 * m - qq

        return float(mpmath.findroot(f, mpmath.mpf(1)))


@tanh_gain_variance_map.check(
    "Gauss-Hermite quadrature (80 nodes) of E[tanh^2(sqrt(q) Z)] at q = 1e-3",
    tol=1e-10,
    oracle_zh="Gauss–Hermite 求积（80 个节点）计算 q = 1e-3 时的 E[tanh²(√q Z)]",
)
def _() -> float:
    zs, ws = np.polynomial.hermite_e.hermegauss(80)
    ws = ws / ws.sum()
    qq = 1e-3  # truncation error of the series is O(q^4) ~ 1e-11; a wrong q^3 coefficient shows at 1e-9
    numeric = float(np.sum(ws * np.tanh(np.sqrt(qq) * zs) ** 2))
    return abs(numeric - float(tanh_gain_variance_map.result.parts["map_series"].subs(q, qq)))


@tanh_gain_variance_map.check(
    "torch.nn.init.calculate_gain('tanh') equals the 5/3 used here",
    tol=1e-15,
    needs="torch",
    oracle_zh="torch.nn.init.calculate_gain('tanh') 与此处所用的 5/3 相等",
)
def _() -> float:
    import torch

    return abs(torch.nn.init.calculate_gain("tanh") - float(tanh_gain_variance_map.result.parts["torch_tanh_gain"]))


@tanh_gain_variance_map.check(
    "seeded simulation (width 256, 30 tanh layers, g = 5/3) vs q*; exact map iterated 2000 times (g = 1) vs 1/(2l)",
    tol=0.1,
    oracle_zh="固定随机种子的模拟（宽 256、30 层 tanh、g = 5/3）与 q* 比较；"
    "g = 1 时把精确映射迭代 2000 次，与 1/(2l) 比较",
)
def _() -> float:
    d = figure_data_activation_variance(width=256, depth=30, batch=64, configs=("tanh_gain_5_3",))
    qstar = float(tanh_gain_variance_map.result.parts["fixed_point_5_3"])
    # g = 1 from q_0 = 1: the exact map iterated numerically, compared with the asymptote 1/(2l) in relative terms
    zs, ws = np.polynomial.hermite_e.hermegauss(120)
    ws = ws / ws.sum()
    qq = 1.0
    for _ in range(2000):
        qq = float(np.sum(ws * np.tanh(np.sqrt(qq) * zs) ** 2))
    return max(abs(d["tanh_gain_5_3"][-1] / qstar - 1.0), abs(qq * 2 * 2000 - 1.0))


@derivation(
    "tanh_gain_backward_factor",
    title="tanh, weight std g/sqrt(n_in), no bias: backward factor chi = g^2 E[tanh'(sqrt(q) Z)^2] = "
    "g^2(1 - 2q + ...); at g = 5/3 and q = q*, chi = 1.21 > 1",
    title_zh="tanh、权重标准差 g/√n_in、无偏置：反向因子 χ = g² E[tanh′(√q Z)²] = g²(1 − 2q + …)；"
    "g = 5/3、q = q* 时 χ ≈ 1.21 > 1",
)
def tanh_gain_backward_factor() -> Result:
    u = sp.Symbol("u", real=True)
    series = sp.series(sp.sech(u) ** 4, u, 0, 8).removeO()  # tanh'(u)^2 = sech^4(u)
    moment = {k: sp.integrate(t**k * _gauss_pdf(sp.Integer(1)), (t, -sp.oo, sp.oo)) for k in (0, 2, 4, 6)}
    poly = sp.Poly(series, u)
    mapped = sp.expand(sum(coef * q ** (k[0] // 2) * moment[k[0]] for k, coef in poly.terms()))
    at_zero = (g**2 * mapped).subs(q, 0)  # g^2: chi = 1 at q = 0 exactly when g = 1
    qstar = float(tanh_gain_variance_map.result.parts["fixed_point_5_3"])
    gain = float(TORCH_TANH_GAIN)
    with mpmath.workdps(20):
        m = mpmath.quad(
            lambda z: mpmath.sech(mpmath.sqrt(qstar) * z) ** 4 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf]
        )
        chi = float(gain**2 * m)
    return Result(
        expr=sp.Tuple(sp.Lambda(q, g**2 * mapped), at_zero),
        latex=(
            r"\chi=g^2\,\mathbb{E}_{Z\sim N(0,1)}\bigl[\tanh'(\sqrt q\,Z)^2\bigr]=g^2\Bigl("
            + sp.latex(mapped, order="rev-lex")
            + rf"+O(q^4)\Bigr),\quad \chi(q{{=}}0)=g^2,\quad \chi(q^*)\big|_{{g=5/3}}\approx{chi:.4f},\quad "
            rf"\sqrt{{\chi(q^*)}}\big|_{{g=5/3}}\approx{math.sqrt(chi):.4f}"
        ),
        parts={
            "chi_series": mapped,
            "chi_at_0": at_zero,
            "chi_5_3": sp.Float(chi, 15),
            "sqrt_chi_5_3": sp.Float(math.sqrt(chi), 15),
        },
        text={"chi_5_3": f"{chi:.4f}", "chi_5_3_short": f"{chi:.2f}", "sqrt_chi_5_3": f"{math.sqrt(chi):.2f}"},
        symbols={
            "chi": "mean-field factor of E||dL/dh||^2 per layer, going backwards",
            "q": "pre-activation variance",
            "g": "gain (weights N(0, g^2/n_in))",
            "Z": "standard normal",
        },
    )


@tanh_gain_backward_factor.check(
    "Gauss-Hermite quadrature (200 nodes): q* by iterating the variance map, then 25/9 E[sech^4(sqrt(q*) Z)]",
    tol=1e-11,
    oracle_zh="Gauss–Hermite 求积（200 个节点）：迭代方差映射求出 q*，再计算 25/9·E[sech⁴(√q* Z)]",
)
def _() -> float:
    zs, ws = np.polynomial.hermite_e.hermegauss(200)  # 120 nodes leave a relative error of 5e-10 here
    ws = ws / ws.sum()
    gain2 = float(TORCH_TANH_GAIN) ** 2
    qq = 1.0
    for _ in range(200):  # the map's slope at q* is < 1, so the iteration converges to q*
        qq = gain2 * float(np.sum(ws * np.tanh(np.sqrt(qq) * zs) ** 2))
    chi = gain2 * float(np.sum(ws / np.cosh(np.sqrt(qq) * zs) ** 4))
    return abs(chi / float(tanh_gain_backward_factor.result.parts["chi_5_3"]) - 1.0)


@tanh_gain_backward_factor.check(
    "Gauss-Hermite quadrature (80 nodes) of E[sech^4(sqrt(q) Z)] at q = 1e-4 vs the series (g = 1)",
    tol=1e-12,
    oracle_zh="Gauss–Hermite 求积（80 个节点）计算 q = 1e-4 时的 E[sech⁴(√q Z)]，与级数比较（g = 1）",
)
def _() -> float:
    zs, ws = np.polynomial.hermite_e.hermegauss(80)
    ws = ws / ws.sum()
    qq = 1e-4  # the series' truncation error is 167 q^4 ~ 2e-14; a wrong q^3 coefficient shows at 1e-11
    numeric = float(np.sum(ws / np.cosh(np.sqrt(qq) * zs) ** 4))
    p = tanh_gain_backward_factor.result.parts
    return abs(numeric - float(p["chi_series"].subs(q, qq))) + abs(float(p["chi_at_0"].subs(g, 1)) - 1.0)


@tanh_gain_backward_factor.check(
    "seeded wide net (width 1000, g = 5/3, no bias, 10 burn-in + 30 layers, 2 seeds): mean of "
    "||dL/dh_{l-1}||^2 / ||dL/dh_l||^2 vs chi (relative; s.e. about 0.7 %)",
    tol=0.04,
    oracle_zh="固定随机种子的宽网络（宽 1000、g = 5/3、无偏置、先走 10 层再取 30 层、2 个种子）："
    "‖∂L/∂h_{l−1}‖² / ‖∂L/∂h_l‖² 的平均值与 χ 的相对误差（标准误约 0.7%）",
)
def _() -> float:
    width, burn, depth = 1000, 10, 30
    gain = float(TORCH_TANH_GAIN)
    ratios = []
    for seed in (0, 1):
        rng = np.random.default_rng([31, seed])
        h = rng.normal(size=width)  # the variance reaches its fixed point within the burn-in layers
        pre, mats = [], []
        for _ in range(burn + depth):
            w = rng.normal(scale=gain / math.sqrt(width), size=(width, width))
            h = w @ np.tanh(h)
            pre.append(h)
            mats.append(w)
        d = rng.normal(size=width)  # dL/dh at the last layer
        for layer in range(burn + depth - 1, burn, -1):
            d_prev = (1.0 - np.tanh(pre[layer - 1]) ** 2) * (mats[layer].T @ d)  # h_l = W_l tanh(h_{l-1})
            ratios.append(float(d_prev @ d_prev) / float(d @ d))
            d = d_prev
    return abs(float(np.mean(ratios)) / float(tanh_gain_backward_factor.result.parts["chi_5_3"]) - 1.0)


# --- orthogonal ---------------------------------------------------------------------------------------------------
@derivation(
    "orthogonal_init",
    title="Orthogonal Q (Q^T Q = I): every singular value is 1, so ||Q^k x||_2 = ||x||_2 for every k",
    title_zh="正交矩阵 Q（QᵀQ = I）：所有奇异值都等于 1，因此对任意 k 有 ‖Qᵏx‖₂ = ‖x‖₂",
)
def orthogonal_init() -> Result:
    rot = sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])
    gram = sp.simplify(rot.T * rot)
    if gram != sp.eye(2):
        raise ArithmeticError("rotation is not orthogonal")
    lam = sp.Symbol("lambda")
    eig = sp.solve((gram - lam * sp.eye(2)).det(), lam)  # eigenvalues of Q^T Q are the squared singular values
    sing = sorted({sp.sqrt(e) for e in eig})
    x1, x2 = sp.symbols("x1 x2", real=True)
    vec = sp.Matrix([x1, x2])
    k = 5
    powered = sp.simplify((rot**k * vec).norm() ** 2 - vec.norm() ** 2)
    if sing != [1] or sp.simplify(sp.expand_trig(powered)) != 0:
        raise ArithmeticError("singular values are not all 1")
    return Result(
        expr=sp.Tuple(gram, sp.Tuple(*sing)),
        latex=(
            r"Q^\top Q=I\ \Rightarrow\ \sigma_i(Q)=\sqrt{\lambda_i(Q^\top Q)}=1\ \forall i\ \Rightarrow\ "
            r"\lVert Q^k x\rVert_2^2=x^\top (Q^k)^\top Q^k x=\lVert x\rVert_2^2"
        ),
        parts={
            "gram_rotation": gram,
            "singular_values_rotation": sp.Tuple(*sing),
            # contrast, large-n limits for an n x n matrix with i.i.d. N(0, 1/n) entries: the circular law puts the
            # eigenvalues in the unit disc (spectral radius -> 1), the quarter-circle law the singular values in [0, 2]
            "gaussian_spectral_radius": sp.Integer(1),
            "gaussian_singular_max": sp.Integer(2),
        },
        symbols={"theta": "rotation angle (the 2x2 example)", "Q": "orthogonal matrix", "x": "vector"},
    )


@orthogonal_init.check(
    "torch.nn.init.orthogonal_ (64x64, float64): numpy SVD and ||Q^50 x|| / ||x||",
    tol=1e-12,
    needs="torch",
    oracle_zh="torch.nn.init.orthogonal_（64×64，float64）：NumPy 奇异值分解与 ‖Q⁵⁰x‖/‖x‖",
)
def _() -> float:
    import torch

    w = torch.empty(64, 64, dtype=torch.float64)
    torch.nn.init.orthogonal_(w, generator=torch.Generator().manual_seed(0))
    qm = w.numpy()
    sv = np.linalg.svd(qm, compute_uv=False)
    x = np.random.default_rng(4).normal(size=64)
    y = x.copy()
    for _ in range(50):
        y = qm @ y
    return max(float(np.max(np.abs(sv - 1.0))), abs(np.linalg.norm(y) / np.linalg.norm(x) - 1.0))


@orthogonal_init.check(
    "numpy QR of a seeded Gaussian 128x128 matrix: max |sigma_i - 1|",
    tol=1e-12,
    oracle_zh="对固定随机种子的 128×128 高斯矩阵做 NumPy QR 分解：max |σᵢ − 1|",
)
def _() -> float:
    qm, _ = np.linalg.qr(np.random.default_rng(5).normal(size=(128, 128)))
    return float(np.max(np.abs(np.linalg.svd(qm, compute_uv=False) - 1.0)))


@orthogonal_init.check(
    "numpy, seeded 400x400 N(0, 1/n) matrix: spectral radius vs 1, largest singular value vs 2, smallest near 0",
    tol=0.1,
    oracle_zh="NumPy，固定随机种子的 400×400 N(0, 1/n) 矩阵：谱半径与 1、最大奇异值与 2 比较，最小奇异值接近 0",
)
def _() -> float:
    n = 400  # finite-n deviations from the limits are a few 1e-2 here
    a = np.random.default_rng(6).normal(scale=1 / math.sqrt(n), size=(n, n))
    sv = np.linalg.svd(a, compute_uv=False)
    rho = float(np.max(np.abs(np.linalg.eigvals(a))))
    p = orthogonal_init.result.parts
    return max(abs(rho - float(p["gaussian_spectral_radius"])), abs(sv[0] - float(p["gaussian_singular_max"])), sv[-1])


# --- figure data ----------------------------------------------------------------------------------------------
def figure_data_activation_variance(
    width: int = 256, depth: int = 50, batch: int = 64, seed: int = 0, configs: tuple[str, ...] | None = None
) -> dict:
    """Variance of the pre-activations per layer (index 0 = input) for deep fully connected nets, seeded.

    Weights N(0, std^2) with std = gain/sqrt(width); configurations: ReLU with LeCun (gain 1) and He (gain sqrt 2),
    tanh with gain 1 and torch's 5/3. Input: standard normal, so layer 0 has variance about 1.
    """
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=(batch, width))
    table = {
        "relu_lecun": (lambda z: np.maximum(z, 0.0), 1.0),
        "relu_he": (lambda z: np.maximum(z, 0.0), math.sqrt(2.0)),
        "tanh_gain_1": (np.tanh, 1.0),
        "tanh_gain_5_3": (np.tanh, 5.0 / 3.0),
    }
    out: dict = {"layer": np.arange(depth + 1)}
    for name, (act, gain) in table.items():
        if configs is not None and name not in configs:
            continue
        z = x0.copy()
        var = [float(np.var(z))]
        for _ in range(depth):
            w = rng.normal(scale=gain / math.sqrt(width), size=(width, width))
            z = act(z) @ w.T
            var.append(float(np.var(z)))
        out[name] = np.array(var)
    return out
