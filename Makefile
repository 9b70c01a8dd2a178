# FitGraph — the two commands of the README, plus a few helpers.
.PHONY: dev test lint typecheck install bench clean

VENV ?= .venv
PY := $(VENV)/bin/python

dev:
	@bash scripts/dev.sh

test:
	@bash scripts/test.sh

install:
	@bash scripts/venv.sh

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy .

bench:
	@bash scripts/bench.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
