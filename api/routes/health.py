"""/health: is the store reachable, how big is the graph, when was it built. In constant time:
the size and date come from the served build's build.json (written by the build), and the
store is asked one ASK-like probe (any triple), never a whole-graph count."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServiceDep
from graph.errors import StoreError
from graph.store.named_queries import select

router = APIRouter(tags=["Health"])


@router.get("/health", responses={503: {"description": "The store does not answer."}})
async def health(svc: ServiceDep) -> Any:
    """For a remote endpoint, `triples` and `built_at` are those of the local build it was
    loaded from when there is one (null otherwise): counting a remote graph is not cheap."""
    started = time.monotonic()
    try:
        holds_any = bool(await asyncio.to_thread(select, svc.store, "any_triple"))
    except StoreError as exc:
        return JSONResponse({"status": "unavailable", "backend": svc.backend,
                             "detail": str(exc)}, status_code=503)
    info = svc.info()
    return {"status": "ok", "backend": svc.backend,
            "endpoint": svc.settings.endpoint,
            "triples": info.get("triples"),
            "empty": not holds_any,
            "built_at": info.get("built_at"),
            # The build's id (its directory's name), never where it lives on disk.
            "build": Path(info["path"]).name if info.get("path") else None,
            "store_ms": round((time.monotonic() - started) * 1000, 2),
            "query_workers": _confinement(svc)}


def _confinement(svc: Any) -> dict | None:
    """How the embedded engine's query workers are confined (SECURITY.md, "embedded engine");
    None for a remote endpoint, where the query guard is the only layer."""
    confinement = getattr(svc.engine, "confinement", None)
    if confinement is None:
        return None
    return {"isolated": confinement.isolated,
            "network": confinement.network or f"not isolated: {confinement.reason}",
            "not_held": confinement.reason or None,
            "memory_mb": confinement.memory_mb or None}
