"""Data for the interactive gradient explorer: ||dh_T/dh_t||_2 versus t for a vanilla RNN
h_t = f(W h_{t-1} + U x_t), with W = lambda_1 * Q (Q orthogonal, so every singular value of W equals lambda_1).

Conventions: Jacobian (numerator) layout, dh_t/dh_{t-1} = diag(f'(a_t)) W; norms are spectral norms (largest
singular value). The bound ||prod J|| <= (gamma * lambda_1)^(T-t) holds with gamma = sup|f'|.
"""

from __future__ import annotations

import json

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.rnn import run_rnn
from derivations.sym import sci_latex

ACTIVATIONS: dict[str, float] = {"linear": 1.0, "tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}  # name -> sup|f'|
LAMBDAS = tuple(round(v, 2) for v in np.arange(0.5, 2.01, 0.1))
HIDDEN, STEPS = 32, 60


def jacobian_norms(activation: str, lam: float, hidden: int = HIDDEN, steps: int = STEPS, seed: int = 0) -> np.ndarray:
    """||dh_T/dh_t||_2 for t = T, T-1, ..., 0 (index k = T - t) of h_t = f(W h_{t-1} + U x_t), W = lam * Q with Q
    orthogonal, U_ij ~ N(0, 1/hidden), x_t ~ N(0, I), h_0 = 0; seeded. Numerator layout, spectral norm."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; accepted: {', '.join(ACTIVATIONS)}")
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(hidden, hidden)))
    w = lam * q
    u = rng.normal(scale=1 / np.sqrt(hidden), size=(hidden, hidden))
    xs = rng.normal(size=(steps, hidden))
    _, _, jacs = run_rnn(w, u, np.zeros(hidden), xs, np.zeros(hidden), activation)
    prod = np.eye(hidden)
    norms = [1.0]
    for jac in reversed(jacs):  # multiply J_T J_{T-1} ... J_{t+1}
        prod = prod @ jac
        norms.append(float(np.linalg.norm(prod, 2)))
    return np.array(norms)


def explorer_series() -> dict:
    """The explorer's data, language-neutral: {"gamma": sup|f'| per activation, "lambdas": ["0.5", ...],
    "series": {activation: {lambda: [||dh_T/dh_t||_2 for T - t = 0..T], 4 significant digits}}}."""
    series = {
        act: {f"{lam:.1f}": [float(f"{v:.4g}") for v in jacobian_norms(act, lam)] for lam in LAMBDAS}
        for act in ACTIVATIONS
    }
    return {"gamma": ACTIVATIONS, "lambdas": [f"{v:.1f}" for v in LAMBDAS], "series": series}


# --- registered results behind the explorer -------------------------------------------------------------------
_lam, _k = sp.symbols("lambda_1 k", positive=True)


@derivation(
    "orthogonal_linear_power",
    title="Linear RNN with W = lambda_1 Q (Q orthogonal): ||dh_T/dh_t||_2 = lambda_1^(T-t) exactly",
    title_zh="线性 RNN 且 W = λ₁Q（Q 为正交矩阵）时：‖∂h_T/∂h_t‖₂ 恰好等于 λ₁^(T−t)",
)
def orthogonal_linear_power() -> Result:
    """(lambda_1 Q)^k has Gram matrix lambda_1^(2k) I for orthogonal Q, so every singular value is lambda_1^k."""
    theta = sp.Symbol("theta", real=True)
    q = sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])  # a generic 2x2 rotation
    k = 3
    m = (_lam * q) ** k
    gram = sp.simplify(m.T * m)
    if gram != _lam ** (2 * k) * sp.eye(2):
        raise ArithmeticError("(lambda Q)^k is not lambda^k times an orthogonal matrix")
    return Result(
        expr=sp.Lambda((_lam, _k), _lam**_k),
        latex=(
            r"\bigl((\lambda_1 Q)^{k}\bigr)^{\!\top}(\lambda_1 Q)^{k} = \lambda_1^{2k} I"
            r"\;\Rightarrow\;\Bigl\|\frac{\partial h_T}{\partial h_t}\Bigr\|_2 = \lambda_1^{\,T-t}"
        ),
        parts={"norm": _lam**_k, "gram_k3": gram},
        symbols={"lambda_1": "largest (here: every) singular value of W", "k": "steps back, T - t"},
    )


@orthogonal_linear_power.check(
    "numpy: spectral norms of the explorer's linear-RNN products, 60 steps",
    tol=1e-9,
    oracle_zh="NumPy：交互图中线性 RNN 雅可比矩阵乘积的谱范数，60 步",
)
def _() -> float:
    f = sp.lambdify((_lam, _k), orthogonal_linear_power.result.parts["norm"], "numpy")
    worst = 0.0
    for lam in (0.7, 1.0, 1.3):
        norms = jacobian_norms("linear", lam)
        ks = np.arange(len(norms))
        worst = max(worst, float(np.max(np.abs(norms / f(lam, ks) - 1))))
    return worst


@derivation(
    "explorer_bound",
    title="Every curve of the explorer stays below (gamma lambda_1)^(T-t), gamma = sup|f'|",
    title_zh="交互图中的每条曲线都不超过 (γλ₁)^(T−t)，其中 γ = sup|f′|",
)
def explorer_bound() -> Result:
    """||prod_j diag(f'_j) W|| <= prod_j ||diag(f'_j)|| ||W|| <= (gamma lambda_1)^k by submultiplicativity."""
    g = sp.Symbol("gamma", positive=True)
    bound = (g * _lam) ** _k
    gammas = {name: sp.nsimplify(v) for name, v in ACTIVATIONS.items()}
    return Result(
        expr=sp.Lambda((g, _lam, _k), bound),
        latex=(
            r"\Bigl\|\prod_{j=t+1}^{T}\operatorname{diag}\bigl(f'(a_j)\bigr)W\Bigr\|_2 \le"
            r"\prod_{j=t+1}^{T}\bigl\|\operatorname{diag}\bigl(f'(a_j)\bigr)\bigr\|_2\,\|W\|_2"
            r" \le (\gamma\lambda_1)^{T-t}"
        ),
        parts={"bound": bound, **{f"gamma_{k}": v for k, v in gammas.items()}},
        symbols={"gamma": "sup |f'|", "lambda_1": "largest singular value of W", "k": "steps back, T - t"},
        text={"series_json": json.dumps(explorer_series(), separators=(",", ":"))},
    )


@explorer_bound.check(
    "numpy: max over all explorer series of measured / bound - 1 (must be <= 0)",
    tol=1e-9,
    oracle_zh="NumPy：交互图全部曲线上（实测值 / 上界 − 1）的最大值（应 ≤ 0）",
)
def _() -> float:
    worst = -1.0
    for act, gamma in ACTIVATIONS.items():
        for lam in LAMBDAS:
            norms = jacobian_norms(act, lam)
            worst = max(worst, float(np.max(norms / (gamma * lam) ** np.arange(len(norms)) - 1)))
    return max(worst, 0.0)


# --- exercises: readouts a reader can predict before moving the sliders ------------------------------------------
_PLAIN = range(-2, 4)  # decimal exponents of readouts written as plain decimals: 0.01 <= |v| < 10000


@derivation(
    "explorer_closed_form_readouts",
    title="Explorer readouts predicted in closed form after T - t = 60 steps: linear 1.1^60 and 0.9^60 "
    "(slope log10(lambda_1) per step on the log axis); sigmoid bound (lambda_1/4)^60 at lambda_1 = 2",
    title_zh="交互图读数的闭式预测（回传 60 步后）：线性 1.1^60 与 0.9^60（对数纵轴上每步斜率 log10 λ₁）；"
    "sigmoid 在 λ₁ = 2 时的上界 (λ₁/4)^60",
)
def explorer_closed_form_readouts() -> Result:
    """For W = lambda_1 Q (Q orthogonal) the linear readout after k steps is lambda_1^k exactly
    (orthogonal_linear_power) and the bound is (gamma lambda_1)^k (explorer_bound); spectral norms, k = T - t = 60."""
    k = STEPS
    norm = orthogonal_linear_power.result.parts["norm"]
    bound = explorer_bound.result.parts["bound"]
    g = sp.Symbol("gamma", positive=True)
    up, down, sig = sp.Rational(11, 10), sp.Rational(9, 10), sp.Integer(2)
    lin_up = norm.subs({_lam: up, _k: k})
    lin_down = norm.subs({_lam: down, _k: k})
    slope = sp.log(up, 10)
    steps_per_decade = sp.ceiling(1 / slope)
    sig_bound = bound.subs({g: explorer_bound.result.parts["gamma_sigmoid"], _lam: sig, _k: k})
    return Result(
        expr=sp.Tuple(lin_up, lin_down, sig_bound),
        latex=(
            rf"\lambda_1^{{{k}}}:\ ({sp.latex(up)})^{{{k}}}\approx{sci_latex(float(lin_up), 4, plain=_PLAIN)},\ "
            rf"({sp.latex(down)})^{{{k}}}\approx{sci_latex(float(lin_down), 4, plain=_PLAIN)};\quad "
            rf"\bigl(\tfrac14\cdot 2\bigr)^{{{k}}}\approx{sci_latex(float(sig_bound), 4, plain=_PLAIN)}"
        ),
        parts={
            "steps": sp.Integer(k),
            "lambda_up": up,
            "lambda_down": down,
            "linear_up": lin_up,
            "linear_down": lin_down,
            "slope_up": slope,
            "slope_down": sp.log(down, 10),
            "steps_per_decade_up": steps_per_decade,
            "lambda_sigmoid": sig,
            "gamma_sigmoid": explorer_bound.result.parts["gamma_sigmoid"],
            "sigmoid_bound": sig_bound,
            "sigmoid_bound_factor": explorer_bound.result.parts["gamma_sigmoid"] * sig,
            "sigmoid_threshold": 1 / explorer_bound.result.parts["gamma_sigmoid"],
            "decade": sp.Integer(10),
        },
        text={
            "linear_up": sci_latex(float(lin_up), 4, plain=_PLAIN),
            "linear_down": sci_latex(float(lin_down), 4, plain=_PLAIN),
            "slope_up": f"{float(slope):.4f}",
            "slope_down_abs": f"{-float(sp.log(down, 10)):.4f}",
            "steps_per_decade_up": str(int(steps_per_decade)),
            "sigmoid_bound": sci_latex(float(sig_bound), 4, plain=_PLAIN),
        },
        symbols={"lambda_1": "slider value (every singular value of W)", "k": "steps back, T - t"},
    )


@explorer_closed_form_readouts.check(
    "the explorer's embedded data (4 significant digits) at T - t = 60: linear 1.1, linear 0.9, and the measured "
    "sigmoid curve at lambda_1 = 2 below the derived bound; the first step where linear 1.1 reaches 10",
    tol=5e-4,
    oracle_zh="交互图内嵌数据（4 位有效数字）在 T − t = 60 处：线性 1.1、线性 0.9，"
    "以及 λ₁ = 2 时 sigmoid 的实测曲线低于推导出的上界；线性 1.1 首次达到 10 的步数",
)
def _() -> float:
    p = explorer_closed_form_readouts.result.parts
    series = json.loads(explorer_bound.result.text["series_json"])["series"]
    n10 = int(p["steps_per_decade_up"])  # the first step at which the readout reaches 10
    lin = series["linear"]["1.1"]
    if not (lin[n10 - 1] < float(p["decade"]) <= lin[n10]):
        return 1.0
    up = lin[-1] / float(p["linear_up"]) - 1
    down = series["linear"]["0.9"][-1] / float(p["linear_down"]) - 1
    below = max(series["sigmoid"]["2.0"][-1] / float(p["sigmoid_bound"]) - 1, 0.0)
    return max(abs(up), abs(down), below)


@explorer_closed_form_readouts.check(
    "mpmath (30 digits): 1.1^60, 0.9^60, 0.5^60 and log10(1.1) by repeated multiplication and mpmath.log10",
    tol=1e-25,
    oracle_zh="mpmath（30 位）：用逐次相乘与 mpmath.log10 计算 1.1^60、0.9^60、0.5^60 和 log10(1.1)",
)
def _() -> float:
    p = explorer_closed_form_readouts.result.parts
    with mpmath.workdps(30):
        prods = {"linear_up": mpmath.mpf("1.1"), "linear_down": mpmath.mpf("0.9"), "sigmoid_bound": mpmath.mpf("0.5")}
        errs = []
        for key, base in prods.items():
            v = mpmath.mpf(1)
            for _ in range(int(p["steps"])):
                v *= base
            errs.append(abs(v / mpmath.mpf(str(sp.N(p[key], 40))) - 1))
        errs.append(abs(mpmath.log10(mpmath.mpf("1.1")) - mpmath.mpf(str(sp.N(p["slope_up"], 40)))))
        return float(max(errs))


@derivation(
    "explorer_relu_explodes",
    title="Explorer, ReLU at lambda_1 = 1.5: the measured ||dh_T/dh_t||_2 after 60 steps is ~1.9e7 (about 1.32 per "
    "step), below the bound 1.5^60 but exploding",
    title_zh="交互图中 ReLU、λ₁ = 1.5：回传 60 步后实测 ‖∂h_T/∂h_t‖₂ 约为 1.9e7（每步约 1.32 倍），"
    "虽低于上界 1.5^60，但仍在爆炸",
)
def explorer_relu_explodes() -> Result:
    """The explorer's seeded 32-unit ReLU RNN with W = 1.5 Q (Q orthogonal), U_ij ~ N(0, 1/32), x_t ~ N(0, I),
    h_0 = 0: measured spectral norm of dh_T/dh_t at T - t = 60, its per-step geometric mean, the bound 1.5^60, and the
    share of the 60 x 32 (step, unit) pairs, t = 1..60, that are active (pre-activation > 0): every mask in
    dh_60/dh_0."""
    lam = 1.5
    norms = jacobian_norms("relu", lam)
    k = len(norms) - 1
    measured = sp.Float(f"{norms[-1]:.4g}")
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(HIDDEN, HIDDEN)))
    u = rng.normal(scale=1 / np.sqrt(HIDDEN), size=(HIDDEN, HIDDEN))
    xs = rng.normal(size=(STEPS, HIDDEN))
    _, masks, _ = run_rnn(lam * q, u, np.zeros(HIDDEN), xs, np.zeros(HIDDEN), "relu")
    active = sp.Float(f"{float(np.mean(masks)):.3g}")
    lam_s = sp.Rational(3, 2)
    return Result(
        expr=sp.Tuple(measured, lam_s**k),
        latex=(
            rf"\mathrm{{ReLU}},\ \lambda_1={sp.latex(lam_s)}:\ \Bigl\|\frac{{\partial h_T}}{{\partial h_{{T-{k}}}}}"
            rf"\Bigr\|_2\approx{sci_latex(float(measured), 4, plain=_PLAIN)}"
            rf"\le\lambda_1^{{{k}}}\approx{sci_latex(float(lam_s**k), 4, plain=_PLAIN)}"
        ),
        parts={
            "lambda_1": lam_s,
            "steps": sp.Integer(k),
            "hidden": sp.Integer(HIDDEN),
            "measured": measured,
            "per_step": sp.Float(f"{float(measured) ** (1 / k):.3g}"),
            "bound": lam_s**k,
            "active_share": active,
            "log10_measured": sp.Float(f"{np.log10(float(measured)):.3g}"),
        },
        text={
            "measured": sci_latex(float(measured), 4, plain=_PLAIN),
            "bound": sci_latex(float(lam_s**k), 4, plain=_PLAIN),
            "per_step": f"{float(measured) ** (1 / k):.3g}",
            "active_percent": f"{100 * float(active):.0f}",
        },
        symbols={
            "k": "steps back, T - t",
            "active_share": "mean of the masks 1[a_t > 0] over the 32 units and the 60 steps t = 1..60 "
            "(every mask in dh_60/dh_0)",
        },
    )


@explorer_relu_explodes.check(
    "torch autograd (float64) of the same seeded 32-unit ReLU RNN, jacobian of h_60 w.r.t. h_0 = 0: spectral norm "
    "against the measured readout (relative, 4 significant digits); share of active unit-steps",
    tol=5e-4,
    needs="torch",
    oracle_zh="对同一个固定随机种子的 32 单元 ReLU RNN 做 PyTorch 自动微分（float64），"
    "求 h_60 关于 h_0 = 0 的雅可比矩阵：谱范数与实测读数比较（相对误差，4 位有效数字）；按单元和时间步统计的激活比例",
)
def _() -> float:
    import torch

    p = explorer_relu_explodes.result.parts
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(HIDDEN, HIDDEN)))
    u = rng.normal(scale=1 / np.sqrt(HIDDEN), size=(HIDDEN, HIDDEN))
    xs = rng.normal(size=(STEPS, HIDDEN))
    tw, tu, txs = torch.tensor(float(p["lambda_1"]) * q), torch.tensor(u), torch.tensor(xs)

    def run(h: torch.Tensor) -> torch.Tensor:
        for xt in txs:
            h = torch.relu(tw @ h + tu @ xt)
        return h

    jt = torch.autograd.functional.jacobian(run, torch.zeros(HIDDEN, dtype=torch.float64)).numpy()
    with torch.no_grad():  # share of active (unit, step) pairs along the same trajectory, 3 significant digits
        h, active = torch.zeros(HIDDEN, dtype=torch.float64), []
        for xt in txs:
            a = tw @ h + tu @ xt
            active.append((a > 0).double().mean().item())
            h = torch.relu(a)
    share_err = max(abs(float(np.mean(active)) - float(p["active_share"])) - 5e-4, 0.0)
    per_step = float(np.linalg.norm(jt, 2)) ** (1 / int(p["steps"]))
    # per_step is rounded to 3 significant digits: allow half a unit of its last digit
    return max(
        abs(float(np.linalg.norm(jt, 2)) / float(p["measured"]) - 1),
        abs(per_step - float(p["per_step"])) - 5e-3,
        share_err,
    )
