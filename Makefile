# Two commands on a fresh machine with only Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
QC     := $(BIN)/qualcode

.PHONY: demo test lint lint-fix docs bench eval report-screenshot clean tools-env test-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job on the bundled sample project (this folder is a qualcode project: qualcode.toml,
# transcripts/, codebooks/, exports/). The demo rebuilds qualcode.db from scratch each time.
demo: $(STAMP)
	rm -f qualcode.db qualcode.db-wal qualcode.db-shm
	@echo "== 1. ingest the sample project (anonymity check on every file)"
	$(QC) ingest transcripts/
	$(QC) transcripts list
	$(QC) cases list --attrs gemeente,team,functie,klantgroep,caseload
	@echo "== 2. rule-based suggestions (evidence per suggestion in exports/suggestions.csv)"
	$(QC) suggest --codes logic --min-score 0.5 --summary
	$(QC) -q suggest --format csv --out exports/suggestions.csv
	@echo "== 3. first coder 'demo' accepts suggestions >= 0.5 (a scripted stand-in for review); second coder imported"
	$(QC) review --coder demo --accept-all --min-score 0.5
	$(QC) import codings transcripts/codings-coder-b.csv
	@echo "== 4. agreement on the logics, unit = respondent turn, and the disagreements to discuss"
	$(QC) agree --coder demo --coder coder_b --codes logic
	$(QC) -q agree --coder demo --coder coder_b --codes logic --format md --out exports/agreement.md
	$(QC) -q disagreements --coder demo --coder coder_b --code logic --format csv --out exports/disagreements.csv
	@echo "== 5. tables for the paper"
	$(QC) matrix --rows gemeente,team --cols logic --coder demo --plot exports/logics-by-team.png
	$(QC) -q matrix --rows gemeente,team --cols logic --coder demo --out exports/logics-by-team.xlsx
	$(QC) -q export quotes --code logic --coder demo --max-words 60 --out exports/quotes.docx
	$(QC) -q export quotes --code logic --coder demo --max-words 60 --out exports/quotes.md
	$(QC) typology --coder demo --level team --table distribution
	$(QC) typology --coder demo --level team --table profile --counts
	$(QC) -q typology --coder demo --level team --table appendix --out exports/typology-appendix.docx
	$(QC) -q table strategies --coder demo --out exports/strategies.md
	$(QC) -q export qdpx --out exports/sample.qdpx
	$(QC) report --out exports/report.html
	@echo "demo done: see exports/ (report.html, quotes.docx, logics-by-team.png/.xlsx, agreement.md, ...)"

# `make test` lints and type-checks first (make lint); `make test LINT=0` runs only the tests.
ifeq ($(origin LINT),default)  # make has a built-in LINT (the C lint program): replace it, keep LINT=0 from the caller
LINT := 1
endif

test: $(STAMP) $(if $(filter 1,$(LINT)),lint)
	$(BIN)/python -m pytest

# ruff (lint and import order) over the code, mypy over the package; configured in pyproject.toml.
# Both run (so one look shows everything), and lint fails if either found something.
lint: $(STAMP)
	@status=0; \
	echo "$(BIN)/ruff check qualcode tests benchmarks docs"; $(BIN)/ruff check qualcode tests benchmarks docs || status=1; \
	echo "$(BIN)/mypy qualcode"; $(BIN)/mypy qualcode || status=1; \
	exit $$status

# The mechanical fixes only (import order, pyupgrade, unused imports; ruff's safe fixes): no behaviour change.
# Re-run after a merge. It lists what is left to fix by hand and does not fail on it.
lint-fix: $(STAMP)
	$(BIN)/ruff check --fix --fixable I,UP,F401 --exit-zero qualcode tests benchmarks docs

# docs/cli.md, the command reference, generated from the Typer app (tests/test_docs.py fails when it is stale).
docs: $(STAMP)
	$(BIN)/python docs/gen_cli.py

# -- the optional test group against other QDA tools (tests/test_tools_live.py, marker `tools`) -----
# Each tool in a side environment of its own under .tools-venv/ (never in .venv; they pin other
# versions of shared libraries): qc writes QDPX and reads ours, Taguette runs as its own web server
# to write its codebook and highlights and to import our codebook CSV, and pyrefiqda (a REFI-QDA
# parser written by others) reads our QDPX. `make test` runs the group when .tools-venv/ is there
# and skips each test, saying why, when it is not; `make test-tools` runs only the group.
TOOLS_VENV := .tools-venv
TOOLS := qc=qualitative-coding==1.7.8 taguette=taguette==1.5.2 pyrefiqda=pyrefiqda==0.3.1

tools-env:
	@for spec in $(TOOLS); do name=$${spec%%=*}; pkg=$${spec#*=}; \
	  echo "$(TOOLS_VENV)/$$name: $$pkg"; \
	  $(PYTHON) -m venv $(TOOLS_VENV)/$$name && \
	  $(TOOLS_VENV)/$$name/bin/python -m pip install --quiet --upgrade pip && \
	  $(TOOLS_VENV)/$$name/bin/python -m pip install --quiet "$$pkg" || exit 1; \
	done

test-tools: $(STAMP)
	$(BIN)/python -m pytest -m tools -rs

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/agreement_bench.py

# Quality on our own gold sets (benchmarks/gold): the issue-12 table with a baseline beside every figure.
# `make eval` reports the held-out half; tune on `make eval SPLIT=dev` only. Figures also in benchmarks/results/.
SPLIT ?= heldout
eval: $(STAMP)
	$(BIN)/python benchmarks/eval.py --split $(SPLIT)

clean:
	rm -rf $(VENV) qualcode.db qualcode.db-wal qualcode.db-shm .pytest_cache .ruff_cache .mypy_cache

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
