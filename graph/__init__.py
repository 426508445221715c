"""agrikg: an open knowledge graph of agricultural market access.

Data flows one way: ontology/ + graph/data/ -> build -> store -> named queries -> check.
"""

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
# A checkout (or an editable install of one) has the project's files beside the package; an
# installed wheel has only the package, with the ontology shipped inside it (pyproject.toml).
IN_CHECKOUT = (PROJECT_DIR / "pyproject.toml").is_file() and (PROJECT_DIR / "ontology").is_dir()
ONTOLOGY_DIR = PROJECT_DIR / "ontology" if IN_CHECKOUT else PACKAGE_DIR / "ontology"
DATA_DIR = PACKAGE_DIR / "data"
QUERIES_DIR = PACKAGE_DIR / "queries"
REFERENCE_DIR = PACKAGE_DIR / "reference"


def default_home() -> Path:
    """Where builds live unless AGRIKG_HOME says: ./var in a checkout (what the README's commands
    use), else the user's data directory (~/.local/share/agrikg on Linux), never site-packages."""
    if IN_CHECKOUT:
        return PROJECT_DIR / "var"
    from platformdirs import user_data_path

    return user_data_path("agrikg", appauthor=False)


def interpreter(module: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run `module` of this copy of agrikg in a fresh
    interpreter. -P keeps the working directory off the import path and PYTHONPATH puts this
    copy first: started inside another checkout, the child would import that one's code."""
    path = [str(PROJECT_DIR), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return [sys.executable, "-P", "-m", module, *args], os.environ | {
        "PYTHONPATH": os.pathsep.join(path)}
