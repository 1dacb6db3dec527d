"""reset.yml removes what the collection installed (issue 18): afterwards a listing of the lab's
clusters and hosts finds nothing the collection created, a second reset changes nothing, and
site.yml converges again (test_site, next in the suite, installs from the reset lab).

The listing is this file's own, not the roles': namespaces and API groups of every component,
everything labelled app.kubernetes.io/managed-by=fleetops-kurator, the edge Nodes, and on the SSH
hosts the units, directories and binaries the roles install.

Runs after the component tests (Karmada, KubeEdge and the agent host installed); on its own:
  .venv/bin/pytest -m lab -v -s tests/integration/test_reset.py
"""
from __future__ import annotations

import pytest
import yaml

from conftest import CLUSTERS, KUBECONFIG_DIR, REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, assert_unchanged, karmada_kubeconfig, note, recap, ssh

pytestmark = pytest.mark.lab

RESET = REPO / "playbooks" / "reset.yml"
SITE = REPO / "playbooks" / "site.yml"
MANAGED_BY = "app.kubernetes.io/managed-by=fleetops-kurator"
NAMESPACES = ("karmada-system", "karmada-cluster", "kubeedge", "volcano-system", "istio-system", "velero",
              "monitoring", "thanos", "kurator-system", "kurator-fleet")
CRD_GROUPS = ("karmada.io", "kubeedge.io", "volcano.sh", "istio.io", "velero.io", "monitoring.coreos.com",
              "kurator.dev")
BINARIES = ("etcd", "etcdctl", "kube-apiserver", "kube-controller-manager", "karmada-aggregated-apiserver",
            "karmada-controller-manager", "karmada-scheduler", "karmada-webhook", "karmada-agent", "cloudcore",
            "edgecore")
HOST_PATHS = ("/etc/karmada", "/var/lib/karmada", "/etc/karmada-agent", "/etc/kubeedge", "/var/lib/kubeedge",
              "/var/lib/edged", "/var/lib/fleetops") + tuple(f"/usr/local/bin/{b}" for b in BINARIES)
# Written by edge_node on the edge hosts only (elsewhere the lab image's own may exist).
EDGE_PATHS = ("/etc/containerd/config.toml", "/etc/cni/net.d/10-fleetops-edge.conflist")
UNIT_PATTERNS = ("karmada-*", "cloudcore*", "edgecore*")
# What an install from site.yml leaves in the lab: the reset must have something to remove.
INSTALLED = ("karmada-1: unit karmada-apiserver.service", "cloudcore-1: unit cloudcore.service",
             "gw-hangzhou: unit karmada-agent-cluster-hangzhou.service", "host: edge Node edge-a-1")
SKIPPED = "velero,kurator,observability,volcano,istio"


def ssh_hosts() -> dict[str, tuple[dict, tuple[str, ...]]]:
    """name -> (topology entry, the paths to look for there)."""
    topology = yaml.safe_load(TOPOLOGY.read_text())
    hosts = {h["name"]: (h, HOST_PATHS) for h in topology["control_plane_hosts"]}
    for site in topology["edge_sites"]:
        hosts.update({n["name"]: (n, HOST_PATHS + EDGE_PATHS) for n in site["nodes"]})
    return hosts


def host_listing() -> list[str]:
    units = " ".join(repr(u) for u in UNIT_PATTERNS)
    found = []
    for name, (host, paths) in ssh_hosts().items():
        # A unit systemd still reports as not-found is gone (its file deleted, systemd reloaded).
        script = (f"for p in {' '.join(paths)}; do [ -e $p ] && echo path $p; done; "
                  f"systemctl list-units --all --plain --no-legend {units} | awk '$2 != \"not-found\" {{print \"unit \" $1}}'; "
                  f"systemctl list-unit-files --plain --no-legend {units} | awk '{{print \"unit \" $1}}'; true")
        proc = ssh(host["address"], script, port=host.get("ssh_port", 22))
        assert proc.returncode == 0, f"{name}: listing failed: {proc.stderr}"
        found += sorted({f"{name}: {line}" for line in proc.stdout.splitlines() if line.strip()})
    return found


def cluster_listing() -> list[str]:
    from kubernetes import client, config
    found = []
    targets = {c: KUBECONFIG_DIR / f"{c}.kubeconfig" for c in CLUSTERS}
    if karmada_kubeconfig(TOPOLOGY).exists():
        targets["karmada"] = karmada_kubeconfig(TOPOLOGY)
    for cluster, kubeconfig in targets.items():
        api = config.new_client_from_config(str(kubeconfig))
        core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
        admission, ext = client.AdmissionregistrationV1Api(api), client.ApiextensionsV1Api(api)
        try:
            found += [f"{cluster}: namespace {ns.metadata.name}" for ns in core.list_namespace().items
                      if ns.metadata.name in NAMESPACES or (ns.metadata.labels or {}).get(
                          "app.kubernetes.io/managed-by") == "fleetops-kurator"]
        except Exception as exc:  # noqa: BLE001 - Karmada's kubeconfig left behind with no API to answer
            found.append(f"{cluster}: API not answering ({type(exc).__name__}) though its kubeconfig is still there")
            continue
        found += [f"{cluster}: CRD {crd.metadata.name}" for crd in ext.list_custom_resource_definition().items
                  if crd.spec.group.endswith(CRD_GROUPS)]
        found += [f"{cluster}: edge Node {n.metadata.name}"
                  for n in core.list_node(label_selector="node-role.kubernetes.io/edge").items]
        labelled = [
            ("ClusterRole", rbac.list_cluster_role), ("ClusterRoleBinding", rbac.list_cluster_role_binding),
            ("MutatingWebhookConfiguration", admission.list_mutating_webhook_configuration),
            ("ValidatingWebhookConfiguration", admission.list_validating_webhook_configuration),
            ("Secret", core.list_secret_for_all_namespaces), ("ConfigMap", core.list_config_map_for_all_namespaces),
            ("ServiceAccount", core.list_service_account_for_all_namespaces),
            ("Service", core.list_service_for_all_namespaces),
        ]
        for kind, lister in labelled:
            found += [f"{cluster}: {kind} {o.metadata.namespace + '/' if o.metadata.namespace else ''}{o.metadata.name}"
                      for o in lister(label_selector=MANAGED_BY).items]
    return found


def listing() -> list[str]:
    return cluster_listing() + host_listing() + (
        [f"controller: {karmada_kubeconfig(TOPOLOGY)}"] if karmada_kubeconfig(TOPOLOGY).exists() else [])


@pytest.fixture(scope="module")
def installed() -> list[str]:
    """The lab as the suite leaves it before the reset; installed by site.yml when run alone."""
    before = listing()
    if not all(item in before for item in INSTALLED):
        assert_ok(ansible_playbook(TOPOLOGY, SITE, "--skip-tags", SKIPPED, timeout=2400)[0])
        before = listing()
    missing = [item for item in INSTALLED if item not in before]
    assert not missing, f"site.yml did not install {missing}: the reset would have nothing to prove"
    return before


def test_refuses_without_confirmation_and_check_mode_removes_nothing(installed):
    proc = ansible_playbook(TOPOLOGY, RESET, timeout=300)[0]
    assert proc.returncode != 0 and "reset_confirm=yes" in proc.stdout, proc.stdout[-2000:]
    assert recap(proc.stdout).get("localhost", {}).get("failed") == 1, "it must stop in its first play"
    proc, seconds = ansible_playbook(TOPOLOGY, RESET, "--check", "--diff", timeout=1200)
    assert_ok(proc)
    would = sum(r.get("changed", 0) for r in recap(proc.stdout).values())
    note(f"reset.yml --check --diff: {seconds:.0f}s, {would} changes reported")
    assert would > 0, "check mode on an installed lab reported nothing to remove"
    gone = sorted(set(installed) - set(listing()))
    assert not gone, f"check mode removed {gone}"


def test_reset_leaves_nothing_the_collection_created_and_a_second_run_changes_nothing(installed):
    proc, seconds = ansible_playbook(TOPOLOGY, RESET, "-e", "reset_confirm=yes", timeout=1800)
    assert_ok(proc)
    left = listing()
    note(f"reset.yml: {seconds:.0f}s, {len(installed)} items listed before, {len(left)} after")
    assert not left, f"reset.yml left {left}"
    proc, seconds = ansible_playbook(TOPOLOGY, RESET, "-e", "reset_confirm=yes", timeout=900)
    note(f"reset.yml again: {seconds:.0f}s")
    assert_unchanged(proc)
