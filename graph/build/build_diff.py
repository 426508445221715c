"""What a build changed since the build it replaces: the records and measures added, changed
and removed, from the digests each build keeps in its build.json (`records` and `measures`:
{IRI: digest of what it says}). Written into the new build's build.json as `diff`; `agrikg
info` shows it (graph.store.builds.diff_summary)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.store.builds import INFO_FILE

KINDS = ("records", "measures")


def diff(previous: dict[str, Any] | None, current: dict[str, Any],
         previous_name: str | None = None) -> dict[str, Any] | None:
    """`current`'s records and measures against `previous`'s (both build.json contents):
    {"previous": {"build", "built_at"} or None, "records": {"added", "changed", "removed"},
    "measures": {...}}, each a sorted list of IRIs. A first build adds everything. None when the
    new build keeps no digests (a build from a large file); a kind the replaced build kept no
    digests of is null, since what changed cannot be told."""
    if not any(isinstance(current.get(kind), dict) for kind in KINDS):
        return None
    out: dict[str, Any] = {"previous": None if previous is None else {
        "build": previous_name, "built_at": previous.get("built_at")}}
    for kind in KINDS:
        now = current.get(kind) or {}
        if previous is None:
            before: dict[str, str] | None = {}
        else:
            before = previous.get(kind) if isinstance(previous.get(kind), dict) else None
        if before is None:
            out[kind] = None
            continue
        out[kind] = {"added": sorted(now.keys() - before.keys()),
                     "changed": sorted(k for k in now.keys() & before.keys() if now[k] != before[k]),
                     "removed": sorted(before.keys() - now.keys())}
    return out


def diff_against(replaced: Path | None, current: dict[str, Any]) -> dict[str, Any] | None:
    """The diff of a new build (its build.json contents) against the build directory it
    replaces (None when there is none); a replaced build.json that cannot be read counts as
    keeping no digests."""
    if replaced is None:
        return diff(None, current)
    try:
        previous = json.loads((replaced / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    return diff(previous if isinstance(previous, dict) else {}, current, replaced.name)
