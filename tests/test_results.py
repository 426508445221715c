"""Results cut at the row cap say so in the body wherever the format has room for it, not only
in a header a client may drop: the `link` of SPARQL JSON and XML results, a comment in Turtle,
N-Triples and RDF/XML, all pointing at the query page's explanation of the cap."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import httpx
import pyoxigraph as ox
import pytest

from graph.results import TRUNCATION_LINK, write_solutions, write_triples
from tests.conftest import ROW_CAP

EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
FEW = "SELECT * WHERE { ?s ?p ?o } LIMIT 3"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def _get(api: str, query: str, fmt: str) -> httpx.Response:
    response = httpx.get(api + "/sparql", params={"query": query, "format": fmt}, timeout=60)
    assert response.status_code == 200, response.text
    return response


def test_cut_json_results_link_to_the_explanation(api) -> None:
    response = _get(api, EVERYTHING, "json")
    assert response.headers["agrikg-result-truncated"] == "true"
    data = response.json()
    assert data["head"]["link"] == [TRUNCATION_LINK]
    assert len(data["results"]["bindings"]) == ROW_CAP
    # The link, resolved against the endpoint, is a page that explains the cap.
    page = httpx.get(urljoin(api + "/sparql", data["head"]["link"][0]), timeout=30)
    assert page.status_code == 200 and 'id="row-cap"' in page.text
    assert f"at most {ROW_CAP} rows" in page.text
    whole = _get(api, FEW, "json").json()
    assert "link" not in whole["head"] and len(whole["results"]["bindings"]) == 3


def test_cut_xml_results_link_to_the_explanation(api) -> None:
    root = ET.fromstring(_get(api, EVERYTHING, "xml").content)
    head = root.find(f"{SRX}head")
    assert [link.get("href") for link in head.findall(f"{SRX}link")] == [TRUNCATION_LINK]
    # The schema puts links after the variables.
    assert [child.tag for child in head][-1] == f"{SRX}link"
    assert len(root.findall(f"{SRX}results/{SRX}result")) == ROW_CAP
    whole = ET.fromstring(_get(api, FEW, "xml").content)
    assert whole.find(f"{SRX}head/{SRX}link") is None


@pytest.mark.parametrize(("fmt", "rdf_format"), [("turtle", ox.RdfFormat.TURTLE),
                                                 ("ntriples", ox.RdfFormat.N_TRIPLES),
                                                 ("rdfxml", ox.RdfFormat.RDF_XML)])
def test_cut_graphs_say_so_in_a_comment_and_still_parse(api, fmt, rdf_format) -> None:
    response = _get(api, GRAPH, fmt)
    assert response.headers["agrikg-result-truncated"] == "true"
    text = response.text
    assert f"cut at the row cap of {ROW_CAP} triples" in text.split("\n", 2)[1 if fmt == "rdfxml"
                                                                              else 0]
    assert TRUNCATION_LINK in text
    assert len(list(ox.parse(response.content, format=rdf_format))) == ROW_CAP
    whole = _get(api, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", fmt)
    assert "row cap" not in whole.text


def test_a_cut_html_page_says_so_and_shows_the_cap(api) -> None:
    page = httpx.get(api + "/sparql", params={"query": EVERYTHING, "format": "html"},
                     timeout=60)
    assert page.status_code == 200 and page.headers["agrikg-result-truncated"] == "true"
    assert f"cut at the row limit of {ROW_CAP}" in page.text
    assert page.text.count("<tr>") == ROW_CAP + 1  # the header row and the capped rows
    whole = httpx.get(api + "/sparql", params={"query": FEW, "format": "html"}, timeout=60)
    assert "cut at the row limit" not in whole.text and whole.text.count("<tr>") == 4


def test_the_writers_mark_only_what_the_cap_cut() -> None:
    rows = [{"x": ox.Literal(str(i))} for i in range(3)]
    assert json.loads(write_solutions(["x"], rows, "json", 2).body)["head"]["link"] == [
        TRUNCATION_LINK]
    assert "link" not in json.loads(write_solutions(["x"], rows, "json", 3).body)["head"]
    triples = [ox.Triple(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal("o"))
               for i in range(3)]
    for fmt in ("csv", "tsv"):  # no room for a note: the header alone says so
        assert write_solutions(["x"], rows, fmt, 2).truncated
    assert write_triples(triples, "jsonld", 2).truncated
    assert b"row cap" not in write_triples(triples, "ntriples", 3).body
