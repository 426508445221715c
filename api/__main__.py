"""The server process `agrikg serve` becomes once the build is ready (`python -m api`): it
answers with the app alone, without the CLI's typer, rich and click (3 MB of a server's PSS
at 10^6 triples), reading its settings from AGRIKG_* as uvicorn's worker processes do."""

from api.server import run
from graph.settings import Settings

run(Settings())
