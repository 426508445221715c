"""Run the SHACL shapes of ontology/shapes.ttl as SPARQL queries on a pyoxigraph store.

pySHACL validates an rdflib graph in memory: minutes at 10^6 triples. This module reads the
shapes with rdflib and translates every constraint into a SPARQL SELECT that returns the
violating focus nodes (and value), run on the store itself. The queries are generated from
shapes.ttl at run time, never kept as .rq files: the shapes stay the one place the rules are
written. Anything in a shape it does not translate raises UnsupportedShape — a rule is never
skipped silently.

Translated: targets sh:targetClass (with subclasses) and sh:targetSubjectsOf; property shapes
with an IRI sh:path and sh:minCount, sh:maxCount, sh:class, sh:datatype (well-formedness
included for the XSD types SPARQL can cast), sh:in, sh:languageIn, sh:pattern (+ sh:flags),
sh:uniqueLang, sh:node, sh:or of value-only shapes, sh:qualifiedValueShape with
sh:qualifiedMinCount / sh:qualifiedMaxCount. pyoxigraph evaluates triple patterns in the
order written, so each query starts from the focus nodes of the target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD


class UnsupportedShape(ValueError):
    """A SHACL feature the translator does not know: validation refuses to run without it."""


@dataclass(frozen=True)
class Violation:
    """One focus node breaking one constraint, as pySHACL would report it."""

    focus: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
    path: str
    value: object | None
    shape: URIRef | BNode  # the property shape holding the constraint
    component: str         # e.g. "minCount"
    message: str


# Parameters that describe a shape without constraining anything.
_DESCRIPTIVE = {SH.name, SH.description, SH.message, SH.order, SH.group}
_TARGETS = {SH.targetClass, SH.targetSubjectsOf}
# Constraints a value can be checked against alone (sh:or members, qualified value shapes).
_VALUE_COMPONENTS = {SH.datatype, SH["in"], SH.languageIn, SH.pattern, SH.flags, SH["class"]}
_PROPERTY_COMPONENTS = _VALUE_COMPONENTS | {
    SH.minCount, SH.maxCount, SH.uniqueLang, SH.node, SH["or"], SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint}
# XSD datatypes whose lexical form SPARQL can check by casting (as pySHACL checks it).
_CASTABLE = {XSD[n] for n in ("boolean", "decimal", "integer", "double", "float", "date",
                              "dateTime", "time", "duration", "gYear", "gYearMonth")}
_RDF_TYPE = f"<{RDF.type}>"
_SUBCLASS = f"<{RDFS.subClassOf}>"

Target = Callable[[str], str]  # focus variable -> graph pattern binding it


def _term(node: object) -> str:
    """An rdflib term written in SPARQL."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShape(f"a blank node cannot be named in a query: {node}")


def _string(value: str) -> str:
    return Literal(value).n3()


@dataclass
class Check:
    """One constraint of one property shape. `probe` is cheap and may over-report (it looks
    past the target, at every use of the path); only when it finds something does `exact`,
    the precise query, run. A valid graph (the common case) costs only the probes."""

    shape: URIRef | BNode
    path: URIRef
    component: str
    message: str
    exact: str                      # SELECT ?focus [?value]: precisely the breaches
    probe: str | None = None        # None: the exact query is the probe
    inner: list[Check] = field(default_factory=list, repr=False)  # sh:node: nested checks

    def suspect(self, store: pyoxigraph.Store, seen: dict[str, bool]) -> bool:
        """Could there be a breach? Probes shared by several shapes run once (`seen`)."""
        if self.inner:
            return any(check.suspect(store, seen) for check in self.inner)
        query = self.probe or self.exact
        if query not in seen:
            seen[query] = next(iter(store.query(query)), None) is not None
        return seen[query]

    def rows(self, store: pyoxigraph.Store, seen: dict[str, bool] | None = None) -> Iterator[tuple]:
        """(focus, value) for every breach; value None for counts."""
        if not self.suspect(store, {} if seen is None else seen):
            return
        solutions = store.query(self.exact)
        with_value = "value" in {v.value for v in solutions.variables}
        for solution in solutions:
            yield solution["focus"], solution["value"] if with_value else None


class Translator:
    """SHACL shapes -> SPARQL checks. Construct once per shapes graph, run on any store."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self._vars = count()
        self.checks: list[Check] = []
        for shape in sorted({s for p in _TARGETS for s in shapes.subjects(p, None)} |
                            self._unsupported_targets(), key=str):
            self.checks += self._node_shape(shape, self._target(shape), depth=0)

    # -- shapes ---------------------------------------------------------------------------

    def _unsupported_targets(self) -> set:
        found = set()
        for predicate in (SH.targetNode, SH.targetObjectsOf, SH.target):
            found |= set(self.shapes.subjects(predicate, None))
        for kind in (RDFS.Class, OWL.Class):  # implicit class targets
            found |= set(self.shapes.subjects(RDF.type, kind)) & set(
                self.shapes.subjects(RDF.type, SH.NodeShape))
        return found

    def _loud(self, shape: object, what: str) -> UnsupportedShape:
        return UnsupportedShape(f"shape {self._name(shape)}: {what} is not translated to SPARQL; "
                                "refusing to validate without it")

    def _name(self, node: object) -> str:
        if isinstance(node, URIRef):
            return self.shapes.namespace_manager.normalizeUri(node)
        path = self.shapes.value(node, SH.path)
        return f"[sh:path {self._name(path)}]" if path is not None else "[a blank node shape]"

    def _parameters(self, shape: object, allowed: set) -> dict:
        """The shape's SHACL parameters, refusing any this translator does not handle."""
        found: dict = {}
        for predicate, value in self.shapes.predicate_objects(shape):
            if predicate == SH.severity and value != SH.Violation:
                raise self._loud(shape, f"sh:severity {self._name(value)}")
            if predicate == SH.severity or not str(predicate).startswith(str(SH)):
                continue
            if predicate not in allowed and predicate not in _DESCRIPTIVE:
                raise self._loud(shape, self._name(predicate))
            found.setdefault(predicate, []).append(value)
        return found

    def _node_shape(self, shape: object, target: Target, depth: int) -> list[Check]:
        if depth > 8:
            raise self._loud(shape, "sh:node nested deeper than 8 (recursive shapes)")
        params = self._parameters(shape, _TARGETS | {SH.property, SH.path})
        if SH.path in params:
            raise self._loud(shape, "a property shape used as a node shape")
        checks = []
        for prop in sorted(params.get(SH.property, []), key=str):
            checks += self._property_shape(prop, target, depth)
        return checks

    def _target(self, shape: object) -> Target:
        classes = sorted(self.shapes.objects(shape, SH.targetClass), key=str)
        predicates = sorted(self.shapes.objects(shape, SH.targetSubjectsOf), key=str)
        implicit = {RDFS.Class, OWL.Class} & set(self.shapes.objects(shape, RDF.type))
        if implicit:
            raise self._loud(shape, "an implicit class target (a shape that is also a class)")
        if not classes and not predicates:
            raise self._loud(shape, "a target other than sh:targetClass / sh:targetSubjectsOf")

        def target(var: str) -> str:
            parts = []
            if classes:  # instances of the classes and of their subclasses, as SHACL says
                cls, root = self._var("cls"), self._var("root")
                parts.append(f"VALUES {root} {{ {' '.join(_term(c) for c in classes)} }} "
                             f"{cls} {_SUBCLASS}* {root} . {var} {_RDF_TYPE} {cls} .")
            for predicate in predicates:
                parts.append(f"{{ SELECT DISTINCT {var} WHERE {{ {var} {_term(predicate)} "
                             f"{self._var('any')} }} }}")
            if len(parts) == 1:
                return parts[0]
            return " UNION ".join(f"{{ {p} }}" for p in parts)

        return target

    def _var(self, stem: str) -> str:
        return f"?{stem}{next(self._vars)}"

    # -- property shapes ------------------------------------------------------------------

    def _property_shape(self, prop: object, target: Target, depth: int) -> list[Check]:
        """The checks of one property shape on the focus nodes `target` binds to ?focus.

        Probes look at every use of the path, past the target, because that is what the
        store answers fast; the exact queries then join the few suspects with the target."""
        params = self._parameters(prop, _PROPERTY_COMPONENTS | {SH.path})
        paths = params.get(SH.path, [])
        if len(paths) != 1 or not isinstance(paths[0], URIRef):
            raise self._loud(prop, "a sh:path other than one IRI")
        path = paths[0]
        message = self._message(prop)
        p = _term(path)
        checks: list[Check] = []

        def add(component: str, exact: str, probe: str | None = None) -> None:
            checks.append(Check(prop, path, component, message, exact, probe))

        def focus() -> str:
            return target("?focus")

        def bad_values(ok: str) -> tuple[str, str]:
            # Distinct values first (the aggregate keeps the filter from being pushed below
            # the grouping, which would test every triple), then the target for suspects.
            bad = (f"SELECT ?value WHERE {{ {{ SELECT ?value (COUNT(*) AS ?uses) WHERE {{ "
                   f"?x {p} ?value }} GROUP BY ?value }} FILTER(?uses > 0 && !({ok})) }}")
            exact = (f"SELECT DISTINCT ?focus ?value WHERE {{ {{ {bad} }} ?focus {p} ?value . "
                     f"{focus()} }}")
            return exact, bad

        for value in params.get(SH.minCount, []):
            if query := _fewer_than(int(value), focus(), p):
                add("minCount", query)
        for value in params.get(SH.maxCount, []):
            over = (f"SELECT ?focus WHERE {{ ?focus {p} ?v }} GROUP BY ?focus "
                    f"HAVING (COUNT(DISTINCT ?v) > {int(value)})")
            add("maxCount", f"SELECT DISTINCT ?focus WHERE {{ {{ {over} }} {focus()} }}", over)
        flags = [str(f) for f in params.get(SH.flags, [])]
        for component in (SH["class"], SH.datatype, SH["in"], SH.languageIn, SH.pattern):
            for value in params.get(component, []):
                add(self._local(component),
                    *bad_values(self._value_ok(prop, component, value, "?value", flags)))
        for alternatives in params.get(SH["or"], []):
            members = list(Collection(self.shapes, alternatives))
            ok = " || ".join(f"({self._value_shape_ok(m, '?value')})" for m in members) or "false"
            add("or", *bad_values(ok))
        for value in params.get(SH.uniqueLang, []):
            if value.toPython() is True:
                shared = (f"SELECT ?focus (SAMPLE(?v) AS ?value) WHERE {{ ?focus {p} ?v "
                          f"FILTER(isLiteral(?v) && LANG(?v) != \"\") "
                          f"BIND(LCASE(LANG(?v)) AS ?lang) }} GROUP BY ?focus ?lang "
                          f"HAVING (COUNT(DISTINCT ?v) > 1)")
                add("uniqueLang", f"SELECT DISTINCT ?focus ?value WHERE {{ {{ {shared} }} "
                                  f"{focus()} }}", shared)
        self._qualified(prop, params, add, p, focus)
        for node in params.get(SH.node, []):
            # The nested shape is checked on every object of the path (a superset, cheap);
            # the exact query keeps the values of this shape's focus nodes.
            any_subject = self._var("x")
            values = lambda var, s=any_subject: f"{{ SELECT DISTINCT {var} WHERE {{ {s} {p} {var} }} }}"  # noqa: E731
            inner = self._node_shape(node, values, depth + 1)
            if not inner:
                continue  # a shape without constraints: every value conforms
            broken = " UNION ".join(
                f"{{ SELECT (?focus AS ?value) WHERE {{ {{ SELECT DISTINCT ?focus WHERE {{ "
                f"{{ {c.exact} }} }} }} }} }}" for c in inner)
            checks.append(Check(prop, path, "node", message,
                                f"SELECT DISTINCT ?focus ?value WHERE {{ {broken} "
                                f"?focus {p} ?value . {focus()} }}", inner=inner))
        return checks

    def _qualified(self, prop: object, params: dict, add: Callable, p: str,
                   focus: Callable[[], str]) -> None:
        shapes = params.get(SH.qualifiedValueShape, [])
        counts = params.get(SH.qualifiedMinCount, []) + params.get(SH.qualifiedMaxCount, [])
        if not shapes:
            if counts:
                raise self._loud(prop, "a qualified count without sh:qualifiedValueShape")
            return
        if len(shapes) > 1:
            raise self._loud(prop, "more than one sh:qualifiedValueShape")
        if not counts:
            raise self._loud(prop, "sh:qualifiedValueShape without a qualified count")
        if any(v.toPython() is True for v in params.get(SH.qualifiedValueShapesDisjoint, [])):
            raise self._loud(prop, "sh:qualifiedValueShapesDisjoint true")
        ok = self._value_shape_ok(shapes[0], "?v")
        for value in params.get(SH.qualifiedMinCount, []):
            if query := _fewer_than(int(value), focus(), p, ok):
                add("qualifiedMinCount", query)
        for value in params.get(SH.qualifiedMaxCount, []):
            over = (f"SELECT ?focus WHERE {{ ?focus {p} ?v FILTER({ok}) }} GROUP BY ?focus "
                    f"HAVING (COUNT(DISTINCT ?v) > {int(value)})")
            add("qualifiedMaxCount", f"SELECT DISTINCT ?focus WHERE {{ {{ {over} }} {focus()} }}",
                over)

    # -- single values --------------------------------------------------------------------

    def _value_shape_ok(self, shape: object, var: str) -> str:
        """A SPARQL expression true when `var` conforms to a shape of value constraints only."""
        params = self._parameters(shape, _VALUE_COMPONENTS)
        flags = [str(f) for f in params.get(SH.flags, [])]
        tests = [self._value_ok(shape, component, value, var, flags)
                 for component in (SH["class"], SH.datatype, SH["in"], SH.languageIn, SH.pattern)
                 for value in params.get(component, [])]
        return " && ".join(f"({t})" for t in tests) or "true"

    def _value_ok(self, shape: object, component: URIRef, value: object, var: str,
                  flags: list[str]) -> str:
        """A SPARQL expression true when the value `var` meets one value constraint."""
        if component == SH["class"]:
            return f"EXISTS {{ {var} {_RDF_TYPE}/{_SUBCLASS}* {_term(value)} }}"
        if component == SH.datatype:
            test = f"isLiteral({var}) && DATATYPE({var}) = {_term(value)}"
            if value in _CASTABLE:  # ill-formed literals break sh:datatype too
                test += f" && COALESCE(isLiteral({_term(value)}(STR({var}))), false)"
            elif value == RDF.langString:
                test += f" && LANG({var}) != \"\""
            return test
        if component == SH["in"]:
            members = list(Collection(self.shapes, value))
            return " || ".join(f"sameTerm({var}, {_term(m)})" for m in members) or "false"
        if component == SH.languageIn:
            tags = [str(t) for t in Collection(self.shapes, value)]
            return (f"isLiteral({var}) && ("
                    + (" || ".join(f"langMatches(LANG({var}), {_string(t)})" for t in tags)
                       or "false") + ")")
        if component == SH.pattern:
            flag = f", {_string(flags[0])}" if flags else ""
            return f"!isBlank({var}) && REGEX(STR({var}), {_string(str(value))}{flag})"
        raise self._loud(shape, self._name(component))

    # -- messages -------------------------------------------------------------------------

    def _message(self, prop: object) -> str:
        messages = sorted(self.shapes.objects(prop, SH.message),
                          key=lambda m: (getattr(m, "language", None) not in (None, "en"), str(m)))
        return str(messages[0]) if messages else ""

    @staticmethod
    def _local(iri: URIRef) -> str:
        return str(iri).removeprefix(str(SH))

    # -- running --------------------------------------------------------------------------

    def run(self, store: pyoxigraph.Store) -> list[Violation]:
        """Every violation in the store, each (focus, path, value, shape) once."""
        found: dict[tuple, Violation] = {}
        seen: dict[str, bool] = {}
        for check in self.checks:
            for focus, value in check.rows(store, seen):
                key = (focus, str(check.path), value, check.shape, check.component)
                if key not in found:
                    found[key] = Violation(focus, str(check.path), value, check.shape,
                                           check.component, check.message or _DEFAULTS.get(
                                               check.component, f"breaks sh:{check.component}"))
        return list(found.values())


_DEFAULTS = {
    "minCount": "too few values", "maxCount": "too many values",
    "class": "value is not an instance of the required class",
    "datatype": "value does not have the required datatype", "in": "value is not one allowed",
    "languageIn": "value has a language tag not allowed", "pattern": "value does not match",
    "uniqueLang": "more than one value shares a language tag",
    "node": "value does not conform to the required shape",
    "or": "value conforms to none of the alternatives",
    "qualifiedMinCount": "too few values of the required shape",
    "qualifiedMaxCount": "too many values of the required shape",
}


def validate(store: pyoxigraph.Store, shapes: Graph) -> list[Violation]:
    """Run every shape in `shapes` on `store`; raises UnsupportedShape before running any."""
    return Translator(shapes).run(store)


def _fewer_than(n: int, focus: str, path: str, condition: str = "") -> str | None:
    """The focus nodes with fewer than n values of `path` (meeting `condition`, when given):
    sh:minCount and sh:qualifiedMinCount alike. None when n < 1 (nothing can break it)."""
    values = f"?focus {path} ?v" + (f" FILTER({condition})" if condition else "")
    if n == 1:
        return f"SELECT DISTINCT ?focus WHERE {{ {focus} MINUS {{ {values} }} }}"
    if n > 1:
        return (f"SELECT ?focus WHERE {{ {focus} OPTIONAL {{ {values} }} }} GROUP BY ?focus "
                f"HAVING (COUNT(DISTINCT ?v) < {n})")
    return None
