# ttb-cola: common entry points. Every target installs what it needs into .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PORT ?= 8765
SEED ?= 1
AS_OF ?= $(shell date +%F)
SIM_ARGS ?=

.PHONY: setup bytecode test test-fast soak lint bench simulate ingest daily backfill fill status build docs docs-serve demo browser clean \
	permittees processing-times ocr serve

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The project's modules compiled to bytecode up front (only those changed since): pip leaves an editable install's
# sources uncompiled, and a shell with PYTHONDONTWRITEBYTECODE set (CI images often set it) would otherwise compile
# every module again in every process the tests and benchmarks start.
bytecode: setup
	$(BIN)/python -m compileall -q ingestion tests transform/scripts

# The whole suite, its files spread over TEST_WORKERS processes (3 on the CI machine's 2 cores: a third keeps
# them busy while a file waits on its simulator, hangs and timeouts), longest files
# first (tests/conftest.py orders them by the last run's times); the wall time is kept for `make bench`.
TEST_WORKERS ?= 3
test: bytecode browser lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --record-suite-time

# The fast loop: unit tests only (parsers, plans, client, limiter, breaker), no whole runs, subprocesses,
# dbt, browser or S3 (those are marked integration: tests/conftest.py).
test-fast: bytecode
	$(BIN)/pytest -q -m "not soak and not integration"

# Headless Chromium for the docs-site test: installed with apt-get when we are root (CI), else the
# test is skipped locally (and fails under CI=true, so CI always proves the docs render).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not found: the docs browser test will be skipped (apt-get install chromium)"; fi

# Long variants (marked soak, left out of `make test`): full-volume fault runs, many more crash trials and loads.
soak: bytecode
	$(BIN)/pytest -m soak

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd transform && TTB_COLA_DUCKDB=:memory: ../$(BIN)/sqlfluff lint --processes 2

bench: bytecode
	$(BIN)/python tests/bench/run.py

# Options every crawl command takes. Our make variables never reach the environment of the commands
# (`unexport`): dlt would read names such as DESTINATION or FULL_REFRESH as its own settings.
CRAWL_ARGS = $(if $(METHODS),--methods $(METHODS)) $(if $(DESTINATION),--destination $(DESTINATION)) \
	$(if $(REPROBE),--reprobe) $(if $(STRATEGY),--strategy $(STRATEGY)) $(if $(PAGES),--pages $(PAGES)) \
	$(if $(CHUNK_DAYS),--chunk-days $(CHUNK_DAYS)) $(if $(MAX_MINUTES),--max-minutes $(MAX_MINUTES)) \
	$(if $(MAX_REQUESTS),--max-requests $(MAX_REQUESTS)) $(if $(IMAGES),--images $(IMAGES))
INGEST_ARGS = $(if $(DATE),--date $(DATE)) $(if $(START),--start $(START)) $(if $(END),--end $(END)) $(CRAWL_ARGS)
unexport DATE START END METHODS DESTINATION REPROBE FULL_REFRESH STRATEGY PAGES CHUNK_DAYS MAX_MINUTES \
	MAX_REQUESTS IMAGES PORT SEED AS_OF SIM_ARGS DOCS_PORT TEST_WORKERS API_HOST API_PORT DUCKDB

ingest: setup
	$(BIN)/ttb-cola ingest $(INGEST_ARGS)

# Daily: new COLAs and status changes, and the partitions that are due (DATE= replays another "today"),
# then the dbt build whenever the crawl committed something (exit 0, 1, 3, 5 or 75): bin/ttb-cola-daily,
# which cron and CI call directly since it keeps the crawl's own exit status (make turns any into 2).
daily: setup
	@VENV=$(VENV) bin/ttb-cola-daily $(if $(DATE),--today $(DATE)) $(CRAWL_ARGS)

# Backfill: START= [END=] [CHUNK_DAYS=7] [MAX_MINUTES=...]; rerun the same command to resume.
backfill: setup
	$(BIN)/ttb-cola backfill --start $(START) $(if $(END),--end $(END)) $(CRAWL_ARGS)

# Fill: the pages listed COLAs owe, watchlist matches first, then newest completed date first, in committed
# chunks [PAGES=] [MAX_MINUTES=] [MAX_REQUESTS=] [DESTINATION=]; rerun to resume.
fill: setup
	$(BIN)/ttb-cola fill $(if $(DESTINATION),--destination $(DESTINATION)) $(if $(PAGES),--pages $(PAGES)) \
		$(if $(MAX_MINUTES),--max-minutes $(MAX_MINUTES)) $(if $(MAX_REQUESTS),--max-requests $(MAX_REQUESTS)) \
		$(if $(DATE),--today $(DATE))

# TTB's open files: the weekly List of Permittees (loaded when it changed; DATE= replays another "today")
# and the label/formula processing times (appended once a day). `make daily` loads both.
permittees: setup
	$(BIN)/ttb-cola permittees $(if $(DATE),--today $(DATE)) $(if $(DESTINATION),--destination $(DESTINATION))

processing-times: setup
	$(BIN)/ttb-cola processing-times $(if $(DATE),--today $(DATE)) $(if $(DESTINATION),--destination $(DESTINATION))

# Label text of the stored images not read yet: alcohol, net contents, vintage, age [DESTINATION=]
ocr: setup
	$(BIN)/ttb-cola ocr $(if $(DESTINATION),--destination $(DESTINATION))

status: setup
	$(BIN)/ttb-cola status $(if $(DESTINATION),--destination $(DESTINATION))

# dbt: the warehouse models on data/warehouse.duckdb (plain `cd transform && dbt build` works too), or with
# DBT_TARGET=s3 on the lake, built into data/ttb_cola_lake.duckdb (TTB_COLA_LAKE_DUCKDB), both absolute.
# `make docs` / `make docs-serve` take DUCKDB= another warehouse file (the demo's: data/demo/warehouse.duckdb).
LAKE_DUCKDB := $(abspath $(or $(TTB_COLA_LAKE_DUCKDB),data/ttb_cola_lake.duckdb))
DBT := TTB_COLA_DUCKDB=$(CURDIR)/data/warehouse.duckdb TTB_COLA_LAKE_DUCKDB=$(LAKE_DUCKDB) $(CURDIR)/$(BIN)/dbt
DOCS_DBT := TTB_COLA_DUCKDB=$(abspath $(or $(DUCKDB),data/warehouse.duckdb)) TTB_COLA_LAKE_DUCKDB=$(LAKE_DUCKDB) \
	$(CURDIR)/$(BIN)/dbt
# The marts are then published where analysts read them: data/analytics.duckdb (a new file renamed over
# the old one, so a reader holding it never blocks a build), or with DBT_TARGET=s3 the bucket's Delta tables
# and, for `make serve`, `ttb-cola mcp` and `ttb-cola alerts`, analytics.duckdb beside the lake's models file.
# First, on dev, one line naming any process that holds data/warehouse.duckdb open (exit 6).
build: setup
	@if [ "$$DBT_TARGET" != s3 ]; then $(BIN)/ttb-cola publish --check --duckdb $(CURDIR)/data/warehouse.duckdb; fi
	$(DBT) build --project-dir transform
	@if [ "$$DBT_TARGET" = s3 ]; then $(BIN)/ttb-cola lake publish && $(BIN)/ttb-cola publish --duckdb $(LAKE_DUCKDB); \
	else $(BIN)/ttb-cola publish; fi

# docs generate builds the catalog (column types, row counts) from the built warehouse; docs-serve serves both.
docs: setup
	$(DOCS_DBT) docs generate --project-dir transform

docs-serve: docs
	cd transform && $(DOCS_DBT) docs serve --port $(or $(DOCS_PORT),8080)

demo: setup
	$(BIN)/ttb-cola demo

# Digest and report of the marts (after `make build`): WEEK=2025-W14 or SINCE= [UNTIL=], TARGET=s3 for the
# lake's marts, DUCKDB= another warehouse file, OUT= another directory (default data/digest, data/report).
DIGEST_ARGS = $(if $(WEEK),--week $(WEEK)) $(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL)) \
	$(if $(TARGET),--target $(TARGET)) $(if $(DUCKDB),--duckdb $(DUCKDB)) $(if $(OUT),--out $(OUT))
.PHONY: digest report
digest: setup
	$(BIN)/ttb-cola digest $(DIGEST_ARGS) $(if $(STDOUT),--stdout)

report: setup
	$(BIN)/ttb-cola report $(DIGEST_ARGS)

# The read-only JSON API over data/analytics.duckdb (after `make build`): API_PORT= [API_HOST=] [DUCKDB=].
serve: setup
	$(BIN)/ttb-cola serve $(if $(DUCKDB),--duckdb $(DUCKDB)) $(if $(API_HOST),--host $(API_HOST)) \
		$(if $(API_PORT),--port $(API_PORT))

simulate: setup
	$(BIN)/ttb-cola simulate serve --port $(PORT) --seed $(SEED) --as-of $(AS_OF) $(SIM_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info ingestion/*.egg-info
