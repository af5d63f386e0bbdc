"""ReLU recurrent nets: the Jacobian D_t W, when products are powers of W, identity initialisation, dead units.

Conventions: h_t = relu(W h_{t-1} + U x_t + b), column vectors, numerator (Jacobian) layout, so
J_t = dh_t/dh_{t-1} = D_t W with D_t = diag(1[a_t > 0]) (the derivative at a_t = 0 is taken as 0, as in PyTorch);
rho(W) is the spectral radius (largest |eigenvalue|); norms are spectral norms.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.rnn import jacobian_product, run_rnn
from derivations.oracles.finite import central_diff, max_rel_err
from derivations.sym import sci_latex, symbol_matrix, symbol_vector

N_STATE = 3


def relu_rnn_jacobians(w: np.ndarray, u: np.ndarray, b: np.ndarray, xs: np.ndarray, h0: np.ndarray) -> tuple:
    """Run h_t = relu(W h_{t-1} + U x_t + b); return (states h_0..h_T, masks 1[a_t > 0], Jacobians D_t W)."""
    return run_rnn(w, u, b, xs, h0, "relu")


@derivation(
    "relu_rnn_jacobian",
    title="ReLU RNN: dh_t/dh_{t-1} = D_t W with D_t = diag(1[a_t > 0]) (numerator layout)",
    title_zh="ReLU RNN：∂h_t/∂h_{t−1} = D_t W，其中 D_t = diag(1[a_t > 0])（分子布局）",
)
def relu_rnn_jacobian() -> Result:
    n = N_STATE
    w = symbol_matrix("W", n, n, start=1)
    hprev = symbol_vector("h", n, start=1)
    c = symbol_vector("c", n, start=1)
    a = w * hprev + c
    jac = a.applyfunc(lambda e: sp.Max(0, e)).jacobian(hprev)  # d max(0, a)/da = Heaviside(a)
    formula = sp.diag(*[sp.Heaviside(e) for e in a]) * w
    if (jac - formula).applyfunc(sp.expand) != sp.zeros(n, n):
        raise ArithmeticError("ReLU Jacobian is not D W")
    return Result(
        expr=sp.Eq(sp.Symbol("J_t"), jac),
        latex=(
            r"J_t=\frac{\partial h_t}{\partial h_{t-1}}=D_tW,\quad D_t=\operatorname{diag}\bigl(\mathbb 1[a_t>0]\bigr),"
            r"\quad (J_t)_{ij}=\mathbb 1[a_{t,i}>0]\,W_{ij}"
        ),
        parts={"jacobian": jac, "formula": formula},
        symbols={
            "W_ij": "recurrent weight from unit j to unit i",
            "h_i": "components of h_{t-1}",
            "c_i": "components of U x_t + b",
            "Heaviside": "SymPy's step function = 1[a > 0] away from a = 0",
        },
    )


@relu_rnn_jacobian.check(
    "central finite differences of a numpy ReLU step (pre-activations kept away from 0)",
    tol=1e-9,
    oracle_zh="NumPy 实现的 ReLU 单步的中心有限差分（预激活值远离 0）",
)
def _() -> float:
    rng = np.random.default_rng(0)
    w, u, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 2)), rng.normal(size=5)
    x, h = rng.normal(size=2), rng.normal(size=5)
    _, masks, jacs = relu_rnn_jacobians(w, u, b, x[None, :], h)
    a = w @ h + u @ x + b
    if np.min(np.abs(a)) < 1e-3 or masks.sum() in (0, 5):
        return 1.0  # the draw must have active and inactive units, none at the kink
    fd = np.zeros((5, 5))
    for j in range(5):
        e = np.zeros(5)
        e[j] = 1.0
        fd[:, j] = central_diff(lambda s, e=e: np.maximum(w @ (h + s * e) + u @ x + b, 0.0), np.array(0.0), 1e-6)
    return float(np.max(np.abs(jacs[0] - fd)))


@relu_rnn_jacobian.check(
    "torch.autograd.functional.jacobian of h_T w.r.t. h_0 (float64, T = 15) vs prod D_t W",
    tol=1e-12,
    needs="torch",
    oracle_zh="`torch.autograd.functional.jacobian` 求 h_T 关于 h_0 的雅可比矩阵（float64，T = 15），与 ∏ D_t W 比较",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(1)
    w, u, b = rng.normal(scale=0.5, size=(4, 4)), rng.normal(size=(4, 2)), rng.normal(scale=0.1, size=4)
    xs, h0 = rng.normal(size=(15, 2)), rng.normal(size=4)
    _, _, jacs = relu_rnn_jacobians(w, u, b, xs, h0)
    tw, tu, tb, txs = (torch.tensor(v, dtype=torch.float64) for v in (w, u, b, xs))

    def run(h: torch.Tensor) -> torch.Tensor:
        for xt in txs:
            h = torch.relu(tw @ h + tu @ xt + tb)
        return h

    jt = torch.autograd.functional.jacobian(run, torch.tensor(h0)).numpy()
    return max_rel_err(jacobian_product(jacs), jt, floor=1e-6)


@derivation(
    "relu_active_set_powers",
    title="(D_S W)^n = (D_S W D_S)^{n-1} D_S W: with a fixed active set S the growth rate is rho(W_SS), not rho(W)",
    title_zh="(D_S W)ⁿ = (D_S W D_S)^{n−1} D_S W：激活单元集合 S 固定时，增长率由 ρ(W_SS) 决定，而不是 ρ(W)",
)
def relu_active_set_powers() -> Result:
    n = N_STATE
    w = symbol_matrix("W", n, n, start=1)
    d = sp.diag(1, 1, 0)  # units 1, 2 active, unit 3 inactive (dead)
    k = 4
    lhs = (d * w) ** k
    rhs = (d * w * d) ** (k - 1) * d * w
    if (lhs - rhs).applyfunc(sp.expand) != sp.zeros(n, n):
        raise ArithmeticError("(D W)^n != (D W D)^(n-1) D W")
    all_active = (sp.eye(n) * w) ** k
    if (all_active - w**k).applyfunc(sp.expand) != sp.zeros(n, n):
        raise ArithmeticError("all-active product is not W^n")
    if (lhs - w**k).applyfunc(sp.expand) == sp.zeros(n, n):
        raise ArithmeticError("a dead unit should change the product")
    # two numeric examples: rho(W) < 1 but growth, and rho(W) > 1 but decay
    grow = sp.Matrix([[sp.Rational(6, 5), 1], [-1, -sp.Rational(1, 2)]])
    decay = sp.Matrix([[sp.Rational(1, 2), 2], [2, sp.Rational(1, 2)]])
    rho = lambda m: max(sp.Abs(e) for e in m.eigenvals())  # noqa: E731
    examples = sp.Tuple(
        sp.Tuple(grow, rho(grow), grow[0, 0]),  # S = {1}: W_SS = 6/5
        sp.Tuple(decay, rho(decay), decay[0, 0]),  # S = {1}: W_SS = 1/2
    )
    return Result(
        expr=sp.Tuple(sp.Eq(sp.Symbol("(D_S W)^4"), rhs), examples),
        latex=(
            r"D_S^2=D_S\ \Rightarrow\ (D_SW)^n=(D_SWD_S)^{n-1}D_SW,\quad D_SWD_S\cong W_{SS};\quad "
            r"D_t=I\ \forall t\ \Rightarrow\ \prod_t D_tW=W^n;\quad "
            rf"W={sp.latex(grow)}:\ \rho(W)={sp.latex(rho(grow))}\approx{float(rho(grow)):.3f},\ "
            r"W_{11}=\tfrac65;\quad "
            rf"W={sp.latex(decay)}:\ \rho(W)={sp.latex(rho(decay))},\ W_{{11}}=\tfrac12"
        ),
        parts={
            "lhs_k4": lhs,
            "rhs_k4": rhs,
            "grow_W": grow,
            "grow_rho": rho(grow),
            "decay_W": decay,
            "decay_rho": rho(decay),
        },
        symbols={
            "D_S": "diag(1[i in S]) for the set S of active units",
            "W_SS": "principal submatrix of W on the active units",
            "n": "number of steps with that active set",
        },
    )


def _two_unit_case(w: np.ndarray, b: np.ndarray, steps: int, h0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = np.zeros((steps, 1))
    _, masks, jacs = relu_rnn_jacobians(w, np.zeros((2, 1)), b, xs, h0)
    return jacobian_product(jacs), masks


@relu_active_set_powers.check(
    "torch autograd (float64) on real ReLU trajectories, T = 30: 1.2^T growth, 0.5^T decay",
    tol=1e-12,
    needs="torch",
    oracle_zh="在真实的 ReLU 轨迹上用 PyTorch 自动微分（float64），T = 30：按 1.2^T 增长、按 0.5^T 衰减",
)
def _() -> float:
    import torch

    r = relu_active_set_powers.result.parts
    errs = []
    for key, b, rate in (("grow", (0.0, -10.0), 1.2), ("decay", (1.0, -10.0), 0.5)):
        w = np.array(r[f"{key}_W"], dtype=float)
        tw, tb = torch.tensor(w), torch.tensor(b, dtype=torch.float64)

        def run(h: torch.Tensor, tw: torch.Tensor = tw, tb: torch.Tensor = tb) -> torch.Tensor:
            for _ in range(30):
                h = torch.relu(tw @ h + tb)
            return h

        jt = torch.autograd.functional.jacobian(run, torch.tensor([1.0, 0.0], dtype=torch.float64)).numpy()
        # derived: (D_S W)^n with S = {1} is [[w11^n, w11^(n-1) w12], [0, 0]]
        law = np.array([[rate**30, rate**29 * w[0, 1]], [0.0, 0.0]])
        errs.append(max_rel_err(jt, law, floor=1e-300))
    return max(errs)


@relu_active_set_powers.check(
    "numpy: the trajectory keeps S = {1} and prod D_t W equals (D_S W D_S)^(n-1) D_S W",
    tol=1e-12,
    oracle_zh="NumPy：轨迹上激活单元集合始终为 S = {1}，且 ∏ D_t W 等于 (D_S W D_S)^(n−1) D_S W",
)
def _() -> float:
    r = relu_active_set_powers.result.parts
    errs = []
    for key, b in (("grow", np.array([0.0, -10.0])), ("decay", np.array([1.0, -10.0]))):
        w = np.array(r[f"{key}_W"], dtype=float)
        p, masks = _two_unit_case(w, b, 30, np.array([1.0, 0.0]))
        if not np.all(masks == np.array([1.0, 0.0])):
            return 1.0
        d = np.diag([1.0, 0.0])
        law = np.linalg.matrix_power(d @ w @ d, 29) @ d @ w
        errs.append(max_rel_err(p, law, floor=1e-300))
    return max(errs)


@derivation(
    "irnn_identity_product",
    title="IRNN (W = I, b = 0): dh_T/dh_k = diag(1[unit i active at every step k+1..T]); all active gives exactly I",
    title_zh="IRNN（W = I，b = 0）：∂h_T/∂h_k = diag(1[单元 i 在 k+1 到 T 的每一步都激活])；全部激活时恰为 I",
)
def irnn_identity_product() -> Result:
    n, steps = N_STATE, 4
    ms = [[sp.Symbol(f"m_{t}{i + 1}", real=True) for i in range(n)] for t in range(1, steps + 1)]
    prod = sp.eye(n)
    for t in range(steps):
        prod = sp.diag(*ms[t]) * sp.eye(n) * prod  # D_t W with W = I
    expected = sp.diag(*[sp.Mul(*[ms[t][i] for t in range(steps)]) for i in range(n)])
    if prod != expected:
        raise ArithmeticError("IRNN product is not the diagonal of products of indicators")
    all_active = prod.subs({m: 1 for row in ms for m in row})
    if all_active != sp.eye(n):
        raise ArithmeticError("all-active IRNN product is not I")
    return Result(
        expr=sp.Tuple(sp.Eq(sp.Symbol("dh_4/dh_0"), prod), all_active),
        latex=(
            r"W=I:\ \frac{\partial h_T}{\partial h_k}=\prod_{t=k+1}^{T}D_t="
            r"\operatorname{diag}\Bigl(\prod_{t=k+1}^{T}\mathbb 1[a_{t,i}>0]\Bigr)_{i},\qquad "
            r"D_t=I\ \forall t\ \Rightarrow\ \frac{\partial h_T}{\partial h_k}=I"
        ),
        parts={"product_T4": prod, "all_active": all_active},
        symbols={"m_ti": "1[a_{t,i} > 0], unit i active at step t", "source": "Le, Jaitly, Hinton 2015 (IRNN)"},
    )


@irnn_identity_product.check(
    "torch autograd (float64): IRNN, T = 25, nonnegative inputs (all active) and mixed inputs",
    tol=1e-14,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64）：IRNN，T = 25，非负输入（全部激活）与正负混合输入",
)
def _() -> float:
    import torch

    rng = np.random.default_rng(2)
    n = 4
    errs, n_dead = [], 0
    cases = [
        (np.abs(rng.normal(size=(n, 2))), np.abs(rng.normal(size=(25, 2)))),  # a_t >= h_{t-1} > 0: all active
        (rng.normal(size=(n, 2)), 3.0 * rng.normal(size=(25, 2))),  # large inputs switch some units off
    ]
    for u, xs in cases:
        h0 = np.abs(rng.normal(size=n)) + 0.5
        _, masks, _ = relu_rnn_jacobians(np.eye(n), u, np.zeros(n), xs, h0)
        derived = np.diag(np.prod(masks, axis=0))
        n_dead += int(np.sum(np.prod(masks, axis=0) == 0))
        tu, txs = torch.tensor(u), torch.tensor(xs)

        def run(h: torch.Tensor, tu: torch.Tensor = tu, txs: torch.Tensor = txs) -> torch.Tensor:
            for xt in txs:
                h = torch.relu(h + tu @ xt)
            return h

        jt = torch.autograd.functional.jacobian(run, torch.tensor(h0)).numpy()
        errs.append(float(np.max(np.abs(jt - derived))))
    return max(errs) + (0.0 if n_dead > 0 else 1.0)  # the mixed case must exercise a cut path


@irnn_identity_product.check(
    "numpy: W = 1.05 I, all active for 40 steps gives 1.05^40 I; a dead unit zeroes its entry",
    tol=1e-12,
    oracle_zh="NumPy：W = 1.05 I，40 步全部激活时得到 1.05^40 I；关闭过的单元对应的元素为 0",
)
def _() -> float:
    n, steps = 3, 40
    w = 1.05 * np.eye(n)
    h0 = np.array([1.0, 2.0, 0.5])
    _, _, jacs = relu_rnn_jacobians(w, np.zeros((n, 1)), np.zeros(n), np.zeros((steps, 1)), h0)
    p = jacobian_product(jacs)
    err = max_rel_err(np.diag(p), np.full(n, 1.05**steps)) + float(np.max(np.abs(p - np.diag(np.diag(p)))))
    # kill unit 3 at step 10 with a large negative input on that unit only
    xs = np.zeros((steps, 1))
    xs[9, 0] = 1.0
    u = np.array([[0.0], [0.0], [-100.0]])
    _, _, jacs = relu_rnn_jacobians(w, u, np.zeros(n), xs, h0)
    p = jacobian_product(jacs)
    expected = np.diag([1.05**steps, 1.05**steps, 0.0])
    return err + float(np.max(np.abs(p - expected)) / 1.05**steps)


@derivation(
    "relu_rnn_exploding_gradient",
    title="A ReLU RNN whose gradient explodes: W = [[1/2, 3/4], [3/4, 1/2]] (entries < 1, ReLU' <= 1), b = 0, "
    "nonnegative inputs keep every unit active, so dh_T/dh_0 = W^T and ||dh_T/dh_0||_2 = (5/4)^T",
    title_zh="一个梯度爆炸的 ReLU RNN：W = [[1/2, 3/4], [3/4, 1/2]]（元素都小于 1，ReLU′ ≤ 1），b = 0，"
    "非负输入使每个单元始终激活，于是 ∂h_T/∂h_0 = W^T，‖∂h_T/∂h_0‖₂ = (5/4)^T",
)
def relu_rnn_exploding_gradient() -> Result:
    """For h_t = relu(W h_{t-1} + U x_t) with W, U elementwise nonnegative, W with positive entries, x_t >= 0 and
    h_0 >= 0, h_0 != 0, every pre-activation is positive, so every D_t = I and dh_T/dh_0 = W^T (numerator layout);
    W is symmetric, so the spectral norm of W^T is rho(W)^T."""
    w = sp.Matrix([[sp.Rational(1, 2), sp.Rational(3, 4)], [sp.Rational(3, 4), sp.Rational(1, 2)]])
    h = symbol_vector("h", 2, start=1)
    pos = {s: sp.Symbol(s.name, nonnegative=True) for s in h}
    a = w * h.subs(pos)  # plus U x_t >= 0: a_t >= W h_{t-1}
    # positive entries: W h > 0 whenever h >= 0 and h != 0 (each a_i is a positive combination of h_1, h_2)
    if not all(c > 0 for c in w):
        raise ArithmeticError("W must have positive entries")
    masks = [sp.Heaviside(ai) for ai in a]
    t = sp.Symbol("T", integer=True, positive=True)
    eig = w.eigenvals()
    rho = max(sp.Abs(e) for e in eig)
    sv = sorted((sp.sqrt(e) for e in (w.T * w).eigenvals()), key=float)
    if w != w.T or sv[-1] != rho:
        raise ArithmeticError("W is symmetric, so lambda_1 = rho(W)")
    p, d = w.diagonalize()
    power = (p * d**t * p.inv()).applyfunc(sp.simplify)
    steps = 60
    norm_steps = rho**steps
    return Result(
        expr=sp.Tuple(w, sp.Lambda(t, power), rho),
        latex=(
            rf"W={sp.latex(w)}\ge0,\ x_t\ge0\ \Rightarrow\ D_t=I:\quad \frac{{\partial h_T}}{{\partial h_0}}=W^T,"
            rf"\quad \Bigl\|\frac{{\partial h_T}}{{\partial h_0}}\Bigr\|_2=\rho(W)^T=\Bigl({sp.latex(rho)}\Bigr)^T"
        ),
        parts={
            "W": w,
            "max_entry": max(w),
            "eigenvalues": sp.Tuple(*sorted(eig, key=float, reverse=True)),
            "rho": rho,
            "lambda_1": sv[-1],
            "masks_at_positive_state": sp.Tuple(*masks),
            "W_pow_T": power,
            "norm_T": rho**t,
            "steps": sp.Integer(steps),
            "norm_steps": norm_steps,
            "fd_steps": sp.Integer(20),
        },
        text={"norm_steps": sci_latex(float(norm_steps), 5)},
        symbols={
            "T": "number of steps",
            "h_i": "components of h_{t-1} (nonnegative: outputs of ReLU)",
            "D_t": "diag(1[a_t > 0])",
        },
    )


@relu_rnn_exploding_gradient.check(
    "torch autograd (float64): dh_60/dh_0 of the ReLU RNN with seeded inputs x_t ~ U(0, 1), U = (1, 1)^T, "
    "h_0 ~ U(0, 1); every unit active; spectral norm and matrix against (5/4)^60 and W^60 (relative)",
    tol=1e-12,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64）：ReLU RNN 取 U = (1, 1)ᵀ，输入 x_t ~ U(0, 1)、h_0 ~ U(0, 1)"
    "（固定随机种子），求 ∂h_60/∂h_0；每个单元都激活；谱范数与矩阵分别与 (5/4)^60 和 W^60 比较（相对误差）",
)
def _() -> float:
    import torch

    p = relu_rnn_exploding_gradient.result.parts
    steps = int(p["steps"])
    w = np.array(p["W"], dtype=float)
    rng = np.random.default_rng(3)
    xs, h0 = rng.uniform(size=(steps, 1)), rng.uniform(size=2)
    u = np.ones((2, 1))
    _, masks, _ = relu_rnn_jacobians(w, u, np.zeros(2), xs, h0)
    tw, tu, txs = torch.tensor(w), torch.tensor(u), torch.tensor(xs)

    def run(h: torch.Tensor) -> torch.Tensor:
        for xt in txs:
            h = torch.relu(tw @ h + tu @ xt)
        return h

    jt = torch.autograd.functional.jacobian(run, torch.tensor(h0)).numpy()
    t = sp.Symbol("T", integer=True, positive=True)
    want = np.array(p["W_pow_T"].subs(t, steps), dtype=float)
    norm_err = abs(float(np.linalg.norm(jt, 2)) / float(p["norm_steps"]) - 1.0)
    return max(norm_err, max_rel_err(jt, want, floor=1.0)) + (0.0 if masks.min() == 1.0 else 1.0)


@relu_rnn_exploding_gradient.check(
    "numpy central finite differences (relative) of h_20 w.r.t. h_0, inputs x_t ~ U(0, 1); the spectral norm "
    "against (5/4)^20",
    tol=1e-6,
    oracle_zh="NumPy 对 h_20 关于 h_0 做中心有限差分（相对误差），输入 x_t ~ U(0, 1)；谱范数与 (5/4)^20 比较",
)
def _() -> float:
    p = relu_rnn_exploding_gradient.result.parts
    w = np.array(p["W"], dtype=float)
    rng = np.random.default_rng(4)
    xs, h0 = rng.uniform(size=(int(p["fd_steps"]), 1)), rng.uniform(size=2)

    def run(h: np.ndarray) -> np.ndarray:
        for xt in xs:
            h = np.maximum(w @ h + xt[0], 0.0)
        return h

    fd = np.zeros((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = 1.0
        fd[:, j] = central_diff(lambda s, e=e: run(h0 + s * e), np.array(0.0), 1e-4)
    t = sp.Symbol("T", integer=True, positive=True)
    return abs(float(np.linalg.norm(fd, 2)) / float(p["norm_T"].subs(t, p["fd_steps"])) - 1.0)
