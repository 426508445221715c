"""agrikg: an open knowledge graph of agricultural market access.

Data flows one way: ontology/ + graph/data/ -> build -> store -> named queries -> check.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
ONTOLOGY_DIR = PROJECT_DIR / "ontology"
DATA_DIR = PACKAGE_DIR / "data"
QUERIES_DIR = PACKAGE_DIR / "queries"
REFERENCE_DIR = PACKAGE_DIR / "reference"
