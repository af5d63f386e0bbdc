"""The English ↔ Chinese glossary: one list rendered on the glossary page of both languages and used by the tests
to keep the Chinese pages on the standard terms (each entry may name variants to avoid)."""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    """An English term, its standard Chinese term, a short note, and Chinese variants the site avoids."""

    en: str
    zh: str
    note_en: str = ""
    note_zh: str = ""
    avoid: tuple[str, ...] = ()


TERMS: tuple[Term, ...] = (
    Term(
        "vanishing gradient",
        "梯度消失",
        "gradients shrink geometrically going back",
        "梯度逐层按几何级数缩小",
        ("梯度弥散",),
    ),
    Term("exploding gradient", "梯度爆炸", "gradients grow geometrically going back", "梯度逐层按几何级数增大"),
    Term("backpropagation", "反向传播"),
    Term("backpropagation through time (BPTT)", "随时间反向传播（BPTT）", avoid=("时间反向传播算法",)),
    Term("truncated BPTT", "截断的随时间反向传播", "stop after τ steps", "只回传 τ 步"),
    Term("chain rule", "链式法则"),
    Term(
        "Jacobian (matrix)", "雅可比矩阵", "rows index outputs, columns inputs", "行对应输出，列对应输入", ("雅克比",)
    ),
    Term("spectral radius ρ(W)", "谱半径 ρ(W)", "largest absolute value of an eigenvalue", "特征值绝对值的最大值"),
    Term("largest singular value λ₁ = ‖W‖₂", "最大奇异值 λ₁ = ‖W‖₂", "the spectral norm", "即谱范数"),
    Term("eigenvalue", "特征值"),
    Term("activation function", "激活函数"),
    Term("pre-activation", "预激活值"),
    Term("recurrent neural network (RNN)", "循环神经网络（RNN）", avoid=("递归神经网络",)),
    Term("hidden state", "隐藏状态"),
    Term("cell state (LSTM)", "细胞状态（LSTM）"),
    Term("forget gate", "遗忘门"),
    Term("input gate", "输入门"),
    Term("output gate", "输出门"),
    Term("reset gate", "重置门"),
    Term("update gate", "更新门"),
    Term("constant error carousel", "恒定误差传送带"),
    Term("gradient clipping", "梯度裁剪", avoid=("梯度截断",)),
    Term("initialisation", "初始化"),
    Term("batch normalisation", "批归一化"),
    Term("residual connection", "残差连接"),
    Term("weight decay", "权重衰减"),
    Term("finite differences", "有限差分"),
    Term("automatic differentiation (autograd)", "自动微分"),
    Term("sufficient / necessary condition", "充分条件 / 必要条件"),
    Term("subgradient", "次梯度"),
    Term("adding problem", "加法问题"),
)


def table(lang: str) -> str:
    """The glossary as a Markdown table, headed in ``lang`` (en or zh)."""
    if lang not in ("en", "zh"):
        raise ValueError(f"unknown language {lang!r}; accepted: en, zh")
    head = "| English | 中文 | Note |\n|---|---|---|" if lang == "en" else "| 英文 | 中文 | 说明 |\n|---|---|---|"
    rows = [f"| {t.en} | {t.zh} | {t.note_en if lang == 'en' else t.note_zh} |" for t in TERMS]
    return "\n" + head + "\n" + "\n".join(rows) + "\n"
