"""`make bench` / `make bench-quick`: the benchmark suite (`python -m bench --help`).

One run measures, side by side on this machine: building the graph against pyoxigraph's raw
load; the access check and every named query on the embedded store, on rdflib's Memory store
(the naive baseline, capped in time) and over HTTP against Oxigraph's own server; the API under
concurrent load against a trivial FastAPI endpoint and against Oxigraph's server; 1 against 2
workers over one remote server. It writes REPORT.md (led by the targets and their ratios), a
JSON file with every figure, and a PNG plot of latency against size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench import build_bench, load, report
from bench.data import dataset, written_triples
from bench.measure import BIN, PROJECT, free_port, run_child, server
from bench.plan import make_plan, save
from bench.runner import collect

console = Console(stderr=True)
FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
# The environment that switches the API's answer cache off, for the uncached comparison.
ANSWER_CACHE_OFF = {"AGRIKG_ANSWER_CACHE": "false"}


def _sizes(text: str) -> tuple[int, ...]:
    try:
        return tuple(sorted({int(float(part)) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are numbers like 1e4,1e5,1e6, not {text!r}") from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  python -m bench --quick            # < 2 min, 10^4 and 10^5\n"
               "  python -m bench                    # 10^4, 10^5, 10^6 (about 10 min)\n"
               "  python -m bench --sizes 1e4,1e5,1e6,1e7   # with 10^7 (needs ~16 GB free)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and short runs: the same code in under 2 minutes")
    parser.add_argument("--sizes", type=_sizes, help="graph sizes in triples, e.g. 1e4,1e5,1e6")
    parser.add_argument("--out", type=Path, help="where the report goes "
                        "(default bench/results, or bench/results/quick with --quick)")
    parser.add_argument("--work", type=Path, default=PROJECT / "var" / "bench",
                        help="generated graphs, builds and logs (default var/bench)")
    parser.add_argument("--load-seconds", type=float, help="seconds per load scenario")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--rdflib-max", type=_sizes, default=None,
                        help="largest size rdflib is run at (default 1e6; 1e5 with --quick)")
    parser.add_argument("--skip-load", action="store_true", help="leave out the API load runs")
    parser.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                        help="measure nothing: write the report again from a results.json "
                             "(after editing bench/NOTES.md)")
    return parser.parse_args(argv)


class Clock:
    """Progress lines with the time since the run began."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        console.print(f"[dim]{time.monotonic() - self.started:7.1f} s[/dim]  {message}")


def run_engine(engine: str, target: str, plan_file: Path, count: int, budget: float,
               timeout: float | None = None) -> dict:
    done = run_child([str(BIN / "python"), "-m", "bench.runner", engine, target,
                      "--plan", str(plan_file), "--count", str(count), "--budget", str(budget)],
                     timeout=timeout)
    result = collect(done.stdout) | {"peak_rss_mb": done.peak_rss_mb, "wall_seconds": done.seconds}
    if done.timed_out:
        return result | {"engine": engine, "capped": True, "cap_seconds": timeout}
    if done.returncode != 0:
        raise RuntimeError(f"{engine} runner failed: {done.stderr[-3000:]}")
    return result


def measure_size(size: int, args: argparse.Namespace, clock: Clock) -> tuple[dict, dict, Path]:
    work = args.work
    clock(f"[bold]{size:,} triples[/bold]: generating the graph")
    file = dataset(work / "data", size)
    home = work / f"home-{size}"
    runs = 1 if args.quick or size > 100_000 else 3
    clock(f"{size:,}: build (agrikg build --from) against raw pyoxigraph load, {runs} run(s)")
    result: dict = {"triples": written_triples(file), "file_mb": file.stat().st_size / 1e6}
    result |= build_bench.measure_build(file, home, runs=runs)
    store = (home / "current").resolve() / "store"
    plan = make_plan(store)
    plan_file = work / f"plan-{size}.json"
    save(plan, plan_file)
    count, budget = (60, 0.3) if args.quick else (200, 3.0)
    engines: dict = {}
    clock(f"{size:,}: access check and named queries on the embedded store")
    engines["embedded"] = run_engine("embedded", str(store), plan_file, count, budget)
    clock(f"{size:,}: the same over HTTP against Oxigraph's own server")
    port = free_port()
    with server([str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind",
                 f"127.0.0.1:{port}"], f"http://127.0.0.1:{port}/",
                log=work / f"oxigraph-{size}.log"):
        engines["http"] = run_engine("http", f"http://127.0.0.1:{port}/query", plan_file,
                                     count, budget)
    rdflib_max = (args.rdflib_max or ((10_000,) if args.quick else (1_000_000,)))[-1]
    if size <= rdflib_max:
        cap = 20 if args.quick else 240
        clock(f"{size:,}: the same on rdflib's Memory store (capped at {cap} s)")
        engines["rdflib"] = run_engine("rdflib", str(file), plan_file, count // 4 or 1,
                                       budget, timeout=cap)
    else:
        engines["rdflib"] = {"engine": "rdflib", "skipped": f"above --rdflib-max {rdflib_max:,}"}
    result["engines"] = engines
    return result, plan, home


def meta(args: argparse.Namespace) -> dict:
    import psutil
    import pyoxigraph
    import rdflib

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=PROJECT, check=False).stdout.strip()
    return {"date": datetime.now(UTC).replace(microsecond=0).isoformat(), "commit": commit,
            "quick": args.quick, "cpus": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
            "rdflib": rdflib.__version__, "connections": args.connections,
            "sparql_connections": load.sparql_connections(),
            "load_seconds": args.load_seconds, "command": " ".join(["python -m bench", *sys.argv[1:]])}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
        results["targets"] = report.targets(results)
        report.write(results, args.out or args.render.parent)
        console.print(report.targets_table(results["targets"]))
        return 0
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    args.load_seconds = args.load_seconds or (1.0 if args.quick else 10.0)
    out = args.out or (PROJECT / "bench" / "results" / ("quick" if args.quick else ""))
    clock = Clock()
    results: dict = {"meta": meta(args), "sizes": {}, "load": None}
    results["meta"]["load_average_start"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    plan = home = None
    for size in sizes:
        results["sizes"][str(size)], plan, home = measure_size(size, args, clock)
    target_size = max(s for s in sizes if s <= 1_000_000) if any(s <= 1_000_000 for s in sizes) \
        else sizes[0]
    results["target_size"] = target_size
    if not args.skip_load:
        if not load.wrk_available():
            console.print("[red]wrk is not installed (apt-get install wrk, or `make bench` "
                          "installs it); the load runs are left out[/red]")
        else:
            plan = json.loads((args.work / f"plan-{target_size}.json").read_text())
            home = args.work / f"home-{target_size}"
            results["load"] = load.measure_load(plan, home, args.load_seconds, args.connections,
                                                args.work / "logs", ANSWER_CACHE_OFF, clock)
    (args.work / "results-partial.json").write_text(json.dumps(results, default=str))
    results["meta"]["load_average"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    results["targets"] = report.targets(results)
    paths = report.write(results, out)
    shown = [str(p.relative_to(PROJECT)) if p.is_relative_to(PROJECT) else str(p) for p in paths]
    clock(f"wrote {', '.join(shown)}")
    console.print(report.targets_table(results["targets"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
