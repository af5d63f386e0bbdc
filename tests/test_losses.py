"""Sigmoid output with cross-entropy vs squared error, checked against PyTorch and finite differences."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.losses import y, z
from derivations.verify import run_checks


def test_saturated_wrong_prediction_gradients():
    r = get("sigmoid_output_losses").result
    s = 1 / (1 + np.exp(10.0))  # sigma(-10)
    assert float(r.parts["bce_at_saturation"]) == pytest.approx(s - 1, rel=1e-12)
    assert float(r.parts["mse_at_saturation"]) == pytest.approx((s - 1) * s * (1 - s), rel=1e-12)
    assert abs(float(r.parts["mse_at_saturation"])) < 1e-4 < abs(float(r.parts["bce_at_saturation"]))


def test_matches_torch_losses():
    torch = pytest.importorskip("torch")
    logits = torch.linspace(-8, 8, 33, dtype=torch.float64, requires_grad=True)
    for label in (0.0, 1.0):
        target = torch.full_like(logits, label)
        for loss, part in (
            (torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="sum"), "d_bce"),
            (0.5 * ((torch.sigmoid(logits) - target) ** 2).sum(), "d_mse"),
        ):
            (grad,) = torch.autograd.grad(loss, logits)
            derived = sp.lambdify(z, get("sigmoid_output_losses").result.parts[part].subs(y, label), "numpy")
            assert np.max(np.abs(derived(logits.detach().numpy()) - grad.numpy())) < 1e-14


def test_check_fails_if_sigma_prime_is_dropped(monkeypatch):
    d = get("sigmoid_output_losses")
    wrong = 1 / (1 + sp.exp(-z)) - y  # squared-error gradient without the sigma' factor
    monkeypatch.setitem(d.__dict__, "result", dataclasses.replace(d.result, parts={**d.result.parts, "d_mse": wrong}))
    assert "FAIL" in [r.status for r in run_checks(d)]
