"""Shared fixtures: one graph built into a temporary home, opened embedded, served by a real
Oxigraph server process and loaded into a private Virtuoso, so every check runs on the embedded
store and on both engines with the same expected answers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from graph import DATA_DIR
from graph.build.builder import build, current_build
from graph.settings import Settings
from graph.store.backends import EmbeddedStore, RemoteStore, Store
from tests.helpers import virtuoso as virtuoso_helper
from tests.helpers.servers import free_port, start_api, start_oxigraph


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A graph built once from the real ontology and graph/data/ into a temporary home."""
    home = tmp_path_factory.mktemp("home")
    settings = Settings(home=home, endpoint=None)
    build(settings)
    return settings


@pytest.fixture(scope="session")
def embedded(settings: Settings) -> EmbeddedStore:
    return EmbeddedStore(current_build(settings) / "store")


HISTORY_DIR = Path(__file__).parent / "data" / "history"


def history_data(target: Path) -> Path:
    """A copy of graph/data/ at `target` with the history test files added (two documents, a
    pair restricted in 2022 and lifted in 2024-02, two export measures): the tests of dated
    records, sources and measures do not depend on what the curated data holds today."""
    shutil.copytree(DATA_DIR, target)
    for sub in ("documents", "sources", "records"):
        (target / sub).mkdir(exist_ok=True)
        for path in sorted((HISTORY_DIR / sub).iterdir()):
            shutil.copy(path, target / sub / path.name)
    rows = (HISTORY_DIR / "measures.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    measures = target / "measures.csv"
    if measures.exists():  # the curated measures, then the test rows
        text = measures.read_text(encoding="utf-8")
        measures.write_text(text + ("" if text.endswith("\n") else "\n") + "".join(rows[1:]),
                            encoding="utf-8")
    else:
        measures.write_text("".join(rows), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def history_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A graph built from graph/data/ plus tests/data/history/ (see history_data)."""
    root = tmp_path_factory.mktemp("history")
    settings = Settings(home=root / "home", data_dir=history_data(root / "data"), endpoint=None)
    build(settings)
    return settings
HISTORY_EXPORTER = "UZ"  # the made-up RDF history's exporter: no real record takes part


@pytest.fixture(scope="session")
def history_home(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home serving a copy of the built graph with the made-up dated records and measures of
    tests/data/history/*.ttl loaded on top (exporter UZ), written as RDF to the contract: the
    as-of rule's tests need no build of their own, so they stay in the fast tier."""
    home = tmp_path_factory.mktemp("history-home")
    target = home / "builds" / "history"
    shutil.copytree(current_build(settings), target, symlinks=True)
    (home / "current").symlink_to(Path("builds") / "history")
    store = pyoxigraph.Store(str(target / "store"))
    for path in sorted(HISTORY_DIR.glob("*.ttl")):
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    store.flush()
    del store
    return home


@pytest.fixture(scope="session")
def history_store(history_home: Path) -> EmbeddedStore:
    return EmbeddedStore(history_home / "current" / "store")


@pytest.fixture(scope="session")
def oxigraph_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `oxigraph serve-read-only` over the built N-Triples dump, on a loopback port."""
    dump = current_build(settings) / "graph.nt"
    yield from start_oxigraph(tmp_path_factory.mktemp("oxigraph"), [["--file", str(dump)]])


@pytest.fixture(scope="session")
def remote(oxigraph_url: str) -> RemoteStore:
    return RemoteStore(oxigraph_url)


def start_virtuoso(settings: Settings, directory: Path, max_rows: int = 100000) -> Iterator[str]:
    """A private Virtuoso over the built graph (tests/helpers/virtuoso.py); skips when Debian's
    virtuoso-opensource is not installed (`make virtuoso`, part of `make test`)."""
    if not virtuoso_helper.available():
        pytest.skip("Virtuoso is not installed: `make virtuoso` (part of `make test`)")
    yield from virtuoso_helper.start_virtuoso(directory, current_build(settings) / "graph.nt",
                                              (free_port(), free_port()), max_rows=max_rows)


@pytest.fixture(scope="session")
def virtuoso_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Virtuoso's SPARQL endpoint with the built graph as its default-graph-uri, as an operator
    would give it to `agrikg serve --endpoint`."""
    yield from start_virtuoso(settings, tmp_path_factory.mktemp("virtuoso"))


@pytest.fixture(scope="session")
def virtuoso(virtuoso_url: str) -> RemoteStore:
    return RemoteStore(virtuoso_url)


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Store:
    """Each test using `store` runs on the embedded store, on a remote Oxigraph server and on a
    remote Virtuoso, with the same expected answers."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def api_embedded(settings: Settings) -> Iterator[str]:
    yield from start_api(settings)


@pytest.fixture(scope="session")
def api_remote(settings: Settings, oxigraph_url: str) -> Iterator[str]:
    yield from start_api(settings, endpoint=oxigraph_url)


@pytest.fixture(scope="session")
def api_virtuoso(settings: Settings, virtuoso_url: str) -> Iterator[str]:
    """`agrikg serve --endpoint 'http://127.0.0.1:PORT/sparql?default-graph-uri=...'` over
    Virtuoso, as the README tells an operator to start it."""
    # A longer time limit: Virtuoso refuses a costly query by its own estimate before running
    # it (MaxQueryCostEstimationTime), and its whole-graph read took over 2 s on a loaded
    # 2-core machine.
    yield from start_api(settings, args=("--endpoint", virtuoso_url),
                          extra_env={"AGRIKG_QUERY_TIMEOUT": "10"})


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def api(request: pytest.FixtureRequest) -> str:
    """The base URL of the API, served on the embedded store, on a remote Oxigraph and on a
    remote Virtuoso."""
    return request.getfixturevalue(f"api_{request.param}")


# -- test tiers ------------------------------------------------------------------------------------
# `make test-fast` (pytest -m "not slow") runs the unit tests and the in-process TestClient route
# tests; `make test` runs everything. A test is `slow` when it drives a process of its own (a
# server: agrikg serve, oxigraph serve-read-only; the CLI or another program; Chromium; a notebook
# kernel; a built wheel) or runs whole builds beyond the session's one. The tier is decided here
# from the fixtures a test uses (and the parameter it runs on) and what its code and theirs call
# (the server helpers of tests/helpers/servers.py, subprocess), so a new test lands in the right
# tier without anyone marking it; a test that starts a program some other way carries one of the
# markers itself. In a fast run, a test that starts a program anyway fails and says so, so the
# fast tier stays fast.
_TIER_FIXTURES = {"api_embedded": "server", "api_remote": "server", "oxigraph_url": "server",
                  "remote": "server", "api_virtuoso": "server", "virtuoso_url": "server",
                  "virtuoso": "server", "browser": "browser", "executed": "notebook"}
_TIER_PARAMS = {("api", "embedded"): "server", ("api", "remote"): "server",
                ("api", "virtuoso"): "server", ("store", "remote"): "server",
                ("store", "virtuoso"): "server"}
# Whole modules: fault injection and load runs start and kill their own servers, the CLI tests run
# agrikg, the build tests build edited copies of the data.
_TIER_MODULES = {"test_faults": "server", "test_load": "server", "test_cli": "process",
                 "test_bench": "process", "test_builder": "build", "test_wheel": "wheel"}
# registered in pyproject.toml
TIERS = ("server", "process", "browser", "notebook", "build", "property", "wheel")


# A fixture or test whose code calls these starts a server; a test calling `subprocess` a program.
_SERVER_HELPERS = frozenset({"start_api", "start_oxigraph", "start_virtuoso"})


def _names(func: object) -> set[str]:
    """The global and attribute names a function's compiled code uses, nested functions included."""
    stack, names = [getattr(func, "__code__", None)], set()
    while stack:
        code = stack.pop()
        if code is not None:
            names |= set(code.co_names)
            stack += [c for c in code.co_consts if hasattr(c, "co_names")]
    return names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test by the processes it needs; each such marker also marks it `slow`."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        tiers = {_TIER_FIXTURES[name] for name in item.fixturenames if name in _TIER_FIXTURES}
        fixtures = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        if any(_names(d.func) & _SERVER_HELPERS for defs in fixtures.values() for d in defs):
            tiers.add("server")
        # A fixture that copies the whole curated data for each test to edit: the test then
        # loads or validates all of it again (about a second each), a build of its own.
        if any(d.scope == "function" and "history_data" in _names(d.func)
               for defs in fixtures.values() for d in defs):
            tiers.add("build")
        own = _names(getattr(item, "function", None))
        if own & _SERVER_HELPERS:
            tiers.add("server")
        elif "subprocess" in own:
            tiers.add("process")
        tiers |= {tier for (name, value), tier in _TIER_PARAMS.items() if params.get(name) == value}
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        if module in _TIER_MODULES:
            tiers.add(_TIER_MODULES[module])
        tiers |= {mark.name for mark in item.iter_markers() if mark.name in TIERS}
        for tier in sorted(tiers):
            item.add_marker(tier)
        if tiers:
            item.add_marker("slow")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """In a run without the slow tier, refuse any program a test starts other than the
    interpreter's own helpers (`python -c`, e.g. the query workers of an in-process app)."""
    if "not slow" not in (item.config.getoption("markexpr") or "") or \
            item.get_closest_marker("slow"):
        return (yield)
    real = subprocess.Popen.__init__

    def refuse(self, args, *rest, **kwargs):
        argv = [str(a) for a in args] if isinstance(args, list | tuple) else [str(args)]
        if argv[:2] != [sys.executable, "-c"]:
            pytest.fail(f"{item.nodeid} starts {Path(argv[0]).name!r}: that is the slow tier; use "
                        "a server fixture or mark the test with one of " + ", ".join(TIERS),
                        pytrace=False)
        real(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = refuse
    try:
        return (yield)
    finally:
        subprocess.Popen.__init__ = real


FEED_HISTORY = Path(__file__).parent / "data" / "feed" / "history.ttl"


@pytest.fixture(scope="session")
def feed_home(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home serving a copy of the built graph with the dated history of tests/data/feed/
    added to its store (beef to Nauru: open 2018 and 2019, restricted 2022-02, lifted 2024-02-07;
    frozen mutton to Iceland: agreed 2018, two sources disagreeing on 2023-12-05)."""
    home = tmp_path_factory.mktemp("feed-home")
    target = home / "builds" / "history"
    shutil.copytree(current_build(settings), target, symlinks=True)
    store = pyoxigraph.Store(str(target / "store"))
    store.load(path=str(FEED_HISTORY), format=pyoxigraph.RdfFormat.TURTLE)
    store.flush()
    del store
    (home / "current.tmp").symlink_to(Path("builds") / "history")
    os.replace(home / "current.tmp", home / "current")
    return home
