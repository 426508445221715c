"""Everything a first answer reads once per build, read before the build is served.

Without it the first check after a build is switched to pays for reading the source
statements, the product and market indexes and the record index (half a second at 10^5
triples) on a user's request. `graph.endpoint.served_build` calls `warm` when it opens a
build, off the request path; the benchmark times it as the build's start-up.

For a large embedded store the reading is done in a child process (`python -m graph.answers.warm
STORE OUT`), which hands the finished tables back pickled: the server then holds the tables alone,
not the heap their whole-graph queries left fragmented (at 10^6 triples the server grew by
56 MB warming in-process and by 33 MB taking the same tables from the child)."""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from graph import interpreter
from graph.answers.check import source_labels, statements, vocabulary
from graph.answers.records import record_index
from graph.answers.resolve import market_index, product_index
from graph.store.backends import EmbeddedStore, Store, release_memory

log = logging.getLogger("agrikg.warm")
# Reading the tables of a 10^7-triple build takes about a minute; past this the server warms
# in its own process instead.
CHILD_TIMEOUT = 900.0
# A child pays for itself on a large store only: it takes about a second to start, and the
# heap a small store's reads leave is small (the curated graph's store is 3 MB, a generated
# 10^6-triple one 135 MB).
APART_FROM_BYTES = 64 * 2**20


def read_tables(store: Store) -> None:
    """Read the per-build indexes and tables into the store's cache."""
    product_index(store)
    market_index(store)
    vocabulary(store)
    statements(store)
    source_labels(store)
    record_index(store)


def store_bytes(path: Path) -> int:
    """The size of a store directory on disk."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def tables_from_child(path: Path) -> dict | None:
    """The tables read by a child process over the same store directory, or None (logged)
    when it failed: the caller then reads them itself."""
    command, env = interpreter("graph.answers.warm")
    with tempfile.TemporaryDirectory(prefix="agrikg-warm-") as tmp:
        out = Path(tmp) / "tables.pickle"
        try:
            done = subprocess.run([*command, str(path), str(out)], env=env,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=CHILD_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("warming in a child process failed (%s); warming in this one", exc)
            return None
        if done.returncode != 0 or not out.is_file():
            log.warning("warming in a child process failed (exit %s: %s); warming in this one",
                        done.returncode, done.stderr.decode(errors="replace")[-500:])
            return None
        # Read from a file, not a pipe: the pickle is then never held whole in memory.
        with out.open("rb") as handle:
            return pickle.load(handle)


def warm(store: Store) -> None:
    """Fill the store's cache with the per-build tables: from a child process for a large
    embedded store, else by reading them here. An embedded store is then opened afresh, so that the
    block cache the reads before filled is not kept for the life of the build (the tables are
    what the answers need, not the pages they were read from)."""
    apart = isinstance(store, EmbeddedStore) and store_bytes(store.path) >= APART_FROM_BYTES
    tables = tables_from_child(store.path) if apart else None
    if tables is None:
        read_tables(store)
    else:
        for key, value in tables.items():
            store.cache.setdefault(key, value)
    # Also drops what the build's checks before the warm-up read (any_triple, named_graphs).
    reopen = getattr(store, "reopen", None)
    if reopen is not None:
        reopen()
    release_memory()


def shared(value: Any, seen: dict[str, str]) -> Any:
    """`value` with every string equal to one seen before replaced by that one, containers
    changed in place where they can be. Each query result brings its own copy of an IRI (a
    product's IRI is in the labels, the hierarchy, the name map and every pair of the record
    index), and pickle writes an object once however often it is referred to: so the server
    then holds each string once. At 10^6 triples the tables hold 18.7 MB of strings, 14.8 MB
    of them different; the server answering the benchmark's checks is 4 MB smaller (PSS)."""
    if isinstance(value, str):
        return seen.setdefault(value, value)
    if isinstance(value, dict):
        items = [(shared(k, seen), shared(v, seen)) for k, v in value.items()]
        value.clear()
        value.update(items)
    elif isinstance(value, list):
        value[:] = [shared(v, seen) for v in value]
    elif isinstance(value, tuple):
        return tuple(shared(v, seen) for v in value)
    elif isinstance(value, set | frozenset):
        return type(value)(shared(v, seen) for v in value)
    else:
        names = getattr(value, "__slots__", None) or getattr(value, "__dict__", {})
        for name in names:
            if hasattr(value, name):
                object.__setattr__(value, name, shared(getattr(value, name), seen))
    return value


def main(argv: list[str]) -> int:
    """The child: read the tables of the store at argv[0] and write them, pickled, to argv[1]."""
    store = EmbeddedStore(Path(argv[0]))
    read_tables(store)
    shared(store.cache, {})
    with Path(argv[1]).open("wb") as handle:
        pickle.dump(store.cache, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
