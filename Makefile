# Two commands set everything up: `make run` and `make test` (see README.md).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run run-scaled test bench install migrate demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) bin/run_local.py

# The same demo at scale on this machine: gunicorn, RQ workers on Redis, PostgreSQL (README "Running at scale").
run-scaled: install
	$(PY) bin/run_scaled.py

# Every benchmark, on the local PostgreSQL; prints a table and writes bench/results.json.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# axe-core for the browser tests' accessibility checks (they skip locally without npm or Chromium).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; else echo "npm not found: browser tests will be skipped"; fi

test: install node_modules/.package-lock.json
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
