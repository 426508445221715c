"""The /sparql page a browser gets: an editor (YASQE from npm, served from /static/vendor/ when
`make vendor` put it there, else a plain text area), the named queries as examples with their
parameters filled in, results a page at a time with IRIs shortened by our prefixes and linked to
their pages, every download format, and errors beside the query with their line and column.
The protocol's own answers (JSON, XML, CSV...) are untouched: /sparql builds this page only for
`format=html` or a browser's Accept."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from api.deps import LANGS, pick_language, templates, varies_by
from graph.answers.messages import LANGUAGE_NAMES, NAV, QUERY_PAGE
from graph.endpoint.query_policy import tokenize
from graph.endpoint.result_writers import PREFIXES as RESULT_PREFIXES
from graph.namespaces import BASE, MARKET, PREFIXES, PRODUCT, RECORD, STATEMENT
from graph.store import named_queries as queries

PAGE_SIZE = 100
VENDOR = Path(__file__).parent / "static" / "vendor" / "yasqe"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# Where our parser (query_policy) and Oxigraph's put the position of an error.
_POSITION = (re.compile(r"at line (\d+), column (\d+)"), re.compile(r"\berror at (\d+):(\d+)"))
# The prefixes the editor offers and the results are shortened by: the graph's own first.
NAMESPACES: dict[str, str] = {k: str(v) for k, v in PREFIXES.items()} | {
    k: v for k, v in RESULT_PREFIXES.items() if k not in PREFIXES}
DOWNLOADS = {
    "solutions": (("json", "SPARQL JSON", "srj"), ("xml", "SPARQL XML", "srx"),
                  ("csv", "CSV", "csv"), ("tsv", "TSV", "tsv")),
    "graph": (("turtle", "Turtle", "ttl"), ("ntriples", "N-Triples", "nt"),
              ("jsonld", "JSON-LD", "jsonld"), ("rdfxml", "RDF/XML", "rdf")),
}


def _example_values(lang: str) -> dict[str, object]:
    """A value for each parameter the named queries take, so an example answers something."""
    return {"product": queries.IRI(PRODUCT["wheat"]), "market": queries.IRI(MARKET["CN"]),
            "exporter": queries.IRI(MARKET["KZ"]), "record": queries.IRI(RECORD["kz-cn-wheat"]),
            "statement": queries.IRI(STATEMENT["china-market-open"]),
            "source": queries.IRI(STATEMENT["china-market-open"]),
            "resource": queries.IRI(PRODUCT["wheat"]), "status": "open", "lang": lang,
            "records": (queries.IRI(RECORD["kz-cn-wheat"]),),
            "products": (queries.IRI(PRODUCT["wheat"]), queries.IRI(PRODUCT["cereals"]))}


def example_text(name: str, lang: str) -> str:
    """A named query with example values in place of its parameters."""
    query = queries.load(name)
    values = _example_values(lang)
    return queries.render(name, **{p: values[p] for p in query.params if p in values})


def page_language(request: Request) -> str:
    """`?lang=` when it is one of ours, else Accept-Language, else English."""
    asked = request.query_params.get("lang")
    if asked not in LANGS:
        asked = None
        varies_by(request.scope, "Accept-Language")
    return pick_language(asked, request.headers.get("accept-language"))


def curie(iri: str) -> str:
    best = ""
    for prefix, namespace in NAMESPACES.items():
        if iri.startswith(namespace) and len(namespace) > len(best) and len(iri) > len(namespace):
            best, name = namespace, f"{prefix}:{iri[len(namespace):]}"
    return name if best else iri


def link(iri: str, lang: str | None = None) -> str:
    """Our IRIs go to their page on this server (a term of the ontology to its entry in /ontology,
    in `lang`); any other IRI is linked as it is."""
    if not iri.startswith(BASE):
        return iri
    path, _, fragment = iri[len(BASE):].partition("#")
    query = f"?lang={lang}" if lang and path == "ontology" else ""
    return f"/{path}{query}" + (f"#{fragment}" if fragment else "")


def _cell(term: dict | None, lang: str | None = None) -> dict:
    if not term:
        return {"text": ""}
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        return {"text": curie(value), "href": link(value, lang), "iri": value}
    if kind == "bnode":
        return {"text": f"_:{value}"}
    if kind == "triple":
        return {"text": "<< " + " ".join(_cell(term["value"].get(k), lang)["text"]
                                         for k in ("subject", "predicate", "object")) + " >>"}
    datatype = term.get("datatype")
    return {"text": value, "lang": term.get("xml:lang"),
            "datatype": curie(datatype) if datatype and datatype not in (XSD_STRING, RDF_LANG_STRING)
            else None, "datatype_href": link(datatype, lang) if datatype else None}


def _ox_cell(term, lang: str) -> dict:
    if isinstance(term, ox.NamedNode):
        return _cell({"type": "uri", "value": term.value}, lang)
    if isinstance(term, ox.BlankNode):
        return _cell({"type": "bnode", "value": term.value}, lang)
    if isinstance(term, ox.Literal):
        return _cell({"type": "literal", "value": term.value, "xml:lang": term.language,
                      "datatype": term.datatype.value}, lang)
    return {"text": str(term)}


def _variables(text: str, declared: list[str]) -> list[str]:
    """The columns in the order the query names them: for `SELECT *` the engine lists them in an
    order of its own (o, p, s), a reader expects them as written (s, p, o)."""
    try:
        tokens = tokenize(text)
    except ValueError:
        return declared
    words = [t.text.upper() for t in tokens[:40]]
    star = any(w == "SELECT" and (words[i + 1:i + 2] == ["*"] or words[i + 1:i + 3] in (
        ["DISTINCT", "*"], ["REDUCED", "*"])) for i, w in enumerate(words))
    if not star:
        return declared
    first: dict[str, int] = {}
    for position, token in enumerate(tokens):
        if token.kind == "var":
            first.setdefault(token.text[1:], position)
    return sorted(declared, key=lambda v: first.get(v, math.inf))


@cache
def editor_assets() -> bool:
    """Whether `make vendor` installed the editor (without it the page is a plain text area)."""
    return (VENDOR / "yasqe.min.js").is_file() and (VENDOR / "yasqe.min.css").is_file()


def _href(**params: object) -> str:
    return "/sparql?" + urlencode({k: v for k, v in params.items() if v is not None})


def _context(request: Request, text: str, limits: dict, lang: str) -> dict:
    words = {k: v[lang] for k, v in QUERY_PAGE.items()}
    params = dict(request.query_params)
    switch = {code: "/sparql?" + urlencode(params | {"lang": code}) for code in LANGS}
    return {
        "lang": lang, "words": words, "query": text, "limits": limits, "switch": switch,
        "language_names": LANGUAGE_NAMES, "editor": editor_assets(),
        "nav": {k: v[lang] for k, v in NAV.items()},  # the header and skip link, in the language
        "namespaces": NAMESPACES,
        "config": {"prefixes": NAMESPACES, "label": words["query_label"]},
        "examples": [{"name": n, "summary": queries.load(n).summary,
                      "href": _href(example=n, format="html", lang=lang)}
                     for n in queries.names()],
        "result": None, "error": None,
    }


def editor(request: Request, example: str | None, limits: dict) -> Response:
    """The page without a result: an example (or the counts of what the graph holds) to start."""
    lang = page_language(request)
    name = example if example in queries.names() else "summary_counts"
    return templates.TemplateResponse(request, "query.html",
                                      _context(request, example_text(name, lang), limits, lang))


def failed(request: Request, text: str, status: int, message: str, limits: dict) -> Response:
    """The query kept in the editor and the error beside it, with its line and column."""
    lang = page_language(request)
    context = _context(request, text, limits, lang)
    line = column = None
    for pattern in _POSITION:
        if found := pattern.search(message):
            line, column = int(found.group(1)), int(found.group(2))
            break
    parse = (status == 400 and "parse" in message) or line is not None
    context["error"] = {"status": status, "message": message, "line": line, "column": column,
                        "heading": context["words"]["error_parse" if parse else "error_other"]}
    return templates.TemplateResponse(request, "query.html", context, status_code=status)


def results(request: Request, text: str, written, headers: dict, limits: dict) -> Response:
    """One page of the result: rows (or triples) with IRIs shortened and linked, language tags
    and datatypes shown; links to the other pages and to every download format."""
    lang = page_language(request)
    context = _context(request, text, limits, lang)
    words = context["words"]
    graph = written.media_type.startswith("text/turtle")
    result: dict = {"truncated": written.truncated, "boolean": None, "graph": graph,
                    "downloads": [{"label": label, "filename": f"result.{ext}",
                                   "href": _href(query=text, format=name)}
                                  for name, label, ext in DOWNLOADS["graph" if graph else "solutions"]]}
    if graph:
        variables = ["subject", "predicate", "object"]
        triples = [q.triple for q in ox.parse(written.body, format=ox.RdfFormat.TURTLE)]
        all_rows = [[_ox_cell(t.subject, lang), _ox_cell(t.predicate, lang), _ox_cell(t.object, lang)]
                    for t in triples]
    else:
        data = json.loads(written.body)
        if "boolean" in data:
            result["boolean"] = bool(data["boolean"])
            variables, all_rows = [], []
        else:
            variables = _variables(text, data["head"].get("vars", []))
            all_rows = [[_cell(b.get(v), lang) for v in variables]
                        for b in data["results"]["bindings"]]
    total = len(all_rows)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    asked = request.query_params.get("page", "1")
    page = min(max(int(asked), 1), pages) if asked.isdigit() else 1
    start = (page - 1) * PAGE_SIZE

    def to(number: int) -> str:
        return _href(query=text, format="html", lang=lang, page=number)

    result |= {
        "variables": variables, "rows": all_rows[start:start + PAGE_SIZE], "total": total,
        "page": page, "pages": pages,
        "range": (words["triples_range" if graph else "range"]).format(
            start=start + 1 if total else 0, end=min(start + PAGE_SIZE, total), total=total),
        "page_of": words["page_of"].format(page=page, pages=pages),
        "links": {"first": to(1) if page > 1 else None, "previous": to(page - 1) if page > 1 else None,
                  "next": to(page + 1) if page < pages else None,
                  "last": to(pages) if page < pages else None},
    }
    context["result"] = result
    return templates.TemplateResponse(request, "query.html", context, headers=headers)
