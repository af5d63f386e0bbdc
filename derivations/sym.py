"""SymPy building blocks shared by the topic modules: matrices and vectors of real symbols, a logistic sigmoid whose
derivative rule is sigma(1 - sigma), diagonal matrices of a column, and numbers written as LaTeX scientific notation.
Nothing here registers a derivation."""

from __future__ import annotations

import decimal

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


def sci_latex(value: float | sp.Expr, digits: int, *, plain: range = range(0), bare_zero_exponent: bool = False) -> str:
    r"""``value`` rounded to ``digits`` significant digits as LaTeX ``m\times10^{e}``, e.g. ``-4.539\times10^{-5}``.

    A SymPy number is evaluated to ``digits + 20`` digits first, so it is rounded from its exact value, not from the
    nearest float (an exact tie rounds half to even). When the exponent e (after rounding) is in ``plain``, the result
    is a plain decimal with the same significant digits instead, all integer digits kept (``range(-2, 3)``: 0.3660
    rather than 3.660\times10^{-1}); with ``bare_zero_exponent`` an exponent of 0 gives the bare mantissa."""
    num: float | decimal.Decimal
    if isinstance(value, sp.Basic) and value != 0:
        num = decimal.Decimal(str(sp.N(value, digits + 20)))
    else:
        num = float(value)
    mantissa, exponent = format(num, f".{digits - 1}e").split("e")
    e = int(exponent)
    if e in plain:
        return format(num, f".{max(digits - 1 - e, 0)}f")
    if e == 0 and bare_zero_exponent:
        return mantissa
    return rf"{mantissa}\times10^{{{e}}}"
