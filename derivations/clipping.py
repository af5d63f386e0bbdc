"""Gradient clipping: by value (elementwise clamp) versus by norm (rescale the whole vector), and what torch does.

Conventions: a gradient is a real vector g (all parameters concatenated); "norm" is the Euclidean 2-norm;
the threshold c > 0. Clipping by norm follows Pascanu, Mikolov and Bengio (2013), Algorithm 1:
if ||g|| >= c then g <- c g / ||g||. torch.nn.utils.clip_grad_norm_ (torch 2.13, read from its source) multiplies
every gradient by min(c / (N + 1e-6), 1), where N is the total 2-norm, and returns N (the norm BEFORE clipping).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.core import Result, derivation
from derivations.nets.clip import clip_by_norm, clip_by_value, clip_like_torch

c = sp.Symbol("c", positive=True)  # threshold
r = sp.Symbol("r", nonnegative=True)  # ||g||
eps = sp.Symbol("epsilon", positive=True)  # torch's 1e-6
TORCH_EPS = sp.Rational(1, 10**6)

EXAMPLE_G = sp.Matrix([30, -40])
EXAMPLE_C = sp.Integer(15)


def _clamp(v: sp.Expr, lim: sp.Expr) -> sp.Expr:
    return sp.Max(-lim, sp.Min(lim, v))


# --- by value versus by norm: the worked example ---------------------------------------------------------------
@derivation(
    "clip_value_vs_norm_example",
    title="g = (30, -40), c = 15: by value gives (15, -15) (direction turned by 8.13 deg); by norm gives (9, -12)",
    title_zh="g = (30, −40)、c = 15：按值裁剪得 (15, −15)（方向偏转约 8.13°）；按范数裁剪得 (9, −12)",
)
def clip_value_vs_norm_example() -> Result:
    g, cc = EXAMPLE_G, EXAMPLE_C
    by_value = g.applyfunc(lambda v: _clamp(v, cc))
    norm = sp.sqrt((g.T * g)[0])
    by_norm = g * cc / norm if norm >= cc else g
    cos_value = sp.nsimplify(sp.simplify((g.T * by_value)[0] / (norm * sp.sqrt((by_value.T * by_value)[0]))))
    angle_deg = sp.acos(cos_value) * 180 / sp.pi
    cross = g[0] * by_norm[1] - g[1] * by_norm[0]
    scale_norm = sp.simplify(by_norm[0] / g[0])
    if cross != 0 or not scale_norm > 0:
        raise ArithmeticError("clipping by norm did not preserve the direction")
    norm_after_value = sp.sqrt((by_value.T * by_value)[0])
    norm_after_norm = sp.sqrt((by_norm.T * by_norm)[0])
    if norm_after_norm != cc:
        raise ArithmeticError("clipped norm is not the threshold")
    angle_text = f"{float(angle_deg):.2f}"
    ratio_value = sp.Tuple(*(by_value[i] / g[i] for i in range(2)))  # per-component factor: (1/2, 3/8)
    ratio_norm = sp.Tuple(*(by_norm[i] / g[i] for i in range(2)))  # (3/10, 3/10): one factor for the whole vector
    if not all(0 < f < 1 for f in ratio_value) or ratio_value[0] == ratio_value[1]:
        raise ArithmeticError("the example should cut both components by different factors")
    return Result(
        expr=sp.Tuple(by_value, by_norm, cos_value),
        latex=(
            rf"g={sp.latex(g.T)}^\top,\ c={sp.latex(cc)}:\quad \operatorname{{clip}}_{{\infty}}(g)"
            rf"={sp.latex(by_value.T)}^\top,\ \cos\angle={sp.latex(cos_value)}\ ({angle_text}^\circ);\quad"
            rf"\operatorname{{clip}}_{{2}}(g)=\tfrac{{{sp.latex(cc)}}}{{{sp.latex(norm)}}}g"
            rf"={sp.latex(by_norm.T)}^\top"
        ),
        parts={
            "g": g,
            "threshold": cc,
            "norm_g": norm,
            "by_value": by_value,
            "by_norm": by_norm,
            "cos_angle_by_value": cos_value,
            "angle_deg_by_value": angle_deg,
            "norm_after_value": norm_after_value,
            "norm_after_norm": norm_after_norm,
            "scale_by_norm": scale_norm,
            "ratios_by_value": ratio_value,
            "ratios_by_norm": ratio_norm,
        },
        text={"angle_deg_by_value": angle_text, "norm_after_value": f"{float(norm_after_value):.4f}"},
        symbols={"g": "example gradient (column vector)", "c": "clipping threshold"},
    )


@clip_value_vs_norm_example.check(
    "numpy: np.clip and rescaling; angle by arccos; each component's factor clipped/original, all float64",
    tol=1e-12,
    oracle_zh="NumPy：np.clip 与整体缩放；用 arccos 求夹角；逐分量计算裁剪后与原值之比，均为 float64",
)
def _() -> float:
    p = clip_value_vs_norm_example.result.parts
    g = np.array([30.0, -40.0])
    v, n_ = clip_by_value(g, 15.0), clip_by_norm(g, 15.0)
    ang = np.degrees(np.arccos(g @ v / (np.linalg.norm(g) * np.linalg.norm(v))))

    def err(a: np.ndarray, part: str) -> float:
        return float(np.max(np.abs(a - np.array(p[part], dtype=float).ravel())))

    return max(
        err(v, "by_value"),
        err(n_, "by_norm"),
        abs(ang - float(p["angle_deg_by_value"])),
        err(v / g, "ratios_by_value"),  # both components cut (factors < 1), by different factors
        err(n_ / g, "ratios_by_norm"),  # one factor for both
    )


@clip_value_vs_norm_example.check(
    "torch.nn.utils.clip_grad_value_ / clip_grad_norm_ (float64)",
    tol=1e-6,
    needs="torch",
    oracle_zh="`torch.nn.utils.clip_grad_value_` / `clip_grad_norm_`（float64）",
)
def _() -> float:
    import torch

    p = clip_value_vs_norm_example.result.parts
    a = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    a.grad = torch.tensor([30.0, -40.0], dtype=torch.float64)
    torch.nn.utils.clip_grad_value_([a], 15.0)
    err_v = float((a.grad - torch.tensor(np.array(p["by_value"], dtype=float).ravel())).abs().max())
    a.grad = torch.tensor([30.0, -40.0], dtype=torch.float64)
    torch.nn.utils.clip_grad_norm_([a], 15.0)
    # torch differs from Algorithm 1 by the factor 50/(50 + 1e-6): about 2.4e-7 on these entries
    err_n = float((a.grad - torch.tensor(np.array(p["by_norm"], dtype=float).ravel())).abs().max())
    return max(err_v, err_n)


# --- Algorithm 1 in general: direction kept, norm = min(||g||, c), never larger --------------------------------
@derivation(
    "clip_norm_properties",
    title="Clipping by norm: result = s g with s = min(1, c/||g||) in (0, 1], so ||clip(g)|| = min(||g||, c) <= ||g||",
    title_zh="按范数裁剪：结果为 s·g，s = min(1, c/‖g‖) ∈ (0, 1]，故 ‖clip(g)‖ = min(‖g‖, c) ≤ ‖g‖",
)
def clip_norm_properties() -> Result:
    s = sp.Piecewise((c / r, r >= c), (1, True))  # Algorithm 1 as a scale factor on g, for ||g|| = r > 0
    norm_after = sp.piecewise_fold(s * r)  # ||s g|| = s ||g|| because s > 0
    (on_clip, _), (off_clip, _) = norm_after.args
    if sp.simplify(on_clip - c) != 0 or sp.simplify(off_clip - r) != 0:
        raise ArithmeticError("norm after clipping is not min(r, c)")
    d = sp.Symbol("d", nonnegative=True)  # r = c + d on the clipping branch
    shrink = sp.simplify((c / r - 1).subs(r, c + d))
    if not shrink.is_nonpositive:
        raise ArithmeticError("c/r - 1 is not <= 0 on r >= c: clipping could amplify")
    ratio = s
    return Result(
        expr=sp.Tuple(sp.Lambda((r, c), s), sp.Lambda((r, c), sp.Min(r, c))),
        latex=(
            r"\operatorname{clip}_c(g)=s\,g,\quad s=\begin{cases}c/\lVert g\rVert_2 & \lVert g\rVert_2\ge c\\"
            r"1 & \lVert g\rVert_2<c\end{cases}\in(0,1],\qquad \lVert\operatorname{clip}_c(g)\rVert_2="
            r"\min(\lVert g\rVert_2,c)\le\lVert g\rVert_2"
        ),
        parts={"scale": s, "norm_after": sp.Min(r, c), "ratio_after_before": ratio, "shrink_on_clip": shrink},
        symbols={"r": "||g||_2 (Euclidean norm of the full gradient)", "c": "threshold (> 0)", "s": "scale"},
    )


@clip_norm_properties.check(
    "numpy on 2000 seeded random gradients, norms from 1e-12 to 1e6",
    tol=1e-12,
    oracle_zh="NumPy：2000 个固定随机种子的随机梯度，范数从 1e-12 到 1e6",
)
def _() -> float:
    rng = np.random.default_rng(1)
    f_norm = sp.lambdify((r, c), clip_norm_properties.result.parts["norm_after"], "numpy")
    worst = 0.0
    for _ in range(2000):
        g = rng.normal(size=7) * 10.0 ** rng.uniform(-12, 6)
        cv = 10.0 ** rng.uniform(-3, 3)
        out = clip_by_norm(g, cv)
        n0, n1 = np.linalg.norm(g), np.linalg.norm(out)
        cosine = out @ g / (n0 * n1)
        worst = max(
            worst,
            abs(n1 - f_norm(n0, cv)) / max(n1, 1e-300),  # norm after = min(||g||, c)
            max(0.0, n1 - n0) / n0,  # never larger
            abs(1.0 - cosine),  # same direction
        )
    return worst


@clip_norm_properties.check(
    "torch.nn.utils.clip_grad_norm_ leaves a vanishing gradient unchanged",
    tol=0.0,
    needs="torch",
    oracle_zh="`torch.nn.utils.clip_grad_norm_` 对消失的梯度原样保留",
)
def _() -> float:
    import torch

    p = torch.nn.Parameter(torch.zeros(5, dtype=torch.float64))
    g0 = torch.full((5,), 1e-12, dtype=torch.float64)
    p.grad = g0.clone()
    torch.nn.utils.clip_grad_norm_([p], 1.0)
    return float((p.grad - g0).abs().max())


# --- what torch actually does ---------------------------------------------------------------------------------
@derivation(
    "torch_clip_grad_norm",
    title="torch clip_grad_norm_: g <- g min(c/(N + 1e-6), 1), returns the pre-clip norm N; clipped norm < c",
    title_zh="torch 的 clip_grad_norm_：g ← g·min(c/(N + 10⁻⁶), 1)，返回裁剪前的范数 N；裁剪后范数严格小于 c",
)
def torch_clip_grad_norm() -> Result:
    n_ = sp.Symbol("N", positive=True)
    coef = sp.Min(c / (n_ + eps), 1)
    (boundary,) = sp.solve(sp.Eq(c / (n_ + eps), 1), n_)  # N = c - eps
    if not sp.diff(c / (n_ + eps), n_).is_negative:
        raise ArithmeticError("c/(N + eps) is not decreasing in N")
    clips_when = sp.Interval.open(boundary, sp.oo)  # decreasing, so coefficient < 1 exactly above the boundary
    after = sp.simplify(n_ * c / (n_ + eps))  # norm after, on the clipping branch
    gap = sp.simplify(c - after)  # = c eps / (N + eps) > 0: the result is strictly below c
    if not gap.is_positive:
        raise ArithmeticError("torch's clipped norm is not strictly below c")
    rel_vs_pascanu = sp.simplify(1 - after / c)  # Algorithm 1 gives exactly c when N >= c
    return Result(
        expr=sp.Tuple(sp.Lambda((n_, c, eps), coef), clips_when),
        latex=(
            r"g\leftarrow g\cdot\min\!\Bigl(\frac{c}{N+\epsilon},1\Bigr),\ "
            r"N=\Bigl(\sum_p\lVert g_p\rVert_2^2\Bigr)^{1/2}"
            r",\ \epsilon=10^{-6};\quad \min\!\Bigl(\frac{c}{N+\epsilon},1\Bigr)<1\iff N>c-\epsilon,\quad"
            rf"\lVert g'\rVert_2={sp.latex(after)}=c-{sp.latex(gap)}<c"
        ),
        parts={
            "coef": coef,
            "clips_when": clips_when,
            "norm_after": after,
            "gap_below_c": gap,
            "rel_diff_vs_algorithm1": rel_vs_pascanu,
            "epsilon": TORCH_EPS,
        },
        symbols={"N": "total 2-norm of all gradients concatenated", "c": "max_norm", "epsilon": "1e-6 in torch"},
    )


@torch_clip_grad_norm.check(
    "torch.nn.utils.clip_grad_norm_ on 3 float64 tensors: scale, tiny-norm case, return value",
    tol=1e-12,
    needs="torch",
    oracle_zh="`torch.nn.utils.clip_grad_norm_` 作用于 3 个 float64 张量：缩放系数、极小范数的情形、返回值",
)
def _() -> float:
    import torch

    res = torch_clip_grad_norm.result.parts
    coef = sp.lambdify((sp.Symbol("N", positive=True), c, eps), res["coef"], "math")
    rng = np.random.default_rng(2)
    worst = 0.0
    # norms around c, far above c, below c, and tiny (where the 1e-6 dominates: N = 2e-6, c = 1e-6 -> 1/3, not 1/2)
    for scale, cv in [(1.0, 0.5), (100.0, 1.0), (0.01, 1.0), (2e-6 / 5.0, 1e-6), (1.0, 3.0)]:
        grads = [rng.normal(size=s) * scale for s in [(3, 4), (5,), (2, 2, 2)]]
        params = [torch.nn.Parameter(torch.zeros(gg.shape, dtype=torch.float64)) for gg in grads]
        for prm, gg in zip(params, grads, strict=True):
            prm.grad = torch.tensor(gg)
        total = float(np.sqrt(sum(float(np.sum(gg**2)) for gg in grads)))
        returned = float(torch.nn.utils.clip_grad_norm_(params, cv))
        k = coef(total, cv, float(TORCH_EPS))
        err = max(float(np.max(np.abs(prm.grad.numpy() - k * gg))) for prm, gg in zip(params, grads, strict=True))
        worst = max(worst, err / max(total, 1e-300), abs(returned - total) / total)
    return worst


@torch_clip_grad_norm.check(
    "numpy re-implementation vs the derived norm after clipping (N in [1, 1e3])",
    tol=1e-12,
    oracle_zh="NumPy 重新实现的 PyTorch 裁剪与推导出的裁剪后范数比较（N 取 [1, 1e3]）",
)
def _() -> float:
    after = sp.lambdify((sp.Symbol("N", positive=True), c, eps), torch_clip_grad_norm.result.parts["norm_after"])
    worst = 0.0
    for nn in np.geomspace(1.0, 1e3, 50):
        g = np.array([nn, 0.0, 0.0])
        out, total = clip_like_torch(g, 0.5)
        worst = max(worst, abs(np.linalg.norm(out) - after(nn, 0.5, 1e-6)), abs(total - nn) / nn)
    return worst
