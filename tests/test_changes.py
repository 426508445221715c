"""The change feed (graph/answers/changes.py, /changes.atom): every status change of a pair from
its dated records, with old -> new status, effective date, the record and its sources; the feed
parses back as Atom 1.0 and is filtered by market, product, since and language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from api.app import create_app
from graph.answers.changes import BadFilter, changes, period_start
from graph.endpoint.linked_data import record_succession
from graph.settings import Settings
from graph.store.backends import EmbeddedStore
from graph.store.builds import current_build

R = "https://w3id.org/agrikg/record/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def history(feed_home: Path) -> EmbeddedStore:
    return EmbeddedStore(feed_home / "builds" / "history" / "store")


@pytest.fixture(scope="module")
def client(feed_home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(home=feed_home, endpoint=None))) as client:
        yield client


def _by_record(found: list[dict]) -> dict[str, dict]:
    return {c["id"]: c for c in found}


def test_a_pair_s_history_gives_one_change_per_new_status(history) -> None:
    found = changes(history, "en", market="NR", product="beef")
    beef = [c for c in found if c["product"]["id"] == "beef"]
    assert [(c["old_status"], c["status"], c["as_of"]) for c in beef] == [
        ("restricted", "restriction-lifted", "2024-02-07"),
        ("open", "restricted", "2022-02"),
        ("unknown", "open", "2018"),
    ]  # newest first; the first record of the pair changes "no information" into a status;
    # the record of 2019 repeats "open" and is no change
    lifted = beef[0]
    assert lifted["record"] == R + "test-kz-nr-beef-2024-02-07"
    assert lifted["old_records"] == [R + "test-kz-nr-beef-2022-02"]
    assert (lifted["precision"], lifted["start"], lifted["report_date"]) == \
        ("day", "2024-02-07", "2024-02-08")
    [source] = lifted["sources"]
    assert source["quote"] == "Nauru lifted the restrictions on Kazakh beef on 7 February 2024."
    assert source["quote_lang"] == "en"
    assert source["url"] == "https://example.org/news/nr-lifts-2024"
    assert source["publisher"] == "Test Agency" and source["published"] == "2024-02-08"
    assert lifted["title"] == "Beef to Nauru: Restricted → Restrictions lifted"
    assert "7 February 2024" in lifted["summary"] and "Test Agency" in lifted["summary"]
    restricted = beef[1]
    assert restricted["start"] == "2022-02-01" and restricted["precision"] == "month"


def test_a_record_repeating_the_status_before_it_is_no_change(history) -> None:
    """Beef to Nauru is open in 2018 and again in May 2019: only the first is a change, and
    the restriction of 2022 comes after the open status of 2019."""
    found = _by_record(changes(history, "en", market="NR"))
    assert "test-kz-nr-beef-2019" not in found
    assert found["test-kz-nr-beef-2022-02"]["old_records"] == [R + "test-kz-nr-beef-2019"]


def test_sources_disagreeing_on_one_date_are_both_shown_as_a_conflict(history) -> None:
    found = _by_record(changes(history, "en", market="IS", product="frozen-mutton"))
    a, b = found["test-kz-is-frozen-mutton-a"], found["test-kz-is-frozen-mutton-b"]
    assert a["conflict"] and b["conflict"]
    assert {a["status"], b["status"]} == {"open", "restricted"}
    assert a["old_status"] == b["old_status"] == "requirements-agreed"
    assert a["conflict_statuses"] == ["open", "restricted"]
    assert "Sources disagree" in a["summary"]


def test_filters_market_product_since(history) -> None:
    everything = changes(history, "en")
    assert {c["market"]["code"] for c in everything} >= {"CN", "IR", "NR", "IS"}
    assert {c["market"]["code"] for c in changes(history, "en", market="Науру")} == {"NR"}
    assert {c["market"]["code"] for c in changes(history, "en", market="Қытай")} == {"CN"}
    # a product keeps the changes on it, within it and on the groups whose records reach it
    meat = {c["product"]["id"] for c in changes(history, "en", product="meat-except-pork")}
    assert "beef" in meat and "meat-except-pork" in meat and "wheat" not in meat
    since = changes(history, "en", since="2023")
    assert since and all(c["start"] >= "2023-01-01" for c in since)
    ours = {c["id"] for c in since if c["id"].startswith("test-")}
    assert ours == {"test-kz-nr-beef-2024-02-07", "test-kz-is-frozen-mutton-a",
                    "test-kz-is-frozen-mutton-b"}
    assert [c["id"] for c in changes(history, "en", market="NR", since="2024-02-08")] == []
    assert [c["id"] for c in changes(history, market="NR", since="2024-02")] == \
        ["test-kz-nr-beef-2024-02-07"]


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
    lifted = by_id[R + "test-kz-nr-beef-2024-02-07"]
    assert lifted.title == "Beef to Nauru: Restricted → Restrictions lifted"
    assert lifted.updated.startswith("2024-02-08") and lifted.published.startswith("2024-02-07")
    links = {link.rel: link.href for link in lifted.links}
    assert links["alternate"] == "http://testserver/record/test-kz-nr-beef-2024-02-07"
    assert links["via"] == "https://example.org/news/nr-lifts-2024"
    assert "Nauru lifted the restrictions" in lifted.summary
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
    assert client.get("/record/test-kz-nr-beef-2024-02-07",
                      headers={"Accept": "text/html"}).status_code == 200


def test_the_feed_is_filtered_and_speaks_the_asked_language(client) -> None:
    response = client.get("/changes.atom", params={"market": "NR", "product": "beef",
                                                   "lang": "ru"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.feed.title == "agrikg: изменения статуса доступа на рынки"
    assert feed.feed.language == "ru"
    assert [e.id.rsplit("/", 1)[-1] for e in feed.entries] == [
        "test-kz-nr-beef-2024-02-07", "test-kz-nr-beef-2022-02", "test-kz-nr-beef-2018"]
    assert all(e.title.startswith("Говядина — Науру") for e in feed.entries)
    assert feed.entries[0].title == "Говядина — Науру: Поставки ограничены → Ограничения сняты"
    assert feed.entries[2].title == "Говядина — Науру: Нет данных → Рынок открыт"
    assert "Науру ввела ограничения" in feed.entries[1].summary  # the quote in its own language
    kk = feedparser.parse(client.get("/changes.atom", params={"market": "IS",
                                                              "lang": "kk"}).content)
    assert kk.feed.language == "kk" and kk.entries
    assert "Мұздатылған қой еті — Исландия: Талаптар келісілді → Нарық ашық" in \
        [e.title for e in kk.entries]
    assert "дереккөздер келіспейді" in " ".join(e.summary for e in kk.entries).lower()


@pytest.mark.parametrize(("params", "headers", "words"), [
    ({"market": "Narnia"}, {}, "no market matches “Narnia”"),
    ({"market": "Narnia", "lang": "ru"}, {}, "рынок «Narnia» не найден"),
    ({"product": "unobtainium"}, {"Accept-Language": "kk"}, "өнімі табылмады"),
    ({"since": "2024-99"}, {}, "is not a date"),
    ({"lang": "de"}, {"Accept-Language": "ru"}, "lang: «de» — не язык agrikg; укажите kk, ru или en"),
    ({"since": "2" * 300}, {}, "since: at most 200 characters, not 300"),
    ({"market": "x" * 201, "lang": "kk"}, {}, "market: ең көбі 200 таңба, 201 емес"),
])
def test_a_bad_filter_is_a_400_in_the_user_s_language(client, params, headers, words) -> None:
    response = client.get("/changes.atom", params=params, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert words in body["detail"]
    assert body["parameter"] == next(iter(params))


def test_a_record_s_page_links_what_it_supersedes_and_what_supersedes_it(client) -> None:
    page = client.get("/record/test-kz-nr-beef-2022-02", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    section = html[html.index('class="succession"'):html.index("</section>")]
    earlier = section[section.index('class="supersedes"'):section.index('class="superseded-by"')]
    later = section[section.index('class="superseded-by"'):]
    assert earlier.index("test-kz-nr-beef-2018") < earlier.index("test-kz-nr-beef-2019")
    assert 'href="/record/test-kz-nr-beef-2018?lang=en"' in earlier
    assert 'href="/record/test-kz-nr-beef-2024-02-07?lang=en"' in later and "2024-02-07" in later
    assert "Restrictions lifted" in later and "Market open" in earlier
    assert "2018" not in later
    # the oldest record supersedes nothing: only its successors are listed
    oldest = client.get("/record/test-kz-nr-beef-2018", headers={"Accept": "text/html"}).text
    assert "This record supersedes" not in oldest and "Superseded by" in oldest
    # only records have one
    beef = client.get("/product/beef", headers={"Accept": "text/html"}).text
    assert 'class="succession"' not in beef


def test_changes_and_succession_from_a_real_build_of_dated_sources(history_settings) -> None:
    """The curated files of tests/data/history built by the real builder (reportDate and
    supersedes computed by it): beef to Japan restricted in 2022, lifted in February 2024."""
    store = EmbeddedStore(current_build(history_settings) / "store")
    found = changes(store, "en", market="JP", product="beef")
    assert [(c["id"], c["old_status"], c["status"]) for c in found] == [
        ("kz-jp-beef-2024-02", "restricted", "restriction-lifted"),
        ("kz-jp-beef-2022", "unknown", "restricted")]
    [source] = found[0]["sources"]
    assert source["url"] == "https://example.org/test-history-ru-2024-02"
    assert (source["publisher"], source["published"], source["quote_lang"]) == \
        ("Test publisher", "2024-02-06", "ru")
    assert found[0]["report_date"] == "2024-02-06"
    succession = record_succession(store, found[0]["record"])
    assert [r["id"] for r in succession["supersedes"]] == ["kz-jp-beef-2022"]
    assert succession["superseded_by"] == []


def test_a_feed_without_entries_is_still_valid_atom_dated_by_the_build(client, feed_home) -> None:
    import json

    response = client.get("/changes.atom", params={"market": "NR", "since": "2025"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo and feed.version == "atom10" and feed.entries == []
    built = json.loads((feed_home / "current" / "build.json").read_text(encoding="utf-8"))
    assert feed.feed.updated.startswith(built["built_at"][:19])
    assert feed.feed.id == "https://w3id.org/agrikg/changes?market=NR&since=2025-01-01"
    # the id names the filters as resolved: one feed however they are typed, always an IRI
    named = feedparser.parse(client.get("/changes.atom", params={
        "market": "Науру", "product": "сиыр еті", "since": "2025"}).content)
    assert named.feed.id == "https://w3id.org/agrikg/changes?market=NR&product=beef&since=2025-01-01"


def test_a_conflict_keeps_the_status_before_as_one_side_without_an_entry_for_it() -> None:
    """Open, then on one day a source saying open and one saying restricted: one change
    (open -> restricted, marked conflict), not an "open -> open"; after the conflict, a single
    status again is a change from the conflict."""
    from datetime import date

    from graph.answers.changes import _pair_changes, _Record

    def record(name: str, status: str, day: date) -> _Record:
        return _Record(R + name, "m", "p", status, day.isoformat(), "day", day, None, None, ())

    records = [record("a", "open", date(2020, 1, 1)), record("b", "open", date(2021, 1, 1)),
               record("c", "restricted", date(2021, 1, 1)), record("d", "open", date(2022, 1, 1))]
    found = [(r.iri.rsplit("/", 1)[-1], [b.status for b in before], conflict)
             for r, before, conflict in _pair_changes(records)]
    assert found == [("a", [], False), ("c", ["open"], True), ("d", ["open", "restricted"], False)]
