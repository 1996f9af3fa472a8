# Set-up is automatic: every target below creates .venv and installs the project
# (with its pinned dev extras) the first time, and again when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: lock install codegen codegen-check regen lint contracts format typecheck test unit demo sandbox record bench bench-follow bench-request-log clean page-screenshot corpus
.PHONY: docs docs-check docs-serve
.PHONY: fuzz abuse test-postgres-large bench-scale

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Refresh constraints.txt from the current environment (after changing pyproject.toml).
lock: $(STAMP)
	{ echo "# Exact versions the build, codegen and tests were verified with (pip freeze of .[dev])."; \
	  echo "# Used by the Makefile as pip constraints; refresh with: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v "^-e\|removethebackground"; } > constraints.txt

## Regenerate src/removethebackground/generated and codegen/golden from wsdl/.
codegen: $(STAMP)
	$(PY) -m codegen

## Vendor a new WSDL of one generation and regenerate, printing the API diff:
##   make regen GENERATION=pixelz FROM=path/to/new.wsdl   (or FROM=https://host/soap.asmx)
## It fails (after writing) when the update has breaking changes; see docs/regenerating.md.
regen: $(STAMP)
	@test -n "$(GENERATION)" -a -n "$(FROM)" || \
	  { echo "usage: make regen GENERATION=<legacy|pixelz> FROM=<file or http(s) URL>" >&2; exit 2; }
	@$(PY) -m codegen update "$(GENERATION)" "$(FROM)" || { rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "regen: files written; the update has BREAKING changes (above)" >&2; fi; \
	  exit $$rc; }

## Fail when the generated code is stale against wsdl/.
codegen-check: $(STAMP)
	$(PY) -m codegen --check

LINTED := $(wildcard src codegen tests bench scripts)

lint: $(STAMP) contracts
	$(PY) -m ruff check $(LINTED)
	$(PY) -m ruff format --check src codegen

## The import contracts of pyproject.toml [tool.importlinter]: what each layer may import.
contracts: $(STAMP)
	$(VENV)/bin/lint-imports --no-logo --no-cache

format: $(STAMP)
	$(PY) -m ruff format src codegen
	$(PY) -m ruff check --fix $(LINTED)

typecheck: $(STAMP)
	$(PY) -m mypy --strict src

## The tests in parallel worker processes (pytest-xdist). Many tests wait on loopback I/O
## (sandbox servers, subprocesses), so more workers than cores pay; `--dist load` hands
## tests out one by one as workers free up. PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= 4
PYTEST_DIST ?= load

unit: $(STAMP)
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST)

## Everything CI runs: codegen freshness, lint, import contracts, then the tests with types
## and the docs build alongside (they work while the tests wait on I/O; each step's output
## is printed whole when it ends).
test: codegen-check lint contracts
	$(MAKE) --no-print-directory -j2 --output-sync=target unit typecheck docs-check

# Material for MkDocs prints a notice about MkDocs 2.0 on every build; it is not a warning.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs

## The documentation site (docs/, mkdocs.yml) into site/. --strict: a broken link or
## anchor, a file left out of the nav, or any mkdocstrings warning fails the build.
docs: $(STAMP)
	$(MKDOCS) build --strict --site-dir site

## The same build into a temporary directory, as part of make test.
docs-check: $(STAMP)
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
	  $(MKDOCS) build --strict --site-dir "$$out"

## Serve the site with live reload on http://127.0.0.1:8000.
docs-serve: $(STAMP)
	$(MKDOCS) serve --strict

## The WSDL corpus with 200 hypothesis examples a test and every operation of each WSDL
## (make test runs a bounded 10, on at most 40 operations a WSDL), then the report of what
## codegen does with the real-world twenty (docs/other-wsdls.md).
corpus: $(STAMP)
	CORPUS_EXAMPLES=200 CORPUS_OPERATIONS=0 $(PY) -m pytest -q -n $(PYTEST_WORKERS) tests/codegen/test_wsdl_corpus.py
	$(PY) tests/codegen/corpus_report.py --examples 20

## Fuzz the client with many more mutated answers than make test runs (hypothesis profile "fuzz"),
## and codegen with many more mutated WSDLs (make test runs 25).
fuzz: $(STAMP)
	RTB_FUZZ_PROFILE=fuzz $(PY) -m pytest -q tests/core/test_fuzz_answers.py
	CODEGEN_FUZZ_EXAMPLES=1000 $(PY) -m pytest -q tests/codegen/test_codegen_fuzz.py

## The sandbox under abuse at full size: 8 threads x 250 mixed calls (make test runs 8 x 40).
abuse: $(STAMP)
	RTB_LOAD_CALLS=250 $(PY) -m pytest -q tests/service/test_sandbox_abuse.py

## The shared PostgreSQL batch at size: 6 worker processes, 600 rows, 12 SIGKILLs, answers
## dropped by a proxy; every row must be sent exactly once (make test runs 3 x 60, 3 kills).
test-postgres-large: $(STAMP)
	RTB_PG_WORKERS=6 RTB_PG_ROWS=600 RTB_PG_KILLS=12 $(PY) -m pytest -q \
	  tests/workflows/test_batch_postgres.py -k exactly_once

## The scale table alone (also part of make bench): BENCH_SCALE_ROWS rows (100,000) on
## SQLite, then 1 and 4 worker processes on PostgreSQL (its own server), against a fast
## in-process service: rows/s, journal cost per row, peak memory, speed-up, duplicates.
bench-scale: $(STAMP)
	$(PY) bench/scale.py

## The main job against the local sandbox: upload, process, download.
demo: $(STAMP)
	$(PY) scripts/demo.py

## Run the sandbox service in the foreground.
sandbox: $(STAMP)
	$(VENV)/bin/rtb sandbox

## Re-record the cassettes in tests/cassettes against a fresh sandbox.
record: $(STAMP)
	$(PY) -m pytest -q tests/testing/test_cassettes.py --record-mode=rewrite

## Refresh docs/sandbox-page.png: the sandbox page in headless Chromium (needs chromium).
page-screenshot: $(STAMP)
	RTB_PAGE_SCREENSHOT=docs/sandbox-page.png $(PY) -m pytest -q tests/service/test_sandbox_page_browser.py

bench: $(STAMP)
	$(PY) bench/run.py

## What the sandbox's request log costs: requests/s with it on and off.
bench-follow: $(STAMP)
	$(PY) bench/follow.py

bench-request-log: $(STAMP)
	$(PY) bench/request_log.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis demo-output site
