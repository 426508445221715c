"""The ceiling for any Python API on this machine: a trivial FastAPI JSON endpoint, served by
the benchmark exactly as `agrikg serve` serves the real app (uvicorn, uvloop, httptools, same
workers, no access log)."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}
