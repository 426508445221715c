"""The HS 2022 nomenclature as the answers need it: which six-digit subheadings a code spans.

Complete coverage compares products by their subheadings (HS 0204 is nine of them, the
records on chilled and frozen mutton cover eight), so a heading or chapter is expanded to the
subheadings under it. Read from the reference copy in the package (graph/reference/), never
fetched.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from graph import REFERENCE_DIR


@lru_cache(maxsize=1)
def _subheadings() -> tuple[str, ...]:
    with (REFERENCE_DIR / "hs2022.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(sorted(row["hscode"] for row in csv.DictReader(handle)
                            if row["hscode"].isdigit() and len(row["hscode"]) == 6))


@lru_cache(maxsize=4096)
def subheadings(code: str) -> frozenset[str]:
    """The six-digit subheadings under `code` (itself for a subheading, or for a code HS 2022
    does not know, so that coverage stays a plain comparison of codes)."""
    if len(code) >= 6:
        return frozenset([code])
    found = frozenset(c for c in _subheadings() if c.startswith(code))
    return found or frozenset([code])


def span(codes: list[str] | set[str]) -> frozenset[str]:
    """The subheadings a product's codes span together."""
    out: set[str] = set()
    for code in codes:
        out |= subheadings(code)
    return frozenset(out)
