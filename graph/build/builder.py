"""`agrikg build`: parse ontology + curated data, validate, write the store and dumps.

A build is written into a fresh directory under <home>/builds/ and only made current (an
atomic symlink swap) once it is valid and complete; a failed or interrupted build leaves the
served graph untouched.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, RDF, SKOS, VOID, XSD

from graph.build.build_diff import diff_against
from graph.build.curated_files import Curated, history_digests, load_curated
from graph.build.market_vocabulary import market_graph
from graph.build.shapes_as_sparql import Translator, UnsupportedShape
from graph.build.validation import check_hs_codes, check_shapes, check_store, load_shapes, ontology_line
from graph.errors import BuildError, Origin, Problem
from graph.namespaces import DATASET, PREFIXES
from graph.settings import Settings
from graph.store.builds import INFO_FILE, STORE_DIR, current_build, parse_extra, with_extras  # noqa: F401 (re-exported for the CLI)
from graph.store.pins import remove_unless_pinned

DUMPS = {"graph.nt": "nt", "graph.ttl": "turtle", "graph.jsonld": "json-ld"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    path: Path
    triples: int
    built_at: str
    seconds: float
    phases: dict[str, float] | None = None  # a build from a file: seconds per phase


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
    # SKOS keeps a name out of altLabel when it is the prefLabel in that language: a curated
    # common name that CLDR has since made the standard name is dropped, not flagged.
    for node, alt in list(graph.subject_objects(SKOS.altLabel)):
        if (node, SKOS.prefLabel, alt) in graph:
            graph.remove((node, SKOS.altLabel, alt))
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


def dataset_description(built_at: str, count: int) -> Graph:
    """A VoID description of the dataset itself, so the graph says how big and how fresh it is;
    `count` is the number of triples including these."""
    dataset = URIRef(DATASET)
    graph = Graph()
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.modified, Literal(built_at, datatype=XSD.dateTime)))
    graph.add((dataset, VOID.triples, Literal(count)))
    graph.add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    return graph


VOID_SIZE = len(dataset_description("2000-01-01T00:00:00Z", 0))


def describe_dataset(graph: Graph, built_at: str) -> None:
    graph += dataset_description(built_at, len(graph) + VOID_SIZE)


def build(settings: Settings | None = None, progress: Progress = lambda _: None,
          source: Path | None = None) -> BuildResult:
    """Build the curated data, or with `source` a large RDF file (plus the ontology), into a
    new build directory, and make it current only once it is valid and complete."""
    settings = settings or Settings()
    started = time.monotonic()
    builds = settings.home / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    built_at = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    target = builds / f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"
    partial = target.with_name(target.name + ".partial")
    try:
        if source is None:
            triples, digests = _build_curated(settings, partial, built_at, progress)
            # records/measures: {IRI: digest}, so that the next build can say what changed.
            info: dict = {"built_at": built_at, "triples": triples, **digests}
        else:
            triples, phases = _build_from_file(settings, Path(source), partial, built_at, progress)
            info = {"built_at": built_at, "triples": triples, "source": str(Path(source).resolve()),
                    "phases": phases}
        info["seconds"] = round(time.monotonic() - started, 3)
        # what changed since the build this one replaces (from the digests both keep)
        info["diff"] = diff_against(current_build(settings), info)
        (partial / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    progress("making the new build current")
    _swap(settings.current, target)
    prune(builds, keep=settings.keep_builds, current=target)
    return BuildResult(target, triples, built_at, time.monotonic() - started, info.get("phases"))


def _build_curated(settings: Settings, partial: Path, built_at: str,
                   progress: Progress) -> tuple[int, dict[str, dict[str, str]]]:
    """Small data: rdflib and pySHACL, whose results carry each record's file and line. The
    triple count and the digests of the records and measures (see history_digests)."""
    graph = assemble(settings, progress)
    digests = history_digests(graph)
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
    return len(graph), digests


# --------------------------------------------------------------------------- from a large file

MAX_PROBLEMS = 100  # a file broken everywhere is reported by its first problems, not a million
_OX_DUMPS = {"graph.nt": pyoxigraph.RdfFormat.N_TRIPLES, "graph.ttl": pyoxigraph.RdfFormat.TURTLE,
             "graph.jsonld": pyoxigraph.RdfFormat.JSON_LD}
# Formats a parser reads line-compatibly after N-Triples: the ontology can go in front of the
# file in one load, so that its blank nodes and the file's copy of them (as `agrikg generate`
# writes it, canonically labelled) are the same nodes, not two copies.
_NT_PREFIXABLE = {pyoxigraph.RdfFormat.N_TRIPLES, pyoxigraph.RdfFormat.TURTLE}


def _build_from_file(settings: Settings, source: Path, partial: Path, built_at: str,
                     progress: Progress) -> tuple[int, dict[str, float]]:
    """Large data: the file goes straight into the on-disk store, is validated there (SHACL as
    SPARQL, HS 2022), and the dumps are written by Oxigraph. No rdflib graph of the data."""
    phases: dict[str, float] = {}
    clock = time.monotonic()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        phases[name] = round(now - clock, 3)
        clock = now

    fmt = _source_format(source)
    shapes = load_shapes(settings.ontology_dir)
    translator = _translator(shapes)  # refuse untranslatable shapes before any work
    ontology = _ontology_ntriples(settings.ontology_dir)
    partial.mkdir()
    progress(f"loading {source.name} into the store")
    store = pyoxigraph.Store(str(partial / STORE_DIR))
    try:
        triples = _fill(store, settings, source, fmt, ontology, shapes, translator, built_at,
                        partial, progress, phase)
        store.flush()
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)  # frames below hold the store open
        raise
    finally:
        del store  # closed before the build directory is renamed or removed
    return triples, phases


def _fill(store: pyoxigraph.Store, settings: Settings, source: Path, fmt: pyoxigraph.RdfFormat,
          ontology: bytes, shapes: Graph, translator: Translator, built_at: str, partial: Path,
          progress: Progress, phase: Callable[[str], None]) -> int:
    """Load, describe, optimize, then validate while the dumps are written: the dumps' three
    threads and the validation's queries only read the store, and on two cores the dumps
    alone leave one idle while validation runs. A failed validation waits for the dumps,
    then the whole build directory goes."""
    _load(store, source, fmt, ontology)
    phase("load")

    _describe_store(store, built_at)
    triples = len(store)
    progress("optimizing the store")
    store.optimize()
    phase("index")

    progress(f"validating {triples:,} triples (SHACL as SPARQL, HS 2022) and writing "
             f"{', '.join(_OX_DUMPS)}")
    dumps = _Dumps(store, partial)
    try:
        problems = check_store(store, shapes, translator=translator)
    finally:
        phase("validate")
        dumps.join()
    if problems:
        raise BuildError(_locate(problems, source, settings.ontology_dir))
    phase("dumps")  # what the dumps took beyond the validation
    return triples


def _source_format(source: Path) -> pyoxigraph.RdfFormat:
    if not source.is_file():
        raise BuildError([Problem(str(source), Origin(str(source)), "--from", "no such file")])
    fmt = pyoxigraph.RdfFormat.from_extension(source.suffix.lstrip(".").lower())
    if fmt is None:
        raise BuildError([Problem(str(source), Origin(str(source)), "--from",
                                  f"cannot tell the RDF format from the extension {source.suffix!r}"
                                  "; use .nt, .ttl, .rdf, .jsonld or .n3")])
    if fmt.supports_datasets:
        raise BuildError([Problem(str(source), Origin(str(source)), "--from",
                                  f"{fmt.name} holds named graphs; the built graph is one "
                                  "graph (serve named graphs with `agrikg serve --extra`)")])
    return fmt


def _translator(shapes: Graph) -> Translator:
    try:
        return Translator(shapes)
    except UnsupportedShape as exc:
        raise BuildError([Problem("ontology/shapes.ttl", Origin("ontology/shapes.ttl"),
                                  "SHACL as SPARQL", str(exc))]) from None


def _ontology_ntriples(ontology_dir: Path) -> bytes:
    """The ontology as canonical N-Triples: the same blank node labels `agrikg generate` writes."""
    graph = to_canonical_graph(parse_ontology(ontology_dir))
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
    return b"".join(sorted(line for line in lines if line.strip()))


class _Chain(io.RawIOBase):
    """The ontology's N-Triples, then the file: one document for the parser."""

    def __init__(self, head: bytes, path: Path):
        self._parts: list[io.RawIOBase | io.BufferedIOBase] = [io.BytesIO(head), path.open("rb")]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while self._parts:
            read = self._parts[0].readinto(buffer)
            if read:
                return read
            self._parts.pop(0).close()
        return 0

    def close(self) -> None:
        for part in self._parts:
            part.close()
        super().close()


def _load(store: pyoxigraph.Store, source: Path, fmt: pyoxigraph.RdfFormat,
          ontology: bytes) -> None:
    offset = 0
    try:
        if fmt in _NT_PREFIXABLE:
            offset = ontology.count(b"\n")
            with io.BufferedReader(_Chain(ontology, source), 1 << 20) as stream:
                store.bulk_load(stream, fmt)
        else:
            store.bulk_load(ontology, pyoxigraph.RdfFormat.N_TRIPLES)
            store.bulk_load(path=str(source), format=fmt)
    except SyntaxError as exc:
        line = max((exc.lineno or 0) - offset, 0)
        column = f", column {exc.offset}" if exc.offset else ""
        message = re.sub(r"^Parser error at line \d+ column \d+: ", "", str(exc.msg))
        raise BuildError([Problem(str(source), Origin(str(source), line), f"{fmt.name} syntax",
                                  f"{message} (line {line}{column})")]) from None
    except (ValueError, OSError) as exc:
        raise BuildError([Problem(str(source), Origin(str(source)), "--from",
                                  f"cannot load as {fmt.name}: {exc}")]) from None


def _describe_store(store: pyoxigraph.Store, built_at: str) -> None:
    """The same VoID description as the curated build, replacing any the file brought."""
    old = dataset_description(built_at, 0)
    subject = pyoxigraph.NamedNode(str(DATASET))
    for predicate in {p for _, p, _ in old}:
        for quad in list(store.quads_for_pattern(subject, pyoxigraph.NamedNode(str(predicate)),
                                                 None)):
            store.remove(quad)
    text = dataset_description(built_at, len(store) + VOID_SIZE).serialize(
        format="nt", encoding="utf-8")
    store.load(text, pyoxigraph.RdfFormat.N_TRIPLES)


class _Dumps:
    """graph.nt, graph.ttl and graph.jsonld written by Oxigraph in three threads (its
    serialisers release the GIL); join() waits and re-raises the first error."""

    def __init__(self, store: pyoxigraph.Store, partial: Path):
        prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        self.errors: list[BaseException] = []

        def write(name: str, fmt: pyoxigraph.RdfFormat) -> None:
            try:
                store.dump(str(partial / name), fmt, from_graph=pyoxigraph.DefaultGraph(),
                           prefixes=None if fmt == pyoxigraph.RdfFormat.N_TRIPLES else prefixes)
            except OSError as exc:
                # An OSError without errno is the serialiser refusing the data (JSON-LD 1.1
                # cannot write RDF 1.2 triple terms), not the disk: say so as a build problem.
                self.errors.append(exc if exc.errno is not None else BuildError([Problem(
                    name, Origin(name), "dump", f"the data cannot be written as {fmt.name}: {exc}")]))
            except BaseException as exc:  # re-raised by join(), in the building thread
                self.errors.append(exc)

        self.threads = [threading.Thread(target=write, args=item, daemon=True)
                        for item in _OX_DUMPS.items()]
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()
        if self.errors:
            raise self.errors[0]


def _locate(problems: list[Problem], source: Path, ontology_dir: Path) -> list[Problem]:
    """Give each problem the line of the file where its focus is first a subject (N-Triples
    and Turtle written with full IRIs), else where the ontology defines it."""
    shown = problems[:MAX_PROBLEMS]
    wanted = {p.focus for p in shown}
    lines: dict[str, int] = {}
    if _source_format(source) in _NT_PREFIXABLE:
        with source.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.startswith(b"<"):
                    iri = raw[1:raw.find(b">")].decode("utf-8", "replace")
                    if iri in wanted and iri not in lines:
                        lines[iri] = number
                        if len(lines) == len(wanted):
                            break
    files = sorted(ontology_dir.glob("*.ttl"))
    located = [replace(p, origin=Origin(str(source), lines[p.focus])) if p.focus in lines
               else replace(p, origin=ontology_line(p.focus, files) or Origin(str(source)))
               for p in shown]
    if len(problems) > len(shown):
        located.append(Problem(str(source), Origin(str(source)), "…",
                               f"{len(problems) - len(shown):,} more problems not shown"))
    return located


def _swap(link: Path, target: Path) -> None:
    """Point <home>/current at the new build in one atomic rename."""
    tmp = link.with_name(f".current.{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path("builds") / target.name)
    os.replace(tmp, link)


def prune(builds: Path, keep: int, current: Path) -> list[Path]:
    """Remove all but the `keep` newest builds, never the one `current` points at nor one
    being read: a server still serving or answering from an older build (or `agrikg query`
    reading it) holds a shared lock on it, and the build is left for a later prune. The
    builds removed."""
    served = {current.resolve()}
    with contextlib.suppress(OSError):
        served.add((builds.parent / "current").resolve())
    done = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
                  key=lambda p: p.name)
    removed = [old for old in done[:-keep]
               if old.resolve() not in served and remove_unless_pinned(old)]
    # A build killed midway leaves its .partial directory; remove those whose process is gone.
    for partial in builds.glob("*.partial"):
        pid = partial.name.removesuffix(".partial").rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(partial, ignore_errors=True)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_built(settings: Settings, progress: Progress = lambda _: None) -> Path:
    """The current build, building it first when nothing has been built yet: what `agrikg
    serve`, `agrikg check` and the notebooks do before they open the store."""
    path = current_build(settings)
    if path is None:
        progress(f"no graph built yet in {settings.home}: building it first")
        path = build(settings, progress).path
    return path
