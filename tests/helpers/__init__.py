"""Test helpers that start real programs (Virtuoso) for the fixtures in tests/conftest.py."""
