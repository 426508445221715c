"""Replicas behind a real load balancer: deploy/haproxy.cfg with Debian's HAProxy in front of
two agrikg replicas, which read from two Oxigraph replicas of the same build through the same
balancer. Under a bounded load on /access, /sparql and the pages, one SPARQL replica and then
one agrikg replica are killed: once HAProxy's health check has had its interval, no request
fails, and each killed replica rejoins when it is started again. Only loopback is used."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from graph import PROJECT_DIR
from graph.settings import Settings
from graph.store.builds import current_build
from tests.conftest import BIN, free_port, until

CONFIG = PROJECT_DIR / "deploy" / "haproxy.cfg"
# The health check runs every 0.5 s and takes a server out after 2 failures (deploy/haproxy.cfg):
# within about a second of a kill the balancer no longer sends it anything. GRACE is what the test
# allows it, with room for a loaded machine; requests in it may fail, none after it.
GRACE = 3.0
LOAD_THREADS = 4
PATHS = ("/access?product=wheat&market=CN", "/access?product=beef&market=IR&lang=ru",
         "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Chttps%3A%2F%2Fw3id.org"
         "%2Fagrikg%2Fontology%23Market%3E%20%7D%20LIMIT%203",
         "/", "/markets/CN", "/products/wheat", "/health")


def _haproxy() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    assert found, "HAProxy is not installed: `make haproxy` installs Debian's package"
    return found


@dataclass
class Replica:
    """A server process on a fixed loopback port, so that a restart comes back where the
    balancer expects it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str
    log: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        if not until(60, self._ready):
            self.kill()
            raise RuntimeError(f"{self.name} did not start: {self.log.read_text()[-1500:]}")

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-1500:]}")
        try:
            return httpx.get(self.ready_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: a replica that dies, not one that shuts down politely."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("AGRIKG_")}


@dataclass
class Deployment:
    base: str
    socket_path: Path
    sparql: list[Replica]
    api: list[Replica]

    def server_states(self, column: str = "status") -> dict[str, str]:
        """A column of HAProxy's `show stat` for each server, from its admin socket: `status`
        (UP, DOWN, ...) or `stot` (sessions it was given so far)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.socket_path))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("svname") not in (None, "FRONTEND", "BACKEND"):
                states[row["svname"]] = row[column]
        return states


@pytest.fixture(scope="module")
def deployment(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    haproxy = _haproxy()
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    assert oxigraph, "the oxigraph server binary (PyPI package `oxigraph`) is not installed"
    work = tmp_path_factory.mktemp("replicas")
    dump = current_build(settings) / "graph.nt"
    lb_api, lb_sparql = free_port(), free_port()
    sparql: list[Replica] = []
    for i in (1, 2):
        location = work / f"oxigraph-{i}"
        subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(dump)],
                       check=True, capture_output=True, timeout=120)
        port = free_port()
        sparql.append(Replica(
            f"sparql{i}", [oxigraph, "serve-read-only", "--location", str(location), "--bind",
                           f"127.0.0.1:{port}"], _clean_env(),
            f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", work / f"sparql{i}.log"))
    api: list[Replica] = []
    for i in (1, 2):
        port = free_port()
        env = _clean_env() | {"AGRIKG_HOME": str(settings.home), "AGRIKG_PORT": str(port),
                              "AGRIKG_ENDPOINT": f"http://127.0.0.1:{lb_sparql}/query"}
        api.append(Replica(f"api{i}", [str(BIN / "agrikg"), "serve"], env,
                           f"http://127.0.0.1:{port}/health", work / f"api{i}.log"))
    socket_path = work / "haproxy.sock"
    lb_env = _clean_env() | {
        "AGRIKG_LB_API": f"127.0.0.1:{lb_api}", "AGRIKG_LB_SPARQL": f"127.0.0.1:{lb_sparql}",
        "AGRIKG_LB_SOCKET": str(socket_path),
        "AGRIKG_SPARQL_1": sparql[0].ready_url.split("/")[2],
        "AGRIKG_SPARQL_2": sparql[1].ready_url.split("/")[2],
        "AGRIKG_API_1": api[0].ready_url.split("/")[2],
        "AGRIKG_API_2": api[1].ready_url.split("/")[2]}
    check = subprocess.run([haproxy, "-c", "-q", "-f", str(CONFIG)], env=lb_env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for replica in sparql:
        replica.start()
    balancer = subprocess.Popen([haproxy, "-db", "-f", str(CONFIG)], env=lb_env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for replica in api:
            replica.start()
        deployment = Deployment(f"http://127.0.0.1:{lb_api}", socket_path, sparql, api)
        assert until(30, lambda: set(deployment.server_states().values()) == {"UP"}), \
            deployment.server_states()
        yield deployment
    finally:
        for replica in [*api, *sparql]:
            replica.kill()
        balancer.terminate()
        balancer.wait(timeout=10)


class Load:
    """LOAD_THREADS clients asking PATHS in turn through the balancer until stopped; every
    answer's time and outcome is kept (an exception or a status other than 200 is a failure)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.results: list[tuple[float, str, str]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(LOAD_THREADS)]

    def _run(self, offset: int) -> None:
        with httpx.Client(base_url=self.base, timeout=15) as client:
            i = offset
            while not self._stop.is_set():
                path = PATHS[i % len(PATHS)]
                i += 1
                try:
                    status = str(client.get(path).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with self._lock:
                    self.results.append((time.monotonic(), path, status))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def failures(self, after: float = 0.0, before: float = float("inf")) -> list:
        return [r for r in self.results if after <= r[0] < before and r[2] != "200"]

    def count(self, after: float, before: float = float("inf")) -> int:
        return sum(1 for r in self.results if after <= r[0] < before)


def test_the_config_is_valid_for_haproxy() -> None:
    env = _clean_env() | {name: "127.0.0.1:1" for name in (
        "AGRIKG_LB_API", "AGRIKG_LB_SPARQL", "AGRIKG_API_1", "AGRIKG_API_2", "AGRIKG_SPARQL_1",
        "AGRIKG_SPARQL_2")} | {"AGRIKG_LB_SOCKET": "/tmp/agrikg-haproxy-check.sock"}
    done = subprocess.run([_haproxy(), "-c", "-q", "-f", str(CONFIG)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_route_answers_through_the_balancer(deployment: Deployment) -> None:
    for path in PATHS:
        assert httpx.get(deployment.base + path, timeout=15).status_code == 200, path


def test_no_request_fails_after_a_replica_dies_and_each_rejoins(deployment: Deployment) -> None:
    with Load(deployment.base) as load:
        time.sleep(2)
        killed_sparql = time.monotonic()
        deployment.sparql[0].kill()
        assert until(GRACE + 10, lambda: deployment.server_states()["sparql1"].startswith("DOWN"))
        time.sleep(2)
        killed_api = time.monotonic()
        deployment.api[0].kill()
        assert until(GRACE + 10, lambda: deployment.server_states()["api1"].startswith("DOWN"))
        time.sleep(3)
        both_down_until = time.monotonic()
    # The load was really offered, around each kill and after it.
    assert load.count(killed_sparql, killed_api) > 20 and load.count(killed_api + GRACE) > 20
    failed_late = (load.failures(killed_sparql + GRACE, killed_api)
                   + load.failures(killed_api + GRACE, both_down_until))
    assert failed_late == [], failed_late[:5]
    assert load.failures() == [] or len(load.failures()) < 0.05 * len(load.results), \
        load.failures()[:5]

    # Started again on the same ports, both come back UP and take requests again.
    deployment.sparql[0].start()
    deployment.api[0].start()
    assert until(30, lambda: set(deployment.server_states().values()) == {"UP"}), \
        deployment.server_states()
    given = {name: int(n) for name, n in deployment.server_states("stot").items()}
    with Load(deployment.base) as load:
        time.sleep(2)
    assert load.failures() == [] and len(load.results) > 20
    now = {name: int(n) for name, n in deployment.server_states("stot").items()}
    assert now["api1"] > given["api1"] and now["sparql1"] > given["sparql1"], (given, now)
