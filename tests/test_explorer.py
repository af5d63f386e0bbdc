"""The interactive explorer: linear orthogonal case exact, every curve under its bound, the widget's JSON well formed
and labelled in each language."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.explorer import ACTIVATIONS, LAMBDAS, jacobian_norms
from derivations.verify import run_checks
from docsgen.explorer import html
from tests.helpers import assert_checks_catch


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


def _embedded(lang: str) -> dict:
    page = html(get("explorer_bound").result.text["series_json"], lang, "../assets/javascripts/gradient-explorer.js")
    assert page.endswith('<script src="../assets/javascripts/gradient-explorer.js"></script>')  # after its data
    assert 'class="gradient-explorer-data"' in page and f'data-lang="{lang}"' in page
    return json.loads(page.split('class="gradient-explorer-data">', 1)[1].split("</script>", 1)[0])


def test_widget_json_covers_every_activation_and_lambda_with_labels_in_both_languages():
    zh, en = _embedded("zh"), _embedded("en")
    for data in (zh, en):
        assert set(data["series"]) == set(ACTIVATIONS) and set(data["labels"]["acts"]) == set(ACTIVATIONS)
        assert len(data["lambdas"]) == len(LAMBDAS)
        assert all(len(curve) == len(jacobian_norms("linear", 1.0)) for curve in data["series"]["tanh"].values())
    assert "回传" in zh["labels"]["x"] and zh["labels"]["acts"]["linear"] == "线性"
    assert en["labels"]["acts"]["relu"] == "ReLU" and "{k}" in en["labels"]["readout"]
    assert zh["series"] == en["series"]  # only the labels depend on the language


def test_widget_series_are_the_checked_norms_rounded():
    data = _embedded("en")
    exact = jacobian_norms("tanh", 1.3)
    assert np.allclose(data["series"]["tanh"]["1.3"], exact, rtol=5e-4)


def test_bound_check_fails_when_the_bound_is_too_small(monkeypatch):
    d = get("explorer_bound")
    monkeypatch.setattr("derivations.explorer.ACTIVATIONS", {"linear": 0.5})  # pretend sup|f'| = 1/2
    assert "FAIL" in [r.status for r in run_checks(d)]


def test_widget_labels_name_both_axes_and_the_underflow_note_in_each_language():
    zh, en = _embedded("zh")["labels"], _embedded("en")["labels"]
    for key in ("x", "y", "below", "measured", "bound", "lambda"):
        assert en[key].strip() and zh[key].strip() and en[key] != zh[key], key
    assert "log scale" in en["y"] and "对数坐标" in zh["y"]
    assert "1e-300" in en["below"] and "1e-300" in zh["below"]


def test_every_embedded_value_can_be_drawn_on_a_log_axis():
    """The widget's y-axis covers the finite values >= 1e-300 of the current setting and marks anything smaller; the
    real data need no marker."""
    for curves in _embedded("en")["series"].values():
        for curve in curves.values():
            assert all(np.isfinite(v) and v >= 1e-300 for v in curve)


def test_closed_form_readouts_match_the_widget_and_powers():
    p = get("explorer_closed_form_readouts").result.parts
    series = json.loads(get("explorer_bound").result.text["series_json"])["series"]
    assert float(p["linear_up"]) == pytest.approx(1.1**60, rel=1e-12)
    assert series["linear"]["1.1"][-1] == pytest.approx(1.1**60, rel=5e-4)
    assert series["sigmoid"]["2.0"][-1] <= float(p["sigmoid_bound"]) == pytest.approx(0.5**60, rel=1e-12)
    assert 1.1**24 < 10 <= 1.1 ** int(p["steps_per_decade_up"])


def test_explorer_checks_catch_wrong_readouts(monkeypatch):
    lam, k = sp.symbols("lambda_1 k", positive=True)
    assert_checks_catch(monkeypatch, "orthogonal_linear_power", "norm", lam ** (2 * k))  # Gram eigenvalue, not sigma
    assert_checks_catch(monkeypatch, "explorer_closed_form_readouts", "linear_up", sp.Rational(11, 10) ** 59)
    assert_checks_catch(monkeypatch, "explorer_closed_form_readouts", "slope_up", sp.log(sp.Rational(11, 10)))


def test_the_relu_readout_explodes_and_the_checks_catch_a_non_exploding_answer(monkeypatch):
    p = get("explorer_relu_explodes").result.parts
    norms = jacobian_norms("relu", 1.5)
    assert norms[-1] > 1e6 and float(p["measured"]) == pytest.approx(norms[-1], rel=5e-4)
    assert float(p["measured"]) < float(p["bound"])
    assert_checks_catch(monkeypatch, "explorer_relu_explodes", "measured", sp.Integer(1))  # "ReLU avoids explosion"
