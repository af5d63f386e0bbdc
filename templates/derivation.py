"""<Topic>: one sentence on what this module derives, and the conventions it uses.

Copy to derivations/<topic>.py; it is discovered automatically. Add tests/test_<topic>.py.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.oracles.finite import central_diff, max_abs_err

x = sp.Symbol("x", real=True)


@derivation(
    "softplus_derivative",
    title="softplus'(x) = sigma(x)",
    title_zh="softplus 的导数等于 sigmoid：softplus'(x) = σ(x)",
)
def softplus_derivative() -> Result:
    """softplus'(x) = 1/(1+e^{-x}), the logistic sigmoid; derivative with respect to the pre-activation x."""
    d = sp.simplify(sp.diff(sp.log(1 + sp.exp(x)), x))
    return Result(
        expr=sp.Lambda(x, d),
        latex=r"\operatorname{softplus}'(x) = " + sp.latex(d),
        parts={"d": d},
        symbols={"x": "pre-activation (real)"},
    )


@softplus_derivative.check("central finite differences, float64 (h=1e-5)", tol=1e-9)
def _() -> float:
    t = np.linspace(-8, 8, 161)
    f = sp.lambdify(x, softplus_derivative.result.parts["d"], "numpy")
    return max_abs_err(f(t), central_diff(lambda u: np.log1p(np.exp(u)), t))
