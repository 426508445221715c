"""The wheel runs anywhere: built from this checkout, installed with its dependencies into a fresh
venv outside it, and run there from a directory that is not a checkout (issue 11, item 3)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from graph import DATA_DIR, ONTOLOGY_DIR, PACKAGE_DIR, PROJECT_DIR, QUERIES_DIR, REFERENCE_DIR
from tests.helpers.env import clean_env
from tests.helpers.servers import answers, free_port, stop

API_DIR = PROJECT_DIR / "api"


@dataclass
class Installed:
    wheel: Path
    bin: Path          # the fresh venv's bin/
    cwd: Path          # an empty directory outside the checkout
    data_home: Path    # XDG_DATA_HOME: where platformdirs puts the user's data directory

    def env(self, **settings: str) -> dict[str, str]:
        """The user's environment without this checkout: no AGRIKG_*, no PYTHONPATH, no venv."""
        env = clean_env(outside=True, **settings)
        return env | {"XDG_DATA_HOME": str(self.data_home), "COLUMNS": "200", "NO_COLOR": "1",
                      "PATH": f"{self.bin}{os.pathsep}{env.get('PATH', '')}"}

    def agrikg(self, *args: str, **settings: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / "agrikg"), *args], cwd=self.cwd, env=self.env(**settings),
                              capture_output=True, text=True, timeout=300)


def _run(*args: str | Path, cwd: Path) -> None:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(map(str, args))}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """`pip wheel --no-deps .`, then a fresh venv (none of this venv's packages) with the wheel
    and its dependencies installed from the package index (pip's cache keeps it quick)."""
    root = tmp_path_factory.mktemp("wheel")
    assert not root.resolve().is_relative_to(PROJECT_DIR), "the wheel is tried outside the checkout"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", root / "dist",
         PROJECT_DIR, cwd=root)
    [wheel] = (root / "dist").glob("agrikg-*.whl")
    # A venv without pip of its own, filled by this pip (`--python`), and no bytecode compiled
    # ahead for the ~90 installed distributions: a third of the time, the same installed files.
    _run(sys.executable, "-m", "venv", "--without-pip", root / "venv", cwd=root)
    _run(sys.executable, "-m", "pip", "--python", root / "venv" / "bin" / "python", "install",
         "--quiet", "--no-compile", wheel, cwd=root)
    (root / "cwd").mkdir()
    return Installed(wheel, root / "venv" / "bin", root / "cwd", root / "xdg")


def _files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_the_wheel_holds_the_ontology_queries_templates_static_reference_and_data(installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {f"graph/ontology/{n}" for n in _files(ONTOLOGY_DIR)}
    for directory in (QUERIES_DIR, DATA_DIR, REFERENCE_DIR, PACKAGE_DIR / "templates",
                      API_DIR / "templates", API_DIR / "static"):
        expected |= {f"{directory.relative_to(PROJECT_DIR).as_posix()}/{n}" for n in _files(directory)}
    assert {"graph/ontology/shapes.ttl", "graph/queries/access_check.rq", "graph/reference/hs2022.csv",
            "api/static/style.css", "graph/data/access.csv"} <= expected
    assert any(n.startswith("graph/data/documents/") and n.endswith(".txt") for n in expected)
    assert sorted(expected - names) == []


def test_the_installed_agrikg_imports_from_the_venv_not_the_checkout(installed) -> None:
    done = subprocess.run([str(installed.bin / "python"), "-c",
                           "import graph, api, json; print(json.dumps([graph.__file__, api.__file__, "
                           "str(graph.ONTOLOGY_DIR), graph.IN_CHECKOUT, str(graph.default_home())]))"],
                          cwd=installed.cwd, env=installed.env(), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    graph_file, api_file, ontology, in_checkout, home = json.loads(done.stdout)
    venv = installed.bin.parent
    for path in (graph_file, api_file, ontology):
        assert Path(path).is_relative_to(venv) and not Path(path).is_relative_to(PROJECT_DIR), path
    assert Path(ontology, "statuses.ttl").is_file()
    assert in_checkout is False
    assert Path(home) == installed.data_home / "agrikg", "builds go to the user's data directory"


@pytest.fixture(scope="module")
def built(installed: Installed) -> Installed:
    """`agrikg build` as a user runs it after `pip install agrikg`: no setting given."""
    done = installed.agrikg("build")
    assert done.returncode == 0, done.stdout + done.stderr
    return installed


def test_build_writes_to_the_user_data_directory_not_site_packages_or_cwd(built) -> None:
    assert (built.data_home / "agrikg" / "current" / "graph.nt").is_file()
    assert list(built.cwd.iterdir()) == [], "nothing is written to the current directory"
    assert not list(built.bin.parent.glob("lib/python*/site-packages/var"))


def test_check_answers_from_the_installed_wheel(built) -> None:
    text = built.agrikg("check", "wheat", "CN")
    assert text.returncode == 0, text.stderr
    assert "Market open" in text.stdout and "«" in text.stdout, "the status and the Kazakh quote"


@pytest.fixture(scope="module")
def served(built: Installed) -> Iterator[str]:
    """`agrikg serve` from the venv on a free loopback port, stopped after the module."""
    port = free_port()
    log = built.cwd.parent / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(built.bin / "agrikg"), "serve"], cwd=built.cwd,
                                   env=built.env(port=str(port), sparql_workers="1"),
                                   stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        if not answers(base + "/health", process):
            process.kill()
            pytest.fail(f"the installed agrikg serve did not answer /health:\n{log.read_text()[-3000:]}")
        yield base
        stop(process, 15)


def test_serve_answers_health_pages_and_static_files_from_the_wheel(served) -> None:
    with httpx.Client(base_url=served, timeout=30, trust_env=False) as client:
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        page = client.get("/", params={"lang": "en"}, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "<html" in page.text, page.text[:500]
        assert client.get("/static/style.css").status_code == 200
        access = client.get("/access", params={"product": "wheat", "market": "CN"})
        assert access.status_code == 200 and access.json()["status"] == "open", access.text


def test_curated_data_from_agrikg_data_dir_is_what_the_installed_build_reads(built, tmp_path) -> None:
    """An analyst edits a copy of the curated files and builds from it with AGRIKG_DATA_DIR."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    access = data / "access.csv"
    text = access.read_text(encoding="utf-8")
    assert "kz-cn-wheat,KZ,CN,wheat,open," in text
    access.write_text(text.replace("kz-cn-wheat,KZ,CN,wheat,open,", "kz-cn-wheat,KZ,CN,wheat,restricted,"),
                      encoding="utf-8")
    home = tmp_path / "home"
    done = built.agrikg("build", home=str(home), data_dir=str(data))
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(built.agrikg("check", "wheat", "CN", "--json", home=str(home)).stdout)
    assert answer["status"] == "restricted", answer
