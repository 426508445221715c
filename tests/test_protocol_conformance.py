"""The W3C SPARQL 1.1 Protocol tests, one per entry of the manifest (w3c/rdf-tests,
sparql/sparql11/protocol/manifest.ttl, 34 tests), written out here rather than read from it.

Each test sends the manifest's request (method, query string, headers, body) to a real
`agrikg serve` holding the manifest's named graphs (tests/data/w3c, served with --extra), on
the embedded store and on a remote Oxigraph server, and checks the status class, the result
format and the boolean. A graph the store does not hold (data0.rdf, which the manifest never
gives data for) is an empty graph, named in the Agrikg-Unknown-Graphs header. Where agrikg
deliberately answers otherwise (docs/PROTOCOL.md: D2, updates on a read-only endpoint) the test
asserts exactly what we answer and why, then checks the rest of the request the manifest is
about. The manifest itself (../shared/w3c-sparql-protocol) is not needed: when it is there,
`test_every_manifest_entry_has_its_test` checks this module still has a test for each entry.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph.build.builder import current_build
from graph.settings import Settings
from tests.helpers.servers import start_api, start_oxigraph

W3C = Path(__file__).parent / "data" / "w3c"
MANIFEST = Path(__file__).resolve().parents[2] / "shared" / "w3c-sparql-protocol" / "manifest.ttl"
KASEI = "http://kasei.us/2009/09/sparql/data/"
GRAPHS = {n: f"{KASEI}data{n}.rdf" for n in (1, 2, 3)}
DATA0 = f"{KASEI}data0.rdf"  # named by several manifest requests, but never given any data

# Percent-encoded query-string pieces, as the manifest writes them.
DG0 = "default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata0.rdf"
DG = {n: f"default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata{n}.rdf"
      for n in (1, 2, 3)}
NG = {n: f"named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata{n}.rdf"
      for n in (1, 2, 3)}
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
RESULTS_JSON = "application/sparql-results+json"


# --- the servers ------------------------------------------------------------------------------

def _w3c_home(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home of its own (its own server logs) whose `current` is the session's build."""
    home = tmp_path_factory.mktemp("w3c-home")
    (home / "current").symlink_to(current_build(settings), target_is_directory=True)
    return Settings(home=home, endpoint=None)


@pytest.fixture(scope="module")
def w3c_oxigraph(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`oxigraph serve-read-only` holding the built graph and data1..3 in their named graphs."""
    loads = [["--file", str(current_build(settings) / "graph.nt")]] + [
        ["--file", str(W3C / f"data{n}.nt"), "--graph", iri] for n, iri in GRAPHS.items()]
    yield from start_oxigraph(tmp_path_factory.mktemp("w3c-oxigraph"), loads)


@pytest.fixture(scope="module", params=["embedded", "remote"])
def api(request: pytest.FixtureRequest, settings: Settings,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`agrikg serve` with data1..3 as named graphs: embedded (`--extra FILE=GRAPH_IRI`, given as
    AGRIKG_EXTRA) or in front of a real Oxigraph server that holds them. (In this module it
    stands in for conftest's `api`.)"""
    home = _w3c_home(settings, tmp_path_factory)
    if request.param == "embedded":
        extra = [f"{W3C / f'data{n}.nt'}={iri}" for n, iri in GRAPHS.items()]
        yield from start_api(home, extra_env={"AGRIKG_EXTRA": json.dumps(extra)})
    else:
        yield from start_api(home, endpoint=request.getfixturevalue("w3c_oxigraph"))


# --- sending and checking ---------------------------------------------------------------------

def send(api: str, method: str, query_string: str = "", body: str | bytes | None = None,
         content_type: str | None = None) -> httpx.Response:
    """One manifest request: its path /sparql/ is our /sparql, its query string is sent as the
    manifest writes it (already percent-encoded), no Accept beyond httpx's */*."""
    headers = {"Content-Type": content_type} if content_type else {}
    url = f"{api}/sparql" + (f"?{query_string}" if query_string else "")
    response = httpx.request(method, url, content=body, headers=headers, timeout=30)
    if content_type is None:
        assert "content-type" not in response.request.headers, "the request must carry no type"
    return response


def assert_boolean(response: httpx.Response, expected: bool) -> None:
    """Expected status 2xx/3xx, format "boolean", the expected boolean."""
    assert 200 <= response.status_code < 400, response.text
    assert response.headers["content-type"].startswith(RESULTS_JSON)
    data = response.json()
    assert "results" not in data
    assert data["boolean"] is expected


def assert_tabular(response: httpx.Response) -> dict:
    """Expected status 2xx/3xx, format "tabular" (a SPARQL results table)."""
    assert 200 <= response.status_code < 400, response.text
    assert response.headers["content-type"].startswith(RESULTS_JSON)
    data = response.json()
    assert "boolean" not in data
    return data


def assert_rdf(response: httpx.Response) -> list[ox.Triple]:
    """Expected status 2xx/3xx, format "RDF": Turtle that parses."""
    assert 200 <= response.status_code < 400, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    return [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)]


def assert_refused(response: httpx.Response, status: int, *words: str) -> None:
    """Our refusal: this status and a JSON `detail` saying why."""
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail


def assert_unknown_graph(response: httpx.Response) -> None:
    """A graph not in the store was an empty graph (never fetched), named in the header."""
    assert response.headers.get("agrikg-unknown-graphs") == f"<{DATA0}>", response.headers


def assert_read_only(response: httpx.Response) -> None:
    """Deviation D2 (and our answer to every update): 403, read-only."""
    assert_refused(response, 403, "read-only")


def graph_intact(api: str) -> None:
    """No update got through: the built graph and the W3C graphs are all still there."""
    records = "ASK { ?r a <https://w3id.org/agrikg/ontology#AccessRecord> }"
    assert_boolean(send(api, "POST", body=records, content_type=QUERY), True)
    for iri in GRAPHS.values():
        ask = f"ASK {{ GRAPH <{iri}> {{ <{iri}> a <http://xmlns.com/foaf/0.1/Document> }} }}"
        assert_boolean(send(api, "POST", body=ask, content_type=QUERY), True)


# --- the 34 manifest tests, in manifest order -------------------------------------------------

def test_query_post_form(api) -> None:
    """query via URL-encoded POST; expects true (default-graph-uri names data0.rdf, empty)."""
    response = send(api, "POST", DG0, "query=ASK%20%7B%7D", FORM)
    assert_boolean(response, True)
    assert_unknown_graph(response)
    assert_boolean(send(api, "POST", "", "query=ASK%20%7B%7D", FORM), True)


def test_query_dataset_default_graphs_get(api) -> None:
    """GET with two default-graph-uri: the default graph is their merge."""
    query = ("query=ASK%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf"
             "%3E%20a%20%3Ftype%20.%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2F"
             "data2.rdf%3E%20a%20%3Ftype%20.%20%7D")
    assert_boolean(send(api, "GET", f"{query}&{DG[1]}&{DG[2]}"), True)
    assert_boolean(send(api, "GET", f"{query}&{DG[1]}"), False)  # data2 not in the default graph


def test_query_dataset_default_graphs_post(api) -> None:
    """Direct POST with two default-graph-uri in the URL."""
    body = (f"ASK {{ <{GRAPHS[1]}> a ?type . <{GRAPHS[2]}> a ?type . }}")
    assert_boolean(send(api, "POST", f"{DG[1]}&{DG[2]}", body, QUERY), True)
    assert_boolean(send(api, "POST", DG[1], body, QUERY), False)


def test_query_dataset_named_graphs_post(api) -> None:
    """Direct POST with two named-graph-uri in the URL."""
    body = (f"ASK {{ GRAPH ?g1 {{ <{GRAPHS[1]}> a ?type }} "
            f"GRAPH ?g2 {{ <{GRAPHS[2]}> a ?type }} }}")
    assert_boolean(send(api, "POST", f"{NG[1]}&{NG[2]}", body, QUERY), True)
    assert_boolean(send(api, "POST", NG[1], body, QUERY), False)


def test_query_dataset_named_graphs_get(api) -> None:
    """GET with two named-graph-uri."""
    query = ("query=ASK%20%7B%20GRAPH%20%3Fg1%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2F"
             "sparql%2Fdata%2Fdata1.rdf%3E%20a%20%3Ftype%20%7D%20GRAPH%20%3Fg2%20%7B%20%3Chttp"
             "%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype%20%7D"
             "%20%7D")
    assert_boolean(send(api, "GET", f"{query}&{NG[1]}&{NG[2]}"), True)
    assert_boolean(send(api, "GET", f"{query}&{NG[2]}"), False)


def test_query_dataset_full(api) -> None:
    """default-graph-uri data3 and named-graph-uri data1, data2 together."""
    body = f"""ASK {{
  <{GRAPHS[3]}> a ?type
  GRAPH ?g1 {{ <{GRAPHS[1]}> a ?type }}
  GRAPH ?g2 {{ <{GRAPHS[2]}> a ?type }}
}}"""
    assert_boolean(send(api, "POST", f"{DG[3]}&{NG[1]}&{NG[2]}", body, QUERY), True)
    assert_boolean(send(api, "POST", f"{DG[1]}&{NG[1]}&{NG[2]}", body, QUERY), False)


def test_query_multiple_dataset(api) -> None:
    """FROM in the query and named-graph-uri in the protocol: the protocol's dataset is used."""
    body = (f"ASK FROM <{GRAPHS[3]}> {{ GRAPH ?g1 {{ <{GRAPHS[1]}> a ?type }} "
            f"GRAPH ?g2 {{ <{GRAPHS[2]}> a ?type }} }}")
    assert_boolean(send(api, "POST", f"{NG[1]}&{NG[2]}", body, QUERY), True)
    # Without the protocol's graphs, the query's FROM (no FROM NAMED: no named graph) rules.
    assert_boolean(send(api, "POST", "", body, QUERY), False)


def test_query_get(api) -> None:
    """query via GET; expects true (default-graph-uri names data0.rdf, an empty graph)."""
    response = send(api, "GET", f"query=ASK%20%7B%7D&{DG0}")
    assert_boolean(response, True)
    assert_unknown_graph(response)


def test_query_content_type_select(api) -> None:
    """SELECT answers a results table (XML, JSON, CSV or TSV), on the empty data0.rdf."""
    body = "SELECT (1 AS ?value) {}"
    response = send(api, "POST", DG0, body, QUERY)
    assert_unknown_graph(response)
    data = assert_tabular(response)
    assert data["head"]["vars"] == ["value"]
    assert [b["value"]["value"] for b in data["results"]["bindings"]] == ["1"]


def test_query_content_type_ask(api) -> None:
    """ASK answers a boolean (XML or JSON), on the empty data0.rdf."""
    response = send(api, "POST", DG0, "ASK {}", QUERY)
    assert_boolean(response, True)
    assert_unknown_graph(response)


def test_query_content_type_describe(api) -> None:
    """DESCRIBE answers RDF (RDF/XML, Turtle, N-Triples, RDFa), on the empty data0.rdf."""
    response = send(api, "POST", DG0, "DESCRIBE <http://example.org/>", QUERY)
    assert assert_rdf(response) == []
    assert_unknown_graph(response)
    # The same request on a default graph that describes something: that triple, as RDF.
    triples = assert_rdf(send(api, "POST", DG[1], f"DESCRIBE <{GRAPHS[1]}>", QUERY))
    assert triples == [ox.Triple(ox.NamedNode(GRAPHS[1]), ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://xmlns.com/foaf/0.1/Document"))]


def test_query_content_type_construct(api) -> None:
    """CONSTRUCT answers RDF. The query's relative IRIs resolve against the endpoint's URL (the
    base the protocol suggests). On the empty data0.rdf."""
    body = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    response = send(api, "POST", DG0, body, QUERY)
    assert_unknown_graph(response)
    triples = assert_rdf(response)
    assert triples == [ox.Triple(ox.NamedNode(f"{api}/s"), ox.NamedNode(f"{api}/p"),
                                 ox.Literal("1", datatype=ox.NamedNode(
                                     "http://www.w3.org/2001/XMLSchema#integer")))]


_UPDATE_DATASET = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {{
    GRAPH <{d1}> {{ <{d1}> a foaf:Document }}
    GRAPH <{d2}> {{ <{d2}> a foaf:Document }}
    GRAPH <{d3}> {{ <{d3}> a foaf:Document }}
}} ;
INSERT {{
    GRAPH <http://example.org/{test}/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    {where}
}}"""


def _written(test: str) -> str:
    return f"""ASK {{
    GRAPH <http://example.org/{test}/> {{
        <{GRAPHS[1]}> a <http://purl.org/dc/terms/BibliographicResource> .
    }}
}}"""


def test_update_dataset_default_graph(api) -> None:
    """Update with using-graph-uri, then an ASK for what it wrote; expects 2xx, then true.
    D2: refused 403, nothing written (the ASK answers false)."""
    update = f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {{
    GRAPH <{GRAPHS[1]}> {{
        <{GRAPHS[1]}> a foaf:Document
    }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-test/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    ?s a foaf:Document
}}"""
    using = "using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf"
    assert_read_only(send(api, "POST", using, update, UPDATE))
    ask = send(api, "POST", "", _written("protocol-update-dataset-test"), QUERY)
    assert_boolean(ask, False)
    graph_intact(api)


def test_update_dataset_default_graphs(api) -> None:
    """Update with two using-graph-uri, then an ASK; expects 2xx, then true. D2."""
    update = _UPDATE_DATASET.format(d1=GRAPHS[1], d2=GRAPHS[2], d3=GRAPHS[3],
                                    test="protocol-update-dataset-graphs-test",
                                    where="?s a foaf:Document")
    using = ("using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf&"
             "using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf")
    assert_read_only(send(api, "POST", using, update, UPDATE))
    assert_boolean(send(api, "POST", "", _written("protocol-update-dataset-graphs-test"), QUERY),
                   False)
    graph_intact(api)


def test_update_dataset_named_graphs(api) -> None:
    """Update with two using-named-graph-uri, then an ASK; expects 2xx, then true. D2."""
    update = _UPDATE_DATASET.format(d1=GRAPHS[1], d2=GRAPHS[2], d3=GRAPHS[3],
                                    test="protocol-update-dataset-named-graphs-test",
                                    where="GRAPH ?g { ?s a foaf:Document }")
    using = ("using-named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf&"
             "using-named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf")
    assert_read_only(send(api, "POST", using, update, UPDATE))
    assert_boolean(send(api, "POST", "", _written("protocol-update-dataset-named-graphs-test"),
                        QUERY), False)
    graph_intact(api)


def test_update_dataset_full(api) -> None:
    """Update with using-graph-uri and using-named-graph-uri, then an ASK; expects 2xx, then
    true. D2."""
    where = """{
        GRAPH ?g { ?s a foaf:Document }
        BIND(?g AS ?in)
    }
    UNION
    {
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }"""
    update = _UPDATE_DATASET.format(d1=GRAPHS[1], d2=GRAPHS[2], d3=GRAPHS[3],
                                    test="protocol-update-dataset-full-test", where=where)
    using = ("using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf&"
             "using-named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf")
    assert_read_only(send(api, "POST", using, update, UPDATE))
    ask = f"""ASK {{
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {{
        <{GRAPHS[1]}> <http://example.org/in> "default" .
    }}
}}"""
    assert_boolean(send(api, "POST", "", ask, QUERY), False)
    graph_intact(api)


def test_update_post_form(api) -> None:
    """update via URL-encoded POST (CLEAR ALL); expects 2xx. D2: 403, and nothing cleared."""
    assert_read_only(send(api, "POST", "", "update=CLEAR+ALL", FORM))
    graph_intact(api)


def test_update_post_direct(api) -> None:
    """update via direct POST (CLEAR ALL); expects 2xx. D2: 403, and nothing cleared."""
    assert_read_only(send(api, "POST", "", "CLEAR ALL", UPDATE))
    graph_intact(api)


def test_update_base_uri(api) -> None:
    """Update with a relative IRI, then an ASK that it was resolved; expects 2xx, then true.
    D2: 403, nothing written. (Relative IRIs in queries: test_query_content_type_construct.)"""
    update = """CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;
INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }"""  # noqa: E501
    assert_read_only(send(api, "POST", "", update, UPDATE))
    ask = """ASK {
    GRAPH <http://example.org/protocol-base-test/> {
        <http://example.org/s> <http://example.org/p> ?o
        FILTER (isIRI(?o) && STR(?o) != "test")
    }
}"""
    assert_boolean(send(api, "POST", "", ask, QUERY), False)


def test_query_post_direct(api) -> None:
    """query via direct POST (application/sparql-query); expects true."""
    assert_boolean(send(api, "POST", "", "ASK {}", QUERY), True)


def test_bad_query_method(api) -> None:
    """PUT with a query: 4xx. We answer 405 with Allow: GET, POST."""
    response = send(api, "PUT", f"query=ASK%20%7B%7D&{DG0}", None, FORM)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "POST"}


def test_bad_multiple_queries(api) -> None:
    """Two `query` parameters: 4xx. We answer 400 rather than pick one, by GET or form POST."""
    response = send(api, "GET", "query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert_refused(response, 400, "exactly one `query`")
    response = send(api, "POST", "", "query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", FORM)
    assert_refused(response, 400, "exactly one `query`")


def test_bad_query_wrong_media_type(api) -> None:
    """POST of a query as text/plain: 4xx. We answer 415 naming the accepted types."""
    assert_refused(send(api, "POST", "", "ASK {}", "text/plain"), 415,
                   "unsupported content type 'text/plain'", QUERY, FORM)


def test_bad_query_missing_form_type(api) -> None:
    """A URL-encoded query body without a content type: 4xx. We answer 415."""
    assert_refused(send(api, "POST", "", "query=ASK%20%7B%7D"), 415, "'(none)'", FORM)


def test_bad_query_missing_direct_type(api) -> None:
    """A SPARQL query body without a content type: 4xx. We answer 415."""
    assert_refused(send(api, "POST", "", "ASK {}"), 415, "'(none)'", QUERY)


def test_bad_query_non_utf8(api) -> None:
    """A direct POST encoded in UTF-16 (declared charset=UTF-16): 4xx. We answer 400."""
    body = "ASK {}".encode("utf-16")
    response = send(api, "POST", "", body, "application/sparql-query; charset=UTF-16")
    assert_refused(response, 400, "must be UTF-8", "utf-16")


def test_bad_query_syntax(api) -> None:
    """`ASK {` by GET: 4xx. We answer 400 with the parser's message."""
    assert_refused(send(api, "GET", "query=ASK%20%7B"), 400, "does not parse")


def test_bad_update_get(api) -> None:
    """An update by GET: 4xx. We answer 403 read-only (not the service description)."""
    response = send(api, "GET", "update=CLEAR%20ALL")
    assert_read_only(response)
    assert "never sends updates by GET" in response.json()["detail"]
    graph_intact(api)


def test_bad_multiple_updates(api) -> None:
    """Two `update` fields: 4xx. We answer 403: any update is refused before it is counted."""
    assert_read_only(send(api, "POST", "", "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM))


def test_bad_update_wrong_media_type(api) -> None:
    """An update as text/plain: 4xx. We answer 415, as for any body of that type."""
    assert_refused(send(api, "POST", "", "CLEAR NAMED", "text/plain"), 415,
                   "unsupported content type 'text/plain'")


def test_bad_update_missing_form_type(api) -> None:
    """A URL-encoded update body without a content type: 4xx. We answer 415."""
    assert_refused(send(api, "POST", "", "update=CLEAR%20NAMED"), 415, "'(none)'")


def test_bad_update_non_utf8(api) -> None:
    """A direct update in UTF-16 (declared): 4xx. We answer 400, the encoding checked first."""
    body = "CLEAR NAMED".encode("utf-16")
    response = send(api, "POST", "", body, "application/sparql-update; charset=UTF-16")
    assert_refused(response, 400, "must be UTF-8", "utf-16")


def test_bad_update_syntax(api) -> None:
    """`CLEAR XYZ` by form POST: 4xx. We answer 403: updates are refused unparsed."""
    assert_read_only(send(api, "POST", "", "update=CLEAR%20XYZ", FORM))


def test_bad_update_dataset_conflict(api) -> None:
    """using-named-graph-uri beside WITH: 4xx. We answer 403: updates are refused unparsed."""
    update = """PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' }
INSERT { ?person foaf:givenName 'William' }
WHERE {
    ?person foaf:givenName 'Bill'
}"""
    using = "using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople"
    assert_read_only(send(api, "POST", using, update, UPDATE))


# --- beyond the manifest: what its requests leave open ----------------------------------------

def test_named_graph_parameters_alone_leave_the_default_graph_empty(api) -> None:
    """Protocol 2.1.4: graph parameters make the whole dataset; with named-graph-uri only, the
    default graph is empty, not the store's graph nor the query's FROM."""
    assert_boolean(send(api, "POST", NG[1], "ASK { ?s ?p ?o }", QUERY), False)
    assert_boolean(send(api, "POST", NG[1], f"ASK FROM <{GRAPHS[3]}> {{ ?s ?p ?o }}", QUERY), False)
    assert_boolean(send(api, "POST", "", f"ASK FROM <{GRAPHS[3]}> {{ ?s ?p ?o }}", QUERY), True)


def test_default_graph_parameters_alone_leave_no_named_graphs(api) -> None:
    """With default-graph-uri only, no named graph is visible."""
    data = assert_tabular(send(api, "POST", DG[1], "SELECT ?g { GRAPH ?g { } }", QUERY))
    assert data["results"]["bindings"] == []
    data = assert_tabular(send(api, "POST", "", "SELECT ?g { GRAPH ?g { } }", QUERY))
    assert {b["g"]["value"] for b in data["results"]["bindings"]} >= set(GRAPHS.values())


def test_a_protocol_dataset_makes_an_unknown_FROM_irrelevant(api) -> None:
    """The query's FROM is replaced by the graph parameters, so a FROM naming a graph not in
    the store no longer matters; without parameters it is an empty default graph."""
    body = f"ASK FROM <{DATA0}> {{ <{GRAPHS[1]}> a ?type }}"
    response = send(api, "POST", DG[1], body, QUERY)
    assert_boolean(response, True)
    assert "agrikg-unknown-graphs" not in response.headers
    response = send(api, "POST", "", body, QUERY)
    assert_boolean(response, False)
    assert_unknown_graph(response)


def test_unknown_named_graphs_are_empty_too(api) -> None:
    """named-graph-uri and FROM NAMED of data0.rdf: no such graph to match, nothing fetched."""
    ng0 = DG0.replace("default-graph-uri", "named-graph-uri")
    response = send(api, "POST", ng0, "ASK { GRAPH ?g { ?s ?p ?o } }", QUERY)
    assert_boolean(response, False)
    assert_unknown_graph(response)
    response = send(api, "POST", "", f"ASK FROM NAMED <{DATA0}> FROM NAMED <{GRAPHS[1]}> "
                                     "{ GRAPH ?g { ?s ?p ?o } }", QUERY)
    assert_boolean(response, True)
    assert_unknown_graph(response)


@pytest.mark.skipif(not MANIFEST.exists(), reason="the W3C manifest (../shared) is not here")
def test_every_manifest_entry_has_its_test() -> None:
    """This module writes the manifest's tests out; when the manifest is at hand, none is
    missing (no server needed)."""
    from rdflib import Graph, Namespace
    from rdflib.collection import Collection

    mf = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    graph = Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(mf.entries, None))
    entries = [str(e).rsplit("#", 1)[-1]
               for e in Collection(graph, graph.value(manifest, mf.entries))]
    assert len(entries) == 34
    module = sys.modules[__name__]
    assert [e for e in entries if not hasattr(module, f"test_{e}")] == []


def test_a_query_base_overrides_the_endpoint_base(api) -> None:
    triples = assert_rdf(send(api, "POST", "", "BASE <http://example.org/b/> "
                                               "CONSTRUCT { <s> <p> <o> } WHERE {}", QUERY))
    assert triples == [ox.Triple(ox.NamedNode("http://example.org/b/s"),
                                 ox.NamedNode("http://example.org/b/p"),
                                 ox.NamedNode("http://example.org/b/o"))]


@pytest.mark.parametrize(("body", "position"), [
    ("SELECT * WHERE { <x> ?p ?o ", "line 1, column 28"),           # our parser
    ("SELECT * WHERE { <x> ?p ?o .\n ?s <y> }", "line 2, column 2"),
    ("SELECT * WHERE { <x> ?p <a#b#c> }", "error at 1:32:"),         # the engine's (bad IRI)
    ("SELECT * WHERE { <x> ?p ?o .\n ?s <y> <http://[x/> }", "error at 2:21:"),
])
def test_parse_errors_with_relative_iris_point_into_the_query_as_written(api, body, position):
    """Our parser reads the query as written; the engine's message about a query the
    endpoint's BASE was put in front of is shifted back to the same positions."""
    assert_refused(send(api, "POST", "", body, QUERY), 400, "does not parse", position)


@pytest.mark.parametrize(("body", "content_type", "words"), [
    ("ASK {}".encode("utf-16-le"), "application/sparql-query; charset=UTF-16LE", "not charset"),
    ("ASK {}".encode("iso-8859-1"), "application/sparql-query; charset=ISO-8859-1",
     "not charset=iso-8859-1"),
    ('ASK { ?s ?p "café" }'.encode("iso-8859-1"), QUERY, "not UTF-8"),
    (b"query=ASK+%7B%7D", f"{FORM}; charset=windows-1252", "not charset"),
])
def test_bodies_that_are_not_utf8_get_400(api, body, content_type, words) -> None:
    assert_refused(send(api, "POST", "", body, content_type), 400, words)


def test_utf8_declared_is_accepted(api) -> None:
    body = 'ASK { FILTER("сиыр" = "сиыр") }'.encode()
    assert_boolean(send(api, "POST", "", body, "application/sparql-query; charset=UTF-8"), True)
