# Two entry points for a fresh machine: `make demo` and `make test`. Both bootstrap the environment
# from the committed uv lock (installing uv with pip if it is missing) before running.
SHELL := /bin/bash
export AIRFLOW_HOME := $(CURDIR)
export UV_COMPILE_BYTECODE := 1
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE :=
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := .venv
STAMP := $(VENV)/.synced

.PHONY: demo test bench env fonts airflow-standalone clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

env: $(STAMP)

airflow.db: | $(STAMP)
	$(VENV)/bin/airflow db migrate

# Post text is full of emoji; the PDF report needs a colour emoji font to show them (Debian packages
# one). Without root or apt the demo still runs, with boxes in place of emoji in the PDF.
fonts:
	@fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && apt-get install -y -qq fonts-noto-color-emoji) >/dev/null 2>&1 \
	      || echo "note: could not install fonts-noto-color-emoji; emoji will show as boxes in PDFs"; \
	  else echo "note: install fonts-noto-color-emoji for emoji in PDF reports"; fi; }

demo: $(STAMP) airflow.db fonts
	$(VENV)/bin/rete demo

test: $(STAMP)
	$(VENV)/bin/pytest

# Figures and the commands behind them are in BENCHMARKS.md; the signals bench takes ~20 minutes.
bench: $(STAMP)
	$(VENV)/bin/python bench/bench_enrich.py
	$(VENV)/bin/python bench/bench_sentiment.py
	$(VENV)/bin/python bench/bench_signals.py

# The real scheduler, API and UI on 127.0.0.1:8080 (see README: the JWT secret it needs).
airflow-standalone: $(STAMP) airflow.db
	@test -n "$$AIRFLOW__API_AUTH__JWT_SECRET" || { echo "set AIRFLOW__API_AUTH__JWT_SECRET first (see README)"; exit 2; }
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/airflow standalone

clean:
	rm -rf out logs airflow.db examples/demo/.rete examples/demo/warehouse
