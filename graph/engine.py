"""Run user SPARQL queries with a time limit that really stops them, off the event loop.

pyoxigraph has no query timeout, so queries on the embedded store run in a small pool of
worker processes, each holding the store open read-only. A query past its time limit gets its
worker killed and replaced; the other workers go on answering. Against a remote endpoint the
query is forwarded and the answer is read whole and parsed before anything is sent on, so a
body the backend cut short is reported, never passed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import pyoxigraph as ox

from graph.results import Written, write_result

log = logging.getLogger("agrikg.engine")


@dataclass(frozen=True)
class QueryJob:
    text: str
    fmt: str
    cap: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class QueryFailed(Exception):
    """The engine could not run the query; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class QueryTimeout(QueryFailed):
    def __init__(self, seconds: float):
        super().__init__(f"the query ran past the time limit of {seconds:g} s and was stopped; "
                         "narrow it (LIMIT, more specific patterns) or ask the operator to "
                         "raise AGRIKG_QUERY_TIMEOUT", 503)


def _dataset(job: QueryJob) -> dict:
    kwargs: dict = {}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    return kwargs


def execute(store: ox.Store, job: QueryJob) -> Written:
    """Run one query on a pyoxigraph store and serialise it; raises QueryFailed(400) when the
    query does not parse."""
    try:
        result = store.query(job.text, **_dataset(job))
        return write_result(result, job.fmt, job.cap)
    except SyntaxError as exc:
        raise QueryFailed(f"the query does not parse: {exc}", 400) from exc
    except ValueError as exc:
        raise QueryFailed(f"the query cannot be answered: {exc}", 400) from exc


def _worker_main(store_path: str, conn: Connection) -> None:
    """A worker process: open the store read-only, then answer jobs until the pipe closes."""
    store = ox.Store.read_only(store_path)
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", execute(store, job)))
        except QueryFailed as exc:
            conn.send(("failed", (str(exc), exc.status)))
        except Exception as exc:  # an engine fault must not kill the worker silently
            conn.send(("failed", (f"the engine failed: {exc}", 500)))


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


@dataclass
class WorkerPool:
    """A fixed number of query worker processes over one store directory."""

    store_path: Path
    size: int = 2
    _idle: asyncio.Queue = field(default=None, init=False)  # type: ignore[assignment]
    _all: set = field(default_factory=set, init=False)
    _ctx: object = field(default=None, init=False)

    async def start(self) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    async def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(str(self.store_path), child),
                                    daemon=True, name="agrikg-sparql-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._all.add(worker)
        status, _ = await self._receive(worker, timeout=60)
        if status != "ready":
            raise RuntimeError("a SPARQL worker failed to open the store")
        return worker

    async def _receive(self, worker: _Worker, timeout: float) -> tuple:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, timeout)
        finally:
            loop.remove_reader(fd)
        # The event loop may have made the pipe non-blocking; a result larger than the pipe
        # buffer must then still be read whole, so read it blocking, off the loop.
        os.set_blocking(fd, True)
        try:
            return await asyncio.to_thread(worker.conn.recv)
        except (EOFError, OSError) as exc:
            worker.process.join(timeout=1)
            log.error("SPARQL worker %s stopped (exit code %s)", worker.process.pid,
                      worker.process.exitcode)
            raise QueryFailed("a SPARQL worker stopped unexpectedly; the query was not "
                              "answered", 503) from exc

    def _kill(self, worker: _Worker) -> None:
        self._all.discard(worker)
        with contextlib.suppress(Exception):
            worker.process.kill()
            worker.conn.close()
        worker.process.join(timeout=5)

    async def run(self, job: QueryJob, timeout: float) -> Written:
        deadline = time.monotonic() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise QueryTimeout(timeout) from None
        healthy = True
        try:
            worker.conn.send(job)
            status, payload = await self._receive(worker, max(deadline - time.monotonic(), 0.001))
        except TimeoutError:
            healthy = False
            raise QueryTimeout(timeout) from None
        except QueryFailed:
            healthy = False
            raise
        finally:
            if healthy:
                self._idle.put_nowait(worker)
            else:
                self._kill(worker)
                asyncio.get_running_loop().create_task(self._replace())
        if status == "ok":
            return payload
        message, code = payload
        raise QueryFailed(message, code)

    async def _replace(self) -> None:
        with contextlib.suppress(Exception):
            self._idle.put_nowait(await self._spawn())

    async def close(self) -> None:
        for worker in list(self._all):
            self._kill(worker)


@dataclass
class RemoteEngine:
    """Forward queries to a remote SPARQL 1.1 endpoint; re-serialise what comes back."""

    url: str
    client: httpx.AsyncClient = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = httpx.AsyncClient(trust_env=False)

    async def run(self, job: QueryJob, timeout: float) -> Written:
        graph_result = job.fmt in ("turtle", "ntriples", "jsonld", "rdfxml")
        accept = "application/n-triples" if graph_result else "application/sparql-results+json"
        data = {"query": job.text}
        params = [("default-graph-uri", g) for g in job.default_graphs] + [
            ("named-graph-uri", g) for g in job.named_graphs]
        try:
            response = await self.client.post(self.url, data=data, params=params,
                                               headers={"Accept": accept}, timeout=timeout)
        except httpx.TimeoutException:
            raise QueryTimeout(timeout) from None
        except httpx.HTTPError as exc:
            raise QueryFailed(f"the SPARQL backend is unreachable or broke off its answer "
                              f"({type(exc).__name__}); try again shortly", 503) from exc
        if response.status_code == 400:
            raise QueryFailed(f"the query does not parse (backend): {response.text[:500]}", 400)
        if response.status_code != 200:
            raise QueryFailed(f"the SPARQL backend answered {response.status_code}", 503)
        try:
            if graph_result:
                triples = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
                return write_result(_Triples(triples), job.fmt, job.cap)
            parsed = ox.parse_query_results(response.content,
                                            format=ox.QueryResultsFormat.JSON)
            return write_result(parsed, job.fmt, job.cap)
        except (SyntaxError, ValueError) as exc:
            raise QueryFailed("the SPARQL backend sent an incomplete or invalid result "
                              f"({len(response.content)} bytes); not passed on", 503) from exc

    async def close(self) -> None:
        await self.client.aclose()


class _Triples(list):
    """Parsed triples, materialised so a parse error surfaces before anything is written."""

    def __init__(self, quads) -> None:
        super().__init__(q.triple if hasattr(q, "triple") else q for q in quads)
