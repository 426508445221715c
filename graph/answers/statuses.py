"""What each status means to agrikg, read from ontology/statuses.ttl (through the store) once
per build: whether it permits supply, whether it means a negotiation is pending, and the colour
role it is drawn in. The code, the page, the graph view and the CLI all read it here, so the
meaning of a status is stated in one place only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph import PACKAGE_DIR
from graph.store.backends import Store, cached
from graph.store.named_queries import select

ACCESS_SCHEME = "https://w3id.org/agrikg/access-status"
VET_SCHEME = "https://w3id.org/agrikg/vet-status"
UNKNOWN = "unknown"
# The colour role of `unknown`, which is an answer rather than a concept of the graph.
UNKNOWN_ROLE = "unknown"
# The colour of each role: one stylesheet, used by the page, the graph view and the CLI.
COLOURS_CSS = PACKAGE_DIR / "static" / "colours.css"


@dataclass(frozen=True)
class Meaning:
    permits_supply: bool | None
    pending: bool
    colour_role: str


def meanings(store: Store, scheme: str = ACCESS_SCHEME) -> dict[str, Meaning]:
    """notation -> its meaning, for one scheme (the access statuses by default)."""
    def make() -> dict[str, dict[str, Meaning]]:
        out: dict[str, dict[str, Meaning]] = {}
        for row in select(store, "status_meaning"):
            permits = row.get("permitsSupply")
            out.setdefault(row["scheme"], {})[row["notation"]] = Meaning(
                None if permits is None else permits == "true",
                row.get("pending") == "true", row.get("colourRole") or UNKNOWN_ROLE)
        return out

    return cached(store, "status_meaning", make).get(scheme, {})


def permits(store: Store, status: str) -> bool | None:
    """The answer's `permitted` for an access status: None for `unknown` (open world)."""
    meaning = meanings(store).get(status)
    return None if meaning is None else meaning.permits_supply


def pending(store: Store, scheme: str = ACCESS_SCHEME) -> set[str]:
    """The notations of a scheme that mean a negotiation is still under way."""
    return {code for code, m in meanings(store, scheme).items() if m.pending}


def access_roles(store: Store) -> dict[str, str]:
    """Access status -> its colour role (agk:colourRole), in the order of their notations."""
    return {code: m.colour_role for code, m in meanings(store).items()}


def colour_roles(store: Store) -> dict[str, str]:
    """Access status -> colour role, `unknown` included: the CSS classes `role-<role>` and
    the graph view's colours are keyed by it."""
    return access_roles(store) | {UNKNOWN: UNKNOWN_ROLE}


@cache
def palette() -> tuple[dict[str, str], str]:
    """colour role -> colour (#rrggbb), and the stylesheet they are read from."""
    css = COLOURS_CSS.read_text(encoding="utf-8")
    return dict(re.findall(r"--role-([a-z]+):\s*(#[0-9a-fA-F]{6})", css)), css
