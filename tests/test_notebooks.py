"""The notebooks in notebooks/: committed without outputs, and each runs top to bottom in a real
Jupyter kernel against a graph built into a temporary home (never ./var), showing what a reader
is meant to see."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable

import nbformat
import pytest
from nbclient import NotebookClient

from graph import DATA_DIR, PROJECT_DIR
from graph.answers.views import render_filtered
from graph.settings import Settings
from graph.store.backends import open_store
from tests.test_named_queries import curated_records

NOTEBOOKS = PROJECT_DIR / "notebooks"
NAMES = ["01-sparql-tour.ipynb", "02-exporter-walkthrough.ipynb", "03-network-analysis.ipynb"]
CELL_TIMEOUT = 120


def test_the_three_notebooks_are_there() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in code:
        assert cell.outputs == [], f"{name}: a cell was committed with outputs:\n{cell.source[:200]}"
        assert cell.execution_count is None, f"{name}: a cell was committed with an execution count"
    assert "open_store(settings)" in code[0].source, "the first code cell opens the store"


def _text(nb: nbformat.NotebookNode) -> str:
    """Everything a reader sees below the cells: printed text, results and displayed HTML."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                parts.extend(output.data.get(kind, "") for kind in ("text/plain", "text/html"))
            elif output.output_type == "error":
                parts.append("\n".join(output.traceback))
    return "\n".join(parts)


FLUSH_AFTER_EACH_CELL = """\
import sys
get_ipython().events.register("post_execute", lambda: (sys.stdout.flush(), sys.stderr.flush()))
"""


@pytest.fixture(scope="module")
def executed(settings: Settings) -> Callable[[str], str]:
    """Run a notebook (once per module) in a python3 kernel with AGRIKG_HOME at the test graph
    and return what it shows. The kernel is the venv's interpreter (jupyter_client runs a
    `python` kernelspec with sys.executable); it inherits the environment and runs in
    notebooks/, as Jupyter would."""
    shown: dict[str, str] = {}

    def run(name: str) -> str:
        if name not in shown:
            nb = nbformat.read(NOTEBOOKS / name, as_version=4)
            # The kernel sends printed text from an I/O thread; now and then a cell's text
            # reached the client after the cell had finished and was lost (seen with ipykernel
            # 6 and 7). Flushing after every cell, before its reply, orders them. The setup cell
            # shows nothing and the notebooks themselves stay as users see them.
            nb.cells.insert(0, nbformat.v4.new_code_cell(FLUSH_AFTER_EACH_CELL))
            with pytest.MonkeyPatch.context() as env:
                env.setenv("AGRIKG_HOME", str(settings.home))
                env.delenv("AGRIKG_ENDPOINT", raising=False)
                # Outputs arrive on IOPub after a cell finishes; on a busy machine nbclient's
                # default 4 s wait drops them silently, so wait longer and fail loudly instead.
                client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT,
                                        iopub_timeout=60, raise_on_iopub_timeout=True,
                                        resources={"metadata": {"path": str(NOTEBOOKS)}})
                client.execute()  # raises CellExecutionError on the first failing cell
            errors = [o for cell in nb.cells for o in cell.get("outputs", [])
                      if o.output_type == "error"]
            assert not errors, f"{name}: {errors}"
            shown[name] = _text(nb)
        return shown[name]

    return run


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_on_the_test_graph_not_var(name: str, executed, settings: Settings) -> None:
    text = executed(name)
    assert f"graph home: {settings.home}" in text
    assert str(PROJECT_DIR / "var") not in text
    assert "Traceback" not in text


def test_sparql_tour(executed) -> None:
    text = executed("01-sparql-tour.ipynb")
    for name in ("summary_counts", "pending_negotiations", "markets_for_product", "products_for_market"):
        assert re.search(rf"^{name}\s", text, re.M), f"{name} is not listed"
    # summary counts: one line per status with its number of records
    for status, records in Counter(r["status"] for r in curated_records()).items():
        assert re.search(rf"^{status}\s+{records}\s", text, re.M), status
    # pending negotiations in Russian: cattle to Iran
    assert re.search(r"IR\s+Иран\s+Крупный рогатый скот\s+requirements-planned\s+planned", text)
    # beef reaches the UAE through the record on meat other than pork
    assert re.search(r"AE\s+United Arab Emirates\s+meat-except-pork\s+restriction-lifted", text)
    assert re.search(r"Chilled mutton\s+020410 020421 020422 020423\s+requirements-agreed", text)
    # raw SPARQL: quotes with their translations, and products per HS chapter
    assert "kk: Иран тарапынан тірі қойды" in text
    assert "en: The Iranian side has agreed veterinary requirements" in text
    in_02 = sum(any(code.strip().startswith("02") for code in row["hs"].split(";"))
                for row in csv.DictReader((DATA_DIR / "products.csv").open(encoding="utf-8")))
    assert re.search(rf"^02\s+{in_02}\s*$", text, re.M)


def test_exporter_walkthrough(executed) -> None:
    text = executed("02-exporter-walkthrough.ipynb")
    cases = re.split(r"^(?=product: )", text, flags=re.M)[1:]
    assert len(cases) == 5, text
    direct, inherited, partial, unknown, by_code = cases
    assert "status:    open" in direct and "via:       None" in direct
    assert "Бидай" in direct and "quote (kk):" in direct and "translation:  According to" in direct
    assert "status:    restriction-lifted" in inherited
    assert "via:       meat-except-pork (Мясо, кроме свинины)" in inherited
    assert "translation:  Также сняты ограничения" in inherited
    assert "по более широкой группе «Мясо, кроме свинины»" in inherited
    assert "our reading of the status" in inherited
    assert "status:    unknown" in partial and "permitted: None" in partial
    assert "partial:   chilled-mutton" in partial and "partial:   frozen-mutton" in partial
    assert "status:    unknown" in unknown and "permitted: None" in unknown
    assert "This is not a prohibition" in unknown and "False" not in unknown
    assert "Edible hen eggs ['040721']" in by_code and "via:       edible-eggs" in by_code
    assert "no product matches 'wheet'" in text
    assert "did you mean: ['Wheat (1001)'" in text


def test_network_analysis(executed, settings: Settings) -> None:
    text = executed("03-network-analysis.ipynb")
    view = render_filtered(open_store(settings), "en", market="IR")
    assert f"view.nodes = {view.nodes}" in text and f"view.edges = {view.edges}" in text
    assert view.nodes > 0
    assert re.search(r"MultiDiGraph \d+ nodes, \d+ edges", text)
    assert "counts: {'products': " in text
    assert "Cattle -> Iran: requirements-planned" in text
    assert re.search(r"market\s+China\s+\d", text)
    # the interactive page inline, its own HTML escaped into the iframe's srcdoc
    assert '<iframe srcdoc="&lt;!doctype html&gt;' in text
    assert "vis.Network" in text or "vis-network" in text
    assert "UserWarning" not in text
