"""Everything a first answer reads once per build, read before the build is served.

Without it the first check after a build is switched to pays for reading the source
statements, the product and market indexes and the record index (half a second at 10^5
triples) on a user's request. `graph.endpoint.served_build` calls `warm` when it opens a
build, off the request path; the benchmark times it as the build's start-up."""

from __future__ import annotations

from graph.answers.check import source_labels, statements, vocabulary
from graph.answers.records import record_index
from graph.answers.resolve import market_index, product_index
from graph.store.backends import Store, release_memory


def warm(store: Store) -> None:
    """Read the per-build indexes and tables; then, for an embedded store, open it afresh so
    that the block cache their whole-graph scans filled is not kept for the life of the build
    (the indexes are what the answers need, not the pages they were read from)."""
    product_index(store)
    market_index(store)
    vocabulary(store)
    statements(store)
    source_labels(store)
    record_index(store)
    reopen = getattr(store, "reopen", None)
    if reopen is not None:
        reopen()
    release_memory()
