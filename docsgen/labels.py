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
    # --- lab pages (hooks/notebooks.py) -----------------------------------------------------------------------
    "lab.download": {"en": "Download this notebook (.ipynb)", "zh": "下载本 Jupyter 笔记本（.ipynb）"},
    "lab.copy": {"en": "Copy to clipboard", "zh": "复制到剪贴板"},
    "lab.copied": {"en": "Copied!", "zh": "已复制"},
    "lab.plot_alt": {"en": "Plot produced by the code cell above", "zh": "上方代码单元格输出的图"},
    # --- 404 page (overrides/404.html) ------------------------------------------------------------------------
    "404.title": {"en": "404 – Page not found", "zh": "404 – 页面不存在"},
    "404.text": {
        "en": "There is no page at this address. Use the navigation or the search to find what you were looking for.",
        "zh": "此地址下没有页面。请通过导航或搜索查找你需要的内容。",
    },
    # --- figures: transformers ---------------------------------------------------------------------------------
    "fig.attention_scaling_cdf.alt": {
        "en": "Empirical distribution over 1000 queries of the softmax Jacobian's spectral norm, with and without "
        "dividing the logits by sqrt(d_k), d_k = 64, 64 keys",
        "zh": "1000 个查询上 softmax 雅可比矩阵谱范数的经验分布：logit 除以与不除以 √d_k，d_k = 64，64 个键",
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
        "zh": "12 块 Pre-LN 与 Post-LN 堆叠在初始化时各块第二个前馈权重的梯度范数",
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
