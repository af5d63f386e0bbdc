"""GRU results in three conventions checked against torch (GRUCell, and torch-op cells written here), float64."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.nets.gru import gru_cell_np, gru_jacobian_np
from tests.helpers import assert_checks_catch, normal_layout_params

torch = pytest.importorskip("torch")

from derivations.oracles.autograd import torch_gru_cell, torch_gru_step  # noqa: E402


def _params(hid: int, inp: int, seed: int, scale: float = 1.0) -> dict[str, np.ndarray]:
    return normal_layout_params(3, inp, hid, seed, scale)


@pytest.mark.parametrize("convention", ["pytorch", "cho", "chung"])
def test_numpy_cells_and_jacobians_match_torch(convention):
    p = _params(5, 3, 0, scale=2.0)
    rng = np.random.default_rng(1)
    x, h = rng.normal(size=3), rng.uniform(-1, 1, 5)
    step = torch_gru_step(p, convention)
    xt = torch.tensor(x)
    with torch.no_grad():
        ref = step(xt, torch.tensor(h)).numpy()
    assert np.max(np.abs(gru_cell_np(p, x, h, convention) - ref)) < 1e-14
    jt = torch.autograd.functional.jacobian(lambda hv: step(xt, hv), torch.tensor(h)).numpy()
    assert np.max(np.abs(gru_jacobian_np(p, x, h, convention) - jt)) < 1e-13
    if convention == "pytorch":
        cell = torch_gru_cell(p)
        jc = torch.autograd.functional.jacobian(lambda hv: cell(xt[None], hv[None])[0], torch.tensor(h)).numpy()
        assert np.max(np.abs(jc - jt)) < 1e-14


@pytest.mark.parametrize("convention", ["pytorch", "cho", "chung"])
def test_symbolic_jacobians_evaluated_by_hand_match_torch(convention):
    hid = 2
    p = _params(hid, 2, 4, scale=2.0)
    rng = np.random.default_rng(5)
    x, h = rng.normal(size=2), rng.uniform(-1, 1, hid)
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    pre = p["weight_ih"] @ x + p["bias_ih"]
    r = sig(pre[:2] + p["weight_hh"][:2] @ h + p["bias_hh"][:2])
    z = sig(pre[2:4] + p["weight_hh"][2:4] @ h + p["bias_hh"][2:4])
    un, bn = p["weight_hh"][4:], p["bias_hh"][4:]
    n = np.tanh(pre[4:] + (r * (un @ h + bn) if convention == "pytorch" else un @ (r * h) + bn))
    vals = {}
    for k, v in (("r", r), ("z", z), ("n", n), ("hp", h)):
        vals |= {sp.Symbol(f"{k}_{a}", real=True): v[a] for a in range(hid)}
    for g, k in enumerate("rzn"):
        for a in range(hid):
            vals[sp.Symbol(f"bh{k}_{a}", real=True)] = p["bias_hh"][g * hid + a]
            for b in range(hid):
                vals[sp.Symbol(f"U{k}_{a}{b}", real=True)] = p["weight_hh"][g * hid + a, b]
    jac = get(f"gru_{convention}_jacobian").result.expr
    assert jac.free_symbols <= set(vals)
    num = np.array(jac.xreplace({k: sp.Float(v, 30) for k, v in vals.items()}).evalf(), dtype=float)
    step = torch_gru_step(p, convention)
    jt = torch.autograd.functional.jacobian(lambda hv: step(torch.tensor(x), hv), torch.tensor(h)).numpy()
    assert np.max(np.abs(num - jt)) < 1e-12


def test_cho_and_pytorch_differ_except_in_degenerate_cases():
    p = _params(4, 3, 7)
    rng = np.random.default_rng(8)
    x, h = rng.normal(size=3), rng.uniform(-1, 1, 4)
    assert np.max(np.abs(gru_cell_np(p, x, h, "pytorch") - gru_cell_np(p, x, h, "cho"))) > 1e-3
    # H = 1 with b_hn = 0: r*(u h) = u*(r h), the two conventions coincide
    q = _params(1, 2, 9)
    q["bias_hh"][2] = 0.0
    hq = np.array([0.4])
    assert np.max(np.abs(gru_cell_np(q, x[:2], hq, "pytorch") - gru_cell_np(q, x[:2], hq, "cho"))) < 1e-15
    r = get("gru_cho_vs_pytorch").result
    assert float(r.parts["max_abs_dh"]) > 1e-3 and float(r.parts["jac_diff_norm"]) > 1e-3


def test_plain_rnn_reduction_pattern():
    r = get("gru_plain_rnn_reduction").result
    assert (r.parts["z_for_plain_pytorch"], r.parts["z_for_plain_cho"], r.parts["z_for_plain_chung"]) == (0, 0, 1)
    h, n = sp.symbols("h n", real=True)
    assert r.parts["h_at_r1_z1_pytorch"] == h and r.parts["h_at_r1_z1_cho"] == h
    assert r.parts["h_at_r1_z1_chung"] == n
    # real GRUCell with r -> 1 (bias +40 rounds sigma to 1.0) and z bias -40: a plain tanh RNN to rounding
    p = _params(3, 2, 11)
    for rows, b in ((slice(0, 3), 40.0), (slice(3, 6), -40.0)):
        p["weight_ih"][rows], p["weight_hh"][rows], p["bias_ih"][rows], p["bias_hh"][rows] = 0.0, 0.0, b, 0.0
    x, hv = np.array([0.3, -1.0]), np.array([0.5, -0.2, 0.9])
    with torch.no_grad():
        out = torch_gru_cell(p)(torch.tensor(x)[None], torch.tensor(hv)[None])[0].numpy()
    plain = np.tanh(p["weight_ih"][6:] @ x + p["bias_ih"][6:] + p["weight_hh"][6:] @ hv + p["bias_hh"][6:])
    assert np.max(np.abs(out - plain)) < 1e-15


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("gru_pytorch_jacobian", "jacobian", get("gru_cho_jacobian").result.expr),
        ("gru_cho_jacobian", "jacobian", get("gru_pytorch_jacobian").result.expr),
        ("gru_chung_jacobian", "jacobian", get("gru_cho_jacobian").result.expr),
        ("gru_cho_vs_pytorch", "difference", sp.zeros(2, 1)),
        ("gru_equations", "h_cho", get("gru_equations").result.parts["h_pytorch"]),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


# --- the exercise: which gate settings carry the gradient from an early input --------------------------------------
def test_the_derived_gate_settings_per_convention():
    p = get("gru_input_gradient_gate_settings").result.parts
    assert [(p[f"z_input_{c}"], p[f"z_after_{c}"]) for c in ("pytorch", "cho", "chung")] == [(0, 1), (0, 1), (1, 0)]
    assert all(p[f"all_gates_zero_{c}"] == 0 for c in ("pytorch", "cho", "chung"))


def test_the_common_wrong_answer_both_gates_zero_at_every_step_fails(monkeypatch):
    """The common answer "set both gates to 0 at every step": z = 0 after t' in place of the derived z = 1 (D2L's
    and Cho's convention, then PyTorch's); in Chung's convention its z = 0 at t' replaces the derived 1."""
    assert_checks_catch(monkeypatch, "gru_input_gradient_gate_settings", "z_after_cho", sp.Integer(0))
    assert_checks_catch(monkeypatch, "gru_input_gradient_gate_settings", "z_after_pytorch", sp.Integer(0))
    assert_checks_catch(monkeypatch, "gru_input_gradient_gate_settings", "z_input_chung", sp.Integer(0))
