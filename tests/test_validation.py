"""graph/build/validation.py with ontology/shapes.ttl: the shapes of dated records, source
documents and the exporter's measures hold on the history test data, and each broken rule is
reported on the resource, at the file and line it was written on."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, XSD

from graph.build.builder import combine
from graph.build.terms import AGENT, AGK, DOCUMENT, MEASURE, RECORD, STATEMENT
from graph.build.validation import check_shapes, load_shapes
from graph.settings import Settings
from tests.conftest import history_data

BAN = MEASURE["kz-ban-test-honey-2023-03-01"]
QUOTA = MEASURE["kz-quota-test-beef-2023"]
LIFTED = RECORD["kz-jp-beef-2024-02"]


@pytest.fixture(scope="module")
def combined(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("validation")
    settings = Settings(home=root / "home", data_dir=history_data(root / "data"), endpoint=None)
    return combine(settings)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def _check(combined, shapes, change) -> list:
    graph, curated = combined
    copy = Graph()
    copy += graph
    change(copy)
    return check_shapes(copy, shapes, curated.origins)


def test_the_history_data_conforms(combined, shapes) -> None:
    assert _check(combined, shapes, lambda g: None) == []


@pytest.mark.build  # SHACL over the whole graph, once per case
@pytest.mark.parametrize(("focus", "change", "rule", "words", "file"), [
    (BAN, lambda g: g.remove((BAN, AGK.coversProduct, None)),
     "ExportMeasureShape / agk:coversProduct", "at least one product", "measures.csv"),
    (QUOTA, lambda g: g.set((QUOTA, AGK.quantity, Literal("lots"))),
     "ExportQuotaShape / agk:quantity", "xsd:decimal", "measures.csv"),
    (QUOTA, lambda g: g.remove((QUOTA, AGK.unit, None)),
     "ExportQuotaShape / agk:unit", "one unit", "measures.csv"),
    (BAN, lambda g: g.add((BAN, AGK.quantity, Literal("5", datatype=XSD.decimal))),
     "ExportBanShape / agk:quantity", "a ban has no quantity", "measures.csv"),
    (BAN, lambda g: g.remove((BAN, AGK.startDate, None)),
     "ExportMeasureShape / agk:startDate", "one start date", "measures.csv"),
    (BAN, lambda g: g.add((BAN, AGK.coversMarket, RECORD["kz-jp-beef-2022"])),
     "ExportMeasureShape / agk:coversMarket", "known countries", "measures.csv"),
    (BAN, lambda g: g.remove((BAN, AGK.source, None)),
     "ExportMeasureShape / agk:source", "at least one source", "measures.csv"),
    (LIFTED, lambda g: g.add((LIFTED, AGK.supersedes, STATEMENT["test-jp-lifted-2024"])),
     "AccessRecordShape / agk:supersedes", "only other access records", "test-history.csv"),
    (LIFTED, lambda g: g.set((LIFTED, AGK.reportDate, Literal("6 February 2024"))),
     "AccessRecordShape / agk:reportDate", "report date", "test-history.csv"),
    (DOCUMENT["test-history-ru-2024-02"],
     lambda g: g.set((DOCUMENT["test-history-ru-2024-02"], DCTERMS.language, Literal("de"))),
     "SourceDocumentShape / dcterms:language", "kk, ru or en", "test-history-ru-2024-02.yaml"),
    (STATEMENT["test-jp-lifted-2024"],
     lambda g: g.remove((STATEMENT["test-jp-lifted-2024"], AGK.translation, None)),
     "StatementShape / agk:translation", "other two", "test-history-ru-2024-02.yaml"),
])
def test_a_broken_shape_names_the_resource_its_file_and_line(combined, shapes, focus, change,
                                                             rule, words, file) -> None:
    problems = [p for p in _check(combined, shapes, change) if p.focus == str(focus)]
    problem = next((p for p in problems if p.rule == rule), None)
    assert problem is not None, [str(p) for p in problems]
    assert words in problem.message
    assert problem.origin.path.endswith(file) and problem.origin.line > 0


@pytest.mark.build  # SHACL over the whole graph, once per case
def test_a_speaker_without_a_role_conforms_and_an_undefined_role_does_not(combined,
                                                                          shapes) -> None:
    from rdflib import BNode
    from rdflib.namespace import PROV, RDF

    statement = STATEMENT["test-jp-lifted-2024"]
    attribution = BNode()

    def speaker(g: Graph) -> None:
        g.add((statement, PROV.qualifiedAttribution, attribution))
        g.add((attribution, RDF.type, PROV.Attribution))
        g.add((attribution, PROV.agent, AGENT["ministry-of-agriculture-kz"]))

    assert _check(combined, shapes, speaker) == []

    def undefined_role(g: Graph) -> None:
        speaker(g)
        g.add((attribution, PROV.hadRole, AGENT["no-such-role"]))

    assert any("role" in p.message for p in _check(combined, shapes, undefined_role))
