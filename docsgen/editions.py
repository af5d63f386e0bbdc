"""The site's editions: number and date only (what each added and corrected is written in the changelog pages).

One place for both readers of it: the changelog pages (``{{ edition(n) }}`` in their headings) and the "cite this
page" block (hooks/cite.py), which cites the latest edition.
"""

from __future__ import annotations

EDITIONS: tuple[tuple[int, str], ...] = (  # (number, date of the commit that completed it, ISO 8601)
    (1, "2026-11-22"),
    (2, "2026-11-29"),
    (3, "2026-11-30"),
)


def latest() -> tuple[int, str]:
    """(number, date) of the latest edition."""
    return max(EDITIONS)


def date_of(number: int) -> str:
    """The date of edition ``number``; KeyError naming the editions there are."""
    for n, date in EDITIONS:
        if n == number:
            return date
    raise KeyError(f"no edition {number}; editions: {', '.join(str(n) for n, _ in EDITIONS)}")
