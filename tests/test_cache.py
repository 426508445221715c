"""Answers kept for questions asked again: /access and /sparql serve the same answers from the
cache as without it, never an old build's answer after a rebuild, honour format negotiation and
the row cap, and the cache can be switched off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.answers.check import check
from graph.build.builder import current_build
from graph.settings import Settings
from graph.store.backends import LRU, EmbeddedStore
from tests.helpers.builds import copy_build, point_current, serve_copy
from tests.helpers.servers import until

AGK = "https://w3id.org/agrikg/ontology#"
STATUS = "https://w3id.org/agrikg/access-status/"
FIVE_ROWS = "SELECT ?s WHERE { ?s a <https://w3id.org/agrikg/ontology#AccessRecord> } " \
            "ORDER BY ?s LIMIT 5"
WHEAT_CN = ("SELECT ?status WHERE { ?r <https://w3id.org/agrikg/ontology#product> "
            "<https://w3id.org/agrikg/product/wheat> ; <https://w3id.org/agrikg/ontology#market> "
            "<https://w3id.org/agrikg/market/CN> ; <https://w3id.org/agrikg/ontology#accessStatus> "
            "?status }")


@pytest.fixture
def home(settings: Settings, tmp_path: Path) -> Path:
    """A home of its own serving a copy of the built graph (so it can be rebuilt here)."""
    home = tmp_path / "home"
    serve_copy(current_build(settings), home)
    return home


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(home=home, endpoint=None, row_cap=3))) as client:
        yield client


def _restrict_wheat_in_china(build: Path) -> None:
    """Change the build's store as a rebuild from edited data would: wheat to China restricted."""
    store = ox.Store(str(build / "store"))
    records = [q.subject for q in store.quads_for_pattern(
        None, ox.NamedNode(AGK + "product"), ox.NamedNode("https://w3id.org/agrikg/product/wheat"))
        if ox.Quad(q.subject, ox.NamedNode(AGK + "market"),
                   ox.NamedNode("https://w3id.org/agrikg/market/CN"), q.graph_name) in store]
    assert records
    status = ox.NamedNode(AGK + "accessStatus")
    for record in records:
        for quad in list(store.quads_for_pattern(record, status, None)):
            store.remove(quad)
            store.add(ox.Quad(record, status, ox.NamedNode(STATUS + "restricted"),
                              quad.graph_name))
    store.flush()
    del store


def test_a_rebuild_is_answered_never_the_answer_cached_before_it(client: TestClient,
                                                                 home: Path) -> None:
    params = {"product": "wheat", "market": "CN"}
    for _ in range(2):  # the second answer comes from the cache
        assert client.get("/access", params=params).json()["status"] == "open"
    for _ in range(2):
        assert "access-status/open" in client.get("/sparql", params={"query": WHEAT_CN}).text
    assert len(client.app.state.service.answers()) >= 2, "both answers were kept before the rebuild"

    rebuilt = copy_build(home / "builds" / "a", home, "b")
    _restrict_wheat_in_china(rebuilt)
    point_current(home, "b")
    client.app.state.service._checked = 0.0  # the next request looks for a new build at once
    # It is opened in the background while the old one answers; then it answers.
    until(30, lambda: client.get("/health").headers["Agrikg-Build"] == "b", 0.05)

    answer = client.get("/access", params=params).json()
    assert answer["status"] == "restricted" and answer["permitted"] is False
    assert client.get("/access", params=params).json()["status"] == "restricted"
    # The same /sparql question is answered from the new build, not the old cache.
    sparql = client.get("/sparql", params={"query": WHEAT_CN}).text
    assert "access-status/restricted" in sparql and "access-status/open" not in sparql


def test_cached_access_answers_echo_the_question_asked(client: TestClient) -> None:
    first = client.get("/access", params={"product": "wheat", "market": "CN"}).json()
    kept = [k for k in client.app.state.service.answers()._items if k[0] == "access"]
    assert len(kept) == 1, "the answer was kept"
    again = client.get("/access", params={"product": "wheat", "market": "CN"}).json()
    assert again == first
    other = client.get("/access", params={"product": "1001", "market": "China"}).json()
    assert other["status"] == first["status"]
    assert other["product"]["query"] == "1001" and other["product"]["matched_by"] == "hs-code"
    assert other["market"]["query"] == "China"
    russian = client.get("/access", params={"product": "wheat", "market": "CN"},
                         headers={"Accept-Language": "ru"}).json()
    assert russian["lang"] == "ru" and russian["message"] != first["message"]
    assert client.get("/access", params={"product": "wheat", "market": "CN",
                                         "lang": "de"}).status_code == 422


def test_a_cached_sparql_answer_honours_format_and_row_cap(client: TestClient) -> None:
    for _ in range(2):
        response = client.get("/sparql", params={"query": FIVE_ROWS},
                              headers={"Accept": "application/sparql-results+json"})
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        assert len(response.json()["results"]["bindings"]) == 3  # row cap 3
        assert response.headers["Agrikg-Result-Truncated"] == "true"
    for _ in range(2):
        response = client.get("/sparql", params={"query": FIVE_ROWS}, headers={"Accept": "text/csv"})
        assert response.headers["content-type"].startswith("text/csv")
        assert response.text.splitlines()[0] == "s" and len(response.text.splitlines()) == 4
        assert response.headers["Agrikg-Result-Truncated"] == "true"
    tsv = client.get("/sparql", params={"query": FIVE_ROWS, "format": "tsv"})
    assert tsv.text.startswith("?s\n")
    assert len(client.app.state.service.answers()) == 3, "one kept answer per format"


def test_the_answer_cache_can_be_switched_off(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("AGRIKG_ANSWER_CACHE", "false")
    settings = Settings(home=home, endpoint=None)
    assert settings.answer_cache == 0
    with TestClient(create_app(settings)) as client:
        service = client.app.state.service
        assert service.answers() is None
        runs = _count_engine_runs(service)
        for _ in range(3):
            assert client.get("/sparql", params={"query": FIVE_ROWS}).status_code == 200
            assert client.get("/access", params={"product": "wheat",
                                                 "market": "CN"}).json()["status"] == "open"
        assert len(runs) == 3  # every /sparql question reached the engine


def test_with_the_cache_on_a_repeated_sparql_question_skips_the_engine(client) -> None:
    service = client.app.state.service
    runs = _count_engine_runs(service)
    bodies = {client.get("/sparql", params={"query": FIVE_ROWS}).content for _ in range(3)}
    assert len(bodies) == 1 and len(runs) == 1


def _count_store_queries(store: EmbeddedStore, monkeypatch) -> list[str]:
    """Record every query the store is asked (the list fills as it answers)."""
    asked: list[str] = []
    real = store.select

    def counted(sparql: str) -> list:
        asked.append(sparql)
        return real(sparql)

    monkeypatch.setattr(store, "select", counted)
    return asked


def test_check_answers_are_kept_per_store(settings: Settings, monkeypatch) -> None:
    store = EmbeddedStore(current_build(settings) / "store")
    first = check(store, "beef", "AE", lang="en")
    asked = _count_store_queries(store, monkeypatch)
    assert check(store, "beef", "AE", lang="en") == first
    assert check(store, "говядина", "AE", lang="en")["product"]["query"] == "говядина"
    assert asked == [], "a question asked again is answered without asking the store"
    # A store opened anew (as after a rebuild) starts with no kept answers: it asks its store.
    fresh = EmbeddedStore(current_build(settings) / "store")
    asked_fresh = _count_store_queries(fresh, monkeypatch)
    assert check(fresh, "beef", "AE", lang="en") == first
    assert asked_fresh, "the new store answered from an answer kept for another store"


def test_lru_drops_the_least_recently_used_and_bounds_the_total_cost() -> None:
    cache = LRU(max_items=2, max_cost=10)
    cache.put("a", 1, 4)
    cache.put("b", 2, 4)
    assert cache.get("a") == 1
    cache.put("c", 3, 4)  # over 10: b (least recently used) goes
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    cache.put("big", 4, 11)  # larger than the whole budget: not kept
    assert cache.get("big") is None and cache.cost <= 10


def _count_engine_runs(service) -> list:
    """Record every query that reaches the engine (the list fills as /sparql runs them)."""
    runs: list = []
    real = service.engine.run

    async def counted(job, timeout):
        runs.append(job)
        return await real(job, timeout)

    service.engine.run = counted
    return runs


def _replays(service) -> list[tuple]:
    """The kept responses of the /access replay (api.routes.market_access.AccessReplay)."""
    answers = service.served.answers()
    return [key for key in answers._items if key[0] == "access-response"]


def _same_response(first, again) -> None:
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert {k: v for k, v in again.headers.items() if k != "date"} == \
        {k: v for k, v in first.headers.items() if k != "date"}


def test_an_access_question_asked_again_gets_the_same_response_replayed(client) -> None:
    """Headers too: the answer's language (by Accept-Language when no lang is given), its
    compression (by Accept-Encoding), Vary and the build's name, as the first time."""
    service = client.app.state.service
    asked = {"product": "wheat", "market": "CN"}
    variants = [{"Accept-Language": "ru", "Accept-Encoding": "gzip"},
                {"Accept-Language": "kk", "Accept-Encoding": "gzip"},
                {"Accept-Language": "ru", "Accept-Encoding": "identity"}]
    firsts = [client.get("/access", params=asked, headers=h) for h in variants]
    assert len(_replays(service)) == 3
    stack, below = client.app.middleware_stack, []

    async def counted(scope, receive, send):  # FastAPI's layers and the middlewares
        below.append(scope["path"])
        await stack(scope, receive, send)

    client.app.middleware_stack = counted
    for headers, first in zip(variants, firsts, strict=True):
        _same_response(first, client.get("/access", params=asked, headers=headers))
    assert len(_replays(service)) == 3  # the second time each was replayed, not kept again
    assert below == []  # ...and sent before the stack saw the request
    client.get("/access", params={"product": "barley", "market": "CN"})
    assert below == ["/access"]  # a new question goes down it
    ru, kk, plain = firsts
    assert ru.json()["lang"] == "ru" and kk.json()["lang"] == "kk" and ru.json() != kk.json()
    assert ru.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert "Accept-Language" in ru.headers["vary"] and "Accept-Encoding" in ru.headers["vary"]
    assert ru.headers["agrikg-build"]


def test_an_access_question_asked_again_still_meets_the_header_limit_and_cors(
        home: Path) -> None:
    with TestClient(create_app(Settings(home=home, endpoint=None,
                                        max_header_bytes=4096))) as client:
        asked = {"product": "wheat", "market": "CN", "lang": "en"}
        assert client.get("/access", params=asked).status_code == 200
        big = client.get("/access", params=asked, headers={"X-Filler": "x" * 5000})
        assert big.status_code == 431 and "4096" in big.json()["detail"]
        cross = client.get("/access", params=asked, headers={"Origin": "https://example.org"})
        assert cross.status_code == 200 and cross.headers["access-control-allow-origin"] == "*"


def test_an_access_answer_of_today_is_not_replayed_tomorrow(client, monkeypatch) -> None:
    """Without as_of the answer is as of today: a new day asks the stack again."""
    import datetime

    from api.routes import market_access

    service = client.app.state.service
    asked = {"product": "wheat", "market": "CN", "lang": "en"}
    client.get("/access", params=asked)
    client.get("/access", params=asked)
    assert len(_replays(service)) == 1

    class Tomorrow(datetime.date):
        @classmethod
        def today(cls):
            return datetime.date.today() + datetime.timedelta(days=1)

    monkeypatch.setattr(market_access, "date", Tomorrow)
    assert client.get("/access", params=asked).status_code == 200
    assert len(_replays(service)) == 2
