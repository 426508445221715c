"""Faults a user of the API or the CLI would run into, each with real processes on loopback:
the remote SPARQL server killed mid-load (and down at start), a backend that cuts its result
short, a build killed midway, bad data, and a home that cannot be written. Whatever happens,
an answer is complete and right or a clear 503 / exit 1 — never a hang, a truncated 200, a
500 or a traceback — and the graph being served stays served."""

from __future__ import annotations

import asyncio
import os
import random
import resource
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from graph import DATA_DIR
from graph.answers.warm import read_tables
from graph.build.builder import build, current_build
from graph.endpoint.served_build import Service
from graph.settings import Settings
from graph.store.backends import RemoteStore
from tests.helpers.env import clean_env
from tests.helpers.event_loop import run_apart
from tests.helpers.servers import BIN, answers, free_port, start_api, stop, until

OXIGRAPH = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
WHEAT_CN = {"product": "wheat", "market": "CN"}
PAIRS = [WHEAT_CN, {"product": "beef", "market": "IR"}, {"product": "говядина", "market": "ОАЭ"},
         {"product": "0204", "market": "IR"}, {"product": "honey", "market": "DE"}]
SELECT10 = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"
UNKNOWN_GRAPH = "SELECT ?s WHERE { GRAPH <https://example.org/no-such-graph> { ?s ?p ?o } }"
FROM_UNKNOWN = "SELECT ?s FROM <https://example.org/no-such-graph> WHERE { ?s ?p ?o }"
TIMEOUT = httpx.Timeout(10.0)       # a request taking longer than this is a hang
RECOVERY_SECONDS = 10.0



# -- the remote SPARQL server ------------------------------------------------------------------

def _load_db(settings: Settings, location: Path) -> Path:
    assert OXIGRAPH, "the oxigraph server binary (PyPI package `oxigraph`) is not installed"
    subprocess.run([OXIGRAPH, "load", "--location", str(location), "--file",
                    str(current_build(settings) / "graph.nt")],
                   check=True, capture_output=True, timeout=120)
    return location


def _oxigraph(location: Path, port: int) -> subprocess.Popen:
    """`oxigraph serve-read-only` on 127.0.0.1:port, answering."""
    process = subprocess.Popen([OXIGRAPH, "serve-read-only", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}", "--timeout-s", "20"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not answers(f"http://127.0.0.1:{port}/query", process, 30, 0.05, query="ASK {}"):
        process.kill()
        raise RuntimeError(f"oxigraph did not start on port {port} (exit {process.poll()})")
    return process


def _stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.kill()
    if process is not None:
        process.wait(timeout=10)


@contextmanager
def _api_answering(settings: Settings, endpoint: str) -> Iterator[str]:
    """`agrikg serve` against `endpoint`, waiting only until it answers HTTP at all (its
    /health may well be 503): for a backend that is down when the API starts."""
    port = free_port()
    log = settings.home / f"api-faults-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(BIN / "agrikg"), "serve"], stdout=out,
                                   stderr=subprocess.STDOUT,
                                   env=clean_env(home=str(settings.home), port=str(port),
                                            endpoint=endpoint, endpoint_timeout="5"))
        base = f"http://127.0.0.1:{port}"

        def answers_at_all() -> bool:
            try:
                httpx.get(base + "/health", timeout=5, trust_env=False)
                return True
            except httpx.HTTPError:
                return process.poll() is not None

        try:
            until(60, answers_at_all)
            assert process.poll() is None, (
                f"the API did not start while its backend is down:\n{log.read_text()[-2000:]}")
            yield base
        finally:
            stop(process)


def _is_backend_503(response: httpx.Response) -> bool:
    """503 with a JSON `detail` saying the backend is unreachable or cut its answer short."""
    if response.status_code != 503:
        return False
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError):
        return False
    return "SPARQL" in detail and any(word in detail for word in (
        "unreachable", "incomplete", "broke off", "has not answered", "did not answer"))


def _complete(path: str, params: dict, response: httpx.Response, expected: dict) -> bool:
    """A 200 that is the whole, right answer (the same as the healthy backend gave)."""
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    if path == "/access":
        return body == expected[params["product"], params["market"]]
    return len(body.get("results", {}).get("bindings", [])) == 10


def test_the_remote_server_killed_mid_load_gives_503_then_the_api_recovers(
        settings: Settings, tmp_path: Path) -> None:
    location = _load_db(settings, tmp_path / "db")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/query"
    backend = _oxigraph(location, port)
    servers = start_api(settings, endpoint=endpoint,
                         extra_env={"AGRIKG_ENDPOINT_TIMEOUT": "5"})
    try:
        base = next(servers)
        with httpx.Client(base_url=base, timeout=TIMEOUT, trust_env=False) as client:
            expected = {(p["product"], p["market"]): client.get("/access", params=p).json()
                        for p in PAIRS}
        results: list[tuple[float, str, dict, httpx.Response | Exception]] = []
        stop = threading.Event()

        def traffic(number: int) -> None:
            rng = random.Random(number)
            with httpx.Client(base_url=base, timeout=TIMEOUT, trust_env=False) as client:
                for _ in range(400):                      # bounded, and by `stop` in time
                    if stop.is_set():
                        return
                    path, params = (("/access", rng.choice(PAIRS)) if rng.random() < 0.6
                                    else ("/sparql", {"query": SELECT10}))
                    try:
                        outcome: httpx.Response | Exception = client.get(path, params=params)
                    except httpx.HTTPError as exc:
                        outcome = exc
                    results.append((time.monotonic(), path, params, outcome))
                    time.sleep(rng.uniform(0.005, 0.02))

        threads = [threading.Thread(target=traffic, args=(n,), daemon=True) for n in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        backend.send_signal(signal.SIGKILL)
        backend.wait(timeout=10)
        killed_at = time.monotonic()
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=TIMEOUT.read + 5)
        assert not any(t.is_alive() for t in threads), "a request hung"

        wrong = [(path, params, outcome if isinstance(outcome, Exception) else
                  f"{outcome.status_code} {outcome.text[:300]}")
                 for _, path, params, outcome in results
                 if isinstance(outcome, Exception) or not (
                     _complete(path, params, outcome, expected) or _is_backend_503(outcome))]
        assert not wrong, wrong[:5]
        before = [o for t, _, _, o in results if t < killed_at - 0.05]
        after = [(path, o) for t, path, _, o in results if t > killed_at + 0.5]
        assert before and all(o.status_code == 200 for o in before)
        assert any(path == "/sparql" for path, _ in after), "no traffic after the kill"
        assert all(o.status_code == 503 for path, o in after if path == "/sparql")

        with httpx.Client(base_url=base, timeout=TIMEOUT, trust_env=False) as client:
            health = client.get("/health")
            assert health.status_code == 503 and health.json()["status"] == "unavailable"

            backend = _oxigraph(location, port)           # the same server, the same port

            def recovered() -> bool:
                access = client.get("/access", params=WHEAT_CN)
                sparql = client.get("/sparql", params={"query": SELECT10})
                return access.status_code == 200 and sparql.status_code == 200

            assert until(RECOVERY_SECONDS, recovered), "the API did not recover by itself"
            for params in PAIRS:
                assert client.get("/access", params=params).json() == \
                    expected[params["product"], params["market"]]
            assert _complete("/sparql", {}, client.get("/sparql", params={"query": SELECT10}),
                             expected)
            assert client.get("/health").json()["status"] == "ok"
    finally:
        next(servers, None)
        _stop(backend)


def test_the_api_starts_while_the_remote_is_down_and_serves_once_it_is_up(
        settings: Settings, tmp_path: Path) -> None:
    location = _load_db(settings, tmp_path / "db")
    port = free_port()
    backend = None
    try:
        with _api_answering(settings, f"http://127.0.0.1:{port}/query") as base, \
                httpx.Client(base_url=base, timeout=TIMEOUT, trust_env=False) as client:
            health = client.get("/health")
            assert health.status_code == 503, health.text
            assert health.json()["status"] == "unavailable"
            assert "unreachable" in health.json()["detail"]
            for path, params in [("/access", WHEAT_CN), ("/sparql", {"query": SELECT10}),
                                 ("/sparql", {"query": FROM_UNKNOWN}),
                                 ("/sparql", {"query": SELECT10,
                                              "default-graph-uri": "https://example.org/g"})]:
                response = client.get(path, params=params)
                assert _is_backend_503(response), (path, params, response.status_code,
                                                   response.text)

            backend = _oxigraph(location, port)
            assert until(RECOVERY_SECONDS,
                          lambda: client.get("/health").status_code == 200), "no recovery"
            answer = client.get("/access", params=WHEAT_CN)
            assert answer.status_code == 200 and answer.json()["status"] == "open"
            assert _complete("/sparql", {}, client.get("/sparql", params={"query": SELECT10}), {})
            # Once the backend has answered, the API learns its graphs (it tries again at
            # most once a second): a graph it does not hold is then an empty graph, named.
            empty = until(RECOVERY_SECONDS, lambda: (
                r := client.get("/sparql", params={"query": FROM_UNKNOWN})).status_code != 503
                and r)
            assert empty and empty.status_code == 200, empty
            assert empty.json()["results"]["bindings"] == []
            assert empty.headers["agrikg-unknown-graphs"] == "<https://example.org/no-such-graph>"
            assert client.get("/sparql", params={"query": UNKNOWN_GRAPH}).status_code == 200
    finally:
        _stop(backend)


def test_an_api_whose_endpoint_was_down_at_start_reads_the_tables_once_it_answers(
        settings: Settings, tmp_path: Path) -> None:
    """The per-build tables a first answer reads are read from the endpoint in the background
    once it first answers (at start when it is up then: tests/test_engines.py), so the first
    answers after it comes back do not wait for them."""
    location = _load_db(settings, tmp_path / "db")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/query"
    backend: subprocess.Popen | None = None

    async def tables_once_up() -> tuple[set[str], set[str], set[str]]:
        nonlocal backend
        service = Service(Settings(home=settings.home, endpoint=endpoint))
        await service.start()
        try:
            before = set(service.store.cache)
            backend = _oxigraph(location, port)
            read = RemoteStore(endpoint)
            await asyncio.to_thread(read_tables, read)
            deadline = time.monotonic() + RECOVERY_SECONDS
            while not set(read.cache) <= set(service.store.cache) and \
                    time.monotonic() < deadline:
                await service.refresh()  # what each request does first
                await asyncio.sleep(0.1)
            return before, set(read.cache), set(service.store.cache)
        finally:
            await service.close()

    try:
        before, expected, after = run_apart(tables_once_up)
    finally:
        _stop(backend)
    assert before == set(), "tables were read from an endpoint that was down"
    assert expected, "reading the tables cached nothing"
    assert after >= expected, expected - after


# -- a backend that cuts its result short --------------------------------------------------------

FULL = (b'{"head":{"vars":["s","p","o","n"]},"results":{"bindings":[{"s":{"type":"uri","value":'
        b'"https://w3id.org/agrikg/product/wheat"},"n":{"type":"literal","value":"4148"}}]},'
        b'"boolean":true}')
CUT = FULL[:70]


class _Cutting(BaseHTTPRequestHandler):
    """200 and a SPARQL JSON body cut short: `/declared` declares the short length (the HTTP
    message is whole, the JSON is not); `/dropped` declares the full length and hangs up."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        dropped = self.path.startswith("/dropped")
        self.send_header("Content-Length", str(len(FULL) if dropped else len(CUT)))
        self.end_headers()
        self.wfile.write(CUT)
        self.wfile.flush()
        self.close_connection = dropped

    do_GET = do_POST = _answer

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(scope="module")
def cutting_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Cutting)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("how", ["declared", "dropped"])
def test_a_result_cut_short_by_the_backend_is_a_503_never_a_200(
        settings: Settings, cutting_server: str, how: str) -> None:
    with _api_answering(settings, f"{cutting_server}/{how}") as base, \
            httpx.Client(base_url=base, timeout=TIMEOUT, trust_env=False) as client:
        for _ in range(3):                        # also once the API has tried the backend
            sparql = client.get("/sparql", params={"query": SELECT10})
            assert sparql.status_code == 503, sparql.text
            assert "incomplete" in sparql.json()["detail"], sparql.text
            access = client.get("/access", params=WHEAT_CN)
            assert access.status_code == 503, access.text
            assert "incomplete" in access.json()["detail"], access.text
            assert client.get("/health").status_code == 503


# -- builds: killed midway, bad data, a home that cannot be written -------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    """A home with one good build, served by its own API server (embedded store)."""
    home = tmp_path_factory.mktemp("faults-home")
    settings = Settings(home=home, endpoint=None)
    build(settings)
    yield from ((settings, base) for base in start_api(settings))


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def _agrikg_build(home: Path, data: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "agrikg"), "build"], env=clean_env(home=str(home),
                            data_dir=str(data)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)


def _served_state(settings: Settings, base: str) -> dict:
    """What a user of the served graph sees, and where `current` points."""
    with httpx.Client(base_url=base, timeout=TIMEOUT, trust_env=False) as client:
        health = client.get("/health")
        assert health.status_code == 200, health.text
        access = client.get("/access", params=WHEAT_CN)
        assert access.status_code == 200, access.text
        return {"current": os.readlink(settings.current), "build": health.json()["build"],
                "triples": health.json()["triples"], "wheat_cn": access.json()}


def _kill_midway(settings: Settings, data: Path, delay: float) -> Path | None:
    """Start `agrikg build`, SIGKILL it `delay` s after it starts writing its build directory;
    the directory it left, or None when the build finished first."""
    builds = settings.home / "builds"
    known = set(builds.glob("*.partial"))
    process = _agrikg_build(settings.home, data)
    partial = None
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            partial = next((p for p in builds.glob("*.partial") if p not in known), None)
            if partial is not None:
                time.sleep(delay)
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        process.communicate(timeout=30)
    finally:
        _stop(process)
    if process.returncode == 0:
        return None
    assert process.returncode == -signal.SIGKILL, process.returncode
    return partial


def test_a_build_killed_midway_leaves_the_served_graph_and_the_next_build_is_served(
        served, tmp_path: Path) -> None:
    settings, base = served
    data = _data(tmp_path)
    rng = random.Random(20240607)
    killed = []
    for delay in [0.0] + [rng.uniform(0.01, 0.1) for _ in range(3)]:
        before = _served_state(settings, base)
        partial = _kill_midway(settings, data, delay)
        if partial is None:       # the build won the race; it is served, and that is fine
            served_build = before["build"]
            assert until(RECOVERY_SECONDS, lambda: _served_state(settings, base)["build"] !=
                          served_build)  # noqa: B023 (called before the next iteration)
            continue
        killed.append(partial)
        assert partial.is_dir(), "the kill came before the build directory was written"
        assert _served_state(settings, base) == before
        if len(killed) == 2:
            break
    assert killed, "the build always finished before it could be killed"
    print(f"\nkilled {len(killed)} build(s) midway, leaving {[p.name for p in killed]}")

    before = _served_state(settings, base)
    done = _agrikg_build(settings.home, data)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert "Traceback" not in out + err
    new = os.readlink(settings.current)
    assert new != before["current"]

    def served_new() -> dict | None:
        state = _served_state(settings, base)
        return state if Path(state["build"]).name == Path(new).name else None

    state = until(RECOVERY_SECONDS, served_new)
    assert state, "the server did not pick the new build up"
    assert state["wheat_cn"] == before["wheat_cn"] and state["triples"] == before["triples"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "words"), [
    ("access.csv", "kz-cn-wheat,KZ,CN,wheat,open", "kz-cn-wheat,KZ,XX,wheat,open",
     ["access.csv:", "kz-cn-wheat", "known country"]),
    ("sources.yaml", "statements:\n", "statements:\n  - id: [unclosed\n",
     ["sources.yaml:", "YAML syntax"]),
    ("products.csv", "honey,,0409,", 'honey,,0409,"unclosed,', ["products.csv:", "honey"]),
], ids=["shacl-invalid-csv", "malformed-yaml", "malformed-csv"])
def test_bad_data_fails_the_build_clearly_and_the_old_graph_stays_served(
        served, tmp_path: Path, file: str, old: str, new: str, words: list[str]) -> None:
    settings, base = served
    data = _data(tmp_path)
    _edit(data / file, old, new)
    before = _served_state(settings, base)
    partials = set((settings.home / "builds").glob("*.partial"))
    process = _agrikg_build(settings.home, data)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, (out, err)
    assert "Traceback" not in out + err
    said = err.replace("\n", "")                  # the console wraps (and folds) long lines
    assert "The graph was not built" in said and "stays as it was" in said
    for word in words:
        assert word in said, err
    assert set((settings.home / "builds").glob("*.partial")) == partials
    time.sleep(1.1)                          # the server looks for a new build once a second
    assert _served_state(settings, base) == before


def _one_clear_line(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], err


def test_a_home_that_is_not_a_directory_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    process = _agrikg_build(blocker / "home", DATA_DIR)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, (out, err)
    _one_clear_line(err, "not built", "Not a directory", str(blocker / "home"))


def _file_size_limit(limit: int):
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # EFBIG instead of a signal
    return preexec


def test_a_full_disk_is_one_clear_error_and_the_old_graph_stays_served(
        served, tmp_path: Path) -> None:
    settings, base = served
    before = _served_state(settings, base)
    partials = set((settings.home / "builds").glob("*.partial"))
    # No file may grow past 64 KiB: the build's dumps cannot be written, as on a full disk.
    process = _agrikg_build(settings.home, _data(tmp_path), preexec_fn=_file_size_limit(65536))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, (out, err)
    _one_clear_line(err, "not built", "File too large", "stays as it was")
    assert set((settings.home / "builds").glob("*.partial")) == partials
    time.sleep(1.1)
    assert _served_state(settings, base) == before
