# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Validate and normalise a fleet topology (regions, clusters, edge sites).

Everything here is pure Python so the inventory plugin, modules and tests share it.
``validate`` walks the whole document and collects *every* problem before anyone
touches a host: each error names the field path, the bad value and what was
expected.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import keyword
import re

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import (
    CLUSTER_NAME_MAX,
    DNS1123_LABEL_RULE,
    dns1123_label_error,
    is_vaulted,
    known_key,
    show,
    label_key_error,
    label_value_error,
    problem,
)

# A Kubernetes resource quantity (Volcano queue capability).
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?([eE][0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")

# Matched with fullmatch: with match and "$" a trailing newline would pass.
HOSTNAME = re.compile(r"(?=.{1,253}\Z)([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*")
URL = re.compile(r"https?://[^\s/]+(/\S*)?")
VERSION = re.compile(r"v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
LOCALHOST = re.compile(r"(.+\.)?localhost\.?", re.IGNORECASE)
BROADCAST = ipaddress.ip_address("255.255.255.255")

CLUSTER_ROLES = ("host", "member")
SYNC_MODES = ("Push", "Pull")
ARCHES = ("amd64", "arm64", "arm")
CONTROL_PLANE_ROLES = ("karmada", "kubeedge_cloud", "karmada_agent")
# The inventory group of each control-plane role.
CONTROL_PLANE_GROUPS = {"karmada": "karmada_control_plane", "kubeedge_cloud": "kubeedge_cloud",
                        "karmada_agent": "karmada_agents"}
INSTALL_MODES = ("in_cluster", "host")

# Keys each section accepts. Anything else is reported as unknown (usually a typo).
TOP_KEYS = ("plugin", "regions", "clusters", "edge_sites", "control_plane_hosts", "settings",
            # ansible.builtin.constructed options, handled by the inventory plugin
            "compose", "groups", "keyed_groups", "strict", "use_extra_vars", "leading_separator",
            "use_vars_plugins")
REGION_KEYS = ("name", "display_name", "labels")
CLUSTER_KEYS = ("name", "role", "region", "zones", "provider", "labels", "kubeconfig", "context",
                "sync_mode", "api_endpoint", "agent_host", "edge", "batch", "queues", "monitoring", "observability",
                # the Istio mesh: istiod in the cluster (multi-primary), its network
                "mesh", "network",
                # the cluster's worker nodes reachable over SSH (image side-loading), with defaults for them
                "nodes", "ssh_user", "ssh_port", "ssh_key", "arch")
SITE_KEYS = ("name", "region", "cluster", "nodes", "labels", "ssh_user", "ssh_port", "ssh_key", "arch")
NODE_KEYS = ("name", "address", "ssh_user", "ssh_port", "ssh_key", "arch", "labels")
CP_HOST_KEYS = ("name", "address", "ssh_user", "ssh_port", "ssh_key", "arch", "roles", "region", "labels")
SETTINGS_KEYS = ("artifact_mirror", "artifact_checksums", "allow_unpinned_checksums", "versions", "karmada_install_mode", "kubeedge_install_mode",
                 "kubeedge_advertise_address", "validate_certs", "allow_loopback_addresses", "allow_insecure_http",
                 "side_load_images", "ssh", "s3", "mesh", "vars")
# settings.mesh: the Istio mesh of the clusters with mesh: true (mesh ID, trust domain, default network).
MESH_KEYS = ("id", "trust_domain", "network")
MESH_DEFAULTS = {"id": "mesh1", "trust_domain": "cluster.local", "network": "network1"}
SSH_SETTINGS_KEYS = ("known_hosts", "trust_on_first_use")
# settings.s3: one S3-compatible object store for the fleet (Velero backups, Thanos blocks, Kurator's
# Backup objects). Credentials: access_key_id + secret_access_key (plain or vaulted), or an AWS
# shared credentials file (credentials_file, profile); never both.
S3_KEYS = ("endpoint", "region", "force_path_style", "checksum_algorithm", "ca_file", "buckets",
           "access_key_id", "secret_access_key", "credentials_file", "profile")
# What velero-plugin-for-aws (checksumAlgorithm) accepts; "" sends no checksum (S3 servers that are not AWS).
S3_CHECKSUM_ALGORITHMS = ("", "CRC32", "CRC32C", "SHA1", "SHA256")
S3_REGION = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# S3 bucket naming rules (AWS): 3-63 characters, lower-case letters, digits, '.' and '-',
# starting and ending with a letter or digit, no '..', not an IP address.
S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
S3_BUCKET_RULE = ("an S3 bucket name: 3-63 characters, lower-case letters, digits, '.' and '-', "
                  "starting and ending with a letter or digit")

NODE_DEFAULTS = {"ssh_user": "root", "ssh_port": 22, "arch": "amd64"}


class TopologyError(Exception):
    """Raised with every problem of one topology document."""

    def __init__(self, source, errors):
        self.source = source
        self.errors = errors
        lines = ["%s: %s" % (source, e) for e in errors]
        super(TopologyError, self).__init__(
            "%d error(s) in topology %s:\n  - %s" % (len(errors), source, "\n  - ".join(lines)))


class _Checker(object):
    def __init__(self, allow_loopback=False, allow_http=False):
        self.errors = []
        self.allow_loopback = allow_loopback
        self.allow_http = allow_http

    def add(self, path, value, expected):
        self.errors.append(problem(path, value, expected))

    def mapping(self, path, value, allowed):
        """True when value is a mapping; reports unknown keys."""
        if not isinstance(value, dict):
            self.add(path, value, "a mapping")
            return False
        for key in value:
            if key not in allowed:
                self.add("%s.%s" % (path, key) if path else str(key), key, known_key(key, allowed))
        return True

    def items(self, path, value, required=False):
        """Return the list at path (or []), reporting a non-list."""
        if value is None:
            if required:
                self.add(path, value, "a non-empty list")
            return []
        if not isinstance(value, list):
            self.add(path, value, "a list")
            return []
        if required and not value:
            self.add(path, value, "a non-empty list")
        return value

    def name(self, path, value, seen, kind, max_length=63):
        if dns1123_label_error(value, max_length):
            self.add(path, value, "a %s name: %s, at most %d characters" % (kind, DNS1123_LABEL_RULE, max_length))
            return None
        if value in seen:
            self.add(path, value, "a unique %s name (already used at %s)" % (kind, seen[value]))
            return None
        seen[value] = path
        return value

    def choice(self, path, value, choices):
        if not isinstance(value, str) or value not in choices:
            self.add(path, value, "one of %s" % ", ".join(choices))

    def string(self, path, value):
        """A non-empty string on one line (no newline or other control character)."""
        if not isinstance(value, str) or not value or CONTROL_CHARACTERS.search(value):
            self.add(path, value, "a non-empty string without newlines or control characters")
            return False
        return True

    def token(self, path, value):
        """What Karmada copies into a Cluster's provider or zones: a non-empty label value."""
        if not isinstance(value, str) or not value or label_value_error(value):
            self.add(path, value, "a non-empty string that is a Kubernetes label value (at most 63 characters: letters, digits, '-', "
                                  "'_' or '.', starting and ending with a letter or digit; no spaces)")

    def port(self, path, value):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            self.add(path, value, "a TCP port number from 1 to 65535")

    def address(self, path, value):
        """An address a host can have: an IP address or a DNS name, not a wildcard, broadcast or group."""
        expected = "an IPv4/IPv6 address or a DNS name"
        if not isinstance(value, str):
            self.add(path, value, expected)
            return
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            ip = None
        if ip is None:
            if re.match(r"[0-9.]+\Z", value) or not HOSTNAME.fullmatch(value):
                self.add(path, value, expected)
            elif LOCALHOST.fullmatch(value) and not self.allow_loopback:
                self.add(path, value, "%s that is not localhost (loopback addresses need "
                                      "settings.allow_loopback_addresses: true)" % expected)
            return
        mapped = getattr(ip, "ipv4_mapped", None)
        ip = mapped or ip
        if ip.is_unspecified:
            self.add(path, value, "%s of one host, not the unspecified address %s" % (expected, ip))
        elif ip == BROADCAST:
            self.add(path, value, "%s of one host, not the broadcast address" % expected)
        elif ip.is_multicast:
            self.add(path, value, "%s of one host, not a multicast address" % expected)
        elif ip.is_loopback and not self.allow_loopback:
            self.add(path, value, "%s that is not a loopback address (it would reach the controller itself; "
                                  "set settings.allow_loopback_addresses: true for a test setup)" % expected)

    def url(self, path, value):
        if not isinstance(value, str) or not URL.fullmatch(value):
            self.add(path, value, "an http:// or https:// URL")
        elif value.startswith("http://") and not self.allow_http:
            self.add(path, value, "an https:// URL (plain http is neither encrypted nor authenticated; "
                     "set settings.allow_insecure_http: true to accept it)")

    def labels(self, path, value):
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(path, value, "a mapping of Kubernetes label keys to string values")
            return {}
        for key, val in value.items():
            problem_text = label_key_error(key)
            if problem_text:
                self.add("%s[%s]" % (path, show(key)), key, "a valid Kubernetes label key (%s)" % problem_text)
            if not isinstance(val, str):
                self.add("%s.%s" % (path, key), val,
                         "a string label value (quote it in YAML, e.g. \"%s\")" % (str(val).lower() if isinstance(val, bool) else val))
            elif label_value_error(val):
                self.add("%s.%s" % (path, key), val,
                         "a Kubernetes label value: at most 63 characters, alphanumerics, '-', '_' or '.', "
                         "starting and ending with an alphanumeric")
        return value


def group_name(prefix, name):
    """Ansible group name for a region or site: region_east_china."""
    return "%s_%s" % (prefix, re.sub(r"[^A-Za-z0-9_]", "_", name))


QUEUE_KEYS = ("name", "weight", "capability", "reclaimable")


def _queues(c, path, cluster):
    """clusters[].queues: the Volcano queues of a batch cluster (scheduling.volcano.sh/v1beta1 Queue)."""
    if "queues" not in cluster:
        return
    if cluster.get("batch") is not True:
        c.add(path + ".queues", "queues on a cluster without batch: true",
              "queues only on a cluster with batch: true (Volcano runs there)")
    seen = {}
    for j, queue in enumerate(c.items(path + ".queues", cluster["queues"])):
        qpath = "%s.queues[%d]" % (path, j)
        if not c.mapping(qpath, queue, QUEUE_KEYS):
            continue
        c.name(qpath + ".name", queue.get("name"), seen, "queue")
        weight = queue.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 65535:
            c.add(qpath + ".weight", weight, "an integer from 1 to 65535 (the queue's share, relative to the others)")
        if "reclaimable" in queue and not isinstance(queue["reclaimable"], bool):
            c.add(qpath + ".reclaimable", queue["reclaimable"], "true or false")
        capability = queue.get("capability", {})
        if not isinstance(capability, dict):
            c.add(qpath + ".capability", capability, "a mapping of resource name to quantity (cpu: 64, nvidia.com/gpu: 8)")
            continue
        for key, value in capability.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, str)) or not _QUANTITY.match(str(value)):
                c.add("%s.capability.%s" % (qpath, key), value, "a resource quantity (for example 64, 500m, 256Gi)")


def validate(data, plugin_name="fleetops.kurator.topology", known_versions=None):
    """Return the list of error strings for a topology document (empty when valid)."""
    settings = data.get("settings") if isinstance(data, dict) else None
    allow_loopback = isinstance(settings, dict) and settings.get("allow_loopback_addresses") is True
    allow_http = isinstance(settings, dict) and settings.get("allow_insecure_http") is True
    c = _Checker(allow_loopback, allow_http)
    if not isinstance(data, dict):
        c.add("document", data, "a mapping that starts with 'plugin: %s'" % plugin_name)
        return c.errors
    c.mapping("", data, TOP_KEYS)
    if data.get("plugin") != plugin_name:
        c.add("plugin", data.get("plugin"), "'%s'" % plugin_name)

    regions = {}
    for i, region in enumerate(c.items("regions", data.get("regions"), required=True)):
        path = "regions[%d]" % i
        if c.mapping(path, region, REGION_KEYS):
            c.name(path + ".name", region.get("name"), regions, "region")
            if "display_name" in region:
                c.string(path + ".display_name", region["display_name"])
            c.labels(path + ".labels", region.get("labels"))

    hostnames = {}  # every inventory host name: clusters, edge nodes, control-plane hosts
    clusters = {}
    host_clusters = []
    observability = []
    for i, cluster in enumerate(c.items("clusters", data.get("clusters"), required=True)):
        path = "clusters[%d]" % i
        if not c.mapping(path, cluster, CLUSTER_KEYS):
            continue
        # Karmada cluster names are DNS labels of at most 48 characters (ValidateClusterName).
        name = c.name(path + ".name", cluster.get("name"), hostnames, "cluster", CLUSTER_NAME_MAX)
        if name:
            clusters[name] = cluster
        role = cluster.get("role", "member")
        c.choice(path + ".role", role, CLUSTER_ROLES)
        if role == "host":
            host_clusters.append(path)
        _region_ref(c, path + ".region", cluster.get("region"), regions, required=True)
        zones = c.items(path + ".zones", cluster.get("zones"))
        for j, zone in enumerate(zones):
            c.token("%s.zones[%d]" % (path, j), zone)
        if "provider" in cluster:
            c.token(path + ".provider", cluster["provider"])
        c.labels(path + ".labels", cluster.get("labels"))
        # A vaulted kubeconfig is not compared with anything: that would decrypt it.
        kubeconfig = cluster.get("kubeconfig")
        if not is_vaulted(kubeconfig) and (not isinstance(kubeconfig, str) or not kubeconfig):
            c.add(path + ".kubeconfig", kubeconfig,
                  "a kubeconfig reference: a file path (relative to the topology file) or a vaulted kubeconfig")
        if "context" in cluster:
            c.string(path + ".context", cluster["context"])
        c.choice(path + ".sync_mode", cluster.get("sync_mode", "Push"), SYNC_MODES)
        if "api_endpoint" in cluster:
            c.url(path + ".api_endpoint", cluster["api_endpoint"])
        if "edge" in cluster and not isinstance(cluster["edge"], bool):
            c.add(path + ".edge", cluster["edge"], "true or false")
        # batch: true selects the cluster for batch work (the Volcano scheduler and its queues).
        if "batch" in cluster and not isinstance(cluster["batch"], bool):
            c.add(path + ".batch", cluster["batch"], "true or false (true: the cluster runs batch work, Volcano)")
        _queues(c, path, cluster)
        # monitoring: true runs HA Prometheus (prometheus-operator, Thanos sidecar) in the cluster;
        # observability: true names the one cluster that runs the global view (Thanos Query, store, compactor).
        if "monitoring" in cluster and not isinstance(cluster["monitoring"], bool):
            c.add(path + ".monitoring", cluster["monitoring"],
                  "true or false (true: the cluster runs HA Prometheus with a Thanos sidecar)")
        if "observability" in cluster:
            if not isinstance(cluster["observability"], bool):
                c.add(path + ".observability", cluster["observability"],
                      "true or false (true: the cluster runs the Thanos global view)")
            elif cluster["observability"]:
                observability.append(path)
        # mesh: true runs istiod in the cluster (one multi-primary mesh); network: its Istio network.
        if "mesh" in cluster and not isinstance(cluster["mesh"], bool):
            c.add(path + ".mesh", cluster["mesh"], "true or false (true: istiod runs in the cluster, part of the one mesh)")
        if "network" in cluster:
            if cluster.get("mesh") is not True:
                c.add(path + ".network", cluster["network"], "network only on a cluster with mesh: true (its Istio network)")
            elif dns1123_label_error(cluster["network"]):
                c.add(path + ".network", cluster["network"], "an Istio network name: %s" % DNS1123_LABEL_RULE)
    if data.get("clusters") and isinstance(data.get("clusters"), list) and len(host_clusters) != 1:
        c.add("clusters", "%d host clusters%s" % (len(host_clusters), (" at " + ", ".join(host_clusters)) if host_clusters else ""),
              "exactly one cluster with role: host (the cluster that runs the Karmada and KubeEdge control planes)")
    if len(observability) > 1:
        c.add("clusters", "%d clusters with observability: true at %s" % (len(observability), ", ".join(observability)),
              "at most one cluster with observability: true (the one Thanos global view)")

    addresses = {}
    # A cluster's nodes: hosts the collection reaches over SSH to side-load images into their containerd.
    for i, cluster in enumerate(data.get("clusters") if isinstance(data.get("clusters"), list) else []):
        if not isinstance(cluster, dict):
            continue
        path = "clusters[%d]" % i
        _ssh_fields(c, path, cluster, optional=True)
        _hosts(c, path + ".nodes", c.items(path + ".nodes", cluster.get("nodes")), hostnames, addresses)

    sites = {}
    for i, site in enumerate(c.items("edge_sites", data.get("edge_sites"))):
        path = "edge_sites[%d]" % i
        if not c.mapping(path, site, SITE_KEYS):
            continue
        c.name(path + ".name", site.get("name"), sites, "edge site")
        _region_ref(c, path + ".region", site.get("region"), regions, required=True)
        cluster_ref = site.get("cluster")
        if not isinstance(cluster_ref, str) or cluster_ref not in clusters:
            c.add(path + ".cluster", cluster_ref,
                  "the name of a cluster in clusters (the cluster whose cloudcore serves this site): %s"
                  % (", ".join(sorted(clusters)) or "none defined"))
        c.labels(path + ".labels", site.get("labels"))
        _ssh_fields(c, path, site, optional=True)
        _hosts(c, path + ".nodes", c.items(path + ".nodes", site.get("nodes"), required=True), hostnames, addresses)

    for i, host in enumerate(c.items("control_plane_hosts", data.get("control_plane_hosts"))):
        path = "control_plane_hosts[%d]" % i
        if not c.mapping(path, host, CP_HOST_KEYS):
            continue
        c.name(path + ".name", host.get("name"), hostnames, "cluster/host")
        _endpoint(c, path, host, addresses)
        _ssh_fields(c, path, host, optional=True)
        roles = c.items(path + ".roles", host.get("roles"), required=True)
        for j, role in enumerate(roles):
            c.choice("%s.roles[%d]" % (path, j), role, CONTROL_PLANE_ROLES)
        if "region" in host:
            _region_ref(c, path + ".region", host["region"], regions, required=False)
        c.labels(path + ".labels", host.get("labels"))

    _agent_hosts(c, data)

    settings = data.get("settings")
    if settings is not None and c.mapping("settings", settings, SETTINGS_KEYS):
        if "artifact_mirror" in settings and settings["artifact_mirror"] != "":
            c.url("settings.artifact_mirror", settings["artifact_mirror"])
        if "artifact_checksums" in settings and settings["artifact_checksums"] != "":
            c.string("settings.artifact_checksums", settings["artifact_checksums"])
        versions = settings.get("versions")
        if versions is not None:
            allowed = tuple(sorted(known_versions)) if known_versions else None
            if c.mapping("settings.versions", versions, allowed or tuple(versions or ())):
                for comp, ver in versions.items():
                    if not isinstance(ver, str) or not VERSION.fullmatch(ver):
                        c.add("settings.versions.%s" % comp, ver, "a version string such as v1.2.3 (quoted)")
        for key in ("karmada_install_mode", "kubeedge_install_mode"):
            if key in settings:
                c.choice("settings." + key, settings[key], INSTALL_MODES)
        if "kubeedge_advertise_address" in settings:
            c.address("settings.kubeedge_advertise_address", settings["kubeedge_advertise_address"])
        for key in ("validate_certs", "allow_loopback_addresses", "allow_insecure_http", "side_load_images",
                    "allow_unpinned_checksums"):
            if key in settings and not isinstance(settings[key], bool):
                c.add("settings." + key, settings[key], "true or false")
        ssh = settings.get("ssh")
        if ssh is not None and c.mapping("settings.ssh", ssh, SSH_SETTINGS_KEYS):
            if "known_hosts" in ssh:
                c.string("settings.ssh.known_hosts", ssh["known_hosts"])
            if "trust_on_first_use" in ssh and not isinstance(ssh["trust_on_first_use"], bool):
                c.add("settings.ssh.trust_on_first_use", ssh["trust_on_first_use"],
                      "true or false (true: record a host's key at first contact; a changed key is still refused)")
        s3 = settings.get("s3")
        if s3 is not None and c.mapping("settings.s3", s3, S3_KEYS):
            _s3(c, s3)
        mesh = settings.get("mesh")
        if mesh is not None and c.mapping("settings.mesh", mesh, MESH_KEYS):
            for key in ("id", "network"):
                if key in mesh and dns1123_label_error(mesh[key]):
                    c.add("settings.mesh." + key, mesh[key], "a DNS label: %s" % DNS1123_LABEL_RULE)
            if "trust_domain" in mesh and (not isinstance(mesh["trust_domain"], str)
                                           or not HOSTNAME.fullmatch(mesh["trust_domain"])):
                c.add("settings.mesh.trust_domain", mesh["trust_domain"], "a DNS name such as cluster.local (the SPIFFE trust domain)")
        if "vars" in settings and not isinstance(settings["vars"], dict):
            c.add("settings.vars", settings["vars"], "a mapping of variables set on every host")
        for key in settings.get("vars") if isinstance(settings.get("vars"), dict) else ():
            if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key) \
                    or key in ("True", "False", "None"):
                c.add("settings.vars.%s" % key, key,
                      "a valid Ansible variable name (letters, digits and '_', not starting with a digit)")
    return c.errors


def _s3(c, s3):
    """settings.s3: the object store's address, its buckets, and one way of giving credentials."""
    path = "settings.s3"
    if s3.get("endpoint", "") != "":
        c.url(path + ".endpoint", s3["endpoint"])
    if "region" in s3 and (not isinstance(s3["region"], str) or not S3_REGION.fullmatch(s3["region"])):
        c.add(path + ".region", s3["region"], "an S3 region name such as us-east-1 (lower-case letters, digits and '-')")
    if "force_path_style" in s3 and not isinstance(s3["force_path_style"], bool):
        c.add(path + ".force_path_style", s3["force_path_style"],
              "true or false (true: http://endpoint/bucket/key addressing, what most S3 servers that are not AWS need)")
    if "checksum_algorithm" in s3:
        value = s3["checksum_algorithm"]
        if not isinstance(value, str) or value not in S3_CHECKSUM_ALGORITHMS:
            c.add(path + ".checksum_algorithm", value,
                  "one of \"\" (no checksum: S3 servers that are not AWS), CRC32, CRC32C, SHA1, SHA256")
    for key in ("ca_file", "credentials_file", "profile"):
        if key in s3:
            c.string(path + "." + key, s3[key])
    buckets = s3.get("buckets")
    if buckets is not None and c.mapping(path + ".buckets", buckets, tuple(buckets) if isinstance(buckets, dict) else ()):
        for purpose, bucket in buckets.items():
            where = "%s.buckets.%s" % (path, purpose)
            if not isinstance(purpose, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", purpose):
                c.add(where, purpose, "a purpose name such as velero or thanos (lower-case letters, digits, '_')")
            if not isinstance(bucket, str) or not S3_BUCKET.fullmatch(bucket) or ".." in bucket \
                    or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", bucket):
                c.add(where, bucket, S3_BUCKET_RULE)
    # A vaulted value is never compared or shown: only its presence is checked.
    for key in ("access_key_id", "secret_access_key"):
        if key in s3 and not is_vaulted(s3[key]) and (not isinstance(s3[key], str) or not s3[key]
                                                      or CONTROL_CHARACTERS.search(s3[key])):
            # The secret key is never echoed, not even a wrong one.
            shown = "<a %s, not shown>" % type(s3[key]).__name__ if key == "secret_access_key" else s3[key]
            c.add(path + "." + key, shown, "a non-empty string (plain or vaulted) without newlines")
    keys = [k for k in ("access_key_id", "secret_access_key") if k in s3]
    if len(keys) == 1:
        missing = ({"access_key_id", "secret_access_key"} - set(keys)).pop()
        c.add(path + "." + missing, None, "%s together with %s (an access key is the pair)" % (missing, keys[0]))
    if keys and "credentials_file" in s3:
        c.add(path + ".credentials_file", s3["credentials_file"],
              "either credentials_file or access_key_id/secret_access_key, not both")
    if "profile" in s3 and "credentials_file" not in s3:
        c.add(path + ".profile", s3["profile"], "profile only with credentials_file (the profile to read from it)")


def _agent_hosts(c, data):
    """agent_host: only on Pull members, naming a control-plane host with role karmada_agent."""
    clusters = data.get("clusters") if isinstance(data.get("clusters"), list) else []
    cp_hosts = data.get("control_plane_hosts") if isinstance(data.get("control_plane_hosts"), list) else []
    agent_hosts = sorted(h["name"] for h in cp_hosts if isinstance(h, dict) and isinstance(h.get("name"), str)
                         and isinstance(h.get("roles"), list) and "karmada_agent" in h["roles"])
    other_hosts = set(h.get("name") for h in cp_hosts
                      if isinstance(h, dict) and isinstance(h.get("name"), str)) - set(agent_hosts)
    for i, cluster in enumerate(clusters):
        if not isinstance(cluster, dict) or "agent_host" not in cluster:
            continue
        path = "clusters[%d].agent_host" % i
        value = cluster["agent_host"]
        if cluster.get("role", "member") != "member":
            c.add(path, value, "no agent_host on a cluster with role %s (only members are joined to Karmada)"
                  % cluster.get("role"))
        elif cluster.get("sync_mode", "Push") != "Pull":
            c.add(path, value, "agent_host only with sync_mode: Pull (in Push mode Karmada dials the cluster "
                  "and no karmada-agent runs); this cluster's sync_mode is %s" % cluster.get("sync_mode", "Push"))
        if not isinstance(value, str) or value not in agent_hosts:
            hint = " ('%s' is a control-plane host without that role: add karmada_agent to its roles)" % value \
                if isinstance(value, str) and value in other_hosts else ""
            c.add(path, value, "the name of a control_plane_hosts entry with roles: [karmada_agent]%s: %s"
                  % (hint, ", ".join(agent_hosts) or "none defined"))


def _hosts(c, path, nodes, hostnames, addresses):
    """Nodes reached over SSH (an edge site's, a cluster's): unique names and addresses."""
    for j, node in enumerate(nodes):
        npath = "%s[%d]" % (path, j)
        if not c.mapping(npath, node, NODE_KEYS):
            continue
        c.name(npath + ".name", node.get("name"), hostnames, "cluster/host")
        _endpoint(c, npath, node, addresses)
        _ssh_fields(c, npath, node, optional=True)
        c.labels(npath + ".labels", node.get("labels"))


def _region_ref(c, path, value, regions, required):
    if value is None and not required:
        return
    if not isinstance(value, str) or value not in regions:
        c.add(path, value, "the name of a region in regions: %s" % (", ".join(sorted(regions)) or "none defined"))


def _ssh_fields(c, path, item, optional):
    if "ssh_user" in item and c.string(path + ".ssh_user", item["ssh_user"]) and item["ssh_user"].startswith("-"):
        c.add(path + ".ssh_user", item["ssh_user"], "a user name that does not start with '-' (ssh would read an option)")
    if "ssh_port" in item:
        c.port(path + ".ssh_port", item["ssh_port"])
    if "ssh_key" in item:
        c.string(path + ".ssh_key", item["ssh_key"])
    if "arch" in item:
        c.choice(path + ".arch", item["arch"], ARCHES)


def _endpoint(c, path, item, addresses):
    if "address" not in item:
        c.add(path + ".address", None, "an IPv4/IPv6 address or a DNS name")
        return
    c.address(path + ".address", item["address"])
    key = (item.get("address"), item.get("ssh_port", 22))
    if isinstance(key[0], str) and isinstance(key[1], int):
        if key in addresses:
            c.add(path + ".address", item["address"],
                  "an address/port not used by another host (already used at %s)" % addresses[key])
        else:
            addresses[key] = path + ".address"


SHA256SUM_LINE = re.compile(r"([0-9a-f]{64}) [ *](\S.*)")


def parse_checksums(text, path):
    """{release path: sha256} from a sha256sum-format manifest ('<sha256>  <path>' per line;
    blank lines and # comments ignored). Raises ValueError naming the file and line."""
    sums = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = SHA256SUM_LINE.fullmatch(line.strip())
        if not m:
            raise ValueError("%s:%d: got %r; expected '<sha256 in 64 lowercase hex digits>  <release path>' "
                             "(sha256sum's format, the path relative to the mirror root)" % (path, number, line[:120]))
        release_path = re.sub(r"^(\./)+", "", m.group(2))
        if sums.get(release_path, m.group(1)) != m.group(1):
            raise ValueError("%s:%d: %s is listed twice with different sha256" % (path, number, release_path))
        sums[release_path] = m.group(1)
    return sums


def normalize(data):
    """Fill defaults into a *valid* topology; returns a new plain structure."""
    settings = dict(data.get("settings") or {})
    settings.setdefault("artifact_mirror", "")
    settings.setdefault("versions", {})
    settings.setdefault("karmada_install_mode", "host")
    settings.setdefault("kubeedge_install_mode", "host")
    settings.setdefault("validate_certs", True)
    settings.setdefault("allow_loopback_addresses", False)
    settings.setdefault("side_load_images", False)
    settings.setdefault("allow_insecure_http", False)
    settings.setdefault("artifact_checksums", "")
    settings.setdefault("allow_unpinned_checksums", False)
    settings["ssh"] = dict({"known_hosts": "", "trust_on_first_use": False}, **(settings.get("ssh") or {}))
    settings["s3"] = normalize_s3(settings.get("s3"))
    settings["mesh"] = dict(MESH_DEFAULTS, **(settings.get("mesh") or {}))
    settings.setdefault("vars", {})
    clusters = []
    for cluster in data.get("clusters") or []:
        item = dict(cluster)
        item.setdefault("role", "member")
        item.setdefault("zones", [])
        item.setdefault("provider", "")
        item["labels"] = dict(item.get("labels") or {})
        item.setdefault("sync_mode", "Push")
        item.setdefault("edge", False)
        item.setdefault("batch", False)
        item["queues"] = [dict({"weight": 1, "reclaimable": True, "capability": {}}, **q) for q in item.get("queues") or []]
        item.setdefault("monitoring", False)
        item.setdefault("observability", False)
        item.setdefault("mesh", False)
        if item["mesh"]:
            item.setdefault("network", settings["mesh"]["network"])
        item["nodes"] = _nodes(cluster, {})
        for key in ("ssh_user", "ssh_port", "ssh_key", "arch"):
            item.pop(key, None)  # now in each node
        clusters.append(item)
    sites = []
    for site in data.get("edge_sites") or []:
        item = dict(site)
        item["labels"] = dict(item.get("labels") or {})
        item["nodes"] = _nodes(site, item["labels"])
        sites.append(item)
    cp_hosts = []
    for host in data.get("control_plane_hosts") or []:
        merged = dict(NODE_DEFAULTS)
        merged.update(host)
        merged["labels"] = dict(host.get("labels") or {})
        cp_hosts.append(merged)
    return {
        "regions": [dict(r) for r in data.get("regions") or []],
        "clusters": clusters,
        "edge_sites": sites,
        "control_plane_hosts": cp_hosts,
        "settings": settings,
    }


def normalize_s3(s3):
    """settings.s3 with its defaults; configured is False when the topology has no settings.s3.

    With an endpoint (an S3 server that is not AWS) path-style addressing is on and no checksum
    is sent unless the topology says otherwise; without one (AWS S3) both follow AWS's defaults.
    """
    given = dict(s3 or {})
    endpoint = given.get("endpoint") or ""
    out = {
        "configured": s3 is not None,
        "endpoint": endpoint,
        "region": given.get("region", "us-east-1"),
        "force_path_style": given.get("force_path_style", bool(endpoint)),
        "checksum_algorithm": given.get("checksum_algorithm", "" if endpoint else "CRC32"),
        "ca_file": given.get("ca_file", ""),
        "buckets": dict(given.get("buckets") or {}),
        "access_key_id": given.get("access_key_id", ""),
        "secret_access_key": given.get("secret_access_key", ""),
        "credentials_file": given.get("credentials_file", ""),
        "profile": given.get("profile", "default"),
    }
    return out


def _nodes(parent, labels):
    """parent's nodes with the parent's SSH settings and labels as their defaults."""
    nodes = []
    for node in parent.get("nodes") or []:
        merged = dict(NODE_DEFAULTS)
        for key in ("ssh_user", "ssh_port", "ssh_key", "arch"):
            if key in parent:
                merged[key] = parent[key]
        merged.update(node)
        merged["labels"] = dict(labels)
        merged["labels"].update(node.get("labels") or {})
        nodes.append(merged)
    return nodes
