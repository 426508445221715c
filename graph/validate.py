"""Check the built graph before it is served: SHACL shapes, and HS codes against HS 2022.

Each problem names the resource, the file and line it came from, and the rule it breaks.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS

from graph import ONTOLOGY_DIR, REFERENCE_DIR
from graph.errors import Origin, Problem
from graph.namespaces import AGK


@lru_cache(maxsize=1)
def hs2022_codes(path: Path = REFERENCE_DIR / "hs2022.csv") -> frozenset[str]:
    """Every chapter, heading and subheading code of HS 2022 (reference copy in the repo)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["hscode"] for row in csv.DictReader(handle) if row["hscode"].isdigit())


def check_hs_codes(graph: Graph, origins: dict[str, Origin]) -> list[Problem]:
    known = hs2022_codes()
    problems = []
    for product, code in graph.subject_objects(SKOS.notation):
        if isinstance(code, Literal) and code.datatype == AGK.HSCode and str(code) not in known:
            problems.append(Problem(str(product), origins.get(str(product)), "HS 2022 code",
                                    f"HS code {code} does not exist in HS 2022"))
    return problems


def _ontology_line(iri: str, files: Iterable[Path]) -> Origin | None:
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
            _ontology_line(str(focus), files) if isinstance(focus, URIRef) else None)
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
