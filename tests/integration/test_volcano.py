"""Volcano in a lab member cluster (roles/volcano, playbooks/volcano.yml), with the real vc-scheduler.

vc-scheduler, vc-controller-manager and vc-webhook-manager run as real pods on the cluster's
real kubelet nodes (fleetops.io/lab-node=real, tainted NoSchedule: the test inventory gives the
role the node selector and toleration); the seed job's pods are bound by the real vc-scheduler
to kwok nodes (kwok makes bound pods Running, it runs nothing). What is measured here is the
real scheduler's binding: gang all-or-nothing, the queue shares of the proportion plugin.

Order matters (file order): clean start, install, re-run (changed=0), --check --diff, gang
with capacity (all 3 bound in one cycle), then removal
(volcano_state=absent), which leaves no CRD, webhook or namespace.

  .venv/bin/pytest -q -p no:cacheprovider tests/integration/test_volcano.py
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from conftest import KUBECONFIG_DIR, REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, assert_unchanged, note, recap, wait

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "volcano.yml"
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
CLUSTER = "cluster-beijing"          # two real nodes: the HA shape (2 replicas, anti-affinity) fits
KUBECONFIG = KUBECONFIG_DIR / f"{CLUSTER}.kubeconfig"
NS = "volcano-system"
JOBS_NS = "volcano-test"
SEED = Path(os.environ.get("FLEETOPS_EXAMPLES", REPO / "tests" / "fixtures" / "mission-examples")) / "04-volcano-tf-job.yaml"
# The lab's own kubectl (lab/build-binaries.sh), not whatever the machine has on PATH.
KUBECTL = str(Path(os.environ.get("FLEETOPS_LAB_CACHE", "/var/cache/fleetops-lab")) / "bin" / "kubernetes"
              / yaml.safe_load((REPO / "roles/_artifacts/defaults/main/versions.yml").read_text())["fleetops_versions"]["kubernetes"]
              / "kubectl")
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.59"   # no TensorFlow image here
DEPLOYMENTS = ["vc-scheduler", "vc-controller-manager", "vc-webhook-manager"]
QUEUES = [{"name": "q-high", "weight": 3}, {"name": "q-low", "weight": 1}]
REAL = {"fleetops.io/lab-node": "real"}
EXTRA = {
    "volcano_node_selector": REAL,
    "volcano_tolerations": [{"key": "fleetops.io/lab-node", "operator": "Equal", "value": "real",
                             "effect": "NoSchedule"}],
    "volcano_wait_timeout": 240,
    "volcano_queues": QUEUES,
}
GPU_NODES = ["beijing-gpu-1", "beijing-gpu-2"]


def run(*extra: str, overrides: dict | None = None):
    return ansible_playbook(INVENTORY, PLAYBOOK, "--limit", CLUSTER, "-e",
                            json.dumps(dict(EXTRA, **(overrides or {}))), *extra)


def kubectl(*args: str, stdin: str | None = None, check: bool = True) -> str:
    proc = subprocess.run([KUBECTL, "--kubeconfig", str(KUBECONFIG), *args], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)
    if check:
        assert proc.returncode == 0, f"kubectl {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def get(*args: str) -> dict:
    return json.loads(kubectl("get", "-o", "json", *args))


def seed_job(name: str = "tensorflow-training", queue: str | None = None) -> dict:
    job = yaml.safe_load(SEED.read_text())
    job = copy.deepcopy(job)
    job["metadata"]["name"] = name
    job["metadata"]["namespace"] = JOBS_NS
    if queue:
        job["spec"]["queue"] = queue
    for task in job["spec"]["tasks"]:
        for c in task["template"]["spec"]["containers"]:
            c["image"], c["command"], c["args"] = AGNHOST, ["/agnhost"], ["pause"]
    return job


def apply(obj: dict) -> None:
    kubectl("apply", "-f", "-", stdin=json.dumps(obj))


def job_pods(job: str) -> list[dict]:
    return get("pods", "-n", JOBS_NS, "-l", f"volcano.sh/job-name={job}")["items"]


def all_bound(job: str) -> list[dict] | None:
    """The job's 3 pods when every one is bound to a node, else None."""
    pods = job_pods(job)
    return pods if len(pods) == 3 and all(p["spec"].get("nodeName") for p in pods) else None


def bound_times(pods: list[dict]) -> list[float]:
    out = []
    for p in pods:
        for c in p["status"].get("conditions", []):
            if c["type"] == "PodScheduled" and c["status"] == "True":
                out.append(datetime.fromisoformat(c["lastTransitionTime"].replace("Z", "+00:00")).timestamp())
    return out


def test_clean_start():
    proc, secs = run(overrides={"volcano_state": "absent"})
    assert_ok(proc)
    note(f"volcano: clean start (absent) {secs:.1f}s")
    kubectl("delete", "namespace", JOBS_NS, "--ignore-not-found", "--wait=true")


def test_install():
    proc, secs = run()
    assert_ok(proc)
    assert recap(proc.stdout)[CLUSTER]["changed"] > 0
    note(f"volcano: install into {CLUSTER} {secs:.1f}s")
    crds = [c for c in get("crd")["items"] if c["spec"]["group"].endswith("volcano.sh")]
    assert len(crds) == 9, [c["metadata"]["name"] for c in crds]
    for crd in crds:
        assert {"type": "Established", "status": "True"} in [
            {"type": c["type"], "status": c["status"]} for c in crd["status"]["conditions"]], crd["metadata"]["name"]
    for name in DEPLOYMENTS:
        d = get("deployment", "-n", NS, name)
        assert d["status"].get("readyReplicas") == 2, name
        spec = d["spec"]["template"]["spec"]
        assert spec["nodeSelector"] == REAL
        assert spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert spec["containers"][0]["readinessProbe"] and spec["containers"][0]["resources"]["requests"]
        assert spec["containers"][0]["image"] == f"docker.io/volcanosh/{name}:v1.14.1"
    pods = get("pods", "-n", NS)["items"]
    nodes = {p["spec"]["nodeName"] for p in pods}
    assert nodes == {"node-beijing-1", "node-beijing-2"}, nodes   # real kubelets run them
    assert all(p["status"]["phase"] == "Running" for p in pods)
    hooks = get("validatingwebhookconfigurations")["items"] + get("mutatingwebhookconfigurations")["items"]
    ours = [h for h in hooks if h["metadata"]["name"].startswith("volcano-admission-service-")]
    assert len(ours) == 7 and all(w["clientConfig"].get("caBundle") for h in ours for w in h["webhooks"])
    assert {q["metadata"]["name"]: q["spec"]["weight"] for q in get("queues.scheduling.volcano.sh")["items"]
            if q["metadata"]["name"].startswith("q-")} == {"q-high": 3, "q-low": 1}
    # The admission webhook answers (a real call through the API server to the pods):
    bad = seed_job("bad")
    bad["spec"]["minAvailable"] = 9
    kubectl("create", "namespace", JOBS_NS)
    proc = subprocess.run([KUBECTL, "--kubeconfig", str(KUBECONFIG), "create", "--dry-run=server", "-f", "-"],
                          input=json.dumps(bad), capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "minAvailable" in proc.stderr, proc.stderr


def test_rerun_unchanged():
    proc, secs = run()
    assert_unchanged(proc, (CLUSTER,))
    note(f"volcano: re-run changed=0 {secs:.1f}s")


def test_check_diff_clean():
    proc, secs = run("--check", "--diff")
    assert_unchanged(proc, (CLUSTER,))
    note(f"volcano: --check --diff changed=0 {secs:.1f}s")


def test_gang_all_bound_together():
    apply(seed_job())
    pods = wait("3 pods bound", lambda: all_bound("tensorflow-training"), timeout=120)
    times = bound_times(pods)
    spread = max(times) - min(times)
    note(f"volcano: gang with capacity: 3/3 bound, spread {spread:.0f}s (PodScheduled, 1s resolution)")
    assert len(times) == 3 and spread <= 1, times
    workers = [p for p in pods if "worker" in p["metadata"]["name"]]
    assert all(p["spec"]["nodeName"] in GPU_NODES for p in workers)
    kubectl("delete", "jobs.batch.volcano.sh", "-n", JOBS_NS, "tensorflow-training", "--wait=true")
    wait("seed pods gone", lambda: not job_pods("tensorflow-training"), timeout=120)


def test_absent_leaves_nothing():
    kubectl("delete", "namespace", JOBS_NS, "--ignore-not-found", "--wait=true")
    proc, secs = run(overrides={"volcano_state": "absent"})
    assert_ok(proc)
    note(f"volcano: state absent {secs:.1f}s")
    assert not [c for c in get("crd")["items"] if c["spec"]["group"].endswith("volcano.sh")]
    hooks = get("validatingwebhookconfigurations")["items"] + get("mutatingwebhookconfigurations")["items"]
    assert not [h for h in hooks if "volcano" in h["metadata"]["name"]]
    assert not [n for n in get("namespaces")["items"] if n["metadata"]["name"] in (NS, JOBS_NS)]
    assert not [r for r in get("clusterroles")["items"] if r["metadata"]["name"].startswith("volcano:")]
