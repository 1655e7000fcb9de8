# Two entry points: `make run` (service on embedded defaults) and `make test` (whole suite).
# `make lint` runs ruff, mypy and the import-layer contracts (pyproject's [tool.importlinter]).
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

.PHONY: run test bench lint debs venv clean train-debs train eval-asr

debs:
	@missing=""; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	command -v sox >/dev/null || missing="$$missing sox"; \
	[ -d /usr/share/pocketsphinx/test/data/librivox ] || missing="$$missing pocketsphinx-testdata"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf ] || missing="$$missing fonts-dejavu-core fonts-dejavu-extra"; \
	[ -d /usr/share/fonts/truetype/liberation ] || missing="$$missing fonts-liberation"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
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
	$(VENV)/bin/lint-imports
	$(VENV)/bin/python -m pytest -q

# The recogniser's recipe (models/asr/radio-tiny-v4.md): corpus, training, export. Piper
# (GPL-3.0) only renders training speech; flite and festival only speak the evaluation set.
# radio-tiny-v1 (queries); radio-tiny-v2: v1 on corpus v3 (replies); radio-tiny-v3: v1 on
# corpora v3 + v4; radio-tiny-v4 (the default): v3's decoder on corpora v5 + v6, then the
# encoder's blocks too on v5-v7, averaged with v3 (0.85 / 0.15).
TRAIN_STEPS ?= 800
REPLY_STEPS ?= 250
train-debs:
	@missing=""; \
	for p in flite festival festvox-kdlpc16k festvox-kallpc16k festvox-us-slt-hts fortunes-min; do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

train: venv train-debs
	$(PIP) install -q -e '.[tts]'
	$(PY) -m training corpus --out var/corpus/v1 --size 7000 --seed 1
	$(PY) -m training asr --corpus var/corpus/v1 --out var/train/run1 --steps $(TRAIN_STEPS)
	$(PY) -m training export var/train/run1/step-$$(printf %06d $(TRAIN_STEPS)).npz \
		--out var/train/radio-tiny-v1.npz --model-dir var/models/radio-tiny-v1
	$(PY) -m training corpus --out var/corpus/v3 --size 1500 --seed 3 --replies
	$(PY) -m training asr --corpus var/corpus/v3 --out var/train/run3 --resume var/train/radio-tiny-v1.npz \
		--steps $(REPLY_STEPS) --lr 2e-5 --eval-every 125
	$(PY) -m training export var/train/run3/step-$$(printf %06d $(REPLY_STEPS)).npz \
		--out var/train/radio-tiny-v2.npz --model-dir var/models/radio-tiny-v2
	$(PY) -m training corpus --out var/corpus/v4 --size 1500 --seed 4
	$(PY) -m training asr --corpus var/corpus/v3 var/corpus/v4 --out var/train/run4 \
		--resume var/train/radio-tiny-v1.npz --steps 300 --lr 2e-5 --eval-every 150
	$(PY) -m training export var/train/run4/step-000300.npz --out var/train/radio-tiny-v3.npz
	$(PY) -m training corpus --out var/corpus/v5 --size 4000 --seed 5
	$(PY) -m training corpus --out var/corpus/v6 --size 1500 --seed 6 --replies
	$(PY) -m training corpus --out var/corpus/v7 --size 3000 --seed 7
	$(PY) -m training asr --corpus var/corpus/v5 var/corpus/v6 --out var/train/run5 \
		--resume var/train/radio-tiny-v3.npz --steps 1200 --lr 2e-5 --eval-every 400
	$(PY) -m training asr --corpus var/corpus/v5 var/corpus/v6 var/corpus/v7 --out var/train/run6 \
		--resume var/train/run5/step-001200.npz --steps 500 --lr 2e-5 --eval-every 250 --encoder-layers 4
	$(PY) -m training average var/train/run6/step-000250.npz --anchor var/train/radio-tiny-v3.npz \
		--weight 0.85 --out var/train/avg/step-000250.npz
	$(PY) -m training export var/train/avg/step-000250.npz \
		--out var/train/radio-tiny-v4.npz --model-dir var/models/radio-tiny-v4
	$(PY) -m training pack --out var/pack --queries 40000 --replies 8000 --seed 8 --piper 400 \
		--start var/train/radio-tiny-v4.npz
	$(PY) -m training.remote var/pack --out var/train/run8 --steps 894 --batch 8 --lr 1e-5 --workers 1 \
		--seed 1 --piper-share 0.2 --warmup 30 --val-clips 32 --val-every 900
	$(PY) -m training unpack var/train/run8 --which final --start var/train/radio-tiny-v4.npz \
		--out var/train/run8/final.npz
	$(PY) -m training export var/train/run8/final.npz \
		--out var/train/radio-tiny-v5.npz --model-dir var/models/radio-tiny-v5

eval-asr: venv train-debs
	$(PIP) install -q -e '.[tts]'
	$(PY) -m training.evalset --out var/eval/radio-v1 --queries 300 --seed 21
	$(PY) -m training.evalset --out var/eval/replies-v1 --queries 150 --seed 22 --replies
	$(PY) -m tests.bench.bench_radio_asr --audio var/eval/radio-v1 --model radio-tiny-v4
	$(PY) -m tests.bench.bench_radio_asr --audio var/eval/replies-v1 --model radio-tiny-v4 --noise 0 \
		--out var/bench/replies-asr.json
	$(PY) -m tests.bench.bench_radio_asr --audio var/eval/radio-v1 --model tiny.en --spelling-model base \
		--out var/bench/radio-asr-baseline.json

bench: venv
	$(VENV)/bin/python -m pytest -q tests/bench -p no:cacheprovider -s --override-ini addopts=

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/mypy && $(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .cache var
