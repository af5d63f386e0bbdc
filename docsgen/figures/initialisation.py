"""Figures of the initialisation page."""

from __future__ import annotations

from derivations.initialisation import figure_data_activation_variance
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap

_CURVES = ("relu_lecun", "relu_he", "tanh_gain_1", "tanh_gain_5_3")


@figure("activation_variance")
def activation_variance(lang: str):
    """Pre-activation variance per layer (log scale, 50 layers of width 256, seeded) for ReLU with LeCun and He
    variances and tanh with gains 1 and 5/3, with the prediction 2^-l for ReLU with LeCun."""
    plt = setup(lang)
    d = figure_data_activation_variance()
    fig, ax = plt.subplots(figsize=(WIDTH, 4.3))
    for key in _CURVES:
        ax.semilogy(d["layer"], d[key], label=label(f"fig.activation_variance.{key}", lang), linewidth=2)
    pred = d["relu_lecun"][0] * 0.5 ** d["layer"]
    ax.semilogy(d["layer"], pred, "k:", label=label("fig.activation_variance.prediction", lang))
    ax.set(
        title=wrap(label("fig.activation_variance.title", lang)),
        xlabel=label("fig.activation_variance.x", lang),
        ylabel=r"Var$(z_l)$",
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig
