# Zhaoyin — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
ZY := $(VENV)/bin/zhaoyin
HOST ?= 127.0.0.1
PORT ?= 8000
export ZHAOYIN_DATA_DIR ?= $(CURDIR)/var

.PHONY: install system-packages run serve test test-sqlite test-postgres check bench messages clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

# The Debian packages the suite needs (Chromium, PostgreSQL, CJK fonts …), installed when missing.
system-packages:
	@bash tools/system_packages.sh

# zhaoyin makes a missing data directory itself, mode 0700 (its database file is 0600).
run: install
	$(ZY) migrate --noinput
	$(ZY) demo
	$(PY) tools/run_local.py --host $(HOST) --port $(PORT)

# Both passes at once, one per core (tools/test_passes.py: a log per pass, printed in turn;
# fails when either fails). ZHAOYIN_TEST_JOBS=1 runs them one after the other.
test: system-packages install
	$(PY) tools/test_passes.py $(PY)

test-sqlite: system-packages install
	$(PY) -m pytest -p no:randomly

test-postgres: system-packages install
	$(PY) tools/with_postgres.py $(PY) -m pytest -p no:randomly

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(ZY) check --fail-level WARNING
	$(ZY) makemigrations --check --dry-run
	$(PY) tools/check_messages.py

bench: install
	$(PY) bench/run_all.py

messages: install
	$(PY) tools/check_messages.py --update

clean:
	rm -rf $(VENV) build *.egg-info
