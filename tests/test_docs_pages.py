"""/redoc and /docs come from our own server only (api/docs_pages.py): the pages and the scripts
they load name no address off the server (ReDoc's script as shipped loads a logo from a CDN)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.docs_pages import CDN_LOGO
from graph.settings import Settings

OUTSIDE = re.compile(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', re.I)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("path", ["/redoc", "/docs"])
def test_the_api_docs_load_nothing_from_elsewhere(client, path) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert not OUTSIDE.search(page.text), OUTSIDE.search(page.text)
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts and all(s.startswith("/") for s in scripts)
    for script in scripts:
        body = client.get(script)
        assert body.status_code == 200 and CDN_LOGO not in body.content, script
