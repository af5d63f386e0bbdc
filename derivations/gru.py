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
