# The whole set-up on a fresh machine with python3 and make: `make run`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Compiled modules are kept in __pycache__ (git ignores it) even where the shell says not to:
# else every test worker and every server a test starts compiles each module anew, and pytest
# rewrites every test file's asserts again (make test-fast: 62 -> 52 s on this 2-core machine).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast wheel-check build check lint clean browser haproxy virtuoso vendor fuzz bench bench-quick wrk

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM ?= /usr/bin/chromium
# The remote-engine tests also run on Debian's Virtuoso (a private instance per test session).
VIRTUOSO ?= /usr/bin/virtuoso-t
VIRTUOSO_ISQL ?= /usr/bin/isql-vt

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The query page's editor: YASQE (YASGUI's editor) from the npm registry, pinned with its
# integrity hashes in web/package-lock.json, copied into api/static/vendor/ (git-ignored; the
# wheel ships it). The page works without it, as a plain text area.
NPM    ?= npm
VENDOR := api/static/vendor
VENDOR_STAMP := $(VENDOR)/yasqe/yasqe.min.js

$(VENDOR_STAMP): web/package.json web/package-lock.json
	@command -v $(NPM) >/dev/null 2>&1 || { \
	  echo "installing npm (Debian package) for the query page's editor"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	$(NPM) ci --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/yasqe
	cp web/node_modules/@zazuko/yasqe/build/yasqe.min.css $(VENDOR)/yasqe/yasqe.min.css
	sed '/^\/\/# sourceMappingURL=/d' web/node_modules/@zazuko/yasqe/build/yasqe.min.js > $@

## the query page's editor into api/static/vendor/ (npm ci of web/package-lock.json)
vendor: $(VENDOR_STAMP)

## build the graph when there is none, then serve the API on 127.0.0.1:8000
run: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/agrikg serve

build: $(STAMP)
	$(BIN)/agrikg build

## install Debian's chromium when it is missing (needs root or sudo, as on CI)
browser:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## install Debian's haproxy when it is missing, for the replica tests (tests/test_replicas.py) and
## deploy/haproxy.cfg; the package's own service is kept from starting (policy-rc.d, removed after)
haproxy:
	@command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || { \
	  echo "installing haproxy (Debian package) for the replica tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  NOSTART=$$( [ -e /usr/sbin/policy-rc.d ] || echo yes ); \
	  [ -z "$$NOSTART" ] || printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null; \
	  [ -z "$$NOSTART" ] || $$SUDO chmod +x /usr/sbin/policy-rc.d; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq haproxy >/dev/null; \
	  status=$$?; [ -z "$$NOSTART" ] || $$SUDO rm -f /usr/sbin/policy-rc.d; exit $$status; }

## install Debian's virtuoso-opensource when it is missing, for the remote-engine tests (which
## start a private instance of their own on loopback). The dba password is preseeded, so nothing
## asks; no system service is started (a policy-rc.d refuses it during the install, unless one
## is there already) nor left enabled.
# one random password, the same in both questions (`:=`: evaluated once)
VIRTUOSO_DBA_PASSWORD := $(shell od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
virtuoso:
	@{ command -v $(VIRTUOSO) && command -v $(VIRTUOSO_ISQL) && { ! command -v dpkg-query || \
	   dpkg-query -W -f='$${db:Status-Status}' virtuoso-opensource | grep -qx installed; }; \
	 } >/dev/null 2>&1 || { \
	  echo "installing virtuoso-opensource (Debian package) for the remote-engine tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  printf '%s\n' \
	    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password $(VIRTUOSO_DBA_PASSWORD)" \
	    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password $(VIRTUOSO_DBA_PASSWORD)" \
	    "virtuoso-opensource-7 virtuoso-opensource-7/register-odbc-dsn boolean false" \
	    | $$SUDO debconf-set-selections; \
	  POLICY=; [ -e /usr/sbin/policy-rc.d ] || { POLICY=1; \
	    printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null; \
	    $$SUDO chmod 755 /usr/sbin/policy-rc.d; }; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends virtuoso-opensource >/dev/null; STATUS=$$?; \
	  [ -z "$$POLICY" ] || $$SUDO rm -f /usr/sbin/policy-rc.d; \
	  [ ! -e /etc/default/virtuoso-opensource-7 ] || \
	    $$SUDO sed -i 's/^RUN=yes/RUN=no/' /etc/default/virtuoso-opensource-7; \
	  $$SUDO update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true; \
	  exit $$STATUS; }

## the whole suite, as CI runs it (.ci/run); includes the wheel job (tests/test_wheel.py)
test: $(STAMP) $(VENDOR_STAMP) browser haproxy virtuoso
	$(BIN)/ruff check .
	$(BIN)/pytest

## what a developer runs between edits (under a minute): unit tests and in-process TestClient
## route tests; no server, CLI, browser, notebook or wheel process (tests/conftest.py sorts them)
test-fast: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m "not slow" -n auto

## only the wheel job: build the wheel, install it into a fresh venv outside the checkout and
## there run agrikg build, agrikg check wheat CN and agrikg serve answering /health
wheel-check: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/pytest -q -m wheel tests/test_wheel.py

## a longer fuzzing run of every route (schemathesis), e.g. FUZZ_EXAMPLES=500
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)
	AGRIKG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf var .pytest_cache .ruff_cache web/node_modules $(VENDOR)

## benchmarks (not tests): wrk for the load runs is installed like chromium above
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing wrk (Debian package) for the benchmark's load runs"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

## the full benchmark (about 10 min): bench/results/REPORT.md, results.json, latency.png
## e.g. make bench BENCH_ARGS="--sizes 1e4,1e5,1e6,1e7"; then REPLICAS.md and EXPLORE.md (time to
## a stable /explore graph at 300 nodes in Debian's Chromium)
bench: $(BENCH_STAMP) wrk haproxy browser
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.replicas
	$(BIN)/python -m bench.explore

## the same code at small sizes in under 2 minutes: bench/results/quick/
bench-quick: $(BENCH_STAMP) wrk
	$(BIN)/python -m bench --quick $(BENCH_ARGS)
