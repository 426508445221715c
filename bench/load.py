"""The API under concurrent load, on loopback, bounded in time: wrk (C, one thread) drives each
server in turn with the same connections and duration, after a warm-up run that is not counted.

- `/access` (rotating over the plan's product/market pairs) against a trivial FastAPI endpoint
  served the same way (the ceiling for any FastAPI route here) and a raw ASGI hello-world (the
  stack's own limit);
- `/sparql` (a typical SELECT, SPARQL JSON) against Oxigraph's own server `/query`, with our
  answer cache on (the default) and off;
- scale-out: the same API as 1 and 2 uvicorn workers over one remote Oxigraph server;
- memory of each server's process tree, and of a bare process holding the same store (the
  `access` server's is taken before any /sparql: its query workers start on the first one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.measure import BIN, free_port, run_child, server, tree_memory_mb
from bench.plan import bench_query

WRK_SCRIPT = Path(__file__).parent / "wrk" / "rotate.lua"
JSON_RESULTS = "application/sparql-results+json"
# The typical SELECT reads one market's records (3,585 for CN at 10^6 triples, ~0.3 s on
# Oxigraph itself): 32 such queries at once on 2 cores only measure the queue (wrk's 10 s
# timeout cut every answer). /sparql scenarios therefore keep 2 queries per core in flight, a
# load both servers sustain; `--connections` is for /access and the trivial endpoints.
SPARQL_CONNECTIONS_PER_CPU = 2
# The query workers' idle time in the cache-off /sparql run (the default, 300 s, is longer
# than the run): the memory is measured again once they have stopped.
QUERY_IDLE = 5.0
MARKETS_FOR_SELECT = ("CN", "IR", "AE", "SA", "DE", "US", "RU", "TR", "IN", "JP")
BARE_STORE = """
import sys, psutil, pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1])
queries = [line for line in open(sys.argv[2], encoding="utf-8").read().split("\\n@@\\n") if line]
for _ in range(int(sys.argv[3])):
    for query in queries:
        list(store.query(query))
memory = psutil.Process().memory_full_info()
print(memory.rss / 2**20, memory.pss / 2**20)
"""


@dataclass
class Scenario:
    name: str
    kind: str                     # trivial | raw | agrikg | oxigraph
    paths: list[str]
    accept: str = ""
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    remote: bool = False          # agrikg over the Oxigraph server instead of its own store
    sparql: bool = False          # a /sparql (or /query) scenario: SPARQL_CONNECTIONS at once
    # Also measure the memory once the query workers have stopped, this many seconds after the
    # load (the scenario sets AGRIKG_QUERY_IDLE to it).
    idle: float = 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(base: str, paths: list[str], accept: str, seconds: float, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
        paths_file = handle.name
    try:
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
             "-s", str(WRK_SCRIPT), base, "--", paths_file, accept],
            capture_output=True, text=True, timeout=seconds + 60, check=False)
    finally:
        Path(paths_file).unlink(missing_ok=True)
    for line in done.stdout.splitlines():
        if line.startswith("@@wrk "):
            raw = json.loads(line.removeprefix("@@wrk "))
            errors = sum(raw[k] for k in raw if k.startswith("errors_"))
            seconds_run = raw["duration_us"] / 1e6
            return {"requests": raw["requests"], "rps": raw["requests"] / seconds_run,
                    "p50": raw["p50_us"] / 1e3, "p90": raw["p90_us"] / 1e3,
                    "p99": raw["p99_us"] / 1e3, "errors": errors,
                    "errors_by_kind": {k: raw[k] for k in raw if k.startswith("errors_")}}
    raise RuntimeError(f"wrk gave no summary: {done.stdout[-1000:]} {done.stderr[-1000:]}")


def prime(base: str, s: Scenario, limit: float = 180.0) -> None:
    """Ask every distinct request once, one at a time, before wrk: a server builds its
    per-build indexes on first use (start-up, not throughput), and what is measured is the
    steady state of a server answering questions it has been asked before, with the answer
    cache on or off as the scenario says. The first-time cost is the library benchmark's."""
    headers = {"Accept": s.accept} if s.accept else {}
    started = time.monotonic()
    with httpx.Client(timeout=600, trust_env=False, headers=headers) as client:
        for path in dict.fromkeys(s.paths):
            client.get(base + path)
            if time.monotonic() - started > limit:
                return


def _command(s: Scenario, port: int, home: Path, store: Path, endpoint: str | None) -> tuple:
    if s.kind in ("trivial", "raw"):
        target = "bench.trivial_app:app" if s.kind == "trivial" else "bench.trivial_app:raw"
        return ([str(BIN / "uvicorn"), target, "--host", "127.0.0.1", "--port",
                 str(port), "--workers", str(s.workers), "--loop", "uvloop", "--http",
                 "httptools", "--no-access-log", "--log-level", "warning"], "/ping", {})
    if s.kind == "oxigraph":
        return ([str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind",
                 f"127.0.0.1:{port}"], "/", {})
    args = [str(BIN / "agrikg"), "serve", "--port", str(port), "--workers", str(s.workers)]
    if s.remote and endpoint:
        args += ["--endpoint", endpoint]
    return args, "/health", {"AGRIKG_HOME": str(home)} | s.env


def run_scenario(s: Scenario, home: Path, store: Path, seconds: float, connections: int,
                 log_dir: Path, endpoint: str | None = None) -> dict:
    port = free_port()
    connections = scenario_connections(s, connections)
    args, ready, env = _command(s, port, home, store, endpoint)
    base = f"http://127.0.0.1:{port}"
    with server(args, base + ready, env=env, log=log_dir / f"{s.name}.log") as proc:
        prime(base, s)
        run_wrk(base, s.paths, s.accept, max(1.0, seconds / 4), connections)  # warm-up
        result = run_wrk(base, s.paths, s.accept, seconds, connections)
        result["memory_mb"] = tree_memory_mb(proc.pid)
        if s.idle:
            result["memory_idle_mb"] = _after_workers_stopped(proc.pid, s.idle)
    return result | {"workers": s.workers, "connections": connections}


def _after_workers_stopped(pid: int, idle: float) -> dict[str, float]:
    """The server's memory once its query workers have stopped (at most a minute past `idle`)."""
    deadline = time.monotonic() + idle + 60
    time.sleep(idle)
    memory = tree_memory_mb(pid)
    while memory["processes"] > 1 and time.monotonic() < deadline:
        time.sleep(0.5)
        memory = tree_memory_mb(pid)
    return memory


def sparql_connections() -> int:
    return SPARQL_CONNECTIONS_PER_CPU * (os.cpu_count() or 1)


def scenario_connections(s: Scenario, connections: int) -> int:
    """The connections wrk keeps open for a scenario: `connections`, or for /sparql its own."""
    return sparql_connections() if s.sparql else connections


def typical_selects() -> list[str]:
    from graph.namespaces import MARKET
    from graph.store.named_queries import IRI

    return [bench_query("typical_select", market=IRI(str(MARKET[code])), lang=lang)
            for code in MARKETS_FOR_SELECT for lang in ("en", "ru", "kk")]


def scenarios(plan: dict, answer_cache_off: dict[str, str]) -> list[Scenario]:
    access = [f"/access?product={urllib.parse.quote(c['product'])}&market={c['market']}"
              f"&lang={c['lang']}" for c in plan["checks"]]
    sparql = [f"/sparql?query={urllib.parse.quote(q)}" for q in typical_selects()]
    oxigraph = [f"/query?query={urllib.parse.quote(q)}" for q in typical_selects()]
    return [
        Scenario("trivial", "trivial", ["/ping"]),
        Scenario("raw-asgi", "raw", ["/ping"]),
        Scenario("access", "agrikg", access),
        Scenario("oxigraph", "oxigraph", oxigraph, JSON_RESULTS, sparql=True),
        Scenario("sparql", "agrikg", sparql, JSON_RESULTS, sparql=True),
        Scenario("sparql-uncached", "agrikg", sparql, JSON_RESULTS,
                 env=answer_cache_off | {"AGRIKG_QUERY_IDLE": str(QUERY_IDLE)}, sparql=True,
                 idle=QUERY_IDLE),
        Scenario("trivial-2w", "trivial", ["/ping"], workers=2),
        Scenario("access-remote-1w", "agrikg", access, remote=True),
        Scenario("access-remote-2w", "agrikg", access, workers=2, remote=True),
        Scenario("sparql-remote-1w", "agrikg", sparql, JSON_RESULTS, remote=True,
                 env=answer_cache_off, sparql=True),
        Scenario("sparql-remote-2w", "agrikg", sparql, JSON_RESULTS, workers=2, remote=True,
                 env=answer_cache_off, sparql=True),
    ]


def bare_store_memory(store: Path, rounds: int = 3) -> dict[str, float]:
    """RSS and PSS of a process that only holds the same store and runs the same SELECTs. Its
    PSS is what a server's (PSS of its process tree) is held to: a child of this process, as the
    servers are, it shares library pages with it just as they do, so RSS against PSS would
    flatter the server."""
    with tempfile.NamedTemporaryFile("w", suffix=".rq", delete=False) as handle:
        handle.write("\n@@\n".join(typical_selects()))
        queries = handle.name
    try:
        done = run_child([str(BIN / "python"), "-c", BARE_STORE, str(store), queries, str(rounds)])
    finally:
        Path(queries).unlink(missing_ok=True)
    rss, pss = (float(x) for x in done.stdout.split())
    return {"rss": rss, "pss": pss}


def measure_load(plan: dict, home: Path, seconds: float, connections: int, log_dir: Path,
                 answer_cache_off: dict[str, str],
                 progress: Callable[[str], None] = lambda _: None) -> dict:
    """Every scenario in turn; the remote ones share one Oxigraph server over the build."""
    store = (home / "current").resolve() / "store"
    log_dir.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    remote_port = free_port()
    endpoint = f"http://127.0.0.1:{remote_port}/query"
    backend = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind",
               f"127.0.0.1:{remote_port}"]
    all_scenarios = scenarios(plan, answer_cache_off)
    for s in (x for x in all_scenarios if not x.remote):
        progress(f"load: {s.name} ({seconds:g} s, {scenario_connections(s, connections)} "
                 "connections)")
        results[s.name] = run_scenario(s, home, store, seconds, connections, log_dir)
    with server(backend, f"http://127.0.0.1:{remote_port}/", log=log_dir / "remote.log"):
        for s in (x for x in all_scenarios if x.remote):
            progress(f"load: {s.name} over one Oxigraph server ({seconds:g} s)")
            results[s.name] = run_scenario(s, home, store, seconds, connections, log_dir,
                                           endpoint=endpoint)
    results["bare_store_mb"] = bare_store_memory(store)
    return results
