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
from pathlib import Path

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
    # A control socket of its own: a master ssh left open by an earlier test would carry the
    # session without checking the host key again.
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_SSH_CONTROL_PATH_DIR=str(Path(inventory).parent / "cp"))
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
        for node in cluster.get("nodes") or []:
            node["ssh_key"] = str((base / node["ssh_key"]).resolve())
    cluster_node = next(n["name"] for c in data["clusters"] for n in c.get("nodes") or [])
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

    result = run_preflight(inventory, "--limit", "host,cluster-gone,%s,edge-gone,%s" % (live_node, cluster_node))
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
    # Kubelet hosts: the cgroup version named in plain words (this machine mounts cgroup v1).
    for node in (live_node, cluster_node):
        assert table[(node, "cgroup")] == "ok", table
    assert re.search(r"%s\s+cgroup\s+ok\s+cgroup v1 .*failCgroupV1: false" % cluster_node, out) or \
        re.search(r"%s\s+cgroup\s+ok\s+cgroup v2" % cluster_node, out), out
    assert "2 preflight check(s) failed" in out or "preflight check(s) failed" in out
    recap = re.findall(r"^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)", out, re.M)
    assert recap and all(changed == "0" for _host, changed in recap), recap


def test_a_host_whose_key_does_not_match_is_refused(tmp_path, lab_topology_data):
    """Host keys are verified (issue 12): the lab's known_hosts with one edge node's key
    replaced by another host's - that node fails its ssh row with ssh's reason, the other
    node, checked against its real key, passes."""
    data = copy.deepcopy(lab_topology_data)
    base = TOPOLOGY.parent
    known = data["settings"]["ssh"]["known_hosts"]
    lines = open(known).read().splitlines()
    site = data["edge_sites"][0]
    good, bad = site["nodes"][0], site["nodes"][1]
    for node in (good, bad):
        node["ssh_key"] = str((base / node["ssh_key"]).resolve())
    site["nodes"] = [good, bad]
    data["edge_sites"] = [site]
    data["control_plane_hosts"] = []
    for cluster in data["clusters"]:
        cluster["kubeconfig"] = str((base / cluster["kubeconfig"]).resolve())
        cluster.pop("nodes", None)
        cluster.pop("agent_host", None)
        if cluster.get("sync_mode") == "Pull":
            cluster["sync_mode"] = "Push"
    other_key = next(line.split(" ", 1)[1] for line in lines if not line.startswith(bad["address"] + " "))
    forged = [line if not line.startswith(bad["address"] + " ") else "%s %s" % (bad["address"], other_key) for line in lines]
    assert forged != lines, "the lab's known_hosts has no key for %s" % bad["address"]
    (tmp_path / "known_hosts").write_text("\n".join(forged) + "\n")
    data["settings"]["ssh"] = {"known_hosts": "known_hosts"}
    inventory = tmp_path / "topology.yml"
    inventory.write_text(yaml.safe_dump(data))

    result = run_preflight(inventory, "--limit", "%s,%s" % (good["name"], bad["name"]))
    table = rows(result.stdout)
    assert result.returncode != 0, result.stdout
    assert table[(bad["name"], "ssh")] == "FAIL", table
    assert table[(good["name"], "systemd")] == "ok", table   # reached: its key matched
    assert "Host key verification failed" in result.stdout + result.stderr or "REMOTE HOST IDENTIFICATION HAS CHANGED" in result.stdout, \
        result.stdout[-3000:]
