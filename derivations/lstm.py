"""LSTM cell gradients in PyTorch's convention: cell equations, the 2H x 2H block Jacobian of (c_t, h_t) with
respect to (c_{t-1}, h_{t-1}), multi-step products, the 1997 constant error carousel, the forget gate, its bias.

Conventions (torch.nn.LSTMCell): gate order i, f, g, o in the rows of weight_ih (4H x I) and weight_hh (4H x H);
two bias vectors bias_ih and bias_hh, both added to every gate pre-activation; the state is the pair (c, h);
Jacobians are in numerator layout (rows index outputs); "*" is elementwise; sigma is the logistic sigmoid;
matrix norms are spectral norms (largest singular value) unless stated otherwise. Symbolic results use H = 2
with explicit symbol matrices; the block formulas they confirm hold for every H. The NumPy cell is in
``derivations.nets.lstm``, the torch oracles in ``derivations.oracles.autograd``.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.act import sigmoid
from derivations.nets.lstm import GATES, init_params, lstm_block_jacobian_np, lstm_cell_np, lstm_gates_np
from derivations.nets.lstm import lstm_multistep_np as _multistep
from derivations.oracles.finite import central_diff
from derivations.sym import (
    Sigmoid,
    diag,
    eval_matrix,
    sci_latex,
    sigmoid_explicit,
    sigmoid_rule_ok,
    symbol_matrix,
    symbol_vector,
)

H, I_SIZE = 2, 2


def _rng_params(hidden: int, input_size: int, seed: int, scale: float = 1.0) -> dict[str, np.ndarray]:
    p = init_params(4, input_size, hidden, np.random.default_rng(seed))
    return {k: v * scale for k, v in p.items()}


# --- symbols ---------------------------------------------------------------------------------------------------
_W = {k: symbol_matrix(f"W{k}", H, I_SIZE) for k in GATES}  # input weights, rows of weight_ih for gate k
_U = {k: symbol_matrix(f"U{k}", H, H) for k in GATES}  # recurrent weights, rows of weight_hh for gate k
_BI = {k: symbol_vector(f"bi{k}", H) for k in GATES}  # bias_ih rows for gate k
_BH = {k: symbol_vector(f"bh{k}", H) for k in GATES}  # bias_hh rows for gate k
_x = symbol_vector("x", I_SIZE)
_cp = symbol_vector("cp", H)  # c_{t-1}
_hp = symbol_vector("hp", H)  # h_{t-1}
_GV = {k: symbol_vector(k, H) for k in GATES}  # gate values i_k, f_k, g_k, o_k at step t
_tc = symbol_vector("tc", H)  # tanh(c_t)

_SYMBOLS = {
    "Wk_ab (k in i,f,g,o)": "input weight of gate k, row a, column b: rows k*H..(k+1)*H-1 of weight_ih",
    "Uk_ab (k in i,f,g,o)": "recurrent weight of gate k, row a, column b: rows k*H..(k+1)*H-1 of weight_hh",
    "bik_a, bhk_a": "bias_ih and bias_hh entries of gate k (both are added to the pre-activation)",
    "x_b": "input x_t (I = 2)",
    "cp_a, hp_a": "previous state c_{t-1}, h_{t-1} (H = 2)",
    "i_a, f_a, g_a, o_a": "gate values at step t: sigma/tanh of the pre-activations",
    "tc_a": "tanh(c_t)",
}


def _preacts() -> dict[str, sp.Matrix]:
    return {k: _W[k] * _x + _BI[k] + _U[k] * _hp + _BH[k] for k in GATES}


def _forward() -> tuple[sp.Matrix, sp.Matrix, dict[str, sp.Matrix], dict[str, sp.Matrix]]:
    z = _preacts()
    gate = {
        "i": z["i"].applyfunc(Sigmoid),
        "f": z["f"].applyfunc(Sigmoid),
        "g": z["g"].applyfunc(sp.tanh),
        "o": z["o"].applyfunc(Sigmoid),
    }
    c = sp.matrix_multiply_elementwise(gate["f"], _cp) + sp.matrix_multiply_elementwise(gate["i"], gate["g"])
    h = sp.matrix_multiply_elementwise(gate["o"], c.applyfunc(sp.tanh))
    return c, h, gate, z


def _to_gate_symbols(expr: sp.Matrix, c: sp.Matrix, gate: dict[str, sp.Matrix]) -> sp.Matrix:
    """Replace tanh(c_t) by tc and each sigma/tanh of a pre-activation by the gate-value symbol."""
    rep = {sp.tanh(c[a]): _tc[a] for a in range(H)}
    out = expr.xreplace(rep)
    rep = {gate[k][a]: _GV[k][a] for k in GATES for a in range(H)}
    return out.xreplace(rep)


def _np_gate_symbol_values(
    params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray
) -> dict[sp.Symbol, float]:
    g = lstm_gates_np(params, x, h)
    c_new = g["f"] * c + g["i"] * g["g"]
    vals: dict[sp.Symbol, float] = {}
    for n, k in enumerate(GATES):
        for a in range(H):
            vals[_GV[k][a]] = g[k][a]
            for b in range(H):
                vals[_U[k][a, b]] = params["weight_hh"][n * H + a, b]
    for a in range(H):
        vals[_tc[a]] = np.tanh(c_new[a])
        vals[_cp[a]] = c[a]
        vals[_hp[a]] = h[a]
    return vals


def _sample(seed: int = 7) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = _rng_params(H, I_SIZE, seed, scale=2.5)
    return p, rng.normal(size=I_SIZE), rng.uniform(-0.9, 0.9, H), rng.normal(size=H)


# --- 1. cell equations -------------------------------------------------------------------------------------------
@derivation(
    "lstm_cell_equations",
    title="LSTM cell (PyTorch): gates i, f, g, o from W x + b_ih + U h + b_hh; c' = f*c + i*g, h' = o*tanh(c')",
    title_zh="LSTM 单元（PyTorch 约定）：门 i、f、g、o 由 Wx + b_ih + Uh + b_hh 得到；c′ = f⊙c + i⊙g，h′ = o⊙tanh(c′)",
)
def lstm_cell_equations() -> Result:
    c, h, _gate, z = _forward()
    return Result(
        expr=sp.Tuple(sigmoid_explicit(c), sigmoid_explicit(h)),
        latex=(
            r"\begin{aligned}"
            r"i_t&=\sigma(W_{ii}x_t+b_{ii}+W_{hi}h_{t-1}+b_{hi}),&f_t&=\sigma(W_{if}x_t+b_{if}+W_{hf}h_{t-1}+b_{hf}),\\"
            r"g_t&=\tanh(W_{ig}x_t+b_{ig}+W_{hg}h_{t-1}+b_{hg}),&o_t&=\sigma(W_{io}x_t+b_{io}+W_{ho}h_{t-1}+b_{ho}),\\"
            r"c_t&=f_t\odot c_{t-1}+i_t\odot g_t,&h_t&=o_t\odot\tanh(c_t)"
            r"\end{aligned}"
        ),
        parts={
            "c": sigmoid_explicit(c),
            "h": sigmoid_explicit(h),
            **{f"preact_{k}": z[k] for k in GATES},
        },
        symbols=_SYMBOLS,
    )


def _symbolic_forward_np(params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray) -> np.ndarray:
    r = lstm_cell_equations.result.parts
    vals: dict[sp.Symbol, float] = {}
    for n, k in enumerate(GATES):
        rows = slice(n * H, (n + 1) * H)
        for a in range(H):
            vals[_BI[k][a]] = params["bias_ih"][rows][a]
            vals[_BH[k][a]] = params["bias_hh"][rows][a]
            for b in range(I_SIZE):
                vals[_W[k][a, b]] = params["weight_ih"][rows][a, b]
            for b in range(H):
                vals[_U[k][a, b]] = params["weight_hh"][rows][a, b]
    vals.update({_x[b]: x[b] for b in range(I_SIZE)})
    vals.update({_hp[a]: h[a] for a in range(H)} | {_cp[a]: c[a] for a in range(H)})
    return np.concatenate([eval_matrix(r["c"], vals).ravel(), eval_matrix(r["h"], vals).ravel()])


@lstm_cell_equations.check(
    "torch.nn.LSTMCell forward in float64, same weights (outputs c', h')",
    tol=1e-13,
    needs="torch",
    oracle_zh="float64 的 `torch.nn.LSTMCell` 前向计算，权重相同（输出 c′、h′）",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import torch_lstm_cell

    p, x, h, c = _sample()
    cell = torch_lstm_cell(p)
    with torch.no_grad():
        ht, ct = cell(torch.from_numpy(x)[None], (torch.from_numpy(h)[None], torch.from_numpy(c)[None]))
    return float(np.max(np.abs(_symbolic_forward_np(p, x, h, c) - np.concatenate([ct[0].numpy(), ht[0].numpy()]))))


@lstm_cell_equations.check(
    "NumPy reference cell (derivations.nets.lstm, written separately), float64",
    tol=1e-13,
    oracle_zh="另行编写的 NumPy 参考单元（derivations.nets.lstm），float64",
)
def _() -> float:
    p, x, h, c = _sample(11)
    hn, cn = lstm_cell_np(p, x, h, c)
    return float(np.max(np.abs(_symbolic_forward_np(p, x, h, c) - np.concatenate([cn, hn]))))


# --- 2. the block Jacobian -------------------------------------------------------------------------------------
def _structured_blocks() -> dict[str, sp.Matrix]:
    i, f, g, o, tc = _GV["i"], _GV["f"], _GV["g"], _GV["o"], _tc
    one = sp.ones(H, 1)
    mul = sp.matrix_multiply_elementwise
    dc_dc = diag(f)
    dc_dh = diag(mul(_cp, mul(f, one - f))) * _U["f"]
    dc_dh += diag(mul(g, mul(i, one - i))) * _U["i"] + diag(mul(i, one - mul(g, g))) * _U["g"]
    k = diag(mul(o, one - mul(tc, tc)))
    return {
        "dc_dc": dc_dc,
        "dc_dh": dc_dh,
        "dh_dc": k * dc_dc,
        "dh_dh": diag(mul(tc, mul(o, one - o))) * _U["o"] + k * dc_dh,
    }


@derivation(
    "lstm_block_jacobian",
    title="LSTM: the 2H x 2H Jacobian of (c_t, h_t) w.r.t. (c_{t-1}, h_{t-1}), all four blocks",
    title_zh="LSTM：(c_t, h_t) 对 (c_{t−1}, h_{t−1}) 的 2H×2H 分块雅可比矩阵（全部四个块）",
)
def lstm_block_jacobian() -> Result:
    if not sigmoid_rule_ok():
        raise ArithmeticError("Sigmoid derivative rule is wrong")
    c, h, gate, _z = _forward()
    state, prev = sp.Matrix.vstack(c, h), sp.Matrix.vstack(_cp, _hp)
    jac = _to_gate_symbols(state.jacobian(prev), c, gate)
    if jac.free_symbols & (set(_x) | {s for v in _BI.values() for s in v} | {s for v in _W.values() for s in v}):
        raise ArithmeticError("gate substitution left input terms behind")
    blocks = _structured_blocks()
    structured = sp.Matrix.vstack(
        sp.Matrix.hstack(blocks["dc_dc"], blocks["dc_dh"]), sp.Matrix.hstack(blocks["dh_dc"], blocks["dh_dh"])
    )
    if sp.expand(jac - structured) != sp.zeros(2 * H, 2 * H):
        raise ArithmeticError("derived Jacobian differs from the block formula")
    return Result(
        expr=jac,
        latex=(
            r"\begin{aligned}"
            r"\frac{\partial(c_t,h_t)}{\partial(c_{t-1},h_{t-1})}&=\begin{pmatrix}"
            r"\operatorname{diag}(f_t) & D_t\\"
            r"\operatorname{diag}(k_t)\operatorname{diag}(f_t) & E_t"
            r"\end{pmatrix},\qquad k_t=o_t\odot(1-\tanh^2 c_t),\\"
            r"D_t=\frac{\partial c_t}{\partial h_{t-1}}&=\operatorname{diag}(c_{t-1}\odot f_t\odot(1-f_t))\,W_{hf}"
            r"+\operatorname{diag}(g_t\odot i_t\odot(1-i_t))\,W_{hi}+\operatorname{diag}(i_t\odot(1-g_t^2))\,W_{hg},\\"
            r"E_t=\frac{\partial h_t}{\partial h_{t-1}}&=\operatorname{diag}(\tanh c_t\odot o_t\odot(1-o_t))\,W_{ho}"
            r"+\operatorname{diag}(k_t)\,D_t"
            r"\end{aligned}"
        ),
        parts={"jacobian": jac, **{k: jac[s] for k, s in _block_slices().items()}},
        symbols=_SYMBOLS,
    )


def _block_slices() -> dict[str, tuple[slice, slice]]:
    a, b = slice(0, H), slice(H, 2 * H)
    return {"dc_dc": (a, a), "dc_dh": (a, b), "dh_dc": (b, a), "dh_dh": (b, b)}


def _symbolic_jacobian_np(p: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray) -> np.ndarray:
    return eval_matrix(lstm_block_jacobian.result.parts["jacobian"], _np_gate_symbol_values(p, x, h, c))


@lstm_block_jacobian.check(
    "torch.autograd.functional.jacobian of torch.nn.LSTMCell, float64, same weights; and the NumPy block Jacobian",
    tol=1e-10,
    needs="torch",
    oracle_zh="对 `torch.nn.LSTMCell` 用 `torch.autograd.functional.jacobian` 求雅可比矩阵（float64，权重相同）；"
    "并核对 NumPy 分块雅可比矩阵",
)
def _() -> float:
    from derivations.oracles.autograd import jacobian, lstm_state_map, torch_lstm_cell

    errs = []
    for seed in (7, 8):
        p, x, h, c = _sample(seed)
        full = jacobian(lstm_state_map(torch_lstm_cell(p), x[None]), c, h)
        errs.append(np.max(np.abs(_symbolic_jacobian_np(p, x, h, c) - full)))
        errs.append(np.max(np.abs(lstm_block_jacobian_np(p, x, h, c) - full)))
    return float(max(errs))


@lstm_block_jacobian.check(
    "central finite differences of the NumPy cell, float64 (step 1e-6)",
    tol=1e-8,
    oracle_zh="对 NumPy 单元做中心有限差分（float64，步长 1e-6）",
)
def _() -> float:
    p, x, h, c = _sample(9)
    sym = _symbolic_jacobian_np(p, x, h, c)

    def state(v: np.ndarray) -> np.ndarray:
        hn, cn = lstm_cell_np(p, x, v[H:], v[:H])
        return np.concatenate([cn, hn])

    v0 = np.concatenate([c, h])
    cols = [central_diff(lambda t, e=e: state(v0 + t * e), np.array(0.0), 1e-6) for e in np.eye(2 * H)]
    return float(np.max(np.abs(sym - np.column_stack(cols))))


# --- 3. the cell path: dc_t/dc_{t-1} = diag(f_t) -------------------------------------------------------------------
@derivation(
    "lstm_cell_path_derivative",
    title="LSTM: dc_t/dc_{t-1} = diag(f_t) with h_{t-1} held fixed (Gers et al. 2000 forget gate)",
    title_zh="LSTM：在 h_{t−1} 固定时 ∂c_t/∂c_{t−1} = diag(f_t)（遗忘门见 Gers 等，2000）",
)
def lstm_cell_path_derivative() -> Result:
    c, _h, gate, _z = _forward()
    d = _to_gate_symbols(c.jacobian(_cp), c, gate)
    if d != diag(_GV["f"]):
        raise ArithmeticError("dc_t/dc_{t-1} is not diag(f_t)")
    return Result(
        expr=d,
        latex=r"\left.\frac{\partial c_t}{\partial c_{t-1}}\right|_{h_{t-1},x_t}=\operatorname{diag}(f_t)"
        + r"="
        + sp.latex(d),
        parts={"dc_dc": d},
        symbols=_SYMBOLS,
    )


@lstm_cell_path_derivative.check(
    "torch autograd of torch.nn.LSTMCell w.r.t. c only (h held fixed), float64",
    tol=1e-12,
    needs="torch",
    oracle_zh="`torch.nn.LSTMCell` 仅对 c 的自动微分（h 固定），float64",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import jacobian, torch_lstm_cell

    p, x, h, c = _sample(5)
    cell = torch_lstm_cell(p)

    def f(cv: torch.Tensor) -> torch.Tensor:
        return cell(torch.from_numpy(x)[None], (torch.from_numpy(h)[None], cv[None]))[1][0]

    derived = eval_matrix(lstm_cell_path_derivative.result.expr, _np_gate_symbol_values(p, x, h, c))
    return float(np.max(np.abs(derived - jacobian(f, c))))


# --- 4. multi-step products and what goes wrong with shortcuts ---------------------------------------------------
MULTI_H, MULTI_T, MULTI_SEED, MULTI_SCALE = 8, 20, 3, 1.0


def shortcut_case(zero_who: bool = False) -> dict[str, np.ndarray]:
    """The measured case of ``lstm_shortcut_counterexample``: H = I = MULTI_H, T = MULTI_T steps, PyTorch default
    init from seed MULTI_SEED, x_t ~ N(0, 1), c_0 ~ N(0, 1), h_0 = 0; ``zero_who`` zeroes the recurrent output-gate
    weights W_ho. Keys: "params", "xs", "c0" and those of ``nets.lstm.lstm_multistep_np`` ("true", "diag_f",
    "one_step_total", "full")."""
    rng = np.random.default_rng(MULTI_SEED)
    p = _rng_params(MULTI_H, MULTI_H, MULTI_SEED, MULTI_SCALE)
    if zero_who:
        p["weight_hh"][3 * MULTI_H :] = 0.0
    xs = rng.normal(size=(MULTI_T, MULTI_H))
    c0 = rng.normal(size=MULTI_H)
    return {"params": p, "xs": xs, "c0": c0, **_multistep(p, xs, c0)}


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


_u = {k: sp.Symbol(f"u_{k}", real=True) for k in GATES}  # scalar (H = 1) recurrent weights
_c0, _h0 = sp.symbols("c_0 h_0", real=True)


def _scalar_step(c: sp.Expr, h: sp.Expr, t: int) -> tuple[sp.Expr, sp.Expr, dict[str, sp.Expr]]:
    z = {k: sp.Symbol(f"a_{k}_{t}", real=True) + _u[k] * h for k in GATES}
    c_new = Sigmoid(z["f"]) * c + Sigmoid(z["i"]) * sp.tanh(z["g"])
    return c_new, Sigmoid(z["o"]) * sp.tanh(c_new), z


def _scalar_partials(c: sp.Expr, h: sp.Expr, t: int) -> tuple[sp.Expr, sp.Expr]:
    cc, hh = sp.symbols("cc hh", real=True)
    c_new, _, _ = _scalar_step(cc, hh, t)
    return sp.diff(c_new, cc).subs({cc: c, hh: h}), sp.diff(c_new, hh).subs({cc: c, hh: h})


@derivation(
    "lstm_multistep_jacobian",
    title="LSTM over T steps: d(c_T, h_T)/d(c_0, h_0) = J_T ... J_1 with the full 2H x 2H block Jacobians",
    title_zh="LSTM 的多步梯度：d(c_T, h_T)/d(c_0, h_0) = J_T⋯J_1，每个 J_t 是完整的 2H×2H 分块雅可比矩阵",
)
def lstm_multistep_jacobian() -> Result:
    # symbolic chain rule for H = 1, T = 2: Jacobian of the two-step map = J_2(evaluated at step 1's output) J_1
    c1, h1, _ = _scalar_step(_c0, _h0, 1)
    c2, h2, _ = _scalar_step(c1, h1, 2)
    two_step = sp.Matrix([c2, h2]).jacobian([_c0, _h0])
    cc, hh = sp.symbols("cc hh", real=True)
    cs, hs, _ = _scalar_step(cc, hh, 2)
    j2 = sp.Matrix([cs, hs]).jacobian([cc, hh]).subs({cc: c1, hh: h1})
    j1 = sp.Matrix([c1, h1]).jacobian([_c0, _h0])
    if sp.expand(two_step - j2 * j1) != sp.zeros(2, 2):
        raise ArithmeticError("chain rule through the block Jacobians fails")
    T = sp.Symbol("T", integer=True, positive=True)
    t = sp.Symbol("t", integer=True, positive=True)
    J = sp.Function("J")
    prod = sp.Product(J(T + 1 - t), (t, 1, T))
    return Result(
        expr=sp.Eq(sp.Function("D")(T), prod),
        latex=(
            r"\frac{\partial(c_T,h_T)}{\partial(c_0,h_0)}=J_T J_{T-1}\cdots J_1,\qquad "
            r"J_t=\frac{\partial(c_t,h_t)}{\partial(c_{t-1},h_{t-1})}\in\mathbb R^{2H\times 2H};\quad"
            r"\frac{\partial c_T}{\partial c_0}=\bigl[J_T\cdots J_1\bigr]_{cc}\neq\prod_t\bigl[J_t\bigr]_{cc}"
        ),
        parts={"two_step_scalar": sigmoid_explicit(two_step), "product": prod},
        symbols={
            "D(T)": "d(c_T, h_T)/d(c_0, h_0)",
            "J(t)": "one-step block Jacobian at step t (ordered: later steps on the left)",
            "a_k_t": "input part of gate k's pre-activation at step t (W x_t + b_ih + b_hh), H = 1",
            "u_k": "recurrent weight of gate k, H = 1",
            "c_0, h_0": "initial state",
            "T": "number of steps",
            "t": "product index",
        },
    )


@lstm_multistep_jacobian.check(
    f"torch autograd through {MULTI_T} steps of torch.nn.LSTMCell (H={MULTI_H}), float64, vs the NumPy product "
    "of block Jacobians (relative to the largest entry)",
    tol=1e-10,
    needs="torch",
    oracle_zh=f"对 {MULTI_T} 步 `torch.nn.LSTMCell`（H = {MULTI_H}）做自动微分（float64），"
    "与 NumPy 分块雅可比矩阵的乘积比较（相对于最大元素）",
)
def _() -> float:
    from derivations.oracles.autograd import jacobian, lstm_state_map, torch_lstm_cell

    r = shortcut_case()
    full = jacobian(lstm_state_map(torch_lstm_cell(r["params"]), r["xs"]), r["c0"], np.zeros(MULTI_H))
    return float(np.max(np.abs(r["full"] - full)) / np.max(np.abs(full)))


@derivation(
    "lstm_shortcut_counterexample",
    title="Multiplying only diag(f_t), or one-step 'total' dc_t/dc_{t-1}, over time gives the wrong dc_T/dc_0",
    title_zh="跨时间只连乘 diag(f_t)，或连乘单步“全导数” dc_t/dc_{t−1}，得到的 ∂c_T/∂c_0 都是错的",
)
def lstm_shortcut_counterexample() -> Result:
    # exact statement for H = 1, T = 3: true - (one-step totals) = the output-gate path, proportional to u_o
    c1, h1, z1 = _scalar_step(_c0, _h0, 1)
    c2, h2, z2 = _scalar_step(c1, h1, 2)
    c3, _h3, _ = _scalar_step(c2, h2, 3)
    true = sp.diff(c3, _c0)
    f1, _ = _scalar_partials(_c0, _h0, 1)
    f2, dch2 = _scalar_partials(c1, h1, 2)
    f3, dch3 = _scalar_partials(c2, h2, 3)
    o1, o2 = Sigmoid(z1["o"]), Sigmoid(z2["o"])
    totals = f1 * (f2 + dch2 * o1 * (1 - sp.tanh(c1) ** 2)) * (f3 + dch3 * o2 * (1 - sp.tanh(c2) ** 2))
    missed = dch3 * sp.tanh(c2) * o2 * (1 - o2) * _u["o"] * o1 * (1 - sp.tanh(c1) ** 2) * f1
    if sp.expand(true - totals - missed) != 0:
        raise ArithmeticError("true - one-step totals is not the output-gate path")
    if sp.expand((true - totals).subs(_u["o"], 0)) != 0:
        raise ArithmeticError("with u_o = 0 the one-step totals should be exact")
    r = shortcut_case()
    r0 = shortcut_case(zero_who=True)
    err_f, err_total = _rel(r["diag_f"], r["true"]), _rel(r["one_step_total"], r["true"])
    err_total_who0 = _rel(r0["one_step_total"], r0["true"])
    return Result(
        expr=sp.Tuple(
            sp.Eq(sp.Symbol("missed"), sigmoid_explicit(missed)),
            sp.Float(err_f, 6),
            sp.Float(err_total, 6),
            sp.Float(err_total_who0, 3),
        ),
        latex=(
            r"\begin{aligned}&H=1:\quad\frac{\partial c_3}{\partial c_0}"
            r"-P^{(1)}_3"
            r"=\frac{\partial c_3}{\partial h_2}\,\tanh(c_2)\,o_2(1-o_2)\,u_o\;o_1(1-\tanh^2 c_1)\,f_1;\\"
            rf"&H={MULTI_H},\ T={MULTI_T}:\quad "
            r"\frac{\|P^{(f)}_T-\partial c_T/\partial c_0\|_F}"
            rf"{{\|\partial c_T/\partial c_0\|_F}}={err_f:.3f},\quad "
            r"\frac{\|P^{(1)}_T-\partial c_T/\partial c_0\|_F}{\|\partial c_T/\partial c_0\|_F}="
            rf"{err_total:.3f}"
            r"\end{aligned}"
        ),
        parts={
            "missed_term": sigmoid_explicit(missed),
            "one_step_totals": sigmoid_explicit(totals),
            "rel_err_diag_f": sp.Float(err_f, 15),
            "rel_err_one_step_total": sp.Float(err_total, 15),
            "rel_err_one_step_total_who0": sp.Float(err_total_who0, 15),
        },
        text={
            "rel_err_diag_f": f"{err_f:.3f}",
            "rel_err_one_step_total": f"{err_total:.3f}",
            "rel_err_one_step_total_who0": f"{err_total_who0:.1e}",
            "hidden": str(MULTI_H),
            "steps": str(MULTI_T),
            "seed": str(MULTI_SEED),
        },
        symbols={
            "a_k_t": "input part of gate k's pre-activation at step t, H = 1",
            "u_k": "recurrent weight of gate k (u_o: output gate), H = 1",
            "c_0, h_0": "initial state (h_0 held fixed)",
            "missed": "the path c_0 -> h_1 -> o_2 -> h_2 -> c_3 that one-step totals drop",
        },
    )


def _scalar_case() -> tuple[dict[sp.Symbol, float], dict[str, np.ndarray]]:
    """A random H = 1, T = 3 LSTM as values of the symbols a_k_t, u_k, c_0, h_0, and the same cell in PyTorch layout
    with I = 4 (x_t carries the four input parts a_k_t, weight_ih = identity, biases 0) for the NumPy reference."""
    rng = np.random.default_rng(21)
    a = {(k, t): rng.normal() for k in GATES for t in (1, 2, 3)}
    u = {k: 1.5 * rng.normal() for k in GATES}
    vals = {sp.Symbol(f"a_{k}_{t}", real=True): v for (k, t), v in a.items()}
    vals.update({_u[k]: v for k, v in u.items()} | {_c0: 0.4, _h0: 0.0})
    params = {
        "weight_ih": np.eye(4),
        "weight_hh": np.array([[u[k]] for k in GATES]),
        "bias_ih": np.zeros(4),
        "bias_hh": np.zeros(4),
    }
    xs = np.array([[a[(k, t)] for k in GATES] for t in (1, 2, 3)])
    return vals, {"params": params, "xs": xs}


@lstm_shortcut_counterexample.check(
    "H = 1, T = 3, NumPy reference cell: the one-step totals it multiplies, and central finite differences of c_3 "
    "(true = totals + missed term)",
    tol=1e-8,
    oracle_zh="H = 1、T = 3 的 NumPy 参考单元：它连乘出的单步全导数，以及 c_3 的中心有限差分"
    "（真值 = 单步全导数连乘 + 漏掉的项）",
)
def _() -> float:
    vals, case = _scalar_case()
    p, xs = case["params"], case["xs"]
    r = lstm_shortcut_counterexample.result.parts
    missed = float(r["missed_term"].subs(vals))
    totals = float(r["one_step_totals"].subs(vals))
    ref = _multistep(p, xs, np.array([vals[_c0]]))

    def c3(c0: np.ndarray) -> np.ndarray:
        h, c = np.zeros(1), np.atleast_1d(c0)
        for x in xs:
            h, c = lstm_cell_np(p, x, h, c)
        return c[0]

    fd = float(central_diff(c3, np.array(vals[_c0]), 1e-6))
    return max(
        abs(float(ref["one_step_total"][0, 0]) - totals),
        abs(fd - totals - missed),
        0.0 if abs(missed) > 1e-4 else 1.0,  # the dropped path really contributes here
    )


@lstm_shortcut_counterexample.check(
    f"torch autograd dc_T/dc_0 through {MULTI_T} LSTMCell steps: recomputed relative errors",
    tol=1e-9,
    needs="torch",
    oracle_zh=f"对 {MULTI_T} 步 `torch.nn.LSTMCell` 用自动微分求 ∂c_T/∂c_0，重新计算两种相对误差",
)
def _() -> float:
    from derivations.oracles.autograd import jacobian, lstm_state_map, torch_lstm_cell

    out = []
    for who0 in (False, True):
        r = shortcut_case(zero_who=who0)
        run = lstm_state_map(torch_lstm_cell(r["params"]), r["xs"])
        true = jacobian(lambda c, run=run: run(c, c.new_zeros(MULTI_H))[0], r["c0"])
        out.append((_rel(r["diag_f"], true), _rel(r["one_step_total"], true)))
    p = lstm_shortcut_counterexample.result.parts
    return max(
        abs(out[0][0] - float(p["rel_err_diag_f"])),
        abs(out[0][1] - float(p["rel_err_one_step_total"])),
        abs(out[1][1] - float(p["rel_err_one_step_total_who0"])),
        out[1][1],  # with W_ho = 0 the one-step totals are exact
        0.0 if out[0][0] > 0.1 and out[0][1] > 0.01 else 1.0,  # the shortcuts are really wrong
    )


# --- 5. the 1997 LSTM (no forget gate) and the forget gate ---------------------------------------------------------
@derivation(
    "lstm_cec_1997",
    title="LSTM without forget gate (1997): c_t = c_{t-1} + i*g, dc_t/dc_{t-1} = I exactly (constant error carousel)",
    title_zh="无遗忘门的 LSTM（1997）：c_t = c_{t−1} + i⊙g，故 ∂c_t/∂c_{t−1} 恰为 I（恒定误差传送带）",
)
def lstm_cec_1997() -> Result:
    z = _preacts()
    i, g = z["i"].applyfunc(Sigmoid), z["g"].applyfunc(sp.tanh)
    c = _cp + sp.matrix_multiply_elementwise(i, g)
    d = c.jacobian(_cp)
    if d != sp.eye(H):
        raise ArithmeticError("CEC derivative is not the identity")
    T = sp.Symbol("T", integer=True, positive=True)
    t = sp.Symbol("t", integer=True, positive=True)
    along_cell = sp.Product(sp.Integer(1), (t, 1, T)).doit()
    return Result(
        expr=sp.Tuple(d, along_cell),
        latex=(
            r"c_t=c_{t-1}+i_t\odot g_t\ \Rightarrow\ \left.\frac{\partial c_t}{\partial c_{t-1}}\right|_{h_{t-1}}=I,"
            r"\quad \prod_{t=1}^{T}\frac{\partial c_t}{\partial c_{t-1}}=I\quad\forall T"
        ),
        parts={"dc_dc": d, "product_along_cell": along_cell},
        symbols=_SYMBOLS | {"T": "number of steps"},
    )


@lstm_cec_1997.check(
    "central finite differences over 50 NumPy steps along the cell path (h held fixed)",
    tol=1e-9,
    oracle_zh="沿细胞通路对 50 步 NumPy 计算做中心有限差分（h 固定）",
)
def _() -> float:
    rng = np.random.default_rng(4)
    ig = sigmoid(rng.normal(size=(50, H))) * np.tanh(rng.normal(size=(50, H)))

    def run(c: np.ndarray) -> np.ndarray:
        for step in ig:
            c = c + step
        return c

    c0 = rng.normal(size=H)
    cols = [central_diff(lambda s, e=e: run(c0 + s * e), np.array(0.0), 1e-4) for e in np.eye(H)]
    return float(np.max(np.abs(np.column_stack(cols) - np.array(lstm_cec_1997.result.parts["dc_dc"], dtype=float))))


@lstm_cec_1997.check(
    "torch.nn.LSTMCell, forget-gate weights 0 and bias_ih_f = 40 (float64 sigma rounds to exactly 1.0): dc'/dc = I",
    tol=0.0,
    needs="torch",
    oracle_zh="`torch.nn.LSTMCell`：遗忘门权重置零、bias_ih_f = 40（float64 中 σ 舍入为恰好 1.0），验证 ∂c′/∂c = I",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import jacobian, torch_lstm_cell

    p, x, h, c = _sample(13)
    p["bias_ih"][H : 2 * H] = 40.0  # pre-activation 40 + bias_hh > 37.43: sigma is 1.0 (sigmoid_gate_open_interval)
    p["weight_hh"][H : 2 * H] = 0.0
    p["weight_ih"][H : 2 * H] = 0.0
    cell = torch_lstm_cell(p)
    jt = jacobian(lambda cv: cell(torch.from_numpy(x)[None], (torch.from_numpy(h)[None], cv[None]))[1][0], c)
    return float(np.max(np.abs(jt - np.eye(H))))


_b = sp.Symbol("b", real=True)
_p = sp.Symbol("p", positive=True)


def _decimal(r: sp.Expr, digits: int = 17) -> str:
    return sp.N(r, digits + 5).__format__(f".{digits - 1}e")


_PLAIN = range(-2, 3)  # decimal exponents of values written as plain decimals: 0.01 <= |r| < 1000


@derivation(
    "lstm_forget_bias_product",
    title="Forget gate f = sigma(b): the product over 100 steps is f^100; 0.9^100 ≈ 2.656e-5, 0.99^100 ≈ 0.366 "
    "(computed as exact rationals)",
    title_zh="遗忘门 f = σ(b)：100 步的连乘为 f¹⁰⁰；0.9¹⁰⁰ ≈ 2.656e-5，0.99¹⁰⁰ ≈ 0.366（按精确有理数计算）",
)
def lstm_forget_bias_product() -> Result:
    sigma = 1 / (1 + sp.exp(-_b))
    bias_for = sp.solve(sp.Eq(sigma, _p), _b)  # b = log(p / (1 - p))
    if len(bias_for) != 1:
        raise ArithmeticError("sigma is not invertible?")
    logit = sp.simplify(bias_for[0])
    p09, p099 = sp.Rational(9, 10), sp.Rational(99, 100)
    prod09, prod099 = p09**100, p099**100
    half = sigma.subs(_b, 0) ** 100
    at_one = sigma.subs(_b, 1) ** 100
    b09, b099 = sp.simplify(logit.subs(_p, p09)), sp.simplify(logit.subs(_p, p099))
    orders = sp.log(at_one / half, 10)  # = 100 log10(2 sigma(1)): how many decades bias 1 gains over bias 0
    return Result(
        expr=sp.Tuple(sp.Lambda(_b, sigma**100), prod09, prod099, b09, b099),
        latex=(
            r"\begin{aligned}&\prod_{t=1}^{100}f_t=\sigma(b_f)^{100};\\&"
            rf"0.9^{{100}}\approx{sci_latex(prod09, 4, plain=_PLAIN)}\ (b_f=\ln 9\approx{float(b09):.3f}),\ "
            rf"0.99^{{100}}\approx{sci_latex(prod099, 4, plain=_PLAIN)}\ (b_f=\ln 99\approx{float(b099):.3f});\ "
            rf"\\&\sigma(0)^{{100}}=2^{{-100}}\approx{sci_latex(half, 4, plain=_PLAIN)},\quad "
            rf"\sigma(1)^{{100}}\approx{sci_latex(at_one, 4, plain=_PLAIN)}"
            r"\end{aligned}"
        ),
        parts={
            "logit": logit,
            "prod_0_9": prod09,
            "prod_0_99": prod099,
            "bias_for_0_9": b09,
            "bias_for_0_99": b099,
            "prod_bias_0": half,
            "prod_bias_1": at_one,
            "orders_bias_1_over_0": orders,
        },
        text={
            "prod_0_9": _decimal(prod09),
            "prod_0_99": _decimal(prod099),
            "prod_bias_0": _decimal(half),
            "prod_bias_1": sp.N(at_one, 17).__format__(".16e"),
            "sigma_1": sp.N(sigma.subs(_b, 1), 17).__format__(".16f"),
            "orders_bias_1_over_0": f"{float(orders):.1f}",
        },
        symbols={"b": "forget-gate bias (effective pre-activation)", "p": "forget-gate value in (0, 1)"},
    )


@lstm_forget_bias_product.check(
    "mpmath at 50 digits and a float64 loop of 100 multiplications",
    tol=1e-13,
    oracle_zh="mpmath 50 位精度计算，以及 float64 下逐次相乘 100 次的循环",
)
def _() -> float:
    r = lstm_forget_bias_product.result
    errs = []
    with mpmath.workdps(50):
        for key, base in (("prod_0_9", "0.9"), ("prod_0_99", "0.99")):
            exact = mpmath.mpf(base) ** 100
            errs.append(abs(mpmath.mpf(r.text[key]) - exact) / exact)
            loop = 1.0
            for _ in range(100):
                loop *= float(base)
            errs.append(abs(loop - float(exact)) / float(exact))
        s1 = 1 / (1 + mpmath.exp(-1))
        errs.append(abs(mpmath.mpf(r.text["prod_bias_1"]) - s1**100) / s1**100)
        errs.append(abs(1 / (1 + mpmath.exp(-float(r.parts["bias_for_0_9"]))) - mpmath.mpf("0.9")))
        orders = mpmath.log10(s1**100 * mpmath.mpf(2) ** 100)
        errs.append(abs(float(r.parts["orders_bias_1_over_0"]) - orders) / orders)
    return float(max(errs))


@lstm_forget_bias_product.check(
    "Keras 3 (torch backend): keras.layers.LSTM's default init (unit_forget_bias=True) sets the forget block of its "
    "single bias to 1, so with zero weights the 100-step product is sigma(1)^100",
    tol=1e-13,
    needs="keras",
    oracle_zh="Keras 3（torch 后端）：`keras.layers.LSTM` 的默认初始化（unit_forget_bias=True）把唯一偏置向量中遗忘门"
    "那一段设为 1，因此权重为零时 100 步的连乘为 σ(1)^100",
)
def _() -> float:
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    hid = 3
    layer = keras.layers.LSTM(hid)
    layer.build((None, 5, 2))
    bias = layer.cell.bias.value.detach().cpu().numpy().astype(np.float64)  # gate order i, f, c, o
    forget = bias[hid : 2 * hid]
    product = float(np.max(sigmoid(forget))) ** 100
    expected = float(lstm_forget_bias_product.result.parts["prod_bias_1"])
    return abs(product - expected) / expected + float(np.ptp(forget))


@derivation(
    "lstm_two_biases",
    title="PyTorch LSTM: bias_ih and bias_hh enter only as their sum; setting both forget biases to 1 gives b_f = 2",
    title_zh="PyTorch LSTM：bias_ih 与 bias_hh 只以和的形式出现；把两者的遗忘门偏置都设为 1，实际 b_f = 2",
)
def lstm_two_biases() -> Result:
    z = _preacts()["f"]
    d_ih = z.jacobian(_BI["f"])
    d_hh = z.jacobian(_BH["f"])
    if d_ih != d_hh or d_ih != sp.eye(H):
        raise ArithmeticError("the two biases do not enter identically")
    effective = sp.Integer(1) + sp.Integer(1)
    f_eff = 1 / (1 + sp.exp(-effective))
    return Result(
        expr=sp.Tuple(d_ih, d_hh, effective),
        latex=(
            r"\frac{\partial z_f}{\partial b_{if}}=\frac{\partial z_f}{\partial b_{hf}}=I\ \Rightarrow\ "
            r"b_f=b_{if}+b_{hf};\ b_{if}=b_{hf}=1\Rightarrow b_f=2,\ "
            rf"\sigma(2)\approx{float(f_eff):.4f}"
        ),
        parts={"d_bias_ih": d_ih, "d_bias_hh": d_hh, "effective_bias": effective, "f_at_effective": f_eff},
        symbols=_SYMBOLS | {"z_f": "forget-gate pre-activation"},
    )


@lstm_two_biases.check(
    "torch.nn.LSTMCell, zero weights, bias_ih_f = bias_hh_f = 1: c' = sigma(2) c",
    tol=1e-15,
    needs="torch",
    oracle_zh="`torch.nn.LSTMCell`，权重全为零，bias_ih_f = bias_hh_f = 1：验证 c′ = σ(2) c",
)
def _() -> float:
    import torch

    hid = 3
    cell = torch.nn.LSTMCell(2, hid, dtype=torch.float64)
    with torch.no_grad():
        for prm in cell.parameters():
            prm.zero_()
        cell.bias_ih[hid : 2 * hid] = 1.0
        cell.bias_hh[hid : 2 * hid] = 1.0
    c = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    _h, c_new = cell(torch.zeros(1, 2, dtype=torch.float64), (torch.zeros(1, hid, dtype=torch.float64), c))
    expected = float(lstm_two_biases.result.parts["f_at_effective"])  # g = tanh(0) = 0, so c' = f c
    return float(torch.max(torch.abs(c_new.detach() - expected * c)))


# --- 6. when the product of forget gates is the whole cell-to-cell gradient -----------------------------------------
_FP_STEPS = 3  # scalar cell, dc_3/dc_0 with h_0 held fixed
# the scalar recurrent weight of each gate; no assumptions, which SymPy would query at length
_FP_U = {k: sp.Symbol(f"W_h{k}") for k in GATES}


@derivation(
    "lstm_forget_product_exact",
    title="dc_T/dc_0 (h_0 fixed) is the product of the forget gates for every input and every W_ho when "
    "W_hi = W_hf = W_hg = 0: the only weights in dc_t/dh_{t-1}",
    title_zh="当 W_hi = W_hf = W_hg = 0（∂c_t/∂h_{t−1} 中仅有的权重）时，对任何输入和任何 W_ho，∂c_T/∂c_0（h_0 固定）"
    "都等于遗忘门之积",
)
def lstm_forget_product_exact() -> Result:
    """In PyTorch's LSTM, the block dc_t/dh_{t-1} of the step Jacobian vanishes for every state and gate value iff
    W_hi = W_hf = W_hg = 0 (W_ho does not enter it); the step Jacobians are then block lower triangular, and the
    top-left block of their product, dc_T/dc_0 with h_0 held fixed, is diag(f_T) ... diag(f_1). Scalar cell for the
    solve; generic 2 x 2 blocks for the product over 3 steps."""
    cp, hp = sp.symbols("c_{t-1} h_{t-1}")
    pre = {k: sp.Symbol(f"a_{k}") + _FP_U[k] * hp for k in GATES}  # a_k: input part of gate k's pre-activation
    gate = {k: Sigmoid(pre[k]) for k in ("i", "f", "o")} | {"g": sp.tanh(pre["g"])}
    c = gate["f"] * cp + gate["i"] * gate["g"]
    vals = {k: sp.Symbol(k) for k in GATES}  # gate values i, f, g, o at step t
    top_right = sp.diff(c, hp).xreplace({gate[k]: vals[k] for k in GATES})
    # vanishes for every c_{t-1} and gate values: every coefficient of the polynomial in (c_{t-1}, i, f, g) is 0
    coeffs = sp.Poly(sp.expand(top_right), cp, *(vals[k] for k in ("i", "f", "g"))).coeffs()
    sol = sp.solve(coeffs, list(_FP_U.values()), dict=True)
    if len(sol) != 1 or set(sol[0].values()) != {0}:
        raise ArithmeticError(f"unexpected solution {sol}")
    needed = [s for s in _FP_U.values() if s in sol[0]]
    if [str(s) for s in needed] != ["W_hi", "W_hf", "W_hg"] or top_right.has(_FP_U["o"]):
        raise ArithmeticError(f"unexpected set of weights: {needed}")
    # block lower-triangular step Jacobians: the top-left block of the product is the product of the top-left blocks
    blocks = [
        sp.Matrix([[sp.Symbol(f"f_{t}"), 0], [sp.Symbol(f"C_{t}"), sp.Symbol(f"D_{t}")]])
        for t in range(1, _FP_STEPS + 1)
    ]
    prod = blocks[2] * blocks[1] * blocks[0]
    fsym = sp.symbols(f"f_1:{_FP_STEPS + 1}")
    if sp.expand(prod[0, 0] - sp.Mul(*fsym)) != 0:
        raise ArithmeticError("the top-left block of the product is not the product of the forget gates")
    return Result(
        expr=sp.Tuple(*needed),
        latex=(
            r"W_{hi}=W_{hf}=W_{hg}=0\ \Longrightarrow\ \frac{\partial c_T}{\partial c_0}\Big|_{h_0}"
            r"=\operatorname{diag}(f_T)\cdots\operatorname{diag}(f_1)\ \text{for every }W_{ho}"
        ),
        parts={
            "top_right": top_right,
            "needed_zero": sp.Tuple(*needed),
            "product": prod[0, 0],
            "saturating_bias": sp.Integer(40),  # sigma(40) is exactly 1.0 in float64 (sigmoid_gate_open_interval)
        },
        symbols={
            "W_hk": "scalar recurrent weight of gate k in i, f, g, o",
            "a_k": "input part of gate k's pre-activation",
            "c_{t-1}, h_{t-1}": "previous cell state and output",
            "i, f, g, o": "gate values at step t",
            "f_t, C_t, D_t": "blocks of the step-t Jacobian when its top-right block is 0",
        },
    )


@lstm_forget_product_exact.check(
    "torch.nn.LSTMCell, float64, H = 3, 5 steps, W_ho random: with the weights the result names set to 0, autograd "
    "dc_5/dc_0 (h_0 fixed) vs the product of diag(f_t); with them random, the difference is above 1e-3; with forget "
    "bias 40 as well (f = 1.0 exactly), dc_5/dc_0 is exactly I, and with W_hi, W_hg random again it is not",
    tol=1e-15,
    needs="torch",
    oracle_zh="`torch.nn.LSTMCell`（float64，H = 3，5 步，W_ho 随机）：把结果所列的权重置零，自动微分求 ∂c_5/∂c_0"
    "（h_0 固定），与 diag(f_t) 之积比较；这些权重随机时差值大于 1e-3；再把遗忘门偏置设为 40（f 恰为 1.0）时，"
    "∂c_5/∂c_0 恰为 I，而 W_hi、W_hg 重新取随机值时则不是",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import jacobian, lstm_state_map, single_thread, torch_lstm_cell

    hid, steps = 3, 5
    block = {str(_FP_U[k]): n for n, k in enumerate(GATES)}
    rng = np.random.default_rng(21)
    base = _rng_params(hid, 2, 21, scale=2.0)
    xs, c0, h0 = rng.normal(size=(steps, 2)), rng.normal(size=hid), rng.uniform(-1, 1, hid)

    def measure(p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        with single_thread():
            run = lstm_state_map(torch_lstm_cell(p), xs)
            jt = jacobian(lambda cv: run(cv, torch.from_numpy(h0))[0], c0)
        prod, c, h = np.eye(hid), c0, h0
        for x in xs:
            prod = np.diag(lstm_gates_np(p, x, h)["f"]) @ prod
            h, c = lstm_cell_np(p, x, h, c)
        return jt, prod

    zeroed = {k: v.copy() for k, v in base.items()}
    for s in lstm_forget_product_exact.result.parts["needed_zero"]:
        zeroed["weight_hh"][block[str(s)] * hid : (block[str(s)] + 1) * hid] = 0.0
    jt, prod = measure(zeroed)
    err = float(np.max(np.abs(jt - prod)))
    jr, pr = measure(base)
    really_wrong = 0.0 if np.max(np.abs(jr - pr)) > 1e-3 else 1.0
    saturated = {k: v.copy() for k, v in zeroed.items()}
    f_rows = slice(hid, 2 * hid)
    big = float(lstm_forget_product_exact.result.parts["saturating_bias"])
    saturated["weight_ih"][f_rows], saturated["bias_ih"][f_rows], saturated["bias_hh"][f_rows] = 0.0, big, 0.0
    js, _ = measure(saturated)
    carousel = 0.0 if np.array_equal(js, np.eye(hid)) else 1.0
    leaky = {k: v.copy() for k, v in saturated.items()}  # f = 1.0 exactly, but W_hi and W_hg random again
    for gate in ("i", "g"):
        rows = slice(block[f"W_h{gate}"] * hid, (block[f"W_h{gate}"] + 1) * hid)
        leaky["weight_hh"][rows] = base["weight_hh"][rows]
    jl, _ = measure(leaky)
    broken = 0.0 if np.max(np.abs(jl - np.eye(hid))) > 1e-3 else 1.0
    return max(err, really_wrong, carousel, broken)


# --- 7. the forget bias written into both of PyTorch's bias vectors, over 100 steps ---------------------------------
_DB_STEPS = 100


@derivation(
    "lstm_forget_bias_doubled_product",
    title="Forget bias 1 in both bias_ih and bias_hh: the cell path over 100 steps is sigma(2)^100, not sigma(1)^100",
    title_zh="bias_ih 与 bias_hh 中的遗忘门偏置都设为 1：100 步细胞通路上的梯度是 σ(2)¹⁰⁰，而不是 σ(1)¹⁰⁰",
)
def lstm_forget_bias_doubled_product() -> Result:
    """In PyTorch's LSTM with zero weights, forget-gate entries 1 in both bias_ih and bias_hh give the gate
    sigma(1 + 1) and the cell path over 100 steps sigma(2)^100; the ratio to the intended sigma(1)^100 is
    (sigma(2)/sigma(1))^100."""
    each = sp.Integer(1)
    effective = each + each  # both vectors are added to the same pre-activation (lstm_two_biases)
    sigma = lambda v: 1 / (1 + sp.exp(-v))  # noqa: E731
    doubled, intended = sigma(effective) ** _DB_STEPS, sigma(each) ** _DB_STEPS
    ratio = sp.powsimp(doubled / intended, force=True)  # (1 + e^-1)^100 / (1 + e^-2)^100
    return Result(
        expr=sp.Tuple(doubled, intended, ratio),
        latex=(
            rf"\sigma({sp.latex(effective)})^{{{_DB_STEPS}}}\approx{sci_latex(doubled, 4, plain=_PLAIN)},\quad"
            rf"\sigma({sp.latex(each)})^{{{_DB_STEPS}}}\approx{sci_latex(intended, 4, plain=_PLAIN)}"
        ),
        parts={
            "steps": sp.Integer(_DB_STEPS),
            "bias_each": each,
            "effective_bias": effective,
            "f_doubled": sigma(effective),
            "prod_doubled": doubled,
            "prod_intended": intended,
            "ratio": ratio,
            "orders": sp.log(ratio, 10),
        },
        text={
            "prod_doubled": sci_latex(doubled, 4, plain=_PLAIN),
            "prod_intended": sci_latex(intended, 4, plain=_PLAIN),
            "ratio": sci_latex(ratio, 2, plain=_PLAIN),
            "orders": f"{float(sp.log(ratio, 10)):.1f}",
        },
        symbols={"sigma": "logistic sigmoid"},
    )


@lstm_forget_bias_doubled_product.check(
    "torch.nn.LSTMCell, float64, zero weights, forget entries 1 in both bias vectors: autograd dc_100/dc_0 against "
    "the derived product (relative error); mpmath at 30 digits for sigma(2)^100 / sigma(1)^100",
    tol=1e-12,
    needs="torch",
    oracle_zh="`torch.nn.LSTMCell`（float64）：权重全为零，两个偏置向量的遗忘门分量都设为 1，自动微分求 ∂c_100/∂c_0，"
    "与推导出的连乘比较（相对误差）；并用 mpmath（30 位）计算 σ(2)¹⁰⁰/σ(1)¹⁰⁰",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import jacobian, lstm_state_map, single_thread, torch_lstm_cell

    r = lstm_forget_bias_doubled_product.result.parts
    hid = 2
    p = {k: np.zeros_like(v) for k, v in _rng_params(hid, 1, 0).items()}
    p["bias_ih"][hid : 2 * hid] = float(r["bias_each"])
    p["bias_hh"][hid : 2 * hid] = float(r["bias_each"])
    xs = np.zeros((int(r["steps"]), 1))
    with single_thread():
        run = lstm_state_map(torch_lstm_cell(p), xs)
        jt = jacobian(lambda cv: run(cv, torch.zeros(hid, dtype=torch.float64))[0], np.ones(hid))
    want = float(r["prod_doubled"])
    err_torch = float(np.max(np.abs(jt - want * np.eye(hid)))) / want
    with mpmath.workdps(30):
        s = lambda v: 1 / (1 + mpmath.exp(-v))  # noqa: E731
        ratio = (s(2) / s(1)) ** 100
        err_mp = float(abs(ratio - mpmath.mpf(str(sp.N(r["ratio"], 40)))) / ratio)
    return max(err_torch, err_mp)
