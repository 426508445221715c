"""The query workers behind the guard: even a SERVICE the guard let through cannot open a
connection from a worker, and a query past the memory limit stops its worker (a 503 saying
so) while other queries go on being answered. Whatever the engine raises becomes a status that
says whose fault it was, never a 500."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph.build.builder import current_build
from graph.endpoint.query_workers import QueryFailed, QueryJob, WorkerPool, _worker_main, execute
from graph.endpoint.sandbox import Confinement, probe
from graph.settings import Settings
from tests.helpers.event_loop import run_apart
from tests.helpers.servers import start_api
from tests.test_cli import run

CONFINED = probe()


class Listener:
    """A TCP listener on loopback that counts the connections reaching it (and what they say)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(4096))
                except OSError:
                    self.requests.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def _service(port: int, host: str = "127.0.0.1") -> str:
    # What the guard refuses; here it goes to the engine directly, as if the guard had missed.
    return (f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <http://{host}:{port}/sparql> "
            "{ ?s ?p ?x } } } LIMIT 1")


def _pool_run(store: Path, jobs: list[QueryJob], **pool_args) -> list:
    """Start a real worker pool on the store, run the jobs at once, return answers or errors."""

    async def main() -> list:
        pool = WorkerPool(store, **pool_args)
        await pool.start()
        try:
            return await asyncio.gather(*(pool.run(job, 30) for job in jobs),
                                        return_exceptions=True)
        finally:
            await pool.close()

    return run_apart(main)


@pytest.fixture(scope="module")
def store_path(settings: Settings) -> Path:
    return current_build(settings) / "store"


def test_without_the_sandbox_the_engine_would_connect(store_path: Path, listener) -> None:
    """The control: pyoxigraph in an unconfined process follows SERVICE to the listener, so
    the test below can fail."""
    with pytest.raises(QueryFailed):
        execute(ox.Store.read_only(str(store_path)), QueryJob(_service(listener.port), "json", 10))
    listener.close()
    assert len(listener.requests) == 1
    assert b"Oxigraph" in listener.requests[0]


@pytest.mark.skipif(not CONFINED.isolated, reason=f"no network namespace: {CONFINED.reason}")
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])  # its client cannot do [::1]
def test_a_worker_cannot_connect_even_when_the_guard_is_bypassed(store_path: Path,
                                                                 host: str) -> None:
    lst = Listener()
    try:
        answers = _pool_run(store_path, [QueryJob(_service(lst.port, host), "json", 10)])
    finally:
        lst.close()
    assert lst.requests == []
    (answer,) = answers
    assert isinstance(answer, QueryFailed) and answer.status == 403, answer
    assert "network" in str(answer)


_SECCOMP_ONLY = """
import sys
from graph.endpoint.sandbox import refuse_ip_sockets
held, why = refuse_ip_sockets()
assert held, why
import pyoxigraph as ox
from graph.endpoint.query_workers import QueryFailed, QueryJob, execute
try:
    execute(ox.Store.read_only(sys.argv[1]), QueryJob(sys.argv[2], "json", 10))
except QueryFailed as exc:
    print(exc.status, exc)
"""


@pytest.mark.skipif("seccomp" not in CONFINED.network, reason=CONFINED.reason or "no seccomp")
def test_the_seccomp_filter_alone_keeps_the_engine_off_the_network(store_path: Path,
                                                                   listener) -> None:
    """Where namespaces are forbidden (many containers), the seccomp layer still holds."""
    done = subprocess.run([sys.executable, "-c", _SECCOMP_ONLY, str(store_path),
                           _service(listener.port)], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("403 the query tried to reach the network")
    listener.close()
    assert listener.requests == []


@pytest.mark.skipif(not CONFINED.isolated, reason=f"no network namespace: {CONFINED.reason}")
def test_workers_report_their_confinement(store_path: Path) -> None:
    async def main() -> Confinement | None:
        pool = WorkerPool(store_path, size=1, memory_mb=512, sandbox="required")
        await pool.start()
        await pool.close()
        return pool.confinement

    confinement = run_apart(main)
    assert confinement is not None and confinement.isolated
    assert "network namespace" in confinement.network and confinement.memory_mb == 512


def test_health_and_info_say_how_workers_are_confined(settings: Settings, api_embedded: str,
                                                      api_remote: str) -> None:
    workers = httpx.get(api_embedded + "/health", timeout=30).json()["query_workers"]
    assert workers["isolated"] is CONFINED.isolated
    assert workers["network"] == (CONFINED.network or f"not isolated: {CONFINED.reason}")
    assert httpx.get(api_remote + "/health", timeout=30).json()["query_workers"] is None
    info = run(settings, "info")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["query_workers"] == {
        "network": workers["network"], "memory_mb": Settings().query_memory,
        "sandbox": "preferred"}


def test_an_unconfined_worker_refuses_to_serve_when_the_sandbox_is_required(
        store_path: Path) -> None:
    parent, child = multiprocessing.Pipe()
    unconfined = Confinement("", "the platform allows no namespace (test)", 0)
    _worker_main(str(store_path), child, unconfined, required=True)
    status, info = parent.recv()
    assert status == "refused" and info["reason"].startswith("the platform allows no")
    # Preferred: the same worker serves (with the guard alone, and a warning at start).
    thread = threading.Thread(target=_worker_main, args=(str(store_path), child, unconfined))
    thread.start()
    assert parent.recv()[0] == "ready"
    parent.send(QueryJob("ASK { ?s ?p ?o }", "json", 10))
    assert parent.recv()[0] == "ok"
    parent.close()
    thread.join(timeout=10)


# ~1 KB: a 64-character string doubled 26 times is 4 GiB; the earlier steps alone pass 256 MB.
MEMORY_BOMB = ('SELECT (STRLEN(?a26) AS ?n) WHERE { BIND("' + "a" * 64 + '" AS ?a0) '
               + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(26)) + " }")
QUERY_MEMORY_MB = 256  # the least the setting allows


@pytest.fixture(scope="module")
def api_small_memory(settings: Settings) -> Iterator[str]:
    """The API with a low memory limit per query and a time limit long enough that the
    memory limit is what stops the bomb."""
    yield from start_api(settings, extra_env={"AGRIKG_QUERY_MEMORY": str(QUERY_MEMORY_MB),
                                               "AGRIKG_QUERY_TIMEOUT": "600",
                                               "AGRIKG_ANSWER_CACHE": "false"})


def test_a_query_past_the_memory_limit_is_a_503_and_others_are_answered(
        api_small_memory: str) -> None:
    assert len(MEMORY_BOMB) < 1300
    normal = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with httpx.Client(base_url=api_small_memory, timeout=600) as client:
        expected = client.get("/sparql", params={"query": normal, "format": "json"}).json()
        results: dict = {}

        def ask(name: str, query: str) -> None:
            results[name] = client.get("/sparql", params={"query": query, "format": "json"})

        bomb = threading.Thread(target=ask, args=("bomb", MEMORY_BOMB))
        bomb.start()
        # Normal queries asked while the bomb grows are answered, by the other worker.
        answers = []
        while bomb.is_alive() and len(answers) < 200:
            answers.append(client.get("/sparql", params={"query": normal, "format": "json"}))
        bomb.join()
        response = results["bomb"]
        assert response.status_code == 503, response.text
        detail = response.json()["detail"]
        assert f"more memory than a query may use ({QUERY_MEMORY_MB} MB)" in detail
        assert "AGRIKG_QUERY_MEMORY" in detail
        assert answers and all(a.status_code == 200 and a.json() == expected for a in answers)
        # The worker was replaced: queries go on being answered, the bomb again refused.
        after = [client.get("/sparql", params={"query": normal, "format": "json"})
                 for _ in range(4)]
        assert all(a.status_code == 200 and a.json() == expected for a in after)
        health = client.get("/health").json()
        assert health["query_workers"]["memory_mb"] == QUERY_MEMORY_MB


def test_a_memory_limit_too_low_to_open_the_store_is_said_plainly(store_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 256"):
        Settings(query_memory=100)
    assert Settings(query_memory=0).query_memory == 0

    async def main() -> None:
        pool = WorkerPool(store_path, size=1, memory_mb=100)
        try:
            await pool.start()
        finally:
            await pool.close()

    with pytest.raises(RuntimeError, match="AGRIKG_QUERY_MEMORY=100 MB is too little"):
        run_apart(main)


UNKNOWN_FUNCTION = "SELECT (<http://example.org/fn>(1) AS ?x) WHERE {}"


def test_a_function_the_engine_does_not_offer_is_a_400() -> None:
    with pytest.raises(QueryFailed) as caught:
        execute(ox.Store(), QueryJob(UNKNOWN_FUNCTION, "json", 10))
    assert caught.value.status == 400
    assert "<http://example.org/fn> is not supported" in str(caught.value)


def test_a_function_the_engine_does_not_offer_is_never_a_500(api_embedded, api_remote) -> None:
    embedded = httpx.get(api_embedded + "/sparql", params={"query": UNKNOWN_FUNCTION})
    assert embedded.status_code == 400, embedded.text
    assert "is not supported" in embedded.json()["detail"]
    # Oxigraph's server answers this with its own 500; the API says the backend failed.
    remote = httpx.get(api_remote + "/sparql", params={"query": UNKNOWN_FUNCTION})
    assert remote.status_code == 503, remote.text
    assert "backend" in remote.json()["detail"]


def test_a_lazy_pool_holds_no_worker_until_the_first_query(store_path: Path) -> None:
    """The served build's pool: `start` proves a worker starts (and learns its confinement),
    then holds none; the first query starts the workers, the ones after reuse them."""

    async def main() -> tuple:
        pool = WorkerPool(store_path, size=2, lazy=True)
        await pool.start()
        alive_after_start = [w.process.poll() is None for w in pool._all]
        known = pool.confinement
        job = QueryJob("ASK { ?s ?p ?o }", "json", 10)
        first, second = await asyncio.gather(pool.run(job, 30), pool.run(job, 30))
        serving = pool._serving
        await pool.close()
        return alive_after_start, known, first, second, serving

    alive, known, first, second, serving = run_apart(main)
    assert alive == [] and known is not None
    assert first.body == second.body and b"true" in first.body
    assert serving == 2


def test_workers_stop_after_their_idle_time_and_the_next_query_starts_them(
        store_path: Path) -> None:
    """AGRIKG_QUERY_IDLE: once no query has come for that long, the workers and the standby
    are gone (their processes ended, their memory freed); a query after that is answered by
    workers started for it, as the first one was."""

    async def main() -> tuple:
        pool = WorkerPool(store_path, size=2, lazy=True, idle_seconds=0.5)
        await pool.start()
        job = QueryJob("ASK { ?s ?p ?o }", "json", 10)
        first = await pool.run(job, 30)
        while len(pool._standby) < pool.spares:  # the standby is started after the workers
            await asyncio.sleep(0.05)
        processes = [w.process for w in pool._all]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while pool._all and loop.time() < deadline:
            await asyncio.sleep(0.1)
        stopped = [p.wait(timeout=10) is not None for p in processes]
        left = len(pool._all)
        again = await pool.run(job, 30)
        serving = pool._serving
        await pool.close()
        return first, processes, stopped, left, again, serving

    first, processes, stopped, left, again, serving = run_apart(main)
    assert b"true" in first.body and len(processes) == 3  # two workers and the standby
    assert left == 0 and all(stopped)
    assert again.body == first.body and serving == 2
