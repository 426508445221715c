"""/sparql over real HTTP, with the clients analysts use: SPARQLWrapper, rdflib's SPARQLStore
and httpx with each content type; every status code; the refusals; the time limit."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import threading
import time

import httpx
import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, TSV, TURTLE, XML, SPARQLWrapper

from tests.helpers.servers import QUERY_TIMEOUT, ROW_CAP
from tests.test_named_queries import curated_records

AGK = "https://w3id.org/agrikg/ontology#"
RECORDS = f"SELECT ?r WHERE {{ ?r a <{AGK}AccessRecord> }} ORDER BY ?r"
IRAN = f"""PREFIX agk: <{AGK}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?product ?label ?status WHERE {{
  ?r agk:market <https://w3id.org/agrikg/market/IR> ; agk:product ?product ;
     agk:accessStatus/skos:notation ?status .
  ?product skos:prefLabel ?label FILTER(lang(?label) = "kk")
}} ORDER BY ?product"""
CONSTRUCT = f"""PREFIX agk: <{AGK}>
CONSTRUCT {{ ?r agk:market ?m }} WHERE {{ ?r a agk:AccessRecord ; agk:market ?m }}"""
# every access record of the curated files (one CONSTRUCT triple, one SELECT row each)
RECORD_ROWS = curated_records()
IN_IRAN = [r for r in RECORD_ROWS if r["market"] == "IR"]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _wrapper(api: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(api + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_every_result_format(api, method) -> None:
    data = _wrapper(api, IRAN, JSON, method).queryAndConvert()
    rows = [(b["product"]["value"].rsplit("/", 1)[-1], b["label"]["value"], b["status"]["value"])
            for b in data["results"]["bindings"]]
    assert len(rows) == len(IN_IRAN)
    assert ("cattle", "Ірі қара мал", "requirements-planned") in rows
    assert data["results"]["bindings"][0]["label"]["xml:lang"] == "kk"

    xml = _wrapper(api, IRAN, XML, method).queryAndConvert()
    labels = [n.firstChild.data for n in xml.getElementsByTagName("literal")
              if n.getAttribute("xml:lang") == "kk"]
    assert sorted(labels) == sorted(r[1] for r in rows)

    text = _wrapper(api, IRAN, CSV, method).queryAndConvert().decode()
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["product", "label", "status"]
    assert sorted(tuple(r) for r in table[1:]) == sorted(
        (f"https://w3id.org/agrikg/product/{p}", label, s) for p, label, s in rows)

    tsv = _wrapper(api, IRAN, TSV, method).queryAndConvert().decode().splitlines()
    assert tsv[0] == "?product\t?label\t?status"
    assert '"Ірі қара мал"@kk' in "\n".join(tsv)
    assert len(tsv) == 1 + len(IN_IRAN)


def test_sparqlwrapper_ask_and_construct(api) -> None:
    assert _wrapper(api, "ASK { ?s ?p ?o }", JSON).queryAndConvert()["boolean"] is True
    assert _wrapper(api, "ASK { <urn:x> <urn:y> <urn:z> }", XML).queryAndConvert() \
        .getElementsByTagName("boolean")[0].firstChild.data == "false"
    for fmt in (TURTLE, N3, JSONLD, XML):
        graph = _wrapper(api, CONSTRUCT, fmt).queryAndConvert()
        if isinstance(graph, bytes):
            graph = Graph().parse(data=graph, format="json-ld" if fmt == JSONLD else "turtle")
        assert len(graph) == len(RECORD_ROWS), fmt


def test_rdflib_sparqlstore_reads_the_graph(api) -> None:
    graph = Graph(store=SPARQLStore(api + "/sparql"))
    rows = list(graph.query(IRAN))
    assert len(rows) == len(IN_IRAN) >= 6
    assert {str(r[2]) for r in rows} == {r["status"] for r in IN_IRAN}
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    for method in ("GET", "POST"):
        for fmt in ("json", "xml", "csv", "tsv"):
            store = SPARQLStore(api + "/sparql", method=method, returnFormat=fmt)
            rows = list(Graph(store=store).query(RECORDS))
            assert len(rows) == len(RECORD_ROWS), (method, fmt)
            first = min(r["id"] for r in RECORD_ROWS)
            assert str(rows[0][0]) == f"https://w3id.org/agrikg/record/{first}", fmt


# The most common one-line query there is: our namespace ends in `#`, on the same line as the
# rest of the query (a lexical guard took that `#` for a comment and refused it).
ONE_LINE = (f"PREFIX agk: <{AGK}> SELECT ?r WHERE {{ ?r a agk:AccessRecord ; "
            "agk:market <https://w3id.org/agrikg/market/IR> } ORDER BY ?r")


def test_the_one_line_prefix_query_is_answered_by_sparqlwrapper(api) -> None:
    for method in ("GET", "POST"):
        data = _wrapper(api, ONE_LINE, JSON, method).queryAndConvert()
        assert len(data["results"]["bindings"]) == len(IN_IRAN), method


def test_the_one_line_prefix_query_is_answered_by_rdflib_sparqlstore(api) -> None:
    for method in ("GET", "POST"):
        rows = list(Graph(store=SPARQLStore(api + "/sparql", method=method)).query(ONE_LINE))
        assert len(rows) == len(IN_IRAN), method
        assert all(str(r[0]).startswith("https://w3id.org/agrikg/record/") for r in rows)


def test_the_one_line_prefix_query_is_answered_by_curl(api) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    for args in (["--get", "--data-urlencode", f"query={ONE_LINE}"],
                 ["--data-urlencode", f"query={ONE_LINE}"],
                 ["-H", "Content-Type: application/sparql-query", "--data-binary", ONE_LINE]):
        done = subprocess.run([curl, "-sS", "--noproxy", "*", "-w", "\n%{http_code}",
                               "-H", "Accept: text/csv", *args, api + "/sparql"],
                              capture_output=True, text=True, timeout=60, check=True)
        body, status = done.stdout.rsplit("\n", 1)
        assert status == "200", (args, body)
        assert body.splitlines()[0] == "r" and len(body.splitlines()) == 1 + len(IN_IRAN), body


@pytest.mark.parametrize(("accept", "media", "marker"), [
    ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
    ("application/json", "application/sparql-results+json", '"bindings"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", "<results>"),
    ("text/csv", "text/csv", "r\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", "?r\n"),
    ("*/*", "application/sparql-results+json", '"bindings"'),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml",
     "<results>"),
])
def test_select_content_negotiation(api, accept, media, marker) -> None:
    response = httpx.get(api + "/sparql", params={"query": RECORDS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert marker in response.text


@pytest.mark.parametrize(("accept", "media", "fmt"), [
    ("text/turtle", "text/turtle", "turtle"), ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_construct_content_negotiation(api, accept, media, fmt) -> None:
    response = httpx.post(api + "/sparql", content=CONSTRUCT,
                          headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert len(Graph().parse(data=response.text, format=fmt)) == len(RECORD_ROWS)


def test_format_parameter_for_browsers(api) -> None:
    response = httpx.get(api + "/sparql", params={"query": RECORDS, "format": "csv"},
                         headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/csv")
    page = httpx.get(api + "/sparql", params={"query": RECORDS, "format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "kz-cn-wheat" in page.text and "format=csv" in page.text


def test_form_encoded_post_with_dataset_parameters(api) -> None:
    response = httpx.post(api + "/sparql", data={"query": "ASK { ?s ?p ?o }",
                                                 "default-graph-uri": []})
    assert response.json()["boolean"] is True


@pytest.mark.parametrize(("request_kwargs", "status", "words"), [
    ({"params": {"query": "SELECT * WHERE {"}}, 400, "does not parse"),
    ({"params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}},
     403, "SERVICE is refused"),
    ({"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, 403, "read-only"),
    ({"params": {"query": "LOAD <http://example.org/data.ttl>"}}, 403, "read-only"),
    ({"params": {"query": "DROP ALL"}}, 403, "read-only"),
    ({"params": {"query": RECORDS}, "headers": {"Accept": "text/turtle"}}, 406, "offers"),
    ({"params": {"query": CONSTRUCT}, "headers": {"Accept": "text/csv"}}, 406, "offers"),
    ({"params": {"query": RECORDS, "format": "pdf"}}, 406, "format="),
])
def test_get_refusals_say_why(api, request_kwargs, status, words) -> None:
    response = httpx.get(api + "/sparql", **request_kwargs)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


@pytest.mark.parametrize(("params", "unknown"), [
    ({"query": "SELECT * FROM <http://169.254.169.254/latest> WHERE { ?s ?p ?o }"},
     "<http://169.254.169.254/latest>"),
    ({"query": "SELECT * FROM NAMED <http://internal/x> WHERE { GRAPH ?g { ?s ?p ?o } }"},
     "<http://internal/x>"),
    ({"query": "PREFIX in: <http://internal/> SELECT * FROM in:a FROM NAMED in:b "
               "WHERE { ?s ?p ?o }"}, "<http://internal/a> <http://internal/b>"),
    ({"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "http://internal/admin"},
     "<http://internal/admin>"),
    ({"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
      "named-graph-uri": ["http://internal/äb", "http://internal/admin"]},
     "<http://internal/%C3%A4b> <http://internal/admin>"),
])
def test_unknown_graphs_are_empty_graphs_named_in_a_header(api, params, unknown) -> None:
    """A graph the store does not hold is evaluated as an empty graph (nothing fetched: no
    rows), and Agrikg-Unknown-Graphs names it, percent-encoded where a header needs it."""
    response = httpx.get(api + "/sparql", params=params, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []
    assert response.headers["agrikg-unknown-graphs"] == unknown
    known = httpx.get(api + "/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"},
                      timeout=30)
    assert "agrikg-unknown-graphs" not in known.headers


@pytest.mark.parametrize(("body", "content_type", "status", "words"), [
    ("update=INSERT+DATA+%7B%3Curn%3Aa%3E+%3Curn%3Ab%3E+%3Curn%3Ac%3E%7D",
     "application/x-www-form-urlencoded", 403, "read-only"),
    ("DELETE WHERE { ?s ?p ?o }", "application/sparql-update", 403, "read-only"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-query", 403, "read-only"),
    ("ASK {}", "text/plain", 415, "application/sparql-query"),
    ("ASK {}", "application/json", 415, "unsupported content type"),
    ("", "application/x-www-form-urlencoded", 400, "exactly one `query`"),
    (b"query=ASK%20%7B%7D\xff\xfe", "application/x-www-form-urlencoded", 400, "UTF-8"),
])
def test_post_refusals_say_why(api, body, content_type, status, words) -> None:
    response = httpx.post(api + "/sparql", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(api, method) -> None:
    response = httpx.request(method, api + "/sparql")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]


def test_an_oversized_request_is_413(api) -> None:
    big = "ASK {}" + " " * 300_000
    response = httpx.post(api + "/sparql", content=big,
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_the_row_cap_cuts_and_says_so(api) -> None:
    response = httpx.get(api + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200, response.text
    assert response.headers["agrikg-result-truncated"] == "true"
    assert int(response.headers["agrikg-row-cap"]) == ROW_CAP
    assert len(response.json()["results"]["bindings"]) == ROW_CAP
    small = httpx.get(api + "/sparql", params={"query": RECORDS})
    assert "agrikg-result-truncated" not in small.headers


def test_a_slow_query_gets_503_and_never_stalls_others(api) -> None:
    outcome: dict = {}

    def slow() -> None:
        started = time.monotonic()
        response = httpx.get(api + "/sparql", params={"query": SLOW}, timeout=30)
        outcome["slow"] = (response.status_code, response.text, time.monotonic() - started)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    fast = httpx.get(api + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    fast_seconds = time.monotonic() - started
    access = httpx.get(api + "/access", params={"product": "wheat", "market": "CN"}, timeout=30)
    thread.join()
    assert fast.status_code == 200 and access.status_code == 200
    assert fast_seconds < QUERY_TIMEOUT / 2, "a fast query waited for the slow one"
    status, text, seconds = outcome["slow"]
    assert status == 503
    assert "time limit" in json.loads(text)["detail"]
    assert seconds < QUERY_TIMEOUT + 5
    # The server recovers: the next query is answered.
    assert httpx.get(api + "/sparql", params={"query": "ASK {}"}).status_code == 200


def test_service_description_and_query_page(api) -> None:
    sd = httpx.get(api + "/sparql")
    assert sd.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=sd.text, format="turtle")
    assert any("SPARQL11Query" in str(o) for o in graph.objects())
    page = httpx.get(api + "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert "access_check" in page.text and "<textarea" in page.text
    assert "access_check" in page.text
    assert re.findall(r'(?:src|href)="(https?:[^"]*)"', page.text) == [], "loads nothing remote"


def test_cors_for_reads_without_credentials(api) -> None:
    response = httpx.get(api + "/sparql", params={"query": "ASK {}"},
                         headers={"Origin": "https://analyst.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
