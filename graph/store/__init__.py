"""Where answers are read from: the builds on disk, the embedded or remote store, the named
`.rq` queries and the per-build caches. Never imports the write side (graph.build)."""
