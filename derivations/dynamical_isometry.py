"""Dynamical isometry, products of random matrices and Saxe's deep-linear learning dynamics.

Conventions. A fully connected net of depth L and width N computes h_l = W_l x_{l-1} + b_l, x_l = phi(h_l)
(x_0 the input); its input-output Jacobian is J = dx_L/dx_0 = D_L W_L ... D_1 W_1 with D_l = diag(phi'(h_l)).
Weights are either Gaussian, i.i.d. N(0, sigma_w^2/N) entries, or orthogonal, sigma_w times a Haar orthogonal matrix;
biases i.i.d. N(0, sigma_b^2). The spectrum of JJ^T is its N eigenvalues (the squared singular values of J); its
moments are m_k = tr((JJ^T)^k)/N, its mean m_1 and its variance m_2 - m_1^2. "Criticality" means
chi_1 = sigma_w^2 E[phi'(h)^2] = 1 at the fixed point q* of the length map. For the random matrix products of the
Lyapunov section the matrices are n x n with i.i.d. N(0, sigma^2) entries and logarithms are natural.
"""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.sym import sci_latex

L = sp.Symbol("L", integer=True, positive=True)  # depth (number of layers / factors)
N = sp.Symbol("N", integer=True, positive=True)  # width
n = sp.Symbol("n", integer=True, positive=True)  # size of the random matrices of the Lyapunov section
k = sp.Symbol("k", integer=True, positive=True)
sigma_w = sp.Symbol("sigma_w", positive=True)
sw2 = sigma_w**2  # weight variance times N
sig2 = sp.Symbol("sigma^2", positive=True)  # entry variance of the Lyapunov matrices
mu1, mu2 = sp.symbols("mu_1 mu_2", positive=True)  # E[phi'(h)^2], E[phi'(h)^4] at the fixed point
gflag = sp.Symbol("g", nonnegative=True)  # 1: Gaussian weights, 0: orthogonal weights
m1, m2 = sp.symbols("m_1 m_2", positive=True)  # spectral moments of the previous layer's JJ^T

TANH_QSTAR = sp.Rational(1, 4)  # the critical tanh net used here: fixed point q* = 1/4 (sigma_b^2 small)
CHECK_WIDTH, CHECK_DEPTH, CHECK_SEEDS = 100, 4, 20


# --- shared numerics (float64, no SymPy) ----------------------------------------------------------------------
def _haar_orthogonal(rng: np.random.Generator, size: int) -> np.ndarray:
    """A Haar-distributed orthogonal matrix: QR of a Gaussian matrix with the signs of R's diagonal moved into Q."""
    q, r = np.linalg.qr(rng.normal(size=(size, size)))
    return q * np.sign(np.diag(r))


def _act(name: str, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if name == "tanh":
        t = np.tanh(h)
        return t, 1.0 - t**2
    if name == "relu":
        return np.maximum(h, 0.0), (h > 0).astype(float)
    return h, np.ones_like(h)


def jacobian_at_init(
    act: str, weights: str, sw2_: float, sb2_: float, q0: float, width: int, depth: int, seed: int
) -> np.ndarray:
    """J = dx_L/dx_0 of a freshly initialised net (float64): ``act`` in {linear, relu, tanh}, ``weights`` in
    {gaussian, orthogonal}; the input is x_0 = phi(h_0) with h_0 ~ N(0, q0) entries, so the net starts at q = q0."""
    rng = np.random.default_rng([17, seed])
    x, _ = _act(act, rng.normal(size=width) * math.sqrt(q0))
    jac = np.eye(width)
    for _ in range(depth):
        if weights == "gaussian":
            w = rng.normal(size=(width, width)) * math.sqrt(sw2_ / width)
        else:
            w = _haar_orthogonal(rng, width) * math.sqrt(sw2_)
        x, d = _act(act, w @ x + rng.normal(size=width) * math.sqrt(sb2_))
        jac = d[:, None] * (w @ jac)
    return jac


def spectral_moments(jac: np.ndarray) -> tuple[float, float]:
    """(m_1, m_2) of the spectrum of JJ^T: tr(JJ^T)/N and tr((JJ^T)^2)/N = ||JJ^T||_F^2/N."""
    a = jac @ jac.T
    return float(np.trace(a)) / a.shape[0], float(np.sum(a * a)) / a.shape[0]


def _tex(expr: sp.Basic) -> str:
    """LaTeX with psi for the digamma function, psi' for the trigamma function and ln for the natural logarithm."""
    out = sp.latex(expr, ln_notation=True)
    out = re.sub(r"\\operatorname\{polygamma\}\{\\left\(0,", r"\\psi{\\left(", out)
    return re.sub(r"\\operatorname\{polygamma\}\{\\left\(1,", r"\\psi'{\\left(", out)


def _gauss_expect(f, q: float) -> float:
    """E[f(sqrt(q) Z)], Z ~ N(0, 1), by mpmath quadrature (30 digits)."""
    with mpmath.workdps(30):
        return float(mpmath.quad(lambda z: f(mpmath.sqrt(q) * z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf]))


def tanh_critical_point(qstar: float) -> dict[str, float]:
    """The critical tanh net with fixed point ``qstar``: sigma_w^2 = 1/E[tanh'(h)^2] (chi_1 = 1) and
    sigma_b^2 = q* - sigma_w^2 E[tanh(h)^2] (q* a fixed point of the length map), h ~ N(0, q*); mu_1, mu_2."""
    e_t2 = _gauss_expect(lambda u: mpmath.tanh(u) ** 2, qstar)
    e_d2 = _gauss_expect(lambda u: mpmath.sech(u) ** 4, qstar)
    e_d4 = _gauss_expect(lambda u: mpmath.sech(u) ** 8, qstar)
    sw2_ = 1.0 / e_d2
    return {"q": qstar, "sw2": sw2_, "sb2": qstar - sw2_ * e_t2, "mu1": e_d2, "mu2": e_d4}


# --- 1. deep linear Gaussian net: exact for every width -------------------------------------------------------
@derivation(
    "linear_gaussian_jacobian_spectrum",
    title="Deep linear net, Gaussian N(0, sigma_w^2/N) weights: E[m_1] = sigma_w^(2L), and the expected spectral "
    "variance of JJ^T exactly for every N, -> L sigma_w^(4L) as N -> oo; orthogonal weights: JJ^T = sigma_w^(2L) I",
    title_zh="深层线性网络、高斯权重 N(0, σ_w²/N)：E[m₁] = σ_w^{2L}；对任意宽度 N 精确求出 JJᵀ 谱方差的期望，"
    "N → ∞ 时趋于 L·σ_w^{4L}；正交权重：JJᵀ = σ_w^{2L}·I",
)
def linear_gaussian_jacobian_spectrum() -> Result:
    """For J = W_L ... W_1 with i.i.d. N(0, sigma_w^2/N) entries: E tr(JJ^T)/N = sigma_w^(2L) and
    E[m_2 - m_1^2] in closed form for every N (large-N limit L sigma_w^(4L)); spectrum of JJ^T, normalised trace."""
    # One layer B -> W B W^T (B = J J^T of the layers below, symmetric, independent of W). With X = W^T W,
    # Isserlis' theorem gives E[X_ij X_kl] = sigma_w^4 (d_ij d_kl + (d_ik d_jl + d_il d_jk)/N), hence for
    # E tr(B^2) and E (tr B)^2, divided by N and N^2 (i.e. E[m_2] and E[m_1^2]), with eps = 1/N:
    #   E[m_2]' = sigma_w^4 ((1 + eps) E[m_2] + E[m_1^2]),   E[m_1^2]' = sigma_w^4 (E[m_1^2] + 2 eps^2 E[m_2]).
    eps = 1 / N
    step = sp.Matrix([[1 + eps, 1], [2 * eps**2, 1]])  # the transfer matrix divided by sigma_w^4
    start = sp.Matrix([1, 1])  # B = I before the first layer: m_2 = m_1^2 = 1
    pmat, dmat = step.diagonalize()
    power = pmat * sp.diag(*[dmat[i, i] ** L for i in range(2)]) * pmat.inv()
    e_m2, e_m1sq = [sp.simplify(sw2 ** (2 * L) * v) for v in power * start]
    variance = sp.factor(sp.simplify(e_m2 - e_m1sq))  # E[m_2 - m_1^2]
    # N -> oo at fixed L: the transfer matrix tends to a Jordan block, whose L-th power SymPy gives directly
    lim_m2, lim_m1sq = [sw2 ** (2 * L) * v for v in step.subs(N, sp.oo) ** L * start]
    limit_var = sp.factor(lim_m2 - lim_m1sq)
    mean_m1 = sw2**L  # E tr(W B W^T)/N = sigma_w^2 tr(B)/N, layer by layer
    eig = sp.Tuple(*sorted((dmat[i, i] for i in range(2)), key=lambda e: float(e.subs(N, 10))))
    at_one = variance.subs(sigma_w, 1)
    mean_m2, mean_m1_sq, limit_m2 = e_m2, e_m1sq, lim_m2
    if sp.simplify(limit_var - L * sw2 ** (2 * L)) != 0:
        raise ArithmeticError("large-N spectral variance is not L sigma_w^(4L)")
    # the display groups the factors for reading; it must be the same expression
    shown = (N - 1) * (N + 2) / (3 * N ** (L + 1)) * sw2 ** (2 * L) * ((N + 2) ** L - (N - 1) ** L)
    if sp.simplify(sp.expand_power_base(shown - variance, force=True)) != 0:
        raise ArithmeticError("the displayed grouping of the finite-N variance differs from the derived one")
    return Result(
        expr=sp.Tuple(sp.Lambda((N, L, sigma_w), variance), sp.Lambda((L, sigma_w), limit_var)),
        latex=(
            r"\mathbb{E}\,m_2-\mathbb{E}\,m_1^2=\frac{(N-1)(N+2)}{3N^{L+1}}\,\sigma_w^{4L}\bigl[(N+2)^L-(N-1)^L\bigr]"
            r"\ \xrightarrow{N\to\infty}\ " + sp.latex(limit_var)
        ),
        parts={
            "transfer_matrix": sw2**2 * step,
            "transfer_eigenvalues": eig,
            "mean_m1": mean_m1,
            "mean_m2": mean_m2,
            "mean_m1_sq": mean_m1_sq,
            "variance": variance,
            "variance_sigma1": at_one,
            "limit_variance": limit_var,
            "limit_m2": limit_m2,
            "orthogonal_variance": sp.Integer(0),
        },
        text={
            "example_variance": f"{float(at_one.subs({N: CHECK_WIDTH, L: CHECK_DEPTH})):.4f}",
            "example_width": str(CHECK_WIDTH),
            "example_depth": str(CHECK_DEPTH),
            "example_limit": sp.latex(limit_var.subs({sigma_w: 1, L: CHECK_DEPTH})),
            "mean_m1_eq": r"\mathbb{E}\,m_1=" + sp.latex(mean_m1),
            "limit_m2_eq": r"\mathbb{E}\,m_2\to " + sp.latex(limit_m2),
        },
        symbols={
            "N": "width",
            "L": "depth (number of weight matrices)",
            "sigma_w": "weights have variance sigma_w^2/N",
            "m_k": "tr((JJ^T)^k)/N",
        },
    )


@linear_gaussian_jacobian_spectrum.check(
    "numpy, 40000 seeded products of L = 3 Gaussian 3x3 matrices: sample means of m_2 and m_1^2 vs the exact "
    "finite-N formulas (relative; standard error about 1 %)",
    tol=0.04,
    oracle_zh="NumPy，40000 个固定随机种子的乘积（每个为 L = 3 个 3×3 高斯矩阵之积）："
    "m₂ 与 m₁² 的样本均值，与有限 N 的精确公式比较（相对误差；标准误约 1%）",
)
def _() -> float:
    p = linear_gaussian_jacobian_spectrum.result.parts
    width, depth, s2 = 3, 3, 1.3
    rng = np.random.default_rng(8)
    j = np.broadcast_to(np.eye(width), (40000, width, width))
    for _ in range(depth):
        j = rng.normal(scale=math.sqrt(s2 / width), size=(40000, width, width)) @ j
    b = j @ np.swapaxes(j, 1, 2)
    m1_ = np.trace(b, axis1=1, axis2=2) / width
    m2_ = np.einsum("sij,sij->s", b, b) / width
    sub = {N: width, L: depth, sigma_w: math.sqrt(s2)}
    return max(
        abs(float(np.mean(m2_)) / float(p["mean_m2"].subs(sub)) - 1),
        abs(float(np.mean(m1_**2)) / float(p["mean_m1_sq"].subs(sub)) - 1),
        abs(float(np.mean(m1_)) / float(p["mean_m1"].subs(sub)) - 1),
    )


@linear_gaussian_jacobian_spectrum.check(
    "closed forms: N = 1 (scalar weights, E[w^4]^L = 3^L sigma_w^(4L)); Fuss-Catalan second moment L + 1 at "
    "sigma_w = 1, N -> oo; orthogonal: numpy product of 6 Haar 64x64 matrices, max |eigenvalue of JJ^T - 1|",
    tol=1e-12,
    oracle_zh="闭式解：N = 1（标量权重，E[w⁴]^L = 3^L σ_w^{4L}）；σ_w = 1、N → ∞ 时 Fuss–Catalan 二阶矩 L + 1；"
    "正交权重：NumPy 计算 6 个 64×64 Haar 正交矩阵之积，JJᵀ 特征值与 1 之差的最大绝对值",
)
def _() -> float:
    p = linear_gaussian_jacobian_spectrum.result.parts
    worst = 0.0
    for depth in range(1, 7):
        for s2 in (0.5, 1.0, 2.0):
            exact_n1 = 3.0**depth * s2 ** (2 * depth)
            worst = max(worst, abs(float(p["mean_m2"].subs({N: 1, L: depth, sigma_w: math.sqrt(s2)})) / exact_n1 - 1))
        fuss_catalan = math.comb(2 * depth + 2, 2) / (2 * depth + 1)  # second Fuss-Catalan number of order L
        worst = max(worst, abs(float(p["limit_m2"].subs({L: depth, sigma_w: 1})) - fuss_catalan))
    rng = np.random.default_rng(3)
    j = np.eye(64)
    for _ in range(6):
        j = _haar_orthogonal(rng, 64) @ j
    ev = np.linalg.eigvalsh(j @ j.T)
    return max(worst, float(np.max(np.abs(ev - 1.0))) + float(p["orthogonal_variance"]))


# --- 2. nonlinear nets at criticality: the large-N variance ------------------------------------------------------
@derivation(
    "jacobian_spectrum_variance",
    title="Large-N spectral variance of JJ^T at criticality (sigma_w^2 mu_1 = 1): L (mu_2/mu_1^2 - 1 + g), "
    "g = 1 Gaussian, g = 0 orthogonal: linear L / 0, ReLU (sigma_w^2 = 2) 2L / L; "
    "orthogonal tanh: small only if mu_2 -> mu_1^2",
    title_zh="临界状态（σ_w² μ₁ = 1）下 JJᵀ 谱方差的大 N 极限：L (μ₂/μ₁² − 1 + g)，高斯权重 g = 1、正交权重 g = 0："
    "线性网络 L / 0，ReLU（σ_w² = 2）2L / L；正交权重的 tanh 网络只有在 μ₂ → μ₁² 时谱方差才小",
)
def jacobian_spectrum_variance() -> Result:
    """Large-N (free-probability) moments of the spectrum of JJ^T, J = D_L W_L ... D_1 W_1, with D_l independent
    of the weights and mu_j = E[phi'(h)^(2j)] at the fixed point: at criticality sigma_w^2 mu_1 = 1 the mean is 1
    and the variance L (mu_2/mu_1^2 - 1 + g), g = 1 for Gaussian, 0 for orthogonal weights."""
    # one layer B -> C = W B W^T -> D C D. Normalised traces tau = tr/N, large N:
    #   tau(C) = sigma_w^2 m_1; tau(C^2) = sigma_w^4 (m_2 + g m_1^2) (Gaussian: Isserlis as above; orthogonal: exact)
    #   D^2 = diag(phi'^2) free from C: tau(D^2 C) = tau(D^2) tau(C); tau(a b a b) for free a = D^2, b = C is
    #   tau(a^2) tau(b)^2 + tau(a)^2 tau(b^2) - tau(a)^2 tau(b)^2.
    c1, c2 = sw2 * m1, sw2**2 * (m2 + gflag * m1**2)
    new_m1 = mu1 * c1
    new_m2 = sp.expand(mu2 * c1**2 + mu1**2 * c2 - mu1**2 * c1**2)
    crit = {sigma_w: 1 / sp.sqrt(mu1)}
    mean_step = sp.simplify(new_m1.subs(crit).subs(m1, 1))  # = 1: the mean stays 1 at criticality
    var_step = sp.simplify((new_m2 - new_m1**2).subs(crit).subs(m1, 1) - (m2 - 1))  # increment of m_2 - m_1^2
    v = sp.Function("v")
    ell = sp.Symbol("ell", integer=True, nonnegative=True)
    sol = sp.rsolve(v(ell + 1) - v(ell) - var_step, v(ell), {v(0): 0})  # B = I at the input: variance 0
    variance = sp.simplify(sol.subs(ell, L))
    display = r"L\Bigl(\frac{\mu_2}{\mu_1^2}-1+g\Bigr)"  # the same expression, arranged for reading
    if sp.simplify(variance - L * (mu2 / mu1**2 - 1 + gflag)) != 0:
        raise ArithmeticError("display does not match the derived variance")
    tq = tanh_critical_point(float(TANH_QSTAR))
    cases = {  # (mu_1, mu_2) at the fixed point and sigma_w^2 = 1/mu_1
        "linear": (sp.Integer(1), sp.Integer(1)),
        "relu": (sp.Rational(1, 2), sp.Rational(1, 2)),  # phi' in {0, 1}, each with probability 1/2
        "tanh": (sp.Float(tq["mu1"], 15), sp.Float(tq["mu2"], 15)),
    }
    parts: dict[str, sp.Basic] = {
        "one_layer_m1": new_m1,
        "one_layer_m2": new_m2,
        "mean_step": mean_step,
        "variance_step": var_step,
        "variance": variance,
        "tanh_qstar": TANH_QSTAR,
        "tanh_sigma_w2": sp.Float(tq["sw2"], 15),
        "tanh_sigma_b2": sp.Float(tq["sb2"], 15),
        "tanh_mu1": sp.Float(tq["mu1"], 15),
        "tanh_mu2": sp.Float(tq["mu2"], 15),
    }
    text = {
        "one_layer_m1_eq": r"m_1'=" + sp.latex(new_m1),
        "tanh_sigma_w2": f"{tq['sw2']:.4f}",
        "tanh_sigma_b2": f"{tq['sb2']:.5f}",
        "tanh_ratio": f"{tq['mu2'] / tq['mu1'] ** 2:.4f}",
    }
    for name, (a1, a2) in cases.items():
        for wname, gv in (("gaussian", 1), ("orthogonal", 0)):
            per_layer = sp.nsimplify(var_step.subs({mu1: a1, mu2: a2, gflag: gv})) if name != "tanh" else None
            if per_layer is None:
                per_layer = var_step.subs({mu1: a1, mu2: a2, gflag: gv})
            parts[f"{name}_{wname}"] = per_layer * L
            text[f"{name}_{wname}"] = sp.latex(per_layer * L) if name != "tanh" else f"{float(per_layer):.4f}\\,L"
    if parts["relu_orthogonal"] != L or parts["linear_orthogonal"] != 0:
        raise ArithmeticError("unexpected ReLU / linear orthogonal variance")
    return Result(
        expr=sp.Tuple(sp.Lambda((L, mu1, mu2, gflag), variance), mean_step),
        latex=(
            r"\sigma_w^2\mu_1=1:\quad \mathbb{E}\,m_1\to" + sp.latex(mean_step) + r",\quad "
            r"m_2-m_1^2\to " + display
        ),
        parts=parts,
        text=text,
        symbols={
            "mu_1": "E[phi'(h)^2], h ~ N(0, q*)",
            "mu_2": "E[phi'(h)^4]",
            "g": "1 for Gaussian weights, 0 for orthogonal",
            "L": "depth",
            "m_1, m_2": "moments of the spectrum of JJ^T of the layers below",
        },
    )


def _mc_normalised_variance(act: str, weights: str, sw2_: float, sb2_: float, q0: float) -> float:
    vals = []
    for seed in range(CHECK_SEEDS):
        a, b = spectral_moments(jacobian_at_init(act, weights, sw2_, sb2_, q0, CHECK_WIDTH, CHECK_DEPTH, seed))
        vals.append(b / a**2 - 1.0)
    return float(np.mean(vals))


@jacobian_spectrum_variance.check(
    "numpy wide nets (N = 100, L = 4, 20 seeds): m_2/m_1^2 - 1 for ReLU and critical tanh, Gaussian and orthogonal "
    "weights, vs the large-N variance (relative; standard error about 2 %, finite-width bias +1 to +4 %)",
    tol=0.1,
    oracle_zh="NumPy 宽网络（N = 100、L = 4、20 个随机种子）：ReLU 与临界 tanh、高斯与正交权重下的 m₂/m₁² − 1，"
    "与大 N 极限的谱方差比较（相对误差；标准误约 2%，有限宽度偏差 +1% 至 +4%）",
)
def _() -> float:
    p = jacobian_spectrum_variance.result.parts
    tq = (float(p["tanh_sigma_w2"]), float(p["tanh_sigma_b2"]), float(p["tanh_qstar"]))
    worst = 0.0
    for act, (s2, b2, q0) in (("relu", (2.0, 0.0, 1.0)), ("tanh", tq)):
        for weights in ("gaussian", "orthogonal"):
            theory = float(p[f"{act}_{weights}"].subs(L, CHECK_DEPTH))
            worst = max(worst, abs(_mc_normalised_variance(act, weights, s2, b2, q0) / theory - 1))
    return worst


@jacobian_spectrum_variance.check(
    "torch autograd Jacobian (float64) of nets built with torch.nn.init.orthogonal_ / normal_ (N = 100, L = 4, "
    "6 seeds): tanh (critical) and ReLU, m_2/m_1^2 - 1 vs the large-N variance (relative; standard error up to "
    "5 %, finite-width bias up to +4 %)",
    tol=0.2,
    needs="torch",
    oracle_zh="torch 自动微分求雅可比矩阵（float64），网络用 `torch.nn.init.orthogonal_` / `normal_` 初始化"
    "（N = 100、L = 4、6 个随机种子）：临界 tanh 与 ReLU 的 m₂/m₁² − 1 与大 N 极限比较"
    "（相对误差；标准误至多约 5%，有限宽度偏差至多 +4%）",
)
def _() -> float:
    import torch

    p = jacobian_spectrum_variance.result.parts
    width, depth = CHECK_WIDTH, CHECK_DEPTH
    setups = {
        "tanh": (torch.tanh, float(p["tanh_sigma_w2"]), float(p["tanh_sigma_b2"]), float(p["tanh_qstar"])),
        "relu": (torch.relu, 2.0, 0.0, 1.0),
    }
    worst = 0.0
    for act, (fn, s2, b2, q0) in setups.items():
        for weights in ("orthogonal", "gaussian"):
            vals = []
            for seed in range(6):
                gen = torch.Generator().manual_seed(1000 + seed)
                layers = []
                for _ in range(depth):
                    w = torch.empty(width, width, dtype=torch.float64)
                    if weights == "orthogonal":
                        torch.nn.init.orthogonal_(w, gain=math.sqrt(s2), generator=gen)
                    else:
                        torch.nn.init.normal_(w, std=math.sqrt(s2 / width), generator=gen)
                    b = torch.randn(width, dtype=torch.float64, generator=gen) * math.sqrt(b2)
                    layers.append((w, b))
                x0 = fn(torch.randn(width, dtype=torch.float64, generator=gen) * math.sqrt(q0))

                def net(x, layers=layers, fn=fn):
                    for w, b in layers:
                        x = fn(w @ x + b)
                    return x

                jac = torch.autograd.functional.jacobian(net, x0, vectorize=True).numpy()
                a, b_ = spectral_moments(jac)
                vals.append(b_ / a**2 - 1.0)
            theory = float(p[f"{act}_{weights}"].subs(L, depth))
            worst = max(worst, abs(float(np.mean(vals)) / theory - 1))
    return worst


@jacobian_spectrum_variance.check(
    "Gauss-Hermite quadrature (120 nodes): chi_1 = sigma_w^2 E[tanh'(h)^2] = 1 and the length map's fixed point "
    "q* = sigma_w^2 E[tanh(h)^2] + sigma_b^2 for the tanh net used; mu_2 / mu_1",
    tol=1e-12,
    oracle_zh="Gauss–Hermite 求积（120 个节点）：所用 tanh 网络满足 χ₁ = σ_w² E[tanh′(h)²] = 1，"
    "且 q* = σ_w² E[tanh(h)²] + σ_b² 是长度映射的不动点；并核对 μ₂ 与 μ₁",
)
def _() -> float:
    p = jacobian_spectrum_variance.result.parts
    zs, ws = np.polynomial.hermite_e.hermegauss(120)
    ws = ws / ws.sum()
    q, s2, b2 = float(p["tanh_qstar"]), float(p["tanh_sigma_w2"]), float(p["tanh_sigma_b2"])
    h = math.sqrt(q) * zs
    d2 = 1.0 / np.cosh(h) ** 4
    return max(
        abs(s2 * float(ws @ d2) - 1.0),
        abs(s2 * float(ws @ np.tanh(h) ** 2) + b2 - q),
        abs(float(ws @ d2**2) - float(p["tanh_mu2"])),
        abs(float(ws @ d2) - float(p["tanh_mu1"])),
    )


def figure_data_jacobian_spectrum(width: int = 128, depths: tuple[int, ...] = (2, 8, 16), seed: int = 0) -> dict:
    """Eigenvalues of JJ^T of the critical tanh net (q* = 1/4) for Gaussian and orthogonal weights at ``depths``."""
    tq = tanh_critical_point(float(TANH_QSTAR))
    out: dict = {"depths": depths}
    for weights in ("gaussian", "orthogonal"):
        for depth in depths:
            jac = jacobian_at_init("tanh", weights, tq["sw2"], tq["sb2"], tq["q"], width, depth, seed)
            out[(weights, depth)] = np.linalg.eigvalsh(jac @ jac.T)
    return out


# --- 3. products of Gaussian matrices: Lyapunov exponents ----------------------------------------------------------
@derivation(
    "lyapunov_gaussian_product",
    title="Products of n x n matrices with i.i.d. N(0, sigma^2) entries: lambda_k = (ln(2 sigma^2) + "
    "psi((n-k+1)/2))/2; ln||P_K v|| has mean K lambda_1 and variance K psi'(n/2)/4 exactly, for every K",
    title_zh="n×n、元素独立同分布 N(0, σ²) 的矩阵之积：λ_k = [ln(2σ²) + ψ((n−k+1)/2)]/2；"
    "对任意 K，ln‖P_K v‖ 的均值恰为 Kλ₁、方差恰为 Kψ′(n/2)/4",
)
def lyapunov_gaussian_product() -> Result:
    """Lyapunov exponents (natural log) of P_K = M_K ... M_1, M_i i.i.d. n x n with N(0, sigma^2) entries, and the
    exact law of the log-norm and of the log-entries of P_K (unit starting vector v; D2L's example: n = 4, K = 101)."""
    x, s = sp.Symbol("x", positive=True), sp.Symbol("s", real=True)
    nu = sp.Symbol("nu", positive=True)  # degrees of freedom
    density = x ** (nu / 2 - 1) * sp.exp(-x / 2) / (2 ** (nu / 2) * sp.gamma(nu / 2))  # chi^2_nu
    mellin = sp.simplify(sp.integrate(x**s * density, (x, 0, sp.oo), conds="none"))  # E[X^s]
    e_log = sp.simplify(sp.diff(mellin, s).subs(s, 0))  # E ln X = ln 2 + psi(nu/2)
    var_log = sp.simplify(sp.diff(mellin, s, 2).subs(s, 0) - e_log**2)  # Var ln X = psi'(nu/2)
    # ||M v||^2 = sigma^2 chi^2_n for a fixed unit v, and M v/||M v|| is uniform on the sphere, independent of the
    # norm (rotation invariance): ln||P_K v|| is a sum of K i.i.d. terms (1/2) ln(sigma^2 chi^2_n).
    lam1 = sp.expand((sp.log(sig2) + e_log.subs(nu, n)) / 2)
    step_var = var_log.subs(nu, n) / 4
    # Bartlett: the QR factor R of a Gaussian matrix has R_kk^2 ~ sigma^2 chi^2_{n-k+1}, all independent; M Q is again
    # Gaussian for orthogonal Q, so the QR iteration for the exponents draws a fresh R each step.
    lam_k = sp.expand((sp.log(sig2) + e_log.subs(nu, n - k + 1)) / 2)
    # an entry: P e_j = ||P e_j|| u with u uniform on the sphere, u_i^2 ~ Beta(1/2, (n-1)/2): Mellin transform again
    a_, b_ = sp.Rational(1, 2), (n - 1) / 2
    beta_mellin = sp.gamma(a_ + s) * sp.gamma(a_ + b_) / (sp.gamma(a_) * sp.gamma(a_ + b_ + s))
    e_log_u2 = sp.simplify(sp.diff(beta_mellin, s).subs(s, 0))
    var_log_u2 = sp.simplify(sp.diff(beta_mellin, s, 2).subs(s, 0) - e_log_u2**2)
    kk = sp.Symbol("K", integer=True, positive=True)
    entry_mean = kk * lam1 + e_log_u2 / 2
    entry_var = kk * step_var + var_log_u2 / 4
    target = (sp.log(2 * sig2) + sp.polygamma(0, (n - k + 1) / 2)) / 2  # the display below, checked here
    if sp.simplify(sp.expand_log(lam_k - target, force=True)) != 0 or step_var != sp.polygamma(1, n / 2) / 4:
        raise ArithmeticError("display does not match the derived exponents")
    lam1_lecun = sp.expand(lam1.subs(sig2, 1 / n))  # sigma^2 = 1/n keeps E||M v||^2 = ||v||^2 exactly
    d2l = {n: 4, sig2: 1, kk: 101}  # M = N(0,1) 4x4, then 100 more factors: 101 in all
    lam1_d2l = sp.simplify(lam1.subs(d2l))
    mean_d2l = sp.simplify(entry_mean.subs(d2l))
    sd_d2l = sp.sqrt(sp.simplify(entry_var.subs(d2l)))
    log10_mean = float(mean_d2l) / math.log(10)
    log10_sd = float(sd_d2l) / math.log(10)
    return Result(
        expr=sp.Tuple(sp.Lambda((n, sig2), lam1), sp.Lambda((n, k, sig2), lam_k), sp.Lambda(n, step_var)),
        latex=(
            r"\lambda_k=\tfrac12\Bigl[\ln(2\sigma^2)+\psi\Bigl(\tfrac{n-k+1}{2}\Bigr)\Bigr],\qquad "
            r"\operatorname{Var}\ln\lVert Mv\rVert=\tfrac14\,\psi'\Bigl(\tfrac n2\Bigr)"
        ),
        parts={
            "chi2_mellin": mellin,
            "chi2_log_mean": e_log,
            "chi2_log_var": var_log,
            "lambda_1": lam1,
            "lambda_k": lam_k,
            "step_variance": step_var,
            "logu2_mean": e_log_u2,
            "logu2_var": var_log_u2,
            "entry_log_mean": entry_mean,
            "entry_log_var": entry_var,
            "lambda_1_d2l": lam1_d2l,
            "lambda_1_lecun": lam1_lecun,
            "entry_log_mean_d2l": mean_d2l,
            "entry_log_sd_d2l": sd_d2l,
        },
        text={
            "lambda_1_d2l": f"{float(lam1_d2l):.4f}",
            "lambda_1_d2l_exact": _tex(lam1_d2l),
            "lambda_1_lecun": _tex(lam1_lecun),
            "lambda_1_lecun_4": f"{float(lam1_lecun.subs(n, 4)):.4f}",
            "lambda_1_general": _tex(lam1),
            "entry_log_mean_general": _tex(entry_mean),
            "log10_mean_d2l": f"{log10_mean:.2f}",
            "log10_sd_d2l": f"{log10_sd:.2f}",
            "typical_entry_d2l": rf"10^{{{log10_mean:.1f}}}",
            "band_d2l": rf"10^{{{log10_mean - log10_sd:.1f}}}\ \text{{--}}\ 10^{{{log10_mean + log10_sd:.1f}}}",
            "growth_per_factor_d2l": f"{math.exp(float(lam1_d2l)):.3f}",
        },
        symbols={
            "n": "matrix size",
            "sigma^2": "entry variance",
            "k": "index of the exponent (1 = largest)",
            "K": "number of factors",
            "psi": "digamma function; psi' its derivative (trigamma)",
        },
    )


@lyapunov_gaussian_product.check(
    "mpmath quadrature (30 digits) of E ln X and Var ln X for X ~ chi^2_n, n = 1..8, and of E ln u^2, "
    "u^2 ~ Beta(1/2, (n-1)/2), n = 2..8",
    tol=1e-12,
    oracle_zh="mpmath 数值积分（30 位有效数字）：X ~ χ²_n（n = 1..8）时 ln X 的均值与方差，"
    "以及 u² ~ Beta(1/2, (n−1)/2)（n = 2..8）时 ln u² 的均值",
)
def _() -> float:
    p = lyapunov_gaussian_product.result.parts
    nu = sp.Symbol("nu", positive=True)
    worst = 0.0
    with mpmath.workdps(30):
        for dof in range(1, 9):
            h = mpmath.mpf(dof) / 2

            def dens(t, h=h):
                return t ** (h - 1) * mpmath.exp(-t / 2) / (2**h * mpmath.gamma(h))

            e1 = mpmath.quad(lambda t: mpmath.log(t) * dens(t), [0, 1, mpmath.inf])
            e2 = mpmath.quad(lambda t: mpmath.log(t) ** 2 * dens(t), [0, 1, mpmath.inf])
            worst = max(
                worst,
                abs(float(e1) - float(p["chi2_log_mean"].subs(nu, dof))),
                abs(float(e2 - e1**2) - float(p["chi2_log_var"].subs(nu, dof))),
            )
            if dof >= 2:
                b = (mpmath.mpf(dof) - 1) / 2
                eu = mpmath.quad(
                    lambda t, b=b: mpmath.log(t) * t ** (-0.5) * (1 - t) ** (b - 1) / mpmath.beta(0.5, b), [0, 1]
                )
                worst = max(worst, abs(float(eu) - float(p["logu2_mean"].subs(n, dof))))
    return worst


@lyapunov_gaussian_product.check(
    "numpy QR iteration, 64 seeded chains x 400 steps of 4x4 N(0, 1.5^2) matrices: all four exponents "
    "(standard error about 0.003)",
    tol=0.02,
    oracle_zh="NumPy QR 迭代：64 条固定随机种子的链、每条 400 步，4×4 矩阵、元素 N(0, 1.5²)：全部四个李雅普诺夫指数"
    "（标准误约 0.003）",
)
def _() -> float:
    p = lyapunov_gaussian_product.result.parts
    size, sd, chains, steps = 4, 1.5, 64, 400
    rng = np.random.default_rng(12)
    q = np.broadcast_to(np.eye(size), (chains, size, size)).copy()
    acc = np.zeros((chains, size))
    for _ in range(steps):
        q, r = np.linalg.qr(rng.normal(scale=sd, size=(chains, size, size)) @ q)
        acc += np.log(np.abs(np.diagonal(r, axis1=1, axis2=2)))
    est = acc.mean(axis=0) / steps
    f = sp.lambdify(k, p["lambda_k"].subs({n: size, sig2: sd**2}), "mpmath")
    return float(max(abs(est[i] - float(f(i + 1))) for i in range(size)))


@lyapunov_gaussian_product.check(
    "the D2L recipe in torch (a 4x4 torch.normal(0, 1) matrix times 100 more, float32), 4000 independent runs in a "
    "batch: mean and standard deviation of ln|P_11| vs the exact law (absolute, ln units, mean about 55; standard "
    "errors 0.07 and 0.05)",
    tol=0.3,
    needs="torch",
    oracle_zh="在 torch 中照搬《动手学深度学习》的做法（一个 4×4 的 torch.normal(0, 1) 矩阵再连乘 100 个，float32），"
    "4000 次独立运行成批计算：ln|P₁₁| 的均值与标准差和精确分布比较（绝对误差，以自然对数计，均值约 55；"
    "标准误分别约 0.07 与 0.05）",
)
def _() -> float:
    import torch

    p = lyapunov_gaussian_product.result.parts
    gen = torch.Generator().manual_seed(0)
    m = torch.normal(0.0, 1.0, size=(4000, 4, 4), generator=gen)
    for _ in range(100):
        m = m @ torch.normal(0.0, 1.0, size=(4000, 4, 4), generator=gen)
    logs = torch.log(m[:, 0, 0].abs()).double().numpy()  # one entry per run: the runs are independent
    return max(
        abs(float(logs.mean()) - float(p["entry_log_mean_d2l"])),
        abs(float(logs.std(ddof=1)) - float(p["entry_log_sd_d2l"])),
    )


@lyapunov_gaussian_product.check(
    "mpmath digamma (30 digits): lambda_1 < 0 at sigma^2 = 1/n for n = 1..300, and n lambda_1 -> -1/2 "
    "(n = 10^6, psi(x) = ln x - 1/(2x) + O(1/x^2))",
    tol=1e-5,
    oracle_zh="mpmath 双伽马函数（30 位有效数字）：σ² = 1/n 时对 n = 1..300 都有 λ₁ < 0，且 n·λ₁ → −1/2"
    "（取 n = 10⁶；ψ(x) = ln x − 1/(2x) + O(1/x²)）",
)
def _() -> float:
    f = sp.lambdify(n, lyapunov_gaussian_product.result.parts["lambda_1_lecun"], "mpmath")
    with mpmath.workdps(30):
        worst_sign = max(float(f(mpmath.mpf(m))) for m in range(1, 301))  # must be negative
        tail = abs(float(10**6 * f(mpmath.mpf(10**6))) + 0.5)
    return max(tail, 0.0 if worst_sign < 0 else 1.0 + worst_sign)


def figure_data_log_norm(size: int = 4, factors: int = 100, runs: int = 12, seed: int = 0) -> dict:
    """ln||P_K e_1|| for K = 0..``factors`` in ``runs`` seeded runs (N(0, 1) entries), and the predicted mean and
    standard deviation K lambda_1, sqrt(K psi'(n/2)/4)."""
    rng = np.random.default_rng([5, seed])
    ks = np.arange(factors + 1)
    curves = np.zeros((runs, factors + 1))
    v = np.zeros((runs, size))
    v[:, 0] = 1.0
    for kk in range(1, factors + 1):
        v = np.einsum("rij,rj->ri", rng.normal(size=(runs, size, size)), v)
        nrm = np.linalg.norm(v, axis=1)
        curves[:, kk] = curves[:, kk - 1] + np.log(nrm)
        v = v / nrm[:, None]
    p = lyapunov_gaussian_product.result.parts
    lam = float(p["lambda_1"].subs({n: size, sig2: 1}))
    sd = math.sqrt(float(p["step_variance"].subs(n, size)))
    return {"k": ks, "curves": curves, "mean": lam * ks, "sd": sd * np.sqrt(ks), "lambda_1": lam}


# --- 4. Saxe, McClelland & Ganguli: one mode of a two-layer linear net -------------------------------------------
@derivation(
    "saxe_linear_mode",
    title="Saxe et al. (2014), one mode of a two-layer linear net, balanced start a = b: tau u' = 2u(s - u), "
    "u(t) = s e^(2st/tau) / (e^(2st/tau) - 1 + s/u_0); time from u_0 to u_f = tau/(2s) ln(u_f(s-u_0)/(u_0(s-u_f)))",
    title_zh="Saxe 等（2014）：两层线性网络的单个模式，平衡初值 a = b：τu′ = 2u(s − u)，"
    "u(t) = s e^{2st/τ}/(e^{2st/τ} − 1 + s/u₀)；从 u₀ 到 u_f 的时间为 τ/(2s)·ln[u_f(s−u₀)/(u₀(s−u_f))]",
)
def saxe_linear_mode() -> Result:
    """Gradient flow tau d/dt (a, b) = -grad of (s - ab)^2/2 for one mode (input-output correlation strength s,
    whitened inputs, first-layer strength a, second-layer b); balanced a = b gives u = ab the logistic-type law."""
    t = sp.Symbol("t", nonnegative=True)
    tau, s, u0, uf, eps = sp.symbols("tau s u_0 u_f epsilon", positive=True)
    a, b = sp.symbols("a b", positive=True)
    energy = (s - a * b) ** 2 / 2
    a_dot, b_dot = -sp.diff(energy, a) / tau, -sp.diff(energy, b) / tau
    conserved = sp.simplify(2 * a * a_dot - 2 * b * b_dot)  # d/dt (a^2 - b^2) = 0: balance is kept
    uu = sp.Symbol("u", positive=True)
    u_dot_balanced = sp.factor(sp.simplify((a_dot * b + a * b_dot).subs(b, a)).subs(a, sp.sqrt(uu)))
    uf_ = sp.Function("u")
    ode = sp.Eq(uf_(t).diff(t), u_dot_balanced.subs(uu, uf_(t)))
    sol = sp.dsolve(ode, uf_(t), hint="Bernoulli", ics={uf_(0): u0}).rhs  # Bernoulli: explicit, and fast
    e = sp.exp(2 * s * t / tau)
    closed = s * e / (e - 1 + s / u0)
    if sp.simplify(sp.expand_log(sol - closed, force=True)) != 0:
        if sp.simplify(sol.rewrite(sp.exp) - closed) != 0:
            raise ArithmeticError("dsolve's solution differs from the closed form")
    if sp.simplify(closed.diff(t) - u_dot_balanced.subs(uu, closed)) != 0 or closed.subs(t, 0) != u0:
        raise ArithmeticError("closed form does not solve the ODE")
    growth = sp.Symbol("X", positive=True)  # X = e^{2st/tau}: u(t) = u_f is linear in X
    (x_f,) = sp.solve(sp.Eq(closed.subs(e, growth), uf), growth)
    t_learn = tau / (2 * s) * sp.log(sp.factor(x_f))
    # from u_0 = eps to u_f = s - eps: tau/(2s) ln((s - eps)^2/eps^2) ~ (tau/s) ln(s/eps)
    t_eps = sp.simplify(sp.expand_log(t_learn.subs({u0: eps, uf: s - eps}), force=True))
    t_eps_leading = sp.simplify(sp.limit(t_eps - tau / s * sp.log(s / eps), eps, 0))
    return Result(
        expr=sp.Tuple(sp.Lambda((t, tau, s, u0), closed), sp.Lambda((tau, s, u0, uf), t_learn)),
        latex=r"u(t)=" + sp.latex(closed),
        parts={
            "a_dot": a_dot,
            "b_dot": b_dot,
            "balance_rate": conserved,
            "u_dot": u_dot_balanced,
            "u_closed": closed,
            "t_learn": t_learn,
            "t_learn_eps": t_eps,
            "t_learn_eps_remainder": t_eps_leading,
        },
        text={
            "a_dot_eq": r"\dot a=" + sp.latex(a_dot),
            "b_dot_eq": r"\dot b=" + sp.latex(b_dot),
            "u_dot_eq": r"\dot u=" + sp.latex(u_dot_balanced),
            "t_learn_eps_eq": r"t=" + sp.latex(t_eps, ln_notation=True),
        },
        symbols={
            "s": "singular value of the input-output correlation for this mode",
            "a, b": "first- and second-layer strengths of the mode; u = ab",
            "tau": "time constant (1/learning rate in continuous time)",
            "u_0, u_f": "initial and target values of u",
        },
    )


@saxe_linear_mode.check(
    "mpmath.odefun (Taylor series, 20 digits) for tau u' = 2u(s - u) at t = 0.5, 1, 2, 4 (tau = 1, s = 3, u_0 = 0.01)",
    tol=1e-12,
    oracle_zh="mpmath.odefun（泰勒级数法，20 位有效数字）求解 τu′ = 2u(s − u)，"
    "取 t = 0.5、1、2、4（τ = 1、s = 3、u₀ = 0.01）",
)
def _() -> float:
    p = saxe_linear_mode.result.parts
    tt, tau, s, u0 = sp.symbols("t tau s u_0", positive=True)
    closed = sp.lambdify((tt, tau, s, u0), p["u_closed"].subs(sp.Symbol("t", nonnegative=True), tt), "mpmath")
    with mpmath.workdps(20):
        f = mpmath.odefun(lambda _t, u: 2 * u * (3 - u), 0, mpmath.mpf("0.01"))
        return max(abs(float(f(tv) - closed(tv, 1, 3, mpmath.mpf("0.01")))) for tv in (0.5, 1, 2, 4))


@saxe_linear_mode.check(
    "gradient descent (step 1e-3) on a 3-3-3 linear net y = W2 W1 x with whitened inputs, balanced mode-aligned "
    "start: mode strengths vs u(t) at t = step x iterations, and the time to reach u = s/2 (relative)",
    tol=0.01,
    oracle_zh="梯度下降（步长 1e-3）训练 3-3-3 线性网络 y = W₂W₁x（输入已白化），从按模式对齐的平衡初值出发："
    "各模式强度与 u(t)（t = 步长 × 迭代次数）比较，并比较到达 u = s/2 的时间（相对误差）",
)
def _() -> float:
    p = saxe_linear_mode.result.parts
    tt, tau, s, u0, uf = sp.symbols("t tau s u_0 u_f", positive=True)
    closed = sp.lambdify((tt, tau, s, u0), p["u_closed"].subs(sp.Symbol("t", nonnegative=True), tt), "numpy")
    t_learn = sp.lambdify((tau, s, u0, uf), p["t_learn"], "numpy")
    rng = np.random.default_rng(2)
    uo, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    vo, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    ro, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    svals, start, eta = np.array([3.0, 2.0, 1.0]), 1e-3, 1e-3
    corr = uo @ np.diag(svals) @ vo.T  # Sigma_yx; Sigma_xx = I
    w1 = ro @ np.diag(np.full(3, math.sqrt(start))) @ vo.T
    w2 = uo @ np.diag(np.full(3, math.sqrt(start))) @ ro.T
    worst, crossed = 0.0, [None] * 3
    for it in range(1, 4001):
        err = corr - w2 @ w1  # -dE/d(W2 W1) for E = (1/2) E||y - W2 W1 x||^2 with whitened x
        w1, w2 = w1 + eta * w2.T @ err, w2 + eta * err @ w1.T
        modes = np.diag(uo.T @ w2 @ w1 @ vo)
        for i in range(3):
            if crossed[i] is None and modes[i] >= svals[i] / 2:
                crossed[i] = it * eta
        if it % 500 == 0:
            worst = max(worst, float(np.max(np.abs(modes / closed(it * eta, 1.0, svals, start) - 1))))
    for i in range(3):
        worst = max(worst, abs(crossed[i] / float(t_learn(1.0, svals[i], start, svals[i] / 2)) - 1))
    return worst


# --- exercises: a narrow deep linear net, and a variance-preserving product that decays ------------------------
EX_WIDTH, EX_DEPTH = 2, 3  # a deep linear net of width 2 and depth 3, sigma_w = 1


@derivation(
    "linear_jacobian_variance_example",
    title="Deep linear net of width 2 and depth 3, sigma_w = 1: the expected spectral variance of JJ^T is 21/4 with "
    "Gaussian weights (above the large-N value 3) and 0 with orthogonal weights; the mean is 1 in both",
    title_zh="宽 2、深 3 的深层线性网络，σ_w = 1：JJᵀ 谱方差的期望在高斯权重下为 21/4（大于大 N 极限 3），"
    "在正交权重下为 0；两者的均值都是 1",
)
def linear_jacobian_variance_example() -> Result:
    """The finite-N formula of linear_gaussian_jacobian_spectrum at N = 2, L = 3, sigma_w = 1 (m_k = tr((JJ^T)^k)/N),
    against its large-N limit L and the orthogonal value 0."""
    p = linear_gaussian_jacobian_spectrum.result.parts
    at = {N: EX_WIDTH, L: EX_DEPTH, sigma_w: 1}
    variance = sp.nsimplify(sp.simplify(p["variance"].subs(at)))
    limit = p["limit_variance"].subs(at)
    mean = p["mean_m1"].subs(at)
    return Result(
        expr=sp.Tuple(variance, limit, p["orthogonal_variance"]),
        latex=rf"N={EX_WIDTH},\ L={EX_DEPTH}:\quad \mathbb{{E}}\,m_2-\mathbb{{E}}\,m_1^2={sp.latex(variance)}",
        parts={
            "width": sp.Integer(EX_WIDTH),
            "depth": sp.Integer(EX_DEPTH),
            "mean": mean,
            "variance": variance,
            "limit": limit,
            "orthogonal": p["orthogonal_variance"],
            "transfer_eigenvalues": p["transfer_eigenvalues"].subs(N, EX_WIDTH),
        },
        symbols={"m_k": "tr((JJ^T)^k)/N", "N": "width", "L": "depth"},
    )


@linear_jacobian_variance_example.check(
    "numpy, 100000 seeded products of three 2x2 Gaussian N(0, 1/2) matrices: sample mean of m_1 and of m_2 - m_1^2 "
    "(the mean of the eigenvalues' variance) vs the exact values (relative; standard error about 2 %); a product of "
    "three seeded Haar 2x2 matrices: max |eigenvalue of JJ^T - 1|",
    tol=0.08,
    oracle_zh="NumPy，固定随机种子：100000 个乘积（每个为三个 2×2、元素服从 N(0, 1/2) 的高斯矩阵之积），m₁ 与 m₂ − m₁²"
    "（特征值的方差）的样本均值与精确值比较（相对误差；标准误约 2%）；三个按固定随机种子抽取的 2×2 Haar 正交矩阵之积："
    "JJᵀ 的特征值与 1 之差的最大绝对值",
)
def _() -> float:
    p = linear_jacobian_variance_example.result.parts
    rng = np.random.default_rng(41)
    j = np.broadcast_to(np.eye(EX_WIDTH), (100000, EX_WIDTH, EX_WIDTH))
    for _ in range(EX_DEPTH):
        j = rng.normal(scale=math.sqrt(1 / EX_WIDTH), size=(100000, EX_WIDTH, EX_WIDTH)) @ j
    ev = np.linalg.eigvalsh(j @ np.swapaxes(j, 1, 2))
    o = np.eye(EX_WIDTH)
    for _ in range(EX_DEPTH):
        o = _haar_orthogonal(rng, EX_WIDTH) @ o
    ortho = float(np.max(np.abs(np.linalg.eigvalsh(o @ o.T) - 1.0)))
    return max(
        abs(float(np.mean(ev.var(axis=1))) / float(p["variance"]) - 1),
        abs(float(np.mean(ev.mean(axis=1))) / float(p["mean"]) - 1),
        ortho + abs(float(p["orthogonal"])),
    )


VP_SIZE, VP_FACTORS = 4, 50  # 4x4 matrices with N(0, 1/4) entries, 50 factors


@derivation(
    "variance_preserving_product",
    title="Product of 50 random 4x4 matrices with N(0, 1/4) entries: E||P v||^2 = 1 exactly, yet E ln||P v|| = "
    "50 lambda_1 ~ -6.8, so the typical norm is about 1e-3",
    title_zh="50 个 4×4、元素服从 N(0, 1/4) 的随机矩阵之积：E‖Pv‖² 恰为 1，但 E ln‖Pv‖ = 50λ₁ ≈ −6.8，"
    "因此典型范数约为 10⁻³",
)
def variance_preserving_product() -> Result:
    """For P_K = M_K ... M_1 with i.i.d. n x n N(0, 1/n) entries and a unit v: E||M v||^2 = n sigma^2 = 1 per factor,
    so E||P_K v||^2 = 1; ln||P_K v|| is a sum of K i.i.d. terms with mean lambda_1 = (ln 2 + psi(n/2) - ln n)/2 < 0
    and variance psi'(n/2)/4 (lyapunov_gaussian_product); natural logarithms."""
    lp = lyapunov_gaussian_product.result.parts
    kk = sp.Symbol("K", integer=True, positive=True)
    x = sp.Symbol("x", real=True)
    one_entry = sp.integrate(x**2 * sp.exp(-(x**2) / (2 * sig2)) / sp.sqrt(2 * sp.pi * sig2), (x, -sp.oo, sp.oo))
    per_factor = sp.simplify(n * one_entry)  # E||M v||^2 for a unit v: n rows, each (Mv)_i ~ N(0, sigma^2)
    at = {n: VP_SIZE, sig2: sp.Rational(1, VP_SIZE)}
    ms_step = per_factor.subs(at)
    lam = sp.simplify(lp["lambda_1"].subs(at))
    sd = sp.sqrt(lp["step_variance"].subs(n, VP_SIZE) * kk)
    mean_log = kk * lam
    if not float(lam) < 0 or ms_step != 1:
        raise ArithmeticError("expected a preserved mean square and a negative exponent")
    k_num = VP_FACTORS
    return Result(
        expr=sp.Tuple(ms_step**kk, mean_log, sd),
        latex=(
            rf"\mathbb{{E}}\lVert P_Kv\rVert^2={sp.latex(ms_step**kk)},\quad "
            rf"\mathbb{{E}}\ln\lVert P_Kv\rVert={_tex(mean_log)}"
        ),
        parts={
            "size": sp.Integer(VP_SIZE),
            "entry_variance": sp.Rational(1, VP_SIZE),
            "factors": sp.Integer(k_num),
            "mean_square_per_factor": per_factor,
            "mean_square_two": ms_step**2,
            "mean_square": ms_step**k_num,
            "lambda_1": lam,
            "mean_log_norm": mean_log.subs(kk, k_num),
            "sd_log_norm": sd.subs(kk, k_num),
            "typical_norm": sp.exp(mean_log.subs(kk, k_num)),
        },
        text={
            "lambda_1": f"{float(lam):.4f}",
            "lambda_1_exact": _tex(lam),
            "mean_log_norm": f"{float(mean_log.subs(kk, k_num)):.2f}",
            "sd_log_norm": f"{float(sd.subs(kk, k_num)):.2f}",
            "typical_norm": sci_latex(math.exp(float(mean_log.subs(kk, k_num))), 2),
        },
        symbols={"K": "number of factors", "lambda_1": "top Lyapunov exponent", "v": "a fixed unit vector"},
    )


@variance_preserving_product.check(
    "numpy, 4000 seeded runs of 50 factors (4x4, N(0, 1/4) entries) applied to e_1: mean and standard deviation of "
    "ln||P_50 v|| (absolute, natural-log units; standard errors 0.045 and 0.03), and the mean of ||P_K v||^2 at "
    "K = 1, 2 (absolute; standard errors 0.011 and 0.018)",
    tol=0.2,
    oracle_zh="NumPy，固定随机种子，模拟 4000 次：每次把 50 个 4×4、元素服从 N(0, 1/4) 的矩阵依次作用于 e₁："
    "ln‖P₅₀v‖ 的均值与标准差（绝对误差，以自然对数计；标准误分别约 0.045 与 0.03），"
    "以及 K = 1、2 时 ‖P_Kv‖² 的均值（绝对误差；标准误分别约 0.011 与 0.018）",
)
def _() -> float:
    p = variance_preserving_product.result.parts
    runs, size = 4000, VP_SIZE
    rng = np.random.default_rng(61)
    v = np.zeros((runs, size, 1))
    v[:, 0, 0] = 1.0
    logs, squares = np.zeros(runs), []
    for step in range(VP_FACTORS):
        v = rng.normal(scale=math.sqrt(1 / size), size=(runs, size, size)) @ v
        nrm = np.linalg.norm(v[:, :, 0], axis=1)
        logs += np.log(nrm)
        if step < 2:
            squares.append(float(np.mean(np.exp(2 * logs))))
        v = v / nrm[:, None, None]
    return max(
        abs(float(logs.mean()) - float(p["mean_log_norm"])),
        abs(float(logs.std(ddof=1)) - float(p["sd_log_norm"])),
        abs(squares[0] - float(p["mean_square_per_factor"].subs({n: size, sig2: sp.Rational(1, size)}))),
        abs(squares[1] - float(p["mean_square_two"])),
    )
