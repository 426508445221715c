"""/redoc from our own server only. FastAPIOffline ships ReDoc's script, but that script shows
Redocly's logo from cdn.redoc.ly in the sidebar of every page (an <img>, fetched even when
hidden). This page serves the same script with that one address pointing at the local icon."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

STATIC = Path(fastapi_offline.__file__).parent / "static"
STATIC_URL = "/static-offline-docs"  # where FastAPIOffline serves its files (and the icon)
CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
SCRIPT_URL = "/redoc/redoc.standalone.js"


@cache
def redoc_script() -> bytes:
    """ReDoc's script with its one outside address (the logo) replaced by a local one."""
    return (STATIC / "redoc.standalone.js").read_bytes().replace(
        CDN_LOGO, f"{STATIC_URL}/favicon.png".encode())


@router.api_route("/redoc", methods=["GET", "HEAD"])
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_redoc_html(openapi_url=f"{root}{request.app.openapi_url}",
                          title=f"{request.app.title} - ReDoc", redoc_js_url=f"{root}{SCRIPT_URL}",
                          redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
                          with_google_fonts=False)


@router.api_route(SCRIPT_URL, methods=["GET", "HEAD"])
async def redoc_js() -> Response:
    return Response(redoc_script(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})
