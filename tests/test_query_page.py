"""The /sparql page a browser gets (api/query_page.py), through the app in process: examples
with their parameters filled, results a page at a time with IRIs shortened and linked, every
download format, errors beside the query; the protocol's own answers untouched."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from api import query_page
from api.app import create_app
from graph.settings import Settings
from graph.store import named_queries as queries

HTML = {"Accept": "text/html"}
EVERY_TRIPLE = "SELECT * WHERE { ?s ?p ?o } LIMIT 250"
LABELS = ("SELECT ?label WHERE { <https://w3id.org/agrikg/ontology#Market> "
          "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label")


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def _page(client: TestClient, **params: str):
    response = client.get("/sparql", params={"format": "html", **params})
    assert response.headers["content-type"].startswith("text/html"), response.text
    return response


@pytest.mark.parametrize(("lang", "words"), [
    ("kk", ["SPARQL сұрауы", "Орындау", "Мысалдар", "Біздің префикстер", "Шектеулер"]),
    ("ru", ["SPARQL-запрос", "Выполнить", "Примеры", "Наши префиксы", "Ограничения"]),
    ("en", ["SPARQL query", "Run", "Examples", "Our prefixes", "Limits"]),
])
def test_the_page_speaks_the_asked_language(client, lang, words) -> None:
    page = client.get("/sparql", params={"lang": lang}, headers=HTML)
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    for word in words:
        assert word in page.text, word
    # Accept-Language alone chooses it too.
    assert words[0] in client.get("/sparql", headers=HTML | {"Accept-Language": lang}).text


def test_examples_come_with_their_parameters_filled_in(client) -> None:
    page = client.get("/sparql", params={"example": "markets", "lang": "ru"}, headers=HTML)
    text = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1))
    assert '= "ru")' in text and "$lang" not in text
    run = _page(client, query=text, lang="ru")
    assert "Андорра" in run.text  # the label column is filled, in the page's language (AD first)
    check = query_page.example_text("access_check", "en")
    assert "<https://w3id.org/agrikg/product/wheat>" in check and "$product" not in check
    for name in ("access_check", "statement", "record_sources", "describe"):
        assert "$" not in re.sub(r"#.*", "", query_page.example_text(name, "en")), name
    # every example is listed, linked to the page with it loaded
    assert page.text.count('href="/sparql?example=') >= 20


@pytest.mark.parametrize("name", queries.names())
def test_every_example_runs_on_the_page(client, name) -> None:
    """Each named query, its parameters filled in, is answered (not refused by the endpoint)."""
    assert _page(client, query=query_page.example_text(name, "en")).status_code == 200


def test_results_shorten_iris_link_them_and_show_tags(client) -> None:
    page = _page(client, query=LABELS).text
    assert "@kk" in page and "@ru" in page and "@en" in page
    page = _page(client, query="SELECT ?record ?asOf WHERE { ?record a "
                               "<https://w3id.org/agrikg/ontology#AccessRecord> ; "
                               "<https://w3id.org/agrikg/ontology#asOf> ?asOf } ORDER BY ?record").text
    assert '<a href="/record/kz-cn-wheat" title="https://w3id.org/agrikg/record/kz-cn-wheat">' \
           'record:kz-cn-wheat</a>' in page
    assert "^^xsd:gYear" in page
    classes = _page(client, query="SELECT ?c WHERE { <https://w3id.org/agrikg/record/kz-cn-wheat> a ?c }",
                    lang="kk").text
    assert '<a href="/ontology?lang=kk#AccessRecord"' in classes  # a term: its entry, in kk


def test_select_star_lists_columns_as_written(client) -> None:
    page = _page(client, query=EVERY_TRIPLE).text
    assert re.findall(r'<th scope="col">(\w+)</th>', page) == ["s", "p", "o"]


def test_results_come_a_page_at_a_time(client) -> None:
    first = _page(client, query=EVERY_TRIPLE, lang="en").text
    assert "Rows 1–100 of 250" in first and first.count("<tr>") == 101
    assert "Page 1 of 3" in first
    next_link = unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    assert parse_qs(urlparse(next_link).query)["page"] == ["2"]
    last = client.get(next_link.replace("page=2", "page=3")).text
    assert "Rows 201–250 of 250" in last and last.count("<tr>") == 51
    assert 'rel="next"' not in last


def test_every_format_downloads(client) -> None:
    page = _page(client, query=LABELS).text
    links = dict(re.findall(r'<a href="([^"]+)" download="result\.(\w+)">', page))
    assert sorted(links.values()) == ["csv", "srj", "srx", "tsv"]
    for href in links:
        assert client.get(unescape(href)).status_code == 200
    graph = _page(client, query="CONSTRUCT WHERE { <https://w3id.org/agrikg/product/wheat> ?p ?o }")
    formats = re.findall(r'download="result\.(\w+)"', graph.text)
    assert sorted(formats) == ["jsonld", "nt", "rdf", "ttl"]
    assert "skos:prefLabel" in graph.text  # the triples as a table, shortened


def test_a_parser_error_is_shown_beside_the_query_with_its_position(client) -> None:
    broken = "SELECT ?x WHERE {\n  ?x ?y\n}}"
    page = _page(client, query=broken, lang="ru")
    assert page.status_code == 400
    assert "В запросе синтаксическая ошибка" in page.text
    assert re.search(r'data-line="\d+" data-column="\d+"', page.text)
    assert re.search(r"Строка \d+, столбец \d+", page.text)
    assert unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1)) \
        == broken  # the query is kept


def test_a_refused_query_is_shown_on_the_page(client) -> None:
    page = _page(client, query="SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }",
                 lang="en")
    assert page.status_code == 403 and "The query was not run" in page.text


def test_the_protocol_answers_stay_as_they_are(client) -> None:
    answer = client.get("/sparql", params={"query": LABELS},
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    assert len(answer.json()["results"]["bindings"]) == 3
    error = client.get("/sparql", params={"query": "SELEC"})
    assert error.status_code == 400 and "line 1" in error.json()["detail"]


def test_the_editor_library_is_on_the_query_page_only(client) -> None:
    assert query_page.editor_assets(), "`make vendor` installs the editor"
    assert "/static/vendor/yasqe/yasqe.min.js" in client.get("/sparql", headers=HTML).text
    assert client.get("/static/vendor/yasqe/yasqe.min.js").status_code == 200
    for path in ("/", "/ontology", "/product/wheat", "/dataset", "/explore"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 200 and "vendor/yasqe" not in page.text, path
