"""/health answers in constant time: the graph's size and date come from the served build's
build.json, and the store is only probed for any one triple, never counted."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.app import create_app
from graph.build.builder import current_build
from graph.settings import Settings
from tests.helpers.builds import serve_copy


def test_health_reports_the_size_build_json_records_not_a_count(settings, tmp_path) -> None:
    home = tmp_path / "home"
    build = serve_copy(current_build(settings), home)
    info = json.loads((build / "build.json").read_text())
    info["triples"] = 7  # a count no COUNT over the store would give
    (build / "build.json").write_text(json.dumps(info))
    with TestClient(create_app(Settings(home=home, endpoint=None))) as client:
        body = client.get("/health").json()
    assert body["status"] == "ok"
    assert (body["triples"], body["built_at"], body["empty"]) == (7, info["built_at"], False)

