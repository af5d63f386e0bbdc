"""The interactive explorer's data: linear orthogonal case exact, every curve under its bound, JSON well formed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from derivations import get
from derivations.explorer import ACTIVATIONS, LAMBDAS, explorer_data, explorer_html, jacobian_norms
from derivations.verify import run_checks


def test_linear_orthogonal_norms_are_exact_powers():
    for lam in (0.5, 1.0, 1.7):
        norms = jacobian_norms("linear", lam, hidden=8, steps=20, seed=3)
        assert np.allclose(norms, lam ** np.arange(21), rtol=1e-10)


def test_tanh_jacobian_norm_against_torch_autograd():
    torch = pytest.importorskip("torch")
    hidden, steps, lam, seed = 6, 12, 1.3, 5
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(hidden, hidden)))
    u = rng.normal(scale=1 / np.sqrt(hidden), size=(hidden, hidden))
    xs = rng.normal(size=(steps, hidden))
    w_t, u_t = torch.tensor(lam * q), torch.tensor(u)

    def run(h1: torch.Tensor) -> torch.Tensor:  # h_1 -> h_T
        h = h1
        for t in range(1, steps):
            h = torch.tanh(w_t @ h + u_t @ torch.tensor(xs[t]))
        return h

    h1 = torch.tanh(u_t @ torch.tensor(xs[0]))
    jac = torch.autograd.functional.jacobian(run, h1)
    ours = jacobian_norms("tanh", lam, hidden=hidden, steps=steps, seed=seed)
    assert ours[steps - 1] == pytest.approx(float(torch.linalg.matrix_norm(jac, ord=2)), rel=1e-10)


def test_data_json_covers_every_activation_and_lambda():
    data = json.loads(explorer_data("zh"))
    assert set(data["series"]) == set(ACTIVATIONS)
    assert len(data["lambdas"]) == len(LAMBDAS)
    assert "梯度" not in data["labels"]["x"] and "回传" in data["labels"]["x"]
    assert 'class="gradient-explorer-data"' in explorer_html("en")


def test_bound_check_fails_when_the_bound_is_too_small(monkeypatch):
    d = get("explorer_bound")
    monkeypatch.setattr("derivations.explorer.ACTIVATIONS", {"linear": 0.5})  # pretend sup|f'| = 1/2
    assert "FAIL" in [r.status for r in run_checks(d)]
