# The README's two commands: `make run` and `make test`. Each does the whole set-up on its own.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml ontology/coop.ttl scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $(STAMP)

run: setup
	$(BIN)/coopgraph validate examples/ctg.ttl --quiet
	$(BIN)/coopgraph info

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

docs: setup
	$(BIN)/python -m coopgraph.docs build/docs

clean:
	rm -rf build graph/build .pytest_cache
