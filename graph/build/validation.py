"""Check the built graph before it is served: SHACL shapes, and HS codes against HS 2022.

Each problem names the resource, the file and line it came from, and the rule it breaks. The
curated build checks an rdflib graph with pySHACL (small, and pySHACL's results are the
reference); a build from a large file checks the store itself, the shapes run as SPARQL by
graph/build/shapes_as_sparql.py. Both report the same Problems.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import pyoxigraph
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS

from graph import ONTOLOGY_DIR, REFERENCE_DIR
from graph.build import shapes_as_sparql as conformance
from graph.build.terms import AGK
from graph.errors import Origin, Problem
from graph.store.named_queries import load


@lru_cache(maxsize=1)
def hs2022_codes(path: Path = REFERENCE_DIR / "hs2022.csv") -> frozenset[str]:
    """Every chapter, heading and subheading code of HS 2022 (reference copy in the repo)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["hscode"] for row in csv.DictReader(handle) if row["hscode"].isdigit())


def hs_code_problems(codes: Iterable[tuple[str, str]],
                     origins: Mapping[str, Origin]) -> list[Problem]:
    """The rule itself, for (product, code) pairs from a graph or a store: the code exists."""
    known = hs2022_codes()
    return [Problem(product, origins.get(product), "HS 2022 code",
                    f"HS code {code} does not exist in HS 2022")
            for product, code in codes if code not in known]


def check_hs_codes(graph: Graph, origins: Mapping[str, Origin]) -> list[Problem]:
    return hs_code_problems(((str(product), str(code))
                             for product, code in graph.subject_objects(SKOS.notation)
                             if isinstance(code, Literal) and code.datatype == AGK.HSCode),
                            origins)


def check_store(store: pyoxigraph.Store, shapes: Graph,
                origins: Mapping[str, Origin] | None = None,
                translator: conformance.Translator | None = None) -> list[Problem]:
    """SHACL (as SPARQL) and HS 2022 on a store of any size; origins where known.

    Raises conformance.UnsupportedShape when shapes.ttl uses what the translator lacks."""
    origins = origins or {}
    problems = []
    for violation in (translator or conformance.Translator(shapes)).run(store):
        focus = _text(violation.focus)
        detail = f" (value: {_text(violation.value)})" if violation.value is not None else ""
        problems.append(Problem(focus, origins.get(focus),
                                _rule_name(shapes, violation.shape, URIRef(violation.path)),
                                violation.message + detail))
    # Imported here: graph.store.backends still imports the builder (issue 11 removes that), so a
    # module-level import of the query loader would be circular.

    codes = ((_text(s["product"]), _text(s["code"])) for s in store.query(load("hs_codes").text))
    problems += hs_code_problems(codes, origins)
    return sorted(set(problems), key=lambda p: (p.focus, p.rule, p.message))


def _text(term: object) -> str:
    """A pyoxigraph term as rdflib's str() gives it: the IRI, the lexical form, the bnode id."""
    return str(getattr(term, "value", term))


def ontology_line(iri: str, files: Iterable[Path]) -> Origin | None:
    """Find where an ontology term is defined in the Turtle files, for the error message."""
    local = re.split(r"[#/]", iri)[-1]
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith((f"agk:{local} ", f"status:{local} ", f"vet:{local} ", f"<{iri}>")):
                return Origin(f"ontology/{path.name}", number)
    return None


def check_shapes(graph: Graph, shapes: Graph, origins: dict[str, Origin],
                 ontology_files: Iterable[Path] = ()) -> list[Problem]:
    conforms, results, _text = shacl_validate(
        graph, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    if conforms:
        return []
    files = list(ontology_files)
    problems = []
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = str(results.value(result, SH.resultMessage) or "violates a shape")
        shape = results.value(result, SH.sourceShape)
        rule = _rule_name(shapes, shape, path)
        origin = origins.get(str(focus)) or (
            ontology_line(str(focus), files) if isinstance(focus, URIRef) else None)
        detail = f" (value: {value})" if value is not None else ""
        problems.append(Problem(str(focus), origin, rule, message + detail))
    unique = set(problems)
    return sorted(unique, key=lambda p: (p.origin.path if p.origin else "~",
                                         p.origin.line if p.origin else 0, p.focus, p.rule))


def _rule_name(shapes: Graph, shape: object, path: object) -> str:
    """A readable name for the broken rule: the node shape and the property path."""
    owner = next(iter(shapes.subjects(SH.property, shape)), shape)
    name = str(owner).split("#")[-1] if owner is not None else "shape"
    if path is not None:
        name += f" / {shapes.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else path}"
    return name


def load_shapes(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    return Graph().parse(ontology_dir / "shapes.ttl", format="turtle")
