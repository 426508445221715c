"""The SHACL-to-SPARQL translator finds exactly what pySHACL finds: on the curated graph
(nothing) and on graphs broken once per constraint component shapes.ttl uses; and it refuses
shapes it cannot translate instead of skipping them."""

from __future__ import annotations

import pyoxigraph
import pytest
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH, SKOS, XSD

from graph.build.builder import combine
from graph.build.shapes_as_sparql import Translator, UnsupportedShape, validate
from graph.build.terms import ACCESS_STATUS, AGK, MARKET, PRODUCT, RECORD, STATEMENT
from graph.build.validation import check_store, load_shapes
from graph.settings import Settings


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """Ontology + curated data + markets, as the build combines them, before validation."""
    graph, _ = combine(Settings(home=tmp_path_factory.mktemp("home"), endpoint=None))
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def _store(graph: Graph) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _key(node: object) -> str:
    """Blank nodes are renamed on the way into the store: compare them as one kind."""
    if isinstance(node, BNode | pyoxigraph.BlankNode):
        return "_:"
    return str(getattr(node, "value", node))


def _pyshacl(graph: Graph, shapes: Graph) -> set[tuple[str, str]]:
    _, results, _ = shacl_validate(graph, shacl_graph=shapes, inference="none", advanced=False,
                                   allow_warnings=True)
    nested = set(results.objects(None, SH.detail))  # sh:node's details, not results of their own
    return {(_key(results.value(r, SH.focusNode)), str(results.value(r, SH.resultPath)))
            for r in results.subjects(SH.resultSeverity, SH.Violation) if r not in nested}


def _translated(graph: Graph, shapes: Graph) -> set[tuple[str, str]]:
    return {(_key(v.focus), v.path) for v in validate(_store(graph), shapes)}


def test_the_curated_graph_conforms_for_both(curated, shapes) -> None:
    assert _pyshacl(curated, shapes) == _translated(curated, shapes) == set()


def _break(graph: Graph) -> dict[tuple[str, str], str]:
    """Break one rule per constraint component, each on its own resource; returns
    {(focus, path): component} for what must be found."""
    expected: dict[tuple[str, str], str] = {}

    def expect(focus: URIRef, path: URIRef, component: str) -> None:
        expected[(str(focus), str(path))] = component

    records = sorted(graph.subjects(RDF.type, AGK.AccessRecord))
    statements = sorted(graph.subjects(RDF.type, AGK.Statement))
    # minCount: a record without its market.
    graph.remove((records[0], AGK.market, None))
    expect(records[0], AGK.market, "minCount")
    # maxCount: a record with two statuses.
    graph.add((records[1], AGK.accessStatus, ACCESS_STATUS["restricted"]))
    graph.add((records[1], AGK.accessStatus, ACCESS_STATUS["open"]))
    expect(records[1], AGK.accessStatus, "maxCount")
    # sh:in: a status outside the five.
    graph.set((records[2], AGK.accessStatus, ACCESS_STATUS["opened"]))
    expect(records[2], AGK.accessStatus, "in")
    # sh:class: a market that is a product.
    graph.set((records[3], AGK.market, PRODUCT["wheat"]))
    expect(records[3], AGK.market, "class")
    # sh:or of datatypes: an as-of date typed as a string, and one ill-formed.
    graph.set((records[4], AGK.asOf, Literal("2018")))
    expect(records[4], AGK.asOf, "or")
    graph.set((records[5], AGK.asOf, Literal("2018-02-30", datatype=XSD.date)))
    expect(records[5], AGK.asOf, "or")
    # sh:in on literals: a date precision outside day/month/year.
    graph.set((records[6], AGK.datePrecision, Literal("week")))
    expect(records[6], AGK.datePrecision, "in")
    # sh:languageIn: a quote tagged @de, not one of kk, ru, en.
    quote = graph.value(statements[0], AGK.quote)
    graph.set((statements[0], AGK.quote, Literal(str(quote), lang="de")))
    expect(statements[0], AGK.quote, "languageIn")
    # sh:qualifiedValueShape + sh:qualifiedMinCount: one of its two translations removed (the
    # statement's own language may be any of kk, ru, en, so the one removed is its first).
    translation = min(graph.objects(statements[1], AGK.translation), key=str)
    graph.remove((statements[1], AGK.translation, translation))
    expect(statements[1], AGK.translation, "qualifiedMinCount")
    # sh:datatype: directSpeech as a string, and an ill-formed boolean.
    graph.set((statements[2], AGK.directSpeech, Literal("yes")))
    expect(statements[2], AGK.directSpeech, "datatype")
    # sh:node, two levels down: a record's statement whose attribution has no agent.
    record = records[7]
    statement = graph.value(record, AGK.source)
    attribution = graph.value(statement, PROV.qualifiedAttribution)
    graph.remove((attribution, PROV.agent, None))
    for citing in graph.subjects(AGK.source, statement):
        if (citing, RDF.type, AGK.Inference) not in graph:  # a reason only cites (sh:class)
            expect(citing, AGK.source, "node")
    # sh:pattern: a market's alpha-2 code in lower case.
    graph.set((MARKET["CN"], AGK.iso3166Alpha2, Literal("cn")))
    expect(MARKET["CN"], AGK.iso3166Alpha2, "pattern")
    # sh:uniqueLang: two English names for one product.
    graph.add((PRODUCT["honey"], SKOS.prefLabel, Literal("Bee honey", lang="en")))
    expect(PRODUCT["honey"], SKOS.prefLabel, "uniqueLang")
    # sh:minCount 3 and a qualified count: a product without its Kazakh label.
    for label in list(graph.objects(PRODUCT["wheat"], SKOS.prefLabel)):
        if label.language == "kk":
            graph.remove((PRODUCT["wheat"], SKOS.prefLabel, label))
    expect(PRODUCT["wheat"], SKOS.prefLabel, "qualifiedMinCount")
    # an ontology term without its Russian rdfs:label.
    for label in list(graph.objects(AGK.Market, RDFS.label)):
        if label.language == "ru":
            graph.remove((AGK.Market, RDFS.label, label))
    expect(AGK.Market, RDFS.label, "qualifiedMinCount")
    return expected


def test_broken_graphs_give_the_same_violations_as_pyshacl(curated, shapes) -> None:
    graph = Graph()
    graph += curated
    expected = _break(graph)
    found = {(_key(v.focus), v.path): v for v in validate(_store(graph), shapes)}
    reference = _pyshacl(graph, shapes)
    assert set(found) == reference
    for key, component in expected.items():
        assert key in found, f"{component} not found for {key}"
    components = {v.component for v in found.values()}
    assert components >= {"minCount", "maxCount", "in", "class", "or", "languageIn",
                          "qualifiedMinCount", "datatype", "node", "pattern", "uniqueLang"}


def test_messages_come_from_sh_message(curated, shapes) -> None:
    graph = Graph()
    graph += curated
    record = RECORD["kz-cn-wheat"]
    graph.add((record, AGK.accessStatus, ACCESS_STATUS["restricted"]))
    problems = check_store(_store(graph), shapes)
    assert [(p.focus, p.rule) for p in problems] == [
        (str(record), "AccessRecordShape / agk:accessStatus")]
    assert problems[0].message.startswith("a record has exactly one access status")


def test_hs_codes_outside_hs_2022_are_found_on_the_store(curated, shapes) -> None:
    graph = Graph()
    graph += curated
    graph.set((PRODUCT["honey"], SKOS.notation, Literal("0499", datatype=AGK.HSCode)))
    problems = check_store(_store(graph), shapes)
    assert [(p.focus, p.rule) for p in problems] == [(str(PRODUCT["honey"]), "HS 2022 code")]
    assert "0499 does not exist in HS 2022" in problems[0].message


@pytest.mark.parametrize(("path", "literal"), [
    ("directSpeech", '"maybe"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
    ("asOf", '"2018-13"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'),
    ("asOf", '"20x8"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
])
def test_ill_formed_typed_literals_break_sh_datatype(curated, shapes, path, literal) -> None:
    """Stricter than pySHACL, whose rdflib takes "2018-13" for a gYearMonth: the lexical form
    of every XSD type SPARQL can cast is checked."""
    store = _store(curated)
    subject = STATEMENT["china-market-open"] if path == "directSpeech" else RECORD["kz-cn-wheat"]
    store.update(f"DELETE WHERE {{ <{subject}> <{AGK[path]}> ?o }} ; "
                 f"INSERT DATA {{ <{subject}> <{AGK[path]}> {literal} }}")
    assert {(_key(v.focus), v.path) for v in validate(store, shapes)} == {
        (str(subject), str(AGK[path]))}


def test_every_generated_query_is_valid_sparql(shapes) -> None:
    """Exact queries run only when a probe finds something: parse them all here."""
    store = pyoxigraph.Store()

    def walk(checks):
        for check in checks:
            yield check
            yield from walk(check.inner)

    parsed = 0
    for check in walk(Translator(shapes).checks):
        list(store.query(check.exact))
        parsed += 1
        if check.probe:
            list(store.query(check.probe))
    assert parsed >= len(set(shapes.subjects(SH.path, None))), "a property shape made no query"


@pytest.mark.parametrize("extra", [
    "agks:AccessRecordShape sh:property [ sh:path agk:market ; sh:hasValue agk:CN ] .",
    "agks:AccessRecordShape sh:property [ sh:path agk:market ; sh:minLength 2 ] .",
    "agks:AccessRecordShape sh:property [ sh:path ( agk:source agk:quote ) ; sh:minCount 1 ] .",
    "agks:X a sh:NodeShape ; sh:targetNode agk:CN ; sh:property [ sh:path agk:market ; sh:minCount 1 ] .",
    "agks:AccessRecordShape sh:sparql [ sh:select \"SELECT $this WHERE { }\" ] .",
    "agks:AccessRecordShape sh:property [ sh:path agk:asOf ; sh:or ( [ sh:minCount 1 ] ) ] .",
    "agks:AccessRecordShape sh:property [ sh:path agk:asOf ; sh:severity sh:Warning ; sh:maxCount 1 ] .",
])
def test_an_unknown_constraint_component_fails_loudly(shapes, extra) -> None:
    more = Graph()
    more += shapes
    prefixes = "".join(f"@prefix {p}: <{n}> .\n" for p, n in shapes.namespaces()
                       if p in ("sh", "agk", "agks"))
    more.parse(data=prefixes + extra, format="turtle")
    with pytest.raises(UnsupportedShape, match="not translated to SPARQL"):
        Translator(more)

