# Two entry points: `make run` (service on embedded defaults) and `make test` (whole suite).
# Each creates .venv, installs torch (CPU build) first, then the project, and the Debian
# packages it needs. Caches stay inside the repo (.cache/).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1
TORCH_SPEC ?= torch==2.13.0
HOST ?= 127.0.0.1
PORT ?= 8000
SEED_PERSONS ?= 100000

.PHONY: run test bench lint debs venv clean

debs:
	@missing=""; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	command -v sox >/dev/null || missing="$$missing sox"; \
	[ -d /usr/share/pocketsphinx/test/data/librivox ] || missing="$$missing pocketsphinx-testdata"; \
	command -v sipp >/dev/null || missing="$$missing sip-tester"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.stamp: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools wheel
	$(PIP) install -q $(TORCH_SPEC)
	$(PIP) install -q -e '.[dev,base]'
	touch $@

venv: debs $(VENV)/.stamp

run: venv
	$(VENV)/bin/patrol db init --seed-if-empty $(SEED_PERSONS)
	$(VENV)/bin/patrol serve --host $(HOST) --port $(PORT)

test: venv
	$(VENV)/bin/python -m fixtures.make_audio --if-missing
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -q

bench: venv
	$(VENV)/bin/python -m pytest -q tests/bench -p no:cacheprovider -s --override-ini addopts=

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .cache var
