"""graph/endpoint/query_policy.py's policy, table by table, without a server: what a query may do is decided
on the grammar's terminals and on rdflib's parse, never on patterns."""

from __future__ import annotations

import pytest

from graph.endpoint import query_policy as sparql
from graph.endpoint.query_policy import (
    NotAcceptable,
    RefusedQuery,
    expand_codepoints,
    header_value,
    inspect,
    negotiate,
    nesting,
    parse_accept,
    tokenize,
    unknown_graphs,
)

BASE = "http://localhost:8000/sparql"
AGK = "PREFIX agk: <https://w3id.org/agrikg/ontology#> "
SPO = "{ ?s ?p ?o }"


def refusal(query: str) -> RefusedQuery:
    with pytest.raises(RefusedQuery) as caught:
        inspect(query, BASE)
    return caught.value


@pytest.mark.parametrize(("query", "form"), [
    (AGK + "SELECT ?r WHERE { ?r a agk:AccessRecord }", "SELECT"),
    ("select * where {}", "SELECT"),
    ("ASK {}", "ASK"),
    ("# ASK?\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://example.org/>", "DESCRIBE"),
    ("BASE <http://e/> PREFIX : <#> PREFIX x: <y#> describe :a", "DESCRIBE"),
    ('SELECT * WHERE { BIND("SERVICE <http://x/> {}" AS ?a) }', "SELECT"),
    ("SELECT * WHERE { ?s <http://e/#SERVICE> ?o . ?s <http://e/it's> ?o }", "SELECT"),
    ("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:SERVICE ?service }", "SELECT"),
    ("SELECT * WHERE { BIND('''LOAD <x> ; INSERT DATA {}''' AS ?a) }", "SELECT"),
    ("SELECT * # SERVICE <http://x/> { ?s ?p ?o }\nWHERE {}", "SELECT"),
    ('SELECT * WHERE { BIND("\\u0053ERVICE" AS ?a) }', "SELECT"),
    ("SELECT * WHERE " + "{ " * 64 + " }" * 64, "SELECT"),
])
def test_queries_that_may_run_and_their_form(query, form) -> None:
    assert inspect(query, BASE).form == form


@pytest.mark.parametrize(("query", "status", "words"), [
    (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:9/> {SPO} }}", 403, "SERVICE is refused"),
    (f"SELECT * WHERE {{ SERVICE SILENT ?x {SPO} }}", 403, "SERVICE"),
    (f"SELECT * WHERE {{ FILTER NOT EXISTS {{ SERVICE <x> {SPO} }} }}", 403, "SERVICE"),
    (f"SELECT * WHERE {{ {{ SELECT * {{ OPTIONAL {{ SERVICE <x> {SPO} }} }} }} }}", 403, "SERVICE"),
    (f"SELECT * WHERE {{ {SPO} MINUS {{ SERVICE <x> {SPO} }} }}", 403, "SERVICE"),
    (f"SELECT * WHERE {{ BIND(<http://e/#> AS ?a) SERVICE <x> {SPO} }}", 403, "SERVICE"),
    (f"SELECT * WHERE {{ \\u0053ERVICE <x> {SPO} }}", 403, "SERVICE"),
    (f"SELECT * WHERE {{ \\U00000073ervice <x> {SPO} }}", 403, "SERVICE"),
    (f"PREFIX : <http://x/> SELECT * WHERE {{ SERVICE:y {SPO} }}", 403, "reads as SERVICE"),
    (f"SELECT * WHERE {{ ?s ?p ?o # c\r SERVICE <x> {SPO} \n }}", 403, "SERVICE"),
    ("INSERT DATA { <a> <b> <c> }", 403, "updates (INSERT)"),
    ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", 403, "updates (WITH)"),
    ("PREFIX ex: <http://e/#> LOAD ex:x", 403, "updates (LOAD)"),
    ("load silent <http://x/> into graph <g>", 403, "read-only"),
    ("\\u0043LEAR ALL", 403, "updates (CLEAR)"),
    ("DROP ALL ; SELECT * {}", 403, "read-only"),
    ("SELECT * WHERE " + "{ " * 65 + " }" * 65, 400, "nests groups 65 deep"),
    ("SELECT * WHERE { FILTER(" + "(" * 80 + "1" + ")" * 80 + ") }", 400, "nests"),
    ("SELECT * WHERE { ?s ?p " + "[ ?p " * 70 + "1" + " ]" * 70 + " }", 400, "nests"),
    ("SELECT * WHERE " + "\\u007B" * 70 + "\\u007D" * 70, 400, "nests"),
    ("SELECT * WHERE { ?s <http://e/" + "(" * 70 + "> ?o }", 400, "nests"),
    ("ASK {", 400, "line 1, column 6"),
    ("SELECT * WHERE {\n  ?s ?p\n}", 400, "line 2, column 3"),
    ("SELECT\u00a0* {}", 400, "does not parse"),
    ("SELECT * {\f}", 400, "does not parse"),
    ('SELECT * { ?s ?p "a\\qb" }', 400, "does not parse"),
    ("SELECT * { BIND(\\uD800 AS ?x) }", 400, "not a Unicode code point"),
    ("SELECT * FROM nope:g {}", 400, "nope"),
    ("HELLO", 400, "does not parse"),
])
def test_refusals_say_why(query, status, words) -> None:
    refused = refusal(query)
    assert refused.status == status
    assert words in str(refused), str(refused)


@pytest.mark.parametrize(("query", "default", "named"), [
    ("SELECT * {}", (), ()),
    ("SELECT * FROM <http://a/g> FROM NAMED <http://a/n> {}", ("http://a/g",), ("http://a/n",)),
    ("PREFIX ex: <http://a/> SELECT * FROM ex:g FROM NAMED ex:n FROM ex:g {}",
     ("http://a/g",), ("http://a/n",)),
    ("SELECT * FROM <g> {}", ("http://localhost:8000/g",), ()),
    ("BASE <http://b/c/> SELECT * FROM <g> FROM NAMED <../n> {}", ("http://b/c/g",), ("http://b/n",)),
    ("BASE <http://b/> PREFIX ex: <r/> ASK FROM ex:g {}", ("http://b/r/g",), ()),
    ("PREFIX agk: <https://w3id.org/agrikg/ontology#> SELECT * FROM agk:g {}",
     ("https://w3id.org/agrikg/ontology#g",), ()),
])
def test_the_dataset_is_resolved_as_the_query_says(query, default, named) -> None:
    inspected = inspect(query, BASE)
    assert (inspected.default_graphs, inspected.named_graphs) == (default, named)
    assert inspected.from_graphs == default + named


@pytest.mark.parametrize(("query", "relative"), [
    ("CONSTRUCT { <s> <p> 1 } WHERE {}", True),
    ("PREFIX : <#> SELECT * {}", True),
    ("SELECT * WHERE { ?s <http://e/p> ?o }", False),
    ('SELECT * WHERE { ?s ?p "<s>" }', False),
])
def test_relative_iris_are_found_on_tokens(query, relative) -> None:
    assert inspect(query, BASE).relative_iris is relative


@pytest.mark.parametrize(("text", "kinds"), [
    ("<http://e/#> # c", ["iri"]),
    ("<http://e/it's> 'x'", ["iri", "string"]),
    ('"a # b" ?x', ["string", "var"]),
    ("'''a ' '' b''' $y", ["string", "var"]),
    ('"""a " "" \\" b""" @en-GB', ["string", "langtag"]),
    ("ex:a\\#b :c _:d", ["pname", "pname", "bnode"]),
    ("<= < <a> ^^ && || ! ?", ["punct", "punct", "iri", "punct", "punct", "punct", "punct",
                               "punct"]),
    ("1 .5 1.5e3 2E-1", ["number", "number", "number", "number"]),
    ("select WHERE a", ["keyword", "keyword", "keyword"]),
    ("GROUP_CONCAT encode_for_uri SHA256 md5", ["keyword", "keyword", "keyword", "keyword"]),
])
def test_tokens_are_the_grammars_terminals(text, kinds) -> None:
    assert [t.kind for t in tokenize(text)] == kinds


@pytest.mark.parametrize("text", ["SELECT\u00a0*", "a\fb", "LIMIT10", "ex_a", '"open'])
def test_what_is_no_terminal_is_an_error(text) -> None:
    with pytest.raises(RefusedQuery, match="does not parse"):
        tokenize(text)


def test_codepoint_escapes_are_processed_before_the_grammar() -> None:
    assert expand_codepoints("\\u0053ERVIC\\U00000045 \\u007B") == "SERVICE {"
    assert expand_codepoints("\\\\u0053") == "\\S"  # no escape for the backslash: 19.2
    assert expand_codepoints("\\u00") == "\\u00"


def test_nesting_is_counted_on_tokens_and_inside_iris() -> None:
    assert nesting(tokenize('{ "{{{" # {{{\n ( [ ] ) }')) == 3
    assert nesting(tokenize("{ ?s <http://e/(a)(b)> ?o }")) == 3


def test_deep_input_never_reaches_the_recursive_parser(monkeypatch) -> None:
    def parse(*_args):
        raise AssertionError("the recursive parser was run on deep input")

    monkeypatch.setattr(sparql, "_parse", parse)
    for query in ("SELECT * WHERE " + "{" * 20000 + "}" * 20000,
                  "SELECT * WHERE { BIND(<http://e/#> AS ?a) " + "(" * 20000,
                  "SELECT * WHERE { \"x\" " + "[" * 20000 + " 'unterminated"):
        assert "nests" in str(refusal(query))


def test_long_chains_parse_in_the_parser_thread() -> None:
    """rdflib's parser recurses per triple of a chain; past Python's default limit too."""
    chain = " . ".join(f"?s{i} <http://e/p> ?o{i}" for i in range(1500))
    assert inspect("SELECT * WHERE { " + chain + " }", BASE).form == "SELECT"
    values = " ".join(f"<http://example.org/item/{i}>" for i in range(8400))
    query = "SELECT * WHERE { ?s ?p ?o } VALUES ?s { " + values + " }"
    assert len(query) > 256_000
    assert inspect(query, BASE).form == "SELECT"


def test_queries_of_too_many_tokens_are_refused_before_the_parser(monkeypatch) -> None:
    monkeypatch.setattr(sparql, "_parse", lambda *_a: pytest.fail("parsed"))
    union = " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(sparql.MAX_TOKENS // 6))
    assert "tokens; at most" in str(refusal("SELECT * WHERE { " + union + " }"))


def test_the_same_text_is_parsed_once(monkeypatch) -> None:
    calls = []
    real = sparql._inspect
    monkeypatch.setattr(sparql, "_inspect", lambda *a: calls.append(a) or real(*a))
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 7 # cache test"
    for _ in range(3):
        inspect(query, BASE)
        with pytest.raises(RefusedQuery):
            inspect("SERVICE " + query, BASE)
    assert len(calls) == 2


def test_unknown_graphs_and_their_header() -> None:
    assert unknown_graphs(["http://a/", "http://b/", "http://a/"], {"http://b/"}) == ["http://a/"]
    assert header_value(["http://a/ä", "http://a/\r\nX: y"]) == \
        "<http://a/%C3%A4> <http://a/%0D%0AX:%20y>"
    long = header_value([f"http://a/{i}" for i in range(1000)], limit=100)
    assert long.endswith(" ...") and len(long) <= 104


# -- content negotiation -------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "ranges"), [
    ("", []),
    ("text/csv", [("text/csv", 1.0)]),
    ("text/csv;q=0.5, application/json", [("application/json", 1.0), ("text/csv", 0.5)]),
    (" , text/csv", [("text/csv", 1.0)]),                       # an empty range is skipped
    ("A/B; charset=utf-8; q=0.3", [("a/b", 0.3)]),              # lower case, parameters dropped
    ("text/csv;q=abc", [("text/csv", 0.0)]),                    # an unreadable q refuses it
    ("a/a;q=0.5, b/b;q=0.5, c/c", [("c/c", 1.0), ("a/a", 0.5), ("b/b", 0.5)]),  # stable at equal q
])
def test_accept_headers_are_read_as_ranges_by_preference(header, ranges) -> None:
    assert parse_accept(header) == ranges


@pytest.mark.parametrize(("form", "accept", "param", "chosen"), [
    # no preference: the default of each form
    ("SELECT", None, None, "json"), ("ASK", None, None, "json"),
    ("CONSTRUCT", None, None, "turtle"), ("DESCRIBE", None, None, "turtle"),
    ("SELECT", "", None, "json"),
    # Accept: each media type of each kind
    ("SELECT", "application/sparql-results+json", None, "json"),
    ("SELECT", "application/json", None, "json"),
    ("SELECT", "application/sparql-results+xml", None, "xml"),
    ("SELECT", "application/xml", None, "xml"), ("SELECT", "text/xml", None, "xml"),
    ("SELECT", "text/csv", None, "csv"), ("ASK", "text/csv", None, "csv"),
    ("SELECT", "text/tab-separated-values", None, "tsv"),
    ("CONSTRUCT", "text/turtle", None, "turtle"), ("CONSTRUCT", "application/x-turtle", None, "turtle"),
    ("CONSTRUCT", "application/n-triples", None, "ntriples"),
    ("CONSTRUCT", "text/plain", None, "ntriples"),
    ("DESCRIBE", "application/ld+json", None, "jsonld"),
    ("CONSTRUCT", "application/json", None, "jsonld"),   # the same type, the kind decides
    ("CONSTRUCT", "application/xml", None, "rdfxml"),
    ("CONSTRUCT", "application/rdf+xml", None, "rdfxml"),
    # preferences, case and parameters
    ("SELECT", "text/csv;q=0.5, application/sparql-results+xml", None, "xml"),
    ("SELECT", "text/turtle, text/csv;q=0.2", None, "csv"),   # the first that can carry it
    ("SELECT", "text/csv;q=0, */*;q=0.1", None, "json"),
    ("SELECT", "TEXT/CSV", None, "csv"), ("SELECT", "text/csv; charset=utf-8", None, "csv"),
    # wildcards: a format of the asked type
    ("SELECT", "*/*", None, "json"), ("CONSTRUCT", "*/*", None, "turtle"),
    ("SELECT", "application/*", None, "json"), ("CONSTRUCT", "text/*", None, "turtle"),
    ("SELECT", "text/*", None, "csv"), ("CONSTRUCT", "application/*", None, "ntriples"),
    ("SELECT", "application/sparql-results+*", None, "json"),
    # format= wins over Accept; several values: the first that fits
    ("SELECT", None, "csv", "csv"), ("SELECT", "text/csv", "json", "json"),
    ("SELECT", None, ["bogus", "tsv"], "tsv"), ("SELECT", None, "text/csv", "csv"),
    ("SELECT", None, "srx", "xml"), ("CONSTRUCT", None, "xml", "rdfxml"),
    ("CONSTRUCT", None, "n3", "turtle"), ("CONSTRUCT", None, "json-ld", "jsonld"),
    ("CONSTRUCT", None, ["", "nt"], "ntriples"),
])
def test_the_format_is_negotiated(form, accept, param, chosen) -> None:
    assert negotiate(form, accept, param) == chosen


@pytest.mark.parametrize(("form", "accept", "param", "words"), [
    ("SELECT", "text/turtle", None, "this endpoint offers: application/sparql-results+json"),
    ("CONSTRUCT", "text/csv", None, "this endpoint offers: text/turtle"),
    ("SELECT", "text/csv;q=0", None, "none of the accepted types"),
    ("SELECT", "image/png", None, "(image/png) can carry SELECT results"),
    ("SELECT", "image/*", None, "(image/*) can carry SELECT results"),
    ("SELECT", None, "turtle", "format='turtle' cannot carry SELECT results; use one of: csv"),
    ("CONSTRUCT", "text/turtle", "csv", "use one of:"),         # format= is not then ignored
])
def test_a_format_that_cannot_carry_the_result_is_not_acceptable_saying_what_is(
        form, accept, param, words) -> None:
    with pytest.raises(NotAcceptable) as caught:
        negotiate(form, accept, param)
    assert words in str(caught.value)
