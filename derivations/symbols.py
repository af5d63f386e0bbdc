"""Matrices and vectors of real SymPy symbols, named the way the derivations document them in ``symbols``."""

from __future__ import annotations

import sympy as sp


def symbol_matrix(name: str, rows: int, cols: int, start: int = 0) -> sp.Matrix:
    """A rows x cols matrix of real symbols ``{name}_{row}{col}``, indices counted from ``start`` (0 or 1)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + start}{j + start}", real=True))


def symbol_vector(name: str, n: int, start: int = 0) -> sp.Matrix:
    """A column of n real symbols ``{name}_{k}``, k counted from ``start`` (0 or 1)."""
    return sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"{name}_{i + start}", real=True))
