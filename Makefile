# One entry point for learners, teachers and CI.
#   make lab    set up .venv if needed, open the course in JupyterLab
#   make test   set up .venv if needed, lint (ruff), run the unit tests and the notebooks (nbval, smoke profile)
#   make book   build the mdBook rendering of the executed notebooks
#   make execute  re-run every notebook top to bottom (cpu profile) to refresh committed outputs
#   make gpu-results  on a CUDA machine: the GPU record into results/ (results/README.md)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARCH   := $(shell uname -m)
# On x86_64 torch comes from this exact pair (wheels on the build machines' disk);
# elsewhere pyproject's ranges decide.
ifeq ($(ARCH),x86_64)
TORCH_PINS := torch==2.14.1 torchvision==0.29.1
endif
NO_DEPS := $(shell sed -n 's/^no-deps = \[\(.*\)\]/\1/p' pyproject.toml | tr -d '",')

export PATH := $(abspath $(BIN)):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: lab test unit notebooks book execute gpu-results clean

# System tools, from Debian where they are missing and apt-get can (root or sudo): Chromium for
# tests/browser (never a browser download), Node.js and npm for the book's KaTeX formulas.
APT_PKGS := $(if $(wildcard /usr/bin/chromium),,chromium chromium-driver) \
            $(if $(shell command -v npm),,nodejs npm)
SUDO := $(if $(filter 0,$(shell id -u)),,$(shell command -v sudo >/dev/null && echo sudo -n))

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(TORCH_PINS),$(BIN)/python -m pip install -q $(TORCH_PINS))
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps $(NO_DEPS)
# Colab's ipywidgets 7.7, for tests/test_widgets_ipywidgets7.py (its import needs ipython_genutils).
	$(BIN)/python -m pip install -q --no-deps --upgrade --target $(VENV)/ipywidgets7 'ipywidgets==7.7.*' ipython_genutils==0.2.0
	@test -z "$(strip $(APT_PKGS))" || { command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || [ -n "$(SUDO)" ]; } \
	  && $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	     apt-get install -y -qq $(strip $(APT_PKGS)) >/dev/null 2>&1; } \
	  || echo "note: could not apt-get install $(strip $(APT_PKGS)) (needs apt-get and root or sudo): tests/browser skips without Chromium; the book needs Node.js"
	touch $(STAMP)

# Containers and Colab-like machines often run as root, which JupyterLab refuses without a flag.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/

# Two pytest workers with one thread each use 2 cores better than one worker with two threads.
# Whole files per worker (--dist loadfile): nbval must run a notebook's cells in one kernel, and
# the browser and book tests build their fixtures once.
PYTEST := ALEXNET_COURSE_PROFILE=smoke OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile

# The notebooks run with oneDNN held to AVX2 (and one thread): the way a 2-core CI machine without
# AVX-512 computes, which rounds some convolutions differently; committed outputs must not care.
test: $(STAMP)
	$(BIN)/ruff check alexnet_course tests tools
	$(PYTEST) tests
	ONEDNN_MAX_CPU_ISA=AVX2 $(PYTEST) --nbval notebooks

book: $(STAMP)
	$(BIN)/python -m tools.book

execute: $(STAMP)
	ALEXNET_COURSE_PROFILE=cpu $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=1800 notebooks/*.ipynb

# The GPU record (issue 19): from the source tree, installing nothing, with .venv's Python where
# there is one and the system's otherwise (a CUDA machine may bring its own torch); <= 8 minutes.
GPU_PYTHON := $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON))

gpu-results:
	PYTHONPATH=. $(GPU_PYTHON) -m alexnet_course.cli bench gpu --out results

clean:
	rm -rf _build .pytest_cache
