"""Linked data: what the graph says about one of its IRIs, as RDF in any format or as rows
for a page; and the dataset's own VoID/DCAT description."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.endpoint.result_writers import PREFIXES as RESULT_PREFIXES
from graph.endpoint.result_writers import serialize_triples
from graph.namespaces import BASE, DATASET, PREFIXES, PRODUCT
from graph.store.backends import Store
from graph.store.named_queries import IRI, select

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
DESCRIPTION = ("Markets, HS-coded products and market-access records with their status, "
               "veterinary-requirement status and sources (PROV-O), labelled in Kazakh, Russian "
               "and English.")


def _term(value: str, kind: str, lang: str = "", datatype: str = "") -> object:
    if kind == "iri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value.removeprefix("_:") or None)
    if lang:
        return ox.Literal(value, language=lang)
    if datatype and datatype != XSD_STRING:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def describe(store: Store, iri: str) -> list[ox.Triple]:
    """The resource's own triples and those of its blank nodes; empty when unknown."""
    triples = []
    for row in select(store, "describe", resource=IRI(iri)):
        subject = _term(row["s"], row["sKind"])
        obj = _term(row["o"], row["kind"], row.get("lang", ""), row.get("datatype", ""))
        triples.append(ox.Triple(subject, ox.NamedNode(row["p"]), obj))
    return triples


@lru_cache(maxsize=4)
def ontology_triples(ontology_dir: Path) -> tuple[ox.Triple, ...]:
    """The ontology and status schemes as the build reads them (shapes excluded), parsed once."""
    triples: list[ox.Triple] = []
    for path in sorted(ontology_dir.glob("*.ttl")):
        if path.name != "shapes.ttl":
            triples += [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    return tuple(triples)


def serialize(triples: list[ox.Triple], fmt: str) -> bytes:
    """The triples in an RDF format; results.Unwritable when that format cannot carry them
    (a graph built with --from may hold anything)."""
    prefixes = {k: str(v) for k, v in PREFIXES.items()} | RESULT_PREFIXES
    return serialize_triples(triples, fmt, prefixes)


def curie(iri: str) -> str:
    """A short name for an IRI, using the graph's prefixes."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        ns = str(namespace)
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, f"{prefix}:{iri[len(ns):]}"
    return name if best else iri


def local_path(iri: str) -> str | None:
    """The path on this server where one of the graph's IRIs dereferences, if it is ours."""
    if iri.startswith(BASE):
        return "/" + iri[len(BASE):].split("#", 1)[0]
    return None


def term_labels(store: Store, iri: str, lang: str) -> dict[str, str]:
    """The labels in `lang` of the properties and IRIs the resource's page shows."""
    return {row["term"]: row["label"]
            for row in select(store, "describe_labels", resource=IRI(iri), lang=lang)}


def page_rows(triples: list[ox.Triple], iri: str,
              labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Rows for an HTML page: predicate, object, link, language; blank nodes inlined. With
    `labels`, properties and IRIs are named in words of the page language (the short IRI
    beside them)."""
    labels = labels or {}
    rows = []
    for triple in sorted(triples, key=lambda t: (str(t.subject) != f"<{iri}>", t.predicate.value,
                                                 str(t.object))):
        obj = triple.object
        is_iri = isinstance(obj, ox.NamedNode)
        rows.append({
            "subject": "" if isinstance(triple.subject, ox.NamedNode) else
            f"_:{triple.subject.value}",
            "predicate": curie(triple.predicate.value),
            "predicate_label": labels.get(triple.predicate.value),
            "predicate_link": local_path(triple.predicate.value) or triple.predicate.value,
            "object": curie(obj.value) if is_iri else obj.value,
            "object_label": labels.get(obj.value) if is_iri else None,
            "link": (local_path(obj.value) or obj.value) if is_iri else None,
            "lang": getattr(obj, "language", None),
            "datatype": curie(obj.datatype.value) if isinstance(obj, ox.Literal)
            and not obj.language and obj.datatype.value != XSD_STRING else None,
        })
    return rows


def record_succession(store: Store, iri: str, lang: str = "en") -> dict[str, list[dict[str, Any]]]:
    """The records of the same pair a record supersedes and those that supersede it (both
    stay in the graph), oldest first, for its page: the inverse links are not among the
    record's own triples."""
    from graph.answers.changes import period_start

    found: dict[str, list[dict[str, Any]]] = {"supersedes": [], "superseded_by": []}
    for row in select(store, "record_succession", record=IRI(iri), lang=lang):
        found[row["direction"]].append({
            "record": row["other"], "id": row["other"].rsplit("/", 1)[-1],
            "link": local_path(row["other"]) or row["other"], "status": row["status"],
            "status_label": row.get("statusLabel") or row["status"],
            "as_of": row.get("asOf"), "precision": row.get("precision")})
    for rows in found.values():
        rows.sort(key=lambda r: (str(period_start(r["as_of"] or "", r["precision"]) or ""),
                                 r["record"]))
    return found


def records_pointing_at(store: Store, iri: str, lang: str) -> list[dict[str, Any]]:
    """The access records that point at a product or a market, grouped for its page: a
    product's by market, a market's by product (each group: its name, link and records)."""
    by = "market" if iri.startswith(str(PRODUCT)) else "product"
    groups: dict[str, dict[str, Any]] = {}
    for row in select(store, "records_pointing_at", resource=IRI(iri), lang=lang):
        key = row[by]
        label = row.get(f"{by}Label") or curie(key)
        group = groups.setdefault(key, {"iri": key, "label": label, "link": local_path(key),
                                        "code": row.get("code") if by == "market" else None,
                                        "records": []})
        group["records"].append({
            "iri": row["record"], "link": local_path(row["record"]),
            "market": row["market"], "code": row.get("code"),
            "market_label": row.get("marketLabel") or curie(row["market"]),
            "product": row["product"],
            "product_label": row.get("productLabel") or curie(row["product"]),
            "status": row["status"], "status_label": row.get("statusLabel") or row["status"],
            "as_of": row.get("asOf")})
    return sorted(groups.values(), key=lambda g: g["label"].casefold())


_VOID = "http://rdfs.org/ns/void#"
_DCAT = "http://www.w3.org/ns/dcat#"
_DCTERMS = "http://purl.org/dc/terms/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
TITLES = {"en": "agrikg: agricultural market access knowledge graph",
          "kk": "agrikg: ауыл шаруашылығы өнімдерінің нарыққа қолжетімділігі туралы білім графы",
          "ru": "agrikg: граф знаний о доступе сельхозпродукции на рынки"}
DUMP_TYPES = {"graph.ttl": "text/turtle", "graph.nt": "application/n-triples",
              "graph.jsonld": "application/ld+json"}


def dataset_description(info: dict[str, Any], base_url: str) -> list[ox.Triple]:
    """VoID + DCAT description of the dataset, as triples (terms built and escaped by
    pyoxigraph, never Turtle text put together and parsed back)."""
    dataset = ox.NamedNode(DATASET)

    def about(predicate: str, obj: ox.NamedNode | ox.Literal | ox.BlankNode,
              subject: ox.NamedNode | ox.BlankNode = dataset) -> ox.Triple:
        return ox.Triple(subject, ox.NamedNode(predicate), obj)

    triples = [about(_RDF_TYPE, ox.NamedNode(_VOID + "Dataset")),
               about(_RDF_TYPE, ox.NamedNode(_DCAT + "Dataset"))]
    triples += [about(_DCTERMS + "title", ox.Literal(title, language=lang))
                for lang, title in TITLES.items()]
    triples += [
        about(_DCTERMS + "description", ox.Literal(DESCRIPTION, language="en")),
        about(_DCTERMS + "license", ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")),
        *(about(_DCTERMS + "language", ox.NamedNode(f"http://id.loc.gov/vocabulary/iso639-1/{lang}"))
          for lang in ("kk", "ru", "en")),
        about(_DCTERMS + "modified", ox.Literal(str(info.get("built_at", "")),
                                                datatype=ox.NamedNode(_XSD + "dateTime"))),
        about(_VOID + "triples", ox.Literal(int(info.get("triples") or 0))),
        about(_VOID + "uriSpace", ox.Literal(BASE)),
        about(_VOID + "sparqlEndpoint", ox.NamedNode(f"{base_url}/sparql")),
    ]
    for name, media_type in DUMP_TYPES.items():
        url = ox.NamedNode(f"{base_url}/dumps/{name}")
        distribution = ox.BlankNode(f"distribution-{name.rsplit('.', 1)[1]}")  # same every time
        triples += [about(_VOID + "dataDump", url),
                    about(_DCAT + "distribution", distribution),
                    about(_RDF_TYPE, ox.NamedNode(_DCAT + "Distribution"), distribution),
                    about(_DCAT + "downloadURL", url, distribution),
                    about(_DCAT + "mediaType", ox.Literal(media_type), distribution)]
    return triples


SD = "http://www.w3.org/ns/sparql-service-description#"
SERVICE_PREFIXES = {"sd": SD, "void": _VOID}
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def service_description(base: str, triples: int) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at `base`/sparql, as triples."""
    # Blank nodes named the same on every request: the same description, the same bytes.
    service = ox.NamedNode(f"{base}/sparql")
    dataset, graph = ox.BlankNode("default-dataset"), ox.BlankNode("default-graph")
    a = ox.NamedNode(_RDF_TYPE)

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    return [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        *(ox.Triple(service, sd("resultFormat"),
                    ox.NamedNode(f"http://www.w3.org/ns/formats/{name}"))
          for name in RESULT_FORMATS),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, a, sd("Graph")),
        ox.Triple(graph, ox.NamedNode(_VOID + "triples"), ox.Literal(int(triples))),
    ]
