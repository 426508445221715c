# The whole set-up on a fresh machine with python3 and make: `make run`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test build check lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## build the graph (if needed) and print a sample check
run: $(STAMP)
	$(BIN)/agrikg build
	$(BIN)/agrikg check "сиыр еті" "Қытай" --lang kk
	$(BIN)/agrikg check beef IR

build: $(STAMP)
	$(BIN)/agrikg build

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf var .pytest_cache .ruff_cache
