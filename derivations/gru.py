"""GRU cell gradients in three conventions: PyTorch/cuDNN (reset after the recurrent product), Cho et al. 2014
(reset before the product, z keeps the old state) and Chung et al. 2014 (reset before the product, z takes the
candidate); forward equations, dh_t/dh_{t-1}, how the conventions differ, and when a GRU is a plain tanh RNN.

Conventions: PyTorch layout for all three (rows of weight_ih / weight_hh in gate order r, z, n; two biases
bias_ih and bias_hh); Cho and Chung have no biases in the papers, here b_in and b_hn are added outside the
product so the same parameters drive all three cells. Jacobians are in numerator layout; "*" is elementwise;
sigma is the logistic sigmoid. Symbolic results use H = 2 and input size 2; the formulas hold for every H. The
NumPy cells are in ``derivations.nets.gru``, the torch oracles in ``derivations.oracles.autograd``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.core import Derivation, Result, derivation
from derivations.nets.gru import CONVENTIONS, GATES, gru_cell_np, gru_jacobian_np, gru_parts_np, split_params
from derivations.nets.lstm import init_params
from derivations.oracles.finite import central_diff
from derivations.sym import (
    Sigmoid,
    diag,
    eval_matrix,
    sigmoid_explicit,
    sigmoid_rule_ok,
    symbol_matrix,
    symbol_vector,
)

H, I_SIZE = 2, 2


# --- symbols ------------------------------------------------------------------------------------------------------
_W = {k: symbol_matrix(f"W{k}", H, I_SIZE) for k in GATES}
_U = {k: symbol_matrix(f"U{k}", H, H) for k in GATES}
_BI = {k: symbol_vector(f"bi{k}", H) for k in GATES}
_BH = {k: symbol_vector(f"bh{k}", H) for k in GATES}
_x = symbol_vector("x", I_SIZE)
_hp = symbol_vector("hp", H)
_GV = {k: symbol_vector(k, H) for k in GATES}  # gate values r_a, z_a and candidate n_a

_SYMBOLS = {
    "Wk_ab (k in r,z,n)": "input weight of gate k (rows k*H..(k+1)*H-1 of weight_ih, PyTorch order r, z, n)",
    "Uk_ab (k in r,z,n)": "recurrent weight of gate k (rows of weight_hh)",
    "bik_a, bhk_a": "bias_ih and bias_hh entries of gate k",
    "x_b": "input x_t (I = 2)",
    "hp_a": "previous state h_{t-1} (H = 2)",
    "r_a, z_a": "reset and update gate values at step t",
    "n_a": "candidate state at step t (tanh of its pre-activation)",
}

_mul = sp.matrix_multiply_elementwise


def _forward(convention: str) -> tuple[sp.Matrix, dict[str, sp.Matrix]]:
    r = (_W["r"] * _x + _BI["r"] + _U["r"] * _hp + _BH["r"]).applyfunc(Sigmoid)
    z = (_W["z"] * _x + _BI["z"] + _U["z"] * _hp + _BH["z"]).applyfunc(Sigmoid)
    if convention == "pytorch":
        pre_n = _W["n"] * _x + _BI["n"] + _mul(r, _U["n"] * _hp + _BH["n"])
    else:
        pre_n = _W["n"] * _x + _BI["n"] + _U["n"] * _mul(r, _hp) + _BH["n"]
    n = pre_n.applyfunc(sp.tanh)
    one = sp.ones(H, 1)
    if convention == "chung":
        new = _mul(one - z, _hp) + _mul(z, n)
    else:
        new = _mul(one - z, n) + _mul(z, _hp)
    return new, {"r": r, "z": z, "n": n}


def _to_gate_symbols(expr: sp.Matrix, gate: dict[str, sp.Matrix]) -> sp.Matrix:
    return expr.xreplace({gate[k][a]: _GV[k][a] for k in GATES for a in range(H)})


def _structured(convention: str) -> sp.Matrix:
    r, z, n = _GV["r"], _GV["z"], _GV["n"]
    one = sp.ones(H, 1)
    dn = diag(one - _mul(n, n))
    if convention == "pytorch":
        dpre = diag(r) * _U["n"] + diag(_mul(_U["n"] * _hp + _BH["n"], _mul(r, one - r))) * _U["r"]
    else:
        dpre = _U["n"] * (diag(r) + diag(_mul(_hp, _mul(r, one - r))) * _U["r"])
    dz = diag(_mul(z, one - z)) * _U["z"]
    if convention == "chung":
        return diag(one - z) + diag(n - _hp) * dz + diag(z) * dn * dpre
    return diag(z) + diag(_hp - n) * dz + diag(one - z) * dn * dpre


def _sample(seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = {k: 2.5 * v for k, v in init_params(3, I_SIZE, H, np.random.default_rng(seed)).items()}
    return p, rng.normal(size=I_SIZE), rng.uniform(-0.9, 0.9, H)


def _values(p: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, convention: str) -> dict[sp.Symbol, float]:
    s = split_params(p, H)
    g = gru_parts_np(p, x, h, convention)
    vals: dict[sp.Symbol, float] = {}
    for k in GATES:
        for a in range(H):
            vals[_GV[k][a]] = g[k][a]
            vals[_BI[k][a]], vals[_BH[k][a]] = s[f"bi{k}"][a], s[f"bh{k}"][a]
            for b in range(H):
                vals[_U[k][a, b]] = s[f"U{k}"][a, b]
            for b in range(I_SIZE):
                vals[_W[k][a, b]] = s[f"W{k}"][a, b]
    vals.update({_hp[a]: h[a] for a in range(H)} | {_x[b]: x[b] for b in range(I_SIZE)})
    return vals


# --- forward equations -------------------------------------------------------------------------------------------
@derivation(
    "gru_equations",
    title=(
        "GRU forward pass, three conventions: PyTorch/cuDNN r*(W_hn h + b_hn), Cho et al. (2014) U(r*h), "
        "Chung et al. (2014) z*h~ (update gate times candidate)"
    ),
    title_zh="GRU 前向传播的三种约定：PyTorch/cuDNN 的 r⊙(W_hn h + b_hn)、Cho 等（2014）的 U(r⊙h)、"
    "Chung 等（2014）的 z⊙h̃（更新门乘候选状态）",
)
def gru_equations() -> Result:
    outs = {c: sigmoid_explicit(_forward(c)[0]) for c in CONVENTIONS}
    return Result(
        expr=sp.Tuple(*(outs[c] for c in CONVENTIONS)),
        latex=(
            r"\begin{aligned}"
            r"r_t&=\sigma(W_{ir}x_t+b_{ir}+W_{hr}h_{t-1}+b_{hr}),"
            r"&z_t&=\sigma(W_{iz}x_t+b_{iz}+W_{hz}h_{t-1}+b_{hz})\\"
            r"\text{PyTorch/cuDNN: }n_t&=\tanh\bigl(W_{in}x_t+b_{in}+r_t\odot(W_{hn}h_{t-1}+b_{hn})\bigr),"
            r"&h_t&=(1-z_t)\odot n_t+z_t\odot h_{t-1}\\"
            r"\text{Cho 2014: }\tilde h_t&=\tanh\bigl(W x_t+U(r_t\odot h_{t-1})\bigr),"
            r"&h_t&=z_t\odot h_{t-1}+(1-z_t)\odot\tilde h_t\\"
            r"\text{Chung 2014: }\tilde h_t&=\tanh\bigl(W x_t+U(r_t\odot h_{t-1})\bigr),"
            r"&h_t&=(1-z_t)\odot h_{t-1}+z_t\odot\tilde h_t"
            r"\end{aligned}"
        ),
        parts={f"h_{c}": outs[c] for c in CONVENTIONS},
        symbols=_SYMBOLS,
    )


@gru_equations.check(
    "torch.nn.GRUCell (pytorch) and torch-op cells (cho, chung), float64, same weights; and the NumPy cells",
    tol=1e-13,
    needs="torch",
    oracle_zh="`torch.nn.GRUCell`（PyTorch 约定）与用 torch 运算写出的 Cho、Chung 单元，float64，权重相同；"
    "并核对 NumPy 单元",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import torch_gru_cell, torch_gru_step

    errs = []
    p, x, h = _sample(1)
    vals = _values(p, x, h, "pytorch")
    for c in CONVENTIONS:
        sym = eval_matrix(gru_equations.result.parts[f"h_{c}"], vals).ravel()
        with torch.no_grad():
            ref = torch_gru_step(p, c)(torch.from_numpy(x), torch.from_numpy(h)).numpy()
            if c == "pytorch":
                cell = torch_gru_cell(p)(torch.from_numpy(x)[None], torch.from_numpy(h)[None])[0].numpy()
                errs.append(np.max(np.abs(sym - cell)))
        errs.append(np.max(np.abs(sym - ref)))
        errs.append(np.max(np.abs(gru_cell_np(p, x, h, c) - ref)))
    return float(max(errs))


# --- Jacobians, one derivation per convention ---------------------------------------------------------------------
_BRACKET_PRE = (
    r"\operatorname{diag}(r_t)W_{hn}+\operatorname{diag}\bigl((W_{hn}h_{t-1}+b_{hn})\odot r_t\odot(1-r_t)\bigr)W_{hr}"
)
_BRACKET_CHO = r"U\Bigl[\operatorname{diag}(r_t)+\operatorname{diag}\bigl(h_{t-1}\odot r_t\odot(1-r_t)\bigr)U_r\Bigr]"
_JAC_LATEX = {
    "pytorch": (
        r"\begin{aligned}\frac{\partial h_t}{\partial h_{t-1}}=\ &\operatorname{diag}(z_t)"
        r"+\operatorname{diag}\bigl((h_{t-1}-n_t)\odot z_t\odot(1-z_t)\bigr)W_{hz}\\"
        r"&+\operatorname{diag}\bigl((1-z_t)\odot(1-n_t^2)\bigr)\Bigl[" + _BRACKET_PRE + r"\Bigr]\end{aligned}"
    ),
    "cho": (
        r"\begin{aligned}\frac{\partial h_t}{\partial h_{t-1}}=\ &\operatorname{diag}(z_t)"
        r"+\operatorname{diag}\bigl((h_{t-1}-\tilde h_t)\odot z_t\odot(1-z_t)\bigr)U_z\\"
        r"&+\operatorname{diag}\bigl((1-z_t)\odot(1-\tilde h_t^2)\bigr)" + _BRACKET_CHO + r"\end{aligned}"
    ),
    "chung": (
        r"\begin{aligned}\frac{\partial h_t}{\partial h_{t-1}}=\ &\operatorname{diag}(1-z_t)"
        r"+\operatorname{diag}\bigl((\tilde h_t-h_{t-1})\odot z_t\odot(1-z_t)\bigr)U_z\\"
        r"&+\operatorname{diag}\bigl(z_t\odot(1-\tilde h_t^2)\bigr)" + _BRACKET_CHO + r"\end{aligned}"
    ),
}
_JAC_TITLES = {
    "pytorch": (
        "GRU (PyTorch/cuDNN, reset after the product): dh_t/dh_{t-1}",
        "GRU（PyTorch/cuDNN，重置门作用在乘积之后）：∂h_t/∂h_{t−1}",
    ),
    "cho": (
        "GRU (Cho et al. 2014, reset before the product): dh_t/dh_{t-1}",
        "GRU（Cho 等，2014；重置门作用在乘积之前）：∂h_t/∂h_{t−1}",
    ),
    "chung": (
        "GRU (Chung et al. 2014, z weights the candidate): dh_t/dh_{t-1}",
        "GRU（Chung 等，2014；更新门 z 乘候选状态）：∂h_t/∂h_{t−1}",
    ),
}


def _jacobian(convention: str) -> Result:
    if not sigmoid_rule_ok():
        raise ArithmeticError("Sigmoid derivative rule is wrong")
    new, gate = _forward(convention)
    jac = _to_gate_symbols(new.jacobian(_hp), gate)
    if jac.free_symbols & {s for v in _W.values() for s in v}:
        raise ArithmeticError("gate substitution left input terms behind")
    if sp.expand(jac - _structured(convention)) != sp.zeros(H, H):
        raise ArithmeticError(f"{convention} Jacobian differs from the structured formula")
    return Result(expr=jac, latex=_JAC_LATEX[convention], parts={"jacobian": jac}, symbols=_SYMBOLS)


@derivation("gru_pytorch_jacobian", title=_JAC_TITLES["pytorch"][0], title_zh=_JAC_TITLES["pytorch"][1])
def gru_pytorch_jacobian() -> Result:
    return _jacobian("pytorch")


@derivation("gru_cho_jacobian", title=_JAC_TITLES["cho"][0], title_zh=_JAC_TITLES["cho"][1])
def gru_cho_jacobian() -> Result:
    return _jacobian("cho")


@derivation("gru_chung_jacobian", title=_JAC_TITLES["chung"][0], title_zh=_JAC_TITLES["chung"][1])
def gru_chung_jacobian() -> Result:
    return _jacobian("chung")


def _jacobian_checks(d: Derivation, convention: str) -> None:
    """Register the two checks of one convention's Jacobian: torch autograd and central finite differences."""

    @d.check(
        "torch.autograd.functional.jacobian, float64, same weights (GRUCell for pytorch, torch ops otherwise); "
        "and the NumPy Jacobian",
        tol=1e-10,
        needs="torch",
        oracle_zh="`torch.autograd.functional.jacobian`（float64，权重相同；PyTorch 约定用 `torch.nn.GRUCell`，"
        "其余用 torch 运算写出的单元）；并核对 NumPy 雅可比矩阵",
    )
    def _() -> float:
        import torch

        from derivations.oracles.autograd import jacobian, torch_gru_cell, torch_gru_step

        errs = []
        for seed in (2, 3):
            p, x, h = _sample(seed)
            if convention == "pytorch":
                cell = torch_gru_cell(p)
                fn = lambda hv, cell=cell, x=x: cell(torch.from_numpy(x)[None], hv[None])[0]  # noqa: E731
            else:
                step = torch_gru_step(p, convention)
                fn = lambda hv, step=step, x=x: step(torch.from_numpy(x), hv)  # noqa: E731
            jt = jacobian(fn, h)
            errs.append(np.max(np.abs(eval_matrix(d.result.parts["jacobian"], _values(p, x, h, convention)) - jt)))
            errs.append(np.max(np.abs(gru_jacobian_np(p, x, h, convention) - jt)))
        return float(max(errs))

    @d.check(
        "central finite differences of the NumPy cell, float64 (step 1e-6)",
        tol=1e-8,
        oracle_zh="对 NumPy 单元做中心有限差分（float64，步长 1e-6）",
    )
    def _() -> float:
        p, x, h = _sample(4)
        cols = [
            central_diff(lambda t, e=e: gru_cell_np(p, x, h + t * e, convention), np.array(0.0), 1e-6)
            for e in np.eye(H)
        ]
        sym = eval_matrix(d.result.parts["jacobian"], _values(p, x, h, convention))
        return float(np.max(np.abs(sym - np.column_stack(cols))))


_jacobian_checks(gru_pytorch_jacobian, "pytorch")
_jacobian_checks(gru_cho_jacobian, "cho")
_jacobian_checks(gru_chung_jacobian, "chung")


# --- Cho vs PyTorch --------------------------------------------------------------------------------------------
CMP_SEED, CMP_HIDDEN = 5, 8


def cho_vs_pytorch_np(seed: int = CMP_SEED, hidden: int = CMP_HIDDEN) -> dict[str, float]:
    """Largest |h'_pytorch - h'_cho| and the spectral norm of the difference of the Jacobians dh'/dh, for one set of
    PyTorch-default-init weights (H = I = ``hidden``), x ~ N(0, 1) and h ~ U(-1, 1) drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    p = init_params(3, hidden, hidden, np.random.default_rng(seed))
    x, h = rng.normal(size=hidden), rng.uniform(-1, 1, hidden)
    dh = np.abs(gru_cell_np(p, x, h, "pytorch") - gru_cell_np(p, x, h, "cho"))
    dj = gru_jacobian_np(p, x, h, "pytorch") - gru_jacobian_np(p, x, h, "cho")
    return {"max_abs_dh": float(np.max(dh)), "jac_diff_norm": float(np.linalg.norm(dj, 2))}


@derivation(
    "gru_cho_vs_pytorch",
    title="Cho 2014 vs PyTorch GRU: candidate pre-activations differ by sum_j U_kj h_j (r_k - r_j) + (r_k - 1) b_hn,k",
    title_zh="Cho 等（2014）与 PyTorch 的 GRU：候选状态的预激活值相差 Σ_j U_kj h_j (r_k − r_j) + (r_k − 1) b_hn,k",
)
def gru_cho_vs_pytorch() -> Result:
    r = _GV["r"]
    torch_pre = _mul(r, _U["n"] * _hp + _BH["n"])
    cho_pre = _U["n"] * _mul(r, _hp) + _BH["n"]
    diff = sp.expand(torch_pre - cho_pre)
    claimed = sp.Matrix(
        H, 1, lambda k, _: sum(_U["n"][k, j] * _hp[j] * (r[k] - r[j]) for j in range(H)) + (r[k] - 1) * _BH["n"][k]
    )
    if sp.expand(diff - claimed) != sp.zeros(H, 1):
        raise ArithmeticError("difference formula wrong")
    # they agree for every h and U iff all r_k are equal and (r = 1 or b_hn = 0); H = 1 with b_hn = 0 always agrees
    equal_r = sp.expand(diff.subs({r[1]: r[0]}).subs(_BH["n"][0], 0).subs(_BH["n"][1], 0))
    if equal_r != sp.zeros(H, 1):
        raise ArithmeticError("equal reset values with zero b_hn should agree")
    m = cho_vs_pytorch_np()
    return Result(
        expr=sp.Eq(sp.Symbol("Delta"), claimed),
        latex=(
            r"\bigl[r\odot(W_{hn}h+b_{hn})\bigr]_k-\bigl[W_{hn}(r\odot h)+b_{hn}\bigr]_k="
            r"\sum_j (W_{hn})_{kj}h_j\,(r_k-r_j)+(r_k-1)(b_{hn})_k"
        ),
        parts={
            "difference": claimed,
            "max_abs_dh": sp.Float(m["max_abs_dh"], 15),
            "jac_diff_norm": sp.Float(m["jac_diff_norm"], 15),
        },
        text={
            "max_abs_dh": f"{m['max_abs_dh']:.3g}",
            "jac_diff_norm": f"{m['jac_diff_norm']:.3g}",
            "hidden": str(CMP_HIDDEN),
            "seed": str(CMP_SEED),
        },
        symbols=_SYMBOLS | {"Delta": "PyTorch candidate pre-activation minus Cho's (same weights)"},
    )


@gru_cho_vs_pytorch.check(
    "torch: GRUCell minus torch-op Cho cell, predicted difference of tanh arguments",
    tol=1e-13,
    needs="torch",
    oracle_zh="`torch.nn.GRUCell` 与用 torch 运算写出的 Cho 单元之差，对照 tanh 自变量之差的预测值",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import torch_gru_cell, torch_gru_step

    p, x, h = _sample(6)
    cell = torch_gru_cell(p)
    with torch.no_grad():
        out_torch = cell(torch.from_numpy(x)[None], torch.from_numpy(h)[None])[0].numpy()
        out_cho = torch_gru_step(p, "cho")(torch.from_numpy(x), torch.from_numpy(h)).numpy()
    g = gru_parts_np(p, x, h, "pytorch")
    n_t = (out_torch - g["z"] * h) / (1 - g["z"])  # recover n from h' = (1-z) n + z h (same r, z in both)
    n_c = (out_cho - g["z"] * h) / (1 - g["z"])
    vals = _values(p, x, h, "pytorch")
    predicted = eval_matrix(gru_cho_vs_pytorch.result.parts["difference"], vals).ravel()
    m = cho_vs_pytorch_np()
    differ = 0.0 if m["max_abs_dh"] > 1e-3 and m["jac_diff_norm"] > 1e-3 else 1.0
    return float(np.max(np.abs(np.arctanh(n_t) - np.arctanh(n_c) - predicted))) + differ


# --- reduction to a plain tanh RNN ---------------------------------------------------------------------------------
@derivation(
    "gru_plain_rnn_reduction",
    title="GRU = plain tanh RNN at r = 1, z = 0 (PyTorch, Cho) but r = z = 1 (Chung); 'r = z = 1' works only for Chung",
    title_zh="GRU 退化为普通 tanh RNN：PyTorch 与 Cho 需 r = 1、z = 0，Chung 需 r = z = 1；“r = z = 1”仅对 Chung 成立",
)
def gru_plain_rnn_reduction() -> Result:
    zs, hs, ns = sp.symbols("z h n", real=True)
    updates = {"pytorch": (1 - zs) * ns + zs * hs, "cho": zs * hs + (1 - zs) * ns, "chung": (1 - zs) * hs + zs * ns}
    z_needed, at_r1_z1 = {}, {}
    for c, upd in updates.items():
        coeffs = sp.Poly(sp.expand(upd - ns), hs, ns).coeffs()  # h' = n for every h and n
        sol = sp.solve(coeffs, zs, dict=True)
        if len(sol) != 1:
            raise ArithmeticError(f"{c}: no unique z")
        z_needed[c] = sol[0][zs]
        at_r1_z1[c] = upd.subs(zs, 1)
    # reset: with r = 1 every candidate becomes tanh(W_in x + b_in + W_hn h + b_hn)
    plain = (_W["n"] * _x + _BI["n"] + _U["n"] * _hp + _BH["n"]).applyfunc(sp.tanh)
    for c in CONVENTIONS:
        new, gate = _forward(c)
        ones = {gate["r"][a]: 1 for a in range(H)}
        zval = {gate["z"][a]: z_needed[c] for a in range(H)}
        if sp.expand(new.xreplace(ones).xreplace(zval) - plain) != sp.zeros(H, 1):
            raise ArithmeticError(f"{c}: r = 1 with the solved z is not the plain RNN")
    holds = {c: sp.simplify(at_r1_z1[c] - ns) == 0 for c in CONVENTIONS}
    if holds != {"pytorch": False, "cho": False, "chung": True}:
        raise ArithmeticError(f"unexpected r = z = 1 pattern {holds}")
    sigma_m40 = 1 / (1 + sp.exp(40))  # the gate value the check uses for "z = 0": not 0, about 4.2e-18
    return Result(
        expr=sp.Tuple(*(sp.Tuple(sp.Integer(1), z_needed[c]) for c in CONVENTIONS)),
        latex=(
            rf"\begin{{aligned}}&r_t=1,\ z_t={sp.latex(z_needed['pytorch'])}\ \text{{(PyTorch)}},\ "
            rf"z_t={sp.latex(z_needed['cho'])}\ \text{{(Cho)}},\ z_t={sp.latex(z_needed['chung'])}\ \text{{(Chung)}}"
            r"\ \Longrightarrow\ h_t=\tanh(W_{in}x_t+b_{in}+W_{hn}h_{t-1}+b_{hn});\\"
            r"&r_t=z_t=1:\quad h_t=h_{t-1}\ \text{(PyTorch, Cho)},\quad h_t=\tilde h_t\ \text{(Chung)}\end{aligned}"
        ),
        parts={
            **{f"z_for_plain_{c}": z_needed[c] for c in CONVENTIONS},
            **{f"h_at_r1_z1_{c}": at_r1_z1[c] for c in CONVENTIONS},
            "sigma_minus_40": sigma_m40,
        },
        text={"sigma_minus_40": f"{float(sigma_m40):.1e}"},
        symbols={"z, r": "update and reset gate values", "h": "previous state h_{t-1}", "n": "candidate"} | _SYMBOLS,
    )


@gru_plain_rnn_reduction.check(
    "torch.nn.GRUCell and torch-op Cho, Chung cells with gate weights 0 and gate biases ±40 (r = 1.0 exactly, "
    "z = sigma(±40)) vs a NumPy tanh RNN; r = z = 1 in PyTorch's convention copies h",
    tol=1e-15,
    needs="torch",
    oracle_zh="`torch.nn.GRUCell` 及用 torch 运算写出的 Cho、Chung 单元，门权重置零、门偏置取 ±40（r 恰为 1.0，"
    "z = σ(±40)），与 NumPy 写的 tanh RNN 比较；PyTorch 约定下 r = z = 1 时复制 h",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import torch_gru_cell, torch_gru_step

    p, x, h = _sample(8)
    hid = H
    errs = []
    for convention, zb in (("pytorch", -40.0), ("cho", -40.0), ("chung", 40.0), ("pytorch", 40.0)):
        q = {k: v.copy() for k, v in p.items()}
        for rows, b in ((slice(0, hid), 40.0), (slice(hid, 2 * hid), zb)):
            q["weight_ih"][rows] = 0.0
            q["weight_hh"][rows] = 0.0
            q["bias_ih"][rows] = b
            q["bias_hh"][rows] = 0.0
        with torch.no_grad():
            if convention == "pytorch":
                out = torch_gru_cell(q)(torch.from_numpy(x)[None], torch.from_numpy(h)[None])[0].numpy()
            else:
                out = torch_gru_step(q, convention)(torch.from_numpy(x), torch.from_numpy(h)).numpy()
        n = slice(2 * hid, 3 * hid)
        plain = np.tanh(q["weight_ih"][n] @ x + q["bias_ih"][n] + q["weight_hh"][n] @ h + q["bias_hh"][n])
        expect_plain = not (convention == "pytorch" and zb > 0)
        errs.append(np.max(np.abs(out - (plain if expect_plain else h))))
    return float(max(errs))


# --- which gate settings carry the gradient from an early input x_t' to h_t ----------------------------------------
_GRAD_STEPS = 3  # scalar cell, t' = 1, t = 3: one step that reads the input, two steps after it
_KEEP = {"pytorch": lambda z: z, "cho": lambda z: z, "chung": lambda z: 1 - z}  # weight of h_{t-1} in h_t


def _clamped_scalar_run(convention: str) -> tuple[sp.Expr, dict[str, list[sp.Symbol]], list[sp.Expr]]:
    """h_3 of a scalar GRU whose gates are constants z_s, r_s (gate weights zero); its candidates' pre-activations."""
    w, u, b, bh, h0 = sp.symbols("w u b b_h h_0", real=True)
    s = {k: list(sp.symbols(f"{k}_1:{_GRAD_STEPS + 1}", real=True)) for k in ("x", "z", "r", "n")}
    h, pres = h0, []
    for k in range(_GRAD_STEPS):
        z, r = s["z"][k], s["r"][k]
        if convention == "pytorch":
            pre = w * s["x"][k] + b + r * (u * h + bh)
        else:
            pre = w * s["x"][k] + b + u * (r * h) + bh
        keep = _KEEP[convention](z)
        h = keep * h + (1 - keep) * sp.tanh(pre)
        pres.append(pre)
    return h, s, pres


def _in_candidates(expr: sp.Expr, pres: list[sp.Expr], n: list[sp.Symbol]) -> sp.Expr:
    """``expr`` with every tanh(pre-activation of step s) written as the candidate n_s (earliest step first)."""
    done: list[tuple[sp.Expr, sp.Symbol]] = []
    for pre, ns in zip(pres, n, strict=True):
        for key, val in done:  # one substitution at a time: a later pre-activation holds the earlier tanh inside
            pre = pre.xreplace({key: val})
        expr = expr.xreplace({sp.tanh(pre): ns})
        done.append((sp.tanh(pre), ns))
    return expr


@derivation(
    "gru_input_gradient_gate_settings",
    title="GRU gates that carry dh_t/dx_t' (t' < t): z = 0 at t' and z = 1 after it (D2L, Cho, PyTorch; Chung: "
    "swapped), any r; r = z = 0 at every step gives exactly 0",
    title_zh="使 ∂h_t/∂x_t′（t′ < t）原样传下去的 GRU 门值：第 t′ 步 z = 0，其后各步 z = 1（D2L、Cho、PyTorch；"
    "Chung 相反），r 任意；若每步都取 r = z = 0，则它恰为 0",
)
def gru_input_gradient_gate_settings() -> Result:
    """With gate values held constant (gate weights zero), dh_t/dx_t' = J_t ... J_t'+1 (1 - z_t')(1 - n_t'^2) w with
    J_s = z_s + (1 - z_s)(1 - n_s^2) u r_s in D2L's convention h_t = z*h_{t-1} + (1-z)*n_t (= Cho's; PyTorch's has the
    same factor); it equals the candidate's own derivative (1 - n_t'^2) w for every weight iff z_t' = 0 and z_s = 1
    after t' (Chung: z_t' = 1, z_s = 0), and r = z = 0 at every step makes it exactly 0. Scalar cell, t' = 1, t = 3."""
    a, c = sp.symbols("a c", real=True)  # a: (1 - n_s^2) u r_s of a later step; c: (1 - n_t'^2) w
    zs = sp.Symbol("z", real=True)
    parts: dict[str, sp.Basic] = {}
    for conv in CONVENTIONS:
        h, s, pres = _clamped_scalar_run(conv)
        x1, z, r, n = s["x"][0], s["z"], s["r"], s["n"]
        u, w = sp.Symbol("u", real=True), sp.Symbol("w", real=True)
        d = _in_candidates(sp.diff(h, x1), pres, n)
        keep = _KEEP[conv]
        structured = (1 - keep(z[0])) * (1 - n[0] ** 2) * w
        for k in range(1, _GRAD_STEPS):
            structured *= keep(z[k]) + (1 - keep(z[k])) * (1 - n[k] ** 2) * u * r[k]
        if sp.expand(d - structured) != 0:
            raise ArithmeticError(f"{conv}: dh_3/dx_1 is not the product of the per-step factors")
        # solve: a later step's factor keep(z) + (1 - keep(z)) a must be 1 for every a; the input step's (1 - keep(z)) c
        # must be c for every c
        later = sp.solve(sp.Poly(keep(zs) + (1 - keep(zs)) * a - 1, a).coeffs(), zs, dict=True)
        at_input = sp.solve(sp.Poly((1 - keep(zs)) * c - c, c).coeffs(), zs, dict=True)
        if len(later) != 1 or len(at_input) != 1:
            raise ArithmeticError(f"{conv}: no unique gate setting")
        z_after, z_input = later[0][zs], at_input[0][zs]
        right = d.xreplace({z[0]: z_input} | {z[k]: z_after for k in range(1, _GRAD_STEPS)})
        if sp.expand(right - (1 - n[0] ** 2) * w) != 0 or right.free_symbols & set(r):
            raise ArithmeticError(f"{conv}: the solved setting does not pass the candidate's derivative")
        both_zero = sp.diff(h.xreplace({q: 0 for q in z + r}), x1)  # on the cell itself, before any rewriting
        if both_zero != 0:
            raise ArithmeticError(f"{conv}: r = z = 0 at every step does not cut the gradient")
        parts |= {f"z_input_{conv}": z_input, f"z_after_{conv}": z_after, f"all_gates_zero_{conv}": both_zero}
        if conv == "cho":
            parts |= {
                "derivative": structured,
                "passed": right,
                "plain_rnn": structured.xreplace({q: 0 for q in z} | {q: 1 for q in r}),
                "later_factor": keep(zs) + (1 - keep(zs)) * a,
            }
    # a gate bias whose sigmoid is exactly 1.0 in float64 (from 36.74 on, sigmoid_gate_open_interval), and whose
    # negative gives a gate of about 4e-18: how the checks realise z = 1 and z = 0 with real sigmoid gates
    parts["saturating_bias"] = sp.Integer(40)
    return Result(
        expr=sp.Tuple(*(sp.Tuple(parts[f"z_input_{c}"], parts[f"z_after_{c}"]) for c in CONVENTIONS)),
        latex=(
            r"\frac{\partial h_t}{\partial x_{t'}}=J_t\cdots J_{t'+1}\operatorname{diag}\bigl((1-z_{t'})\odot"
            r"(1-\tilde h_{t'}^2)\bigr)W_{xh},\ J_s=\operatorname{diag}(z_s)+\operatorname{diag}\bigl((1-z_s)\odot"
            r"(1-\tilde h_s^2)\bigr)W_{hh}\operatorname{diag}(r_s)"
        ),
        parts=parts,
        text={
            "matrix_formula": (
                r"\begin{aligned}\frac{\partial h_t}{\partial x_{t'}}&=J_t\cdots J_{t'+1}\,D_{t'}W_{xh},\\"
                r"D_{t'}&=\operatorname{diag}\bigl((1-z_{t'})\odot(1-\tilde h_{t'}^2)\bigr)\end{aligned}"
            ),
            "step_factor": (
                r"J_s=\operatorname{diag}(z_s)+\operatorname{diag}\bigl((1-z_s)\odot(1-\tilde h_s^2)\bigr)"
                r"W_{hh}\operatorname{diag}(r_s)"
            ),
        },
        symbols={
            "z_s, r_s": "update and reset gate values at step s, held constant (gate weights zero)",
            "n_s": "candidate at step s (tanh of its pre-activation)",
            "x_s": "input at step s (scalar)",
            "w, u, b, b_h, h_0": "input weight, recurrent weight, biases b_in and b_hn, initial state",
            "a": "(1 - n_s^2) u r_s, the candidate's slope in h_{s-1} at a later step s",
            "c": "(1 - n_t'^2) w, the candidate's slope in x_t' at the input step",
            "z": "a gate value being solved for",
        },
    )


_GRAD_HID, _GRAD_IN, _GRAD_T = 3, 2, 4  # the torch checks: H = 3, I = 2, gradient of h_4 with respect to x_1


def _clamped_torch_run(w_xh, w_hh, b, zs, rs, xs):
    """h_T of D2L's GRU (reset before the matrix, z keeps the old state) with gate values given, in torch ops."""
    import torch

    def run(x1: torch.Tensor) -> torch.Tensor:
        h = torch.zeros(_GRAD_HID, dtype=torch.float64)
        for k in range(_GRAD_T):
            x = x1 if k == 0 else xs[k]
            cand = torch.tanh(w_xh @ x + w_hh @ (rs[k] * h) + b)
            h = zs[k] * h + (1 - zs[k]) * cand
        return h

    return run


@gru_input_gradient_gate_settings.check(
    "torch autograd, float64: dh_4/dx_1 of D2L's GRU (H = 3, I = 2) with gate values set directly: exactly 0 for "
    "r = z = 0 at every step; the derived setting gives diag(1 - n_1^2) W_xh; random gates give the product formula",
    tol=1e-14,
    needs="torch",
    oracle_zh="torch 自动微分（float64）：D2L 约定的 GRU（H = 3，I = 2），门值直接给定，求 ∂h_4/∂x_1：每步 r = z = 0 时"
    "恰为 0；推导出的门值给出 diag(1 − n_1²) W_xh；随机门值下与乘积公式一致",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import jacobian, single_thread

    p = gru_input_gradient_gate_settings.result.parts
    rng = np.random.default_rng(3)
    w_xh, w_hh = rng.normal(size=(_GRAD_HID, _GRAD_IN)), rng.normal(size=(_GRAD_HID, _GRAD_HID)) / np.sqrt(_GRAD_HID)
    b, xs = rng.normal(size=_GRAD_HID), rng.normal(size=(_GRAD_T, _GRAD_IN))
    tw = [torch.from_numpy(v) for v in (w_xh, w_hh, b)]
    tx = torch.from_numpy(xs)

    def jac(zs: np.ndarray, rs: np.ndarray) -> np.ndarray:
        with single_thread():
            run = _clamped_torch_run(*tw, torch.from_numpy(zs), torch.from_numpy(rs), tx)
            return jacobian(run, xs[0])

    zeros = np.zeros((_GRAD_T, _GRAD_HID))
    cut = 0.0 if not np.any(jac(zeros, zeros)) else 1.0  # the common answer: every entry exactly 0.0
    # the derived setting, with random reset gates (they must not matter)
    z_set = np.full((_GRAD_T, _GRAD_HID), float(p["z_after_cho"]))
    z_set[0] = float(p["z_input_cho"])
    rs = rng.uniform(0, 1, size=(_GRAD_T, _GRAD_HID))
    n1 = np.tanh(w_xh @ xs[0] + b)  # h_0 = 0
    passed = (1 - n1**2)[:, None] * w_xh
    err_set = float(np.max(np.abs(jac(z_set, rs) - passed)))
    # random gates: the matrix product formula J_4 J_3 J_2 D_1 W_xh
    zr = rng.uniform(0, 1, size=(_GRAD_T, _GRAD_HID))
    h, cands = np.zeros(_GRAD_HID), []
    for k in range(_GRAD_T):
        cand = np.tanh(w_xh @ xs[k] + w_hh @ (rs[k] * h) + b)
        cands.append(cand)
        h = zr[k] * h + (1 - zr[k]) * cand
    prod = ((1 - zr[0]) * (1 - cands[0] ** 2))[:, None] * w_xh
    for k in range(1, _GRAD_T):
        prod = (np.diag(zr[k]) + ((1 - zr[k]) * (1 - cands[k] ** 2))[:, None] * w_hh * rs[k][None, :]) @ prod
    err_formula = float(np.max(np.abs(jac(zr, rs) - prod)))
    nonzero = 0.0 if np.linalg.norm(passed, 2) > 0.1 else 1.0
    return max(cut, err_set, err_formula, nonzero)


@gru_input_gradient_gate_settings.check(
    "real cells with sigmoid gates, float64: torch.nn.GRUCell (PyTorch) and torch-op Cho and Chung cells, gate "
    "weights 0 and gate biases ±40 realising each convention's derived z; autograd dh_4/dx_1 vs diag(1 - n_1^2) W_in",
    tol=1e-15,
    needs="torch",
    oracle_zh="门为真实 σ 函数的单元（float64）：`torch.nn.GRUCell`（PyTorch 约定）及用 torch 运算写出的 Cho、"
    "Chung 单元，门权重置零，门偏置取 ±40 以实现各约定推导出的 z；自动微分求 ∂h_4/∂x_1，与 diag(1 − n_1²) W_in 比较",
)
def _() -> float:
    import torch

    from derivations.oracles.autograd import jacobian, single_thread, torch_gru_cell, torch_gru_step

    p = gru_input_gradient_gate_settings.result.parts
    hid = _GRAD_HID
    rng = np.random.default_rng(4)
    base = init_params(3, _GRAD_IN, hid, rng)
    xs, h0 = rng.normal(size=(_GRAD_T, _GRAD_IN)), rng.uniform(-1, 1, hid)
    errs = []
    for conv in CONVENTIONS:
        steps = []
        for k in range(_GRAD_T):
            q = {n: v.copy() for n, v in base.items()}
            zval = p[f"z_input_{conv}"] if k == 0 else p[f"z_after_{conv}"]
            big = float(p["saturating_bias"])
            for rows, bias in ((slice(0, hid), 0.0), (slice(hid, 2 * hid), big if zval == 1 else -big)):
                q["weight_ih"][rows], q["weight_hh"][rows] = 0.0, 0.0
                q["bias_ih"][rows], q["bias_hh"][rows] = bias, 0.0
            steps.append((q, torch_gru_cell(q) if conv == "pytorch" else torch_gru_step(q, conv)))

        def run(x1: torch.Tensor, conv: str = conv, steps: list = steps) -> torch.Tensor:
            h = torch.from_numpy(h0)
            for k, (_, cell) in enumerate(steps):
                x = x1 if k == 0 else torch.from_numpy(xs[k])
                h = cell(x[None], h[None])[0] if conv == "pytorch" else cell(x, h)
            return h

        with single_thread():
            jt = jacobian(run, xs[0])
        q = steps[0][0]
        r = 0.5  # reset gate at sigma(0)
        nrows = slice(2 * hid, 3 * hid)
        un, bn = q["weight_hh"][nrows], q["bias_hh"][nrows]
        rec = r * (un @ h0 + bn) if conv == "pytorch" else un @ (r * h0) + bn
        n1 = np.tanh(q["weight_ih"][nrows] @ xs[0] + q["bias_ih"][nrows] + rec)
        errs.append(np.max(np.abs(jt - (1 - n1**2)[:, None] * q["weight_ih"][nrows])))
    return float(max(errs))
