"""The agrikg HTTP API: SPARQL 1.1 endpoint, market-access JSON, linked data, health."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from api import docs_pages
from api.deps import (
    BUILD_HEADER,
    LANGS,
    VARY,
    PinBuild,
    header_bytes,
    pick_language,
    request_language,
    templates,
    wants_html,
)
from api.models import COMMON_RESPONSES
from api.routes import changes, explore, health, linked_data, market_access, sparql
from graph import PACKAGE_DIR, PROJECT_DIR
from graph.answers.messages import ERRORS, words
from graph.endpoint.served_build import Service
from graph.errors import BadDate, ResolveError, StoreError
from graph.settings import Settings

log = logging.getLogger("agrikg.api")


class AgrikgAPI(FastAPI):
    """The app: FastAPI, except that a GET /access asked before in the served build is sent its
    kept response before FastAPI's own layers (error handling, telemetry, the body limit) and
    the middlewares see it. Those layers cost more than the rest of such a request: 88-121
    against 63-69 microseconds of server CPU per request under wrk on the 10^6 store."""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and scope["path"] == "/access" and scope["method"] == "GET"
                and (svc := getattr(self.state, "service", None)) is not None
                and await market_access.replay(svc, scope, send)):
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Service(settings)
        await service.start()
        app.state.service = service
        yield
        await service.close()

    # FastAPIOffline serves Swagger UI from the installed package, not a CDN; ReDoc is ours
    # (api.docs_pages: its script as the package ships it fetches a logo from a CDN).
    app = FastAPIOffline(
        redoc_url=None,
        title="agrikg",
        version="0.1.0",
        summary="Agricultural market access as a knowledge graph: may this product go to that "
                "market, under what veterinary status, and who said so?",
        description="Statuses: open, requirements-agreed, requirements-planned, "
                    "restriction-lifted, restricted; `unknown` when the graph holds no record "
                    "(never a prohibition). Every answer carries its source with the Kazakh "
                    "quote. All JSON routes take `lang=kk|ru|en` (else Accept-Language, else en).",
        lifespan=lifespan,
    )
    app.__class__ = AgrikgAPI  # FastAPIOffline makes a FastAPI; this adds only its __call__
    app.add_middleware(NegotiatedVary)
    app.add_middleware(NoPathsInErrors, settings=settings)
    app.add_middleware(HeaderLimit, limit=settings.max_header_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False,
                       allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"],
                       expose_headers=[sparql.TRUNCATED, sparql.ROW_CAP, BUILD_HEADER])
    # Bodies are compressed after every middleware that reads or changes them has seen them
    # (the graph page is ~1 MB, mostly vis-network, and shrinks to about a quarter).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    # The response to a GET /access is kept for AgrikgAPI to send when it is asked again.
    app.add_middleware(market_access.AccessReplay)
    app.add_middleware(PinBuild)  # outermost: every answer, a replayed one too, is a build's
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")),
              name="static")
    # The status palette lives with the graph view that draws in it too (graph/static).
    app.mount("/assets", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="assets")
    for module in (explore, market_access, changes, sparql, health, linked_data):
        _answer_head(module.router)
        app.include_router(module.router, responses=COMMON_RESPONSES)
    app.include_router(docs_pages.router)
    _answer_head(app.router)

    @app.exception_handler(ResolveError)
    async def not_found(request: Request, exc: ResolveError) -> JSONResponse:
        lang = request_language(request)
        return JSONResponse({"detail": exc.message(lang), "kind": exc.kind, "query": exc.text,
                             "ambiguous": exc.ambiguous, "closest_matches": exc.suggestions,
                             "matches": exc.matches, "hint": exc.hint_text(lang)},
                            status_code=404)

    @app.exception_handler(BadDate)
    async def bad_date(request: Request, exc: BadDate) -> JSONResponse:
        asked = request.query_params.get("lang")
        lang = pick_language(asked if asked in LANGS else None,
                             request.headers.get("accept-language"))
        return JSONResponse({"detail": exc.message(lang), "parameter": "as_of",
                             "query": exc.text}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_language(request)
        problems = [parameter_problem(error, lang) for error in exc.errors()]
        return JSONResponse({"detail": "; ".join(problems), "errors": [
            {"parameter": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": problem,
             "type": e.get("type")} for e, problem in zip(exc.errors(), problems, strict=True)]},
            status_code=422)

    @app.exception_handler(StoreError)
    async def store_down(request: Request, exc: StoreError) -> JSONResponse:
        text = ERRORS["store_down"][request_language(request)].format(detail=exc)
        return JSONResponse({"detail": text}, status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail
        headers = getattr(exc, "headers", None)
        no_route = exc.status_code == 404 and detail == "Not Found"  # no route matched
        if no_route:
            detail = ERRORS["no_page"][request_language(request)]
        page = error_page(request, exc.status_code, str(detail),
                          no_route or _first_segment(request) in linked_data.KINDS)
        if page is not None:
            return page
        if exc.status_code == 405:
            allowed = _allowed_methods(request.app, request.url.path)
            headers = {"Allow": ", ".join(allowed)}
            detail = ERRORS["method_not_allowed"][request_language(request)].format(
                method=request.method, path=request.url.path, allowed=", ".join(allowed))
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(ClientDisconnect)
    async def client_gone(_: Request, exc: ClientDisconnect) -> Response:
        """The client left (or was cut off for sending its body too slowly): no one to
        answer, nothing to log."""
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": ERRORS["internal"][request_language(request)]},
                            status_code=500)

    return app


def _first_segment(request: Request) -> str:
    return request.url.path.lstrip("/").split("/", 1)[0]


def error_page(request: Request, status: int, text: str, for_people: bool) -> Response | None:
    """An error as a page in the user's language, for a browser asking for a page (a
    linked-data IRI, an address with no route); API clients keep their JSON."""
    if not for_people or not wants_html(request):
        return None
    lang = request_language(request)
    # An IRI quoted in the message is shown as code, not as words of the language.
    parts = [(part.startswith("<") and part.endswith(">"), part)
             for part in re.split(r"(<[^<>\s]+>)", text) if part]
    return templates.TemplateResponse(request, "error.html", {
        "lang": lang, "parts": parts, "words": words(lang, ERRORS)}, status_code=status)


# pydantic's error types, as the message catalogue (graph.answers.messages.ERRORS) names them.
_PROBLEMS = {"missing": "missing", "string_too_short": "too_short",
             "string_too_long": "too_long", "literal_error": "choice", "enum": "choice",
             "int_parsing": "number", "int_type": "number", "greater_than_equal": "at_least",
             "greater_than": "at_least", "less_than_equal": "at_most", "less_than": "at_most"}


def parameter_problem(error: dict, lang: str) -> str:
    """One parameter problem in the user's language: which parameter, what is accepted."""
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
    context = error.get("ctx") or {}
    limit = next((context[k] for k in ("min_length", "max_length", "ge", "gt", "le", "lt")
                  if k in context), "")
    expected = str(context.get("expected", "")).replace("'", "")
    key = _PROBLEMS.get(error.get("type", ""), "invalid")
    return ERRORS[key][lang].format(parameter=where or "request", limit=limit,
                                    expected=expected)


class HeaderLimit:
    """Refuse requests whose headers add up to more than `limit` bytes (431): a flood of
    headers costs memory and parsing time before any route sees the request."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            size = header_bytes(scope)
            if size > self.limit:
                response = JSONResponse(
                    {"detail": f"request headers add up to {size} bytes; the limit is "
                               f"{self.limit}"}, status_code=431)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _answer_head(router: APIRouter) -> None:
    """HEAD on every GET route, as HTTP asks (FastAPI adds it to none): a twin of each GET
    route for HEAD, left out of the OpenAPI document; the server sends its headers only."""
    routes = [r for r in router.routes if isinstance(r, APIRoute)]
    heads = {r.path for r in routes if "HEAD" in r.methods}
    for route in routes:
        if "GET" in route.methods and route.path not in heads:
            router.add_api_route(
                route.path, route.endpoint, methods=["HEAD"], name=f"{route.name}_head",
                include_in_schema=False, response_class=route.response_class,
                response_model=route.response_model, status_code=route.status_code,
                dependencies=route.dependencies, responses=route.responses)


class NegotiatedVary:
    """Adds `Vary` naming the request headers a route chose its answer by (Accept-Language
    for the answer language, Accept for the format), as the routes record them in the request
    state (api.deps), so that caches keep one answer per language and format."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_vary(message):
            names = scope.get("state", {}).get(VARY)
            if names and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                present = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
                known = {v.lower() for v in present}
                headers["vary"] = ", ".join(
                    present + [n for n in sorted(names) if n.lower() not in known])
            await send(message)

        await self.app(scope, receive, send_with_vary)


class NoPathsInErrors:
    """Error answers never show where the server keeps its files: the home, data, ontology,
    project and Python directories in a 4xx/5xx body (or in /health, which reports the store's
    and the workers' troubles) are replaced by their names. A net under every message (a
    store's or an engine's error, a worker's probe output, can quote a path)."""

    MAX_BODY = 2**20

    def __init__(self, app, settings: Settings):
        self.app = app
        roots = {}
        for path, name in ((settings.home, "$AGRIKG_HOME"), (settings.data_dir, "$AGRIKG_DATA_DIR"),
                           (settings.ontology_dir, "$AGRIKG_ONTOLOGY_DIR"),
                           (PROJECT_DIR, "<agrikg>"), (Path(sys.prefix), "<python>"),
                           (Path(sys.base_prefix), "<python>")):
            for form in {str(path), str(Path(path).resolve())}:
                if len(form) > 1:
                    roots[form.encode()] = name.encode()
        # Longest first, so that a home inside the project is named as the home.
        self.roots = sorted(roots.items(), key=lambda item: -len(item[0]))

    def scrub(self, body: bytes) -> bytes:
        for root, name in self.roots:
            body = body.replace(root, name)
        return body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []

        async def send_scrubbed(message):
            nonlocal start
            if message["type"] == "http.response.start" and (
                    message["status"] >= 400 or scope["path"] == "/health"):
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
            body = b"".join(chunks)
            if more and len(body) <= self.MAX_BODY:
                return
            if not more:  # whole: scrubbed (a very large one goes on as it comes)
                body = self.scrub(body)
                headers = MutableHeaders(scope=start)
                if "content-length" in headers:
                    headers["content-length"] = str(len(body))
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": more})
            start = None

        await self.app(scope, receive, send_scrubbed)


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for the path template matching `path`."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+(?:/.*)?", re.escape(template))
        if re.fullmatch(pattern, path):
            methods |= {m.upper() for m in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods) or ["GET", "HEAD"]


def app_from_env() -> FastAPI:
    """For uvicorn's factory mode and worker processes: settings from the environment."""
    return create_app(Settings())
