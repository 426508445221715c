"""The HTTP API (SPARQL 1.1 endpoint, market-access JSON, linked data): thin routes over
the same functions the CLI calls. Arrives with the serving issue."""
