"""Helpers shared by the tests: one environment for the programs they start, one way to wait
for a server (tests/helpers/servers.py)."""
