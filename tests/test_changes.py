"""The change feed (graph/answers/changes.py, /changes.atom): every status change of a pair from
its dated records, with old -> new status, effective date, the record and its sources; the feed
parses back as Atom 1.0 and is filtered by market, product, since and language."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from api.app import create_app
from graph.answers.changes import BadFilter, changes, period_start
from graph.settings import Settings
from graph.store.backends import EmbeddedStore
from graph.store.builds import current_build

HISTORY = Path(__file__).parent / "data" / "feed" / "history.ttl"
R = "https://w3id.org/agrikg/record/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def history_home(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home serving a copy of the built graph with the dated history of tests/data/feed/ added
    to its store (beef to China: open 2018, restricted 2022-02, lifted 2024-02-07; frozen mutton
    to Iran: agreed 2018, two sources disagreeing on 2023-12-05)."""
    home = tmp_path_factory.mktemp("history-home")
    target = home / "builds" / "history"
    shutil.copytree(current_build(settings), target, symlinks=True)
    store = ox.Store(str(target / "store"))
    store.load(path=str(HISTORY), format=ox.RdfFormat.TURTLE)
    store.flush()
    del store
    (home / "current.tmp").symlink_to(Path("builds") / "history")
    os.replace(home / "current.tmp", home / "current")
    return home


@pytest.fixture(scope="module")
def history(history_home: Path) -> EmbeddedStore:
    return EmbeddedStore(history_home / "builds" / "history" / "store")


@pytest.fixture(scope="module")
def client(history_home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(home=history_home, endpoint=None))) as client:
        yield client


def _by_record(found: list[dict]) -> dict[str, dict]:
    return {c["id"]: c for c in found}


def test_a_pair_s_history_gives_one_change_per_new_status(history) -> None:
    found = changes(history, "en", market="CN", product="beef")
    beef = [c for c in found if c["product"]["id"] == "beef"]
    assert [(c["old_status"], c["status"], c["as_of"]) for c in beef] == [
        ("restricted", "restriction-lifted", "2024-02-07"),
        ("open", "restricted", "2022-02"),
        ("unknown", "open", "2018"),
    ]  # newest first; the first record of the pair changes "no information" into a status
    lifted = beef[0]
    assert lifted["record"] == R + "test-kz-cn-beef-2024-02-07"
    assert lifted["old_records"] == [R + "test-kz-cn-beef-2022-02"]
    assert (lifted["precision"], lifted["start"], lifted["report_date"]) == \
        ("day", "2024-02-07", "2024-02-08")
    [source] = lifted["sources"]
    assert source["quote"] == "China lifted the restrictions on Kazakh beef on 7 February 2024."
    assert source["quote_lang"] == "en"
    assert source["url"] == "https://example.org/news/cn-lifts-2024"
    assert source["publisher"] == "Test Agency" and source["published"] == "2024-02-08"
    assert lifted["title"] == "Beef to China: Restricted → Restrictions lifted"
    assert "7 February 2024" in lifted["summary"] and "Test Agency" in lifted["summary"]
    restricted = beef[1]
    assert restricted["start"] == "2022-02-01" and restricted["precision"] == "month"


def test_a_record_repeating_the_status_before_it_is_no_change(history) -> None:
    """Wheat to China has one record: one change (unknown -> open), nothing repeated."""
    found = changes(history, "en", market="CN", product="wheat")
    assert [(c["product"]["id"], c["old_status"], c["status"]) for c in found] == \
        [("wheat", "unknown", "open")]


def test_sources_disagreeing_on_one_date_are_both_shown_as_a_conflict(history) -> None:
    found = _by_record(changes(history, "en", market="IR", product="frozen-mutton"))
    a, b = found["test-kz-ir-frozen-mutton-a"], found["test-kz-ir-frozen-mutton-b"]
    assert a["conflict"] and b["conflict"]
    assert {a["status"], b["status"]} == {"open", "restricted"}
    assert a["old_status"] == b["old_status"] == "requirements-agreed"
    assert a["conflict_statuses"] == ["open", "restricted"]
    assert "Sources disagree" in a["summary"]


def test_filters_market_product_since(history) -> None:
    everything = changes(history, "en")
    assert {c["market"]["code"] for c in everything} >= {"CN", "IR", "AE", "SA"}
    assert {c["market"]["code"] for c in changes(history, "en", market="Қытай")} == {"CN"}
    # a product keeps the changes on it, within it and on the groups whose records reach it
    meat = {c["product"]["id"] for c in changes(history, "en", product="meat-except-pork")}
    assert "beef" in meat and "meat-except-pork" in meat and "wheat" not in meat
    since = changes(history, "en", since="2023")
    assert since and all(c["start"] >= "2023-01-01" for c in since)
    assert {c["id"] for c in since} == {"test-kz-cn-beef-2024-02-07", "test-kz-ir-frozen-mutton-a",
                                       "test-kz-ir-frozen-mutton-b"}
    assert [c["id"] for c in changes(history, "en", since="2024-02-08")] == []
    assert "test-kz-cn-beef-2024-02-07" in {c["id"] for c in changes(history, since="2024-02")}


@pytest.mark.parametrize(("filters", "lang", "words"), [
    ({"market": "Narnia"}, "en", "market: no market matches “Narnia”"),
    ({"market": "Narnia"}, "ru", "рынок «Narnia» не найден"),
    ({"product": "unobtainium"}, "kk", "«unobtainium» өнімі табылмады"),
    ({"since": "2024-13"}, "en", "since: “2024-13” is not a date; give YYYY, YYYY-MM or YYYY-MM-DD"),
    ({"since": "yesterday"}, "ru", "укажите ГГГГ, ГГГГ-ММ или ГГГГ-ММ-ДД"),
])
def test_a_bad_filter_says_what_was_given_and_what_is_accepted(history, filters, lang,
                                                               words) -> None:
    with pytest.raises(BadFilter) as raised:
        changes(history, lang, **filters)
    assert words in raised.value.message
    assert raised.value.parameter == next(iter(filters))


def test_period_start_is_the_start_of_the_period() -> None:
    assert period_start("2018", "year").isoformat() == "2018-01-01"
    assert period_start("2022-02", "month").isoformat() == "2022-02-01"
    assert period_start("2024-02-07", "day").isoformat() == "2024-02-07"
    assert period_start("2024-02-07Z").isoformat() == "2024-02-07"
    assert period_start("2024-02-30") is None and period_start("soon") is None


def test_the_feed_parses_back_as_valid_atom(client) -> None:
    response = client.get("/changes.atom", params={"lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.id.startswith("https://w3id.org/agrikg/changes")
    assert feed.feed.title == "agrikg: market access status changes"
    assert feed.feed.updated_parsed is not None
    assert any(link.rel == "self" for link in feed.feed.links)
    by_id = {entry.id: entry for entry in feed.entries}
    lifted = by_id[R + "test-kz-cn-beef-2024-02-07"]
    assert lifted.title == "Beef to China: Restricted → Restrictions lifted"
    assert lifted.updated.startswith("2024-02-08") and lifted.published.startswith("2024-02-07")
    links = {link.rel: link.href for link in lifted.links}
    assert links["alternate"] == "http://testserver/record/test-kz-cn-beef-2024-02-07"
    assert links["via"] == "https://example.org/news/cn-lifts-2024"
    assert "China lifted the restrictions" in lifted.summary
    # every entry has what RFC 4287 requires (feedparser reads leniently: check the XML itself)
    root = etree.fromstring(response.content)
    assert root.tag == ATOM + "feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(ATOM + tag) is not None, tag
    entries = root.findall(ATOM + "entry")
    assert len(entries) == len(feed.entries) > 3
    for entry in entries:
        for tag in ("id", "title", "updated", "link", "summary"):
            assert entry.find(ATOM + tag) is not None, tag
    # the record's page the entry links to is there
    assert client.get("/record/test-kz-cn-beef-2024-02-07",
                      headers={"Accept": "text/html"}).status_code == 200


def test_the_feed_is_filtered_and_speaks_the_asked_language(client) -> None:
    response = client.get("/changes.atom", params={"market": "CN", "product": "beef",
                                                   "lang": "ru"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.feed.title == "agrikg: изменения статуса доступа на рынки"
    assert feed.feed.language == "ru"
    assert [e.id.rsplit("/", 1)[-1] for e in feed.entries] == [
        "test-kz-cn-beef-2024-02-07", "test-kz-cn-beef-2022-02", "kz-cn-beef"]
    assert all(e.title.startswith("Говядина — Китай") for e in feed.entries)
    assert feed.entries[0].title == "Говядина — Китай: Поставки ограничены → Ограничения сняты"
    assert "Китай ввёл ограничения" in feed.entries[1].summary  # the quote in its own language
    kk = feedparser.parse(client.get("/changes.atom", params={"market": "IR",
                                                              "lang": "kk"}).content)
    assert kk.feed.language == "kk" and kk.entries
    assert "Мұздатылған қой еті — Иран: Талаптар келісілді → Нарық ашық" in \
        [e.title for e in kk.entries]
    assert "дереккөздер келіспейді" in " ".join(e.summary for e in kk.entries).lower()


@pytest.mark.parametrize(("params", "headers", "words"), [
    ({"market": "Narnia"}, {}, "no market matches “Narnia”"),
    ({"market": "Narnia", "lang": "ru"}, {}, "рынок «Narnia» не найден"),
    ({"product": "unobtainium"}, {"Accept-Language": "kk"}, "өнімі табылмады"),
    ({"since": "2024-99"}, {}, "is not a date"),
    ({"lang": "de"}, {"Accept-Language": "ru"}, "lang: «de» — не язык agrikg; укажите kk, ru или en"),
])
def test_a_bad_filter_is_a_400_in_the_user_s_language(client, params, headers, words) -> None:
    response = client.get("/changes.atom", params=params, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert words in body["detail"]
    assert body["parameter"] == next(iter(params))
