"""Parameter counts of recurrent layers as formulas in input size I and hidden size H, in PyTorch's convention
(two bias vectors per layer) and in Keras' (one bias; GRU reset_after=True keeps two).

Conventions: PyTorch nn.RNN / nn.GRU / nn.LSTM store per layer and direction weight_ih (G*H x I_l),
weight_hh (G*H x H), bias_ih and bias_hh (G*H each), with G = 1, 3, 4 gate blocks and I_l = I for the first layer,
D*H for later layers (D = 2 if bidirectional). Keras stores kernel (I x G*H), recurrent_kernel (H x G*H) and
bias (G*H,), or (2, 3H) for GRU with reset_after=True (the TF2 default).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.core import Derivation, Result, derivation

I_, H = sp.symbols("I H", integer=True, positive=True)
L, D = sp.symbols("L D", integer=True, positive=True)
GATE_BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}
_SIZES = ((1, 1), (3, 5), (10, 20), (128, 256), (7, 1))


def pytorch_shapes(kind: str, input_size: int, hidden: int) -> list[tuple[int, ...]]:
    """Shapes of one PyTorch layer's parameters for ``kind`` in "rnn", "gru", "lstm" (weight_ih, weight_hh, biases)."""
    g = GATE_BLOCKS[kind]
    return [(g * hidden, input_size), (g * hidden, hidden), (g * hidden,), (g * hidden,)]


def keras_shapes(kind: str, input_size: int, hidden: int, reset_after: bool = True) -> list[tuple[int, ...]]:
    """Shapes of one Keras layer's weights: kernel (I, G*H), recurrent_kernel (H, G*H), bias (G*H,) or (2, 3H)."""
    g = GATE_BLOCKS[kind]
    bias = (2, g * hidden) if kind == "gru" and reset_after else (g * hidden,)
    return [(input_size, g * hidden), (hidden, g * hidden), bias]


def _count_from_shapes(shapes: list[tuple[sp.Expr, ...]]) -> sp.Expr:
    return sp.expand(sum(sp.Mul(*s) for s in shapes))


def _numpy_count(shapes: list[tuple[int, ...]]) -> int:
    return int(sum(np.zeros(s).size for s in shapes))


def _single_layer(kind: str) -> Result:
    g = GATE_BLOCKS[kind]
    count = _count_from_shapes(pytorch_shapes(kind, I_, H))
    closed = g * (H * I_ + H * H + 2 * H)
    if sp.expand(count - closed) != 0:
        raise ArithmeticError(f"{kind}: shape sum != closed form")
    return Result(
        expr=sp.Lambda((I_, H), sp.factor(count)),
        latex=rf"N_{{\text{{{kind.upper()}}}}}(I,H)={g}\,(HI+H^2+2H)={sp.latex(sp.factor(count))}",
        parts={"count": count, "closed_form": closed, "factored": sp.factor(count)},
        symbols={"I": "input size", "H": "hidden size"},
    )


@derivation(
    "lstm_param_count",
    title="PyTorch LSTM layer: 4(HI + H^2 + 2H) = 4H(I + H + 2) parameters",
    title_zh="PyTorch LSTM 层的参数量：4(HI + H² + 2H) = 4H(I + H + 2)",
)
def lstm_param_count() -> Result:
    return _single_layer("lstm")


@derivation(
    "gru_param_count",
    title="PyTorch GRU layer: 3(HI + H^2 + 2H) = 3H(I + H + 2) parameters",
    title_zh="PyTorch GRU 层的参数量：3(HI + H² + 2H) = 3H(I + H + 2)",
)
def gru_param_count() -> Result:
    return _single_layer("gru")


def _check_torch_single(kind: str, d: Derivation) -> float:
    import torch

    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    f = sp.lambdify((I_, H), d.result.parts["count"])
    return float(max(abs(sum(p.numel() for p in cls(i, h).parameters()) - f(i, h)) for i, h in _SIZES))


def _check_numpy_single(kind: str, d: Derivation) -> float:
    f = sp.lambdify((I_, H), d.result.parts["count"])
    # hand-counted shapes, written out independently of pytorch_shapes
    g = GATE_BLOCKS[kind]
    hand = lambda i, h: [(g * h, i), (g * h, h), (g * h,), (g * h,)]  # noqa: E731
    return float(max(abs(_numpy_count(hand(i, h)) - f(i, h)) for i, h in _SIZES))


@lstm_param_count.check(
    "sum of numel of torch.nn.LSTM(I, H) parameters for 5 sizes",
    tol=0.0,
    needs="torch",
    oracle_zh="`torch.nn.LSTM(I, H)` 全部参数的 numel 之和（5 组尺寸）",
)
def _() -> float:
    return _check_torch_single("lstm", lstm_param_count)


@lstm_param_count.check(
    "NumPy arrays of the hand-counted shapes (4H,I), (4H,H), (4H,), (4H,)",
    tol=0.0,
    oracle_zh="按手工列出的形状 (4H,I)、(4H,H)、(4H,)、(4H,) 建立 NumPy 数组并计数",
)
def _() -> float:
    return _check_numpy_single("lstm", lstm_param_count)


@gru_param_count.check(
    "sum of numel of torch.nn.GRU(I, H) parameters for 5 sizes",
    tol=0.0,
    needs="torch",
    oracle_zh="`torch.nn.GRU(I, H)` 全部参数的 numel 之和（5 组尺寸）",
)
def _() -> float:
    return _check_torch_single("gru", gru_param_count)


@gru_param_count.check(
    "NumPy arrays of the hand-counted shapes (3H,I), (3H,H), (3H,), (3H,)",
    tol=0.0,
    oracle_zh="按手工列出的形状 (3H,I)、(3H,H)、(3H,)、(3H,) 建立 NumPy 数组并计数",
)
def _() -> float:
    return _check_numpy_single("gru", gru_param_count)


@derivation(
    "rnn_param_count_stacked",
    title="Stacked PyTorch RNN/GRU/LSTM, L layers, D directions: G D (H I + H^2 + 2H) + (L-1) G D (D H^2 + H^2 + 2H)",
    title_zh="堆叠的 PyTorch RNN/GRU/LSTM（L 层、D 个方向）：G·D(HI + H² + 2H) + (L−1)·G·D(DH² + H² + 2H)",
)
def rnn_param_count_stacked() -> Result:
    g = sp.Symbol("G", integer=True, positive=True)
    first = D * _count_from_shapes([(g * H, I_), (g * H, H), (g * H,), (g * H,)])
    later = D * _count_from_shapes([(g * H, D * H), (g * H, H), (g * H,), (g * H,)])
    total = sp.expand(first + (L - 1) * later)
    if sp.expand(total.subs({L: 1, D: 1, g: 4}) - lstm_param_count.result.parts["count"]) != 0:
        raise ArithmeticError("L = D = 1 does not reduce to the LSTM count")
    return Result(
        expr=sp.Lambda((g, I_, H, L, D), total),
        latex=(
            r"N=G\,D\,(HI+H^2+2H)+(L-1)\,G\,D\,(DH^2+H^2+2H),\quad "
            r"G=1\ (\text{RNN}),\,3\ (\text{GRU}),\,4\ (\text{LSTM})"
        ),
        parts={"count": total, "first_layer": first, "later_layer": later},
        symbols={
            "G": "gate blocks: 1 RNN, 3 GRU, 4 LSTM",
            "I": "input size",
            "H": "hidden size",
            "L": "num_layers",
            "D": "directions (2 if bidirectional)",
        },
    )


@rnn_param_count_stacked.check(
    "numel of torch.nn.RNN/GRU/LSTM with num_layers 1-3, bidirectional or not",
    tol=0.0,
    needs="torch",
    oracle_zh="`torch.nn.RNN`、`torch.nn.GRU`、`torch.nn.LSTM` 在 num_layers 为 1–3、单向或双向时的参数 numel 之和",
)
def _() -> float:
    import torch

    g = sp.Symbol("G", integer=True, positive=True)
    f = sp.lambdify((g, I_, H, L, D), rnn_param_count_stacked.result.parts["count"])
    worst = 0
    for kind, cls in (("rnn", torch.nn.RNN), ("gru", torch.nn.GRU), ("lstm", torch.nn.LSTM)):
        for layers in (1, 2, 3):
            for bi in (False, True):
                m = cls(5, 7, num_layers=layers, bidirectional=bi)
                n = sum(p.numel() for p in m.parameters())
                worst = max(worst, abs(n - f(GATE_BLOCKS[kind], 5, 7, layers, 2 if bi else 1)))
    return float(worst)


@derivation(
    "keras_param_counts",
    title="Keras: LSTM 4(HI + H^2 + H), GRU 3(HI + H^2 + 2H) with reset_after=True, 3(HI + H^2 + H) without",
    title_zh="Keras 参数量：LSTM 为 4(HI + H² + H)；GRU 在 reset_after=True 时为 3(HI + H² + 2H)，否则 3(HI + H² + H)",
)
def keras_param_counts() -> Result:
    lstm = _count_from_shapes(keras_shapes("lstm", I_, H))
    gru_after = _count_from_shapes(keras_shapes("gru", I_, H, reset_after=True))
    gru_before = _count_from_shapes(keras_shapes("gru", I_, H, reset_after=False))
    torch_lstm = lstm_param_count.result.parts["count"]
    diff_lstm = sp.factor(torch_lstm - lstm)
    if sp.expand(gru_after - gru_param_count.result.parts["count"]) != 0 or diff_lstm != 4 * H:
        raise ArithmeticError("unexpected relation to the PyTorch counts")
    return Result(
        expr=sp.Tuple(sp.Lambda((I_, H), lstm), sp.Lambda((I_, H), gru_after), sp.Lambda((I_, H), gru_before)),
        latex=(
            rf"N^{{\text{{Keras}}}}_{{\text{{LSTM}}}}={sp.latex(sp.factor(lstm))}"
            rf"=N^{{\text{{PyTorch}}}}_{{\text{{LSTM}}}}-{sp.latex(diff_lstm)},\quad "
            rf"N_{{\text{{GRU}}}}^{{\texttt{{reset\_after=True}}}}={sp.latex(sp.factor(gru_after))},\quad "
            rf"N_{{\text{{GRU}}}}^{{\texttt{{reset\_after=False}}}}={sp.latex(sp.factor(gru_before))}"
        ),
        parts={
            "lstm": lstm,
            "gru_reset_after": gru_after,
            "gru_reset_before": gru_before,
            "pytorch_minus_keras_lstm": diff_lstm,
        },
        symbols={"I": "input size", "H": "units (hidden size)"},
    )


@keras_param_counts.check(
    "NumPy arrays of the hand-counted Keras shapes kernel (I, GH), recurrent_kernel (H, GH), bias (GH,) or (2, 3H)",
    tol=0.0,
    oracle_zh="按手工列出的 Keras 权重形状 kernel (I, GH)、recurrent_kernel (H, GH)、bias (GH,) 或 (2, 3H) "
    "建立 NumPy 数组并计数",
)
def _() -> float:
    r = keras_param_counts.result.parts
    f_lstm = sp.lambdify((I_, H), r["lstm"])
    f_after = sp.lambdify((I_, H), r["gru_reset_after"])
    f_before = sp.lambdify((I_, H), r["gru_reset_before"])
    worst = 0
    for i, h in _SIZES:
        worst = max(worst, abs(_numpy_count([(i, 4 * h), (h, 4 * h), (4 * h,)]) - f_lstm(i, h)))
        worst = max(worst, abs(_numpy_count([(i, 3 * h), (h, 3 * h), (2, 3 * h)]) - f_after(i, h)))
        worst = max(worst, abs(_numpy_count([(i, 3 * h), (h, 3 * h), (3 * h,)]) - f_before(i, h)))
    return float(worst)


@keras_param_counts.check(
    "Keras 3 on the torch backend: count_params() of keras.layers.LSTM, GRU (reset_after True and False) and "
    "Bidirectional(GRU) in a keras.Model, for 5 sizes",
    tol=0.0,
    needs="keras",
    oracle_zh="Keras 3（torch 后端）：把 `keras.layers.LSTM`、`keras.layers.GRU`（reset_after 为 True 和 False）与 "
    "`Bidirectional(GRU)` 放进 `keras.Model` 后 count_params() 的结果（5 组尺寸）",
)
def _() -> float:
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    r = keras_param_counts.result.parts
    f = {k: sp.lambdify((I_, H), r[k]) for k in ("lstm", "gru_reset_after", "gru_reset_before")}

    def count(layer: keras.layers.Layer, i: int) -> int:
        inputs = keras.Input(shape=(3, i))
        return keras.Model(inputs, layer(inputs)).count_params()

    worst = 0
    for i, h in _SIZES:
        worst = max(
            worst,
            abs(count(keras.layers.LSTM(h), i) - f["lstm"](i, h)),
            abs(count(keras.layers.GRU(h, reset_after=True), i) - f["gru_reset_after"](i, h)),
            abs(count(keras.layers.GRU(h, reset_after=False), i) - f["gru_reset_before"](i, h)),
            abs(count(keras.layers.Bidirectional(keras.layers.GRU(h)), i) - 2 * f["gru_reset_after"](i, h)),
        )
    return float(worst)
