"""The English ↔ Chinese glossary: one list, rendered as the table of the glossary page in both languages and used by
tests/test_glossary.py to keep the Chinese text on the preferred terms.

Each term names its preferred Chinese form and every variant the site avoids for the same concept. The test rejects
each variant in the Chinese pages, notebooks and the Chinese interface labels (after removing the preferred forms of
all terms, so that a variant that is part of a preferred term, like 预激活 in 预激活值, is not flagged), and, for terms
with English markers, requires the preferred form on every Chinese page whose English twin uses the concept.
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    """A concept: English term, preferred Chinese term, short notes, Chinese variants avoided, English markers."""

    en: str
    zh: str
    note_en: str = ""
    note_zh: str = ""
    avoid: tuple[str, ...] = ()
    en_markers: tuple[str, ...] = ()  # lowercase substrings that show the concept on an English page
    zh_core: str = ""  # what a Chinese page must contain then (default: zh up to its first space or parenthesis)

    def required(self) -> str:
        """The Chinese a page must contain when its English twin shows one of ``en_markers``."""
        return self.zh_core or self.zh.split("（")[0].split(" ")[0]


TERMS: tuple[Term, ...] = (
    Term(
        "vanishing gradient",
        "梯度消失",
        "gradients shrink geometrically going back",
        "梯度在反向传播中按几何级数缩小",
        ("梯度弥散",),
        ("vanishing gradient",),
    ),
    Term(
        "exploding gradient",
        "梯度爆炸",
        "gradients grow geometrically going back",
        "梯度在反向传播中按几何级数增大",
        (),
        ("exploding gradient",),
    ),
    Term("backpropagation", "反向传播", avoid=("反传播",)),
    Term("adjoint recursion", "伴随递推", "one backward sweep, O(T)", "一次反向扫描，代价 O(T)"),
    Term(
        "backpropagation through time (BPTT)",
        "随时间反向传播（BPTT）",
        avoid=("时间反向传播算法", "通过时间反向传播", "沿时间反向传播"),
        en_markers=("backpropagation through time",),
    ),
    Term("truncated BPTT", "截断的随时间反向传播", "stop after τ steps", "只回传 τ 步"),
    Term("chain rule", "链式法则", avoid=("连锁法则",), en_markers=("chain rule",)),
    Term(
        "Jacobian (matrix)",
        "雅可比矩阵",
        "rows index outputs, columns inputs",
        "行对应输出，列对应输入",
        ("雅克比", "雅各比"),
        ("jacobian",),
    ),
    Term(
        "numerator layout (Jacobian layout)",
        "分子布局（雅可比布局）",
        "∂y/∂x has one row per component of y",
        "∂y/∂x 的每一行对应 y 的一个分量",
    ),
    Term(
        "spectral radius ρ(W)",
        "谱半径 ρ(W)",
        "largest modulus of an eigenvalue",
        "特征值模的最大值",
        en_markers=("spectral radius",),
    ),
    Term(
        "largest singular value λ₁ = ‖W‖₂",
        "最大奇异值 λ₁ = ‖W‖₂",
        "the spectral norm",
        "即谱范数",
        en_markers=("singular value",),
        zh_core="奇异值",
    ),
    Term("spectral norm", "谱范数", en_markers=("spectral norm",)),
    Term("eigenvalue", "特征值", en_markers=("eigenvalue",)),
    Term("submultiplicativity (of a norm)", "次可乘性", "‖AB‖ ≤ ‖A‖‖B‖", avoid=("次乘性", "子乘性")),
    Term("activation function", "激活函数", avoid=("激励函数",)),
    Term("logistic sigmoid", "logistic sigmoid", "σ(x) = 1/(1 + e^−x)", "本站保留英文名称，σ(x) = 1/(1 + e^−x)"),
    Term("neuron", "神经元", "a layer with a single unit (single-neuron chain)", "只含一个单元的层（单神经元链）"),
    Term("pre-activation", "预激活值", "the input a of f(a)", "即 f(a) 的输入 a", ("预激活",)),
    Term("saturation", "饱和", "f′ ≈ 0 for large |a|", "|a| 很大时 f′ ≈ 0"),
    Term(
        "recurrent neural network (RNN)",
        "循环神经网络（RNN）",
        avoid=("递归神经网络",),
    ),
    Term(
        "recurrence",
        "递推",
        "h_t as a function of h_{t-1}",
        "hₜ 由 hₜ₋₁ 算出",
        ("递归关系", "递归式", "递归公式"),  # 递归 alone is recursion (Python's recursion limit), a different thing
    ),
    Term("long short-term memory (LSTM)", "长短期记忆网络（LSTM）", avoid=("长短时记忆",)),
    Term("gated recurrent unit (GRU)", "门控循环单元（GRU）", avoid=("门控递归单元",)),
    Term("multilayer perceptron (MLP)", "多层感知机（MLP）", avoid=("多层感知器",)),
    Term("IRNN", "IRNN", "ReLU RNN initialised with W = I (Le et al. 2015)", "以单位矩阵初始化的 ReLU 循环网络"),
    Term("mask", "掩码", "a 0/1 diagonal matrix", "0/1 对角矩阵"),
    Term("hidden state", "隐藏状态", avoid=("隐状态", "隐含状态")),
    Term("cell state (LSTM)", "细胞状态（LSTM）", avoid=("记忆单元状态",)),
    Term("candidate state", "候选状态", avoid=("候选值",)),
    Term("forget gate", "遗忘门", avoid=("忘记门",), en_markers=("forget gate", "forget-gate")),
    Term("input gate", "输入门"),
    Term("output gate", "输出门"),
    Term("reset gate", "重置门", en_markers=("reset gate",)),
    Term("update gate", "更新门", en_markers=("update gate",)),
    Term(
        "constant error carousel",
        "恒定误差传送带",
        "Hochreiter & Schmidhuber 1997",
        "Hochreiter 和 Schmidhuber（1997）",
        ("常数误差传送带", "常数误差轮盘", "恒定误差轮盘", "恒定误差转盘"),
        ("constant error carousel",),
    ),
    Term(
        "gradient clipping",
        "梯度裁剪",
        avoid=("梯度截断", "梯度剪裁", "梯度修剪"),
        en_markers=("gradient clipping",),
    ),
    Term("initialisation", "初始化", avoid=("初始值设定",)),
    Term("orthogonal initialisation", "正交初始化"),
    Term("fan-in", "扇入", "number of inputs of a unit, n_in", "一个单元的输入个数 n_in"),
    Term("gain", "增益", "the factor torch.nn.init multiplies the std by", "torch.nn.init 给标准差乘上的系数"),
    Term(
        "batch normalisation",
        "批量归一化",
        "Ioffe & Szegedy 2015",
        "Ioffe 和 Szegedy（2015）",
        ("批归一化", "批标准化", "批量规范化", "批规范化", "批量标准化"),
        ("batch normali", "batch-normali"),
    ),
    Term("batch size", "批量大小", avoid=("批大小", "批次大小")),
    Term("residual connection", "残差连接", avoid=("残差链接",), en_markers=("residual connection",)),
    Term("weight decay", "权重衰减", avoid=("权值衰减",), en_markers=("weight decay",)),
    Term("finite differences", "有限差分", en_markers=("finite difference",)),
    Term("Monte Carlo", "蒙特卡罗", "estimate by random sampling", "用随机抽样做估计", ("蒙特卡洛",)),
    Term("standard error", "标准误", "standard deviation of an estimate", "估计量的标准差"),
    Term(
        "automatic differentiation (autograd)",
        "自动微分",
        avoid=("自动求导",),
        en_markers=("autograd", "automatic differentiation"),
    ),
    Term(
        "independent oracle",
        "独立对照",
        "a computation that shares no code path with the derivation",
        "与推导不共享代码路径的数值计算",
        ("数值对照",),
    ),
    Term("sufficient / necessary condition", "充分条件 / 必要条件"),
    Term("subgradient", "次梯度", avoid=("子梯度",)),
    Term("normal matrix", "正规矩阵", "W Wᵀ = Wᵀ W", "W Wᵀ = Wᵀ W"),
    Term("nilpotent matrix", "幂零矩阵", "Wᵏ = 0 for some k", "存在 k 使 Wᵏ = 0"),
    Term("transient growth", "瞬态增长", "‖Wⁿ‖ grows before it decays", "‖Wⁿ‖ 先增长后衰减"),
    Term("contraction", "压缩映射", "Lipschitz constant < 1", "利普希茨常数 < 1"),
    Term("mean-field theory", "平均场理论", avoid=("均场理论",)),
    Term("mean squared error (MSE)", "均方误差（MSE）", avoid=("均方差误差",)),
    Term("adding problem", "加法问题", en_markers=("adding problem",)),
    Term("Jupyter notebook", "Jupyter 笔记本", avoid=("notebook",)),
    # clipping_theory
    Term(
        "(L0, L1)-smoothness",
        "(L₀, L₁)-光滑性",
        "‖∇²f‖ ≤ L0 + L1‖∇f‖ (Zhang et al. 2020)",
        "‖∇²f‖ ≤ L₀ + L₁‖∇f‖（Zhang 等，2020）",
    ),
    Term(
        "adaptive gradient clipping (AGC)",
        "自适应梯度裁剪（AGC）",
        "unit-wise, relative to the weights",
        "逐单元裁剪，依据梯度范数与权重范数之比",
    ),
    Term("Huber loss", "Huber 损失", "its derivative is the clipped error", "其导数就是裁剪后的误差"),
    Term(
        "randomized truncation",
        "随机截断",
        "truncated BPTT at random lengths, reweighted",
        "在随机长度处截断 BPTT，并对梯度重新加权",
    ),
    # attractors
    Term("attractor", "吸引子", "a set nearby states converge to", "附近的状态都收敛到的集合"),
    Term("fixed point", "不动点", "a state the map leaves unchanged, x = F(x)", "映射保持不变的状态，x = F(x)"),
    Term(
        "basin of attraction", "吸引域", "the states that converge to a given attractor", "收敛到某个吸引子的全部状态"
    ),
    Term(
        "bifurcation",
        "分岔",
        "a qualitative change of the dynamics as a parameter varies",
        "参数变化时动力学的定性改变",
    ),
    Term(
        "saddle-node bifurcation",
        "鞍结分岔",
        "a stable and an unstable fixed point meet and vanish (a fold)",
        "一个稳定不动点与一个不稳定不动点相遇并一同消失（折叠）",
    ),
    Term("bistable", "双稳态", "two stable fixed points for the same parameters", "同一组参数下有两个稳定不动点"),
    # norm_preserving
    Term(
        "orthogonal matrix",
        "正交矩阵",
        "real Q with QᵀQ = I: every singular value is 1",
        "满足 QᵀQ = I 的实矩阵：所有奇异值都等于 1",
        en_markers=("orthogonal matrix", "orthogonal matrices"),
    ),
    Term(
        "unitary matrix",
        "酉矩阵",
        "complex U with U*U = I (U* the conjugate transpose)",
        "满足 U*U = I 的复矩阵（U* 为共轭转置）",
        en_markers=("unitary matrix", "unitary matrices"),
    ),
    Term("skew-symmetric matrix", "反对称矩阵", "Aᵀ = −A", "Aᵀ = −A", en_markers=("skew-symmetric",)),
    Term(
        "Cayley transform",
        "凯莱变换",
        "skew-symmetric A to an orthogonal matrix; two conventions (torch vs the papers)",
        "把反对称矩阵 A 映成正交矩阵；有两种约定（PyTorch 与论文各用一种）",
        en_markers=("cayley transform", "cayley map"),
    ),
    Term("matrix exponential", "矩阵指数", "e^A = Σ Aᵏ/k!", "e^A = Σ Aᵏ/k!", en_markers=("matrix exponential",)),
    # linear_recurrences
    Term(
        "state-space model (SSM)",
        "状态空间模型（SSM）",
        "h' = Ah + Bu, discretised",
        "h' = Ah + Bu，经离散化",
        en_markers=("state-space model",),
    ),
    Term("linear recurrence", "线性循环", "no activation inside the recurrence", "循环内部没有激活函数"),
    Term("zero-order hold (ZOH)", "零阶保持（ZOH）", "input held constant over each step", "每个步长内输入保持不变"),
    Term("discretisation", "离散化", "continuous time to a recurrence", "把连续时间系统变为递推"),
    Term(
        "curse of memory",
        "记忆诅咒",
        "sensitivity to λ grows with the memory",
        "对 λ 的灵敏度随记忆长度增大",
        en_markers=("curse of memory",),
    ),
    # gate_time_constants
    Term(
        "time constant",
        "时间常数",
        "1/(1 − f) for a memory multiplied by f each step",
        "记忆每步乘以 f 时为 1/(1 − f)",
        en_markers=("time constant",),
    ),
    Term(
        "chrono initialisation",
        "chrono 初始化",
        "b_f = ln U[1, T_max − 1], b_i = −b_f (Tallec & Ollivier 2018)",
        "b_f = ln U[1, T_max − 1]，b_i = −b_f（Tallec 和 Ollivier，2018）",
        en_markers=("chrono initialisation",),
        zh_core="chrono 初始化",
    ),
    Term(
        "leaky unit",
        "渗漏单元",
        "h_t = (1 − α) h_{t−1} + α φ(a_t)",
        "h_t = (1 − α) h_{t−1} + α φ(a_t)；《深度学习》（花书）中文版即用此译名",
        ("泄漏单元",),
        en_markers=("leaky unit",),
    ),
    # dynamical_isometry
    Term(
        "dynamical isometry",
        "动力等距",
        "all singular values of the input-output Jacobian near 1",
        "输入–输出雅可比矩阵的所有奇异值都接近 1",
        ("动态等距",),
    ),
    Term(
        "Lyapunov exponent", "李雅普诺夫指数", "growth rate of ln||P_K v|| per factor", "ln‖P_K v‖ 平均每个因子的增长率"
    ),
    Term("free probability", "自由概率"),
    Term("digamma function", "双伽马函数", "psi = Gamma'/Gamma", "ψ = Γ′/Γ"),
    # signal_propagation
    Term(
        "edge of chaos",
        "混沌边缘",
        "the critical line χ₁ = 1 between the ordered and the chaotic phase",
        "有序相与混沌相之间的临界线 χ₁ = 1",
        en_markers=("edge of chaos",),
    ),
    Term(
        "length map",
        "长度映射",
        "q_{l-1} ↦ q_l, the mean-field recursion of the variance",
        "方差的平均场递推 q_{l−1} ↦ q_l",
    ),
    Term("correlation map", "相关系数映射", "c_{l-1} ↦ c_l for two inputs", "两个输入的 c_{l−1} ↦ c_l"),
    Term(
        "ordered phase", "有序相", "χ₁ < 1: gradients vanish, correlations go to 1", "χ₁ < 1：梯度消失，相关系数趋于 1"
    ),
    Term("chaotic phase", "混沌相", "χ₁ > 1: gradients explode", "χ₁ > 1：梯度爆炸"),
    Term("critical line", "临界线", "χ₁ = 1 in the (σ_w², σ_b²) plane", "(σ_w², σ_b²) 平面上 χ₁ = 1 的曲线"),
    Term("depth scale", "深度尺度", "ξ in e^{−l/ξ}", "e^{−l/ξ} 中的 ξ"),
    Term("arc-cosine kernel", "反余弦核", "Cho & Saul (2009)", "Cho 和 Saul（2009）"),
    Term(
        "gradient independence assumption",
        "梯度独立性假设",
        "backward weights treated as independent of the forward ones",
        "把反向传播所用的权重视为与前向传播的权重相互独立",
    ),
    # transformers
    Term(
        "layer normalisation (LayerNorm)",
        "层归一化（LayerNorm）",
        "Ba et al. 2016; normalises each token over its features",
        "Ba 等（2016）；对每个词元在其特征维上做归一化",
        ("层标准化", "层规范化"),
        ("layer normali",),
    ),
    Term(
        "RMSNorm",
        "RMSNorm",
        "x / sqrt(mean(x²)); no centring",
        "x 除以其各分量平方均值的平方根，不做中心化；本站保留英文名称",
    ),
    Term("softmax", "softmax", "p_i = e^{s_i} / Σ_j e^{s_j}", "本站保留英文名称，p_i = e^{s_i}/Σ_j e^{s_j}"),
    Term("attention (scaled dot-product)", "注意力（缩放点积注意力）", "softmax(q·k/√d_k)", "softmax(q·k/√d_k)"),
    Term(
        "Pre-LN / Post-LN",
        "Pre-LN / Post-LN",
        "LN before the branch / after the addition",
        "本站保留英文名称：层归一化放在分支之前 / 残差相加之后",
    ),
    Term(
        "residual stream", "残差流", "the x_l the blocks add to", "各块不断累加的 x_l", en_markers=("residual stream",)
    ),
    Term("token", "词元", "one position of the sequence", "序列中的一个位置", ("令牌",)),
    Term("one-hot", "独热", "one probability 1, the others 0", "一个概率为 1，其余为 0"),
    Term("learning-rate warm-up", "学习率预热", avoid=("学习率热身",)),
    Term("logit", "logit", "an input of the softmax", "softmax 的输入；本站保留英文名称"),
)


def table(lang: str) -> str:
    """The glossary as a Markdown table headed in ``lang`` (en or zh): term, Chinese term, note, avoided variants."""
    if lang not in ("en", "zh"):
        raise ValueError(f"unknown language {lang!r}; accepted: en, zh")
    if lang == "en":
        head = "| English | 中文 | Note | Variants not used here |\n|---|---|---|---|"
    else:
        head = "| 英文 | 中文 | 说明 | 本站不用的译法 |\n|---|---|---|---|"
    sep = ", " if lang == "en" else "、"
    from docsgen.render import cell

    rows = [
        "| "
        + " | ".join(cell(c) for c in (t.en, t.zh, t.note_en if lang == "en" else t.note_zh, sep.join(t.avoid)))
        + " |"
        for t in TERMS
    ]
    return "\n" + head + "\n" + "\n".join(rows) + "\n"


# Words jieba must keep whole when it segments the Chinese search index, besides the glossary's terms and variants:
# prefixes a reader types before finishing a term.
SEARCH_WORDS = (
    "雅可比",
    "反向传播",
    "梯度消失",
    "梯度爆炸",
    "梯度裁剪",
    "遗忘门",
    "输入门",
    "输出门",
    "更新门",
    "重置门",
)


def search_words() -> list[str]:
    """Chinese words for the search index's jieba user dictionary: every preferred term (without its parenthesised
    abbreviation), every variant the site avoids (so a reader who types 雅克比 or 梯度弥散 still finds the glossary),
    and ``SEARCH_WORDS``; only words with Chinese characters, each once."""
    words: list[str] = []
    for t in TERMS:
        for w in (t.zh.split("（")[0], t.required(), *t.avoid):
            for part in w.replace("/", " ").split():
                if any("\u4e00" <= ch <= "\u9fff" for ch in part) and part not in words:
                    words.append(part)
    return words + [w for w in SEARCH_WORDS if w not in words]


def write_jieba_dictionary(path) -> None:
    """Write ``search_words()`` as a jieba user dictionary (one word and a high frequency per line)."""
    from pathlib import Path

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{w} 100000\n" for w in search_words())
    if not p.is_file() or p.read_text(encoding="utf-8") != text:
        p.write_text(text, encoding="utf-8")
