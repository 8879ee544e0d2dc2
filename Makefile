# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test install assets migrate demo lint clean bench

# The delivery worker (every email the portal sends) runs beside the web server and stops
# with it.
run: install assets migrate demo
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop), with the delivery worker"
	$(BIN)/flask outbox work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install assets
	$(BIN)/pytest $(PYTEST_ARGS)

# Reinstalls only when pyproject.toml or package.json changed since the last install.
install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# --ignore-scripts: no package may fetch anything at install time (vnu-jar's would download a
# Java runtime when there is no java command; CI installs Debian's instead).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

assets: static/dist/portal.css static/dist/portal.mjs

static/dist/portal.css: static/scss/portal.scss node_modules/.installed
	mkdir -p static/dist
	npx sass --pkg-importer=node --style=compressed --no-source-map --quiet-deps \
		--silence-deprecation=import $< $@

static/dist/portal.mjs: static/js/portal.mjs node_modules/.installed
	mkdir -p static/dist
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/dist/
	cp $< $@

# After upgrading, the stored compliance is recomputed from the facts under the rules as they
# now stand (a second run changes nothing).
migrate: install
	$(BIN)/flask db upgrade
	$(BIN)/flask compliance refresh

demo: install
	$(BIN)/flask seed-demo --if-empty

lint: install
	$(BIN)/ruff check portal tests migrations app.py
	$(BIN)/mypy

clean:
	rm -rf static/dist

bench: install assets
	$(BIN)/python -m tests.benchmarks.pages
	$(BIN)/python -m tests.benchmarks.workforce_upload
	$(BIN)/python -m tests.benchmarks.dashboard
	$(BIN)/python -m tests.benchmarks.hostile_uploads
	$(BIN)/python -m tests.benchmarks.reset_timing
	$(BIN)/python -m tests.benchmarks.spend_load
