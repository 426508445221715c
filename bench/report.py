"""The benchmark's outputs: REPORT.md (led by the targets, each a ratio to a reference measured
in the same run, met or missed), results.json (every figure) and latency.png."""

from __future__ import annotations

import json
import math
from pathlib import Path

NOTES = Path(__file__).parent / "NOTES.md"
MISSING = float("nan")


def _get(tree: dict | None, *keys: str) -> float:
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return MISSING
        tree = tree[key]
    return tree if isinstance(tree, int | float) else MISSING


def _target(name: str, measured: float, reference: float, limit: float | None, unit: str,
            reference_name: str, higher_is_better: bool = False, absolute: bool = False,
            change: str = "") -> dict:
    """One target. `absolute`: the measured value itself is held to the limit. `limit` None:
    reported beside its reference, with no limit set. `change` says how the limit came to be
    (raised from an earlier one, or new) and is shown with it."""
    ratio = measured if absolute else (measured / reference if reference else MISSING)
    if limit is None:
        met = None
        verdict = "reported (no limit)" if not math.isnan(ratio) else "not measured"
    else:
        met = None if math.isnan(ratio) else ratio >= limit if higher_is_better else ratio <= limit
        if met is False and higher_is_better:
            verdict = f"missed by {1 - ratio / limit:.0%} of the limit"
        elif met is False:
            verdict = f"missed by {ratio / limit - 1:.0%}" if limit else f"missed ({ratio:g})"
        else:
            verdict = {True: "met", None: "not measured"}[met]
    return {"target": name, "measured": measured, "reference": reference, "unit": unit,
            "reference_name": reference_name, "ratio": ratio, "limit": limit,
            "higher_is_better": higher_is_better, "absolute": absolute, "met": met,
            "verdict": verdict, "change": change}


def _answered_p50(lo: dict, name: str) -> float:
    """A load run's p50, or missing when no request of it was answered (wrk then says 0)."""
    run = lo.get(name) or {}
    if not run.get("requests") or run.get("errors", 0) >= run.get("requests", 0):
        return MISSING
    return _get(lo, name, "p50")


KINDS = {"record": "a record on the product", "via": "a broader product's record",
         "random": "any pair (mostly no record)"}


def _growth_by_kind(big: dict, small: dict, smallest: int, at: int, check: float,
                    check_small: float) -> dict:
    """The check's growth, kind of question by kind (the worst kind decides): the plan's mix of
    kinds differs by size, so the p50 of the whole mix moves with the mix. A run measured
    before the plan had kinds falls back to the whole mix."""
    grown = {kind: (_get(big, "check_by_kind", kind, "p50"),
                    _get(small, "check_by_kind", kind, "p50")) for kind in KINDS}
    grown = {k: (b, s) for k, (b, s) in grown.items() if b == b and s == s and s}
    name = f"access check p50 growth {smallest:,} -> {at:,} triples"
    if not grown:
        return _target(name, check, check_small, 2.0, "ms", "p50 at the smallest size",
                       change="raised from ≤ 3x")
    kind = max(grown, key=lambda k: grown[k][0] / grown[k][1])
    others = "; ".join(f"{KINDS[k]} {b / s_:.2f}x" for k, (b, s_) in grown.items())
    return _target(f"{name}, the same kind of question at both sizes (worst: {KINDS[kind]})",
                   grown[kind][0], grown[kind][1], 2.0, "ms",
                   f"p50 of that kind at the smallest size; by kind: {others}",
                   change="raised from ≤ 3x; by kind since this run")


def targets(results: dict) -> list[dict]:
    sizes = results["sizes"]
    at = str(results["target_size"])
    smallest = min(int(s) for s in sizes)
    big, small = sizes.get(at, {}), sizes.get(str(smallest), {})
    emb = big.get("engines", {}).get("embedded", {})
    check = _get(emb, "check", "p50")
    out = [
        _target("access check p50 vs the best hand-written pyoxigraph query", check,
                _get(emb, "reference", "p50"), 1.2, "ms", "bench/queries/access_reference.rq",
                change="raised from ≤ 1.5x"),
        _target("access check p50 under 1 ms", check, MISSING, 1.0, "ms", "1 ms", absolute=True,
                change="raised from ≤ 2 ms"),
        _growth_by_kind(emb, small.get("engines", {}).get("embedded", {}), smallest, int(at),
                        check, _get(small, "engines", "embedded", "check", "p50")),
        _target("first answer after a build is switched to vs later first-time answers "
                "(within their p99)", _get(emb, "first_answer", "p50"), _get(emb, "check", "p99"),
                1.0, "ms", "p99 of the first-time checks after it", change="new"),
        _target("build with validation vs raw pyoxigraph Store(path).load", _get(big, "build", "seconds"),
                _get(big, "raw_load_disk", "seconds"), 3.0, "s", "raw on-disk load"),
    ]
    repeat = _get(emb, "check_repeat", "p50")
    out += [
        _target("access check p50, asked again (answers kept per build), under 2 ms", repeat,
                MISSING, 2.0, "ms", "2 ms", absolute=True),
        _target(f"access check p50 growth, asked again, {smallest:,} -> "
                f"{int(at):,}", repeat, _get(small, "engines", "embedded", "check_repeat", "p50"),
                3.0, "ms", "p50 at the smallest size"),
    ]
    as_of = emb.get("check_as_of", {})
    if as_of.get("n"):
        out.append(_target(f"access check with as_of ({as_of.get('as_of')}) p50 vs the check "
                           "today", as_of["p50"], check, 1.5, "ms", "access check p50",
                           change="new (issue 12 item 7)"))
    lo = results.get("load") or {}
    out += [
        _target("/access requests/s vs a trivial FastAPI endpoint", _get(lo, "access", "rps"),
                _get(lo, "trivial", "rps"), 1.5, "req/s", "trivial endpoint", higher_is_better=True,
                change="raised from ≥ 0.8x"),
        _target("/access requests/s against a raw ASGI hello-world (the stack's own limit)",
                _get(lo, "access", "rps"), _get(lo, "raw-asgi", "rps"), None, "req/s",
                "bench/trivial_app.py:raw, served the same way", higher_is_better=True,
                change="new, reported"),
        _target("/access errors under load", _get(lo, "access", "errors"), MISSING, 0, "errors",
                "zero", absolute=True),
        _target("/sparql p50 vs Oxigraph's own server (same query, SPARQL JSON)",
                _answered_p50(lo, "sparql"), _answered_p50(lo, "oxigraph"), 1.5, "ms",
                "oxigraph serve-read-only /query"),
        _target("/sparql p50 with the answer cache off vs Oxigraph's own server",
                _answered_p50(lo, "sparql-uncached"), _answered_p50(lo, "oxigraph"), 1.2, "ms",
                "oxigraph serve-read-only /query", change="raised from ≤ 1.5x"),
    ]
    for t, name in ((out[-2], "sparql"), (out[-1], "sparql-uncached")):
        run = lo.get(name) or {}
        if run.get("requests") and run.get("errors", 0) >= run["requests"]:
            t["met"] = False
            t["verdict"] = (f"missed: none of its {run['requests']} requests answered in time "
                            f"({run['errors']} errors: {run.get('errors_by_kind', {})})")
    bare = _bare_store(lo)
    out.append(_target("server memory answering /access (PSS of the process tree) vs the "
                       "store's own", _get(lo, "access", "memory_mb", "pss"), bare["pss"], 1.5,
                       "MB", BARE_REFERENCE,
                       change="measured without query workers: they start on the first /sparql; "
                              "PSS against PSS since this run (the bare process's RSS before)"))
    sparql_mem = max(_get(lo, "sparql", "memory_mb", "pss"),
                     _get(lo, "sparql-uncached", "memory_mb", "pss"))
    out.append(_target("server memory after /sparql load, query workers running, vs the "
                       "store's own", sparql_mem, bare["pss"], 1.5, "MB", BARE_REFERENCE,
                       change="the other half of the earlier definition, which took the larger"))
    out.append(_target("server memory once the query workers have stopped "
                       "(AGRIKG_QUERY_IDLE, after the cache-off /sparql load) vs the store's own",
                       _get(lo, "sparql-uncached", "memory_idle_mb", "pss"), bare["pss"], None,
                       "MB", BARE_REFERENCE, change="new, reported"))
    out.append(_target("server memory after /sparql load, query workers running, against "
                       "Oxigraph's own server after the same load", sparql_mem,
                       _get(lo, "oxigraph", "memory_mb", "pss"), None, "MB",
                       "oxigraph serve-read-only, PSS", change="new, reported"))
    server = max(_get(lo, "access", "memory_mb", "pss"), sparql_mem)
    out.append(_target("server memory (the larger of /access and /sparql) vs the same graph in "
                       "an in-memory pyoxigraph store", server,
                       _get(big, "raw_load_memory", "peak_rss_mb"), 1.5, "MB",
                       "peak RSS of Store().load"))
    return out


BARE_REFERENCE = "a bare process holding the same on-disk store, same SELECTs, PSS"


def _bare_store(lo: dict) -> dict[str, float]:
    """The bare store process's memory; a results.json from before PSS was taken has RSS only."""
    if "bare_store_mb" in lo:
        return lo["bare_store_mb"]
    return {"rss": lo.get("bare_store_rss_mb", MISSING), "pss": MISSING}


def _fmt(value: float, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "req/s" or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def targets_table(rows: list[dict]) -> str:
    lines = ["| target | measured | reference | ratio | limit | verdict |",
             "|---|---|---|---|---|---|"]
    for t in rows:
        sign = "≥" if t["higher_is_better"] else "≤"
        ratio = "—" if t["absolute"] else _fmt(t["ratio"]) + "x"
        if t["limit"] is None:
            limit = "—"
        else:
            limit = f"{sign} {t['limit']:g}" + ("" if t["absolute"] else "x")
            if t["absolute"]:
                limit += f" {t['unit']}"
        if t.get("change"):
            limit += f" ({t['change']})"
        verdict = {"met": "**met**"}.get(t["verdict"], t["verdict"])
        lines.append(f"| {t['target']} | {_fmt(t['measured'], t['unit'])} | "
                     f"{_fmt(t['reference'], t['unit'])} ({t['reference_name']}) | {ratio} | "
                     f"{limit} | {verdict} |")
    return "\n".join(lines)


def _engine_cell(engines: dict, engine: str, *keys: str) -> str:
    e = engines.get(engine, {})
    if e.get("skipped"):
        return "skipped"
    node = e
    for key in keys:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    if node.get("error"):
        return "failed (results.json says why)"
    if not node or not node.get("n"):
        return f"capped (process stopped at {e['cap_seconds']:.0f} s)" if e.get("capped") else "—"
    cell = f"{node['p50']:.2f} / {node['p99']:.2f}"
    return cell + (" (capped)" if node.get("capped") else "")


def _size_tables(results: dict) -> list[str]:
    sizes = results["sizes"]
    lines = ["## Build: `agrikg build --from FILE` against pyoxigraph's raw load", "",
             "| triples | file MB | build s | raw Store(path).load s | ratio | in-memory Store().load s "
             "| build peak MB | raw load peak MB | phases (load / index / validate / dumps s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size, r in sizes.items():
        b, d, m = r["build"], r["raw_load_disk"], r["raw_load_memory"]
        ph = b.get("phases", {})
        phases = " / ".join(f"{ph[k]:.1f}" for k in ("load", "index", "validate", "dumps") if k in ph)
        lines.append(f"| {int(size):,} ({r['triples']:,}) | {r['file_mb']:.0f} | {b['seconds']:.1f} | "
                     f"{d['seconds']:.1f} | {b['seconds'] / d['seconds']:.2f}x | {m['seconds']:.1f} | "
                     f"{b['peak_rss_mb']:.0f} | {d['peak_rss_mb']:.0f} | {phases} |")
    lines += ["", "## The access check and each named query: p50 / p99 ms", "",
              "Embedded = the build's pyoxigraph store as the API uses it; HTTP = the same "
              "named queries sent to `oxigraph serve-read-only` over loopback; rdflib = rdflib's "
              "Memory store and SPARQL engine (capped: each measurement stops after its time "
              "budget; a load past its cap is marked). The warm-up (`graph.answers.warm`: "
              "the per-build indexes, the record index by pair, the source statements) runs "
              "when a build is switched to, off the request path; the first answer after it "
              "is its own row (one sample, p50 = p99). `check` then asks each other pair once; "
              "`check, asked again` repeats the same pairs (answers cached per build).", ""]
    for size, r in sizes.items():
        engines = r["engines"]
        lines += [f"### {int(size):,} triples", "",
                  "| measurement | embedded | HTTP (Oxigraph server) | rdflib Memory | "
                  "rdflib / embedded (p50) |", "|---|---|---|---|---|"]
        rows = [("first answer after the build is switched to (warmed off the request path)",
                 ("first_answer",)),
                ("first answer on a store nothing was read from (no warm-up; for comparison)",
                 ("first_answer_unwarmed",)),
                ("access check", ("check",)),
                *((f"access check: {words}", ("check_by_kind", kind)) for kind, words in KINDS.items()),
                ("access check, asked again", ("check_repeat",)),
                ("access check with as_of and its history (hook: issue 12 item 7)",
                 ("check_as_of",)),
                ("hand-written reference query", ("reference",))]
        rows += [(f"`{name}`", ("queries", name))
                 for name in sorted(engines.get("embedded", {}).get("queries", {}))]
        for label, keys in rows:
            if keys == ("reference",):  # hand-written for pyoxigraph: run on the embedded store only
                lines.append(f"| {label} | {_engine_cell(engines, 'embedded', *keys)} | — | — | — |")
                continue
            ratio = _get(engines.get("rdflib"), *keys, "p50") / _get(engines.get("embedded"), *keys, "p50")
            lines.append(f"| {label} | {_engine_cell(engines, 'embedded', *keys)} | "
                         f"{_engine_cell(engines, 'http', *keys)} | "
                         f"{_engine_cell(engines, 'rdflib', *keys)} | "
                         f"{'—' if math.isnan(ratio) else f'{ratio:,.0f}x'} |")
        skipped = engines.get("embedded", {}).get("check_as_of", {}).get("skipped")
        if skipped:
            lines += ["", f"The as_of row is empty: {skipped}."]
        opened = " ".join(f"{name}: open {e['open_seconds']:.1f} s + warm-up "
                          + (f"{e['index_seconds']:.1f} s" if "index_seconds" in e
                             else "not finished (capped)")
                          + f", peak {e['peak_rss_mb']:.0f} MB;"
                          for name, e in engines.items() if "open_seconds" in e)
        lines += ["", f"Start-up: {opened}", ""]
    return lines


def _load_tables(results: dict) -> list[str]:
    lo = results.get("load")
    if not lo:
        return ["## The API under load", "", "Not run (`--skip-load`, or wrk missing).", ""]
    meta = results["meta"]
    per_cpu = meta.get("sparql_connections", 0) // (meta.get("cpus") or 1)
    sparql_note = (f"the /sparql scenarios {meta['sparql_connections']}, {per_cpu} per CPU: as many "
                   f"typical SELECTs at once as /access requests would measure only the queue"
                   if meta.get("sparql_connections") else "all scenarios")
    lines = ["## The API under load", "",
             f"wrk, one thread, {meta['connections']} connections ({sparql_note}), "
             f"{meta['load_seconds']:g} s "
             f"per scenario after an uncounted warm-up, loopback, graph of "
             f"{results['target_size']:,} triples. Before wrk, every distinct request is "
             f"asked once (the first-time cost is the library table's); `-uncached` runs have "
             f"the answer cache off (`AGRIKG_ANSWER_CACHE=false`). Memory is the server's "
             f"process tree (main process, uvicorn workers, query workers) after the run.", "",
             "| scenario | workers | connections | req/s | p50 ms | p90 ms | p99 ms | errors | RSS MB "
             "| PSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in lo.items():
        if not isinstance(r, dict) or "rps" not in r:  # the bare store's memory, not a scenario
            continue
        mem = r.get("memory_mb", {})
        lines.append(f"| {name} | {r['workers']} | {r.get('connections', '')} | {r['rps']:,.0f} | "
                     f"{r['p50']:.2f} | "
                     f"{r['p90']:.2f} | {r['p99']:.2f} | {r['errors']} | {mem.get('rss', 0):.0f} | "
                     f"{mem.get('pss', 0):.0f} |")
    bare = _bare_store(lo)
    lines += ["", f"A bare process holding the same store and running the same SELECTs: "
              f"{bare['rss']:.0f} MB RSS, {bare['pss']:.0f} MB PSS.", "",
              "### Scale-out: the same API as stateless workers over one Oxigraph server", "",
              "| route | 1 worker req/s | 2 workers req/s | 2 / 1 |", "|---|---|---|---|"]
    for route in ("access", "sparql"):
        one, two = lo.get(f"{route}-remote-1w"), lo.get(f"{route}-remote-2w")
        if one and two and one["rps"]:  # a run too short for one answer has no ratio
            lines.append(f"| /{route} | {one['rps']:,.0f} | {two['rps']:,.0f} | "
                         f"{two['rps'] / one['rps']:.2f}x |")
    trivial1, trivial2 = lo.get("trivial"), lo.get("trivial-2w")
    if trivial1 and trivial2 and trivial1["rps"]:
        lines.append(f"| trivial endpoint (the machine's own ceiling) | {trivial1['rps']:,.0f} | "
                     f"{trivial2['rps']:,.0f} | {trivial2['rps'] / trivial1['rps']:.2f}x |")
    return [*lines, ""]


def markdown(results: dict) -> str:
    meta = results["meta"]
    quick = " (quick mode: small sizes, short runs)" if meta["quick"] else ""
    head = [f"# agrikg benchmark{quick}", "",
            f"`{meta['command']}` on {meta['date']}, commit {meta['commit']}: {meta['cpus']} CPUs, "
            f"{meta['memory_gb']} GB, Python {meta['python']}, pyoxigraph {meta['pyoxigraph']}, "
            f"rdflib {meta['rdflib']}. Graphs from `agrikg generate` (seed 42). Every ratio is to "
            f"a reference measured in the same run; absolute times drift from run to run and "
            f"machine to machine, the ratios much less.", "",
            f"## Targets at {results['target_size']:,} triples", "",
            *(["Quick mode holds the same limits at the largest size it runs, from shorter "
               "runs (fewer samples, 1 s load runs): a verdict means what it means in the full "
               "run, at that size.", ""] if meta["quick"] else []),
            f"Load average (1, 5, 15 min) when the run began: "
            f"{meta.get('load_average_start', '—')}; when it ended: "
            f"{meta.get('load_average', '—')} ({meta['cpus']} CPUs, shared with other work: "
            f"the ratios to references measured in the same run are what counts).", "",
            targets_table(results["targets"]), ""]
    notes = NOTES.read_text(encoding="utf-8").strip().splitlines() if NOTES.is_file() else []
    return "\n".join([*head, *_size_tables(results), *_load_tables(results), *notes, ""])


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(int(s) for s in results["sizes"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    series = [("embedded", ("check",), "access check, embedded", "-o"),
              ("embedded", ("reference",), "hand-written reference query", "--o"),
              ("http", ("check",), "access check, HTTP (Oxigraph server)", "-s"),
              ("rdflib", ("check",), "access check, rdflib Memory", "-^"),
              ("embedded", ("queries", "products_for_market"), "products_for_market, embedded", ":o"),
              ("rdflib", ("queries", "products_for_market"), "products_for_market, rdflib", ":^")]
    for engine, keys, label, style in series:
        xs, ys = [], []
        for size in sizes:
            value = _get(results["sizes"][str(size)]["engines"].get(engine), *keys, "p50")
            if not math.isnan(value):
                xs.append(size)
                ys.append(value)
        if xs:
            left.plot(xs, ys, style, label=label)
    left.set(xscale="log", yscale="log", xlabel="triples", ylabel="p50 latency (ms)",
             title="Query latency against graph size")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    for key, label, style in (("build", "agrikg build --from (validated)", "-o"),
                              ("raw_load_disk", "raw Store(path).load", "--s"),
                              ("raw_load_memory", "raw in-memory Store().load", ":^")):
        right.plot(sizes, [results["sizes"][str(s)][key]["seconds"] for s in sizes], style,
                   label=label)
    right.set(xscale="log", yscale="log", xlabel="triples", ylabel="seconds",
              title="Build time against graph size")
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "REPORT.md", out / "results.json", out / "latency.png"]
    paths[0].write_text(markdown(results), encoding="utf-8")
    paths[1].write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    plot(results, paths[2])
    return paths
