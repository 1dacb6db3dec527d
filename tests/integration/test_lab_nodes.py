"""The lab's real nodes (issue 20): every cluster has a kubelet node running real containers,
pod addresses are routed across nodes and clusters, ClusterIP Services and cluster DNS work.

Seed example 01 (nginx everywhere) is propagated through Karmada with an OverridePolicy
(the collection's `override_policy` module) that swaps the image for agnhost, side-loaded
from the mirror, and places the pods on the real nodes: the pods answer HTTP.
These tests fail (never skip) when the lab is down.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TOPOLOGY
import runners
from runners import assert_ok, note, wait

pytestmark = pytest.mark.lab

CLUSTERS = ["host", "cluster-beijing", "cluster-shanghai", "cluster-guangzhou", "cluster-hangzhou"]
EXAMPLE_CLUSTERS = ["cluster-beijing", "cluster-shanghai", "cluster-guangzhou"]
REAL = ("fleetops.io/lab-node", "real")
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.59"
NAME = "nginx-real"
NS = "default"
EXAMPLES = REPO / "tests" / "fixtures" / "mission-examples"
KUBERNETES_VERSION = yaml.safe_load(
    (REPO / "roles/_artifacts/defaults/main/versions.yml").read_text())["fleetops_versions"]["kubernetes"]


def core(api_clients, cluster):
    from kubernetes import client
    return client.CoreV1Api(api_clients[cluster])


def real_nodes(api_clients, cluster):
    return core(api_clients, cluster).list_node(label_selector="=".join(REAL)).items


def ready(obj) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in obj.status.conditions or [])


def curl(url: str, timeout: float = 10) -> str:
    r = subprocess.run(["curl", "-sS", "--max-time", str(timeout), url], capture_output=True, text=True, check=False)
    return r.stdout.strip() if r.returncode == 0 else f"curl failed ({r.returncode}): {r.stderr.strip()}"


def dial(client_ip: str, host: str, port: int = 80, tries: int = 1) -> dict:
    """agnhost netexec's /dial on the client pod: the request is made from inside the pod
    (its network namespace and its resolv.conf, i.e. the cluster's DNS)."""
    url = (f"http://{client_ip}:8080/dial?request=hostname&protocol=http&host={host}"
           f"&port={port}&tries={tries}")
    out = curl(url, timeout=30)
    try:
        return json.loads(out)
    except ValueError:
        return {"errors": [out]}


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_cluster_has_a_ready_kubelet_node(cluster, api_clients):
    nodes = real_nodes(api_clients, cluster)
    assert nodes, f"{cluster}: no node labelled {'='.join(REAL)} (lab/lab.py nodes)"
    for n in nodes:
        assert "kwok.x-k8s.io/node" not in (n.metadata.annotations or {}), n.metadata.name
        assert ready(n), f"{cluster}/{n.metadata.name} not Ready"
        info = n.status.node_info
        assert info.kubelet_version == KUBERNETES_VERSION, info.kubelet_version
        assert info.container_runtime_version.startswith("containerd://"), info.container_runtime_version
        # kwok's fake pods keep the kwok nodes; only what tolerates this lands on real ones.
        assert any(t.key == REAL[0] and t.effect == "NoSchedule" for t in n.spec.taints or []), n.spec.taints
    dns = core(api_clients, cluster).list_namespaced_pod("kube-system", label_selector="k8s-app=kube-dns").items
    assert [p for p in dns if p.status.phase == "Running" and p.spec.node_name in {n.metadata.name for n in nodes}], \
        f"{cluster}: CoreDNS is not running on a real node"


def override_spec() -> dict:
    """Example 01's nginx, made to run here: agnhost (side-loaded) serving HTTP on 80, on the
    real nodes. All through Karmada: the Deployment in Karmada stays upstream's nginx."""
    template = "/spec/template/spec"
    return {
        "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME}],
        "overrideRules": [{"targetCluster": {"clusterNames": EXAMPLE_CLUSTERS}, "overriders": {"plaintext": [
            {"path": f"{template}/containers/0/image", "operator": "replace", "value": AGNHOST},
            {"path": f"{template}/containers/0/args", "operator": "add", "value": ["netexec", "--http-port=80"]},
            {"path": f"{template}/nodeSelector", "operator": "add", "value": {REAL[0]: REAL[1]}},
            {"path": f"{template}/tolerations", "operator": "add",
             "value": [{"key": REAL[0], "operator": "Exists", "effect": "NoSchedule"}]},
        ]}}],
    }


def example_deployment() -> dict:
    labels = {"app": NAME}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": NAME, "namespace": NS, "labels": labels},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{
                "name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 2}}]}}},
    }


@pytest.fixture(scope="module")
def example_pods(api_clients):
    """Example 01 through Karmada: Deployment, example 01's PropagationPolicy (for this
    Deployment), an OverridePolicy; then the Running, ready pods per cluster."""
    runners.ensure_karmada(TOPOLOGY)
    k8s = {"kubeconfig": str(runners.karmada_kubeconfig(TOPOLOGY)), "validate_certs": True}
    policy = yaml.safe_load((EXAMPLES / "01-nginx-propagation.yaml").read_text())
    policy["metadata"]["name"] = NAME
    policy["spec"]["resourceSelectors"][0]["name"] = NAME
    tasks = [
        {"name": "example 01 OverridePolicy: agnhost on the real nodes",
         "fleetops.kurator.override_policy": dict(k8s, name=NAME, namespace=NS, spec=override_spec())},
        {"name": "example 01 PropagationPolicy",
         "fleetops.kurator.propagation_policy": dict(k8s, name=NAME, namespace=NS, spec=policy["spec"])},
        {"name": "the Deployment in Karmada",
         "kubernetes.core.k8s": dict(k8s, state="present", definition=example_deployment())},
    ]
    play = [{"name": "example 01 on real nodes", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
        yaml.safe_dump(play, fh)
    t0 = time.monotonic()
    try:
        assert_ok(runners.ansible_playbook(TOPOLOGY, fh.name)[0])
    finally:
        Path(fh.name).unlink()

    def running():
        out = {}
        for c in EXAMPLE_CLUSTERS:
            pods = [p for p in core(api_clients, c).list_namespaced_pod(NS, label_selector=f"app={NAME}").items
                    if p.metadata.deletion_timestamp is None]
            good = [p for p in pods if p.status.phase == "Running" and p.status.pod_ip and ready(p)]
            if len(good) < 2 or len(pods) != len(good):
                return None
            out[c] = good
        return out
    pods = wait("example 01's pods Running and ready on real nodes in three clusters", running, timeout=300, every=3)
    note(f"example 01 through Karmada to real containers in 3 clusters: {time.monotonic() - t0:.0f}s")
    return pods


def test_example_01_runs_real_containers_that_answer_on_their_pod_ips(example_pods, api_clients):
    for cluster, pods in example_pods.items():
        names = {n.metadata.name for n in real_nodes(api_clients, cluster)}
        for p in pods:
            assert p.spec.node_name in names, (cluster, p.metadata.name, p.spec.node_name)
            assert p.spec.containers[0].image == AGNHOST
            # From the lab machine: the pod's address is routed to its node.
            assert curl(f"http://{p.status.pod_ip}/hostname") == p.metadata.name, (cluster, p.status.pod_ip)


@pytest.fixture(scope="module")
def beijing_client(example_pods, api_clients):
    """An agnhost netexec pod in cluster-beijing on a real node other than the first example
    pod's (so a Service request it makes can cross nodes), and a ClusterIP Service."""
    from kubernetes import client
    api = core(api_clients, "cluster-beijing")
    target = example_pods["cluster-beijing"][0]
    others = [n.metadata.name for n in real_nodes(api_clients, "cluster-beijing") if n.metadata.name != target.spec.node_name]
    assert others, "cluster-beijing needs two real nodes (LAB_CLUSTER_NODES >= 1 gives it two)"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nodes-test-client", "labels": {"app": "nodes-test-client"}},
           "spec": {"nodeName": others[0], "tolerations": [{"key": REAL[0], "operator": "Exists"}],
                    "containers": [{"name": "agnhost", "image": AGNHOST, "args": ["netexec", "--http-port=8080"],
                                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 2}}]}}
    # A fixed address: CoreDNS caches answers for 30 s, and a re-run's new Service at a new
    # address would be named by the old answer.
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": NAME},
               "spec": {"selector": {"app": NAME}, "clusterIP": "10.97.80.80", "ports": [{"port": 80, "targetPort": 80}]}}
    for delete in (api.delete_namespaced_pod, api.delete_namespaced_service):
        name = "nodes-test-client" if delete == api.delete_namespaced_pod else NAME
        try:
            delete(name, NS, grace_period_seconds=0)
        except client.exceptions.ApiException as exc:
            assert exc.status == 404, exc
    wait("the previous client pod gone", lambda: not api.list_namespaced_pod(NS, label_selector="app=nodes-test-client").items, 60)
    api.create_namespaced_pod(NS, pod)
    svc = api.create_namespaced_service(NS, service)

    def client_ip():
        p = api.read_namespaced_pod("nodes-test-client", NS)
        return p.status.pod_ip if p.status.phase == "Running" and ready(p) else None
    ip = wait("the client pod ready", client_ip, 120)
    yield {"ip": ip, "node": others[0], "target": target, "service_ip": svc.spec.cluster_ip}
    api.delete_namespaced_pod("nodes-test-client", NS, grace_period_seconds=0)
    api.delete_namespaced_service(NAME, NS)


def test_a_clusterip_service_answers_from_a_pod_on_another_node(beijing_client, example_pods):
    names = {p.metadata.name for p in example_pods["cluster-beijing"]}
    target = beijing_client["target"].metadata.name

    # kube-proxy balances at random: within 20 tries the backend on the other node answers.
    def target_answered():
        got = dial(beijing_client["ip"], beijing_client["service_ip"], tries=20)
        return got if target in got.get("responses", []) else None
    got = wait(f"{target} answering through {beijing_client['service_ip']} from {beijing_client['node']}",
               target_answered, 60, 3)
    assert set(got["responses"]) <= names, got


def test_cluster_dns_resolves_service_names_from_a_pod(beijing_client, example_pods):
    names = {p.metadata.name for p in example_pods["cluster-beijing"]}
    for host in (f"{NAME}.{NS}.svc.cluster.local", NAME):

        # A few tries: the Service is seconds old, kube-proxy may still be writing its rules.
        def answered(host=host):
            got = dial(beijing_client["ip"], host)
            return got if set(got.get("responses", [])) & names else None
        got = wait(f"{host} answering from the client pod", answered, 30, 2)
        assert set(got["responses"]) <= names, (host, got)
    # kubernetes.default resolves, and its ClusterIP leads to the API server on this machine:
    # it answers the plain-HTTP request as a Go TLS server does.
    got = dial(beijing_client["ip"], "kubernetes.default.svc.cluster.local", port=443)
    assert got.get("responses") == ["Client sent an HTTP request to an HTTPS server.\n"], got


def test_a_pod_in_beijing_reaches_a_pod_in_shanghai(beijing_client, example_pods):
    for p in example_pods["cluster-shanghai"]:
        got = dial(beijing_client["ip"], p.status.pod_ip)
        assert got.get("responses") == [p.metadata.name], (p.status.pod_ip, got)


def test_container_images_side_loads_what_a_node_lacks(lab_hosts, tmp_path):
    """fleetops.kurator.container_images (issue 20: side-loading as a product feature) on a
    real node over SSH: an image the node lacks is imported from the mirror; check mode
    imports nothing; a second run changes nothing."""
    name = "node-shanghai-1"
    address = lab_hosts[name]["address"]
    ref = "registry.k8s.io/etcd:3.6.14-0"   # not used by anything on that node
    runners.ssh(address, f"ctr -n k8s.io images rm {ref} >/dev/null 2>&1 || true")
    play = [{"name": "side-load", "hosts": name, "gather_facts": False, "tasks": [
        {"name": "images from the mirror", "fleetops.kurator.container_images": {
            "images": "{{ ['%s'] | fleetops.kurator.image_archives(fleetops_artifact_mirror) }}" % ref}}]}]
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {name: {
        "ansible_host": address, "ansible_user": "root",
        "ansible_ssh_private_key_file": str(REPO / ".lab" / "ssh" / "id_ed25519"),
        "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
        "fleetops_artifact_mirror": yaml.safe_load(TOPOLOGY.read_text())["settings"]["artifact_mirror"]}}}}))
    playbook = tmp_path / "side-load.yml"
    playbook.write_text(yaml.safe_dump(play))

    def present():
        return ref in runners.ssh(address, "ctr -n k8s.io images ls -q").stdout.split()

    check = runners.ansible_playbook(inventory, playbook, "--check")[0]
    assert_ok(check)
    assert runners.recap(check.stdout)[name]["changed"] == 1 and not present()
    first, seconds = runners.ansible_playbook(inventory, playbook)
    assert_ok(first)
    assert runners.recap(first.stdout)[name]["changed"] == 1 and present()
    again = runners.ansible_playbook(inventory, playbook)[0]
    runners.assert_unchanged(again)
    note(f"container_images: one image side-loaded into {name} in {seconds:.0f}s; re-run changed=0")
