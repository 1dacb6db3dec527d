"""Acceptance checks for the local lab (issue 4). Needs `make lab-up` first.

Run:  .venv/bin/pytest -m lab tests/integration/test_lab.py
These tests fail (never skip) when the lab is down.
"""
from __future__ import annotations

import hashlib
import os
import time
import urllib.request
import uuid
from pathlib import Path

import pytest


pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("FLEETOPS_LAB_STATE", "/var/lib/fleetops-lab"))

MIRROR_LOCAL = "http://127.0.0.1:8080"
S3_LOCAL = "http://127.0.0.1:9000"
CLUSTERS = ["host", "cluster-beijing", "cluster-shanghai", "cluster-guangzhou", "cluster-hangzhou"]


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_cluster_version_and_nodes_ready(cluster, api_clients):
    from kubernetes import client

    info = client.VersionApi(api_clients[cluster]).get_code()
    assert info.git_version.startswith("v1.35."), info.git_version
    assert info.major == "1" and info.minor.startswith("35")

    # The lab's own nodes are the kwok ones; edge nodes registered by KubeEdge runs are not
    # the lab's and are NotReady whenever their hosts were recreated.
    nodes = [n for n in client.CoreV1Api(api_clients[cluster]).list_node().items
             if (n.metadata.annotations or {}).get("kwok.x-k8s.io/node") == "fake"]
    assert len(nodes) >= 3
    not_ready = [n.metadata.name for n in nodes
                 if not any(c.type == "Ready" and c.status == "True" for c in n.status.conditions or [])]
    assert not not_ready, f"{cluster}: nodes not Ready: {not_ready}"
    if cluster != "host":
        gpu = [n for n in nodes if (n.metadata.labels or {}).get("node-type") == "gpu"]
        assert len(gpu) == 2
        assert all(n.status.capacity.get("nvidia.com/gpu") == "4" for n in gpu)


def test_topology_describes_the_lab(lab_topology, kubeconfigs):
    clusters = {c["name"]: c for c in lab_topology["clusters"]}
    assert set(clusters) == set(CLUSTERS)
    assert [c["name"] for c in lab_topology["clusters"] if c["role"] == "host"] == ["host"]
    for name in ("cluster-shanghai", "cluster-hangzhou"):
        assert clusters[name]["labels"] == {"environment": "production", "region": "east-china"}
    assert clusters["cluster-beijing"]["region"] == "north-china"
    assert clusters["cluster-guangzhou"]["region"] == "south-china"


def test_deployment_becomes_available_on_beijing(api_clients):
    from kubernetes import client

    api = api_clients["cluster-beijing"]
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    ns = f"lab-test-{uuid.uuid4().hex[:6]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    try:
        labels = {"app": "lab-test"}
        dep = client.V1Deployment(
            metadata=client.V1ObjectMeta(name="lab-test"),
            spec=client.V1DeploymentSpec(
                replicas=3,
                selector=client.V1LabelSelector(match_labels=labels),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels=labels),
                    spec=client.V1PodSpec(containers=[client.V1Container(
                        name="app", image="registry.invalid/lab/app:1",
                        resources=client.V1ResourceRequirements(
                            requests={"cpu": "100m", "memory": "64Mi"}))]))))
        apps.create_namespaced_deployment(ns, dep)
        deadline = time.time() + 120
        available = False
        while time.time() < deadline and not available:
            d = apps.read_namespaced_deployment_status("lab-test", ns)
            available = any(c.type == "Available" and c.status == "True"
                            for c in d.status.conditions or []) and d.status.available_replicas == 3
            if not available:
                time.sleep(1)
        assert available, f"deployment not Available: {d.status}"
        pods = core.list_namespaced_pod(ns, label_selector="app=lab-test").items
        assert all(p.status.phase == "Running" and p.spec.node_name for p in pods)
    finally:
        core.delete_namespace(ns)


def test_mirror_serves_a_binary_with_matching_sha256():
    base = f"{MIRROR_LOCAL}/kubernetes-sigs/kwok/releases/download"
    with urllib.request.urlopen(f"{MIRROR_LOCAL}/index.txt", timeout=10) as r:
        index = r.read().decode().split()
    kwok = [p for p in index if p.startswith("kubernetes-sigs/kwok/releases/download/")
            and p.endswith("/kwok-linux-amd64")]
    assert kwok, "mirror has no kwok binary"
    path = kwok[0]
    reldir = path.rsplit("/", 1)[0]
    with urllib.request.urlopen(f"{MIRROR_LOCAL}/{reldir}/sha256sums.txt", timeout=10) as r:
        sums = dict(reversed(line.split()) for line in r.read().decode().splitlines() if line)
    h = hashlib.sha256()
    with urllib.request.urlopen(f"{MIRROR_LOCAL}/{path}", timeout=60) as r:
        for chunk in iter(lambda: r.read(1 << 20), b""):
            h.update(chunk)
    assert h.hexdigest() == sums["kwok-linux-amd64"]
    assert base in f"{MIRROR_LOCAL}/{path}"


def test_s3_put_and_get(lab_settings):
    import boto3
    from botocore.config import Config

    s3 = boto3.client("s3", endpoint_url=S3_LOCAL, region_name=lab_settings["s3"]["region"],
                      aws_access_key_id="lab", aws_secret_access_key="lab-secret",
                      config=Config(s3={"addressing_style": "path"}))
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {"velero-backups", "thanos-metrics"} <= buckets
    key = f"lab-test/{uuid.uuid4().hex}"
    body = uuid.uuid4().bytes * 1000
    s3.put_object(Bucket="velero-backups", Key=key, Body=body)
    try:
        assert s3.get_object(Bucket="velero-backups", Key=key)["Body"].read() == body
    finally:
        s3.delete_object(Bucket="velero-backups", Key=key)


def test_api_servers_mirror_and_s3_reachable_from_a_lab_host(lab_hosts, lab_settings):
    """What a role on a lab host dials: each API server over verified TLS (the serving
    cert carries the gateway address), the artifact mirror and the S3 endpoint."""
    import subprocess

    assert lab_hosts, "no lab hosts (hosts.json missing): run make lab-up"
    name = "cloudcore-1" if "cloudcore-1" in lab_hosts else sorted(lab_hosts)[0]
    addr = lab_hosts[name]["address"]
    key = REPO / ".lab" / "ssh" / "id_ed25519"
    gw = lab_settings["artifact_mirror"].split("//", 1)[1].rsplit(":", 1)[0]
    script = ["set -e"]
    for i, cluster in enumerate(CLUSTERS):
        ca = (STATE / "clusters" / cluster / "pki" / "ca.crt").read_text()
        script += [f"cat > /tmp/lab-ca-{i}.crt <<'PEM'\n{ca}PEM",
                   f"curl -sS --max-time 10 --cacert /tmp/lab-ca-{i}.crt https://{gw}:{6443 + i}/readyz; echo",
                   f"rm -f /tmp/lab-ca-{i}.crt"]
    script += [f"curl -sS --max-time 10 -o /dev/null -w '%{{http_code}}\\n' {lab_settings['artifact_mirror']}/index.txt",
               f"curl -sS --max-time 10 -o /dev/null -w '%{{http_code}}\\n' {lab_settings['s3']['endpoint']}/velero-backups"]
    out = subprocess.run(
        ["ssh", "-i", str(key), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", f"root@{addr}", "bash -s"],
        input="\n".join(script) + "\n", capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert lines == ["ok"] * len(CLUSTERS) + ["200", "200"], out.stdout
