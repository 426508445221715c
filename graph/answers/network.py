"""Project the RDF graph onto a networkx graph: products and markets as nodes, access records
as product -> market edges carrying their status, and skos:broader as product -> product
edges. The views draw it and the analytics measure it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from graph.answers.check import standing
from graph.answers.resolve import market_index, product_index
from graph.answers.statuses import UNKNOWN_ROLE, VET_SCHEME, colour_roles, pending
from graph.namespaces import MARKET
from graph.store.backends import Store
from graph.store.named_queries import IRI, select

if TYPE_CHECKING:  # networkx loads when a graph is drawn or measured, not at start-up
    import networkx as nx

PRODUCT_KIND, MARKET_KIND = "product", "market"
RECORD_EDGE, BROADER_EDGE = "record", "broader"


@dataclass(frozen=True)
class Filters:
    """What to draw: one market, one product (with its broader and narrower products), one
    status; None means all."""

    market: str | None = None
    product: str | None = None
    status: str | None = None


def short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def projection(store: Store, lang: str = "en", filters: Filters | None = None,
               exporter: str = "KZ", at: date | None = None) -> nx.MultiDiGraph:
    """The graph of records. With `at`, only the records that answer on that day for the
    product they are on (the check's rule: `check.standing`), and the status filter applies
    to them; without it, every record, whatever its date (analytics decides among them)."""
    import networkx as nx
    filters = filters or Filters()
    products = product_index(store)
    markets = market_index(store)
    rows = select(store, "access_records", lang=lang,
                  market=IRI(filters.market) if filters.market else None,
                  exporter=IRI(str(MARKET[exporter])),
                  status=None if at is not None else filters.status)
    for row in rows:
        row.setdefault("market", filters.market or str(MARKET[row["code"]]))
        row["recordProduct"] = row["product"]
    if at is not None:
        by_market: dict[str, list] = defaultdict(list)
        for row in rows:
            by_market[row["market"]].append(row)
        kept = {r["record"] for market_rows in by_market.values()
                for r in standing(products, market_rows, at)}
        rows = [r for r in rows if r["record"] in kept
                and (filters.status is None or r["status"] == filters.status)]
    keep: set[str] | None = None
    if filters.product:
        keep = {filters.product, *products.ancestors(filters.product)}
        keep |= {p for p in products.labels if filters.product in products.ancestors(p)}
    graph = nx.MultiDiGraph()

    def add_product(iri: str) -> None:
        if iri not in graph:
            graph.add_node(iri, kind=PRODUCT_KIND, id=short(iri), label=products.label(iri, lang),
                           hs_codes=sorted(products.codes.get(iri, [])))

    roles = colour_roles(store)  # what each status means, from statuses.ttl
    waiting, vet_waiting = pending(store), pending(store, VET_SCHEME)
    for row in rows:
        product = row["product"]
        if keep is not None and product not in keep:
            continue
        market = row["market"]
        if market not in graph:
            graph.add_node(market, kind=MARKET_KIND, id=row["code"],
                           label=markets.label(market, lang))
        add_product(product)
        status = row.get("status") or filters.status
        graph.add_edge(product, market, key=row["record"], kind=RECORD_EDGE,
                       status=status, record=row["record"],
                       colour_role=roles.get(status or "", UNKNOWN_ROLE),
                       pending=status in waiting or row.get("vetStatus") in vet_waiting,
                       vet_status=row.get("vetStatus"), as_of=row.get("asOf"),
                       precision=row.get("precision"),
                       quote=row.get("quote"), speaker=row.get("speaker"))
    # The hierarchy that makes a record on a group cover its members.
    wanted = keep if keep is not None else set(products.labels)
    if filters.market or filters.status:
        wanted = {a for p in [n for n, d in graph.nodes(data=True) if d["kind"] == PRODUCT_KIND]
                  for a in (p, *products.ancestors(p))} | (keep or set())
    for product in wanted:
        add_product(product)
        for parent in products.broader.get(product, []):
            if parent in wanted:
                add_product(parent)
                graph.add_edge(product, parent, kind=BROADER_EDGE)
    return graph

