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

# -- report-screenshot ------------------------------------------------------------------------------
# Look at the HTML report the way a reader's browser shows it: headless Chromium (Debian package
# `chromium`) renders exports/report.html, offline, to exports/report.png. Write the report first
# (`make demo` or `qualcode report`).
CHROMIUM ?= chromium
report-screenshot:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { echo "report-screenshot: '$(CHROMIUM)' not found; install it with: apt-get install chromium" >&2; exit 1; }
	@test -f exports/report.html || { echo "report-screenshot: exports/report.html is missing; run 'make demo' or 'qualcode report' first" >&2; exit 1; }
	@rm -f exports/report.png; profile=$$(mktemp -d); \
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
	  --disable-component-update --disable-sync --user-data-dir=$$profile --hide-scrollbars --window-size=1280,4000 \
	  --screenshot=$(CURDIR)/exports/report.png file://$(CURDIR)/exports/report.html >$$profile/chromium.log 2>&1; \
	status=$$?; \
	if [ $$status -ne 0 ] || [ ! -s exports/report.png ]; then cat $$profile/chromium.log >&2; rm -rf $$profile; \
	  echo "report-screenshot: chromium failed (exit $$status)" >&2; exit 1; fi; \
	rm -rf $$profile; echo "wrote exports/report.png"
