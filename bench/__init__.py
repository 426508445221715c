"""The agrikg benchmark suite: `make bench`, `make bench-quick` (see bench/__main__.py)."""
