"""/explore as a page a person works with: the filter form (its lists and current values), the
language links that keep the filters, and a filter that names nothing turned into a message
with clickable suggestions. The graph itself is drawn by graph.answers.views."""

from __future__ import annotations

import inspect
from typing import Any
from urllib.parse import urlencode

from graph.answers.check import status_label
from graph.answers.listings import list_markets, search_products
from graph.answers.messages import EXPLORE, LANGUAGE_NAMES
from graph.errors import ResolveError
from graph.store.backends import Store

FILTERS = ("market", "product", "status", "as_of")


def _href(values: dict[str, str | None], **changes: str | None) -> str:
    merged = {k: v for k, v in ({**values, **changes}).items() if v}
    return "/explore?" + urlencode(merged)


def form(store: Store, lang: str, values: dict[str, str | None]) -> dict[str, Any]:
    """What the filter form shows: the typed values, the markets and products to pick from,
    the statuses in words, links to the same view in each language and without each filter."""
    from graph.answers.statuses import access_roles
    from graph.answers.views import ROLE_COLOURS

    values = {k: values.get(k) for k in FILTERS} | {"lang": lang}
    markets = list_markets(store, lang)
    return {
        "action": "/explore",
        **{k: values.get(k) or "" for k in FILTERS},
        "markets": [m["label"] for m in sorted(markets, key=lambda m: (-m["records"], m["label"]))],
        "products": [p["label"] for p in search_products(store, None, lang, 500)],
        "statuses": [(role, ROLE_COLOURS[role], status_label(store, code, lang), code)
                     for code, role in access_roles(store).items()],
        "switch": {code: _href(values, lang=code) for code in LANGUAGE_NAMES},
        "clear_href": _href({"lang": lang}),
        "without": {k: _href(values, **{k: None}) for k in FILTERS},
    }


def not_found(exc: ResolveError, lang: str, values: dict[str, str | None]) -> dict[str, Any]:
    """A filter that names no market, product or status: the message in the page language
    and each closest match as a link to the view with it."""
    key = {"market": "not_found_market", "status": "not_found_status"}.get(exc.kind,
                                                                           "not_found_product")
    values = {k: values.get(k) for k in FILTERS} | {"lang": lang}
    field = exc.kind if exc.kind in FILTERS else "product"
    links = []
    for match in exc.matches:
        value = match.get("code") or match.get("id") or match.get("label")
        links.append((match.get("label") or value, _href(values, **{field: value})))
    return {"text": EXPLORE[key][lang].format(text=exc.text), "suggestions": links}


def passes(function: Any, **optional: Any) -> dict[str, Any]:
    """The optional arguments `function` accepts (e.g. `as_of`, once the views take a date)."""
    accepted = inspect.signature(function).parameters
    return {k: v for k, v in optional.items() if k in accepted and v}
