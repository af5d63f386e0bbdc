"""Every interface string and figure label of the site, in English and Chinese: one table, one entry per key.

Keys: ``checks.*`` for the check tables, ``fig.<figure id>.*`` for figure titles, axes, legends and alt texts
(``fig.<id>.alt`` is the figure's accessible name). Chinese entries use the glossary's terms and full-width
punctuation. Sentences of the pages do not belong here: they live in ``docs/``.
"""

from __future__ import annotations

LANGS = ("en", "zh")

LABELS: dict[str, dict[str, str]] = {
    # --- check tables (docsgen.macros.checks) -----------------------------------------------------------------
    "checks.caption": {"en": "Checks run while this page was built", "zh": "本页构建时运行的数值校验"},
    "checks.derivation": {"en": "Derivation", "zh": "推导"},
    "checks.oracle": {"en": "Independent oracle", "zh": "独立对照"},
    "checks.error": {"en": "Max error", "zh": "最大误差"},
    "checks.tol": {"en": "Tolerance", "zh": "容差"},
    "checks.result": {"en": "Result", "zh": "结果"},
    "checks.pass": {"en": "pass", "zh": "通过"},
    "checks.FAIL": {"en": "FAIL", "zh": "失败"},
    "checks.skip": {"en": "skipped", "zh": "跳过"},
    # --- exercises (docsgen/exercises.py) ---------------------------------------------------------------------
    "ex.exercise": {"en": "Exercise", "zh": "练习"},
    "ex.level.understand": {"en": "understand", "zh": "理解"},
    "ex.level.derive": {"en": "derive", "zh": "推导"},
    "ex.level.compute": {"en": "compute", "zh": "计算"},
    "ex.level.explore": {"en": "explore", "zh": "探究"},
    "ex.hint": {"en": "Hint", "zh": "提示"},
    "ex.solution": {"en": "Solution", "zh": "解答"},
    "ex.wrong_answer": {"en": "A common wrong answer", "zh": "常见错误答案"},
    "ex.sep": {"en": ", ", "zh": "、"},
    "ex.checked": {
        "en": "*Checked by* {names}: {checks} when this page was built (see [Verification](#verification)).",
        "zh": "*校验依据：*{names}。本页构建时，{checks}（见[数值校验](#verification)）。",
    },
    "ex.checks.one": {"en": "its one check against an independent oracle passed", "zh": "其独立对照校验通过"},
    "ex.checks.many": {
        "en": "{n} checks against independent oracles passed",
        "zh": "{n} 项独立对照校验全部通过",
    },
    # --- lab pages (hooks/notebooks.py) -----------------------------------------------------------------------
    "lab.download": {"en": "Download this notebook (.ipynb)", "zh": "下载本 Jupyter 笔记本（.ipynb）"},
    "lab.copy": {"en": "Copy to clipboard", "zh": "复制到剪贴板"},
    "lab.copied": {"en": "Copied!", "zh": "已复制"},
    "lab.plot_alt": {"en": "Plot produced by the code cell above", "zh": "上方代码单元格输出的图"},
    # accessible name of a lab's SVG plot (hooks/notebooks.py), from the plot's own texts
    "lab.plot": {"en": "Plot", "zh": "图"},
    "lab.plot_titled": {"en": "Plot: {}", "zh": "图：{}"},
    "lab.plot_axes": {"en": ". Axes: {}", "zh": "。坐标轴：{}"},
    "lab.plot_legend": {"en": ". Legend: {}", "zh": "。图例：{}"},
    "lab.plot_sep": {"en": "; ", "zh": "；"},
    # --- "cite this page" (docsgen/cite.py, overrides/partials/cite.html) and the changelog's edition headings ---
    "cite.summary": {"en": "Cite this page", "zh": "引用本页"},
    "cite.bibtex": {"en": "BibTeX", "zh": "BibTeX"},
    "cite.text": {"en": "Plain text (APA style)", "zh": "参考文献著录格式（GB/T 7714—2015）"},
    "cite.authors": {"en": "The Gradients Reference contributors", "zh": "梯度消失与梯度爆炸项目贡献者"},
    "cite.edition": {"en": "Edition {n} ({date})", "zh": "第 {n} 版（{date}）"},
    "cite.lead": {
        "en": "This cites the page as it stands in {edition} of the site. What changed since, and every correction, "
        'is listed in the <a href="{href}">changelog and errata</a>.',
        "zh": '以下引用的是本站{edition}中的本页。此后的改动与每一处更正，见<a href="{href}">更新与勘误</a>。',
    },
    "cite.note": {
        "en": "The date is the edition's ({date}); if your style asks for the date you read the page, add it.",
        "zh": "GB/T 7714—2015 要求电子资源注明引用日期：请在更新日期之后的方括号里补上您查阅本页的日期，"
        "例如“({date})[2027-01-15]”。",
    },
    # --- a reference to a numbered display formula (docsgen.macros.eqref) ---------------------------------------
    "eq.ref": {"en": "({n})", "zh": "式 ({n})"},
    # --- print view and PDF edition (hooks/print_view.py, hooks/pdf.py, overrides/partials/actions.html) ------------
    "print.title": {"en": "Print edition", "zh": "打印版"},
    "print.toc": {"en": "Contents", "zh": "目录"},
    "print.cover": {
        "en": "The whole site on one page, in the order of its navigation: every formula and number derived by code "
        "and checked numerically when this edition was built.",
        "zh": "全站内容按导航顺序合为一页：每个公式和数值都在本版本构建时由代码推导并经数值验证。",
    },
    "print.online": {"en": "Online edition and source:", "zh": "在线版与源代码："},
    "print.licence": {"en": "Licence:", "zh": "许可："},
    "pdf.download": {"en": "Download the whole site as a PDF", "zh": "下载全站 PDF 版"},
    "pdf.view": {"en": "Print view of the whole site", "zh": "全站打印视图"},
    # --- 404 page (overrides/404.html) ------------------------------------------------------------------------
    "404.title": {"en": "404 – Page not found", "zh": "404 – 页面不存在"},
    "404.text": {
        "en": "There is no page at this address. Use the navigation or the search to find what you were looking for.",
        "zh": "此地址下没有页面。请通过导航或搜索查找你需要的内容。",
    },
    # --- figures: clipping_theory ---------------------------------------------------------------------------
    "fig.clipping_quartic.alt": {
        "en": "|x_k| against k on a log scale for gradient descent and clipped gradient descent on f = x^4 with step "
        "1/10 and clipping threshold 10: plain descent started just below 1/sqrt(2 eta) = sqrt(5) converges, started "
        "just above it explodes; clipped descent converges from both starts and from 20",
        "zh": "对数坐标下 |x_k| 随 k 的变化：在 f = x⁴ 上以步长 1/10 做梯度下降与阈值为 10 的裁剪梯度下降。"
        "普通梯度下降从略低于 1/√(2η) = √5 处出发时收敛，从略高于它处出发时发散；"
        "裁剪梯度下降从这两个起点以及从 20 出发都收敛",
    },
    "fig.clipping_quartic.title": {
        "en": "Gradient descent on $x^4$ ($\\eta = 1/10$): plain versus clipped ($c = 10$)",
        "zh": "$x^4$ 上的梯度下降（$\\eta = 1/10$）：普通与裁剪（$c = 10$）",
    },
    "fig.clipping_quartic.x": {"en": "step $k$", "zh": "迭代步数 $k$"},
    "fig.clipping_quartic.y": {"en": "$|x_k|$", "zh": "$|x_k|$"},
    "fig.clipping_quartic.gd_below": {"en": "GD, $x_0$ = 0.95·√5", "zh": "梯度下降，$x_0$ = 0.95·√5"},
    "fig.clipping_quartic.gd_above": {"en": "GD, $x_0$ = 1.05·√5", "zh": "梯度下降，$x_0$ = 1.05·√5"},
    "fig.clipping_quartic.clip_above": {
        "en": "clipped, $x_0$ = 1.05·√5",
        "zh": "裁剪梯度下降，$x_0$ = 1.05·√5",
    },
    "fig.clipping_quartic.clip_far": {"en": "clipped, $x_0 = 20$", "zh": "裁剪梯度下降，$x_0 = 20$"},
    "fig.clipping_quartic.threshold": {"en": "1/√(2η) = √5", "zh": "1/√(2η) = √5"},
    "fig.clipping_truncation_variance.alt": {
        "en": "Variance of the randomized-truncation estimator against the horizon T on a log scale, a = 0.9: it "
        "levels off for p = 0.95, grows linearly for p = a^2 = 0.81 and geometrically for p = 0.6",
        "zh": "对数坐标下随机截断估计量的方差随序列长度 T 的变化，a = 0.9：p = 0.95 时趋于常数，"
        "p = a² = 0.81 时线性增长，p = 0.6 时按几何级数增长",
    },
    "fig.clipping_truncation_variance.title": {
        "en": "Randomized truncation, $a = 0.9$: variance of the unbiased estimate",
        "zh": "随机截断（$a = 0.9$）：无偏估计的方差",
    },
    "fig.clipping_truncation_variance.x": {"en": "horizon $T$ (steps back)", "zh": "序列长度 $T$（回传步数）"},
    "fig.clipping_truncation_variance.y": {"en": "variance", "zh": "方差"},
    "fig.clipping_truncation_variance.ratio": {"en": " ($a^2/p = {ratio:.2f}$)", "zh": "（$a^2/p = {ratio:.2f}$）"},
    # --- figures: attractors -----------------------------------------------------------------------------------
    "fig.attractors_bifurcation.alt": {
        "en": "Fixed points x* of x = 5σ(x) + b against b: a lower and an upper stable branch joined by an unstable "
        "middle branch; the two folds at b ≈ −2.656 and b ≈ −2.344 bound the bistable interval",
        "zh": "x = 5σ(x) + b 的不动点 x* 随 b 的变化：下、上两条稳定分支由一条不稳定的中间分支相连；"
        "b ≈ −2.656 与 b ≈ −2.344 处的两个折叠点界定了双稳态区间",
    },
    "fig.attractors_bifurcation.title": {
        "en": "Bifurcation diagram of x = 5σ(x) + b",
        "zh": "x = 5σ(x) + b 的分岔图",
    },
    "fig.attractors_bifurcation.x": {"en": "bias $b$", "zh": "偏置 $b$"},
    "fig.attractors_bifurcation.y": {"en": "fixed point $x^*$", "zh": "不动点 $x^*$"},
    "fig.attractors_bifurcation.stable": {"en": "stable (attractor)", "zh": "稳定（吸引子）"},
    "fig.attractors_bifurcation.unstable": {"en": "unstable", "zh": "不稳定"},
    "fig.attractors_bifurcation.fold": {"en": "saddle-node fold", "zh": "鞍结分岔点（折叠点）"},
    "fig.attractors_cliff.alt": {
        "en": "Loss after 50 steps against b for w = 5, x_0 = 0.5: a plateau near 0.34 left of b_c ≈ −2.612, a drop "
        "to a valley just right of it; the gradient's modulus peaks just below b_c (within 1e-4), "
        "between the two folds",
        "zh": "w = 5、x_0 = 0.5 时 50 步后的损失随 b 的变化：b_c ≈ −2.612 左侧是约 0.34 的平台，"
        "过了 b_c 损失骤降，紧挨其右侧是一个低谷；"
        "梯度的绝对值在略低于 b_c 处达到峰值，b_c 位于两个折叠点之间",
    },
    "fig.attractors_cliff.title": {
        "en": "The cliff: $E_{50}$ and its gradient ($w = 5$, $x_0 = 1/2$)",
        "zh": "悬崖：$E_{50}$ 及其梯度（$w = 5$，$x_0 = 1/2$）",
    },
    "fig.attractors_cliff.x": {"en": "bias $b$", "zh": "偏置 $b$"},
    "fig.attractors_cliff.loss": {"en": "$E_{50}$", "zh": "$E_{50}$"},
    "fig.attractors_cliff.grad": {"en": r"$|\partial E_{50}/\partial b|$", "zh": r"$|\partial E_{50}/\partial b|$"},
    "fig.attractors_cliff.b_c": {"en": "basin boundary $b_c$", "zh": "吸引域边界 $b_c$"},
    "fig.attractors_cliff.folds": {"en": "folds", "zh": "折叠点"},
    "fig.attractors_latch.alt": {
        "en": "Modulus of dh_T/dh_0 for the latch tanh(w h) from h_0 = 0.5, log scale: straight lines falling faster "
        "for larger w",
        "zh": "锁存器 tanh(wh) 从 h_0 = 0.5 出发时 ∂h_T/∂h_0 的绝对值（对数坐标）：呈直线下降，w 越大下降越快",
    },
    "fig.attractors_latch.title": {
        "en": "The latch forgets its gradient",
        "zh": "锁存器的梯度随步数消失",
    },
    "fig.attractors_latch.x": {"en": "steps $T$", "zh": "步数 $T$"},
    # --- figures: norm_preserving ----------------------------------------------------------------------------
    "fig.antisymmetric_euler_eigs.alt": {
        "en": "Eigenvalues of the AntisymmetricRNN's one-step Jacobian I + eps(M - gamma I) at h = 0 in the complex "
        "plane: without diffusion they lie on the vertical line Re = 1, outside the unit circle; with the diffusion "
        "gamma_- they move left to a vertical line inside the circle, the outermost two on it",
        "zh": "AntisymmetricRNN 在 h = 0 处单步雅可比矩阵 I + ε(M − γI) 的特征值在复平面上的位置："
        "无扩散时位于实部为 1 的竖线上，在单位圆之外；"
        "加入扩散项 γ₋ 后整体左移到圆内的一条竖线上，最外侧的两个恰好落在圆上",
    },
    "fig.antisymmetric_euler_eigs.title": {
        "en": "Euler step eigenvalues, ε = {eps}",
        "zh": "欧拉步的特征值（ε = {eps}）",
    },
    "fig.antisymmetric_euler_eigs.x": {"en": "real part", "zh": "实部"},
    "fig.antisymmetric_euler_eigs.y": {"en": "imaginary part", "zh": "虚部"},
    "fig.antisymmetric_euler_eigs.circle": {"en": "unit circle", "zh": "单位圆"},
    "fig.antisymmetric_euler_eigs.no_diffusion": {"en": "γ = 0 (no diffusion)", "zh": "γ = 0（无扩散）"},
    "fig.antisymmetric_euler_eigs.diffusion": {
        "en": "$\\gamma=\\gamma_-\\approx$ {gamma}",
        "zh": "$\\gamma=\\gamma_-\\approx$ {gamma}",
    },
    "fig.orthogonal_tanh_norms.alt": {
        "en": "Spectral norm of d h_t/d h_0 against t on a log scale, 32 units: orthogonal W without nonlinearity "
        "stays at 1; orthogonal W with tanh and random input decays geometrically, as does Gaussian W with tanh; "
        "the fixed-point example decays exactly as (3/4)^t",
        "zh": "∂h_t/∂h_0 的谱范数随 t 的变化（对数坐标，32 个单元）：不带非线性的正交矩阵 W 始终为 1；"
        "带 tanh 与随机输入的正交矩阵 W 按几何级数衰减，高斯矩阵 W 加 tanh 同样衰减；不动点的例子恰好按 (3/4)^t 衰减",
    },
    "fig.orthogonal_tanh_norms.title": {
        "en": "Orthogonal W does not keep the gradient once tanh is applied",
        "zh": "一旦加上 tanh，正交矩阵 W 也保不住梯度",
    },
    "fig.orthogonal_tanh_norms.x": {"en": "steps t", "zh": "步数 t"},
    "fig.orthogonal_tanh_norms.orth_linear": {"en": "orthogonal W, linear", "zh": "正交矩阵 W，线性"},
    "fig.orthogonal_tanh_norms.orth_tanh": {"en": "orthogonal W, tanh", "zh": "正交矩阵 W，tanh"},
    "fig.orthogonal_tanh_norms.gauss_tanh": {
        "en": "Gaussian W ~ N(0, 1/n), tanh",
        "zh": "高斯矩阵 W ~ N(0, 1/n)，tanh",
    },
    "fig.orthogonal_tanh_norms.fixed_point": {
        "en": "orthogonal W, tanh, fixed point: $(3/4)^t$",
        "zh": "正交矩阵 W，tanh，不动点：$(3/4)^t$",
    },
    # --- figures: linear_recurrences ----------------------------------------------------------------------------
    "fig.lr_gradient_norms.alt": {
        "en": "Backward gradient norms over 1000 steps on a log scale: the LRU-style recurrence with eigenvalues near "
        "the unit circle decays slowly and exactly geometrically, the one with moduli up to 0.95 decays faster, and "
        "the tanh RNN with an orthogonal recurrent matrix falls far below both",
        "zh": "1000 个时间步内反向梯度范数的对数图：特征值靠近单位圆的 LRU 式循环缓慢且严格按几何级数衰减，"
        "模不超过 0.95 的衰减更快，循环矩阵为正交矩阵的 tanh 循环神经网络则远低于二者",
    },
    "fig.lr_gradient_norms.title": {
        "en": r"$\|\partial h_T/\partial h_{T-k}\|_2$ over 1000 steps (32 units, seeded)",
        "zh": r"1000 步内的 $\|\partial h_T/\partial h_{T-k}\|_2$（32 个单元，固定随机种子）",
    },
    "fig.lr_gradient_norms.x": {"en": "steps back k", "zh": "回溯步数 k"},
    "fig.lr_gradient_norms.y": {"en": r"$\log_{10}$ of the 2-norm", "zh": r"2-范数的 $\log_{10}$"},
    "fig.lr_gradient_norms.lru_near_one": {
        "en": "diagonal linear, |λ|² uniform on [0.9², 0.999²]",
        "zh": "对角线性循环，|λ|² 在 [0.9², 0.999²] 上均匀",
    },
    "fig.lr_gradient_norms.lru_moderate": {
        "en": "diagonal linear, |λ|² uniform on [0.5², 0.95²]",
        "zh": "对角线性循环，|λ|² 在 [0.5², 0.95²] 上均匀",
    },
    "fig.lr_gradient_norms.tanh_orthogonal": {
        "en": "tanh RNN, orthogonal W, inputs N(0, 1)",
        "zh": "tanh 循环神经网络，W 为正交矩阵，输入服从 N(0, 1)",
    },
    "fig.lr_curse_of_memory.alt": {
        "en": "Limit of the expected squared sensitivity against 1 − λ on log-log axes: with respect to λ it grows "
        "like (1 − λ)⁻³ without normalisation and (1 − λ)⁻² with it; with respect to ν it grows like (1 − λ)⁻¹ without "
        "normalisation and tends to 1/4 with it",
        "zh": "期望平方灵敏度的极限随 1 − λ 变化的双对数图：对 λ 的灵敏度在未归一化时按 (1 − λ)⁻³ 增长，归一化后按 "
        "(1 − λ)⁻² 增长；对 ν 的灵敏度在未归一化时按 (1 − λ)⁻¹ 增长，归一化后趋于 1/4",
    },
    "fig.lr_curse_of_memory.title": {
        "en": r"Curse of memory: $\lim\, \mathbb{E}(\partial h_t/\partial\cdot)^2$, white noise",
        "zh": r"记忆诅咒：白噪声输入下 $\mathbb{E}(\partial h_t/\partial\cdot)^2$ 的极限",
    },
    "fig.lr_curse_of_memory.x": {"en": "1 − λ (λ → 1 to the right)", "zh": "1 − λ（越往右 λ 越接近 1）"},
    "fig.lr_curse_of_memory.y": {"en": "expected squared sensitivity", "zh": "期望平方灵敏度"},
    "fig.lr_curse_of_memory.lambda_plain": {
        "en": r"$\partial/\partial\lambda$, no $\gamma$",
        "zh": r"$\partial/\partial\lambda$，无 $\gamma$",
    },
    "fig.lr_curse_of_memory.lambda_normalised": {
        "en": r"$\partial/\partial\lambda$, with $\gamma$",
        "zh": r"$\partial/\partial\lambda$，有 $\gamma$",
    },
    "fig.lr_curse_of_memory.nu_plain": {
        "en": r"$\partial/\partial\nu$, $\lambda=\exp(-e^{\nu})$, no $\gamma$",
        "zh": r"$\partial/\partial\nu$，$\lambda=\exp(-e^{\nu})$，无 $\gamma$",
    },
    "fig.lr_curse_of_memory.nu_normalised": {
        "en": r"$\partial/\partial\nu$, $\lambda=\exp(-e^{\nu})$, with $\gamma$",
        "zh": r"$\partial/\partial\nu$，$\lambda=\exp(-e^{\nu})$，有 $\gamma$",
    },
    # --- figures: gate_time_constants ------------------------------------------------------------------------
    "fig.chrono_time_constants.alt": {
        "en": "Cumulative distribution of the time constant 1/(1 - f) under chrono initialisation with T_max = 100, "
        "log axis: uniform on [2, 100] when the chrono value is in one bias vector; reaching 9802 when the same value "
        "is written into both PyTorch bias vectors, and 9802 again with independent draws in each",
        "zh": "T_max = 100 时 chrono 初始化下时间常数 1/(1 − f) 的累积分布（对数横轴）：chrono 值只写进一个偏置向量时"
        "在 [2, 100] 上均匀分布；同一值写进 PyTorch 的两个偏置向量时最大可达 9802，"
        "两个向量各自独立抽样时同样最大可达 9802",
    },
    "fig.chrono_time_constants.title": {
        "en": "Time constants under chrono initialisation",
        "zh": "chrono 初始化下的时间常数",
    },
    "fig.chrono_time_constants.x": {"en": "time constant 1/(1 − f) (steps)", "zh": "时间常数 1/(1 − f)（步）"},
    "fig.chrono_time_constants.y": {"en": "fraction of units ≤ x", "zh": "不超过该值的单元比例"},
    "fig.chrono_time_constants.one_vector": {
        "en": "as published: ln u in one bias vector",
        "zh": "原文做法：ln u 只写进一个偏置向量",
    },
    "fig.chrono_time_constants.same_both": {
        "en": "same ln u in bias_ih and bias_hh",
        "zh": "同一个 ln u 写进 bias_ih 和 bias_hh",
    },
    "fig.chrono_time_constants.independent_both": {
        "en": "independent draws in bias_ih and bias_hh",
        "zh": "bias_ih 和 bias_hh 各自独立抽样",
    },
    # --- figures: dynamical_isometry -------------------------------------------------------------------------
    "fig.jacobian_spectrum.alt": {
        "en": "Histograms of log10 of the eigenvalues of JJ^T for a critical tanh net of width 128 at depths 2, 8 "
        "and 16: with Gaussian weights they spread over many decades as depth grows, with orthogonal weights they "
        "stay much closer to 1",
        "zh": "宽 128 的临界 tanh 网络在深度 2、8、16 时 JJᵀ 特征值（取 log10）的直方图：高斯权重下随深度增加"
        "散布到许多个数量级，正交权重下则集中得多、靠近 1",
    },
    "fig.jacobian_spectrum.title": {
        "en": "Spectrum of $JJ^{\\top}$, critical tanh net (q* = 1/4)",
        "zh": "$JJ^{\\top}$ 的谱：临界 tanh 网络（q* = 1/4）",
    },
    "fig.jacobian_spectrum.gaussian": {"en": "Gaussian weights", "zh": "高斯权重"},
    "fig.jacobian_spectrum.orthogonal": {"en": "orthogonal weights", "zh": "正交权重"},
    "fig.jacobian_spectrum.depth": {"en": "L = {L}", "zh": "L = {L}"},
    "fig.jacobian_spectrum.x": {
        "en": "log10 of an eigenvalue of $JJ^{\\top}$ (below 1e-8: first bin)",
        "zh": "$JJ^{\\top}$ 特征值的 log10（小于 1e-8 的计入最左一格）",
    },
    "fig.jacobian_spectrum.y": {"en": "count", "zh": "个数"},
    "fig.random_product_growth.alt": {
        "en": "ln of the norm of P_K e_1 for products of K Gaussian 4x4 matrices, 12 seeded runs, with the predicted "
        "mean K lambda_1 and a band of plus or minus one standard deviation",
        "zh": "K 个 4×4 高斯矩阵之积作用于 e₁ 后范数的自然对数：12 次固定随机种子的运行，"
        "以及预测的均值 Kλ₁ 和上下各一个标准差的范围",
    },
    "fig.random_product_growth.title": {
        "en": "Products of 4x4 N(0, 1) matrices: the log-norm grows linearly",
        "zh": "元素服从 N(0, 1) 的 4×4 矩阵连乘：对数范数线性增长",
    },
    "fig.random_product_growth.x": {"en": "number of factors K", "zh": "因子个数 K"},
    "fig.random_product_growth.runs": {"en": "12 seeded runs", "zh": "12 次固定随机种子的运行"},
    "fig.random_product_growth.mean": {
        "en": "predicted mean $K\\lambda_1$ ($\\lambda_1$ = {lam})",
        "zh": "预测均值 $K\\lambda_1$（$\\lambda_1$ = {lam}）",
    },
    "fig.random_product_growth.band": {"en": "± one standard deviation (exact)", "zh": "± 一个标准差（精确值）"},
    # --- figures: signal_propagation ---------------------------------------------------------------------------
    "fig.signal_phase_diagram.alt": {
        "en": "Phase diagram of a deep tanh network: the critical line chi_1 = 1 rises from sigma_w^2 = 1 at "
        "sigma_b^2 = 0; the ordered phase lies to its left, the chaotic phase to its right",
        "zh": "深层 tanh 网络的相图：临界线 χ₁ = 1 从 σ_b² = 0 处的 σ_w² = 1 开始上升；左侧为有序相，右侧为混沌相",
    },
    "fig.signal_phase_diagram.title": {
        "en": "tanh: critical line $\\chi_1$ = 1 (mean field)",
        "zh": "tanh：临界线 $\\chi_1$ = 1（平均场）",
    },
    "fig.signal_phase_diagram.line": {"en": "critical line $\\chi_1$ = 1", "zh": "临界线 $\\chi_1$ = 1"},
    "fig.signal_phase_diagram.ordered": {"en": "ordered example", "zh": "有序相示例"},
    "fig.signal_phase_diagram.critical": {"en": "critical example", "zh": "临界示例"},
    "fig.signal_phase_diagram.chaotic": {"en": "chaotic example", "zh": "混沌相示例"},
    "fig.signal_phase_diagram.ordered_region": {"en": "ordered\n$\\chi_1$ < 1", "zh": "有序相\n$\\chi_1$ < 1"},
    "fig.signal_phase_diagram.chaotic_region": {"en": "chaotic\n$\\chi_1$ > 1", "zh": "混沌相\n$\\chi_1$ > 1"},
    "fig.signal_chi1.alt": {
        "en": "chi_1 against sigma_w^2: for ReLU the straight line sigma_w^2/2, crossing 1 at 2; for tanh curves "
        "that cross 1 at sigma_w^2 = 1 (no bias) and later for larger bias variances",
        "zh": "χ₁ 随 σ_w² 的变化：ReLU 是直线 σ_w²/2，在 σ_w² = 2 处穿过 1；tanh 的曲线在无偏置时于 σ_w² = 1 "
        "处穿过 1，偏置方差越大，穿过 1 的位置越靠右",
    },
    "fig.signal_chi1.title": {
        "en": "Backward factor per layer $\\chi_1$ at the fixed point $q^*$",
        "zh": "不动点 $q^*$ 处每层的反向因子 $\\chi_1$",
    },
    "fig.signal_chi1.relu": {"en": "ReLU (any $\\sigma_b^2$)", "zh": "ReLU（任意 $\\sigma_b^2$）"},
    "fig.signal_backward.alt": {
        "en": "Backward second moment over 20 layers of seeded wide tanh networks: it shrinks in the ordered "
        "example, stays near 1 at the critical one and grows in the chaotic one, close to chi_1^(L-l)",
        "zh": "固定随机种子的宽 tanh 网络中 20 层内的反向二阶矩：有序相示例中逐层减小，临界示例中保持在 1 附近，"
        "混沌相示例中逐层增大，均与 χ₁^(L−l) 接近",
    },
    "fig.signal_backward.title": {
        "en": "tanh, width 800, $\\sigma_b^2$ = 0.05: measured vs $\\chi_1^{L-l}$",
        "zh": "tanh、宽 800、$\\sigma_b^2$ = 0.05：实测值与 $\\chi_1^{L-l}$",
    },
    "fig.signal_backward.x": {"en": "layer l (the loss is at L = 20)", "zh": "第 l 层（损失位于第 L = 20 层）"},
    "fig.signal_backward.ordered": {"en": "ordered", "zh": "有序相"},
    "fig.signal_backward.critical": {"en": "critical", "zh": "临界"},
    "fig.signal_backward.chaotic": {"en": "chaotic", "zh": "混沌相"},
    "fig.signal_backward.theory": {"en": "mean field $\\chi_1^{L-l}$", "zh": "平均场预测 $\\chi_1^{L-l}$"},
    "fig.signal_relu_correlation.alt": {
        "en": "1 - c_l for ReLU without bias on log-log axes: it decays like 9 pi^2/(2 l^2), a power law, not "
        "exponentially",
        "zh": "无偏置 ReLU 的 1 − c_l（双对数坐标）：按 9π²/(2l²) 衰减，是幂律而不是指数衰减",
    },
    "fig.signal_relu_correlation.title": {
        "en": "ReLU, $\\sigma_b = 0$: correlation of two inputs, $c_0$ = 0",
        "zh": "ReLU、$\\sigma_b = 0$：两个输入的相关系数，$c_0$ = 0",
    },
    "fig.signal_relu_correlation.x": {"en": "depth l", "zh": "深度 l"},
    "fig.signal_relu_correlation.exact": {"en": "exact map", "zh": "精确映射"},
    # --- signal explorer (docsgen/signal_explorer.py) -------------------------------------------------------------
    "signal.sw2": {"en": "weight variance σ_w²", "zh": "权重方差 σ_w²"},
    "signal.depth": {"en": "depth L", "zh": "深度 L"},
    "signal.x": {"en": "layers back from the loss, L − l", "zh": "从损失往回数的层数 L − l"},
    "signal.y": {"en": "E[δ_l²]/E[δ_L²] (log scale)", "zh": "E[δ_l²]/E[δ_L²]（对数坐标）"},
    "signal.readout": {
        "en": "tanh, σ_b² = {b}: q* = {q}, χ₁ = {c} ({phase}); over L = {L} layers χ₁^L = {p}",
        "zh": "tanh，σ_b² = {b}：q* = {q}，χ₁ = {c}（{phase}）；经过 L = {L} 层，χ₁^L = {p}",
    },
    "signal.ordered": {"en": "ordered phase", "zh": "有序相"},
    "signal.chaotic": {"en": "chaotic phase", "zh": "混沌相"},
    "signal.critical": {"en": "near critical (|χ₁ − 1| < 0.005)", "zh": "接近临界（|χ₁ − 1| < 0.005）"},
    "signal.noscript": {
        "en": "The interactive figure needs JavaScript; the table of χ₁ above gives the same numbers.",
        "zh": "交互式图表需要启用 JavaScript；上表给出了同样的数值。",
    },
    # --- figures: transformers ---------------------------------------------------------------------------------
    "fig.attention_scaling_cdf.alt": {
        "en": "Empirical distribution over 1000 queries of the softmax Jacobian's spectral norm, with and without "
        "dividing the logits by sqrt(d_k), d_k = 64, 64 keys",
        "zh": "1000 个查询上 softmax 雅可比矩阵谱范数的经验分布，logit 分别除以和不除以 √d_k（d_k = 64，64 个键）",
    },
    "fig.attention_scaling_cdf.title": {
        "en": r"Softmax sensitivity ($d_k = 64$, 64 keys)",
        "zh": r"softmax 的敏感度（$d_k = 64$，64 个键）",
    },
    "fig.attention_scaling_cdf.x": {
        "en": r"$\|\partial p/\partial s\|_2$ (log scale)",
        "zh": r"$\|\partial p/\partial s\|_2$（对数坐标）",
    },
    "fig.attention_scaling_cdf.y": {"en": "fraction of queries", "zh": "查询所占比例"},
    "fig.attention_scaling_cdf.raw": {"en": r"logits $q\cdot k$", "zh": r"logit 取 $q\cdot k$"},
    "fig.attention_scaling_cdf.scaled": {
        "en": r"logits $q\cdot k/\sqrt{d_k}$",
        "zh": r"logit 取 $q\cdot k/\sqrt{d_k}$",
    },
    "fig.pre_post_layer_grads.alt": {
        "en": "Gradient norm of each block's second FFN weight in a 12-block Pre-LN and Post-LN stack at "
        "initialisation",
        "zh": "初始化时，12 块 Pre-LN 与 Post-LN 堆叠中各块前馈子层第二个权重矩阵的梯度范数",
    },
    "fig.pre_post_layer_grads.title": {
        "en": "Gradient per block at initialisation (d = 64, 12 blocks)",
        "zh": "初始化时各块的梯度（d = 64，12 块）",
    },
    "fig.pre_post_layer_grads.x": {"en": "block $l$", "zh": "块序号 $l$"},
    "fig.pre_post_ratio.alt": {
        "en": "Ratio of the last block's gradient norm, Pre-LN over Post-LN, against depth, with the toy model's "
        "prediction",
        "zh": "最后一块梯度范数的 Pre-LN 与 Post-LN 之比随深度的变化，以及玩具模型的预测",
    },
    "fig.pre_post_ratio.title": {
        "en": "Last block's gradient: Pre-LN / Post-LN",
        "zh": "最后一块的梯度之比：Pre-LN / Post-LN",
    },
    "fig.pre_post_ratio.x": {"en": "number of blocks $L$", "zh": "块数 $L$"},
    "fig.pre_post_ratio.y": {"en": "ratio", "zh": "比值"},
    "fig.pre_post_ratio.predicted": {
        "en": r"toy model $\sqrt{(1+s)/(v_0+Ls)}$",
        "zh": r"玩具模型 $\sqrt{(1+s)/(v_0+Ls)}$",
    },
    "fig.pre_post_ratio.measured": {"en": "torch, mean of 3 seeds", "zh": "torch，3 个随机种子的均值"},
    # --- figures: activations ---------------------------------------------------------------------------------
    "fig.activation_curves.alt": {
        "en": "sigma, sigma', tanh and tanh' on [-6, 6]",
        "zh": "σ、σ′、tanh 与 tanh′ 在 [−6, 6] 上的曲线",
    },
    "fig.activation_curves.title": {"en": "Activations and their derivatives", "zh": "激活函数及其导数"},
    "fig.activation_curves.x": {"en": "pre-activation x", "zh": "预激活值 x"},
    "fig.activation_curves.y": {"en": "value", "zh": "函数值"},
    "fig.activation_curves.max_sigmoid": {"en": "max σ' = 1/4", "zh": "σ′ 的最大值 = 1/4"},
    "fig.activation_curves.max_tanh": {"en": "max tanh' = 1", "zh": "tanh′ 的最大值 = 1"},
    # --- figures: deep chain ----------------------------------------------------------------------------------
    "fig.unstable_width.alt": {
        "en": "Width of the input interval where |w σ'(w a + b)| ≥ 1, against |w|: zero at |w| = 4, largest "
        "(about 0.4477) near |w| = 6.894, then decreasing",
        "zh": "使 |w·σ′(wa + b)| ≥ 1 的输入区间宽度随 |w| 的变化：|w| = 4 时为 0，"
        "在 |w| ≈ 6.894 附近最大（约 0.4477），随后减小",
    },
    "fig.unstable_width.title": {
        "en": "Inputs where a sigmoid factor exceeds 1",
        "zh": "使 sigmoid 因子超过 1 的输入区间",
    },
    "fig.unstable_width.y": {"en": "width of the input interval", "zh": "输入区间的宽度"},
    "fig.unstable_width.maximum": {"en": "maximum ≈ {max} (|w| ≈ {argmax})", "zh": "最大值 ≈ {max}（|w| ≈ {argmax}）"},
    "fig.mlp_gradient_norms.alt": {
        "en": "Per-layer Frobenius norm of dL/dW_l for a 30-layer sigmoid MLP with N(0, 1) weights and a "
        "He-initialised ReLU MLP, log scale",
        "zh": "30 层 sigmoid 多层感知机（权重 N(0, 1)）与 He 初始化的 ReLU 多层感知机的逐层 ∂L/∂W_l 的 Frobenius 范数"
        "（对数坐标）",
    },
    "fig.mlp_gradient_norms.title": {
        "en": "Gradient norm per layer (30 layers, width 64)",
        "zh": "逐层梯度范数（30 层，宽 64）",
    },
    "fig.mlp_gradient_norms.x": {"en": "layer l (1 = next to the input)", "zh": "层号 l（1 为最靠近输入的一层）"},
    "fig.mlp_gradient_norms.sigmoid": {"en": "sigmoid, N(0, 1) weights", "zh": "sigmoid，权重 N(0, 1)"},
    "fig.mlp_gradient_norms.relu": {"en": "ReLU, He init N(0, 2/n)", "zh": "ReLU，He 初始化 N(0, 2/n)"},
    # --- figures: bptt, spectral, explorer --------------------------------------------------------------------
    "fig.bptt_path_contributions.alt": {
        "en": "Norm of the contribution of paths of each length to dL/dW_hh for lambda_1 = 0.9 and 1.5, log scale",
        "zh": "λ₁ = 0.9 与 1.5 时，各长度路径对 dL/dW_hh 的贡献（范数，对数坐标）",
    },
    "fig.bptt_path_contributions.title": {
        "en": "Contribution of paths of each length to dL/dW",
        "zh": "各长度路径对 dL/dW 的贡献",
    },
    "fig.bptt_path_contributions.x": {
        "en": r"path length $m = t-k$ (Jacobian factors)",
        "zh": r"路径长度 $m = t-k$（雅可比矩阵因子个数）",
    },
    "fig.bptt_path_contributions.y": {
        "en": r"$\|\sum_t \mathrm{term}(t,\,t-m)\|_F$",
        "zh": r"$\|\sum_t$ 第 $(t,\,t-m)$ 项$\|_F$",
    },
    "fig.bptt_path_contributions.tau": {"en": r"truncation $\tau$ = {tau}", "zh": r"截断长度 $\tau$ = {tau}"},
    "fig.spectral_jacobian_norms.alt": {
        "en": "log10 of the Jacobian product norm against T - t for sigmoid, tanh, ReLU and IRNN at four lambda_1",
        "zh": "sigmoid、tanh、ReLU 与 IRNN 在四个 λ₁ 下，雅可比矩阵乘积范数的对数随 T − t 的变化",
    },
    "fig.spectral_jacobian_norms.sigmoid": {"en": "sigmoid", "zh": "sigmoid"},
    "fig.spectral_jacobian_norms.tanh": {"en": "tanh", "zh": "tanh"},
    "fig.spectral_jacobian_norms.relu": {"en": r"ReLU ($W=\lambda_1 Q$)", "zh": r"ReLU（$W=\lambda_1 Q$）"},
    "fig.spectral_jacobian_norms.irnn": {"en": r"IRNN ($W=\lambda_1 I$)", "zh": r"IRNN（$W=\lambda_1 I$）"},
    "fig.spectral_jacobian_norms.x": {"en": "$T-t$", "zh": "$T-t$"},
    "fig.spectral_jacobian_norms.y": {
        "en": r"$\log_{10}\|\partial h_T/\partial h_t\|_2$",
        "zh": r"$\log_{10}\|\partial h_T/\partial h_t\|_2$",
    },
    "fig.spectral_heatmap.alt": {
        "en": "Heat map of log10 of the Jacobian norm of a 32-unit tanh RNN over lambda_1 and T",
        "zh": "32 个隐藏单元的 tanh RNN：雅可比矩阵范数的对数随 λ₁ 与 T 变化的热图",
    },
    "fig.spectral_heatmap.title": {
        "en": r"tanh RNN: $\log_{10}\|\partial h_T/\partial h_0\|_2$",
        "zh": r"tanh RNN：$\log_{10}\|\partial h_T/\partial h_0\|_2$",
    },
    "fig.spectral_heatmap.x": {"en": "T", "zh": "T"},
    "fig.spectral_heatmap.colorbar": {"en": r"$\log_{10}$ norm", "zh": r"范数的 $\log_{10}$"},
    "fig.transient_growth.alt": {
        "en": "Norm of W^n against rho(W)^n and lambda_1^n",
        "zh": "‖Wⁿ‖₂ 与 ρ(W)ⁿ、λ₁ⁿ 的对比",
    },
    "fig.transient_growth.title": {
        "en": r"Transient growth: $\rho(W)={rho}<1<\lambda_1$",
        "zh": r"瞬态增长：$\rho(W)={rho}<1<\lambda_1$",
    },
    "explorer.activation": {"en": "activation", "zh": "激活函数"},
    "explorer.act.linear": {"en": "linear", "zh": "线性"},
    "explorer.act.tanh": {"en": "tanh", "zh": "tanh"},
    "explorer.act.sigmoid": {"en": "sigmoid", "zh": "sigmoid"},
    "explorer.act.relu": {"en": "ReLU", "zh": "ReLU"},
    "explorer.lambda": {"en": "largest singular value λ₁ of W", "zh": "W 的最大奇异值 λ₁"},
    "explorer.x": {"en": "steps back, T − t", "zh": "回传步数 T − t"},
    "explorer.y": {"en": "‖∂h_T/∂h_t‖₂ (log scale)", "zh": "‖∂h_T/∂h_t‖₂（对数坐标）"},
    "explorer.measured": {"en": "measured", "zh": "实测"},
    "explorer.bound": {"en": "bound (γλ₁)^(T−t)", "zh": "上界 (γλ₁)^(T−t)"},
    "explorer.legend": {
        "en": "solid: measured; dashed: bound (γλ₁)^(T−t)",
        "zh": "实线：实测；虚线：上界 (γλ₁)^(T−t)",
    },
    "explorer.readout": {
        "en": "after {k} steps: measured {m}, bound {b}",
        "zh": "回传 {k} 步后：实测 {m}，上界 {b}",
    },
    "explorer.below": {
        "en": "▼ here the curve falls below 1e-300 (or to 0)",
        "zh": "▼ 曲线在此处降到 1e-300 以下（或为 0）",
    },
    "explorer.noscript": {
        "en": "The interactive explorer needs JavaScript; the data it plots is embedded in this page.",
        "zh": "交互式图表需要启用 JavaScript；其数据已嵌入本页。",
    },
    # --- figures: lstm, gru, gated ----------------------------------------------------------------------------
    "fig.gated_gradient_norms.alt": {
        "en": "Spectral norms of the gradient back through time, log scale, for a tanh RNN, an LSTM with forget bias "
        "0 and 1, and a GRU",
        "zh": "随时间反向的梯度谱范数（对数坐标）：tanh RNN、遗忘门偏置为 0 和 1 的 LSTM、GRU",
    },
    "fig.gated_gradient_norms.title": {
        "en": "Gradient norms back from T = {steps} (H = {hidden}, PyTorch default init, seed {seed})",
        "zh": "从 T = {steps} 反向的梯度范数（H = {hidden}，PyTorch 默认初始化，随机种子 {seed}）",
    },
    "fig.gated_gradient_norms.x": {"en": "time step t", "zh": "时间步 t"},
    "fig.gated_gradient_norms.y": {"en": "largest singular value", "zh": "最大奇异值"},
    "fig.gated_gradient_norms.rnn_h": {
        "en": r"tanh RNN  $\|\partial h_T/\partial h_t\|$",
        "zh": r"tanh RNN  $\|\partial h_T/\partial h_t\|$",
    },
    "fig.gated_gradient_norms.lstm_b0_c": {
        "en": r"LSTM, $b_f = 0$  $\|\partial c_T/\partial c_t\|$",
        "zh": r"LSTM，$b_f = 0$  $\|\partial c_T/\partial c_t\|$",
    },
    "fig.gated_gradient_norms.lstm_b1_c": {
        "en": r"LSTM, $b_f = 1$  $\|\partial c_T/\partial c_t\|$",
        "zh": r"LSTM，$b_f = 1$  $\|\partial c_T/\partial c_t\|$",
    },
    "fig.gated_gradient_norms.lstm_b1_h": {
        "en": r"LSTM, $b_f = 1$  $\|\partial h_T/\partial h_t\|$",
        "zh": r"LSTM，$b_f = 1$  $\|\partial h_T/\partial h_t\|$",
    },
    "fig.gated_gradient_norms.gru_h": {
        "en": r"GRU (PyTorch)  $\|\partial h_T/\partial h_t\|$",
        "zh": r"GRU（PyTorch 约定）  $\|\partial h_T/\partial h_t\|$",
    },
    # --- figures: remedies (clipping, initialisation, normalisation, residual, regularisation) ----------------
    "fig.clipping_2d.alt": {
        "en": "The gradient (30, −40), its clip by value (15, −15) on the box and its clip by norm (9, −12) on the "
        "circle of radius 15",
        "zh": "梯度 (30, −40)、按值裁剪到方框上的 (15, −15)，以及按范数裁剪到半径为 15 的圆上的 (9, −12)",
    },
    "fig.clipping_2d.title": {
        "en": "Clipping g = (30, −40) with threshold c = 15",
        "zh": "以 c = 15 为阈值裁剪 g = (30, −40)",
    },
    "fig.clipping_2d.original": {"en": "g (original)", "zh": "g（原始梯度）"},
    "fig.clipping_2d.by_value": {"en": "clipped by value", "zh": "按值裁剪"},
    "fig.clipping_2d.by_norm": {"en": "clipped by norm", "zh": "按范数裁剪"},
    "fig.clipping_2d.colon": {"en": ": ", "zh": "："},
    "fig.activation_variance.alt": {
        "en": "Variance of the pre-activations over 50 layers: ReLU with LeCun falls like 2 to the minus l, ReLU with "
        "He stays near 1, tanh with gain 1 decays slowly, tanh with gain 5/3 settles",
        "zh": "50 层中预激活值的方差：ReLU 配 LeCun 按 2 的 −l 次方下降，ReLU 配 He 保持在 1 附近，"
        "tanh 取增益 1 时缓慢衰减，取增益 5/3 时趋于稳定",
    },
    "fig.activation_variance.title": {
        "en": "Forward variance through 50 layers (width 256, seeded)",
        "zh": "50 层网络中前向方差随层数的变化（宽 256，固定随机种子）",
    },
    "fig.activation_variance.x": {"en": "layer $l$", "zh": "层号 $l$"},
    "fig.activation_variance.relu_lecun": {"en": "ReLU, LeCun (Var w = 1/n)", "zh": "ReLU，LeCun（Var w = 1/n）"},
    "fig.activation_variance.relu_he": {"en": "ReLU, He (Var w = 2/n)", "zh": "ReLU，He（Var w = 2/n）"},
    "fig.activation_variance.tanh_gain_1": {"en": "tanh, gain 1", "zh": "tanh，增益 1"},
    "fig.activation_variance.tanh_gain_5_3": {"en": "tanh, gain 5/3 (torch)", "zh": "tanh，增益 5/3（torch）"},
    "fig.activation_variance.prediction": {"en": r"prediction $2^{-l}$", "zh": r"预测 $2^{-l}$"},
    "fig.batchnorm_depth.alt": {
        "en": "Ratio of first-layer to last-layer gradient norm against depth: grows geometrically for BN with ReLU, "
        "following the estimate, and more slowly for BN with tanh",
        "zh": "第一层与最后一层梯度范数之比随深度的变化：BN 配 ReLU 按几何级数增长并与估计吻合，BN 配 tanh 增长较慢",
    },
    "fig.batchnorm_depth.title": {
        "en": "Batch norm without skips: gradients grow with depth",
        "zh": "无残差连接的批量归一化：梯度随深度增长",
    },
    "fig.batchnorm_depth.x": {"en": "depth $L$", "zh": "深度 $L$"},
    "fig.batchnorm_depth.estimate": {"en": "estimate ${rate}^{L-1}$", "zh": "估计 ${rate}^{L-1}$"},
    "fig.residual_gradient_depth.alt": {
        "en": "Gradient norm reaching the input against depth: plain tanh net decreases, residual net with unscaled "
        "branches increases, residual net with branches scaled by 0.1 stays near 1",
        "zh": "到达输入端的梯度范数随深度的变化：普通 tanh 网络递减，分支不缩放的残差网络递增，"
        "分支乘以 0.1 的残差网络保持在 1 附近",
    },
    "fig.residual_gradient_depth.title": {
        "en": "Gradient reaching the input vs depth (width 64, 5 seeds)",
        "zh": "到达输入端的梯度随深度的变化（宽 64，5 个随机种子）",
    },
    "fig.residual_gradient_depth.x": {"en": "depth $L$", "zh": "深度 $L$"},
    "fig.residual_gradient_depth.plain": {"en": "plain: x ← tanh(Wx)", "zh": "普通：x ← tanh(Wx)"},
    "fig.residual_gradient_depth.residual": {"en": "skip: x ← x + tanh(Wx)", "zh": "残差：x ← x + tanh(Wx)"},
    "fig.residual_gradient_depth.residual_scaled": {
        "en": "skip, scaled: x ← x + 0.1 tanh(Wx)",
        "zh": "缩放残差：x ← x + 0.1 tanh(Wx)",
    },
    # --- figures: adding problem ------------------------------------------------------------------------------
    "fig.adding.model.rnn": {"en": "tanh RNN", "zh": "tanh RNN"},
    "fig.adding.model.irnn": {"en": "IRNN (ReLU, W = I)", "zh": "IRNN（ReLU，W = I）"},
    "fig.adding.model.lstm": {"en": "LSTM (forget-gate bias 1)", "zh": "LSTM（遗忘门偏置为 1）"},
    "fig.adding_gradient_vs_lag.alt": {
        "en": "Gradient norm at initialisation against time lag for T = 100: nearly flat for the IRNN, decaying "
        "geometrically for the tanh RNN and the LSTM",
        "zh": "T = 100 时初始化梯度范数随时间间隔的变化：IRNN 几乎保持平坦，tanh RNN 与 LSTM 按几何级数衰减",
    },
    "fig.adding_gradient_vs_lag.title": {
        "en": "Gradient at initialisation against time lag (T = 100)",
        "zh": "初始化时梯度随时间间隔的变化（T = 100）",
    },
    "fig.adding_gradient_vs_lag.x": {"en": "lag $k$", "zh": "时间间隔 $k$"},
    "fig.adding_loss_curves.alt": {
        "en": "Test MSE during training for the three models with the 1/6 baseline and the 1/12 level of remembering "
        "only the second value: only the LSTM falls clearly below either within 1000 steps",
        "zh": "三个模型训练过程中的测试集均方误差，以及 1/6 基线和只记住第二个数值时的 1/12 水平："
        "1000 步内只有 LSTM 明显降到两者以下",
    },
    "fig.adding_loss_curves.title": {
        "en": "Adding problem, T = {T}, H = {H}, Adam + clipping by norm",
        "zh": "加法问题，T = {T}，H = {H}，Adam + 裁剪",
    },
    "fig.adding_loss_curves.x": {"en": "training step", "zh": "训练步数"},
    "fig.adding_loss_curves.y": {"en": "test MSE", "zh": "测试集均方误差"},
    "fig.adding_loss_curves.baseline": {"en": "always predict 1: MSE 1/6", "zh": "始终预测 1：均方误差 1/6"},
    "fig.adding_loss_curves.second_value": {
        "en": "remember only the second value: MSE 1/12",
        "zh": "只记住第二个数值：均方误差 1/12",
    },
}


# Words inside \text{…} of derived formulas (SymPy's Piecewise says "for" and "otherwise"), as the Chinese pages show
# them; names (GRU, LSTM, PyTorch, Cho, Keras …) stay as they are. docsgen.render.localise_tex applies it.
TEX_TEXT_ZH: dict[str, str] = {
    "for": "若",
    "otherwise": "其他情况",
    "differentiable at 0": "在 0 处可导",
    "gain": "增益",
    "Glorot:": "Glorot：",
    "GRU:": "GRU：",
    "LSTM:": "LSTM：",
    "Cho 2014:": "Cho 2014：",
    "Chung 2014:": "Chung 2014：",
    "PyTorch/cuDNN:": "PyTorch/cuDNN：",
    "(PyTorch, Cho)": "（PyTorch、Cho）",
    "(PyTorch)": "（PyTorch）",
    "(Cho)": "（Cho）",
    "(Chung)": "（Chung）",
}


def label(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (en or zh); KeyError naming the key if it is missing."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; accepted: {', '.join(LANGS)}")
    try:
        return LABELS[key][lang]
    except KeyError:
        raise KeyError(f"no {lang} label {key!r} in docsgen/labels.py") from None
