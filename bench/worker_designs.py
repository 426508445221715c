"""What three ways of running the query workers cost over one store, in memory and in time:
the question behind the benchmark's one missed target (server memory with the query workers
running). Not part of `make bench`; run it by hand on a build's store:

    python -m bench.worker_designs var/bench/home-1000000/current/store

Each design answers the benchmark's typical SELECTs (`bench.load.typical_selects`, written as
SPARQL JSON by the real result writer) `--rounds` times in each of its workers, one query at a
time, and is then measured (PSS of its processes, as `bench.load.bare_store_memory` measures
the reference):

- bare: one process that opens the store and answers every query itself (the reference);
- spawned: what `graph.endpoint.query_workers` does: two workers, each a fresh process that
  opens the store, and a standby that has opened it and answered nothing;
- zygote: one process opens the store and two workers are forked from it, so they share its
  pages until they write to them (a fork takes milliseconds, so no standby is needed);
- per query: a child forked for each query from a process that opened the store, gone once its
  answer is written; its time includes the fork and reading the answer from a pipe.

A worker's time is a query's wall time inside it; the per-query design's is the parent's, from
fork to answer read. Nothing here is asserted: the figures go into bench/NOTES.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

# One program for every process of every design: argv is DESIGN STORE QUERIES ROUNDS. Each
# process prints one JSON line (its pid and the query times it measured) and then waits to be
# measured and killed.
CHILD = r'''
import json, os, sys, time
import pyoxigraph as ox
from graph.endpoint.result_writers import write_result

design, store_path, queries_path, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
queries = [q for q in open(queries_path, encoding="utf-8").read().split("\n@@\n") if q]
store = ox.Store.read_only(store_path)


def answer(query):
    return write_result(store.query(query), "json", 10_000).body


def timed(query):
    start = time.perf_counter()
    answer(query)
    return (time.perf_counter() - start) * 1000


def report(times):
    print(json.dumps({"pid": os.getpid(), "times": times}), flush=True)


if design == "worker":
    report([timed(q) for _ in range(rounds) for q in queries])
elif design == "standby":
    report([])
elif design == "zygote":
    for _ in range(2):  # one worker at a time, as in the other designs
        ready, done = os.pipe()
        if os.fork() == 0:
            os.close(ready)
            report([timed(q) for _ in range(rounds) for q in queries])
            os.write(done, b"x")
            time.sleep(600)
            os._exit(0)
        os.close(done)
        os.read(ready, 1)
        os.close(ready)
    report([])
elif design == "per-query":
    times = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            out, into = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(out)
                body = answer(query)
                with os.fdopen(into, "wb") as pipe:
                    pipe.write(body)
                os._exit(0)
            os.close(into)
            with os.fdopen(out, "rb") as pipe:
                pipe.read()
            os.waitpid(pid, 0)
            times.append((time.perf_counter() - start) * 1000)
    report(times)
time.sleep(600)
'''

# What each design starts: a process (started with CHILD) for each role, and how many JSON
# lines it prints (a zygote prints its forked workers' as well as its own).
DESIGNS: dict[str, tuple[tuple[str, int], ...]] = {
    "bare": (("worker", 1),),
    "spawned": (("worker", 1), ("worker", 1), ("standby", 1)),
    "zygote": (("zygote", 3),),
    "per query": (("per-query", 1),),
}


@dataclass
class Measured:
    design: str
    pss_mb: list[float]  # each process's PSS, in the order the processes reported
    times_ms: list[float]

    @property
    def total_mb(self) -> float:
        return sum(self.pss_mb)

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.times_ms)


def measure(design: str, store: Path, queries: Path, rounds: int) -> Measured:
    """Start one design, wait for every process's report, then take their PSS and kill them."""
    procs: list[subprocess.Popen] = []
    try:
        reports = []
        for role, lines in DESIGNS[design]:  # one at a time: each answers as it starts
            proc = subprocess.Popen([sys.executable, "-c", CHILD, role, str(store), str(queries),
                                     str(rounds)], stdout=subprocess.PIPE, text=True,
                                    stdin=subprocess.DEVNULL)
            procs.append(proc)
            assert proc.stdout is not None
            for _ in range(lines):
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError(f"{design}: a process ended before it reported "
                                       f"(exit {proc.wait()})")
                reports.append(json.loads(line))
        pss = [psutil.Process(r["pid"]).memory_full_info().pss / 2**20 for r in reports]
        times = [t for r in reports for t in r["times"]]
        return Measured(design, pss, times)
    finally:
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                for child in psutil.Process(proc.pid).children(recursive=True):
                    child.kill()
            proc.kill()
            proc.wait()


def table(results: list[Measured]) -> str:
    bare = next(r for r in results if r.design == "bare")
    lines = ["| design | PSS of each process, MB | in all, MB | vs bare | query p50 ms | vs bare |",
             "|---|---|---|---|---|---|"]
    for r in results:
        each = " + ".join(f"{mb:.0f}" for mb in r.pss_mb)
        lines.append(f"| {r.design} | {each} | {r.total_mb:.0f} | {r.total_mb / bare.total_mb:.2f}x "
                     f"| {r.p50_ms:.0f} | {r.p50_ms / bare.p50_ms:.2f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker_designs",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", type=Path, help="a build's store directory")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times each worker answers every query (3, as the reference)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not (args.store / "CURRENT").is_file():
        parser.error(f"{args.store} is not a store directory (no CURRENT file in it)")
    from bench.load import typical_selects

    with tempfile.NamedTemporaryFile("w", suffix=".rq", delete=False,
                                     encoding="utf-8") as handle:
        handle.write("\n@@\n".join(typical_selects()))
        queries = Path(handle.name)
    try:
        results = [measure(design, args.store, queries, args.rounds) for design in DESIGNS]
    except RuntimeError as exc:  # what the process said on stderr is above
        parser.exit(1, f"{parser.prog}: {exc}\n")
    finally:
        queries.unlink(missing_ok=True)
    if args.json:
        print(json.dumps([{"design": r.design, "pss_mb": r.pss_mb, "total_mb": r.total_mb,
                           "p50_ms": r.p50_ms, "queries": len(r.times_ms)} for r in results]))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
