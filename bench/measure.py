"""Measuring helpers for the benchmark: percentiles, timed loops with a budget, child processes
with their peak memory, server process trees and their memory, free ports."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50 / p99 / mean in milliseconds and the number of samples."""
    if not seconds:
        return {"n": 0}
    return {"n": len(seconds), "p50": percentile(seconds, 50) * 1e3,
            "p99": percentile(seconds, 99) * 1e3, "mean": sum(seconds) / len(seconds) * 1e3}


def timed(call: Callable[[int], object], count: int, budget: float,
          warmup: int = 2) -> tuple[list[float], bool]:
    """Run call(i) up to `count` times within `budget` seconds; return the durations and
    whether the budget cut the run short (a capped baseline is reported as such)."""
    for i in range(min(warmup, count)):
        call(i)
    durations: list[float] = []
    started = time.perf_counter()
    for i in range(count):
        if durations and time.perf_counter() - started > budget:
            return durations, True
        t = time.perf_counter()
        call(i)
        durations.append(time.perf_counter() - t)
    return durations, False


@dataclass(frozen=True)
class Finished:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


def run_child(args: Sequence[str], env: dict[str, str] | None = None,
              timeout: float | None = None, cwd: Path = PROJECT) -> Finished:
    """Run a command to completion; its wall time and its own peak RSS (see bench.peak)."""
    started = time.perf_counter()
    with open(os.devnull, "rb") as stdin:
        proc = subprocess.Popen(peak_wrapped(args), stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
                                cwd=cwd, text=True, start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    peak = _peak_from(stderr)
    return Finished(seconds, peak, proc.returncode, stdout, stderr, timed_out)


_PEAK_MARK = "@@peak_rss_kb="


def peak_wrapped(args: Sequence[str]) -> list[str]:
    """Wrap a command so that its peak RSS is printed on stderr when it ends."""
    return [str(BIN / "python"), "-m", "bench.peak", *args]


def _peak_from(stderr: str) -> float:
    for line in reversed(stderr.splitlines()):
        if line.startswith(_PEAK_MARK):
            return int(line.removeprefix(_PEAK_MARK)) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until `url` answers anything below 500 (a server still starting refuses)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2, trust_env=False).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def server(args: Sequence[str], ready_url: str, env: dict[str, str] | None = None,
           log: Path | None = None) -> Iterator[subprocess.Popen]:
    """A server process (own session, so the whole tree is stopped at the end)."""
    handle = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(list(args), stdout=handle, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})}, cwd=PROJECT,
                            start_new_session=True)
    try:
        wait_http(ready_url, proc=proc)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if log:
            handle.close()


def tree_memory_mb(pid: int) -> dict[str, float]:
    """RSS and PSS of a process and all its descendants. PSS shares pages (libraries, the
    store's mapped files) fairly between the processes that map them, so it is the honest sum
    for a server made of several processes; RSS counts shared pages once per process."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {"rss": float("nan"), "pss": float("nan"), "processes": 0}
    rss = pss = 0.0
    count = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            info = proc.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
            count += 1
    return {"rss": rss / 2**20, "pss": pss / 2**20, "processes": count}
