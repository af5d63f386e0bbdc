"""Gradient clipping checked against torch.nn.utils (float64) and plain arithmetic written here."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.nets.clip import clip_by_norm, clip_by_value, clip_like_torch
from tests.helpers import assert_checks_catch


def test_worked_example_by_hand():
    g = np.array([30.0, -40.0])
    assert np.array_equal(clip_by_value(g, 15.0), [15.0, -15.0])
    assert np.allclose(clip_by_norm(g, 15.0), [9.0, -12.0], rtol=0, atol=1e-15)
    p = get("clip_value_vs_norm_example").result.parts
    assert p["by_value"] == sp.Matrix([15, -15]) and p["by_norm"] == sp.Matrix([9, -12])
    # cos = (30*15 + 40*15) / (50 * 15 sqrt 2) = 7 sqrt(2) / 10: the direction turns by about 8.13 degrees
    assert sp.simplify(p["cos_angle_by_value"] - 7 * sp.sqrt(2) / 10) == 0
    assert get("clip_value_vs_norm_example").result.text["angle_deg_by_value"] == "8.13"


def test_clipping_by_value_cuts_both_components_by_different_factors():
    """Not "the smaller component is left unchanged": 30 -> 15 (x 1/2) and -40 -> -15 (x 3/8); by norm, both x 3/10."""
    p = get("clip_value_vs_norm_example").result.parts
    assert tuple(p["ratios_by_value"]) == (sp.Rational(1, 2), sp.Rational(3, 8))
    assert tuple(p["ratios_by_norm"]) == (sp.Rational(3, 10), sp.Rational(3, 10)) and p["scale_by_norm"] == sp.Rational(
        3, 10
    )
    g = np.array([30.0, -40.0])
    factors = clip_by_value(g, 15.0) / g
    assert np.all(factors < 1) and factors[0] != factors[1]


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


N_, C_, EPS = sp.Symbol("N", positive=True), sp.Symbol("c", positive=True), sp.Symbol("epsilon", positive=True)
R_ = sp.Symbol("r", nonnegative=True)


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("torch_clip_grad_norm", "norm_after", C_),  # "exactly c", as Algorithm 1
        ("clip_value_vs_norm_example", "by_value", sp.Matrix([9, -12])),
        ("clip_value_vs_norm_example", "ratios_by_value", sp.Tuple(1, sp.Rational(3, 8))),  # "smaller one unchanged"
        ("clip_value_vs_norm_example", "angle_deg_by_value", sp.Integer(0)),
        ("clip_norm_properties", "norm_after", R_),  # "clipping keeps the norm"
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_torch_value_clipping_changes_direction(torch):
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.tensor([30.0, -40.0], dtype=torch.float64)
    torch.nn.utils.clip_grad_value_([p], 15.0)
    assert p.grad.tolist() == [15.0, -15.0]


def test_clipping_by_value_exercise_checks_catch_a_wrong_rule(monkeypatch, torch):
    """As if clipping by value kept the direction of g_a = (3, 1/2) at c = 1: its clipped version (1, 1/2), with
    only the first component cut, replaced by the multiple (1, 1/6) of g_a."""
    assert_checks_catch(monkeypatch, "clip_value_keeps_direction", "clip_a", sp.Tuple(1, sp.Rational(1, 6)))


def test_per_tensor_clipping_is_not_global_clipping(monkeypatch, torch):
    """The common wrong answer: Keras's clipnorm (per tensor) gives the same update as clip_grad_norm_ (global)."""
    parts = get("clip_global_vs_per_tensor").result.parts
    assert_checks_catch(monkeypatch, "clip_global_vs_per_tensor", "update_per_tensor", parts["update_global"])


def test_clipping_cannot_amplify_exercise_rows(monkeypatch, torch):
    """'Clipping also cures vanishing gradients', as if every gradient were rescaled to norm c; and torch without its
    epsilon."""
    assert_checks_catch(monkeypatch, "clip_norm_properties", "norm_after", C_)
    assert_checks_catch(monkeypatch, "torch_clip_grad_norm", "coef", sp.Min(C_ / N_, 1))
