"""Volcano in lab member clusters (roles/volcano, playbooks/volcano.yml, playbooks/volcano_job.yml),
with the real vc-scheduler.

vc-scheduler, vc-controller-manager and vc-webhook-manager run as real pods on the cluster's
real kubelet nodes (fleetops.io/lab-node=real, tainted NoSchedule: the test inventory gives the
role the node selector and toleration); the jobs' pods are bound by the real vc-scheduler to kwok
nodes (kwok makes bound pods Running, it runs nothing). What is measured here is the real
scheduler's binding: gang all-or-nothing, the queue shares of the proportion plugin.

One install (module fixture `installed`) serves every test; the tests run in file order:
install, re-run (changed=0), --check --diff, the seed checked before apply, gang with capacity,
capacity for 2 of 3 (none bound; the default scheduler binds 2), capacity freed (3 together),
two queues 3:1 under contention, a dropped queue kept while it holds jobs, the seed through
Karmada to the member with free GPUs, then removal (volcano_state=absent: no CRD, webhook or
namespace left, in the members and in Karmada).

  .venv/bin/pytest -q -p no:cacheprovider tests/integration/test_volcano.py
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
import yaml

import runners
from conftest import KUBECONFIG_DIR, REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, assert_unchanged, note, recap, wait

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "volcano.yml"
JOB_PLAYBOOK = REPO / "playbooks" / "volcano_job.yml"
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
CLUSTER = "cluster-beijing"          # two real nodes: the HA shape (2 replicas, anti-affinity) fits
OTHER = "cluster-shanghai"           # one real node: Volcano with one replica each, GPUs kept busy
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
GPU = "nvidia.com/gpu"
# Upstream's default tiers without overcommit: its enqueue gate (idle x 1.2, minus what is already
# Inqueue) lets whichever queue the enqueue action visits first take the admission budget, so the
# second queue's jobs never even reach allocate; the proportion plugin's shares show without it.
TIERS_NO_OVERCOMMIT = [
    {"plugins": [{"name": "priority"}, {"name": "gang", "enablePreemptable": False}, {"name": "conformance"}]},
    {"plugins": [{"name": "drf", "enablePreemptable": False}, {"name": "predicates"}, {"name": "proportion"},
                 {"name": "nodeorder"}, {"name": "binpack"}]},
]


# Messages are matched in the output: one JSON line each (the yaml result format folds long lines).
JSON_OUT = {"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"}


def run(*extra: str, overrides: dict | None = None, limit: str = CLUSTER):
    return ansible_playbook(INVENTORY, PLAYBOOK, "--limit", limit, "-e",
                            json.dumps(dict(EXTRA, **(overrides or {}))), *extra, env=JSON_OUT)


def submit(job: dict, *extra: str, **variables):
    """playbooks/volcano_job.yml with the Job (the product path: checked, then applied)."""
    args = dict(volcano_job_definition=job, volcano_job_namespace=JOBS_NS, volcano_job_images={"*": AGNHOST},
                **variables)
    limit = ("--limit", CLUSTER) if not variables.get("volcano_job_via_karmada") else ()
    return ansible_playbook(INVENTORY, JOB_PLAYBOOK, *limit, "-e", json.dumps(args), *extra, env=JSON_OUT)


def kubectl(*args: str, stdin: str | None = None, check: bool = True, cluster: str = CLUSTER,
            kubeconfig: Path | None = None) -> str:
    kubeconfig = kubeconfig or KUBECONFIG_DIR / f"{cluster}.kubeconfig"
    proc = subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), *args], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)
    if check:
        assert proc.returncode == 0, f"kubectl {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def get(*args: str, **kw) -> dict:
    return json.loads(kubectl("get", "-o", "json", *args, **kw))


def seed_job(name: str = "tensorflow-training", gpus: int = 0) -> dict:
    """The seed as is (its name aside); gpus > 0 adds that many nvidia.com/gpu to each worker."""
    job = copy.deepcopy(yaml.safe_load(SEED.read_text()))
    job["metadata"]["name"] = name
    if gpus:
        job["spec"]["tasks"][1]["template"]["spec"]["containers"][0]["resources"]["limits"][GPU] = gpus
    return job


def apply(obj: dict, **kw) -> None:
    kubectl("apply", "-f", "-", stdin=json.dumps(obj), **kw)


def job_pods(job: str, **kw) -> list[dict]:
    return get("pods", "-n", JOBS_NS, "-l", f"volcano.sh/job-name={job}", **kw)["items"]


def bound(pods: list[dict]) -> list[dict]:
    return [p for p in pods if p["spec"].get("nodeName")]


def all_bound(job: str, n: int = 3, **kw) -> list[dict] | None:
    """The job's n pods when every one is bound to a node, else None."""
    pods = job_pods(job, **kw)
    return pods if len(pods) == n and len(bound(pods)) == n else None


def bound_times(pods: list[dict]) -> list[float]:
    out = []
    for p in pods:
        for c in p["status"].get("conditions", []):
            if c["type"] == "PodScheduled" and c["status"] == "True":
                out.append(datetime.fromisoformat(c["lastTransitionTime"].replace("Z", "+00:00")).timestamp())
    return out


def podgroup(job: str, **kw) -> dict | None:
    groups = [g for g in get("podgroups.scheduling.volcano.sh", "-n", JOBS_NS, **kw)["items"]
              if any(o.get("name") == job for o in g["metadata"].get("ownerReferences", []))]
    return groups[0] if groups else None


def filler(name: str, node: str, gpus: int = 4) -> dict:
    """A plain pod holding a GPU node's GPUs (another team's workload)."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": JOBS_NS, "labels": {"fleetops.io/test": "filler"}},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "hold", "image": AGNHOST, "args": ["pause"],
                                     "resources": {"limits": {GPU: str(gpus)}}}]}}


def delete(*args: str, **kw) -> None:
    kubectl("delete", "--ignore-not-found", "--wait=true", "--grace-period=0", *args, **kw)


def delete_job(name: str, **kw) -> None:
    delete("jobs.batch.volcano.sh", "-n", JOBS_NS, name, **kw)
    wait(f"{name} pods gone", lambda: not job_pods(name, **kw), timeout=120)


@pytest.fixture(scope="module")
def installed():
    """One clean install of Volcano into cluster-beijing for every test of this file.
    FLEETOPS_VOLCANO_REUSE=1 keeps what an earlier run installed (to re-run single tests)."""
    if os.environ.get("FLEETOPS_VOLCANO_REUSE") == "1":
        return None
    proc, secs = run(overrides={"volcano_state": "absent"})
    assert_ok(proc)
    note(f"volcano: clean start (absent) {secs:.1f}s")
    kubectl("delete", "namespace", JOBS_NS, "--ignore-not-found", "--wait=true")
    proc, secs = run()
    assert_ok(proc)
    note(f"volcano: install into {CLUSTER} {secs:.1f}s")
    kubectl("create", "namespace", JOBS_NS)
    return proc


def test_install(installed):
    assert recap(installed.stdout)[CLUSTER]["changed"] > 0
    crds = [c for c in get("crd")["items"] if c["spec"]["group"].endswith("volcano.sh")]
    assert len(crds) == 9, [c["metadata"]["name"] for c in crds]
    for crd in crds:
        assert {"type": "Established", "status": "True"} in [
            {"type": c["type"], "status": c["status"]} for c in crd["status"]["conditions"]], crd["metadata"]["name"]
    for name in DEPLOYMENTS:
        d = get("deployment", "-n", NS, name)
        assert d["status"].get("readyReplicas") == 2, name
        assert d["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}
        spec = d["spec"]["template"]["spec"]
        assert spec["nodeSelector"] == REAL
        assert spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        c = spec["containers"][0]
        assert c["readinessProbe"] and c["livenessProbe"] and c["resources"]["requests"]
        assert c["image"] == f"docker.io/volcanosh/{name}:v1.14.1"
        if name != "vc-webhook-manager":
            assert "--leader-elect=true" in c["args"], c["args"]
        assert get("pdb", "-n", NS, name)["spec"]["minAvailable"] == 1
    # The scheduler configuration is upstream's default.
    conf = yaml.safe_load(get("configmap", "-n", NS, "volcano-scheduler-configmap")["data"]["volcano-scheduler.conf"])
    assert conf["actions"] == "enqueue, allocate, backfill"
    assert [p["name"] for t in conf["tiers"] for p in t["plugins"]] == [
        "priority", "gang", "conformance", "overcommit", "drf", "predicates", "proportion", "nodeorder", "binpack"]
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
    bad["metadata"]["namespace"] = JOBS_NS
    bad["spec"]["minAvailable"] = 9
    proc = subprocess.run([KUBECTL, "--kubeconfig", str(KUBECONFIG_DIR / f"{CLUSTER}.kubeconfig"), "create",
                           "--dry-run=server", "-f", "-"], input=json.dumps(bad), capture_output=True, text=True,
                          check=False)
    assert proc.returncode != 0 and "minAvailable" in proc.stderr, proc.stderr


def test_rerun_unchanged(installed):
    proc, secs = run()
    assert_unchanged(proc, (CLUSTER,))
    note(f"volcano: re-run changed=0 {secs:.1f}s")


def test_check_diff_clean(installed):
    proc, secs = run("--check", "--diff")
    assert_unchanged(proc, (CLUSTER,))
    note(f"volcano: --check --diff changed=0 {secs:.1f}s")


def test_seed_checked_before_apply(installed, tmp_path):
    """Each mistake named with its field path, nothing applied; a cluster without GPU nodes too."""
    bad = seed_job("bad-seed")
    bad["spec"]["minAvailable"] = 4
    bad["spec"]["queue"] = "q-missing"
    del bad["spec"]["tasks"][0]["name"]
    proc, secs = submit(bad)
    assert proc.returncode != 0
    for expected in ("spec.minAvailable: 4 is larger than the sum of spec.tasks[].replicas (3)",
                     "spec.tasks[0].name: missing"):
        assert expected in proc.stdout, proc.stdout[-3000:]
    fixed = seed_job("bad-seed")
    fixed["spec"]["queue"] = "q-missing"
    proc, secs = submit(fixed)
    assert proc.returncode != 0 and "spec.queue: queue 'q-missing' does not exist in cluster-beijing" in proc.stdout
    assert not get("jobs.batch.volcano.sh", "-n", JOBS_NS)["items"]
    # The host cluster has no GPU nodes (three CPU kwok workers) and no Volcano.
    gpu = seed_job("gpu-seed", gpus=4)
    play = tmp_path / "gpu-on-host.yml"
    play.write_text(yaml.safe_dump([{
        "name": "seed with GPU workers on the host cluster", "hosts": "host", "gather_facts": False,
        "module_defaults": {"group/fleetops.kurator.k8s": "{{ fleetops_k8s }}"},
        "tasks": [{"name": "submit", "fleetops.kurator.volcano_job": {
            "definition": gpu, "namespace": JOBS_NS, "cluster": "{{ inventory_hostname }}"}}]}]))
    proc, secs = ansible_playbook(INVENTORY, play, env=JSON_OUT)
    assert proc.returncode != 0
    for expected in ("spec.tasks[1].template.spec.containers[0].resources.limits[nvidia.com/gpu]: task 'worker' "
                     "requests 4 nvidia.com/gpu, but no node of host offers nvidia.com/gpu (no GPU nodes there)",
                     "spec.tasks[1].template.spec.nodeSelector: node-type=gpu matches no schedulable node of host",
                     "spec.queue: Volcano is not installed in host"):
        assert expected in proc.stdout, proc.stdout[-3000:]
    note(f"volcano: seed checked before apply: field paths reported, nothing applied ({secs:.1f}s)")


def test_gang_all_bound_together(installed):
    proc, secs = submit(seed_job())
    assert_ok(proc)
    pods = wait("3 pods bound", lambda: all_bound("tensorflow-training"), timeout=120)
    times = bound_times(pods)
    spread = max(times) - min(times)
    note(f"volcano: gang with capacity: 3/3 bound, spread {spread:.0f}s (PodScheduled, 1s resolution); "
         f"submitted through playbooks/volcano_job.yml in {secs:.1f}s")
    assert len(times) == 3 and spread <= 1, times
    workers = [p for p in pods if "worker" in p["metadata"]["name"]]
    assert all(p["spec"]["nodeName"] in GPU_NODES for p in workers)
    # kwok completes any pod owned by a Job at once, so the job runs for a moment, then completes
    # (and Volcano drops its PodGroup): the Job's history shows the gang reached Running.
    wait("the Job Running (then Completed)", lambda: "Running" in [
        c.get("status") for c in get("jobs.batch.volcano.sh", "-n", JOBS_NS, "tensorflow-training")
        .get("status", {}).get("conditions", [])], timeout=60)
    proc, dummy = submit(seed_job())       # the same Job again: nothing to change
    assert_unchanged(proc, (CLUSTER,))
    delete_job("tensorflow-training")


def test_capacity_for_two_of_three_binds_none(installed):
    """One GPU node's GPUs are taken: room for the ps and one worker. The default scheduler binds
    those two (and the job would deadlock, one worker waiting for ever); Volcano binds none."""
    apply(filler("filler-gpu-2", GPU_NODES[1]))
    # The same three pods without gang scheduling (default-scheduler):
    job = seed_job("gang", gpus=4)
    plain = []
    for task in job["spec"]["tasks"]:
        for i in range(task["replicas"]):
            spec = copy.deepcopy(task["template"]["spec"])
            spec["containers"][0].update(image=AGNHOST, command=["/agnhost"], args=["pause"])
            spec["terminationGracePeriodSeconds"] = 0
            plain.append({"apiVersion": "v1", "kind": "Pod", "spec": spec, "metadata": {
                "name": f"plain-{task['name']}-{i}", "namespace": JOBS_NS, "labels": {"fleetops.io/test": "plain"}}})
    for pod in plain:
        apply(pod)

    def plain_state():
        pods = get("pods", "-n", JOBS_NS, "-l", "fleetops.io/test=plain")["items"]
        waiting = [c for p in pods for c in p["status"].get("conditions", [])
                   if c["type"] == "PodScheduled" and c["status"] == "False"]
        return (len(bound(pods)), waiting[0].get("message", "")) if len(bound(pods)) == 2 and waiting else None
    n, why = wait("default scheduler: 2 bound, 1 unschedulable", plain_state, timeout=90)
    note(f"volcano: default scheduler on the same 3 pods: {n}/3 bound, the third: {why}")
    assert "Insufficient nvidia.com/gpu" in why
    delete("pods", "-n", JOBS_NS, "-l", "fleetops.io/test=plain")

    proc, dummy = submit(job)
    assert_ok(proc)
    wait("the gang's PodGroup", lambda: podgroup("gang"), timeout=60)
    time.sleep(20)                      # 20 scheduling cycles (--schedule-period=1s)
    pods = job_pods("gang")
    assert not bound(pods), [(p["metadata"]["name"], p["spec"]["nodeName"]) for p in bound(pods)]
    group = podgroup("gang")
    phase = group["status"].get("phase")
    reasons = [f"{c.get('type')}/{c.get('reason')}: {c.get('message')}" for c in group["status"].get("conditions", [])]
    events = [e["message"] for e in get("events", "-n", JOBS_NS)["items"]
              if e["involvedObject"].get("name") == group["metadata"]["name"]]
    note(f"volcano: capacity for 2 of 3: {len(pods)} pods created, 0 bound after 20s, PodGroup {phase}; "
         f"conditions {reasons}; events {events[-2:]}")
    assert phase in ("Pending", "Inqueue"), phase
    assert reasons or events


def test_capacity_freed_all_bound_together(installed):
    t0 = time.monotonic()
    delete("pod", "-n", JOBS_NS, "filler-gpu-2")
    pods = wait("3 pods bound", lambda: all_bound("gang"), timeout=120)
    times = bound_times(pods)
    spread = max(times) - min(times)
    note(f"volcano: capacity freed: 3/3 bound {time.monotonic() - t0:.0f}s after, spread {spread:.0f}s")
    assert spread <= 1, times
    assert {p["spec"]["nodeName"] for p in pods if "worker" in p["metadata"]["name"]} == set(GPU_NODES)
    delete_job("gang")


def share_group(name: str, queue: str) -> list[dict]:
    """A one-pod job as the scheduler sees a Volcano Job: a PodGroup (minMember 1, minResources as
    vc-controller-manager sets them) and its pod. A plain pod, not a Job's: kwok completes any pod
    owned by a Job at once, and running pods are what hold a queue's share."""
    res = {GPU: "1", "cpu": "100m", "memory": "128Mi"}
    labels = {"fleetops.io/test": "share"}
    return [{"apiVersion": "scheduling.volcano.sh/v1beta1", "kind": "PodGroup",
             "metadata": {"name": name, "namespace": JOBS_NS, "labels": labels},
             "spec": {"minMember": 1, "queue": queue, "minResources": res}},
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": name, "namespace": JOBS_NS, "labels": labels,
                          "annotations": {"scheduling.k8s.io/group-name": name}},
             "spec": {"schedulerName": "volcano", "nodeSelector": {"node-type": "gpu"},
                      "terminationGracePeriodSeconds": 0,
                      "containers": [{"name": "work", "image": AGNHOST, "args": ["pause"],
                                      "resources": {"limits": res}}]}}]


def test_queue_shares_follow_the_weights(installed):
    """8 GPUs, 8 one-GPU jobs in each queue (weights 3:1): the proportion plugin gives 6 and 2."""
    proc, secs = run(overrides={"volcano_scheduler_tiers": TIERS_NO_OVERCOMMIT})
    assert_ok(proc)
    note(f"volcano: scheduler configuration changed (tiers without overcommit), scheduler rolled: {secs:.1f}s")
    for i, node in enumerate(GPU_NODES):
        apply(filler(f"filler-{i}", node))
    jobs = [(f"high-{i}", "q-high") for i in range(8)] + [(f"low-{i}", "q-low") for i in range(8)]
    kubectl("apply", "-f", "-", stdin="\n---\n".join(json.dumps(o) for n, q in jobs for o in share_group(n, q)))

    def pending_pods():
        pods = get("pods", "-n", JOBS_NS, "-l", "fleetops.io/test=share")["items"]
        return len(pods) == 16 and not bound(pods)
    wait("16 jobs waiting for GPUs", pending_pods, timeout=90)
    time.sleep(3)
    t0 = time.monotonic()
    delete("pods", "-n", JOBS_NS, "-l", "fleetops.io/test=filler")

    def shares():
        pods = bound(get("pods", "-n", JOBS_NS, "-l", "fleetops.io/test=share")["items"])
        high = len([p for p in pods if p["metadata"]["name"].startswith("high-")])
        low = len([p for p in pods if p["metadata"]["name"].startswith("low-")])
        return (high, low) if high + low == 8 else None
    wait("8 GPUs allocated", shares, timeout=120)
    settled = time.monotonic() - t0
    time.sleep(10)                      # and it stays so
    high, low = shares() or (None, None)
    note(f"volcano: queue shares under contention (8 GPUs, 8+8 one-GPU jobs, weights 3:1): q-high {high}, "
         f"q-low {low} running ({high / 8:.0%} / {low / 8:.0%}), settled {settled:.0f}s after the GPUs were freed")
    assert (high, low) == (6, 2)


def test_dropped_queue_kept_while_it_holds_jobs(installed):
    proc, dummy = run(overrides={"volcano_queues": QUEUES[:1], "volcano_scheduler_tiers": TIERS_NO_OVERCOMMIT})
    assert proc.returncode != 0
    assert "queue q-low was removed from volcano_queues but is kept: it still holds 8 job(s)" in proc.stdout, \
        proc.stdout[-3000:]
    assert f"{JOBS_NS}/low-0" in proc.stdout
    assert get("queues.scheduling.volcano.sh", "q-low")
    delete("pods,podgroups.scheduling.volcano.sh", "-n", JOBS_NS, "-l", "fleetops.io/test=share")
    proc, dummy = run(overrides={"volcano_queues": QUEUES[:1], "volcano_scheduler_tiers": TIERS_NO_OVERCOMMIT})
    assert_ok(proc)
    assert not kubectl("get", "queues.scheduling.volcano.sh", "q-low", "--ignore-not-found")
    note("volcano: queue q-low dropped while 8 jobs held it: kept, the run named them; deleted once empty")


def karmada(*args: str, **kw) -> str:
    return kubectl(*args, kubeconfig=runners.karmada_kubeconfig(INVENTORY), **kw)


def serves_volcano_jobs(cluster: dict) -> bool:
    """Whether Karmada's Cluster object lists Volcano's Job API among the member's APIs."""
    return any(e["groupVersion"] == "batch.volcano.sh/v1alpha1" for e in cluster["status"].get("apiEnablements", []))


def test_seed_through_karmada_to_the_member_with_free_gpus(installed):
    """Volcano in beijing and shanghai; shanghai's GPUs are busy: Karmada places the seed in beijing."""
    runners.ensure_karmada(INVENTORY)
    one = {"volcano_scheduler_replicas": 1, "volcano_controller_manager_replicas": 1,
           "volcano_webhook_manager_replicas": 1}
    proc, secs = run(overrides=one, limit=f"{OTHER},host")        # Volcano in shanghai, its Job API in Karmada
    assert_ok(proc)
    note(f"volcano: {OTHER} (1 replica each) and the Job API in Karmada {secs:.1f}s")
    karmada("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": JOBS_NS}}))
    wait(f"{JOBS_NS} in {OTHER}", lambda: get("namespace", JOBS_NS, cluster=OTHER), timeout=60)
    short = OTHER.split("-")[1]
    for i in (1, 2):
        apply(filler(f"filler-{i}", f"{short}-gpu-{i}"), cluster=OTHER)

    def shanghai_busy():
        c = json.loads(karmada("get", "clusters.cluster.karmada.io", OTHER, "-o", "json"))
        summary = c["status"].get("resourceSummary", {})
        return serves_volcano_jobs(c) and int(summary.get("allocated", {}).get(GPU, "0")) >= 8
    wait(f"Karmada sees {OTHER} with Volcano and its GPUs taken", shanghai_busy, timeout=120)

    # Candidates: the batch clusters joined to this Karmada (a batch cluster that is not a member
    # is refused by name: "propagate.clusters: cluster-x is not a Karmada member cluster").
    members = {c["metadata"]["name"]: c for c in json.loads(karmada("get", "clusters.cluster.karmada.io", "-o", "json"))["items"]}
    batch = [c["name"] for c in yaml.safe_load(INVENTORY.read_text())["clusters"] if c.get("batch")]
    via = dict(volcano_job_via_karmada=True, volcano_job_clusters=[c for c in batch if c in members])
    proc, secs = submit(seed_job(gpus=4), **via)
    assert_ok(proc)
    assert f"placed by Karmada on {CLUSTER}" in proc.stdout, proc.stdout[-3000:]
    assert f"{OTHER}: not enough free for the whole gang: short of 8 nvidia.com/gpu" in proc.stdout, proc.stdout[-3000:]
    # Every other candidate is named with its reason; one without Volcano's Job API as such.
    others = [name for name in via["volcano_job_clusters"] if name not in (CLUSTER, OTHER)]
    without = [name for name in others if not serves_volcano_jobs(members[name])]
    for name in others:
        says = f"{name}: Volcano is not installed there" if name in without else f"{name}: "
        assert says in proc.stdout, (says, proc.stdout[-3000:])
    pods = wait(f"3 pods bound in {CLUSTER}", lambda: all_bound("tensorflow-training"), timeout=180)
    spread = max(bound_times(pods)) - min(bound_times(pods))
    assert not job_pods("tensorflow-training", cluster=OTHER)
    binding = json.loads(karmada("get", "resourcebindings.work.karmada.io", "-n", JOBS_NS, "-o", "json"))["items"]
    targets = [c["name"] for b in binding if b["spec"]["resource"]["kind"] == "Job" for c in b["spec"].get("clusters", [])]
    assert targets == [CLUSTER], targets

    def karmada_status():
        job = json.loads(karmada("get", "jobs.batch.volcano.sh", "-n", JOBS_NS, "tensorflow-training", "-o", "json"))
        status = job.get("status") or {}
        # Running, then (kwok completes a Job's pods at once) Completed: the member's history, aggregated.
        phase = (status.get("state") or {}).get("phase")
        history = [c.get("status") for c in status.get("conditions") or []]
        return status if phase in ("Running", "Completed") and "Running" in history and status.get("minAvailable") == 3 \
            else None
    status = wait("the Job's status in Karmada", karmada_status, timeout=120)
    note(f"volcano: seed through Karmada: placed on {CLUSTER} ({OTHER}'s GPUs busy; without Volcano: {', '.join(without) or 'none'}), "
         f"3/3 bound (spread {spread:.0f}s), status in Karmada: {status['state']['phase']} "
         f"(history {[c.get('status') for c in status['conditions']]}); "
         f"submitted in {secs:.1f}s")
    proc, dummy = submit(seed_job(gpus=4), **via)       # placement kept, nothing changes
    assert_unchanged(proc, ("host",))
    proc, dummy = submit(seed_job(gpus=4), **via, volcano_job_state="absent")
    assert_ok(proc)
    wait(f"the Job gone from {CLUSTER}", lambda: not job_pods("tensorflow-training"), timeout=120)
    delete("pods", "-n", JOBS_NS, "-l", "fleetops.io/test=filler", cluster=OTHER)


def test_absent_leaves_nothing(installed):
    kubectl("delete", "namespace", JOBS_NS, "--ignore-not-found", "--wait=true")
    proc, secs = run(overrides={"volcano_state": "absent"}, limit=f"{CLUSTER},{OTHER},host")
    assert_ok(proc)
    note(f"volcano: state absent ({CLUSTER}, {OTHER}, Karmada) {secs:.1f}s")
    for cluster in (CLUSTER, OTHER):
        assert not [c for c in get("crd", cluster=cluster)["items"] if c["spec"]["group"].endswith("volcano.sh")]
        hooks = get("validatingwebhookconfigurations", cluster=cluster)["items"] + \
            get("mutatingwebhookconfigurations", cluster=cluster)["items"]
        assert not [h for h in hooks if "volcano" in h["metadata"]["name"]]
        assert not [n for n in get("namespaces", cluster=cluster)["items"] if n["metadata"]["name"] == NS]
        assert not [r for r in get("clusterroles", cluster=cluster)["items"] if r["metadata"]["name"].startswith("volcano:")]
    if runners.karmada_answers(INVENTORY):
        crds = json.loads(karmada("get", "crd", "-o", "json"))["items"]
        assert not [c for c in crds if c["spec"]["group"].endswith("volcano.sh")]
        karmada("delete", "namespace", JOBS_NS, "--ignore-not-found")
