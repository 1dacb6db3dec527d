"""playbooks/upgrade.yml on the lab's host-mode Karmada (issue 18): what runs is read before anything
changes, and a downgrade and a skipped minor are refused (nothing touched). The versions are read
from the binaries on the control-plane hosts. The upgrade itself, one host at a time with the API
polled every second, runs on test_karmada_ha's three hosts (from the lab's older patch release
karmada_previous to the pin).

A changed pin is what a topology's settings.versions does; here it is passed as the resolved map
(fleetops_artifact_versions, the inventory's pin file overridden by settings.versions) in -e.
  .venv/bin/pytest -m lab -v -s tests/integration/test_upgrade.py
"""
from __future__ import annotations

import json

import pytest
import yaml

from conftest import REPO, TOPOLOGY
from runners import ansible_playbook, ensure_karmada, karmada_versions, note, recap

pytestmark = pytest.mark.lab

UPGRADE = REPO / "playbooks" / "upgrade.yml"
PINS = yaml.safe_load((REPO / "roles/_artifacts/defaults/main/versions.yml").read_text())["fleetops_versions"]
LAB = yaml.safe_load(TOPOLOGY.read_text()) if TOPOLOGY.exists() else {"settings": {}, "control_plane_hosts": []}
PREVIOUS = yaml.safe_load((REPO / "lab" / "versions.yml").read_text())["lab_versions"]["karmada_previous"]
CURRENT = dict(PINS, **(LAB["settings"].get("versions") or {}))
HOSTS = [h for h in LAB.get("control_plane_hosts") or [] if "karmada" in h.get("roles", [])]
LIMIT = ["--limit", "karmada_control_plane:localhost"]     # the control plane only: the members stay joined


def pinned(karmada: str) -> list[str]:
    return ["-e", json.dumps({"fleetops_artifact_versions": dict(CURRENT, karmada=karmada)})]


def running() -> dict[str, str]:
    return karmada_versions({host["name"]: host["address"] for host in HOSTS})


def upgrade(*extra: str):
    return ansible_playbook(TOPOLOGY, UPGRADE, "-e", "upgrade_component=karmada", *LIMIT, *extra)


@pytest.fixture(scope="module")
def installed():
    assert HOSTS, f"{TOPOLOGY}: no control-plane host with role karmada"
    ensure_karmada(TOPOLOGY)
    assert set(running().values()) == {CURRENT["karmada"]}, running()


def test_an_unknown_component_is_refused_by_name():
    proc, dummy = ansible_playbook(TOPOLOGY, UPGRADE, "-e", "upgrade_component=karmda")
    assert proc.returncode != 0 and "expected one of karmada, volcano, istio, velero, observability, got 'karmda'" \
        in proc.stdout, proc.stdout[-2000:]
    assert list(recap(proc.stdout)) == ["localhost"], recap(proc.stdout)


@pytest.mark.parametrize("wanted, says", [
    (PREVIOUS, f"{PREVIOUS} is a downgrade: karmada-1 runs {CURRENT['karmada']}"),
    ("v1.20.0", f"v1.20.0 skips a minor release: karmada-1 runs {CURRENT['karmada']}"),
])
def test_a_downgrade_and_a_skipped_minor_are_refused_before_anything_changes(installed, wanted, says):
    proc, secs = upgrade(*pinned(wanted))
    assert proc.returncode != 0 and says in proc.stdout, proc.stdout[-3000:]
    assert not any(r.get("changed") for r in recap(proc.stdout).values()), recap(proc.stdout)
    assert set(running().values()) == {CURRENT["karmada"]}
    note(f"upgrade: {wanted} refused in {secs:.1f}s: {says}")
