"""Karmada end to end in the lab (issue 5): host-mode control plane on karmada-1, the four
members joined (cluster-hangzhou in Pull mode, its karmada-agent on gw-hangzhou; the others
in Push mode), and real propagation checked against the placement engine.

Order matters (pytest runs the tests of a module in file order): converge, re-run
(changed=0), check mode, then workloads, then unjoin/rejoin of one member.

  .venv/bin/pytest -m lab -v tests/integration/test_karmada.py

Timings (install, join) are printed with -s and appended to tests/output/karmada-timings.txt.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TOPOLOGY
import runners
from runners import assert_ok, changed_tasks, note, recap, wait

pytestmark = pytest.mark.lab

sys.path.insert(0, str(REPO / ".ansible" / "collections"))
from ansible_collections.fleetops.kurator.plugins.module_utils._placement import (  # noqa: E402
    compute_placement)

PLAYBOOK = REPO / "playbooks" / "karmada.yml"
# A copy of the lab topology (same directory name) can be used instead, e.g. while the lab
# topology is being regenerated.
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
KARMADA_KUBECONFIG = Path.home() / ".fleetops" / INVENTORY.parent.name / "karmada.kubeconfig"
EXAMPLES = Path(os.environ.get("FLEETOPS_EXAMPLES", REPO / "tests" / "fixtures" / "mission-examples"))
MEMBERS = ["cluster-beijing", "cluster-shanghai", "cluster-guangzhou", "cluster-hangzhou"]
NS = "default"


def ansible_playbook(playbook, *extra, timeout=1800):
    """ansible-playbook against the lab inventory (or FLEETOPS_TEST_INVENTORY)."""
    return runners.ansible_playbook(INVENTORY, playbook, *extra, timeout=timeout)


def run_tasks(tasks: list, name: str = "workloads") -> subprocess.CompletedProcess:
    """Run tasks on localhost (connection local) in a throwaway playbook."""
    play = [{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
        yaml.safe_dump(play, fh)
    try:
        proc = ansible_playbook(fh.name)[0]
    finally:
        os.unlink(fh.name)
    assert_ok(proc)
    return proc


K8S = {"kubeconfig": str(KARMADA_KUBECONFIG), "validate_certs": True}


def deployment(name: str, replicas: int, labels: dict | None = None) -> dict:
    labels = labels or {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS, "labels": labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}},
    }


@pytest.fixture(scope="module")
def karmada_api():
    from kubernetes import client, config
    assert KARMADA_KUBECONFIG.exists(), f"{KARMADA_KUBECONFIG} missing: converge first"
    api = config.new_client_from_config(config_file=str(KARMADA_KUBECONFIG))
    return {"custom": client.CustomObjectsApi(api), "apps": client.AppsV1Api(api)}


@pytest.fixture(scope="module")
def fresh_workloads(karmada_api):
    """Delete the Deployments earlier runs left in Karmada, so every binding here is new.

    A binding keeps its schedule until something about it changes: one left from a run
    that ended with a member unjoined would never include that member again.
    """
    apps = karmada_api["apps"]
    for dep in apps.list_namespaced_deployment(NS).items:
        apps.delete_namespaced_deployment(dep.metadata.name, NS)
    wait("no Deployments left in Karmada", lambda: not apps.list_namespaced_deployment(NS).items, 120)


@pytest.fixture(scope="module")
def member_apps(api_clients):
    from kubernetes import client
    return {c: client.AppsV1Api(api_clients[c]) for c in MEMBERS}


@pytest.fixture(scope="module")
def member_core(api_clients):
    from kubernetes import client
    return {c: (client.CoreV1Api(api_clients[c]), client.NetworkingV1Api(api_clients[c])) for c in MEMBERS}


@pytest.fixture(scope="module")
def topology_clusters(lab_topology) -> list[dict]:
    return [{"name": c["name"], "labels": c.get("labels") or {}, "provider": c.get("provider"),
             "region": c.get("region"), "zones": c.get("zones") or [], "sync_mode": c.get("sync_mode", "Push")}
            for c in lab_topology["clusters"] if c.get("role", "member") == "member"]


def binding_clusters(karmada_api, name: str, kind: str = "Deployment", uid: str = None) -> dict:
    """Clusters and replicas of the ResourceBinding; with uid, {} until it is the binding of that object."""
    rb = karmada_api["custom"].get_namespaced_custom_object(
        "work.karmada.io", "v1alpha2", NS, "resourcebindings", f"{name}-{kind.lower()}")
    spec = rb.get("spec") or {}
    if uid and (spec.get("resource") or {}).get("uid") != uid:
        return {}
    return {t["name"]: t.get("replicas", 0) for t in spec.get("clusters") or []}


def replicas_when(member_apps, name: str, accept):
    """The member replicas of name when accept(replicas) holds, else None (for wait())."""
    replicas = member_replicas(member_apps, name)
    return replicas if replicas and accept(replicas) else None


def all_available(want: dict):
    """accept() for replicas_when: exactly the wanted replicas per cluster, all available."""
    return lambda r: {c: v[0] for c, v in r.items()} == want and all(v[1] == v[0] for v in r.values())


def member_replicas(member_apps, name: str) -> dict:
    out = {}
    for c, api in member_apps.items():
        try:
            d = api.read_namespaced_deployment(name, NS)
        except Exception:  # noqa: BLE001 - not propagated to this member
            continue
        out[c] = (d.spec.replicas, d.status.available_replicas or 0)
    return out


# --------------------------------------------------------------------------- converge

def test_converge():
    topology = yaml.safe_load(INVENTORY.read_text())
    assert topology.get("control_plane_hosts"), f"{INVENTORY} has no karmada control-plane host"
    proc, seconds = ansible_playbook(PLAYBOOK)
    assert_ok(proc)
    note(f"karmada host-mode converge (install + join of {len(MEMBERS)} members): {seconds:.0f}s "
         f"= {seconds / 60:.1f} min")
    assert KARMADA_KUBECONFIG.exists()
    assert oct(KARMADA_KUBECONFIG.stat().st_mode & 0o777) == "0o600"


def test_members_joined(karmada_api, topology_clusters):
    for want in topology_clusters:
        c = karmada_api["custom"].get_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters", want["name"])
        spec = c["spec"]
        # The lab topology joins cluster-hangzhou in Pull mode (karmada-agent on gw-hangzhou).
        assert spec["syncMode"] == want["sync_mode"]
        assert ("secretRef" in spec) == (want["sync_mode"] == "Push"), spec
        assert spec["region"] == want["region"]
        assert spec["zones"] == want["zones"]
        assert spec["provider"] == want["provider"]
        assert {k: c["metadata"]["labels"].get(k) for k in want["labels"]} == want["labels"]
        ready = [x for x in c["status"]["conditions"] if x["type"] == "Ready"]
        assert ready and ready[0]["status"] == "True", c["status"]


def test_rerun_changes_nothing_and_shows_no_member_token_at_vvv(api_clients):
    """The converged re-run (at -vvv: one run for both) changes nothing. The member credentials
    (ServiceAccount token Secrets) are applied and read on every run; at -vvv neither their
    values nor their base64 appear in the output."""
    from kubernetes import client
    needles = {}
    for cluster in MEMBERS:
        for secret in client.CoreV1Api(api_clients[cluster]).list_namespaced_secret(
                "karmada-cluster", label_selector="app.kubernetes.io/managed-by=fleetops-kurator").items:
            token = (secret.data or {}).get("token")
            if token:
                needles[f"{cluster}/{secret.metadata.name}"] = (token, base64.b64decode(token).decode())
    assert needles, "no member token Secret found: the Push-mode members have none?"
    proc, seconds = ansible_playbook(PLAYBOOK, "-vvv")
    assert_ok(proc)
    hosts = recap(proc.stdout)
    assert hosts, proc.stdout[-3000:]
    changed = {h: r["changed"] for h, r in hosts.items() if r["changed"]}
    assert not changed, (changed, changed_tasks(proc.stdout))
    out = proc.stdout + proc.stderr
    leaked = [name for name, values in needles.items() if any(v in out for v in values)]
    assert not leaked, f"tokens in the -vvv output: {leaked}"
    note(f"karmada converged re-run (-vvv): {seconds:.0f}s, changed=0, {len(out) // 1024} KiB of output, "
         f"{len(needles)} member token(s) searched, 0 found")


def test_check_diff_is_clean():
    proc = ansible_playbook(PLAYBOOK, "--check", "--diff")[0]
    assert_ok(proc)
    changed = {h: r["changed"] for h, r in recap(proc.stdout).items() if r["changed"]}
    assert not changed, (changed, changed_tasks(proc.stdout))


# --------------------------------------------------------------------------- examples

def test_example_01_nginx_everywhere(karmada_api, member_apps, fresh_workloads):  # pylint: disable=unused-argument
    policy = yaml.safe_load((EXAMPLES / "01-nginx-propagation.yaml").read_text())
    run_tasks([
        {"name": "nginx Deployment in Karmada",
         "kubernetes.core.k8s": dict(K8S, state="present", definition=deployment("nginx", 3))},
        {"name": "Example 01 as written", "fleetops.kurator.propagation_policy": dict(
            K8S, name=policy["metadata"]["name"], namespace=NS, spec=policy["spec"])},
    ])
    want = ["cluster-beijing", "cluster-shanghai", "cluster-guangzhou"]
    got = wait("nginx Available with 3 replicas in beijing, shanghai, guangzhou", lambda: replicas_when(
        member_apps, "nginx", lambda r: all(r.get(c) == (3, 3) for c in want)))
    assert set(got) == set(want), got
    assert binding_clusters(karmada_api, "nginx") == {c: 3 for c in want}


def test_example_02_frontend_weighted(karmada_api, member_apps, tmp_path):
    policy = yaml.safe_load((EXAMPLES / "02-frontend-weighted.yaml").read_text())
    out = tmp_path / "plan.json"
    run_tasks([
        {"name": "frontend Deployment in Karmada", "kubernetes.core.k8s": dict(
            K8S, state="present", definition=deployment("frontend", 10))},
        {"name": "Example 02 through propagation_policy", "register": "pp",
         "fleetops.kurator.propagation_policy": dict(
             K8S, name=policy["metadata"]["name"], cluster_scoped=True, spec=policy["spec"])},
        {"name": "Save the plan", "ansible.builtin.copy": {
            "content": "{{ {'plan': pp.plan, 'translations': pp.translations, "
                       "'warnings': pp.placement_warnings} | to_json }}",
            "dest": str(out), "mode": "0600"}},
    ])
    result = json.loads(out.read_text())
    plan = result["plan"]
    assert set(plan) <= {"cluster-shanghai", "cluster-hangzhou"} and sum(plan.values()) == 10, result
    got = wait("frontend binding equals the plan", lambda: binding_clusters(karmada_api, "frontend") == plan and plan)
    assert got == plan
    members = wait("frontend member Deployments Available",
                   lambda: replicas_when(member_apps, "frontend", all_available(plan)))
    note(f"example 02: plan {plan}, binding {got}, members {members}; translations {result['translations']}; "
         f"warnings {result['warnings']}")


def test_example_07_federated_deployment(karmada_api, member_apps, member_core):
    docs = [d for d in yaml.safe_load_all((EXAMPLES / "07-federated-deployment.yaml").read_text()) if d]
    run_tasks([{"name": "Example 07 through federated_deployment",
                "fleetops.kurator.federated_deployment": dict(K8S, definition=docs, namespace=NS)}])
    want = {"cluster-beijing": 2, "cluster-shanghai": 1}
    wait("frontend-app beijing 2 / shanghai 1, Available",
         lambda: replicas_when(member_apps, "frontend-app", all_available(want)))
    for c in want:
        core, net = member_core[c]
        wait(f"frontend-service and frontend-ingress in {c}", lambda core=core, net=net: (
            core.read_namespaced_service("frontend-service", NS)
            and net.read_namespaced_ingress("frontend-ingress", NS)))


# --------------------------------------------------------------------------- generated placements

def generated_cases() -> list[dict]:
    names = MEMBERS
    cases = []

    def add(kind, placement, replicas):
        cases.append({"name": f"gen-{len(cases):02d}-{kind}", "placement": placement, "replicas": replicas})

    def weighted(rules):
        return {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                "weightPreference": {"staticWeightList": rules}}

    # Static weights by cluster name.
    for reps, weights in [(7, [3, 1, 0, 0]), (10, [1, 1, 1, 1]), (13, [5, 3, 2, 1]), (1, [1, 1, 0, 0]),
                          (100, [7, 0, 2, 9]), (3, [1, 2, 3, 4])]:
        rules = [{"targetCluster": {"clusterNames": [n]}, "weight": w} for n, w in zip(names, weights) if w]
        add("static-name", {"clusterAffinity": {"clusterNames": names}, "replicaScheduling": weighted(rules)}, reps)
    # Static weights by label.
    for reps, prod, stag in [(9, 2, 1), (11, 1, 3), (5, 1, 1), (17, 4, 1)]:
        rules = [{"targetCluster": {"labelSelector": {"matchLabels": {"environment": "production"}}}, "weight": prod},
                 {"targetCluster": {"labelSelector": {"matchLabels": {"environment": "staging"}}}, "weight": stag}]
        add("static-label", {"replicaScheduling": weighted(rules)}, reps)
    # Equal weights (Divided, Weighted, no preference), restricted by region.
    for reps in (6, 5):
        add("equal", {"clusterAffinity": {"labelSelector": {"matchExpressions": [
            {"key": "region", "operator": "In", "values": ["east-china", "north-china"]}]}},
            "replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"}}, reps)
    # Dynamic weights (available replicas).
    for reps, members in [(8, names), (15, names[:3]), (4, names[1:]), (21, names)]:
        add("dynamic", {"clusterAffinity": {"clusterNames": members}, "replicaScheduling": {
            "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
            "weightPreference": {"dynamicWeight": "AvailableReplicas"}}}, reps)
    # Aggregated.
    for reps, members in [(6, names), (12, names[2:]), (2, names[:2])]:
        add("aggregated", {"clusterAffinity": {"clusterNames": members}, "replicaScheduling": {
            "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Aggregated"}}, reps)
    # Duplicated by names, labels and region field selector.
    add("duplicated", {"clusterAffinity": {"clusterNames": names[:2]},
                       "replicaScheduling": {"replicaSchedulingType": "Duplicated"}}, 2)
    add("duplicated", {"clusterAffinity": {"labelSelector": {"matchLabels": {"environment": "staging"}}},
                       "replicaScheduling": {"replicaSchedulingType": "Duplicated"}}, 1)
    add("duplicated", {"clusterAffinity": {"fieldSelector": {"matchExpressions": [
        {"key": "region", "operator": "In", "values": ["east-china"]}]}},
        "replicaScheduling": {"replicaSchedulingType": "Duplicated"}}, 3)
    return cases


def available_replicas(karmada_api) -> dict:
    """What Karmada's general estimator sees per cluster for a pod without requests:
    allocatable - allocated - allocating pods (pkg/estimator/client/general.go)."""
    out = {}
    for c in MEMBERS:
        obj = karmada_api["custom"].get_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters", c)
        rs = (obj.get("status") or {}).get("resourceSummary") or {}
        pods = [int((rs.get(k) or {}).get("pods", 0)) for k in ("allocatable", "allocated", "allocating")]
        out[c] = max(0, pods[0] - pods[1] - pods[2])
    return out


def test_generated_placements_match_the_plan(karmada_api, topology_clusters):
    cases = generated_cases()
    assert len(cases) >= 20
    static = [c for c in cases if c["name"].split("-", 2)[2] not in ("dynamic", "aggregated")]
    capacity = [c for c in cases if c not in static]

    def apply(batch):
        # Start from new objects: a binding left by an earlier run keeps its old schedule
        # (Karmada does not reschedule static weights when a cluster rejoins).
        run_tasks([
            {"name": "Remove earlier Deployments", "kubernetes.core.k8s": dict(
                K8S, state="absent", wait=True, definition=[deployment(c["name"], c["replicas"]) for c in batch])},
            {"name": "Deployments", "kubernetes.core.k8s": dict(
                K8S, state="present", definition=[deployment(c["name"], c["replicas"]) for c in batch])},
            {"name": "Policies", "loop": batch, "loop_control": {"label": "{{ item.name }}"},
             "fleetops.kurator.propagation_policy": dict(
                 K8S, name="{{ item.name }}", namespace=NS,
                 spec={"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "{{ item.name }}"}],
                       "placement": "{{ item.placement }}"})},
        ])

    mismatches, results = [], []

    def check(batch, avail=None):
        for c in batch:
            uid = karmada_api["apps"].read_namespaced_deployment(c["name"], NS).metadata.uid
            clusters = [dict(x, available_replicas=(avail or {}).get(x["name"], 0)) for x in topology_clusters]
            plan = compute_placement(clusters, c["placement"], c["replicas"], uid=uid)
            try:
                got = wait(f"{c['name']} binding", lambda c=c, uid=uid: binding_clusters(
                    karmada_api, c["name"], uid=uid) or None, 60)
            except AssertionError as exc:
                got = str(exc)
            results.append((c["name"], c["replicas"], plan, got))
            if got != plan:
                mismatches.append((c["name"], c["replicas"], uid, plan, got))

    apply(static)
    check(static)
    # Capacity-based strategies: let the cluster status settle, read it, then schedule them
    # in one go (status refreshes every 10s; kwok pods of this batch start afterwards).
    time.sleep(12)
    avail = available_replicas(karmada_api)
    apply(capacity)
    check(capacity, avail)
    for r in results:
        note(f"placement {r[0]} replicas={r[1]} plan={r[2]} binding={r[3]}")
    assert not mismatches, mismatches


# --------------------------------------------------------------------------- unjoin / rejoin

def test_unjoin_and_rejoin_one_member(karmada_api):
    # A Push member (Pull unjoin, with its agent, is test_karmada_pull.py's).
    member = "cluster-guangzhou"
    proc, seconds = ansible_playbook(PLAYBOOK, "--limit", member, "-e", "karmada_member_state=absent")
    assert_ok(proc)
    note(f"unjoin {member} (Push): {seconds:.1f}s (playbook wall time)")
    names = [c["metadata"]["name"] for c in karmada_api["custom"].list_cluster_custom_object(
        "cluster.karmada.io", "v1alpha1", "clusters")["items"]]
    assert member not in names
    proc, seconds = ansible_playbook(PLAYBOOK, "--limit", member)
    assert_ok(proc)
    note(f"join {member} (Push, one member, until Ready): {seconds:.1f}s (playbook wall time)")
    c = karmada_api["custom"].get_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters", member)
    assert [x["status"] for x in c["status"]["conditions"] if x["type"] == "Ready"] == ["True"]
