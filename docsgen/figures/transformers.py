"""Figures of the Transformers page: the softmax's sensitivity with and without 1/sqrt(d_k), and Pre-LN vs Post-LN."""

from __future__ import annotations

import numpy as np

from derivations.attention import figure_data_attention_scaling
from derivations.transformers import figure_data_pre_post_layers, figure_data_pre_post_ratio
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("attention_scaling_cdf")
def attention_scaling_cdf(lang: str):
    """Empirical CDF over 1000 seeded queries of ||dp/ds||_2 (d_k = 64, 64 keys), logits q.k and q.k / sqrt(d_k)."""
    plt = setup(lang)
    d = figure_data_attention_scaling()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    for key, style in (("raw", "-"), ("scaled", "--")):
        v = d[key]
        ax.semilogx(
            v,
            np.arange(1, v.size + 1) / v.size,
            style,
            linewidth=2,
            label=label(f"fig.attention_scaling_cdf.{key}", lang),
        )
    ax.axvline(0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.set(
        title=wrap(label("fig.attention_scaling_cdf.title", lang)),
        xlabel=label("fig.attention_scaling_cdf.x", lang),
        ylabel=label("fig.attention_scaling_cdf.y", lang),
        xlim=(1e-6, 1.0),
        ylim=(0, 1),
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig


@figure("pre_post_layer_grads")
def pre_post_layer_grads(lang: str):
    """||dl/dW2_l||_F against the block l for a 12-block Pre-LN and Post-LN FFN stack (d = 64, mean of 3 seeds)."""
    plt = setup(lang)
    d = figure_data_pre_post_layers()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    ax.plot(d["block"], d["pre"], "o-", linewidth=2, label="Pre-LN")
    ax.plot(d["block"], d["post"], "s--", linewidth=2, label="Post-LN")
    ax.set(
        title=wrap(label("fig.pre_post_layer_grads.title", lang)),
        xlabel=label("fig.pre_post_layer_grads.x", lang),
        ylabel=r"$\|\partial \ell/\partial W_2^{(l)}\|_F$",
        ylim=(0, None),
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=2)
    return fig


@figure("pre_post_ratio")
def pre_post_ratio(lang: str):
    """Last block's gradient, Pre-LN over Post-LN, against depth L (3 seeds), and the toy model's prediction."""
    plt = setup(lang)
    d = figure_data_pre_post_ratio()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    ax.plot(
        d["grid"], d["predicted"], "-", color="grey", linewidth=2, label=label("fig.pre_post_ratio.predicted", lang)
    )
    ax.plot(d["depths"], d["ratio"], "o", markersize=7, label=label("fig.pre_post_ratio.measured", lang))
    ax.set(
        title=wrap(label("fig.pre_post_ratio.title", lang)),
        xlabel=label("fig.pre_post_ratio.x", lang),
        ylabel=label("fig.pre_post_ratio.y", lang),
        ylim=(0, 1.1),
    )
    ax.grid(alpha=0.3)
    legend_below(fig)
    return fig
