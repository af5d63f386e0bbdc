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

from derivations.activations import tanh_derivative_max
from derivations.core import Result, derivation
from derivations.sym import sci_latex

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
        text={"lecun_relu_50_layers": sci_latex(float(ratio_lecun**50), 2)},
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


# --- exercises: a wrong gain in a ReLU net, the backward recursion with He (fan_in), orthogonal W under tanh ------
@derivation(
    "relu_variance_factor_for_gain",
    title="ReLU net, no biases, Var(w) = g^2/n_in: each layer multiplies E[z^2] by g^2/2; torch's nn.Linear default "
    "(g^2 = 1/3) gives 1/6, the tanh gain 5/3 gives 25/18",
    title_zh="无偏置的 ReLU 网络，Var(w) = g²/n_in：每层使 E[z²] 乘以 g²/2；torch 的 nn.Linear 默认初始化（g² = 1/3）"
    "为 1/6，tanh 的增益 5/3 为 25/18",
)
def relu_variance_factor_for_gain() -> Result:
    """Per-layer factor of the pre-activation second moment in a ReLU net without biases whose weights are i.i.d.,
    mean 0, Var(w) = g^2/n_in (z symmetric about 0): n_in Var(w) E[relu(z)^2]/E[z^2] = g^2/2; and its L-th power."""
    var_w = g**2 / n_in
    relu_sq = he_init.result.parts["relu_second_moment"]  # E[relu(z)^2] = s^2/2 for z ~ N(0, s^2)
    var_next = preactivation_variance.result.parts["variance"].subs(m_x, 0).subs({v_x: relu_sq, v_w: var_w})
    factor = sp.simplify(var_next / s**2)
    depth = sp.Integer(20)
    g2_linear = sp.simplify(lecun_glorot_init.result.parts["torch_linear_default_var"] * n_in)  # 1/3
    cases = {"linear_default": g2_linear, "tanh_gain": TORCH_TANH_GAIN**2}
    per_layer = {k: factor.subs(g, sp.sqrt(v)) for k, v in cases.items()}
    total = {k: v**depth for k, v in per_layer.items()}
    he_gain = sp.solve(sp.Eq(factor, 1), g)
    if he_gain != [sp.sqrt(2)] or per_layer["linear_default"] != sp.Rational(1, 6):
        raise ArithmeticError("unexpected factors")
    return Result(
        expr=sp.Tuple(sp.Lambda(g, factor), per_layer["linear_default"], per_layer["tanh_gain"]),
        latex=(
            r"\frac{\mathbb{E}[z_{l+1}^2]}{\mathbb{E}[z_l^2]}=n_{\mathrm{in}}\frac{g^2}{n_{\mathrm{in}}}\cdot\frac12="
            + sp.latex(factor)
            + rf";\ g^2={sp.latex(g2_linear)}:\ {sp.latex(per_layer['linear_default'])},\ "
            + rf"g={sp.latex(TORCH_TANH_GAIN)}:\ {sp.latex(per_layer['tanh_gain'])}"
        ),
        parts={
            "factor": factor,
            "he_gain": he_gain[0],
            "g2_linear_default": g2_linear,
            "tanh_gain": TORCH_TANH_GAIN,
            "factor_linear_default": per_layer["linear_default"],
            "factor_tanh_gain": per_layer["tanh_gain"],
            "depth": depth,
            "total_linear_default": total["linear_default"],
            "total_tanh_gain": total["tanh_gain"],
        },
        text={
            "depth": str(depth),
            "total_linear_default": sci_latex(float(total["linear_default"]), 2),
            "total_tanh_gain": f"{float(total['tanh_gain']):.0f}",
        },
        symbols={"g": "gain: weights of variance g^2/n_in", "n_in": "fan-in", "s": "std of the pre-activation"},
    )


@relu_variance_factor_for_gain.check(
    "torch-initialised ReLU nets (float64, width 256, 20 layers, no bias, batch 128): nn.Linear default and "
    "xavier_normal_ with calculate_gain('tanh'); log of the measured variance ratio vs log of the prediction, per "
    "layer (seed-to-seed s.d. about 0.02)",
    tol=0.1,
    needs="torch",
    oracle_zh="用 torch 初始化的 ReLU 网络（float64、宽 256、20 层、无偏置、批量 128）：nn.Linear 默认初始化与"
    "带 calculate_gain('tanh') 的 xavier_normal_；实测方差比的对数与预测值的对数之差，按层平均"
    "（不同种子间的标准差约 0.02）",
)
def _() -> float:
    import torch

    p = relu_variance_factor_for_gain.result.parts
    width, depth = 256, int(p["depth"])
    gen = torch.Generator().manual_seed(0)
    worst = 0.0
    for case in ("linear_default", "tanh_gain"):
        with torch.random.fork_rng():
            torch.manual_seed(1)
            z = torch.randn(128, width, dtype=torch.float64, generator=gen)
            v0 = float(z.pow(2).mean())
            for layer in range(depth):
                lin = torch.nn.Linear(width, width, bias=False, dtype=torch.float64)  # default init: global seed
                if case == "tanh_gain":
                    torch.nn.init.xavier_normal_(lin.weight, gain=torch.nn.init.calculate_gain("tanh"), generator=gen)
                x = torch.relu(z) if layer else z  # the input layer is not rectified
                z = lin(x).detach()
                if layer == 0:
                    v0 = float(z.pow(2).mean())  # from the first rectified layer on, each layer is one factor
        measured = math.log(float(z.pow(2).mean()) / v0)
        predicted = (depth - 1) * math.log(float(p[f"factor_{case}"]))
        worst = max(worst, abs(measured - predicted) / (depth - 1))
    return worst  # per layer; finite width 256: s.d. about 0.02 over seeds (a factor 1/4 for 1/6 would be 0.41)


@relu_variance_factor_for_gain.check(
    "mpmath quadrature (30 digits) of g^2 E[relu(Z)^2] / E[Z^2], Z ~ N(0, 1), for both gains",
    tol=1e-25,
    oracle_zh="mpmath 数值积分（30 位）计算 g²·E[relu(Z)²]/E[Z²]（Z ~ N(0, 1)），两种增益",
)
def _() -> float:
    p = relu_variance_factor_for_gain.result.parts
    with mpmath.workdps(30):
        m2 = mpmath.quad(lambda u: u**2 * mpmath.npdf(u), [0, mpmath.inf])
        worst = mpmath.mpf(0)
        for g2, key in ((p["g2_linear_default"], "factor_linear_default"), (p["tanh_gain"] ** 2, "factor_tanh_gain")):
            g2m = mpmath.mpf(g2.p) / g2.q
            worst = max(worst, abs(g2m * m2 - mpmath.mpf(p[key].p) / p[key].q))
        return float(worst)


@derivation(
    "he_fan_in_backward_telescopes",
    title="ReLU net, He fan_in (Var W_l = 2/n_{l-1}): backward, E[g^2] per unit grows by n_l/n_{l-1} per layer, "
    "n_L/n_1 in all, and ||g||^2 is preserved",
    title_zh="ReLU 网络、He fan_in 初始化（Var W_l = 2/n_{l−1}）：反向时每个单元的 E[g²] 每层乘以 n_l/n_{l−1}，"
    "总计 n_L/n_1，而 ‖g‖² 保持不变",
)
def he_fan_in_backward_telescopes() -> Result:
    """z_l = W_l relu(z_{l-1}), W_l of shape (n_l, n_{l-1}) i.i.d. mean 0; g_l = dL/dz_l. With g_{l-1} =
    relu'(z_{l-1}) * W_l^T g_l and weights independent of g_l (mean field),
    E[g_{l-1}^2] = (1/2) n_l Var(W_l) E[g_l^2]."""
    widths = sp.symbols("n1:5", positive=True, integer=True)  # n_1 .. n_4, L = 4
    half = sp.integrate(sp.exp(-(t**2) / 2) / sp.sqrt(2 * sp.pi), (t, 0, sp.oo))  # E[relu'(z)^2] = P(z > 0)
    # backward: the same algebra as preactivation_variance with the roles of fan-in and fan-out swapped
    bwd = preactivation_variance.result.parts["variance_zero_mean_input"]  # n Var(w) Var(x)
    per_layer = [
        sp.simplify(half * bwd.subs({n_in: widths[lv], v_w: 2 / widths[lv - 1], v_x: 1})) for lv in range(1, 4)
    ]
    total = sp.simplify(sp.prod(per_layer))
    norm_ratio = sp.simplify(widths[0] * total / widths[-1])  # ||g_1||^2 / ||g_L||^2 = n_1 E[g_1^2] / (n_L E[g_L^2])
    example = dict(zip(widths, (64, 256, 128, 512), strict=True))
    fan_out = sp.simplify(half * bwd.subs({n_in: widths[1], v_w: 2 / widths[1], v_x: 1}))  # mode='fan_out'
    if total != widths[-1] / widths[0] or norm_ratio != 1 or fan_out != 1:
        raise ArithmeticError("the backward factors do not telescope")
    return Result(
        expr=sp.Tuple(sp.Tuple(*per_layer), total, norm_ratio),
        latex=(
            r"\mathbb{E}[g_{l-1}^2]=\tfrac12\,n_l\,\frac{2}{n_{l-1}}\,\mathbb{E}[g_l^2]"
            r"\ \Rightarrow\ \frac{\mathbb{E}[g_1^2]}{\mathbb{E}[g_L^2]}=\prod_{l=2}^{L}\frac{n_l}{n_{l-1}}"
            r"=\frac{n_L}{n_1},\quad \frac{\lVert g_1\rVert^2}{\lVert g_L\rVert^2}=1"
        ),
        parts={
            "mask_factor": half,
            "per_layer": sp.Tuple(*per_layer),
            "total": total,
            "norm_ratio": norm_ratio,
            "fan_out_factor": fan_out,
            "widths_example": sp.Tuple(*example.values()),
            "total_example": total.subs(example),
            "n_first_example": sp.Integer(example[widths[0]]),
            "n_last_example": sp.Integer(example[widths[-1]]),
        },
        symbols={"n1..n4": "widths of z_1..z_4 (L = 4)", "g_l": "dL/dz_l", "W_l": "(n_l, n_{l-1}), Var 2/n_{l-1}"},
    )


@he_fan_in_backward_telescopes.check(
    "seeded Monte Carlo: ReLU nets with widths 64, 256, 128, 512 (He fan_in, float64), 32 nets x 64 inputs, "
    "random g_L; E[g_1^2]/E[g_L^2] and ||g_1||^2/||g_L||^2 (relative; seed-to-seed s.d. about 1.3 %, "
    "measured over 20 seeds)",
    tol=0.08,
    oracle_zh="固定随机种子的蒙特卡罗模拟：宽度依次为 64、256、128、512 的 ReLU 网络（He fan_in，float64），"
    "32 个网络 × 64 个输入，g_L 随机；E[g_1²]/E[g_L²] 与 ‖g_1‖²/‖g_L‖²"
    "（相对误差；不同随机种子间的标准差约 1.3%，由 20 个种子测得）",
)
def _() -> float:
    p = he_fan_in_backward_telescopes.result.parts
    ws = [int(v) for v in p["widths_example"]]
    rng = np.random.default_rng(41)
    m1, mL = 0.0, 0.0
    for _ in range(32):
        mats = [rng.normal(scale=math.sqrt(2.0 / ws[k - 1]), size=(ws[k], ws[k - 1])) for k in range(1, len(ws))]
        z = rng.normal(size=(64, ws[0]))  # z_1, any symmetric distribution
        zs = [z]
        for wm in mats:
            z = np.maximum(z, 0.0) @ wm.T
            zs.append(z)
        gl = rng.normal(size=(64, ws[-1]))
        mL += float(np.mean(gl**2))
        g = gl
        for k in range(len(mats) - 1, -1, -1):
            g = (g @ mats[k]) * (zs[k] > 0)
        m1 += float(np.mean(g**2))
    ratio = m1 / mL
    norm_ratio = ratio * ws[0] / ws[-1]
    return max(abs(ratio / float(p["total_example"]) - 1.0), abs(norm_ratio / float(p["norm_ratio"]) - 1.0))


@derivation(
    "orthogonal_tanh_step_singular_values",
    title="One tanh RNN step with orthogonal W: the Jacobian diag(tanh'(a)) Q has singular values |tanh'(a_i)|, "
    "so its norm is max_i tanh'(a_i) <= 1",
    title_zh="正交 W 的 tanh RNN 单步：雅可比矩阵 diag(tanh′(a))Q 的奇异值为 |tanh′(a_i)|，"
    "因此其谱范数为 max_i tanh′(a_i) ≤ 1",
)
def orthogonal_tanh_step_singular_values() -> Result:
    """For h_t = tanh(Q h_{t-1} + U x_t + b) with Q orthogonal, dh_t/dh_{t-1} = D Q with D = diag(1 - h_t^2); since
    (DQ)(DQ)^T = D^2, its singular values are exactly the |D_ii|: orthogonality leaves only the activation factors."""
    d1, d2 = sp.symbols("d1 d2", real=True)
    rot = sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])
    dm = sp.diag(d1, d2)
    jac = dm * rot
    gram = sp.simplify(jac * jac.T)
    lam = sp.Symbol("mu")
    sq = sp.solve((gram - lam * sp.eye(2)).det(), lam)
    sing = sp.Tuple(*sorted({sp.sqrt(v) for v in sq}, key=str))
    dd = sp.Symbol("d", real=True)
    per_entry = sp.Abs(dd)  # the singular value contributed by a diagonal entry d of D
    if gram != dm**2 or set(sing) != {per_entry.subs(dd, d1), per_entry.subs(dd, d2)}:
        raise ArithmeticError("singular values of D Q are not |d_i|")
    peak = tanh_derivative_max.result.parts["max"]
    return Result(
        expr=sp.Tuple(gram, sing),
        latex=(
            r"\frac{\partial h_t}{\partial h_{t-1}}=DQ,\ D=\operatorname{diag}(1-h_t^2):\ (DQ)(DQ)^\top=DQQ^\top D=D^2"
            r"\ \Rightarrow\ \sigma_i(DQ)=|D_{ii}|,\ \lVert DQ\rVert_2=\max_i(1-h_{t,i}^2)\le" + sp.latex(peak)
        ),
        parts={"gram": gram, "singular_values": sing, "singular_value_of_entry": per_entry, "bound": peak},
        symbols={
            "Q": "orthogonal recurrent matrix",
            "D": "diag(tanh'(a_t)) = diag(1 - h_t^2)",
            "d": "a diagonal entry of D",
            "theta": "angle (the 2x2 case)",
        },
    )


@orthogonal_tanh_step_singular_values.check(
    "torch autograd (float64): Jacobian of one tanh step with torch.nn.init.orthogonal_ W (32x32), its numpy "
    "singular values vs sorted 1 - h_t^2",
    tol=1e-12,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64）：W 由 torch.nn.init.orthogonal_ 生成（32×32），"
    "单步 tanh 的雅可比矩阵经 NumPy 求奇异值，与排序后的 1 − h_t² 比较",
)
def _() -> float:
    import torch

    gen = torch.Generator().manual_seed(3)
    qm = torch.empty(32, 32, dtype=torch.float64)
    torch.nn.init.orthogonal_(qm, generator=gen)
    rng = np.random.default_rng(3)
    h0, c = torch.tensor(rng.normal(size=32)), torch.tensor(rng.normal(size=32))

    def step(h: torch.Tensor) -> torch.Tensor:
        return torch.tanh(qm @ h + c)

    jac = torch.autograd.functional.jacobian(step, h0).numpy()
    h1 = step(h0).numpy()
    sv = np.sort(np.linalg.svd(jac, compute_uv=False))
    p = orthogonal_tanh_step_singular_values.result.parts
    derived = np.broadcast_to(sp.lambdify(sp.Symbol("d", real=True), p["singular_value_of_entry"])(1.0 - h1**2), 32)
    over = max(0.0, float(sv[-1]) - float(p["bound"]))
    return float(np.max(np.abs(sv - np.sort(derived)))) + over


@orthogonal_tanh_step_singular_values.check(
    "numpy: singular values of diag(d) Q for a QR-orthogonal 64x64 Q and seeded d vs sorted |d|",
    tol=1e-12,
    oracle_zh="NumPy：Q 由 QR 分解得到（64×64），d 固定随机种子，diag(d)Q 的奇异值与排序后的 |d| 比较",
)
def _() -> float:
    rng = np.random.default_rng(4)
    qm, _ = np.linalg.qr(rng.normal(size=(64, 64)))
    d = rng.uniform(-1, 1, 64)
    f = sp.lambdify(
        sp.Symbol("d", real=True), orthogonal_tanh_step_singular_values.result.parts["singular_value_of_entry"]
    )
    derived = np.sort(np.broadcast_to(f(d), 64))
    return float(np.max(np.abs(np.sort(np.linalg.svd(d[:, None] * qm, compute_uv=False)) - derived)))
