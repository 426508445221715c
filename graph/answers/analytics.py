"""Network analytics of market access (networkx): how diversified each product is, how many
products each market takes, where negotiations are pending, which products and markets are
central, and which products share markets."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.answers.check import UNKNOWN, decide_all, standing
from graph.answers.dates import AsOf, parse_as_of
from graph.answers.network import BROADER_EDGE, MARKET_KIND, PRODUCT_KIND, RECORD_EDGE, projection
from graph.answers.resolve import ProductIndex
from graph.store.backends import Store

if TYPE_CHECKING:  # networkx loads when a graph is drawn or measured, not at start-up
    import networkx as nx


def _records(graph: nx.MultiDiGraph) -> list[tuple[str, str, dict]]:
    return [(u, v, d) for u, v, d in graph.edges(data=True) if d["kind"] == RECORD_EDGE]


def _index(graph: nx.MultiDiGraph) -> ProductIndex:
    index = ProductIndex()
    for node, data in graph.nodes(data=True):
        if data["kind"] == PRODUCT_KIND:
            index.labels[node]["en"] = data["label"]
            index.codes[node] = list(data.get("hs_codes", []))
    for child, parent, data in graph.edges(data=True):
        if data["kind"] == BROADER_EDGE:
            index.broader[child].append(parent)
            index.narrower[parent].append(child)
    return index


def _rows(graph: nx.MultiDiGraph) -> dict[str, dict[str, list[dict]]]:
    """market -> product -> the records on it, as the check's rule reads them."""
    rows: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for product, market, data in _records(graph):
        rows[market][product].append({"record": data["record"], "recordProduct": product,
                                      "status": data["status"], "asOf": data.get("as_of"),
                                      "precision": data.get("precision")})
    return rows


def reach(graph: nx.MultiDiGraph, at: date | None = None
          ) -> dict[str, dict[str, tuple[str, str | None]]]:
    """product -> market -> (status, via) on the day `at` (today when None), decided by the
    access check's own rule (`check.decide_all`): the latest record in effect on the product
    or a broader one (the more specific on the same day), else complete coverage by the
    records within it; a conflict when sources disagree."""
    index = _index(graph)
    rows = _rows(graph)
    markets_on: dict[str, set[str]] = defaultdict(set)  # product -> markets with a record on it
    for market, by_product in rows.items():
        for product in by_product:
            markets_on[product].add(market)
    result: dict[str, dict[str, tuple[str, str | None]]] = {}
    for product in index.labels:
        near = {product, *index.ancestors(product), *index.descendants(product)}
        candidates = {m for p in near for m in markets_on.get(p, ())}
        found: dict[str, tuple[str, str | None]] = {}
        for market in candidates:
            decision = decide_all(index, product, rows[market], at)
            if decision.status != UNKNOWN:
                found[market] = (decision.status, decision.via)
        result[product] = found
    return result


def _standing(graph: nx.MultiDiGraph, at: date | None) -> list[tuple[str, str, dict]]:
    """The record edges that answer on the day `at` for the product they are on."""
    index = _index(graph)
    kept = {row["record"] for by_product in _rows(graph).values()
            for row in standing(index, by_product, at)}
    return [(u, v, d) for u, v, d in _records(graph) if d["record"] in kept]


def analyse(graph: nx.MultiDiGraph, at: date | None = None) -> dict[str, Any]:
    """Every figure on the day `at` (today when None): reach by the check's rule, and the
    per-market counts, pending negotiations and centrality over the records that answer then
    for their own product (superseded and future records left out)."""
    import networkx as nx
    from networkx.algorithms import bipartite
    label = {n: d["label"] for n, d in graph.nodes(data=True)}
    ident = {n: d["id"] for n, d in graph.nodes(data=True)}
    records = _standing(graph, at)
    reached = reach(graph, at)

    products = []
    for product, markets in reached.items():
        if not markets:
            continue
        statuses = sorted({s for s, _ in markets.values()})
        products.append({
            "product": ident[product], "label": label[product], "markets": len(markets),
            "statuses": statuses,
            "by_market": {ident[m]: {"status": s, "via": ident[v] if v else None}
                          for m, (s, v) in sorted(markets.items(), key=lambda kv: ident[kv[0]])},
        })
    products.sort(key=lambda p: (-p["markets"], p["product"]))

    per_market: dict[str, list[dict]] = defaultdict(list)
    for product, market, data in records:
        per_market[market].append({"product": ident[product], "status": data["status"]})
    markets = [{"market": ident[m], "label": label[m], "products": len(items),
                "statuses": dict(sorted(_count(i["status"] for i in items).items()))}
               for m, items in per_market.items()]
    markets.sort(key=lambda m: (-m["products"], m["market"]))

    pending = [{"product": ident[p], "product_label": label[p], "market": ident[m],
                "market_label": label[m], "status": d["status"], "veterinary_requirements":
                d.get("vet_status"), "record": d["record"]}
               for p, m, d in records if d.get("pending")]

    bip = nx.Graph()
    for product, market, _ in records:
        bip.add_node(product, bipartite=0)
        bip.add_node(market, bipartite=1)
        bip.add_edge(product, market)
    degree = nx.degree_centrality(bip) if bip.number_of_nodes() > 1 else {}
    between = nx.betweenness_centrality(bip) if bip.number_of_nodes() > 2 else {}
    centrality = sorted(({"node": ident[n], "label": label[n], "kind": graph.nodes[n]["kind"],
                          "degree": round(degree.get(n, 0.0), 4),
                          "betweenness": round(between.get(n, 0.0), 4)} for n in bip),
                        key=lambda c: (-c["betweenness"], -c["degree"], c["node"]))

    product_nodes = [n for n, d in bip.nodes(data=True) if d["bipartite"] == 0]
    shared = []
    if product_nodes:
        projected = bipartite.weighted_projected_graph(bip, product_nodes)
        for a, b, data in projected.edges(data=True):
            common = sorted(ident[m] for m in set(bip[a]) & set(bip[b]))
            first, second = sorted((ident[a], ident[b]))
            shared.append({"products": [first, second], "shared_markets": common,
                           "weight": data["weight"]})
        shared.sort(key=lambda s: (-s["weight"], s["products"]))

    return {
        "counts": {"products": sum(1 for _, d in graph.nodes(data=True)
                                   if d["kind"] == PRODUCT_KIND),
                   "markets": sum(1 for _, d in graph.nodes(data=True) if d["kind"] == MARKET_KIND),
                   "records": len(records)},
        "products": products,
        "markets": markets,
        "pending": pending,
        "centrality": centrality,
        "shared_markets": shared,
    }


def _count(items) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for item in items:
        out[item] += 1
    return out


def stats(store: Store, lang: str = "en", exporter: str = "KZ",
          as_of: AsOf | None = None) -> dict[str, Any]:
    """/analytics and `agrikg stats`, on the asked date (today by default)."""
    at = as_of or parse_as_of(None)
    return {"as_of_asked": at.text} | analyse(projection(store, lang, exporter=exporter), at.day)
