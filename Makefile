# The portal's commands. The README names these targets.
#   make run    install, create the database, load the demo, serve on :5000
#   make test   install, lint, and run every test on both stacks
#   make bench  run the benchmarks (not part of CI)
#   make fuzz-api  a long schemathesis run against the served OpenAPI document

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Tests on PostgreSQL create (and drop) their own database on this server.
PORTAL_TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export PORTAL_TEST_PG_URL
# pytest-xdist workers; tests/conftest.py sends all the browser tests to one
# worker, so their gunicorn and Chromium start once.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

.PHONY: fuzz-api run test test-sqlite test-postgresql lint bench install install-dev clean frontend translations translations-update

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	scripts/ensure-system-packages
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	scripts/ensure-system-packages --with-browser
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# GOV.UK Frontend and the portal's CSS, from the npm registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

app/static/dist/portal.css: node_modules/.installed scripts/build-frontend.mjs $(wildcard app/static/src/*.scss)
	npm run --silent build

# The Welsh catalogue, compiled for the running app.
app/translations/cy/LC_MESSAGES/messages.mo: app/translations/cy/LC_MESSAGES/messages.po | $(BIN)/python
	$(BIN)/pybabel compile -d app/translations

frontend: app/static/dist/portal.css
translations: app/translations/cy/LC_MESSAGES/messages.mo

install: $(VENV)/.installed frontend translations
install-dev: $(VENV)/.installed-dev frontend translations

# Re-extract messages after changing any text; then translate the new ones.
translations-update: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l --width 88 -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --width 88

run: install
	$(BIN)/flask --app wsgi init-db
	$(BIN)/flask --app wsgi seed-demo
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

lint: install-dev
	scripts/check-source-text
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict evidence_store

# The same suite on both stacks: SQLite with the filesystem store, and
# PostgreSQL with a SeaweedFS S3 store (started by the tests themselves).
# One after the other by default; TEST_STACKS_AT_ONCE=2 runs them side by
# side (much of a run waits on servers, browsers, fsync and subprocesses:
# 20 minutes instead of about 30 on two cores), but two timing-bound tests
# (the minute's fuzz run must reach a 2xx of every operation it names; a
# browser's resumed upload) then failed on a clean clone, so not yet by
# default. --output-sync prints each run's report whole when it ends.
TEST_STACKS_AT_ONCE ?= 1
test: lint
	$(MAKE) --no-print-directory -j$(TEST_STACKS_AT_ONCE) --output-sync=target \
		test-sqlite test-postgresql

# Each run its own pytest temporary directory: two sessions at once must
# not tidy away each other's files.
test-sqlite: install-dev
	mkdir -p .pytest-tmp
	PORTAL_TEST_DB=sqlite PORTAL_TEST_STORE=fs $(PYTEST) --basetemp=$(CURDIR)/.pytest-tmp/sqlite

test-postgresql: install-dev
	mkdir -p .pytest-tmp
	PORTAL_TEST_DB=postgresql PORTAL_TEST_STORE=s3 $(PYTEST) --basetemp=$(CURDIR)/.pytest-tmp/postgresql

# A longer schemathesis run than the minute `make test` gives it, with a
# fresh random seed: FUZZ_SECONDS=3600 make fuzz-api. Same stacks as test.
FUZZ_SECONDS ?= 900
fuzz-api: install-dev
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED= PORTAL_TEST_DB=sqlite PORTAL_TEST_STORE=fs \
		$(BIN)/pytest tests/e2e/test_e2e_schemathesis.py
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED= PORTAL_TEST_DB=postgresql PORTAL_TEST_STORE=s3 \
		$(BIN)/pytest tests/e2e/test_e2e_schemathesis.py

bench: install-dev
	$(BIN)/python bench/evidence_throughput.py
	$(BIN)/python bench/resumable_upload.py
	$(BIN)/python bench/progress.py
	$(BIN)/python bench/evidence_list.py
	$(BIN)/python bench/joint_working.py
	$(BIN)/python bench/agreement.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/export.py

clean:
	rm -rf $(VENV) .pytest_cache .pytest-tmp .mypy_cache .ruff_cache node_modules app/static/dist
