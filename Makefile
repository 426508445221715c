# The whole set-up on a fresh machine with python3 and make: `make run`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test build check lint clean browser fuzz

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM ?= /usr/bin/chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## build the graph when there is none, then serve the API on 127.0.0.1:8000
run: $(STAMP)
	$(BIN)/agrikg serve

build: $(STAMP)
	$(BIN)/agrikg build

## install Debian's chromium when it is missing (needs root or sudo, as on CI)
browser:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/pytest

## a longer fuzzing run of every route (schemathesis), e.g. FUZZ_EXAMPLES=500
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)
	AGRIKG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf var .pytest_cache .ruff_cache
