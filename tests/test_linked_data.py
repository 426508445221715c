"""Linked data: the dataset's and the endpoint's descriptions are built as triples (any value
survives, in every RDF format), and a slow remote store never holds up another request while
an IRI is dereferenced. Pages are in the language asked by ?lang= or Accept-Language, name
properties in words, and list the records that point at a product (by market) or a market
(by product)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from api.app import create_app
from graph.endpoint.linked_data import (
    SERVICE_PREFIXES,
    dataset_description,
    records_pointing_at,
    serialize,
    service_description,
)
from graph.endpoint.result_writers import RDF_FORMATS, serialize_triples
from graph.namespaces import DATASET
from graph.settings import Settings
from graph.store.backends import Store

DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_the_dataset_description_carries_any_value_in_every_format(fmt) -> None:
    odd = 'a "quoted" date\nwith a new line and a > and a \\'
    triples = dataset_description({"built_at": odd, "triples": 12}, "http://127.0.0.1:8000")
    graph = Graph().parse(data=serialize(triples, fmt), format=RDFLIB_FORMAT[fmt])
    dataset = URIRef(DATASET)
    assert str(graph.value(dataset, URIRef(DCTERMS + "modified"))) == odd
    assert graph.value(dataset, URIRef(VOID + "triples")) == Literal(12)
    assert {str(o) for o in graph.objects(dataset, URIRef(VOID + "dataDump"))} == {
        f"http://127.0.0.1:8000/dumps/graph.{ext}" for ext in ("ttl", "nt", "jsonld")}
    assert len(list(graph.objects(dataset, URIRef("http://www.w3.org/ns/dcat#distribution")))) == 3


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_the_service_description_is_the_same_graph_in_every_format(fmt) -> None:
    triples = service_description("http://127.0.0.1:8000", 42)
    graph = Graph().parse(data=serialize_triples(triples, fmt, SERVICE_PREFIXES),
                          format=RDFLIB_FORMAT[fmt])
    sd = "http://www.w3.org/ns/sparql-service-description#"
    service = URIRef("http://127.0.0.1:8000/sparql")
    assert graph.value(service, URIRef(sd + "endpoint")) == service
    assert len(list(graph.objects(service, URIRef(sd + "resultFormat")))) == 8
    assert Literal(42) in set(graph.objects(None, URIRef(VOID + "triples")))
    assert len(graph) == len(set(triples))
    assert serialize_triples(service_description("http://127.0.0.1:8000", 42), fmt,
                             SERVICE_PREFIXES) == serialize_triples(triples, fmt, SERVICE_PREFIXES)


class SlowDescribe(BaseHTTPRequestHandler):
    """A SPARQL endpoint on loopback that answers every query at once, except the linked-data
    `describe` query, which it holds until the test lets it go."""

    held = threading.Event()     # set when a describe query arrived and is being held
    release = threading.Event()  # set by the test to answer it

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        query = parse_qs(self.rfile.read(length).decode())["query"][0]
        bindings: list[dict] = []
        if "?sKind" in query:  # describe.rq
            SlowDescribe.held.set()
            SlowDescribe.release.wait(20)
            bindings = [{"s": {"type": "uri", "value": "https://w3id.org/agrikg/product/wheat"},
                         "sKind": {"type": "literal", "value": "iri"},
                         "p": {"type": "uri",
                               "value": "http://www.w3.org/2004/02/skos/core#prefLabel"},
                         "o": {"type": "literal", "value": "wheat"},
                         "kind": {"type": "literal", "value": "literal"},
                         "lang": {"type": "literal", "value": "en"}}]
        elif "LIMIT 1" in query:  # any_triple.rq: the store holds something
            bindings = [{"s": {"type": "uri", "value": "https://w3id.org/agrikg/dataset"}}]
        body = json.dumps({"head": {"vars": []}, "results": {"bindings": bindings}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_endpoint() -> Iterator[str]:
    SlowDescribe.held.clear()
    SlowDescribe.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowDescribe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    SlowDescribe.release.set()
    server.shutdown()
    server.server_close()


def test_a_slow_remote_store_does_not_hold_up_other_requests(slow_endpoint, tmp_path) -> None:
    """While dereferencing an IRI waits on the remote store, /health is still answered: the
    dereference runs off the event loop. (Were it on the loop, /health would wait until the
    store let the first request go, and the order below would be the other way round.)"""
    settings = Settings(home=tmp_path, endpoint=slow_endpoint, endpoint_timeout=60)
    order: list[str] = []
    with TestClient(create_app(settings)) as client:
        def dereference() -> None:
            response = client.get("/product/wheat", headers={"Accept": "text/turtle"})
            order.append(f"dereference {response.status_code}")

        first = threading.Thread(target=dereference)
        first.start()
        assert SlowDescribe.held.wait(30), "the dereference never reached the store"
        health = client.get("/health")
        order.append(f"health {health.status_code}")
        SlowDescribe.release.set()
        first.join(60)
    assert order == ["health 200", "dereference 200"]


AGK = "https://w3id.org/agrikg/ontology#"
P = "https://w3id.org/agrikg/"


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def html(client: TestClient, path: str, **headers: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"} | headers)
    assert response.status_code == 200, response.text[:300]
    return response.text


def heading(page: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", page, re.S)[1])).strip()


@pytest.mark.parametrize(("path", "names"), [
    ("/product/beef", {"kk": "Сиыр еті", "ru": "Говядина", "en": "Beef"}),
    ("/market/CN", {"kk": "Қытай", "ru": "Китай", "en": "China"}),
    ("/access-status/open", {"kk": "Нарық ашық", "ru": "Рынок открыт", "en": "Market open"}),
])
def test_a_page_follows_lang_then_accept_language(client, path, names) -> None:
    for lang, name in names.items():
        by_parameter = html(client, f"{path}?lang={lang}")
        by_header = html(client, path, **{"Accept-Language": f"{lang};q=0.9,de;q=0.8"})
        for page in (by_parameter, by_header):
            assert f'<html lang="{lang}">' in page
            assert heading(page) == name
    # ?lang= wins over the header; no language asked: English; the answer varies by both.
    page = html(client, f"{path}?lang=kk", **{"Accept-Language": "ru"})
    assert heading(page) == names["kk"]
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert heading(response.text) == names["en"]
    assert "accept-language" in response.headers["vary"].lower()


def test_properties_are_named_in_the_page_language(client) -> None:
    ru = html(client, "/record/kz-ir-cattle?lang=ru")
    kk = html(client, "/record/kz-ir-cattle?lang=kk")
    # agrikg's own properties by the ontology's labels, standard ones by the catalogue's.
    assert re.search(r">рынок <code", ru, re.I) and re.search(r">нарық <code", kk, re.I)
    assert ">тип <code" in ru and ">түрі <code" in kk
    assert "<th scope=\"col\">Свойство</th>" in ru
    assert heading(ru) == "Запись о доступе на рынок record:kz-ir-cattle"


def _records(store: Store, prop: str, iri: str) -> set[str]:
    rows = store.select(f"SELECT ?r WHERE {{ ?r a <{AGK}AccessRecord> ; <{AGK}{prop}> <{iri}> }}")
    return {row["r"] for row in rows}


@pytest.mark.parametrize(("path", "by", "prop"), [
    ("/product/beef", "market", "product"), ("/product/wheat", "market", "product"),
    ("/market/IR", "product", "market"), ("/market/CN", "product", "market"),
])
def test_a_product_lists_its_records_by_market_and_a_market_by_product(client, embedded, path,
                                                                       by, prop) -> None:
    iri = P + path.lstrip("/")
    expected = _records(embedded, prop, iri)
    assert expected  # the graph has records here
    groups = records_pointing_at(embedded, iri, "ru")
    assert {r["iri"] for g in groups for r in g["records"]} == expected
    # one group per market (for a product) or per product (for a market)
    assert all({r[by] for r in g["records"]} == {g["iri"]} for g in groups)
    assert len({g["iri"] for g in groups}) == len(groups)

    page = html(client, f"{path}?lang=ru")
    listed = set(re.findall(r'data-record="([^"]+)"', page))
    assert listed == expected
    title = {"market": "по рынкам", "product": "по видам продукции"}[by]
    assert title in page
    for group in groups:  # each group named in Russian and linked to its own page
        assert f'href="/{by}/{group["iri"].rsplit("/", 1)[-1]}?lang=ru">{group["label"]}</a>' \
            in page
    n = len(expected)
    assert re.search(rf"\({n} запис(ь|и|ей)\)", page)


def test_the_records_list_links_each_record_and_its_check(client) -> None:
    page = html(client, "/market/IR?lang=kk")
    assert 'href="/record/kz-ir-cattle?lang=kk"' in page
    check = re.search(r'class="check-link" href="([^"]+)"', page)[1]
    answer = client.get(unescape(check))
    assert answer.status_code == 200
    assert 'data-status="' in answer.text and '<html lang="kk">' in answer.text


def test_a_market_without_records_says_so_without_calling_it_a_prohibition(client) -> None:
    page = html(client, "/market/DE?lang=ru")
    assert "data-record=" not in page
    assert "(0 записей)" in page
    assert "не означает запрета" in page


def test_rdf_formats_are_unchanged_by_the_language(client) -> None:
    turtle = client.get("/product/beef?lang=ru", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert turtle.text == client.get("/product/beef", headers={"Accept": "text/turtle"}).text


@pytest.mark.parametrize(("path", "words"), [
    ("/product/nothing-here", {"ru": "В графе нет сведений по этому адресу",
                               "kk": "Графта бұл мекенжай бойынша мәлімет жоқ",
                               "en": "The graph holds nothing under this address"}),
    ("/no-such-page", {"ru": "По этому адресу страницы нет", "kk": "Бұл мекенжайда бет жоқ",
                       "en": "There is no page at this address"}),
])
def test_a_browser_gets_a_not_found_page_in_its_language(client, path, words) -> None:
    for lang, text in words.items():
        page = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert f'<html lang="{lang}">' in page.text and text in page.text
        assert f'href="/?lang={lang}"' in page.text
        # An API client keeps its JSON, in the same language.
        body = client.get(path, headers={"Accept": "text/turtle", "Accept-Language": lang})
        assert body.status_code == 404 and text in body.json()["detail"]


def test_every_kind_of_resource_the_graph_names_has_a_page(client, embedded) -> None:
    """One resource of each kind the build mints (product/, record/, measure/, duration/...)
    answers with its page in each language and as Turtle: a link on any page never leads to a
    404 (measure/ pages did, until they were served)."""
    subjects = [r["s"] for r in embedded.select(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'https://w3id.org/agrikg/')"
        " && !CONTAINS(STR(?s), '#')) } ORDER BY ?s")]
    first: dict[str, str] = {}
    for iri in subjects:
        path = iri.removeprefix("https://w3id.org/agrikg/")
        if "/" in path:
            first.setdefault(path.split("/", 1)[0], path)
    assert {"measure", "duration", "record", "product", "market"} <= set(first), sorted(first)
    for kind, path in sorted(first.items()):
        for lang in ("kk", "ru", "en"):
            response = client.get("/" + path, params={"lang": lang},
                                  headers={"Accept": "text/html"})
            assert response.status_code == 200, (kind, path, lang, response.text[:200])
        turtle = client.get("/" + path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and Graph().parse(data=turtle.text, format="turtle"), path
