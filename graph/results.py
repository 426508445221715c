"""Write SPARQL results in the formats the SPARQL 1.1 Protocol names, with a row cap.

SELECT and ASK: JSON, XML, CSV, TSV. CONSTRUCT and DESCRIBE: Turtle, N-Triples, JSON-LD,
RDF/XML. The same code serves the embedded store's workers and results fetched from a remote
endpoint, so both answer byte for byte alike.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# Where a result cut at the row cap points, in the body wherever the format has room for it
# (the `link` of SPARQL JSON and XML results, a comment in Turtle, N-Triples and RDF/XML), as
# well as in the header Agrikg-Result-Truncated: the endpoint's own page, whose "Limits" part
# explains the cap. Relative, so it resolves against the server that sent the result.
TRUNCATION_LINK = "/sparql?format=html#row-cap"


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    kind: str  # "solutions" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    extension: str


FORMATS = {
    "json": Format("json", "application/sparql-results+json", "solutions", "srj"),
    "xml": Format("xml", "application/sparql-results+xml", "solutions", "srx"),
    "csv": Format("csv", "text/csv", "solutions", "csv"),
    "tsv": Format("tsv", "text/tab-separated-values", "solutions", "tsv"),
    "turtle": Format("turtle", "text/turtle", "graph", "ttl"),
    "ntriples": Format("ntriples", "application/n-triples", "graph", "nt"),
    "jsonld": Format("jsonld", "application/ld+json", "graph", "jsonld"),
    "rdfxml": Format("rdfxml", "application/rdf+xml", "graph", "rdf"),
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
PREFIXES = {
    "agk": "https://w3id.org/agrikg/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "https://schema.org/",
}


@dataclass(frozen=True)
class Written:
    """Serialised results: the bytes, their media type, and whether the row cap cut them (a
    cut body says so itself where its format allows: see TRUNCATION_LINK)."""

    body: bytes
    media_type: str
    truncated: bool
    rows: int


def _capped(items: Iterable, cap: int) -> tuple[list, bool]:
    taken = list(islice(iter(items), cap + 1))
    return taken[:cap], len(taken) > cap


def _json_term(term: object) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}  # RDF-star triple terms, rare here


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (f"<literal datatype={quoteattr(term.datatype.value)}>"
                    f"{escape(term.value)}</literal>")
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_value(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if hasattr(term, "value") else str(term)


def write_solutions(variables: list[str], solutions: Iterable, fmt: str, cap: int) -> Written:
    """SELECT results; `solutions` yields mappings from variable name to term (or None)."""
    rows, truncated = _capped(solutions, cap)
    media = FORMATS[fmt].media_type
    if fmt == "json":
        bindings = [{v: _json_term(row[v]) for v in variables if row[v] is not None} for row in rows]
        head: dict = {"vars": variables}
        if truncated:
            head["link"] = [TRUNCATION_LINK]
        body = json.dumps({"head": head, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode()
    elif fmt == "xml":
        link = [f"<link href={quoteattr(TRUNCATION_LINK)}/>"] if truncated else []
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), *link,
               "</head>", "<results>"]
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                    for v in variables if row[v] is not None]
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        body = "\n".join(out).encode()
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if row[v] is None else _csv_value(row[v]) for v in variables])
        body = buffer.getvalue().encode()
        media += "; charset=utf-8"
    elif fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if row[v] is None else str(row[v]) for v in variables)
                  for row in rows]
        body = ("\n".join(lines) + "\n").encode()
        media += "; charset=utf-8"
    else:
        raise ValueError(f"{fmt} is not a format for SELECT results")
    return Written(body, media, truncated, len(rows))


def write_boolean(value: bool, fmt: str) -> Written:
    """ASK results. CSV and TSV have no boolean form in the standard; like Oxigraph we write
    the bare word."""
    media = FORMATS[fmt].media_type
    if fmt == "json":
        body = json.dumps({"head": {}, "boolean": value}).encode()
    elif fmt == "xml":
        body = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    elif fmt in ("csv", "tsv"):
        body = ("true" if value else "false").encode()
    else:
        raise ValueError(f"{fmt} is not a format for ASK results")
    return Written(body, media, False, 1)


def write_triples(triples: Iterable, fmt: str, cap: int) -> Written:
    """CONSTRUCT and DESCRIBE results, serialised by Oxigraph."""
    taken, truncated = _capped(triples, cap)
    prefixes = PREFIXES if fmt == "turtle" else None
    body = ox.serialize(taken, format=RDF_FORMATS[fmt], prefixes=prefixes) or b""
    if truncated:
        body = _mark_truncated(body, fmt, cap)
    return Written(body, FORMATS[fmt].media_type, truncated, len(taken))


def _mark_truncated(body: bytes, fmt: str, cap: int) -> bytes:
    """A comment saying the graph was cut, first in the body where the syntax has comments
    (Turtle and N-Triples `#`, RDF/XML `<!-- -->` after the XML declaration). JSON-LD has no
    comments: there the header alone says so."""
    note = (f"This result was cut at the row cap of {cap} triples: the full result has more. "
            f"See {TRUNCATION_LINK}")
    if fmt in ("turtle", "ntriples"):
        return f"# {note}\n".encode() + body
    if fmt == "rdfxml":
        declaration, newline, rest = body.partition(b"\n")
        if declaration.startswith(b"<?xml") and newline:
            return declaration + f"\n<!-- {note} -->\n".encode() + rest
        return f"<!-- {note} -->\n".encode() + body
    return body


def solution_rows(solutions: ox.QuerySolutions) -> tuple[list[str], Iterator]:
    """Variables and rows of pyoxigraph solutions, rows as name -> term mappings."""
    variables = [v.value for v in solutions.variables]

    def rows() -> Iterator[dict]:
        for solution in solutions:
            yield {v: solution[v] for v in variables}

    return variables, rows()


def write_result(result: object, fmt: str, cap: int) -> Written:
    """Serialise whatever pyoxigraph returned: solutions, a boolean, or triples."""
    if isinstance(result, ox.QuerySolutions):
        variables, rows = solution_rows(result)
        return write_solutions(variables, rows, fmt, cap)
    if isinstance(result, ox.QueryBoolean):
        return write_boolean(bool(result), fmt)
    return write_triples(result, fmt, cap)
