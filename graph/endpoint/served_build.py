"""The served graph: the store for named queries, the engine for user SPARQL, the build it
comes from. A rebuild (the `current` link moving) is noticed by a request within a second:
the new build is opened, checked (build.json, the store, an ASK, a query worker started as a
probe) and warmed (the per-build indexes a first answer reads, graph.answers.warm) in the
background while the old one goes on answering, and a build that fails the check is never
served. Every
request pins the build it started on (`Service.acquire`) and is answered wholly from it; a
build replaced by a newer one is closed when its last request is done, and is kept from
being pruned (graph.store.pins) until then. A remote endpoint that is down does not stop the API
from starting: requests are answered 503 until it is back, and the named graphs it holds are
fetched once it answers. What a first answer reads is read from it then too, as a build is
warmed (before the API answers when the endpoint is up at start, else in the background)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.answers.warm import warm
from graph.endpoint.query_workers import QueryFailed, QueryJob, RemoteEngine, WorkerPool
from graph.endpoint.result_writers import Written
from graph.errors import BuildError, StoreError
from graph.settings import Settings
from graph.store.backends import LRU, EmbeddedStore, RemoteStore, Store, lru
from graph.store.builds import INFO_FILE, build_info, current_build, with_extras
from graph.store.named_queries import select
from graph.store.pins import BuildGone, BuildPin

log = logging.getLogger("agrikg.service")
RETRY_SECONDS = 1.0
# A build refused (corrupt, unreadable) is looked at again only after this long, so a broken
# `current` costs one check and one log line every so often, not one per second.
REFUSED_RETRY_SECONDS = 30.0
# Only answers up to this size are kept: a large answer costs little beside its own query.
ANSWER_MAX_BYTES = 2**20


class GraphsNotKnown(set):
    """The named graphs of a remote endpoint that has not answered yet. Asking whether a graph
    is among them is answered 503 (try again), never a wrong "not in this store"."""

    def __contains__(self, graph: object) -> bool:
        raise QueryFailed("the SPARQL backend has not answered yet, so the graphs it holds are "
                          "not known; try again shortly", 503)


@dataclass(eq=False)
class Served:
    """One build as served (or the remote endpoint): its store, its query engine, what its
    build.json says. What a route gets: everything it reads comes from this one build."""

    settings: Settings
    store: Store
    engine: WorkerPool | RemoteEngine
    build_path: str | None = None
    details: dict = field(default_factory=dict)
    named_graphs: set[str] = field(default_factory=set)
    pin: BuildPin | None = None
    users: int = 0
    retired: bool = False

    @property
    def backend(self) -> str:
        return "remote" if self.settings.endpoint else "embedded"

    @property
    def build(self) -> str | None:
        """The build's name (its directory's), sent with every answer as Agrikg-Build."""
        return Path(self.build_path).name if self.build_path else None

    def answers(self) -> LRU | None:
        """Answers (bytes) kept for questions asked again, bounded by AGRIKG_ANSWER_CACHE
        megabytes, or None when it is off. They live with the store, so serving a new build
        (or a new store) starts with none: nothing of an old build is served after a rebuild."""
        if not self.settings.answer_cache:
            return None
        return lru(self.store, "answer_bytes", max_items=1_000_000,
                   max_cost=self.settings.answer_cache * 2**20)

    def keep(self, answers: LRU | None, key: tuple, body: bytes, value: object = None) -> None:
        """Keep an answer unless the cache is off or the answer is large."""
        if answers is not None and len(body) <= ANSWER_MAX_BYTES:
            answers.put(key, body if value is None else value, len(body))

    async def query(self, job: QueryJob) -> Written:
        return await self.engine.run(job, self.settings.query_timeout)

    def info(self) -> dict[str, Any]:
        """The build.json of this build (read when it was opened), with its path. For a remote
        endpoint, that of the local build, if any (what the endpoint was loaded from)."""
        if self.build_path is None:
            try:
                return build_info(self.settings) or {}
            except (OSError, ValueError):
                return {}
        return self.details | {"path": self.build_path}

    async def close(self) -> None:
        """Stop its query workers. The build stays pinned until the store itself is gone (a
        thread of a request given up on may still be reading it)."""
        await self.engine.close()
        self.pin = None


def _details(path: Path) -> dict:
    """build.json, checked to describe a build; StoreError saying what is wrong otherwise."""
    try:
        details = json.loads((path / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StoreError(f"its {INFO_FILE} cannot be read: {exc}") from None
    if not (isinstance(details, dict) and isinstance(details.get("built_at"), str)
            and isinstance(details.get("triples"), int)):
        raise StoreError(f"its {INFO_FILE} does not describe a build (built_at, triples)")
    return details


@dataclass
class Service:
    """Which build is served, and the switch to a new one."""

    settings: Settings
    served: Served = field(init=False)
    _checked: float = field(default=0.0, init=False)
    _graphs_tried: float = field(default=0.0, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _switching: asyncio.Task | None = field(default=None, init=False)
    _warming: asyncio.Task | None = field(default=None, init=False)
    _refused: dict[str, float] = field(default_factory=dict, init=False)
    _closing: set[asyncio.Task] = field(default_factory=set, init=False)

    @property
    def backend(self) -> str:
        return "remote" if self.settings.endpoint else "embedded"

    # What the served build offers, for callers outside a request (tests, the CLI).
    @property
    def store(self) -> Store:
        return self.served.store

    @property
    def engine(self) -> WorkerPool | RemoteEngine:
        return self.served.engine

    @property
    def build_path(self) -> str | None:
        return self.served.build_path

    @property
    def named_graphs(self) -> set[str]:
        return self.served.named_graphs

    def answers(self) -> LRU | None:
        return self.served.answers()

    def info(self) -> dict[str, Any]:
        return self.served.info()

    async def query(self, job: QueryJob) -> Written:
        return await self.served.query(job)

    async def start(self) -> None:
        if self.settings.endpoint:
            self.served = Served(
                self.settings, RemoteStore(self.settings.endpoint, self.settings.endpoint_timeout,
                                           graph=self.settings.endpoint_graph),
                RemoteEngine(self.settings.endpoint, graph=self.settings.endpoint_graph),
                named_graphs=GraphsNotKnown())
            if await self._remote_graphs():
                await self._warm_remote()
            return
        for _ in range(10):  # the build pruned between reading `current` and pinning it
            path = current_build(self.settings)
            if path is None:
                raise StoreError(f"no graph has been built in {self.settings.home}; run "
                                 "`agrikg build` (`agrikg serve` builds it first)")
            try:
                self.served = await self._open(path)
                return
            except BuildGone:
                continue
            except (StoreError, BuildError, QueryFailed, OSError, RuntimeError) as exc:
                raise StoreError(f"cannot serve the build {path.name}: {exc}") from exc
        raise StoreError("the served build keeps changing; try again")

    async def _open(self, path: Path) -> Served:
        """Open, check and warm a build: build.json, the store (an ASK), the per-build indexes,
        a query worker (the pool's workers start on the first /sparql query). Raises
        when any of them fails; nothing is left open then."""
        pin = await asyncio.to_thread(BuildPin, path)
        details = await asyncio.to_thread(_details, path)
        store_path = await asyncio.to_thread(with_extras, path, self.settings.extra)
        store = await asyncio.to_thread(EmbeddedStore, store_path, pin)
        if not await asyncio.to_thread(select, store, "any_triple"):
            raise StoreError("its store holds no triples")
        named = await asyncio.to_thread(self._named_graphs, store)
        # What a first answer reads once per build, read now: no request pays for it.
        await self._warm(store, f"the build {path.name}")
        pool = WorkerPool(store_path, size=self.settings.sparql_workers,
                          memory_mb=self.settings.query_memory,
                          sandbox=self.settings.query_sandbox, lazy=True,
                          idle_seconds=self.settings.query_idle)
        await pool.start()
        return Served(self.settings, store, pool, str(path), details, named, pin)

    @staticmethod
    async def _warm(store: Store, source: str) -> None:
        """graph.answers.warm off the event loop, said in the log when it starts and ends: at
        10^7 triples it takes about half a minute, at start before the API answers."""
        log.info("reading the per-build tables from %s (what a first answer reads)", source)
        started = time.monotonic()
        await asyncio.to_thread(warm, store)
        log.info("read the per-build tables from %s in %.1f s", source,
                 time.monotonic() - started)

    @staticmethod
    def _named_graphs(store: Store) -> set[str]:
        # An engine may answer one solution with ?g unbound when it holds no named graph (or
        # for its default graph, as Virtuoso does): not a graph.
        return {row["g"] for row in select(store, "named_graphs") if "g" in row}

    async def _remote_graphs(self) -> bool:
        """Fetch the remote endpoint's named graphs; while it does not answer, try again on a
        later request (at most once a second). True once it has answered."""
        self._graphs_tried = time.monotonic()
        try:
            self.served.named_graphs = await asyncio.to_thread(self._named_graphs,
                                                               self.served.store)
        except StoreError as exc:
            log.warning("the SPARQL endpoint does not answer yet (%s); serving 503 until it "
                        "does", exc)
            return False
        return True

    async def _warm_remote(self) -> None:
        """Read what a first answer reads (graph.answers.warm) from the remote endpoint, as a
        build is warmed when it is switched to. Otherwise the first request of each API
        worker waits for it: about 4 s at 10^6 triples, holding up every request behind it.
        An endpoint that fails meanwhile leaves the rest to the first answers."""
        try:
            await self._warm(self.served.store, "the SPARQL endpoint")
        except StoreError as exc:
            log.warning("could not read the per-build tables from the SPARQL endpoint (%s); "
                        "the first answers will read them", exc)

    async def refresh(self) -> None:
        """Serve a new build once `current` points at it (checked at most once a second); for
        a remote endpoint, learn its named graphs once it answers. The new build is opened and
        checked in the background: no request waits for it, all go on with the old one."""
        if self.settings.endpoint:
            if (isinstance(self.served.named_graphs, GraphsNotKnown) and not self._lock.locked()
                    and time.monotonic() - self._graphs_tried >= RETRY_SECONDS):
                async with self._lock:
                    if isinstance(self.served.named_graphs, GraphsNotKnown) and \
                            await self._remote_graphs():
                        # Up at last: warmed in the background, as a new build is.
                        self._warming = asyncio.get_running_loop().create_task(
                            self._warm_remote())
            return
        if self._switching is not None or time.monotonic() - self._checked < 1.0:
            return
        self._checked = time.monotonic()
        try:
            path = current_build(self.settings)
        except (OSError, RuntimeError) as exc:  # a link that cannot be followed: keep serving
            log.error("cannot follow %s (%s); still serving %s", self.settings.current.name,
                      exc, self.served.build)
            return
        if path is None or str(path) == self.served.build_path:
            return
        if time.monotonic() - self._refused.get(str(path), -REFUSED_RETRY_SECONDS) < \
                REFUSED_RETRY_SECONDS:
            return
        self._switching = asyncio.get_running_loop().create_task(self._switch(path))

    async def _switch(self, path: Path) -> None:
        try:
            served = await self._open(path)
        except BuildGone:  # pruned already: `current` has moved on, the next check follows it
            return
        except Exception as exc:  # whatever is wrong with it, the old build goes on serving
            self._refused[str(path)] = time.monotonic()
            log.error("not switching to the build %s: %s; still serving %s", path.name,
                      str(exc).replace("\n", " "), self.served.build)
            return
        finally:
            self._switching = None
        old, self.served = self.served, served
        self._refused.pop(str(path), None)
        log.info("serving the new build %s (was %s)", served.build, old.build)
        self._retire(old)

    def acquire(self) -> Served:
        """The served build, pinned for one request: it stays open until `release`."""
        served = self.served
        served.users += 1
        return served

    def release(self, served: Served) -> None:
        served.users -= 1
        if served.retired and served.users == 0:
            self._close_soon(served)

    def _retire(self, served: Served) -> None:
        served.retired = True
        if served.users == 0:
            self._close_soon(served)

    def _close_soon(self, served: Served) -> None:
        task = asyncio.get_running_loop().create_task(served.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        if self._warming is not None:
            self._warming.cancel()
        if self._switching is not None:
            await asyncio.wait([self._switching])
        if self._closing:
            await asyncio.wait(list(self._closing))
        await self.served.close()
