"""Counter-examples made for the claims page (docs/*/myths.md) that no topic page needs.

Convention: RNN h_t = tanh(W h_{t-1} + U x_t + b), Jacobian dh_t/dh_{t-1} = diag(tanh'(a_t)) W (numerator layout),
rho(W) the spectral radius (largest |eigenvalue|), ||.||_2 the spectral norm.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.sym import sci_latex

a_ = sp.Symbol("a", positive=True)
W_SAT = 2 * sp.eye(2)  # rho(W) = 2 > 1
DRIVE = 3  # U x_t + b = 3 in every component, at every step
T_SAT = 10


@derivation(
    "rho_above_one_saturated",
    title="rho(W) = 2 > 1 yet a tanh RNN's gradient vanishes: W = 2I, input 3, h_0 >= 0 give ||dh_10/dh_0|| < 1e-17",
    title_zh="ρ(W) = 2 > 1，tanh RNN 的梯度却消失：W = 2I、输入为 3、h_0 ≥ 0 时 ‖∂h₁₀/∂h₀‖ < 10⁻¹⁷",
)
def rho_above_one_saturated() -> Result:
    rho = max(abs(e) for e in W_SAT.eigenvals())
    sech2 = sp.sech(a_) ** 2  # tanh'(a)
    if not sp.simplify(sp.diff(sech2, a_) + 2 * sech2 * sp.tanh(a_)) == 0:
        raise ArithmeticError("tanh'' is not -2 sech^2 tanh")
    # for h_{t-1} >= 0: a_t = 2 h_{t-1} + 3 >= 3, tanh' is decreasing on a > 0 (derivative -2 sech^2 tanh < 0), so
    # tanh'(a_t) <= sech^2(3); and h_t = tanh(a_t) > 0 keeps the premise for the next step
    per_step = sp.Integer(2) * sp.sech(DRIVE) ** 2  # ||diag(tanh'(a_t)) W||_2 <= 2 sech^2(3)
    bound = per_step**T_SAT
    linear = (W_SAT**T_SAT)[0, 0]  # f = id: dh_T/dh_0 = W^T = 2^T I
    if not (rho > 1 and per_step < 1 and linear == 2**T_SAT):
        raise ArithmeticError("the example does not separate rho from the saturated factor")
    return Result(
        expr=sp.Tuple(rho, per_step, bound, linear),
        latex=(
            rf"W=2I,\ \rho(W)={sp.latex(rho)},\ Ux_t+b={DRIVE}\cdot\mathbf 1,\ h_0\ge0:\quad"
            r"\Bigl\lVert\frac{\partial h_t}{\partial h_{t-1}}\Bigr\rVert_2\le2\operatorname{sech}^2 3"
            rf"\approx{float(per_step):.4f}\ \Rightarrow\ "
            rf"\Bigl\lVert\frac{{\partial h_{{{T_SAT}}}}}{{\partial h_0}}\Bigr\rVert_2"
            rf"\le(2\operatorname{{sech}}^2 3)^{{{T_SAT}}}"
            rf"\approx{sci_latex(float(bound), 2)};\qquad "
            rf"f=\mathrm{{id}}:\ \lVert W^{{{T_SAT}}}\rVert_2={sp.latex(linear)}"
        ),
        parts={"W": W_SAT, "rho": rho, "per_step": per_step, "bound": bound, "linear_norm": linear},
        text={
            "per_step": f"{float(per_step):.4f}",
            "bound": sci_latex(float(bound), 2),
            "T": str(T_SAT),
            "drive": str(DRIVE),
        },
        symbols={"W": "recurrent matrix", "a": "pre-activation", "h_0": "initial state (componentwise >= 0)"},
    )


@rho_above_one_saturated.check(
    "torch autograd Jacobian dh_10/dh_0 (float64) from 200 seeded h_0 in [0, 1]^2: spectral norm <= bound",
    tol=0.0,
    needs="torch",
    oracle_zh="PyTorch 自动微分（float64）求 ∂h₁₀/∂h₀，h₀ 取 [0, 1]² 中 200 个固定随机种子的点：谱范数不超过上界",
)
def _() -> float:
    import torch

    p = rho_above_one_saturated.result.parts
    w = torch.tensor(np.array(p["W"], dtype=float))
    bound = float(p["bound"])

    def run(h: torch.Tensor) -> torch.Tensor:
        for _ in range(T_SAT):
            h = torch.tanh(w @ h + DRIVE)
        return h

    worst = 0.0
    for h0 in np.random.default_rng(0).uniform(0, 1, size=(200, 2)):
        jac = torch.autograd.functional.jacobian(run, torch.tensor(h0))
        worst = max(worst, float(torch.linalg.matrix_norm(jac, 2)) / bound - 1.0)
    return max(worst, 0.0)


@rho_above_one_saturated.check(
    "mpmath (50 digits): 2 sech^2(3) and the product of 2 tanh'(a_t) from h_0 = 0 (<= bound); numpy ||W^10||",
    tol=1e-14,
    oracle_zh="mpmath（50 位有效数字）：2 sech²(3) 及从 h₀ = 0 出发的 2 tanh′(a_t) 连乘（不超过上界）；NumPy 求 ‖W¹⁰‖",
)
def _() -> float:
    p = rho_above_one_saturated.result.parts
    with mpmath.workdps(50):
        factor = 2 * mpmath.sech(DRIVE) ** 2
        h, prod = mpmath.mpf(0), mpmath.mpf(1)
        for _ in range(T_SAT):
            a = 2 * h + DRIVE
            prod *= 2 * mpmath.sech(a) ** 2
            h = mpmath.tanh(a)
        err_factor = abs(factor - mpmath.mpf(float(p["per_step"]))) / factor
        exceeds = prod > mpmath.mpf(float(p["bound"])) * (1 + mpmath.mpf(10) ** -14)
    w = np.array(p["W"], dtype=float)
    err_linear = abs(np.linalg.norm(np.linalg.matrix_power(w, T_SAT), 2) - float(p["linear_norm"])) / 1024
    return max(float(err_factor), 1.0 if exceeds else 0.0, err_linear)
