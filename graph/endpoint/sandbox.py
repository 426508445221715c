"""Confine a query worker before it opens the store: no network, bounded memory, no core dump.

The SPARQL guard (graph/endpoint/query_policy.py) refuses SERVICE on a parse, but pyoxigraph's `Store.query`
evaluates SERVICE with its own HTTP client in Rust, which no Python socket patch reaches, and
it has no switch to turn it off. So each worker process moves into a network namespace of its
own (only a loopback interface, down): whatever the engine tries, no connection can be opened,
not even to 127.0.0.1. As root a network namespace is enough; an unprivileged user needs a user
namespace around it. A seccomp filter besides refuses to create IP sockets at all (it holds in
containers that forbid namespaces). Where the platform allows neither, the worker says why, and
the operator chooses (AGRIKG_QUERY_SANDBOX) whether to serve with the guard alone or not to
start.

Only the standard library is imported here: this runs first in a fresh worker process, which
must still be single-threaded for unshare(CLONE_NEWUSER).
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
# What a worker's query may hold in memory (RLIMIT_DATA: heap and anonymous mappings, so the
# store's files mapped for reading do not count). Past it Rust aborts the worker (SIGABRT).
MEGABYTE = 2**20


@dataclass(frozen=True)
class Confinement:
    """How a worker is confined: `network` names the layers that keep it off the network (a
    namespace, a seccomp filter), or is empty; `reason` says why a layer could not be made."""

    network: str
    reason: str
    memory_mb: int

    @property
    def isolated(self) -> bool:
        return bool(self.network)

    def as_dict(self) -> dict:
        return asdict(self)


def _unshare(flags: int) -> str:
    """unshare(2) through libc (os.unshare exists only from Python 3.12); '' or the error."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) == 0:
        return ""
    return os.strerror(ctypes.get_errno())


def _only_loopback() -> bool:
    """A fresh network namespace has one interface, `lo`, and it is down."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def isolate_network() -> tuple[str, str]:
    """Move this process into a network namespace of its own: (how, '') or ('', why not)."""
    if not sys.platform.startswith("linux"):
        return "", f"network namespaces are Linux only (this is {sys.platform})"
    errors = []
    for flags, name in ((CLONE_NEWNET, "network namespace"),
                        (CLONE_NEWUSER | CLONE_NEWNET, "user and network namespace")):
        error = _unshare(flags)
        if not error:
            if _only_loopback():
                return name, ""
            return "", "unshare succeeded but other network interfaces are still visible"
        errors.append(f"{name}: {error}")
    return "", "the platform allows no namespace (" + "; ".join(errors) + ")"


def refuse_ip_sockets() -> tuple[str, str]:
    """A seccomp filter: socket(AF_INET or AF_INET6) fails with EAFNOSUPPORT from now on, in
    this process and its threads (Unix sockets and pipes still work): (what, '') or ('', why)."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as exc:  # not installed, or libseccomp missing
        return "", f"seccomp: {exc}"
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6):
            rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket",
                           seccomp.Arg(0, seccomp.EQ, family))
        rules.load()
    except (OSError, RuntimeError, ValueError) as exc:
        return "", f"seccomp: {exc}"
    return "seccomp filter (no IP sockets)", ""


def limit_memory(megabytes: int) -> None:
    """Bound the heap of this process, and write no core file when a query hits the bound."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if megabytes > 0:
        limit = megabytes * MEGABYTE
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def confine(memory_mb: int) -> Confinement:
    """Confine this (fresh, single-threaded) worker process: network first (a namespace, then a
    seccomp filter: each holds on its own), then memory."""
    layers = [isolate_network(), refuse_ip_sockets()]
    limit_memory(memory_mb)
    return Confinement(" + ".join(held for held, _ in layers if held),
                       "; ".join(why for _, why in layers if why), memory_mb)


_PROBE = "import sys; sys.path.insert(0, sys.argv[1]); from graph.endpoint.sandbox import probe_main; " \
         "probe_main()"


def probe_main() -> None:
    import json

    print(json.dumps(confine(int(sys.argv[2])).as_dict()))


def probe(memory_mb: int = 0) -> Confinement:
    """What a query worker started now would get, tried in a throwaway process (for `agrikg
    info` and start-up checks; the serving process itself is never confined)."""
    import json
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-c", _PROBE, root, str(memory_mb)],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    try:
        return Confinement(**json.loads(done.stdout))
    except (ValueError, TypeError):
        return Confinement("", f"the probe failed: {done.stderr.strip()[-300:]}", memory_mb)
