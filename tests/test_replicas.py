"""Replicas behind a real load balancer: deploy/haproxy.cfg with Debian's HAProxy in front of
two agrikg replicas, which read from two Oxigraph replicas of the same build through the same
balancer. Under a bounded load on /access, /sparql and the pages, one SPARQL replica and then
one agrikg replica are killed: once HAProxy's health check has had its interval, no request
fails, and each killed replica rejoins when it is started again. Only loopback is used."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from bench.replicas import CONFIG, Deployment, clean_env, deployment, haproxy_binary
from graph.settings import Settings
from graph.store.builds import current_build
from tests.helpers.servers import until

# The health check runs every 0.5 s and takes a server out after 2 failures (deploy/haproxy.cfg):
# within about a second of a kill the balancer no longer sends it anything. GRACE is what the test
# allows it, with room for a loaded machine; requests in it may fail, none after it.
GRACE = 3.0
# Servers of its own (HAProxy, Oxigraph, agrikg): the slow tier (tests/conftest.py cannot see them
# through the fixture, which starts them from bench/replicas.py).
pytestmark = pytest.mark.server
LOAD_THREADS = 4
PATHS = ("/access?product=wheat&market=CN", "/access?product=beef&market=IR&lang=ru",
         "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Chttps%3A%2F%2Fw3id.org"
         "%2Fagrikg%2Fontology%23Market%3E%20%7D%20LIMIT%203",
         "/", "/markets/CN", "/products/wheat", "/health")


@pytest.fixture(scope="module")
def running(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with deployment(settings.home, current_build(settings) / "graph.nt",
                    tmp_path_factory.mktemp("replicas")) as started:
        yield started


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


def test_the_config_is_valid_forhaproxy_binary() -> None:
    env = clean_env() | {name: "127.0.0.1:1" for name in (
        "AGRIKG_LB_API", "AGRIKG_LB_SPARQL", "AGRIKG_API_1", "AGRIKG_API_2", "AGRIKG_SPARQL_1",
        "AGRIKG_SPARQL_2")} | {"AGRIKG_LB_SOCKET": "/tmp/agrikg-haproxy-check.sock"}
    done = subprocess.run([haproxy_binary(), "-c", "-q", "-f", str(CONFIG)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_route_answers_through_the_balancer(running: Deployment) -> None:
    for path in PATHS:
        assert httpx.get(running.base + path, timeout=15).status_code == 200, path


def test_no_request_fails_after_a_replica_dies_and_each_rejoins(running: Deployment) -> None:
    with Load(running.base) as load:
        time.sleep(2)
        killed_sparql = time.monotonic()
        running.sparql[0].kill()
        assert until(GRACE + 10, lambda: running.server_states()["sparql1"].startswith("DOWN"))
        time.sleep(2)
        killed_api = time.monotonic()
        running.api[0].kill()
        assert until(GRACE + 10, lambda: running.server_states()["api1"].startswith("DOWN"))
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
    running.sparql[0].start()
    running.api[0].start()
    assert until(30, lambda: set(running.server_states().values()) == {"UP"}), \
        running.server_states()
    given = {name: int(n) for name, n in running.server_states("stot").items()}
    with Load(running.base) as load:
        time.sleep(2)
    assert load.failures() == [] and len(load.results) > 20
    now = {name: int(n) for name, n in running.server_states("stot").items()}
    assert now["api1"] > given["api1"] and now["sparql1"] > given["sparql1"], (given, now)
