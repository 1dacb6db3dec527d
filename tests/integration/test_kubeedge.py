"""KubeEdge end to end in the lab: real cloudcore (host mode on cloudcore-1), real edgecore with
Debian's containerd on the five edge hosts, Nodes registered in the host cluster.

Acceptance (issue 6):
- all 5 edge nodes are Ready v1 Nodes with node-role.kubernetes.io/edge and their topology labels;
- a second run changes nothing; `--check --diff` on the converged fleet is clean;
- an edge host stopped during a run: the others finish, the report names it; after it is started
  again, a re-run joins it and changes nothing on the others.
"""
from __future__ import annotations

import os
import re
import subprocess
import time

import pytest
import yaml

from conftest import REPO, TOPOLOGY
from kubeedge_lab import ensure_pause_image

pytestmark = pytest.mark.lab

PLAYBOOK = str(REPO / "playbooks" / "kubeedge.yml")
ONBOARD = str(REPO / "playbooks" / "edge_site_onboard.yml")
INVENTORY = str(REPO / "inventories" / "lab")
SSH_KEY = REPO / ".lab" / "ssh" / "id_ed25519"
# Our own controller download cache: other lab tests may empty the default one while we run.
ARTIFACT_CACHE = "/var/tmp/fleetops-kubeedge-test-cache"
# Where runs that do not name a report file write it (never into the repository).
DEFAULT_REPORT = "/var/tmp/fleetops-kubeedge-test-report.txt"


def ansible(playbook, *extra, timeout=900):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    return subprocess.run([str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", INVENTORY, playbook,
                           "-e", f"fleetops_artifact_cache={ARTIFACT_CACHE}",
                           "-e", f"onboard_report_file={DEFAULT_REPORT}", *extra],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def recap(output: str) -> dict:
    """host -> {ok, changed, unreachable, failed} from the PLAY RECAP."""
    stats = {}
    for match in re.finditer(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output, re.M):
        stats[match.group(1)] = dict(ok=int(match.group(2)), changed=int(match.group(3)),
                                     unreachable=int(match.group(4)), failed=int(match.group(5)))
    return stats


def report_rows(path) -> dict:
    rows = {}
    for line in open(path).read().splitlines()[2:]:
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=3)
        if len(parts) >= 3:
            rows[parts[0]] = {"site": parts[1], "status": parts[2], "reason": parts[3] if len(parts) > 3 else ""}
    return rows


@pytest.fixture(scope="module")
def edge_nodes() -> dict:
    topo = yaml.safe_load(TOPOLOGY.read_text())
    nodes = {}
    for site in topo.get("edge_sites", []):
        for node in site["nodes"]:
            nodes[node["name"]] = {"site": site["name"], "labels": node.get("labels", {}), "address": node["address"]}
    assert len(nodes) == 5, f"the lab topology should have 5 edge nodes, has {sorted(nodes)}"
    return nodes


@pytest.fixture(scope="module")
def core(api_clients):
    from kubernetes import client
    return client.CoreV1Api(api_clients["host"])


def ready_edge_nodes(core) -> dict:
    out = {}
    for node in core.list_node(label_selector="node-role.kubernetes.io/edge").items:
        ready = [c for c in node.status.conditions or [] if c.type == "Ready"]
        out[node.metadata.name] = (node, bool(ready) and ready[0].status == "True")
    return out


@pytest.fixture(scope="module")
def converged(edge_nodes, tmp_path_factory):
    ensure_pause_image()
    report = tmp_path_factory.mktemp("kubeedge") / "report.txt"
    result = ansible(PLAYBOOK, "-e", f"onboard_report_file={report}")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result, report


def test_all_edge_nodes_are_ready_with_their_labels(converged, core, edge_nodes):
    result, report = converged
    nodes = ready_edge_nodes(core)
    missing = sorted(set(edge_nodes) - set(nodes))
    assert not missing, f"edge nodes of the topology without a Node object: {missing}"
    for name in edge_nodes:
        node, ready = nodes[name]
        assert ready, f"{name} is not Ready"
        labels = node.metadata.labels
        assert labels.get("node-role.kubernetes.io/edge") == ""
        for key, value in edge_nodes[name]["labels"].items():
            assert labels.get(key) == value, (name, key)
    rows = report_rows(report)
    assert {n: r["status"] for n, r in rows.items()} == {n: "Ready" for n in edge_nodes}


def test_second_run_changes_nothing(converged, edge_nodes):
    result = ansible(PLAYBOOK)
    assert result.returncode == 0, result.stdout[-4000:]
    stats = recap(result.stdout)
    changed = {h: s["changed"] for h, s in stats.items() if s["changed"]}
    assert changed == {}, changed


def test_check_diff_is_clean(converged):
    result = ansible(PLAYBOOK, "--check", "--diff")
    assert result.returncode == 0, result.stdout[-4000:]
    stats = recap(result.stdout)
    assert {h: s["changed"] for h, s in stats.items() if s["changed"]} == {}
    assert "--- before" not in result.stdout


def wait_ssh(address, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if subprocess.run(["ssh", "-i", str(SSH_KEY), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                           "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", f"root@{address}",
                           "systemctl is-system-running --wait >/dev/null; true"],
                          capture_output=True, timeout=120, check=False).returncode == 0:
            return
        time.sleep(2)
    raise AssertionError(f"{address} did not come back")


def test_stopped_host_is_reported_then_joined_by_a_rerun(converged, core, edge_nodes, tmp_path):
    victim, other = "edge-b-2", "edge-a-1"
    # Both nodes start from scratch, so the run has real work on a host that stays up.
    reset = ansible(ONBOARD, "--limit", f"{victim},{other}", "-e", "kubeedge_edge_state=absent")
    assert reset.returncode == 0, reset.stdout[-4000:]
    assert victim not in ready_edge_nodes(core)

    report = tmp_path / "report.txt"
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.Popen([str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", INVENTORY, ONBOARD,
                             "-e", f"fleetops_artifact_cache={ARTIFACT_CACHE}", "-e", f"onboard_report_file={report}"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    stopped = False
    try:
        for line in proc.stdout:
            output.append(line)
            # Stop the host once the pre-flight passed and the join has started.
            if not stopped and "TASK [Pre-flight - problems in plain words]" in line:
                subprocess.run(["docker", "stop", "-t", "2", victim], check=True, capture_output=True)
                stopped = True
        proc.wait(timeout=900)
    finally:
        if not stopped or proc.returncode is None:
            proc.kill()
        subprocess.run(["docker", "start", victim], check=True, capture_output=True)
    text = "".join(output)
    assert stopped
    assert proc.returncode != 0, "a node failed: the run must say so"
    rows = report_rows(report)
    assert rows[victim]["status"] == "failed" and "unreachable" in rows[victim]["reason"], rows[victim]
    assert rows[other]["status"] == "Ready", rows[other]
    assert all(rows[n]["status"] == "Ready" for n in edge_nodes if n != victim), rows
    assert recap(text)[other]["failed"] == 0

    wait_ssh(edge_nodes[victim]["address"])
    rerun = ansible(ONBOARD, "-e", f"onboard_report_file={report}")
    assert rerun.returncode == 0, rerun.stdout[-4000:]
    stats = recap(rerun.stdout)
    assert stats[victim]["changed"] > 0
    assert {h: s["changed"] for h, s in stats.items() if h != victim and s["changed"]} == {}
    nodes = ready_edge_nodes(core)
    assert nodes[victim][1], f"{victim} not Ready after the re-run"
    assert report_rows(report)[victim]["reason"] == "joined"
