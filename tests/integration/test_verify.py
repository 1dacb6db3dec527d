"""playbooks/verify.yml on the lab (issue 18): read-only, green on the converged lab, and when one thing
of each kind is broken at once (an unreachable API, a Karmada member not Ready, Volcano's scheduler at
0, a Velero location on a missing bucket, Thanos Query at 0, an edge node NotReady, certificates near
expiry), one run names each of them in a FAIL row, failures first, and exits non-zero.

Run with `make test-verify` (lab up); make test deselects it (marker whole_lab, see below).
Installs what the lab topology enables and is missing (Karmada, Volcano, Velero, Prometheus/Thanos,
Istio), removes it again at the end (Karmada stays), and restores everything it broke. On its own:
  .venv/bin/pytest -m lab -v -s tests/integration/test_verify.py
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import KUBECONFIG_DIR, REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, ensure_karmada, karmada_kubeconfig, note, recap, wait

# Not in `make test` yet: it installs every component the topology enables at once (the component
# tests each remove theirs), about 10 minutes more than make test's 90-minute CI budget allows.
pytestmark = [pytest.mark.lab, pytest.mark.whole_lab]

VERIFY = REPO / "playbooks" / "verify.yml"
LAB = yaml.safe_load(TOPOLOGY.read_text()) if TOPOLOGY.exists() else {"clusters": [], "edge_sites": []}
MEMBERS = [c["name"] for c in LAB["clusters"] if c["role"] == "member"]
BATCH = [c["name"] for c in LAB["clusters"] if c.get("batch")]
MONITORED = [c["name"] for c in LAB["clusters"] if c.get("monitoring")]
OBSERVABILITY = [c["name"] for c in LAB["clusters"] if c.get("observability")]
MESH = [c["name"] for c in LAB["clusters"] if c.get("mesh")]
EDGE_NODES = [n["name"] for s in LAB["edge_sites"] for n in s["nodes"]]
REAL = {"fleetops.io/lab-node": "real"}
TOLERATIONS = [{"key": "fleetops.io/lab-node", "operator": "Equal", "value": "real", "effect": "NoSchedule"}]
# What each component playbook installs, probed by one Deployment per cluster; the lab's group_vars
# place all but istiod on the real nodes (as test_istio does it here).
COMPONENTS = [
    ("volcano.yml", {"volcano_wait_timeout": 240}, [(c, "volcano-system", "vc-scheduler") for c in BATCH]),
    ("velero.yml", {"velero_wait_timeout": 240}, [(c, "velero", "velero") for c in MEMBERS]),
    ("observability.yml", {}, [(c, "monitoring", "prometheus-operator") for c in MONITORED]
     + [(c, "thanos", "thanos-query") for c in OBSERVABILITY]),
    ("istio.yml", {"istio_node_selector": REAL, "istio_tolerations": TOLERATIONS, "istio_wait_timeout": 240,
                   "istio_pilot_replicas": "{{ 2 if fleetops_cluster_nodes | length > 1 else 1 }}",
                   "istio_resources": {"requests": {"cpu": "50m", "memory": "128Mi"}}},
     [(c, "istio-system", "istiod") for c in MESH]),
]
# The state variables that remove what each playbook installed.
ABSENT = {"volcano.yml": ["volcano"], "velero.yml": ["velero"], "observability.yml": ["prometheus", "thanos"],
          "istio.yml": ["istio"]}
# The things broken, one of each kind (see the module docstring).
UNREACHABLE = "cluster-guangzhou"     # its connection pointed at a closed port (a private copy of the inventory)
PULL_MEMBER = next((c["name"] for c in LAB["clusters"] if c.get("sync_mode") == "Pull"), "cluster-hangzhou")
AGENT_HOST = next((c.get("agent_host") for c in LAB["clusters"] if c["name"] == PULL_MEMBER), "gw-hangzhou")
AGENT_UNIT = f"karmada-agent-{PULL_MEMBER}"
VOLCANO_CLUSTER = "cluster-shanghai"
VELERO_CLUSTER = "cluster-beijing"
MISSING_BUCKET = "fleetops-verify-missing-bucket"
THANOS_CLUSTER = OBSERVABILITY[0] if OBSERVABILITY else "cluster-beijing"
EDGE_NODE = EDGE_NODES[-1] if EDGE_NODES else "edge-b-2"
EDGE_CLUSTER = next((s["cluster"] for s in LAB["edge_sites"] if EDGE_NODE in [n["name"] for n in s["nodes"]]), "host")


def verify(inventory: Path = TOPOLOGY, *extra: str):
    return ansible_playbook(inventory, VERIFY, *extra, timeout=600)


def table(output: str) -> list[dict]:
    """The rows of the printed health table, in order: {target, check, status, detail}."""
    lines = output.splitlines()
    head = next(i for i, line in enumerate(lines) if re.match(r"^\s*TARGET\s+CHECK\s+STATUS\s+DETAIL\s*$", line))
    header = lines[head]
    cut = [header.index(name) for name in ("TARGET", "CHECK", "STATUS", "DETAIL")]
    rows = []
    for line in lines[head + 2:]:
        if not line.strip() or len(line) <= cut[2]:
            break
        rows.append({"target": line[cut[0]:cut[1]].strip(), "check": line[cut[1]:cut[2]].strip(),
                     "status": line[cut[2]:cut[3]].strip(), "detail": line[cut[3]:].strip()})
    assert rows, output[-3000:]
    return rows


def kube(name: str):
    from kubernetes import config
    path = karmada_kubeconfig(TOPOLOGY) if name == "karmada" else KUBECONFIG_DIR / f"{name}.kubeconfig"
    return config.new_client_from_config(config_file=str(path))


def deployment(cluster: str, namespace: str, name: str):
    from kubernetes import client
    try:
        return client.AppsV1Api(kube(cluster)).read_namespaced_deployment(name, namespace)
    except client.exceptions.ApiException as exc:
        if exc.status == 404:
            return None
        raise


def available(cluster: str, namespace: str, name: str) -> bool:
    d = deployment(cluster, namespace, name)
    return bool(d and d.spec.replicas and (d.status.available_replicas or 0) >= d.spec.replicas)


def scale(cluster: str, namespace: str, name: str, replicas: int) -> None:
    from kubernetes import client
    client.AppsV1Api(kube(cluster)).patch_namespaced_deployment_scale(name, namespace, {"spec": {"replicas": replicas}})


def ready(conditions) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions or [])


def node_ready(cluster: str, name: str) -> bool:
    from kubernetes import client
    node = client.CoreV1Api(kube(cluster)).read_node(name)
    return ready([{"type": c.type, "status": c.status} for c in node.status.conditions or []])


def member_ready(name: str) -> bool:
    from kubernetes import client
    api = client.CustomObjectsApi(kube("karmada"))
    obj = api.get_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters", name)
    return ready(obj.get("status", {}).get("conditions"))


def bsl(cluster: str) -> dict:
    """The cluster's default Velero BackupStorageLocation (the one its backups go to)."""
    from kubernetes import client
    items = client.CustomObjectsApi(kube(cluster)).list_namespaced_custom_object(
        "velero.io", "v1", "velero", "backupstoragelocations")["items"]
    assert items, f"no BackupStorageLocation in {cluster}"
    return next((b for b in items if b["spec"].get("default")), items[0])


def patch_bucket(cluster: str, name: str, bucket: str) -> None:
    from kubernetes import client
    client.CustomObjectsApi(kube(cluster)).patch_namespaced_custom_object(
        "velero.io", "v1", "velero", "backupstoragelocations", name, {"spec": {"objectStorage": {"bucket": bucket}}})


def validated(cluster: str, bucket: str, phase: str, since: str) -> bool:
    """The location was validated with this bucket after `since` (RFC 3339) and found `phase`."""
    b = bsl(cluster)
    status = b.get("status", {})
    return (b["spec"]["objectStorage"]["bucket"] == bucket and status.get("phase") == phase
            and status.get("lastValidationTime", "") >= since)


def systemctl(host: str, action: str, unit: str) -> None:
    subprocess.run(["docker", "exec", host, "systemctl", action, unit], check=True, timeout=60, capture_output=True)


def rfc3339_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def unreachable_inventory(tmp: Path) -> Path:
    """The lab topology with UNREACHABLE's kubeconfig pointing at a closed port. Its directory is also
    named after the lab's, so the controller directory (Karmada's kubeconfig and PKI) stays the same."""
    topo = yaml.safe_load(TOPOLOGY.read_text())

    def absolute(node):
        if isinstance(node, dict):
            return {k: (str((TOPOLOGY.parent / v).resolve()) if k in ("kubeconfig", "ssh_key", "credentials_file")
                        and isinstance(v, str) and not v.startswith("/") else absolute(v)) for k, v in node.items()}
        return [absolute(v) for v in node] if isinstance(node, list) else node

    topo = absolute(topo)
    broken = yaml.safe_load((KUBECONFIG_DIR / f"{UNREACHABLE}.kubeconfig").read_text())
    for c in broken["clusters"]:
        c["cluster"]["server"] = "https://127.0.0.1:1"
    path = tmp / TOPOLOGY.parent.name / "topology.yml"
    path.parent.mkdir(parents=True)
    (tmp / "closed.kubeconfig").write_text(yaml.safe_dump(broken))
    (tmp / "closed.kubeconfig").chmod(0o600)
    for c in topo["clusters"]:
        if c["name"] == UNREACHABLE:
            c["kubeconfig"] = str(tmp / "closed.kubeconfig")
    path.write_text(yaml.safe_dump(topo, sort_keys=False))
    for folder in ("group_vars", "host_vars"):
        if (TOPOLOGY.parent / folder).is_dir():
            (path.parent / folder).symlink_to(TOPOLOGY.parent / folder)
    return path


@pytest.fixture(scope="module")
def converged():
    """Everything the lab topology enables, installed (only what is missing); verify.yml's green run.
    What it installed is removed again afterwards (FLEETOPS_VERIFY_KEEP=1 keeps it)."""
    ensure_karmada(TOPOLOGY)
    installed = []
    try:
        for playbook, extra, probes in COMPONENTS:
            if probes and not all(available(*p) for p in probes):
                installed.append((playbook, extra))
                proc, secs = ansible_playbook(TOPOLOGY, REPO / "playbooks" / playbook, "-e", json.dumps(extra))
                assert_ok(proc)
                note(f"verify: {playbook} installed what was missing {secs:.1f}s")
        proc, secs = verify()
        note(f"verify: converged lab {secs:.1f}s")
        yield proc
    finally:
        if os.environ.get("FLEETOPS_VERIFY_KEEP") != "1":
            for playbook, extra in reversed(installed):
                states = {f"{n}_state": "absent" for n in ABSENT[playbook]}
                proc, secs = ansible_playbook(TOPOLOGY, REPO / "playbooks" / playbook, "-e",
                                              json.dumps(dict(extra, **states)))
                note(f"verify: {playbook} removed again {secs:.1f}s (rc {proc.returncode})")


def test_green_on_the_converged_lab(converged):
    assert_ok(converged)
    assert not {h: r["changed"] for h, r in recap(converged.stdout).items() if r.get("changed")}
    rows = table(converged.stdout)
    bad = [r for r in rows if r["status"] != "ok"]
    assert not bad, bad
    checks = {(r["target"], r["check"]) for r in rows}
    expected = [(c["name"], "api") for c in LAB["clusters"]] + [(c["name"], "nodes") for c in LAB["clusters"]]
    expected += [(n, "edge node") for n in EDGE_NODES] + [(m, "karmada member") for m in MEMBERS]
    expected += [("karmada", "api"), ("karmada-1", "unit karmada-apiserver"), ("cloudcore-1", "unit cloudcore"),
                 (AGENT_HOST, f"unit {AGENT_UNIT}"), ("controller", "cert karmada/pki/ca.crt")]
    expected += [(c, "volcano vc-scheduler") for c in BATCH] + [(c, "velero velero") for c in MEMBERS]
    expected += [(c, "prometheus prometheus-operator") for c in MONITORED]
    expected += [(c, "thanos thanos-query") for c in OBSERVABILITY] + [(c, "istio istiod") for c in MESH]
    expected += [(c["name"], "kubeconfig CA") for c in LAB["clusters"]]
    assert not [e for e in expected if e not in checks], sorted(checks)
    assert [c for c in MEMBERS if not any(t == c and k.startswith("velero bsl ") for t, k in checks)] == []
    assert [c for c in MONITORED if not any(t == c and k.startswith("prometheus ") and k != "prometheus prometheus-operator"
                                            for t, k in checks)] == []


def test_check_mode_is_green_and_unchanged(converged):
    proc, secs = verify(TOPOLOGY, "--check")
    note(f"verify: --check {secs:.1f}s")
    assert_ok(proc)
    assert not {h: r["changed"] for h, r in recap(proc.stdout).items() if r.get("changed")}


def test_one_broken_thing_of_each_kind_is_named(converged, tmp_path):
    inventory = unreachable_inventory(tmp_path)
    volcano = deployment(VOLCANO_CLUSTER, "volcano-system", "vc-scheduler").spec.replicas
    thanos = deployment(THANOS_CLUSTER, "thanos", "thanos-query").spec.replicas
    location = bsl(VELERO_CLUSTER)
    name, bucket = location["metadata"]["name"], location["spec"]["objectStorage"]["bucket"]
    t0 = time.monotonic()
    try:
        since = rfc3339_now()
        scale(VOLCANO_CLUSTER, "volcano-system", "vc-scheduler", 0)
        scale(THANOS_CLUSTER, "thanos", "thanos-query", 0)
        patch_bucket(VELERO_CLUSTER, name, MISSING_BUCKET)
        systemctl(AGENT_HOST, "stop", AGENT_UNIT)
        systemctl(EDGE_NODE, "stop", "edgecore")
        # Karmada and the node controller notice after their grace periods, Velero at its next validation.
        wait(f"{PULL_MEMBER} not Ready in Karmada", lambda: not member_ready(PULL_MEMBER), timeout=180)
        wait(f"{EDGE_NODE} NotReady", lambda: not node_ready(EDGE_CLUSTER, EDGE_NODE), timeout=180)
        wait(f"{VELERO_CLUSTER}'s location {name} Unavailable",
             lambda: validated(VELERO_CLUSTER, MISSING_BUCKET, "Unavailable", since), timeout=180)
        note(f"verify: breaks visible after {time.monotonic() - t0:.1f}s")
        proc, secs = verify(inventory, "-e", "verify_cert_min_days=100000")
        note(f"verify: broken lab {secs:.1f}s")
    finally:
        restored = rfc3339_now()
        scale(VOLCANO_CLUSTER, "volcano-system", "vc-scheduler", volcano)
        scale(THANOS_CLUSTER, "thanos", "thanos-query", thanos)
        patch_bucket(VELERO_CLUSTER, name, bucket)
        systemctl(AGENT_HOST, "start", AGENT_UNIT)
        systemctl(EDGE_NODE, "start", "edgecore")

    assert proc.returncode != 0, proc.stdout[-3000:]
    assert not {h: r["changed"] for h, r in recap(proc.stdout).items() if r.get("changed")}
    rows = table(proc.stdout)
    failed = {(r["target"], r["check"]): r["detail"] for r in rows if r["status"] == "FAIL"}
    named = {
        (UNREACHABLE, "api"): "api reachable",
        (PULL_MEMBER, "karmada member"): "not Ready",
        (AGENT_HOST, f"unit {AGENT_UNIT}"): "inactive",
        (VOLCANO_CLUSTER, "volcano vc-scheduler"): "0/0",
        (VELERO_CLUSTER, f"velero bsl {name}"): MISSING_BUCKET,
        (THANOS_CLUSTER, "thanos thanos-query"): "0/0",
        (EDGE_NODE, "edge node"): "NotReady",
        ("controller", "cert karmada/pki/ca.crt"): "within 100000 days",
        (VELERO_CLUSTER, "kubeconfig CA"): "within 100000 days",
    }
    missing = {k: v for k, v in named.items() if k not in failed or v not in failed[k]}
    assert not missing, (missing, failed)
    statuses = [r["status"] for r in rows]
    assert statuses == sorted(statuses, key=lambda s: s != "FAIL"), "FAIL rows do not all come first"
    assert "ok" in statuses    # the other clusters were still checked
    assert any(r["target"] == "cluster-hangzhou" and r["check"] == "volcano vc-scheduler" and r["status"] == "ok"
               for r in rows), "the checks after the unreachable cluster did not run"

    # Restored: green again.
    wait(f"{PULL_MEMBER} Ready in Karmada", lambda: member_ready(PULL_MEMBER), timeout=180)
    wait(f"{EDGE_NODE} Ready", lambda: node_ready(EDGE_CLUSTER, EDGE_NODE), timeout=180)
    wait("Volcano's scheduler and Thanos Query available",
         lambda: (available(VOLCANO_CLUSTER, "volcano-system", "vc-scheduler")
                  and available(THANOS_CLUSTER, "thanos", "thanos-query")), timeout=180)
    wait(f"{VELERO_CLUSTER}'s location {name} Available",
         lambda: validated(VELERO_CLUSTER, bucket, "Available", restored), timeout=180)
    proc, secs = verify()
    note(f"verify: restored lab {secs:.1f}s; break test {time.monotonic() - t0:.1f}s in all")
    assert_ok(proc)
    assert all(r["status"] == "ok" for r in table(proc.stdout))
