"""Shared fixtures for the lab integration tests (tests/integration/).

The lab is started by `make lab-up` (lab/lab.sh up). These fixtures never start or skip
it: if the lab is down the tests fail, so a missing lab cannot look like a pass.
Deselect them explicitly with `-m "not lab"`.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("FLEETOPS_LAB_STATE", "/var/lib/fleetops-lab"))
KUBECONFIG_DIR = REPO / ".lab" / "kubeconfigs"
TOPOLOGY = REPO / "inventories" / "lab" / "topology.yml"
CLUSTERS = ["host", "cluster-beijing", "cluster-shanghai", "cluster-guangzhou", "cluster-hangzhou"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "lab: needs the running lab (make lab-up); deselect with -m 'not lab'")
    config.addinivalue_line(
        "markers", "whole_lab: installs every component at once (test_verify; make test-verify), "
                   "outside make test's time budget")


@pytest.fixture(scope="session")
def lab_topology() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML is in requirements-dev.txt")
    assert TOPOLOGY.exists(), f"{TOPOLOGY} missing: run make lab-up"
    return yaml.safe_load(TOPOLOGY.read_text())


@pytest.fixture(scope="session")
def lab_settings(lab_topology) -> dict:
    return lab_topology["settings"]


@pytest.fixture(scope="session")
def kubeconfigs() -> dict[str, Path]:
    paths = {c: KUBECONFIG_DIR / f"{c}.kubeconfig" for c in CLUSTERS}
    missing = [str(p) for p in paths.values() if not p.exists()]
    assert not missing, f"kubeconfigs missing (run make lab-up): {missing}"
    return paths


@pytest.fixture(scope="session")
def api_clients(kubeconfigs):
    """cluster name -> kubernetes.client.ApiClient for that lab cluster."""
    from kubernetes import config

    return {c: config.new_client_from_config(config_file=str(p)) for c, p in kubeconfigs.items()}


@pytest.fixture(scope="session")
def lab_hosts() -> dict:
    """name -> {address, role, site, ssh_port} written by lab/hosts/hosts.sh (may be empty)."""
    try:
        return json.loads((STATE / "hosts.json").read_text())
    except (OSError, ValueError):
        return {}
