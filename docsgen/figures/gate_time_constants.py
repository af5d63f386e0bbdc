"""Figures of the gate-time-constants page."""

from __future__ import annotations

from derivations.gate_time_constants import figure_data_chrono_cdfs
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("chrono_time_constants")
def chrono_time_constants(lang: str):
    """Exact CDFs of the time constant 1/(1 - f) under chrono initialisation (T_max = 100): as published, the same
    value in both PyTorch bias vectors, independent draws in each."""
    plt = setup(lang)
    d = figure_data_chrono_cdfs()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    for key, style, color in (
        ("one_vector", "-", "tab:blue"),
        ("same_both", "--", "tab:red"),
        ("independent_both", ":", "tab:orange"),
    ):
        ax.plot(d["tau"], d[key], style, color=color, label=label(f"fig.chrono_time_constants.{key}", lang))
    ax.axvline(d["tmax"], color="grey", linewidth=1.0)
    ax.text(d["tmax"] * 1.15, 0.55, r"$T_{\max}$", color="grey")
    ax.set_xscale("log")
    ax.set(
        xlim=(d["tau"][0], d["tau"][-1]),
        ylim=(0, 1.02),
        title=wrap(label("fig.chrono_time_constants.title", lang)),
        xlabel=label("fig.chrono_time_constants.x", lang),
        ylabel=label("fig.chrono_time_constants.y", lang),
    )
    ax.grid(alpha=0.3)
    legend_below(fig)
    return fig
