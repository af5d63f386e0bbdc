"""Sigmoid output with two losses: why "sigmoid is a bad loss function" confuses an activation with a loss.

Convention: logit z, prediction p = sigma(z), label y in {0, 1}; derivatives with respect to the logit z.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.oracles.finite import central_diff
from derivations.sym import sci_latex

z = sp.Symbol("z", real=True)
y = sp.Symbol("y", real=True)
_P = 1 / (1 + sp.exp(-z))
Z_SATURATED = -10  # a confidently wrong logit for y = 1


@derivation(
    "sigmoid_output_losses",
    title="Sigmoid output: cross-entropy gives dL/dz = sigma(z) - y; squared error gives (sigma(z) - y) sigma'(z)",
    title_zh="sigmoid 输出层：交叉熵给出 dL/dz = σ(z) − y；平方误差给出 (σ(z) − y)·σ′(z)",
)
def sigmoid_output_losses() -> Result:
    """d/dz of binary cross-entropy of sigma(z) is sigma(z) - y (the sigma' cancels); of (sigma(z) - y)^2 / 2 it is
    (sigma(z) - y) sigma'(z), which vanishes when the unit saturates, even if the prediction is wrong."""
    bce = -(y * sp.log(_P) + (1 - y) * sp.log(1 - _P))
    mse = (_P - y) ** 2 / 2
    d_bce = sp.simplify(sp.diff(bce, z))
    d_mse = sp.diff(mse, z)
    if sp.simplify(d_bce - (_P - y)) != 0:
        raise ArithmeticError("d BCE / dz != sigma - y")
    if sp.simplify(d_mse - (_P - y) * _P * (1 - _P)) != 0:
        raise ArithmeticError("d MSE / dz != (sigma - y) sigma'")
    at = {z: Z_SATURATED, y: 1}
    bce_sat, mse_sat = sp.N(d_bce.subs(at), 15), sp.N(d_mse.subs(at), 15)
    return Result(
        expr=sp.Tuple(sp.Lambda((z, y), _P - y), sp.Lambda((z, y), (_P - y) * _P * (1 - _P))),
        latex=(
            r"\frac{\partial}{\partial z}\Bigl[-y\log\sigma(z)-(1-y)\log\bigl(1-\sigma(z)\bigr)\Bigr]=\sigma(z)-y,"
            r"\qquad \frac{\partial}{\partial z}\,\tfrac12\bigl(\sigma(z)-y\bigr)^2"
            r"=\bigl(\sigma(z)-y\bigr)\,\sigma'(z);"
            rf"\qquad z={Z_SATURATED},\ y=1:\ \sigma(z)-y={float(bce_sat):.5f},\ "
            rf"\bigl(\sigma(z)-y\bigr)\,\sigma'(z)={sci_latex(float(mse_sat), 4)}"
        ),
        parts={
            "d_bce": _P - y,
            "d_mse": (_P - y) * _P * (1 - _P),
            "bce_at_saturation": bce_sat,
            "mse_at_saturation": mse_sat,
        },
        symbols={"z": "logit (pre-activation of the output unit)", "y": "label in {0, 1}"},
        text={"bce_at_saturation": f"{float(bce_sat):.5f}", "mse_at_saturation": f"{float(mse_sat):.2e}"},
    )


@sigmoid_output_losses.check(
    "central finite differences of numpy BCE and MSE, float64, y in {0, 1}",
    tol=1e-8,
    oracle_zh="对 NumPy 实现的交叉熵与平方误差做中心有限差分（float64，y ∈ {0, 1}）",
)
def _() -> float:
    t = np.linspace(-12, 12, 97)
    r = sigmoid_output_losses.result.parts
    worst = 0.0
    for label in (0.0, 1.0):

        def bce(u: np.ndarray, lab: float = label) -> np.ndarray:
            return np.logaddexp(0, -u) * lab + np.logaddexp(0, u) * (1 - lab)  # -log sigma, -log(1 - sigma)

        def mse(u: np.ndarray, lab: float = label) -> np.ndarray:
            return (1 / (1 + np.exp(-u)) - lab) ** 2 / 2

        for expr, f in ((r["d_bce"], bce), (r["d_mse"], mse)):
            derived = sp.lambdify(z, expr.subs(y, label), "numpy")(t)
            worst = max(worst, float(np.max(np.abs(derived - central_diff(f, t)))))
    return worst
