"""The ceilings for any Python API on this machine, served by the benchmark exactly as `agrikg
serve` serves the real app (uvicorn, uvloop, httptools, same workers, no access log):

- `app`: a trivial FastAPI JSON endpoint (what a FastAPI route costs at the least);
- `raw`: a raw ASGI hello-world, no framework at all (the stack's own limit: uvicorn,
  httptools and the event loop)."""

from typing import Any

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}


_BODY = b'{"ok":true}'
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"11")]


async def raw(scope: dict, receive: Any, send: Any) -> None:
    """The same answer as `/ping`, to any HTTP request, straight through ASGI."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})
