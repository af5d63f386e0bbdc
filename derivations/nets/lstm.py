"""LSTM cell in NumPy float64, PyTorch's ``torch.nn.LSTMCell`` convention: gate order i, f, g, o in the rows of
weight_ih (4H x I) and weight_hh (4H x H), two bias vectors (bias_ih, bias_hh) both added to every gate, state (h, c).
Jacobians are in numerator layout (rows index outputs). Also the PyTorch default initialisation shared by the gated
cells. Tested against torch in ``tests/nets/test_lstm.py``."""

from __future__ import annotations

import math

import numpy as np

from derivations.nets.act import sigmoid

GATES = ("i", "f", "g", "o")


def init_params(gates: int, input_size: int, hidden: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """PyTorch's default initialisation U(-1/sqrt(H), 1/sqrt(H)) of a recurrent cell with ``gates`` row blocks (1 RNN,
    3 GRU, 4 LSTM), drawn from ``rng`` in the order weight_ih (gates*H, I), weight_hh (gates*H, H), bias_ih, bias_hh."""
    k = 1.0 / math.sqrt(hidden)
    return {
        "weight_ih": rng.uniform(-k, k, (gates * hidden, input_size)),
        "weight_hh": rng.uniform(-k, k, (gates * hidden, hidden)),
        "bias_ih": rng.uniform(-k, k, gates * hidden),
        "bias_hh": rng.uniform(-k, k, gates * hidden),
    }


def lstm_gates_np(params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray) -> dict[str, np.ndarray]:
    """The gate values i, f, o (sigmoid) and the candidate g (tanh) of one step, keyed "i", "f", "g", "o"."""
    hid = h.shape[0]
    z = params["weight_ih"] @ x + params["bias_ih"] + params["weight_hh"] @ h + params["bias_hh"]
    zi, zf, zg, zo = (z[k * hid : (k + 1) * hid] for k in range(4))
    return {"i": sigmoid(zi), "f": sigmoid(zf), "g": np.tanh(zg), "o": sigmoid(zo)}


def lstm_cell_np(
    params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One step, returned as (h', c') like torch: c' = f*c + i*g and h' = o*tanh(c')."""
    g = lstm_gates_np(params, x, h)
    c_new = g["f"] * c + g["i"] * g["g"]
    return g["o"] * np.tanh(c_new), c_new


def lstm_block_jacobian_np(params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The 2H x 2H Jacobian d(c', h')/d(c, h) of one step: rows (c', h'), columns (c, h)."""
    hid = h.shape[0]
    g = lstm_gates_np(params, x, h)
    u = {k: params["weight_hh"][n * hid : (n + 1) * hid] for n, k in enumerate(GATES)}
    c_new = g["f"] * c + g["i"] * g["g"]
    tc = np.tanh(c_new)
    dc_dc = np.diag(g["f"])
    dc_dh = (
        (c * g["f"] * (1 - g["f"]))[:, None] * u["f"]
        + (g["g"] * g["i"] * (1 - g["i"]))[:, None] * u["i"]
        + (g["i"] * (1 - g["g"] ** 2))[:, None] * u["g"]
    )
    k = g["o"] * (1 - tc**2)
    dh_dc = k[:, None] * dc_dc
    dh_dh = (tc * g["o"] * (1 - g["o"]))[:, None] * u["o"] + k[:, None] * dc_dh
    return np.block([[dc_dc, dc_dh], [dh_dc, dh_dh]])


def lstm_multistep_np(
    params: dict[str, np.ndarray], xs: np.ndarray, c0: np.ndarray, h0: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The true dc_T/dc_0 over the inputs ``xs`` and two shortcuts for it, from (c0, h0) (h0 = 0 if None).

    Keys: "full" (the 2H x 2H product J_T ... J_1 of block Jacobians), "true" (its top-left block: dc_T/dc_0 with
    h_0 held fixed), "diag_f" (diag(f_T) ... diag(f_1)) and "one_step_total" (diag(f_1), then for t >= 2 the factors
    diag(f_t) + dc_t/dh_{t-1} diag(o_{t-1}(1 - tanh^2 c_{t-1})): h_{t-1} treated as a function of c_{t-1} alone).
    """
    hid = c0.shape[0]
    h, c = (np.zeros(hid) if h0 is None else h0), c0
    full, only_f, total = np.eye(2 * hid), np.eye(hid), np.eye(hid)
    prev_k = np.zeros(hid)
    for t, x in enumerate(xs):
        j = lstm_block_jacobian_np(params, x, h, c)
        g = lstm_gates_np(params, x, h)
        full = j @ full
        only_f = np.diag(g["f"]) @ only_f
        step = np.diag(g["f"]) if t == 0 else np.diag(g["f"]) + j[:hid, hid:] * prev_k[None, :]
        total = step @ total
        h, c = lstm_cell_np(params, x, h, c)
        prev_k = g["o"] * (1 - np.tanh(c) ** 2)  # dh_t/dc_t along the direct path (o_t held fixed)
    return {"full": full, "true": full[:hid, :hid], "diag_f": only_f, "one_step_total": total}
