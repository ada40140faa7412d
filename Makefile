# ankle-cv: `make demo` sets everything up and analyses a bundled sample; `make test` runs the suite.
PYTHON ?= $(shell for p in python3.12 python3.11 python3.10 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3,10) <= sys.version_info[:2] <= (3,12))' && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLE ?= sample_videos/knee_to_wall_right.mp4

.PHONY: demo test install samples bench docs clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "ankle-cv needs Python 3.10, 3.11 or 3.12 (mediapipe 0.10.21)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml benchmarks/render/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m pip install --quiet -e benchmarks/render
	@touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/ankle-cv info
	$(BIN)/ankle-cv analyze $(SAMPLE) --out demo_output --overlay --foot-length-cm 29.3
	@echo "Open demo_output/report.html in a browser; demo_output/overlay.mp4 is the annotated video."

test: install
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest -q

samples: install
	$(BIN)/ankle-cv-render samples sample_videos

bench: install
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_pipeline.py

docs: install
	$(BIN)/python -m tests.test_docs  # regenerate the tables marked in docs/outputs.md

clean:
	rm -rf $(VENV) demo_output .pytest_cache build *.egg-info
