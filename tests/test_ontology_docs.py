"""The ontology's documentation (graph/endpoint/ontology_docs.py and /ontology in a browser):
each class and property with its labels and definitions in kk/ru/en, domain, range and the
SHACL shapes that constrain it, made from the served graph and ontology/shapes.ttl."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.namespace import SKOS

from api.app import create_app
from graph import ONTOLOGY_DIR
from graph.answers.messages import ONTOLOGY_PAGE
from graph.endpoint.ontology_docs import constraints, document
from graph.settings import Settings

AGK = "https://w3id.org/agrikg/ontology#"


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def test_every_term_is_documented_from_the_graph(embedded, settings) -> None:
    by_kind = document(embedded, settings.ontology_dir / "shapes.ttl")
    classes = {t.name: t for t in by_kind["class"]}
    properties = {t.name: t for t in by_kind["object"] + by_kind["datatype"]}
    record = classes["AccessRecord"]
    assert record.labels == {"kk": "Нарыққа қол жеткізу жазбасы", "ru": "Запись о доступе на рынок",
                             "en": "Access record"}
    assert set(record.definitions) == {"kk", "ru", "en"}
    assert "http://www.w3.org/ns/prov#Entity" in record.supers
    assert AGK + "product" in record.properties  # agk:product has it as its domain
    product = properties["product"]
    assert product.domains == [AGK + "AccessRecord"] and product.ranges == [AGK + "Product"]
    assert properties["asOf"].kind == "datatype" and product.kind == "object"


def test_every_definition_is_given_once_in_each_of_kk_ru_en() -> None:
    """Users read the graph in Kazakh, Russian and English: a term with a skos:definition (the
    ontology itself, classes, properties, agk:HSCode) has exactly one in each of the three."""
    ontology = Graph().parse(ONTOLOGY_DIR / "agrikg.ttl")
    defined = sorted(set(ontology.subjects(SKOS.definition, None)))
    assert len(defined) > 40
    wrong = {}
    for term in defined:
        langs = Counter(d.language for d in ontology.objects(term, SKOS.definition))
        if langs != Counter(["kk", "ru", "en"]):
            wrong[str(term).replace(AGK, "agk:")] = dict(langs)
    assert wrong == {}, f"terms without exactly one definition in each of kk, ru, en: {wrong}"


def test_the_shapes_constraining_a_term_are_listed(embedded, settings) -> None:
    by_kind = document(embedded, settings.ontology_dir / "shapes.ttl")
    market = next(t for t in by_kind["object"] if t.name == "market")
    on_records = next(c for c in market.constraints if c.target == AGK + "AccessRecord")
    assert on_records.count == "1..1" and on_records.values == [AGK + "Market"]
    assert "exactly one market" in on_records.message
    record = next(t for t in by_kind["class"] if t.name == "AccessRecord")
    status = next(c for c in record.constraints if c.path == AGK + "accessStatus")
    assert sorted(v.rsplit("/", 1)[-1] for v in status.values) == [
        "open", "requirements-agreed", "requirements-planned", "restricted", "restriction-lifted"]
    assert constraints(settings.ontology_dir / "no-such-file.ttl") == []


@pytest.mark.parametrize(("lang", "words"), [
    ("kk", ["agrikg онтологиясы", "Кластар", "Анықтамасы", "Мәндер облысы", "SHACL пішіндері"]),
    ("ru", ["Онтология agrikg", "Классы", "Определение", "Область значений", "Формы SHACL"]),
    ("en", ["The agrikg ontology", "Classes", "Definition", "Range", "SHACL shapes"]),
])
def test_the_page_documents_each_term_in_each_language(client, lang, words) -> None:
    page = client.get("/ontology", params={"lang": lang}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
    for word in words:
        assert word in page.text, word
    entry = re.search(r'<article class="term" id="AccessRecord".*?</article>', page.text, re.S)
    assert entry, "a class has an entry of its own, with its id"
    for text in ('<span lang="kk">Нарыққа қол жеткізу жазбасы</span>',
                 '<span lang="ru">Запись о доступе на рынок</span>',
                 '<span lang="en">Access record</span>', "AccessRecordShape", "1..1"):
        assert text in entry.group(0), text
    assert len(re.findall(r'<article class="term"', page.text)) >= 40
    assert ONTOLOGY_PAGE["no_definition"][lang] not in page.text, "a term lacks a definition"
    # RDF stays by Accept
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
