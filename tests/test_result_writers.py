"""Results as written for each format: a result cut at the row cap says so in the body wherever
the format has room for it, not only in a header a client may drop (the `link` of SPARQL JSON
and XML results, a comment in Turtle, N-Triples and RDF/XML, all pointing at the query page's
explanation of the cap); a result a format cannot carry is a 406 naming the formats that can,
never a 500 or a body that is not well-formed (RDF 1.2 triple terms in JSON-LD, XML-illegal
characters in SPARQL XML and RDF/XML, predicates RDF/XML cannot write). XML bodies are parsed."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import httpx
import pyoxigraph as ox
import pytest

from api.query_page import PAGE_SIZE
from graph.endpoint.result_writers import (
    FORMATS,
    TRUNCATION_LINK,
    Unwritable,
    write_boolean,
    write_result,
    write_solutions,
    write_triples,
)
from tests.helpers.servers import ROW_CAP

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
    # the header row and the first page of the capped rows (the query page shows PAGE_SIZE a
    # page; the cap applies to the whole result)
    assert page.text.count("<tr>") == min(ROW_CAP, PAGE_SIZE) + 1
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


TRIPLE_TERM = ("CONSTRUCT { ?r <http://example.org/about> <<( ?r ?p ?o )>> } WHERE { "
               "?r a <https://w3id.org/agrikg/ontology#AccessRecord> ; ?p ?o } LIMIT 3")


def _sparql(api: str, query: str, fmt: str) -> httpx.Response:
    return httpx.get(api + "/sparql", params={"query": query, "format": fmt}, timeout=30)


def _refused(response: httpx.Response, *words: str) -> str:
    assert response.status_code == 406, response.text[:500]
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail
    assert "Traceback" not in detail
    return detail


def test_a_triple_term_in_the_query_is_a_4xx_never_a_500(api) -> None:
    """SPARQL 1.1 has no triple terms: the guard refuses the syntax on its parse."""
    response = _sparql(api, TRIPLE_TERM, "jsonld")
    assert 400 <= response.status_code < 500, response.text
    assert "Traceback" not in response.text


@pytest.fixture(scope="module")
def rdf12_api(tmp_path_factory: pytest.TempPathFactory):
    """The API in front of a real Oxigraph server holding RDF 1.2 triple terms (a remote
    endpoint may hold anything)."""
    from graph.settings import Settings
    from tests.helpers.servers import start_api, start_oxigraph

    root = tmp_path_factory.mktemp("rdf12")
    data = root / "rdf12.nt"
    data.write_text("".join(
        f"<http://example.org/r{i}> <http://example.org/about> "
        f"<<( <http://example.org/s{i}> <http://example.org/p> \"{i}\" )>> .\n"
        for i in range(3)), encoding="utf-8")
    oxigraph = start_oxigraph(root / "store", [["--file", str(data)]])
    url = next(oxigraph)
    try:
        (root / "home").mkdir()
        api = start_api(Settings(home=root / "home"), endpoint=url)
        yield next(api)
        next(api, None)
    finally:
        next(oxigraph, None)


def test_a_triple_term_asked_as_json_ld_is_406_naming_the_formats_that_carry_it(
        rdf12_api) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    detail = _refused(_sparql(rdf12_api, query, "jsonld"), "JSON-LD", "triple term",
                      "format=turtle", "format=ntriples", "format=rdfxml")
    assert "format=jsonld" not in detail
    refused = httpx.post(rdf12_api + "/sparql", content=query, timeout=30, headers={
        "Content-Type": "application/sparql-query", "Accept": "application/ld+json"})
    _refused(refused, "JSON-LD")
    # The formats it names do carry it: RDF 1.2 Turtle and N-Triples, RDF/XML with
    # rdf:parseType="Triple", each read back whole.
    for fmt, rdf_format in (("turtle", ox.RdfFormat.TURTLE),
                            ("ntriples", ox.RdfFormat.N_TRIPLES),
                            ("rdfxml", ox.RdfFormat.RDF_XML)):
        response = _sparql(rdf12_api, query, fmt)
        assert response.status_code == 200, (fmt, response.text[:500])
        if fmt == "rdfxml":
            ET.fromstring(response.content)
        quads = list(ox.parse(response.content, format=rdf_format))
        assert len(quads) == 3 and all(isinstance(q.object, ox.Triple) for q in quads), fmt


@pytest.mark.parametrize("char", ["\\u0001", "\\u0008", "\\u000B", "\\u001F", "\\uFFFE",
                                  "\\u0000"])
def test_xml_results_with_a_character_xml_cannot_carry_are_406(api, char) -> None:
    query = f'SELECT ?x ?y WHERE {{ BIND("a{char}b" AS ?x) BIND("ok" AS ?y) }}'
    _refused(_sparql(api, query, "xml"), "SPARQL XML", "U+", "format=json", "format=csv")
    assert _sparql(api, query, "json").status_code == 200
    assert _sparql(api, query, "tsv").status_code == 200


def test_xml_results_with_markup_and_whitespace_are_well_formed(api) -> None:
    value = 'a <b> & "c" \t\n\r ]]> é 𝄞 \u007f'
    query = ('SELECT ?x ?l ?t WHERE { BIND("a <b> & \\"c\\" \\t\\n\\r ]]> é 𝄞 \\u007F" AS ?x) '
             'BIND("x"@en-GB AS ?l) BIND("1"^^<http://example.org/t?a=1&b=2> AS ?t) }')
    response = _sparql(api, query, "xml")
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.content)
    literals = [e.text for e in root.iter(f"{SRX}literal")]
    # XML parsers normalise a bare carriage return to a line feed: the value is carried as
    # written apart from that.
    assert literals[0] == value.replace("\r", "\n")
    assert [e.attrib.get("datatype") for e in root.iter(f"{SRX}literal")][2] == \
        "http://example.org/t?a=1&b=2"


def test_rdf_xml_with_a_predicate_it_cannot_write_is_406(api) -> None:
    query = "CONSTRUCT { <http://example.org/s> <http://example.org/1> 1 } WHERE {}"
    _refused(_sparql(api, query, "rdfxml"), "RDF/XML", "<http://example.org/1>", "XML name",
             "format=turtle", "format=jsonld")
    assert _sparql(api, query, "jsonld").status_code == 200
    fine = _sparql(api, query.replace("/1>", "/p1>"), "rdfxml")
    assert fine.status_code == 200
    ET.fromstring(fine.content)
    [quad] = ox.parse(fine.content, format=ox.RdfFormat.RDF_XML)
    assert quad.predicate.value == "http://example.org/p1"


def test_rdf_xml_with_a_character_xml_cannot_carry_is_406(api) -> None:
    query = 'CONSTRUCT { <http://example.org/s> <http://example.org/p> "a\\u0002b" } WHERE {}'
    _refused(_sparql(api, query, "rdfxml"), "RDF/XML", "U+0002", "format=ntriples")
    assert _sparql(api, query, "ntriples").status_code == 200


@pytest.mark.parametrize(("query", "fmt"), [
    ('SELECT ?x WHERE { BIND("\\u0003" AS ?x) }', "xml"),
    ("CONSTRUCT { <http://x/s> <http://x/1> 1 } WHERE {}", "rdfxml"),
    ("CONSTRUCT { <http://x/s> <http://x/p> <<( <http://x/s> <http://x/p> 1 )>> } WHERE {}",
     "jsonld"),
])
def test_the_writer_raises_unwritable_not_a_value_error(query, fmt) -> None:
    """Unwritable is what the engines turn into 406; a ValueError would read as a bad query
    (embedded) or a broken backend (remote)."""
    with pytest.raises(Unwritable) as caught:
        write_result(ox.Store().query(query), fmt, 10)
    assert not isinstance(caught.value, ValueError)
    assert caught.value.others and fmt not in caught.value.others


@pytest.fixture(scope="module")
def odd_graph(tmp_path_factory: pytest.TempPathFactory):
    """The API over a graph built with --from that holds what RDF/XML cannot write: a
    predicate without an XML name, a control character."""
    from graph.build.builder import build
    from graph.build.generator import write
    from graph.settings import Settings
    from tests.helpers.servers import start_api

    root = tmp_path_factory.mktemp("odd")
    source = root / "odd.nt"
    write(source, 2_000, seed=3)
    with source.open("a", encoding="utf-8") as handle:
        handle.write('<https://w3id.org/agrikg/product/odd> <http://example.org/1> "a" .\n'
                     '<https://w3id.org/agrikg/product/odd> <http://example.org/p> "b\\u0001" .\n'
                     '<https://w3id.org/agrikg/product/fine> <http://example.org/p> "c" .\n')
    settings = Settings(home=root / "home", endpoint=None)
    build(settings, source=source)
    yield from start_api(settings)


def test_a_resource_rdf_xml_cannot_carry_is_406_on_its_linked_data_url(odd_graph) -> None:
    refused = httpx.get(odd_graph + "/product/odd", params={"format": "rdfxml"})
    _refused(refused, "RDF/XML", "format=turtle")
    negotiated = httpx.get(odd_graph + "/product/odd", headers={"Accept": "application/rdf+xml"})
    _refused(negotiated, "RDF/XML")
    for fmt in ("turtle", "ntriples", "jsonld"):
        response = httpx.get(odd_graph + "/product/odd", params={"format": fmt})
        assert response.status_code == 200, (fmt, response.text)
        assert "example.org/1" in response.text, fmt
    fine = httpx.get(odd_graph + "/product/fine", params={"format": "rdfxml"})
    assert fine.status_code == 200, fine.text
    ET.fromstring(fine.content)


# -- the writers on their own, table-driven: what a standard reader reads back --------------------
XSD = "http://www.w3.org/2001/XMLSchema#"
ODD = 'say "hi", then\na new line\tand a tab; Қазақстан <b>&amp;</b>'
ROW = {"s": ox.NamedNode("http://example.org/a,b?c=1&d"), "o": ox.Literal(ODD),
       "l": ox.Literal("chat", language="fr"),
       "n": ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")),
       "b": ox.BlankNode("b0"), "u": None}
VARIABLES = ["s", "o", "l", "n", "b", "u"]


def _rdflib(term: object) -> object:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == XSD + "string" else URIRef(datatype))


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_solutions_read_back_term_for_term(fmt) -> None:
    from rdflib import BNode
    from rdflib.query import Result

    written = write_solutions(VARIABLES, [ROW, ROW], fmt, 10)
    result = Result.parse(io.BytesIO(written.body), format=fmt)
    assert [str(v) for v in result.vars] == VARIABLES
    rows = list(result)
    assert len(rows) == 2 and written.rows == 2 and not written.truncated
    for row in rows:
        for name in VARIABLES:
            value = row[name]
            if ROW[name] is None:
                assert value is None, name
            elif isinstance(ROW[name], ox.BlankNode):
                assert isinstance(value, BNode)
            else:
                assert value == _rdflib(ROW[name]), name


def test_csv_solutions_read_back_as_plain_values() -> None:
    written = write_solutions(VARIABLES, [ROW], "csv", 10)
    assert written.media_type == "text/csv; charset=utf-8"
    header, row = list(csv.reader(io.StringIO(written.body.decode(), newline="")))
    assert header == VARIABLES
    assert row == ["http://example.org/a,b?c=1&d", ODD, "chat", "5", "_:b0", ""]


@pytest.mark.parametrize(("fmt", "media"), [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_reads_back_in_each_format(fmt, media, value) -> None:
    from rdflib.query import Result

    written = write_boolean(value, fmt)
    assert written.media_type.startswith(media)
    if fmt in ("csv", "tsv"):
        assert written.body.decode().strip() == str(value).lower()
    else:
        assert Result.parse(io.BytesIO(written.body), format=fmt).askAnswer is value


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml", "bogus"])
def test_solutions_and_booleans_refuse_a_format_not_theirs(fmt) -> None:
    with pytest.raises(ValueError, match="not a format for SELECT results"):
        write_solutions(["x"], [], fmt, 1)
    with pytest.raises(ValueError, match="not a format for ASK results"):
        write_boolean(True, fmt)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml"])
def test_triples_read_back_as_the_same_graph(fmt) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    subject = ox.NamedNode("https://w3id.org/agrikg/record/x")
    triples = [ox.Triple(subject, ox.NamedNode("https://w3id.org/agrikg/ontology#quote"), o)
               for o in (ROW["o"], ROW["l"], ROW["n"], ROW["s"])]
    triples.append(ox.Triple(ROW["b"], ox.NamedNode("http://example.org/p"), ROW["o"]))
    written = write_triples(triples, fmt, 10)
    assert written.media_type == FORMATS[fmt].media_type and written.rows == 5
    expected = Graph().parse(data=write_triples(triples, "ntriples", 10).body, format="nt")
    got = Graph().parse(data=written.body, format={"turtle": "turtle", "ntriples": "nt",
                                                   "jsonld": "json-ld", "rdfxml": "xml"}[fmt])
    assert isomorphic(got, expected)
    assert len(got) == 5
