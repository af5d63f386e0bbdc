"""Gated recurrences h_t = G1 * h_{t-1} + G2 * h^_t: their Jacobian, why gating alone does not bound it by 1,
the GRU (G2 = 1 - G1) and the LSTM cell (independent f and i) as instances, and figure data comparing cells.

Conventions: vectors are columns, Jacobians are d(output)/d(input) with rows indexing outputs (numerator
layout); "*" is the elementwise product; sigma is the logistic sigmoid; "norm" of a matrix is its spectral norm
(largest singular value) unless stated otherwise. Shared pieces for lstm.py and gru.py live here: a SymPy
``Sigmoid`` whose derivative rule is sigma(1 - sigma), a NumPy sigmoid, and the plain tanh RNN cell.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.oracles.finite import central_diff
from derivations.symbols import symbol_matrix, symbol_vector

if TYPE_CHECKING:
    from matplotlib.figure import Figure


# --- shared symbolic and numeric pieces ------------------------------------------------------------------------
class Sigmoid(sp.Function):
    """Logistic sigmoid sigma(z) = 1/(1 + e^{-z}) as a SymPy function whose derivative is sigma(z)(1 - sigma(z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        """The derivative sigma(1 - sigma); ``sigmoid_rule_ok`` checks it against the exponential form."""
        s = Sigmoid(self.args[0])
        return s * (1 - s)

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


def sigmoid_explicit(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every ``Sigmoid(z)`` replaced by 1/(1 + exp(-z)), so that ``sympy.srepr`` can rebuild it."""
    return expr.replace(Sigmoid, lambda z: 1 / (1 + sp.exp(-z)))


def sigmoid_rule_ok() -> bool:
    """True if the derivative rule of ``Sigmoid`` equals d/dz 1/(1 + e^{-z}) (checked symbolically)."""
    z = sp.Symbol("z", real=True)
    explicit = sp.diff(1 / (1 + sp.exp(-z)), z)
    return sp.simplify(explicit - sigmoid_explicit(sp.diff(Sigmoid(z), z))) == 0


def np_sigmoid(t: np.ndarray) -> np.ndarray:
    """Logistic sigmoid 1/(1 + exp(-t)) elementwise in float64 (NumPy reference implementation)."""
    t = np.asarray(t, dtype=np.float64)
    e = np.exp(-np.abs(t))  # never overflows
    return np.where(t >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def diag(v: sp.Matrix) -> sp.Matrix:
    """The diagonal matrix with the entries of the column ``v`` on its diagonal."""
    return sp.diag(*list(v))


def rnn_cell_np(params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Plain tanh RNN step h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (PyTorch nn.RNNCell layout), float64."""
    return np.tanh(params["weight_ih"] @ x + params["bias_ih"] + params["weight_hh"] @ h + params["bias_hh"])


def rnn_jacobian_np(params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """dh'/dh = diag(1 - h'^2) W_hh for the plain tanh RNN (numerator layout), float64."""
    hn = rnn_cell_np(params, x, h)
    return (1.0 - hn**2)[:, None] * params["weight_hh"]


def init_params(gates: int, input_size: int, hidden: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """PyTorch-style parameters U(-1/sqrt(H), 1/sqrt(H)): weight_ih (gates*H, I), weight_hh (gates*H, H), 2 biases."""
    k = 1.0 / math.sqrt(hidden)
    return {
        "weight_ih": rng.uniform(-k, k, (gates * hidden, input_size)),
        "weight_hh": rng.uniform(-k, k, (gates * hidden, hidden)),
        "bias_ih": rng.uniform(-k, k, gates * hidden),
        "bias_hh": rng.uniform(-k, k, gates * hidden),
    }


# --- sigmoid gates live in the open interval (0, 1) --------------------------------------------------------
_z = sp.Symbol("z", real=True)


@derivation(
    "sigmoid_gate_open_interval",
    title="A sigmoid gate takes every value in (0, 1) but never 0 or 1 exactly (float64 rounds it to 1 for z > 36.7)",
    title_zh="sigmoid 门取遍 (0, 1) 内的值，但在精确算术中永远取不到 0 或 1（float64 在 z > 36.7 时舍入为 1）",
)
def sigmoid_gate_open_interval() -> Result:
    s = 1 / (1 + sp.exp(-_z))
    reach_one = sp.solveset(sp.Eq(s, 1), _z, domain=sp.S.Reals)
    reach_zero = sp.solveset(sp.Eq(s, 0), _z, domain=sp.S.Reals)
    lo, hi = sp.limit(s, _z, -sp.oo), sp.limit(s, _z, sp.oo)
    if reach_one != sp.S.EmptySet or reach_zero != sp.S.EmptySet or (lo, hi) != (0, 1):
        raise ArithmeticError("sigmoid reaches 0 or 1, or has unexpected limits")
    gap = sp.simplify(1 - s)  # = 1/(1 + e^z) = sigma(-z) > 0
    # float64: 1 - sigma(z) = 1/(1+e^z) falls below half an ulp of 1 (2^-53) once e^z > 2^53 - 1, i.e. z > 53 ln 2
    round_up = 53 * sp.log(2)
    # float64: sigma(z) ~ e^z for z << 0 rounds to 0 once it is below half the smallest subnormal 2^-1074
    round_down = -1075 * sp.log(2)
    # the naive formula 1/(1 + e^{-z}) (PyTorch's float64 sigmoid) returns 0 once e^{-z} overflows: z < -ln(DBL_MAX)
    overflow = -sp.log((2 - sp.Rational(1, 2**52)) * sp.Integer(2) ** 1023)
    return Result(
        expr=sp.Tuple(sp.Interval.open(0, 1), reach_zero, reach_one, round_up, round_down, overflow),
        latex=(
            r"\begin{aligned}&\sigma(z)=\frac{1}{1+e^{-z}}\in(0,1),\quad"
            r"\{z:\sigma(z)=1\}=\{z:\sigma(z)=0\}=\varnothing,"
            rf"\quad 1-\sigma(z)={sp.latex(gap)}>0;\\"
            rf"&z>{sp.latex(round_up)}\approx{float(round_up):.4f}\Rightarrow\operatorname{{fl}}(\sigma(z))=1;\quad "
            rf"z<{sp.latex(round_down)}\approx{float(round_down):.2f}\Rightarrow\operatorname{{fl}}(\sigma(z))=0;\\"
            rf"&z<-\ln(\mathrm{{DBL\_MAX}})\approx{float(overflow):.2f}\Rightarrow"
            r"\operatorname{fl}\bigl(1/(1+e^{-z})\bigr)=0\end{aligned}"
        ),
        parts={
            "range": sp.Interval.open(0, 1),
            "gap_to_one": gap,
            "float64_rounds_to_one_above": round_up,
            "float64_rounds_to_zero_below": round_down,
            "naive_float64_zero_below": overflow,
        },
        symbols={"z": "gate pre-activation (real)"},
        text={
            "float64_rounds_to_one_above": f"{float(round_up):.4f}",
            "float64_rounds_to_zero_below": f"{float(round_down):.2f}",
            "naive_float64_zero_below": f"{float(overflow):.2f}",
        },
    )


@sigmoid_gate_open_interval.check(
    "mpmath at 400 digits: 0 < sigma(z) < 1 at z = +-40, +-800; NumPy float64 rounds 0.5 past each threshold", tol=0.0
)
def _() -> float:
    with mpmath.workdps(400):
        inside = all(0 < 1 / (1 + mpmath.exp(-mpmath.mpf(t))) < 1 for t in (-800, -40, 40, 800))
    p = sigmoid_gate_open_interval.result.parts
    up, down = float(p["float64_rounds_to_one_above"]), float(p["float64_rounds_to_zero_below"])
    f64 = np_sigmoid(np.array([up - 0.5, up + 0.5, down + 0.5, down - 0.5]))
    rounds = f64[0] < 1.0 and f64[1] == 1.0 and f64[2] > 0.0 and f64[3] == 0.0
    return (0.0 if inside else 1.0) + (0.0 if rounds else 1.0)


@sigmoid_gate_open_interval.check(
    "torch.sigmoid float64 (CPU): 1.0 just above 53 ln 2, 0.0 just below -ln(DBL_MAX), positive just above",
    tol=0.0,
    needs="torch",
)
def _() -> float:
    import torch

    p = sigmoid_gate_open_interval.result.parts
    up, naive = float(p["float64_rounds_to_one_above"]), float(p["naive_float64_zero_below"])
    s = torch.sigmoid(torch.tensor([up - 0.01, up + 0.01, naive + 0.01, naive - 0.01], dtype=torch.float64))
    return 0.0 if (s[0] < 1.0 and s[1] == 1.0 and s[2] > 0.0 and s[3] == 0.0) else 1.0


# --- the general gated recurrence ----------------------------------------------------------------------------
_H = 2
_h = symbol_vector("h", _H)


def _undef(name: str) -> sp.Matrix:
    return sp.Matrix(_H, 1, lambda i, _: sp.Function(f"{name}_{i}")(*_h))


@derivation(
    "gated_recurrence_jacobian",
    title="h' = G1*h + G2*h^: dh'/dh = diag(G1) + diag(h) dG1/dh + diag(h^) dG2/dh + diag(G2) dh^/dh",
    title_zh="门控递归 h' = G1⊙h + G2⊙ĥ 的雅可比矩阵：diag(G1) + diag(h)∂G1/∂h + diag(ĥ)∂G2/∂h + diag(G2)∂ĥ/∂h",
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


def _concrete_gated() -> tuple[dict, sp.Matrix, callable]:
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
        return np_sigmoid(a @ hv + 0.2) * hv + np_sigmoid(b @ hv - 0.1) * np.tanh(u @ hv)

    return subs, gated_recurrence_jacobian.result.parts["structured"], step


@gated_recurrence_jacobian.check("central finite differences of a concrete NumPy gated cell, float64", tol=1e-8)
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
    "torch.autograd.functional.jacobian of the concrete cell, float64", tol=1e-12, needs="torch"
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
    title_zh="门值在 (0,1) 内不能把雅可比矩阵限制在 1 以内：h' = zh + (1−z)tanh(3h)，z = 1/2，在 h = 0 处 dh'/dh = 2",
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


@gated_jacobian_exceeds_one.check("central finite differences of 10 NumPy steps from h = 0 (expect 2^10)", tol=1e-6)
def _() -> float:
    def run(h0: np.ndarray) -> np.ndarray:
        hv = h0
        for _ in range(10):
            z = np_sigmoid(0.0 * hv)
            hv = z * hv + (1 - z) * np.tanh(3.0 * hv)
        return hv

    fd = float(central_diff(run, np.array(0.0), 1e-9))
    expected = float(gated_jacobian_exceeds_one.result.parts["t_step"].subs(_T, 10))
    return abs(fd - expected) / expected


@gated_jacobian_exceeds_one.check("torch autograd through 10 steps from h = 0, float64", tol=1e-12, needs="torch")
def _() -> float:
    import torch

    h0 = torch.zeros((), dtype=torch.float64, requires_grad=True)
    hv = h0
    for _ in range(10):
        z = torch.sigmoid(0.0 * hv)
        hv = z * hv + (1 - z) * torch.tanh(3.0 * hv)
    (g,) = torch.autograd.grad(hv, h0)
    return abs(float(g) - float(gated_jacobian_exceeds_one.result.parts["t_step"].subs(_T, 10)))


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
    "NumPy: saturated LSTM cell reaches c_200 ~ 200 but never |c_0| + t; GRU stays in [-1, 1]", tol=0.0
)
def _() -> float:
    f = i = g = float(np_sigmoid(np.array(30.0)))  # f, i, g within 1e-13 of 1
    c, over = 0.0, 0.0
    for t in range(1, 201):
        c = f * c + i * g
        over = max(over, c - t)  # the bound |c_t| < |c_0| + t with c_0 = 0
    rng = np.random.default_rng(3)
    hv, gru_over = rng.uniform(-1, 1, 4), 0.0
    for _ in range(200):
        z = np_sigmoid(rng.normal(size=4) * 3)
        hv = z * hv + (1 - z) * np.tanh(rng.normal(size=4) * 3)
        gru_over = max(gru_over, float(np.max(np.abs(hv))) - 1.0)
    grows = 0.0 if c > 199.9 else 1.0
    return max(0.0, over) + max(0.0, gru_over) + grows


# --- figure data ---------------------------------------------------------------------------------------------
FIG_HIDDEN = 32
FIG_INPUT = 8
FIG_STEPS = 100
FIG_SEED = 0


def figure_data_gradient_norms(
    hidden: int = FIG_HIDDEN, steps: int = FIG_STEPS, seed: int = FIG_SEED, input_size: int = FIG_INPUT
) -> dict[str, np.ndarray]:
    """Spectral norms of dc_T/dc_t and dh_T/dh_t for t = 0..T-1 (tanh RNN, LSTM forget bias 0 and 1, PyTorch GRU).

    Every model uses PyTorch's default init U(-1/sqrt(H), 1/sqrt(H)) drawn from ``default_rng(seed)`` and the same
    inputs x_t ~ N(0, 1). For the LSTM the state is (c, h) and the reported blocks are those of the product of
    full 2H x 2H block Jacobians (so dc_T/dc_t holds h_t fixed, dh_T/dh_t holds c_t fixed); the forget bias is
    added to bias_ih[H:2H] on top of the random init. Norm: largest singular value. Keys: "t", "rnn_h",
    "lstm_b0_c", "lstm_b0_h", "lstm_b1_c", "lstm_b1_h", "gru_h".
    """
    from derivations import gru, lstm

    xs = np.random.default_rng(seed + 1).normal(size=(steps, input_size))
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
    hv, jacs = np.zeros(hidden), []
    for x in xs:
        jacs.append(rnn_jacobian_np(p, x, hv))
        hv = rnn_cell_np(p, x, hv)
    out["rnn_h"] = norms(jacs)

    for bias in (0, 1):
        p = init_params(4, input_size, hidden, np.random.default_rng(seed))
        p["bias_ih"][hidden : 2 * hidden] += bias
        hv, cv, jacs = np.zeros(hidden), np.zeros(hidden), []
        for x in xs:
            jacs.append(lstm.lstm_block_jacobian_np(p, x, hv, cv))
            hv, cv = lstm.lstm_cell_np(p, x, hv, cv)
        out[f"lstm_b{bias}_c"] = norms(jacs, slice(0, hidden))
        out[f"lstm_b{bias}_h"] = norms(jacs, slice(hidden, 2 * hidden))

    p = init_params(3, input_size, hidden, np.random.default_rng(seed))
    hv, jacs = np.zeros(hidden), []
    for x in xs:
        jacs.append(gru.gru_jacobian_np(p, x, hv, "pytorch"))
        hv = gru.gru_cell_np(p, x, hv, "pytorch")
    out["gru_h"] = norms(jacs)
    return out


__all__ = [
    "Sigmoid",
    "diag",
    "figure_data_gradient_norms",
    "figure_gradient_norms",
    "init_params",
    "np_sigmoid",
    "rnn_cell_np",
    "rnn_jacobian_np",
    "sigmoid_explicit",
    "sigmoid_rule_ok",
    "symbol_matrix",
    "symbol_vector",
]


@gated_gru_lstm_instances.check(
    "torch.nn.GRUCell Jacobian vs the general gated formula with G1 = z, G2 = 1 - z, h^ = n (float64)",
    tol=1e-12,
    needs="torch",
)
def _() -> float:
    import torch

    from derivations.gru import torch_gru_cell

    hid, rng = 4, np.random.default_rng(17)
    p = {k: 2.0 * v for k, v in init_params(3, 3, hid, rng).items()}
    x, hv = rng.normal(size=3), rng.uniform(-1, 1, hid)
    u = {k: p["weight_hh"][n * hid : (n + 1) * hid] for n, k in enumerate("rzn")}
    b = {k: p["bias_hh"][n * hid : (n + 1) * hid] for n, k in enumerate("rzn")}
    pre = p["weight_ih"] @ x + p["bias_ih"]
    r = np_sigmoid(pre[:hid] + u["r"] @ hv + b["r"])
    z = np_sigmoid(pre[hid : 2 * hid] + u["z"] @ hv + b["z"])
    m = u["n"] @ hv + b["n"]
    n = np.tanh(pre[2 * hid :] + r * m)
    d_g1 = (z * (1 - z))[:, None] * u["z"]
    d_hat = (1 - n**2)[:, None] * (r[:, None] * u["n"] + (m * r * (1 - r))[:, None] * u["r"])
    g1, g2, d_g2 = z, 1 - z, -d_g1  # the GRU instance of h' = G1*h + G2*h^
    general = np.diag(g1) + hv[:, None] * d_g1 + n[:, None] * d_g2 + g2[:, None] * d_hat
    cell = torch_gru_cell(p)
    jt = torch.autograd.functional.jacobian(
        lambda h: cell(torch.from_numpy(x)[None], h[None])[0], torch.from_numpy(hv)
    ).numpy()
    return float(np.max(np.abs(general - jt)))


def figure_gradient_norms(lang: str = "en") -> Figure:
    """Figure: spectral norms of dstate_T/dstate_t vs t (log scale) for tanh RNN, LSTM forget bias 0 and 1, GRU."""
    from derivations.plotting import setup

    plt = setup(lang)
    d = figure_data_gradient_norms()
    steps = len(d["t"])
    labels = {
        "en": {
            "rnn_h": r"tanh RNN  $\|\partial h_T/\partial h_t\|$",
            "lstm_b0_c": r"LSTM, $b_f = 0$  $\|\partial c_T/\partial c_t\|$",
            "lstm_b1_c": r"LSTM, $b_f = 1$  $\|\partial c_T/\partial c_t\|$",
            "lstm_b1_h": r"LSTM, $b_f = 1$  $\|\partial h_T/\partial h_t\|$",
            "gru_h": r"GRU (PyTorch)  $\|\partial h_T/\partial h_t\|$",
            "title": f"Gradient norms back from T = {steps} (H = {FIG_HIDDEN}, PyTorch default init, seed {FIG_SEED})",
            "x": "time step t",
            "y": "largest singular value",
        },
        "zh": {
            "rnn_h": r"tanh RNN  $\|\partial h_T/\partial h_t\|$",
            "lstm_b0_c": r"LSTM，$b_f = 0$  $\|\partial c_T/\partial c_t\|$",
            "lstm_b1_c": r"LSTM，$b_f = 1$  $\|\partial c_T/\partial c_t\|$",
            "lstm_b1_h": r"LSTM，$b_f = 1$  $\|\partial h_T/\partial h_t\|$",
            "gru_h": r"GRU（PyTorch）  $\|\partial h_T/\partial h_t\|$",
            "title": f"从 T = {steps} 反向的梯度范数（H = {FIG_HIDDEN}，PyTorch 默认初始化，种子 {FIG_SEED}）",
            "x": "时间步 t",
            "y": "最大奇异值",
        },
    }[lang]
    fig, ax = plt.subplots(figsize=(7, 4))
    styles = {"rnn_h": "-", "lstm_b0_c": "--", "lstm_b1_c": "-", "lstm_b1_h": ":", "gru_h": "-."}
    for key, style in styles.items():
        ax.semilogy(d["t"], d[key], style, label=labels[key], linewidth=1.8)
    ax.set(title=labels["title"], xlabel=labels["x"], ylabel=labels["y"], xlim=(0, steps - 1))
    ax.title.set_fontsize(10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
