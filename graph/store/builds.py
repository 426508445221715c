"""The builds on disk, as the read side sees them: which build is current, its build.json,
and the overlay that serves extra RDF files beside a build's store. Reading a build needs none
of the builder (rdflib, pySHACL, YAML), so a server that only answers never loads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pyoxigraph

from graph.errors import BuildError, Origin, Problem
from graph.settings import Settings

STORE_DIR = "store"
INFO_FILE = "build.json"


def current_build(settings: Settings) -> Path | None:
    """The served build directory, or None when nothing has been built yet."""
    link = settings.current
    if not link.exists():
        return None
    path = link.resolve()
    return path if (path / INFO_FILE).exists() else None


def build_info(settings: Settings) -> dict | None:
    path = current_build(settings)
    if path is None:
        return None
    return json.loads((path / INFO_FILE).read_text(encoding="utf-8")) | {"path": str(path)}


def diff_summary(diff: dict | None, first: int = 5) -> dict | None:
    """A build's `diff` (graph.build.build_diff) as `agrikg info` shows it: per kind and change,
    the count and the first few ids (the IRI's last segment)."""
    if not isinstance(diff, dict):
        return diff
    out: dict = {"previous": diff.get("previous")}
    for kind in ("records", "measures"):
        changes = diff.get(kind)
        out[kind] = None if changes is None else {
            change: {"count": len(iris), "first": [iri.rsplit("/", 1)[-1] for iri in iris[:first]]}
            for change, iris in changes.items()}
    return out


def parse_extra(spec: str) -> tuple[Path, str]:
    """`FILE=GRAPH_IRI` -> (file, graph IRI), checked: the file exists, the IRI is absolute."""
    file, sep, graph = spec.rpartition("=")
    if not sep or not file or not graph:
        raise BuildError([Problem(spec, None, "--extra", "expected FILE=GRAPH_IRI")])
    path = Path(file).expanduser()
    if not path.is_file():
        raise BuildError([Problem(spec, None, "--extra", f"no such file: {path}")])
    try:
        pyoxigraph.NamedNode(graph)
    except ValueError as exc:
        raise BuildError([Problem(spec, None, "--extra", f"not an IRI: {graph} ({exc})")]) from None
    if not graph.split(":", 1)[0].isalpha():
        raise BuildError([Problem(spec, None, "--extra", f"not an absolute IRI: {graph}")])
    return path, graph


def with_extras(build_path: Path, extras: list[str]) -> Path:
    """The store to serve when extra files are to be served as named graphs: a checkpoint of
    the build's store (hard links, instant) with the files loaded into their graphs. The build
    itself is never written to; the overlay is made once per build and set of files."""
    if not extras:
        return build_path / STORE_DIR
    parsed = [parse_extra(spec) for spec in extras]
    digest = hashlib.sha256()
    for path, graph in parsed:
        stat = path.stat()
        digest.update(f"{path.resolve()}|{graph}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    overlay = build_path / f"overlay-{digest.hexdigest()[:16]}"
    if overlay.is_dir():
        return overlay
    partial = overlay.with_name(overlay.name + f".{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        pyoxigraph.Store.read_only(str(build_path / STORE_DIR)).backup(str(partial))
        store = pyoxigraph.Store(str(partial))
        for path, graph in parsed:
            try:
                fmt = pyoxigraph.RdfFormat.from_extension(path.suffix.lstrip(".") or "nt")
                store.load(path=str(path), format=fmt or pyoxigraph.RdfFormat.N_TRIPLES,
                           to_graph=pyoxigraph.NamedNode(graph))
            except (SyntaxError, ValueError, OSError) as exc:
                raise BuildError([Problem(str(path), Origin(str(path)), "--extra",
                                          f"cannot load as RDF: {exc}")]) from None
        store.flush()
        del store
        partial.rename(overlay)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return overlay
