"""What every route needs: the served graph, the answer language, HTML templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query, Request
from fastapi.templating import Jinja2Templates

from graph.answers.messages import chrome, date_words
from graph.endpoint.linked_data import local_path
from graph.endpoint.query_policy import parse_accept
from graph.endpoint.served_build import Served, Service

LANGS = ("kk", "ru", "en")
# Where a route records the request headers its answer was chosen by (NegotiatedVary in
# api.app turns them into a Vary header).
VARY = "agrikg.vary"


def _page_chrome(request: Request) -> dict[str, Any]:
    """What base.html needs on every page: the header's and footer's words in the page's
    language (the route's `lang` wins when it gives one), and local links by language."""
    return {"chrome": chrome(request_language(request))}


templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"),
                            context_processors=[_page_chrome])
templates.env.filters["local"] = local_path
templates.env.filters["date_words"] = date_words  # a date in words, by precision and language
templates.env.globals["chrome_words"] = chrome
# The response header naming the build that answered (its directory's name).
BUILD_HEADER = "Agrikg-Build"
SERVED = "agrikg.served"  # where a request's pinned build is kept in its ASGI scope


class PinBuild:
    """Every HTTP request is answered from one build: the one served when it arrived
    (switched to a new build first, when one has been made), pinned until the last byte of
    the response is sent, so a rebuild neither closes nor prunes it under the request. The
    response names it in the Agrikg-Build header."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        svc: Service | None = getattr(scope["app"].state, "service", None) \
            if scope["type"] == "http" else None
        if svc is None:
            await self.app(scope, receive, send)
            return
        await svc.refresh()
        served = svc.acquire()
        scope[SERVED] = served
        name = (served.build or "").encode()

        async def send_naming_the_build(message: dict) -> None:
            if message["type"] == "http.response.start" and name:
                message["headers"] = [*message.get("headers", ()),
                                      (BUILD_HEADER.lower().encode(), name)]
            await send(message)

        try:
            await self.app(scope, receive, send_naming_the_build)
        finally:
            svc.release(served)


async def service(request: Request) -> Served:
    """The build this request is answered from (pinned by PinBuild)."""
    served = request.scope.get(SERVED)
    if served is None:  # an app without the middleware: the build served now
        svc: Service = request.app.state.service
        await svc.refresh()
        served = svc.served
    return served


def header_bytes(scope: dict) -> int:
    """The size of a request's headers, names and values (what AGRIKG_MAX_HEADER_BYTES bounds)."""
    return sum(len(k) + len(v) for k, v in scope.get("headers", ()))


def varies_by(scope: dict, header: str) -> None:
    """Record that the answer to this request depends on the request header `header`."""
    scope.setdefault("state", {}).setdefault(VARY, set()).add(header)


async def language(
    request: Request,
    lang: Annotated[Literal["kk", "ru", "en"] | None, Query(
        description="Answer language; falls back to Accept-Language, then en.")] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    """The answer language (async: a sync dependency costs a thread-pool hop per request)."""
    if lang is None:
        varies_by(request.scope, "Accept-Language")
    return pick_language(lang, accept_language)


def pick_language(lang: str | None, accept_language: str | None) -> str:
    """`lang` if given (already validated), else the first of kk/ru/en Accept-Language names,
    else English."""
    if lang:
        return lang
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "en"


AsOfParam = Annotated[str | None, Query(max_length=40, description=(
    "Answer as of this date: YYYY, YYYY-MM or YYYY-MM-DD (a year or month means its last "
    "day); default today. Anything else is a 400 saying what is accepted."))]


def request_language(request: Request) -> str:
    """The language of a request whose parameters may not have been validated (an error
    answer): a valid `lang`, else Accept-Language, else English."""
    lang = request.query_params.get("lang")
    if lang not in LANGS:
        lang = None
        varies_by(request.scope, "Accept-Language")
    return pick_language(lang, request.headers.get("accept-language"))


ServiceDep = Annotated[Served, Depends(service)]
Lang = Annotated[str, Depends(language)]


def wants_html(request: Request) -> bool:
    """A browser asking for a page: text/html is the first type its Accept header prefers."""
    varies_by(request.scope, "Accept")
    for media, q in parse_accept(request.headers.get("accept", "")):
        if q > 0:
            return media in ("text/html", "application/xhtml+xml")
    return False
