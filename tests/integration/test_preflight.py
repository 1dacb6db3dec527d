"""preflight against the lab: real clusters and SSH hosts, plus an unreachable cluster and host.

Acceptance (issue 2): both unreachable targets are reported in one table, the run exits
non-zero, and nothing is changed.
"""
from __future__ import annotations

import copy
import os
import re
import socket
import subprocess

import pytest
import yaml

from conftest import REPO, TOPOLOGY

pytestmark = pytest.mark.lab


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def run_preflight(inventory, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory),
         str(REPO / "playbooks" / "preflight.yml"), *extra],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)


def rows(output: str) -> dict:
    """(target, check) -> status from the printed table."""
    table = {}
    for line in output.splitlines():
        match = re.match(r"^\s+(\S+)\s{2,}(.+?)\s{2,}(ok|FAIL)\b", line)
        if match:
            table[(match.group(1), match.group(2).strip())] = match.group(3)
    return table


@pytest.fixture(scope="module")
def lab_topology_data():
    assert TOPOLOGY.exists(), f"{TOPOLOGY} missing: run make lab-up"
    return yaml.safe_load(TOPOLOGY.read_text())


def test_unreachable_cluster_and_host_are_reported_together(tmp_path, lab_topology_data):
    data = copy.deepcopy(lab_topology_data)
    base = TOPOLOGY.parent
    for cluster in data["clusters"]:
        cluster["kubeconfig"] = str((base / cluster["kubeconfig"]).resolve())
    dead_kubeconfig = tmp_path / "dead.kubeconfig"
    dead_kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "dead",
        "clusters": [{"name": "dead", "cluster": {"server": "https://127.0.0.1:%d" % closed_port()}}],
        "users": [{"name": "dead", "user": {"token": "not-a-real-token"}}],
        "contexts": [{"name": "dead", "context": {"cluster": "dead", "user": "dead"}}],
    }))
    dead_kubeconfig.chmod(0o600)
    data["clusters"].append({"name": "cluster-gone", "region": data["clusters"][0]["region"],
                             "kubeconfig": str(dead_kubeconfig)})
    site = data["edge_sites"][0]
    for node in site["nodes"]:
        if node.get("ssh_key"):
            node["ssh_key"] = str((base / node["ssh_key"]).resolve())
    if site.get("ssh_key"):
        site["ssh_key"] = str((base / site["ssh_key"]).resolve())
    live_node = site["nodes"][0]["name"]
    # A closed port on loopback: a host that refuses SSH (loopback addresses need the opt-in).
    site["nodes"].append({"name": "edge-gone", "address": "127.0.0.1", "ssh_port": closed_port()})
    data.setdefault("settings", {})["allow_loopback_addresses"] = True
    for host in data.get("control_plane_hosts") or []:
        if host.get("ssh_key"):
            host["ssh_key"] = str((base / host["ssh_key"]).resolve())
    inventory = tmp_path / "topology.yml"
    inventory.write_text(yaml.safe_dump(data))

    result = run_preflight(inventory, "--limit", "host,cluster-gone,%s,edge-gone" % live_node)
    out = result.stdout
    assert result.returncode != 0, out
    table = rows(out)
    assert table[("cluster-gone", "api reachable")] == "FAIL", table
    assert table[("edge-gone", "ssh")] == "FAIL", table
    assert table[("host", "api reachable")] == "ok", table
    assert table[("host", "credentials")] == "ok", table
    assert table[("host", "version")] == "ok", table
    assert table[(live_node, "systemd")] == "ok", table
    assert table[(live_node, "arch")] == "ok", table
    assert "2 preflight check(s) failed" in out or "preflight check(s) failed" in out
    recap = re.findall(r"^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)", out, re.M)
    assert recap and all(changed == "0" for _host, changed in recap), recap
