"""Build time and peak memory: `agrikg build --from FILE` (parse, validate as SPARQL on the
store, index, dumps) against pyoxigraph's raw `Store.load` of the same file, each in a fresh
process measured whole (start-up included on both sides)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from bench.measure import BIN, Finished, run_child

RAW_LOAD = ("import sys, pyoxigraph; "
            "store = pyoxigraph.Store(sys.argv[1]) if sys.argv[1] != '-' else pyoxigraph.Store(); "
            "store.load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_TRIPLES); "
            "store.flush() if sys.argv[1] != '-' else None; print(len(store))")


def _row(done: Finished) -> dict:
    if done.returncode != 0:
        raise RuntimeError(f"benchmark step failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"seconds": done.seconds, "peak_rss_mb": done.peak_rss_mb}


def raw_load(file: Path, on_disk: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="agrikg-bench-") as tmp:
        target = str(Path(tmp) / "store") if on_disk else "-"
        done = run_child([str(BIN / "python"), "-c", RAW_LOAD, target, str(file)])
        return _row(done) | {"triples": int(done.stdout.strip() or 0)}


def our_build(file: Path, home: Path) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    done = run_child([str(BIN / "agrikg"), "build", "--from", str(file)],
                     env={"AGRIKG_HOME": str(home)})
    info = json.loads((home / "current" / "build.json").read_text(encoding="utf-8"))
    return _row(done) | {"triples": info.get("triples"), "phases": info.get("phases", {}),
                         "in_process_seconds": info.get("seconds")}


def measure_build(file: Path, home: Path, runs: int = 1) -> dict:
    """Median of `runs` of each (the order alternates so that neither always runs warm)."""
    ours, disk, memory = [], [], []
    for _ in range(runs):
        disk.append(raw_load(file, on_disk=True))
        ours.append(our_build(file, home))
        memory.append(raw_load(file, on_disk=False))

    def median(rows: list[dict]) -> dict:
        return sorted(rows, key=lambda r: r["seconds"])[len(rows) // 2] | {
            "runs": [round(r["seconds"], 3) for r in rows]}

    return {"build": median(ours), "raw_load_disk": median(disk), "raw_load_memory": median(memory)}
