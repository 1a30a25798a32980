# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint coverage forge-test

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

test: lint forge-test
	$(BIN)/pytest

# The Forge app's jest tests and manifest validation (forge/), with Node.js 20+ and npm; skipped, saying
# why, without them. `npm ci` runs again only when package-lock.json changed since the last install.
forge-test:
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		echo "forge-test skipped: node and npm are not installed (Debian: apt-get install nodejs npm), so the Forge app's tests did not run"; \
	elif [ "$$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then \
		echo "forge-test skipped: the Forge app's tests need Node.js 20 or newer, node $$(node --version) is installed"; \
	else \
		cd forge && { [ node_modules/.kpiokr-installed -nt package-lock.json ] || { npm ci --no-audit --no-fund && touch node_modules/.kpiokr-installed; }; } && npm test; \
	fi

# Line coverage of sync/ from the unit and adapter tests alone (no HTTP, no sandbox server), per room.
coverage: $(BIN)/.installed
	COVERAGE_FILE=$(VENV)/.coverage $(BIN)/pytest tests/unit tests/adapters -q -p no:cacheprovider --cov=sync --cov-report=term
	@for room in jira store mapping app cli; do \
		printf 'sync/%-8s' "$$room"; \
		COVERAGE_FILE=$(VENV)/.coverage $(BIN)/coverage report --include="sync/$$room/*" | tail -1 | sed 's/^TOTAL *//'; \
	done
