"""Helpers shared by the test modules: the mutation test every derivation's checks must pass, parameter builders."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from derivations import get
from derivations.verify import run_checks


def assert_checks_catch(monkeypatch: pytest.MonkeyPatch, name: str, part: str, wrong: sp.Basic) -> None:
    """The checks of derivation ``name`` are not vacuous: with ``parts[part]`` replaced by ``wrong`` (a plausible
    mistake), at least one check that runs here fails."""
    d = get(name)
    assert part in d.result.parts, f"{name} has no part {part!r}; parts: {', '.join(d.result.parts)}"
    bad = dataclasses.replace(d.result, parts={**d.result.parts, part: wrong})
    monkeypatch.setitem(d.__dict__, "result", bad)
    statuses = [r.status for r in run_checks(d) if r.status != "skip"]
    assert "FAIL" in statuses, f"{name}: no check caught {part} = {wrong}: {statuses}"


def torch_layout_params(gates: int, input_size: int, hidden: int, seed: int, scale: float = 1.0) -> dict:
    """float64 parameters in PyTorch's cell layout (weight_ih, weight_hh, bias_ih, bias_hh) drawn from PyTorch's
    default U(-1/sqrt(H), 1/sqrt(H)) with ``seed``, times ``scale``; ``gates``: 1 RNN, 3 GRU, 4 LSTM."""
    rng = np.random.default_rng(seed)
    k = 1.0 / np.sqrt(hidden)
    shapes = {
        "weight_ih": (gates * hidden, input_size),
        "weight_hh": (gates * hidden, hidden),
        "bias_ih": (gates * hidden,),
        "bias_hh": (gates * hidden,),
    }
    return {n: scale * rng.uniform(-k, k, size=s) for n, s in shapes.items()}


def normal_layout_params(gates: int, input_size: int, hidden: int, seed: int, scale: float = 1.0) -> dict:
    """float64 parameters in PyTorch's cell layout with weights N(0, scale²/H) and biases N(0, 1), drawn with
    ``seed`` (weight_ih, weight_hh, bias_ih, bias_hh in that order); ``gates``: 1 RNN, 3 GRU, 4 LSTM."""
    rng = np.random.default_rng(seed)
    return {
        "weight_ih": scale * rng.normal(size=(gates * hidden, input_size)) / np.sqrt(hidden),
        "weight_hh": scale * rng.normal(size=(gates * hidden, hidden)) / np.sqrt(hidden),
        "bias_ih": rng.normal(size=gates * hidden),
        "bias_hh": rng.normal(size=gates * hidden),
    }
