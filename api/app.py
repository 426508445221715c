"""The agrikg HTTP API: SPARQL 1.1 endpoint, market-access JSON, linked data, health."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import BUILD_HEADER, PinBuild
from api.models import COMMON_RESPONSES
from api.routes import explore, health, linked_data, market_access, sparql
from graph.errors import ResolveError, StoreError
from graph.service import Service
from graph.settings import Settings

log = logging.getLogger("agrikg.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Service(settings)
        await service.start()
        app.state.service = service
        yield
        await service.close()

    # FastAPIOffline serves Swagger UI and ReDoc from the installed package, not a CDN.
    app = FastAPIOffline(
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
    app.add_middleware(market_access.AccessFastPath)
    app.add_middleware(PinBuild)  # outside the fast path: a cached answer is a build's too
    app.add_middleware(HeaderLimit, limit=settings.max_header_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False,
                       allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"],
                       expose_headers=[sparql.TRUNCATED, sparql.ROW_CAP, BUILD_HEADER])
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")),
              name="static")
    for module in (explore, market_access, sparql, health, linked_data):
        app.include_router(module.router, responses=COMMON_RESPONSES)

    @app.exception_handler(ResolveError)
    async def not_found(_: Request, exc: ResolveError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "kind": exc.kind, "query": exc.text,
                             "ambiguous": exc.ambiguous, "closest_matches": exc.suggestions,
                             "matches": exc.matches}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
            problems.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
        return JSONResponse({"detail": "; ".join(problems), "errors": [
            {"parameter": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg"),
             "type": e.get("type")} for e in exc.errors()]}, status_code=422)

    @app.exception_handler(StoreError)
    async def store_down(_: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": f"the graph store cannot answer: {exc}"}, status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            allowed = _allowed_methods(request.app, request.url.path)
            headers = {"Allow": ", ".join(allowed)}
            detail = (f"{request.method} is not allowed on {request.url.path}; "
                      f"use {' or '.join(allowed)}")
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)

    return app


class HeaderLimit:
    """Refuse requests whose headers add up to more than `limit` bytes (431): a flood of
    headers costs memory and parsing time before any route sees the request."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            size = sum(len(k) + len(v) for k, v in scope.get("headers", ()))
            if size > self.limit:
                response = JSONResponse(
                    {"detail": f"request headers add up to {size} bytes; the limit is "
                               f"{self.limit}"}, status_code=431)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for the path template matching `path`."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+(?:/.*)?", re.escape(template))
        if re.fullmatch(pattern, path):
            methods |= {m.upper() for m in operations}
    return sorted(methods) or ["GET"]


def app_from_env() -> FastAPI:
    """For uvicorn's factory mode and worker processes: settings from the environment."""
    return create_app(Settings())
