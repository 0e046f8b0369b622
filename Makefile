# Stewardship Console: the two commands a fresh machine needs are `make run`
# and `make test`; both create .venv and install what they need.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev
DEMO_DIR ?= .demo-data


.PHONY: run test lint format install clean dist bundle deb check-nsis bench dist-check

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,registry]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/stewardship --demo --data-dir $(DEMO_DIR)

# pytest in TEST_WORKERS processes (pytest-xdist): much of the suite waits on
# servers and subprocesses, so two workers halve it on a 2-core machine. Each
# worker has its own temporary folders, PostgreSQL cluster and S3 server.
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2

test: $(STAMP)
	.ci/system-packages.sh
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n $(TEST_WORKERS)
	$(VENV)/bin/ruff check src tests benchmarks packaging
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# The performance targets at 10,000 models (benchmarks/README.md); several
# minutes, most of it the sync pull. Not part of `make test` (a tiny run is).
bench: $(STAMP)
	$(PY) benchmarks/startup.py; \
	$(PY) benchmarks/models_view.py; \
	$(PY) benchmarks/memory.py; \
	$(PY) benchmarks/sync_pull.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks packaging
	$(VENV)/bin/ruff format --check src tests benchmarks packaging

format: $(STAMP)
	$(VENV)/bin/ruff format src tests benchmarks packaging
	$(VENV)/bin/ruff check --fix src tests benchmarks packaging

# Installers (packaging/, README "Installers"). Not part of `make test`.
# `make dist`: Linux bundle + .deb, then the smoke test of the built bundle.
# ORG_CONFIG=file ships an organisation's own defaults in the .deb.
ORG_CONFIG ?= packaging/organisation.conf

dist: $(STAMP)
	@start=$$(date +%s); \
	packaging/linux/build-deps.sh && \
	$(PY) packaging/build_bundle.py && \
	$(PY) packaging/linux/build_deb.py --org-config $(ORG_CONFIG) && \
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/packaging && \
	echo "make dist: done in $$(( $$(date +%s) - start )) s"

bundle: $(STAMP)
	$(PY) packaging/build_bundle.py

deb: $(STAMP)
	$(PY) packaging/linux/build_deb.py --org-config $(ORG_CONFIG)

# Clean-room test of the built .deb (as root; needs debootstrap and lintian): lintian,
# then fresh minimal Debian 12 and 13 chroots (cached in ~/.cache/stewardship-console):
# install with apt, run and screenshot every view as a user, compare with this
# machine's rendering, purge. RELEASES=bookworm limits it to one release.
RELEASES ?= bookworm trixie
dist-check: $(STAMP)
	$(PY) packaging/linux/dist_check.py $(foreach r,$(RELEASES),--release $(r))

# Compiles packaging/windows/stewardship.nsi over a stand-in bundle (needs Debian's nsis).
check-nsis: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/packaging/test_installer_files.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache $(DEMO_DIR)
