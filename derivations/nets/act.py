"""Activation functions and their derivatives in NumPy float64, one home for every topic (no SymPy here)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def sigmoid(t: np.ndarray) -> np.ndarray:
    """Logistic sigmoid 1/(1 + e^(-t)) elementwise in float64, evaluated without overflow for any t.

    For t >= 0 this is the naive formula; for t < 0 it is e^t/(1 + e^t), which never overflows. (The naive formula
    returns exactly 0.0 once e^(-t) overflows, t < about -709.78; torch.sigmoid in float64 on CPU behaves like it.)
    """
    t = np.asarray(t, dtype=np.float64)
    e = np.exp(-np.abs(t))
    return np.where(t >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_naive(t: np.ndarray) -> np.ndarray:
    """Logistic sigmoid by the naive formula 1/(1 + e^(-t)) in float64 (overflows to 0.0 for t < about -709.78)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(t, dtype=np.float64)))


def dsigmoid(t: np.ndarray) -> np.ndarray:
    """Derivative of the logistic sigmoid, sigma(t)(1 - sigma(t)), float64."""
    s = sigmoid(t)
    return s * (1.0 - s)


def dtanh(t: np.ndarray) -> np.ndarray:
    """Derivative of tanh, 1 - tanh(t)^2, float64."""
    return 1.0 - np.tanh(t) ** 2


def relu(t: np.ndarray) -> np.ndarray:
    """max(t, 0) elementwise, float64."""
    return np.maximum(np.asarray(t, dtype=np.float64), 0.0)


def drelu(t: np.ndarray) -> np.ndarray:
    """Derivative of ReLU with PyTorch's value 0 at t = 0 (1 for t > 0, else 0), float64."""
    return (np.asarray(t) > 0).astype(np.float64)


ACTS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "tanh": (np.tanh, dtanh),
    "sigmoid": (sigmoid, dsigmoid),
    "relu": (relu, drelu),
}
"""Activation name -> (f, f') for the reference RNNs and MLPs."""
