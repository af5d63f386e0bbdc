"""Figures of the norm-preserving recurrences page."""

from __future__ import annotations

import numpy as np

from derivations.norm_preserving import figure_data_euler_eigs, figure_data_orthogonal_tanh
from docsgen.figures import figure
from docsgen.labels import label
from docsgen.style import WIDTH, legend_below, setup, wrap


@figure("antisymmetric_euler_eigs")
def antisymmetric_euler_eigs(lang: str):
    """Eigenvalues of the AntisymmetricRNN's one-step Jacobian at h = 0, I + eps(M - gamma I), with gamma = 0 and with
    the smallest gamma that brings every modulus to at most 1, against the unit circle."""
    plt = setup(lang)
    d = figure_data_euler_eigs()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    theta = np.linspace(-np.pi, np.pi, 400)
    ax.plot(np.cos(theta), np.sin(theta), ":", color="grey", label=label("fig.antisymmetric_euler_eigs.circle", lang))
    for key, marker, color in (("no_diffusion", "o", "tab:red"), ("diffusion", "s", "tab:blue")):
        ev = d[key]
        text = label(f"fig.antisymmetric_euler_eigs.{key}", lang).format(gamma=f"{d['gamma']:.3f}")
        ax.plot(ev.real, ev.imag, marker, color=color, markersize=4, linestyle="none", label=text)
    ax.set(
        title=wrap(label("fig.antisymmetric_euler_eigs.title", lang).format(eps=f"{d['eps']:g}")),
        xlabel=label("fig.antisymmetric_euler_eigs.x", lang),
        ylabel=label("fig.antisymmetric_euler_eigs.y", lang),
    )
    ax.set_aspect("equal", adjustable="datalim")  # a circle stays round; the axes keep the figure's full width
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=1)
    return fig


@figure("orthogonal_tanh_norms")
def orthogonal_tanh_norms(lang: str):
    """log-scale ||dh_t/dh_0||_2 against t: orthogonal W linear, orthogonal W with tanh, Gaussian W with tanh (the
    same N(0, 1) input drive), and the fixed-point counter-example (3/4)^t."""
    plt = setup(lang)
    d = figure_data_orthogonal_tanh()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.9))
    for key, style in (
        ("orth_linear", "-"),
        ("orth_tanh", "-"),
        ("gauss_tanh", "--"),
        ("fixed_point", ":"),
    ):
        ax.semilogy(d["t"], d[key], style, label=label(f"fig.orthogonal_tanh_norms.{key}", lang))
    ax.set(
        title=wrap(label("fig.orthogonal_tanh_norms.title", lang)),
        xlabel=label("fig.orthogonal_tanh_norms.x", lang),
        ylabel=r"$\Vert\partial h_t/\partial h_0\Vert_2$",
    )
    ax.grid(alpha=0.3)
    legend_below(fig, ncols=1)
    return fig
