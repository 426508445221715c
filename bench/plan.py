"""What each engine is asked, drawn once per size from the built store with a fixed seed, so
the embedded store, rdflib and Oxigraph's server answer exactly the same questions.

Access checks mix the three kinds of answer an exporter gets: a record on the product itself,
a record inherited from a broader product (`via`), and no record at all (`unknown`)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph

from graph.answers.check import pair_products
from graph.answers.resolve import ProductIndex
from graph.namespaces import MARKET
from graph.store.named_queries import IRI, load, names, render, render_query

BENCH_QUERIES = Path(__file__).parent / "queries"
LANGS = ("en", "ru", "kk")
VARIANTS = 40  # distinct parameter sets per named query
CHECKS = 400   # distinct (product, market) pairs for the access check


def bench_query(name: str, **params: object) -> str:
    return render_query(load(name, BENCH_QUERIES), **params)


def _rows(store: pyoxigraph.Store, name: str) -> list[dict[str, str]]:
    result = store.query(bench_query(name))
    keys = [v.value for v in result.variables]
    return [{k: s[k].value for k in keys if s[k] is not None} for s in result]


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def make_plan(store_path: Path, seed: int = 7) -> dict:
    """Parameters for every named query and the access-check pairs, as plain JSON."""
    store = pyoxigraph.Store.read_only(str(store_path))
    rng = random.Random(seed)
    records = _rows(store, "sample_records")
    products: set[str] = set()
    # The hierarchy as the check walks it, so `access_check` is given what the check gives it.
    hierarchy = ProductIndex()
    for row in _rows(store, "sample_hierarchy"):
        hierarchy.broader[row["product"]].append(row["broader"])
        hierarchy.narrower[row["broader"]].append(row["product"])
        products.update((row["product"], row["broader"]))
    markets = sorted(r["market"] for r in _rows(store, "sample_markets")) or [str(MARKET["CN"])]
    product_list = sorted(products) or sorted({r["product"] for r in records})
    rng.shuffle(records)

    checks: list[dict[str, str]] = []
    for i in range(CHECKS):
        kind = ("record", "via", "random")[i % 3]
        row = records[i % len(records)] if records else None
        if kind == "via" and row and hierarchy.narrower.get(row["product"]):
            product, market = rng.choice(hierarchy.narrower[row["product"]]), row["market"]
        elif kind in ("record", "via") and row:
            product, market, kind = row["product"], row["market"], "record"
        else:
            product, market, kind = rng.choice(product_list), rng.choice(markets), "random"
        # `kind`: what was asked (a pair with a record, a narrower product of one, any pair),
        # so growth is compared between the same kind of question at each size.
        checks.append({"product": _tail(product), "market": _tail(market),
                       "product_iri": product, "market_iri": market,
                       "lang": LANGS[i % len(LANGS)], "kind": kind})

    def pick(i: int) -> dict[str, str]:
        return records[(i * 7919) % len(records)]

    variants: dict[str, list[dict[str, str]]] = {}
    for name in names():
        params = load(name).params
        rows = []
        for i in range(VARIANTS):
            row, lang = pick(i), LANGS[i % len(LANGS)]
            given = {"product": row["product"], "market": row["market"], "record": row["record"],
                     "source": row["statement"], "statement": row["statement"],
                     "resource": row["record"], "exporter": str(MARKET["KZ"]), "lang": lang,
                     "records": [pick(i + k)["record"] for k in range(4)],
                     "products": sorted(pair_products(hierarchy, row["product"]))}
            rows.append({p: given[p] for p in params if p in given})
        variants[name] = rows
    return {"checks": checks, "queries": variants}


def rendered(plan: dict, name: str, i: int) -> str:
    """The i-th parameter set of a named query as SPARQL (IRIs for IRI-valued parameters)."""
    params = plan["queries"][name][i % len(plan["queries"][name])]
    def value(key: str, given: str | list[str]) -> object:
        if isinstance(given, list):  # a VALUES list of IRIs
            return tuple(IRI(v) for v in given)
        return given if key == "lang" else IRI(given)

    return render(name, **{k: value(k, v) for k, v in params.items()})


def reference(check: dict) -> str:
    return bench_query("access_reference", product=IRI(check["product_iri"]),
                       market=IRI(check["market_iri"]), exporter=IRI(str(MARKET["KZ"])))


def save(plan: dict, path: Path) -> None:
    path.write_text(json.dumps(plan), encoding="utf-8")
