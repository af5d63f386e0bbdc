"""derivations.nets.gru against torch in float64: torch.nn.GRUCell for PyTorch's convention, cells written here in
torch operations from the papers' equations for Cho's and Chung's; one step and the Jacobian dh'/dh."""

from __future__ import annotations

import numpy as np
import pytest

from derivations.nets.gru import CONVENTIONS, gru_cell_np, gru_jacobian_np, gru_parts_np
from tests.helpers import torch_layout_params

torch = pytest.importorskip("torch")

from derivations.oracles.autograd import torch_gru_cell, torch_gru_step  # noqa: E402


def _case(hid, inp, seed):
    rng = np.random.default_rng(seed + 100)
    return torch_layout_params(3, inp, hid, seed, scale=2.0), rng.normal(size=inp), rng.uniform(-1, 1, hid)


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize(("hid", "inp", "seed"), [(1, 1, 0), (5, 3, 1), (16, 7, 2)])
def test_cell_and_jacobian_match_torch(convention, hid, inp, seed):
    p, x, h = _case(hid, inp, seed)
    xt = torch.tensor(x)
    if convention == "pytorch":
        cell = torch_gru_cell(p)
        step = lambda xv, hv: cell(xv[None], hv[None])[0]  # noqa: E731
    else:
        step = torch_gru_step(p, convention)
    with torch.no_grad():
        ref = step(xt, torch.tensor(h)).numpy()
    assert np.max(np.abs(gru_cell_np(p, x, h, convention) - ref)) < 1e-14
    jt = torch.autograd.functional.jacobian(lambda hv: step(xt, hv), torch.tensor(h)).numpy()
    assert np.max(np.abs(gru_jacobian_np(p, x, h, convention) - jt)) < 1e-13


def test_parts_are_pytorch_gates():
    p, x, h = _case(4, 3, 7)
    g = gru_parts_np(p, x, h, "pytorch")
    pre_i = p["weight_ih"] @ x + p["bias_ih"]
    pre_h = p["weight_hh"] @ h + p["bias_hh"]
    r = torch.sigmoid(torch.tensor(pre_i[:4] + pre_h[:4])).numpy()
    z = torch.sigmoid(torch.tensor(pre_i[4:8] + pre_h[4:8])).numpy()
    assert np.max(np.abs(g["r"] - r)) < 1e-15 and np.max(np.abs(g["z"] - z)) < 1e-15
    assert np.max(np.abs(g["n"] - np.tanh(pre_i[8:] + r * pre_h[8:]))) < 1e-15


def test_unknown_convention_is_refused():
    p, x, h = _case(2, 2, 0)
    with pytest.raises(ValueError, match="unknown GRU convention"):
        gru_cell_np(p, x, h, "keras")
