"""Figures of the adding-problem page."""

from __future__ import annotations

from derivations.adding_problem import (
    TRAIN_SEED,
    adding_baseline_mse,
    adding_second_value_mse,
    figure_data_gradient_vs_lag,
)
from derivations.experiments.adding import MODELS, run_cached
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("adding_gradient_vs_lag")
def gradient_vs_lag(lang: str):
    """||dL/dh_{T-k}|| / ||dL/dh_T|| at initialisation against lag k for the three models (T = 100, seeded)."""
    plt = setup(lang)
    d = figure_data_gradient_vs_lag()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.5))
    for m in MODELS:
        ax.semilogy(d["lag"], d[f"{m}_h"] / d[f"{m}_h"][0], label=label(f"fig.adding.model.{m}", lang), linewidth=2)
    ax.set(
        title=wrap(label("fig.adding_gradient_vs_lag.title", lang)),
        xlabel=label("fig.adding_gradient_vs_lag.x", lang),
        ylabel=r"$\|\partial L/\partial h_{T-k}\| \,/\, \|\partial L/\partial h_T\|$",
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig


@figure("adding_loss_curves")
def loss_curves(lang: str):
    """Test MSE during training (cached seeded run, default hyper-parameters) of the three models, with 1/6, 1/12."""
    plt = setup(lang)
    res = run_cached(TRAIN_SEED)
    hp = res["hparams"]
    fig, ax = plt.subplots(figsize=(WIDTH, 4.0))
    for m in MODELS:
        run = res["runs"][m]
        ax.semilogy(
            run["test_step"],
            run["test_mse"],
            "o-",
            markersize=4,
            label=label(f"fig.adding.model.{m}", lang),
            linewidth=2,
        )
    ax.axhline(
        float(adding_baseline_mse.result.parts["baseline"]),
        color="black",
        linestyle=":",
        label=label("fig.adding_loss_curves.baseline", lang),
    )
    ax.axhline(
        float(adding_second_value_mse.result.parts["mse"]),
        color="gray",
        linestyle="--",
        label=label("fig.adding_loss_curves.second_value", lang),
    )
    ax.set(
        title=wrap(label("fig.adding_loss_curves.title", lang).format(T=hp["T"], H=hp["hidden"])),
        xlabel=label("fig.adding_loss_curves.x", lang),
        ylabel=label("fig.adding_loss_curves.y", lang),
    )
    ax.grid(alpha=0.3, which="both")
    legend_below(fig)
    return fig
