# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint coverage

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("kpiokr needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(BIN)/.installed
	$(BIN)/kpiokr demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/pytest

# Line coverage of sync/ from the unit and adapter tests alone (no HTTP, no sandbox server), per room.
coverage: $(BIN)/.installed
	COVERAGE_FILE=$(VENV)/.coverage $(BIN)/pytest tests/unit tests/adapters -q -p no:cacheprovider --cov=sync --cov-report=term
	@for room in jira store mapping app cli; do \
		printf 'sync/%-8s' "$$room"; \
		COVERAGE_FILE=$(VENV)/.coverage $(BIN)/coverage report --include="sync/$$room/*" | tail -1 | sed 's/^TOTAL *//'; \
	done
