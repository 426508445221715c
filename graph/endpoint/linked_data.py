"""Linked data: what the graph says about one of its IRIs, as RDF in any format or as rows
for a page; and the dataset's own VoID/DCAT description."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.endpoint.result_writers import PREFIXES as RESULT_PREFIXES
from graph.endpoint.result_writers import serialize_triples
from graph.namespaces import BASE, DATASET, PREFIXES
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


def page_rows(triples: list[ox.Triple], iri: str) -> list[dict[str, Any]]:
    """Rows for an HTML page: predicate, object, link, language; blank nodes inlined."""
    rows = []
    for triple in sorted(triples, key=lambda t: (str(t.subject) != f"<{iri}>", t.predicate.value,
                                                 str(t.object))):
        obj = triple.object
        is_iri = isinstance(obj, ox.NamedNode)
        rows.append({
            "subject": "" if isinstance(triple.subject, ox.NamedNode) else
            f"_:{triple.subject.value}",
            "predicate": curie(triple.predicate.value),
            "predicate_link": local_path(triple.predicate.value) or triple.predicate.value,
            "object": curie(obj.value) if is_iri else obj.value,
            "link": (local_path(obj.value) or obj.value) if is_iri else None,
            "lang": getattr(obj, "language", None),
            "datatype": curie(obj.datatype.value) if isinstance(obj, ox.Literal)
            and not obj.language and obj.datatype.value != XSD_STRING else None,
        })
    return rows


def dataset_description(info: dict[str, Any], base_url: str) -> str:
    """VoID + DCAT description of the dataset, in Turtle."""
    return f"""@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{DATASET}> a void:Dataset , dcat:Dataset ;
    dcterms:title "agrikg: agricultural market access knowledge graph"@en ,
        "agrikg: ауыл шаруашылығы өнімдерінің нарыққа қолжетімділігі туралы білім графы"@kk ,
        "agrikg: граф знаний о доступе сельхозпродукции на рынки"@ru ;
    dcterms:description "{DESCRIPTION}"@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcterms:language <http://id.loc.gov/vocabulary/iso639-1/kk> ,
        <http://id.loc.gov/vocabulary/iso639-1/ru> , <http://id.loc.gov/vocabulary/iso639-1/en> ;
    dcterms:modified "{info.get('built_at', '')}"^^xsd:dateTime ;
    void:triples {int(info.get('triples', 0))} ;
    void:uriSpace "{BASE}" ;
    void:sparqlEndpoint <{base_url}/sparql> ;
    void:dataDump <{base_url}/dumps/graph.ttl> , <{base_url}/dumps/graph.nt> ,
        <{base_url}/dumps/graph.jsonld> ;
    dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <{base_url}/dumps/graph.ttl> ;
                        dcat:mediaType "text/turtle" ] ,
                      [ a dcat:Distribution ; dcat:downloadURL <{base_url}/dumps/graph.nt> ;
                        dcat:mediaType "application/n-triples" ] ,
                      [ a dcat:Distribution ; dcat:downloadURL <{base_url}/dumps/graph.jsonld> ;
                        dcat:mediaType "application/ld+json" ] .
"""
