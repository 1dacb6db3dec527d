"""Prometheus + Thanos across the lab's clusters (roles prometheus and thanos,
playbooks/observability.yml), against the real binaries.

prometheus-operator v0.88.0 reconciles the `Prometheus` object (two replicas, Thanos sidecar)
into real pods on the real kubelet nodes of every monitored cluster (host, cluster-beijing,
cluster-shanghai); Thanos Query (two replicas), the store gateway and the compactor run in the
observability cluster (cluster-beijing) and read the sidecars over gRPC across the lab network
(NodePorts on the members' nodes) and the lab's S3 store (gofakes3). What is measured goes
through Thanos Query's HTTP API (its NodePort on a cluster-beijing node).

Order matters (file order): clean start, install, re-run (changed=0), --check --diff -vvv
(clean, and no S3 secret in it), the global view (every cluster, dedup on/off), one replica
deleted (the view still answers, no gap), blocks in S3 and the store gateway answering for
data no sidecar holds, then removal (no CRD or namespace left).

  .venv/bin/pytest -q -p no:cacheprovider tests/integration/test_observability.py
"""
from __future__ import annotations

import configparser
import json
import os
import re
import secrets
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import KUBECONFIG_DIR, REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, assert_unchanged, note, recap, wait

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "observability.yml"
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
TOPO = yaml.safe_load(INVENTORY.read_text())
MONITORED = [c["name"] for c in TOPO["clusters"] if c.get("monitoring")]
OBSERVABILITY = next(c["name"] for c in TOPO["clusters"] if c.get("observability"))
NODES = {c["name"]: [n["address"] for n in c.get("nodes", [])] for c in TOPO["clusters"]}
QUERY = f"http://{NODES[OBSERVABILITY][0]}:30909"
S3 = TOPO["settings"]["s3"]
BUCKET = S3["buckets"]["thanos"]
CREDENTIALS = (INVENTORY.parent / S3["credentials_file"]).resolve()
NAME = "kurator-prometheus"
KUBECTL = str(Path(os.environ.get("FLEETOPS_LAB_CACHE", "/var/cache/fleetops-lab")) / "bin" / "kubernetes"
              / yaml.safe_load((REPO / "roles/_artifacts/defaults/main/versions.yml").read_text())["fleetops_versions"]["kubernetes"]
              / "kubectl")
STEP = 15   # the lab's scrape interval (inventories/lab/group_vars/monitored_clusters)


def ensure_credentials() -> str:
    """The lab topology's S3 credentials file (lab.py topology writes it; made here the same way when
    the lab was started before it did). Returns the secret key, which no output may show."""
    if not CREDENTIALS.exists():
        CREDENTIALS.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(CREDENTIALS, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"[default]\naws_access_key_id = LAB{secrets.token_hex(8).upper()}\n"
                     f"aws_secret_access_key = {secrets.token_urlsafe(30)}\n")
    parser = configparser.ConfigParser()
    parser.read(CREDENTIALS)
    return parser["default"]["aws_secret_access_key"]


SECRET = ensure_credentials()


def run(*extra: str, overrides: dict | None = None):
    args = ("-e", json.dumps(overrides)) if overrides else ()
    return ansible_playbook(INVENTORY, PLAYBOOK, *args, *extra)


def kubectl(cluster: str, *args: str, check: bool = True) -> str:
    proc = subprocess.run([KUBECTL, "--kubeconfig", str(KUBECONFIG_DIR / f"{cluster}.kubeconfig"), *args],
                          capture_output=True, text=True, timeout=120, check=False)
    if check:
        assert proc.returncode == 0, f"kubectl {' '.join(args)} ({cluster}): {proc.stderr}"
    return proc.stdout


def get(cluster: str, *args: str) -> dict:
    return json.loads(kubectl(cluster, "get", "-o", "json", *args))


def api(path: str, **params) -> dict:
    """GET Thanos Query's HTTP API; the `data` of a successful answer."""
    url = f"{QUERY}{path}?{urllib.parse.urlencode(params, doseq=True)}"
    with urllib.request.urlopen(url, timeout=30) as resp:
        body = json.load(resp)
    assert body.get("status") == "success", body
    return body["data"]


def query(expr: str, dedup: bool = True, at: float | None = None) -> list[dict]:
    params = {"query": expr, "dedup": str(dedup).lower(), "partial_response": "false"}
    if at is not None:
        params["time"] = f"{at:.3f}"
    return api("/api/v1/query", **params)["result"]


def both_replicas(expr: str) -> list[dict] | None:
    """The series of expr without dedup when there is one per replica, else None."""
    result = query(expr, dedup=False)
    return result if len(result) == 2 else None


def ready_pods(cluster: str, ns: str, selector: str) -> list[dict]:
    pods = get(cluster, "pods", "-n", ns, "-l", selector)["items"]
    return [p for p in pods if p["metadata"].get("deletionTimestamp") is None and any(
        c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))]


def prometheus_pods(cluster: str) -> list[dict]:
    return ready_pods(cluster, "monitoring", f"app.kubernetes.io/name=prometheus,app.kubernetes.io/instance={NAME}")


def stores(kind: str) -> list[dict]:
    """Thanos Query's endpoints of one type (sidecar, store), each {name, minTime, maxTime, labelSets, ...}."""
    return api("/api/v1/stores").get(kind) or []


def s3_blocks() -> dict[str, dict]:
    """ulid -> meta.json of every block in the bucket, read over S3's REST API (the lab's gofakes3
    checks no signature)."""
    base = S3["endpoint"].rstrip("/")
    with urllib.request.urlopen(f"{base}/{BUCKET}?list-type=2&delimiter=/", timeout=30) as resp:
        listing = resp.read().decode()
    out = {}
    for prefix in re.findall(r"<Prefix>([0-9A-Z]{26})/</Prefix>", listing):
        try:
            with urllib.request.urlopen(f"{base}/{BUCKET}/{prefix}/meta.json", timeout=30) as resp:
                out[prefix] = json.load(resp)
        except urllib.error.HTTPError:
            continue   # an upload in progress: meta.json is written last
    return out


def test_clean_start():
    proc, secs = run(overrides={"prometheus_state": "absent", "thanos_state": "absent"})
    assert_ok(proc)
    note(f"observability: clean start (absent) {secs:.1f}s")


def test_install():
    proc, secs = run()
    assert_ok(proc)
    rc = recap(proc.stdout)
    assert all(rc[c]["changed"] > 0 for c in MONITORED), rc
    note(f"observability: install {secs:.1f}s ({', '.join(MONITORED)}; Thanos in {OBSERVABILITY})")
    for cluster in MONITORED:
        pods = prometheus_pods(cluster)
        assert len(pods) == 2, f"{cluster}: {[p['metadata']['name'] for p in pods]}"
        # Real pods on real nodes, each with its Prometheus, config-reloader and Thanos sidecar.
        for p in pods:
            assert p["spec"]["nodeName"].startswith("node-"), p["spec"]["nodeName"]
            assert {c["name"] for c in p["spec"]["containers"]} >= {"prometheus", "config-reloader", "thanos-sidecar"}
        prom = get(cluster, "prometheus", "-n", "monitoring", NAME)
        assert prom["status"]["availableReplicas"] == 2
        assert prom["spec"]["externalLabels"]["cluster"] == cluster
        assert ready_pods(cluster, "monitoring", "app.kubernetes.io/name=prometheus-operator")
    query_pods = ready_pods(OBSERVABILITY, "thanos", "app.kubernetes.io/name=thanos-query")
    assert len({p["spec"]["nodeName"] for p in query_pods}) == 2, "Query's two replicas on two nodes"
    for name in ("thanos-store", "thanos-compact"):
        assert ready_pods(OBSERVABILITY, "thanos", f"app.kubernetes.io/name={name}"), name


def test_rerun_unchanged():
    proc, secs = run()
    assert_unchanged(proc, tuple(MONITORED))
    note(f"observability: re-run changed=0 {secs:.1f}s")


def test_check_diff_clean_and_no_secret_in_vvv():
    proc, secs = run("--check", "--diff", "-vvv")
    assert_unchanged(proc, tuple(MONITORED))
    assert SECRET not in proc.stdout + proc.stderr, "the S3 secret key is in the -vvv output"
    note(f"observability: --check --diff -vvv changed=0, no S3 secret in {len(proc.stdout)} bytes, {secs:.1f}s")


def test_global_view_every_cluster_and_dedup():
    def every_cluster():
        got = {r["metric"].get("cluster"): int(float(r["value"][1])) for r in query("count by (cluster) (up)")}
        return got if set(MONITORED) <= set(got) else None
    per_cluster = wait("every monitored cluster in count by (cluster) (up)", every_cluster, timeout=300, every=5)
    note(f"observability: count by (cluster) (up) through Thanos Query = {per_cluster}")
    assert len(per_cluster) >= 3
    # A target both replicas scrape: once with dedup, twice without (one series per replica).
    for cluster in MONITORED:
        expr = f'up{{cluster="{cluster}",job="apiserver"}}'
        on = wait(f"{expr} (dedup on)", lambda: query(expr, dedup=True), timeout=120)
        off = wait(f"{expr} (dedup off, both replicas)", lambda: both_replicas(expr), timeout=180, every=5)
        assert len(on) == 1 and "prometheus_replica" not in on[0]["metric"], on
        assert sorted(r["metric"]["prometheus_replica"] for r in off) == [f"prometheus-{NAME}-0", f"prometheus-{NAME}-1"]
        assert on[0]["value"][1] == "1", f"{cluster}'s API server is down for Prometheus: {on}"
    note(f"observability: up{{job=apiserver}} per cluster: 1 series with dedup, 2 without ({', '.join(MONITORED)})")


def test_scrape_health_picture(tmp_path):
    page = tmp_path / "observability-report.html"
    proc, secs = ansible_playbook(INVENTORY, REPO / "playbooks" / "observability_report.yml",
                                  "-e", json.dumps({"thanos_report_file": str(page)}))
    assert_ok(proc)
    html = page.read_text()
    assert html.count("<rect") >= len(MONITORED) and "<svg" in html
    for cluster in MONITORED:
        assert f">{cluster}<" in html and cluster in proc.stdout
    rows = re.findall(r"(\S+)\s+(ok|FAIL)\s+(\d+)/(\d+) up", proc.stdout)
    note(f"observability: scrape-health page {page.stat().st_size} bytes, {secs:.1f}s: "
         + ", ".join(f"{c} {u}/{t} {s}" for c, s, u, t in rows))


def test_replica_deleted_view_answers_without_gap():
    cluster = "cluster-shanghai" if "cluster-shanghai" in MONITORED else MONITORED[-1]
    expr = f'up{{cluster="{cluster}",job="apiserver"}}'
    t0 = time.time()
    kubectl(cluster, "delete", "pod", "-n", "monitoring", f"prometheus-{NAME}-0", "--wait=false")
    # While replica 0 is gone (and restarting) the global view answers from replica 1.
    # (Thanos' default partial response: the deleted replica's sidecar is an endpoint that fails until
    # its pod is back; strict partial_response=false would fail the whole query for it.)
    answered, deadline = 0, time.time() + 45
    while time.time() < deadline:
        got = api("/api/v1/query", query=expr, dedup="true", partial_response="true")["result"]
        assert got, f"no answer for {expr} {time.time() - t0:.0f}s after replica 0 was deleted"
        answered += 1
        time.sleep(5)
    wait(f"{cluster}: both replicas Ready again", lambda: len(prometheus_pods(cluster)) == 2, timeout=240, every=5)
    back = time.time() - t0
    # The raw samples of the last 5 minutes, deduplicated: no two more than two scrape intervals apart.
    series = api("/api/v1/query", query=f"{expr}[5m]", dedup="true", partial_response="true")["result"]
    assert len(series) == 1, series
    stamps = [float(sample[0]) for sample in series[0]["values"]]
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    assert stamps[0] <= time.time() - 270 and max(gaps) <= 2 * STEP + 1, (stamps[0], max(gaps))
    # Without dedup replica 0's own series shows the hole the deletion made (so the test measures something).
    raw = api("/api/v1/query", query=f"{expr}[5m]", dedup="false", partial_response="true")["result"]
    r0 = [[float(sample[0]) for sample in r["values"]] for r in raw if r["metric"]["prometheus_replica"].endswith("-0")]
    r0_gap = max((b - a for a, b in zip(r0[0], r0[0][1:])), default=0) if r0 else float("inf")
    note(f"observability: replica 0 of {cluster} deleted: {answered} answers in 45s, both Ready after {back:.0f}s; "
         f"deduplicated last 5m: {len(stamps)} samples, largest gap {max(gaps):.0f}s (replica 0 alone: {r0_gap:.0f}s)")


def test_blocks_in_s3_and_store_gateway_answers_for_data_no_sidecar_holds():
    cluster = "host" if "host" in MONITORED else MONITORED[0]

    def blocks_of_every_cluster():
        metas = s3_blocks()
        got = {m["thanos"]["labels"].get("cluster") for m in metas.values()}
        return metas if set(MONITORED) <= got else None
    metas = wait("a block of every monitored cluster in the bucket", blocks_of_every_cluster, timeout=600, every=15)
    mine = sorted((m for m in metas.values() if m["thanos"]["labels"]["cluster"] == cluster), key=lambda m: m["minTime"])
    counts = {c: sum(m["thanos"]["labels"]["cluster"] == c for m in metas.values()) for c in MONITORED}
    note(f"observability: {len(metas)} blocks in s3://{BUCKET} per cluster {counts}")
    # A moment inside the oldest uploaded block of this cluster.
    at = (mine[0]["minTime"] + mine[0]["maxTime"]) / 2000
    # The store gateway has loaded it (its time range in Query's store list covers that moment).
    wait("the store gateway serving the uploaded blocks", lambda: [
        s for s in stores("store") if s["minTime"] / 1000 <= at], timeout=180, every=10)
    # Both replicas of the cluster deleted: their new pods (empty storage) hold nothing that old.
    for i in (0, 1):
        kubectl(cluster, "delete", "pod", "-n", "monitoring", f"prometheus-{NAME}-{i}", "--wait=true")
    wait(f"{cluster}: both replicas Ready again", lambda: len(prometheus_pods(cluster)) == 2, timeout=240, every=5)

    def sidecars_restarted():
        mins = [s["minTime"] / 1000 for s in stores("sidecar")
                if any(ls.get("cluster") == cluster for ls in s.get("labelSets") or [])]
        return mins if len(mins) == 2 and min(mins) > at else None
    mins = wait(f"{cluster}'s sidecars holding nothing before {at:.0f}", sidecars_restarted, timeout=180, every=5)
    expr = f'up{{cluster="{cluster}",job="apiserver"}}[1m]'
    result = api("/api/v1/query", query=expr, time=f"{at:.3f}", dedup="true", partial_response="false")["result"]
    assert result and result[0]["values"], f"no data at {at} for {expr}: the store gateway did not answer"
    note(f"observability: {cluster} at {time.strftime('%H:%M:%S', time.gmtime(at))}Z (sidecars now start at "
         f"{time.strftime('%H:%M:%S', time.gmtime(min(mins)))}Z): {len(result[0]['values'])} samples from the store gateway")


def test_absent_leaves_nothing():
    proc, secs = run(overrides={"prometheus_state": "absent", "thanos_state": "absent"})
    assert_ok(proc)
    note(f"observability: removal {secs:.1f}s")
    for cluster in MONITORED:
        crds = [c["metadata"]["name"] for c in get(cluster, "crd")["items"]]
        assert not [c for c in crds if c.endswith(".monitoring.coreos.com")], (cluster, crds)
        namespaces = [n["metadata"]["name"] for n in get(cluster, "namespaces")["items"]]
        assert "monitoring" not in namespaces and "thanos" not in namespaces, (cluster, namespaces)
        assert not kubectl(cluster, "get", "service", "-n", "kube-system", "kubelet", "--ignore-not-found").strip()
