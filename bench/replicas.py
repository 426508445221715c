"""Replicas behind HAProxy (deploy/haproxy.cfg): the processes of that deployment on loopback,
started and killed one by one (tests/test_replicas.py), and the benchmark of requests per second
through the balancer with one agrikg replica against two (`make bench` runs it last; the report
is bench/results/REPLICAS.md).

On this machine's 2 cores the load generator, HAProxy, both agrikg replicas and both Oxigraph
replicas share the same two CPUs, so a second replica cannot double the throughput: the ratio
says how much of a second core one more replica can still use, not how it scales on more.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.measure import BIN, free_port

PROJECT = Path(__file__).resolve().parent.parent
CONFIG = PROJECT / "deploy" / "haproxy.cfg"
RESULTS = PROJECT / "bench" / "results"


def _until(seconds: float, ready: Callable[[], object], pause: float = 0.2) -> object:
    deadline = time.monotonic() + seconds
    while True:
        value = ready()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(pause)


def haproxy_binary() -> str:
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
        if not _until(60, self._ready):
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


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("AGRIKG_")}


@dataclass
class Deployment:
    base: str
    socket_path: Path
    sparql: list[Replica]
    api: list[Replica]

    def admin(self, command: str) -> str:
        """One command on HAProxy's admin socket (`show stat`, `disable server B/S`, ...)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.socket_path))
            sock.sendall(command.encode() + b"\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return data.decode()

    def server_states(self, column: str = "status") -> dict[str, str]:
        """A column of HAProxy's `show stat` for each server, from its admin socket: `status`
        (UP, DOWN, ...) or `stot` (sessions it was given so far)."""
        lines = self.admin("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("svname") not in (None, "FRONTEND", "BACKEND"):
                states[row["svname"]] = row[column]
        return states


@contextlib.contextmanager
def deployment(home: Path, dump: Path, work: Path) -> Iterator[Deployment]:
    """The whole deployment of deploy/haproxy.cfg on loopback ports: two Oxigraph replicas of
    `dump`, two agrikg replicas (home `home`) reading through the balancer, HAProxy; all UP."""
    haproxy = haproxy_binary()
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    assert oxigraph, "the oxigraph server binary (PyPI package `oxigraph`) is not installed"
    lb_api, lb_sparql = free_port(), free_port()
    sparql: list[Replica] = []
    for i in (1, 2):
        location = work / f"oxigraph-{i}"
        subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(dump)],
                       check=True, capture_output=True, timeout=120)
        port = free_port()
        sparql.append(Replica(
            f"sparql{i}", [oxigraph, "serve-read-only", "--location", str(location), "--bind",
                           f"127.0.0.1:{port}"], clean_env(),
            f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", work / f"sparql{i}.log"))
    api: list[Replica] = []
    for i in (1, 2):
        port = free_port()
        env = clean_env() | {"AGRIKG_HOME": str(home), "AGRIKG_PORT": str(port),
                              "AGRIKG_ENDPOINT": f"http://127.0.0.1:{lb_sparql}/query"}
        api.append(Replica(f"api{i}", [str(BIN / "agrikg"), "serve"], env,
                           f"http://127.0.0.1:{port}/health", work / f"api{i}.log"))
    socket_path = work / "haproxy.sock"
    lb_env = clean_env() | {
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
        assert _until(30, lambda: set(deployment.server_states().values()) == {"UP"}), \
            deployment.server_states()
        yield deployment
    finally:
        for replica in [*api, *sparql]:
            replica.kill()
        balancer.terminate()
        balancer.wait(timeout=10)


def throughput(base: str, seconds: float, connections: int) -> float:
    """Requests per second on /access through the balancer (wrk, as bench/load.py drives it)."""
    from bench.load import run_wrk

    paths = ["/access?product=wheat&market=CN", "/access?product=beef&market=IR",
             "/access?product=honey&market=CN", "/access?product=barley&market=CN"]
    run_wrk(base, paths, "", max(1.0, seconds / 4), connections)  # warm-up, not counted
    result = run_wrk(base, paths, "", seconds, connections)
    if result["errors"]:
        raise RuntimeError(f"requests failed through the balancer: {result['errors_by_kind']}")
    return result["rps"]


def measure(seconds: float = 10.0, connections: int = 16) -> dict:
    """/access through HAProxy with both agrikg replicas, then with one taken out (disabled
    through the admin socket, so the rest of the deployment stays the same)."""
    import tempfile

    from graph.build.builder import ensure_built
    from graph.settings import Settings

    settings = Settings()
    dump = ensure_built(settings) / "graph.nt"
    with tempfile.TemporaryDirectory(prefix="agrikg-replicas-") as tmp, \
            deployment(settings.home, dump, Path(tmp)) as running:
        # 2, 1, 2: the two runs with both replicas bracket the one without, so that a load
        # drifting on the machine during the runs weighs on both sides alike.
        two = throughput(running.base, seconds / 2, connections)
        running.admin("disable server agrikg_replicas/api2")
        _until(10, lambda: running.server_states()["api2"].startswith("MAINT"))
        one = throughput(running.base, seconds, connections)
        running.admin("enable server agrikg_replicas/api2")
        _until(10, lambda: running.server_states()["api2"] == "UP")
        two = (two + throughput(running.base, seconds / 2, connections)) / 2
    return {"requests_per_s_1_replica": one, "requests_per_s_2_replicas": two,
            "ratio": two / one if one else None, "seconds": seconds, "connections": connections,
            "cpus": os.cpu_count(), "load_average": os.getloadavg()}


def report(result: dict) -> str:
    return (
        "# Replicas behind HAProxy: /access through the balancer, 1 against 2 agrikg replicas\n\n"
        "`python -m bench.replicas` (run by `make bench`): deploy/haproxy.cfg on loopback, two "
        "Oxigraph replicas of the seed build, wrk with "
        f"{result['connections']} connections for {result['seconds']:.0f} s per run after a "
        "warm-up.\n\n"
        "| agrikg replicas | requests/s |\n|---|---|\n"
        f"| 1 | {result['requests_per_s_1_replica']:,.0f} |\n"
        f"| 2 | {result['requests_per_s_2_replicas']:,.0f} |\n\n"
        f"Ratio 2 / 1: **{result['ratio']:.2f}x** on {result['cpus']} CPUs (load average "
        f"{result['load_average'][0]:.1f} at the end). wrk, HAProxy, both agrikg replicas and "
        "both Oxigraph replicas share these CPUs, so a second replica cannot double the "
        "throughput here"
        + (": it costs more than it brings, since one replica already has as much CPU as it "
           "can get and a second only adds a process to switch between"
           if result["ratio"] < 1 else "")
        + ". The ratio says what one more replica gains when the cores are already shared, not "
        "how replicas scale on machines of their own; what the replicas buy here is that one "
        "can die without a request failing (tests/test_replicas.py).\n")


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make wrk`")
    result = measure()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "replicas.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "REPLICAS.md").write_text(report(result), encoding="utf-8")
    print(report(result))


if __name__ == "__main__":
    main()
