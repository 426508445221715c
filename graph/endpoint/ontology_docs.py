"""The ontology's documentation: each class and property of the served build with its labels and
definitions in every language, its super-terms, domain and range, and the SHACL shapes that
constrain it. Read from the served store (named query `ontology_terms`) and from the shapes the
build enforces (`ontology_shapes`, run on ontology/shapes.ttl, which the graph does not hold).

pyLODE was tried first (3.4.1 does not import when installed: it reads a pyproject.toml from
site-packages; 3.3.4 runs offline but runs the labels of the three languages together without
saying which is which, gives the first class an empty id, has headings in English only and
does not document SHACL shapes), so the documentation is written here, from the graph itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import AGK
from graph.store.backends import Store
from graph.store.named_queries import render, select

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KINDS = {OWL + "Class": "class", OWL + "ObjectProperty": "object",
         OWL + "DatatypeProperty": "datatype"}
_FIELDS = {RDFS + "subClassOf": "supers", RDFS + "subPropertyOf": "supers",
           RDFS + "domain": "domains", RDFS + "range": "ranges"}


@dataclass
class Constraint:
    """What one SHACL property shape asks of a property's values on the instances of a class."""

    shape: str
    target: str | None  # the class the shape applies to
    path: str
    count: str  # "1..1", "0..1", "1..*"; "" when the shape says nothing of counts
    values: list[str]  # IRIs (classes, datatypes, shapes, allowed values) or allowed literals
    pattern: str | None
    message: str | None  # the rule as the shapes state it (in English)


@dataclass
class Term:
    iri: str
    kind: str  # class | object | datatype
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    supers: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)  # for a class: properties with it as domain

    @property
    def name(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def terms(store: Store) -> dict[str, Term]:
    """The ontology's classes and properties, as the served graph holds them."""
    found: dict[str, Term] = {}
    for row in select(store, "ontology_terms"):
        term = found.setdefault(row["term"], Term(row["term"], KINDS[row["kind"]]))
        prop, value = row.get("property"), row.get("value")
        if prop is None or value is None:
            continue
        if prop in (RDFS + "label", SKOS + "definition", RDFS + "comment"):
            table = {RDFS + "label": term.labels, SKOS + "definition": term.definitions,
                     RDFS + "comment": term.comments}[prop]
            table.setdefault(row.get("lang") or "", value)
        elif row.get("valueKind") == "iri" and value not in getattr(term, _FIELDS[prop]):
            getattr(term, _FIELDS[prop]).append(value)
    for term in found.values():
        for domain in term.domains:
            if domain in found and term.kind != "class":
                found[domain].properties.append(term.iri)
    return found


def _count(low: str | None, high: str | None) -> str:
    if low is None and high is None:
        return ""
    return f"{low or 0}..{high or '*'}"


def constraints(shapes_file: Path) -> list[Constraint]:
    """Every property constraint of the shapes, with the class its shape targets."""
    if not shapes_file.is_file():
        return []
    shapes = ox.Store()
    shapes.load(path=str(shapes_file), format=ox.RdfFormat.TURTLE)
    solutions = shapes.query(render("ontology_shapes"))
    names = [v.value for v in solutions.variables]
    found = []
    for solution in solutions:
        row = {n: solution[n].value for n in names if solution[n] is not None}
        if "path" not in row:
            continue
        values = [row[k] for k in ("class", "datatype", "node") if k in row]
        values += [v for k in ("allowed", "datatypes") for v in row.get(k, "").split() if v]
        found.append(Constraint(row["shape"], row.get("target"), row["path"],
                                _count(row.get("min"), row.get("max")), values,
                                row.get("pattern"), row.get("message")))
    return found


def document(store: Store, shapes_file: Path) -> dict[str, list[Term]]:
    """The terms by kind (classes, object properties, datatype properties), each with the
    constraints that concern it: a class those of the shapes targeting it, a property those
    whose path it is."""
    found = terms(store)
    for constraint in constraints(shapes_file):
        if constraint.target in found:
            found[constraint.target].constraints.append(constraint)
        if constraint.path in found and constraint.path.startswith(str(AGK)):
            found[constraint.path].constraints.append(constraint)
    by_kind: dict[str, list[Term]] = {"class": [], "object": [], "datatype": []}
    for term in sorted(found.values(), key=lambda t: t.name.lower()):
        by_kind[term.kind].append(term)
    return by_kind
