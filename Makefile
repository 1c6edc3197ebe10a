# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/cables

test: $(STAMP) lint
	$(BIN)/pytest -n 2 -q --cov --cov-report=term

lint: $(STAMP)
	$(BIN)/ruff check cables tui tests benchmarks
	$(BIN)/ruff format --check cables tui tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/parse.py
	$(BIN)/python benchmarks/library.py
	$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/tui.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
