"""Executable derivations of vanishing and exploding gradients: SymPy results with numerical checks.

Use ``derivations.get(name).result`` for a derived result, ``derivations.registry()`` for all of them, and
``python -m derivations list | show NAME | verify`` from the command line.
"""

from derivations.core import Check, Derivation, Result, derivation, get, registry

__all__ = ["Check", "Derivation", "Result", "derivation", "get", "registry"]
