"""Every IRI the graph mints dereferences here: a page for a browser, RDF by Accept.
Whole-graph dumps at stable URLs, and the dataset's VoID/DCAT description."""

from __future__ import annotations

import re
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response

from api import ontology_page
from api.deps import Lang, ServiceDep, templates, wants_html
from graph.answers.messages import ERRORS, RESOURCE, count, property_names, words
from graph.endpoint.linked_data import (
    curie,
    dataset_description,
    describe,
    ontology_triples,
    page_rows,
    record_succession,
    records_pointing_at,
    serialize,
    term_labels,
)
from graph.endpoint.query_policy import NotAcceptable, negotiate
from graph.endpoint.result_writers import FORMATS, Unwritable
from graph.namespaces import BASE

router = APIRouter(tags=["Linked data"])

KINDS = ("product", "market", "record", "statement", "document", "event", "agent", "role",
         "inference", "indicator", "programme", "duration", "measure", "access-status",
         "vet-status")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
DUMPS = {"graph.ttl": "text/turtle", "graph.nt": "application/n-triples",
         "graph.jsonld": "application/ld+json"}
RDF_RESPONSES = {200: {"content": {"text/html": {}, "text/turtle": {}, "application/ld+json": {},
                                   "application/n-triples": {}, "application/rdf+xml": {}}},
                 404: {"description": "The graph holds nothing under this IRI."},
                 406: {"description": "No acceptable RDF format."}}
Format = Annotated[str | None, Query(description="turtle, ntriples, jsonld, rdfxml or html; "
                                                 "overrides Accept")]


def _rdf_response(request: Request, triples: list, fmt_param: str | None, title: str,
                  iri: str, lang: str = "en", svc=None, kind: str = "",
                  page: dict | None = None) -> Response:
    """`page`: more for the HTML page only (a record's succession)."""
    if fmt_param == "html" or (fmt_param is None and wants_html(request)):
        labels = property_names(lang) | (term_labels(svc.store, iri, lang) if svc is not None
                                         else {})
        records = (records_pointing_at(svc.store, iri, lang)
                   if svc is not None and kind in ("product", "market") else None)
        total = sum(len(g["records"]) for g in records or [])
        kind_label = next((labels[t.object.value] for t in triples
                           if t.predicate.value == RDF_TYPE and str(t.subject) == f"<{iri}>"
                           and t.object.value in labels), "")
        return templates.TemplateResponse(request, "resource.html", {
            "iri": iri, "title": title or f"{kind_label} {iri.rsplit('/', 1)[-1]}".strip(),
            "heading": title, "kind_label": kind_label, "short": curie(iri),
            "rows": page_rows(triples, iri, labels), "lang": lang,
            "words": words(lang, RESOURCE), "kind": kind, "records": records,
            "records_count": count(total, "record", lang), **(page or {})},
            headers={"Vary": "Accept"})
    try:
        fmt = negotiate("DESCRIBE", request.headers.get("accept"), fmt_param)
        body = serialize(triples, fmt)
    except (NotAcceptable, Unwritable) as exc:
        raise HTTPException(406, str(exc)) from None
    return Response(body, media_type=FORMATS[fmt].media_type, headers={"Vary": "Accept"})


def _title(triples: list, iri: str, lang: str) -> str:
    """The resource's label in the page language, else in English, else its short name."""
    labels = {t.object.language: t.object.value for t in triples
              if t.predicate.value.endswith(("#prefLabel", "#label", "/title"))
              and str(t.subject) == f"<{iri}>" and getattr(t.object, "language", None)}
    return labels.get(lang) or labels.get("en") or ""


def _resource(kind: str, path: str, request: Request, svc, fmt: str | None,
              lang: str = "en") -> Response:
    segments = path.split("/") if path else []
    if not all(_SEGMENT.match(s) for s in segments) or len(segments) > 4:
        raise HTTPException(404, ERRORS["bad_identifier"][lang])
    iri = BASE + kind + ("/" + path if path else "")
    triples = describe(svc.store, iri)
    if not triples:
        raise HTTPException(404, ERRORS["no_resource"][lang].format(iri=f"<{iri}>"))
    page = {"succession": record_succession(svc.store, iri)} if kind == "record" else None
    return _rdf_response(request, triples, fmt, _title(triples, iri, lang), iri, lang, svc,
                         kind if path else "", page)


def _register(kind: str) -> None:
    # Plain `def` routes: they query the store, which for a remote endpoint is a blocking HTTP
    # call, so FastAPI runs them in its thread pool, never on the event loop.
    def handler(request: Request, svc: ServiceDep, lang: Lang, path: str,
                format: Format = None):
        return _resource(kind, path, request, svc, format, lang)

    def scheme(request: Request, svc: ServiceDep, lang: Lang, format: Format = None):
        return _resource(kind, "", request, svc, format, lang)

    router.add_api_route(f"/{kind}/{{path:path}}", handler, methods=["GET"],
                         responses=RDF_RESPONSES, summary=f"Dereference a {kind} IRI",
                         name=f"{kind}_resource")
    if kind in ("access-status", "vet-status", "product"):
        router.add_api_route(f"/{kind}", scheme, methods=["GET"], responses=RDF_RESPONSES,
                             summary=f"The {kind} concept scheme", name=f"{kind}_scheme")


for _kind in KINDS:
    _register(_kind)


@router.get("/ontology", responses=RDF_RESPONSES,
            summary="The agrikg ontology (classes, properties, status schemes)")
def ontology(request: Request, svc: ServiceDep, lang: Lang,
             format: Format = None) -> Response:
    if format == "html" or (format is None and wants_html(request)):
        return ontology_page.page(request, svc)  # each term documented, in kk/ru/en
    triples = list(ontology_triples(Path(svc.settings.ontology_dir)))
    return _rdf_response(request, triples, format, _title(triples, BASE + "ontology", lang),
                         BASE + "ontology", lang)


@router.get("/dataset", responses=RDF_RESPONSES, summary="VoID/DCAT description of the dataset")
def dataset(request: Request, svc: ServiceDep, lang: Lang, format: Format = None) -> Response:
    base = svc.settings.base_url or str(request.base_url).rstrip("/")
    triples = list(dataset_description(svc.info(), base))
    return _rdf_response(request, triples, format, _title(triples, BASE + "dataset", lang),
                         BASE + "dataset", lang)


@router.get("/dumps/{name}", responses={
    304: {"description": "Not modified: the ETag given in If-None-Match (or the date in "
                         "If-Modified-Since) is the served build's."},
    404: {"description": "No such dump."}},
    summary="The whole built graph: graph.ttl, graph.nt or graph.jsonld")
async def dump(name: str, request: Request, svc: ServiceDep) -> Response:
    """The dump of the served build. Its ETag names the build and the file, so it changes with
    every build; a client that sends it back (If-None-Match), or the Last-Modified date
    (If-Modified-Since), is answered 304 while the build is the same."""
    build_path = svc.build_path
    if name not in DUMPS or not build_path:
        raise HTTPException(404, f"no dump {name!r}; available: {', '.join(DUMPS)}"
                            if build_path else "dumps are served only from the embedded "
                            "build; query the remote endpoint instead")
    file = Path(build_path) / name
    try:
        modified = file.stat().st_mtime
    except OSError:
        raise HTTPException(404, f"the served build has no {name}") from None
    headers = {"ETag": f'"{Path(build_path).name}-{name}"',
               "Last-Modified": formatdate(modified, usegmt=True), "Cache-Control": "no-cache"}
    if _not_modified(request, headers["ETag"], modified):
        return Response(status_code=304, headers=headers)
    return FileResponse(file, media_type=DUMPS[name], filename=name, headers=headers)


def _not_modified(request: Request, etag: str, modified: float) -> bool:
    """RFC 9110 13.1: If-None-Match (weak comparison) decides when present, else
    If-Modified-Since; an unparsable date is ignored."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return int(modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, OverflowError):
            return False
    return False
