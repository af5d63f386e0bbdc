"""Gated recurrences h_t = G1 * h_{t-1} + G2 * h^_t: where a sigmoid gate's values lie (exactly and in float64), the
Jacobian of the general recurrence, why gating alone does not bound it by 1, the GRU (G2 = 1 - G1) and the LSTM cell
(independent f and i) as instances, and the data of the figure comparing the cells' gradient norms over time.

Conventions: vectors are columns, Jacobians are d(output)/d(input) with rows indexing outputs (numerator
layout); "*" is the elementwise product; sigma is the logistic sigmoid; "norm" of a matrix is its spectral norm
(largest singular value) unless stated otherwise. fl(x) is x rounded to the nearest float64 (ties to even).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.act import sigmoid, sigmoid_naive
from derivations.nets.gru import gru_cell_np, gru_jacobian_np
from derivations.nets.lstm import init_params, lstm_block_jacobian_np, lstm_cell_np
from derivations.nets.rnn import run_rnn
from derivations.oracles.finite import central_diff
from derivations.sym import Sigmoid, diag, sci_latex, sigmoid_explicit, symbol_vector

# --- sigmoid gates live in the open interval (0, 1); float64 rounds them to 0 and 1 ------------------------------
_z = sp.Symbol("z", real=True)


@derivation(
    "sigmoid_gate_open_interval",
    title="A sigmoid gate never equals 0 or 1 in exact arithmetic; float64 rounds it to exactly 1 from z ≈ 37.43 "
    "(correctly rounded), from z ≈ 36.74 by the formula 1/(1+e^-z) that torch evaluates",
    title_zh="在精确算术中 sigmoid 门永远取不到 0 或 1；float64 从 z ≈ 37.43 起把它舍入为恰好 1（正确舍入），"
    "按 torch 所用的公式 1/(1+e^-z) 逐步计算则从 z ≈ 36.74 起就是 1",
)
def sigmoid_gate_open_interval() -> Result:
    s = 1 / (1 + sp.exp(-_z))
    reach_one = sp.solveset(sp.Eq(s, 1), _z, domain=sp.S.Reals)
    reach_zero = sp.solveset(sp.Eq(s, 0), _z, domain=sp.S.Reals)
    lo, hi = sp.limit(s, _z, -sp.oo), sp.limit(s, _z, sp.oo)
    if reach_one != sp.S.EmptySet or reach_zero != sp.S.EmptySet or (lo, hi) != (0, 1):
        raise ArithmeticError("sigmoid reaches 0 or 1, or has unexpected limits")
    gap = sp.simplify(1 - s)  # = 1/(1 + e^z) = sigma(-z) > 0
    # Correctly rounded: below 1 the float64 grid has spacing 2^-53, so fl(sigma) = 1 iff 1 - sigma = 1/(1 + e^z) is at
    # most half of it, 2^-54 (the tie goes to the even neighbour 1.0): iff e^z >= 2^54 - 1.
    one_from = sp.log(sp.Integer(2) ** 54 - 1)
    # sigma(37): 2^-54 < 1 - sigma(37) < 3 * 2^-54, so the nearest float64 is 1 - 2^-53, not 1.
    gap37 = gap.subs(_z, 37)
    if not (sp.Rational(1, 2**54) < gap37 < sp.Rational(3, 2**54)):
        raise ArithmeticError("1 - sigma(37) is not between 2^-54 and 3 * 2^-54")
    sigma37 = 1 - sp.Rational(1, 2**53)
    # Correctly rounded towards 0: fl(sigma) = 0 iff sigma <= 2^-1075, half the smallest subnormal 2^-1074 (tie to 0).
    zero_below = -sp.log(sp.Integer(2) ** 1075 - 1)
    # The formula 1/(1 + e^{-z}) evaluated in float64 step by step (torch.sigmoid): 1 + fl(e^{-z}) rounds to 1 once
    # e^{-z} <= 2^-53, half an ulp of 1 above it (tie to even), i.e. z >= 53 ln 2; and it returns 0 once e^{-z}
    # overflows, z < -ln(DBL_MAX).
    naive_one_from = 53 * sp.log(2)
    overflow = -sp.log((2 - sp.Rational(1, 2**52)) * sp.Integer(2) ** 1023)
    return Result(
        expr=sp.Tuple(sp.Interval.open(0, 1), reach_zero, reach_one, one_from, zero_below, naive_one_from, overflow),
        latex=(
            r"\begin{aligned}&\sigma(z)=\frac{1}{1+e^{-z}}\in(0,1),\quad"
            r"\{z:\sigma(z)=1\}=\{z:\sigma(z)=0\}=\varnothing,"
            rf"\quad 1-\sigma(z)={sp.latex(gap)}>0;\\"
            rf"&\operatorname{{fl}}(\sigma(z))=1\iff z\ge\ln(2^{{54}}-1)\approx{float(one_from):.4f},\quad"
            r"\operatorname{fl}(\sigma(37))=1-2^{-53};\\"
            rf"&\operatorname{{fl}}(\sigma(z))=0\iff z\le-\ln(2^{{1075}}-1)\approx{float(zero_below):.2f};\\"
            rf"&z\ge 53\ln 2\approx{float(naive_one_from):.4f}\Rightarrow"
            r"\operatorname{fl}\bigl(1/(1+e^{-z})\bigr)=1,\quad "
            rf"z<-\ln(\mathrm{{DBL\_MAX}})\approx{float(overflow):.2f}\Rightarrow"
            r"\operatorname{fl}\bigl(1/(1+e^{-z})\bigr)=0\end{aligned}"
        ),
        parts={
            "range": sp.Interval.open(0, 1),
            "gap_to_one": gap,
            "float64_rounds_to_one_from": one_from,
            "float64_sigma_37": sigma37,
            "float64_rounds_to_zero_below": zero_below,
            "naive_float64_one_from": naive_one_from,
            "naive_float64_zero_below": overflow,
        },
        symbols={"z": "gate pre-activation (real)"},
        text={
            "float64_rounds_to_one_from": f"{float(one_from):.4f}",
            "float64_rounds_to_zero_below": f"{float(zero_below):.2f}",
            "naive_float64_one_from": f"{float(naive_one_from):.4f}",
            "naive_float64_zero_below": f"{float(overflow):.2f}",
        },
    )


def _nearest_float64(x: mpmath.mpf) -> float:
    """The float64 nearest to the binary number ``x`` (ties to even, subnormals included): Python's float(Fraction)
    is correctly rounded."""
    man, exp = x.man_exp
    return float(Fraction(int(man)) * Fraction(2) ** int(exp))


@sigmoid_gate_open_interval.check(
    "mpmath at 60 digits rounded to the nearest float64: sigma at the floats on either side of each threshold, "
    "sigma(37); and 0 < sigma < 1 at z = ±40, ±800 at 400 digits",
    tol=0.0,
    oracle_zh="mpmath 60 位精度计算后就近舍入到 float64：在每个阈值两侧相邻的浮点数处求 σ，以及 σ(37)；"
    "并在 400 位精度下验证 z = ±40、±800 时 0 < σ < 1",
)
def _() -> float:
    p = sigmoid_gate_open_interval.result.parts
    one, zero = float(p["float64_rounds_to_one_from"]), float(p["float64_rounds_to_zero_below"])

    def fl_sigma(t: float) -> float:
        with mpmath.workdps(60):
            return _nearest_float64(1 / (1 + mpmath.exp(-mpmath.mpf(t))))

    ok = [
        fl_sigma(np.nextafter(one, np.inf)) == 1.0,
        fl_sigma(np.nextafter(one, -np.inf)) == 1.0 - 2.0**-53,
        fl_sigma(37.0) == float(p["float64_sigma_37"]),
        fl_sigma(np.nextafter(zero, -np.inf)) == 0.0,
        fl_sigma(np.nextafter(zero, np.inf)) == 2.0**-1074,
    ]
    with mpmath.workdps(400):
        ok.append(all(0 < 1 / (1 + mpmath.exp(-mpmath.mpf(t))) < 1 for t in (-800, -40, 40, 800)))
    return float(ok.count(False))


@sigmoid_gate_open_interval.check(
    "the formula 1/(1 + exp(-z)) in NumPy float64 (nets.act.sigmoid_naive) 1e-12 on either side of 53 ln 2 "
    "and 0.01 on either side of -ln(DBL_MAX); it gives 1.0 at z = 37",
    tol=0.0,
    oracle_zh="NumPy float64 按公式 1/(1 + exp(-z)) 计算（nets.act.sigmoid_naive）：在 53 ln 2 两侧 1e-12 处、"
    "−ln(DBL_MAX) 两侧 0.01 处求值；z = 37 时结果为 1.0",
)
def _() -> float:
    p = sigmoid_gate_open_interval.result.parts
    up, naive = float(p["naive_float64_one_from"]), float(p["naive_float64_zero_below"])
    s = sigmoid_naive(np.array([up - 1e-12, up + 1e-12, naive + 0.01, naive - 0.01, 37.0]))
    ok = [s[0] == 1.0 - 2.0**-52, s[1] == 1.0, s[2] > 0.0, s[3] == 0.0, s[4] == 1.0]
    return float(ok.count(False))


@sigmoid_gate_open_interval.check(
    "torch.sigmoid float64 (CPU) on either side of 53 ln 2 and of -ln(DBL_MAX), and at z = 37: the naive formula's "
    "thresholds, not the correctly rounded ones",
    tol=0.0,
    needs="torch",
    oracle_zh="float64 的 `torch.sigmoid`（CPU）在 53 ln 2 与 −ln(DBL_MAX) 两侧以及 z = 37 处的取值："
    "与朴素公式的阈值一致，而非正确舍入的阈值",
)
def _() -> float:
    import torch

    p = sigmoid_gate_open_interval.result.parts
    up, naive = float(p["naive_float64_one_from"]), float(p["naive_float64_zero_below"])
    s = torch.sigmoid(torch.tensor([up - 1e-12, up + 1e-12, naive + 0.01, naive - 0.01, 37.0], dtype=torch.float64))
    ok = [bool(s[0] < 1.0), bool(s[1] == 1.0), bool(s[2] > 0.0), bool(s[3] == 0.0), bool(s[4] == 1.0)]
    return float(ok.count(False))


# --- the general gated recurrence ----------------------------------------------------------------------------
_H = 2
_h = symbol_vector("h", _H)


def _undef(name: str) -> sp.Matrix:
    return sp.Matrix(_H, 1, lambda i, _: sp.Function(f"{name}_{i}")(*_h))


@derivation(
    "gated_recurrence_jacobian",
    title="h' = G1*h + G2*h^: dh'/dh = diag(G1) + diag(h) dG1/dh + diag(h^) dG2/dh + diag(G2) dh^/dh",
    title_zh="门控递推 h′ = G1⊙h + G2⊙ĥ 的雅可比矩阵：diag(G1) + diag(h)∂G1/∂h + diag(ĥ)∂G2/∂h + diag(G2)∂ĥ/∂h",
)
def gated_recurrence_jacobian() -> Result:
    g1, g2, hat = _undef("G1"), _undef("G2"), _undef("hhat")
    new = sp.matrix_multiply_elementwise(g1, _h) + sp.matrix_multiply_elementwise(g2, hat)
    jac = new.jacobian(_h)
    structured = diag(g1) + diag(_h) * g1.jacobian(_h) + diag(hat) * g2.jacobian(_h) + diag(g2) * hat.jacobian(_h)
    if sp.expand(jac - structured) != sp.zeros(_H, _H):
        raise ArithmeticError("gated Jacobian differs from the four-term formula")
    return Result(
        expr=jac,
        latex=(
            r"h_t=G_1\odot h_{t-1}+G_2\odot\hat h_t\ \Rightarrow\ \frac{\partial h_t}{\partial h_{t-1}}="
            r"\operatorname{diag}(G_1)+\operatorname{diag}(h_{t-1})\frac{\partial G_1}{\partial h_{t-1}}"
            r"+\operatorname{diag}(\hat h_t)\frac{\partial G_2}{\partial h_{t-1}}"
            r"+\operatorname{diag}(G_2)\frac{\partial \hat h_t}{\partial h_{t-1}}"
        ),
        parts={"jacobian": jac, "structured": structured},
        symbols={
            "h_k": "component k of the previous state h_{t-1} (H = 2 shown; the formula holds for any H)",
            "G1_k, G2_k, hhat_k": "component k of the gates G1, G2 and the candidate h^, arbitrary functions of h",
        },
    )


def _concrete_gated() -> tuple[dict, sp.Matrix, Callable[[np.ndarray], np.ndarray]]:
    """A concrete gated cell (sigmoid gates, tanh candidate) with fixed weights, as SymPy and NumPy."""
    a = np.array([[0.7, -1.2], [0.4, 0.9]])
    b = np.array([[-0.5, 0.8], [1.1, 0.3]])
    u = np.array([[1.3, -0.6], [0.5, 1.6]])
    subs = {}
    for i in range(_H):
        la = sum(sp.Float(a[i, j]) * _h[j] for j in range(_H))
        lb = sum(sp.Float(b[i, j]) * _h[j] for j in range(_H))
        lu = sum(sp.Float(u[i, j]) * _h[j] for j in range(_H))
        subs[sp.Function(f"G1_{i}")(*_h)] = 1 / (1 + sp.exp(-la - 0.2))
        subs[sp.Function(f"G2_{i}")(*_h)] = 1 / (1 + sp.exp(-lb + 0.1))
        subs[sp.Function(f"hhat_{i}")(*_h)] = sp.tanh(lu)

    def step(hv: np.ndarray) -> np.ndarray:
        return sigmoid(a @ hv + 0.2) * hv + sigmoid(b @ hv - 0.1) * np.tanh(u @ hv)

    return subs, gated_recurrence_jacobian.result.parts["structured"], step


@gated_recurrence_jacobian.check(
    "central finite differences of a concrete NumPy gated cell, float64",
    tol=1e-8,
    oracle_zh="对一个具体的 NumPy 门控单元做中心有限差分（float64）",
)
def _() -> float:
    subs, structured, step = _concrete_gated()
    f = sp.lambdify(list(_h), structured.subs(subs).doit(), "numpy")
    errs = []
    for hv in (np.array([0.3, -0.7]), np.array([-1.2, 0.5])):
        fd = np.column_stack(
            [central_diff(lambda t, j=j, hv=hv: step(hv + t * np.eye(_H)[j]), np.array(0.0), 1e-6) for j in range(_H)]
        )
        errs.append(np.max(np.abs(np.array(f(*hv), dtype=float) - fd)))
    return float(max(errs))


@gated_recurrence_jacobian.check(
    "torch.autograd.functional.jacobian of the concrete cell, float64",
    tol=1e-12,
    needs="torch",
    oracle_zh="对同一具体单元用 `torch.autograd.functional.jacobian` 求雅可比矩阵（float64）",
)
def _() -> float:
    import torch

    subs, structured, _step = _concrete_gated()
    f = sp.lambdify(list(_h), structured.subs(subs).doit(), "numpy")
    a = torch.tensor([[0.7, -1.2], [0.4, 0.9]], dtype=torch.float64)
    b = torch.tensor([[-0.5, 0.8], [1.1, 0.3]], dtype=torch.float64)
    u = torch.tensor([[1.3, -0.6], [0.5, 1.6]], dtype=torch.float64)

    def step(hv: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(a @ hv + 0.2) * hv + torch.sigmoid(b @ hv - 0.1) * torch.tanh(u @ hv)

    hv = torch.tensor([0.3, -0.7], dtype=torch.float64)
    jt = torch.autograd.functional.jacobian(step, hv).numpy()
    return float(np.max(np.abs(np.array(f(*hv.numpy()), dtype=float) - jt)))


# --- gating does not bound the Jacobian by 1 -------------------------------------------------------------------
_hs, _u, _a, _b = sp.symbols("h u a b", real=True)
_T = sp.Symbol("T", integer=True, positive=True)


@derivation(
    "gated_jacobian_exceeds_one",
    title="Gates in (0,1) do not bound the Jacobian: h' = z h + (1-z) tanh(3h), z = 1/2, has dh'/dh = 2 at h = 0",
    title_zh="门值在 (0,1) 内不能把雅可比矩阵的范数限制在 1 以内："
    "h′ = zh + (1−z)tanh(3h)，z = 1/2，在 h = 0 处 dh′/dh = 2",
)
def gated_jacobian_exceeds_one() -> Result:
    z = Sigmoid(_a * _hs + _b)
    step = z * _hs + (1 - z) * sp.tanh(_u * _hs)
    d = sp.diff(step, _hs)
    general_at_0 = sp.simplify(sigmoid_explicit(d.subs(_hs, 0)))
    value = sp.nsimplify(general_at_0.subs({_a: 0, _b: 0, _u: 3}))
    fixed = step.subs({_hs: 0})
    if value != 2 or fixed != 0:
        raise ArithmeticError("expected derivative 2 at the fixed point h = 0")
    t_steps = value**_T  # h = 0 is a fixed point, so the T-step derivative is the product of T equal factors
    return Result(
        expr=sp.Tuple(sp.Lambda((_a, _b, _u), general_at_0), value, sp.Lambda(_T, t_steps)),
        latex=(
            r"\begin{aligned}&h'=z\,h+(1-z)\tanh(uh),\ z=\sigma(ah+b):\quad \left.\frac{dh'}{dh}\right|_{h=0}="
            + sp.latex(general_at_0)
            + r"\ \xrightarrow{a=b=0,\ u=3}\ "
            + sp.latex(value)
            + r";\\&h'(0)=0\ \Rightarrow\ \left.\frac{dh_T}{dh_0}\right|_{h_0=0}=2^{T}\end{aligned}"
        ),
        parts={
            "derivative_at_0": general_at_0,
            "example_value": value,
            "t_step": t_steps,
            "step": sigmoid_explicit(step),
        },
        symbols={
            "h": "scalar state",
            "a, b": "gate weight and bias: z = sigma(a h + b)",
            "u": "recurrent weight of the tanh candidate",
            "T": "number of steps",
        },
    )


@gated_jacobian_exceeds_one.check(
    "central finite differences of 10 NumPy steps from h = 0 (expect 2^10)",
    tol=1e-6,
    oracle_zh="从 h = 0 出发对 10 步 NumPy 计算做中心有限差分（应为 2^10）",
)
def _() -> float:
    def run(h0: np.ndarray) -> np.ndarray:
        hv = h0
        for _ in range(10):
            z = sigmoid(0.0 * hv)
            hv = z * hv + (1 - z) * np.tanh(3.0 * hv)
        return hv

    fd = float(central_diff(run, np.array(0.0), 1e-9))
    expected = float(gated_jacobian_exceeds_one.result.parts["t_step"].subs(_T, 10))
    return abs(fd - expected) / expected


@gated_jacobian_exceeds_one.check(
    "torch autograd through 10 steps from h = 0, float64",
    tol=1e-12,
    needs="torch",
    oracle_zh="从 h = 0 出发，对 10 步 torch 计算做自动微分（float64）",
)
def _() -> float:
    import torch

    h0 = torch.zeros((), dtype=torch.float64, requires_grad=True)
    hv = h0
    for _ in range(10):
        z = torch.sigmoid(0.0 * hv)
        hv = z * hv + (1 - z) * torch.tanh(3.0 * hv)
    (g,) = torch.autograd.grad(hv, h0)
    return abs(float(g) - float(gated_jacobian_exceeds_one.result.parts["t_step"].subs(_T, 10)))


@gated_jacobian_exceeds_one.check(
    "central finite differences (float64) of one step at h = 0 for 5 random (a, b, u): the general derivative",
    tol=1e-8,
    oracle_zh="对 h = 0 处的一步计算做中心有限差分（float64），取 5 组随机 (a, b, u)：验证一般形式的导数",
)
def _() -> float:
    general = sp.lambdify((_a, _b, _u), gated_jacobian_exceeds_one.result.parts["derivative_at_0"], "math")
    rng = np.random.default_rng(6)
    errs = []
    for a, b, u in rng.normal(scale=2.0, size=(5, 3)):

        def step(h: np.ndarray, a: float = a, b: float = b, u: float = u) -> np.ndarray:
            z = sigmoid(a * h + b)
            return z * h + (1 - z) * np.tanh(u * h)

        errs.append(abs(float(central_diff(step, np.array(0.0), 1e-6)) - general(a, b, u)))
    return float(max(errs))


# --- GRU and LSTM as instances -----------------------------------------------------------------------------------
@derivation(
    "gated_gru_lstm_instances",
    title="GRU: G1 = z, G2 = 1 - z (convex combination); LSTM cell: G1 = f, G2 = i independent, |c_t| < |c_0| + t",
    title_zh="GRU：G1 = z，G2 = 1 − z（凸组合）；LSTM 细胞状态：G1 = f、G2 = i 相互独立，|c_t| < |c_0| + t",
)
def gated_gru_lstm_instances() -> Result:
    g1, hh, hv = sp.symbols("G1 hhat h", real=True)
    gru_new = g1 * hv + (1 - g1) * hh
    # convexity: h' - h^ = G1 (h - h^) and h' - h = (1 - G1)(h^ - h), both with factors in (0, 1)
    if sp.expand(gru_new - hh - g1 * (hv - hh)) != 0 or sp.expand(gru_new - hv - (1 - g1) * (hh - hv)) != 0:
        raise ArithmeticError("GRU update is not a convex combination")
    f, i, c, g = sp.symbols("f i c g", real=True)
    lstm_new = f * c + i * g
    gate_sum_range = sp.Interval.open(0, 2)  # f + i with f, i in (0, 1) independently
    # worst case growth: |c'| <= f|c| + i|g| < |c| + 1, so |c_t| < |c_0| + t
    t = sp.Symbol("t", integer=True, nonnegative=True)
    growth = sp.Lambda(t, sp.Symbol("c_0_abs", nonnegative=True) + t)
    d_gru = sp.diff(gru_new, hv)
    d_lstm = sp.diff(lstm_new, c)
    return Result(
        expr=sp.Tuple(sp.Eq(sp.Symbol("hprime"), gru_new), sp.Eq(sp.Symbol("cprime"), lstm_new), gate_sum_range),
        latex=(
            r"\text{GRU: } h'=z\odot h+(1-z)\odot n\ (G_1+G_2=1),\qquad"
            r"\text{LSTM: } c'=f\odot c+i\odot g\ (G_1+G_2=f+i\in(0,2)),\ |c_t|<|c_0|+t"
        ),
        parts={
            "gru_update": gru_new,
            "lstm_update": lstm_new,
            "gru_direct_partial": d_gru,
            "lstm_direct_partial": d_lstm,
            "lstm_gate_sum_range": gate_sum_range,
            "lstm_cell_growth_bound": growth,
        },
        symbols={
            "G1": "gate on the old state (GRU: z in PyTorch/Cho convention)",
            "hhat": "candidate (GRU: n)",
            "h": "previous hidden state",
            "f, i": "LSTM forget and input gates",
            "c": "previous cell state",
            "g": "LSTM candidate tanh(...) in (-1, 1)",
            "c_0_abs": "|c_0|",
            "t": "number of steps",
            "hprime, cprime": "the updated hidden state h' and cell state c'",
        },
    )


@gated_gru_lstm_instances.check(
    "NumPy float64: an LSTM cell with gates sigma(30) < 1 nears but stays below |c_0| + t (c_200 > 199.9); with "
    "gates rounded to exactly 1.0 (sigma(40), tanh(40)) it reaches c_200 = 200; a GRU state stays in [-1, 1]",
    tol=0.0,
    oracle_zh="NumPy float64：门值为 σ(30) < 1 的 LSTM 细胞状态逼近但始终低于 |c_0| + t（c_200 > 199.9）；"
    "门值舍入为恰好 1.0（σ(40)、tanh(40)）时 c_200 = 200；GRU 状态始终在 [−1, 1] 内",
)
def _() -> float:
    f = i = g = float(sigmoid(np.array(30.0)))  # f, i, g within 1e-13 of 1
    c, over = 0.0, 0.0
    for t in range(1, 201):
        c = f * c + i * g
        over = max(over, c - t)  # the bound |c_t| < |c_0| + t with c_0 = 0
    rng = np.random.default_rng(3)
    hv, gru_over = rng.uniform(-1, 1, 4), 0.0
    for _ in range(200):
        z = sigmoid(rng.normal(size=4) * 3)
        hv = z * hv + (1 - z) * np.tanh(rng.normal(size=4) * 3)
        gru_over = max(gru_over, float(np.max(np.abs(hv))) - 1.0)
    grows = 0.0 if c > 199.9 else 1.0
    one = float(sigmoid(np.array(40.0))) * float(np.tanh(40.0))  # both round to exactly 1.0
    c_sat = 0.0
    for _ in range(200):
        c_sat = 1.0 * c_sat + one
    saturated = 0.0 if one == 1.0 and c_sat == 200.0 else 1.0
    return max(0.0, over) + max(0.0, gru_over) + grows + saturated


@gated_gru_lstm_instances.check(
    "torch.nn.GRUCell Jacobian vs the general gated formula with G1 = z, G2 = 1 - z, h^ = n (float64)",
    tol=1e-12,
    needs="torch",
    oracle_zh="把 G1 = z、G2 = 1 − z、ĥ = n 代入一般公式，与 `torch.nn.GRUCell` 的雅可比矩阵比较（float64）",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import jacobian, torch_gru_cell

    hid, rng = 4, np.random.default_rng(17)
    p = {k: 2.0 * v for k, v in init_params(3, 3, hid, rng).items()}
    x, hv = rng.normal(size=3), rng.uniform(-1, 1, hid)
    u = {k: p["weight_hh"][n * hid : (n + 1) * hid] for n, k in enumerate("rzn")}
    b = {k: p["bias_hh"][n * hid : (n + 1) * hid] for n, k in enumerate("rzn")}
    pre = p["weight_ih"] @ x + p["bias_ih"]
    r = sigmoid(pre[:hid] + u["r"] @ hv + b["r"])
    z = sigmoid(pre[hid : 2 * hid] + u["z"] @ hv + b["z"])
    m = u["n"] @ hv + b["n"]
    n = np.tanh(pre[2 * hid :] + r * m)
    d_g1 = (z * (1 - z))[:, None] * u["z"]
    d_hat = (1 - n**2)[:, None] * (r[:, None] * u["n"] + (m * r * (1 - r))[:, None] * u["r"])
    g1, g2, d_g2 = z, 1 - z, -d_g1  # the GRU instance of h' = G1*h + G2*h^
    general = np.diag(g1) + hv[:, None] * d_g1 + n[:, None] * d_g2 + g2[:, None] * d_hat
    cell = torch_gru_cell(p)
    jt = jacobian(lambda h: cell(torch.from_numpy(x)[None], h[None])[0], hv)
    return float(np.max(np.abs(general - jt)))


# --- figure data: gradient norms of the cells over time ------------------------------------------------------
FIG_HIDDEN = 32
FIG_INPUT = 8
FIG_STEPS = 100
FIG_SEED = 0


def _figure_inputs(steps: int, seed: int, input_size: int) -> np.ndarray:
    return np.random.default_rng(seed + 1).normal(size=(steps, input_size))


def figure_data_gradient_norms(
    hidden: int = FIG_HIDDEN, steps: int = FIG_STEPS, seed: int = FIG_SEED, input_size: int = FIG_INPUT
) -> dict[str, np.ndarray]:
    """Spectral norms of dc_T/dc_t and dh_T/dh_t for t = 0..T-1 (tanh RNN, LSTM forget bias 0 and 1, PyTorch GRU).

    Every model uses PyTorch's default init U(-1/sqrt(H), 1/sqrt(H)) drawn from ``default_rng(seed)`` and the same
    inputs x_t ~ N(0, 1) from ``default_rng(seed + 1)``, from the zero state. For the LSTM the state is (c, h) and the
    reported blocks are those of the product of full 2H x 2H block Jacobians (so dc_T/dc_t holds h_t fixed,
    dh_T/dh_t holds c_t fixed); the forget bias is added to bias_ih[H:2H] on top of the random init. Norm: largest
    singular value. Keys: "t", "rnn_h", "lstm_b0_c", "lstm_b0_h", "lstm_b1_c", "lstm_b1_h", "gru_h".
    """
    xs = _figure_inputs(steps, seed, input_size)
    out: dict[str, np.ndarray] = {"t": np.arange(steps)}

    def norms(jacs: list[np.ndarray], sl: slice | None = None) -> np.ndarray:
        prod = np.eye(jacs[0].shape[0])
        res = np.empty(steps)
        for t in range(steps - 1, -1, -1):  # jacs[t] = d state_{t+1} / d state_t
            prod = prod @ jacs[t]
            block = prod if sl is None else prod[sl, sl]
            res[t] = np.linalg.norm(block, 2)
        return res

    p = init_params(1, input_size, hidden, np.random.default_rng(seed))
    _hs, _fp, jacs = run_rnn(p["weight_hh"], p["weight_ih"], p["bias_ih"] + p["bias_hh"], xs, np.zeros(hidden), "tanh")
    out["rnn_h"] = norms(jacs)

    for bias in (0, 1):
        p = init_params(4, input_size, hidden, np.random.default_rng(seed))
        p["bias_ih"][hidden : 2 * hidden] += bias
        hv, cv, jacs = np.zeros(hidden), np.zeros(hidden), []
        for x in xs:
            jacs.append(lstm_block_jacobian_np(p, x, hv, cv))
            hv, cv = lstm_cell_np(p, x, hv, cv)
        out[f"lstm_b{bias}_c"] = norms(jacs, slice(0, hidden))
        out[f"lstm_b{bias}_h"] = norms(jacs, slice(hidden, 2 * hidden))

    p = init_params(3, input_size, hidden, np.random.default_rng(seed))
    hv, jacs = np.zeros(hidden), []
    for x in xs:
        jacs.append(gru_jacobian_np(p, x, hv, "pytorch"))
        hv = gru_cell_np(p, x, hv, "pytorch")
    out["gru_h"] = norms(jacs)
    return out


_CURVES = ("rnn_h", "lstm_b0_c", "lstm_b1_c", "gru_h")


@derivation(
    "gated_gradient_norms_100",
    title="At PyTorch's default init (H = 32, seed 0), ||d state_100/d state_0|| for a tanh RNN, an LSTM with forget "
    "bias 0 and 1, and a GRU: all far below 1",
    title_zh="PyTorch 默认初始化下（H = 32，随机种子 0），tanh RNN、遗忘门偏置为 0 和 1 的 LSTM、GRU 的 "
    "‖∂s₁₀₀/∂s₀‖（s 为各模型的状态）：都远小于 1",
)
def gated_gradient_norms_100() -> Result:
    d = figure_data_gradient_norms()
    first = {k: float(d[k][0]) for k in _CURVES}
    if not all(v < 1e-3 for v in first.values()):
        raise ArithmeticError("expected every gradient norm to have vanished after 100 steps")
    decades = float(np.log10(first["lstm_b1_c"] / first["lstm_b0_c"]))
    return Result(
        expr=sp.Tuple(*(sp.Float(first[k], 6) for k in _CURVES)),
        latex=(
            rf"T={FIG_STEPS},\ H={FIG_HIDDEN}:\quad"
            r"\bigl\|\partial h_T/\partial h_0\bigr\|_2^{\mathrm{RNN}}"
            rf"\approx{sci_latex(first['rnn_h'], 2)},\quad"
            r"\bigl\|\partial c_T/\partial c_0\bigr\|_2^{b_f=0}"
            rf"\approx{sci_latex(first['lstm_b0_c'], 2)},\quad"
            r"\bigl\|\partial c_T/\partial c_0\bigr\|_2^{b_f=1}"
            rf"\approx{sci_latex(first['lstm_b1_c'], 2)},\quad"
            r"\bigl\|\partial h_T/\partial h_0\bigr\|_2^{\mathrm{GRU}}"
            rf"\approx{sci_latex(first['gru_h'], 2)}"
        ),
        parts={**{k: sp.Float(first[k], 15) for k in _CURVES}, "decades_b1_over_b0": sp.Float(decades, 15)},
        text={
            **{k: f"{first[k]:.1e}" for k in _CURVES},
            "decades_b1_over_b0": f"{decades:.0f}",
            "steps": str(FIG_STEPS),
            "hidden": str(FIG_HIDDEN),
            "input": str(FIG_INPUT),
            "seed": str(FIG_SEED),
        },
        symbols={"T": "number of steps", "H": "hidden size", "b_f": "forget bias added to bias_ih[H:2H]"},
    )


@gated_gradient_norms_100.check(
    f"torch autograd through {FIG_STEPS} steps of torch.nn.RNNCell, LSTMCell (forget bias 0 and 1) and GRUCell "
    "with the same weights and inputs, float64 (relative error of the norms)",
    tol=1e-9,
    needs="torch",
    oracle_zh=f"对 {FIG_STEPS} 步 `torch.nn.RNNCell`、`torch.nn.LSTMCell`（遗忘门偏置 0 和 1）与 `torch.nn.GRUCell` "
    "做自动微分（权重与输入相同，float64），比较范数的相对误差",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import jacobian, lstm_state_map, torch_gru_cell, torch_lstm_cell

    parts = gated_gradient_norms_100.result.parts
    xs = _figure_inputs(FIG_STEPS, FIG_SEED, FIG_INPUT)
    h0 = np.zeros(FIG_HIDDEN)
    errs = []

    def rel(j: np.ndarray, key: str) -> float:
        return abs(float(np.linalg.norm(j, 2)) - float(parts[key])) / float(parts[key])

    rnn = torch.nn.RNNCell(FIG_INPUT, FIG_HIDDEN, dtype=torch.float64)
    p = init_params(1, FIG_INPUT, FIG_HIDDEN, np.random.default_rng(FIG_SEED))
    with torch.no_grad():
        for k, v in p.items():
            getattr(rnn, k).copy_(torch.from_numpy(v))
    gru = torch_gru_cell(init_params(3, FIG_INPUT, FIG_HIDDEN, np.random.default_rng(FIG_SEED)))
    for cell, key in ((rnn, "rnn_h"), (gru, "gru_h")):

        def run(h: torch.Tensor, cell: torch.nn.Module = cell) -> torch.Tensor:
            for x in xs:
                h = cell(torch.from_numpy(x)[None], h[None])[0]
            return h

        errs.append(rel(jacobian(run, h0), key))
    for bias in (0, 1):
        p = init_params(4, FIG_INPUT, FIG_HIDDEN, np.random.default_rng(FIG_SEED))
        p["bias_ih"][FIG_HIDDEN : 2 * FIG_HIDDEN] += bias
        run = lstm_state_map(torch_lstm_cell(p), xs)
        j = jacobian(lambda c, run=run: run(c, c.new_zeros(FIG_HIDDEN))[0], h0)
        errs.append(rel(j, f"lstm_b{bias}_c"))
    return float(max(errs))
