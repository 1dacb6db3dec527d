# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Pure helpers for the edge_node module: what the files of a KubeEdge edge node should contain.

Nothing here touches the host, so every rendering is unit-tested on its own. Paths and
defaults follow KubeEdge v1.23 (keadm join, edgecore v1alpha2 defaults).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

# Paths used by keadm join/reset (staging/src/github.com/kubeedge/api/apis/common/constants).
EDGECORE_CONFIG = "/etc/kubeedge/config/edgecore.yaml"
BOOTSTRAP_FILE = "/etc/kubeedge/bootstrap-edgecore.conf"
CA_FILE = "/etc/kubeedge/ca/rootCA.crt"
CERT_FILE = "/etc/kubeedge/certs/server.crt"
KEY_FILE = "/etc/kubeedge/certs/server.key"
UNIT_FILE = "/etc/systemd/system/edgecore.service"
STAMP_FILE = "/etc/kubeedge/fleetops-binary.json"
CONTAINERD_CONFIG = "/etc/containerd/config.toml"
# Where edge_node records the edgecore it downloaded (outside /etc/kubeedge: a reset keeps the binary).
SOURCE_FILE = "/var/lib/fleetops/edgecore-source.json"
# keadm reset removes these (KubeEdgePath, KubeEdgeLogPath, KubeEdgeSocketPath, EdgeRootDir, kubelet root).
RESET_DIRS = ["/etc/kubeedge", "/var/log/kubeedge", "/var/lib/kubeedge", "/var/lib/edged", "/var/lib/kubelet"]

EDGE_ROLE_LABEL = "node-role.kubernetes.io/edge"


def deep_merge(base, override):
    """Return base with override merged in (dicts recursively; anything else replaced)."""
    result = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def split_hostport(value, default_port):
    """'host:port', '[v6]:port', 'host' -> (host, port)."""
    match = re.match(r"^\[(.+)\](?::(\d+))?$", value)
    if match:
        return match.group(1), int(match.group(2) or default_port)
    if value.count(":") == 1:
        host, port = value.split(":")
        return host, int(port)
    return value, default_port


def join_hostport(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def edgecore_config(p, version):
    """The edgecore.yaml content (a dict), as keadm join would write it, plus our settings.

    The token is never written into this file: edgecore reads it from the bootstrap file, so
    edgecore never rewrites edgecore.yaml to clear it, and the file stays byte-stable. Setting
    edgecoreVersion to the binary's version keeps edgecore from rewriting it at start as well.
    """
    host = p["cloudcore_host"]
    # edged (KubeEdge's kubelet fork) adds node-role.kubernetes.io/edge and /agent itself; the
    # kubelet refuses node-role.kubernetes.io/* in --node-labels, so it must not be passed.
    labels = dict((k, v) for k, v in (p["labels"] or {}).items() if not k.startswith("node-role.kubernetes.io/"))
    runtime = p["runtime_endpoint"]
    websocket = p["hub_protocol"] == "websocket"
    config = {
        "apiVersion": "edgecore.config.kubeedge.io/v1alpha2",
        "kind": "EdgeCore",
        "edgecoreVersion": version,
        "database": {"dataSource": "/var/lib/kubeedge/edgecore.db"},
        "modules": {
            "edged": {
                "enable": True,
                "hostnameOverride": p["name"],
                "nodeLabels": labels,
                "podSandboxImage": p["sandbox_image"],
                "registerNodeNamespace": "default",
                "tailoredKubeletConfig": {
                    "cgroupDriver": p["cgroup_driver"],
                    "containerRuntimeEndpoint": runtime,
                    "imageServiceEndpoint": runtime,
                },
            },
            "edgeHub": {
                "enable": True,
                "httpServer": "https://" + join_hostport(host, p["cert_port"]),
                "token": "",
                "tlsCaFile": CA_FILE,
                "tlsCertFile": CERT_FILE,
                "tlsPrivateKeyFile": KEY_FILE,
                "websocket": {"enable": websocket, "server": join_hostport(host, p["websocket_port"])},
                "quic": {"enable": not websocket, "server": join_hostport(host, p["quic_port"])},
            },
            "edgeStream": {
                "enable": p["edge_stream"],
                "server": join_hostport(host, p["stream_port"]),
            },
        },
    }
    if p.get("cgroup_root_path"):
        config["modules"]["edged"]["tailoredKubeletConfig"]["cgroupRoot"] = p["cgroup_root_path"]
    if p.get("node_ip"):
        config["modules"]["edged"]["nodeIP"] = p["node_ip"]
    return deep_merge(config, p["edgecore_overrides"] or {})


def render_json(data):
    """edgecore reads its config with sigs.k8s.io/yaml, which accepts JSON: no YAML library
    is needed on the edge host, and the rendering is canonical (sorted keys)."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def render_unit(binary, description="KubeEdge edgecore (managed by fleetops.kurator)"):
    """The systemd unit keadm join writes, ordered after containerd."""
    return "\n".join([
        "[Unit]",
        "Description=%s" % description,
        "Documentation=https://kubeedge.io",
        "After=network-online.target containerd.service",
        "Wants=network-online.target containerd.service",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=%s" % binary,
        "Restart=always",
        "RestartSec=10",
        "KillMode=process",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ])


def render_containerd(p):
    """containerd 1.6/1.7 config (version 2): CRI on, sandbox image, snapshotter, cgroup driver, CNI dirs."""
    systemd_cgroup = "true" if p["cgroup_driver"] == "systemd" else "false"
    lines = [
        "# Managed by fleetops.kurator (edge_node): containerd with the CRI plugin for edgecore.",
        "version = 2",
        "",
        '[plugins."io.containerd.grpc.v1.cri"]',
        '  sandbox_image = %s' % json.dumps(p["sandbox_image"]),
    ]
    if p.get("restrict_oom_score_adj"):
        # Without CAP_SYS_RESOURCE (an unprivileged container host) runc cannot lower a pod's
        # oom_score_adj below its own, and every sandbox fails to start.
        lines.append("  restrict_oom_score_adj = true")
    lines += [
        '  [plugins."io.containerd.grpc.v1.cri".containerd]',
        '    snapshotter = %s' % json.dumps(p["containerd_snapshotter"]),
        '    default_runtime_name = "runc"',
        '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
        '      runtime_type = "io.containerd.runc.v2"',
        '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
        "        SystemdCgroup = %s" % systemd_cgroup,
        '  [plugins."io.containerd.grpc.v1.cri".cni]',
        '    bin_dir = %s' % json.dumps(p["cni_bin_dir"]),
        '    conf_dir = %s' % json.dumps(p["cni_conf_dir"]),
        "",
    ]
    return "\n".join(lines)


def render_cni(p):
    """A bridge + host-local + portmap network: pods get addresses, the node turns Ready."""
    conf = {
        "cniVersion": "1.0.0",
        "name": "fleetops-edge",
        "plugins": [
            {
                "type": "bridge",
                "bridge": "cni0",
                "isGateway": True,
                "ipMasq": True,
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": p["pod_cidr"]}]],
                    "routes": [{"dst": "0.0.0.0/0"}],
                },
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }
    return render_json(conf)


def render_stamp(version, size, mtime):
    """What the module records about the installed binary: a new binary restarts edgecore."""
    return render_json({"binary_version": version, "binary_size": size, "binary_mtime": int(mtime)})


CAP_SYS_RESOURCE = 24


def has_capability(status_text, cap):
    """Whether the CapEff line of a /proc/<pid>/status holds capability number cap."""
    for line in (status_text or "").splitlines():
        if line.startswith("CapEff:"):
            try:
                return bool(int(line.split()[1], 16) >> cap & 1)
            except (IndexError, ValueError):
                return False
    return False


def parse_source(text):
    """The recorded download of the binary (SOURCE_FILE), or {} when missing or unreadable."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def parse_version(output):
    """'KubeEdge v1.23.1' -> 'v1.23.1'."""
    for token in reversed((output or "").split()):
        if re.match(r"^v\d+\.\d+", token):
            return token
    return None


def _der_items(data, start=0, end=None):
    """(tag, content start, content end) of each DER element in data[start:end]."""
    end = len(data) if end is None else end
    pos = start
    while pos < end:
        tag = data[pos]
        length = data[pos + 1]
        pos += 2
        if length & 0x80:
            count = length & 0x7F
            if not 0 < count <= 4:
                raise ValueError("unsupported DER length")
            length = int.from_bytes(data[pos:pos + count], "big")
            pos += count
        if pos + length > end:
            raise ValueError("truncated DER")
        yield tag, pos, pos + length
        pos += length


_CN_OID = b"\x55\x04\x03"   # 2.5.4.3 commonName


def cert_subject_cns(pem_text):
    """The subject commonName values of the first PEM certificate ([] when none can be read).

    A small DER walk (Certificate -> tbsCertificate -> subject), so no crypto library is needed
    on the edge host."""
    import base64
    match = re.search(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", pem_text or "", re.S)
    if not match:
        return []
    try:
        der = bytearray(base64.b64decode("".join(match.group(1).split())))
        cert = next(_der_items(der))
        tbs = next(_der_items(der, cert[1], cert[2]))
        fields = list(_der_items(der, tbs[1], tbs[2]))
        if fields and fields[0][0] == 0xA0:       # [0] version
            fields = fields[1:]
        subject = fields[4]                       # serial, signature, issuer, validity, subject
        cns = []
        for rdn in _der_items(der, subject[1], subject[2]):
            for attr in _der_items(der, rdn[1], rdn[2]):
                oid, value = list(_der_items(der, attr[1], attr[2]))[:2]
                if bytes(der[oid[1]:oid[2]]) == _CN_OID:
                    cns.append(bytes(der[value[1]:value[2]]).decode("utf-8", "replace"))
        return cns
    except (ValueError, TypeError, IndexError, StopIteration):
        return []


def cert_matches(pem_text, node_name):
    """Whether a PEM certificate was issued for this node: subject CN exactly system:node:<name>."""
    return ("system:node:%s" % node_name) in cert_subject_cns(pem_text)


def init_cgroup(proc1_cgroup_text):
    """The cgroup of the host's init (PID 1) without its init.scope leaf: '/' on a machine, the
    container's own cgroup (for example /docker/<id>) on a host that is itself a container."""
    paths = {}
    for line in (proc1_cgroup_text or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            paths[parts[1]] = parts[2]
    path = paths.get("name=systemd") or paths.get("") or "/"
    if path.endswith("/init.scope"):
        path = path[:-len("/init.scope")]
    return path or "/"


def cgroup_mounts(mountinfo_text):
    """Mount points of the cgroup hierarchies (v1 controllers, or the v2 unified mount)."""
    mounts = []
    for line in (mountinfo_text or "").splitlines():
        pre, sep, post = line.partition(" - ")
        fields, post_fields = pre.split(), post.split()
        if sep and post_fields and post_fields[0] in ("cgroup", "cgroup2") and len(fields) > 4:
            mounts.append(fields[4])
    return sorted(set(mounts))
