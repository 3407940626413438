# Landslide LSM: `make demo` and `make test` are all a user needs; both set up first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SITE := $(shell ls -d $(VENV)/lib/python3*/site-packages 2>/dev/null | head -1)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup test lint unit qgis-tests demo package deploy bench clean help test-matrix \
        test-matrix-smoke

help:
	@echo "make demo     set up, then run the whole workflow on the built-in sample area"
	@echo "make test     set up, then lint and run every test (unit, QGIS, CLI, desktop)"
	@echo "make setup    install Debian packages and the Python venv (idempotent)"
	@echo "make package  build the plugin zip for Plugin Manager > Install from ZIP"
	@echo "make deploy   deploy the plugin into your QGIS profile with pb_tool"
	@echo "make bench    run the benchmarks: docs/benchmarks.md (raster stages by grid size) and"
	@echo "              docs/benchmarks-inventory.md (training on realistic inventories) and"
	@echo "              docs/scale-benchmark.md (10^8 cells in-process and on Dask)"
	@echo "make test-matrix        every test on Debian 13 (QGIS 3.40 LTR) and Debian unstable"
	@echo "                        (QGIS 3.44), each in a debootstrap root filesystem (needs root or"
	@echo "                        sudo; about 4 GB each, kept in /var/cache/landslide-lsm-matrix)"
	@echo "make test-matrix-smoke  the smoke layer on QGIS 3.40 (provider, processing.run,"
	@echo "                        qgis_process, desktop), as CI runs it"

setup:
	@bash scripts/setup.sh

lint: setup
	$(VENV)/bin/ruff check landslide_lsm_plugin tests scripts $(wildcard benchmarks)

UNIT_TESTS := $(PY) -m pytest -p no:pytest_qgis -p no:cacheprovider tests/unit
QGIS_TESTS := QT_QPA_PLATFORM=offscreen $(PY) -m pytest -p no:cacheprovider tests/qgis

unit: setup
	$(UNIT_TESTS)

qgis-tests: setup
	$(QGIS_TESTS)

# The unit layer runs beside the QGIS layer, which spends much of its time waiting on child
# processes (qgis_process, the desktop, LSNet workers); its log follows the QGIS layer's.
# Fails if either layer failed.
test: setup
	$(MAKE) --no-print-directory lint
	@log=$$(mktemp); \
	echo "$(UNIT_TESTS)  (beside the QGIS layer; its log follows)"; \
	( $(UNIT_TESTS) > "$$log" 2>&1 ) & unit=$$!; \
	echo "$(QGIS_TESTS)"; \
	$(QGIS_TESTS); qgis=$$?; \
	wait $$unit; unit_rc=$$?; \
	echo; echo "---- unit layer (exit status $$unit_rc; QGIS layer: $$qgis) ----"; \
	cat "$$log"; rm -f "$$log"; \
	[ $$qgis -eq 0 ] && [ $$unit_rc -eq 0 ]

demo: setup
	$(PY) scripts/demo.py

package: setup
	$(PY) scripts/package.py

deploy: setup
	cd landslide_lsm_plugin && ../$(VENV)/bin/pb_tool deploy -y -n --config_file ../pb_tool.cfg

bench: setup
	$(PY) benchmarks/run.py
	$(PY) benchmarks/inventory.py
	$(PY) benchmarks/distributed.py

# The QGIS version matrix (scripts/matrix.sh): results in test-artifacts/matrix-<suite>/.
test-matrix:
	@bash scripts/matrix.sh run trixie full; trixie=$$?; \
	bash scripts/matrix.sh run sid full; sid=$$?; \
	echo "test-matrix: trixie (QGIS 3.40) exit status $$trixie, sid (QGIS 3.44) $$sid"; \
	[ $$trixie -eq 0 ] && [ $$sid -eq 0 ]

test-matrix-smoke:
	bash scripts/matrix.sh run trixie smoke

clean:
	rm -rf dist demo_output test-artifacts .pytest_cache
