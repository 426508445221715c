"""The records of a pair (graph/answers/records.py) and the warm-up of a build
(graph/answers/warm.py): the index by (exporter, market, product) finds exactly the records the
named queries find, on the embedded store and on a real Oxigraph server, and a warmed store
answers its first check from what the warm-up read."""

from __future__ import annotations

import pytest

from graph.answers.check import access_rows, check, pair_products, records_for
from graph.answers.records import RecordIndex
from graph.answers.resolve import market_index, product_index
from graph.answers.warm import warm
from graph.namespaces import MARKET, RECORD
from graph.store.backends import EmbeddedStore
from graph.store.named_queries import IRI, render

EXPORTER = str(MARKET["KZ"])
FIELDS = ("record", "recordProduct", "status", "vetStatus", "asOf", "precision", "reportDate",
          "reportPrecision", "inferred")


def _by_queries(store, product: str, market: str) -> dict[str, tuple]:
    """What the check read before the index: `access_check` on the same products."""
    rows = access_rows(store, pair_products(product_index(store), product), market, EXPORTER)
    return {r["record"]: (*(r.get(f) for f in FIELDS), tuple(sorted(set(r["statements"]))),
                          tuple(sorted(set(r.get("supersedes", ())))))
            for r in rows}


def test_the_pair_index_finds_what_the_named_queries_find(store) -> None:
    markets = sorted({r["m"] for r in store.select(
        "SELECT DISTINCT ?m WHERE { ?r <https://w3id.org/agrikg/ontology#market> ?m }")})
    markets += sorted(market_index(store).alpha2)[:2]  # markets without records
    compared = 0
    for product in sorted(product_index(store).labels):
        for market in markets:
            expected = _by_queries(store, product, market)
            found = {r["record"]: (*(r.get(f) for f in FIELDS), tuple(r["statements"]),
                                   tuple(r["supersedes"]))
                     for r in records_for(store, EXPORTER, market, product)}
            assert found == expected, (product, market)
            compared += bool(expected)
    assert compared > 50  # the curated graph has records on many pairs


def test_a_pair_without_records_asks_the_store_nothing(embedded) -> None:
    class Counting:
        """The embedded store, counting the queries asked of it."""

        def __init__(self, inner: EmbeddedStore) -> None:
            self.inner, self.name, self.cache, self.asked = inner, inner.name, {}, 0

        def select(self, sparql: str) -> list:
            self.asked += 1
            return self.inner.select(sparql)

        def ask(self, sparql: str) -> bool:
            self.asked += 1
            return self.inner.ask(sparql)

    counting = Counting(embedded)
    warm(counting)
    asked = counting.asked
    wheat = next(p for p in product_index(counting).labels if p.endswith("/wheat"))
    assert records_for(counting, EXPORTER, str(MARKET["AQ"]), wheat) == []
    assert counting.asked == asked  # Antarctica: nothing on record, nothing asked
    assert records_for(counting, EXPORTER, str(MARKET["CN"]), wheat)
    assert counting.asked == asked + 1  # one query for the pair's records


def test_index_keeps_records_outside_the_record_namespace_and_merges_rows() -> None:
    other = "http://example.org/r/1"
    index = RecordIndex([("kz", "cn", "wheat", f"{RECORD}a {other}"),
                         ("kz", "cn", "wheat", f"{RECORD}b"), ("kz", "ir", "beef", f"{RECORD}c")])
    assert len(index) == 2
    assert sorted(index.records("kz", "cn", ["wheat", "barley"])) == sorted(
        [f"{RECORD}a", f"{RECORD}b", other])
    assert index.records("kz", "ir", ["wheat"]) == []
    assert index.records("uz", "cn", ["wheat"]) == []


def test_index_finds_each_pair_among_its_neighbours_and_nothing_between_them() -> None:
    """Pairs are looked up in a market's sorted products: the first, the last, one between,
    and names before, between and after them."""
    index = RecordIndex([("kz", "cn", p, f"{RECORD}{p}1 {RECORD}{p}2") for p in "bdf"]
                        + [("kz", "ir", "d", f"{RECORD}x")])
    assert len(index) == 4
    for product in "bdf":
        assert index.records("kz", "cn", [product]) == [f"{RECORD}{product}1", f"{RECORD}{product}2"]
    assert index.records("kz", "cn", ["a", "c", "e", "g"]) == []
    assert index.records("kz", "cn", ["f", "b"]) == [f"{RECORD}f1", f"{RECORD}f2", f"{RECORD}b1",
                                                     f"{RECORD}b2"]
    assert index.records("kz", "ir", ["b", "d"]) == [f"{RECORD}x"]


def test_a_group_reads_the_records_below_it_and_of_its_members_other_groups(embedded) -> None:
    products = product_index(embedded)
    hen_eggs = next(p for p in products.labels if p.endswith("/hen-eggs"))
    wanted = pair_products(products, hen_eggs)
    assert hen_eggs in wanted and products.descendants(hen_eggs) <= wanted
    # Edible hen eggs are also table eggs: that group's records reach them.
    assert any(p.endswith("/edible-eggs") for p in wanted)


def test_a_warmed_store_answers_as_before_after_reopening(settings) -> None:
    from graph.store.backends import open_store

    store = open_store(settings)
    before = check(store, "wheat", "CN")
    fresh = open_store(settings)
    warm(fresh)
    assert {"product_index", "market_index", "statements", "record_index"} <= set(fresh.cache)
    assert check(fresh, "wheat", "CN") == before
    assert fresh.select(render("records_by_iri", records=(IRI(before["record"]),)))


def test_a_list_parameter_is_a_values_block() -> None:
    text = render("records_by_iri", records=(IRI(f"{RECORD}a"), IRI(f"{RECORD}b")))
    assert f"VALUES ?record {{ <{RECORD}a> <{RECORD}b> }}" in text
    assert "VALUES ?record {  }" in render("records_by_iri", records=())


def _contents(table: object) -> object:
    """What a table holds (the record index has no equality of its own)."""
    return vars(table) if isinstance(table, RecordIndex) else table


@pytest.mark.process
def test_tables_read_in_a_child_process_are_the_ones_read_here(settings, monkeypatch,
                                                               caplog) -> None:
    """A large store is warmed in a child process (graph/answers/warm.py), which hands back
    the same tables the server would read itself; a child that fails leaves the server to
    read them itself."""
    from graph.answers import warm as warming
    from graph.store.backends import open_store

    here = open_store(settings)
    warming.read_tables(here)
    tables = set(here.cache)
    monkeypatch.setattr(warming, "APART_FROM_BYTES", 0)  # the curated store counts as large
    apart = open_store(settings)
    with caplog.at_level("WARNING", logger="agrikg.warm"):
        warming.warm(apart)
    assert not caplog.records  # read by the child, not here after a failed child
    assert set(apart.cache) == tables
    for key in tables:
        assert _contents(apart.cache[key]) == _contents(here.cache[key]), key
    assert check(apart, "beef", "CN") == check(here, "beef", "CN")
    # ...each string once: a product's IRI in the record index is the one the labels hold
    labels = {iri: iri for iri in apart.cache["product_index"].labels}
    recorded = [iri for markets in apart.cache["record_index"]._pairs.values()
                for products, _records, _ends in markets.values() for iri in products]
    assert recorded and all(labels[iri] is iri for iri in recorded)
    monkeypatch.setattr(warming.sys, "executable", "/nonexistent/python")
    failed = open_store(settings)
    with caplog.at_level("WARNING", logger="agrikg.warm"):
        warming.warm(failed)  # the child cannot start: read here instead, and say so in the log
    assert "warming in a child process failed" in caplog.text
    assert set(failed.cache) == tables
