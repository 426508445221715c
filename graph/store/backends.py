"""Where queries run: the embedded Oxigraph store of the current build, or any remote
SPARQL 1.1 endpoint. Both answer the same named queries with the same plain rows.
"""

from __future__ import annotations

import ctypes
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import pyoxigraph

from graph.errors import StoreError
from graph.settings import Settings
from graph.store.builds import STORE_DIR, current_build
from graph.store.pins import BuildGone, BuildPin
from graph.store.remote import XSD_BOOLEAN, Target, row_cap, value

# httpx (and the rich and pygments it pulls in, 7 MB) is imported by the remote store only,
# so an embedded server does not carry it.
if TYPE_CHECKING:
    import httpx

Row = dict[str, str]
T = TypeVar("T")


class Store(Protocol):
    """What the query layer needs from a backend."""

    name: str
    cache: dict

    def select(self, sparql: str) -> list[Row]: ...

    def ask(self, sparql: str) -> bool: ...


def _lexical(term: object) -> str:
    return term.value if hasattr(term, "value") else str(term)


class EmbeddedStore:
    """A read-only pyoxigraph store opened from a build directory. With a `pin`, the build
    is kept from being pruned for as long as this store is in use."""

    def __init__(self, path: Path, pin: BuildPin | None = None):
        self.path = path
        self.name = f"embedded:{path}"
        self.cache: dict = {}
        self.pin = pin
        try:
            self._store = pyoxigraph.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB found it corrupt
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    def _query(self, sparql: str) -> object:
        try:
            return self._store.query(sparql)
        except SyntaxError as exc:
            raise StoreError(f"query does not parse: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"the store failed: {exc}") from exc

    def select(self, sparql: str) -> list[Row]:
        solutions = self._query(sparql)
        names = [v.value for v in solutions.variables]
        return [{n: _lexical(s[n]) for n in names if s[n] is not None} for s in solutions]

    def ask(self, sparql: str) -> bool:
        return bool(self._query(sparql))

    def rows(self, sparql: str) -> Iterator[Row]:
        """The rows of a SELECT one at a time: a per-build index read from tens of thousands
        of rows then never holds them all at once (nor leaves the heap they took behind)."""
        solutions = self._query(sparql)
        names = [v.value for v in solutions.variables]
        for s in solutions:
            yield {n: _lexical(s[n]) for n in names if s[n] is not None}

    def raw(self) -> pyoxigraph.Store:
        return self._store

    def reopen(self) -> None:
        """Open the store afresh, dropping the old handle: RocksDB's block cache, which the
        per-build indexes' whole-graph scans filled (about 60 MB at 10^6 triples), goes with
        it, so a server keeps only what its own lookups touch. For use before the store is
        served: a query still reading the old handle keeps it open until it is done."""
        try:
            fresh = pyoxigraph.Store.read_only(str(self.path))
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        self._store = fresh
        release_memory()


class RemoteStore:
    """A SPARQL 1.1 Protocol endpoint. Results are checked complete: Oxigraph's server, for
    one, answers 200 and then cuts the body short when a query times out, and Virtuoso answers
    200 with a result cut at its ResultSetMaxRows. Every request asks the configured dataset
    (the URL's own `default-graph-uri`, or `graph`), and values are read as the embedded store
    gives them (graph.store.remote)."""

    def __init__(self, url: str, timeout: float = 30.0, client: httpx.Client | None = None,
                 graph: str | None = None):
        self.url = url
        self.target = Target.parse(url, graph)
        self.name = f"remote:{url}"
        self.cache: dict = {}
        import httpx

        self._client = client or httpx.Client(timeout=timeout, trust_env=False)

    def _post(self, sparql: str) -> dict:
        import httpx

        try:
            response = self._client.post(
                self.target.url, data={"query": sparql}, params=self.target.request_params(),
                headers={"Accept": "application/sparql-results+json"})
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise StoreError(f"the SPARQL endpoint {self.url} is unreachable: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise StoreError(f"the SPARQL endpoint {self.url} did not answer in time: "
                             f"{exc}") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"the SPARQL endpoint {self.url} broke off its answer, so the "
                             f"result was incomplete ({type(exc).__name__}: {exc})") from exc
        if response.status_code != 200:
            raise StoreError(f"the SPARQL endpoint {self.url} answered {response.status_code}: "
                             f"{response.text[:300]}")
        cap = row_cap(response.headers)
        if cap is not None:
            # Never an index or an answer made from part of a result: the engine's own cap must
            # be raised (Virtuoso: ResultSetMaxRows in virtuoso.ini's [SPARQL] section).
            raise StoreError(f"the SPARQL endpoint {self.url} cut the result at its row cap "
                             f"of {cap} rows, so it is incomplete; raise the endpoint's cap "
                             "(Virtuoso: ResultSetMaxRows in virtuoso.ini) above the graph's "
                             "largest index (see the README's table of engines)")
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise StoreError(f"the SPARQL endpoint {self.url} sent an incomplete or invalid "
                             f"result ({len(response.content)} bytes): {exc}") from exc

    def select(self, sparql: str) -> list[Row]:
        body = self._post(sparql)
        try:
            bindings = body["results"]["bindings"]
        except (KeyError, TypeError) as exc:
            raise StoreError(f"the SPARQL endpoint {self.url} sent no SELECT results") from exc
        return [{k: value(v) for k, v in b.items()} for b in bindings]

    def ask(self, sparql: str) -> bool:
        body = self._post(sparql)
        if "boolean" not in body:
            raise StoreError(f"the SPARQL endpoint {self.url} sent no ASK result")
        return value({"datatype": XSD_BOOLEAN, "value": str(body["boolean"])}) == "true"

    def close(self) -> None:
        self._client.close()


def release_memory() -> None:
    """Give the C heap's free pages back to the system (glibc keeps them otherwise, so a
    process that once held a large result stays that large). Nothing happens elsewhere."""
    import gc

    gc.collect()
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def cached(store: Store, key: str, make: Callable[[], T]) -> T:
    """Something derived from a store's contents, computed once per store. A rebuild opens a
    new store, so nothing stale survives it."""
    try:
        return store.cache[key]
    except KeyError:
        pass
    # Made once even when several threads ask at once (an index can take a second to make).
    with _MAKING:
        if key not in store.cache:
            store.cache[key] = make()
        return store.cache[key]


_MAKING = threading.RLock()


class LRU:
    """A bounded least-recently-used map, safe to share between threads (answers are computed
    off the event loop). `max_cost` bounds the sum of the entries' costs (e.g. bytes) as well
    as their number."""

    def __init__(self, max_items: int, max_cost: int | None = None):
        self.max_items = max_items
        self.max_cost = max_cost
        self.cost = 0
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            self._items.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: object, cost: int = 0) -> None:
        if self.max_items <= 0 or (self.max_cost is not None and cost > self.max_cost):
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.cost -= old[1]
            self._items[key] = (value, cost)
            self.cost += cost
            while len(self._items) > self.max_items or (
                    self.max_cost is not None and self.cost > self.max_cost):
                _, (_, dropped) = self._items.popitem(last=False)
                self.cost -= dropped


def lru(store: Store, key: str, max_items: int, max_cost: int | None = None) -> LRU:
    """A bounded cache that lives and dies with the store, like `cached`: a rebuild opens a
    new store, so no answer of the old build is served after it."""
    found = store.cache.get(key)
    if found is None:
        found = store.cache.setdefault(key, LRU(max_items, max_cost))
    return found


def open_store(settings: Settings) -> Store:
    """The remote endpoint when one is configured, else the embedded store of the current
    build. Nothing built yet is a StoreError: the read side never builds (the CLI and the
    notebooks call graph.build.builder.ensure_built first)."""
    if settings.endpoint:
        return RemoteStore(settings.endpoint, timeout=settings.endpoint_timeout,
                           graph=settings.endpoint_graph)
    for _ in range(10):  # a build pruned between reading `current` and pinning it: read again
        path = current_build(settings)
        if path is None:
            raise StoreError(f"no graph has been built in {settings.home}; run `agrikg build`")
        try:
            pin = BuildPin(path)
        except BuildGone:
            continue
        return EmbeddedStore(path / STORE_DIR, pin)
    raise StoreError("the served build keeps changing; try again")
