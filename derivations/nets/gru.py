"""GRU cell in NumPy float64 in three conventions, all in PyTorch's parameter layout (rows of weight_ih / weight_hh
in gate order r, z, n; two biases bias_ih and bias_hh):

- "pytorch" (``torch.nn.GRUCell``, cuDNN): n = tanh(W_in x + b_in + r*(W_hn h + b_hn)), h' = (1-z)*n + z*h;
- "cho" (Cho et al. 2014): n = tanh(W_in x + b_in + W_hn (r*h) + b_hn), h' = (1-z)*n + z*h;
- "chung" (Chung et al. 2014): the candidate of "cho", h' = (1-z)*h + z*n.

The papers have no biases; here b_in and b_hn are added outside the product so one set of parameters drives all
three. Jacobians are in numerator layout. Tested against torch in ``tests/nets/test_gru.py``."""

from __future__ import annotations

import numpy as np

from derivations.nets.act import sigmoid

GATES = ("r", "z", "n")
CONVENTIONS = ("pytorch", "cho", "chung")


def split_params(params: dict[str, np.ndarray], hid: int) -> dict[str, np.ndarray]:
    """The row blocks of each gate k in r, z, n: "W{k}" (weight_ih), "U{k}" (weight_hh), "bi{k}", "bh{k}"."""
    out = {}
    for n, k in enumerate(GATES):
        rows = slice(n * hid, (n + 1) * hid)
        out[f"W{k}"], out[f"U{k}"] = params["weight_ih"][rows], params["weight_hh"][rows]
        out[f"bi{k}"], out[f"bh{k}"] = params["bias_ih"][rows], params["bias_hh"][rows]
    return out


def gru_parts_np(params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, convention: str) -> dict[str, np.ndarray]:
    """The reset gate r, update gate z and candidate n of one step in ``convention``, keyed "r", "z", "n"."""
    s = split_params(params, h.shape[0])
    r = sigmoid(s["Wr"] @ x + s["bir"] + s["Ur"] @ h + s["bhr"])
    z = sigmoid(s["Wz"] @ x + s["biz"] + s["Uz"] @ h + s["bhz"])
    if convention == "pytorch":
        n = np.tanh(s["Wn"] @ x + s["bin"] + r * (s["Un"] @ h + s["bhn"]))
    elif convention in ("cho", "chung"):
        n = np.tanh(s["Wn"] @ x + s["bin"] + s["Un"] @ (r * h) + s["bhn"])
    else:
        raise ValueError(f"unknown GRU convention {convention!r}; expected one of {CONVENTIONS}")
    return {"r": r, "z": z, "n": n}


def gru_cell_np(params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, convention: str = "pytorch") -> np.ndarray:
    """One step h' in ``convention``: (1-z)*n + z*h for "pytorch" and "cho", (1-z)*h + z*n for "chung"."""
    g = gru_parts_np(params, x, h, convention)
    if convention == "chung":
        return (1 - g["z"]) * h + g["z"] * g["n"]
    return (1 - g["z"]) * g["n"] + g["z"] * h


def gru_jacobian_np(
    params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, convention: str = "pytorch"
) -> np.ndarray:
    """The H x H Jacobian dh'/dh of one step in ``convention``."""
    s = split_params(params, h.shape[0])
    g = gru_parts_np(params, x, h, convention)
    r, z, n = g["r"], g["z"], g["n"]
    dn = (1 - n**2)[:, None]
    if convention == "pytorch":
        dpre = r[:, None] * s["Un"] + ((s["Un"] @ h + s["bhn"]) * r * (1 - r))[:, None] * s["Ur"]
    else:
        dpre = s["Un"] @ (np.diag(r) + (h * r * (1 - r))[:, None] * s["Ur"])
    dz = (z * (1 - z))[:, None] * s["Uz"]
    if convention == "chung":
        return np.diag(1 - z) + (n - h)[:, None] * dz + z[:, None] * dn * dpre
    return np.diag(z) + (h - n)[:, None] * dz + (1 - z)[:, None] * dn * dpre
