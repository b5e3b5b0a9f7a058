# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest other-pythons bench screenshots clean

# Two distributions from this one tree: the client (pyproject.toml here) and the emulator
# (packages/notify-emulator), both installed editable, in one resolve.
$(STAMP): pyproject.toml packages/notify-emulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[async,cli,dev]' -e './packages/notify-emulator[postgres]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m notify_emulator.demo

test: $(STAMP) lint typecheck other-pythons pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks packages noxfile.py
	$(BIN)/ruff format --check src tests benchmarks packages noxfile.py

typecheck: $(STAMP)
	$(BIN)/mypy

# The client supports every CPython from 3.10: run its tests on each one this machine has.
other-pythons: $(STAMP)
	$(BIN)/nox --reuse-existing-virtualenvs --no-error-on-missing-interpreters --session client

pytest: $(STAMP)
	$(BIN)/pytest

# The bench extra (py-spy) profiles the targets a run misses.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks

# The README's pictures of the inbox, taken with Chromium (apt-get install chromium).
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

clean:
	rm -rf $(VENV) .nox .mypy_cache .ruff_cache .pytest_cache
