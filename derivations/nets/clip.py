"""Gradient clipping in NumPy float64: by value, by 2-norm (Pascanu et al. 2013, Algorithm 1) and PyTorch's variant.

Convention: ``g`` is the whole gradient as one vector (all parameters concatenated), ``c`` > 0 the threshold.
"""

from __future__ import annotations

import numpy as np


def clip_by_value(g: np.ndarray, c: float) -> np.ndarray:
    """Each component clamped to [-c, c] independently (the direction of g may change)."""
    return np.clip(np.asarray(g, dtype=np.float64), -c, c)


def clip_by_norm(g: np.ndarray, c: float) -> np.ndarray:
    """g scaled to c g/||g||_2 if ||g||_2 >= c, else returned unchanged (a copy): Algorithm 1 of Pascanu et al."""
    g = np.asarray(g, dtype=np.float64)
    nrm = float(np.linalg.norm(g))
    return g * (c / nrm) if nrm >= c else g.copy()


def clip_like_torch(g: np.ndarray, c: float, eps: float = 1e-6) -> tuple[np.ndarray, float]:
    """torch.nn.utils.clip_grad_norm_ re-implemented: (g min(c/(N + eps), 1), N) with N = ||g||_2 before clipping."""
    g = np.asarray(g, dtype=np.float64)
    total = float(np.linalg.norm(g))
    return g * min(c / (total + eps), 1.0), total
