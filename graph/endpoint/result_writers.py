"""Write SPARQL results in the formats the SPARQL 1.1 Protocol names, with a row cap.

SELECT and ASK: JSON, XML, CSV, TSV. CONSTRUCT and DESCRIBE: Turtle, N-Triples, JSON-LD,
RDF/XML. The same code serves the embedded store's workers and results fetched from a remote
endpoint, so both answer byte for byte alike.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.parsers.expat
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


# Characters XML 1.0 cannot carry at all, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# An XML name without a colon (NCName), the local part RDF/XML must end a predicate with.
_NAME_START = "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff" \
              "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf" \
              "\ufdf0-\ufffd\U00010000-\U000effff"
_LOCAL_NAME = re.compile(f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f"
                         f"\u203f-\u2040]*$")
LABELS = {"json": "SPARQL JSON", "xml": "SPARQL XML", "csv": "CSV", "tsv": "TSV",
          "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}


class Unwritable(Exception):
    """The asked format cannot carry this result (answered 406); names the formats that can.
    Not a ValueError: that would read as a query or backend fault."""

    def __init__(self, fmt: str, reason: str, others: list[str]):
        self.fmt = fmt
        self.others = others
        choices = ", ".join(f"{LABELS[o]} (format={o}, Accept: {FORMATS[o].media_type})"
                            for o in others)
        super().__init__(f"{LABELS[fmt]} cannot carry this result: {reason}; ask for "
                         f"{choices}")


def _xml_text(fmt: str, text: str, others: list[str]) -> str:
    """Escaped text for XML, or Unwritable when it holds a character XML 1.0 cannot write."""
    bad = _NOT_XML.search(text)
    if bad:
        raise Unwritable(fmt, f"a value holds the character U+{ord(bad.group()):04X}, which "
                              "XML 1.0 cannot represent", others)
    return escape(text)


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
    def text(value: str) -> str:
        return _xml_text("xml", value, ["json", "csv", "tsv"])

    if isinstance(term, ox.NamedNode):
        return f"<uri>{text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (f"<literal datatype={quoteattr(term.datatype.value)}>"
                    f"{text(term.value)}</literal>")
        return f"<literal>{text(term.value)}</literal>"
    return f"<literal>{text(str(term))}</literal>"


def _csv_value(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if hasattr(term, "value") else str(term)


def write_solutions(variables: list[str], solutions: Iterable, fmt: str, cap: int) -> Written:
    """SELECT results; `solutions` yields mappings from variable name to term (or None)."""
    _solutions_format(fmt, "SELECT")
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
    else:  # tsv
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if row[v] is None else str(row[v]) for v in variables)
                  for row in rows]
        body = ("\n".join(lines) + "\n").encode()
        media += "; charset=utf-8"
    return Written(body, media, truncated, len(rows))


def _solutions_format(fmt: str, form: str) -> None:
    """ValueError unless `fmt` is a format for SELECT and ASK results."""
    if fmt not in FORMATS or FORMATS[fmt].kind != "solutions":
        raise ValueError(f"{fmt} is not a format for {form} results")


def write_boolean(value: bool, fmt: str) -> Written:
    """ASK results. CSV and TSV have no boolean form in the standard; like Oxigraph we write
    the bare word."""
    _solutions_format(fmt, "ASK")
    media = FORMATS[fmt].media_type
    if fmt == "json":
        body = json.dumps({"head": {}, "boolean": value}).encode()
    elif fmt == "xml":
        body = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    else:  # csv, tsv
        body = ("true" if value else "false").encode()
    return Written(body, media, False, 1)


def write_triples(triples: Iterable, fmt: str, cap: int) -> Written:
    """CONSTRUCT and DESCRIBE results, serialised by Oxigraph."""
    taken, truncated = _capped(triples, cap)
    body = serialize_triples(taken, fmt)
    if truncated:
        body = _mark_truncated(body, fmt, cap)
    return Written(body, FORMATS[fmt].media_type, truncated, len(taken))


def serialize_triples(triples: list, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in an RDF format, or Unwritable when the format cannot carry them: JSON-LD has
    no RDF 1.2 triple terms, RDF/XML neither XML-illegal characters nor a predicate that does
    not end in an XML name. RDF/XML is checked well-formed before it is sent."""
    triple_terms = any(_has_triple_term(t) for t in triples)
    if fmt == "jsonld" and triple_terms:
        raise Unwritable(fmt, "it holds an RDF 1.2 triple term, which JSON-LD 1.1 cannot write",
                         ["turtle", "ntriples", "rdfxml"])
    others = [f for f in RDF_FORMATS if f != fmt and not (f == "jsonld" and triple_terms)]
    if fmt == "rdfxml":
        for triple in triples:
            _check_rdfxml(triple, others)
    prefixes = (prefixes or PREFIXES) if fmt == "turtle" else None
    try:
        body = ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=prefixes) or b""
    except (OSError, ValueError) as exc:  # a limit of the writer found only by writing
        raise Unwritable(fmt, f"the writer refused it ({exc})", others) from exc
    if fmt == "rdfxml":
        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        try:
            parser.Parse(body, True)
        except xml.parsers.expat.ExpatError as exc:
            raise Unwritable(fmt, f"it would not be well-formed XML ({exc})", others) from exc
    return body


def _has_triple_term(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.Triple) or isinstance(triple.object, ox.Triple)


def _check_rdfxml(triple: ox.Triple, others: list[str]) -> None:
    if not _LOCAL_NAME.search(triple.predicate.value):
        raise Unwritable("rdfxml", f"the predicate <{triple.predicate.value}> does not end in "
                                   "an XML name, so it cannot be an RDF/XML element", others)
    for term in (triple.subject, triple.object):
        if isinstance(term, ox.Triple):
            _check_rdfxml(term, others)
        elif isinstance(term, ox.Literal):
            _xml_text("rdfxml", term.value, others)


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
