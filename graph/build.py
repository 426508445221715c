"""`agrikg build`: parse ontology + curated data, validate, write the store and dumps.

A build is written into a fresh directory under <home>/builds/ and only made current (an
atomic symlink swap) once it is valid and complete; a failed or interrupted build leaves the
served graph untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from graph.curated import Curated, load_curated
from graph.errors import BuildError, Origin, Problem
from graph.markets import market_graph
from graph.namespaces import DATASET, PREFIXES
from graph.settings import Settings
from graph.validate import check_hs_codes, check_shapes, load_shapes

STORE_DIR = "store"
DUMPS = {"graph.nt": "nt", "graph.ttl": "turtle", "graph.jsonld": "json-ld"}
INFO_FILE = "build.json"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    path: Path
    triples: int
    built_at: str
    seconds: float


def parse_ontology(ontology_dir: Path) -> Graph:
    """Every ontology/*.ttl except the shapes, which guard the data rather than describe it."""
    graph = Graph()
    problems = []
    for path in sorted(ontology_dir.glob("*.ttl")):
        if path.name == "shapes.ttl":
            continue
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser error types
            problems.append(Problem(path.name, Origin(f"ontology/{path.name}", _line_of(exc)),
                                    "Turtle syntax", str(exc).splitlines()[0][:300]))
    if problems:
        raise BuildError(problems)
    return graph


def _line_of(exc: Exception) -> int:
    return int(getattr(exc, "lines", 0) or getattr(exc, "line", 0) or 0)


def combine(settings: Settings, progress: Progress = lambda _: None) -> tuple[Graph, Curated]:
    """Ontology, curated data and ISO 3166 markets in one graph, not yet validated."""
    progress("parsing the ontology")
    graph = parse_ontology(settings.ontology_dir)
    progress("reading curated data")
    curated = load_curated(settings.data_dir)
    graph += curated.graph
    progress("adding ISO 3166 markets")
    graph += market_graph()
    return graph, curated


def assemble(settings: Settings, progress: Progress = lambda _: None) -> Graph:
    """Parse and validate; return the graph to serve, or raise BuildError naming each problem."""
    graph, curated = combine(settings, progress)
    progress(f"validating {len(graph):,} triples (SHACL, HS 2022)")
    shapes = load_shapes(settings.ontology_dir)
    problems = check_hs_codes(graph, curated.origins)
    problems += check_shapes(graph, shapes, curated.origins,
                             sorted(settings.ontology_dir.glob("*.ttl")))
    if problems:
        raise BuildError(problems)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


def describe_dataset(graph: Graph, built_at: str) -> None:
    """A VoID description of the dataset itself, so the graph says how big and how fresh it is."""
    dataset = URIRef(DATASET)
    count = len(graph) + 4
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.modified, Literal(built_at, datatype=XSD.dateTime)))
    graph.add((dataset, VOID.triples, Literal(count)))
    graph.add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))


def build(settings: Settings | None = None, progress: Progress = lambda _: None) -> BuildResult:
    settings = settings or Settings()
    started = time.monotonic()
    builds = settings.home / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    built_at = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    target = builds / f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"
    partial = target.with_name(target.name + ".partial")
    try:
        graph = assemble(settings, progress)
        describe_dataset(graph, built_at)
        partial.mkdir()
        for name, fmt in DUMPS.items():
            progress(f"writing {name}")
            graph.serialize(partial / name, format=fmt, encoding="utf-8")
        progress("loading the Oxigraph store")
        store = pyoxigraph.Store(str(partial / STORE_DIR))
        store.bulk_load(path=str(partial / "graph.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.optimize()
        store.flush()
        del store
        info = {"built_at": built_at, "triples": len(graph),
                "seconds": round(time.monotonic() - started, 3)}
        (partial / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    progress("making the new build current")
    _swap(settings.current, target)
    _prune(builds, keep=settings.keep_builds, current=target)
    return BuildResult(target, len(graph), built_at, time.monotonic() - started)


def _swap(link: Path, target: Path) -> None:
    """Point <home>/current at the new build in one atomic rename."""
    tmp = link.with_name(f".current.{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path("builds") / target.name)
    os.replace(tmp, link)


def _prune(builds: Path, keep: int, current: Path) -> None:
    done = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
                  key=lambda p: p.name)
    for old in done[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    # A build killed midway leaves its .partial directory; remove those whose process is gone.
    for partial in builds.glob("*.partial"):
        pid = partial.name.removesuffix(".partial").rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(partial, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
