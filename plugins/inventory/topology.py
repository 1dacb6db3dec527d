# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: topology
short_description: Fleet inventory from one topology of regions, clusters and edge sites
version_added: 0.1.0
description:
  - Reads a topology file named C(topology.yml), C(topology.yaml), C(*.topology.yml) or C(*.topology.yaml).
  - Validates the whole file before anything else runs and reports every problem in one error,
    each naming the file, the field path, the bad value and what was expected.
  - An empty file, a file that is not UTF-8, a symlink loop, duplicate keys and YAML aliases that expand
    the document by more than a million nodes (a "billion laughs") are errors too.
  - Clusters become hosts with a local connection and their kubeconfig, so plays can target
    C(member_clusters). Edge nodes and control-plane hosts become SSH hosts.
  - "Groups: C(clusters), C(host_cluster), C(member_clusters), C(region_<name>), C(site_<name>), C(edge_nodes),
    C(kubeedge_cloud), C(karmada_control_plane), C(karmada_agents), C(control_plane_hosts), C(push_members),
    C(pull_members), C(edge_clusters) (clusters with C(edge: true), registered in Karmada as edge clusters),
    C(batch_clusters) (clusters with C(batch: true), where Volcano and its queues go),
    C(monitored_clusters) (clusters with C(monitoring: true): HA Prometheus with a Thanos sidecar),
    C(observability_clusters) (the one cluster with C(observability: true): the Thanos global view),
    C(mesh_clusters) (clusters with C(mesh: true): istiod, one multi-primary Istio mesh).
    Dashes in region and site names become underscores in group names."
  - "Resolved once, here, for every play and role: C(fleetops_artifact_versions) (the pin file overridden by
    C(settings.versions)), C(fleetops_artifact_mirror), C(fleetops_validate_certs), C(fleetops_cloudcore_address)
    and C(fleetops_cloudcore_addresses), C(fleetops_controller_dir), C(fleetops_karmada_pki_dir),
    C(fleetops_karmada_kubeconfig_path), C(fleetops_s3) (C(settings.s3) with its defaults; its secret key is left out
    of C(fleetops_settings)), C(fleetops_field_manager) and C(fleetops_managed_by) (the collection's one
    identity toward Kubernetes - server-side apply field manager and C(app.kubernetes.io/managed-by) value),
    and per host C(fleetops_k8s): the connection of the host's cluster
    (a cluster's own; an edge node's site cluster; a control-plane host's host cluster) as C(module_defaults)
    for C(group/kubernetes.core.k8s) and C(group/fleetops.kurator.k8s) take it."
  - See C(docs/topology.md) in the collection for a complete annotated example.
extends_documentation_fragment:
  - ansible.builtin.constructed
options:
  plugin:
    description: Marks this file as a topology for this plugin.
    type: str
    required: true
    choices: [fleetops.kurator.topology]
  regions:
    description:
      - Regions, each C({name, display_name, labels}).
      - Required; checked with the rest of the topology, so that every mistake is reported in one error.
    type: list
    elements: dict
  clusters:
    description:
      - Kubernetes clusters, each C({name, role (host|member), region, zones, provider, labels, kubeconfig,
        context, sync_mode (Push|Pull), api_endpoint, agent_host, edge, batch, monitoring, observability, mesh, network, nodes,
        ssh_user, ssh_port, ssh_key, arch}).
      - C(nodes) are the cluster's worker nodes the collection reaches over SSH, each
        C({name, address, ssh_user, ssh_port, ssh_key, arch, labels}), to side-load images into their
        containerd when C(settings.side_load_images) is true; the cluster's SSH settings are their defaults.
      - C(kubeconfig) is a path relative to the topology file (or absolute), or a vaulted kubeconfig.
      - Required; checked with the rest of the topology.
    type: list
    elements: dict
  edge_sites:
    description:
      - Edge sites, each C({name, region, cluster, labels, ssh_user, ssh_port, ssh_key, arch, nodes}).
      - Each node is C({name, address, ssh_user, ssh_port, ssh_key, arch, labels}); site-level SSH settings,
        arch and labels are defaults for its nodes.
    type: list
    elements: dict
    default: []
  control_plane_hosts:
    description: Hosts for host-mode installs, each C({name, address, ssh_user, ssh_port, ssh_key, arch, roles, region, labels}).
    type: list
    elements: dict
    default: []
  settings:
    description:
      - Fleet-wide choices C({artifact_mirror, artifact_checksums, allow_unpinned_checksums, versions, karmada_install_mode,
        kubeedge_install_mode, kubeedge_advertise_address, validate_certs, allow_loopback_addresses, allow_insecure_http,
        side_load_images, ssh, s3, mesh, vars}).
      - C(mesh) is the Istio mesh of the clusters with C(mesh=true) C({id, trust_domain, network}) (defaults C(mesh1),
        C(cluster.local), C(network1)); a cluster's C(network) overrides the default network. Each mesh cluster gets
        C(fleetops_mesh) C({id, trust_domain, network, cluster_id}) (the cluster ID is the cluster's name).
      - C(artifact_checksums) (a path relative to the topology file) is a sha256sum-format manifest, C(<sha256>  <release path>)
        per line, the path relative to the mirror root (as the artifact table's C(mirror) paths); every download and image
        archive is checked against it. An artifact without a pinned sha256 (here or in the artifact table) is refused unless
        C(allow_unpinned_checksums=true), which checks it against the C(<asset>.sha256) served beside it (the same origin,
        so integrity only); preflight reports that.
      - URLs (C(artifact_mirror), C(s3.endpoint), a cluster's C(api_endpoint)) must be C(https://) unless
        C(allow_insecure_http=true) (default C(false)); preflight lists the plain-http ones it accepted.
      - C(ssh.known_hosts) (a path relative to the topology file) is the known_hosts file every SSH host's key is
        verified against (C(StrictHostKeyChecking=yes)); with C(ssh.trust_on_first_use=true) a new host's key is
        recorded at first contact (C(accept-new), in C(<controller dir>/known_hosts) unless C(known_hosts) is set)
        and a changed key is still refused. Without either, ssh's own configuration applies (C(~/.ssh/known_hosts)).
      - C(s3) is the fleet's S3-compatible object store C({endpoint, region, force_path_style, checksum_algorithm, ca_file,
        buckets, access_key_id, secret_access_key, credentials_file, profile}). C(buckets) maps a purpose
        (C(velero), C(thanos)) to a bucket; credentials are an access key pair (plain or vaulted) or an AWS shared
        credentials file (relative to the topology file) with C(profile), never both.
      - Host addresses may be loopback addresses (C(127.0.0.1), C(::1), C(localhost)) only with
        C(allow_loopback_addresses=true) (default C(false)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
# inventories/prod/topology.yml
plugin: fleetops.kurator.topology
regions:
  - name: east-china
clusters:
  - name: host
    role: host
    region: east-china
    kubeconfig: kubeconfigs/host.kubeconfig
  - name: cluster-shanghai
    region: east-china
    labels: {environment: production}
    kubeconfig: kubeconfigs/shanghai.kubeconfig
edge_sites:
  - name: plant-1
    region: east-china
    cluster: host
    ssh_user: ops
    nodes:
      - name: edge-node-01
        address: 192.168.1.100
        labels: {edge-type: industrial}
keyed_groups:
  - key: fleetops_labels.environment | default('none')
    prefix: env
"""

import errno
import os
import shlex

import yaml  # a controller requirement of ansible-core
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible.utils.unsafe_proxy import wrap_var

try:  # ansible-core >= 2.19: only trusted strings are templated
    from ansible.template import trust_as_template
except ImportError:  # pragma: no cover - ansible-core 2.18
    def trust_as_template(value):
        return value

from ansible_collections.fleetops.kurator.plugins.module_utils._identity import FIELD_MANAGER, MANAGED_BY
from ansible_collections.fleetops.kurator.plugins.module_utils._labels import is_vaulted
from ansible_collections.fleetops.kurator.plugins.module_utils._topology import (
    CONTROL_PLANE_GROUPS,
    TopologyError,
    group_name,
    normalize,
    parse_checksums,
    validate,
)

# Aliases may add this many nodes to the document in all; a ~600-byte "billion laughs"
# adds hundreds of millions. A topology of 10,000 edge hosts has ~150,000 nodes in all.
ALIAS_EXPANSION_LIMIT = 1000000
NESTING_LIMIT = 100
# The options ansible-core reads for this plugin (the constructed feature); the topology itself
# is validated by _topology.validate, not by the option machinery.
OPTION_KEYS = ("plugin", "compose", "groups", "keyed_groups", "strict", "use_extra_vars", "leading_separator",
               "use_vars_plugins")

# Controller-side state of a topology: one directory per inventory directory.
CONTROLLER_DIR = "~/.fleetops/%s"
PIN_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "_artifacts", "defaults", "main", "versions.yml")


class InventoryModule(BaseInventoryPlugin, Constructable):
    NAME = "fleetops.kurator.topology"

    def verify_file(self, path):
        name = os.path.basename(path)
        # A topology file that exists but cannot be read (a symlink loop, a dangling link) is
        # claimed too, so that parse() says why instead of every plugin skipping it silently.
        return (name in ("topology.yml", "topology.yaml") or name.endswith((".topology.yml", ".topology.yaml"))) and (
            super(InventoryModule, self).verify_file(path) or os.path.lexists(path))

    def parse(self, inventory, loader, path, cache=False):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        data = self._load(path)
        errors = validate(data, self.NAME, self._known_components())
        if errors:
            raise AnsibleParserError(to_native(TopologyError(path, errors)))
        # Not _read_config_data(path): it parses the file a second time and deep-copies all of it,
        # two thirds of the time at 10,000 hosts, to read the few constructed options. Those are
        # templates the file's author wrote, trusted as _read_config_data trusts them; the
        # topology's own values stay untrusted.
        self.set_options(direct=dict((key, _trusted(data[key])) for key in OPTION_KEYS if key in data),
                         var_options=self._vars)
        topo = normalize(data)
        base = os.path.dirname(os.path.abspath(path))
        self._controller_dir = CONTROLLER_DIR % (os.path.basename(base) or "default")
        for cluster in topo["clusters"]:
            cluster["kubeconfig"] = self._kubeconfig_ref(cluster["kubeconfig"], base)
        nodes = [n for group in topo["edge_sites"] + topo["clusters"] for n in group["nodes"]]
        for host in nodes + topo["control_plane_hosts"]:
            if host.get("ssh_key"):
                host["ssh_key"] = _local_path(host["ssh_key"], base)
        ssh = topo["settings"]["ssh"]
        if ssh["known_hosts"]:
            ssh["known_hosts"] = _local_path(ssh["known_hosts"], base)
        elif ssh["trust_on_first_use"]:
            ssh["known_hosts"] = os.path.join(self._controller_dir, "known_hosts")
        self._ssh_args = _host_key_args(ssh)
        self._checksums = self._read_checksums(topo["settings"], base, path)
        s3 = topo["settings"]["s3"]
        for key in ("ca_file", "credentials_file"):
            if s3[key]:
                s3[key] = os.path.normpath(os.path.join(base, os.path.expanduser(s3[key])))
        self._populate(topo)

    @staticmethod
    def _read_checksums(settings, base, path):
        """settings.artifact_checksums: the operator's pinned sha256 of every artifact, read here
        on the controller (never fetched from the origin the artifacts come from)."""
        if not settings["artifact_checksums"]:
            return {}
        manifest = os.path.normpath(os.path.join(base, os.path.expanduser(settings["artifact_checksums"])))
        try:
            with open(manifest, "rb") as handle:
                text = decode_text(handle.read(), manifest)
        except (IOError, OSError) as exc:
            raise AnsibleParserError(to_native(TopologyError(path, [
                "settings.artifact_checksums: cannot read %s (%s); expected a sha256sum-format file of the "
                "artifacts' sha256" % (manifest, exc.strerror or exc)])))
        try:
            return parse_checksums(text, manifest)
        except ValueError as exc:
            raise AnsibleParserError(to_native(TopologyError(path, ["settings.artifact_checksums: %s" % exc])))

    def _load(self, path):
        """The topology document, or AnsibleParserError saying plainly why there is none."""
        try:
            os.stat(path)
        except OSError as exc:
            reason = "a symlink loop" if exc.errno == errno.ELOOP else os.strerror(exc.errno or 0)
            raise AnsibleParserError("%s: cannot be read: %s; expected a readable topology file" % (path, reason))
        try:
            # Decrypts a vault-encrypted file (the ini plugin reads files the same way).
            b_data, show_content = self.loader._get_file_contents(path)
        except AnsibleError as exc:
            raise AnsibleParserError("%s: cannot be read: %s" % (path, to_native(exc)))
        text = decode_text(b_data, path)
        check_yaml(text, path)
        data = self.loader.load(text, file_name=path, show_content=show_content)
        if data is None:
            raise AnsibleParserError(to_native(TopologyError(path, [
                "the file is empty (or only comments); expected a topology mapping that starts with "
                "'plugin: %s'" % self.NAME])))
        return data

    @staticmethod
    def _known_components():
        pins = read_pins()
        return set(pins) if pins is not None else None

    @staticmethod
    def _kubeconfig_ref(value, base):
        # A vaulted kubeconfig stays encrypted in the inventory; only a task that uses it decrypts it.
        if is_vaulted(value):
            return value
        if "\n" in value:
            return value  # inline content (for instance from a vault-encrypted vars file)
        return _local_path(value, base)

    def _populate(self, topo):
        inv = self.inventory
        for group in ("clusters", "host_cluster", "member_clusters", "push_members", "pull_members", "edge_clusters", "batch_clusters",
                      "monitored_clusters", "observability_clusters", "mesh_clusters", "edge_nodes",
                      "cluster_nodes", "kubeedge_cloud", "karmada_control_plane", "karmada_agents", "control_plane_hosts"):
            inv.add_group(group)
        for region in topo["regions"]:
            inv.add_group(group_name("region", region["name"]))
        # Only the settings and what derives from them go on every host. Each host carries its
        # own entry (fleetops_cluster, fleetops_labels, ...), never the whole topology: on group
        # all that copy made `ansible-inventory --list` quadratic in the number of hosts.
        resolved = resolved_settings(topo, read_pins() or {}, self._controller_dir)
        resolved["fleetops_artifact_checksums"] = self._checksums
        for key, value in resolved.items():
            inv.set_variable("all", key, wrap_var(value))
        for key, value in topo["settings"]["vars"].items():
            inv.set_variable("all", key, value)
        host_cluster = next((c["name"] for c in topo["clusters"] if c["role"] == "host"), None)
        clusters = dict((c["name"], c) for c in topo["clusters"])
        validate_certs = topo["settings"]["validate_certs"]

        for cluster in topo["clusters"]:
            name = cluster["name"]
            inv.add_host(name, group="clusters")
            inv.add_host(name, group="host_cluster" if cluster["role"] == "host" else "member_clusters")
            if cluster["role"] == "member":
                inv.add_host(name, group="push_members" if cluster["sync_mode"] == "Push" else "pull_members")
            if cluster["edge"]:
                inv.add_host(name, group="edge_clusters")
            if cluster["batch"]:
                inv.add_host(name, group="batch_clusters")
            if cluster["monitoring"]:
                inv.add_host(name, group="monitored_clusters")
            if cluster["observability"]:
                inv.add_host(name, group="observability_clusters")
            if cluster["mesh"]:
                inv.add_host(name, group="mesh_clusters")
            inv.add_host(name, group=group_name("region", cluster["region"]))
            self._set(name, {
                "ansible_connection": "local",
                # Cluster tasks run on the controller, with the Python that runs Ansible (it has the kubernetes library).
                # (resolved when a play runs, so a synced inventory carries no machine's path)
                "ansible_python_interpreter": trust_as_template("{{ ansible_playbook_python }}"),
                "fleetops_kind": "cluster",
                "fleetops_cluster": {k: v for k, v in cluster.items() if k != "kubeconfig"},
                "fleetops_region": cluster["region"],
                "fleetops_labels": cluster["labels"],
                "fleetops_kubeconfig": cluster["kubeconfig"],
                "fleetops_kube_context": cluster.get("context"),
                "fleetops_k8s": _connection(name, "fleetops_kubeconfig", cluster, topo["settings"]["validate_certs"]),
                # The nodes roles side-load images into (settings.side_load_images).
                "fleetops_cluster_nodes": [n["name"] for n in cluster["nodes"]],
                # The Volcano queues of a batch cluster (clusters[].queues; roles/volcano).
                "fleetops_volcano_queues": cluster["queues"],
                # The Istio mesh (clusters[].mesh, settings.mesh; roles/istio): the cluster ID is the
                # cluster's name, the network its clusters[].network (default settings.mesh.network).
                "fleetops_mesh": dict(topo["settings"]["mesh"], cluster_id=name, network=cluster["network"])
                if cluster["mesh"] else {},
            })
            if cluster["nodes"]:
                inv.add_group(group_name("nodes", name))
            for node in cluster["nodes"]:
                for group in ("cluster_nodes", group_name("nodes", name), group_name("region", cluster["region"])):
                    inv.add_host(node["name"], group=group)
                hostvars = _ssh_vars(node, self._ssh_args)
                hostvars.update({
                    "fleetops_kind": "cluster_node",
                    "fleetops_node_cluster": name,
                    "fleetops_region": cluster["region"],
                    "fleetops_k8s_kubeconfig": cluster["kubeconfig"],
                    "fleetops_k8s": _connection(node["name"], "fleetops_k8s_kubeconfig", cluster, validate_certs),
                    "fleetops_arch": node["arch"],
                    "fleetops_labels": node["labels"],
                })
                self._set(node["name"], hostvars)

        for site in topo["edge_sites"]:
            site_group = group_name("site", site["name"])
            inv.add_group(site_group)
            for node in site["nodes"]:
                name = node["name"]
                for group in ("edge_nodes", site_group, group_name("region", site["region"])):
                    inv.add_host(name, group=group)
                hostvars = _ssh_vars(node, self._ssh_args)
                hostvars.update({
                    "fleetops_kind": "edge_node",
                    "fleetops_edge_site": site["name"],
                    "fleetops_region": site["region"],
                    "fleetops_cloud_cluster": site["cluster"],
                    "fleetops_k8s_kubeconfig": clusters[site["cluster"]]["kubeconfig"],
                    "fleetops_k8s": _connection(name, "fleetops_k8s_kubeconfig", clusters[site["cluster"]], validate_certs),
                    "fleetops_arch": node["arch"],
                    "fleetops_labels": node["labels"],
                })
                self._set(name, hostvars)

        for host in topo["control_plane_hosts"]:
            name = host["name"]
            inv.add_host(name, group="control_plane_hosts")
            for role in host["roles"]:
                inv.add_host(name, group=CONTROL_PLANE_GROUPS[role])
            if host.get("region"):
                inv.add_host(name, group=group_name("region", host["region"]))
            hostvars = _ssh_vars(host, self._ssh_args)
            hostvars.update({
                "fleetops_kind": "control_plane_host",
                "fleetops_region": host.get("region"),
                "fleetops_arch": host["arch"],
                "fleetops_labels": host["labels"],
                "fleetops_control_plane_roles": host["roles"],
                # Pull members whose karmada-agent runs on this host (role karmada_agent).
                "fleetops_agent_clusters": sorted(c["name"] for c in topo["clusters"] if c.get("agent_host") == name),
                # The host cluster's (cloudcore and in-cluster installs talk to it).
            })
            if host_cluster:
                hostvars.update({
                    "fleetops_k8s_kubeconfig": clusters[host_cluster]["kubeconfig"],
                    "fleetops_k8s": _connection(name, "fleetops_k8s_kubeconfig", clusters[host_cluster], validate_certs),
                })
            else:
                hostvars["fleetops_k8s"] = {}
            self._set(name, hostvars)

    def _set(self, host, hostvars):
        for key, value in hostvars.items():
            self.inventory.set_variable(host, key, value)
        if not (self.get_option("compose") or self.get_option("groups") or self.get_option("keyed_groups")):
            return  # nothing to construct: spare the copy of the host's variables
        strict = self.get_option("strict")
        variables = self.inventory.get_host(host).get_vars()
        self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)


def read_pins():
    """The collection's version pins (the one pin file), or None when it cannot be read."""
    try:
        with open(PIN_FILE) as handle:
            pins = yaml.safe_load(handle)["fleetops_versions"]
    except (IOError, OSError, KeyError, TypeError, yaml.YAMLError):
        return None
    return dict(pins) if isinstance(pins, dict) else None


def resolved_settings(topo, pins, controller_dir):
    """The variables every host gets, resolved here once so that no role or play computes them again.

    fleetops_settings is the normalized settings block as written; the others derive from it and
    from the rest of the topology.
    """
    settings = topo["settings"]
    versions = dict(pins)
    versions.update(settings["versions"])
    cloud_hosts = [h["address"] for h in topo["control_plane_hosts"] if "kubeedge_cloud" in h["roles"]]
    advertised = settings.get("kubeedge_advertise_address") or ""
    s3 = settings["s3"]
    return {
        # The S3 keys are only in fleetops_s3 (read them under no_log), not in this copy.
        "fleetops_settings": dict(settings, s3=dict((k, v) for k, v in s3.items() if k != "secret_access_key")),
        # The fleet's object store (settings.s3 with its defaults, paths made absolute): endpoint ("" = AWS),
        # region, force_path_style, checksum_algorithm, ca_file, buckets, and the credentials
        # (access_key_id/secret_access_key, vaulted ones still vaulted, or credentials_file + profile).
        "fleetops_s3": s3,
        # The pin file overridden by settings.versions.
        "fleetops_artifact_versions": versions,
        # Where every download comes from ("" = upstream).
        "fleetops_artifact_mirror": settings["artifact_mirror"],
        "fleetops_validate_certs": settings["validate_certs"],
        # Plain-http URLs the topology uses (accepted with settings.allow_insecure_http; preflight names them).
        "fleetops_insecure_urls": [u for u in [settings["artifact_mirror"], s3["endpoint"]]
                                   + [c.get("api_endpoint", "") for c in topo["clusters"]] if u.startswith("http://")],
        # Pinned sha256 per release path (settings.artifact_checksums, read by parse(); {} here), and
        # whether an artifact without one may be checked against the <asset>.sha256 beside it.
        "fleetops_artifact_checksums": {},
        "fleetops_allow_unpinned_checksums": settings["allow_unpinned_checksums"],
        # In-cluster roles import their images into the clusters' nodes from the mirror (no registry).
        "fleetops_side_load_images": settings["side_load_images"],
        # What edge nodes dial: settings.kubeedge_advertise_address, else the first kubeedge_cloud host.
        "fleetops_cloudcore_address": advertised or (cloud_hosts[0] if cloud_hosts else ""),
        # Every cloudcore address an edge node may have to reach (preflight).
        "fleetops_cloudcore_addresses": [advertised] if advertised else cloud_hosts,
        # Controller-side state of this topology (PKI, the Karmada API kubeconfig), one directory per inventory.
        "fleetops_controller_dir": controller_dir,
        "fleetops_karmada_pki_dir": controller_dir + "/karmada/pki",
        "fleetops_karmada_kubeconfig_path": controller_dir + "/karmada.kubeconfig",
        # The one identity toward Kubernetes (module_utils._identity), the modules' too.
        "fleetops_field_manager": FIELD_MANAGER,
        "fleetops_managed_by": MANAGED_BY,
    }


def _local_path(value, base):
    """A controller path from the topology as host vars carry it: relative paths resolved against the
    topology's directory; a path under ~ left as ~, so the machine (and user) that runs the play
    expands it - an AWX inventory sync stores host vars, and its HOME is not the job's."""
    if value.startswith("~"):
        return os.path.normpath(value)
    return os.path.normpath(os.path.join(base, value))


def _connection(host, variable, cluster, validate_certs):
    """The connection of a host's cluster as module_defaults for kubernetes.core and this collection
    take it, read from the host's own variable `variable` (the cluster's kubeconfig reference).

    The kubeconfig stays a template resolved when a task runs, so a vaulted kubeconfig is decrypted
    only then (to a path, or to the content as a mapping). Every host carries its own copy of the
    reference instead of pointing at the cluster's host: an AWX job slice holds only its slice's
    hosts, so hostvars of the cluster may not exist in the job that onboards its edge nodes.
    """
    # Named through hostvars: other hosts read it as hostvars[<host>].fleetops_k8s, and a bare
    # variable would then be looked up among *their* variables. Host and cluster names are
    # DNS-1123 labels (validated), safe inside the template.
    connection = {
        "kubeconfig": trust_as_template(
            "{{ hostvars['%s'].%s | fleetops.kurator.kubeconfig }}" % (host, variable)),
        "validate_certs": validate_certs,
    }
    if cluster.get("context"):
        connection["context"] = cluster["context"]
    return connection


def _host_key_args(ssh):
    """ssh options that verify host keys against the topology's known_hosts (settings.ssh), or ""
    to leave ssh's own configuration in charge (~/.ssh/known_hosts, verification on)."""
    if not ssh["known_hosts"]:
        return ""
    return "-o UserKnownHostsFile=%s -o StrictHostKeyChecking=%s" % (
        shlex.quote(ssh["known_hosts"]), "accept-new" if ssh["trust_on_first_use"] else "yes")


def _ssh_vars(host, ssh_args):
    hostvars = {
        "ansible_host": host["address"],
        "ansible_port": host["ssh_port"],
        "ansible_user": host["ssh_user"],
    }
    if host.get("ssh_key"):
        hostvars["ansible_ssh_private_key_file"] = host["ssh_key"]
    if ssh_args:
        hostvars["ansible_ssh_common_args"] = ssh_args
    return hostvars


def _trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return dict((key, _trusted(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_trusted(item) for item in value]
    return value


def decode_text(b_data, source):
    """The file's text; a file that is not UTF-8 is an error naming the file, line and column."""
    try:
        return b_data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = b_data[:exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise AnsibleParserError(to_native(TopologyError(source, [
            "line %d, column %d: got the byte 0x%02x, which is not UTF-8; expected a UTF-8 encoded file "
            "(convert it, for example with iconv -f latin1 -t utf-8)" % (line, column, bytearray(b_data)[exc.start])])))


class _Frame(object):
    __slots__ = ("anchor", "size", "keys", "index")

    def __init__(self, anchor, mapping):
        self.anchor, self.size, self.index = anchor, 1, 0
        self.keys = {} if mapping else None


def check_yaml(text, source):
    """Refuse, before anything is constructed, YAML that would explode or silently lose data.

    One pass over the parser's events (no document is built): aliases that would add more than
    ALIAS_EXPANSION_LIMIT nodes (a "billion laughs" of a few hundred bytes), an alias inside
    its own anchor or of no anchor, nesting deeper than NESTING_LIMIT, a key given twice in one
    mapping (the second would silently replace the first) and YAML syntax errors, each with
    the file, line and column.
    """
    sizes, stack, expanded, documents = {}, [], 0, 0
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def fail(event, message, mark=None):
        mark = mark or event.start_mark
        raise AnsibleParserError(to_native(TopologyError(source, [
            "line %d, column %d: %s" % (mark.line + 1, mark.column + 1, message)])))

    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    fail(event, "got a second YAML document; expected a single document (one topology per file)")
            if not isinstance(event, yaml.NodeEvent) and not isinstance(event, yaml.CollectionEndEvent):
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                frame = stack.pop()
                if frame.anchor is not None:
                    sizes[frame.anchor] = frame.size
                if stack:
                    stack[-1].size += frame.size
                continue
            parent = stack[-1] if stack else None
            if parent is not None and parent.keys is not None:
                if parent.index % 2 == 0 and isinstance(event, yaml.ScalarEvent) and event.value != "<<":
                    key = (event.value, event.implicit[0])
                    if key in parent.keys:
                        fail(event, "got the key %r a second time (first on line %d); expected each key once "
                                    "in a mapping" % (event.value, parent.keys[key]))
                    parent.keys[key] = event.start_mark.line + 1
                parent.index += 1
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in sizes:
                    if any(f.anchor == event.anchor for f in stack):
                        fail(event, "got the alias *%s inside its own anchor; expected no recursive aliases"
                             % event.anchor)
                    fail(event, "got the alias *%s, which no anchor (&%s) before it defines"
                         % (event.anchor, event.anchor))
                expanded += sizes[event.anchor] - 1
                if expanded > ALIAS_EXPANSION_LIMIT:
                    fail(event, "got aliases that expand the document by more than %d nodes (*%s adds %d); "
                         "expected a topology without alias bombs"
                         % (ALIAS_EXPANSION_LIMIT, event.anchor, sizes[event.anchor]))
                if parent is not None:
                    parent.size += sizes[event.anchor]
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                if parent is not None:
                    parent.size += 1
            else:  # the start of a sequence or mapping
                stack.append(_Frame(event.anchor, isinstance(event, yaml.MappingStartEvent)))
                if len(stack) > NESTING_LIMIT:
                    fail(event, "got sequences and mappings nested more than %d deep; expected a topology"
                         % NESTING_LIMIT)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        fail(None, "got invalid YAML: %s%s" % (exc.context + ", " if exc.context else "", exc.problem), mark)
    except yaml.reader.ReaderError as exc:
        before = text[:exc.position]
        mark = yaml.Mark(source, exc.position, before.count("\n"), exc.position - (before.rfind("\n") + 1), None, None)
        fail(None, "got invalid YAML: the character #x%04x (%s)" % (exc.character, exc.reason), mark)
