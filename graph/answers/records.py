"""The records of a pair: a per-build index of access records by (exporter, market, product),
and the one query that reads the records it names.

Oxigraph finds a product's records through its (predicate, object) index, which gives the
records of that product in every market and year; those grow with the graph. The index here
is read once per build (when the build is switched to, off the request path) and names the
records of each (exporter, market, product), so a check reads only its own pair's records,
by IRI, and asks nothing at all when the pair has none. It works the same on a remote SPARQL
server. Kept compact: one string per market, the records' IRIs without their common prefix.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import accumulate

from graph.namespaces import AGK, RECORD
from graph.store.backends import Row, Store, cached
from graph.store.named_queries import IRI, each, render

_PREFIX = str(RECORD)
# An IRI outside the record namespace is kept whole, marked by "<" (no IRI holds one).
_WHOLE = "<"


def _short(iri: str) -> str:
    return iri[len(_PREFIX):] if iri.startswith(_PREFIX) else _WHOLE + iri


def _long(item: str) -> str:
    return item[1:] if item.startswith(_WHOLE) else _PREFIX + item


class RecordIndex:
    """exporter -> market -> the market's pairs: its products (sorted), their records' IRIs in
    one string, and where each product's part of it ends. Three objects per market instead of
    a dict entry and a string per pair: at 10^6 triples, 57,170 pairs in 2.8 MB instead of
    6.3 MB (product IRIs are the product index's own strings)."""

    def __init__(self, pairs: Iterable[tuple[str, str, str, str]]):
        merged: dict[str, dict[str, dict[str, list[str]]]] = {}
        for exporter, market, product, records in pairs:
            merged.setdefault(sys.intern(exporter), {}).setdefault(
                sys.intern(market), {}).setdefault(sys.intern(product), []).extend(
                _short(iri) for iri in records.split())
        self._pairs: dict[str, dict[str, tuple[tuple[str, ...], str, array]]] = {}
        self._count = 0
        for exporter, markets in merged.items():
            for market, by_product in markets.items():
                products = tuple(sorted(by_product))
                parts = [" ".join(sorted(by_product[p])) for p in products]
                ends = array("I", accumulate(len(part) for part in parts))
                self._pairs.setdefault(exporter, {})[market] = (products, "".join(parts), ends)
                self._count += len(products)

    def __len__(self) -> int:
        return self._count

    def records(self, exporter: str, market: str, products: Iterable[str]) -> list[str]:
        """The records of the exporter in the market on any of the products."""
        pairs = self._pairs.get(exporter, {}).get(market)
        if not pairs:
            return []
        recorded, text, ends = pairs
        found: list[str] = []
        for product in products:
            i = bisect_left(recorded, product)
            if i < len(recorded) and recorded[i] == product:
                part = text[ends[i - 1] if i else 0:ends[i]]
                found += [_long(item) for item in part.split(" ") if item]
        return found


def _pair_rows(store: Store) -> Iterator[tuple[str, str, str, str]]:
    """The rows of `record_pairs`, one at a time where the store streams them."""
    for row in each(store, "record_pairs"):
        yield row["exporter"], row["market"], row["product"], row["records"]


def record_index(store: Store) -> RecordIndex:
    """Made once per store (a rebuild opens a new store, so a new index)."""
    return cached(store, "record_index", lambda: RecordIndex(_pair_rows(store)))


_MARKET, _EXPORTER, _PRODUCT = str(AGK.market), str(AGK.exporter), str(AGK.product)
_STATUS, _VET = str(AGK.accessStatus), str(AGK.veterinaryRequirementStatus)
_AS_OF, _PRECISION = str(AGK.asOf), str(AGK.datePrecision)
_SOURCE, _INFERENCE = str(AGK.source), str(AGK.inference)
_SUPERSEDES = str(AGK.supersedes)
_REPORT_DATE, _REPORT_PRECISION = str(AGK.reportDate), str(AGK.reportDatePrecision)


def _notations(store: Store) -> dict[str, str]:
    """Status concept IRI -> its notation (the code an answer shows), from both schemes."""
    from graph.answers.check import vocabulary

    def make() -> dict[str, str]:
        return {entry["iri"]: code for scheme in vocabulary(store).values()
                for code, entry in scheme.items() if "iri" in entry}

    return cached(store, "status_notations", make)


def pair_records(store: Store, exporter: str, market: str, products: Iterable[str]) -> list[Row]:
    """The exporter's records in the market on any of the products: one row per record, as
    `access_check` gives them (record, recordProduct, status, vetStatus, asOf, precision,
    reportDate, reportPrecision, inferred "true"/"false"), with its source statements in
    `statements` and the records it supersedes in `supersedes`. A record without an access
    status answers nothing, as in `access_check`."""
    iris = record_index(store).records(exporter, market, products)
    if not iris:
        return []
    notation = _notations(store)
    found: dict[str, dict] = {}
    for row in store.select(render("records_by_iri", records=tuple(IRI(i) for i in iris))):
        record = found.setdefault(row["record"], {"record": row["record"], "statements": [],
                                                  "supersedes": [], "inferred": "false"})
        p, o = row["p"], row["o"]
        if p == _STATUS:
            record["status"] = notation.get(o, o)
        elif p == _VET:
            record["vetStatus"] = notation.get(o, o)
        elif p == _PRODUCT:
            record["recordProduct"] = o
        elif p == _AS_OF:
            record["asOf"] = o
        elif p == _PRECISION:
            record["precision"] = o
        elif p == _SOURCE:
            record["statements"].append(o)
        elif p == _SUPERSEDES:
            record["supersedes"].append(o)
        elif p == _REPORT_DATE:
            record["reportDate"] = o
        elif p == _REPORT_PRECISION:
            record["reportPrecision"] = o
        elif p == _INFERENCE:
            record["inferred"] = "true"
        elif p in (_MARKET, _EXPORTER):
            record.setdefault(p, set()).add(o)
    out = []
    for record in found.values():
        if ("status" in record and "recordProduct" in record
                and market in record.pop(_MARKET, ()) and exporter in record.pop(_EXPORTER, ())):
            record["statements"].sort()
            record["supersedes"].sort()
            out.append(record)
    return out
