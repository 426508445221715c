"""The folders are the stages of the data flow, and the read side never loads the write side:
a server that only answers must not carry the builder (pySHACL, YAML, rdflib's parsers)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph import PACKAGE_DIR, PROJECT_DIR

READ_SIDE = ("graph/store", "graph/answers", "graph/endpoint", "api")
WRITE_SIDE_MODULES = ("pyshacl", "yaml", "pycountry", "graph.build")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("folder", READ_SIDE)
def test_no_read_side_module_imports_the_write_side(folder) -> None:
    offenders = {str(path.relative_to(PROJECT_DIR)): sorted(
                     name for name in _imports(path) if name.startswith("graph.build"))
                 for path in (PACKAGE_DIR.parent / folder).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_serving_and_answering_load_no_part_of_the_builder() -> None:
    """In a fresh interpreter, import the app and the check and answer nothing yet: none of the
    write side's libraries may be loaded."""
    code = ("import sys, json; import api.app, graph.answers.check, graph.answers.listings, "
            "graph.answers.analytics, graph.endpoint.served_build; "
            "print(json.dumps(sorted(sys.modules)))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                       capture_output=True, text=True, cwd=PROJECT_DIR).stdout)
    assert "api.app" in loaded and "graph.answers.check" in loaded  # the probe itself works
    leaked = [m for m in loaded if m.startswith(WRITE_SIDE_MODULES)
              or m.startswith("rdflib.plugins.parsers")]
    assert leaked == []
    # networkx and pyvis load when a graph is drawn or measured, not for answering checks
    # (11 MB of a server's 89 MB PSS on the curated graph).
    assert not [m for m in loaded if m.split(".")[0] in ("networkx", "pyvis")]
    # rdflib loads with the first /sparql query (its SPARQL parser checks what a query may do)
    # or a notebook, not for answering checks: the graph's namespaces are plain strings.
    assert not [m for m in loaded if m.split(".")[0] in ("rdflib", "html5rdf", "pyparsing")]


def test_each_stage_is_a_package_of_its_own() -> None:
    for stage in ("build", "store", "answers", "endpoint"):
        assert (PACKAGE_DIR / stage / "__init__.py").is_file(), stage
    flat = sorted(p.name for p in PACKAGE_DIR.glob("*.py"))
    assert flat == ["__init__.py", "cli.py", "errors.py", "namespaces.py", "settings.py"]
