# The README's two commands: `make run` and `make test`. Each does the whole set-up on its own.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint docs bench load lock clean

setup: $(STAMP)

# Every Python package at the exact version of requirements/constraints.txt (pip included): what the tests ran with.
$(STAMP): pyproject.toml requirements/constraints.txt ontology/coop.ttl scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip -c requirements/constraints.txt
	$(BIN)/python -m pip install --quiet -e '.[test,docs,bench]' -c requirements/constraints.txt
	touch $(STAMP)

# Regenerate requirements/constraints.txt from a fresh venv (newest releases within pyproject's ranges), then
# `make setup` moves .venv to it. After changing a dependency in pyproject.toml. `make lock KEEP=1` keeps the
# current pins and resolves only the packages they do not name.
lock:
	KEEP=$(KEEP) bash scripts/lock.sh $(PYTHON)

# Build the seed graph (again only when its inputs changed), then serve it on http://127.0.0.1:8000 (Ctrl-C stops).
BUILD        := graph/build
BUILD_INPUTS := $(wildcard graph/sources/*.yaml graph/reference/* ontology/*.ttl ontology/vocab/*.ttl shapes/*.ttl) \
                $(shell find src/coopgraph -name '*.py' -not -path '*/web/*' 2>/dev/null)

$(BUILD)/summary.json: $(STAMP) $(BUILD_INPUTS)
	$(BIN)/coopgraph build --out $(BUILD)
	touch $@

run: setup $(BUILD)/summary.json
	$(BIN)/coopgraph serve --build $(BUILD) --host 127.0.0.1 --port 8000

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The national-scale benchmark: generates the records of sizes S, M, L (cached under benchmarks/build/), measures
# build, validation, store, queries, analyses, server and the newcomer's way; writes benchmarks/RESULTS.md and
# benchmarks/results.json. Long (about an hour on two cores); `python benchmarks/run.py --help` for fewer sizes.
bench: setup
	$(BIN)/python benchmarks/run.py

# `coopgraph serve` under 64 concurrent clients for 60 s (pages, SPARQL, abandoned downloads) on the seed build:
# benchmarks/LOAD.md and benchmarks/load.json.
load: setup
	$(BIN)/python benchmarks/serve_load.py

docs: setup
	$(BIN)/python -m coopgraph.docs build/docs

clean:
	rm -rf build graph/build .pytest_cache
