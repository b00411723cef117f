# `make demo` and `make test` each create .venv on first use and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docx]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,docx]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/tr-discourse read corpora/tr_interviews corpora/tr_blog --out out/demo/segments.parquet
	$(BIN)/tr-discourse code corpora/tr_interviews corpora/tr_blog --codebook codebooks/tr_core.yaml \
		--roll-up --out out/demo
	$(BIN)/tr-discourse report out/demo --html out/demo/report.html
	$(BIN)/python corpora/agreement.py
	$(BIN)/python benchmarks/rule_quality.py

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests corpora benchmarks notebooks
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests corpora benchmarks notebooks

clean:
	rm -rf $(VENV) out .pytest_cache
