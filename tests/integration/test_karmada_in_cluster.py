"""Karmada in_cluster mode in the lab host cluster (roles/karmada, tasks/in_cluster.yml).

The lab's host cluster is a real kube-apiserver, kube-controller-manager and kube-scheduler
with kwok nodes: kwok makes scheduled pods Running and Ready but runs nothing, so the Karmada
API of this install is not reachable and the tests run with karmada_configure_api=false.
What is real: the objects, the scheduler's placement (anti-affinity, node selector), the
Deployment/StatefulSet controllers' rollout status the role waits on, and the failure report.

Order matters (file order): clean start, install, re-run (changed=0), --check --diff
(changed=0), a readiness failure (more replicas than schedulable nodes) and its restore,
then removal (karmada_in_cluster_state=absent), which leaves the host cluster as it was.

  .venv/bin/pytest -m lab -v -s tests/integration/test_karmada_in_cluster.py
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, note, recap
from runners import assert_unchanged as assert_host_unchanged

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "karmada.yml"
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
NS = "karmada-system"
# The test's own controller state (PKI, kubeconfig), apart from the lab's host-mode install.
STATE = REPO / "tests" / "output" / "karmada-in-cluster-state"
DEPLOYMENTS = ["karmada-apiserver", "karmada-aggregated-apiserver", "kube-controller-manager",
               "karmada-controller-manager", "karmada-scheduler", "karmada-webhook"]
STATEFULSET = "karmada-etcd"
REPLICAS = 3  # the role's default; the lab host cluster has three kwok nodes
# name -> (readiness [path, port, scheme], liveness [path, port, scheme])
PROBES = {
    "karmada-etcd": (["/readyz", 2381, "HTTP"], ["/livez", 2381, "HTTP"]),
    "karmada-apiserver": (["/readyz", 5443, "HTTPS"], ["/livez", 5443, "HTTPS"]),
    "karmada-aggregated-apiserver": (["/readyz", 7443, "HTTPS"], ["/healthz", 7443, "HTTPS"]),
    "kube-controller-manager": (["/healthz", 10257, "HTTPS"], ["/healthz", 10257, "HTTPS"]),
    "karmada-controller-manager": (["/healthz", 10357, "HTTP"], ["/healthz", 10357, "HTTP"]),
    "karmada-scheduler": (["/healthz", 10351, "HTTP"], ["/healthz", 10351, "HTTP"]),
    "karmada-webhook": (["/readyz", 8443, "HTTPS"], ["/healthz", 8000, "HTTP"]),
}
LEADER_ELECTED = ["kube-controller-manager", "karmada-controller-manager", "karmada-scheduler"]
EXTRA = {
    "karmada_install_mode": "in_cluster",
    "karmada_configure_api": False,
    "karmada_controller_dir": str(STATE),
    "karmada_in_cluster_etcd_volume": "emptyDir",   # the lab has no StorageClass
    "karmada_in_cluster_node_selector": {"type": "kwok"},  # not the KubeEdge edge nodes
    "karmada_in_cluster_wait_timeout": 180,
}


def play(*extra, overrides: dict | None = None, timeout=900):
    """ansible-playbook playbooks/karmada.yml --limit host_cluster with the test's variables."""
    return ansible_playbook(INVENTORY, PLAYBOOK, "--limit", "host_cluster",
                            "-e", json.dumps(dict(EXTRA, **(overrides or {}))), *extra, timeout=timeout)


def assert_unchanged(proc):
    assert_host_unchanged(proc, hosts=("host",))


@pytest.fixture(scope="module")
def host_api(api_clients):
    from kubernetes import client
    api = api_clients["host"]
    return {"core": client.CoreV1Api(api), "apps": client.AppsV1Api(api)}


def namespace(core):
    from kubernetes.client.rest import ApiException
    try:
        return core.read_namespace(NS)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def workloads(apps) -> dict:
    out = {d.metadata.name: d for d in apps.list_namespaced_deployment(NS).items}
    out.update({s.metadata.name: s for s in apps.list_namespaced_stateful_set(NS).items})
    return out


def assert_rolled_out(apps, replicas: dict):
    got = workloads(apps)
    assert sorted(got) == sorted(replicas), sorted(got)
    for name, want in replicas.items():
        w = got[name]
        st = w.status
        assert w.spec.replicas == want, (name, w.spec.replicas)
        assert st.observed_generation >= w.metadata.generation, name
        assert (st.ready_replicas, st.updated_replicas, st.available_replicas) == (want, want, want), (name, st)


# --------------------------------------------------------------------------- tests

def test_clean_start(host_api):
    """Only a namespace this test (or the role) created may be removed; anything else is not ours."""
    ns = namespace(host_api["core"])
    if ns is not None:
        assert (ns.metadata.labels or {}).get("app.kubernetes.io/managed-by") == "fleetops-kurator", (
            f"namespace {NS} exists in the lab host cluster and was not created by fleetops-kurator")
        proc, seconds = play(overrides={"karmada_in_cluster_state": "absent"})
        assert_ok(proc)
        note(f"karmada in_cluster: removed a leftover install in {seconds:.0f}s")
    assert namespace(host_api["core"]) is None


def test_install(host_api):
    proc, seconds = play()
    assert_ok(proc)
    assert recap(proc.stdout)["host"]["changed"] > 0
    note(f"karmada in_cluster install (configure_api=false, until every component Ready): {seconds:.0f}s")
    # Returned only once everything was rolled out: check right away, no waiting here.
    assert_rolled_out(host_api["apps"], {**{d: REPLICAS for d in DEPLOYMENTS}, STATEFULSET: REPLICAS})
    # The controller's PKI: keys 0600 in a 0700 directory; no kubeconfig without the API phase.
    pki = STATE / "karmada" / "pki"
    assert oct(pki.stat().st_mode & 0o777) == "0o700"
    keys = sorted(pki.glob("*.key"))
    assert keys and all(oct(k.stat().st_mode & 0o777) == "0o600" for k in keys), keys
    assert not (STATE / "karmada.kubeconfig").exists()
    # No key material in the playbook output (PEM body lines, or the base64 the Secret holds).
    out = proc.stdout + proc.stderr
    for k in keys:
        text = k.read_text()
        body = [ln for ln in text.splitlines() if ln and not ln.startswith("-----")]
        assert not any(ln in out for ln in body), f"{k.name} appears in the output"
        assert base64.b64encode(text.encode()).decode() not in out, f"{k.name} (base64) appears in the output"


def test_ha_shape_on_live_objects(host_api):
    apps, core = host_api["apps"], host_api["core"]
    for name, w in workloads(apps).items():
        pod = w.spec.template.spec
        terms = pod.affinity.pod_anti_affinity.required_during_scheduling_ignored_during_execution
        assert len(terms) == 1 and terms[0].topology_key == "kubernetes.io/hostname", name
        expr = terms[0].label_selector.match_expressions[0]
        assert (expr.key, expr.operator, expr.values) == ("app", "In", [name]), name
        c = pod.containers[0]
        for probe, want in zip((c.readiness_probe, c.liveness_probe), PROBES[name]):
            assert probe is not None, name
            assert [probe.http_get.path, probe.http_get.port, probe.http_get.scheme] == want, name
        if name in LEADER_ELECTED:
            assert "--leader-elect=true" in c.command, name
        assert pod.node_selector == {"type": "kwok"}, name
        # Every replica on its own node.
        pods = core.list_namespaced_pod(NS, label_selector=f"app={name}").items
        nodes = {p.spec.node_name for p in pods}
        assert len(pods) == REPLICAS and len(nodes) == REPLICAS, (name, nodes)
        if w.kind == "Deployment":
            assert w.spec.strategy.rolling_update.max_surge == 0, name
    etcd = apps.read_namespaced_stateful_set(STATEFULSET, NS)
    assert etcd.spec.pod_management_policy == "Parallel"
    assert f"karmada-etcd-{REPLICAS - 1}=https://" in " ".join(etcd.spec.template.spec.containers[0].command)
    headless = core.read_namespaced_service("karmada-etcd", NS)
    assert headless.spec.cluster_ip == "None" and headless.spec.publish_not_ready_addresses
    api = core.read_namespaced_service("karmada-apiserver", NS)
    assert api.spec.type == "NodePort" and api.spec.ports[0].node_port == 32443


def test_secrets_hold_the_pki(host_api):
    core = host_api["core"]
    pki = STATE / "karmada" / "pki"
    secret = core.read_namespaced_secret("karmada-pki", NS)
    for name in ("ca.crt", "etcd-ca.crt", "client-ca.crt", "agent-ca.key", "sa.key", "sa.pub", "apiserver.key",
                 "etcd-server.key", "webhook.key"):
        assert base64.b64decode(secret.data[name]).decode() == (pki / name).read_text(), name
    # the admin credential and the keys of the API, etcd and front-proxy CAs stay on the controller
    assert not {"admin.key", "ca.key", "etcd-ca.key", "front-proxy-ca.key"} & set(secret.data), sorted(secret.data)
    kubeconfigs = core.read_namespaced_secret("karmada-kubeconfigs", NS).data
    assert sorted(kubeconfigs) == sorted(f"{c}.kubeconfig" for c in [
        "kube-controller-manager", "karmada-aggregated-apiserver", "karmada-controller-manager",
        "karmada-scheduler", "karmada-webhook"])
    kc = base64.b64decode(kubeconfigs["karmada-scheduler.kubeconfig"]).decode()
    assert "server: https://karmada-apiserver.karmada-system.svc.cluster.local:5443" in kc
    # The certificates carry the in-cluster Service names the pods and peers dial.
    sans = {}
    for cert in ("apiserver", "etcd-server", "webhook", "aggregated-apiserver"):
        text = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", str(pki / f"{cert}.crt")],
                              capture_output=True, text=True, check=True).stdout
        sans[cert] = text
    assert "DNS:karmada-apiserver.karmada-system.svc.cluster.local" in sans["apiserver"]
    assert "DNS:*.karmada-etcd.karmada-system.svc.cluster.local" in sans["etcd-server"]
    assert "DNS:karmada-etcd-client.karmada-system.svc.cluster.local" in sans["etcd-server"]
    assert "DNS:karmada-webhook.karmada-system.svc.cluster.local" in sans["webhook"]
    assert "DNS:karmada-aggregated-apiserver.karmada-system.svc.cluster.local" in sans["aggregated-apiserver"]


def test_rerun_changes_nothing():
    proc, seconds = play()
    assert_unchanged(proc)
    note(f"karmada in_cluster converged re-run: {seconds:.0f}s, changed=0")


def test_check_diff_is_clean():
    proc, seconds = play("--check", "--diff")
    assert_unchanged(proc)
    note(f"karmada in_cluster --check --diff: {seconds:.0f}s, changed=0")


def test_an_etcd_member_count_change_is_refused(host_api):
    """etcd's members are fixed at bootstrap: 3 -> 1 is refused before anything is applied."""
    before = host_api["apps"].read_namespaced_stateful_set(STATEFULSET, NS).metadata.resource_version
    proc, seconds = play(overrides={"karmada_in_cluster_etcd_replicas": 1}, timeout=300)
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert "was bootstrapped with 3 members, but karmada_in_cluster_etcd_replicas is 1" in proc.stdout, proc.stdout[-3000:]
    assert recap(proc.stdout)["host"]["changed"] == 0, recap(proc.stdout)
    assert host_api["apps"].read_namespaced_stateful_set(STATEFULSET, NS).metadata.resource_version == before
    note(f"karmada in_cluster etcd 3 -> 1 refused in {seconds:.0f}s, nothing applied")


def test_readiness_failure_names_component_and_reason(host_api):
    # Four replicas with required anti-affinity on three schedulable nodes: the fourth pod of
    # every Deployment stays Pending (Unschedulable); the play must fail and say so.
    proc, seconds = play(overrides={"karmada_in_cluster_replicas": 4, "karmada_in_cluster_wait_timeout": 20})
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert recap(proc.stdout)["host"]["failed"] == 1
    assert "is not ready after 20s" in out, out[-4000:]
    for name in DEPLOYMENTS:
        assert f"- {name} (Deployment): 3/4 ready" in out, (name, out[-4000:])
    assert f"- {STATEFULSET} (StatefulSet)" not in out  # etcd was fine and is not blamed
    assert "PodScheduled=False Unschedulable" in out and "didn't match pod anti-affinity rules" in out, out[-4000:]
    note(f"karmada in_cluster readiness failure reported in {seconds:.0f}s (timeout 20s)")


def test_restore_after_failure(host_api):
    proc, seconds = play()
    assert_ok(proc)
    assert_rolled_out(host_api["apps"], {**{d: REPLICAS for d in DEPLOYMENTS}, STATEFULSET: REPLICAS})
    note(f"karmada in_cluster restore to {REPLICAS} replicas: {seconds:.0f}s")


def test_remove(host_api):
    proc, seconds = play(overrides={"karmada_in_cluster_state": "absent"})
    assert_ok(proc)
    assert recap(proc.stdout)["host"]["changed"] > 0
    assert namespace(host_api["core"]) is None
    note(f"karmada in_cluster removal (namespace gone): {seconds:.0f}s")
    proc = play(overrides={"karmada_in_cluster_state": "absent"})[0]
    assert_unchanged(proc)
