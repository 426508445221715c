"""Browse the graph: markets, products, statuses and sources, as the API and CLI list them.

Every listing keeps the open world: a product with no record in a market is listed as
`unknown` there, and an inherited status says which broader product it comes from.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from graph.answers.check import (
    ACCESS_SCHEME,
    UNKNOWN,
    VET_SCHEME,
    Decision,
    decide_all,
    effective_start,
    permits,
    records_for,
    status_label,
    vocabulary,
)
from graph.answers.dates import AsOf, parse_as_of
from graph.answers.resolve import Resolved, fold, market_index, product_index
from graph.errors import ResolveError
from graph.namespaces import MARKET, STATEMENT
from graph.store.backends import Row, Store, cached
from graph.store.named_queries import IRI, select


def _product(store: Store, iri: str, lang: str) -> dict[str, Any]:
    index = product_index(store)
    return {"id": iri.rsplit("/", 1)[-1], "iri": iri, "label": index.label(iri, lang),
            "hs_codes": sorted(index.codes.get(iri, [])),
            "broader": [b.rsplit("/", 1)[-1] for b in index.broader.get(iri, [])]}


def _status_entry(store: Store, decision: Decision, lang: str) -> dict[str, Any]:
    """A product's status in a market as `check.decide_all` decides it (the check's rule)."""
    row, via = decision.row, decision.via
    if decision.conflict:
        tied = list(decision.conflict)
        return {"status": decision.status,
                "status_label": status_label(store, decision.status, lang),
                "permitted": False, "via": None, "record": None,
                "conflict": [r["record"] for r in tied], "veterinary_requirements": None,
                "as_of": tied[0].get("asOf")}
    if row is None and decision.complete:
        rows = [c.row for c in decision.narrower]
        vets = {r.get("vetStatus") for r in rows}
        return {"status": decision.status,
                "status_label": status_label(store, decision.status, lang),
                "permitted": permits(store, decision.status), "via": None, "record": None,
                "coverage": {"complete": True, "records": [r["record"] for r in rows]},
                "veterinary_requirements": vets.pop() if len(vets) == 1 else None,
                "as_of": max(rows, key=lambda r: (effective_start(r), r["record"])).get("asOf")}
    if row is None:
        return {"status": UNKNOWN, "status_label": status_label(store, UNKNOWN, lang),
                "permitted": None, "via": None, "record": None, "as_of": None}
    return {"status": row["status"], "status_label": status_label(store, row["status"], lang),
            "permitted": permits(store, row["status"]),
            "via": via.rsplit("/", 1)[-1] if via else None,
            "veterinary_requirements": row.get("vetStatus"),
            "record": row["record"], "as_of": row.get("asOf")}


def list_markets(store: Store, lang: str) -> list[dict[str, Any]]:
    """Every market with its record count; counted once per build and language. A union of
    countries (the EU) has an alpha-2 code but no alpha-3 or numeric one: those are null."""
    return cached(store, f"markets:{lang}", lambda: [
        {"code": r["code"], "alpha3": r.get("alpha3"), "numeric": r.get("numeric"),
         "iri": r["market"],
         "label": r.get("label", r["code"]), "records": int(r["records"])}
        for r in select(store, "markets", lang=lang)])


def market_rows(store: Store, market: str, exporter: str) -> dict[str, list[Row]]:
    """Every record of the exporter in the market, by the product it is on (kept per build:
    the listing decides every product of the scheme from them, at any date)."""
    def make() -> dict[str, list[Row]]:
        by_product: dict[str, list[Row]] = defaultdict(list)
        for row in select(store, "products_for_market", market=IRI(market),
                          exporter=IRI(exporter), lang="en"):
            by_product[row["product"]].append(row | {"recordProduct": row["product"]})
        return dict(by_product)

    return cached(store, f"market_rows:{market}:{exporter}", make)


def market_overview(store: Store, market: Resolved, lang: str, exporter: str = "KZ",
                    as_of: AsOf | None = None) -> dict[str, Any]:
    """Every product of the scheme with its status in the market on the asked date (unknown
    where no record on it or on a broader product speaks of it by then)."""
    at = as_of or parse_as_of(None)
    index = product_index(store)
    by_product = market_rows(store, market.iri, str(MARKET[exporter]))
    products = []
    for iri in sorted(index.labels, key=lambda p: index.label(p, lang)):
        decision = decide_all(index, iri, by_product, at.day)
        products.append(_product(store, iri, lang) | _status_entry(store, decision, lang))
    markets = market_index(store)
    return {"code": markets.alpha2.get(market.iri), "iri": market.iri,
            "label": markets.label(market.iri, lang), "as_of_asked": at.text,
            "records": sum(len(rows) for rows in by_product.values()),
            "products": products}


def product_overview(store: Store, product: Resolved, lang: str,
                     exporter: str = "KZ", as_of: AsOf | None = None) -> dict[str, Any]:
    """Every market the graph has a record for this product in by the asked date (on it, on
    a broader product or, as `partial`, on narrower products); all other markets are
    unknown."""
    at = as_of or parse_as_of(None)
    index = product_index(store)
    markets = market_index(store)
    exporter_iri = str(MARKET[exporter])
    by_market: dict[str, dict[str, Row]] = defaultdict(dict)
    for row in records_for(store, exporter_iri, None, product.iri):
        by_market[row["market"]].setdefault(row["record"], row)
    listed = []
    for market, rows in sorted(by_market.items(), key=lambda kv: markets.alpha2[kv[0]]):
        decision = decide_all(index, product.iri, list(rows.values()), at.day)
        if decision.status == UNKNOWN and not decision.narrower:
            continue  # its records all start after the asked date
        partial = [{"product": c.product.rsplit("/", 1)[-1], "status": c.row["status"],
                    "via": c.via.rsplit("/", 1)[-1] if c.via else None,
                    "record": c.row["record"]} for c in decision.narrower]
        listed.append({"code": markets.alpha2[market], "iri": market,
                       "label": markets.label(market, lang)}
                      | _status_entry(store, decision, lang) | {"partial": partial})
    return _product(store, product.iri, lang) | {
        "as_of_asked": at.text,
        "markets": listed,
        "unknown_markets": len(markets.alpha2) - len(listed),
    }


def search_products(store: Store, q: str | None, lang: str, limit: int = 50) -> list[dict]:
    """Products whose label, synonym (any language), id or HS code contains `q`."""
    index = product_index(store)
    wanted = fold(q or "")
    digits = "".join(c for c in (q or "") if c.isdigit())
    # The products one of whose names holds the text (exactly: the name is the text).
    named: dict[str, bool] = {}
    if wanted:
        for name, products in index.containing(wanted):
            for iri in products:
                named[iri] = named.get(iri, False) or name == wanted
    found = []
    for iri in index.labels:
        codes = index.codes.get(iri, [])
        hit = (not wanted or iri in named
               or (digits and len(digits) == len((q or "").replace(".", "").replace(" ", ""))
                   and any(c.startswith(digits) or digits.startswith(c) for c in codes)))
        if hit:
            exact = named.get(iri, False) or (bool(digits) and digits in codes)
            # An exact match first; for HS digits the narrowest classification, else the
            # most general product (the usual meaning of a word).
            specificity = len(codes) if digits else index.depth(iri)
            found.append((not exact, specificity, index.label(iri, lang), iri))
    return [_product(store, iri, lang) for *_k, iri in sorted(found)[:limit]]


def statuses(store: Store, lang: str) -> dict[str, list[dict[str, Any]]]:
    """Both status schemes, plus `unknown`, which is an answer rather than a status."""
    vocab = vocabulary(store)

    def entries(scheme: str) -> list[dict[str, Any]]:
        return [{"code": code, "iri": v["iri"], "label": v.get(lang, code),
                 "definition": v.get(f"definition_{lang}") or v.get("definition_en", ""),
                 **({"permitted": permits(store, code)} if scheme == ACCESS_SCHEME else {})}
                for code, v in sorted(vocab.get(scheme, {}).items())]

    unknown = {"code": UNKNOWN, "label": status_label(store, UNKNOWN, lang), "permitted": None,
               "definition": {"en": "The graph holds no record on this product (or a broader "
                                    "one) in this market, and the records on the products "
                                    "within it do not cover all of it. Not a prohibition.",
                              "ru": "В базе нет записи об этой продукции (или более широкой "
                                    "группе) на этом рынке, а записи по входящим в неё видам "
                                    "продукции не охватывают её целиком. Это не означает "
                                    "запрета.",
                              "kk": "Дерекқорда бұл өнім (немесе кеңірек топ) бойынша осы "
                                    "нарықта жазба жоқ, ал оған кіретін өнімдер бойынша "
                                    "жазбалар оны толық қамтымайды. Бұл тыйым дегенді "
                                    "білдірмейді."}[lang]}
    return {"access": [*entries(ACCESS_SCHEME), unknown],
            "veterinary_requirements": entries(VET_SCHEME)}


def source_detail(store: Store, source_id: str, lang: str) -> dict[str, Any]:
    """A statement with its quote, translations, speaker and the records resting on it."""
    # Joined as text: an rdflib URIRef of a malformed id would log a warning per request.
    iri = source_id if source_id.startswith(str(STATEMENT)) else str(STATEMENT) + source_id
    valid = re.fullmatch(r"[A-Za-z0-9._-]{1,128}", iri.removeprefix(str(STATEMENT)))
    rows = select(store, "statement", statement=IRI(iri), lang=lang) if valid else []
    if not rows:
        known = [r["statement"].rsplit("/", 1)[-1] for r in select(store, "statements")]
        close = sorted({k for k in known if fold(source_id)[:4] in k})[:5] or sorted(set(known))[:5]
        raise ResolveError("source", source_id, close)
    first = rows[0]
    citing = select(store, "records_citing_source", source=IRI(iri), lang=lang)
    return {
        "id": iri.rsplit("/", 1)[-1], "iri": iri,
        "quote_kk": first["quote"],
        "translations": {r["translationLang"]: r["translation"] for r in rows
                         if r.get("translationLang")},
        "direct_speech": first.get("directSpeech") == "true",
        "speaker": first.get("speakerLabel"), "role": first.get("roleLabel"),
        "event": first.get("eventLabel"), "event_date": first.get("eventDate"),
        "document": first.get("document"), "document_label": first.get("documentLabel"),
        "file_name": first.get("fileName"),
        "records": [{"record": r["record"], "type": r["type"].rsplit("#", 1)[-1],
                     "market": (r.get("market") or "").rsplit("/", 1)[-1] or None,
                     "product": (r.get("product") or "").rsplit("/", 1)[-1] or None,
                     "product_label": r.get("productLabel"), "status": r.get("status")}
                    for r in citing],
    }

