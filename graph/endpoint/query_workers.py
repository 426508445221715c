"""Run user SPARQL queries with a time limit that really stops them, off the event loop.

pyoxigraph has no query timeout, so queries on the embedded store run in a small pool of
worker processes, each holding the store open read-only, at a lower CPU priority than the API.
A query past its time limit gets its worker killed; a standby worker takes its place at once
and a new standby is started, so the other queries go on being answered. Against a remote
endpoint the query is forwarded and the answer is read whole and parsed before anything is sent on, so a
body the backend cut short is reported, never passed on.

Each worker is confined before it opens the store (graph/endpoint/sandbox.py): a network namespace of
its own and a seccomp filter against IP sockets, so even a SERVICE the guard missed cannot open
a connection, and a memory limit, so a query that would take gigabytes aborts its worker
(replaced like one past its time limit).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.endpoint.result_writers import Unwritable, Written, write_result
from graph.endpoint.sandbox import Confinement
from graph.store.remote import Target, normalised_json, row_cap

# httpx (and the rich and pygments its command line pulls in) is imported by the remote engine
# only, so query workers do not carry it.
if TYPE_CHECKING:
    import httpx

log = logging.getLogger("agrikg.engine")
# Query workers run at a lower priority than the API process, so a query that runs until it is
# stopped (and the start of a worker to replace it) takes CPU from nothing else the API does.
WORKER_NICENESS = 10
# A worker whose Python code ran out of memory exits with this code (Rust aborts: SIGABRT).
OUT_OF_MEMORY_EXIT = 86
_warned_unconfined = False


@dataclass(frozen=True)
class QueryJob:
    text: str
    fmt: str
    cap: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    # The query names its own dataset (FROM / FROM NAMED): a remote endpoint is then not sent
    # its configured default graph, which would override them.
    own_dataset: bool = False


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


class QueryOutOfMemory(QueryFailed):
    def __init__(self, megabytes: int):
        super().__init__(f"the query needed more memory than a query may use ({megabytes} MB) "
                         "and was stopped; narrow it (LIMIT, fewer or shorter computed values) "
                         "or ask the operator to raise AGRIKG_QUERY_MEMORY", 503)


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
    except Unwritable as exc:
        raise QueryFailed(str(exc), 406) from exc
    except ValueError as exc:
        raise QueryFailed(f"the query cannot be answered: {exc}", 400) from exc
    except OSError as exc:
        # Only SERVICE makes the engine do I/O beyond its store: the guard refuses it first, and
        # a worker's network namespace and seccomp filter stop what the guard let through.
        raise QueryFailed("the query tried to reach the network (SERVICE), which this endpoint "
                          f"never does ({exc})", 403) from exc
    except RuntimeError as exc:  # an evaluation error: a function Oxigraph does not offer, ...
        raise QueryFailed(f"the query cannot be evaluated: {exc}", 400) from exc


def _worker_main(store_path: str, conn: Connection, confinement: Confinement | None = None,
                 required: bool = False) -> None:
    """A worker process: open the store read-only, then answer jobs until the pipe closes.
    `confinement` is what graph.endpoint.sandbox did to this process before anything else ran."""
    info = confinement.as_dict() if confinement else None
    if required and not (confinement and confinement.isolated):
        conn.send(("refused", info))
        return
    store = ox.Store.read_only(store_path)
    conn.send(("ready", info))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", execute(store, job)))
        except QueryFailed as exc:
            conn.send(("failed", (str(exc), exc.status)))
        except MemoryError:
            # Past the memory limit in Python code (Rust aborts on its own): end, so that a
            # fresh worker takes this one's place, as after a Rust abort.
            os._exit(OUT_OF_MEMORY_EXIT)
        except Exception as exc:  # an engine fault must not kill the worker silently
            conn.send(("failed", (f"the engine failed: {exc}", 503)))


# The worker confines itself first, before it imports pyoxigraph (unshare(CLONE_NEWUSER) needs a
# process with one thread) and long before it reads any query.
_WORKER = ("import sys; sys.path.insert(0, sys.argv[3]); "
           "from graph.endpoint.sandbox import confine; c = confine(int(sys.argv[4])); "
           "from graph.endpoint.query_workers import worker_entry; worker_entry(c)")


def worker_entry(confinement: Confinement) -> None:
    """`python -c _WORKER STORE FD ROOT MEMORY_MB POLICY`: a worker started as a plain process
    that imports only what a query needs (a multiprocessing spawn would first import the
    parent's whole command line program, half a second of CPU), so a replacement is quick."""
    _worker_main(sys.argv[1], Connection(int(sys.argv[2])), confinement,
                 required=sys.argv[5] == "required")


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen
    conn: Connection
    # The pipe is closed by whoever is last: a thread still reading it (a query given up on)
    # closes it when its read ends, so its descriptor number is never reused (by a new
    # worker's pipe, a client's socket) while that thread could still read from it.
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _reading: bool = False
    _closing: bool = False

    def reap(self, timeout: float) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)

    def read(self) -> tuple:
        """The next message (in a thread; Connection itself refuses use after close, but not a
        close during a read already under way)."""
        with self._guard:
            if self._closing:
                raise OSError("the worker's pipe is closed")
            self._reading = True
        try:
            return self.conn.recv()
        finally:
            with self._guard:
                self._reading = False
                if self._closing:
                    self.conn.close()

    def close(self) -> None:
        with self._guard:
            self._closing = True
            if not self._reading:
                self.conn.close()


@dataclass
class WorkerPool:
    """A fixed number of query worker processes over one store directory, and a standby
    worker that takes the place of one killed (or crashed) at once: starting a process takes a
    while, and a query past its limit must not leave the other queries short of workers."""

    store_path: Path
    size: int = 2
    spares: int = 1
    memory_mb: int = 0  # 0: no limit
    sandbox: str = "preferred"  # or "required": no worker that could reach the network
    # Lazy: `start` only proves that a worker starts (opens the store, confined as required)
    # and reports its confinement; the workers themselves start on the first query, so a
    # server nobody sends SPARQL to holds no copy of the store's caches in other processes.
    lazy: bool = False
    # A lazy pool's workers (and standby) stop after this many seconds without a query, and so
    # free their copies of the store's caches; the next query starts them again. 0: never.
    idle_seconds: float = 0.0
    # What the last worker started reported of its confinement (graph.endpoint.sandbox.Confinement).
    confinement: Confinement | None = field(default=None, init=False)
    _idle: asyncio.Queue = field(default=None, init=False)  # type: ignore[assignment]
    _all: set = field(default_factory=set, init=False)
    _standby: list = field(default_factory=list, init=False)
    _serving: int = field(default=0, init=False)
    _refill: asyncio.Task | None = field(default=None, init=False)
    _closed: bool = field(default=False, init=False)
    _started: bool = field(default=False, init=False)
    _starting: asyncio.Lock | None = field(default=None, init=False)
    _in_flight: int = field(default=0, init=False)
    _last_query: float = field(default=0.0, init=False)
    _idler: asyncio.Task | None = field(default=None, init=False)

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        self._starting = asyncio.Lock()
        if self.lazy:
            self._kill(await self._spawn())  # raises as a pool that cannot start would
            return
        await self._start_workers()

    async def _start_workers(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)),
                                       return_exceptions=True)
        failed = [w for w in workers if isinstance(w, BaseException)]
        if failed:  # none of them is kept: a pool that cannot start is not served
            for worker in workers:
                if isinstance(worker, _Worker):
                    self._kill(worker)
            raise failed[0]
        for worker in workers:
            self._idle.put_nowait(worker)
        self._serving = self.size
        self._started = True
        self._last_query = time.monotonic()
        self._refill_soon()
        if self.lazy and self.idle_seconds > 0:
            self._idler = asyncio.get_running_loop().create_task(self._stop_when_idle())

    async def _stop_when_idle(self) -> None:
        """Stop every worker once no query has come for `idle_seconds`: a server whose
        analysts have gone home holds no copy of the store beside its own."""
        while not self._closed:
            if self._in_flight:  # the quiet time starts again when the query ends
                await asyncio.sleep(self.idle_seconds)
                continue
            quiet = time.monotonic() - self._last_query
            if quiet >= self.idle_seconds:
                self._stop_workers()
                return
            await asyncio.sleep(self.idle_seconds - quiet)

    def _stop_workers(self) -> None:
        """Kill the workers and the standby (without waiting on the event loop); the next query
        starts them again, as the first one did. Nothing here awaits, so no query can take a
        worker halfway through."""
        if self._refill is not None:
            self._refill.cancel()  # a worker it is starting is killed by the task itself
        while not self._idle.empty():
            self._idle.get_nowait()
        self._standby.clear()
        for worker in list(self._all):
            self._kill(worker, wait=False)
        self._serving = 0
        self._started = False
        log.info("SPARQL workers stopped after %g s without a query; the next query starts "
                 "them again", self.idle_seconds)

    async def _ensure_started(self) -> None:
        """The workers of a lazy pool, started by the first query (the others wait for them)."""
        if self._started:
            return
        assert self._starting is not None, "WorkerPool.start was not called"
        async with self._starting:
            if self._started or self._closed:
                return
            try:
                await self._start_workers()
            except QueryFailed:
                raise
            except Exception as exc:
                log.error("cannot start the SPARQL workers: %s", exc)
                raise QueryFailed(f"the SPARQL workers could not be started ({exc}); try "
                                  "again shortly", 503) from exc

    async def _spawn(self) -> _Worker:
        parent, child = multiprocessing.Pipe()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(self.store_path), str(child.fileno()),
                 str(Path(__file__).resolve().parents[2]), str(self.memory_mb), self.sandbox],
                pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, process.pid,
                           min(os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS, 19))
        worker = _Worker(process, parent)
        self._all.add(worker)
        try:
            status, info = await self._receive(worker, timeout=60)
        except QueryOutOfMemory as exc:
            self._kill(worker)
            raise RuntimeError(f"a SPARQL worker ran out of memory opening the store: "
                               f"AGRIKG_QUERY_MEMORY={self.memory_mb} MB is too little for it; "
                               "raise it (0: no limit)") from exc
        except BaseException:
            self._kill(worker)
            raise
        self._note(Confinement(**info) if info else None)
        if status == "refused":
            self._kill(worker)
            raise RuntimeError("a SPARQL worker cannot be kept off the network here "
                               f"({info['reason'] if info else 'unknown'}), and "
                               "AGRIKG_QUERY_SANDBOX=required")
        if status != "ready":
            self._kill(worker)
            raise RuntimeError("a SPARQL worker failed to open the store")
        return worker

    def _note(self, confinement: Confinement | None) -> None:
        """Keep what the worker reported; say once per process when workers run unconfined."""
        global _warned_unconfined
        self.confinement = confinement
        if confinement is not None and not confinement.isolated and not _warned_unconfined:
            _warned_unconfined = True
            log.warning("SPARQL workers run WITHOUT a network sandbox: %s. The query guard "
                        "still refuses SERVICE, but nothing behind it stops the engine from "
                        "connecting out (see SECURITY.md; AGRIKG_QUERY_SANDBOX=required refuses "
                        "to serve like this)", confinement.reason)

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
            return await asyncio.to_thread(worker.read)
        except (EOFError, OSError) as exc:
            worker.reap(timeout=1)
            code = worker.process.returncode
            if self.memory_mb and code in (-signal.SIGABRT, OUT_OF_MEMORY_EXIT):
                log.warning("SPARQL worker %s hit the memory limit of %d MB and was replaced",
                            worker.process.pid, self.memory_mb)
                raise QueryOutOfMemory(self.memory_mb) from exc
            log.error("SPARQL worker %s stopped (exit code %s)", worker.process.pid, code)
            raise QueryFailed("a SPARQL worker stopped unexpectedly; the query was not "
                              "answered", 503) from exc

    def _kill(self, worker: _Worker, wait: bool = True) -> None:
        """Kill a worker. Its end (the kernel freeing a large query's memory can take tens of
        milliseconds) is waited for here, or, with wait=False, off the event loop."""
        self._all.discard(worker)
        with contextlib.suppress(Exception):
            worker.process.kill()
            worker.close()
        if wait:
            worker.reap(timeout=5)
        else:
            asyncio.get_running_loop().run_in_executor(None, worker.reap, 5)

    async def run(self, job: QueryJob, timeout: float) -> Written:
        self._in_flight += 1
        try:
            return await self._run(job, timeout)
        finally:
            self._in_flight -= 1
            self._last_query = time.monotonic()

    async def _run(self, job: QueryJob, timeout: float) -> Written:
        await self._ensure_started()
        deadline = time.monotonic() + timeout
        if self._serving < self.size:
            self._refill_soon()
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise QueryTimeout(timeout) from None
        # A worker goes back to the pool only with its answer read; on anything else (time
        # limit, crash, cancellation) it may still be working or sending, so it is replaced.
        healthy = False
        try:
            try:
                worker.conn.send(job)
            except OSError as exc:
                raise QueryFailed("a SPARQL worker stopped unexpectedly; the query was not "
                                  "answered", 503) from exc
            status, payload = await self._receive(worker, max(deadline - time.monotonic(), 0.001))
            healthy = True
        except TimeoutError:
            raise QueryTimeout(timeout) from None
        finally:
            if healthy:
                self._idle.put_nowait(worker)
            else:
                self._retire(worker)
        if status == "ok":
            return payload
        message, code = payload
        raise QueryFailed(message, code)

    def _retire(self, worker: _Worker) -> None:
        """Kill a worker; a standby takes its place now, and a new standby is started."""
        self._kill(worker, wait=False)
        self._serving -= 1
        if self._standby and not self._closed:
            self._idle.put_nowait(self._standby.pop())
            self._serving += 1
        self._refill_soon()

    def _refill_soon(self) -> None:
        if not self._closed and (self._refill is None or self._refill.done()):
            self._refill = asyncio.get_running_loop().create_task(self._fill())

    async def _fill(self) -> None:
        """Start workers, one at a time, until the pool and its standby are complete."""
        failures = 0
        while not self._closed and (self._serving < self.size or len(self._standby) < self.spares):
            try:
                worker = await self._spawn()
            except Exception as exc:  # the next query (or kill) tries again
                failures += 1
                log.error("cannot start a SPARQL worker: %s", exc)
                if failures >= 3:
                    return
                await asyncio.sleep(0.5 * failures)
                continue
            if self._closed:
                self._kill(worker)
            elif self._serving < self.size:
                self._idle.put_nowait(worker)
                self._serving += 1
            else:
                self._standby.append(worker)

    async def close(self) -> None:
        self._closed = True
        if self._idler is not None:
            self._idler.cancel()
        if self._refill is not None:
            self._refill.cancel()
            # A worker being started is killed by the cancelled task itself, not under it.
            await asyncio.wait([self._refill])
        self._standby.clear()
        for worker in list(self._all):
            self._kill(worker)


@dataclass
class RemoteEngine:
    """Forward queries to a remote SPARQL 1.1 endpoint; re-serialise what comes back. Every
    request asks the configured dataset (graph.store.remote.Target), as the named queries do."""

    url: str
    client: httpx.AsyncClient = field(default=None)  # type: ignore[assignment]
    graph: str | None = None
    target: Target = field(init=False)

    def __post_init__(self) -> None:
        import httpx

        self.target = Target.parse(self.url, self.graph)
        if self.client is None:
            self.client = httpx.AsyncClient(trust_env=False)

    async def run(self, job: QueryJob, timeout: float) -> Written:
        import httpx

        graph_result = job.fmt in ("turtle", "ntriples", "jsonld", "rdfxml")
        accept = "application/n-triples" if graph_result else "application/sparql-results+json"
        data = {"query": job.text}
        params = self.target.request_params(job.default_graphs, job.named_graphs,
                                            job.own_dataset)
        try:
            response = await self.client.post(self.target.url, data=data, params=params,
                                               headers={"Accept": accept}, timeout=timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise QueryFailed(f"the SPARQL backend is unreachable ({type(exc).__name__}); "
                              "try again shortly", 503) from exc
        except httpx.TimeoutException:
            raise QueryTimeout(timeout) from None
        except httpx.HTTPError as exc:
            raise QueryFailed(f"the SPARQL backend broke off its answer, so the result was "
                              f"incomplete ({type(exc).__name__}); not passed on, try again "
                              "shortly", 503) from exc
        if response.status_code == 400:
            raise QueryFailed(f"the query does not parse (backend): {response.text[:500]}", 400)
        if response.status_code != 200:
            first = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
            if "estimated execution time" in first:  # Virtuoso refuses before running it
                raise QueryFailed("the SPARQL backend refused the query: its estimate of the "
                                  f"time it takes is past the backend's time limit ({first}); "
                                  "narrow it (LIMIT, more specific patterns)", 503)
            # Its own words (first line): an engine that cannot run a valid query says why,
            # e.g. Virtuoso's "transitive start not given" for a path bound at neither end.
            raise QueryFailed(f"the SPARQL backend answered {response.status_code}"
                              + (f": {first}" if first else ""), 503)
        # The backend's own row cap (Virtuoso: ResultSetMaxRows) cut the result: passed on as
        # cut, never as complete (the same header and marks as agrikg's own row cap).
        backend_cut = row_cap(response.headers) is not None
        try:
            if graph_result:
                triples = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
                written = write_result(_Triples(triples), job.fmt, job.cap)
            else:
                parsed = ox.parse_query_results(normalised_json(response.content),
                                                format=ox.QueryResultsFormat.JSON)
                written = write_result(parsed, job.fmt, job.cap)
        except Unwritable as exc:
            raise QueryFailed(str(exc), 406) from exc
        except (SyntaxError, ValueError) as exc:
            raise QueryFailed("the SPARQL backend sent an incomplete or invalid result "
                              f"({len(response.content)} bytes); not passed on", 503) from exc
        if backend_cut and not written.truncated:
            written = dataclasses.replace(written, truncated=True)
        return written

    async def close(self) -> None:
        await self.client.aclose()


class _Triples(list):
    """Parsed triples, materialised so a parse error surfaces before anything is written."""

    def __init__(self, quads) -> None:
        super().__init__(q.triple if hasattr(q, "triple") else q for q in quads)
