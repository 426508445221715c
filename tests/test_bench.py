"""The benchmark suite's own parts: the plan asks every engine the same questions, the runner
measures every named query, and the report leads with the targets and says met or missed.
(The benchmark itself is `make bench`; tests never time things.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import report
from bench.measure import percentile
from bench.plan import make_plan, reference, rendered
from bench.runner import collect
from graph.build.builder import STORE_DIR, current_build
from graph.settings import Settings
from graph.store.named_queries import names

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def store_path(settings: Settings) -> Path:
    return current_build(settings) / STORE_DIR


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0


def test_plan_is_deterministic_and_covers_every_named_query(store_path: Path) -> None:
    plan = make_plan(store_path)
    assert plan == make_plan(store_path)
    assert set(plan["queries"]) == set(names())
    # Checks mix products with a record, members of a group with a record, and random pairs:
    # on the curated graph, wheat to China has its own record and beef to the UAE inherits
    # the record on meat.
    pairs = {(c["product"], c["market"]) for c in plan["checks"]}
    assert ("wheat", "CN") in pairs
    assert any(m == "AE" and p not in ("meat", "meat-products", "hen-eggs") for p, m in pairs)
    assert len({c["market"] for c in plan["checks"]}) > 4  # random pairs reach other markets
    for name in names():
        text = rendered(plan, name, 0)
        for param in plan["queries"][name][0]:
            assert f"${param}" not in text, f"{name}: ${param} was left unfilled"
    assert plan["queries"]["access_check"][0].keys() == {"products", "market", "exporter"}
    assert "<https://w3id.org/agrikg/product/" in reference(plan["checks"][0])


def test_runner_measures_the_check_the_reference_and_each_query(store_path: Path,
                                                                tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(make_plan(store_path)))
    done = subprocess.run([sys.executable, "-m", "bench.runner", "embedded", str(store_path),
                           "--plan", str(plan_file), "--count", "3", "--budget", "0.5"],
                          capture_output=True, text=True, cwd=PROJECT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = collect(done.stdout)
    assert out["check"]["n"] == 3 and out["check"]["p50"] > 0
    # The same checks by kind of question, every duration in one kind.
    assert sum(k["n"] for k in out["check_by_kind"].values()) == 3
    assert set(out["check_by_kind"]) <= {"record", "via", "random"}
    assert out["reference"]["n"] == 3
    assert set(out["queries"]) == set(names())
    # On the curated graph the check's named query finds records for its sampled pair.
    assert out["queries"]["access_check"]["rows"] >= 1


def _results(check: float, reference: float, access_rps: float, errors: int) -> dict:
    size = {"triples": 1, "file_mb": 1.0,
            "build": {"seconds": 20.0, "peak_rss_mb": 500.0},
            "raw_load_disk": {"seconds": 10.0, "peak_rss_mb": 400.0},
            "raw_load_memory": {"seconds": 3.0, "peak_rss_mb": 600.0},
            "engines": {"embedded": {"check": {"n": 9, "p50": check, "p99": check * 2},
                                     "reference": {"n": 9, "p50": reference, "p99": reference},
                                     "queries": {}}}}
    small = json.loads(json.dumps(size))
    small["engines"]["embedded"]["check"]["p50"] = check / 2
    load = {"trivial": {"rps": 1000.0, "p50": 1.0, "p90": 1.0, "p99": 2.0, "errors": 0, "workers": 1},
            "access": {"rps": access_rps, "p50": 1.0, "p90": 1.0, "p99": 2.0, "errors": errors,
                       "workers": 1, "memory_mb": {"rss": 200.0, "pss": 150.0}},
            "oxigraph": {"rps": 1000.0, "p50": 2.0, "p90": 1.0, "p99": 2.0, "errors": 0, "workers": 1},
            "sparql": {"rps": 1000.0, "p50": 2.5, "p90": 1.0, "p99": 2.0, "errors": 0, "workers": 1,
                       "memory_mb": {"rss": 200.0, "pss": 160.0}},
            "bare_store_mb": {"rss": 135.0, "pss": 120.0}}
    return {"meta": {"quick": False, "command": "python -m bench", "date": "d", "commit": "c",
                     "cpus": 2, "memory_gb": 24, "python": "3", "pyoxigraph": "0.5",
                     "rdflib": "7", "connections": 32, "load_seconds": 10},
            "sizes": {"10000": small, "1000000": size}, "target_size": 1_000_000, "load": load}


def test_targets_say_met_and_by_how_much_a_target_is_missed() -> None:
    results = _results(check=1.2, reference=1.0, access_rps=1600.0, errors=0)
    verdicts = {t["target"].split(" vs ")[0]: t for t in report.targets(results)}
    assert verdicts["access check p50"]["met"] is True
    assert verdicts["access check p50"]["ratio"] == pytest.approx(1.2)
    assert verdicts["/access requests/s"]["met"] is True
    assert verdicts["build with validation"]["ratio"] == pytest.approx(2.0)
    # PSS against the bare process's PSS (150 / 120), not its RSS (150 / 135 would flatter)
    assert verdicts["server memory answering /access (PSS of the process tree)"]["ratio"] == \
        pytest.approx(150 / 120)
    raw = verdicts["/access requests/s against a raw ASGI hello-world (the stack's own limit)"]
    assert raw["met"] is None and raw["verdict"] == "not measured"  # no raw-asgi run here

    results = _results(check=3.0, reference=1.0, access_rps=400.0, errors=5)
    verdicts = {t["target"].split(" vs ")[0]: t for t in report.targets(results)}
    assert verdicts["access check p50"]["verdict"] == "missed by 150%"  # 3.0 against 1.2
    assert verdicts["access check p50 under 1 ms"]["met"] is False
    assert verdicts["access check p50"]["change"] == "raised from ≤ 1.5x"
    assert verdicts["/access requests/s"]["verdict"] == "missed by 73% of the limit"  # 0.4 / 1.5
    assert verdicts["/access errors under load"]["met"] is False


def test_growth_compares_each_kind_of_question_with_itself() -> None:
    """The mix of kinds differs by size; growth is the worst kind's, each kind against itself:
    a whole-mix p50 that moved from fast unknown pairs (0.1 ms) to pairs with records (1 ms)
    is not a 10x growth."""
    results = _results(check=1.0, reference=1.0, access_rps=1600.0, errors=0)
    big = results["sizes"]["1000000"]["engines"]["embedded"]
    small = results["sizes"]["10000"]["engines"]["embedded"]
    small["check"]["p50"] = 0.1
    big["check_by_kind"] = {"record": {"n": 3, "p50": 1.0}, "random": {"n": 3, "p50": 0.09}}
    small["check_by_kind"] = {"record": {"n": 1, "p50": 0.8}, "random": {"n": 5, "p50": 0.06}}
    [growth] = [t for t in report.targets(results) if "growth 10,000" in t["target"]
                and "asked again" not in t["target"]]
    assert growth["ratio"] == pytest.approx(1.5) and growth["met"] is True  # random: 0.09 / 0.06
    assert "worst: any pair" in growth["target"] and "a record on the product 1.25x" in \
        growth["reference_name"]
    del big["check_by_kind"]  # a run from before the plan had kinds: the whole mix, as before
    [growth] = [t for t in report.targets(results) if "growth 10,000" in t["target"]
                and "asked again" not in t["target"]]
    assert growth["ratio"] == pytest.approx(10.0) and growth["met"] is False


def test_report_leads_with_the_targets_table(tmp_path: Path) -> None:
    results = _results(check=1.2, reference=1.0, access_rps=1600.0, errors=0)
    results["targets"] = report.targets(results)
    paths = report.write(results, tmp_path)
    text = paths[0].read_text(encoding="utf-8")
    first_table = text.index("| target | measured |")
    assert first_table < text.index("## Build")
    assert "**met**" in text
    assert json.loads(paths[1].read_text())["target_size"] == 1_000_000
    assert paths[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_help_explains_the_modes() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "--help"], capture_output=True,
                          text=True, cwd=PROJECT, check=False)
    assert done.returncode == 0
    assert "--quick" in done.stdout and "--sizes" in done.stdout


def test_worker_designs_measures_each_design_over_the_store(store_path: Path) -> None:
    """The probe behind bench/NOTES.md's figures for the query workers: every design answers
    every query in each of its workers and is measured process by process."""
    done = subprocess.run([sys.executable, "-m", "bench.worker_designs", str(store_path),
                           "--rounds", "1", "--json"], capture_output=True, text=True,
                          cwd=PROJECT, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    results = {r["design"]: r for r in json.loads(done.stdout)}
    assert list(results) == ["bare", "spawned", "zygote", "per query"]
    queries = results["bare"]["queries"]
    assert queries == 30  # 10 markets x 3 languages
    # Processes measured, and queries answered: two workers (and a standby, or the zygote they
    # were forked from) answer every query each; a child per query leaves only its parent.
    assert {d: (len(r["pss_mb"]), r["queries"]) for d, r in results.items()} == {
        "bare": (1, queries), "spawned": (3, 2 * queries), "zygote": (3, 2 * queries),
        "per query": (1, queries)}
    assert all(mb > 1 for r in results.values() for mb in r["pss_mb"])


def test_worker_designs_refuses_a_directory_that_is_no_store(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bench.worker_designs", str(tmp_path)],
                          capture_output=True, text=True, cwd=PROJECT, check=False)
    assert done.returncode == 2
    assert "is not a store directory" in done.stderr and "Traceback" not in done.stderr
