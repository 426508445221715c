"""Rebuilds under load lose nothing: while clients loop over /access, /sparql (queries that take
seconds among them), /dumps and /health, five rebuilds in a row (`agrikg build` and `agrikg
build --from`, with AGRIKG_KEEP_BUILDS=1) cost no request: no 5xx, none hanging, every answer
wholly from the build named in its `Agrikg-Build` header, queries in flight finished on the
build they started on. A corrupt or unreadable build made current is never switched to, and a
build that is read is never pruned."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from graph.build.builder import build, current_build
from graph.settings import Settings
from graph.store.backends import open_store
from graph.store.pins import LOCK_FILE
from tests.helpers.builds import point_current, serve_copy
from tests.helpers.env import clean_env
from tests.helpers.servers import BIN, start_api, until

BUILD = "Agrikg-Build"
QUESTIONS = [{"product": "1001", "market": "CN"}, {"product": "0204", "market": "IR"},
             {"product": "0409", "market": "DE"}]
MODIFIED = ("SELECT ?modified WHERE { <https://w3id.org/agrikg/dataset> "
            "<http://purl.org/dc/terms/modified> ?modified }")
SLOW_SIDE = 3000  # rows on each side of a cross join: 9 million solutions, a second or more
PAUSE = 0.05  # between two requests of one client: busy, but leaving the builds some CPU


def _slow(i: int) -> str:
    """A query that takes seconds on any build of at least SLOW_SIDE triples; the answer is
    known. Each text differs, so it is never served from the answer cache."""
    return (f"SELECT (COUNT(*) AS ?n{i}) WHERE {{ {{ SELECT ?a WHERE {{ ?a ?b ?c }} LIMIT "
            f"{SLOW_SIDE} }} {{ SELECT ?d WHERE {{ ?d ?e ?f }} LIMIT {SLOW_SIDE} }} }}")


def _env(home: Path) -> dict[str, str]:
    return clean_env(home=str(home), keep_builds="1")


@pytest.fixture(scope="module")
def served(settings: Settings, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Settings, str]]:
    """A home of its own serving a copy of the session's build, with AGRIKG_KEEP_BUILDS=1 and a
    time limit long enough for the slow queries."""
    home = tmp_path_factory.mktemp("rebuild-home")
    first = current_build(settings)
    serve_copy(first, home, first.name)
    mine = Settings(home=home, endpoint=None, keep_builds=1)
    yield from ((mine, base) for base in start_api(mine, extra_env={
        "AGRIKG_KEEP_BUILDS": "1", "AGRIKG_QUERY_TIMEOUT": "60", "AGRIKG_SPARQL_WORKERS": "3"}))


def _serving(base: str) -> str:
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
        response = client.get("/health")
        assert response.status_code == 200, response.text
        return response.headers[BUILD]



# -- the load -----------------------------------------------------------------------------------

@dataclass
class Answer:
    route: str
    status: int
    build: str | None
    body: bytes
    question: str
    served_before: int = 0  # how many builds had been served when it was asked / answered
    served_after: int = 0


@dataclass
class Load:
    base: str
    stop: threading.Event = field(default_factory=threading.Event)
    answers: list[Answer] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)  # builds in the order they were served
    asked: list[tuple[str, int]] = field(default_factory=list)  # (route, builds served then)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def loop(self, route: str, ask: Callable[[httpx.Client, int], tuple[httpx.Response, str]],
             most: int) -> None:
        """Ask until told to stop (or `most` times): each request must be answered within 60 s
        (else it hangs), and is recorded with the build that answered it."""
        with httpx.Client(base_url=self.base, timeout=60, trust_env=False) as client:
            for i in range(most):
                if self.stop.wait(PAUSE):
                    return
                before = len(self.served)
                with self.lock:
                    self.asked.append((route, before))
                try:
                    response, question = ask(client, i)
                except httpx.HTTPError as exc:
                    with self.lock:
                        self.failures.append(f"{route}: {type(exc).__name__}: {exc}")
                    continue
                with self.lock:
                    self.answers.append(Answer(route, response.status_code,
                                               response.headers.get(BUILD), response.content,
                                               question, before, len(self.served)))


def _access(client: httpx.Client, i: int) -> tuple[httpx.Response, str]:
    question = QUESTIONS[i % len(QUESTIONS)]
    return client.get("/access", params=question), json.dumps(question)


def _modified(client: httpx.Client, _: int) -> tuple[httpx.Response, str]:
    return client.post("/sparql", data={"query": MODIFIED},
                       headers={"Accept": "application/sparql-results+json"}), MODIFIED


def _slow_query(client: httpx.Client, i: int) -> tuple[httpx.Response, str]:
    return client.get("/sparql", params={"query": _slow(i)},
                      headers={"Accept": "application/sparql-results+json"}), f"n{i}"


def _dump(client: httpx.Client, _: int) -> tuple[httpx.Response, str]:
    return client.get("/dumps/graph.nt"), "graph.nt"


def _health(client: httpx.Client, _: int) -> tuple[httpx.Response, str]:
    return client.get("/health"), "health"


def _check(answer: Answer, info: dict) -> str | None:
    """What is wrong with an answer given the build.json of the build it names, or None."""
    if answer.route == "health":
        body = json.loads(answer.body)
        if Path(body["build"]).name != answer.build or body["triples"] != info["triples"] or \
                body["built_at"] != info["built_at"]:
            return f"health names another build than its header: {body}"
    elif answer.route == "modified":
        values = [b["modified"]["value"] for b in json.loads(answer.body)["results"]["bindings"]]
        if [value[:19] for value in values] != [info["built_at"][:19]]:  # Z or +00:00
            return f"dcterms:modified {values}, but the build was made at {info['built_at']}"
    elif answer.route == "slow":
        body = json.loads(answer.body)
        count = body["results"]["bindings"][0][answer.question]["value"]
        if int(count) != SLOW_SIDE ** 2:
            return f"the slow query counted {count}"
    elif answer.route == "dump" and f'"{info["built_at"][:19]}'.encode() not in answer.body:
        return "the dump is not the build's: its dcterms:modified is missing"
    return None


def test_five_rebuilds_under_load_lose_no_request_and_mix_no_answer(
        served: tuple[Settings, str], tmp_path: Path) -> None:
    settings, base = served
    home = settings.home
    generated = tmp_path / "generated.nt"
    made = subprocess.run([str(BIN / "agrikg"), "generate", "-n", "20000", "-o", str(generated)],
                          env=_env(home), capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    infos: dict[str, dict] = {}

    def remember(name: str) -> None:
        infos[name] = json.loads((home / "builds" / name / "build.json").read_text())

    first = os.readlink(home / "current").split("/")[-1]
    remember(first)
    load = Load(base)
    load.served.append(_serving(base))
    assert load.served == [first]
    threads = [threading.Thread(target=load.loop, args=args, daemon=True) for args in [
        ("access", _access, 100_000), ("modified", _modified, 10_000),
        ("slow", _slow_query, 100), ("dump", _dump, 1000),
        ("health", _health, 10_000)]]
    for thread in threads:
        thread.start()
    try:
        until(30, lambda: {a.route for a in load.answers} >= {"slow", "dump", "access"})
        for round_ in range(5):
            command = [str(BIN / "agrikg"), "build"] + (["--from", str(generated)]
                                                        if round_ % 2 == 0 else [])
            done = subprocess.run(command, env=_env(home), capture_output=True, text=True,
                                  timeout=120)
            assert done.returncode == 0, done.stderr
            assert "Traceback" not in done.stdout + done.stderr
            new = os.readlink(home / "current").split("/")[-1]
            remember(new)
            picked = until(20, lambda: _serving(base) == new)  # noqa: B023 (called at once)
            assert picked, f"the server did not switch to the build {new}"
            load.served.append(new)
            # The next build starts once a slow query has been asked on this one, so that
            # one is likely in flight when the next build is served.
            until(20, lambda: ("slow", len(load.served)) in load.asked)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=90)
    assert not [t for t in threads if t.is_alive()], "a request hangs"
    assert not load.failures, load.failures[:5]

    answers = load.answers
    by_route = {route: [a for a in answers if a.route == route] for route in
                ("access", "modified", "slow", "dump", "health")}
    print(f"\n{len(answers)} answers over {len(load.served)} builds: "
          + ", ".join(f"{route} {len(found)}" for route, found in by_route.items()))
    assert all(by_route.values()), "every route was asked"
    bad = [a for a in answers if a.status != 200]
    assert not bad, [(a.route, a.status, a.body[:300]) for a in bad[:5]]
    unknown = {a.build for a in answers} - set(infos)
    assert not unknown, f"answers from builds that never existed: {unknown}"
    wrong = [(a.route, a.build, problem) for a in answers
             if (problem := _check(a, infos[a.build])) is not None]
    assert not wrong, wrong[:5]
    # One answer per question and build: nothing of one build mixed into another's answer.
    seen: dict[tuple, set[bytes]] = {}
    for a in by_route["access"]:
        seen.setdefault((a.question, a.build), set()).add(a.body)
    assert all(len(bodies) == 1 for bodies in seen.values())
    # Queries in flight when a new build was served finished on the one they started on.
    straddled = [a for a in by_route["slow"] if a.served_after > a.served_before
                 and a.build == load.served[a.served_before - 1]]
    assert straddled, "no slow query was in flight across a switch"
    print(f"{len(straddled)} slow queries finished on their build after the next was served")
    # With AGRIKG_KEEP_BUILDS=1, only the served build is left once nothing reads the others.
    newest = load.served[-1]
    assert until(20, lambda: _prune_now(home) == [newest])
    # Nothing of an old build stays open, and no worker shares the server's lock on a build.
    server = _server_pid(home)
    held = {pid: _open_under(pid, home / "builds") for pid in [server, *_children(server)]}
    assert f"{newest}/{LOCK_FILE}" in held[server], held  # the served build is held, pinned
    assert all(path.startswith(newest + "/") for paths in held.values() for path in paths), held
    assert not [p for pid, paths in held.items() if pid != server for p in paths
                if p.endswith(LOCK_FILE)], held


def _server_pid(home: Path) -> int:
    """The `agrikg serve` process serving `home` (found by its environment, Linux /proc)."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"-m\0api\0" in (proc / "cmdline").read_bytes() + b"\0" and \
                    f"AGRIKG_HOME={home}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                return int(proc.name)
        except OSError:
            continue
    raise AssertionError("the server process was not found")


def _children(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(proc.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _open_under(pid: int, root: Path) -> list[str]:
    """The files process `pid` has open under `root`, relative to it."""
    paths = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(f"{root}/"):
            paths.append(target.removeprefix(f"{root}/"))
    return paths


def _prune_now(home: Path) -> list[str]:
    """Build directories left after a prune (what the next build does)."""
    from graph.build.builder import prune

    prune(home / "builds", keep=1, current=(home / "current").resolve())
    return sorted(p.name for p in (home / "builds").iterdir() if not p.name.startswith("."))


# -- corrupt builds -----------------------------------------------------------------------------

def _copy(settings: Settings, name: str) -> Path:
    source = current_build(settings)
    target = settings.home / "builds" / name
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    return target


def _garbage_store(build_dir: Path) -> None:
    store = build_dir / "store"
    for path in store.iterdir():
        path.write_bytes(os.urandom(4096))


def _broken_json(build_dir: Path) -> None:
    (build_dir / "build.json").write_text('{"built_at": "2026-', encoding="utf-8")


def _not_a_build(build_dir: Path) -> None:
    (build_dir / "build.json").write_text('["not", "a", "build"]', encoding="utf-8")


def _no_store(build_dir: Path) -> None:
    shutil.rmtree(build_dir / "store")


@pytest.mark.parametrize("spoil", [_garbage_store, _broken_json, _not_a_build, _no_store],
                         ids=["garbage-store", "broken-build-json", "build-json-not-a-build",
                              "no-store"])
def test_a_corrupt_build_made_current_is_never_switched_to(
        served: tuple[Settings, str], spoil: Callable[[Path], None]) -> None:
    settings, base = served
    before = _serving(base)
    log = settings.home / "api-embedded.log"
    logged = log.read_text(errors="replace").count("not switching to the build")
    name = f"spoiled-{spoil.__name__.strip('_')}"
    spoil(_copy(settings, name))
    point_current(settings.home, name)
    try:
        def refused() -> bool:  # the server looks for a new build when asked something
            assert _serving(base) == before
            return log.read_text(errors="replace").count("not switching to the build") > logged

        said = until(20, refused)
        assert said, "the server did not say why it refused the build"
        lines = [line for line in log.read_text(errors="replace").splitlines()
                 if "not switching to the build" in line]
        assert name in lines[-1] and "Traceback" not in log.read_text(errors="replace")
        with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
            for path in ("/health", "/access?product=1001&market=CN", "/dumps/graph.nt",
                         "/sparql?query=ASK%7B%7D"):
                response = client.get(path)
                assert response.status_code == 200, (path, response.text[:300])
                assert response.headers[BUILD] == before
    finally:
        point_current(settings.home, before)
    # A good build made current after it is switched to: the refusal was the build's fault.
    good = f"good-after-{name}"
    _copy(settings, good)
    point_current(settings.home, good)
    assert until(20, lambda: _serving(base) == good)


# -- pruning ------------------------------------------------------------------------------------

@pytest.mark.build  # builds several times
def test_a_build_being_read_is_never_pruned(tmp_path: Path, settings: Settings) -> None:
    home = tmp_path / "home"
    first = current_build(settings)
    serve_copy(first, home, first.name)
    mine = Settings(home=home, endpoint=None, keep_builds=1)
    reader = open_store(mine)  # a reader (`agrikg query`, the server) of the first build
    build(mine)
    assert (home / "builds" / first.name / "store").is_dir(), "a build being read was pruned"
    assert reader.ask("ASK { ?s ?p ?o }")
    del reader
    second = build(mine)
    assert sorted(p.name for p in (home / "builds").iterdir()) == [second.path.name]
