"""What every route needs: the served graph, the answer language, HTML templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, Header, Query, Request
from fastapi.templating import Jinja2Templates

from graph.service import Service
from graph.sparql import parse_accept

LANGS = ("kk", "ru", "en")
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


async def service(request: Request) -> Service:
    """The served graph, switched to a new build when one has been made."""
    svc: Service = request.app.state.service
    await svc.refresh()
    return svc


async def language(
    lang: Annotated[Literal["kk", "ru", "en"] | None, Query(
        description="Answer language; falls back to Accept-Language, then en.")] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    """The answer language (async: a sync dependency costs a thread-pool hop per request)."""
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


ServiceDep = Annotated[Service, Depends(service)]
Lang = Annotated[str, Depends(language)]


def wants_html(request: Request) -> bool:
    """A browser asking for a page: text/html is the first type its Accept header prefers."""
    for media, q in parse_accept(request.headers.get("accept", "")):
        if q > 0:
            return media in ("text/html", "application/xhtml+xml")
    return False
