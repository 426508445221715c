"""The market-access JSON API: thin routes over graph.access and graph.catalog."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import Lang, ServiceDep
from api.models import NOT_FOUND_RESPONSE
from graph.access import check
from graph.catalog import (
    list_markets,
    market_overview,
    product_overview,
    search_products,
    source_detail,
    statuses,
)
from graph.resolve import resolve_market, resolve_product

router = APIRouter(tags=["Market access"])

NOT_FOUND = NOT_FOUND_RESPONSE


@router.get("/access", responses=NOT_FOUND,
            summary="May PRODUCT be shipped to MARKET, under what status, says who?")
def access(svc: ServiceDep, lang: Lang,
           product: Annotated[str, Query(min_length=1, max_length=200, description=(
               "A product name in kk/ru/en, an id, or an HS code (2-6 digits)."))],
           market: Annotated[str, Query(min_length=1, max_length=200, description=(
               "An ISO 3166-1 code (alpha-2, alpha-3, numeric) or a country name."))],
           ) -> dict[str, Any]:
    """The same answer as `agrikg check --json`: status, permitted (true/false/null), via,
    partial, veterinary requirements, as-of and sources with the Kazakh quote. No record
    means `unknown`, never a prohibition."""
    return check(svc.store, product, market, lang=lang, exporter=svc.settings.exporter)


@router.get("/markets", summary="Every market (ISO 3166-1 country)")
def markets(svc: ServiceDep, lang: Lang) -> list[dict[str, Any]]:
    return list_markets(svc.store, lang)


@router.get("/markets/{code}", responses=NOT_FOUND,
            summary="A market with every product and its status there")
def market(svc: ServiceDep, lang: Lang,
           code: Annotated[str, "ISO code or name"]) -> dict[str, Any]:
    return market_overview(svc.store, resolve_market(svc.store, code, lang), lang)


@router.get("/products",
            summary="Products, optionally searched by name (any language) or HS code")
def products(svc: ServiceDep, lang: Lang,
             q: Annotated[str | None, Query(max_length=200, description=(
                 "Part of a name or synonym in kk/ru/en, an id, or HS code digits."))] = None,
             limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
    return search_products(svc.store, q, lang, limit)


@router.get("/products/{product_id}", responses=NOT_FOUND,
            summary="A product with every market the graph has a record for")
def product(svc: ServiceDep, lang: Lang, product_id: str) -> dict[str, Any]:
    resolved = resolve_product(svc.store, product_id, lang)
    return product_overview(svc.store, resolved, lang, svc.settings.exporter)


@router.get("/statuses",
            summary="The access-status and veterinary-requirement-status vocabularies")
def status_vocabulary(svc: ServiceDep, lang: Lang) -> dict[str, list[dict[str, Any]]]:
    return statuses(svc.store, lang)


@router.get("/sources/{source_id}", responses=NOT_FOUND,
            summary="A source statement: quote, translations, speaker, and what rests on it")
def source(svc: ServiceDep, lang: Lang, source_id: str) -> dict[str, Any]:
    return source_detail(svc.store, source_id, lang)
