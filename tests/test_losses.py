"""Sigmoid output with cross-entropy vs squared error, checked against PyTorch and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.losses import y, z
from tests.helpers import assert_checks_catch


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
    wrong = 1 / (1 + sp.exp(-z)) - y  # squared-error gradient without the sigma' factor
    assert_checks_catch(monkeypatch, "sigmoid_output_losses", "d_mse", wrong)


def test_check_fails_if_the_cross_entropy_keeps_sigma_prime(monkeypatch):
    s = 1 / (1 + sp.exp(-z))
    assert_checks_catch(monkeypatch, "sigmoid_output_losses", "d_bce", (s - y) * s * (1 - s))


def test_displayed_formula_has_no_english_words():
    assert r"\text" not in get("sigmoid_output_losses").result.latex
