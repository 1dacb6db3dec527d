# fleetops.kurator — developer and CI entry points.
#   make demo   bring the local lab up and run playbooks/site.yml against it
#   make test   every test: unit, lint, sanity, collection build, lab integration
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON      ?= python3
VENV        := $(CURDIR)/.venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed
COLLECTIONS := $(CURDIR)/.ansible/collections
SANITY_ROOT := $(CURDIR)/build/sanity/ansible_collections/fleetops/kurator
PY_VERSION  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)

.PHONY: help venv collection system-deps unit lint sanity build integration test demo \
        lab-up lab-down lab-status test-verify bench bench-placement bench-onboarding bench-inventory changelog clean

help:
	@echo "make demo             lab-up, then playbooks/site.yml against the lab, then a fleet report"
	@echo "make test             unit + ruff + ansible-lint (production) + ansible-test sanity + build + lab integration"
	@echo "make unit|lint|sanity|build|integration   one gate"
	@echo "make lab-up|lab-down|lab-status           the local lab"
	@echo "make bench            one table: placement, onboarding, converged site re-run, lab-up (lab; BENCH_PARTS=...)"
	@echo "make bench-placement  replica-division benchmark"
	@echo "make bench-onboarding edge onboarding: kubeedge_edge role vs a parallel-SSH script (lab)"
	@echo "make bench-inventory  ansible-inventory --list at 100 / 1,000 / 10,000 edge hosts"
	@echo "make test-verify      playbooks/verify.yml on the whole lab, one break of each kind (lab up; not in make test)"

# Controller tooling from PyPI (Galaxy is not needed: the `ansible` package ships the
# dependency collections). Re-installed only when requirements change.
$(STAMP): requirements-dev.txt requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt -r requirements.txt
	touch $@

venv: $(STAMP)

# Make `fleetops.kurator` resolvable from this checkout (ansible.cfg points here).
collection: $(STAMP)
	mkdir -p $(COLLECTIONS)/ansible_collections/fleetops
	ln -sfn ../../../.. $(COLLECTIONS)/ansible_collections/fleetops/kurator

unit: collection
	$(BIN)/pytest -q -p no:cacheprovider tests/unit

lint: collection
	$(BIN)/ruff check plugins tests/unit
	$(BIN)/ansible-lint --profile production

# ansible-test wants the collection under ansible_collections/<ns>/<name>: copy the
# tracked (and new, not ignored) files there, less the lab and benchmark tooling that
# is not part of the collection (galaxy.yml build_ignore). Its pip bootstrap download is unreachable,
# so a stand-in that bootstraps pip from ensurepip + PyPI is put where it looks first.
# System tools the gates need (Debian packages): shellcheck for sanity, chromium for the fleet
# report's browser test (tests/integration/test_fleet_report.py).
system-deps:
	command -v shellcheck >/dev/null || { apt-get update -q && apt-get install -y -q shellcheck; }
	command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

sanity: collection system-deps
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	git ls-files -co --exclude-standard -z -- . ':!lab' ':!bench' | xargs -0 cp --parents -t $(SANITY_ROOT)
	pipv=$$($(BIN)/python -c 'import re, ansible_test._internal.python_requirements as m, inspect; \
	  print(re.search(r"pip=.(\d+(\.\d+)*)", inspect.getsource(m.get_venv_packages)).group(1))'); \
	  mkdir -p ~/.ansible/test/cache && \
	  cp tests/sanity/get_pip_standin.py ~/.ansible/test/cache/get_pip_$${pipv//./_}.py
	cd $(SANITY_ROOT) && git init -q . && git add -A && \
	  $(BIN)/ansible-test sanity --venv --python $(PY_VERSION) --color no

build: $(STAMP)
	mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build/ .

# What Galaxy and Automation Hub run on import: galaxy-importer on the built tarball, with
# ansible-doc and ansible-lint (production, offline), settings in tests/galaxy-importer.cfg
# (no ansible-test container). Run outside this checkout's ansible.cfg, as Galaxy does. The
# importer exits 1 when the import fails but only logs some errors, so an ERROR line fails too.
COLLECTION_VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
.PHONY: galaxy-import
galaxy-import: build
	cd build && env -u ANSIBLE_CONFIG GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/galaxy-importer.cfg \
	  $(BIN)/python -m galaxy_importer.main fleetops-kurator-$(COLLECTION_VERSION).tar.gz | tee galaxy-importer.log
	! grep -E '^(ERROR|CRITICAL)' build/galaxy-importer.log

# The lab comes up for the integration tests and goes down after them, pass or fail.
integration: collection system-deps
	lab/lab.sh up
	rc=0; $(BIN)/pytest -q -p no:cacheprovider --durations=40 -m 'not whole_lab' tests/integration || rc=$$?; \
	  lab/lab.sh down || rc=1; exit $$rc

# The lab boots in the background while the static gates run (its waits overlap their CPU), so
# integration finds it up. Every gate runs even when an earlier one failed; any failure fails test.
test: collection system-deps
	mkdir -p tests/output
	lab/lab.sh up > tests/output/lab-up.log 2>&1 & lab=$$!; rc=0; \
	  for gate in unit lint sanity build galaxy-import; do $(MAKE) $$gate || rc=1; done; \
	  if wait $$lab; then tail -1 tests/output/lab-up.log; else echo "lab up failed:"; tail -40 tests/output/lab-up.log; rc=1; fi; \
	  $(MAKE) integration || rc=1; exit $$rc

# playbooks/verify.yml against the whole lab: every component installed at once, one break of each
# kind named (not in make test: see tests/integration/test_verify.py). Needs the lab up.
test-verify: collection system-deps
	$(BIN)/pytest -q -p no:cacheprovider -m whole_lab tests/integration/test_verify.py

lab-up: collection
	lab/lab.sh up

lab-down:
	lab/lab.sh down

lab-status:
	lab/lab.sh status

demo: lab-up
	$(BIN)/ansible-playbook -i inventories/lab playbooks/site.yml

# One table: placement, onboarding, converged site re-run, lab-up (bench/bench.py; needs the lab but
# for placement: BENCH_PARTS=placement).
bench: collection
	$(BIN)/python bench/bench.py

bench-placement: collection
	$(BIN)/python bench/bench_placement.py

bench-onboarding: collection
	$(BIN)/python bench/bench_onboarding.py

# ansible-inventory --list at 100 / 1,000 / 10,000 edge hosts (seconds, peak RSS).
bench-inventory: collection
	$(BIN)/python bench/bench_inventory.py --sizes 100,1000,10000

changelog: $(STAMP)
	$(BIN)/antsibull-changelog lint

clean:
	rm -rf build tests/output .ansible
