"""Karmada in_cluster mode for real (issue 20): the control plane as real pods on the host
cluster's kubelet node, from images built by the lab from the lab's own binaries
(kube-apiserver, kube-controller-manager, etcd, karmada-*; side-loaded by lab/nodes.py).

Unlike test_karmada_in_cluster.py (the HA shape, three replicas, on kwok nodes that run
nothing), the Karmada API of this install answers: the role configures it (CRDs, webhook
configurations, the aggregated API), its webhook rejects an invalid policy, its aggregated
API serves, and seed example 01 propagated through it reaches beijing, shanghai and guangzhou
(joined with their own credentials namespace: the members are joined to the lab's host-mode
Karmada too, and unjoining them from this one leaves those credentials alone). One replica of
each (one real node in the host cluster), then a re-run with changed=0 and removal.

Runs after test_karmada_in_cluster.py (file order), which leaves the namespace removed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, note, recap, wait
from runners import assert_unchanged as assert_host_unchanged

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "karmada.yml"
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
NS = "karmada-system"
STATE = REPO / "tests" / "output" / "karmada-in-cluster-real-state"
REAL = ("fleetops.io/lab-node", "real")
NODE_PORT = 32443
EXAMPLES = Path(os.environ.get("FLEETOPS_EXAMPLES", REPO / "tests" / "fixtures" / "mission-examples"))


@pytest.fixture(scope="module")
def host_node(api_clients) -> str:
    """The host cluster's real node: its address is where the NodePort answers."""
    from kubernetes import client
    nodes = client.CoreV1Api(api_clients["host"]).list_node(label_selector="=".join(REAL)).items
    assert nodes, "the host cluster has no real node (lab/lab.py nodes)"
    return [a.address for a in nodes[0].status.addresses if a.type == "InternalIP"][0]


def extra(host_node: str, **overrides) -> str:
    return json.dumps({
        "karmada_install_mode": "in_cluster",
        "karmada_controller_dir": str(STATE),
        # The NodePort answers on the node, not on the host cluster's API server address.
        "karmada_apiserver_endpoint": f"https://{host_node}:{NODE_PORT}",
        "karmada_in_cluster_apiserver_node_port": NODE_PORT,
        "karmada_in_cluster_etcd_volume": "emptyDir",   # the lab has no StorageClass
        "karmada_in_cluster_replicas": 1,               # one real node: required anti-affinity
        "karmada_in_cluster_etcd_replicas": 1,
        "karmada_in_cluster_node_selector": {REAL[0]: REAL[1]},
        "karmada_in_cluster_tolerations": [{"key": REAL[0], "operator": "Exists", "effect": "NoSchedule"}],
        "karmada_in_cluster_wait_timeout": 420,
        **overrides,
    })


def play(host_node: str, *args, **overrides):
    return ansible_playbook(INVENTORY, PLAYBOOK, "--limit", "host_cluster", "-e", extra(host_node, **overrides),
                            *args, timeout=1200)


@pytest.fixture(scope="module")
def installed(host_node, api_clients):
    from kubernetes import client
    core = client.CoreV1Api(api_clients["host"])
    if any(n.metadata.name == NS for n in core.list_namespace().items):
        assert_ok(play(host_node, karmada_in_cluster_state="absent")[0])
    proc, seconds = play(host_node)
    assert_ok(proc)
    note(f"karmada in_cluster on a real node (install, API configured, every component Ready): {seconds:.0f}s")
    return proc


@pytest.fixture(scope="module")
def karmada(installed):  # pylint: disable=unused-argument
    from kubernetes import client, config
    kubeconfig = STATE / "karmada.kubeconfig"
    assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
    return config.new_client_from_config(config_file=str(kubeconfig))


def test_the_control_plane_runs_real_containers_on_the_real_node(installed, api_clients):  # pylint: disable=unused-argument
    from kubernetes import client
    core = client.CoreV1Api(api_clients["host"])
    real = {n.metadata.name for n in core.list_node(label_selector="=".join(REAL)).items}
    pods = core.list_namespaced_pod(NS).items
    names = sorted(p.metadata.labels.get("app") for p in pods)
    assert names == sorted(["karmada-etcd", "karmada-apiserver", "karmada-aggregated-apiserver", "kube-controller-manager",
                            "karmada-controller-manager", "karmada-scheduler", "karmada-webhook"]), names
    for p in pods:
        assert p.spec.node_name in real, (p.metadata.name, p.spec.node_name)
        assert p.status.phase == "Running" and all(c.ready for c in p.status.container_statuses), p.metadata.name
        # A real container has a container ID from containerd (kwok's have none).
        assert all((c.container_id or "").startswith("containerd://") for c in p.status.container_statuses), p.metadata.name


def test_the_karmada_api_answers_with_its_crds_and_aggregated_api(karmada):
    from kubernetes import client
    assert client.VersionApi(karmada).get_code().git_version == "v1.35.4"
    crds = {c.metadata.name: c for c in client.ApiextensionsV1Api(karmada).list_custom_resource_definition().items}
    for name in ("propagationpolicies.policy.karmada.io", "overridepolicies.policy.karmada.io", "works.work.karmada.io",
                 "resourcebindings.work.karmada.io"):
        assert name in crds, sorted(crds)
        assert any(c.type == "Established" and c.status == "True" for c in crds[name].status.conditions), name
    # cluster.karmada.io (Cluster objects) is no CRD: karmada-aggregated-apiserver, a pod the Karmada API
    # server reaches through its Service.
    services = client.ApiregistrationV1Api(karmada).read_api_service("v1alpha1.cluster.karmada.io")
    assert any(c.type == "Available" and c.status == "True" for c in services.status.conditions), services.status
    assert client.CustomObjectsApi(karmada).list_cluster_custom_object(
        "cluster.karmada.io", "v1alpha1", "clusters")["items"] == []


def test_the_karmada_webhook_rejects_an_invalid_policy(karmada):
    """karmada-webhook (a pod) validates policies: a spread constraint with minGroups above
    maxGroups is denied by it, not stored."""
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    policy = {"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
              "metadata": {"name": "invalid-spread", "namespace": "default"},
              "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "x"}],
                       "placement": {"spreadConstraints": [{"spreadByField": "cluster", "minGroups": 3, "maxGroups": 1}]}}}
    api = client.CustomObjectsApi(karmada)
    with pytest.raises(ApiException) as denied:
        api.create_namespaced_custom_object("policy.karmada.io", "v1alpha1", "default", "propagationpolicies", policy)
    assert denied.value.status in (400, 403, 422), denied.value
    assert "admission webhook" in denied.value.body and "denied the request" in denied.value.body, denied.value.body
    # A valid one is admitted (the webhook answers, it does not just fail closed).
    policy["metadata"]["name"] = "valid-spread"
    policy["spec"]["placement"]["spreadConstraints"] = [{"spreadByField": "cluster", "minGroups": 1, "maxGroups": 2}]
    api.create_namespaced_custom_object("policy.karmada.io", "v1alpha1", "default", "propagationpolicies", policy)
    api.delete_namespaced_custom_object("policy.karmada.io", "v1alpha1", "default", "propagationpolicies", "valid-spread")


MEMBERS = ("cluster-beijing", "cluster-shanghai", "cluster-guangzhou")
CREDENTIALS_NS = "karmada-cluster-in-cluster"   # not karmada-cluster: the host-mode Karmada's
EXAMPLE_NS = "in-cluster-example"


def members_play(*args, **overrides):
    return ansible_playbook(INVENTORY, PLAYBOOK, "--limit", ",".join(MEMBERS), "-e", json.dumps({
        "karmada_member_kubeconfig_path": str(STATE / "karmada.kubeconfig"),
        "karmada_member_namespace": CREDENTIALS_NS, **overrides}), *args, timeout=900)


def default_credentials(api_clients) -> dict:
    """The default-namespace join RBAC in each member (the host-mode Karmada's), by resourceVersion."""
    from kubernetes import client
    out = {}
    for c in MEMBERS:
        bindings = client.RbacAuthorizationV1Api(api_clients[c]).list_cluster_role_binding().items
        out[c] = sorted((b.metadata.name, b.metadata.resource_version) for b in bindings
                        if b.metadata.name == f"karmada-controller-manager:karmada-{c}")
    return out


@pytest.fixture(scope="module")
def joined(installed, karmada, api_clients):  # pylint: disable=unused-argument
    before = default_credentials(api_clients)
    proc, seconds = members_play()
    assert_ok(proc)
    from kubernetes import client
    clusters = client.CustomObjectsApi(karmada).list_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters")["items"]
    assert sorted(c["metadata"]["name"] for c in clusters) == sorted(MEMBERS)
    for c in clusters:
        assert any(x["type"] == "Ready" and x["status"] == "True" for x in c["status"]["conditions"]), c["status"]
    note(f"beijing, shanghai, guangzhou joined to the in-cluster Karmada (Push, Ready): {seconds:.0f}s")
    return before


def test_example_01_through_the_in_cluster_karmada_reaches_three_members(joined, karmada, api_clients):  # pylint: disable=unused-argument
    """Seed example 01 as written, in a namespace of its own: the Deployment lands in the three
    members with the full replica count each, and its status comes back to this Karmada."""
    from kubernetes import client
    policy = yaml.safe_load((EXAMPLES / "01-nginx-propagation.yaml").read_text())
    policy["metadata"]["namespace"] = EXAMPLE_NS
    labels = {"app": "nginx"}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nginx", "namespace": EXAMPLE_NS},
                  "spec": {"replicas": 3, "selector": {"matchLabels": labels}, "template": {
                      "metadata": {"labels": labels}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}
    core, apps, custom = client.CoreV1Api(karmada), client.AppsV1Api(karmada), client.CustomObjectsApi(karmada)
    core.create_namespace({"metadata": {"name": EXAMPLE_NS}})
    apps.create_namespaced_deployment(EXAMPLE_NS, deployment)
    custom.create_namespaced_custom_object("policy.karmada.io", "v1alpha1", EXAMPLE_NS, "propagationpolicies", policy)

    def member_replicas():
        out = {}
        for c in MEMBERS:
            found = client.AppsV1Api(api_clients[c]).list_namespaced_deployment(EXAMPLE_NS).items
            if found:
                out[c] = (found[0].spec.replicas, found[0].status.available_replicas or 0)
        return out if out == {c: (3, 3) for c in MEMBERS} else None
    wait("example 01's nginx Available with 3 replicas in beijing, shanghai and guangzhou", member_replicas, 180)
    wait("the members' status aggregated in the in-cluster Karmada (9 ready replicas)",
         lambda: (apps.read_namespaced_deployment("nginx", EXAMPLE_NS).status.ready_replicas or 0) == 9, 120)
    # Removed through Karmada: gone from the members.
    core.delete_namespace(EXAMPLE_NS)
    wait("example 01's namespace gone from the members", lambda: not any(
        n.metadata.name == EXAMPLE_NS for c in MEMBERS for n in client.CoreV1Api(api_clients[c]).list_namespace().items), 180)


def test_unjoin_leaves_the_other_karmadas_credentials(joined, karmada, api_clients):
    proc, seconds = members_play(karmada_member_state="absent")
    assert_ok(proc)
    from kubernetes import client
    assert client.CustomObjectsApi(karmada).list_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters")["items"] == []
    for c in MEMBERS:
        assert not any(n.metadata.name == CREDENTIALS_NS for n in client.CoreV1Api(api_clients[c]).list_namespace().items), c
    assert default_credentials(api_clients) == joined
    note(f"three members unjoined from the in-cluster Karmada: {seconds:.0f}s; the host-mode Karmada's credentials untouched")


def test_rerun_changes_nothing(host_node, installed):  # pylint: disable=unused-argument
    proc, seconds = play(host_node)
    assert_host_unchanged(proc, hosts=("host",))
    note(f"karmada in_cluster on a real node, converged re-run: {seconds:.0f}s, changed=0")


def test_remove(host_node, installed, api_clients):  # pylint: disable=unused-argument
    from kubernetes import client
    core = client.CoreV1Api(api_clients["host"])
    proc, seconds = play(host_node, karmada_in_cluster_state="absent")
    assert_ok(proc)
    assert recap(proc.stdout)["host"]["changed"] > 0
    wait(f"namespace {NS} gone", lambda: not any(n.metadata.name == NS for n in core.list_namespace().items), 120)
    note(f"karmada in_cluster on a real node, removal: {seconds:.0f}s")
