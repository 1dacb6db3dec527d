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
from runners import ansible_playbook, assert_ok, assert_unchanged, ensure_karmada, karmada_answers, leftovers, note, recap, wait

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "observability.yml"
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
TOPO = yaml.safe_load(INVENTORY.read_text())
MONITORED = [c["name"] for c in TOPO["clusters"] if c.get("monitoring")]
OBSERVABILITY = next(c["name"] for c in TOPO["clusters"] if c.get("observability"))
NODES = {c["name"]: [n["address"] for n in c.get("nodes", [])] for c in TOPO["clusters"]}
NODE_NAMES = {c["name"]: {n["name"] for n in c.get("nodes", [])} for c in TOPO["clusters"]}
# Where the topology installs each component (the playbooks' hosts, role prometheus' defaults):
# Volcano in the batch clusters, Velero in the members (velero_clusters' default), Karmada's
# controllers in the host cluster (in_cluster mode) or on the karmada control-plane hosts (host mode).
BATCH = {c["name"] for c in TOPO["clusters"] if c.get("batch")}
MEMBERS = {c["name"] for c in TOPO["clusters"] if c.get("role") == "member"}
HOST = next(c["name"] for c in TOPO["clusters"] if c.get("role") == "host")
KARMADA_MODE = TOPO["settings"].get("karmada_install_mode", "host")
KARMADA_HOSTS = [h["address"] for h in TOPO.get("control_plane_hosts", []) if "karmada" in h.get("roles", [])]
# job -> metrics port: the pods' (PodMonitors) and, in host mode, the control-plane hosts' (ServiceMonitor karmada-host).
VOLCANO_JOBS = {"vc-scheduler": 8080, "vc-controller-manager": 8081}
KARMADA_JOBS = ["karmada-controller-manager", "karmada-scheduler", "karmada-webhook"]
KARMADA_HOST_PORTS = {"karmada-controller-manager": 10358, "karmada-scheduler": 10352, "karmada-webhook": 10362}
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


def targets(cluster: str, job: str) -> dict[str, str]:
    """instance -> value of up{cluster, job} through Thanos Query, replicas deduplicated."""
    return {r["metric"]["instance"]: r["value"][1] for r in query(f'up{{cluster="{cluster}",job="{job}"}}')}


def all_up(cluster: str, job: str, instances: set[str]):
    """The targets of job when they are exactly instances and every one is up, else None."""
    got = targets(cluster, job)
    return got if set(got) == instances and set(got.values()) == {"1"} else None


def running_pods(cluster: str, ns: str, selector: str) -> list[dict]:
    """Ready pods on the cluster's real nodes (a pod on a kwok node is Ready but runs nothing)."""
    return [p for p in ready_pods(cluster, ns, selector) if p["spec"].get("nodeName") in NODE_NAMES[cluster]]


def expected_monitors(cluster: str) -> set[tuple[str, str]]:
    """(kind, name) of the component monitors role prometheus applies in cluster, per the topology."""
    out = set()
    if cluster in BATCH:
        out.add(("PodMonitor", "volcano"))
    if cluster in MEMBERS:
        out.add(("PodMonitor", "velero"))
    if cluster == HOST:
        out.add(("PodMonitor", "karmada"))
        if KARMADA_MODE == "host" and KARMADA_HOSTS:
            out.add(("ServiceMonitor", "karmada-host"))
    return out


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
    left = leftovers([c["name"] for c in TOPO["clusters"]], ("monitoring",), ("monitoring.coreos.com",))
    if left:
        proc, secs = run(overrides={"prometheus_state": "absent", "thanos_state": "absent"})
        assert_ok(proc)
        note(f"observability: clean start, removed {len(left)} leftovers (absent) {secs:.1f}s")
    assert not leftovers([c["name"] for c in TOPO["clusters"]], ("monitoring",), ("monitoring.coreos.com",))


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


def test_kubelet_targets_up():
    # The kubelet of every real node of each cluster (the operator's kube-system/kubelet Endpoints of
    # the nodes labelled fleetops.io/lab-node=real; kwok's nodes serve no metrics), and no other.
    seen = {}
    for cluster in MONITORED:
        want = {f"{address}:10250" for address in NODES[cluster]}
        assert want, f"{cluster} has no real node in the topology"
        seen[cluster] = wait(f"{cluster}: up{{job=kubelet}} == 1 for {sorted(want)}",
                             lambda c=cluster, w=want: all_up(c, "kubelet", w), timeout=180, every=5)
    note("observability: kubelet targets up through Thanos Query: "
         + ", ".join(f"{c} {len(t)}" for c, t in seen.items()))


def test_component_monitors_per_topology_and_their_targets_up_where_installed():
    """The monitors of Volcano, Velero and Karmada exist where the topology installs them (and only
    there); the targets of each component running now are up. In `make test` this file runs after
    the Karmada tests (host mode installed on the control-plane hosts) and before the Volcano and
    Velero ones (which install and remove theirs): what is not running is reported, not asserted."""
    checked, absent = [], []
    for cluster in MONITORED:
        items = get(cluster, "podmonitors,servicemonitors", "-n", "monitoring")["items"]
        have = {(i["kind"], i["metadata"]["name"]) for i in items}
        components = {("PodMonitor", "volcano"), ("PodMonitor", "velero"), ("PodMonitor", "karmada"),
                      ("ServiceMonitor", "karmada-host")}
        assert have & components == expected_monitors(cluster), (cluster, sorted(have))
        # job -> instances the component's running pods (or hosts) serve metrics on.
        want: dict[str, set[str]] = {}
        if cluster in BATCH:
            for job, port in VOLCANO_JOBS.items():
                pods = running_pods(cluster, "volcano-system", f"app={job}")
                if pods:
                    want[job] = {f"{p['status']['podIP']}:{port}" for p in pods}
        if cluster in MEMBERS:
            pods = running_pods(cluster, "velero", "deploy=velero")
            if pods:
                want["velero"] = {f"{p['status']['podIP']}:8085" for p in pods}
        if cluster == HOST:
            for job in KARMADA_JOBS:
                pods = running_pods(cluster, "karmada-system", f"app={job}")
                if pods:
                    want[job] = {f"{p['status']['podIP']}:8080" for p in pods}
            if KARMADA_MODE == "host" and KARMADA_HOSTS and karmada_answers(INVENTORY):
                for job, port in KARMADA_HOST_PORTS.items():
                    want[job] = want.get(job, set()) | {f"{a}:{port}" for a in KARMADA_HOSTS}
        for job, instances in sorted(want.items()):
            wait(f"{cluster}: up{{job={job}}} == 1 for {sorted(instances)}",
                 lambda c=cluster, j=job, i=instances: all_up(c, j, i), timeout=180, every=5)
            checked.append(f"{cluster}/{job} {len(instances)}")
        expected_jobs = ({*VOLCANO_JOBS} if cluster in BATCH else set()) | ({"velero"} if cluster in MEMBERS else set()) \
            | (set(KARMADA_JOBS) if cluster == HOST else set())
        absent += [f"{cluster}/{job}" for job in sorted(expected_jobs - set(want))]
    note(f"observability: component targets up: {', '.join(checked) or 'none'}; "
         f"not running now (monitor present, no target asserted): {', '.join(absent) or 'none'}")


def test_scrape_health_picture(tmp_path):
    # Every target up needs Karmada's controllers running where the topology puts them (the suite's
    # Karmada tests installed it; a file run alone installs it here).
    ensure_karmada(INVENTORY)
    page = tmp_path / "observability-report.html"
    proc, secs = ansible_playbook(INVENTORY, REPO / "playbooks" / "observability_report.yml",
                                  "-e", json.dumps({"thanos_report_file": str(page)}))
    assert_ok(proc)
    html = page.read_text()
    assert html.count("<rect") >= len(MONITORED) and "<svg" in html
    for cluster in MONITORED:
        assert f">{cluster}<" in html and cluster in proc.stdout
    rows = re.findall(r"([\w.-]+)\s+(ok|FAIL)\s+(\d+)/(\d+) up", proc.stdout)
    details = dict(re.findall(r"([\w.-]+)\s+(?:ok|FAIL)\s+\d+/\d+ up\s+(.*)", proc.stdout))
    note(f"observability: scrape-health page {page.stat().st_size} bytes, {secs:.1f}s: "
         + ", ".join(f"{c} {u}/{t} {s}" for c, s, u, t in rows))
    # One row per monitored cluster, every target up, and the page shows what the table says.
    assert sorted(row[0] for row in rows) == sorted(MONITORED), rows
    for cluster, status, up, total in rows:
        assert status == "ok" and int(total) > 0 and up == total, f"{cluster}: {up}/{total} up ({status}, {details.get(cluster)})"
        assert f">{up}/{total} up<" in html, f"{cluster}'s {up}/{total} is not on the page"
    # The rows are what Thanos Query answers (deduplicated), not something of the report's own.
    counts = {r["metric"]["cluster"]: int(float(r["value"][1])) for r in query("count by (cluster) (up)")}
    assert {row[0]: int(row[3]) for row in rows} == {c: counts.get(c) for c in MONITORED}, (rows, counts)
    # Each cluster's jobs are beside its bar: the API server, the kubelets, and Karmada's controllers
    # in the host cluster when Karmada runs (host mode).
    jobs = dict(zip(re.findall(r'<text x="0" y="\d+">([^<]+)</text>', html),
                    re.findall(r'<text class="small"[^>]*>([^<]*)</text>', html)))
    for cluster in MONITORED:
        want = ["apiserver", "kubelet"]
        if cluster == HOST and KARMADA_MODE == "host" and KARMADA_HOSTS and karmada_answers(INVENTORY):
            want += KARMADA_JOBS
        listed = {j.rsplit(" ", 1)[0] for j in jobs.get(cluster, "").split(" · ")}
        assert set(want) <= listed, f"{cluster}: jobs on the page {sorted(listed)}, want {want}"


def largest_gap(stamps: list[float]) -> tuple[float, float, float]:
    """(gap, from, to) of the widest interval between consecutive stamps (0 when fewer than two)."""
    return max(((b - a, a, b) for a, b in zip(stamps, stamps[1:])), default=(0.0, 0.0, 0.0))


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
    wait(f"{cluster}: both replicas Ready again", lambda: len(prometheus_pods(cluster)) == 2, timeout=300, every=5)
    back = time.time() - t0
    # The raw samples of a window that ends now and holds at least the last 5 minutes and the
    # time before the deletion (a slow restart on a loaded machine makes it longer), evaluated
    # at one explicit moment so that the window's bounds are known exactly.
    at = time.time()
    window = max(300, int(at - t0) + 4 * STEP)
    params = {"query": f"{expr}[{window}s]", "time": f"{at:.3f}", "partial_response": "true"}
    series = api("/api/v1/query", dedup="true", **params)["result"]
    raw = api("/api/v1/query", dedup="false", **params)["result"]
    assert len(series) == 1, series
    stamps = sorted(float(sample[0]) for sample in series[0]["values"])
    per_replica = {r["metric"]["prometheus_replica"][-1]: sorted(float(v[0]) for v in r["values"]) for r in raw}
    # Replica 1's series, and replica 0's when it has samples in the window (its restarted pod's,
    # and the store gateway's of its uploaded blocks).
    assert "1" in per_replica, f"raw series of {expr}: replicas {sorted(per_replica)}"
    r0, r1 = per_replica.get("0", []), per_replica["1"]
    # The window starts at its first sample when Prometheus is younger than the window (the test runs
    # right after the install): before that there was nothing to lose.
    start = max(at - window, min([*r0, *r1]))
    # Replica 0's hole: its widest interval ending after the deletion (its pre-deletion head was lost
    # with the pod; what the store gateway has of it ends with the last uploaded block).
    hole = max(((b - a, a, b) for a, b in zip([start, *r0], [*r0, at]) if b > t0), default=(0.0, t0, at))
    before, after = hole[1], hole[2]
    prev = max((t for t in stamps if t < before), default=before - STEP)   # the view's sample before it
    # The measured scrape interval outside the hole (STEP, longer on a starved machine).
    regular = max([STEP, largest_gap(r1)[0]] + [b - a for a, b in zip(r0, r0[1:]) if (a, b) != (before, after)])
    # 1. The data is there: the two replicas together miss no more than two scrapes in a row anywhere
    #    in the window, its beginning and end included. (A real gap: replica 1 lost data too.)
    union_gap = largest_gap(sorted({start, at, *r0, *r1}))
    assert union_gap[0] <= 3 * STEP + 1, (
        f"neither replica has a sample for {union_gap[0]:.0f}s "
        f"({union_gap[1] - t0:+.0f}s..{union_gap[2] - t0:+.0f}s from the deletion)")
    # 2. The deduplicated view reads replica 1 while replica 0 is away. Thanos' penalty deduplication
    #    (pkg/dedup/iter.go) goes on with the other replica from twice the view's last interval after
    #    the gone one's last sample, then takes every sample of it: each of replica 1's samples from
    #    there to replica 0's return is in the view. (When the view read replica 1 already, all of them.)
    switch = before + 2 * (before - prev)
    ms = {round(t * 1000) for t in stamps}
    owed = [t for t in r1 if switch < t < after]
    missing = [t for t in owed if round(t * 1000) not in ms]
    assert not missing, (f"the deduplicated view lacks {len(missing)} of replica 1's {len(owed)} samples while replica 0 "
                         f"was away ({before - t0:+.0f}s..{after - t0:+.0f}s from the deletion)")
    assert after - before <= 3 * regular + 5 or [t for t in stamps if before < t < after], \
        f"the deduplicated view has no sample while replica 0 was away ({after - before:.0f}s)"
    # 3. So the view's widest gap is the switch (up to three scrape intervals), never the hole.
    view_gap = largest_gap([start, *[t for t in stamps if t >= start], at])
    assert stamps and view_gap[0] <= 3 * regular + 5, (
        f"the deduplicated view has no sample for {view_gap[0]:.0f}s ({view_gap[1] - t0:+.0f}s..{view_gap[2] - t0:+.0f}s "
        f"from the deletion; replica 0 away {before - t0:+.0f}s..{after - t0:+.0f}s; scrape interval {regular:.0f}s)")
    note(f"observability: replica 0 of {cluster} deleted: {answered} answers in 45s, both Ready after {back:.0f}s; "
         f"deduplicated last {window}s: {len(stamps)} samples, largest gap {view_gap[0]:.0f}s "
         f"(both replicas together: {union_gap[0]:.0f}s; replica 0 alone away {after - before:.0f}s; "
         f"{len(owed)} samples of replica 1 owed to the view, all there)")


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
