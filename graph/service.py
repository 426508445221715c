"""The served graph: the store for named queries, the engine for user SPARQL, the build it
comes from. A rebuild (the `current` link moving) is picked up on the next request, with
every cached index of the old build dropped. A remote endpoint that is down does not stop the
API from starting: requests are answered 503 until it is back, and the named graphs it holds
are fetched once it answers."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from graph.build import build, build_info, current_build, with_extras
from graph.engine import QueryFailed, QueryJob, RemoteEngine, WorkerPool
from graph.errors import StoreError
from graph.results import Written
from graph.settings import Settings
from graph.store import LRU, EmbeddedStore, RemoteStore, Store, lru

log = logging.getLogger("agrikg.service")
NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
RETRY_SECONDS = 1.0
# Only answers up to this size are kept: a large answer costs little beside its own query.
ANSWER_MAX_BYTES = 2**20


class GraphsNotKnown(set):
    """The named graphs of a remote endpoint that has not answered yet. Asking whether a graph
    is among them is answered 503 (try again), never a wrong "not in this store"."""

    def __contains__(self, graph: object) -> bool:
        raise QueryFailed("the SPARQL backend has not answered yet, so the graphs it holds are "
                          "not known; try again shortly", 503)


@dataclass
class Service:
    settings: Settings
    store: Store = field(init=False)
    engine: WorkerPool | RemoteEngine = field(init=False)
    build_path: str | None = field(default=None, init=False)
    named_graphs: set[str] = field(default_factory=set, init=False)
    _checked: float = field(default=0.0, init=False)
    _graphs_tried: float = field(default=0.0, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    @property
    def backend(self) -> str:
        return "remote" if self.settings.endpoint else "embedded"

    async def start(self) -> None:
        if self.settings.endpoint:
            self.store = RemoteStore(self.settings.endpoint, self.settings.endpoint_timeout)
            self.engine = RemoteEngine(self.settings.endpoint)
            self.named_graphs = GraphsNotKnown()
            await self._remote_graphs()
            return
        path = current_build(self.settings)
        if path is None:
            path = (await asyncio.to_thread(build, self.settings)).path
        await self._open(path)

    async def _open(self, path: os.PathLike) -> None:
        store_path = await asyncio.to_thread(with_extras, path, self.settings.extra)
        store = EmbeddedStore(store_path)
        pool = WorkerPool(store_path, size=self.settings.sparql_workers,
                          memory_mb=self.settings.query_memory,
                          sandbox=self.settings.query_sandbox)
        await pool.start()
        old = getattr(self, "engine", None)
        self.store, self.engine, self.build_path = store, pool, str(path)
        self.named_graphs = self._named_graphs()
        if old is not None:
            await old.close()

    def _named_graphs(self) -> set[str]:
        return {row["g"] for row in self.store.select(NAMED_GRAPHS)}

    async def _remote_graphs(self) -> None:
        """Fetch the remote endpoint's named graphs; while it does not answer, try again on a
        later request (at most once a second)."""
        self._graphs_tried = time.monotonic()
        try:
            self.named_graphs = await asyncio.to_thread(self._named_graphs)
        except StoreError as exc:
            log.warning("the SPARQL endpoint does not answer yet (%s); serving 503 until it "
                        "does", exc)

    async def refresh(self) -> None:
        """Serve a new build once `current` points at it (checked at most once a second); for
        a remote endpoint, learn its named graphs once it answers."""
        if self.settings.endpoint:
            if (isinstance(self.named_graphs, GraphsNotKnown) and not self._lock.locked()
                    and time.monotonic() - self._graphs_tried >= RETRY_SECONDS):
                async with self._lock:
                    if isinstance(self.named_graphs, GraphsNotKnown):
                        await self._remote_graphs()
            return
        if time.monotonic() - self._checked < 1.0:
            return
        self._checked = time.monotonic()
        path = current_build(self.settings)
        if path is not None and str(path) != self.build_path:
            async with self._lock:
                if str(path) != self.build_path:
                    log.info("serving the new build %s (was %s)", path, self.build_path)
                    await self._open(path)

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
        return build_info(self.settings) or {}

    async def close(self) -> None:
        await self.engine.close()
