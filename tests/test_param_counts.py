"""Parameter-count formulas checked against torch.nn modules and hand-written shape lists."""

from __future__ import annotations

import os

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch

torch = pytest.importorskip("torch")

I, H, G, L, D = sp.symbols("I H G L D", integer=True, positive=True)  # noqa: E741


@pytest.mark.parametrize(("name", "cls", "gates"), [("lstm_param_count", "LSTM", 4), ("gru_param_count", "GRU", 3)])
def test_single_layer_counts(name, cls, gates):
    f = sp.lambdify((I, H), get(name).result.parts["count"])
    for i, h in ((2, 3), (50, 17), (300, 512)):
        m = getattr(torch.nn, cls)(i, h)
        assert sum(p.numel() for p in m.parameters()) == f(i, h) == gates * (h * i + h * h + 2 * h)
        shapes = [(gates * h, i), (gates * h, h), (gates * h,), (gates * h,)]
        assert sum(int(np.prod(s)) for s in shapes) == f(i, h)


def test_stacked_bidirectional_lstm():
    f = sp.lambdify((G, I, H, L, D), get("rnn_param_count_stacked").result.parts["count"])
    m = torch.nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    assert (
        sum(p.numel() for p in m.parameters())
        == f(4, 10, 20, 2, 2)
        == 2 * 4 * (200 + 400 + 40) + 2 * 4 * (800 + 400 + 40)
    )


def test_keras_counts_differ_from_pytorch_by_one_bias():
    r = get("keras_param_counts").result.parts
    assert sp.expand(get("lstm_param_count").result.parts["count"] - r["lstm"]) == 4 * H
    assert sp.expand(r["gru_reset_after"] - r["gru_reset_before"]) == 3 * H
    assert r["lstm"].subs({I: 1, H: 1}) == 12


def test_keras_counts_match_keras_3_on_torch():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("keras was imported with another backend")
    r = get("keras_param_counts").result.parts
    layer = keras.layers.GRU(7, reset_after=False)
    layer.build((None, 4, 5))
    assert layer.count_params() == r["gru_reset_before"].subs({I: 5, H: 7}) == 3 * (7 * 5 + 49 + 7)


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        # one bias vector only: the Keras count, not PyTorch's
        ("lstm_param_count", "count", 4 * (H * I + H * H + H)),
        ("gru_param_count", "count", 3 * (H * I + H * H + H)),
        ("rnn_param_count_stacked", "count", get("rnn_param_count_stacked").result.parts["first_layer"] * L),
        # PyTorch's two biases where Keras has one
        ("keras_param_counts", "lstm", 4 * (H * I + H * H + 2 * H)),
        ("keras_param_counts", "gru_reset_before", 3 * (H * I + H * H + 2 * H)),
    ],
)
def test_checks_fail_on_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)
