"""SymPy building blocks shared by the topic modules: matrices and vectors of real symbols, a logistic sigmoid whose
derivative rule is sigma(1 - sigma), and diagonal matrices of a column. Nothing here registers a derivation."""

from __future__ import annotations

import sympy as sp


def symbol_matrix(name: str, rows: int, cols: int, start: int = 0) -> sp.Matrix:
    """A rows x cols matrix of real symbols ``{name}_{row}{col}``, indices counted from ``start`` (0 or 1)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + start}{j + start}", real=True))


def symbol_vector(name: str, n: int, start: int = 0) -> sp.Matrix:
    """A column of n real symbols ``{name}_{k}``, k counted from ``start`` (0 or 1)."""
    return sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"{name}_{i + start}", real=True))


class Sigmoid(sp.Function):
    """Logistic sigmoid sigma(z) = 1/(1 + e^{-z}) as a SymPy function whose derivative is sigma(z)(1 - sigma(z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        """The derivative sigma(1 - sigma); ``sigmoid_rule_ok`` checks it against the exponential form."""
        s = Sigmoid(self.args[0])
        return s * (1 - s)

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


def sigmoid_explicit(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every ``Sigmoid(z)`` replaced by 1/(1 + exp(-z)), so that ``sympy.srepr`` can rebuild it."""
    return expr.replace(Sigmoid, lambda z: 1 / (1 + sp.exp(-z)))


def sigmoid_rule_ok() -> bool:
    """True if the derivative rule of ``Sigmoid`` equals d/dz 1/(1 + e^{-z}) (checked symbolically)."""
    z = sp.Symbol("z", real=True)
    explicit = sp.diff(1 / (1 + sp.exp(-z)), z)
    return sp.simplify(explicit - sigmoid_explicit(sp.diff(Sigmoid(z), z))) == 0


def diag(v: sp.Matrix) -> sp.Matrix:
    """The diagonal matrix with the entries of the column ``v`` on its diagonal."""
    return sp.diag(*list(v))


def eval_matrix(expr: sp.Matrix, values: dict[sp.Symbol, float]):
    """``expr`` evaluated in float64 by lambdify at ``values`` (every free symbol must have a value), as a NumPy
    array."""
    import numpy as np

    syms = sorted(expr.free_symbols, key=str)
    return np.array(sp.lambdify(syms, expr, "numpy")(*[values[s] for s in syms]), dtype=float)


def replace_fprime(expr: sp.Expr, fn: sp.FunctionClass, fp: sp.FunctionClass) -> sp.Expr:
    """``expr`` with every Derivative(fn(xi), xi) (also inside Subs) replaced by fp(xi) and the Subs evaluated, so that
    an unknown activation's derivative prints as f'(a) instead of SymPy's Subs(Derivative(...))."""
    out = expr.replace(
        lambda e: isinstance(e, sp.Derivative) and e.expr.func == fn and len(e.variables) == 1,
        lambda e: fp(e.variables[0]),
    )
    return out.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit())
