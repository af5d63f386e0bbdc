"""Figures of the LSTM and GRU pages: gradient norms of a tanh RNN, an LSTM and a GRU back through time."""

from __future__ import annotations

from derivations.gated import FIG_HIDDEN, FIG_SEED, figure_data_gradient_norms
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap

_STYLES = {"rnn_h": "-", "lstm_b0_c": "--", "lstm_b1_c": "-", "lstm_b1_h": ":", "gru_h": "-."}


@figure("gated_gradient_norms")
def gradient_norms(lang: str):
    """Spectral norms of d state_T/d state_t against t (log scale) for a tanh RNN, an LSTM with forget bias 0 and 1
    (cell and hidden blocks of the full product) and a PyTorch GRU, from ``gated.figure_data_gradient_norms``."""
    plt = setup(lang)
    d = figure_data_gradient_norms()
    steps = len(d["t"])
    fig, ax = plt.subplots(figsize=(WIDTH, 4.4))
    for key, style in _STYLES.items():
        ax.semilogy(d["t"], d[key], style, label=label(f"fig.gated_gradient_norms.{key}", lang), linewidth=1.8)
    title = label("fig.gated_gradient_norms.title", lang).format(steps=steps, hidden=FIG_HIDDEN, seed=FIG_SEED)
    ax.set(
        title=wrap(title),
        xlabel=label("fig.gated_gradient_norms.x", lang),
        ylabel=label("fig.gated_gradient_norms.y", lang),
        xlim=(0, steps - 1),
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig
