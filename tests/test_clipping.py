"""Gradient clipping checked against torch.nn.utils (float64) and plain arithmetic written here."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.clipping import clip_by_norm, clip_by_value, clip_like_torch


def _patch_parts(monkeypatch, name: str, **parts) -> None:
    d = get(name)
    new = dataclasses.replace(d.result, parts={**d.result.parts, **parts})
    monkeypatch.setitem(d.__dict__, "result", new)


def test_worked_example_by_hand():
    g = np.array([30.0, -40.0])
    assert np.array_equal(clip_by_value(g, 15.0), [15.0, -15.0])
    assert np.allclose(clip_by_norm(g, 15.0), [9.0, -12.0], rtol=0, atol=1e-15)
    p = get("clip_value_vs_norm_example").result.parts
    assert p["by_value"] == sp.Matrix([15, -15]) and p["by_norm"] == sp.Matrix([9, -12])
    # cos = (30*15 + 40*15) / (50 * 15 sqrt 2) = 7 sqrt(2) / 10: the direction turns by about 8.13 degrees
    assert sp.simplify(p["cos_angle_by_value"] - 7 * sp.sqrt(2) / 10) == 0
    assert get("clip_value_vs_norm_example").result.text["angle_deg_by_value"] == "8.13"


def test_clip_by_norm_never_amplifies_and_keeps_direction():
    rng = np.random.default_rng(0)
    for _ in range(500):
        g = rng.normal(size=11) * 10.0 ** rng.uniform(-15, 8)
        c = 10.0 ** rng.uniform(-4, 4)
        out = clip_by_norm(g, c)
        assert np.linalg.norm(out) <= np.linalg.norm(g) * (1 + 1e-15)
        assert np.linalg.norm(out) <= c * (1 + 1e-15)
        assert out @ g > 0 and abs(out @ g / (np.linalg.norm(out) * np.linalg.norm(g)) - 1) < 1e-12


def test_vanishing_gradient_passes_unchanged():
    g = np.full(4, 1e-20)
    assert np.array_equal(clip_by_norm(g, 1.0), g)
    assert np.array_equal(clip_like_torch(g, 1.0)[0], g)


def test_torch_eps_and_return_value(torch):
    """N = 2e-6, c = 1e-6: Algorithm 1 scales by 1/2, torch by 1e-6/(3e-6) = 1/3; torch returns N before clipping."""
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.tensor([2e-6, 0.0], dtype=torch.float64)
    ret = torch.nn.utils.clip_grad_norm_([p], 1e-6)
    assert float(ret) == pytest.approx(2e-6, rel=1e-15)
    assert float(p.grad[0]) == pytest.approx(2e-6 / 3, rel=1e-12)
    assert float(clip_by_norm(np.array([2e-6, 0.0]), 1e-6)[0]) == pytest.approx(1e-6, rel=1e-15)
    assert clip_like_torch(np.array([2e-6, 0.0]), 1e-6)[0][0] == pytest.approx(2e-6 / 3, rel=1e-12)


def test_torch_shrinks_just_below_threshold(torch):
    """N = c exactly: torch still multiplies by c/(c + 1e-6) < 1, so the result is strictly below c."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    p.grad = torch.tensor([1.0], dtype=torch.float64)
    torch.nn.utils.clip_grad_norm_([p], 1.0)
    assert float(p.grad[0]) == pytest.approx(1 / (1 + 1e-6), rel=1e-14) and float(p.grad[0]) < 1.0
    clips = get("torch_clip_grad_norm").result.parts["clips_when"]
    lo = clips.left.subs({sp.Symbol("c", positive=True): 1, sp.Symbol("epsilon", positive=True): sp.Rational(1, 10**6)})
    assert lo == 1 - sp.Rational(1, 10**6)


def test_torch_check_fails_without_eps(monkeypatch):
    pytest.importorskip("torch")
    n_, c_ = sp.Symbol("N", positive=True), sp.Symbol("c", positive=True)
    eps = sp.Symbol("epsilon", positive=True)
    _patch_parts(monkeypatch, "torch_clip_grad_norm", coef=sp.Min(c_ / (n_ + 0 * eps), 1))  # Algorithm 1
    check = get("torch_clip_grad_norm").checks[0]
    assert check.run() > check.tol


def test_example_check_fails_for_a_wrong_clip(monkeypatch):
    _patch_parts(monkeypatch, "clip_value_vs_norm_example", by_value=sp.Matrix([9, -12]))
    check = get("clip_value_vs_norm_example").checks[0]
    assert check.run() > check.tol


def test_torch_value_clipping_changes_direction(torch):
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.tensor([30.0, -40.0], dtype=torch.float64)
    torch.nn.utils.clip_grad_value_([p], 15.0)
    assert p.grad.tolist() == [15.0, -15.0]
