"""The market-access JSON API: thin routes over graph.answers.check and graph.answers.listings."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import BUILD_HEADER, SERVED, AsOfParam, Lang, ServiceDep, header_bytes
from api.models import BAD_DATE_RESPONSE, NOT_FOUND_RESPONSE, AccessAnswer
from graph.answers.check import check
from graph.answers.dates import parse_as_of
from graph.answers.listings import (
    list_markets,
    market_overview,
    product_overview,
    search_products,
    source_detail,
    statuses,
)
from graph.answers.resolve import resolve_market, resolve_product
from graph.endpoint.served_build import Service

router = APIRouter(tags=["Market access"])

NOT_FOUND = NOT_FOUND_RESPONSE | BAD_DATE_RESPONSE


# The route writes the answer's JSON itself (cached bytes); the model documents it, and every
# answer is validated against it when the check makes it.
@router.get("/access", responses=NOT_FOUND | {200: {"model": AccessAnswer}},
            response_model=AccessAnswer, response_class=Response,
            summary="May PRODUCT be shipped to MARKET, under what status, says who?")
async def access(svc: ServiceDep, lang: Lang,
                 product: Annotated[str, Query(min_length=1, max_length=200, description=(
                     "A product name in kk/ru/en, an id, or an HS code (2-6 digits)."))],
                 market: Annotated[str, Query(min_length=1, max_length=200, description=(
                     "An ISO 3166-1 code (alpha-2, alpha-3, numeric) or a country name."))],
                 as_of: AsOfParam = None,
                 ) -> Response:
    """The same answer as `agrikg check --json`: status, permitted (true/false/null), via,
    partial, veterinary requirements, as-of, sources with the source's own words, the
    history of the pair, conflicts and the exporter's measures in force, on the asked date
    (today by default). No record means `unknown`, never a prohibition."""
    at = parse_as_of(as_of)  # BadDate: 400 in the asked language
    # A question asked again is answered from the build's answer cache without leaving the
    # event loop; a new one is checked in a thread (on a remote store a check is HTTP).
    answers = svc.answers()
    key = access_key(product, market, lang, svc.settings.exporter, at.text)
    body = answers.get(key) if answers is not None else None
    if body is None:
        answer = await asyncio.to_thread(check, svc.store, product, market, lang=lang,
                                         exporter=svc.settings.exporter, as_of=at)
        body = encode(answer)
        svc.keep(answers, key, body)
    return Response(body, media_type="application/json")


def access_key(product: str, market: str, lang: str, exporter: str, as_of: str) -> tuple:
    return ("access", product, market, lang, exporter, as_of)


class AccessReplay:
    """Keeps the response the stack gives a GET /access (its headers as compression, Vary and
    the build's name left them, and its body) in the build's answer cache, for `replay` to
    send when the same question is asked again in this build and today.

    It sits just inside PinBuild. What could make the stack answer differently is in the key
    (the query string as sent, Accept-Language, whether gzip is accepted, the day) or sends
    the request down the stack unkept (a cross-origin request, headers over the limit); only
    a whole 200 is kept."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        served = scope.get(SERVED) if scope["type"] == "http" else None
        if (served is None or scope["path"] != "/access" or scope["method"] != "GET"
                or (answers := served.answers()) is None
                or (key := replay_key(scope, served.settings.max_header_bytes)) is None):
            await self.app(scope, receive, send)
            return
        headers: tuple | None = None  # of a 200
        body: bytes | None = None  # of a response sent in one part
        parts = 0

        async def send_and_keep(message: dict) -> None:
            nonlocal headers, body, parts
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = tuple(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                parts += 1
                body = None if message.get("more_body") else message.get("body", b"")
            await send(message)

        await self.app(scope, receive, send_and_keep)
        if headers is not None and parts == 1 and body is not None:
            if served.build:  # PinBuild names the build after this middleware has seen them
                headers = (*headers, (BUILD_HEADER.lower().encode(), served.build.encode()))
            served.keep(answers, key, body, value=(headers, body))


async def replay(svc: Service, scope: dict, send: Any) -> bool:
    """Send the kept response to a GET /access asked before in the served build, and say
    whether it was sent (api.app.AgrikgAPI calls it before FastAPI's own layers)."""
    await svc.refresh()
    served = svc.acquire()
    try:
        if ((answers := served.answers()) is None
                or (key := replay_key(scope, served.settings.max_header_bytes)) is None
                or (kept := answers.get(key)) is None):
            return False
        headers, body = kept  # type: ignore[misc]
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})
        return True
    finally:
        svc.release(served)


def replay_key(scope: dict, header_limit: int) -> tuple | None:
    """What the stack's response to a GET /access depends on, or None for a request that
    goes down it and is not kept."""
    if header_bytes(scope) > header_limit:
        return None
    language = gzip = None
    for name, value in scope["headers"]:
        if name == b"origin":
            return None  # CORS echoes an origin that sends cookies
        if name == b"accept-language":
            language = value
        elif name == b"accept-encoding":
            gzip = b"gzip" in value
    return ("access-response", scope["query_string"], language, gzip, date.today())


def encode(answer: Any) -> bytes:
    """JSON as FastAPI's JSONResponse writes it, without its generic encoder (the answer is
    plain JSON data already)."""
    return json.dumps(answer, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode()


@router.get("/markets", summary="Every market (ISO 3166-1 country)")
def markets(svc: ServiceDep, lang: Lang) -> list[dict[str, Any]]:
    return list_markets(svc.store, lang)


@router.get("/markets/{code}", responses=NOT_FOUND,
            summary="A market with every product and its status there")
def market(svc: ServiceDep, lang: Lang,
           code: Annotated[str, "ISO code or name"], as_of: AsOfParam = None) -> dict[str, Any]:
    at = parse_as_of(as_of)
    return market_overview(svc.store, resolve_market(svc.store, code, lang), lang,
                           svc.settings.exporter, at)


@router.get("/products",
            summary="Products, optionally searched by name (any language) or HS code")
def products(svc: ServiceDep, lang: Lang,
             q: Annotated[str | None, Query(max_length=200, description=(
                 "Part of a name or synonym in kk/ru/en, an id, or HS code digits."))] = None,
             limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
    return search_products(svc.store, q, lang, limit)


@router.get("/products/{product_id}", responses=NOT_FOUND,
            summary="A product with every market the graph has a record for")
def product(svc: ServiceDep, lang: Lang, product_id: str,
            as_of: AsOfParam = None) -> dict[str, Any]:
    at = parse_as_of(as_of)
    resolved = resolve_product(svc.store, product_id, lang)
    return product_overview(svc.store, resolved, lang, svc.settings.exporter, at)


@router.get("/statuses",
            summary="The access-status and veterinary-requirement-status vocabularies")
def status_vocabulary(svc: ServiceDep, lang: Lang) -> dict[str, list[dict[str, Any]]]:
    return statuses(svc.store, lang)


@router.get("/sources/{source_id}", responses=NOT_FOUND,
            summary="A source statement: quote, translations, speaker, and what rests on it")
def source(svc: ServiceDep, lang: Lang, source_id: str) -> dict[str, Any]:
    return source_detail(svc.store, source_id, lang)
