# Two commands: `make run` (install, build the index if absent, serve the app) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install install-test index lint eval bench clean system-packages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and alone: the CPU build of this exact version is what pip finds here (STACK.md).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

index: install
	$(BIN)/python -m assistant ingest

run: index
	$(BIN)/streamlit run app.py --server.headless true --server.port $(PORT) --browser.gatherUsageStats false

# Debian's chromium drives the end-to-end test (no browser download), LibreOffice counts the pages of an
# exported briefing and poppler-utils turns its pages into images; all are installed when missing and we are root.
system-packages:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (the browser test fails, the page-count test skips)"; fi; \
	fi

# ruff (style), mypy (types), import-linter (layers point down, drafts independent, no cycles: .importlinter).
lint: install-test
	$(BIN)/ruff check assistant ingest evals bench tests app.py ui
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: install-test system-packages lint
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/python -m evals

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/answer.py
	$(BIN)/python bench/check_draft.py

clean:
	rm -rf .mission-desk
