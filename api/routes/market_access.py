"""The market-access JSON API: thin routes over graph.answers.check and graph.answers.listings."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import LANGS, SERVED, AsOfParam, Lang, ServiceDep, pick_language, varies_by
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
from graph.errors import BadDate

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


class AccessFastPath:
    """Answers a GET /access asked before, in this build, straight from the answer cache.

    FastAPI's parameter and dependency handling costs several times what the cached answer
    does, so a question the route has already validated and answered is served here; anything
    else (first time asked, unusual parameters, cache off) goes on to the route unchanged."""

    _PARAMS = frozenset(("product", "market", "lang", "as_of"))

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/access" and scope["method"] == "GET":
            body = await self._cached(scope)
            if body is not None:
                await send({"type": "http.response.start", "status": 200, "headers": [
                    (b"content-length", str(len(body)).encode()),
                    (b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    async def _cached(self, scope: dict) -> bytes | None:
        served = scope.get(SERVED)  # the request's build, switched to a new one already
        if served is None:
            return None
        # Read as Starlette reads it, so the key is the one the route stored.
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        params = dict(pairs)
        if len(params) != len(pairs) or not params.keys() <= self._PARAMS:
            return None
        lang = params.get("lang")
        if lang is not None and lang not in LANGS:
            return None
        product, market = params.get("product"), params.get("market")
        if not product or not market:
            return None
        try:
            as_of = parse_as_of(params.get("as_of")).text
        except BadDate:
            return None
        if lang is None:
            varies_by(scope, "Accept-Language")
        answers = served.answers()
        if answers is None:
            return None
        accept_language = next((v.decode("latin-1") for k, v in scope["headers"]
                                if k == b"accept-language"), None)
        key = access_key(product, market, pick_language(lang, accept_language),
                         served.settings.exporter, as_of)
        return answers.get(key)  # type: ignore[return-value]


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
