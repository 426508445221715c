"""Servers the tests start, on loopback only: a free port, waiting until one answers, the real
Oxigraph server and `agrikg serve`."""

from __future__ import annotations

import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx

from graph.settings import Settings
from tests.helpers.env import clean_env

BIN = Path(sys.executable).parent
QUERY_TIMEOUT = 2.0
ROW_CAP = 1000
# Oxigraph's server does not stop a sort at its --timeout-s, nor when the client goes: a sorted
# cross join grows it by about 1 GB a second until the kernel's OOM killer takes the biggest
# process on the machine (seen: 22 GB, killing the suite's shared server). A test server gets
# an address-space cap, so a runaway query costs at most that server.
OXIGRAPH_MEMORY = 4 << 30
T = TypeVar("T")


def until(seconds: float, ready: Callable[[], T], pause: float = 0.2) -> T:
    """Poll `ready()` until it returns something truthy or `seconds` pass; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = ready()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(pause)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, process: subprocess.Popen, seconds: float = 60, pause: float = 0.2,
            **params: str) -> bool:
    """Wait until `url` answers 200 (True), or the process exits or `seconds` pass (False)."""
    def ready() -> str | None:
        if process.poll() is not None:
            return "exited"
        try:
            ok = httpx.get(url, params=params, timeout=2, trust_env=False).status_code == 200
        except httpx.HTTPError:
            ok = False
        return "up" if ok else None

    return until(seconds, ready, pause) == "up"


def stop(process: subprocess.Popen, seconds: float = 10) -> None:
    """Terminate, and kill what does not stop in `seconds`."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=seconds)


def start_oxigraph(location: Path, loads: list[list[str]],
                   memory: int = OXIGRAPH_MEMORY) -> Iterator[str]:
    """A real `oxigraph serve-read-only` on a loopback port, after `oxigraph load` of each
    argument list in `loads` (e.g. ["--file", F] or ["--file", F, "--graph", IRI]); its address
    space is capped at `memory` bytes and its output goes to `location`/../NAME.log."""
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    assert oxigraph, "the oxigraph server binary (PyPI package `oxigraph`) is not installed"
    for args in loads:
        subprocess.run([oxigraph, "load", "--location", str(location), *args],
                       check=True, capture_output=True, timeout=120)
    port = free_port()
    log_path = location.with_name(location.name + ".log")
    log = open(log_path, "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--timeout-s", "20"],
        stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory)))
    url = f"http://127.0.0.1:{port}/query"
    try:
        if not answers(url, process, 30, 0.1, query="ASK {}"):
            process.kill()
            raise RuntimeError(f"oxigraph did not start: {log_path.read_text()[-500:]}")
        yield url
    finally:
        if process.poll() is None:
            stop(process)
        log.close()


def start_api(settings: Settings, endpoint: str | None = None,
              extra_env: dict | None = None, args: tuple[str, ...] = (),
              **popen) -> Iterator[str]:
    """`agrikg serve ARGS` (uvicorn) in its own process on a free loopback port; `popen` goes
    to subprocess.Popen (e.g. a preexec_fn that lowers a resource limit)."""
    port = free_port()
    env = clean_env(home=str(settings.home), port=str(port), query_timeout=str(QUERY_TIMEOUT),
                    row_cap=str(ROW_CAP), sparql_workers="2")
    if endpoint:
        env["AGRIKG_ENDPOINT"] = endpoint
    env |= extra_env or {}
    name = "virtuoso" if "--endpoint" in args else "remote" if endpoint else "embedded"
    log = open(settings.home / f"api-{name}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([str(BIN / "agrikg"), "serve", *args], env=env,
                               stdout=log, stderr=subprocess.STDOUT, **popen)
    base = f"http://127.0.0.1:{port}"
    try:
        if not answers(base + "/health", process):
            process.kill()
            raise RuntimeError("the API did not start: "
                               f"{(settings.home / log.name).read_text()[-2000:]}")
        yield base
    finally:  # also when the generator is closed (`.close()`, or dropped) before it ends
        if process.poll() is None:
            stop(process)
        log.close()
