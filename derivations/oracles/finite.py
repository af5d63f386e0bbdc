"""Independent numerical oracles used by checks: finite differences in float64 and mpmath, error measures.

Nothing here uses SymPy: these are the "something else" a derived result is compared with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import mpmath
import numpy as np


def central_diff(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central finite difference (f(x+h) - f(x-h)) / 2h in float64; truncation error O(h^2)."""
    x = np.asarray(x, dtype=np.float64)
    return (f(x + h) - f(x - h)) / (2.0 * h)


def mp_diff(f: Callable[[mpmath.mpf], mpmath.mpf], x: float | mpmath.mpf, n: int = 1, dps: int = 50) -> mpmath.mpf:
    """The n-th derivative of f at x by mpmath's numerical differentiation at ``dps`` significant digits."""
    with mpmath.workdps(dps):
        return mpmath.diff(f, mpmath.mpf(x), n)


def max_abs_err(a: Iterable[float], b: Iterable[float]) -> float:
    """Largest absolute difference between two equally long sequences (works for mpmath numbers)."""
    return float(max(abs(x - y) for x, y in zip(a, b, strict=True)))


def max_rel_err(a: np.ndarray, b: np.ndarray, floor: float = 1e-300) -> float:
    """Largest relative difference |a-b| / max(|b|, floor), elementwise, in float64."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))
