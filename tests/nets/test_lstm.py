"""derivations.nets.lstm against torch.nn.LSTMCell in float64: gates, one step, the 2H x 2H block Jacobian, and the
multi-step product with its two shortcuts."""

from __future__ import annotations

import numpy as np
import pytest

from derivations.nets.lstm import init_params, lstm_block_jacobian_np, lstm_cell_np, lstm_gates_np, lstm_multistep_np
from tests.helpers import torch_layout_params

torch = pytest.importorskip("torch")


from derivations.oracles.autograd import jacobian, lstm_state_map, torch_lstm_cell  # noqa: E402


def _case(hid: int, inp: int, seed: int, scale: float = 2.0):
    rng = np.random.default_rng(seed + 100)
    p = torch_layout_params(4, inp, hid, seed, scale)
    return p, rng.normal(size=inp), rng.uniform(-1, 1, hid), rng.normal(size=hid)


def test_init_params_is_pytorch_layout_and_range():
    p = init_params(4, 3, 5, np.random.default_rng(0))
    cell = torch.nn.LSTMCell(3, 5)
    assert {k: v.shape for k, v in p.items()} == {k: tuple(v.shape) for k, v in cell.named_parameters()}
    assert all(np.all(np.abs(v) <= 1 / np.sqrt(5)) for v in p.values())
    q = torch_layout_params(4, 3, 5, seed=0)
    assert all(np.array_equal(p[k], q[k]) for k in p)


@pytest.mark.parametrize(("hid", "inp", "seed"), [(1, 1, 0), (5, 3, 1), (16, 7, 2)])
def test_cell_and_gates_match_torch(hid, inp, seed):
    p, x, h, c = _case(hid, inp, seed)
    with torch.no_grad():
        ht, ct = torch_lstm_cell(p)(torch.tensor(x)[None], (torch.tensor(h)[None], torch.tensor(c)[None]))
    hn, cn = lstm_cell_np(p, x, h, c)
    assert np.max(np.abs(hn - ht[0].numpy())) < 1e-14
    assert np.max(np.abs(cn - ct[0].numpy())) < 1e-14
    g = lstm_gates_np(p, x, h)
    z = p["weight_ih"] @ x + p["bias_ih"] + p["weight_hh"] @ h + p["bias_hh"]
    blocks = dict(zip("ifgo", np.split(z, 4), strict=True))
    assert np.allclose(g["f"], torch.sigmoid(torch.tensor(blocks["f"])).numpy(), rtol=0, atol=1e-15)
    assert np.allclose(g["g"], np.tanh(blocks["g"]), rtol=0, atol=0)


@pytest.mark.parametrize(("hid", "inp", "seed"), [(1, 2, 3), (5, 3, 4), (12, 6, 5)])
def test_block_jacobian_matches_torch_autograd(hid, inp, seed):
    p, x, h, c = _case(hid, inp, seed)
    ref = jacobian(lstm_state_map(torch_lstm_cell(p), [x]), c, h)
    assert np.max(np.abs(lstm_block_jacobian_np(p, x, h, c) - ref)) < 1e-13


def test_multistep_product_and_shortcuts():
    hid, steps = 6, 12
    p = torch_layout_params(4, 4, hid, seed=9)
    rng = np.random.default_rng(10)
    xs, c0 = rng.normal(size=(steps, 4)), rng.normal(size=hid)
    cell = torch_lstm_cell(p)

    ref = jacobian(lstm_state_map(cell, xs), c0, np.zeros(hid))
    r = lstm_multistep_np(p, xs, c0)
    assert np.max(np.abs(r["full"] - ref)) < 1e-13 * max(1.0, np.max(np.abs(ref)))
    assert np.array_equal(r["true"], r["full"][:hid, :hid])
    # the forget-gate product, recomputed from torch's gates along the same trajectory
    prod, h, c = np.eye(hid), torch.zeros(1, hid, dtype=torch.float64), torch.tensor(c0)[None]
    with torch.no_grad():
        for x in xs:
            z = cell.weight_ih @ torch.tensor(x) + cell.bias_ih + cell.weight_hh @ h[0] + cell.bias_hh
            prod = np.diag(torch.sigmoid(z[hid : 2 * hid]).numpy()) @ prod
            h, c = cell(torch.tensor(x)[None], (h, c))
    assert np.max(np.abs(r["diag_f"] - prod)) < 1e-15
    # with W_ho = 0 the one-step totals are the true cell-to-cell gradient
    q = {k: v.copy() for k, v in p.items()}
    q["weight_hh"][3 * hid :] = 0.0
    r0 = lstm_multistep_np(q, xs, c0)
    assert np.max(np.abs(r0["one_step_total"] - r0["true"])) < 1e-14 * max(1.0, np.max(np.abs(r0["true"])))
