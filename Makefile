# Splot — the two commands a new developer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run demo test test-fast system-deps browser-deps screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Demo data goes only into an empty store; then serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/splot demo --if-empty
	$(BIN)/splot serve --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/ensure-system-deps.sh

# axe-core for the browser tests (tests/browser), from npm at the lock file's version; redone only
# when package.json or package-lock.json is newer than the installed file (npm ci keeps the
# tarball's old mtime, hence the touch).
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --include=dev --no-audit --no-fund --silent
	touch $(AXE)

browser-deps: $(AXE)

test: install system-deps browser-deps
	$(BIN)/python -m pytest

test-fast: install browser-deps
	$(BIN)/python -m pytest -m "not postgres and not slow"

# The screenshots kept in docs/screenshots/ (home page, meeting form empty and with errors, a record, the network
# picture, a task's tables and charts, the audit trail, a reporting year and the difference of its versions), in Polish
screenshots: install system-deps browser-deps
	SPLOT_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -p no:randomly tests/browser/test_staff_pages.py -k screenshots
	SPLOT_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -p no:randomly tests/browser/test_network_pages.py -k screenshots
	SPLOT_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -p no:randomly tests/browser/test_strategy_change_pages.py -k screenshots
	SPLOT_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -p no:randomly tests/browser/test_closing_pages.py

clean:
	rm -rf $(VENV) var

# The crash suite's long run (tests/crash; a short one is part of `make test`): the real server and the
# projection worker SIGKILLed CRASH_KILLS times per store, SQLite and PostgreSQL. Repeat a run with
# SPLOT_CRASH_SEED=<the seed it printed>. Figures: docs/reliability.md, "Crash suite".
CRASH_KILLS ?= 100
.PHONY: crash soak
crash: install system-deps
	SPLOT_CRASH_KILLS=$(CRASH_KILLS) $(BIN)/python -m pytest -p no:randomly -s tests/crash -k survives

# Mixed load on 127.0.0.1 for SOAK_MINUTES (default 30): errors, latency percentiles and server RSS per
# minute (bench/soak.py); the summary goes to docs/soak.json. Figures: docs/reliability.md, "Soak".
SOAK_MINUTES ?= 30
soak: install system-deps
	SOAK_MINUTES=$(SOAK_MINUTES) PYTHONPATH=. $(BIN)/python bench/soak.py

# Every benchmark in bench/ that supports --json (bench/run_all.py), each figure beside its baseline from the
# same run, written to docs/performance.md, at issue 13's sizes (1M events; the generated store is cached
# under var/bench/). `make bench-quick`: the same at small sizes, for development (minutes). Durations: bench/README.md.
BENCH_ARGS ?=
.PHONY: bench bench-quick
bench: install system-deps
	SPLOT_BENCH_COMMAND="make bench $(BENCH_ARGS)" PYTHONPATH=. $(BIN)/python bench/run_all.py $(BENCH_ARGS)
bench-quick: install system-deps
	SPLOT_BENCH_COMMAND="make bench-quick $(BENCH_ARGS)" PYTHONPATH=. $(BIN)/python bench/run_all.py --quick $(BENCH_ARGS)
