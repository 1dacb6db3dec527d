#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: edge_node
short_description: Converge one KubeEdge edge node (containerd, CNI, edgecore) in one call
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Does on the edge host what C(keadm join) does, idempotently, in one round trip - containerd
    configuration with the CRI plugin, a CNI bridge network, images side-loaded from archives already
    on the host, C(/etc/kubeedge/config/edgecore.yaml), the systemd unit, the bootstrap token, and
    the edgecore service. It then waits until edgecore has obtained its certificate from cloudcore.
  - A joined node (certificate issued for this node name) whose files already match is left alone;
    edgecore is restarted only when its configuration, unit or binary changed.
  - The join token is written to C(/etc/kubeedge/bootstrap-edgecore.conf) (mode 0600), never into
    C(edgecore.yaml), and is removed once the certificate exists, as C(keadm join) does.
  - O(state=absent) resets the node like C(keadm reset edge) - stops and removes edgecore, removes
    the containers it started and its directories. Deleting the Node object is up to the caller
    (the C(fleetops.kurator.kubeedge_edge) role does it from the controller).
  - The edgecore binary must already be installed, or downloaded by the host from O(binary_url).
  - What is installed on a host, without changing it, is M(fleetops.kurator.edge_node_info).
extends_documentation_fragment:
  - fleetops.kurator.attributes
options:
  name:
    description: Node name (becomes the Kubernetes Node name and the certificate CN C(system:node:<name>)).
    type: str
    required: true
  state:
    description: C(present) joins or converges the node; C(absent) resets it.
    type: str
    choices: [present, absent]
    default: present
  inspect:
    description:
      - Only report what is installed on the host (for pre-flight checks) and change nothing; O(state) and
        every other option are ignored.
      - Deprecated, use M(fleetops.kurator.edge_node_info), which returns the same RV(install).
    type: bool
    default: false
  cloudcore_host:
    description: Address edge nodes dial for cloudcore (its advertise address). Required with O(state=present).
    type: str
  websocket_port:
    description: cloudhub websocket port.
    type: int
    default: 10000
  quic_port:
    description: cloudhub QUIC port.
    type: int
    default: 10001
  cert_port:
    description: cloudhub HTTPS port where the certificate is requested.
    type: int
    default: 10002
  stream_port:
    description: cloudstream tunnel port.
    type: int
    default: 10004
  hub_protocol:
    description: Protocol between edgehub and cloudhub.
    type: str
    choices: [websocket, quic]
    default: websocket
  edge_stream:
    description: Enable edgestream (kubectl logs/exec through cloudcore's tunnel).
    type: bool
    default: false
  token:
    description:
      - Join token (C(tokendata) of the C(tokensecret) Secret in namespace C(kubeedge)). Needed only
        while the node has no certificate; ignored for a joined node.
    type: str
  token_optional:
    description:
      - For a node without a certificate and no O(token) - converge everything but the join and return
        RV(needs_token=true) instead of failing, so that the caller fetches the token only for the nodes
        that need one and calls again with it.
    type: bool
    default: false
  labels:
    description:
      - Node labels. edged adds C(node-role.kubernetes.io/edge) and C(node-role.kubernetes.io/agent) itself;
        C(node-role.kubernetes.io/*) keys given here are dropped (the kubelet refuses them).
    type: dict
    default: {}
  node_ip:
    description: Node IP to report; empty lets edgecore pick the address of the host name.
    type: str
  version:
    description:
      - Version of the installed edgecore binary (its C(gitVersion), the release tag for upstream builds).
        Written as C(edgecoreVersion) so that edgecore does not rewrite its configuration at start.
      - Empty asks the binary (C(edgecore --version), which edgecore 1.23 does not have yet).
    type: str
  binary:
    description: Path of the installed edgecore binary.
    type: path
    default: /usr/local/bin/edgecore
  binary_url:
    description:
      - Where the host itself downloads edgecore from (the artifact mirror) - a release tarball (with
        O(binary_member)) or the binary. Verified by O(binary_sha256), else by C(<url>.sha256).
      - The host records what it installed (URL, digest, size and mtime of the binary) in
        C(/var/lib/fleetops/edgecore-source.json); while that matches, a run neither downloads nor hashes
        anything. Empty - the binary is put there by someone else (the role can copy it from the controller).
    type: str
    default: ""
  binary_member:
    description: Path of edgecore inside the O(binary_url) tarball; empty when the URL is the binary itself.
    type: str
    default: ""
  binary_sha256:
    description: Expected sha256 of what O(binary_url) serves; empty reads C(<url>.sha256).
    type: str
    default: ""
  runtime_endpoint:
    description: CRI endpoint of the container runtime.
    type: str
    default: unix:///run/containerd/containerd.sock
  cgroup_driver:
    description: Cgroup driver for edged and containerd's runc.
    type: str
    choices: [cgroupfs, systemd]
    default: cgroupfs
  cgroup_root:
    description:
      - Cgroup under which edged puts the pods (kubelet C(cgroupRoot)); empty leaves the kubelet default (C(/)).
      - C(self) uses the cgroup of the host's init process, which is C(/) on a machine and the container's own
        cgroup on a host that is itself a container sharing the machine's cgroup tree (so pods of different
        nodes never share C(/kubepods)). Needs O(cgroup_driver=cgroupfs).
      - The directory is created in every mounted cgroup hierarchy where it is missing (the kubelet requires it).
    type: str
    default: ""
  sandbox_image:
    description: Pod sandbox (pause) image; must be present in containerd (side-load it with O(images) or O(image_archives)).
    type: str
    default: registry.k8s.io/pause:3.10
  edgecore_overrides:
    description:
      - "Merged into the generated C(edgecore.yaml), like C(keadm join --set); for example
        C({modules: {metaManager: {remoteQueryTimeout: 20}}})."
    type: dict
    default: {}
  manage_containerd:
    description: Write C(/etc/containerd/config.toml) and keep containerd enabled and running.
    type: bool
    default: true
  restrict_oom_score_adj:
    description:
      - containerd CRI C(restrict_oom_score_adj) - never ask runc for an oom_score_adj below containerd's own.
        Needed where containerd lacks C(CAP_SYS_RESOURCE) (a host that is an unprivileged container), or every
        pod sandbox fails with C(can't get final child's PID from pipe).
      - Unset - on exactly when the host lacks C(CAP_SYS_RESOURCE).
    type: bool
  containerd_snapshotter:
    description: containerd snapshotter (C(overlayfs), or C(native) where overlayfs cannot work).
    type: str
    default: overlayfs
  manage_cni:
    description: Write a bridge CNI network to O(cni_conf_dir).
    type: bool
    default: true
  cni_conf_dir:
    description: CNI configuration directory.
    type: path
    default: /etc/cni/net.d
  cni_bin_dir:
    description: CNI plugin binaries (Debian's containernetworking-plugins installs to C(/usr/lib/cni)).
    type: path
    default: /usr/lib/cni
  pod_cidr:
    description: Pod address range of the bridge network on this node.
    type: str
    default: 10.88.0.0/16
  image_archives:
    description:
      - Image archives on the host (C(docker save) or OCI layout tarballs) imported into containerd's
        C(k8s.io) namespace when an image they hold is missing. This is how air-gapped sites get
        the sandbox image and workload images.
    type: list
    elements: path
    default: []
  images:
    description:
      - Images side-loaded from an artifact mirror - each downloaded by the host (verified by sha256) and
        imported into containerd's C(k8s.io) namespace only when containerd does not have it, then the
        download is removed. A converged node downloads and hashes nothing.
      - The C(fleetops.kurator.image_archives) filter computes the entries from image references and the mirror.
    type: list
    elements: dict
    default: []
    suboptions:
      ref:
        description: Tagged image reference the archive holds, for example C(registry.k8s.io/pause:3.10).
        type: str
        required: true
      url:
        description: URL of the archive (C(docker save) or OCI layout tarball).
        type: str
        required: true
      sha256:
        description: Expected sha256 of the archive; empty reads it from C(<url>.sha256).
        type: str
  image_dir:
    description: Where O(images) are downloaded before the import.
    type: path
    default: /var/lib/fleetops/images
  validate_certs:
    description: Verify the TLS certificate of an C(https) mirror for O(images).
    type: bool
    default: true
  join_timeout:
    description: Seconds to wait for edgecore to obtain its certificate after a (re)start; C(0) does not wait.
    type: int
    default: 120
  purge_runtime_config:
    description: With O(state=absent), also remove the containerd and CNI files this module wrote.
    type: bool
    default: false
  purge_install:
    description:
      - With O(state=absent), also remove the edgecore binary at O(binary), the record of its download and the image
        archives under O(image_dir) (C(keadm reset) keeps them; a later join installs them again).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details: Reports what would be written, imported, started or removed; changes nothing.
  diff_mode:
    support: full
    details: Shows the before and after of every managed file (the token is never shown).
  idempotent:
    support: full
notes:
  - Requires systemd and containerd's C(ctr) on the host; no Python libraries beyond the standard library.
seealso:
  - module: fleetops.kurator.edge_node_info
"""

EXAMPLES = r"""
- name: Join this host as an edge node
  fleetops.kurator.edge_node:
    name: edge-node-01
    cloudcore_host: 10.0.0.21
    token: "{{ kubeedge_token }}"
    labels: {region: east-china, edge-type: industrial}
    images:
      - ref: registry.k8s.io/pause:3.10
        url: http://mirror.example.com/images/registry.k8s.io/pause/3.10/linux-amd64.tar
  no_log: false   # the token option is no_log already

- name: Reset the node
  fleetops.kurator.edge_node:
    name: edge-node-01
    state: absent
"""

RETURN = r"""
joined:
  description: Whether the node holds a certificate issued for its name (after the call; in check mode, before).
  returned: always
  type: bool
restarted:
  description: Whether edgecore was started or restarted.
  returned: always
  type: bool
changes:
  description: What changed (or would change), in plain words.
  returned: always
  type: list
  elements: str
  sample: [write /etc/kubeedge/config/edgecore.yaml, import /var/lib/fleetops/images/pause.tar, restart edgecore]
version:
  description: edgecore version reported by the binary.
  returned: when state=present
  type: str
  sample: v1.23.1
install:
  description:
    - With O(inspect=true) (deprecated), what is on the host, in plain words, and whether that is a problem.
    - M(fleetops.kurator.edge_node_info) returns the same.
  returned: when inspect=true
  type: dict
  contains:
    ok:
      description: False when the host holds something that blocks a join (a kubelet, a certificate for another name).
      type: bool
    detail:
      description: Plain-words description.
      type: str
needs_token:
  description: With O(token_optional=true), whether the node still needs a join token (it has no certificate).
  returned: when state=present
  type: bool
reason:
  description: Why the node is not joined, when it is not (from the edgecore journal).
  returned: when the join did not complete
  type: str
"""

import ipaddress
import os
import tarfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url
from ansible_collections.fleetops.kurator.plugins.module_utils import _edge as edge
from ansible_collections.fleetops.kurator.plugins.module_utils import _download, _images, _labels
from ansible_collections.fleetops.kurator.plugins.module_utils._edge_host import EdgeHost, install_report, joined
from ansible_collections.fleetops.kurator.plugins.module_utils._files import converge_file, read_text as read


def input_problems(p):
    """Bad options, each as '<option>: got X; expected Y', before anything on the host is touched."""
    problems = []
    error = _labels.dns1123_subdomain_error(p["name"])
    if error:
        problems.append(_labels.problem("name", p["name"], "a Node name: it " + error))
    for port in ("websocket_port", "quic_port", "cert_port", "stream_port"):
        if not 1 <= p[port] <= 65535:
            problems.append(_labels.problem(port, p[port], "a TCP/UDP port, 1-65535"))
    for key, value in sorted(p["labels"].items()):
        error = _labels.label_key_error(key)
        if error:
            problems.append(_labels.problem("labels", key, "a label key: " + error))
        error = _labels.label_value_error(value)
        if error:
            problems.append(_labels.problem("labels.%s" % key, value, "a label value: " + error))
    try:
        ipaddress.ip_network(p["pod_cidr"], strict=True)
    except ValueError as exc:
        problems.append(_labels.problem("pod_cidr", p["pod_cidr"], "a network in CIDR notation (%s)" % exc))
    host = p["cloudcore_host"]
    if host and (any(c.isspace() for c in host) or not host.strip("[]")):
        problems.append(_labels.problem("cloudcore_host", host, "an IP address or a DNS name"))
    for image in p["images"]:
        try:
            _images.parse_ref(image["ref"])
        except ValueError as exc:
            problems.append(_labels.problem("images[].ref", image["ref"], str(exc)))
    return problems


class EdgeNode(object):
    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.changes = []
        self.diffs = []
        self.changed = False
        self.binary_pending = False   # check mode: binary_url would install a new binary
        # systemctl, ctr, mounts: the host's mechanics (module_utils._edge_host).
        self.host = EdgeHost(module, context=lambda: {"changes": self.changes})
        self.run = self.host.run

    # --- helpers -------------------------------------------------------------------------
    def note(self, text):
        self.changes.append(text)
        self.changed = True

    def converge_file(self, path, content, mode, secret=False):
        """Write path if it differs; returns True when it changed (or would)."""
        note, diff = converge_file(path, content, mode, self.module.check_mode)
        if note is None:
            return False
        if not secret:
            self.diffs.append(diff)
        self.note(note)
        return True

    def remove_path(self, path):
        if not os.path.lexists(path):
            return False
        diff = self.host.removal_diff(path)
        if diff:
            self.diffs.append(diff)
        self.note("remove %s" % path)
        if not self.module.check_mode:
            self.host.remove(path)
        return True

    def joined(self):
        return joined(self.p["name"])

    # --- state=present -------------------------------------------------------------------
    def binary_info(self):
        binary = self.p["binary"]
        if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
            self.module.fail_json(msg="edgecore binary %s is missing or not executable" % binary)
        version = self.p["version"]
        if not version:
            rc, out, err = self.run([binary, "--version"], check=False)
            version = edge.parse_version(out + " " + err) if rc == 0 else None
        if not version:
            self.module.fail_json(msg="cannot read the version of %s (edgecore has no --version): set version" % binary)
        st = os.stat(binary)
        return version, st.st_size, st.st_mtime

    def cgroup_root(self):
        wanted = self.p["cgroup_root"]
        if not wanted:
            return None
        if wanted == "self":
            wanted = edge.init_cgroup(read("/proc/1/cgroup"))
        if wanted == "/":
            return None
        if self.p["cgroup_driver"] != "cgroupfs":
            self.module.fail_json(msg="cgroup_root needs cgroup_driver=cgroupfs")
        for mount in edge.cgroup_mounts(read("/proc/self/mountinfo")):
            path = os.path.join(mount, wanted.lstrip("/"))
            if not os.path.isdir(path):
                self.note("create cgroup %s" % path)
                if not self.module.check_mode:
                    os.makedirs(path)
        return wanted

    def side_loader(self):
        return _images.SideLoader(
            self.run, self.note, lambda msg: self.module.fail_json(msg=msg, changes=self.changes), open_url,
            self.p["image_dir"], validate_certs=self.p["validate_certs"], check_mode=self.module.check_mode)

    def images_present(self):
        return self.side_loader().present()

    def archive_refs(self, path):
        try:
            return _images.archive_refs(path)
        except (IOError, OSError, tarfile.TarError) as exc:
            self.module.fail_json(msg="cannot read image archive %s: %s" % (path, exc))

    def present(self):
        p = self.p
        if not p["cloudcore_host"]:
            self.module.fail_json(msg="cloudcore_host is required with state=present")
        if p["binary_url"]:
            self.install_binary()
        if self.module.check_mode and self.binary_pending:
            version, size, mtime = p["version"] or "unknown", None, 0   # a binary the real run would download first
        else:
            version, size, mtime = self.binary_info()
        joined_before = self.joined()

        runtime_changed = False
        if p["restrict_oom_score_adj"] is None:
            p["restrict_oom_score_adj"] = not edge.has_capability(read("/proc/self/status"), edge.CAP_SYS_RESOURCE)
        if p["manage_containerd"]:
            runtime_changed |= self.converge_file(edge.CONTAINERD_CONFIG, edge.render_containerd(p), 0o644)
        if p["manage_cni"]:
            self.converge_file(os.path.join(p["cni_conf_dir"], "10-fleetops-edge.conflist"), edge.render_cni(p), 0o644)

        p["cgroup_root_path"] = self.cgroup_root()
        config = edge.render_json(edge.edgecore_config(p, version))
        edge_changed = self.converge_file(edge.EDGECORE_CONFIG, config, 0o644)
        unit_changed = self.converge_file(edge.UNIT_FILE, edge.render_unit(p["binary"]), 0o644)
        edge_changed |= unit_changed
        edge_changed |= self.converge_file(edge.STAMP_FILE, edge.render_stamp(version, size, mtime), 0o644)

        token_written = False
        needs_token = not joined_before and not p["token"]
        if needs_token and not p["token_optional"]:
            self.module.fail_json(msg="node %s has no certificate yet: a join token is required" % p["name"])
        if not joined_before and not needs_token:
            token_written = self.converge_file(edge.BOOTSTRAP_FILE, p["token"].strip() + "\n", 0o600, secret=True)
            edge_changed |= token_written

        if unit_changed and not self.module.check_mode:
            self.host.daemon_reload()

        # containerd: enabled, running, restarted when its config changed.
        if p["manage_containerd"]:
            active = self.host.is_active("containerd")
            if runtime_changed or not active:
                self.note("%s containerd" % ("restart" if active else "start"))
                if not self.module.check_mode:
                    self.host.unit("enable", "containerd")
                    self.host.unit("restart", "containerd")
                    self.host.wait_containerd()
            elif not self.host.is_enabled("containerd"):
                self.note("enable containerd")
                if not self.module.check_mode:
                    self.host.unit("enable", "containerd")

        # Images: import the archives that hold an image containerd does not have.
        if p["image_archives"]:
            present = self.images_present()
            for archive in p["image_archives"]:
                if not os.path.isfile(archive):
                    self.module.fail_json(msg="image archive %s is not on the host" % archive)
                refs = self.archive_refs(archive)
                if present is not None and refs and all(ref in present for ref in refs):
                    continue
                self.note("import %s (%s)" % (archive, ", ".join(refs) or "unnamed"))
                if not self.module.check_mode:
                    self.host.import_archive(archive)
        if p["images"]:
            self.side_load(self.images_present())

        # edgecore: enabled; restarted when something it reads changed; started when down.
        restarted = False
        active = self.host.is_active("edgecore")
        if not self.host.is_enabled("edgecore"):
            self.note("enable edgecore")
            if not self.module.check_mode:
                self.host.unit("enable", "edgecore")
        if needs_token:
            # Without a token edgecore cannot bootstrap: the caller comes back with one.
            return dict(changed=self.changed, changes=self.changes, restarted=False, version=version,
                        joined=False, needs_token=True)
        if edge_changed or not active:
            self.note("%s edgecore" % ("restart" if active else "start"))
            restarted = True
            if not self.module.check_mode:
                self.host.unit("restart", "edgecore")

        result = dict(changed=self.changed, changes=self.changes, restarted=restarted, version=version,
                      joined=joined_before, needs_token=False)
        if self.module.check_mode:
            return result

        if not joined_before and p["join_timeout"] > 0:
            deadline = time.time() + p["join_timeout"]
            while time.time() < deadline and not self.joined():
                time.sleep(1)
        result["joined"] = self.joined()
        if result["joined"] and os.path.exists(edge.BOOTSTRAP_FILE):
            os.unlink(edge.BOOTSTRAP_FILE)   # the credential is no longer needed on disk (keadm does the same)
        if not result["joined"]:
            result["reason"] = self.host.journal_reason("edgecore")
            if p["join_timeout"] > 0:
                self.module.fail_json(msg="edgecore on %s did not obtain its certificate within %ds: %s"
                                      % (p["name"], p["join_timeout"], result["reason"]), **result)
        elif restarted and not self.host.is_active("edgecore"):
            result["reason"] = self.host.journal_reason("edgecore")
            self.module.fail_json(msg="edgecore on %s is not running: %s" % (p["name"], result["reason"]), **result)
        return result

    def install_binary(self):
        """Download edgecore from binary_url unless the recorded install still matches."""
        p = self.p
        binary = p["binary"]
        recorded = edge.parse_source(read(edge.SOURCE_FILE))
        try:
            st = os.stat(binary)
            current = (st.st_size, int(st.st_mtime))
        except OSError:
            current = None
        try:
            sha256 = _download.expected_sha256(open_url, p["binary_url"], p["binary_sha256"], p["validate_certs"])
        except Exception as exc:   # URLError, HTTPError, ValueError
            self.module.fail_json(msg="cannot read the checksum of %s: %s" % (p["binary_url"], exc), changes=self.changes)
        want = {"url": p["binary_url"], "member": p["binary_member"], "sha256": sha256}
        if current and recorded and all(recorded.get(k) == v for k, v in want.items()) \
                and (recorded.get("size"), recorded.get("mtime")) == current:
            return
        self.binary_pending = True
        self.note("install %s from %s" % (binary, p["binary_url"]))
        if self.module.check_mode:
            return
        # A tarball is kept beside the record until the binary is out; a plain binary is
        # downloaded next to its destination (the rename stays on one filesystem).
        work = os.path.join(os.path.dirname(edge.SOURCE_FILE) if p["binary_member"] else os.path.dirname(binary),
                            ".edgecore-download")
        try:
            _download.download(open_url, p["binary_url"], work, sha256, validate_certs=p["validate_certs"])
            if p["binary_member"]:
                _download.extract_member(work, p["binary_member"], binary)
            else:
                os.chmod(work, 0o755)
                os.rename(work, binary)
        except Exception as exc:   # URLError, HTTPError, ValueError, OSError, TarError
            self.module.fail_json(msg="cannot install %s from %s: %s" % (binary, p["binary_url"], exc), changes=self.changes)
        finally:
            if os.path.exists(work):
                os.unlink(work)
        st = os.stat(binary)
        converge_file(edge.SOURCE_FILE, edge.render_json(dict(want, size=st.st_size, mtime=int(st.st_mtime))), 0o644, False)

    def side_load(self, present):
        """Download and import the images containerd lacks (nothing to do on a converged node)."""
        self.side_loader().load(self.p["images"], present)

    # --- inspect=true (deprecated: fleetops.kurator.edge_node_info) -----------------------------
    def info(self):
        install = install_report(self.host, self.p["name"])
        return dict(changed=False, joined=self.joined(), restarted=False, changes=[], install=install)

    # --- state=absent --------------------------------------------------------------------
    def absent(self):
        p = self.p
        if os.path.exists(edge.UNIT_FILE) or self.host.is_active("edgecore"):
            if self.host.is_active("edgecore"):
                self.note("stop edgecore")
                if not self.module.check_mode:
                    self.host.unit("stop", "edgecore", check=False)
            if self.host.is_enabled("edgecore"):
                self.note("disable edgecore")
                if not self.module.check_mode:
                    self.host.unit("disable", "edgecore", check=False)
        # Containers edged started (CRI namespace k8s.io), as keadm reset does.
        containers = self.host.cri_containers()
        if containers:
            self.note("remove %d containers" % len(containers))
            if not self.module.check_mode:
                self.host.remove_containers(containers)
        # The kubelet bind-mounts its root dir onto itself (rshared) and pod volumes below it:
        # unmount everything at or under the directories about to be removed, deepest first.
        mounts = self.host.mounts_under(edge.RESET_DIRS)
        if mounts:
            self.note("unmount %d mounts" % len(mounts))
            if not self.module.check_mode:
                self.host.unmount(mounts)
        removed_unit = self.remove_path(edge.UNIT_FILE)
        for path in edge.RESET_DIRS:
            self.remove_path(path)
        if p["purge_runtime_config"]:
            self.remove_path(edge.CONTAINERD_CONFIG)
            self.remove_path(os.path.join(p["cni_conf_dir"], "10-fleetops-edge.conflist"))
        if p["purge_install"]:
            for path in (p["binary"], edge.SOURCE_FILE, p["image_dir"]):
                if path:
                    self.remove_path(path)
            # The directory of the download record, once nothing else is left in it.
            state_dir = os.path.dirname(edge.SOURCE_FILE)
            if os.path.isdir(state_dir) and not os.listdir(state_dir):
                self.remove_path(state_dir)
        if removed_unit and not self.module.check_mode:
            self.host.daemon_reload(check=False)
            self.host.unit("reset-failed", "edgecore", check=False)
        return dict(changed=self.changed, changes=self.changes, restarted=False, joined=False)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            inspect=dict(type="bool", default=False, removed_in_version="0.2.0", removed_from_collection="fleetops.kurator"),
            cloudcore_host=dict(type="str"),
            websocket_port=dict(type="int", default=10000),
            quic_port=dict(type="int", default=10001),
            cert_port=dict(type="int", default=10002),
            stream_port=dict(type="int", default=10004),
            hub_protocol=dict(type="str", choices=["websocket", "quic"], default="websocket"),
            edge_stream=dict(type="bool", default=False),
            token=dict(type="str", no_log=True),
            token_optional=dict(type="bool", default=False),
            labels=dict(type="dict", default={}),
            node_ip=dict(type="str"),
            version=dict(type="str"),
            binary=dict(type="path", default="/usr/local/bin/edgecore"),
            binary_url=dict(type="str", default=""),
            binary_member=dict(type="str", default=""),
            binary_sha256=dict(type="str", default=""),
            runtime_endpoint=dict(type="str", default="unix:///run/containerd/containerd.sock"),
            cgroup_driver=dict(type="str", choices=["cgroupfs", "systemd"], default="cgroupfs"),
            cgroup_root=dict(type="str", default=""),
            sandbox_image=dict(type="str", default="registry.k8s.io/pause:3.10"),
            edgecore_overrides=dict(type="dict", default={}),
            manage_containerd=dict(type="bool", default=True),
            containerd_snapshotter=dict(type="str", default="overlayfs"),
            restrict_oom_score_adj=dict(type="bool"),
            manage_cni=dict(type="bool", default=True),
            cni_conf_dir=dict(type="path", default="/etc/cni/net.d"),
            cni_bin_dir=dict(type="path", default="/usr/lib/cni"),
            pod_cidr=dict(type="str", default="10.88.0.0/16"),
            image_archives=dict(type="list", elements="path", default=[]),
            images=dict(type="list", elements="dict", default=[], options=dict(
                ref=dict(type="str", required=True),
                url=dict(type="str", required=True),
                sha256=dict(type="str"),
            )),
            image_dir=dict(type="path", default="/var/lib/fleetops/images"),
            validate_certs=dict(type="bool", default=True),
            join_timeout=dict(type="int", default=120),
            purge_runtime_config=dict(type="bool", default=False),
            purge_install=dict(type="bool", default=False),
        ),

        supports_check_mode=True,
    )
    problems = [] if module.params["inspect"] else input_problems(module.params)
    if problems:
        module.fail_json(msg="edge_node: %d bad option(s): %s" % (len(problems), "; ".join(problems)), problems=problems)
    node = EdgeNode(module)
    if module.params["inspect"]:
        result = node.info()
    else:
        result = node.present() if module.params["state"] == "present" else node.absent()
    if module._diff:
        result["diff"] = node.diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
