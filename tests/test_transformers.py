"""Transformers and attention: independent numerical tests (float64 numpy and torch written here) and mutation rows."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch


def _ln(y: np.ndarray) -> np.ndarray:
    c = y - y.mean()
    return c / np.sqrt(np.mean(c**2))


def test_layernorm_jacobian_kills_one_and_yhat():
    """By hand: J = (I - 11^T/d - yh yh^T/d)/sigma; J 1 = 0, J yh = 0, and J v = v/sigma for v orthogonal to both."""
    rng = np.random.default_rng(0)
    y = rng.normal(size=10) * 3 + 1
    h = 1e-6
    jac = np.stack([(_ln(y + h * e) - _ln(y - h * e)) / (2 * h) for e in np.eye(10)], axis=1)
    yh, sig = _ln(y), np.std(y)
    assert np.max(np.abs(jac @ np.ones(10))) < 1e-8 and np.max(np.abs(jac @ yh)) < 1e-7
    v = rng.normal(size=10)
    v -= v.mean()
    v -= yh * (yh @ v) / 10
    assert np.allclose(jac @ v, v / sig, atol=1e-7)
    assert get("layernorm_jacobian").result.parts["rank_general"] == sp.Symbol("d", positive=True, integer=True) - 2


def test_rmsnorm_and_layernorm_relation(torch):
    x = torch.tensor(np.random.default_rng(1).normal(size=6), dtype=torch.float64)
    ln = torch.nn.functional.layer_norm(x, (6,), eps=0.0)
    rms = torch.nn.functional.rms_norm(x - x.mean(), (6,), eps=0.0)
    assert float((ln - rms).abs().max()) < 1e-14


def test_softmax_bound_two_way_tie(torch):
    """Logits (0, 0, -inf-ish): p = (1/2, 1/2, ~0); torch's Jacobian has spectral norm 1/2 up to e^-40."""
    s = torch.tensor([0.0, 0.0, -40.0], dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), s)
    assert abs(float(torch.linalg.matrix_norm(jac, ord=2)) - 0.5) < 1e-15
    rng = np.random.default_rng(2)
    for _ in range(200):
        z = torch.tensor(rng.normal(size=rng.integers(2, 12)) * rng.uniform(0.1, 10), dtype=torch.float64)
        j = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), z)
        assert float(torch.linalg.matrix_norm(j, ord=2)) <= 0.5 + 1e-15
    assert get("softmax_jacobian_bound").result.parts["bound"] == sp.Rational(1, 2)


def test_qk_variance_small_dk_exact():
    """d_k = 2 with Rademacher components (+-1): q.k takes -2, 0, 2 with probabilities 1/4, 1/2, 1/4: variance 2."""
    vals = [q1 * k1 + q2 * k2 for q1 in (-1, 1) for q2 in (-1, 1) for k1 in (-1, 1) for k2 in (-1, 1)]
    assert np.var(vals) == 2.0
    dk = sp.Symbol("d_k", positive=True, integer=True)
    assert get("qk_dot_variance").result.parts["var_unscaled"] == dk


def test_attention_myth_numbers_are_ordered():
    """Without scaling a visible fraction of queries saturate and the median max probability is near 1; with it none."""
    p = get("attention_scaling_distribution").result.parts
    assert float(p["saturated_frac_raw"]) > 0.03 and float(p["saturated_frac_scaled"]) == 0.0
    assert float(p["maxp_raw_q50"]) > 0.8 > 0.2 > float(p["maxp_scaled_q50"])
    assert float(p["jnorm_raw_q90"]) > float(p["jnorm_scaled_q90"])  # unscaled: more spread in both directions
    assert float(p["jnorm_raw_q10"]) < float(p["jnorm_scaled_q10"])


def test_preln_variance_linear_in_depth(torch):
    """numpy re-implementation with other seeds: Pre-LN centred variance after 10 blocks is about v0 + 10 s."""
    rng = np.random.default_rng(3)
    d, dff, depth = 64, 256, 10
    finals = []
    for _ in range(40):
        x = rng.normal(size=(8, d))
        for _ in range(depth):
            w1 = rng.normal(size=(dff, d)) * math.sqrt(2 / d)
            w2 = rng.normal(size=(d, dff)) * math.sqrt(1 / dff)
            u = np.array([_ln(r) for r in x])
            x = x + np.maximum(u @ w1.T, 0) @ w2.T
        finals.append(np.mean(np.var(x, axis=1)))
    assert np.mean(finals) == pytest.approx(63 / 64 * (1 + depth), rel=0.06)


def test_deepnorm_decoder_only_values():
    p = get("deepnorm_constants").result.parts
    n = sp.Symbol("N", positive=True, integer=True)
    assert float(p["alpha_single"].subs(n, 8)) == pytest.approx(2.0, rel=1e-15)  # (2*8)^(1/4) = 2
    assert float(p["beta_single"].subs(n, 2)) == pytest.approx(0.5, rel=1e-15)  # (8*2)^(-1/4) = 1/2
    assert p["alpha_beta"] == 1 / sp.sqrt(2)


def test_rezero_gradient_reaches_alpha(torch):
    a = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    x = torch.tensor([0.3, -1.2], dtype=torch.float64)
    w = torch.tensor([[1.0, 2.0], [0.5, -1.0]], dtype=torch.float64)
    y = x + a * torch.tanh(w @ x)
    (g,) = torch.autograd.grad(y.sum(), [a])
    assert float(g) == pytest.approx(float(torch.tanh(w @ x).sum()), rel=1e-15)


def test_product_limit():
    c = 0.7
    vals = [(1 + c / n) ** n for n in (1, 10, 100, 1000)]
    assert all(a < b for a, b in itertools.pairwise(vals)) and vals[-1] < math.exp(c)
    assert get("scaled_residual_product").result.parts["limit"] == sp.exp(sp.Symbol("c", positive=True))


def test_fixup_rule_values():
    f = sp.lambdify(
        (sp.Symbol("L", positive=True, integer=True), sp.Symbol("m", positive=True, integer=True)),
        get("fixup_scale").result.parts["scale"],
    )
    assert f(16, 2) == pytest.approx(0.25) and f(16, 3) == pytest.approx(0.5)


D, N_, M_ = (sp.Symbol(s, positive=True, integer=True) for s in ("d", "N", "M"))
L_ = sp.Symbol("L", positive=True, integer=True)
m_ = sp.Symbol("m", positive=True, integer=True)
Y = sp.Matrix(sp.symbols("y1:4", real=True))
PS = sp.Matrix(sp.symbols("p1:4", positive=True))


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("layernorm_jacobian", "rank_general", D - 1),
        ("rmsnorm_jacobian", "projection", sp.eye(3)),
        ("softmax_jacobian_bound", "jacobian", sp.diag(*PS)),  # "softmax' = p"
        ("softmax_jacobian_bound", "bound", sp.Rational(1, 4)),
        ("qk_dot_variance", "var_unscaled", sp.sqrt(sp.Symbol("d_k", positive=True, integer=True))),
        ("attention_scaling_distribution", "jnorm_raw_q50", sp.Float(0.01)),
        ("preln_stream_growth", "v_l", sp.Symbol("v_0", positive=True)),  # "the stream does not grow"
        ("preln_stream_growth", "ratio", sp.Integer(1)),
        ("deepnorm_constants", "beta_single", (2 * N_) ** sp.Rational(-1, 4)),
        ("fixup_scale", "scale", L_ ** (-1 / (2 * m_))),
        ("scaled_residual_product", "limit", sp.exp(2 * sp.Symbol("c", positive=True))),
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


# --- exercises ---------------------------------------------------------------------------------------------------
def test_softmax_example_checks_catch_the_elementwise_derivative(monkeypatch):
    """'The softmax derivative is p(1 - p), elementwise': the diagonal-only matrix in place of diag(p) - pp^T."""
    d = get("softmax_jacobian_example")
    monkeypatch.setattr(d, "checks", [ch for ch in d.checks if ch.oracle.startswith("central finite")])
    assert_checks_catch(monkeypatch, "softmax_jacobian_example", "jacobian", d.result.parts["elementwise"])


def test_softmax_example_rows_and_norm():
    p = get("softmax_jacobian_example").result.parts
    pv = np.array([0.5, 1 / 3, 1 / 6])
    j = np.diag(pv) - np.outer(pv, pv)
    assert np.allclose(j.sum(axis=1), 0, atol=1e-15)
    top = np.linalg.eigvalsh(j)[-1]
    assert top == pytest.approx(float(p["spectral_norm"]), abs=1e-14) and top < 0.5


def test_layernorm_checks_catch_a_projection_without_the_output_direction(monkeypatch):
    """The projection without its y_hat term (the exercise on LayerNorm's blind directions rests on it)."""
    pytest.importorskip("torch")
    assert_checks_catch(monkeypatch, "layernorm_jacobian", "projection", sp.eye(3) - sp.ones(3, 3) / 3)


def test_rezero_checks_catch_a_non_identity_jacobian(monkeypatch):
    pytest.importorskip("torch")
    assert_checks_catch(monkeypatch, "rezero_identity", "jacobian_at_zero", 2 * sp.eye(2))
