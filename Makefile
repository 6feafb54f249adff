# Two commands a lecturer needs: `make lesson` and `make test`. Both set up what is missing first.
# `make test` is lint (ruff), format check, types (mypy) and every test; `make test-fast` skips the renders.
VENV := .venv
BIN := $(VENV)/bin
MYPY := $(BIN)/python -m mypy
QUALITY ?= h
# one pytest worker per core; tests sharing a render carry one xdist_group (rendered once, by one worker), and
# tests/conftest.py hands the heaviest groups out first (--no-loadscope-reorder keeps that order)
# the tests keep compiled bytecode (__pycache__, git-ignored; pytest's rewritten test modules too) even where
# PYTHONDONTWRITEBYTECODE is set: the suite starts many Python processes, and compiling the project and the test
# modules again in each one cost 3 to 6 s of make test-fast on 2 cores (`make clean` removes them)
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -rs -n auto --dist loadgroup --no-loadscope-reorder

.PHONY: setup lesson lint style test test-fast bench clean

setup:
	@bash scripts/setup.sh

lesson: setup
	$(BIN)/gradlesson render -q $(QUALITY) --voice best
	$(BIN)/gradlesson kit -q $(QUALITY) --voice best

lint: style
	$(MYPY)

style: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# `make test` and `make test-fast` run the type check beside the tests, not before them: mypy uses one core, and
# on a fresh clone (no .mypy_cache) it reads manim's and numpy's stubs for about 6 s; its report follows the
# tests', and either failing fails the target
BESIDE_TYPES = $(MYPY) > $(VENV)/mypy.log 2>&1 & types=$$!; \
	$(1); tests=$$?; wait $$types; typed=$$?; cat $(VENV)/mypy.log; [ $$tests -eq 0 ] && [ $$typed -eq 0 ]

test: style
	@$(call BESIDE_TYPES,$(PYTEST))

test-fast: style
	@$(call BESIDE_TYPES,$(PYTEST) -m "not render and not browser")

bench: setup
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_surface.py
	$(BIN)/python benchmarks/bench_render.py
	$(BIN)/python benchmarks/bench_guard.py
	$(BIN)/python benchmarks/bench_kit.py
	$(BIN)/python benchmarks/bench_voice.py

clean:
	rm -rf media .pytest_cache .hypothesis .mypy_cache .ruff_cache
	find gradcore gradlesson scenes tests benchmarks -name __pycache__ -prune -exec rm -rf {} +
