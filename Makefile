# Two commands on a fresh machine with only Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
QC     := $(BIN)/qualcode

.PHONY: demo test bench report-screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job on the bundled sample project (this folder is a qualcode project: qualcode.toml,
# transcripts/, codebooks/, exports/). The demo rebuilds qualcode.db from scratch each time.
demo: $(STAMP)
	rm -f qualcode.db qualcode.db-wal qualcode.db-shm
	$(QC) ingest transcripts/
	$(QC) transcripts list
	$(QC) cases list --attrs gemeente,team,functie,klantgroep,caseload
	$(QC) transcripts list --format csv --out exports/transcripts.csv
	$(QC) cases list --format csv --out exports/cases.csv
	$(QC) suggest --codes logic --min-score 0.5 --summary
	$(QC) suggest --format csv --out exports/suggestions.csv
	@echo "demo done: see exports/"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) qualcode.db qualcode.db-wal qualcode.db-shm .pytest_cache
