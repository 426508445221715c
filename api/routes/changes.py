"""The change feed: /changes.atom, a thin route over graph.answers.changes (the same function
as `agrikg changes`)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import LANGS, ServiceDep, pick_language, varies_by
from graph.answers.changes import BadFilter, atom
from graph.answers.messages import CHANGES

router = APIRouter(tags=["Change feed"])


@router.get("/changes.atom", response_class=Response, summary="Every status change, as Atom 1.0",
            responses={200: {"content": {"application/atom+xml": {}}},
                       400: {"description": "A filter that cannot be read; `detail` says in the "
                                            "asked language what was given and what is accepted, "
                                            "`parameter` names it."}})
async def change_feed(
    request: Request, svc: ServiceDep,
    market: Annotated[str | None, Query(description=(
        "Only this market: an ISO 3166-1 code or a country name in kk/ru/en."))] = None,
    product: Annotated[str | None, Query(description=(
        "Only this product, the products within it and the groups whose records reach it: a "
        "name in kk/ru/en, an id or an HS code."))] = None,
    since: Annotated[str | None, Query(description=(
        "Only changes that took effect on or after this date: YYYY, YYYY-MM or YYYY-MM-DD "
        "(from the first day it names)."))] = None,
    lang: Annotated[str | None, Query(description=(
        "Language of the titles and summaries: kk, ru or en; falls back to Accept-Language, "
        "then en."))] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """One entry per status change of a pair (exporter, market, product): old → new status, the
    effective date, a link to the record's page and one (`rel="via"`) to each source."""
    if lang is None:
        varies_by(request.scope, "Accept-Language")
    asked = pick_language(lang if lang in LANGS else None, accept_language)
    if lang is not None and lang not in LANGS:
        message = CHANGES["bad_lang"][asked].format(text=lang[:20], param="lang")
        return _bad(BadFilter("lang", lang[:20], message))
    base = svc.settings.base_url or str(request.base_url).rstrip("/")
    try:
        body = await asyncio.to_thread(atom, svc.store, base, asked, market=market,
                                       product=product, since=since,
                                       exporter=svc.settings.exporter, self_url=str(request.url))
    except BadFilter as exc:
        return _bad(exc)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _bad(exc: BadFilter) -> JSONResponse:
    return JSONResponse({"detail": exc.message, "parameter": exc.parameter, "value": exc.value},
                        status_code=400)
