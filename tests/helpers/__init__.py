"""Helpers shared by the tests: one environment for the programs they start, one way to wait
for a server and start the API or Oxigraph (tests/helpers/servers.py), a private Virtuoso
(tests/helpers/virtuoso.py)."""
