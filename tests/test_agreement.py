"""One rule decides which record answers (graph/answers/check.py `decide`): for every pair at
several dates, the check, the market listing, the product listing, /analytics and the named
query `access_as_of` give the same answer, on the made-up UZ -> JP history (dates drawn by
hypothesis) and on the real graph; and every answer has the shape of the shared model."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.answers.analytics import stats
from graph.answers.check import CONFLICT, UNKNOWN, check, validated
from graph.answers.dates import AsOf, parse_as_of
from graph.answers.listings import list_markets, market_overview, product_overview
from graph.answers.resolve import resolve_market, resolve_product
from graph.namespaces import MARKET
from graph.store.backends import Store
from graph.store.named_queries import IRI, select

# Every pair of the real graph and dates drawn by hypothesis: the property tier, not the fast one.
pytestmark = pytest.mark.property


def everywhere(store: Store, exporter: str, market: str, at: AsOf) -> None:
    """Every product's status in the market, asked five ways, is one status."""
    resolved = resolve_market(store, market, "en")
    listed = {p["id"]: p for p in market_overview(store, resolved, "en", exporter, at)["products"]}
    figures = stats(store, "en", exporter, at)
    reached = {p["product"]: p["by_market"].get(market, {}).get("status", UNKNOWN)
               for p in figures["products"]}
    for product, entry in listed.items():
        answer = validated(check(store, product, market, exporter=exporter, as_of=at))
        overview = product_overview(store, resolve_product(store, product, "en"), "en",
                                    exporter, at)
        there = next((m["status"] for m in overview["markets"] if m["code"] == market), UNKNOWN)
        seen = (answer["status"], entry["status"], there, reached.get(product, UNKNOWN))
        assert len(set(seen)) == 1, (product, market, at.text, seen)
        assert entry.get("record") == answer["record"], (product, at.text)
        assert entry["permitted"] == (False if answer["status"] == CONFLICT
                                      else answer["permitted"]) or answer["exporter_measures"]
        rows = select(store, "access_as_of", product=IRI(answer["product"]["iri"]),
                      market=IRI(answer["market"]["iri"]), exporter=IRI(str(MARKET[exporter])),
                      date=at.day.isoformat())
        answering = sorted(s["record"] for s in answer["history"] if s["answers"])
        on_line = answering if answer["coverage"] is None else []
        assert sorted(r["record"] for r in rows) == on_line, (product, at.text)


def asked(day: date, precision: str) -> str:
    return {"year": day.strftime("%Y"), "month": day.strftime("%Y-%m"),
            "day": day.isoformat()}[precision]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.dates(date(2013, 1, 1), date(2026, 12, 31)),
       precision=st.sampled_from(["year", "month", "day"]))
def test_check_listings_analytics_and_the_named_query_agree_at_any_date(history_store, day,
                                                                        precision) -> None:
    everywhere(history_store, "UZ", "JP", parse_as_of(asked(day, precision)))


# The days either side of every change of the made-up history, which random dates may miss.
EDGES = ["2014-12-31", "2015-01-01", "2018-06-06", "2018-06-07", "2019-02-28", "2019-03-01",
         "2020-04-30", "2020-05-01", "2021", "2022-01-01", "2024-02-06", "2024-02-07"]


@pytest.mark.parametrize("as_of", EDGES)
def test_they_agree_either_side_of_every_change(history_store, as_of) -> None:
    everywhere(history_store, "UZ", "JP", parse_as_of(as_of))


@pytest.mark.parametrize("as_of", ["2018-06-01", "2023-06-01", None])
def test_they_agree_on_the_real_graph(embedded, as_of) -> None:
    markets = sorted(m["code"] for m in list_markets(embedded, "en") if m["records"])
    assert {"CN", "IR", "SA", "AE"} <= set(markets)
    for market in markets:
        everywhere(embedded, "KZ", market, parse_as_of(as_of))
