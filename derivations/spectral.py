"""Spectral conditions for vanishing and exploding gradients in h_t = f(W h_{t-1} + U x_t + b).

Conventions: column vectors, numerator (Jacobian) layout, so J_t = dh_t/dh_{t-1} = diag(f'(a_t)) W with
(J_t)_{ij} = d h_{t,i} / d h_{t-1,j}. ||.|| is the spectral norm (largest singular value); lambda_1 is the largest
SINGULAR value of W, rho(W) its spectral radius (largest |eigenvalue|); gamma = sup |f'| (1 for tanh and ReLU,
1/4 for the logistic sigmoid).
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp

from derivations.activations import sigmoid_derivative_max, tanh_derivative_max
from derivations.core import Result, derivation
from derivations.nets.act import sigmoid
from derivations.nets.rnn import jacobian_product, run_rnn
from derivations.oracles.finite import central_diff, max_rel_err
from derivations.sym import replace_fprime, symbol_matrix, symbol_vector

f = sp.Function("f")
f_prime = sp.Function("f_prime")
N_STATE = 3
gam, lam = sp.symbols("gamma lambda_1", positive=True)
n_steps = sp.Symbol("n", integer=True, nonnegative=True)


def _fprime(expr: sp.Expr) -> sp.Expr:
    return replace_fprime(expr, f, f_prime)


def step_jacobians(w: np.ndarray, u: np.ndarray, b: np.ndarray, xs: np.ndarray, h0: np.ndarray, act: str) -> list:
    """[J_1, ..., J_T] with J_t = diag(f'(a_t)) W along h_t = f(W h_{t-1} + U x_t + b) (numerator layout)."""
    return run_rnn(w, u, b, xs, h0, act)[2]


# --- the one-step Jacobian ---------------------------------------------------------------------------------------
@derivation(
    "rnn_state_jacobian",
    title="dh_t/dh_{t-1} = diag(f'(a_t)) W for h_t = f(W h_{t-1} + U x_t + b) (numerator layout: row i = unit i)",
    title_zh="对 h_t = f(W h_{t−1} + U x_t + b)，∂h_t/∂h_{t−1} = diag(f′(a_t)) W（分子布局：第 i 行对应第 i 个单元）",
)
def rnn_state_jacobian() -> Result:
    n = N_STATE
    w = symbol_matrix("W", n, n, start=1)
    hprev = symbol_vector("h", n, start=1)
    c = symbol_vector("c", n, start=1)  # c = U x_t + b
    a = w * hprev + c
    h = a.applyfunc(f)
    jac = h.jacobian(hprev).applyfunc(_fprime)
    formula = sp.diag(*[f_prime(ai) for ai in a]) * w
    if (jac - formula).applyfunc(sp.expand) != sp.zeros(n, n):
        raise ArithmeticError("Jacobian is not diag(f'(a)) W")
    return Result(
        expr=sp.Eq(sp.Symbol("J_t"), jac),
        latex=(
            r"J_t=\frac{\partial h_t}{\partial h_{t-1}}=\operatorname{diag}\bigl(f'(a_t)\bigr)\,W,\qquad "
            r"\bigl(J_t\bigr)_{ij}=f'(a_{t,i})\,W_{ij},\quad a_t=Wh_{t-1}+Ux_t+b"
        ),
        parts={"jacobian": jac, "formula": formula},
        symbols={
            "W_ij": "recurrent weight from unit j to unit i",
            "h_i": "components of h_{t-1}",
            "c_i": "components of U x_t + b (constant in h_{t-1})",
            "f_prime": "derivative of the elementwise activation",
        },
    )


@rnn_state_jacobian.check(
    "central finite differences of a numpy tanh/sigmoid step, 5 units",
    tol=1e-9,
    oracle_zh="NumPy 实现的 tanh／sigmoid 单步的中心有限差分，5 个隐藏单元",
)
def _() -> float:
    rng = np.random.default_rng(0)
    errs = []
    for act in ("tanh", "sigmoid"):
        w, u, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 2)), rng.normal(size=5)
        x, h = rng.normal(size=2), rng.normal(size=5)
        derived = step_jacobians(w, u, b, x[None, :], h, act)[0]
        fd = np.zeros((5, 5))
        for j in range(5):
            e = np.zeros(5)
            e[j] = 1.0
            fn = {"tanh": np.tanh, "sigmoid": sigmoid}[act]
            fd[:, j] = central_diff(
                lambda s, e=e, fn=fn, w=w, h=h, u=u, x=x, b=b: fn(w @ (h + s * e) + u @ x + b), np.array(0.0), 1e-5
            )
        errs.append(float(np.max(np.abs(derived - fd))))
    return max(errs)


@rnn_state_jacobian.check(
    "torch.autograd.functional.jacobian (float64), tanh step",
    tol=1e-14,
    needs="torch",
    oracle_zh="`torch.autograd.functional.jacobian`（float64），tanh 单步",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(1)
    w, u, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 2)), rng.normal(size=4)
    x, h = rng.normal(size=2), rng.normal(size=4)
    tw, tu, tb, tx = (torch.tensor(v, dtype=torch.float64) for v in (w, u, b, x))
    jt = torch.autograd.functional.jacobian(lambda hh: torch.tanh(tw @ hh + tu @ tx + tb), torch.tensor(h))
    return float(np.max(np.abs(step_jacobians(w, u, b, x[None, :], h, "tanh")[0] - jt.numpy())))


@derivation(
    "pascanu_parametrisation_jacobian",
    title="For x_t = W sigma(x_{t-1}) + U u_t + b: dx_t/dx_{t-1} = W diag(sigma'(x_{t-1})), not W^T diag(sigma')",
    title_zh="对 x_t = W σ(x_{t−1}) + U u_t + b：∂x_t/∂x_{t−1} = W diag(σ′(x_{t−1}))，而不是 Wᵀ diag(σ′)",
)
def pascanu_parametrisation_jacobian() -> Result:
    n = N_STATE
    w = symbol_matrix("W", n, n, start=1)
    xprev = symbol_vector("x", n, start=1)
    c = symbol_vector("c", n, start=1)  # c = U u_t + b
    jac = (w * xprev.applyfunc(f) + c).jacobian(xprev).applyfunc(_fprime)
    d = sp.diag(*[f_prime(v) for v in xprev])
    if (jac - w * d).applyfunc(sp.expand) != sp.zeros(n, n):
        raise ArithmeticError("Jacobian is not W diag(f'(x))")
    if (jac - w.T * d).applyfunc(sp.expand) == sp.zeros(n, n):
        raise ArithmeticError("W^T diag(f') unexpectedly equal")
    return Result(
        expr=sp.Eq(sp.Symbol("dx_t/dx_{t-1}"), jac),
        latex=(
            r"x_t=W\sigma(x_{t-1})+Uu_t+b:\quad \frac{\partial x_t}{\partial x_{t-1}}="
            r"W\operatorname{diag}\bigl(\sigma'(x_{t-1})\bigr)\ne W^{\top}\operatorname{diag}"
            r"\bigl(\sigma'(x_{t-1})\bigr),\qquad \bigl\|W\operatorname{diag}(\sigma')\bigr\|_2,\ "
            r"\bigl\|W^{\top}\operatorname{diag}(\sigma')\bigr\|_2\le\lambda_1\gamma"
        ),
        parts={"jacobian": jac, "formula": w * d, "paper_formula": w.T * d},
        symbols={"x_i": "pre-activation state x_{t-1} (Pascanu et al.'s parametrisation)", "c_i": "U u_t + b"},
    )


@pascanu_parametrisation_jacobian.check(
    "torch.autograd.functional.jacobian (float64), sigmoid; W^T diag(sigma') must differ by > 0.1",
    tol=1e-14,
    needs="torch",
    oracle_zh="`torch.autograd.functional.jacobian`（float64），sigmoid；Wᵀ diag(σ′) 与之相差须大于 0.1",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(7)
    w, x = rng.normal(size=(N_STATE, N_STATE)), rng.normal(size=N_STATE)
    jt = torch.autograd.functional.jacobian(lambda xx: torch.tensor(w) @ torch.sigmoid(xx), torch.tensor(x)).numpy()
    r = pascanu_parametrisation_jacobian.result.parts
    syms = [sp.Symbol(f"W_{i + 1}{j + 1}", real=True) for i in range(N_STATE) for j in range(N_STATE)]
    xs = [sp.Symbol(f"x_{i + 1}", real=True) for i in range(N_STATE)]
    z = sp.Symbol("z")
    sig_prime = sp.Lambda(z, sp.exp(-z) / (1 + sp.exp(-z)) ** 2)
    values = [*w.ravel(), *x]
    got = np.array(sp.lambdify([*syms, *xs], r["formula"].replace(f_prime, sig_prime))(*values), dtype=float)
    other = np.array(sp.lambdify([*syms, *xs], r["paper_formula"].replace(f_prime, sig_prime))(*values), dtype=float)
    return float(np.max(np.abs(got - jt))) + (0.0 if np.max(np.abs(other - jt)) > 0.1 else 1.0)


@pascanu_parametrisation_jacobian.check(
    "central finite differences of numpy W sigmoid(x), 3 random draws",
    tol=1e-9,
    oracle_zh="NumPy 实现的 W σ(x) 的中心有限差分，随机抽取 3 组",
)
def _() -> float:
    r = pascanu_parametrisation_jacobian.result.parts
    syms = [sp.Symbol(f"W_{i + 1}{j + 1}", real=True) for i in range(N_STATE) for j in range(N_STATE)]
    xs = [sp.Symbol(f"x_{i + 1}", real=True) for i in range(N_STATE)]
    z = sp.Symbol("z")
    fn = sp.lambdify([*syms, *xs], r["formula"].replace(f_prime, sp.Lambda(z, sp.exp(-z) / (1 + sp.exp(-z)) ** 2)))
    rng = np.random.default_rng(8)
    errs = []
    for _ in range(3):
        w, x = rng.normal(size=(N_STATE, N_STATE)), rng.normal(size=N_STATE)
        fd = np.zeros((N_STATE, N_STATE))
        for j in range(N_STATE):
            e = np.eye(N_STATE)[j]
            fd[:, j] = central_diff(lambda s, e=e, w=w, x=x: w @ sigmoid(x + s * e), np.array(0.0), 1e-5)
        errs.append(float(np.max(np.abs(np.array(fn(*w.ravel(), *x), dtype=float) - fd))))
    return max(errs)


# --- the product bound -------------------------------------------------------------------------------------------
@derivation(
    "jacobian_product_bound",
    title="||prod_{j=k+1}^t J_j||_2 <= (gamma lambda_1)^{t-k}: lambda_1 < 1/gamma suffices for vanishing (lambda_1: "
    "largest singular value)",
    title_zh="‖∏_{j=k+1}^t J_j‖₂ ≤ (γλ₁)^{t−k}：λ₁ < 1/γ 是梯度消失的充分条件（λ₁ 为最大奇异值）",
)
def jacobian_product_bound() -> Result:
    # ||diag(f') W|| <= ||diag(f')|| ||W|| = max_i |f'(a_i)| lambda_1 <= gamma lambda_1; submultiplicativity n times
    one_step = gam * lam
    bound = one_step**n_steps
    gammas = {
        "tanh": tanh_derivative_max.result.parts["max"],
        "sigmoid": sigmoid_derivative_max.result.parts["max"],
        "relu": sp.Integer(1),
    }
    thresholds = {}
    for name, g in gammas.items():
        region = sp.solve_univariate_inequality(one_step.subs(gam, g) < 1, lam, relational=False)
        thresholds[name] = region.sup
        if sp.limit(bound.subs({gam: g, lam: region.sup / 2}), n_steps, sp.oo) != 0:
            raise ArithmeticError("bound does not vanish below the threshold")
    return Result(
        expr=sp.Tuple(sp.Lambda((gam, lam, n_steps), bound), sp.Dict({sp.Symbol(k): v for k, v in thresholds.items()})),
        latex=(
            r"\Bigl\|\prod_{j=k+1}^{t}\operatorname{diag}\bigl(f'(a_j)\bigr)W\Bigr\|_2\le"
            r"\prod_{j=k+1}^{t}\bigl\|\operatorname{diag}\bigl(f'(a_j)\bigr)\bigr\|_2\,\|W\|_2\le(\gamma\lambda_1)^{t-k},"
            r"\qquad \lambda_1<\tfrac1\gamma\ \Rightarrow\ \Bigl\|\prod_{j=k+1}^{t}J_j\Bigr\|_2\to0;\quad "
            r"\Bigl\|\prod_{j=k+1}^{t}J_j\Bigr\|_2\to\infty\ \Rightarrow\ \lambda_1>\tfrac1\gamma"
        ),
        parts={
            "bound": bound,
            "one_step": one_step,
            **{f"threshold_{k}": v for k, v in thresholds.items()},
            **{f"gamma_{k}": v for k, v in gammas.items()},
        },
        symbols={
            "gamma": "sup |f'| (1 for tanh and ReLU, 1/4 for sigmoid)",
            "lambda_1": "largest singular value of W (spectral norm), not the largest |eigenvalue|",
            "n": "number of factors t - k",
        },
    )


@jacobian_product_bound.check(
    "random tanh/sigmoid/ReLU RNNs, 40 steps: max of ||prod J||_2 / bound - 1 (<= 0)",
    tol=1e-12,
    oracle_zh="随机的 tanh／sigmoid／ReLU RNN，40 步：‖∏J‖₂ / 上界 − 1 的最大值（应 ≤ 0）",
)
def _() -> float:
    rng = np.random.default_rng(2)
    r = jacobian_product_bound.result.parts
    bound = sp.lambdify((gam, lam, n_steps), r["bound"], "numpy")
    gam_np = {k: float(r[f"gamma_{k}"]) for k in ("tanh", "sigmoid", "relu")}
    worst = -np.inf
    for act, g in gam_np.items():
        for scale in (0.5, 1.0, 3.0):
            w = rng.normal(scale=scale / np.sqrt(6), size=(6, 6))
            l1 = np.linalg.norm(w, 2)
            jacs = step_jacobians(
                w, rng.normal(size=(6, 2)), rng.normal(size=6), rng.normal(size=(40, 2)), rng.normal(size=6), act
            )
            p = np.eye(6)
            for n, jac in enumerate(jacs, start=1):
                p = jac @ p
                worst = max(worst, np.linalg.norm(p, 2) / bound(g, l1, n) - 1.0)
    return max(0.0, float(worst))


@jacobian_product_bound.check(
    "mpmath (30 digits): near-tight sigmoid RNN (a_t ~ 0, W orthogonal), 600 steps, bound (1/4)^600 ~ 1e-361",
    tol=0.0,
    oracle_zh="mpmath（30 位精度）：接近取等的 sigmoid RNN（a_t ≈ 0，W 为正交矩阵），600 步，上界 (1/4)^600 ≈ 1e-361",
)
def _() -> float:
    rng = np.random.default_rng(3)
    w, _ = np.linalg.qr(rng.normal(size=(3, 3)))  # orthogonal: every singular value is lambda_1 = 1
    # near-tight case: b = -W (1/2) keeps a_t near 0 (sigma' near 1/4); small inputs move it a little
    u, b, xs, h0 = rng.normal(size=(3, 1)), -w @ np.full(3, 0.5), rng.normal(scale=0.05, size=(600, 1)), np.full(3, 0.5)
    with mpmath.workdps(30):
        wm = mpmath.matrix(w.tolist())
        l1 = max(mpmath.svd_r(wm, compute_uv=False))
        h, p = mpmath.matrix(h0.tolist()), mpmath.eye(3)
        for xt in xs:
            a = wm * h + mpmath.matrix((u @ xt + b).tolist())
            s = [1 / (1 + mpmath.exp(-ai)) for ai in a]
            p = mpmath.diag([si * (1 - si) for si in s]) * wm * p
            h = mpmath.matrix(s)
        norm_p = max(mpmath.svd_r(p, compute_uv=False))
        r = jacobian_product_bound.result.parts
        bound = sp.lambdify((gam, lam, n_steps), r["bound"], "mpmath")(
            mpmath.mpf(r["gamma_sigmoid"].p) / r["gamma_sigmoid"].q, l1, 600
        )
        if not (norm_p > bound / 2 and bound < mpmath.mpf("1e-300")):
            return 1.0  # the case must underflow float64 and be near-tight (so a smaller bound would be caught)
        return max(0.0, float(norm_p / bound - 1))


# --- necessary, not sufficient ------------------------------------------------------------------------------------
@derivation(
    "exploding_not_sufficient",
    title="lambda_1 > 1/gamma does not imply exploding: W = [[0, 5], [0, 0]] has lambda_1 = 5 but J_2 J_1 = 0",
    title_zh="λ₁ > 1/γ 并不意味着梯度爆炸：W = [[0, 5], [0, 0]] 的 λ₁ = 5，但 J₂J₁ = 0",
)
def exploding_not_sufficient() -> Result:
    w = sp.Matrix([[0, 5], [0, 0]])
    l1 = max(sp.sqrt(ev) for ev in (w.T * w).eigenvals())
    rho = max(sp.Abs(ev) for ev in w.eigenvals())
    d1 = sp.diag(*sp.symbols("d_11 d_12", real=True))
    d2 = sp.diag(*sp.symbols("d_21 d_22", real=True))
    prod = sp.expand(d2 * w * d1 * w)
    if prod != sp.zeros(2, 2) or l1 != 5:
        raise ArithmeticError("counter-example broken")
    return Result(
        expr=sp.Tuple(w, l1, rho, prod),
        latex=(
            rf"W={sp.latex(w)},\ \lambda_1={sp.latex(l1)}>1=\tfrac1\gamma\ (\tanh),\ \rho(W)={sp.latex(rho)};\quad "
            rf"\operatorname{{diag}}(d_2)\,W\,\operatorname{{diag}}(d_1)\,W={sp.latex(prod)}\ "
            r"\forall\,d_1,d_2"
        ),
        parts={"W": w, "lambda_1": l1, "rho": rho, "product": prod},
        symbols={"d_ij": "f'(a_{i,j}) of unit j at step i (any values)"},
    )


@exploding_not_sufficient.check(
    "numpy: a tanh RNN with this W, 20 steps, ||dh_T/dh_0|| and ||W||_2",
    tol=0.0,
    oracle_zh="NumPy：用这个 W 的 tanh RNN 运行 20 步，计算 ‖∂h_T/∂h_0‖ 与 ‖W‖₂",
)
def _() -> float:
    w = np.array([[0.0, 5.0], [0.0, 0.0]])
    rng = np.random.default_rng(4)
    jacs = step_jacobians(
        w, rng.normal(size=(2, 1)), rng.normal(size=2), rng.normal(size=(20, 1)), rng.normal(size=2), "tanh"
    )
    return float(np.linalg.norm(jacobian_product(jacs), 2)) + abs(np.linalg.norm(w, 2) - 5.0)


# --- how far below 1/gamma the gap reaches depends on the input scale -------------------------------------------------
THRESHOLD_GRID = tuple(round(0.5 + 0.05 * i, 2) for i in range(71))  # lambda_1 = 0.50, 0.55, ..., 4.00
INPUT_SCALES = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
HEATMAP_STEPS = 100


def heatmap_case(steps: int = HEATMAP_STEPS, n: int = 32, seed: int = 0) -> tuple[np.ndarray, ...]:
    """The seeded 32-unit tanh RNN of the heat map: (x_1..x_T, U, h_0, Q) with x_t ~ N(0, I_n), U_ij ~ N(0, 1/n) (so
    each component of U x_t has variance about 1), h_0 ~ N(0, I_n/4) and Q orthogonal; W = lambda_1 Q, b = 0."""
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(steps, n))
    u = rng.normal(scale=1 / np.sqrt(n), size=(n, n))
    h0 = rng.normal(scale=0.5, size=n)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return xs, u, h0, q


def tanh_log10_norm(l1: float, input_scale: float = 1.0, steps: int = HEATMAP_STEPS, seed: int = 0) -> float:
    """log10 ||dh_T/dh_0||_2 (T = ``steps``) of the heat-map RNN (drawn with ``seed``) with W = l1 Q and inputs
    ``input_scale`` * x_t."""
    xs, u, h0, q = heatmap_case(steps, seed=seed)
    jacs = step_jacobians(l1 * q, u, np.zeros(len(h0)), input_scale * xs, h0, "tanh")
    return float(log10_norm_products(jacs, backward=False)[-1])


@functools.cache  # pure; tanh_threshold_across_seeds needs seed 0's thresholds again
def _threshold(input_scale: float, seed: int = 0) -> tuple[float, float]:
    """(largest grid lambda_1 such that every grid lambda_1 up to it gives ||dh_T/dh_0||_2 < 1, the next grid value)."""
    for i, l1 in enumerate(THRESHOLD_GRID):
        if tanh_log10_norm(l1, input_scale, seed=seed) >= 0:
            if i == 0:
                raise ArithmeticError(f"input scale {input_scale}: ||dh_T/dh_0|| >= 1 already at the grid's start")
            return THRESHOLD_GRID[i - 1], l1
    raise ArithmeticError(f"input scale {input_scale}: ||dh_T/dh_0|| < 1 on the whole grid; extend THRESHOLD_GRID")


@derivation(
    "tanh_threshold_vs_input_scale",
    title="32-unit tanh RNN, W = lambda_1 Q, T = 100: the largest lambda_1 with ||dh_T/dh_0||_2 < 1 grows with the "
    "input scale (1.0 without inputs, 1.9 at unit scale)",
    title_zh="32 个隐藏单元的 tanh RNN，W = λ₁Q，T = 100：使 ‖∂h_T/∂h_0‖₂ < 1 的最大 λ₁ 随输入尺度增大"
    "（无输入时为 1.0，单位尺度时为 1.9）",
)
def tanh_threshold_vs_input_scale() -> Result:
    rows = {scale: _threshold(scale) for scale in INPUT_SCALES}
    exact = {scale: (sp.Rational(str(lo)), sp.Rational(str(hi))) for scale, (lo, hi) in rows.items()}
    head = " & ".join(f"{scale:g}" for scale in INPUT_SCALES)
    body = " & ".join(f"{lo:.2f}" for lo, _ in rows.values())
    return Result(
        expr=sp.Tuple(*[sp.Tuple(sp.Rational(str(scale)), lo, hi) for scale, (lo, hi) in exact.items()]),
        latex=(
            r"\begin{array}{c|"
            + "c" * len(INPUT_SCALES)
            + r"}s&"
            + head
            + r"\\\hline\lambda_1^*(s)&"
            + body
            + r"\end{array}"
        ),
        parts={
            **{f"threshold_{scale:g}": lo for scale, (lo, _) in exact.items()},
            **{f"first_above_{scale:g}": hi for scale, (_, hi) in exact.items()},
        },
        symbols={
            "s": "input scale: the inputs are s x_t, x_t ~ N(0, I); U_ij ~ N(0, 1/32), b = 0, h_0 ~ N(0, I/4)",
            "lambda_1": "every singular value of W = lambda_1 Q (Q orthogonal, seeded)",
            "lambda_1^*(s)": "largest grid value below which every grid lambda_1 gives ||dh_100/dh_0||_2 < 1",
        },
        text={
            **{f"threshold_{scale:g}": f"{lo:.2f}" for scale, (lo, _) in rows.items()},
            **{f"first_above_{scale:g}": f"{hi:.2f}" for scale, (_, hi) in rows.items()},
            **{f"scale_{scale:g}": f"{scale:g}" for scale in INPUT_SCALES},
        },
    )


def _fd_norm(l1: float, input_scale: float, h: float = 1e-6, seed: int = 0) -> float:
    """||dh_T/dh_0||_2 of the heat-map RNN (drawn with ``seed``) by central finite differences of h_T in each
    component of h_0 (numpy)."""
    xs, u, h0, q = heatmap_case(seed=seed)
    w = l1 * q

    def h_final(start: np.ndarray) -> np.ndarray:
        hh = start
        for xt in input_scale * xs:
            hh = np.tanh(w @ hh + u @ xt)
        return hh

    cols = [central_diff(lambda s, e=e: h_final(h0 + s * e), np.array(0.0), h) for e in np.eye(len(h0))]
    return float(np.linalg.norm(np.array(cols).T, 2))


@tanh_threshold_vs_input_scale.check(
    "central finite differences of h_100 in h_0 (float64, no Jacobian code): norm < 1 at lambda_1^*, >= 1 one grid "
    "step above, every input scale",
    tol=0.0,
    oracle_zh="对 h_0 各分量的中心有限差分求 h_100 的导数（float64，不经雅可比矩阵代码）：在 λ₁* 处范数 < 1，"
    "比它大一个网格步长处 ≥ 1，覆盖每个输入尺度",
)
def _() -> float:
    r = tanh_threshold_vs_input_scale.result.parts
    wrong = 0
    for scale in INPUT_SCALES:
        below, above = (float(r[f"{k}_{scale:g}"]) for k in ("threshold", "first_above"))
        wrong += _brackets_missed(below, above, scale)
    return float(wrong)


def _brackets_missed(below: float, above: float, input_scale: float, seed: int = 0) -> int:
    """How many of the two finite-difference facts fail: norm < 1 at ``below``, norm >= 1 at ``above``."""
    return int(not _fd_norm(below, input_scale, seed=seed) < 1.0) + int(
        not _fd_norm(above, input_scale, seed=seed) >= 1.0
    )


@tanh_threshold_vs_input_scale.check(
    "torch.autograd.functional.jacobian of h_100 w.r.t. h_0 (float64): every grid lambda_1 <= lambda_1^* at s = 1, "
    "and lambda_1^* and the next grid value at every s",
    tol=0.0,
    needs="torch",
    oracle_zh="`torch.autograd.functional.jacobian` 求 h_100 关于 h_0 的雅可比矩阵（float64）：s = 1 时检查网格上每个 "
    "λ₁ ≤ λ₁*，其他输入尺度检查 λ₁* 及比它大一个网格步长的值",
)
def _() -> float:
    import torch

    r = tanh_threshold_vs_input_scale.result.parts
    xs, u, h0, q = (torch.tensor(a, dtype=torch.float64) for a in heatmap_case())

    def norm(l1: float, scale: float) -> float:
        def run(h: torch.Tensor) -> torch.Tensor:
            for xt in scale * xs:
                h = torch.tanh(l1 * q @ h + u @ xt)
            return h

        return float(torch.linalg.matrix_norm(torch.autograd.functional.jacobian(run, h0), ord=2))

    wrong = 0
    for scale in INPUT_SCALES:
        below, above = (float(r[f"{k}_{scale:g}"]) for k in ("threshold", "first_above"))
        grid = [g for g in THRESHOLD_GRID if g <= below] if scale == 1.0 else [below]
        wrong += sum(int(not norm(g, scale) < 1.0) for g in grid) + int(not norm(above, scale) >= 1.0)
    return float(wrong)


SEED_SCALES = (0.0, 1.0, 4.0)  # input scales of the across-seeds range
SEEDS = tuple(range(6))


@derivation(
    "tanh_threshold_across_seeds",
    title="The same threshold lambda_1^*(s) for six seeded draws of the 32-unit tanh RNN (seeds 0-5), s = 0, 1, 4: "
    "its range over the seeds",
    title_zh="同一阈值 λ₁*(s) 在 32 个隐藏单元的 tanh RNN 的六次固定随机种子抽样（种子 0–5）下的取值范围，s = 0、1、4",
)
def tanh_threshold_across_seeds() -> Result:
    rows = {(scale, seed): _threshold(scale, seed) for scale in SEED_SCALES for seed in SEEDS}
    lo = {k: sp.Rational(str(v[0])) for k, v in rows.items()}
    hi = {k: sp.Rational(str(v[1])) for k, v in rows.items()}
    ranges = {scale: (min(lo[scale, sd] for sd in SEEDS), max(lo[scale, sd] for sd in SEEDS)) for scale in SEED_SCALES}
    return Result(
        expr=sp.Tuple(*[sp.Tuple(sp.Rational(str(scale)), *ranges[scale]) for scale in SEED_SCALES]),
        latex=(
            r"\begin{array}{c|"
            + "c" * len(SEED_SCALES)
            + r"}s&"
            + " & ".join(f"{scale:g}" for scale in SEED_SCALES)
            + r"\\\hline\lambda_1^*(s)&"
            + " & ".join(f"[{float(ranges[scale][0]):.2f},\\,{float(ranges[scale][1]):.2f}]" for scale in SEED_SCALES)
            + r"\end{array}"
        ),
        parts={
            **{f"threshold_{scale:g}_seed{sd}": lo[scale, sd] for scale in SEED_SCALES for sd in SEEDS},
            **{f"first_above_{scale:g}_seed{sd}": hi[scale, sd] for scale in SEED_SCALES for sd in SEEDS},
            **{f"min_{scale:g}": ranges[scale][0] for scale in SEED_SCALES},
            **{f"max_{scale:g}": ranges[scale][1] for scale in SEED_SCALES},
        },
        symbols={
            "s": "input scale, as in tanh_threshold_vs_input_scale",
            "seed": "seed of heatmap_case: inputs, U, h_0 and Q are drawn anew",
            "lambda_1^*(s)": "largest grid value below which every grid lambda_1 gives ||dh_100/dh_0||_2 < 1",
        },
        text={
            **{f"min_{scale:g}": f"{float(ranges[scale][0]):.2f}" for scale in SEED_SCALES},
            **{f"max_{scale:g}": f"{float(ranges[scale][1]):.2f}" for scale in SEED_SCALES},
            "seeds": f"{SEEDS[0]}\u2013{SEEDS[-1]}",
        },
    )


@tanh_threshold_across_seeds.check(
    "central finite differences of h_100 in h_0 (float64, no Jacobian code) for every seed and input scale: norm < 1 "
    "at lambda_1^*, >= 1 one grid step above; the ranges are the min and max over the seeds",
    tol=0.0,
    oracle_zh="对每个随机种子和输入尺度，用 h_0 各分量的中心有限差分求 h_100 的导数（float64，不经雅可比矩阵代码）："
    "在 λ₁* 处范数 < 1，比它大一个网格步长处 ≥ 1；取值范围即各种子结果的最小值与最大值",
)
def _() -> float:
    r = tanh_threshold_across_seeds.result.parts
    wrong = 0
    for scale in SEED_SCALES:
        lows = []
        for sd in SEEDS:
            below, above = (float(r[f"{k}_{scale:g}_seed{sd}"]) for k in ("threshold", "first_above"))
            wrong += _brackets_missed(below, above, scale, seed=sd)
            wrong += int(abs(above - below - 0.05) > 1e-12)  # adjacent grid values
            lows.append(below)
        wrong += int(min(lows) != float(r[f"min_{scale:g}"])) + int(max(lows) != float(r[f"max_{scale:g}"]))
    return float(wrong)


# --- eigenvalue vs singular value ----------------------------------------------------------------------------------
@derivation(
    "transient_growth",
    title="Linear case: rho(W) = 0.9 < 1 < lambda_1 for W = [[0.9, 2], [0, 0.9]]; ||W^n|| peaks at ~7.7677 (n = 9)",
    title_zh="线性情形：W = [[0.9, 2], [0, 0.9]] 的 ρ(W) = 0.9 < 1 < λ₁；‖Wⁿ‖ 先增长，在 n = 9 时达到峰值约 7.7677",
)
def transient_growth() -> Result:
    w = sp.Matrix([[sp.Rational(9, 10), 2], [0, sp.Rational(9, 10)]])
    n = sp.Symbol("n", integer=True, positive=True)
    wn = sp.simplify(w**n)  # Jordan block: [[0.9^n, 2 n 0.9^(n-1)], [0, 0.9^n]]
    rho = max(sp.Abs(ev) for ev in w.eigenvals())
    l1 = sp.sqrt(max((w.T * w).eigenvals(), key=lambda e: float(e)))
    # ||W^n||_2 = sqrt(largest eigenvalue of (W^n)^T W^n), evaluated exactly-then-numerically
    norms = []
    for k in range(1, 121):
        m = w**k
        norms.append(float(sp.sqrt(max((m.T * m).eigenvals(), key=lambda e: float(e)))))
    k_peak = int(np.argmax(norms)) + 1
    k_below = next(k for k in range(k_peak, 121) if norms[k - 1] < 1)
    off = wn[0, 1]
    xr = sp.Symbol("x", positive=True)  # continuous n
    n_star = sp.solve(sp.diff(off.subs(n, xr), xr), xr)[0]  # the off-diagonal entry peaks at n* = 1/ln(10/9)
    off_nice = 2 * n * sp.Rational(9, 10) ** (n - 1)
    if sp.simplify(off - off_nice) != 0:
        raise ArithmeticError("unexpected off-diagonal entry of W^n")
    wn_display = sp.Matrix([[wn[0, 0], off_nice], [0, wn[1, 1]]])
    asymptotic = sp.limit(off ** (1 / n), n, sp.oo)
    if asymptotic != rho:
        raise ArithmeticError("||W^n||^(1/n) does not tend to rho(W)")
    return Result(
        expr=sp.Tuple(sp.Lambda(n, wn), rho, l1, sp.Integer(k_peak), sp.Float(norms[k_peak - 1], 15)),
        latex=(
            rf"W={sp.latex(w)},\ \rho(W)={sp.latex(rho)},\ \lambda_1={sp.latex(l1)}\approx{float(l1):.4f};\quad "
            rf"W^n={sp.latex(wn_display)};\quad \max_n\|W^n\|_2=\|W^{{{k_peak}}}\|_2\approx{norms[k_peak - 1]:.4f},\ "
            rf"n\ge{k_below}\Rightarrow\|W^n\|_2<1;\quad \lim_{{n\to\infty}}\|W^n\|^{{1/n}}=\rho(W)"
        ),
        parts={
            "W": w,
            "W_pow_n": wn,
            "rho": rho,
            "lambda_1": l1,
            "peak_n": sp.Integer(k_peak),
            "peak_norm": sp.Float(norms[k_peak - 1], 15),
            "below_one_from": sp.Integer(k_below),
            "offdiag_peak_n": n_star,
            "gelfand_limit": asymptotic,
        },
        symbols={"n": "number of factors (power of W)", "W": "recurrent matrix of a linear RNN (f = identity)"},
        text={"norms_1_to_12": ", ".join(f"{v:.4f}" for v in norms[:12]), "peak_norm": f"{norms[k_peak - 1]:.6f}"},
    )


@transient_growth.check(
    "numpy matrix_power + 2-norm for n <= 120 and mpmath for n = 8000 (0.9^8000 ~ 1e-366)",
    tol=1e-12,
    oracle_zh="n ≤ 120 时用 NumPy 的 matrix_power 与 2-范数，n = 8000 时用 mpmath（0.9^8000 ≈ 1e-366）",
)
def _() -> float:
    r = transient_growth.result.parts
    w = np.array([[0.9, 2.0], [0.0, 0.9]])
    norms = [np.linalg.norm(np.linalg.matrix_power(w, k), 2) for k in range(1, 121)]
    k_peak = int(np.argmax(norms)) + 1
    err = abs(norms[k_peak - 1] - float(r["peak_norm"])) / norms[k_peak - 1] + abs(k_peak - int(r["peak_n"]))
    err += abs(next(k for k in range(k_peak, 121) if norms[k - 1] < 1) - int(r["below_one_from"]))
    with mpmath.workdps(40):
        m = mpmath.matrix([[mpmath.mpf("0.9"), 2], [0, mpmath.mpf("0.9")]]) ** 8000
        direct = max(mpmath.svd_r(m, compute_uv=False))
        n = mpmath.mpf(8000)
        root = direct ** (1 / n)
        formula = sp.lambdify(sp.Symbol("n", integer=True, positive=True), r["W_pow_n"][0, 1], "mpmath")(n)
        err += float(abs(m[0, 1] - formula) / abs(m[0, 1]))
        # n-th root approaches rho = 0.9 slowly (factor (2n/0.9)^(1/n) ~ 1.0012 at n = 8000): check it lies between
        err += 0.0 if mpmath.mpf("0.9") < root < mpmath.mpf("0.9") * mpmath.mpf(1.002) else 1.0
    return err


@derivation(
    "linear_rnn_asymptotics",
    title="Linear RNN (f = id): dh_n/dh_0 = W^n, ||W^n||^(1/n) -> rho(W): vanishes iff rho < 1, unbounded if rho > 1",
    title_zh="线性 RNN（f 为恒等映射）：∂h_n/∂h_0 = Wⁿ，‖Wⁿ‖^(1/n) → ρ(W)：当且仅当 ρ < 1 时消失；ρ > 1 时无界",
)
def linear_rnn_asymptotics() -> Result:
    mu = sp.Symbol("mu", positive=True)  # |eigenvalue|
    n = sp.Symbol("n", integer=True, positive=True)
    size = 3
    jb = sp.Matrix(size, size, lambda i, j: mu if i == j else (1 if j == i + 1 else 0))  # Jordan block
    jn = sp.simplify(jb**n)
    # every entry is binomial(n, k) mu^(n-k); its n-th root tends to mu, so ||W^n||^(1/n) -> rho(W) (Gelfand)
    roots = [sp.limit(sp.expand_func(jn[0, k]) ** (1 / n), n, sp.oo) for k in range(size)]
    if any(sp.simplify(r_ - mu) != 0 for r_ in roots):
        raise ArithmeticError("n-th roots of the Jordan-block entries do not tend to mu")
    expected = sp.Matrix(
        size, size, lambda i, j: sp.binomial(n, j - i) * mu ** (n - (j - i)) if j >= i else sp.Integer(0)
    )
    if any(sp.simplify(sp.expand_func(jn[i, j] - expected[i, j])) != 0 for i in range(size) for j in range(size)):
        raise ArithmeticError("unexpected power of a Jordan block")
    return Result(
        expr=sp.Tuple(sp.Lambda((mu, n), expected), sp.Tuple(*roots)),
        latex=(
            r"h_t=Wh_{t-1}\Rightarrow\frac{\partial h_n}{\partial h_0}=W^n=PJ^nP^{-1},\quad "
            rf"J_\mu^n={sp.latex(expected)},\quad \lim_{{n\to\infty}}\|W^n\|^{{1/n}}=\rho(W)"
        ),
        parts={"jordan_power": expected, "nth_roots": sp.Tuple(*roots)},
        symbols={"mu": "|eigenvalue| of a 3x3 Jordan block", "n": "number of steps", "W": "W = P J P^-1 (Jordan form)"},
    )


@linear_rnn_asymptotics.check(
    "numpy: ||W^n||_2^(1/n) at n = 400 vs rho(W) for 6 random 6x6 W (relative)",
    tol=0.02,
    oracle_zh="NumPy：6 个随机 6×6 矩阵 W，n = 400 时 ‖Wⁿ‖₂^(1/n) 与 ρ(W) 的相对误差",
)
def _() -> float:
    rng = np.random.default_rng(12)
    errs = []
    for scale in (0.6, 0.9, 1.0, 1.1, 1.3, 1.6):
        w = rng.normal(size=(6, 6))
        w *= scale / max(abs(np.linalg.eigvals(w)))
        p, logn = np.eye(6), 0.0
        for _ in range(400):
            p = w @ p
            nrm = np.linalg.norm(p, 2)
            logn += np.log(nrm)
            p /= nrm
        errs.append(abs(np.exp(logn / 400) - scale) / scale)
    return max(errs)


@linear_rnn_asymptotics.check(
    "mpmath (30 digits): 3x3 Jordan block mu = 0.5, n = 2000, entries vs binomial formula",
    tol=1e-25,
    oracle_zh="mpmath（30 位精度）：3×3 若尔当块，μ = 0.5，n = 2000，各元素与二项式公式比较",
)
def _() -> float:
    r = linear_rnn_asymptotics.result.parts["jordan_power"]
    mu, n = sp.Symbol("mu", positive=True), sp.Symbol("n", integer=True, positive=True)
    f = sp.lambdify((mu, n), r, "mpmath")
    with mpmath.workdps(30):
        m = mpmath.matrix([[0.5, 1, 0], [0, 0.5, 1], [0, 0, 0.5]]) ** 2000  # 0.5^2000 ~ 1e-602: float64 underflows
        ref = f(mpmath.mpf("0.5"), 2000)
        return float(max(abs(m[i, j] - ref[i, j]) / abs(ref[i, j]) for i in range(3) for j in range(i, 3)))


@derivation(
    "spectral_radius_not_sufficient",
    title="With a nonlinearity rho(W) < 1 does not ensure vanishing: a tanh RNN with rho(W) = 0.632 has "
    "||dh_T/dh_0|| ~ 1.2^T",
    title_zh="有非线性时，ρ(W) < 1 不足以保证梯度消失：ρ(W) = 0.632 的 tanh RNN 中 ‖∂h_T/∂h_0‖ 约按 1.2^T 增长",
)
def spectral_radius_not_sufficient() -> Result:
    w = sp.Matrix([[sp.Rational(6, 5), 1], [-1, -sp.Rational(1, 2)]])
    rho = max(sp.Abs(ev) for ev in w.eigenvals())
    l1 = sp.sqrt(max((w.T * w).eigenvals(), key=lambda e: float(e)))
    # fixed point h = (0, tanh(-20)) with b = (1 - tanh(20)... ) chosen so a_1 = 0: unit 1 at tanh'(0) = 1,
    # unit 2 saturated (tanh'(a_2) ~ 0). Then J -> D W with D = diag(1, 0) and (D W)^n = [[1.2^n, 1.2^(n-1)], [0, 0]]
    d = sp.diag(1, 0)
    nn = sp.Symbol("n", integer=True, positive=True)
    dw_n = sp.simplify((d * w) ** nn)
    six_fifths = sp.Rational(6, 5)
    nice = sp.Matrix([[six_fifths**nn, six_fifths ** (nn - 1)], [0, 0]])
    if (dw_n - nice).applyfunc(sp.simplify) != sp.zeros(2, 2):
        raise ArithmeticError("unexpected (D W)^n")
    return Result(
        expr=sp.Tuple(w, rho, l1, sp.Lambda(nn, dw_n)),
        latex=(
            rf"W={sp.latex(w)},\ \rho(W)={sp.latex(rho)}\approx{float(rho):.4f}<1,\ \lambda_1\approx{float(l1):.4f};"
            rf"\quad \operatorname{{diag}}(1,0)\,W\ (\tanh'(a_{{t,2}})\approx0):\ "
            rf"\bigl(\operatorname{{diag}}(1,0)W\bigr)^n={sp.latex(nice)}"
        ),
        parts={"W": w, "rho": rho, "lambda_1": l1, "DW_pow_n": dw_n},
        symbols={"n": "number of steps", "b": "bias (1, -20) holds the trajectory at h = (0, tanh(-20))"},
    )


def _saturated_case(steps: int) -> np.ndarray:
    """dh_T/dh_0 (numpy) along the tanh trajectory of ``spectral_radius_not_sufficient``: b = (1, -20), x_t = 0,
    h_0 = (0, -1)."""
    w = np.array([[1.2, 1.0], [-1.0, -0.5]])
    _, _, jacs = run_rnn(w, np.zeros((2, 1)), np.array([1.0, -20.0]), np.zeros((steps, 1)), np.array([0.0, -1.0]))
    return jacobian_product(jacs)


def _derived_law(steps: int) -> np.ndarray:
    """The derived D W^n at n = ``steps`` in float64. NumPy may evaluate it through complex numbers (a wrong law such
    as W^n has complex eigenvalues): the value is real, so an imaginary part beyond round-off is an error, never
    dropped in silence."""
    dw_n = spectral_radius_not_sufficient.result.parts["DW_pow_n"]
    value = np.asarray(sp.lambdify(sp.Symbol("n", integer=True, positive=True), dw_n, "numpy")(steps), dtype=complex)
    if np.abs(value.imag).max() > 1e-12 * max(1.0, np.abs(value.real).max()):
        raise ValueError(f"the derived law is not real at n = {steps}: {value}")
    return value.real


@spectral_radius_not_sufficient.check(
    "torch autograd jacobian of h_T w.r.t. h_0 (float64, T = 40) vs 1.2^T law",
    tol=1e-9,
    needs="torch",
    oracle_zh="PyTorch 自动微分求 h_T 关于 h_0 的雅可比矩阵（float64，T = 40），与 1.2^T 规律比较",
)
def _() -> float:
    import torch

    w = torch.tensor([[1.2, 1.0], [-1.0, -0.5]], dtype=torch.float64)
    b = torch.tensor([1.0, -20.0], dtype=torch.float64)

    def run(h: torch.Tensor) -> torch.Tensor:
        for _ in range(40):
            h = torch.tanh(w @ h + b)
        return h

    jac = torch.autograd.functional.jacobian(run, torch.tensor([0.0, -1.0], dtype=torch.float64)).numpy()
    return max_rel_err(jac[0], _derived_law(40)[0], floor=1.0)


@spectral_radius_not_sufficient.check(
    "numpy product of diag(tanh'(a_t)) W along the trajectory vs derived law, T = 40",
    tol=1e-9,
    oracle_zh="NumPy 沿轨迹连乘 diag(tanh′(a_t)) W，与推导出的规律比较，T = 40",
)
def _() -> float:
    return max_rel_err(_saturated_case(40)[0], _derived_law(40)[0], floor=1.0)


@derivation(
    "tanh_bound_counterexample",
    title="'tanh' <= 1, so the product vanishes' is false: W = 2I at h = 0 gives dh_t/dh_0 = 2^t I",
    title_zh="“tanh′ ≤ 1，所以乘积会消失”是错的：W = 2I、h = 0 时 ∂h_t/∂h_0 = 2ᵗ I",
)
def tanh_bound_counterexample() -> Result:
    n = 2
    hv = symbol_vector("h", n, start=1)
    w = 2 * sp.eye(n)
    jac = (w * hv).applyfunc(sp.tanh).jacobian(hv).subs({s: 0 for s in hv})  # fixed point: h = 0 maps to h = 0
    t = sp.Symbol("t", integer=True, positive=True)
    prod = jac**t
    if jac != 2 * sp.eye(n):
        raise ArithmeticError("Jacobian at 0 is not 2I")
    return Result(
        expr=sp.Tuple(jac, sp.Lambda(t, prod)),
        latex=(
            rf"W=2I,\ h_{{t-1}}=0\Rightarrow a_t=0,\ \tanh'(0)=1:\ J_t={sp.latex(jac)},\quad "
            rf"\frac{{\partial h_t}}{{\partial h_0}}=J_t\cdots J_1={sp.latex(prod)}"
        ),
        parts={"jacobian": jac, "product": prod},
        symbols={"t": "number of steps", "h_i": "state components (evaluated at the fixed point 0)"},
    )


@tanh_bound_counterexample.check(
    "torch autograd jacobian of h_30 w.r.t. h_0 at h_0 = 0 (float64) vs 2^30 I",
    tol=0.0,
    needs="torch",
    oracle_zh="PyTorch 自动微分求 h_30 关于 h_0 在 h_0 = 0 处的雅可比矩阵（float64），与 2^30 I 比较",
)
def _() -> float:
    import torch

    def run(h: torch.Tensor) -> torch.Tensor:
        for _ in range(30):
            h = torch.tanh(2.0 * h)
        return h

    jac = torch.autograd.functional.jacobian(run, torch.zeros(2, dtype=torch.float64)).numpy()
    t = sp.Symbol("t", integer=True, positive=True)
    law = np.array(tanh_bound_counterexample.result.parts["product"].subs(t, 30), dtype=float)
    return float(np.max(np.abs(jac - law)))


@tanh_bound_counterexample.check(
    "central finite difference of 20 numpy tanh steps at h_0 = 0 (relative)",
    tol=1e-6,
    oracle_zh="NumPy 运行 20 步 tanh 在 h_0 = 0 处的中心有限差分（相对误差）",
)
def _() -> float:
    def run(s: np.ndarray) -> np.ndarray:
        h = np.array([float(s), 0.0])
        for _ in range(20):
            h = np.tanh(2.0 * h)
        return h[0]

    return abs(float(central_diff(run, np.array(0.0), 1e-12)) / 2.0**20 - 1.0)


# --- figure data -----------------------------------------------------------------------------------------------------
def log10_norm_products(jacs: list[np.ndarray], backward: bool) -> np.ndarray:
    """log10 ||J_T ... J_{t+1}||_2 for t = T-1..0 (backward) or ||J_t ... J_1||_2 for t = 1..T, renormalising."""
    n = jacs[0].shape[0]
    p, logscale, out = np.eye(n), 0.0, []
    seq = reversed(jacs) if backward else jacs
    for jac in seq:
        p = p @ jac if backward else jac @ p
        nrm = np.linalg.norm(p, 2)
        if nrm == 0.0:
            out.append(-np.inf)
            p, logscale = np.zeros_like(p), -np.inf
            continue
        logscale += np.log10(nrm)
        p /= nrm
        out.append(logscale)
    return np.array(out)


def _recurrent_matrix(kind: str, l1: float, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "irnn":
        return l1 * np.eye(n)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return l1 * q  # every singular value equals l1


def figure_data_jacobian_norms(
    lambdas: tuple[float, ...] = (0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 4.0), steps: int = 100, n: int = 32, seed: int = 0
) -> dict:
    """log10 ||dh_T/dh_t||_2 for t = 0..T-1 in sigmoid, tanh, ReLU (W = lambda_1 Q, Q orthogonal) and IRNN
    (ReLU, W = lambda_1 I) nets, inputs x_t ~ N(0, I), U ~ N(0, 1/n), b = 0; spectral norm, numerator layout.

    Returns {"t": array, "lambdas": array, "<act>": array of shape (len(lambdas), T)} with -inf where a product is 0.
    """
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(steps, n))
    u = rng.normal(scale=1 / np.sqrt(n), size=(n, n))
    h0 = rng.normal(scale=0.5, size=n)
    q_seed = int(rng.integers(1 << 30))
    out: dict = {"t": np.arange(steps - 1, -1, -1), "lambdas": np.array(lambdas)}
    for kind, act in (("sigmoid", "sigmoid"), ("tanh", "tanh"), ("relu", "relu"), ("irnn", "relu")):
        rows = []
        for l1 in lambdas:
            w = _recurrent_matrix(kind, l1, n, np.random.default_rng(q_seed))
            h_init = np.abs(h0) if kind == "irnn" else h0
            rows.append(log10_norm_products(step_jacobians(w, u, np.zeros(n), xs, h_init, act), backward=True))
        out[kind] = np.array(rows)
    return out


def figure_data_heatmap(
    lambdas: np.ndarray | None = None, steps: int = 100, n: int = 32, act: str = "tanh", seed: int = 0
) -> dict:
    """log10 ||dh_T/dh_0||_2 over a grid of (lambda_1, T) for h_t = f(lambda_1 Q h_{t-1} + U x_t), Q orthogonal.

    Returns {"lambdas": (L,), "T": (steps,), "log10_norm": (L, steps)}; spectral norm, numerator layout, seeded.
    """
    lambdas = np.linspace(0.5, 2.0, 31) if lambdas is None else np.asarray(lambdas, dtype=float)
    xs, u, h0, q = heatmap_case(steps, n, seed)
    grid = np.array(
        [log10_norm_products(step_jacobians(l1 * q, u, np.zeros(n), xs, h0, act), backward=False) for l1 in lambdas]
    )
    return {"lambdas": lambdas, "T": np.arange(1, steps + 1), "log10_norm": grid}


def figure_data_transient_growth(n_max: int = 80) -> dict:
    """||W^n||_2, rho(W)^n and lambda_1^n for n = 0..``n_max`` with the W of ``transient_growth`` (float64)."""
    r = transient_growth.result.parts
    w = np.array(r["W"], dtype=float)
    ns = np.arange(0, n_max + 1)
    return {
        "n": ns,
        "norms": np.array([np.linalg.norm(np.linalg.matrix_power(w, int(k)), 2) for k in ns]),
        "rho_pow": float(r["rho"]) ** ns,
        "lambda1_pow": float(r["lambda_1"]) ** ns,
        "rho": float(r["rho"]),
    }


# --- exercise: the spectral radius of a product ---------------------------------------------------------------------
@derivation(
    "spectral_radius_of_product",
    title="rho(AB) can exceed rho(A)rho(B): A = [[1/2, 2], [0, 1/2]], B = A^T have rho = 1/2, but rho(AB) ~ 4.48; "
    "the singular-value bound ||AB|| <= ||A|| ||B|| holds",
    title_zh="ρ(AB) 可以大于 ρ(A)ρ(B)：A = [[1/2, 2], [0, 1/2]] 与 B = Aᵀ 的谱半径都是 1/2，而 ρ(AB) ≈ 4.48；"
    "奇异值界 ‖AB‖ ≤ ‖A‖‖B‖ 仍成立",
)
def spectral_radius_of_product() -> Result:
    half = sp.Rational(1, 2)
    a = sp.Matrix([[half, 2], [0, half]])
    b = a.T
    ab = a * b
    rho = {k: max(sp.Abs(ev) for ev in m.eigenvals()) for k, m in (("A", a), ("B", b), ("AB", ab))}
    rho = {k: sp.nsimplify(sp.radsimp(v)) for k, v in rho.items()}
    norm_a = sp.sqrt(max((a.T * a).eigenvals()))
    norm_ab = sp.sqrt(max((ab.T * ab).eigenvals()))
    if not rho["AB"] > rho["A"] * rho["B"] or not sp.simplify(norm_ab - norm_a**2) <= 0:
        raise ArithmeticError("counter-example broken")
    return Result(
        expr=sp.Tuple(a, b, rho["A"], rho["B"], rho["AB"]),
        latex=(
            rf"A={sp.latex(a)},\ B=A^\top:\quad \rho(A)\rho(B)={sp.latex(rho['A'] * rho['B'])},\quad "
            rf"\rho(AB)={sp.latex(rho['AB'])}\approx{float(rho['AB']):.4f}"
        ),
        parts={
            "A": a,
            "B": b,
            "AB": ab,
            "rho_A": rho["A"],
            "rho_B": rho["B"],
            "rho_product_of_radii": rho["A"] * rho["B"],
            "rho_AB": rho["AB"],
            "trace_AB": ab.trace(),
            "det_AB": ab.det(),
            "eigs_AB": sp.Tuple(*sorted((sp.radsimp(e) for e in ab.eigenvals()), key=float)),
            "norm_A": sp.nsimplify(norm_a),
            "norm_AB": sp.nsimplify(norm_ab),
        },
        symbols={"A, B": "2x2 real matrices", "rho": "spectral radius (largest |eigenvalue|)"},
    )


@spectral_radius_of_product.check(
    "numpy: eigenvalues of A, B and AB; ||(AB)^n||^(1/n) at n = 60 against rho(AB)",
    tol=1e-12,
    oracle_zh="NumPy：A、B、AB 的特征值；n = 60 时 ‖(AB)ⁿ‖^(1/n) 与 ρ(AB) 比较",
)
def _() -> float:
    p = spectral_radius_of_product.result.parts
    a, b = (np.array(p[k], dtype=float) for k in ("A", "B"))
    rho = [float(np.max(np.abs(np.linalg.eigvals(m)))) for m in (a, b, a @ b)]
    # AB is symmetric positive definite: ||(AB)^n||_2 = rho(AB)^n exactly, so the n-th root is rho(AB)
    root = float(np.linalg.norm(np.linalg.matrix_power(a @ b, 60), 2) ** (1 / 60))
    errs = [rho[0] - float(p["rho_A"]), rho[1] - float(p["rho_B"]), rho[2] - float(p["rho_AB"])]
    return max(max(abs(e) for e in errs), abs(root - float(p["rho_AB"])) / float(p["rho_AB"]))


@spectral_radius_of_product.check(
    "mpmath (30 digits): alternating the two Jacobians 20 times, ||(AB)^20||^(1/20) against rho(AB); the largest "
    "singular value of A",
    tol=1e-20,
    oracle_zh="mpmath（30 位）：两个雅可比矩阵交替相乘 20 次，‖(AB)²⁰‖^(1/20) 与 ρ(AB) 比较；A 的最大奇异值",
)
def _() -> float:
    p = spectral_radius_of_product.result.parts
    with mpmath.workdps(30):
        a, b = mpmath.matrix(p["A"].tolist()), mpmath.matrix(p["B"].tolist())
        prod = mpmath.eye(2)
        for _ in range(20):
            prod = a * b * prod
        top = max(mpmath.svd_r(prod, compute_uv=False)) ** (mpmath.mpf(1) / 20)
        rho_ab = max(abs(e) for e in mpmath.eig(a * b, left=False, right=False))
        norm_a = max(mpmath.svd_r(a, compute_uv=False))
        return float(
            max(
                abs(top - rho_ab) / rho_ab,
                abs(rho_ab - mpmath.mpf(str(sp.N(p["rho_AB"], 40)))),
                abs(norm_a - mpmath.mpf(str(sp.N(p["norm_A"], 40)))),
            )
        )


# --- exercise: back-propagation through a linear recurrence is power iteration ---------------------------------------
@derivation(
    "backprop_power_iteration",
    title="Back-propagating through h_t = W h_{t-1} multiplies the gradient by W^T: power iteration; with "
    "W = [[1, 1], [0, 1/2]] and g_T = e_1, tan(angle to the limit direction) = 2/(5 2^k - 4), rate |lambda_2/lambda_1|",
    title_zh="沿 h_t = W h_{t−1} 反向传播，每一步都把梯度乘以 Wᵀ，这就是幂迭代；W = [[1, 1], [0, 1/2]]、g_T = e_1 时，"
    "梯度与极限方向夹角的正切为 2/(5·2ᵏ − 4)，收敛速率为 |λ₂/λ₁|",
)
def backprop_power_iteration() -> Result:
    """The column gradient g_k = (dL/dh_{T-k})^T of a linear recurrence is (W^T)^k g_0 (numerator layout: the row
    gradient is multiplied by W on the right), so its direction converges to the eigenvector of W^T (left eigenvector
    of W) of the eigenvalue of largest modulus, and tan(angle) shrinks by |lambda_2/lambda_1| per step (eigenvalues,
    not singular values)."""
    w = sp.Matrix([[1, 1], [0, sp.Rational(1, 2)]])
    g0 = sp.Matrix([1, 0])
    k = sp.Symbol("k", integer=True, nonnegative=True)
    p, d = w.T.diagonalize()
    gk = ((p * d**k * p.inv()) * g0).applyfunc(sp.simplify)
    eig = sorted(w.T.eigenvals(), key=lambda e: abs(float(e)))
    lam2, lam1 = eig
    u = (w.T - lam1 * sp.eye(2)).nullspace()[0]
    u = u / u[0]  # the limit direction, scaled to first entry 1
    v = (w - lam1 * sp.eye(2)).nullspace()[0]  # W's own eigenvector for lambda_1: not where g_k goes
    v = v / v[0]
    if (gk.applyfunc(lambda e: sp.limit(e, k, sp.oo)) - u * sp.limit(gk[0], k, sp.oo)) != sp.zeros(2, 1):
        raise ArithmeticError("g_k does not converge to the top eigenvector of W^T")
    tan_k = sp.simplify(sp.Abs(gk[0] * u[1] - gk[1] * u[0]) / gk.dot(u))
    rate = sp.limit(tan_k.subs(k, k + 1) / tan_k, k, sp.oo)
    if sp.simplify(rate - sp.Abs(lam2 / lam1)) != 0:
        raise ArithmeticError("rate is not |lambda_2 / lambda_1|")
    gram_eigs = sorted((w.T * w).eigenvals(), key=float)
    sv = [sp.sqrt(e) for e in gram_eigs]
    sigma_ratio = sp.sqrtdenest(sp.sqrt(sp.radsimp(gram_eigs[0] / gram_eigs[1])))
    if abs(sp.N(sigma_ratio - sv[0] / sv[1], 40)) > 1e-35:
        raise ArithmeticError("sigma_2 / sigma_1 simplified wrongly")
    tolerance = sp.Rational(1, 1000)
    k_star = next(j for j in range(100) if tan_k.subs(k, j) < tolerance)
    return Result(
        expr=sp.Tuple(w, sp.Lambda(k, gk), sp.Lambda(k, tan_k), rate),
        latex=(
            rf"g_k=(W^\top)^k g_0={sp.latex(gk)},\quad \tan\theta_k={sp.latex(tan_k)},\quad "
            rf"\frac{{\tan\theta_{{k+1}}}}{{\tan\theta_k}}\to{sp.latex(rate)}=\Bigl|\frac{{\lambda_2}}{{\lambda_1}}\Bigr|"
        ),
        parts={
            "W": w,
            "WT": w.T,
            "g0": g0,
            "g_k": gk,
            "g_1": gk.subs(k, 1),
            "g_2": gk.subs(k, 2),
            "eigenvalues": sp.Tuple(lam1, lam2),
            "lambda_1": lam1,
            "lambda_2": lam2,
            "limit_direction": u,
            "W_eigenvector": v,
            "tan_k": tan_k,
            "rate": rate,
            "sigma_1": sv[1],
            "sigma_2": sv[0],
            "sigma_ratio": sigma_ratio,
            "tolerance": tolerance,
            "k_star": sp.Integer(k_star),
            "tan_k_star": tan_k.subs(k, k_star),
            "tan_k_star_minus_1": tan_k.subs(k, k_star - 1),
        },
        symbols={
            "k": "steps back from T",
            "g_k": "column gradient dL/dh_{T-k} (transposed row gradient)",
            "theta_k": "angle between g_k and the limit direction",
        },
    )


def _angle_tan(g: np.ndarray, u: np.ndarray) -> float:
    """tan of the angle between the vectors g and u (2-D), from the cross and dot products."""
    return abs(g[0] * u[1] - g[1] * u[0]) / abs(g @ u)


@backprop_power_iteration.check(
    "torch autograd (float64) of L = h_T[0] through a linear recurrence: dL/dh_{T-k} for k = 0..20, angle to "
    "numpy's top eigenvector of W^T against the derived tan(theta_k) (relative; float64 cancellation in the cross "
    "product limits it); the first k with tan < tolerance",
    tol=1e-8,
    needs="torch",
    oracle_zh="对线性循环中的 L = h_T[0] 做 PyTorch 自动微分（float64）：k = 0 到 20 时的 ∂L/∂h_{T−k}，"
    "它与 NumPy 求得的 Wᵀ 主特征向量的夹角，与推导出的 tan θ_k 比较（相对误差；叉积中的 float64 相消限制了精度）；"
    "tan θ_k 首次低于容差的 k",
)
def _() -> float:
    import torch

    p = backprop_power_iteration.result.parts
    w = np.array(p["W"], dtype=float)
    vals, vecs = np.linalg.eig(w.T)
    u = vecs[:, int(np.argmax(np.abs(vals)))]
    tan_of = sp.lambdify(sp.Symbol("k", integer=True, nonnegative=True), p["tan_k"], "numpy")
    tw = torch.tensor(w)
    errs, first = [], None
    for k in range(21):
        h0 = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        h = h0
        for _ in range(k):
            h = tw @ h
        h[0].backward()
        t = _angle_tan(h0.grad.numpy(), u)
        errs.append(abs(t / float(tan_of(k)) - 1.0))
        if first is None and t < float(p["tolerance"]):
            first = k
    return max(errs) + (0.0 if first == int(p["k_star"]) else 1.0)


@backprop_power_iteration.check(
    "mpmath (30 digits): 60 steps of power iteration g <- W^T g from e_1; tan(theta_k) and the ratio "
    "tan(theta_60)/tan(theta_59) against the derived rate",
    tol=1e-15,
    oracle_zh="mpmath（30 位）：从 e_1 出发做 60 步幂迭代 g ← Wᵀg；tan θ_k 以及 tan θ_60 / tan θ_59 与推导出的速率比较",
)
def _() -> float:
    p = backprop_power_iteration.result.parts
    k = sp.Symbol("k", integer=True, nonnegative=True)
    with mpmath.workdps(30):
        wt = mpmath.matrix(p["WT"].tolist())
        u = mpmath.matrix([mpmath.mpf(str(v)) for v in p["limit_direction"]])
        g = mpmath.matrix([1, 0])
        tans = []
        for _ in range(61):
            tans.append(abs(g[0] * u[1] - g[1] * u[0]) / abs(g[0] * u[0] + g[1] * u[1]))
            g = wt * g
        errs = [abs(tans[j] / mpmath.mpf(str(sp.N(p["tan_k"].subs(k, j), 40))) - 1) for j in (0, 1, 5, 30, 60)]
        rate = tans[60] / tans[59]
        return float(max(*errs, abs(rate - mpmath.mpf(str(sp.N(p["rate"], 40))))))
