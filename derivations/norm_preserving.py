"""Norm-preserving recurrences: unitary/orthogonal recurrent matrices, their parametrisations, and what breaks them.

Conventions: column vectors, h_t = f(W h_{t-1} + ...); Jacobians are d h_t / d h_{t-1} (rows: outputs); "norm" of a
matrix is the spectral norm (largest singular value). A complex unit z = x + iy is written as the real pair (x, y).
modReLU is that of Arjovsky, Shah and Bengio (2016): modReLU(z) = ReLU(|z| + b) z/|z|. Two Cayley conventions:
torch's (torch 2.13, torch/nn/utils/parametrizations.py, read from the installed source): A = tril(X) - tril(X)^T,
Q = (I - A/2)^{-1}(I + A/2); the papers' (scoRNN, Helfrich, Willmott and Ye 2018): W = (I + A)^{-1}(I - A) D with D
diagonal, entries +-1 (D = I here unless said). AntisymmetricRNN (Chang et al. 2019):
h_t = h_{t-1} + eps tanh((W - W^T - gamma I) h_{t-1} + V x_t + b).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.oracles.finite import central_diff
from derivations.sym import sci_latex

x, y = sp.symbols("x y", real=True)  # real and imaginary part of one complex pre-activation z
b = sp.Symbol("b", real=True)  # modReLU bias
r = sp.Symbol("r", positive=True)  # |z|
r0 = sp.Symbol("r_0", positive=True)  # |h_0|
T = sp.Symbol("T", integer=True, positive=True)  # number of steps
t = sp.Symbol("t", integer=True, positive=True)
c = sp.Symbol("c", positive=True)  # |h*_i| at the fixed point
a = sp.Symbol("a", real=True)  # the entry X[1, 0] that makes the 2x2 skew-symmetric A
mu = sp.Symbol("mu", real=True)  # an eigenvalue of a skew-symmetric matrix is i mu
eps = sp.Symbol("epsilon", positive=True)  # Euler step of the AntisymmetricRNN
gamma = sp.Symbol("gamma", nonnegative=True)  # diffusion
k = sp.Symbol("k", real=True)

EXAMPLE_A = sp.Integer(1)  # the 2x2 example of the two Cayley conventions
FIX_C = sp.Rational(1, 2)  # |h*_i| in the orthogonal-tanh counter-example
FIX_T = 50
URNN_R0, URNN_B, URNN_T = sp.Integer(1), sp.Rational(1, 10), 9
EULER_EPS, EULER_N, EULER_SEED, EULER_T = sp.Rational(1, 5), 16, 0, 50


def _skew2(v: sp.Expr) -> sp.Matrix:
    """The skew-symmetric 2x2 matrix torch builds from X with X[1, 0] = v: A = tril(X) - tril(X)^T."""
    return sp.Matrix([[0, -v], [v, 0]])


def _rot(theta: sp.Expr) -> sp.Matrix:
    return sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])


def _modrelu_np(z: np.ndarray, bias: float) -> np.ndarray:
    """modReLU on complex numbers, NumPy (Arjovsky et al. 2016)."""
    m = np.abs(z)
    return np.where(m + bias > 0, (m + bias) * z / np.where(m > 0, m, 1.0), 0.0)


# --- modReLU's Jacobian ------------------------------------------------------------------------------------------
@derivation(
    "modrelu_jacobian",
    title="modReLU as a map of R^2: Jacobian I + (b/|z|)(I - z z^T/|z|^2), singular values 1 and (|z| + b)/|z|",
    title_zh="把 modReLU 看作 R² 上的映射：雅可比矩阵 I + (b/|z|)(I − zzᵀ/|z|²)，奇异值为 1 与 (|z| + b)/|z|",
)
def modrelu_jacobian() -> Result:
    """d modReLU(z)/dz for one complex unit z = x + iy written as the real pair (x, y), where |z| + b > 0 (it is 0
    where |z| + b < 0): symmetric, eigenvalue 1 along z (radial), (|z| + b)/|z| across it (tangential)."""
    rr = sp.sqrt(x**2 + y**2)
    f = sp.Matrix([(rr + b) * x / rr, (rr + b) * y / rr])
    jac = sp.simplify(f.jacobian([x, y]))
    z = sp.Matrix([x, y])
    structured = sp.eye(2) + (b / rr) * (sp.eye(2) - z * z.T / rr**2)
    if sp.simplify(jac - structured) != sp.zeros(2, 2) or sp.simplify(jac - jac.T) != sp.zeros(2, 2):
        raise ArithmeticError("modReLU's Jacobian is not I + (b/r)(I - z z^T/r^2)")
    radial, tangential = z / rr, sp.Matrix([-y, x]) / rr
    lam_rad = sp.simplify((radial.T * jac * radial)[0])
    lam_tan = sp.simplify((tangential.T * jac * tangential)[0])
    if sp.simplify(jac * radial - lam_rad * radial) != sp.zeros(2, 1):
        raise ArithmeticError("z is not an eigenvector")
    if sp.simplify(jac * tangential - lam_tan * tangential) != sp.zeros(2, 1):
        raise ArithmeticError("the tangential direction is not an eigenvector")
    # symmetric => singular values = |eigenvalues|; on the active region r + b > 0 both are positive
    sv_rad = sp.simplify(lam_rad)
    sv_tan = sp.simplify(lam_tan.subs(rr, r))
    return Result(
        expr=sp.Tuple(sp.Lambda((x, y, b), jac), sv_rad, sp.Lambda((r, b), sv_tan)),
        latex=(
            r"\frac{\partial\,\operatorname{modReLU}(z)}{\partial z}="
            r"I+\frac{b}{|z|}\Bigl(I-\frac{zz^\top}{|z|^2}\Bigr),"
            rf"\quad \sigma_{{\parallel}}={sp.latex(sv_rad)},"
            rf"\ \sigma_{{\perp}}={sp.latex(sv_tan.subs(r, sp.Symbol('|z|')))}"
        ),
        parts={
            "jacobian": jac,
            "sv_radial": sv_rad,
            "sv_tangential": sv_tan,
            "tangential_minus_one": sp.simplify(sv_tan - 1),
        },
        symbols={
            "x, y": "real and imaginary part of z",
            "b": "modReLU bias",
            "r": "|z| (with |z| + b > 0)",
        },
    )


@modrelu_jacobian.check(
    "central finite differences of complex modReLU (NumPy, float64, h = 1e-6) at 200 seeded points, b of both signs",
    tol=1e-7,
    oracle_zh="对复数 modReLU 做中心有限差分（NumPy，float64，h = 1e-6），用固定随机种子取 200 个点，b 取正负两种符号",
)
def _() -> float:
    jac = sp.lambdify((x, y, b), modrelu_jacobian.result.parts["jacobian"], "numpy")
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(200):
        bias = rng.uniform(-0.8, 0.8)
        rad = rng.uniform(max(0.2, -bias + 0.2), 3.0)
        z0 = rad * np.exp(1j * rng.uniform(0, 2 * np.pi))
        num = np.zeros((2, 2))
        for j, dz in enumerate((1.0, 1j)):
            d = central_diff(lambda s, dz=dz, bias=bias, z0=z0: _modrelu_np(z0 + s * dz, bias), np.array(0.0), h=1e-6)
            num[:, j] = [d.real, d.imag]
        worst = max(worst, float(np.max(np.abs(num - np.array(jac(z0.real, z0.imag, bias), dtype=float)))))
    return worst


@modrelu_jacobian.check(
    "torch autograd (float64): singular values of the Jacobian of modReLU on (x, y), 100 seeded points",
    tol=1e-12,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：modReLU 在 (x, y) 上的雅可比矩阵的奇异值，用固定随机种子取 100 个点",
)
def _() -> float:
    import torch

    p = modrelu_jacobian.result.parts
    sv_tan = sp.lambdify((r, b), p["sv_tangential"])
    rng = np.random.default_rng(4)
    worst = 0.0
    for _ in range(100):
        bias = float(rng.uniform(-0.8, 0.8))
        rad = float(rng.uniform(max(0.2, -bias + 0.2), 3.0))
        ang = float(rng.uniform(0, 2 * np.pi))

        def f(v: torch.Tensor, bias: float = bias) -> torch.Tensor:
            m = torch.linalg.vector_norm(v)
            return torch.relu(m + bias) * v / m

        v0 = torch.tensor([rad * np.cos(ang), rad * np.sin(ang)], dtype=torch.float64)
        s = torch.linalg.svdvals(torch.autograd.functional.jacobian(f, v0)).numpy()
        want = np.sort([float(p["sv_radial"]), abs(sv_tan(rad, bias))])[::-1]
        worst = max(worst, float(np.max(np.abs(s - want))))
    return worst


# --- one uRNN unit over T steps ----------------------------------------------------------------------------------
@derivation(
    "urnn_one_unit_jacobian",
    title="One uRNN unit h_t = modReLU(e^{i omega} h_{t-1}): d h_T/d h_0 has singular values 1 and (|h_0| + T b)/|h_0|",
    title_zh="单个 uRNN 单元 h_t = modReLU(e^{iω} h_{t−1})：∂h_T/∂h_0 的奇异值为 1 与 (|h_0| + Tb)/|h_0|",
)
def urnn_one_unit_jacobian() -> Result:
    """One complex unit, W = e^{i omega} (a 1x1 unitary matrix), no input, modReLU bias b, |h_0| = r_0 > 0, while
    r_0 + t b > 0 for t <= T: |h_t| = r_0 + t b, and d h_T / d h_0 (real 2x2) has singular values 1 and
    (r_0 + T b)/r_0 (the tangential factors of modReLU telescope); W^T itself has both equal to 1."""
    rt = sp.Function("rho")
    sol = sp.rsolve(rt(t) - rt(t - 1) - b, rt(t), {rt(0): r0})  # |h_t| = |h_{t-1}| + b on the active region
    radius = sp.Lambda(t, sol)
    # per step, modReLU's tangential singular value at z = W h_{t-1} (|z| = |h_{t-1}|) is (|z| + b)/|z|, and the
    # rotation W maps the radial/tangential frame at h_{t-1} onto that at W h_{t-1}: the factors multiply
    sv_tan_step = modrelu_jacobian.result.parts["sv_tangential"]
    prod = sp.product(sv_tan_step.subs(r, radius(t - 1)), (t, 1, T))
    sv_tan = sp.factor(sp.simplify(sp.gammasimp(prod)))
    sv_rad = modrelu_jacobian.result.parts["sv_radial"] ** T
    ex = {r0: URNN_R0, b: URNN_B, T: URNN_T}
    shrink = sv_tan.subs({**ex, b: -URNN_B})
    grow = sv_tan.subs(ex)
    return Result(
        expr=sp.Tuple(sp.Lambda((r0, b, T), radius(T)), sp.Lambda((r0, b, T), sv_tan)),
        latex=(
            rf"|h_t|={sp.latex(sol)},\quad \sigma\Bigl(\frac{{\partial h_T}}{{\partial h_0}}\Bigr)="
            rf"\Bigl\{{{sp.latex(sv_rad)},\ {sp.latex(sv_tan)}\Bigr\}}"
        ),
        parts={
            "radius": radius(T),
            "sv_radial": sv_rad,
            "sv_tangential": sv_tan,
            "shrink_example": shrink,
            "grow_example": grow,
        },
        text={
            "r0": sp.latex(URNN_R0),
            "b": sp.latex(URNN_B),
            "T": str(URNN_T),
            "shrink": sp.latex(shrink),
            "grow": sp.latex(grow),
        },
        symbols={"r_0": "|h_0| > 0", "b": "modReLU bias", "T": "steps (r_0 + t b > 0 for t <= T)"},
    )


@urnn_one_unit_jacobian.check(
    "torch autograd (float64) through T modReLU steps of a rotated complex unit: singular values, 24 cases",
    tol=1e-10,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：对复数单元的 T 步“旋转 + modReLU”求导，取奇异值，共 24 种情形",
)
def _() -> float:
    import torch

    p = urnn_one_unit_jacobian.result.parts
    sv_tan = sp.lambdify((r0, b, T), p["sv_tangential"])
    worst = 0.0
    for bias in (-0.1, 0.1, 0.35):
        for omega in (0.3, 2.0):
            for steps in (1, 5):
                for rad in (1.0, 2.5):
                    wr = torch.tensor([[np.cos(omega), -np.sin(omega)], [np.sin(omega), np.cos(omega)]])

                    def run(v: torch.Tensor, wr=wr, bias=bias, steps=steps) -> torch.Tensor:
                        for _ in range(steps):
                            z = wr @ v  # e^{i omega} h in real form
                            m = torch.linalg.vector_norm(z)
                            v = torch.relu(m + bias) * z / m
                        return v

                    v0 = torch.tensor([rad * 0.6, rad * 0.8], dtype=torch.float64)
                    s = torch.linalg.svdvals(torch.autograd.functional.jacobian(run, v0)).numpy()
                    want = np.sort([float(p["sv_radial"]), sv_tan(rad, bias, steps)])[::-1]
                    worst = max(worst, float(np.max(np.abs(s - want))))
    return worst


# --- the myth: orthogonal W with tanh ----------------------------------------------------------------------------
@derivation(
    "orthogonal_tanh_fixed_point",
    title="Orthogonal W, tanh, input u = atanh(h*) - W h* with |h*_i| = 1/2: ||d h_T/d h_0||_2 = (3/4)^T",
    title_zh="正交矩阵 W、tanh、输入 u = artanh(h*) − W h*，|h*_i| = 1/2：‖∂h_T/∂h_0‖₂ = (3/4)^T",
)
def orthogonal_tanh_fixed_point() -> Result:
    """For every orthogonal W and every h* with |h*_i| = c in (0, 1), the constant input u = atanh(h*) - W h* makes
    h* a fixed point of h_t = tanh(W h_{t-1} + u); there d h_t/d h_{t-1} = (1 - c^2) W, so the T-step Jacobian is
    (1 - c^2)^T W^T with spectral norm (1 - c^2)^T, while ||W^T||_2 = 1."""
    s = sp.Symbol("s", real=True)
    dtanh = sp.diff(sp.tanh(s), s)
    per_step = sp.simplify(sp.expand_trig(dtanh.subs(s, sp.atanh(c))))  # tanh'(atanh c) = 1 - c^2
    if sp.simplify(per_step - (1 - c**2)) != 0:
        raise ArithmeticError("tanh'(atanh c) != 1 - c^2")
    # J = diag(1 - h*_i^2) W = (1 - c^2) W; J^T = (1 - c^2)^T W^T; W^T orthogonal => sigma_i(J^T) = (1 - c^2)^T
    norm_t = per_step**T
    ex_step = per_step.subs(c, FIX_C)
    ex_norm = norm_t.subs({c: FIX_C, T: FIX_T})
    return Result(
        expr=sp.Lambda((c, T), norm_t),
        latex=(
            r"h^*=\tanh(Wh^*+u),\ |h^*_i|=c:\quad \frac{\partial h_T}{\partial h_0}="
            rf"{sp.latex(norm_t)}\,W^{{T}},\quad \Bigl\lVert\frac{{\partial h_T}}{{\partial h_0}}\Bigr\rVert_2="
            rf"{sp.latex(norm_t)}"
        ),
        parts={
            "per_step": per_step,
            "norm_T": norm_t,
            "example_per_step": ex_step,
            "example_norm": ex_norm,
            "orthogonal_power_norm": sp.Integer(1),
        },
        text={
            "c": sp.latex(FIX_C),
            "T": str(FIX_T),
            "example_norm": sci_latex(float(ex_norm), 3),
        },
        symbols={"c": "|h*_i| (all equal), 0 < c < 1", "T": "steps", "W": "any orthogonal matrix"},
    )


def _orth_tanh_setup(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orthogonal W (QR of a Gaussian, signs fixed), h* = +-c with seeded signs, u = atanh(h*) - W h*."""
    rng = np.random.default_rng(seed)
    q, rr = np.linalg.qr(rng.normal(size=(n, n)))
    w = q * np.sign(np.diag(rr))
    hs = float(FIX_C) * rng.choice([-1.0, 1.0], size=n)
    return w, hs, np.arctanh(hs) - w @ hs


@orthogonal_tanh_fixed_point.check(
    "torch autograd (float64) through 50 tanh steps, W from torch.nn.init.orthogonal_ (n = 8, seed 0)",
    tol=1e-9,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：对 50 步 tanh 递推求导，"
    "W 取自 torch.nn.init.orthogonal_（n = 8，随机种子 0）",
)
def _() -> float:
    import torch

    p = orthogonal_tanh_fixed_point.result.parts
    n = 8
    g = torch.Generator().manual_seed(0)
    w = torch.nn.init.orthogonal_(torch.empty(n, n, dtype=torch.float64), generator=g)
    signs = torch.where(torch.rand(n, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0).to(torch.float64)
    hs = float(FIX_C) * signs
    u = torch.atanh(hs) - w @ hs

    def run(h: torch.Tensor) -> torch.Tensor:
        for _ in range(FIX_T):
            h = torch.tanh(w @ h + u)
        return h

    jac = torch.autograd.functional.jacobian(run, hs)
    s = torch.linalg.svdvals(jac).numpy()
    want = float(p["example_norm"])
    w_sv = torch.linalg.svdvals(torch.linalg.matrix_power(w, FIX_T)).numpy()
    # every singular value of the product equals (3/4)^T; W^T keeps them all at 1
    return max(float(np.max(np.abs(s / want - 1))), float(np.max(np.abs(w_sv - float(p["orthogonal_power_norm"])))))


@orthogonal_tanh_fixed_point.check(
    "NumPy: product of the one-step Jacobians diag(1 - h_t^2) W along the simulated trajectory, n = 4, 16, 64",
    tol=1e-9,
    oracle_zh="NumPy：沿模拟出的轨迹把单步雅可比矩阵 diag(1 − h_t²)W 连乘，n = 4、16、64",
)
def _() -> float:
    norm = sp.lambdify((c, T), orthogonal_tanh_fixed_point.result.parts["norm_T"])
    worst = 0.0
    for n, seed in ((4, 1), (16, 2), (64, 3)):
        w, hs, u = _orth_tanh_setup(n, seed)
        h, prod = hs.copy(), np.eye(n)
        for _ in range(FIX_T):
            h = np.tanh(w @ h + u)
            prod = ((1 - h**2)[:, None] * w) @ prod
        worst = max(worst, abs(np.linalg.norm(prod, 2) / norm(float(FIX_C), FIX_T) - 1))
    return worst


# --- exp of a skew-symmetric matrix ------------------------------------------------------------------------------
@derivation(
    "skew_exp_orthogonal",
    title="A^T = -A => (e^A)^T e^A = e^{-A} e^A = I and det e^A = e^{tr A} = 1; 2x2: e^A is the rotation by a",
    title_zh="Aᵀ = −A ⇒ (e^A)ᵀe^A = e^{−A}e^A = I，det e^A = e^{tr A} = 1；2×2 时 e^A 是转角为 a 的旋转",
)
def skew_exp_orthogonal() -> Result:
    """For every real skew-symmetric A, e^A is orthogonal with determinant +1 (so it lies in SO(n)); for the 2x2
    A = [[0, -a], [a, 0]] (torch's A from X[1, 0] = a), e^A = [[cos a, -sin a], [sin a, cos a]]."""
    n = 4
    entries = sp.symbols(f"s0:{n * (n - 1) // 2}", real=True)
    a_gen = sp.zeros(n, n)
    it = iter(entries)
    for i in range(n):
        for j in range(i):
            a_gen[i, j] = next(it)
            a_gen[j, i] = -a_gen[i, j]
    if a_gen.T != -a_gen:
        raise ArithmeticError("not skew-symmetric")
    trace = sp.simplify(a_gen.trace())
    det_exp = sp.exp(trace)  # det e^A = e^{tr A} (Jacobi's formula)
    a2 = _skew2(a)
    e2 = a2.exp().applyfunc(lambda v: sp.simplify(v.rewrite(sp.cos)))
    if sp.simplify(e2 - _rot(a)) != sp.zeros(2, 2):
        raise ArithmeticError("e^A is not the rotation by a")
    resid = (e2.T * e2 - sp.eye(2)).applyfunc(sp.simplify)
    det2 = sp.simplify(e2.det())
    if resid != sp.zeros(2, 2) or det2 != 1 or det_exp != 1:
        raise ArithmeticError("e^A is not in SO(2)")
    return Result(
        expr=sp.Tuple(sp.Lambda(a, e2), det_exp),
        latex=(
            r"A^\top=-A:\ (e^{A})^\top e^{A}=e^{-A}e^{A}=I,\quad \det e^{A}=e^{\operatorname{tr}A}"
            rf"={sp.latex(det_exp)};\quad e^{{{sp.latex(a2)}}}={sp.latex(e2)}"
        ),
        parts={
            "exp_2x2": e2,
            "orth_residual_2x2": resid,
            "det_2x2": det2,
            "trace_skew": trace,
            "det_exp": det_exp,
        },
        symbols={"A": "real skew-symmetric n x n", "a": "X[1, 0], the generator of the 2x2 rotation"},
    )


@skew_exp_orthogonal.check(
    "torch.linalg.matrix_exp (float64) on seeded skew-symmetric matrices, n = 2..8: Q^T Q - I, det Q - 1, 2x2 rotation",
    tol=1e-12,
    needs="torch",
    oracle_zh="torch.linalg.matrix_exp（float64）作用于用固定随机种子生成的反对称矩阵，n = 2…8："
    "QᵀQ − I、det Q − 1、2×2 旋转",
)
def _() -> float:
    import torch

    p = skew_exp_orthogonal.result.parts
    e2 = sp.lambdify(a, p["exp_2x2"], "numpy")
    rng = np.random.default_rng(5)
    worst = 0.0
    for n in range(2, 9):
        m = rng.normal(size=(n, n))
        q = torch.linalg.matrix_exp(torch.tensor(m - m.T))
        worst = max(
            worst,
            float((q.T @ q - torch.eye(n, dtype=torch.float64)).abs().max()),
            abs(float(torch.linalg.det(q)) - float(p["det_exp"])),
        )
    for av in (-3.0, 0.4, 1.0, 2.9):
        q = torch.linalg.matrix_exp(torch.tensor([[0.0, -av], [av, 0.0]], dtype=torch.float64)).numpy()
        worst = max(worst, float(np.max(np.abs(q - np.array(e2(av), dtype=float)))))
    return worst


@skew_exp_orthogonal.check(
    'torch.nn.utils.parametrizations.orthogonal(orthogonal_map="matrix_exp", use_trivialization=False), float64',
    tol=1e-12,
    needs="torch",
    oracle_zh='torch.nn.utils.parametrizations.orthogonal（orthogonal_map="matrix_exp"，use_trivialization=False），float64',
)
def _() -> float:
    import torch
    from torch.nn.utils.parametrizations import orthogonal

    p = skew_exp_orthogonal.result.parts
    e2 = sp.lambdify(a, p["exp_2x2"], "numpy")
    worst = 0.0
    for n, xs in ((2, [[0.3, -7.0], [1.2, 5.0]]), (5, None)):
        lin = torch.nn.Linear(n, n, bias=False).double()
        orthogonal(lin, orthogonal_map="matrix_exp", use_trivialization=False)
        xv = np.array(xs) if xs is not None else np.random.default_rng(6).normal(size=(n, n))
        with torch.no_grad():
            lin.parametrizations.weight.original.copy_(torch.tensor(xv))
        wq = lin.weight.detach()
        worst = max(worst, abs(float(torch.linalg.det(wq)) - float(p["det_exp"])))
        if n == 2:  # only the strictly lower entry X[1, 0] matters
            worst = max(worst, float(np.max(np.abs(wq.numpy() - np.array(e2(xv[1, 0]), dtype=float)))))
    return worst


# --- the two Cayley conventions ----------------------------------------------------------------------------------
def cayley_torch(m: sp.Matrix) -> sp.Matrix:
    """torch's Cayley map: (I - A/2)^{-1}(I + A/2)."""
    i = sp.eye(m.rows)
    return (i - m / 2).inv() * (i + m / 2)


def cayley_paper(m: sp.Matrix) -> sp.Matrix:
    """The papers' (scoRNN, D = I) Cayley map: (I + A)^{-1}(I - A)."""
    i = sp.eye(m.rows)
    return (i + m).inv() * (i - m)


@derivation(
    "cayley_conventions",
    title="Same A, two Cayley maps: torch (I - A/2)^{-1}(I + A/2) rotates by 2 atan(a/2); scoRNN (I + A)^{-1}(I - A) "
    "by -2 atan(a); the second is the first at -2A",
    title_zh="同一个 A，两种凯莱变换：torch 的 (I − A/2)⁻¹(I + A/2) 转角为 2arctan(a/2)；scoRNN 的 (I + A)⁻¹(I − A) "
    "转角为 −2arctan(a)；后者等于前者在 −2A 处的值",
)
def cayley_conventions() -> Result:
    """For A = [[0, -a], [a, 0]] (torch's A from X[1, 0] = a), torch's Cayley map gives the rotation by
    2 atan(a/2) and the papers' (D = I) the rotation by -2 atan(a); for every skew A, paper(A) = torch(-2A)."""
    a2 = _skew2(a)
    qt = cayley_torch(a2).applyfunc(sp.simplify)
    wp = cayley_paper(a2).applyfunc(sp.simplify)
    th_t, th_p = 2 * sp.atan(a / 2), -2 * sp.atan(a)
    for m, th in ((qt, th_t), (wp, th_p)):
        if (m - _rot(th)).applyfunc(lambda v: sp.simplify(sp.expand_trig(v))) != sp.zeros(2, 2):
            raise ArithmeticError("the Cayley map is not the claimed rotation")
    # which multiple k makes torch(k A) = paper(A)? solve on the (1, 0) and (0, 0) entries
    qk = cayley_torch(k * a2).applyfunc(sp.simplify)
    sols = [s for s in sp.solve([qk[1, 0] - wp[1, 0], qk[0, 0] - wp[0, 0]], k, dict=True)]
    ks = {sp.simplify(s[k]) for s in sols}
    if len(ks) != 1:
        raise ArithmeticError(f"expected one scale, got {ks}")
    (kk,) = ks
    # and for a generic 3x3 skew matrix
    p1, p2, p3 = sp.symbols("p1:4", real=True)
    a3 = sp.Matrix([[0, -p1, -p2], [p1, 0, -p3], [p2, p3, 0]])
    if (cayley_paper(a3) - cayley_torch(kk * a3)).applyfunc(sp.simplify) != sp.zeros(3, 3):
        raise ArithmeticError("paper(A) != torch(k A) for a 3x3 skew A")
    ex_t, ex_p = qt.subs(a, EXAMPLE_A), wp.subs(a, EXAMPLE_A)
    deg_t, deg_p = (th_t * 180 / sp.pi).subs(a, EXAMPLE_A), (th_p * 180 / sp.pi).subs(a, EXAMPLE_A)
    return Result(
        expr=sp.Tuple(sp.Lambda(a, qt), sp.Lambda(a, wp), kk),
        latex=(
            r"Q_{\mathrm{torch}}(A)=\bigl(I-\tfrac{A}{2}\bigr)^{-1}\bigl(I+\tfrac{A}{2}\bigr),\quad "
            r"W_{\mathrm{paper}}(A)=(I+A)^{-1}(I-A)"
            rf"=Q_{{\mathrm{{torch}}}}({sp.latex(kk)}A)"
        ),
        parts={
            "A": a2,
            "torch": qt,
            "paper": wp,
            "angle_torch": th_t,
            "angle_paper": th_p,
            "scale": kk,
            "torch_example": ex_t,
            "paper_example": ex_p,
            "deg_torch_example": deg_t,
            "deg_paper_example": deg_p,
        },
        text={
            "a": sp.latex(EXAMPLE_A),
            "deg_torch": f"{float(deg_t):.2f}",
            "deg_paper": f"{float(deg_p):.0f}".replace("-", "−"),
        },
        symbols={"A": "skew-symmetric", "a": "X[1, 0] (torch builds A = tril(X) - tril(X)^T)"},
    )


def _torch_cayley_weight(xv: np.ndarray):
    """torch's parametrised weight for a given unconstrained X (cayley, no trivialisation)."""
    import torch
    from torch.nn.utils.parametrizations import orthogonal

    n = xv.shape[0]
    lin = torch.nn.Linear(n, n, bias=False).double()
    orthogonal(lin, orthogonal_map="cayley", use_trivialization=False)
    with torch.no_grad():
        lin.parametrizations.weight.original.copy_(torch.tensor(xv))
    return lin.weight.detach().numpy()


@cayley_conventions.check(
    'torch.nn.utils.parametrizations.orthogonal(orthogonal_map="cayley", use_trivialization=False), float64: 2x2 '
    "for 7 values of a",
    tol=1e-12,
    needs="torch",
    oracle_zh='torch.nn.utils.parametrizations.orthogonal（orthogonal_map="cayley"，use_trivialization=False），'
    "float64：a 取 7 个值的 2×2 情形",
)
def _() -> float:
    p = cayley_conventions.result.parts
    qt = sp.lambdify(a, p["torch"], "numpy")
    worst = float(
        np.max(np.abs(_torch_cayley_weight(np.array([[0.0, 0.0], [1.0, 0.0]])) - np.array(p["torch_example"], float)))
    )
    for av in (-5.0, -1.0, -0.2, 0.5, 1.0, 3.0, 40.0):
        got = _torch_cayley_weight(np.array([[0.7, 9.0], [av, -2.0]]))  # upper triangle and diagonal are ignored
        worst = max(worst, float(np.max(np.abs(got - np.array(qt(av), dtype=float)))))
    return worst


@cayley_conventions.check(
    "NumPy solve (I + A)^{-1}(I - A) vs torch's cayley at k A, seeded 5x5 skew A; 2x2 example and its angles by atan2",
    tol=1e-12,
    needs="torch",
    oracle_zh="NumPy 求解 (I + A)⁻¹(I − A)，与 torch 的凯莱变换在 kA 处的值比较"
    "（用固定随机种子生成的 5×5 反对称矩阵 A）；"
    "2×2 例子及其用 atan2 求出的转角",
)
def _() -> float:
    p = cayley_conventions.result.parts
    kk = float(p["scale"])
    rng = np.random.default_rng(7)
    xv = rng.normal(size=(5, 5))
    am = np.tril(xv) - np.tril(xv).T
    paper = np.linalg.solve(np.eye(5) + am, np.eye(5) - am)
    err = float(np.max(np.abs(paper - _torch_cayley_weight(kk * xv))))
    a1 = float(EXAMPLE_A)
    a_ex = np.array([[0.0, -a1], [a1, 0.0]])
    ex = np.linalg.solve(np.eye(2) + a_ex, np.eye(2) - a_ex)
    err = max(err, float(np.max(np.abs(ex - np.array(p["paper_example"], float)))))
    qt = _torch_cayley_weight(np.array([[0.0, 0.0], [a1, 0.0]]))
    err = max(err, abs(np.degrees(np.arctan2(qt[1, 0], qt[0, 0])) - float(p["deg_torch_example"])))
    err = max(err, abs(np.degrees(np.arctan2(ex[1, 0], ex[0, 0])) - float(p["deg_paper_example"])))
    return err


# --- the eigenvalue the Cayley map cannot reach ------------------------------------------------------------------
@derivation(
    "cayley_no_minus_one",
    title="Cayley map: eigenvalue i mu of A -> (1 + i mu/2)/(1 - i mu/2) = e^{2i atan(mu/2)}; never -1",
    title_zh="凯莱变换把 A 的特征值 iμ 映成 (1 + iμ/2)/(1 − iμ/2) = e^{2i·arctan(μ/2)}，永远不等于 −1",
)
def cayley_no_minus_one() -> Result:
    """torch's Cayley map sends an eigenvalue i mu of a real skew-symmetric A (mu real) to
    lambda = (1 + i mu/2)/(1 - i mu/2): |lambda| = 1, arg lambda = 2 atan(mu/2) in (-pi, pi), |lambda + 1| =
    2/sqrt(1 + mu^2/4) > 0, so -1 is never an eigenvalue (the same holds in the papers' convention, A -> -2A)."""
    lam = (1 + sp.I * mu / 2) / (1 - sp.I * mu / 2)
    modulus = sp.simplify(sp.Abs(lam))
    sols = sp.solveset(sp.Eq(lam, -1), mu, domain=sp.S.Reals)
    dist = sp.simplify(sp.Abs(lam + 1))
    angle = 2 * sp.atan(mu / 2)
    if sp.simplify(sp.expand_complex(lam - sp.exp(sp.I * angle)).rewrite(sp.cos)) != 0:
        raise ArithmeticError("lambda != e^{2 i atan(mu/2)}")
    if modulus != 1 or sols != sp.S.EmptySet:
        raise ArithmeticError("unexpected modulus or a solution of lambda = -1")
    return Result(
        expr=sp.Tuple(sp.Lambda(mu, lam), sols),
        latex=(
            rf"\lambda={sp.latex(lam)}=e^{{i\,{sp.latex(angle)}}},\quad |\lambda|={sp.latex(modulus)},\quad "
            rf"|\lambda+1|={sp.latex(dist)}>0"
        ),
        parts={"eig": lam, "modulus": modulus, "angle": angle, "dist_to_minus_one": dist, "solutions": sols},
        symbols={"mu": "i mu is an eigenvalue of the skew-symmetric A (mu real)", "lambda": "eigenvalue of Q"},
    )


@cayley_no_minus_one.check(
    "torch's cayley parametrisation, 2x2, a up to 1e6: smallest singular value of Q + I (float64)",
    tol=1e-8,
    needs="torch",
    oracle_zh="torch 的凯莱参数化，2×2，a 最大到 10⁶：Q + I 的最小奇异值（float64）",
)
def _() -> float:
    dist = sp.lambdify(mu, cayley_no_minus_one.result.parts["dist_to_minus_one"])
    worst = 0.0
    for av in np.geomspace(1e-3, 1e6, 19):
        q = _torch_cayley_weight(np.array([[0.0, 0.0], [av, 0.0]]))
        smin = float(np.linalg.svd(q + np.eye(2), compute_uv=False)[-1])
        worst = max(worst, abs(smin / dist(av) - 1))
    return worst


@cayley_no_minus_one.check(
    "mpmath, 50 digits: |(1 + i mu/2)/(1 - i mu/2) + 1| and the argument by atan2, mu from -1e8 to 1e8",
    tol=1e-40,
    oracle_zh="mpmath，50 位有效数字：|(1 + iμ/2)/(1 − iμ/2) + 1| 及用 atan2 求的辐角，μ 从 −10⁸ 到 10⁸",
)
def _() -> float:
    import mpmath

    p = cayley_no_minus_one.result.parts
    dist = sp.lambdify(mu, p["dist_to_minus_one"], "mpmath")
    ang = sp.lambdify(mu, p["angle"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for m in [-1e8, -30.0, -2.0, -0.1, 0.0, 0.5, 2.0, 7.0, 1e4, 1e8]:
            mm = mpmath.mpf(m)
            lam = (1 + 1j * mm / 2) / (1 - 1j * mm / 2)
            worst = max(worst, abs(abs(lam + 1) - dist(mm)), abs(mpmath.atan2(lam.imag, lam.real) - ang(mm)))
    return float(worst)


def _euler_matrix(seed: int = EULER_SEED, n: int = EULER_N) -> np.ndarray:
    """M = W - W^T with W ~ N(0, 1/n), seeded."""
    w = np.random.default_rng(seed).normal(size=(n, n)) / np.sqrt(n)
    return w - w.T


# --- AntisymmetricRNN: forward Euler and diffusion ---------------------------------------------------------------
@derivation(
    "antisymmetric_euler_growth",
    title="Euler step of h' = (M - gamma I) h, M skew: eigenvalue 1 - eps gamma + i eps mu, modulus^2 "
    "(1 - eps gamma)^2 + eps^2 mu^2; <= 1 iff eps|mu| <= 1 and gamma in [gamma_-, gamma_+]",
    title_zh="h' = (M − γI)h（M 反对称）的前向欧拉步：特征值 1 − εγ + iεμ，模的平方 (1 − εγ)² + ε²μ²；"
    "≤ 1 当且仅当 ε|μ| ≤ 1 且 γ ∈ [γ₋, γ₊]",
)
def antisymmetric_euler_growth() -> Result:
    """AntisymmetricRNN at h = 0 with zero input and bias (tanh'(0) = 1): d h_t/d h_{t-1} = I + eps(M - gamma I),
    M = W - W^T; for an eigenvalue i mu of M its eigenvalue is 1 - eps gamma + i eps mu. Without diffusion the modulus
    is sqrt(1 + eps^2 mu^2) > 1 (mu != 0); the modulus is <= 1 iff eps|mu| <= 1 and
    (1 - sqrt(1 - eps^2 mu^2))/eps <= gamma <= (1 + sqrt(1 - eps^2 mu^2))/eps. The matrix is normal, so its spectral
    norm is the largest modulus and ||J^T||_2 = max|lambda|^T."""
    lam = 1 - eps * gamma + sp.I * eps * mu
    mod2 = sp.expand(sp.simplify(lam * sp.conjugate(lam)))
    growth = sp.sqrt(mod2.subs(gamma, 0))
    g = sp.Symbol("g", real=True)
    lo, hi = sorted(sp.solve(sp.Eq(mod2.subs(gamma, g), 1), g), key=lambda e: sp.default_sort_key(e))
    lo, hi = (lo, hi) if sp.simplify((hi - lo).subs({eps: sp.Rational(1, 10), mu: 1})) > 0 else (hi, lo)
    # the two roots are real iff 1 - eps^2 mu^2 >= 0, and mod2 is convex in gamma: <= 1 exactly between them
    disc = sp.simplify(((hi - lo) * eps / 2) ** 2)
    series_lo = sp.series(lo, eps, 0, 3).removeO()
    ex_mu = sp.Symbol("mu_max", positive=True)
    mu_max = float(np.max(np.abs(np.linalg.eigvals(_euler_matrix()).imag)))  # the page's seeded example
    ex = {eps: EULER_EPS, mu: mu_max}
    step = float(growth.subs(ex))
    return Result(
        expr=sp.Tuple(sp.Lambda((eps, gamma, mu), mod2), sp.Lambda((eps, mu), lo), sp.Lambda((eps, mu), hi)),
        latex=(
            rf"\lambda={sp.latex(lam)},\quad |\lambda|^2={sp.latex(mod2)};\quad \gamma=0:\ "
            rf"|\lambda|={sp.latex(growth)}"
        ),
        parts={
            "eig": lam,
            "modulus_sq": mod2,
            "growth_no_diffusion": growth,
            "gamma_min": lo,
            "gamma_max": hi,
            "discriminant": disc,
            "gamma_min_series": series_lo,
            "growth_T": growth.subs(mu, ex_mu) ** T,
        },
        text={
            "eps": sp.latex(EULER_EPS),
            "n": str(EULER_N),
            "seed": str(EULER_SEED),
            "T": str(EULER_T),
            "mu_max": f"{mu_max:.4f}",
            "growth_step": f"{step:.4f}",
            "growth_T": f"{step**EULER_T:.3g}",
            "gamma_min": f"{float(lo.subs(ex)):.4f}",
            "gamma_max": f"{float(hi.subs(ex)):.4f}",
        },
        symbols={
            "epsilon": "Euler step (> 0)",
            "gamma": "diffusion (>= 0)",
            "mu": "i mu is an eigenvalue of M = W - W^T",
            "mu_max": "largest |mu| = ||M||_2",
        },
    )


@antisymmetric_euler_growth.check(
    "torch autograd (float64) through 50 AntisymmetricRNN steps at h = 0 (n = 16, seed 0): spectral norm vs "
    "|lambda|_max^T, gamma = 0 and gamma = 0.3",
    tol=1e-10,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：在 h = 0 处对 50 步 AntisymmetricRNN 求导（n = 16，随机种子 0）："
    "谱范数与 |λ|_max^T 比较，γ = 0 与 γ = 0.3",
)
def _() -> float:
    import torch

    mod2 = sp.lambdify((eps, gamma, mu), antisymmetric_euler_growth.result.parts["modulus_sq"])
    m = _euler_matrix()
    mu_max = float(np.linalg.norm(m, 2))  # eigenvalues of M are +-i sigma_k(M)
    e = float(EULER_EPS)
    worst = 0.0
    for gam in (0.0, 0.3):
        mt = torch.tensor(m - gam * np.eye(EULER_N))

        def run(h: torch.Tensor, mt=mt) -> torch.Tensor:
            for _ in range(EULER_T):
                h = h + e * torch.tanh(mt @ h)
            return h

        jac = torch.autograd.functional.jacobian(run, torch.zeros(EULER_N, dtype=torch.float64))
        got = float(torch.linalg.matrix_norm(jac, ord=2))
        worst = max(worst, abs(got / mod2(e, gam, mu_max) ** (EULER_T / 2) - 1))
    return worst


@antisymmetric_euler_growth.check(
    "mpmath, 50 digits: |1 - eps gamma + i eps mu| at gamma_min and gamma_max is 1, just inside < 1, outside > 1",
    tol=1e-40,
    oracle_zh="mpmath，50 位有效数字：|1 − εγ + iεμ| 在 γ_min 与 γ_max 处等于 1，区间内侧略小于 1，外侧大于 1",
)
def _() -> float:
    import mpmath

    p = antisymmetric_euler_growth.result.parts
    lo = sp.lambdify((eps, mu), p["gamma_min"], "mpmath")
    hi = sp.lambdify((eps, mu), p["gamma_max"], "mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for e, m in ((0.2, 2.9), (0.05, 10.0), (0.5, 1.9), (1.0, 0.3)):
            e, m = mpmath.mpf(e), mpmath.mpf(m)
            gl, gh = lo(e, m), hi(e, m)
            mod = lambda g, e=e, m=m: abs(1 - e * g + 1j * e * m)  # noqa: E731
            worst = max(worst, abs(mod(gl) - 1), abs(mod(gh) - 1))
            d = (gh - gl) / 100
            inside_ok = mod(gl + d) < 1 and mod(gh - d) < 1
            outside_ok = mod(gl - d) > 1 and mod(gh + d) > 1 and mod(0) > 1
            if not (inside_ok and outside_ok):
                worst = mpmath.mpf(1)
    return float(worst)


@antisymmetric_euler_growth.check(
    "NumPy power iteration (200 steps) on J^T J, J = I + eps(M - gamma I), seeded n = 16: spectral norm vs max|lambda|",
    tol=1e-9,
    oracle_zh="NumPy 对 JᵀJ 做 200 步幂迭代（J = I + ε(M − γI)，固定随机种子，n = 16）：谱范数与 max|λ| 比较",
)
def _() -> float:
    mod2 = sp.lambdify((eps, gamma, mu), antisymmetric_euler_growth.result.parts["modulus_sq"])
    m = _euler_matrix()
    mu_max = float(np.max(np.abs(np.linalg.eigvals(m).imag)))
    e = float(EULER_EPS)
    worst = 0.0
    for gam in (0.0, 0.3, 1.0):
        jm = np.eye(EULER_N) + e * (m - gam * np.eye(EULER_N))
        v = np.random.default_rng(8).normal(size=EULER_N)
        for _ in range(200):
            v = jm.T @ (jm @ v)
            v /= np.linalg.norm(v)
        worst = max(worst, abs(np.linalg.norm(jm @ v) / np.sqrt(mod2(e, gam, mu_max)) - 1))
    return worst


# --- figure data -------------------------------------------------------------------------------------------------
def figure_data_euler_eigs() -> dict:
    """Eigenvalues of I + eps(M - gamma I) for the seeded M, without diffusion and with gamma = gamma_min(mu_max)."""
    p = antisymmetric_euler_growth.result.parts
    m = _euler_matrix()
    e = float(EULER_EPS)
    ev = np.linalg.eigvals(m)
    mu_max = float(np.max(np.abs(ev.imag)))
    g_min = float(p["gamma_min"].subs({eps: EULER_EPS, mu: mu_max}))
    return {
        "no_diffusion": 1 + e * ev,
        "diffusion": 1 + e * (ev - g_min),
        "gamma": g_min,
        "eps": e,
        "growth": float(p["growth_no_diffusion"].subs({eps: EULER_EPS, mu: mu_max})),
    }


def figure_data_orthogonal_tanh(n: int = 32, steps: int = 60, seed: int = 0) -> dict:
    """||d h_t/d h_0||_2 for t = 0..steps: orthogonal W linear (exactly 1), orthogonal W with tanh and N(0, 1) input
    drive, Gaussian N(0, 1/n) W with tanh and the same drive, and the fixed-point example (3/4)^t."""
    rng = np.random.default_rng(seed)
    q, rr = np.linalg.qr(rng.normal(size=(n, n)))
    w_orth = q * np.sign(np.diag(rr))
    w_gauss = rng.normal(size=(n, n)) / np.sqrt(n)
    drive = rng.normal(size=(steps, n))
    h0 = rng.uniform(-0.5, 0.5, size=n)
    out = {"t": np.arange(steps + 1)}
    for key, w in (("orth_tanh", w_orth), ("gauss_tanh", w_gauss)):
        h, prod, norms = h0.copy(), np.eye(n), [1.0]
        for s in range(steps):
            h = np.tanh(w @ h + drive[s])
            prod = ((1 - h**2)[:, None] * w) @ prod
            norms.append(float(np.linalg.norm(prod, 2)))
        out[key] = np.array(norms)
    out["orth_linear"] = np.array(
        [float(np.linalg.norm(np.linalg.matrix_power(w_orth, s), 2)) for s in range(steps + 1)]
    )
    per = float(orthogonal_tanh_fixed_point.result.parts["example_per_step"])
    out["fixed_point"] = per ** out["t"].astype(float)
    return out


# --- exercises: converting between the Cayley conventions, a non-skew A, one rotation pair with diffusion --------
CONVERT_A = sp.Integer(2)  # X[1, 0] of a torch checkpoint
BUG_X = sp.Integer(1)  # X[1, 0] when A = tril(X) without the transpose subtracted
DIFF_EPS, DIFF_MU, DIFF_T = sp.Rational(1, 10), sp.Integer(2), 100


@derivation(
    "cayley_convention_conversion",
    title="torch's Cayley map (I - A/2)^{-1}(I + A/2) at X[1, 0] = 2 is the rotation by 90 degrees; the papers' "
    "(scoRNN, D = I) (I + A)^{-1}(I - A) at the same A rotates by -2 atan 2 (about -126.87 degrees); it reproduces "
    "torch's matrix at -A/2, i.e. a = -1",
    title_zh="torch 的凯莱变换 (I − A/2)⁻¹(I + A/2) 在 X[1, 0] = 2 时给出转角为 90° 的旋转；"
    "论文约定（scoRNN，D = I）(I + A)⁻¹(I − A) 在同一个 A 处转角为 −2arctan 2（约 −126.87°）；"
    "要得到 torch 的矩阵，论文约定须代入 −A/2，即 a = −1",
)
def cayley_convention_conversion() -> Result:
    """For the 2x2 skew A = [[0, -a], [a, 0]] with a = 2: torch's (I - A/2)^{-1}(I + A/2) is the rotation by
    2 atan(a/2) = pi/2; the papers' (I + A)^{-1}(I - A) (D = I) at the same A is the rotation by -2 atan(a); the papers'
    map gives torch's matrix at the a' solving -2 atan(a') = 2 atan(a/2), a' = -a/2 (cayley_conventions: paper(B) =
    torch(-2B))."""
    a2 = _skew2(CONVERT_A)
    qt, wp = cayley_torch(a2), cayley_paper(a2)
    ang_t = sp.simplify(2 * sp.atan(CONVERT_A / 2))
    ang_p = -2 * sp.atan(CONVERT_A)
    if (qt - _rot(ang_t)).applyfunc(sp.simplify) != sp.zeros(2, 2):
        raise ArithmeticError("torch's map is not the rotation by 2 atan(a/2)")
    if (wp - _rot(ang_p)).applyfunc(lambda v: sp.simplify(sp.expand_trig(v))) != sp.zeros(2, 2):
        raise ArithmeticError("the papers' map is not the rotation by -2 atan(a)")
    ap = sp.Symbol("a'", real=True)
    sols = sp.solve(sp.Eq(-2 * sp.atan(ap), ang_t), ap)
    if len(sols) != 1:
        raise ArithmeticError(f"expected one a', got {sols}")
    (a_conv,) = sols
    if (cayley_paper(_skew2(a_conv)) - qt).applyfunc(sp.simplify) != sp.zeros(2, 2):
        raise ArithmeticError("the converted A does not reproduce torch's matrix")
    return Result(
        expr=sp.Tuple(qt, wp, a_conv),
        latex=rf"Q_{{\mathrm{{torch}}}}={sp.latex(qt)},\quad W_{{\mathrm{{paper}}}}={sp.latex(wp)}",
        parts={
            "a": CONVERT_A,
            "A": a2,
            "torch": qt,
            "paper": wp,
            "angle_torch": ang_t,
            "angle_paper": ang_p,
            "deg_torch": sp.simplify(ang_t * 180 / sp.pi),
            "deg_paper": sp.N(ang_p * 180 / sp.pi, 30),
            "a_converted": a_conv,
            "A_converted": _skew2(a_conv),
        },
        symbols={"a": "X[1, 0]; torch builds A = tril(X) - tril(X)^T", "a'": "the papers' parameter giving torch's Q"},
    )


@cayley_convention_conversion.check(
    'torch.nn.utils.parametrizations.orthogonal(orthogonal_map="cayley", use_trivialization=False), float64, at '
    "X[1, 0] = 2; NumPy solve (I + A)^{-1}(I - A) at A and at the converted A; angles by atan2",
    tol=1e-12,
    needs="torch",
    oracle_zh='torch.nn.utils.parametrizations.orthogonal（orthogonal_map="cayley"，use_trivialization=False），float64，'
    "X[1, 0] = 2；NumPy 求解 (I + A)⁻¹(I − A)（分别在 A 与换算后的 A 处）；用 atan2 求转角",
)
def _() -> float:
    p = cayley_convention_conversion.result.parts
    av = float(p["a"])
    qt = _torch_cayley_weight(np.array([[0.0, 0.0], [av, 0.0]]))
    am = np.array([[0.0, -av], [av, 0.0]])
    wp = np.linalg.solve(np.eye(2) + am, np.eye(2) - am)
    ac = float(p["a_converted"])
    amc = np.array([[0.0, -ac], [ac, 0.0]])
    wc = np.linalg.solve(np.eye(2) + amc, np.eye(2) - amc)
    return max(
        float(np.max(np.abs(qt - np.array(p["torch"], dtype=float)))),
        float(np.max(np.abs(wp - np.array(p["paper"], dtype=float)))),
        float(np.max(np.abs(wc - qt))),
        abs(np.degrees(np.arctan2(qt[1, 0], qt[0, 0])) - float(p["deg_torch"])),
        abs(np.degrees(np.arctan2(wp[1, 0], wp[0, 0])) - float(p["deg_paper"])),
    )


@cayley_convention_conversion.check(
    "NumPy (float64): (I - A/2)^{-1}(I + A/2) and (I + A)^{-1}(I - A) by np.linalg.solve at A and at the converted A; "
    "angles by atan2",
    tol=1e-12,
    oracle_zh="NumPy（float64）：用 np.linalg.solve 计算 (I − A/2)⁻¹(I + A/2) 与 (I + A)⁻¹(I − A)"
    "（分别在 A 与换算后的 A 处）；用 atan2 求转角",
)
def _() -> float:
    p = cayley_convention_conversion.result.parts
    av, ac, i2 = float(p["a"]), float(p["a_converted"]), np.eye(2)
    am, amc = np.array([[0.0, -av], [av, 0.0]]), np.array([[0.0, -ac], [ac, 0.0]])
    qt = np.linalg.solve(i2 - am / 2, i2 + am / 2)
    wp, wc = np.linalg.solve(i2 + am, i2 - am), np.linalg.solve(i2 + amc, i2 - amc)
    return max(
        float(np.max(np.abs(qt - np.array(p["torch"], dtype=float)))),
        float(np.max(np.abs(wp - np.array(p["paper"], dtype=float)))),
        float(np.max(np.abs(wc - qt))),
        abs(np.degrees(np.arctan2(qt[1, 0], qt[0, 0])) - float(p["deg_torch"])),
        abs(np.degrees(np.arctan2(wp[1, 0], wp[0, 0])) - float(p["deg_paper"])),
    )


@derivation(
    "cayley_orthogonal_iff_skew",
    title="(I - A/2)^{-1}(I + A/2) is orthogonal iff A + A^T = 0; with A = tril(X) (transpose not subtracted) and "
    "X[1, 0] = 1 it is the shear [[1, 0], [1, 1]], singular values (sqrt 5 +- 1)/2",
    title_zh="(I − A/2)⁻¹(I + A/2) 是正交矩阵当且仅当 A + Aᵀ = 0；若 A = tril(X)（忘了减去转置）且 X[1, 0] = 1，"
    "得到剪切矩阵 [[1, 0], [1, 1]]，奇异值为 (√5 ± 1)/2",
)
def cayley_orthogonal_iff_skew() -> Result:
    """With P = I - A/2 and R = I + A/2 invertible, Q = P^{-1} R satisfies Q^T Q = I iff P P^T = R R^T (P and R
    commute, both being polynomials in A), and P P^T - R R^T = -(A + A^T): Q is orthogonal exactly when A is
    skew-symmetric. A = [[0, 0], [1, 0]] (tril of X with X[1, 0] = 1, diagonal 0) gives the shear [[1, 0], [1, 1]]."""
    syms = sp.symbols("a11 a12 a21 a22", real=True)
    am = sp.Matrix(2, 2, syms)
    i2 = sp.eye(2)
    pm, rm = i2 - am / 2, i2 + am / 2
    if (pm * rm - rm * pm).applyfunc(sp.expand) != sp.zeros(2, 2):
        raise ArithmeticError("P and R do not commute")
    gap = (pm * pm.T - rm * rm.T).applyfunc(sp.expand)
    if (gap + am + am.T).applyfunc(sp.expand) != sp.zeros(2, 2):
        raise ArithmeticError("P P^T - R R^T is not -(A + A^T)")
    a_bug = sp.Matrix([[0, 0], [BUG_X, 0]])
    q_bug = cayley_torch(a_bug)
    sv = sorted((sp.sqrt(e) for e in (q_bug.T * q_bug).eigenvals()), key=lambda v: float(v))
    sv = [sp.nsimplify(sp.radsimp(sp.sqrtdenest(v))) for v in sv]
    nn = sp.Symbol("n", integer=True, positive=True)
    q_pow = sp.Matrix([[1, 0], [nn, 1]])
    if any((q_bug**m - q_pow.subs(nn, m)) != sp.zeros(2, 2) for m in (1, 2, 5, 50)):
        raise ArithmeticError("Q^n is not [[1, 0], [n, 1]]")
    return Result(
        expr=sp.Tuple(gap, q_bug),
        latex=r"PP^\top-RR^\top=" + sp.latex(gap) + r"=-(A+A^\top)",
        parts={
            "gap": gap,
            "x": BUG_X,
            "A_bug": a_bug,
            "Q_bug": q_bug,
            "QtQ_bug": q_bug.T * q_bug,
            "sv_max": sv[-1],
            "sv_min": sv[0],
            "Q_pow": q_pow,
        },
        symbols={"A": "any real 2x2 matrix with I - A/2 invertible", "n": "power of Q"},
    )


@cayley_orthogonal_iff_skew.check(
    "NumPy (float64): solve (I - A/2) Q = I + A/2 for 200 seeded A = S + K (S symmetric, K skew) and the bug's A; "
    "||Q^T Q - I|| is 0 exactly when S = 0; SVD of the bug's Q and of Q^50",
    tol=1e-10,
    oracle_zh="NumPy（float64）：对 200 个用固定随机种子生成的 A = S + K（S 对称、K 反对称）以及出错代码的 A 求解 "
    "(I − A/2)Q = I + A/2；‖QᵀQ − I‖ 为 0 当且仅当 S = 0；对出错代码的 Q 与 Q^50 做奇异值分解",
)
def _() -> float:
    p = cayley_orthogonal_iff_skew.result.parts
    rng = np.random.default_rng(9)
    worst = 0.0
    for i in range(200):
        m = rng.normal(size=(2, 2))
        k_ = (m - m.T) / 2
        s_ = (m + m.T) / 2 if i % 2 else np.zeros((2, 2))
        am = s_ + k_
        q = np.linalg.solve(np.eye(2) - am / 2, np.eye(2) + am / 2)
        resid = float(np.max(np.abs(q.T @ q - np.eye(2))))
        if i % 2:
            worst = max(worst, float(resid < 1e-6))  # a symmetric part must break orthogonality
        else:
            worst = max(worst, resid)
    ab = np.array(p["A_bug"], dtype=float)
    qb = np.linalg.solve(np.eye(2) - ab / 2, np.eye(2) + ab / 2)
    sv = np.linalg.svd(qb, compute_uv=False)
    q50 = np.linalg.matrix_power(qb, 50)
    return max(
        worst,
        float(np.max(np.abs(qb - np.array(p["Q_bug"], dtype=float)))),
        abs(sv[0] - float(p["sv_max"])),
        abs(sv[1] - float(p["sv_min"])),
        float(
            np.max(
                np.abs(q50 - np.array(p["Q_pow"].subs(sp.Symbol("n", integer=True, positive=True), 50), dtype=float))
            )
        ),
    )


@derivation(
    "antisymmetric_diffusion_example",
    title="AntisymmetricRNN, one rotation pair mu = 2, eps = 1/10: without diffusion |lambda| = sqrt(26)/5 per step, "
    "about 7.1 after 100 steps; |lambda| <= 1 exactly for gamma in [10 - 4 sqrt 6, 10 + 4 sqrt 6]",
    title_zh="AntisymmetricRNN，一对旋转特征值 μ = 2，ε = 1/10：无扩散时每步 |λ| = √26/5，100 步后约 7.1；"
    "|λ| ≤ 1 当且仅当 γ ∈ [10 − 4√6, 10 + 4√6]",
)
def antisymmetric_diffusion_example() -> Result:
    """antisymmetric_euler_growth at eps = 1/10 and mu = 2 (M = [[0, -2], [2, 0]]): the Euler step's eigenvalue
    modulus without diffusion, its T-th power (= ||J^T||_2, J normal), the exact diffusion interval [gamma_-, gamma_+]
    and the small-eps approximation eps mu^2/2 of gamma_-."""
    ap = antisymmetric_euler_growth.result.parts
    sub = {eps: DIFF_EPS, mu: DIFF_MU}
    growth = sp.nsimplify(sp.simplify(ap["growth_no_diffusion"].subs(sub)))
    lo, hi = (sp.radsimp(sp.simplify(ap[k].subs(sub))) for k in ("gamma_min", "gamma_max"))
    approx = sp.simplify(ap["gamma_min_series"].subs(sub))
    return Result(
        expr=sp.Tuple(growth, lo, hi),
        latex=rf"|\lambda|_{{\gamma=0}}={sp.latex(growth)},\quad \gamma_-={sp.latex(lo)},\ \gamma_+={sp.latex(hi)}",
        parts={
            "eps": DIFF_EPS,
            "mu": DIFF_MU,
            "T": sp.Integer(DIFF_T),
            "M": sp.Matrix([[0, -DIFF_MU], [DIFF_MU, 0]]),
            "growth_step": growth,
            "growth_T": growth**DIFF_T,
            "gamma_min": lo,
            "gamma_max": hi,
            "gamma_min_approx": approx,
        },
        symbols={"epsilon": "Euler step", "mu": "rotation rate of the pair", "gamma": "diffusion"},
    )


@antisymmetric_diffusion_example.check(
    "torch autograd (float64) through 100 AntisymmetricRNN steps at h = 0 with M = [[0, -2], [2, 0]]: spectral norm "
    "at gamma = 0 and at gamma_-, gamma_+ (norm 1), and at gamma_-/2 (above 1)",
    tol=1e-10,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：在 h = 0 处对 100 步 AntisymmetricRNN 求导，M = [[0, −2], [2, 0]]："
    "γ = 0 时的谱范数；γ₋ 与 γ₊ 处谱范数为 1；γ₋/2 处大于 1",
)
def _() -> float:
    import torch

    p = antisymmetric_diffusion_example.result.parts
    e, m = float(p["eps"]), float(p["mu"])
    mm = np.array([[0.0, -m], [m, 0.0]])

    def norm_after(g: float) -> float:
        mt = torch.tensor(mm - g * np.eye(2))

        def run(h: torch.Tensor) -> torch.Tensor:
            for _ in range(int(p["T"])):
                h = h + e * torch.tanh(mt @ h)
            return h

        jac = torch.autograd.functional.jacobian(run, torch.zeros(2, dtype=torch.float64))
        return float(torch.linalg.matrix_norm(jac, ord=2))

    lo, hi = float(p["gamma_min"]), float(p["gamma_max"])
    return max(
        abs(norm_after(0.0) / float(p["growth_T"]) - 1),
        abs(norm_after(lo) - 1),
        abs(norm_after(hi) - 1),
        float(norm_after(lo / 2) <= 1.0),
    )


@antisymmetric_diffusion_example.check(
    "NumPy eigenvalues of I + eps(M - gamma I) (float64): modulus at gamma = 0, gamma_-, gamma_+",
    tol=1e-12,
    oracle_zh="NumPy（float64）求 I + ε(M − γI) 的特征值：γ = 0、γ₋、γ₊ 处的模",
)
def _() -> float:
    p = antisymmetric_diffusion_example.result.parts
    e, m = float(p["eps"]), float(p["mu"])
    mm = np.array([[0.0, -m], [m, 0.0]])
    out = []
    for g, want in ((0.0, float(p["growth_step"])), (float(p["gamma_min"]), 1.0), (float(p["gamma_max"]), 1.0)):
        out.append(abs(float(np.max(np.abs(np.linalg.eigvals(np.eye(2) + e * (mm - g * np.eye(2)))))) - want))
    return max(out)
