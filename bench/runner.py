"""One engine answering the plan, in its own process (`python -m bench.runner ENGINE ...`), so
each engine's memory and start-up are its own. Prints one JSON object on stdout.

Engines: `embedded` (the build's pyoxigraph store, as the API uses it), `rdflib` (rdflib's
Memory store and SPARQL engine: the naive baseline), `http` (Oxigraph's own server over the
SPARQL 1.1 Protocol, through the same RemoteStore the API uses for a remote endpoint)."""

from __future__ import annotations

import argparse
import inspect
import json
import time
from pathlib import Path

from bench.measure import summary_ms, timed
from bench.plan import reference, rendered
from graph.answers.check import check
from graph.answers.warm import warm
from graph.store.backends import Row, Store
from graph.store.named_queries import names


class RdflibStore:
    """rdflib's own SPARQL engine behind the Store protocol: the same named queries and the
    same check() code, on the library most Python RDF projects start with."""

    def __init__(self, path: Path):
        from rdflib import Dataset

        self.name = f"rdflib:{path}"
        self.cache: dict = {}
        # A dataset, not a Graph: the named queries that ask for GRAPH ?g need one.
        self.graph = Dataset()
        self.graph.parse(path, format="nt")

    def select(self, sparql: str) -> list[Row]:
        result = self.graph.query(sparql)
        keys = [str(v) for v in result.vars]
        return [{k: str(row[k]) for k in keys if row[k] is not None} for row in result]

    def ask(self, sparql: str) -> bool:
        return bool(self.graph.query(sparql).askAnswer)


def open_engine(engine: str, target: str) -> Store:
    if engine == "embedded":
        from graph.store.backends import EmbeddedStore

        return EmbeddedStore(Path(target))
    if engine == "http":
        from graph.store.backends import RemoteStore

        return RemoteStore(target, timeout=600)
    if engine == "rdflib":
        return RdflibStore(Path(target))
    raise SystemExit(f"unknown engine {engine!r}; use embedded, rdflib or http")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.runner")
    parser.add_argument("engine", choices=["embedded", "rdflib", "http"])
    parser.add_argument("target", help="store directory, N-Triples file or query URL")
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--count", type=int, default=200, help="most runs per measurement")
    parser.add_argument("--budget", type=float, default=3.0,
                        help="seconds per measurement; a slower engine is cut short (capped)")
    args = parser.parse_args()
    plan = json.loads(args.plan.read_text(encoding="utf-8"))
    out = Partial()
    out["engine"] = args.engine

    started = time.perf_counter()
    store = open_engine(args.engine, args.target)
    out["open_seconds"] = time.perf_counter() - started
    # Each question once: at small sizes the plan draws the same pair more than once, and a
    # repeat would be answered from the answer cache inside the first-time pass.
    checks = list({(c["product"], c["market"], c["lang"]): c for c in plan["checks"]}.values())

    def run_check(i: int, offset: int = 1) -> None:
        c = checks[(i + offset) % len(checks)]
        check(store, c["product"], c["market"], lang=c["lang"])

    # The first answer on a store nothing was read from yet: what a first request paid before
    # builds were warmed when switched to (kept for comparison, not served this way now).
    if args.engine != "rdflib":  # there reading the indexes twice would only eat its cap
        durations, _ = timed(lambda i: run_check(i, offset=0), 1, args.budget, warmup=0)
        out["first_answer_unwarmed"] = summary_ms(durations)
        store.cache.clear()
    # What the server does when it switches to a build, off the request path; then the first
    # answer after the switch, as a request gets it.
    started = time.perf_counter()
    warm(store)
    out["index_seconds"] = time.perf_counter() - started
    durations, _ = timed(lambda i: run_check(i, offset=0), 1, args.budget, warmup=0)
    out["first_answer"] = summary_ms(durations)

    count = min(args.count, len(checks) - 1)
    # First pass: each of the other pairs asked once (nothing cached for it yet); second:
    # asked again.
    durations, capped = timed(run_check, count, args.budget, warmup=0)
    out["check"] = summary_ms(durations) | {"capped": capped}
    # The same durations by kind of question (the i-th asked checks[(i + 1) % n]): the mix of
    # kinds differs by size (a small graph repeats its few records, and repeats are asked once),
    # so growth compares each kind with itself.
    by_kind: dict[str, list[float]] = {}
    for i, seconds in enumerate(durations):
        by_kind.setdefault(checks[(i + 1) % len(checks)].get("kind", "any"), []).append(seconds)
    out["check_by_kind"] = {kind: summary_ms(values) for kind, values in sorted(by_kind.items())}
    durations, capped = timed(run_check, len(durations), args.budget, warmup=0)
    out["check_repeat"] = summary_ms(durations) | {"capped": capped}
    out["check_as_of"] = as_of_checks(store, checks, count, args.budget)

    if args.engine == "embedded":
        raw = store.raw()  # type: ignore[attr-defined]
        durations, capped = timed(lambda i: list(raw.query(reference(checks[i % len(checks)]))),
                                  count, args.budget)
        out["reference"] = summary_ms(durations) | {"capped": capped}

    for name in names():
        rows: list[int] = []  # the first run's row count, kept rather than asked a second time

        def run(i: int, n: str = name, rows: list[int] = rows) -> None:
            found = store.select(rendered(plan, n, i))
            if not rows:
                rows.append(len(found))

        try:
            durations, capped = timed(run, args.count, args.budget, warmup=0)
        except Exception as exc:  # one engine failing one query is a row, not a lost run
            out.query(name, {"n": 0, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
            continue
        out.query(name, summary_ms(durations) | {"capped": capped, "rows": rows[0]})


AS_OF = "2019-06-30"  # a date inside the generated histories (2010s), so records are weighed


def as_of_checks(store: Store, checks: list[dict], count: int, budget: float) -> dict:
    """HOOK (issue 12 item 7): the check on a past date, with the answer's history, at every
    size, once the check takes `as_of` (the ANSWERS branch); until then the row says why it
    is empty. Pairs not asked on that date before, so nothing is cached for them."""
    if "as_of" not in inspect.signature(check).parameters:
        return {"n": 0, "skipped": "check() takes no as_of yet (issue 12 item 7)"}
    histories: list[int] = []

    def run(i: int) -> None:
        c = checks[(i + 1) % len(checks)]
        answer = check(store, c["product"], c["market"], lang=c["lang"], as_of=AS_OF)
        histories.append(len(answer.get("history") or ()))

    durations, capped = timed(run, count, budget, warmup=0)
    return summary_ms(durations) | {"capped": capped, "as_of": AS_OF,
                                    "with_history": sum(1 for h in histories if h > 1)}


class Partial(dict):
    """The results so far, each printed as a line when measured, so that an engine stopped
    at its cap (rdflib at 10^6) still reports what it finished."""

    def __setitem__(self, key: str, value: object) -> None:
        super().__setitem__(key, value)
        print(json.dumps({key: value}), flush=True)

    def query(self, name: str, value: dict) -> None:
        self.setdefault("queries", {})[name] = value
        print(json.dumps({"queries": {name: value}}), flush=True)


def collect(stdout: str) -> dict:
    """The runner's lines merged back into one result."""
    out: dict = {}
    for line in stdout.splitlines():
        if line.startswith("{"):
            for key, value in json.loads(line).items():
                if key == "queries":
                    out.setdefault("queries", {}).update(value)
                else:
                    out[key] = value
    return out


if __name__ == "__main__":
    main()
