# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Topology validation and the fleetops.kurator.topology inventory plugin."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import textwrap

import pytest
import yaml

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import label_key_error
from ansible_collections.fleetops.kurator.plugins.module_utils._topology import (
    normalize,
    validate,
)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SAMPLE = os.path.join(REPO, "inventories", "sample", "topology.yml")
KNOWN = {"karmada", "kubeedge", "kubernetes"}


def good():
    return {
        "plugin": "fleetops.kurator.topology",
        "regions": [{"name": "east-china"}, {"name": "north-china"}],
        "clusters": [
            {"name": "host", "role": "host", "region": "north-china", "kubeconfig": "k/host"},
            {"name": "cluster-shanghai", "region": "east-china", "labels": {"environment": "production"},
             "zones": ["east-china-a"], "kubeconfig": "k/sh"},
        ],
        "edge_sites": [
            {"name": "plant-1", "region": "east-china", "cluster": "host",
             "nodes": [{"name": "edge-1", "address": "192.168.1.100", "labels": {"edge-type": "industrial"}},
                       {"name": "edge-2", "address": "edge-2.plant.example"}]},
        ],
        "control_plane_hosts": [{"name": "cp-1", "address": "10.0.0.5", "roles": ["karmada", "kubeedge_cloud"]}],
        "settings": {"artifact_mirror": "https://mirror.local:8080", "versions": {"karmada": "v1.18.2"}},
    }


def mutate(path_and_value):
    """Apply a list of (path, value) edits to a good topology; value DELETE removes the key."""
    data = good()
    for path, value in path_and_value:
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        elif path[-1] == APPEND:
            target.append(value)
        else:
            target[path[-1]] = value
    return data


DELETE = object()
APPEND = "__append__"

# (id, edits, expected field path, a fragment of the expectation)
BAD = [
    ("wrong-plugin", [(("plugin",), "topology")], "plugin", "fleetops.kurator.topology"),
    ("unknown-top-key", [(("clustres",), [])], "clustres", "did you mean 'clusters'"),
    ("regions-missing", [(("regions",), DELETE)], "regions", "non-empty list"),
    ("regions-not-list", [(("regions",), {"name": "x"})], "regions", "a list"),
    ("region-bad-name", [(("regions", 0, "name"), "East_China")], "regions[0].name", "lower-case"),
    ("region-duplicate", [(("regions", 1, "name"), "east-china")], "regions[1].name", "unique"),
    ("region-unknown-key", [(("regions", 0, "zone"), "a")], "regions[0].zone", "known key"),
    ("clusters-empty", [(("clusters",), [])], "clusters", "non-empty list"),
    ("cluster-not-mapping", [(("clusters", APPEND), "cluster-x")], "clusters[2]", "a mapping"),
    ("cluster-typo-key", [(("clusters", 1, "lables"), {"a": "b"})], "clusters[1].lables", "did you mean 'labels'"),
    ("cluster-duplicate", [(("clusters", 1, "name"), "host")], "clusters[1].name", "unique"),
    ("cluster-bad-name", [(("clusters", 1, "name"), "Cluster Shanghai")], "clusters[1].name", "lower-case"),
    ("cluster-bad-role", [(("clusters", 1, "role"), "worker")], "clusters[1].role", "host, member"),
    ("no-host-cluster", [(("clusters", 0, "role"), "member")], "clusters", "exactly one cluster with role: host"),
    ("two-host-clusters", [(("clusters", 1, "role"), "host")], "clusters", "exactly one cluster with role: host"),
    ("cluster-unknown-region", [(("clusters", 1, "region"), "west-china")], "clusters[1].region", "name of a region"),
    ("cluster-missing-region", [(("clusters", 1, "region"), DELETE)], "clusters[1].region", "name of a region"),
    ("cluster-zones-not-list", [(("clusters", 1, "zones"), "east-china-a")], "clusters[1].zones", "a list"),
    ("cluster-zone-empty", [(("clusters", 1, "zones"), [""])], "clusters[1].zones[0]", "non-empty string"),
    ("cluster-label-key", [(("clusters", 1, "labels"), {"-env": "x"})], "clusters[1].labels['-env']", "label key"),
    ("cluster-label-prefix", [(("clusters", 1, "labels"), {"Example.COM/env": "x"})],
     "clusters[1].labels['Example.COM/env']", "prefix"),
    ("cluster-label-value-long", [(("clusters", 1, "labels"), {"env": "x" * 64})], "clusters[1].labels.env",
     "at most 63"),
    ("cluster-label-value-chars", [(("clusters", 1, "labels"), {"env": "prod uction"})], "clusters[1].labels.env",
     "label value"),
    ("cluster-label-value-bool", [(("clusters", 1, "labels"), {"gpu": True})], "clusters[1].labels.gpu",
     "quote it"),
    ("cluster-labels-not-mapping", [(("clusters", 1, "labels"), ["a=b"])], "clusters[1].labels", "a mapping"),
    ("cluster-no-kubeconfig", [(("clusters", 1, "kubeconfig"), DELETE)], "clusters[1].kubeconfig",
     "kubeconfig reference"),
    ("cluster-kubeconfig-type", [(("clusters", 1, "kubeconfig"), 42)], "clusters[1].kubeconfig",
     "kubeconfig reference"),
    ("cluster-sync-mode", [(("clusters", 1, "sync_mode"), "push")], "clusters[1].sync_mode", "Push, Pull"),
    ("cluster-api-endpoint", [(("clusters", 1, "api_endpoint"), "10.0.0.1:6443")], "clusters[1].api_endpoint", "URL"),
    ("cluster-edge-flag", [(("clusters", 0, "edge"), "yes")], "clusters[0].edge", "true or false"),
    ("site-unknown-region", [(("edge_sites", 0, "region"), "mars")], "edge_sites[0].region", "name of a region"),
    ("site-unknown-cluster", [(("edge_sites", 0, "cluster"), "cluster-x")], "edge_sites[0].cluster",
     "name of a cluster"),
    ("site-no-nodes", [(("edge_sites", 0, "nodes"), [])], "edge_sites[0].nodes", "non-empty list"),
    ("site-duplicate", [(("edge_sites", APPEND), {"name": "plant-1", "region": "east-china", "cluster": "host",
                                                  "nodes": [{"name": "edge-9", "address": "10.9.9.9"}]})],
     "edge_sites[1].name", "unique"),
    ("node-bad-ip", [(("edge_sites", 0, "nodes", 0, "address"), "192.168.1.300")],
     "edge_sites[0].nodes[0].address", "IPv4/IPv6"),
    ("node-bad-hostname", [(("edge_sites", 0, "nodes", 0, "address"), "edge_1!.local")],
     "edge_sites[0].nodes[0].address", "IPv4/IPv6"),
    ("node-missing-address", [(("edge_sites", 0, "nodes", 0, "address"), DELETE)],
     "edge_sites[0].nodes[0].address", "IPv4/IPv6"),
    ("node-port-zero", [(("edge_sites", 0, "nodes", 0, "ssh_port"), 0)], "edge_sites[0].nodes[0].ssh_port", "1 to 65535"),
    ("node-port-high", [(("edge_sites", 0, "nodes", 0, "ssh_port"), 70000)], "edge_sites[0].nodes[0].ssh_port",
     "1 to 65535"),
    ("node-port-string", [(("edge_sites", 0, "nodes", 0, "ssh_port"), "22")], "edge_sites[0].nodes[0].ssh_port",
     "1 to 65535"),
    ("node-arch", [(("edge_sites", 0, "nodes", 1, "arch"), "x86_64")], "edge_sites[0].nodes[1].arch", "amd64"),
    ("node-labels", [(("edge_sites", 0, "nodes", 0, "labels"), {"edge type": "industrial"})],
     "edge_sites[0].nodes[0].labels['edge type']", "label key"),
    ("node-name-clashes-cluster", [(("edge_sites", 0, "nodes", 1, "name"), "cluster-shanghai")],
     "edge_sites[0].nodes[1].name", "unique"),
    ("node-duplicate-address", [(("edge_sites", 0, "nodes", 1, "address"), "192.168.1.100")],
     "edge_sites[0].nodes[1].address", "not used by another host"),
    ("node-ssh-user-empty", [(("edge_sites", 0, "nodes", 0, "ssh_user"), "")], "edge_sites[0].nodes[0].ssh_user",
     "non-empty string"),
    ("node-typo-key", [(("edge_sites", 0, "nodes", 0, "adress"), "10.1.1.1")], "edge_sites[0].nodes[0].adress",
     "did you mean 'address'"),
    ("cp-unknown-role", [(("control_plane_hosts", 0, "roles"), ["etcd"])], "control_plane_hosts[0].roles[0]",
     "karmada, kubeedge_cloud, karmada_agent"),
    ("cp-no-roles", [(("control_plane_hosts", 0, "roles"), DELETE)], "control_plane_hosts[0].roles",
     "non-empty list"),
    ("cp-unknown-region", [(("control_plane_hosts", 0, "region"), "mars")], "control_plane_hosts[0].region",
     "name of a region"),
    ("agent-host-push", [(("clusters", 1, "agent_host"), "cp-1")], "clusters[1].agent_host",
     "only with sync_mode: Pull"),
    ("agent-host-unknown", [(("clusters", 1, "sync_mode"), "Pull"), (("clusters", 1, "agent_host"), "gw-9")],
     "clusters[1].agent_host", "control_plane_hosts entry with roles: [karmada_agent]"),
    ("agent-host-without-role", [(("clusters", 1, "sync_mode"), "Pull"), (("clusters", 1, "agent_host"), "cp-1")],
     "clusters[1].agent_host", "add karmada_agent to its roles"),
    ("agent-host-on-host-cluster", [(("clusters", 0, "agent_host"), "cp-1")], "clusters[0].agent_host",
     "only members are joined"),
    ("agent-host-not-string", [(("clusters", 1, "sync_mode"), "Pull"), (("clusters", 1, "agent_host"), ["cp-1"])],
     "clusters[1].agent_host", "control_plane_hosts entry"),
    ("agent-host-typo-key", [(("clusters", 1, "agent_hsot"), "cp-1")], "clusters[1].agent_hsot",
     "did you mean 'agent_host'"),
    ("settings-unknown-key", [(("settings", "artifact_mirorr"), "http://x")], "settings.artifact_mirorr",
     "did you mean 'artifact_mirror'"),
    ("settings-mirror-url", [(("settings", "artifact_mirror"), "mirror.local")], "settings.artifact_mirror", "URL"),
    ("settings-version-component", [(("settings", "versions"), {"karamda": "v1.18.2"})], "settings.versions.karamda",
     "did you mean 'karmada'"),
    ("settings-version-format", [(("settings", "versions"), {"karmada": 1.18})], "settings.versions.karmada",
     "version string"),
    ("settings-install-mode", [(("settings", "karmada_install_mode"), "helm")], "settings.karmada_install_mode",
     "in_cluster, host"),
    ("cluster-batch-bool", [(("clusters", 1, "batch"), "yes")], "clusters[1].batch", "true or false"),
    ("queues-without-batch", [(("clusters", 1, "queues"), [{"name": "q"}])], "clusters[1].queues", "batch: true"),
    ("queue-weight", [(("clusters", 1, "batch"), True), (("clusters", 1, "queues"), [{"name": "q", "weight": 0}])],
     "clusters[1].queues[0].weight", "1 to 65535"),
    ("queue-name", [(("clusters", 1, "batch"), True), (("clusters", 1, "queues"), [{"name": "Q_1"}])],
     "clusters[1].queues[0].name", "queue name"),
    ("queue-capability", [(("clusters", 1, "batch"), True),
                          (("clusters", 1, "queues"), [{"name": "q", "capability": {"cpu": "lots"}}])],
     "clusters[1].queues[0].capability.cpu", "resource quantity"),
    ("queue-typo-key", [(("clusters", 1, "batch"), True), (("clusters", 1, "queues"), [{"name": "q", "wieght": 2}])],
     "clusters[1].queues[0].wieght", "did you mean 'weight'"),
    ("settings-validate-certs", [(("settings", "validate_certs"), "no")], "settings.validate_certs", "true or false"),
    ("settings-s3-endpoint", [(("settings", "s3"), {"endpoint": "s3.local"})], "settings.s3.endpoint", "URL"),
]


@pytest.mark.parametrize("edits,path,expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_each_mistake_is_named(edits, path, expected):
    errors = validate(mutate(edits), known_versions=KNOWN)
    matching = [e for e in errors if e.startswith(path + ": got ")]
    assert matching, "no error for %s in %r" % (path, errors)
    assert any(expected in e for e in matching), matching


def test_enough_distinct_bad_topologies():
    assert len({b[0] for b in BAD}) >= 30


def test_good_topology_has_no_errors():
    assert validate(good(), known_versions=KNOWN) == []


def test_sample_inventory_is_valid():
    with open(SAMPLE) as handle:
        assert validate(yaml.safe_load(handle), known_versions=KNOWN | {"etcd"}) == []


def test_all_errors_reported_together():
    data = mutate([
        (("clusters", 1, "lables"), {"a": "b"}),
        (("clusters", 1, "region"), "west-china"),
        (("edge_sites", 0, "nodes", 0, "address"), "300.1.1.1"),
        (("edge_sites", 0, "nodes", 0, "ssh_port"), 70000),
        (("settings", "artifact_mirror"), "ftp://x"),
    ])
    errors = validate(data, known_versions=KNOWN)
    assert len(errors) == 5, errors
    for fragment in ("clusters[1].lables", "clusters[1].region", "edge_sites[0].nodes[0].address",
                     "edge_sites[0].nodes[0].ssh_port", "settings.artifact_mirror"):
        assert any(e.startswith(fragment) for e in errors)


class EncryptedString(object):
    """Stands in for a vaulted value: decrypting (comparing, repr) would reveal the secret."""

    def __repr__(self):
        return "SECRET-KUBECONFIG"

    def __eq__(self, other):
        raise AssertionError("a vaulted value was decrypted")

    __hash__ = object.__hash__


def test_error_shows_bad_value_but_never_vaulted_content():
    # A vaulted value where a name belongs is an error, shown without its content.
    data = mutate([(("clusters", 1, "context"), EncryptedString())])
    errors = validate(data)
    assert any("clusters[1].context: got <vaulted value>" in e for e in errors)
    assert not any("SECRET" in e for e in errors)


def test_vaulted_kubeconfig_is_accepted_without_decrypting_it():
    # It stays encrypted in the inventory; only a task that uses it decrypts it (docs/topology.md).
    assert validate(mutate([(("clusters", 1, "kubeconfig"), EncryptedString())]), known_versions=KNOWN) == []


def test_vaulted_kubeconfig_through_the_plugin(tmp_path):
    """A real !vault kubeconfig, parsed with no vault secret loaded: it must not need one."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    secret = VaultSecret(b"test-password")
    ciphertext = VaultLib([("default", secret)]).encrypt("apiVersion: v1\nkind: Config\n", secret).decode()
    data = good()
    del data["clusters"][1]["kubeconfig"]
    text = yaml.safe_dump(data)
    text = text.replace("  name: cluster-shanghai\n", "  name: cluster-shanghai\n  kubeconfig: !vault |\n%s\n"
                        % "\n".join("      " + line for line in ciphertext.splitlines()), 1)
    path = tmp_path / "topology.yml"
    path.write_text(text)
    cluster = _inventory(str(path)).get_host("cluster-shanghai").get_vars()
    assert type(cluster["fleetops_kubeconfig"]).__name__ in ("EncryptedString", "AnsibleVaultEncryptedUnicode")


def test_cluster_hosts_carry_no_path_of_the_syncing_machine(tmp_path):
    """An AWX inventory sync stores host vars: the interpreter is resolved when a play runs."""
    import sys

    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(good()))
    cluster = _inventory(str(path)).get_host("cluster-shanghai").get_vars()
    assert cluster["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
    assert sys.executable not in str(cluster["ansible_python_interpreter"])


def test_home_paths_stay_home_paths_in_host_vars(tmp_path, monkeypatch):
    """~ is expanded by the machine that runs the play (ssh, the kubeconfig filter), never by the
    sync: an AWX inventory sync stores host vars, and its HOME is not the job's."""
    from ansible_collections.fleetops.kurator.plugins.filter.kubeconfig import kubeconfig

    monkeypatch.setenv("HOME", "/home/syncer")
    data = good()
    data["clusters"][1]["kubeconfig"] = "~/.kube/shanghai"
    data["edge_sites"][0]["ssh_key"] = "~/.ssh/id_ed25519"
    data["settings"]["ssh"] = {"known_hosts": "~/.ssh/fleet_known_hosts"}
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    everything = repr({h.name: h.get_vars() for h in inv.get_hosts()}) + repr(inv.groups["all"].get_vars())
    assert "/home/syncer" not in everything
    cluster = inv.get_host("cluster-shanghai").get_vars()
    assert cluster["fleetops_kubeconfig"] == "~/.kube/shanghai"
    edge = inv.get_host(data["edge_sites"][0]["nodes"][0]["name"]).get_vars()
    assert edge["ansible_ssh_private_key_file"] == "~/.ssh/id_ed25519"
    assert "UserKnownHostsFile='~/.ssh/fleet_known_hosts'" in edge["ansible_ssh_common_args"]
    # relative paths still resolve against the topology's directory (the project checkout)
    assert inv.get_host("host").get_vars()["fleetops_kubeconfig"] == str(tmp_path / "k" / "host")
    monkeypatch.setenv("HOME", "/runner")
    assert kubeconfig(cluster["fleetops_kubeconfig"]) == "/runner/.kube/shanghai"


@pytest.mark.parametrize("key,ok", [
    ("environment", True), ("edge-type", True), ("kubernetes.io/hostname", True),
    ("node-role.kubernetes.io/edge", True), ("a" * 63, True), ("a" * 64, False),
    ("-x", False), ("x/", False), ("/x", False), ("UPPER.example/x", False), ("", False),
])
def test_label_keys(key, ok):
    assert (label_key_error(key) is None) == ok


def test_normalize_merges_site_defaults_into_nodes():
    data = good()
    data["edge_sites"][0].update({"ssh_user": "ops", "ssh_port": 2222, "labels": {"site": "plant-1"}})
    data["edge_sites"][0]["nodes"][1]["ssh_port"] = 22
    topo = normalize(data)
    first, second = topo["edge_sites"][0]["nodes"]
    assert (first["ssh_user"], first["ssh_port"], first["arch"]) == ("ops", 2222, "amd64")
    assert second["ssh_port"] == 22
    assert first["labels"] == {"site": "plant-1", "edge-type": "industrial"}
    assert topo["clusters"][1]["sync_mode"] == "Push"
    assert topo["settings"]["validate_certs"] is True


def pull_member():
    data = good()
    data["control_plane_hosts"].append({"name": "gw-1", "address": "10.0.0.6", "roles": ["karmada_agent"]})
    data["clusters"][1].update({"sync_mode": "Pull", "agent_host": "gw-1"})
    return data


def test_pull_member_with_agent_host_is_valid():
    assert validate(pull_member(), known_versions=KNOWN) == []
    # Pull without agent_host: the agent runs as a Deployment in the member.
    data = good()
    data["clusters"][1]["sync_mode"] = "Pull"
    assert validate(data, known_versions=KNOWN) == []


def test_agent_host_errors_name_the_hosts_that_would_do():
    data = pull_member()
    data["clusters"][1]["agent_host"] = "gw-2"
    errors = validate(data, known_versions=KNOWN)
    assert len(errors) == 1 and errors[0].startswith("clusters[1].agent_host: got 'gw-2'") and errors[0].endswith(": gw-1")


# --- the inventory plugin, through ansible-core's real InventoryManager -------------------------

def _inventory(path):
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader()
    return InventoryManager(loader=DataLoader(), sources=[path])


def test_sample_inventory_groups_and_labels():
    inv = _inventory(SAMPLE)
    groups = inv.get_groups_dict()
    for group in ("clusters", "host_cluster", "member_clusters", "region_east_china", "site_plant_east_1",
                  "edge_nodes", "kubeedge_cloud", "karmada_control_plane"):
        assert group in groups, group
    assert groups["host_cluster"] == ["host"]
    assert sorted(groups["member_clusters"]) == ["cluster-beijing", "cluster-guangzhou", "cluster-hangzhou",
                                                 "cluster-shanghai"]
    node = inv.get_host("edge-node-01").get_vars()
    assert node["ansible_host"] == "192.168.1.100"
    assert node["fleetops_labels"] == {"region": "east-china", "environment": "production", "edge-type": "industrial"}
    cluster = inv.get_host("cluster-shanghai").get_vars()
    assert cluster["ansible_connection"] == "local"
    assert cluster["fleetops_kubeconfig"] == os.path.join(REPO, "inventories", "sample", "kubeconfigs",
                                                          "cluster-shanghai.kubeconfig")
    assert cluster["fleetops_labels"] == {"environment": "production", "region": "east-china"}


def test_constructed_keyed_groups(tmp_path):
    with open(SAMPLE) as handle:
        data = yaml.safe_load(handle)
    data["keyed_groups"] = [{"key": "fleetops_labels.environment | default('none')", "prefix": "env"}]
    data["groups"] = {"gpu_capable": "'production' in (fleetops_labels.environment | default(''))"}
    path = tmp_path / "fleet.topology.yml"
    path.write_text(yaml.safe_dump(data))
    groups = _inventory(str(path)).get_groups_dict()
    assert sorted(groups["env_production"]) == ["cluster-hangzhou", "cluster-shanghai", "edge-node-01"]
    assert "cluster-beijing" in groups["env_staging"]
    assert sorted(groups["gpu_capable"]) == ["cluster-hangzhou", "cluster-shanghai", "edge-node-01"]


def test_agent_host_groups_and_hostvars(tmp_path):
    data = pull_member()
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    groups = inv.get_groups_dict()
    assert groups["karmada_agents"] == ["gw-1"]
    assert "gw-1" not in groups["kubeedge_cloud"] and "gw-1" not in groups["karmada_control_plane"]
    assert groups["pull_members"] == ["cluster-shanghai"]
    assert inv.get_host("gw-1").get_vars()["fleetops_agent_clusters"] == ["cluster-shanghai"]
    assert inv.get_host("cp-1").get_vars()["fleetops_agent_clusters"] == []
    assert inv.get_host("cluster-shanghai").get_vars()["fleetops_cluster"]["agent_host"] == "gw-1"


def test_batch_clusters_group(tmp_path):
    data = good()
    data["clusters"][1]["batch"] = True
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    assert inv.get_groups_dict()["batch_clusters"] == ["cluster-shanghai"]
    assert inv.get_host("cluster-shanghai").get_vars()["fleetops_cluster"]["batch"] is True
    assert normalize(good())["clusters"][1]["batch"] is False


def test_queues_published_with_defaults(tmp_path):
    data = good()
    data["clusters"][1].update(batch=True, queues=[{"name": "training", "weight": 3, "capability": {"nvidia.com/gpu": 8}},
                                                   {"name": "batch", "reclaimable": False}])
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    assert inv.get_host("cluster-shanghai").get_vars()["fleetops_volcano_queues"] == [
        {"name": "training", "weight": 3, "reclaimable": True, "capability": {"nvidia.com/gpu": 8}},
        {"name": "batch", "weight": 1, "reclaimable": False, "capability": {}}]
    assert inv.get_host("host").get_vars()["fleetops_volcano_queues"] == []


def test_cluster_nodes_group_and_hostvars(tmp_path):
    """A cluster's nodes (SSH hosts for side-loading): their own group, the cluster's SSH settings
    as defaults, the cluster's connection, and the list on the cluster."""
    data = good()
    data["clusters"][1].update({"ssh_user": "ops", "ssh_key": "keys/id", "nodes": [
        {"name": "sh-node-1", "address": "10.1.0.21"},
        {"name": "sh-node-2", "address": "10.1.0.22", "ssh_port": 2222, "arch": "arm64", "labels": {"pool": "a"}}]})
    data["settings"]["side_load_images"] = True
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    groups = inv.get_groups_dict()
    assert groups["cluster_nodes"] == ["sh-node-1", "sh-node-2"] == groups["nodes_cluster_shanghai"]
    assert "sh-node-1" in groups["region_east_china"] and "sh-node-1" not in groups["edge_nodes"]
    cluster = inv.get_host("cluster-shanghai").get_vars()
    assert cluster["fleetops_cluster_nodes"] == ["sh-node-1", "sh-node-2"]
    assert inv.groups["all"].get_vars()["fleetops_side_load_images"] is True
    assert inv.get_host("host").get_vars()["fleetops_cluster_nodes"] == []
    one, two = (inv.get_host(n).get_vars() for n in ("sh-node-1", "sh-node-2"))
    assert (one["fleetops_kind"], one["fleetops_node_cluster"], one["ansible_user"], one["ansible_port"], one["fleetops_arch"]) == \
        ("cluster_node", "cluster-shanghai", "ops", 22, "amd64")
    assert one["ansible_ssh_private_key_file"] == str(tmp_path / "keys" / "id")
    assert (two["ansible_port"], two["fleetops_arch"], two["fleetops_labels"]) == (2222, "arm64", {"pool": "a"})
    # the node's own copy of its cluster's kubeconfig reference (an AWX slice may not hold the cluster)
    assert "hostvars['sh-node-1'].fleetops_k8s_kubeconfig" in str(one["fleetops_k8s"]["kubeconfig"])
    assert one["fleetops_k8s_kubeconfig"] == cluster["fleetops_kubeconfig"]
    assert normalize(good())["settings"]["side_load_images"] is False


@pytest.mark.parametrize("edit, field, expected", [
    ({"nodes": [{"name": "host", "address": "10.9.0.1"}]}, "clusters[1].nodes[0].name", "unique"),
    ({"nodes": [{"name": "n-1", "address": "10.9.0.1"}, {"name": "n-2", "address": "10.9.0.1"}]}, "clusters[1].nodes[1].address",
     "not used by another host"),
    ({"nodes": [{"name": "n-1"}]}, "clusters[1].nodes[0].address", "an IPv4/IPv6 address"),
    ({"nodes": [{"name": "n-1", "address": "10.9.0.1", "role": "worker"}]}, "clusters[1].nodes[0].role", "known key"),
    ({"nodes": "n-1"}, "clusters[1].nodes", "a list"),
    ({"ssh_port": 0, "nodes": []}, "clusters[1].ssh_port", "from 1 to 65535"),
])
def test_cluster_nodes_rejected(edit, field, expected):
    data = good()
    data["clusters"][1].update(edit)
    errors = validate(data, known_versions=KNOWN)
    assert any(e.startswith(field + ":") and expected in e for e in errors), errors


@pytest.mark.parametrize("ssh, expected", [
    (None, None),
    ({"known_hosts": "keys/known_hosts"}, "-o UserKnownHostsFile={base}/keys/known_hosts -o StrictHostKeyChecking=yes"),
    ({"known_hosts": "/etc/fleet/known hosts", "trust_on_first_use": True},
     "-o UserKnownHostsFile='/etc/fleet/known hosts' -o StrictHostKeyChecking=accept-new"),
    # ~ stays for ssh to expand on the machine that runs the play (an AWX EE's HOME, not the sync's)
    ({"trust_on_first_use": True}, "-o UserKnownHostsFile='~/.fleetops/{name}/known_hosts' -o StrictHostKeyChecking=accept-new"),
])
def test_host_keys_are_verified_against_the_topologys_known_hosts(tmp_path, ssh, expected):
    data = good()
    data["clusters"][1]["nodes"] = [{"name": "sh-node-1", "address": "10.1.0.21"}]
    if ssh is not None:
        data["settings"]["ssh"] = ssh
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    for host in ("edge-1", "cp-1", "sh-node-1"):
        got = inv.get_host(host).get_vars().get("ansible_ssh_common_args")
        assert got == (expected.format(base=tmp_path, name=tmp_path.name) if expected else None), host
    assert "ansible_ssh_common_args" not in inv.get_host("host").get_vars()   # a cluster: no SSH


@pytest.mark.parametrize("ssh, field", [
    ({"known_host": "x"}, "settings.ssh.known_host"),
    ({"trust_on_first_use": "yes"}, "settings.ssh.trust_on_first_use"),
    ({"known_hosts": 3}, "settings.ssh.known_hosts"),
    ("strict", "settings.ssh"),
])
def test_ssh_settings_rejected(ssh, field):
    data = good()
    data["settings"]["ssh"] = ssh
    assert any(e.startswith(field + ":") for e in validate(data, known_versions=KNOWN)), validate(data, known_versions=KNOWN)


@pytest.mark.parametrize("where", [("settings", "artifact_mirror"), ("clusters", 1, "api_endpoint")])
def test_plain_http_only_with_the_flag(where):
    data = good()
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = "http://10.0.0.9:8080"
    field = ".".join(str(k) for k in where).replace("clusters.1", "clusters[1]")
    errors = validate(data, known_versions=KNOWN)
    assert any(e.startswith(field + ":") and "allow_insecure_http" in e for e in errors), errors
    data["settings"]["allow_insecure_http"] = True
    assert validate(data, known_versions=KNOWN) == []


def test_side_load_images_must_be_a_bool():
    data = good()
    data["settings"]["side_load_images"] = "yes"
    assert any(e.startswith("settings.side_load_images:") and "true or false" in e
               for e in validate(data, known_versions=KNOWN))


def test_plugin_rejects_bad_file_with_every_error(tmp_path):
    from ansible.errors import AnsibleError
    from ansible.plugins.loader import inventory_loader, init_plugin_loader
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader

    init_plugin_loader()
    data = copy.deepcopy(good())
    data["clusters"][1]["region"] = "west-china"
    data["edge_sites"][0]["nodes"][0]["ssh_port"] = 0
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    plugin = inventory_loader.get("fleetops.kurator.topology")
    assert plugin.verify_file(str(path))
    with pytest.raises(AnsibleError) as err:
        plugin.parse(InventoryData(), DataLoader(), str(path))
    text = str(err.value)
    assert "2 error(s)" in text and str(path) in text
    assert "clusters[1].region: got 'west-china'" in text
    assert "edge_sites[0].nodes[0].ssh_port: got 0" in text


def test_plugin_only_claims_topology_files(tmp_path):
    from ansible.plugins.loader import inventory_loader, init_plugin_loader

    init_plugin_loader()
    plugin = inventory_loader.get("fleetops.kurator.topology")
    for name, claimed in (("topology.yml", True), ("prod.topology.yaml", True), ("hosts.yml", False)):
        path = tmp_path / name
        path.write_text(textwrap.dedent("plugin: fleetops.kurator.topology\n"))
        assert plugin.verify_file(str(path)) is claimed, name


# --- inventory at scale (issue 12) ------------------------------------------------------------

def _fleet(nodes):
    data = good()
    data["edge_sites"][0]["nodes"] = [{"name": "edge-%d" % i, "address": "10.1.%d.%d" % (i // 250, i % 250 + 1)}
                                      for i in range(nodes)]
    return data


def test_no_host_carries_the_whole_topology(tmp_path):
    """The topology was set on group all: every host's variables held every other host (quadratic --list)."""
    import json

    sizes = {}
    for nodes in (10, 300):
        (tmp_path / ("n%d" % len(sizes))).mkdir()  # same-length paths: inventory_dir is a host variable too
        path = tmp_path / ("n%d" % len(sizes)) / "topology.yml"
        path.write_text(yaml.safe_dump(_fleet(nodes)))
        inv = _inventory(str(path))
        assert "fleetops_topology" not in inv.groups["all"].get_vars()
        hostvars = inv.get_host("edge-1").get_vars()
        assert "fleetops_topology" not in hostvars
        assert hostvars["fleetops_edge_site"] == "plant-1"
        sizes[nodes] = len(json.dumps(dict(hostvars, **inv.groups["all"].get_vars()), default=str))
    # One host's variables do not grow with the fleet.
    assert sizes[10] == sizes[300]


def test_settings_still_on_every_host(tmp_path):
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(good()))
    inv = _inventory(str(path))
    assert inv.groups["all"].get_vars()["fleetops_settings"]["artifact_mirror"] == "https://mirror.local:8080"


def test_constructed_options_are_templates_but_topology_values_are_not(tmp_path):
    """The plugin reads its constructed options from the data it loaded (not a second parse): they stay
    templates, while a value in the topology that looks like a template stays plain text."""
    from ansible.template import is_trusted_as_template

    data = good()
    data["edge_sites"][0]["nodes"][0]["labels"] = {"edge-type": "industrial"}
    data["regions"][0]["display_name"] = "{{ 6 * 7 }}"
    data["compose"] = {"answer": "6 * 7"}
    data["keyed_groups"] = [{"key": "fleetops_labels['edge-type'] | default('none')", "prefix": "type"}]
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    assert inv.get_host("edge-1").get_vars()["answer"] == 42
    assert "edge-1" in [h.name for h in inv.groups["type_industrial"].get_hosts()]
    edge = inv.get_host("edge-1").get_vars()
    assert not is_trusted_as_template(edge["fleetops_edge_site"])
    assert not any(is_trusted_as_template(v) for v in edge["fleetops_labels"].values())


def _parse_error(path):
    from ansible.errors import AnsibleError
    from ansible.plugins.loader import inventory_loader, init_plugin_loader
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader

    init_plugin_loader()
    with pytest.raises(AnsibleError) as err:
        inventory_loader.get("fleetops.kurator.topology").parse(InventoryData(), DataLoader(), str(path))
    return str(err.value)


SUM = "ab" * 32


def test_artifact_checksums_are_read_relative_to_the_topology(tmp_path):
    (tmp_path / "sums").mkdir()
    (tmp_path / "sums" / "release.sha256").write_text(
        "# pinned from the releases' published checksums\n\n%s  etcd-io/etcd/releases/download/v3.6.14/etcd.tar.gz\n"
        "%s *./images/registry.k8s.io/pause/3.10/linux-amd64.tar\n" % (SUM, "cd" * 32))
    data = good()
    data["settings"] = {"artifact_checksums": "sums/release.sha256"}
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    hostvars = _inventory(str(path)).groups["all"].get_vars()
    assert hostvars["fleetops_artifact_checksums"] == {
        "etcd-io/etcd/releases/download/v3.6.14/etcd.tar.gz": SUM,
        "images/registry.k8s.io/pause/3.10/linux-amd64.tar": "cd" * 32}
    assert hostvars["fleetops_allow_unpinned_checksums"] is False


@pytest.mark.parametrize("content, expected", [
    ("%s etcd.tar.gz\n" % SUM[:63], "sums.txt:1: got 'a"),
    ("%s  a\n%s  a\n" % (SUM, "cd" * 32), "sums.txt:2: a is listed twice with different sha256"),
    ("%s\n" % SUM, "expected '<sha256 in 64 lowercase hex digits>  <release path>'"),
    (None, "settings.artifact_checksums: cannot read"),
])
def test_bad_artifact_checksums_are_refused_naming_the_line(tmp_path, content, expected):
    if content is not None:
        (tmp_path / "sums.txt").write_text(content)
    data = good()
    data["settings"] = {"artifact_checksums": "sums.txt"}
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    text = _parse_error(path)
    assert expected in text and str(path) in text, text


def test_allow_unpinned_checksums_is_a_boolean():
    data = good()
    data["settings"] = {"allow_unpinned_checksums": "yes", "artifact_checksums": 5}
    errors = "\n".join(validate(data))
    assert "settings.allow_unpinned_checksums: got 'yes'; expected true or false" in errors
    assert "settings.artifact_checksums: got 5" in errors


def test_one_identity_toward_kubernetes_for_roles_and_modules():
    """Roles read the field manager and managed-by value the modules use (module_utils._identity)."""
    from ansible_collections.fleetops.kurator.plugins.module_utils import _identity, _k8s, _policy

    published = _inventory(SAMPLE).groups["all"].get_vars()
    assert published["fleetops_field_manager"] == _identity.FIELD_MANAGER == _k8s.FIELD_MANAGER
    assert published["fleetops_managed_by"] == _identity.MANAGED_BY == _policy.MANAGED_BY
    assert label_key_error(_identity.MANAGED_BY_LABEL) is None
    roles = os.path.join(REPO, "roles")
    literals = []
    for root, dummy, files in os.walk(roles):
        for name in files:
            with open(os.path.join(root, name)) as handle:
                text = handle.read()
            for spelling in (_identity.FIELD_MANAGER,) + _identity.LEGACY_FIELD_MANAGERS:
                for line in text.splitlines():
                    if ("managed-by" in line or "field_manager" in line) and spelling in line:
                        literals.append("%s: %s" % (os.path.relpath(os.path.join(root, name), REPO), line.strip()))
    assert not literals, "roles read fleetops_field_manager / fleetops_managed_by, not a literal:\n" + "\n".join(literals)
