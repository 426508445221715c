"""The exporter's page (/), the interactive graph view (/explore) and /analytics."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import LANGS, AsOfParam, Lang, ServiceDep, templates, wants_html
from api.models import BAD_DATE_RESPONSE, NOT_FOUND_RESPONSE
from graph.answers.check import check
from graph.answers.dates import parse_as_of
from graph.answers.listings import list_markets, search_products
from graph.answers.messages import ERRORS, RESOURCE, TIMELINE, words
from graph.answers.network import Filters
from graph.answers.resolve import resolve_market, resolve_product
from graph.answers.statuses import colour_roles
from graph.errors import BadDate, ResolveError
from graph.store.backends import Store

router = APIRouter(tags=["Explore"])

Filter = Annotated[str | None, Query(max_length=200)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "May I ship it?", "ru": "Можно ли поставлять?", "kk": "Жеткізуге бола ма?"},
    "intro": {"en": "Check whether a Kazakh product may be shipped to a market, under what "
                    "veterinary status, and who said so.",
              "ru": "Проверьте, можно ли поставлять казахстанскую продукцию на рынок, каков "
                    "статус ветеринарных требований и на чьё заявление опирается ответ.",
              "kk": "Қазақстан өнімін нарыққа жеткізуге бола ма, ветеринариялық талаптардың "
                    "мәртебесі қандай және бұл кімнің мәлімдемесіне негізделген — тексеріңіз."},
    "product": {"en": "Product (name in any language, or HS code)",
                "ru": "Продукция (название на любом языке или код ТН ВЭД)",
                "kk": "Өнім (кез келген тілдегі атауы немесе СЭҚ ТН коды)"},
    "market": {"en": "Market", "ru": "Рынок", "kk": "Нарық"},
    "choose": {"en": "Choose a market", "ru": "Выберите рынок", "kk": "Нарықты таңдаңыз"},
    "with_records": {"en": "Markets with records", "ru": "Рынки с записями",
                     "kk": "Жазбалары бар нарықтар"},
    "all_markets": {"en": "All markets", "ru": "Все рынки", "kk": "Барлық нарықтар"},
    "check": {"en": "Check", "ru": "Проверить", "kk": "Тексеру"},
    # The message below the card says why; this line only names the group (head noun first,
    # so the name stays in the nominative).
    "inherited": {"en": "Status from the broader group “{via}”.",
                  "ru": "Статус по более широкой группе «{via}».",
                  "kk": "Мәртебе кеңірек «{via}» тобы бойынша."},
    "via_item": {"en": "from the group “{via}”", "ru": "по группе «{via}»",
                 "kk": "«{via}» тобы бойынша"},
    "view_graph": {"en": "See it in the graph", "ru": "Показать на графе",
                   "kk": "Графта көрсету"},
    "view_product": {"en": "all markets for this product", "ru": "все рынки этой продукции",
                     "kk": "осы өнімнің барлық нарықтары"},
    "view_market": {"en": "all products in this market", "ru": "вся продукция на этом рынке",
                    "kk": "осы нарықтағы барлық өнімдер"},
    "language": {"en": "Language", "ru": "Язык", "kk": "Тіл"},
    "more": {"en": "For analysts", "ru": "Для аналитиков", "kk": "Талдаушылар үшін"},
}


@router.get("/", summary="The exporter's page",
            responses={200: {"content": {"text/html": {}}},
                       400: {"description": "`as_of` is no date; the page says what is "
                                            "accepted.", "content": {"text/html": {}}},
                       404: {"description": "Product or market not found; the page lists the "
                                            "closest matches.", "content": {"text/html": {}}}})
def exporter_page(request: Request, svc: ServiceDep, lang: Lang,
                  product: Filter = None, market: Filter = None,
                  as_of: AsOfParam = None) -> Response:
    page_words = words(lang, WORDS, TIMELINE, ERRORS, RESOURCE)
    answer: dict[str, Any] | None = None
    error: ResolveError | None = None
    date_error: BadDate | None = None
    try:
        at = parse_as_of(as_of)
    except BadDate as exc:
        date_error = exc
    if product and market and date_error is None:
        try:
            answer = check(svc.store, product, market, lang=lang,
                           exporter=svc.settings.exporter, as_of=at)
        except ResolveError as exc:
            error = exc
    markets = list_markets(svc.store, lang)
    context = {
        "lang": lang, "words": page_words, "answer": answer, "error": error,
        "roles": colour_roles(svc.store),
        "product": product or "", "market": market or "", "as_of": as_of or "",
        "date_error": date_error.message(lang) if date_error else None,
        "markets_with_records": [m for m in markets if m["records"]],
        "markets": sorted(markets, key=lambda m: m["label"]),
        "suggestions": [p["label"] for p in search_products(svc.store, None, lang, 500)],
        "switch": {code: "/?" + urlencode({k: v for k, v in (("product", product),
                   ("market", market), ("as_of", as_of), ("lang", code)) if v}) for code in LANGS},
    }
    if answer:
        dated = {"as_of": as_of} if as_of else {}
        context["explore"] = "/explore?" + urlencode(
            {"product": answer["product"]["id"], "market": answer["market"]["code"], "lang": lang}
            | dated)
        context["explore_product"] = "/explore?" + urlencode(
            {"product": answer["product"]["id"], "lang": lang} | dated)
        context["explore_market"] = "/explore?" + urlencode(
            {"market": answer["market"]["code"], "lang": lang} | dated)
        if answer["via"]:
            context["via_text"] = page_words["inherited"].format(via=answer["via"]["label"])
        # Each narrower product links to its own check in the same market.
        context["narrower_checks"] = [
            question(lang, product=asked_as(svc.store, "product", item["product"], lang),
                     market=answer["market"]["code"] or answer["market"]["iri"])
            for item in answer["partial"]]
    if error is not None:
        context["error_text"] = error.headline(lang)
        context["error_hint"] = error.hint_text(lang)
        # Each suggestion is the same question with the suggestion filled in.
        context["suggestion_links"] = [
            {"label": shown, "href": question(
                lang,
                product=asked_as(svc.store, "product", match, lang)
                if error.kind == "product" else product,
                market=asked_as(svc.store, "market", match, lang)
                if error.kind == "market" else market)}
            for shown, match in zip(error.suggestions, error.matches, strict=False)]
    return templates.TemplateResponse(request, "exporter.html", context,
                                      status_code=400 if date_error else 404 if error else 200)


def asked_as(store: Store, kind: str, match: dict[str, str], lang: str) -> str:
    """How to ask for a product or market again: its name in the page language when that name
    leads back to it (what a person would type), else its id or code."""
    label = match.get("label", "")
    resolve = resolve_product if kind == "product" else resolve_market
    try:
        if label and resolve(store, label, lang).iri == match["iri"]:
            return label
    except ResolveError:
        pass
    return match.get("code") or match.get("id") or match["iri"]


def question(lang: str, product: str | None, market: str | None) -> str:
    """The exporter's page asking this question."""
    return "/?" + urlencode({k: v for k, v in (("product", product), ("market", market),
                                                ("lang", lang)) if v})


@router.get("/explore", summary="Interactive graph view (self-contained page, works offline)",
            responses={200: {"content": {"text/html": {}}}, **NOT_FOUND_RESPONSE,
                       **BAD_DATE_RESPONSE})
def explore(request: Request, svc: ServiceDep, lang: Lang, market: Filter = None,
            product: Filter = None, status: Filter = None,
            as_of: AsOfParam = None) -> HTMLResponse:
    """The records that answer on the asked date (today by default), by the check's rule. A
    browser gets the page with its message when a filter names nothing (404); other clients get
    the JSON 404 with the closest matches."""
    from graph.answers import explore_page
    from graph.answers.views import render, render_filtered  # networkx and pyvis: this page only

    at = parse_as_of(as_of)
    values = {"market": market, "product": product, "status": status, "as_of": as_of}
    form = explore_page.form(svc.store, lang, values)
    try:
        view = render_filtered(svc.store, lang, market=market, product=product, status=status,
                               exporter=svc.settings.exporter, as_of=at, form=form)
    except ResolveError as exc:
        if not wants_html(request):
            raise
        view = render(svc.store, lang, Filters(), form=form,
                      error=explore_page.not_found(exc, lang, values))
        return HTMLResponse(view.html, status_code=404)
    return HTMLResponse(view.html)


@router.get("/analytics", summary="Network analytics: reach, diversification, pending "
                                  "negotiations, centrality, shared markets; a page for browsers",
            responses={200: {"content": {"application/json": {}, "text/html": {}}},
                       **BAD_DATE_RESPONSE})
def analytics(request: Request, svc: ServiceDep, lang: Lang, as_of: AsOfParam = None) -> Any:
    """Reach by the check's rule, on the asked date (today by default): JSON, or a page for a
    browser."""
    from graph.answers.analytics import stats  # networkx: only for analytics

    result = stats(svc.store, lang, svc.settings.exporter, parse_as_of(as_of))
    if not wants_html(request):
        return result
    from graph.answers import matrix

    return templates.TemplateResponse(request, "analytics.html",
                                      matrix.page(svc.store, lang, result))
@router.get("/analytics/matrix.{suffix}", summary="The product × market matrix of /analytics "
            "as CSV or Excel, headers in the asked language",
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
def analytics_matrix(svc: ServiceDep, lang: Lang, suffix: Literal["csv", "xlsx"]) -> Response:
    from graph.answers import matrix
    from graph.answers.analytics import stats

    table = matrix.table(svc.store, lang, stats(svc.store, lang))
    name = f"agrikg-matrix-{lang}.{suffix}"
    if suffix == "csv":
        return Response(matrix.as_csv(table), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(matrix.as_xlsx(table, lang), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
