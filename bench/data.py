"""The benchmark's graphs: one generated N-Triples file per size, reused while the generator,
the seed and the size are unchanged (generating 10^7 triples takes ~15 s)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from graph.build import generator as generate
from graph.build.generator import write

SEED = 42


def _generator_digest() -> str:
    return hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:16]


def dataset(directory: Path, triples: int, progress: Callable[[int], None] | None = None) -> Path:
    """The generated file of about `triples` triples in `directory`, made when missing."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"generated-{triples}.nt"
    meta = path.with_suffix(".json")
    want = {"triples": triples, "seed": SEED, "generator": _generator_digest()}
    if path.is_file() and meta.is_file():
        have = json.loads(meta.read_text())
        if {k: have.get(k) for k in want} == want:
            return path
    written = write(path, triples, seed=SEED, progress=progress)
    meta.write_text(json.dumps(want | {"written": written}))
    return path


def written_triples(path: Path) -> int:
    return int(json.loads(path.with_suffix(".json").read_text())["written"])
