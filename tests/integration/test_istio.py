"""Istio in the lab's mesh clusters (roles/istio, playbooks/istio.yml): one multi-primary mesh over
cluster-beijing, cluster-shanghai and cluster-guangzhou, without Envoy.

istiod (the master snapshot the lab builds, 1.31-dev; no 1.30.x tag is served here) runs as real
pods on each cluster's real kubelet nodes (fleetops.io/lab-node=real; two replicas where there are
two real nodes, one elsewhere). Istio's own echo test app (pkg/test/echo, same module) serves gRPC
in the three clusters; a proxyless gRPC client (the echo client, xds:/// through istiod, no sidecar)
in cluster-beijing measures the seed's 50/30/20 split.

One install (module fixture `installed`) serves every test; the tests run in file order: install
at -vvv (no secret in the output), re-run changed=0, --check --diff clean, the CA and the remote
secrets, the webhook rejecting a broken VirtualService, each istiod's registry listing the echo
endpoints of all three clusters, the measured split, preflight reporting a CA about to expire,
then removal (no webhook, CRD, istio-system or istio-ca-root-cert left).

  .venv/bin/pytest -q -s -p no:cacheprovider tests/integration/test_istio.py
"""
from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import KUBECONFIG_DIR, REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, assert_unchanged, note, recap, wait

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "istio.yml"
ECHO_PLAYBOOK = REPO / "tests" / "integration" / "istio_echo.yml"
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
MESH = ["cluster-beijing", "cluster-shanghai", "cluster-guangzhou"]
CLIENT_CLUSTER = "cluster-beijing"
NS = "istio-system"
APP_NS = "mesh-test"
SEED = Path(os.environ.get("FLEETOPS_EXAMPLES", REPO / "tests" / "fixtures" / "mission-examples")) / "05-user-service-virtualservice.yaml"
PINS = yaml.safe_load((REPO / "roles/_artifacts/defaults/main/versions.yml").read_text())["fleetops_versions"]
KUBECTL = str(Path(os.environ.get("FLEETOPS_LAB_CACHE", "/var/cache/fleetops-lab")) / "bin" / "kubernetes"
              / PINS["kubernetes"] / "kubectl")
PKI = Path.home() / ".fleetops" / INVENTORY.parent.name / "istio" / "pki"
REAL = {"fleetops.io/lab-node": "real"}
TOLERATIONS = [{"key": "fleetops.io/lab-node", "operator": "Equal", "value": "real", "effect": "NoSchedule"}]
SPLIT = {"cluster-beijing": 50, "cluster-shanghai": 30, "cluster-guangzhou": 20}
SUBSETS = {"beijing": "cluster-beijing", "shanghai": "cluster-shanghai", "guangzhou": "cluster-guangzhou"}
REQUESTS = 4000
ROUTES = [
    # The seed's weights, generated objects, routing the echo app (what the split is measured on).
    {"host": "echo", "namespace": APP_NS, "weights": {"beijing": 50, "shanghai": 30, "guangzhou": 20}, "subsets": SUBSETS},
    # The user's VirtualService itself, unchanged (its Service exists in the mesh: user-service).
    {"virtual_service": yaml.safe_load(SEED.read_text()), "subsets": SUBSETS},
]
EXTRA = {
    "istio_node_selector": REAL,
    "istio_tolerations": TOLERATIONS,
    # Two replicas where two real nodes take the required anti-affinity (beijing), one elsewhere.
    "istio_pilot_replicas": "{{ 2 if fleetops_cluster_nodes | length > 1 else 1 }}",
    "istio_resources": {"requests": {"cpu": "50m", "memory": "128Mi"}},
    "istio_wait_timeout": 240,
    "istio_routes": ROUTES,
}
JSON_OUT = {"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"}


def run(*extra: str, overrides: dict | None = None, playbook: Path = PLAYBOOK):
    return ansible_playbook(INVENTORY, playbook, "-e", json.dumps(dict(EXTRA, **(overrides or {}))), *extra, env=JSON_OUT)


def kubectl(*args: str, cluster: str = CLIENT_CLUSTER, stdin: str | None = None, check: bool = True,
            timeout: int = 120) -> subprocess.CompletedProcess:
    proc = subprocess.run([KUBECTL, "--kubeconfig", str(KUBECONFIG_DIR / f"{cluster}.kubeconfig"), *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, check=False)
    if check:
        assert proc.returncode == 0, f"kubectl {' '.join(args)} ({cluster}): {proc.stderr}"
    return proc


def get(cluster: str, *args: str) -> dict:
    return json.loads(kubectl("get", "-o", "json", *args, cluster=cluster).stdout)


def apply(cluster: str, *objs: dict) -> None:
    kubectl("apply", "-f", "-", cluster=cluster, stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objs)}))


def echo_image() -> str:
    ver = yaml.safe_load(INVENTORY.read_text())["settings"]["versions"]["istio"]
    return f"gcr.io/istio-testing/app:{ver}"


def echo_objects(cluster: str) -> list[dict]:
    """The echo server (gRPC 7070, HTTP 8080) of one cluster, its Service, and user-service (the seed's host)."""
    labels = {"app": "echo"}
    pod = {"metadata": {"labels": labels},
           "spec": {"nodeSelector": REAL, "tolerations": TOLERATIONS, "containers": [{
               "name": "app", "image": echo_image(), "imagePullPolicy": "Never",
               "args": ["--port", "8080", "--grpc", "7070", "--cluster", cluster, "--version", "v1"],
               "ports": [{"containerPort": 7070, "name": "grpc"}, {"containerPort": 8080, "name": "http"}],
               "readinessProbe": {"tcpSocket": {"port": 7070}, "periodSeconds": 2},
               "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}
    svc_ports = [{"name": "grpc", "port": 7070, "targetPort": 7070, "appProtocol": "grpc"},
                 {"name": "http", "port": 8080, "targetPort": 8080}]
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": APP_NS}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "echo", "namespace": APP_NS},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": pod}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "echo", "namespace": APP_NS},
         "spec": {"selector": labels, "ports": svc_ports}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "user-service", "namespace": "default"},
         "spec": {"selector": {"app": "user-service"}, "ports": [{"name": "http", "port": 80}]}},
    ]


def secrets_of_the_mesh() -> list[str]:
    """Every secret value the mesh holds: the CA keys on the controller (root and intermediates),
    and each cluster's reader token (what the remote secrets' kubeconfigs carry)."""
    needles = []
    for key in [PKI / "root-key.pem", *sorted(PKI.glob("*/ca-key.pem"))]:
        lines = [ln for ln in key.read_text().splitlines() if ln and not ln.startswith("-----")]
        needles += ["".join(lines)[:64], lines[0]]
        needles.append(base64.b64encode(key.read_bytes()).decode()[:64])
    for c in MESH:
        token = base64.b64decode(get(c, "-n", NS, "secret", "istio-reader-service-account-token")["data"]["token"]).decode()
        needles += [token, token.split(".")[-1]]
        for s in get(c, "-n", NS, "secret", "-l", "istio/multiCluster=true")["items"]:
            needles += [v[:64] for v in s["data"].values()]
    return needles


@pytest.fixture(scope="module")
def installed():
    """Clean start, the echo app in the three clusters, then the install at -vvv."""
    assert TOPOLOGY.exists(), f"{TOPOLOGY} missing: run make lab-up"
    if any(kubectl("get", "ns", NS, cluster=c, check=False).returncode == 0 for c in MESH):
        assert_ok(run(overrides={"istio_state": "absent"})[0])
    proc, secs = ansible_playbook(INVENTORY, ECHO_PLAYBOOK)
    assert_ok(proc)
    for c in MESH:
        apply(c, *echo_objects(c))
    for c in MESH:
        kubectl("-n", APP_NS, "rollout", "status", "deploy/echo", "--timeout=120s", cluster=c, timeout=150)
    proc, secs = run("-vvv")
    note(f"istio: install into {', '.join(MESH)} (-vvv) {secs:.1f}s")
    yield proc
    for c in MESH:
        kubectl("delete", "ns", APP_NS, "--wait=false", cluster=c, check=False)
        kubectl("-n", "default", "delete", "svc", "user-service", cluster=c, check=False)


def test_install(installed):
    assert_ok(installed)
    assert all(recap(installed.stdout)[c]["changed"] > 0 for c in MESH)
    for c in MESH:
        crds = [i for i in get(c, "crd")["items"] if i["spec"]["group"].endswith("istio.io")]
        assert len(crds) >= 14, [i["metadata"]["name"] for i in crds]
        assert all(any(x["type"] == "Established" and x["status"] == "True" for x in i["status"]["conditions"]) for i in crds)
        dep = get(c, "-n", NS, "deploy", "istiod")
        want = 2 if c == "cluster-beijing" else 1
        assert dep["spec"]["replicas"] == want and dep["status"].get("readyReplicas") == want
        spec = dep["spec"]["template"]["spec"]
        assert spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        container = spec["containers"][0]
        assert container["readinessProbe"] and container["livenessProbe"]
        assert {"name": "CLUSTER_ID", "value": c} in container["env"]
        assert container["image"] == f"docker.io/istio/pilot:{echo_image().rsplit(':', 1)[1]}"
        if want > 1:
            assert get(c, "-n", NS, "pdb", "istiod")["spec"]["minAvailable"] == 1
            nodes = {p["spec"]["nodeName"] for p in get(c, "-n", NS, "pods", "-l", "app=istiod")["items"]}
            assert len(nodes) == 2, nodes
        assert get(c, "ns", NS)["metadata"]["labels"]["topology.istio.io/network"] == "lab-network"
        mesh = yaml.safe_load(get(c, "-n", NS, "cm", "istio")["data"]["mesh"])
        assert mesh["defaultConfig"]["meshId"] == "fleet-mesh" and mesh["trustDomain"] == "cluster.local"


def test_no_secret_in_vvv_output(installed):
    out = installed.stdout + installed.stderr
    leaked = [n[:12] for n in secrets_of_the_mesh() if n and n in out]
    assert not leaked, f"secret values in the -vvv output (prefixes): {leaked}"


def test_rerun_unchanged(installed):
    proc, secs = run()
    assert_unchanged(proc, tuple(MESH))
    note(f"istio: re-run changed=0 {secs:.1f}s")


def test_check_diff_clean(installed):
    proc, secs = run("--check", "--diff")
    assert_unchanged(proc, tuple(MESH))
    note(f"istio: --check --diff clean {secs:.1f}s")


def test_one_root_an_intermediate_per_cluster(installed):
    from cryptography import x509

    root_pem = (PKI / "root-cert.pem").read_bytes()
    root = x509.load_pem_x509_certificate(root_pem)
    assert (PKI / "root-key.pem").stat().st_mode & 0o777 == 0o600
    for c in MESH:
        data = get(c, "-n", NS, "secret", "cacerts")["data"]
        assert set(data) == {"ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"}
        assert base64.b64decode(data["root-cert.pem"]) == root_pem
        inter = x509.load_pem_x509_certificate(base64.b64decode(data["ca-cert.pem"]))
        assert inter.issuer == root.subject and inter.subject != root.subject
        inter.verify_directly_issued_by(root)   # signed by the mesh root
        # The root key never leaves the controller: no cluster Secret carries it.
        root_key = (PKI / "root-key.pem").read_bytes()
        assert all(base64.b64decode(v) != root_key for v in data.values())
        assert (PKI / c / "ca-key.pem").stat().st_mode & 0o777 == 0o600
        # istiod serves the root as its CA bundle (istio-ca-root-cert in every namespace).
        cm = wait(f"istio-ca-root-cert in {c}", lambda c=c: kubectl("-n", APP_NS, "get", "cm", "istio-ca-root-cert", "-o", "json",
                                                                    cluster=c, check=False).stdout)
        assert json.loads(cm)["data"]["root-cert.pem"].strip() == root_pem.decode().strip()


def test_remote_secrets(installed):
    for c in MESH:
        got = {s["metadata"]["annotations"]["networking.istio.io/cluster"]
               for s in get(c, "-n", NS, "secret", "-l", "istio/multiCluster=true")["items"]}
        assert got == set(MESH) - {c}


def test_webhook_rejects_a_broken_virtual_service(installed):
    broken = {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
              "metadata": {"name": "broken", "namespace": APP_NS},
              "spec": {"hosts": ["echo"], "http": [{"route": [
                  {"destination": {"host": "echo", "subset": "beijing"}, "weight": -10}]}]}}
    proc = kubectl("apply", "-f", "-", stdin=json.dumps(broken), check=False)
    assert proc.returncode != 0
    message = proc.stderr.strip()
    note(f"istio: the validation webhook said: {message}")
    assert 'admission webhook "validation.istio.io" denied the request' in message, message
    assert "weight" in message


def test_routes_applied(installed):
    seed = yaml.safe_load(SEED.read_text())
    for c in MESH:
        vs = get(c, "-n", APP_NS, "virtualservice.networking.istio.io", "echo")
        assert {r["destination"]["subset"]: r["weight"] for r in vs["spec"]["http"][0]["route"]} == \
            {"beijing": 50, "shanghai": 30, "guangzhou": 20}
        dr = get(c, "-n", APP_NS, "destinationrule.networking.istio.io", "echo")
        assert {s["name"]: s["labels"] for s in dr["spec"]["subsets"]} == \
            {k: {"topology.istio.io/cluster": v} for k, v in SUBSETS.items()}
        # The user's VirtualService, as the user wrote it (no label, no field added).
        user = get(c, "-n", "default", "virtualservice.networking.istio.io", "user-service")
        assert user["spec"] == seed["spec"] and "labels" not in user["metadata"]
        assert get(c, "-n", "default", "destinationrule.networking.istio.io", "user-service")["spec"]["host"] == "user-service"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def istiod_debug(cluster: str, pod: str, path: str):
    """GET an istiod debug path through `kubectl port-forward` (istiod answers its debug API on
    localhost without authentication; the forward arrives in the pod on localhost)."""
    port = free_port()
    pf = subprocess.Popen([KUBECTL, "--kubeconfig", str(KUBECONFIG_DIR / f"{cluster}.kubeconfig"), "-n", NS,
                           "port-forward", f"pod/{pod}", f"{port}:8080"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        return wait(f"{path} of {pod}", lambda: json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).read()),
                    timeout=30)
    finally:
        pf.terminate()
        pf.wait(timeout=10)


def test_every_istiod_lists_the_endpoints_of_all_three_clusters(installed):
    ips = {c: get(c, "-n", APP_NS, "pods", "-l", "app=echo")["items"][0]["status"]["podIP"] for c in MESH}
    host = f"echo.{APP_NS}.svc.cluster.local"
    for c in MESH:
        for pod in get(c, "-n", NS, "pods", "-l", "app=istiod")["items"]:
            name = pod["metadata"]["name"]

            def shards(name=name, c=c):
                got = istiod_debug(c, name, "/debug/endpointShardz").get(host, {}).get(APP_NS, {}).get("Shards", {})
                seen = {}
                for key, eps in got.items():
                    for ep in eps:
                        seen[ep.get("Labels", {}).get("topology.istio.io/cluster") or key] = ep.get("Addresses", [ep.get("Address")])
                return seen if set(seen) >= set(MESH) else None
            seen = wait(f"{name} ({c}) lists echo in all three clusters", shards, timeout=90, every=5)
            for cluster, ip in ips.items():
                assert ip in json.dumps(seen[cluster]), (cluster, seen)
            note(f"istio: {c}/{name} endpointShardz {host}: " + ", ".join(f"{k}={seen[k]}" for k in sorted(seen)))
        remote = istiod_debug(c, get(c, "-n", NS, "pods", "-l", "app=istiod")["items"][0]["metadata"]["name"], "/debug/clusterz")
        synced = {x["id"] for x in remote if x.get("syncStatus") == "synced"}
        assert synced >= set(MESH) - {c}, remote


def client_pod(count: int) -> dict:
    """Istio's echo client as a proxyless gRPC client: its gRPC xDS bootstrap names istiod's plaintext
    xDS port (15010) and the node metadata istiod's gRPC generator needs (what pilot-agent's
    grpc-agent template would write); no sidecar, no agent."""
    node = {"id": f"sidecar~$(POD_IP)~echo-client.{APP_NS}~{APP_NS}.svc.cluster.local",
            "metadata": {"GENERATOR": "grpc", "NAMESPACE": APP_NS, "CLUSTER_ID": CLIENT_CLUSTER, "NETWORK": "lab-network",
                         "MESH_ID": "fleet-mesh", "LABELS": {"app": "echo-client"}}}
    bootstrap = {"xds_servers": [{"server_uri": f"istiod.{NS}.svc:15010", "channel_creds": [{"type": "insecure"}],
                                  "server_features": ["xds_v3"]}], "node": node,
                 "server_listener_resource_name_template": "xds.istio.io/grpc/lds/inbound/%s"}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "echo-client", "namespace": APP_NS, "labels": {"app": "echo-client"}},
            "spec": {"restartPolicy": "Never", "nodeSelector": REAL, "tolerations": TOLERATIONS, "containers": [{
                "name": "client", "image": echo_image(), "imagePullPolicy": "Never", "command": ["/usr/local/bin/client"],
                "args": [f"xds:///echo.{APP_NS}.svc.cluster.local:7070", "--count", str(count), "--timeout", "120s"],
                "env": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                        {"name": "GRPC_XDS_BOOTSTRAP_CONFIG", "value": json.dumps(bootstrap)}]}]}}


def test_split_measured_with_proxyless_grpc(installed):
    kubectl("-n", APP_NS, "delete", "pod", "echo-client", "--ignore-not-found", "--wait=true")
    t0 = time.monotonic()
    apply(CLIENT_CLUSTER, client_pod(REQUESTS))

    def done():
        phase = get(CLIENT_CLUSTER, "-n", APP_NS, "pod", "echo-client")["status"].get("phase")
        return phase if phase in ("Succeeded", "Failed") else None
    phase = wait("the echo client to finish", done, timeout=240, every=3)
    logs = kubectl("-n", APP_NS, "logs", "echo-client").stdout
    assert phase == "Succeeded", logs[-3000:]
    counts = Counter(re.findall(r"^\[\d+ body\] Cluster=(\S+)$", logs, re.M))
    total = sum(counts.values())
    shares = {c: 100 * counts[c] / total for c in SPLIT} if total else {}
    note(f"istio: proxyless gRPC split over {total} requests ({time.monotonic() - t0:.0f}s): "
         + ", ".join(f"{c}={counts[c]} ({shares.get(c, 0):.1f}%)" for c in SPLIT))
    # The client exits non-zero if any request failed (forwarder: "N/M requests had errors"), so
    # Succeeded means all REQUESTS were answered. The shares are counted on the answers the pod log
    # holds: on a loaded lab the log has lost its last lines as the container exited (3989 of 4000
    # once), so require the issue's 2,000 at least, and nearly all.
    assert total >= max(2000, 0.98 * REQUESTS), logs[-3000:]
    assert set(counts) == set(SPLIT), counts
    for c, want in SPLIT.items():
        assert abs(shares[c] - want) <= 3, (c, shares)


def test_preflight_reports_a_ca_about_to_expire(installed):
    # The root lives 3650 days, each intermediate 730: with a 1000-day horizon the root is fine and
    # every intermediate is "about to expire" (one preflight run shows both rows).
    preflight = REPO / "playbooks" / "preflight.yml"
    proc = ansible_playbook(INVENTORY, preflight, "--limit", CLIENT_CLUSTER, "-e", "preflight_ca_expiry_days=1000")[0]
    assert proc.returncode != 0
    assert re.search(r"controller\s+mesh CA root-cert.pem\s+ok\s+expires", proc.stdout), proc.stdout[-3000:]
    for c in MESH:
        assert re.search(rf"mesh CA {c}/ca-cert.pem\s+FAIL\s+expires .* within 1000 days", proc.stdout), proc.stdout[-3000:]


def test_removal_leaves_nothing(installed):
    proc, secs = run(overrides={"istio_state": "absent"})
    assert_ok(proc)
    note(f"istio: removal {secs:.1f}s")
    for c in MESH:
        assert kubectl("get", "ns", NS, cluster=c, check=False).returncode != 0
        assert not [i for i in get(c, "crd")["items"] if i["spec"]["group"].endswith("istio.io")]
        hooks = get(c, "validatingwebhookconfigurations")["items"] + get(c, "mutatingwebhookconfigurations")["items"]
        assert not [h["metadata"]["name"] for h in hooks if "istio" in h["metadata"]["name"]]
        assert not [r["metadata"]["name"] for r in get(c, "clusterroles")["items"] if "istio" in r["metadata"]["name"]]
        assert not get(c, "cm", "-A", "--field-selector", "metadata.name=istio-ca-root-cert")["items"]
