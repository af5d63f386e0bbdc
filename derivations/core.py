"""Registry of derivations: each is a named SymPy result with numerical checks against independent oracles.

A *derivation* is a function returning a :class:`Result` (computed once, cached). A *check* is a function
returning the largest error it found when it compared the derived result with something that did not come
from the same code path (finite differences, mpmath at high precision, a closed form, PyTorch autograd).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp


@dataclass(frozen=True)
class Result:
    """What a derivation produced: the main SymPy object, how to display it, and named parts pages may use."""

    expr: sp.Basic
    latex: str = ""
    parts: dict[str, sp.Basic] = field(default_factory=dict)
    symbols: dict[str, str] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)  # exact strings pages may show (e.g. a decimal expansion)

    def display_latex(self) -> str:
        """The LaTeX shown for the result: the explicit ``latex`` if given, else ``sympy.latex(expr)``."""
        return self.latex or sp.latex(self.expr)


@dataclass(frozen=True)
class Check:
    """A numerical comparison with an independent oracle; ``run`` returns the largest error found."""

    oracle: str
    run: Callable[[], float]
    tol: float
    needs: str = ""  # optional module that must be importable (e.g. "torch"); missing -> skipped
    oracle_zh: str = ""  # the oracle described in Chinese, for the Chinese pages' check tables


@dataclass
class Derivation:
    """A registered derivation: name, one-line titles (en, zh), the function that derives it, and its checks."""

    name: str
    title: str
    title_zh: str
    module: str
    func: Callable[[], Result]
    checks: list[Check] = field(default_factory=list)

    @functools.cached_property
    def result(self) -> Result:
        """The derived result (computed on first use, then cached for the life of the process)."""
        out = self.func()
        if not isinstance(out, Result):
            raise TypeError(f"derivation {self.name} returned {type(out).__name__}, expected Result")
        return out

    def check(
        self, oracle: str, tol: float, needs: str = "", oracle_zh: str = ""
    ) -> Callable[[Callable[[], float]], Callable[[], float]]:
        """Decorator registering a check of this derivation against ``oracle`` (described in English, and in Chinese
        as ``oracle_zh``) with tolerance ``tol``; ``needs`` names a module whose absence skips the check."""

        def register(fn: Callable[[], float]) -> Callable[[], float]:
            self.checks.append(Check(oracle=oracle, run=fn, tol=tol, needs=needs, oracle_zh=oracle_zh))
            return fn

        return register


_REGISTRY: dict[str, Derivation] = {}


def derivation(name: str, title: str, title_zh: str) -> Callable[[Callable[[], Result]], Derivation]:
    """Decorator registering ``func`` as the derivation ``name`` with English and Chinese one-line titles."""

    def register(func: Callable[[], Result]) -> Derivation:
        if name in _REGISTRY:
            raise ValueError(f"derivation {name!r} registered twice")
        d = Derivation(name=name, title=title, title_zh=title_zh, module=func.__module__, func=func)
        _REGISTRY[name] = d
        return d

    return register


# Modules of the package that hold no derivations (subpackages hold none either: nets, oracles, experiments).
_NOT_TOPICS = {"core", "cli", "verify", "sym", "__main__"}


@functools.cache
def _load_all() -> None:
    for name in _topic_modules():
        importlib.import_module(name)


@functools.cache
def _topic_modules() -> tuple[str, ...]:
    import derivations

    return tuple(
        f"derivations.{info.name}"
        for info in sorted(pkgutil.iter_modules(derivations.__path__), key=lambda i: i.name)
        if not info.ispkg and info.name not in _NOT_TOPICS and not info.name.startswith("_")
    )


def registry() -> dict[str, Derivation]:
    """All registered derivations by name, ordered by topic module (alphabetical), then by position in the module."""
    _load_all()
    rank = {m: i for i, m in enumerate(_topic_modules())}
    order = sorted(enumerate(_REGISTRY.values()), key=lambda p: (rank.get(p[1].module, len(rank)), p[0]))
    return {d.name: d for _, d in order}


def rebuild(text: str) -> sp.Basic:
    """Rebuild a SymPy object from its ``sympy.srepr`` text (the ``sympy`` field of ``show --format json``)."""
    from sympy.functions.elementary.piecewise import ExprCondPair

    return eval(text, {**vars(sp), "ExprCondPair": ExprCondPair})


def get(name: str) -> Derivation:
    """The derivation called ``name``; raises ``KeyError`` with close matches if there is none."""
    reg = registry()
    if name not in reg:
        raise KeyError(name)
    return reg[name]
