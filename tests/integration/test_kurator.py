"""Kurator's API on the lab's host cluster (roles/kurator, playbooks/kurator.yml): real kube-apiserver + etcd.

Kurator's operators cannot be built here (../shared/reference/buildable-here.md), so nothing
reconciles these objects: what is tested is that Kurator's real v0.6.0 CRDs install and are
Established, and that the real API server's structural-schema validation accepts every object the
collection generates from the topology (server-side apply, stored, not a dry run), rejects what our
modules reject, and that the objects follow the topology (a member removed loses its AttachedCluster
and Secret, nothing else changes).

The CRDs reach the role through the artifact mirror (kurator-dev/kurator/releases/download/v0.6.0/
crds.tar.gz), which lab.py packs from ../shared/reference/kurator-crds/v0.6.0.

The test writes its own topology (inventory directory lab-kurator): the lab's clusters without
their SSH nodes, so no SSH host is involved. Order matters (file order).

  .venv/bin/pytest -q -p no:cacheprovider tests/integration/test_kurator.py
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import KUBECONFIG_DIR, REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, assert_unchanged, note, recap

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "kurator.yml"
NS = "kurator-fleet"
FLEET = "fleetops"
MEMBERS = ["cluster-beijing", "cluster-shanghai", "cluster-guangzhou", "cluster-hangzhou"]
REMOVED = "cluster-guangzhou"
KUBECONFIG = KUBECONFIG_DIR / "host.kubeconfig"
VERSION = yaml.safe_load((REPO / "roles/_artifacts/defaults/main/versions.yml").read_text())["fleetops_versions"]
KUBECTL = str(Path(os.environ.get("FLEETOPS_LAB_CACHE", "/var/cache/fleetops-lab")) / "bin" / "kubernetes"
              / VERSION["kubernetes"] / "kubectl")
CRDS_SOURCE = REPO.resolve().parent / "shared" / "reference" / "kurator-crds" / VERSION["kurator"]
APP = {
    "name": "podinfo",
    "cluster_selector": {"environment": "production"},
    "source": {"gitRepository": {"url": "https://github.com/stefanprodan/podinfo", "interval": "3m0s",
                                 "ref": {"branch": "master"}}},
    "sync_policies": [
        {"name": "webapp", "kustomization": {"path": "./deploy/webapp", "interval": "5m0s", "prune": True,
                                             "timeout": "2m0s", "targetNamespace": "webapp"}},
        {"name": "chart", "helm": {"releaseName": "podinfo", "interval": "1m", "values": {"replicaCount": 2},
                                   "chart": {"spec": {"chart": "podinfo", "version": "6.x"}}}},
    ],
}
SEED = Path(os.environ.get("FLEETOPS_EXAMPLES", REPO / "tests" / "fixtures" / "mission-examples")) / "06-backup-policy.yaml"
BACKUPS = [
    {"definition": yaml.safe_load(SEED.read_text())},          # the user's BackupPolicy (not an upstream kind)
    {"kind": "Restore", "name": "production-restore", "backup_name": "production-backup", "clusters": ["cluster-shanghai"]},
    {"kind": "Migrate", "name": "production-move", "source_cluster": "cluster-beijing", "clusters": ["cluster-shanghai"],
     "namespaces": ["production"]},
]
# fleet-manager's image does not exist here: its replicas go to the host's kwok nodes (as the lab inventory says).
EXTRA = {"kurator_applications": [APP], "kurator_backups": BACKUPS, "kurator_node_selector": {"type": "kwok"}}
# The test topology's S3 key (gofakes3 checks no signature): random, grepped for in -vvv output.
S3_KEY = {"access_key_id": "KURATORTEST" + secrets.token_hex(6).upper(), "secret_access_key": secrets.token_urlsafe(30)}


def write_topology(path: Path, drop: tuple[str, ...] = ()) -> Path:
    lab = yaml.safe_load(TOPOLOGY.read_text())
    clusters = []
    for c in lab["clusters"]:
        if c["name"] in drop:
            continue
        c = {k: v for k, v in c.items() if k not in ("nodes", "agent_host")}
        c["kubeconfig"] = str(KUBECONFIG_DIR / f"{c['name']}.kubeconfig")
        clusters.append(c)
    settings = {k: lab["settings"][k] for k in ("artifact_mirror", "artifact_checksums", "allow_unpinned_checksums",
                                                "allow_insecure_http", "validate_certs") if k in lab["settings"]}
    settings["s3"] = {"endpoint": lab["settings"]["s3"]["endpoint"], "region": lab["settings"]["s3"]["region"],
                      "buckets": {"velero": "velero-backups", "thanos": "thanos-metrics"}, **S3_KEY}
    topology = {"plugin": "fleetops.kurator.topology", "regions": lab["regions"], "clusters": clusters,
                "settings": settings}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(topology, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def inventory(tmp_path_factory) -> Path:
    """The test topology, after checking that the lab's mirror serves Kurator's CRDs."""
    url = (f"{yaml.safe_load(TOPOLOGY.read_text())['settings']['artifact_mirror']}"
           f"/kurator-dev/kurator/releases/download/{VERSION['kurator']}/crds.tar.gz")
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10)
    except Exception as exc:  # noqa: BLE001 - any failure means the same thing here
        pytest.fail(f"the lab's artifact mirror does not serve Kurator's CRDs ({url}: {exc}). lab/lab.py mirror packs "
                    f"them from {CRDS_SOURCE} (../shared/reference/kurator-crds/{VERSION['kurator']}, Kurator "
                    f"{VERSION['kurator']}'s charts' crds/); "
                    + ("that directory is missing: it belongs beside the repository" if not CRDS_SOURCE.is_dir()
                       else "run lab/lab.py mirror"))
    return write_topology(tmp_path_factory.mktemp("kurator") / "lab-kurator" / "topology.yml")


def run(inventory: Path, *extra: str, overrides: dict | None = None):
    return ansible_playbook(inventory, PLAYBOOK, "-e", json.dumps(dict(EXTRA, **(overrides or {}))), *extra)


def kubectl(*args: str, check: bool = True, kubeconfig: Path = KUBECONFIG) -> subprocess.CompletedProcess:
    proc = subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), *args], capture_output=True, text=True,
                          timeout=120, check=False)
    if check:
        assert proc.returncode == 0, f"kubectl {' '.join(args)}: {proc.stderr}"
    return proc


def get(*args: str) -> dict:
    return json.loads(kubectl("get", "-o", "json", *args).stdout)


def kurator_crds() -> list[dict]:
    return [c for c in get("crd")["items"] if c["spec"]["group"].endswith(".kurator.dev")]


def objects(kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in get(kind, "-n", NS)["items"]}


def test_clean_start(inventory):
    if kurator_crds():
        proc, secs = run(inventory, overrides={"kurator_state": "absent"})
        assert_ok(proc)
        note(f"kurator: clean start (absent) {secs:.1f}s")
    assert not kurator_crds()


def test_install(inventory):
    proc, secs = run(inventory)
    assert_ok(proc)
    assert recap(proc.stdout)["host"]["changed"] > 0
    note(f"kurator: install (CRDs, Fleet of {len(MEMBERS)}, 1 Application, 2 operators) {secs:.1f}s")
    # Nobody provides cluster-operator's webhook serving certificate in the lab (no cert-manager): the role says so.
    assert "Secret kurator-system/kurator-webhook-service-cert" in " ".join(proc.stdout.split()), proc.stdout[-3000:]
    crds = kurator_crds()
    assert sorted(c["metadata"]["name"] for c in crds) == sorted([
        "applications.apps.kurator.dev", "backups.backup.kurator.dev", "migrates.backup.kurator.dev",
        "restores.backup.kurator.dev", "attachedclusters.cluster.kurator.dev", "clusters.cluster.kurator.dev",
        "fleet.fleet.kurator.dev", "pipelines.pipeline.kurator.dev"])
    for crd in crds:
        assert {"type": "Established", "status": "True"} in [
            {"type": c["type"], "status": c["status"]} for c in crd["status"]["conditions"]], crd["metadata"]["name"]
    # Stored by the real API server (its structural schema accepted them; not a dry run).
    fleet = get("fleet.fleet.kurator.dev", "-n", NS, FLEET)
    assert fleet["spec"]["clusters"] == [{"kind": "AttachedCluster", "name": n} for n in MEMBERS]
    # The backup plugin on the topology's S3 store (settings.s3), its key in the Secret Kurator reads.
    lab_s3 = yaml.safe_load(TOPOLOGY.read_text())["settings"]["s3"]
    assert fleet["spec"]["plugin"] == {"backup": {"storage": {
        "location": {"bucket": "velero-backups", "provider": "aws", "endpoint": lab_s3["endpoint"],
                     "region": lab_s3["region"], "config": {"s3ForcePathStyle": "true", "checksumAlgorithm": ""}},
        "secretName": f"{FLEET}-s3-credentials"}}}
    s3 = get("secret", "-n", NS, f"{FLEET}-s3-credentials")["data"]
    assert {k: base64.b64decode(v).decode() for k, v in s3.items()} == {
        "access-key": S3_KEY["access_key_id"], "secret-key": S3_KEY["secret_access_key"]}
    attached = objects("attachedclusters.cluster.kurator.dev")
    assert sorted(attached) == sorted(MEMBERS)
    lab = {c["name"]: c for c in yaml.safe_load(TOPOLOGY.read_text())["clusters"]}
    for name, ac in attached.items():
        assert ac["spec"]["kubeconfig"] == {"name": f"{name}-kubeconfig", "key": "value"}
        for key, value in lab[name]["labels"].items():
            assert ac["metadata"]["labels"][key] == value
    app = get("applications.apps.kurator.dev", "-n", NS, "podinfo")
    assert app["spec"]["destination"] == {"fleet": FLEET, "clusterSelector": {"matchLabels": {"environment": "production"}}}
    assert app["spec"]["syncPolicies"][1]["helm"]["values"] == {"replicaCount": 2}
    # Defaults from Kurator's schema filled in by the API server (it parsed the object with the CRD).
    assert app["spec"]["source"]["gitRepository"]["timeout"] == "60s"
    # The user's BackupPolicy as a Kurator Backup: daily at 02:00, keep the last 7 = ttl 7 x 24h.
    backup = get("backups.backup.kurator.dev", "-n", NS, "production-backup")
    assert backup["spec"] == {"schedule": "0 2 * * *", "destination": {"fleet": FLEET},
                              "policy": {"resourceFilter": {"includedNamespaces": ["production"]}, "ttl": "168h0m0s"}}
    restore = get("restores.backup.kurator.dev", "-n", NS, "production-restore")
    assert restore["spec"]["backupName"] == "production-backup"
    migrate = get("migrates.backup.kurator.dev", "-n", NS, "production-move")
    assert migrate["spec"]["sourceCluster"]["clusters"] == [{"kind": "AttachedCluster", "name": "cluster-beijing"}]


OPERATORS = ["fleet-manager", "cluster-operator"]
OPERATOR_NS = "kurator-system"


def can_i(operator: str, verb: str, resource: str, namespace: str = OPERATOR_NS) -> bool:
    """The real API server's RBAC authorizer, asked as the operator's ServiceAccount."""
    proc = kubectl("auth", "can-i", verb, resource, "-n", namespace,
                   f"--as=system:serviceaccount:{OPERATOR_NS}:kurator-{operator}", check=False)
    return proc.stdout.strip() == "yes"


@pytest.mark.parametrize("operator", OPERATORS)
def test_operator_in_the_ha_shape(operator):
    """Kurator's operator images cannot be built here: their pods go to the host cluster's kwok nodes,
    where they only "run". Checked on the live objects: the shape as the API server stores it (probes,
    leader election, anti-affinity, requests), the spread of the 3 replicas over 3 nodes, the
    PodDisruptionBudget as the disruption controller counts it, and the RBAC leader election needs."""
    name = f"kurator-{operator}"
    d = get("deployment", "-n", OPERATOR_NS, name)
    assert d["spec"]["replicas"] == 3 and d["status"].get("readyReplicas") == 3, d["status"]
    spec = d["spec"]["template"]["spec"]
    assert spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] == [
        {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app.kubernetes.io/name": name}}}]
    assert spec["nodeSelector"] == {"type": "kwok"}
    assert spec["serviceAccountName"] == name
    c = spec["containers"][0]
    assert c["image"] == f"ghcr.io/kurator-dev/{operator}:{VERSION['kurator']}"
    assert "--leader-elect=true" in c["args"]
    probe = {"timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3}
    assert c["livenessProbe"] == {"httpGet": {"path": "/healthz", "port": "healthz", "scheme": "HTTP"},
                                  "initialDelaySeconds": 15, "periodSeconds": 20, **probe}
    assert c["readinessProbe"] == {"httpGet": {"path": "/readyz", "port": "healthz", "scheme": "HTTP"},
                                   "initialDelaySeconds": 5, "periodSeconds": 10, **probe}
    assert {"name": "healthz", "containerPort": 9440, "protocol": "TCP"} in c["ports"]
    assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"]
    if operator == "cluster-operator":
        assert "--metrics-bind-addr=127.0.0.1:8080" in c["args"] and "--webhook-port=9443" in c["args"]
        assert {"name": "webhook-server", "containerPort": 9443, "protocol": "TCP"} in c["ports"]
        cert_dir = next(a.split("=", 1)[1] for a in c["args"] if a.startswith("--webhook-cert-dir="))
        mount = next(m for m in c["volumeMounts"] if m["mountPath"] == cert_dir)
        volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
        assert volume["secret"]["secretName"] == "kurator-webhook-service-cert" and not volume["secret"].get("optional")
        svc = get("service", "-n", OPERATOR_NS, "kurator-webhook-service")["spec"]
        assert svc["selector"] == {"app.kubernetes.io/name": name}
        assert [(p["port"], p["targetPort"]) for p in svc["ports"]] == [(443, "webhook-server")]
    pods = get("pods", "-n", OPERATOR_NS, "-l", f"app.kubernetes.io/name={name}")["items"]
    nodes = [p["spec"].get("nodeName") for p in pods]
    assert len(pods) == 3 and len(set(nodes)) == 3 and None not in nodes, nodes
    kwok = {n["metadata"]["name"] for n in get("nodes", "-l", "type=kwok")["items"]}
    assert set(nodes) <= kwok, (nodes, kwok)
    ready = [p["metadata"]["name"] for p in pods
             if any(cond["type"] == "Ready" and cond["status"] == "True" for cond in p["status"].get("conditions", []))]
    assert len(ready) == 3, ready
    # The disruption controller (kube-controller-manager) counts the pods the PDB covers.
    deadline = time.monotonic() + 30
    while True:
        pdb = get("pdb", "-n", OPERATOR_NS, name)
        status = pdb.get("status", {})
        if status.get("currentHealthy") == 3 or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert pdb["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}}
    assert (status.get("expectedPods"), status.get("currentHealthy"), status.get("disruptionsAllowed")) == (3, 3, 1), status
    # Leader election: the ServiceAccount may take and renew a Lease in its namespace.
    assert can_i(operator, "create", "leases.coordination.k8s.io") and can_i(operator, "update", "leases.coordination.k8s.io")
    note(f"kurator: {operator} 3 replicas on {sorted(nodes)}, PDB {status.get('currentHealthy')}/3 healthy (kwok: shape only)")


def test_secret_kubeconfigs_reach_their_members(inventory, tmp_path):
    """Each Secret's kubeconfig is the member's own, one context, server = the topology's api_endpoint."""
    lab = {c["name"]: c for c in yaml.safe_load(TOPOLOGY.read_text())["clusters"]}
    stored = objects("secrets")
    for name in MEMBERS:
        kc = json.loads(base64.b64decode(stored[f"{name}-kubeconfig"]["data"]["value"]))
        assert [c["cluster"]["server"] for c in kc["clusters"]] == [lab[name]["api_endpoint"]]
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(kc))
        path.chmod(0o600)
        nodes = json.loads(kubectl("get", "nodes", "-o", "json", kubeconfig=path).stdout)["items"]
        short = name.split("-", 1)[1]   # the member's own nodes: beijing-worker-1, node-beijing-1, ...
        assert nodes and all(short in n["metadata"]["name"] for n in nodes), (name, [n["metadata"]["name"] for n in nodes])


def test_rerun_unchanged(inventory):
    proc, secs = run(inventory)
    assert_unchanged(proc, ("host",))
    note(f"kurator: re-run changed=0 {secs:.1f}s")


def test_check_diff_clean(inventory):
    proc, secs = run(inventory, "--check", "--diff")
    assert_unchanged(proc, ("host",))
    note(f"kurator: --check --diff changed=0 {secs:.1f}s")


BAD_PLAY = """
- name: An Application with a typo and a wrong type
  hosts: host
  gather_facts: false
  module_defaults:
    group/fleetops.kurator.k8s: "{{ fleetops_k8s }}"
  tasks:
    - name: Apply it
      fleetops.kurator.kurator_application:
        name: broken
        namespace: kurator-fleet
        fleet: fleetops
        validate: "{{ validate | bool }}"
        source:
          gitRepository: {url: "https://github.com/stefanprodan/podinfo", interval: 3m0s}
        sync_policies:
          - kustomization: {path: ./deploy, interval: 5m0s, prune: "yes", targetNamspace: web}
"""


def test_wrong_fields_rejected_by_the_module_and_by_the_api_server(inventory, tmp_path):
    play = tmp_path / "broken.yml"
    play.write_text(BAD_PLAY)
    proc = ansible_playbook(inventory, play, "-e", "validate=true")[0]
    assert proc.returncode != 0
    out = proc.stdout
    ours = [line.strip() for line in out.splitlines() if "spec.syncPolicies[0].kustomization" in line]
    print("module:", *ours, sep="\n  ")
    assert "nothing was applied" in out
    assert "spec.syncPolicies[0].kustomization.targetNamspace: got 'targetNamspace'" in out
    assert "did you mean 'targetNamespace'" in out
    assert "spec.syncPolicies[0].kustomization.prune: got 'yes'; expected true or false" in out
    # Our validation bypassed: the real API server (strict field validation) refuses the same object.
    proc = ansible_playbook(inventory, play, "-e", "validate=false")[0]
    assert proc.returncode != 0
    out = proc.stdout
    api = [line.strip() for line in out.splitlines() if ".spec.syncPolicies[0].kustomization" in line]
    print("API server:", *api, sep="\n  ")
    assert "Failed to apply Application broken" in out
    assert ".spec.syncPolicies[0].kustomization.targetNamspace: field not declared in schema" in out, out[-3000:]
    assert ".spec.syncPolicies[0].kustomization.prune: expected boolean" in out, out[-3000:]
    assert kubectl("get", "applications.apps.kurator.dev", "-n", NS, "broken", check=False).returncode != 0


def test_a_member_removed_from_the_topology_leaves_the_fleet(inventory):
    before = {kind: objects(kind) for kind in ("attachedclusters.cluster.kurator.dev", "secrets")}
    app_before = get("applications.apps.kurator.dev", "-n", NS, "podinfo")["metadata"]["resourceVersion"]
    shrunk = write_topology(inventory.parent.parent / "lab-kurator-shrunk" / "topology.yml", drop=(REMOVED,))
    proc, secs = run(shrunk, "--diff")
    assert_ok(proc)
    note(f"kurator: {REMOVED} removed from the topology {secs:.1f}s")
    fleet = get("fleet.fleet.kurator.dev", "-n", NS, FLEET)
    assert [c["name"] for c in fleet["spec"]["clusters"]] == [n for n in MEMBERS if n != REMOVED]
    attached, stored = objects("attachedclusters.cluster.kurator.dev"), objects("secrets")
    assert REMOVED not in attached and f"{REMOVED}-kubeconfig" not in stored
    # nothing else changed
    for name in MEMBERS:
        if name == REMOVED:
            continue
        assert attached[name]["metadata"]["resourceVersion"] == \
            before["attachedclusters.cluster.kurator.dev"][name]["metadata"]["resourceVersion"]
        assert stored[f"{name}-kubeconfig"]["metadata"]["resourceVersion"] == \
            before["secrets"][f"{name}-kubeconfig"]["metadata"]["resourceVersion"]
    assert get("applications.apps.kurator.dev", "-n", NS, "podinfo")["metadata"]["resourceVersion"] == app_before
    # the diff names what went, and no kubeconfig content
    assert f"{REMOVED}-kubeconfig" in proc.stdout
    # back: the member rejoins the fleet
    proc = run(inventory)[0]
    assert_ok(proc)
    assert sorted(objects("attachedclusters.cluster.kurator.dev")) == sorted(MEMBERS)


def test_vvv_output_holds_no_kubeconfig_secret(inventory):
    """The members' client keys, the Secrets' data and the S3 key never appear, even at -vvv with --diff."""
    found = []
    for name in MEMBERS:
        kc = yaml.safe_load((KUBECONFIG_DIR / f"{name}.kubeconfig").read_text())
        for user in kc["users"]:
            found += [v for k, v in user["user"].items() if k in ("client-key-data", "token")]
    stored = objects("secrets")
    found += [stored[f"{n}-kubeconfig"]["data"]["value"] for n in MEMBERS]
    found += [S3_KEY["secret_access_key"], base64.b64encode(S3_KEY["secret_access_key"].encode()).decode()]
    # and a piece of each decoded PEM key (past its BEGIN line)
    found += [base64.b64decode(v).decode()[40:100] for v in found if v.startswith("LS0t")]
    # A changed Secret (a re-joined member) goes through the diff path too.
    kubectl("delete", "secret", "-n", NS, f"{REMOVED}-kubeconfig")
    proc, secs = run(inventory, "-vvv", "--diff")
    assert_ok(proc)
    out = proc.stdout + proc.stderr
    leaked = [s[:12] + "..." for s in found if s and s in out]
    assert not leaked, f"secrets in the -vvv output: {leaked}"
    note(f"kurator: -vvv --diff run {secs:.1f}s, {len(out) // 1024} KiB of output, no kubeconfig secret")


def test_an_application_and_a_restore_dropped_from_the_lists_are_deleted(inventory):
    proc = run(inventory, overrides={"kurator_applications": [], "kurator_backups": [BACKUPS[0], BACKUPS[2]]})[0]
    assert_ok(proc)
    assert kubectl("get", "applications.apps.kurator.dev", "-n", NS, "podinfo", check=False).returncode != 0
    assert kubectl("get", "restores.backup.kurator.dev", "-n", NS, "production-restore", check=False).returncode != 0
    assert kubectl("get", "backups.backup.kurator.dev", "-n", NS, "production-backup", check=False).returncode == 0
    assert FLEET in [f["metadata"]["name"] for f in get("fleet.fleet.kurator.dev", "-n", NS)["items"]]


def test_absent_leaves_nothing(inventory):
    proc, secs = run(inventory, overrides={"kurator_state": "absent"})
    assert_ok(proc)
    note(f"kurator: state absent {secs:.1f}s")
    assert not kurator_crds()
    namespaces = [n["metadata"]["name"] for n in get("namespaces")["items"]]
    assert NS not in namespaces and "kurator-system" not in namespaces
    for operator in OPERATORS:
        for kind in ("clusterrole", "clusterrolebinding"):
            assert kubectl("get", kind, f"kurator-{operator}", check=False).returncode != 0, (kind, operator)
