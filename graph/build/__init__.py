"""The write side: curated files and market names become RDF, are validated (SHACL, HS codes,
quotes) and written as a new build. Only `agrikg build` (the CLI) and the tests import it."""
