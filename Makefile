# Set-up is automatic: the first `make check` or `make test` creates .venv and installs exactmem into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FULL   ?=

ifeq ($(FULL),1)
PYTEST_FLAGS := --runslow
CHECK_FLAGS  := --full
endif

.PHONY: check test bench bench-vnncomp sizes mutants mutants-claims clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,plot,data,onnx,distributed]'
	touch $(STAMP)

# on every core (-j auto: claims in worker processes; output, counts and exit status as in a serial run)
check: $(STAMP)
	$(BIN)/exactmem check -j auto $(CHECK_FLAGS)

# on every core (pytest-xdist); the tests do not depend on their order or on sharing a process
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto $(PYTEST_FLAGS)

# the mutation suite of docs/kernel.md (also run by make test, as tests/test_mutation.py)
mutants: $(STAMP)
	$(BIN)/python tests/mutation/run.py

# the mutation suite of the claims (docs/claims.md): about a hundred single-point mutants of the code the claims cite
# and of proofs/, each against its cited claims in the default tier; one core, sequential (about 15 minutes)
mutants-claims: $(STAMP)
	$(BIN)/python tests/claim_mutation/claim_run.py

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do [ $$f = benchmarks/bench_vnncomp.py ] || $(BIN)/python $$f || exit 1; done

# VNN-COMP 2021 beside Marabou (hours: docs/benchmarks.md shows how to run it in shards in the background)
bench-vnncomp: $(STAMP)
	$(BIN)/python benchmarks/bench_vnncomp.py --dir ../shared/benchmarks/vnncomp2021 --out benchmarks/results/vnncomp2021.jsonl

# the size report of docs/sizes.md (about 20 minutes on 2 cores; the N = 10^4, d = 784 points dominate)
sizes: $(STAMP)
	$(BIN)/exactmem sizes --out docs/sizes_table.md --plot docs/figures/sizes_N1000_d16.png
	$(BIN)/exactmem sizes --N 10000 --d 2 --out /dev/null --plot docs/figures/sizes_N10000_d2.png --plot-at 10000,2

clean:
	rm -rf $(VENV) build *.egg-info
