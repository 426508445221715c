"""Linked data: the dataset's and the endpoint's descriptions are built as triples (any value
survives, in every RDF format), and a slow remote store never holds up another request while
an IRI is dereferenced."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from api.app import create_app
from graph.endpoint.linked_data import (
    SERVICE_PREFIXES,
    dataset_description,
    serialize,
    service_description,
)
from graph.endpoint.result_writers import RDF_FORMATS, serialize_triples
from graph.namespaces import DATASET
from graph.settings import Settings

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
