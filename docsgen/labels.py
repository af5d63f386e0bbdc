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
    # --- figures: bptt, spectral, explorer --------------------------------------------------------------------
    # --- figures: lstm, gru, gated ----------------------------------------------------------------------------
    # --- figures: remedies (clipping, initialisation, normalisation, residual, regularisation) ----------------
    # --- figures: adding problem ------------------------------------------------------------------------------
}


def label(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (en or zh); KeyError naming the key if it is missing."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; accepted: {', '.join(LANGS)}")
    try:
        return LABELS[key][lang]
    except KeyError:
        raise KeyError(f"no {lang} label {key!r} in docsgen/labels.py") from None
