"""Lab hosts (lab/hosts/hosts.sh): every host answers real SSH with the lab key and
runs systemd; an edge host's containerd answers and has an overlayfs-capable store.

Needs the running lab (`make lab-up`, or `lab/hosts/hosts.sh up` alone). A missing or
empty hosts.json fails the tests instead of skipping them.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("FLEETOPS_LAB_STATE", "/var/lib/fleetops-lab"))
HOSTS_JSON = STATE / "hosts.json"
META_JSON = STATE / "hosts-meta.json"


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


HOSTS = _load(HOSTS_JSON)


def _ssh_key() -> str:
    return _load(META_JSON).get("ssh_private_key_file") or os.environ.get(
        "LAB_SSH_KEY", str(REPO / ".lab" / "ssh" / "id_ed25519"))


def ssh(host: dict, command: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ssh", "-i", _ssh_key(), "-p", str(host.get("ssh_port", 22)),
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
         f"root@{host['address']}", command],
        capture_output=True, text=True, timeout=timeout, check=False)


def test_hosts_json_describes_the_lab_topology():
    assert HOSTS, f"{HOSTS_JSON} missing or empty: run make lab-up"
    roles: dict[str, list[str]] = {}
    for name, host in HOSTS.items():
        assert set(host) >= {"address", "ssh_port", "role", "site"}, name
        roles.setdefault(host["role"], []).append(name)
        if host["role"] == "edge":
            assert host["site"], f"edge host {name} has no site"
        elif host["role"] == "node":   # a real kubelet node: its site is its cluster
            assert host["site"] in {"host", "cluster-beijing", "cluster-shanghai", "cluster-guangzhou",
                                    "cluster-hangzhou"}, (name, host["site"])
        else:
            assert host["site"] is None, name
    assert len(roles.get("cloudcore", [])) >= 1, roles
    assert 1 <= len(roles.get("karmada", [])) <= 3, roles
    assert 1 <= len(roles.get("edge", [])) <= 98, roles
    assert {h["site"] for h in HOSTS.values() if h["role"] == "node"} == {
        "host", "cluster-beijing", "cluster-shanghai", "cluster-guangzhou", "cluster-hangzhou"}, roles
    addresses = [h["address"] for h in HOSTS.values()]
    assert len(addresses) == len(set(addresses)), "duplicate addresses"


@pytest.mark.parametrize("name", sorted(HOSTS) or ["<no hosts.json>"])
def test_host_answers_ssh_and_runs_systemd(name):
    assert name in HOSTS, f"{HOSTS_JSON} missing or empty: run make lab-up"
    host = HOSTS[name]
    r = ssh(host, "hostname; cat /proc/1/comm; systemctl is-system-running --wait; "
                  "systemctl --failed --no-legend --plain | cut -d' ' -f1 | paste -sd' '")
    assert r.returncode in (0, 1), f"ssh to {name} ({host['address']}) failed: {r.stderr.strip()}"
    lines = r.stdout.splitlines()
    assert len(lines) >= 3, r.stdout + r.stderr
    hostname, pid1, state = lines[:3]
    failed = lines[3] if len(lines) > 3 else ""
    assert hostname == name
    assert pid1 == "systemd"
    # degraded = booted, but some unit failed (e.g. a role's service); the host
    # itself is usable. Anything else (starting, stopping, offline) is not.
    assert state in ("running", "degraded"), f"{name}: systemd {state}; failed units: {failed}"


def _edge_host() -> tuple[str, dict]:
    edges = sorted((n, h) for n, h in HOSTS.items() if h["role"] == "edge")
    assert edges, f"no edge host in {HOSTS_JSON}"
    return edges[0]


def test_containerd_answers_on_an_edge_host():
    """containerd (installed, left disabled for the edge role) starts and answers;
    its store is a Docker volume, so the overlayfs snapshotter is usable.
    The test restores the service state it found."""
    name, host = _edge_host()
    script = r"""
set -e
fs=$(stat -f -c %T /var/lib/containerd)
was=$(systemctl is-active containerd || true)
[ "$was" = active ] || systemctl start containerd
trap '[ "$was" = active ] || systemctl stop containerd' EXIT
for i in $(seq 1 30); do ctr version >/dev/null 2>&1 && break; sleep 1; done
echo "fs=$fs"
echo "server=$(ctr version | awk '/^Server:/ {s=1} s && /Version:/ {print $2; exit}')"
ctr plugins ls | awk '$2 == "overlayfs" || $2 == "native" || $2 == "cri" {print "plugin-" $2 "=" $4}'
"""
    r = ssh(host, script, timeout=120)
    assert r.returncode == 0, f"{name}: {r.stdout}\n{r.stderr}"
    facts = dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)
    assert facts.get("server"), f"{name}: containerd did not answer: {r.stdout}"
    # Docker's overlayfs under containerd's overlayfs fails; hosts.sh mounts a volume.
    assert facts.get("fs") != "overlayfs", f"{name}: /var/lib/containerd is on overlayfs"
    assert facts.get("plugin-overlayfs") == "ok", facts
    assert facts.get("plugin-native") == "ok", facts
    # edgecore talks CRI; Debian's config leaves the plugin enabled.
    assert facts.get("plugin-cri") == "ok", facts
