"""/sparql: the SPARQL 1.1 Protocol, read-only, safe by default."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api import query_page
from api.deps import ServiceDep, wants_html
from graph.endpoint.linked_data import SERVICE_PREFIXES, service_description
from graph.endpoint.query_policy import (
    NotAcceptable,
    RefusedQuery,
    header_value,
    inspect_async,
    negotiate,
    protocol_dataset,
    unknown_graphs,
    with_base,
)
from graph.endpoint.query_workers import QueryFailed, QueryJob
from graph.endpoint.result_writers import FORMATS, serialize_triples
from graph.endpoint.served_build import Served

router = APIRouter(tags=["SPARQL 1.1 endpoint"])

READ_ONLY = "SPARQL updates are refused: this endpoint is read-only."
# Charsets a request body may declare: the protocol's media types are UTF-8 (ASCII is a subset).
UTF8_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii")
# What the endpoint's own URL may look like to serve as the base of relative IRIs.
_BASE_IRI = re.compile(r"https?://[^\s<>\"{}|^`\\]+")

_FIRST_LINE_POSITION = re.compile(r"(\berror at 1:)(\d+)")

TRUNCATED = "Agrikg-Result-Truncated"
# Graphs of the request's dataset that the store does not hold (evaluated as empty graphs).
UNKNOWN_GRAPHS = "Agrikg-Unknown-Graphs"
ROW_CAP = "Agrikg-Row-Cap"

_ERRORS = {
    400: {"description": "Malformed query (the parser's message, with line and column), "
                         "nesting deeper than the limit, more than one `query`, or a body "
                         "that is not UTF-8 (or declares another charset)."},
    403: {"description": "Refused: updates (`update=` or application/sparql-update, by GET or "
                         "POST), LOAD, SERVICE (read-only, never fetches)."},
    405: {"description": "Method not allowed: use GET or POST."},
    406: {"description": "No acceptable format for this kind of result."},
    413: {"description": "Request or query larger than the limit."},
    415: {"description": "POST body neither application/x-www-form-urlencoded nor "
                         "application/sparql-query."},
    503: {"description": "The query ran past the time limit (stopped), or the backend failed."},
}
_RESULT_TYPES = {f.media_type: {} for f in FORMATS.values()}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["query"],
                "properties": {
                    "query": {"type": "string", "description": "A SPARQL 1.1 query."},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                }}},
            "application/sparql-query": {"schema": {"type": "string"}},
        },
    }
}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


async def _run(request: Request, svc: Served, text: str, default_graphs: list[str],
               named_graphs: list[str], format_param: list[str]) -> Response:
    limit = svc.settings.max_request_bytes
    if len(text.encode()) > limit:
        return _error(413, f"the query is larger than {limit} bytes")
    runnable = text
    html = "html" in format_param or (not format_param and wants_html(request))
    try:
        inspected = await inspect_async(text, _base_iri(request, svc))
        # Graph parameters replace the query's FROM / FROM NAMED (Protocol 2.1.4). A graph of
        # the dataset used that the store does not hold is an empty graph, never fetched.
        dataset = protocol_dataset(default_graphs, named_graphs)
        unknown = unknown_graphs([*default_graphs, *named_graphs] if any(dataset) else
                                 inspected.from_graphs, svc.named_graphs)
        fmt = "json" if html else negotiate(inspected.form, request.headers.get("accept"),
                                            format_param)
        if html and inspected.form in ("CONSTRUCT", "DESCRIBE"):
            fmt = "turtle"
        if inspected.relative_iris:
            runnable = with_base(text, _base_iri(request, svc))
        job = QueryJob(runnable, fmt, svc.settings.row_cap, *dataset,
                       own_dataset=bool(inspected.from_graphs))
        # The same query, dataset, format and row cap asked again in this build: the same
        # bytes, without a worker (a rebuild starts with an empty cache). Not for a remote
        # endpoint: its data can change unseen, and its being down must show as 503.
        answers = svc.answers() if svc.backend == "embedded" else None
        key = ("sparql", job, repr(job.default_graphs), repr(job.named_graphs))
        written = answers.get(key) if answers is not None else None
        if written is None:
            written = await svc.query(job)
            svc.keep(answers, key, written.body, written)
    except (RefusedQuery, NotAcceptable, QueryFailed) as exc:
        status = 406 if isinstance(exc, NotAcceptable) else exc.status
        message = _unshift(str(exc), len(runnable) - len(text)) \
            if isinstance(exc, QueryFailed) else str(exc)
        if html:  # the page again, the query kept, the error beside it
            return query_page.failed(request, text, status, message, _limits(svc))
        return _error(status, message)
    headers = {"Vary": "Accept", ROW_CAP: str(svc.settings.row_cap)}
    if written.truncated:
        headers[TRUNCATED] = "true"
    if unknown:
        headers[UNKNOWN_GRAPHS] = header_value(unknown)
    if html:
        # Parsing and rendering up to a row cap of rows is CPU work: off the event loop.
        return await asyncio.to_thread(query_page.results, request, text, written, headers,
                                       _limits(svc))
    return Response(written.body, media_type=written.media_type, headers=headers)


def _unshift(message: str, shift: int) -> str:
    """A parser message about the query as the user wrote it: a BASE put in front of it moved
    every column of its first line by `shift`."""
    if not shift:
        return message
    return _FIRST_LINE_POSITION.sub(lambda m: f"{m.group(1)}{max(int(m.group(2)) - shift, 1)}",
                                    message)


def _base_iri(request: Request, svc: Served) -> str:
    """The endpoint's URL, the base relative IRIs in a query resolve against; a Host header
    that would not make a clean IRI falls back to localhost."""
    base = f"{(svc.settings.base_url or str(request.base_url)).rstrip('/')}/sparql"
    return base if _BASE_IRI.fullmatch(base) else "http://localhost/sparql"


def _limits(svc: Served) -> dict:
    """The limits in force, for the query page's "Limits" part (where a cut result links)."""
    return {"row_cap": svc.settings.row_cap, "timeout": svc.settings.query_timeout,
            "memory_mb": svc.settings.query_memory if svc.backend == "embedded" else None}


@router.get("/sparql", summary="SPARQL query (GET), service description or query page",
            responses={200: {"content": _RESULT_TYPES | {"text/html": {}}}, **_ERRORS})
async def sparql_get(
    request: Request,
    svc: ServiceDep,
    query: Annotated[str | None, Query(description="A SPARQL 1.1 query. Without it: the "
                                                   "service description, or a query page.")] = None,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri")] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri")] = None,
    format: Annotated[list[str] | None, Query(description=(
        "json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml or html, or a media type; "
        "overrides Accept"))] = None,
    example: Annotated[str | None, Query(description="A named query to load into the "
                                                     "query page.")] = None,
) -> Response:
    formats = format or []
    if "update" in request.query_params:
        return _error(403, READ_ONLY[:-1] + " (and the protocol never sends updates by GET).")
    if len(request.query_params.getlist("query")) > 1:
        return _error(400, "a request carries exactly one `query` parameter; this one has "
                           f"{len(request.query_params.getlist('query'))}")
    if query is None:
        if wants_html(request) or "html" in formats:
            return query_page.editor(request, example, _limits(svc))
        return _service_description(request, svc, formats)
    return await _run(request, svc, query, default_graph_uri or [], named_graph_uri or [], formats)


@router.post("/sparql", summary="SPARQL query (POST: form-encoded or application/sparql-query)",
             responses={200: {"content": _RESULT_TYPES}, **_ERRORS}, openapi_extra=_BODY)
async def sparql_post(request: Request, svc: ServiceDep) -> Response:
    limit = svc.settings.max_request_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return _error(413, f"the request body is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return _error(413, f"the request body is larger than {limit} bytes")
    media_type, *params = request.headers.get("content-type", "").split(";")
    content_type = media_type.strip().lower()
    charsets = [v.strip().strip('"').lower() for k, _, v in (p.partition("=") for p in params)
                if k.strip().lower() == "charset"]
    other = next((c for c in charsets if c not in UTF8_CHARSETS), None)
    if other is not None:
        return _error(400, f"the request body must be UTF-8, not charset={other}")
    try:
        text_body = body.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "the request body is not UTF-8")
    url_params = request.query_params
    default_graphs = url_params.getlist("default-graph-uri")
    named_graphs = url_params.getlist("named-graph-uri")
    format_param = url_params.getlist("format")
    if content_type == "application/x-www-form-urlencoded":
        fields = parse_qsl(text_body, keep_blank_values=True)
        if any(k == "update" for k, _ in fields):
            return _error(403, READ_ONLY)
        texts = [v for k, v in fields if k == "query"]
        if len(texts) != 1:
            return _error(400, "a form-encoded POST carries exactly one `query` field")
        default_graphs += [v for k, v in fields if k == "default-graph-uri"]
        named_graphs += [v for k, v in fields if k == "named-graph-uri"]
        format_param = format_param or [v for k, v in fields if k == "format"]
        text = texts[0]
    elif content_type == "application/sparql-query":
        text = text_body
    elif content_type == "application/sparql-update":
        return _error(403, READ_ONLY)
    else:
        return _error(415, f"unsupported content type {content_type or '(none)'!r}: send "
                           "application/x-www-form-urlencoded (query=...) or "
                           "application/sparql-query")
    return await _run(request, svc, text, default_graphs, named_graphs, format_param)


def _service_description(request: Request, svc: Served, format_param: list[str]) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in Turtle (or by Accept)."""
    base = svc.settings.base_url or str(request.base_url).rstrip("/")
    triples = service_description(base, svc.info().get("triples") or 0)
    try:
        fmt = negotiate("CONSTRUCT", request.headers.get("accept"), format_param)
    except NotAcceptable as exc:
        return _error(406, str(exc))
    return Response(serialize_triples(triples, fmt, SERVICE_PREFIXES),
                    media_type=FORMATS[fmt].media_type)
