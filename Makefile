# Two commands a lecturer needs: `make lesson` and `make test`. Both set up what is missing first.
VENV := .venv
BIN := $(VENV)/bin
QUALITY ?= h

.PHONY: setup lesson test bench clean

setup:
	@bash scripts/setup.sh

lesson: setup
	$(BIN)/gradlesson render -q $(QUALITY)

test: setup
	$(BIN)/python -m pytest -rs

bench: setup
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_surface.py
	$(BIN)/python benchmarks/bench_render.py
	$(BIN)/python benchmarks/bench_guard.py

clean:
	rm -rf media .pytest_cache .hypothesis
