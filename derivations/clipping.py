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
    oracle_zh="NumPy：用固定随机种子生成的 2000 个随机梯度，范数从 1e-12 到 1e6",
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


# --- exercise: when does clipping by value keep the direction? ----------------------------------------------------
DIRECTION_C = sp.Integer(1)
DIRECTION_EXAMPLES = {  # 2-D gradients against the threshold DIRECTION_C
    "g_a": sp.Matrix([3, sp.Rational(1, 2)]),
    "g_b": sp.Matrix([3, -3]),
    "g_c": sp.Matrix([3, 0]),
    "g_d": sp.Matrix([sp.Rational(1, 2), -sp.Rational(1, 4)]),
}


@derivation(
    "clip_value_keeps_direction",
    title="Clipping by value keeps the direction of g iff no |g_i| exceeds c or every nonzero |g_i| is the same",
    title_zh="按值裁剪保持 g 的方向，当且仅当没有分量的绝对值超过 c，或所有非零分量的绝对值都相等",
)
def clip_value_keeps_direction() -> Result:
    """For g = (u, v) with u > c > 0 (the largest component, made positive by symmetry), the 2-D cross product
    u clip(v) - v clip(u) of g and clip_inf(g) vanishes iff v = 0 or |v| = u; in n dimensions clip_inf(g) = D g with
    D = diag(min(1, c/|g_i|)), parallel to g iff D is constant on the nonzero components."""
    uu = sp.Symbol("u", positive=True)
    vv = sp.Symbol("v", real=True)
    cc = sp.Symbol("c", positive=True)
    cases = {  # clip(v) on each branch; clip(u) = c because u > c
        "inside": (vv, sp.And(vv >= -cc, vv <= cc)),
        "above": (cc, vv > cc),
        "below": (-cc, vv < -cc),
    }
    cross, roots = {}, {}
    for name, (clip_v, _) in cases.items():
        cross[name] = sp.factor(uu * clip_v - vv * cc)
        roots[name] = sp.Tuple(*sp.solve(sp.Eq(cross[name], 0), vv))
    if roots != {"inside": sp.Tuple(0), "above": sp.Tuple(uu), "below": sp.Tuple(-uu)}:
        raise ArithmeticError(f"unexpected roots {roots}")
    parts: dict[str, sp.Basic] = {f"cross_{k}": val for k, val in cross.items()}
    parts |= {f"roots_{k}": val for k, val in roots.items()}
    parts["threshold"] = DIRECTION_C
    kept = {}
    for key, g in DIRECTION_EXAMPLES.items():
        clipped = g.applyfunc(lambda t: _clamp(t, DIRECTION_C))
        cos = sp.nsimplify(sp.radsimp((g.T * clipped)[0] / sp.sqrt((g.T * g)[0] * (clipped.T * clipped)[0])))
        parts[key] = sp.Tuple(*g)  # shown as a row (u, v)
        parts[f"clip_{key[2:]}"] = sp.Tuple(*clipped)
        parts[f"cos_{key[2:]}"] = cos
        kept[key] = cos == 1
    if kept != {"g_a": False, "g_b": True, "g_c": True, "g_d": True}:
        raise ArithmeticError(f"unexpected directions {kept}")
    parts["angle_deg_a"] = sp.acos(parts["cos_a"]) * 180 / sp.pi
    return Result(
        expr=sp.Tuple(*cross.values(), *roots.values()),
        latex=(
            r"u>c:\ u\operatorname{clip}(v)-v\,c="
            rf"\begin{{cases}}{sp.latex(cross['inside'])}&|v|\le c\\{sp.latex(cross['above'])}&v>c\\"
            rf"{sp.latex(cross['below'])}&v<-c\end{{cases}}=0\iff v\in\{{0,\ u,\ -u\}}"
        ),
        parts=parts,
        text={"angle_deg_a": f"{float(parts['angle_deg_a']):.2f}"},
        symbols={"u": "the largest component of g (> c)", "v": "another component", "c": "threshold (> 0)"},
    )


@clip_value_keeps_direction.check(
    "torch.nn.utils.clip_grad_value_ (float64) on all 343 vectors with entries in {-3, ..., 3} (c = 2) and on the "
    "four examples: cosine = 1 exactly when the rule says so; the clipped examples",
    tol=1e-12,
    needs="torch",
    oracle_zh="`torch.nn.utils.clip_grad_value_`（float64）作用于分量取自 {−3, …, 3} 的全部 343 个向量（c = 2）"
    "以及四个例子：余弦为 1 恰好对应规则判定保持方向的情形；核对各例子裁剪后的向量",
)
def _() -> float:
    import itertools

    import torch

    def clip_t(g: np.ndarray, cv: float) -> np.ndarray:
        prm = torch.nn.Parameter(torch.zeros(len(g), dtype=torch.float64))
        prm.grad = torch.tensor(g, dtype=torch.float64)
        torch.nn.utils.clip_grad_value_([prm], cv)
        return prm.grad.numpy()

    def rule(g: np.ndarray, cv: float) -> bool:
        nz = np.abs(g[g != 0])
        return bool(np.all(nz <= cv) or np.all(nz == nz[0]))

    wrong = 0.0
    for tup in itertools.product(range(-3, 4), repeat=3):
        g = np.array(tup, dtype=float)
        if not g.any():
            continue
        out = clip_t(g, 2.0)
        parallel = abs(g @ out / (np.linalg.norm(g) * np.linalg.norm(out)) - 1.0) < 1e-14
        wrong += float(parallel != rule(g, 2.0))
    prt = clip_value_keeps_direction.result.parts
    cv = float(prt["threshold"])
    for key in ("a", "b", "c", "d"):
        g = np.array(prt[f"g_{key}"], dtype=float).ravel()
        out = clip_t(g, cv)
        cos = g @ out / (np.linalg.norm(g) * np.linalg.norm(out))
        wrong += float(np.max(np.abs(out - np.array(prt[f"clip_{key}"], dtype=float).ravel())))
        wrong += abs(cos - float(prt[f"cos_{key}"]))
        wrong += float((abs(cos - 1.0) < 1e-14) != rule(g, cv))
        if key == "a":
            wrong += abs(float(np.degrees(np.arccos(cos))) - float(prt["angle_deg_a"]))
    return wrong


@clip_value_keeps_direction.check(
    "float64 grid: the 2-D cross product u clip(v) - v c for u in (c, 5], v in [-5, 5] against the derived branches",
    tol=1e-12,
    oracle_zh="float64 网格：u ∈ (c, 5]、v ∈ [−5, 5] 时直接计算二维叉积 u·clip(v) − v·c，与推导出的分段表达式比较",
)
def _() -> float:
    prt = clip_value_keeps_direction.result.parts
    uu, vv, cc = sp.Symbol("u", positive=True), sp.Symbol("v", real=True), sp.Symbol("c", positive=True)
    fs = {k: sp.lambdify((uu, vv, cc), prt[f"cross_{k}"], "numpy") for k in ("inside", "above", "below")}
    worst = 0.0
    cv = 1.5
    for u_v in np.linspace(1.6, 5.0, 18):
        for v_v in np.linspace(-5.0, 5.0, 41):
            direct = u_v * np.clip(v_v, -cv, cv) - v_v * cv
            branch = "inside" if abs(v_v) <= cv else ("above" if v_v > cv else "below")
            worst = max(worst, abs(direct - fs[branch](u_v, v_v, cv)))
    return worst


# --- exercise: one global norm versus a norm per tensor -------------------------------------------------------------
GLOBAL_G_W = sp.Matrix([[3, 4]])  # gradient of a 1x2 weight
GLOBAL_G_B = sp.Matrix([12])  # gradient of its bias
GLOBAL_C = sp.Integer(4)


@derivation(
    "clip_global_vs_per_tensor",
    title="One global norm (torch clip_grad_norm_, Keras global_clipnorm) vs a norm per tensor (Keras clipnorm): "
    "g_W = (3, 4), g_b = 12, c = 4 give updates 22.4 deg apart",
    title_zh="全局范数（torch 的 clip_grad_norm_、Keras 的 global_clipnorm）与逐张量范数（Keras 的 clipnorm）："
    "g_W = (3, 4)、g_b = 12、c = 4 时两种更新方向相差 22.4°",
)
def clip_global_vs_per_tensor() -> Result:
    """Algorithm 1 applied once to all parameters concatenated (global) versus to each tensor separately (per
    tensor), for the weight gradient g_W = (3, 4) and the bias gradient g_b = 12 with threshold c = 4: the global
    version scales both by c/13 and keeps the direction; the per-tensor version scales them by c/5 and c/12, so the
    concatenated update turns and its norm is 4 sqrt 2 > c. Euclidean norms; torch adds 1e-6 to the norm."""
    gw, gb, cc = GLOBAL_G_W, GLOBAL_G_B, GLOBAL_C
    full = sp.Matrix.hstack(gw, gb).T  # the concatenated gradient (column)

    def norm(m: sp.Matrix) -> sp.Expr:
        return sp.sqrt(sum(t**2 for t in m))

    def scale(n: sp.Expr) -> sp.Expr:
        return sp.Min(1, cc / n)

    n_glob, n_w, n_b = norm(full), norm(gw), norm(gb)
    s_glob, s_w, s_b = scale(n_glob), scale(n_w), scale(n_b)
    upd_glob = full * s_glob
    upd_tensor = sp.Matrix.hstack(gw * s_w, gb * s_b).T
    cos = sp.radsimp((full.T * upd_tensor)[0] / (n_glob * norm(upd_tensor)))
    angle = sp.acos(cos) * 180 / sp.pi
    if norm(upd_glob) != cc or sp.simplify(cos - 1) == 0:
        raise ArithmeticError("the example should clip globally to c and turn the per-tensor update")
    return Result(
        expr=sp.Tuple(upd_glob, upd_tensor, cos),
        latex=(
            rf"g_W={sp.latex(gw)},\ g_b={sp.latex(gb[0])},\ c={sp.latex(cc)}:\quad"
            rf"\text{{global}}\ \tfrac{{c}}{{{sp.latex(n_glob)}}}g,\ \ "
            rf"\text{{per tensor}}\ \bigl(\tfrac{{c}}{{{sp.latex(n_w)}}}g_W,\ \tfrac{{c}}{{{sp.latex(n_b)}}}g_b\bigr)"
        ),
        parts={
            "g_W": gw,
            "g_b": gb[0],
            "threshold": cc,
            "norm_global": n_glob,
            "norm_W": n_w,
            "norm_b": n_b,
            "scale_global": s_glob,
            "scale_W": s_w,
            "scale_b": s_b,
            "update_global": upd_glob.T,
            "update_per_tensor": upd_tensor.T,
            "norm_update_per_tensor": norm(upd_tensor),
            "cos_angle": cos,
            "angle_deg": angle,
        },
        text={
            "angle_deg": f"{float(angle):.1f}",
            "norm_update_per_tensor_dec": f"{float(norm(upd_tensor)):.3f}",
        },
        symbols={"g_W, g_b": "gradients of a 1x2 weight and of its bias", "c": "threshold"},
    )


def _global_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    prt = clip_global_vs_per_tensor.result.parts
    gw = np.array(prt["g_W"], dtype=float)
    gb = np.array([float(prt["g_b"])])
    glob = np.array(prt["update_global"], dtype=float).ravel()
    tens = np.array(prt["update_per_tensor"], dtype=float).ravel()
    return gw, gb, glob, tens, float(prt["threshold"])


@clip_global_vs_per_tensor.check(
    "torch.nn.utils.clip_grad_norm_ (float64) on nn.Linear(2, 1)'s two gradients at once (global) and on each "
    "parameter separately (per tensor); the cosine of the angle between the updates (torch's 1e-6 is within tol)",
    tol=5e-6,
    needs="torch",
    oracle_zh="`torch.nn.utils.clip_grad_norm_`（float64）作用于 nn.Linear(2, 1) 的两个梯度：一次作用于全部（全局），"
    "或逐个参数分别作用（逐张量）；两种更新夹角的余弦（torch 的 10⁻⁶ 在容差之内）",
)
def _() -> float:
    import torch

    gw, gb, glob, tens, cv = _global_parts()
    lin = torch.nn.Linear(2, 1).double()

    def run(per_tensor: bool) -> np.ndarray:
        lin.weight.grad = torch.tensor(gw, dtype=torch.float64)
        lin.bias.grad = torch.tensor(gb, dtype=torch.float64)
        if per_tensor:
            for prm in lin.parameters():
                torch.nn.utils.clip_grad_norm_([prm], cv)
        else:
            torch.nn.utils.clip_grad_norm_(lin.parameters(), cv)
        return np.concatenate([lin.weight.grad.numpy().ravel(), lin.bias.grad.numpy()])

    out_g, out_t = run(False), run(True)
    cos = out_g @ out_t / (np.linalg.norm(out_g) * np.linalg.norm(out_t))
    prt = clip_global_vs_per_tensor.result.parts
    return float(
        max(
            np.max(np.abs(out_g - glob)),
            np.max(np.abs(out_t - tens)),
            abs(cos - float(prt["cos_angle"])),
            abs(np.linalg.norm(out_t) - float(prt["norm_update_per_tensor"])),
        )
    )


@clip_global_vs_per_tensor.check(
    "Keras 3 (torch backend): one step of SGD (learning rate 1) with global_clipnorm = c and with clipnorm = c on a "
    "weight and a bias variable (float32); the update is the change of the variables",
    tol=1e-5,
    needs="keras",
    oracle_zh="Keras 3（torch 后端）：对一个权重变量和一个偏置变量，用学习率为 1 的 SGD 分别以 global_clipnorm = c 和 "
    "clipnorm = c 走一步（float32）；更新量即变量的变化",
)
def _() -> float:
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    gw, gb, glob, tens, cv = _global_parts()

    def step(**clip: float) -> np.ndarray:
        w_var = keras.Variable(np.zeros_like(gw), dtype="float32")
        b_var = keras.Variable(np.zeros_like(gb), dtype="float32")
        opt = keras.optimizers.SGD(learning_rate=1.0, **clip)
        opt.apply_gradients(
            [(keras.ops.convert_to_tensor(gw, "float32"), w_var), (keras.ops.convert_to_tensor(gb, "float32"), b_var)]
        )
        after = np.concatenate([keras.ops.convert_to_numpy(w_var).ravel(), keras.ops.convert_to_numpy(b_var)])
        return -after.astype(np.float64)  # SGD: variable <- variable - lr * clipped gradient, from 0

    return float(max(np.max(np.abs(step(global_clipnorm=cv) - glob)), np.max(np.abs(step(clipnorm=cv) - tens))))
