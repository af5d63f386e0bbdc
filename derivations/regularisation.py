"""Regularisation and recurrent weights: L1/L2 penalty gradients, weight decay as a geometric shrink, and its cost.

Conventions: L2 penalty (lambda/2)||W||_F^2, L1 penalty lambda sum |W_ij|; learning rate eta; plain SGD step
W <- W - eta (grad + lambda W). sigma_1(W) is the largest SINGULAR value (spectral norm), rho(W) the spectral
radius (largest |eigenvalue|); Pascanu et al. (2013) call sigma_1 "lambda_1". RNN: h_t = tanh(W h_{t-1} + U x_t + b).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.activations import tanh_derivative_max
from derivations.core import Result, derivation
from derivations.oracles.finite import central_diff
from derivations.sym import sci_latex

lam = sp.Symbol("lambda", positive=True)
eta = sp.Symbol("eta", positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
s0 = sp.Symbol("sigma_0", positive=True)
sig = sp.Symbol("sigma_1", positive=True)
t_ = sp.Symbol("t", integer=True, nonnegative=True)
eps = sp.Symbol("epsilon", positive=True)
w_ = sp.Symbol("w", real=True)

_W = sp.Matrix(2, 2, sp.symbols("w11 w12 w21 w22", real=True))


# --- penalty gradients --------------------------------------------------------------------------------------------
@derivation(
    "penalty_gradients",
    title="grad of (lambda/2)||W||_F^2 is lambda W; grad of lambda sum|W_ij| is lambda sign(W) (W_ij != 0)",
    title_zh="(λ/2)‖W‖_F² 的梯度为 λW；λΣ|W_ij| 的梯度为 λ·sign(W)（W_ij ≠ 0；在 0 处次梯度为 [−λ, λ]）",
)
def penalty_gradients() -> Result:
    l2 = lam / 2 * sum(v**2 for v in _W)
    l1 = lam * sum(sp.Abs(v) for v in _W)
    g2 = _W.applyfunc(lambda v: sp.diff(l2, v))
    g1 = _W.applyfunc(lambda v: sp.diff(l1, v))
    if sp.simplify(g2 - lam * _W) != sp.zeros(2, 2) or sp.simplify(g1 - lam * _W.applyfunc(sp.sign)) != sp.zeros(2, 2):
        raise ArithmeticError("unexpected penalty gradients")
    step_l2 = sp.factor(w_ - eta * lam * w_)  # one SGD step on the penalty alone: multiplicative
    step_l1 = w_ - eta * lam * sp.sign(w_)  # subtractive: reaches 0 in finitely many steps
    if sp.expand(step_l2 - (1 - eta * lam) * w_) != 0:
        raise ArithmeticError("L2 step is not (1 - eta lambda) w")
    return Result(
        expr=sp.Tuple(g2, g1),
        latex=(
            r"\nabla_W\tfrac{\lambda}{2}\lVert W\rVert_F^2=\lambda W,\qquad \nabla_W\,\lambda\sum_{ij}|W_{ij}|="
            r"\lambda\operatorname{sign}(W)\ (W_{ij}\neq0);\qquad w\leftarrow (1-\eta\lambda)\,w"
            + r"\ \text{(L2)},\quad w\leftarrow w-\eta\lambda\operatorname{sign}(w)"
            + r"\ \text{(L1)}"
        ),
        parts={"grad_l2": g2, "grad_l1": g1, "sgd_step_l2": step_l2, "sgd_step_l1": step_l1},
        symbols={"lambda": "penalty strength", "eta": "learning rate", "w11..w22": "entries of a 2x2 W"},
    )


def _np_l2(wm: np.ndarray, lv: float) -> float:
    return 0.5 * lv * float(np.sum(wm**2))


def _np_l1(wm: np.ndarray, lv: float) -> float:
    return lv * float(np.sum(np.abs(wm)))


def _elementwise(name: str):
    """The (0, 0) entry of a derived gradient as a numpy function of (lambda, w); entries are all alike."""
    return sp.lambdify((lam, _W[0, 0]), penalty_gradients.result.parts[name][0, 0], "numpy")


@penalty_gradients.check(
    "central finite differences (float64, h=1e-6) on a seeded 5x5 W",
    tol=1e-8,
    oracle_zh="在固定随机种子的 5×5 矩阵 W 上做中心有限差分（float64，h = 1e-6）",
)
def _() -> float:
    rng = np.random.default_rng(6)
    wm = rng.normal(size=(5, 5))
    lv = 0.3
    worst = 0.0
    for fn, name in ((_np_l2, "grad_l2"), (_np_l1, "grad_l1")):
        derived = _elementwise(name)(lv, wm)
        for idx in np.ndindex(wm.shape):
            e = np.zeros_like(wm)
            e[idx] = 1.0
            fd = central_diff(lambda hh, e=e, fn=fn: np.array([fn(wm + v * e, lv) for v in hh]), np.array([0.0]), 1e-6)
            worst = max(worst, abs(fd[0] - derived[idx]))
    return worst


@penalty_gradients.check(
    "torch autograd (float64) of both penalties on a seeded 5x5 W",
    tol=1e-14,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64）求两种惩罚项的梯度，W 为固定随机种子的 5×5 矩阵",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(7)
    wm = torch.tensor(rng.normal(size=(5, 5)), requires_grad=True)
    lv = 0.3
    (g2,) = torch.autograd.grad(0.5 * lv * (wm**2).sum(), wm)
    (g1,) = torch.autograd.grad(lv * wm.abs().sum(), wm)
    wn = wm.detach().numpy()
    d2, d1 = _elementwise("grad_l2")(lv, wn), _elementwise("grad_l1")(lv, wn)
    return max(float(np.max(np.abs(g2.numpy() - d2))), float(np.max(np.abs(g1.numpy() - d1))))


# --- weight decay as a geometric shrink -------------------------------------------------------------------------------
@derivation(
    "weight_decay_shrink",
    title="Pure weight decay: W_k = (1 - eta lambda)^k W_0, so sigma_1 and rho shrink by (1 - eta lambda)^k",
    title_zh="纯权重衰减：W_k = (1 − ηλ)^k W_0，因此 σ₁ 与谱半径 ρ 都按 (1 − ηλ)^k 缩小",
)
def weight_decay_shrink() -> Result:
    wk = sp.Function("W")
    rec = sp.rsolve(wk(k + 1) - (1 - eta * lam) * wk(k), wk(k), {wk(0): 1})  # scalar factor multiplying W_0
    factor = sp.simplify(rec)
    sigma_k = s0 * factor  # sigma_1(cW) = |c| sigma_1(W), and 0 < 1 - eta*lambda < 1 when eta*lambda < 1
    (k_star,) = sp.solve(sp.Eq(sigma_k, 1), k)
    if sp.simplify(factor - (1 - eta * lam) ** k) != 0 or sp.simplify(k_star + sp.log(s0) / sp.log(1 - eta * lam)) != 0:
        raise ArithmeticError("displayed forms differ from the derived ones")
    example = {s0: sp.Rational(3, 2), eta: sp.Rational(1, 100), lam: sp.Rational(1, 10)}
    k_ex = sp.ceiling(k_star.subs(example))
    return Result(
        expr=sp.Tuple(sp.Lambda(k, factor), k_star),
        latex=(
            r"W_k=(1-\eta\lambda)^k\,W_0,\quad \sigma_1(W_k)=(1-\eta\lambda)^k\sigma_0,\quad"
            r"\sigma_1(W_k)<1\iff k>\frac{\ln\sigma_0}{-\ln(1-\eta\lambda)};"
            rf"\ \sigma_0=\tfrac32,\ \eta=0.01,\ \lambda=0.1:\ k={k_ex}"
        ),
        parts={"factor": factor, "sigma_after_k": sigma_k, "steps_to_one": k_star, "example_steps": k_ex},
        symbols={"k": "number of steps", "sigma_0": "sigma_1(W_0)", "eta": "learning rate", "lambda": "decay"},
    )


@weight_decay_shrink.check(
    "numpy: 406 decay steps on a seeded 16x16 W scaled to sigma_1 = 1.5, SVD and eigvals",
    tol=1e-12,
    oracle_zh="NumPy：对固定随机种子、缩放到 σ₁ = 1.5 的 16×16 矩阵 W 做 406 步衰减，再用奇异值分解和特征值核对",
)
def _() -> float:
    rng = np.random.default_rng(8)
    wm = rng.normal(size=(16, 16))
    wm *= 1.5 / np.linalg.norm(wm, 2)
    rho0 = max(abs(np.linalg.eigvals(wm)))
    f = sp.lambdify((k, eta, lam), weight_decay_shrink.result.parts["factor"])
    kk = int(weight_decay_shrink.result.parts["example_steps"])
    w1 = wm.copy()
    for _ in range(kk):
        w1 = w1 - 0.01 * (0.1 * w1)
    fac = f(kk, 0.01, 0.1)
    below = 1.0 if np.linalg.norm(w1, 2) < 1 <= np.linalg.norm(wm * f(kk - 1, 0.01, 0.1), 2) else 0.0
    return max(
        abs(np.linalg.norm(w1, 2) - 1.5 * fac),
        abs(max(abs(np.linalg.eigvals(w1))) - rho0 * fac),
        1.0 - below,  # k_ex is the first step below 1
    )


@weight_decay_shrink.check(
    "torch.optim.SGD(weight_decay) and AdamW with zero loss gradient, 50 steps",
    tol=1e-13,
    needs="torch",
    oracle_zh="`torch.optim.SGD(weight_decay)` 与 `AdamW`，损失梯度为零，运行 50 步",
)
def _() -> float:
    import torch

    f = sp.lambdify((k, eta, lam), weight_decay_shrink.result.parts["factor"])
    worst = 0.0
    for opt_cls in (torch.optim.SGD, torch.optim.AdamW):
        p = torch.nn.Parameter(torch.tensor(np.random.default_rng(9).normal(size=(4, 4))))
        w0 = p.detach().clone()
        opt = opt_cls([p], lr=0.01, weight_decay=0.1)
        for _ in range(50):
            opt.zero_grad()
            p.grad = torch.zeros_like(p)
            opt.step()
        worst = max(worst, float((p.detach() - w0 * f(50, 0.01, 0.1)).abs().max()))
    return worst


@derivation(
    "adam_l2_is_not_decay",
    title="Adam with an L2 term: first step -eta lambda w/(|lambda w| + eps) ~ -eta sign(w), not a shrink",
    title_zh="Adam 加 L2 项：第一步为 −ηλw/(|λw| + ε) ≈ −η·sign(w)，并非按 (1 − ηλ) 收缩",
)
def adam_l2_is_not_decay() -> Result:
    b1, b2 = sp.symbols("beta_1 beta_2", positive=True)
    grad = lam * w_  # gradient of the L2 term alone (zero data gradient)
    m1 = (1 - b1) * grad
    v1 = (1 - b2) * grad**2
    m_hat, v_hat = sp.simplify(m1 / (1 - b1)), sp.simplify(v1 / (1 - b2))  # bias correction at step 1
    step = sp.simplify(-eta * m_hat / (sp.sqrt(v_hat) + eps))
    limit0 = sp.simplify(sp.limit(step, eps, 0))
    wp, wneg = sp.Symbol("wp", positive=True), sp.Symbol("wn", negative=True)
    if sp.simplify(limit0.subs(w_, wp) + eta) != 0 or sp.simplify(limit0.subs(w_, wneg) - eta) != 0:
        raise ArithmeticError(f"unexpected eps->0 limit {limit0}")
    limit0 = -eta * sp.sign(w_)  # the limit just checked on w > 0 and w < 0 (w = 0 does not move)
    return Result(
        expr=sp.Lambda((w_, eta, lam, eps), step),
        latex=(
            rf"\hat m_1={sp.latex(m_hat)},\ \hat v_1={sp.latex(v_hat)}\ \Rightarrow\ \Delta w={sp.latex(step)}"
            rf"\ \xrightarrow{{\epsilon\to0}}\ {sp.latex(limit0)}"
        ),
        parts={"first_step": step, "first_step_eps0": limit0},
        symbols={"w": "a weight", "eta": "learning rate", "lambda": "L2 strength", "epsilon": "Adam's eps"},
    )


@adam_l2_is_not_decay.check(
    "torch.optim.Adam(weight_decay) first step with zero loss gradient",
    tol=1e-12,
    needs="torch",
    oracle_zh="`torch.optim.Adam(weight_decay)` 在损失梯度为零时的第一步",
)
def _() -> float:
    import torch

    f = sp.lambdify((w_, eta, lam, eps), adam_l2_is_not_decay.result.parts["first_step"])
    w0 = np.array([-3.0, -0.2, 1e-9, 0.5, 4.0])
    p = torch.nn.Parameter(torch.tensor(w0))
    opt = torch.optim.Adam([p], lr=0.01, weight_decay=0.1, eps=1e-8)
    p.grad = torch.zeros_like(p)
    opt.step()
    return float(np.max(np.abs((p.detach().numpy() - w0) - f(w0, 0.01, 0.1, 1e-8))))


# --- the trade-off: a small W forgets -----------------------------------------------------------------------------
def _rnn_run(wm: np.ndarray, um: np.ndarray, xs: np.ndarray, h0: np.ndarray) -> np.ndarray:
    h = h0
    for x in xs:
        h = np.tanh(wm @ h + um @ x)
    return h


@derivation(
    "small_weights_forget",
    title="tanh RNN, sigma_1(W) < 1: ||h_t - h'_t|| <= sigma_1^t ||h_0 - h'_0||; sigma_1 = 0.9, t = 50 gives 0.0052",
    title_zh="tanh RNN 且 σ₁(W) < 1：‖h_t − h′_t‖ ≤ σ₁ᵗ‖h_0 − h′_0‖；σ₁ = 0.9、t = 50 时为 0.0052",
)
def small_weights_forget() -> Result:
    lip = tanh_derivative_max.result.parts["max"]  # |tanh'| <= 1: tanh is 1-Lipschitz (mean value theorem)
    per_step = lip * sig  # ||tanh(W h + c) - tanh(W h' + c)|| <= 1 * ||W (h - h')|| <= sigma_1 ||h - h'||
    bound = per_step**t_
    ex = bound.subs({sig: sp.Rational(9, 10), t_: 50})
    (t_one_percent,) = sp.solve(sp.Eq(sig**t_, sp.Rational(1, 100)), t_)
    t1 = sp.ceiling(t_one_percent.subs(sig, sp.Rational(9, 10)))
    # spectral radius < 1 is NOT enough for a step-by-step contraction: a non-normal W with rho = 1/2
    wn = sp.Matrix([[sp.Rational(1, 2), 3], [0, sp.Rational(1, 2)]])
    rho = max(abs(e) for e in wn.eigenvals())
    sig2 = sp.sqrt(max(((wn**2).T * (wn**2)).eigenvals(), key=lambda e: float(e)))
    if not (rho < 1 < sig2):
        raise ArithmeticError("the non-normal example does not separate rho and sigma_1")
    # ||W^n||_2 for n = 1..20 (exact, then evaluated): how many steps the recurrence stretches before rho wins
    pow_norms = [sp.sqrt(max(((wn**k).T * (wn**k)).eigenvals(), key=lambda e: float(e))) for k in range(1, 21)]
    above = [k for k, v in enumerate(pow_norms, start=1) if v > 1]
    if above != list(range(1, len(above) + 1)):
        raise ArithmeticError("||W^n|| > 1 is not an initial run of n")
    last_above = len(above)
    dec = f"{float(ex):.4f}"
    return Result(
        expr=sp.Tuple(sp.Lambda((sig, t_), bound), ex),
        latex=(
            r"\lVert h_t-h'_t\rVert_2\le\sup|\tanh'|\,\sigma_1(W)\,\lVert h_{t-1}-h'_{t-1}\rVert_2\ \Rightarrow\ "
            rf"\lVert h_t-h'_t\rVert_2\le{sp.latex(bound)}\lVert h_0-h'_0\rVert_2,\quad"
            rf"0.9^{{50}}\approx{dec},\ 0.9^t<0.01\iff t\ge{t1}"
        ),
        parts={
            "bound": bound,
            "example_0_9_50": ex,
            "steps_to_1_percent": t1,
            "nonnormal_W": wn,
            "nonnormal_rho": rho,
            "nonnormal_sigma1_of_W2": sig2,
            "nonnormal_power_norms": sp.Tuple(*pow_norms),
            "nonnormal_last_above_one": sp.Integer(last_above),
        },
        text={
            "example_0_9_50": dec,
            "steps_to_1_percent": str(int(t1)),
            **{f"nonnormal_norm_{k}": f"{float(pow_norms[k - 1]):.2f}" for k in range(1, last_above + 2)},
            "nonnormal_last_above_one": str(last_above),
        },
        symbols={"sigma_1": "largest singular value of W", "t": "time steps", "h, h'": "two state trajectories"},
    )


@small_weights_forget.check(
    "seeded tanh RNN, 50 steps: W = 0.9 Q (bound attained near 0, relative gap) and random W (bound holds)",
    tol=1e-4,
    oracle_zh="固定随机种子的 tanh RNN 运行 50 步：W = 0.9Q 时在 0 附近取到上界（相对差），随机 W 时上界成立",
)
def _() -> float:
    rng = np.random.default_rng(10)
    bound = float(small_weights_forget.result.parts["example_0_9_50"])
    q, _ = np.linalg.qr(rng.normal(size=(32, 32)))
    # near the origin tanh is linear and every singular value of 0.9 Q is 0.9: the ratio equals the bound
    tiny_u = 1e-4 * rng.normal(size=(32, 3))
    xs = rng.normal(size=(50, 3))
    h0 = 1e-4 * rng.uniform(-1, 1, 32)
    h1 = h0 + 1e-6 * rng.normal(size=32)
    r_tight = np.linalg.norm(_rnn_run(0.9 * q, tiny_u, xs, h0) - _rnn_run(0.9 * q, tiny_u, xs, h1))
    r_tight /= np.linalg.norm(h0 - h1)
    worst = abs(r_tight / bound - 1.0)
    wm = rng.normal(size=(32, 32))
    wm *= 0.9 / np.linalg.norm(wm, 2)
    um = rng.normal(size=(32, 3))
    for _ in range(20):  # saturating regime: the bound holds (loosely)
        xs = rng.normal(size=(50, 3))
        h0, h1 = rng.uniform(-1, 1, 32), rng.uniform(-1, 1, 32)
        ratio = np.linalg.norm(_rnn_run(wm, um, xs, h0) - _rnn_run(wm, um, xs, h1)) / np.linalg.norm(h0 - h1)
        worst = max(worst, (ratio - bound) / bound)
    return worst


@small_weights_forget.check(
    "torch autograd Jacobian dh_50/dh_0 (float64): spectral norm <= 0.9^50",
    tol=0.0,
    needs="torch",
    oracle_zh="PyTorch 自动微分求雅可比矩阵 ∂h₅₀/∂h₀（float64）：其谱范数 ≤ 0.9⁵⁰",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(11)
    wm = rng.normal(size=(16, 16))
    wm = torch.tensor(wm * 0.9 / np.linalg.norm(wm, 2))
    um = torch.tensor(rng.normal(size=(16, 2)))
    xs = torch.tensor(rng.normal(size=(50, 2)))

    def run(h: torch.Tensor) -> torch.Tensor:
        for x in xs:
            h = torch.tanh(wm @ h + um @ x)
        return h

    jac = torch.autograd.functional.jacobian(run, torch.tensor(rng.uniform(-1, 1, 16)))
    bound = float(small_weights_forget.result.parts["example_0_9_50"])
    return max(0.0, float(torch.linalg.matrix_norm(jac, 2)) - bound)


@small_weights_forget.check(
    "numpy: rho and sigma_1(W^2) of the non-normal counter-example",
    tol=1e-12,
    oracle_zh="NumPy：非正规反例矩阵的谱半径 ρ 与 σ₁(W²)",
)
def _() -> float:
    p = small_weights_forget.result.parts
    wn = np.array(p["nonnormal_W"], dtype=float)
    return max(
        abs(max(abs(np.linalg.eigvals(wn))) - float(p["nonnormal_rho"])),
        abs(np.linalg.norm(wn @ wn, 2) - float(p["nonnormal_sigma1_of_W2"])),
    )


@small_weights_forget.check(
    "numpy: ||W^n||_2 of the non-normal counter-example for n = 1..20 by SVD; the last n with ||W^n||_2 > 1",
    tol=1e-12,
    oracle_zh="NumPy：用奇异值分解求非正规反例矩阵的 ‖Wⁿ‖₂（n = 1…20），以及满足 ‖Wⁿ‖₂ > 1 的最大 n",
)
def _() -> float:
    p = small_weights_forget.result.parts
    wn = np.array(p["nonnormal_W"], dtype=float)
    norms = [float(np.linalg.norm(np.linalg.matrix_power(wn, k), 2)) for k in range(1, 21)]
    last = max(k for k, v in enumerate(norms, start=1) if v > 1)
    err = max(abs(a - float(b)) for a, b in zip(norms, p["nonnormal_power_norms"], strict=True))
    return err + float(last != int(p["nonnormal_last_above_one"]))


# --- exercises: decay and the recurrent Jacobian; the L1 subgradient step never settles at 0 ---------------------
@derivation(
    "decayed_recurrent_jacobian_bound",
    title="AdamW (lr 1e-3, weight_decay 1e-2) with no data gradient for 10^4 steps takes an orthogonal W to "
    "sigma_1 = (1 - 1e-5)^(10^4) ~ 0.905; a tanh RNN's ||dh_100/dh_0|| is then at most (1 - 1e-5)^(10^6) ~ 4.5e-5",
    title_zh="AdamW（学习率 1e-3，weight_decay 1e-2）在没有数据梯度时运行 10⁴ 步，把正交矩阵 W 缩到 "
    "σ₁ = (1 − 1e-5)^(10⁴) ≈ 0.905；此时 tanh RNN 的 ‖∂h₁₀₀/∂h₀‖ 至多为 (1 − 1e-5)^(10⁶) ≈ 4.5e-5",
)
def decayed_recurrent_jacobian_bound() -> Result:
    """Pure decoupled decay multiplies W by (1 - eta lambda)^k (weight_decay_shrink); with sigma_1(W_0) = 1 the
    step-by-step bound ||dh_t/dh_0||_2 <= (sup|tanh'| sigma_1)^t (small_weights_forget) becomes
    (1 - eta lambda)^(k t)."""
    ex = {eta: sp.Rational(1, 1000), lam: sp.Rational(1, 100)}
    steps, lag = sp.Integer(10_000), sp.Integer(100)
    kk = sp.Symbol("k_steps", positive=True)
    sigma_sym = (s0 * weight_decay_shrink.result.parts["factor"]).subs({k: kk, s0: 1})  # (1 - eta lambda)^k
    bound_sym = small_weights_forget.result.parts["bound"].subs(sig, sigma_sym)  # sigma_1^t
    exponent = sp.simplify(sp.expand_log(sp.log(bound_sym), force=True) / sp.log(1 - eta * lam))  # k t
    if sp.simplify(exponent - kk * t_) != 0:
        raise ArithmeticError("the bound is not (1 - eta lambda)^(k t)")
    base = sp.Float(1 - ex[eta] * ex[lam], 40)  # evaluated in 40-digit floating point: the exact powers are huge
    sigma_k = base**steps
    bound = base ** (steps * lag)
    approx = sp.exp(-ex[eta] * ex[lam] * steps * lag)  # (1 - x)^n ~ e^{-n x}
    return Result(
        expr=sp.Tuple(sigma_k, bound),
        latex=(
            r"\sigma_1(W_k)=(1-\eta\lambda)^k,\quad \Bigl\lVert\frac{\partial h_t}{\partial h_0}\Bigr\rVert_2\le"
            r"\sigma_1(W_k)^t=(1-\eta\lambda)^{kt}\approx e^{-\eta\lambda kt}"
        ),
        parts={
            "eta": ex[eta],
            "lam": ex[lam],
            "eta_lam": ex[eta] * ex[lam],
            "steps": steps,
            "lag": lag,
            "sigma_k": sigma_k,
            "bound": bound,
            "exponent": exponent,
            "bound_symbolic": bound_sym,
            "approx": approx,
        },
        text={
            "sigma_k": f"{float(sigma_k):.4f}",
            "bound": sci_latex(float(bound), 3),
            "steps": str(steps),
            "lag": str(lag),
        },
        symbols={"eta": "learning rate", "lambda": "weight_decay", "k": "decay steps", "t": "time lag"},
    )


@decayed_recurrent_jacobian_bound.check(
    "numpy: 10^4 decay steps on a QR-orthogonal 32x32 W (SVD); a tanh RNN near h = 0 for 100 steps, "
    "forward-mode Jacobian ||dh_100/dh_0||_2 vs the bound (attained to a relative 1e-4 where tanh is linear)",
    tol=1e-4,
    oracle_zh="NumPy：对 QR 分解得到的 32×32 正交矩阵 W 做 10⁴ 步衰减（用奇异值分解核对）；"
    "tanh RNN 在 h = 0 附近运行 100 步，前向模式雅可比矩阵的 ‖∂h₁₀₀/∂h₀‖₂ 与上界比较"
    "（tanh 近似线性处，相对差 1e-4 内取到上界）",
)
def _() -> float:
    p = decayed_recurrent_jacobian_bound.result.parts
    rng = np.random.default_rng(24)
    wm, _ = np.linalg.qr(rng.normal(size=(32, 32)))
    c = float(p["eta_lam"])
    for _ in range(int(p["steps"])):
        wm = wm - c * wm  # torch.optim.AdamW with a zero gradient: p <- p - lr * weight_decay * p
    sigma = float(np.linalg.norm(wm, 2))
    h, jac = 1e-6 * rng.normal(size=32), np.eye(32)
    for _ in range(int(p["lag"])):
        h = np.tanh(wm @ h)
        jac = (1.0 - h**2)[:, None] * (wm @ jac)
    measured, bound = float(np.linalg.norm(jac, 2)), float(p["bound"])
    return max(abs(sigma / float(p["sigma_k"]) - 1.0), abs(measured / bound - 1.0), max(0.0, measured - bound))


@decayed_recurrent_jacobian_bound.check(
    "torch: AdamW's default weight_decay, and 100 AdamW steps with zero gradient vs (1 - eta lambda)^100",
    tol=1e-13,
    needs="torch",
    oracle_zh="torch：AdamW 的默认 weight_decay，以及梯度为零时 AdamW 走 100 步与 (1 − ηλ)^100 比较",
)
def _() -> float:
    import inspect

    import torch

    p = decayed_recurrent_jacobian_bound.result.parts
    default = inspect.signature(torch.optim.AdamW).parameters["weight_decay"].default
    w = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = torch.optim.AdamW([w], lr=float(p["eta"]), weight_decay=float(p["lam"]))
    for _ in range(100):
        opt.zero_grad()
        w.grad = torch.zeros_like(w)
        opt.step()
    expected = float((1 - p["eta_lam"]) ** 100)
    return abs(default - float(p["lam"])) + float((w.detach() - expected).abs().max())


@derivation(
    "l1_subgradient_cycle",
    title="SGD on lambda|w| alone: w_k = w_0 - k eta lambda until it crosses 0 at K = ceil(w_0/(eta lambda)), then "
    "a 2-cycle that never reaches 0 (unless w_0/(eta lambda) is an integer); soft thresholding stops at 0",
    title_zh="只对 λ|w| 做 SGD：w_k = w_0 − kηλ，直到在第 K = ⌈w_0/(ηλ)⌉ 步首次到达或越过 0，"
    "之后进入永不到达 0 的 2 周期（除非 w_0/(ηλ) 是整数）；软阈值（近端）步则停在 0",
)
def l1_subgradient_cycle() -> Result:
    """Plain SGD on the L1 penalty, w <- w - eta lambda sign(w) (sign(0) = 0), from w_0 > 0; compared with the
    proximal step (soft thresholding) w <- sign(w) max(|w| - eta lambda, 0)."""
    c = sp.Symbol("c", positive=True)  # eta * lambda
    w0 = sp.Symbol("w_0", positive=True)
    wk = sp.Function("w")
    linear = sp.rsolve(wk(k + 1) - wk(k) + c, wk(k), {wk(0): w0})  # while w_k > 0
    first = sp.ceiling(w0 / c)  # first k with w_k <= 0
    after = linear.subs(k, first)  # in (-c, 0] ...
    back = after + c  # ... then the step with sign -1 adds c: in (0, c]
    ex = {w0: sp.Integer(1), c: sp.Rational(1, 100) * sp.Rational(3, 10)}
    k_ex, lo_ex, hi_ex = first.subs(ex), after.subs(ex), back.subs(ex)
    if not (lo_ex < 0 < hi_ex and sp.simplify(hi_ex - c.subs(ex) - lo_ex) == 0):
        raise ArithmeticError("the example does not cycle")
    # proximal step from the same start: |w| decreases by c until it would cross 0, then it is exactly 0
    prox = ex[w0]
    for _ in range(int(k_ex) + 5):
        prox = sp.sign(prox) * sp.Max(sp.Abs(prox) - ex[c], 0)
    return Result(
        expr=sp.Tuple(sp.Lambda(k, linear), first, sp.Tuple(after, back)),
        latex=(
            r"w_k=" + sp.latex(linear) + r"\ (w_k>0),\quad K=\Bigl\lceil\frac{w_0}{\eta\lambda}\Bigr\rceil,\quad "
            r"w_K\in(-\eta\lambda,0],\ w_{K+1}=w_K+\eta\lambda,\ w_{K+2}=w_K,\ \dots"
        ),
        parts={
            "linear_phase": linear,
            "crossing_step": first,
            "w0_example": ex[w0],
            "eta_example": sp.Rational(1, 100),
            "lambda_example": sp.Rational(3, 10),
            "step_example": ex[c],
            "crossing_step_example": k_ex,
            "cycle_low_example": lo_ex,
            "cycle_high_example": hi_ex,
            "prox_final_example": prox,
        },
        text={"crossing_step_example": str(k_ex)},
        symbols={"w_0": "initial weight (> 0)", "c": "eta * lambda", "k": "step"},
    )


@l1_subgradient_cycle.check(
    "torch.optim.SGD on lambda * |w| (float64, autograd), 400 steps from w_0 = 1: first step with w <= 0 and the "
    "last two iterates vs the derived 2-cycle",
    tol=1e-12,
    needs="torch",
    oracle_zh="torch.optim.SGD 优化 λ|w|（float64、自动微分），从 w_0 = 1 走 400 步：首次 w ≤ 0 的步数，"
    "以及最后两个迭代值与推导出的 2 周期比较",
)
def _() -> float:
    import torch

    p = l1_subgradient_cycle.result.parts
    w = torch.nn.Parameter(torch.tensor(float(p["w0_example"]), dtype=torch.float64))
    lv = float(p["lambda_example"])
    opt = torch.optim.SGD([w], lr=float(p["eta_example"]))
    traj = []
    for _ in range(400):
        opt.zero_grad()
        (lv * w.abs()).backward()
        opt.step()
        traj.append(float(w.detach()))
    first = next(i for i, v in enumerate(traj, start=1) if v <= 0)
    lo, hi = sorted(traj[-2:])
    return (
        float(first != int(p["crossing_step_example"]))
        + abs(lo - float(p["cycle_low_example"]))
        + abs(hi - float(p["cycle_high_example"]))
    )


@l1_subgradient_cycle.check(
    "exact rational arithmetic (fractions): 400 subgradient steps and 400 soft-thresholding steps from w_0 = 1; "
    "first step with w <= 0, first step at which the proximal iterate is 0, and the last two subgradient iterates",
    tol=0.0,
    oracle_zh="精确有理数运算（fractions）：从 w_0 = 1 出发各走 400 步次梯度步与软阈值步；"
    "比较首次 w ≤ 0 的步数、近端迭代值首次为 0 的步数，以及最后两个次梯度迭代值",
)
def _() -> float:
    from fractions import Fraction

    p = l1_subgradient_cycle.result.parts
    c = Fraction(int(p["step_example"].p), int(p["step_example"].q))
    w = prox = Fraction(1)
    seen, proxes = [], []
    for _ in range(400):
        w = w - c * ((w > 0) - (w < 0))
        prox = max(prox - c, Fraction(0))  # soft thresholding for w > 0
        seen.append(w)
        proxes.append(prox)
    kk = int(p["crossing_step_example"])
    first = next(i for i, v in enumerate(seen, start=1) if v <= 0)
    prox_first = next(i for i, v in enumerate(proxes, start=1) if v == 0)
    lo, hi = sorted(seen[-2:])
    ok = lo == Fraction(str(p["cycle_low_example"])) and hi == Fraction(str(p["cycle_high_example"]))
    return (
        float(not ok)
        + float(prox != Fraction(str(p["prox_final_example"])))
        + float(first != kk)
        + float(prox_first != kk)
    )
