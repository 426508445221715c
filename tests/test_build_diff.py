"""What a build changed since the one it replaces (graph/build/build_diff.py), from the digests
each build.json keeps, and how `agrikg info` shows it (graph.store.builds.diff_summary)."""

from __future__ import annotations

import json
from pathlib import Path

from graph.build.build_diff import diff, diff_against
from graph.store.builds import diff_summary

R = "https://w3id.org/agrikg/record/"
M = "https://w3id.org/agrikg/measure/"


def _info(records: dict[str, str], measures: dict[str, str] | None = None) -> dict:
    return {"built_at": "2026-01-01T00:00:00Z", "records": {R + k: v for k, v in records.items()},
            "measures": {M + k: v for k, v in (measures or {}).items()}}


def test_records_and_measures_added_changed_removed() -> None:
    before = _info({"a": "1", "b": "2", "c": "3"}, {"ban": "x"})
    after = _info({"a": "1", "b": "22", "d": "4"}, {"ban": "y", "quota": "z"})
    found = diff(before, after, "old-build")
    assert found["previous"] == {"build": "old-build", "built_at": "2026-01-01T00:00:00Z"}
    assert found["records"] == {"added": [R + "d"], "changed": [R + "b"], "removed": [R + "c"]}
    assert found["measures"] == {"added": [M + "quota"], "changed": [M + "ban"], "removed": []}


def test_a_first_build_adds_everything_and_a_build_without_digests_has_no_diff() -> None:
    first = diff(None, _info({"a": "1"}))
    assert first["previous"] is None and first["records"]["added"] == [R + "a"]
    assert diff(_info({"a": "1"}), {"built_at": "x", "triples": 10}) is None  # built --from a file
    # the build replaced kept no digests: what changed cannot be told, so it is not guessed
    assert diff({"built_at": "x"}, _info({"a": "1"}), "old")["records"] is None


def test_diff_against_reads_the_replaced_build(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "build.json").write_text(json.dumps(_info({"a": "1"})), encoding="utf-8")
    assert diff_against(old, _info({"a": "2"}))["records"]["changed"] == [R + "a"]
    (old / "build.json").write_text("{not json", encoding="utf-8")
    assert diff_against(old, _info({"a": "2"}))["records"] is None
    assert diff_against(None, _info({"a": "2"}))["records"]["added"] == [R + "a"]


def test_info_shows_counts_and_the_first_ids() -> None:
    found = diff(_info({}), _info({f"r{i}": "1" for i in range(8)}), "old")
    shown = diff_summary(found, first=3)
    assert shown["records"]["added"] == {"count": 8, "first": ["r0", "r1", "r2"]}
    assert shown["records"]["removed"] == {"count": 0, "first": []}
    assert diff_summary(None) is None
