"""PyTorch float64 oracles: torch.nn recurrent cells loaded with given parameters, cells the library does not have
written in torch operations, and Jacobians by ``torch.autograd.functional.jacobian``. Imported only inside checks
registered with ``needs="torch"`` (and by tests), so that the rest of the package runs without torch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


def _load(cls: type[torch.nn.Module], params: dict[str, np.ndarray]) -> torch.nn.Module:
    """A float64 ``cls(input_size, hidden_size)`` whose weight_ih, weight_hh, bias_ih, bias_hh are copies of
    ``params`` (PyTorch layout)."""
    cell = cls(params["weight_ih"].shape[1], params["weight_hh"].shape[1], dtype=torch.float64)
    with torch.no_grad():
        for k, v in params.items():
            getattr(cell, k).copy_(torch.from_numpy(np.asarray(v, dtype=np.float64)))
    return cell


def torch_lstm_cell(params: dict[str, np.ndarray]) -> torch.nn.LSTMCell:
    """A float64 ``torch.nn.LSTMCell`` loaded with ``params`` (gate order i, f, g, o)."""
    return _load(torch.nn.LSTMCell, params)


def torch_gru_cell(params: dict[str, np.ndarray]) -> torch.nn.GRUCell:
    """A float64 ``torch.nn.GRUCell`` loaded with ``params`` (gate order r, z, n; reset after the product)."""
    return _load(torch.nn.GRUCell, params)


def torch_gru_step(
    params: dict[str, np.ndarray], convention: str
) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """(x, h) -> h' for one GRU step written in torch operations, float64, in ``convention`` "pytorch", "cho" or
    "chung" (PyTorch layout; for Cho and Chung the biases b_in, b_hn are added outside the product)."""
    t = {k: torch.from_numpy(v) for k, v in params.items()}
    hid = t["weight_hh"].shape[1]

    def step(x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        gi = t["weight_ih"] @ x + t["bias_ih"]
        r = torch.sigmoid(gi[:hid] + t["weight_hh"][:hid] @ h + t["bias_hh"][:hid])
        z = torch.sigmoid(gi[hid : 2 * hid] + t["weight_hh"][hid : 2 * hid] @ h + t["bias_hh"][hid : 2 * hid])
        un, bn = t["weight_hh"][2 * hid :], t["bias_hh"][2 * hid :]
        if convention == "pytorch":
            n = torch.tanh(gi[2 * hid :] + r * (un @ h + bn))
        else:
            n = torch.tanh(gi[2 * hid :] + un @ (r * h) + bn)
        return (1 - z) * h + z * n if convention == "chung" else (1 - z) * n + z * h

    return step


def jacobian(f: Callable[..., torch.Tensor], *at: np.ndarray) -> np.ndarray:
    """The Jacobian of ``f`` at the float64 arrays ``at`` by torch autograd, as a NumPy array; with several
    arguments (or outputs), the blocks are assembled row by row (outputs) and column by column (inputs)."""
    args = tuple(torch.from_numpy(np.asarray(a, dtype=np.float64)) for a in at)
    j = torch.autograd.functional.jacobian(f, args if len(args) > 1 else args[0])
    if isinstance(j, torch.Tensor):
        return j.numpy()
    if isinstance(j[0], tuple):  # several outputs, several inputs: j[output][input]
        rows = j
    elif len(args) > 1:  # one output, several inputs
        rows = (j,)
    else:  # several outputs, one input
        rows = tuple((b,) for b in j)
    return np.block([[b.numpy() for b in row] for row in rows])


def lstm_state_map(cell: torch.nn.LSTMCell, xs: np.ndarray) -> Callable[[torch.Tensor, torch.Tensor], tuple]:
    """(c_0, h_0) -> (c_T, h_T) through ``cell`` over the inputs ``xs`` (one step per row), unbatched."""

    def run(c: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hx, cx = h[None], c[None]
        for x in xs:
            hx, cx = cell(torch.from_numpy(np.asarray(x, dtype=np.float64))[None], (hx, cx))
        return cx[0], hx[0]

    return run


class single_thread:  # a context manager, named like torch.no_grad
    """Run torch on one intra-op thread inside the block (tiny tensors: more threads only add overhead), then restore
    the previous thread count."""

    def __enter__(self) -> None:
        self._threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc: object) -> None:
        torch.set_num_threads(self._threads)
