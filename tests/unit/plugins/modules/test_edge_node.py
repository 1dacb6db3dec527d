# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""edge_node: renderings, and the converge logic against a fake host (files in a temp dir,
systemctl/ctr/edgecore answered by a fake run_command)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import io
import json
import os
import tarfile

import pytest

from ansible_collections.fleetops.kurator.plugins.module_utils import _edge as edge
from ansible_collections.fleetops.kurator.plugins.module_utils import _images
from ansible_collections.fleetops.kurator.plugins.modules import edge_node
from image_fakes import FakeMirror, image_archive, mirror_with

PARAMS = dict(name="edge-a-1", state="present", inspect=False, cloudcore_host="172.31.250.10", websocket_port=10000,
              quic_port=10001, cert_port=10002, stream_port=10004, hub_protocol="websocket", edge_stream=False,
              token="abc.def.ghi.jkl", token_optional=False, labels={"region": "east-china"}, node_ip=None, binary=None, version=None,
              runtime_endpoint="unix:///run/containerd/containerd.sock", cgroup_driver="systemd", cgroup_root="",
              sandbox_image="registry.k8s.io/pause:3.10", edgecore_overrides={}, manage_containerd=True,
              containerd_snapshotter="overlayfs", restrict_oom_score_adj=None, manage_cni=True, cni_conf_dir=None, cni_bin_dir="/usr/lib/cni",
              pod_cidr="10.88.0.0/16", image_archives=[], images=[], image_dir=None, validate_certs=True,
              binary_url="", binary_member="", binary_sha256="",
              join_timeout=0, purge_runtime_config=False, purge_install=False)


class Failed(Exception):
    pass


class FakeHost(object):
    """systemd units and containerd images as state; every command recorded."""

    def __init__(self):
        self.active = {"containerd": False, "edgecore": False}
        self.enabled = {"containerd": False, "edgecore": False}
        self.images = set()
        self.commands = []
        self.on_restart_edgecore = None

    def __call__(self, args, **kwargs):
        self.commands.append(list(args))
        if args[0] == "pgrep":
            return 1, "", ""
        if args[-1] == "--version":
            return 0, "KubeEdge v1.23.1\n", ""
        if args[0] == "systemctl":
            verb, unit = args[1], args[-1]
            if verb == "is-active":
                return (0 if self.active.get(unit) else 3), "", ""
            if verb == "is-enabled":
                return (0 if self.enabled.get(unit) else 1), "", ""
            if verb in ("restart", "start"):
                self.active[unit] = True
                if unit == "edgecore" and self.on_restart_edgecore:
                    self.on_restart_edgecore()
            if verb == "enable":
                self.enabled[unit] = True
            if verb == "stop":
                self.active[unit] = False
            if verb == "disable":
                self.enabled[unit] = False
            return 0, "", ""
        if args[:4] == ["ctr", "-n", "k8s.io", "images"] and args[4] == "ls":
            return 0, "\n".join(sorted(self.images)), ""
        if args[:5] == ["ctr", "-n", "k8s.io", "images", "import"]:
            self.images.add("registry.k8s.io/pause:3.10")
            return 0, "", ""
        if args[:4] == ["ctr", "-n", "k8s.io", "containers"]:
            return 0, "", ""
        return 0, "", ""

    def ran(self, *prefix):
        return [c for c in self.commands if c[:len(prefix)] == list(prefix)]


class FakeModule(object):
    def __init__(self, params, host, check_mode=False):
        self.params = params
        self.check_mode = check_mode
        self._diff = True
        self.run_command = host

    def fail_json(self, **kwargs):
        raise Failed(kwargs["msg"])


@pytest.fixture
def env(tmp_path, monkeypatch):
    root = tmp_path
    for name in ("EDGECORE_CONFIG", "BOOTSTRAP_FILE", "CA_FILE", "CERT_FILE", "KEY_FILE", "UNIT_FILE",
                 "STAMP_FILE", "CONTAINERD_CONFIG", "SOURCE_FILE"):
        monkeypatch.setattr(edge, name, str(root / getattr(edge, name).lstrip("/")))
    monkeypatch.setattr(edge, "RESET_DIRS", [str(root / d.lstrip("/")) for d in edge.RESET_DIRS])
    binary = root / "usr/local/bin/edgecore"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    params = dict(PARAMS, binary=str(binary), cni_conf_dir=str(root / "etc/cni/net.d"),
                  image_dir=str(root / "var/lib/fleetops/images"))
    return root, params


def make_cert(common_name):
    """A real self-signed PEM certificate with the given subject CN (what cloudcore issues a node)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:nodes"),
                         x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime(2026, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(subject)
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "KubeEdge")]))
            .public_key(key.public_key()).serial_number(1000)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def issue_cert(name):
    """What cloudcore's certificate bootstrap leaves behind (a certificate with CN system:node:<name>)."""
    for path, content in ((edge.CERT_FILE, make_cert("system:node:%s" % name)), (edge.KEY_FILE, "key"), (edge.CA_FILE, "ca")):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(content)


def converge(params, host, check_mode=False):
    node = edge_node.EdgeNode(FakeModule(params, host, check_mode))
    if params["inspect"]:
        result = node.info()
    else:
        result = node.present() if params["state"] == "present" else node.absent()
    return result, node


def test_edgecore_config_follows_keadm_join():
    config = edge.edgecore_config(dict(PARAMS, edgecore_overrides={"modules": {"edged": {"tailoredKubeletConfig": {
        "cgroupsPerQOS": False}}}}), "v1.23.1")
    hub = config["modules"]["edgeHub"]
    assert hub["httpServer"] == "https://172.31.250.10:10002"
    assert hub["websocket"] == {"enable": True, "server": "172.31.250.10:10000"}
    assert hub["quic"]["enable"] is False and hub["token"] == ""
    edged = config["modules"]["edged"]
    assert edged["hostnameOverride"] == "edge-a-1"
    assert edged["nodeLabels"] == {"region": "east-china"}, "edged adds the edge role label itself"
    assert edged["tailoredKubeletConfig"]["cgroupDriver"] == "systemd"
    assert edged["tailoredKubeletConfig"]["cgroupsPerQOS"] is False
    assert edged["tailoredKubeletConfig"]["containerRuntimeEndpoint"] == "unix:///run/containerd/containerd.sock"
    assert config["edgecoreVersion"] == "v1.23.1"


def test_restrict_oom_score_adj_follows_cap_sys_resource():
    base = dict(PARAMS, cni_conf_dir="/etc/cni/net.d")
    assert "restrict_oom_score_adj = true" in edge.render_containerd(dict(base, restrict_oom_score_adj=True))
    assert "restrict_oom_score_adj" not in edge.render_containerd(dict(base, restrict_oom_score_adj=False))
    root = "CapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n"
    container = "CapEff:\t00000004a82c35fb\n"          # what a lab host (Docker, not privileged) has
    assert edge.has_capability(root, edge.CAP_SYS_RESOURCE)
    assert not edge.has_capability(container, edge.CAP_SYS_RESOURCE)
    assert not edge.has_capability("", edge.CAP_SYS_RESOURCE)
    # TOML strings are quoted and escaped, whatever the input holds.
    assert 'sandbox_image = "a\\"b"' in edge.render_containerd(dict(base, sandbox_image='a"b'))


def test_ipv6_cloudcore_and_quic():
    config = edge.edgecore_config(dict(PARAMS, cloudcore_host="fd00::10", hub_protocol="quic"), "v1.23.1")
    assert config["modules"]["edgeHub"]["quic"] == {"enable": True, "server": "[fd00::10]:10001"}
    assert config["modules"]["edgeHub"]["httpServer"] == "https://[fd00::10]:10002"


def test_render_json_is_canonical():
    assert edge.render_json({"b": 1, "a": {"d": 1, "c": 2}}) == edge.render_json({"a": {"c": 2, "d": 1}, "b": 1})


def test_containerd_config_matches_cgroup_driver():
    text = edge.render_containerd(dict(PARAMS, cgroup_driver="systemd"))
    assert "SystemdCgroup = true" in text and 'sandbox_image = "registry.k8s.io/pause:3.10"' in text
    assert "SystemdCgroup = false" in edge.render_containerd(dict(PARAMS, cgroup_driver="cgroupfs"))


def test_parse_version_and_cert_match():
    assert edge.parse_version("KubeEdge v1.23.1\n") == "v1.23.1"
    assert edge.parse_version("garbage") is None
    pem = make_cert("system:node:edge-a-1")
    assert edge.cert_subject_cns(pem) == ["system:node:edge-a-1"]
    assert edge.cert_matches(pem, "edge-a-1")
    assert not edge.cert_matches(pem, "edge-a-2")
    assert not edge.cert_matches(None, "edge-a-1")


def test_cert_match_is_the_exact_subject_cn():
    """A certificate for edge-node-010 is not one for edge-node-01 or edge-node-0 (no substring match)."""
    pem = make_cert("system:node:edge-node-010")
    assert edge.cert_matches(pem, "edge-node-010")
    assert not edge.cert_matches(pem, "edge-node-01")
    assert not edge.cert_matches(pem, "edge-node-0")
    assert not edge.cert_matches(make_cert("system:node:edge-node-01"), "edge-node-010")
    # The name elsewhere in the DER (here: raw bytes that are no certificate) does not count.
    der = b"\x30\x82system:node:edge-a-1\x00"
    fake = "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----" % base64.b64encode(der).decode()
    assert not edge.cert_matches(fake, "edge-a-1")


def test_image_refs_from_docker_and_oci_archives():
    docker = {"manifest.json": json.dumps([{"RepoTags": ["registry.k8s.io/pause:3.10", "busybox"]}]).encode()}
    assert _images.image_refs_in_archive(docker) == ["registry.k8s.io/pause:3.10", "docker.io/library/busybox:latest"]
    oci = {"index.json": json.dumps({"manifests": [{"annotations": {
        "io.containerd.image.name": "example.com/app:1"}}]}).encode()}
    assert _images.image_refs_in_archive(oci) == ["example.com/app:1"]


def test_fresh_join_writes_everything_then_second_run_changes_nothing(env):
    root, params = env
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    result, node = converge(dict(params, join_timeout=5), host)
    assert result["changed"] and result["restarted"] and result["joined"]
    assert ["systemctl", "restart", "containerd"] in host.commands
    assert ["systemctl", "restart", "edgecore"] in host.commands
    assert not os.path.exists(edge.BOOTSTRAP_FILE), "the token must not stay on disk after the join"
    config = json.loads(open(edge.EDGECORE_CONFIG).read())
    assert config["modules"]["edgeHub"]["token"] == ""
    assert all("abc.def" not in json.dumps(d) for d in node.diffs), "the token never appears in a diff"

    host.commands = []
    again, node = converge(dict(params, token=None), host)
    assert not again["changed"] and again["changes"] == [] and not again["restarted"]
    assert not host.ran("systemctl", "restart")


def test_check_mode_reports_without_touching(env):
    root, params = env
    host = FakeHost()
    result, node = converge(params, host, check_mode=True)
    assert result["changed"] and "start edgecore" in result["changes"]
    assert not os.path.exists(edge.EDGECORE_CONFIG)
    assert not host.ran("systemctl", "restart")
    assert any(d["after_header"] == edge.EDGECORE_CONFIG for d in node.diffs)


def test_changed_label_restarts_only_edgecore(env):
    root, params = env
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    converge(dict(params, join_timeout=5), host)
    host.commands = []
    result, node = converge(dict(params, token=None, labels={"region": "south-china"}), host)
    assert result["changed"] and result["restarted"]
    assert ["systemctl", "restart", "edgecore"] in host.commands
    assert ["systemctl", "restart", "containerd"] not in host.commands
    assert [d["after_header"] for d in node.diffs] == [edge.EDGECORE_CONFIG]


def test_stopped_edgecore_is_started(env):
    root, params = env
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    converge(dict(params, join_timeout=5), host)
    host.active["edgecore"] = False
    result, node = converge(dict(params, token=None), host)
    assert result["changed"] and result["changes"] == ["start edgecore"]


def test_unjoined_node_without_token_fails_plainly(env):
    root, params = env
    with pytest.raises(Failed, match="join token is required"):
        converge(dict(params, token=None), FakeHost())


def test_token_optional_converges_all_but_the_join(env):
    root, params = env
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    first, node = converge(dict(params, token=None, token_optional=True, join_timeout=5), host)
    assert first["needs_token"] and not first["joined"] and first["changed"]
    assert os.path.exists(edge.EDGECORE_CONFIG) and not os.path.exists(edge.BOOTSTRAP_FILE)
    assert not host.ran("systemctl", "restart", "edgecore")
    second, node = converge(dict(params, join_timeout=5), host)
    assert second["joined"] and not second["needs_token"] and host.ran("systemctl", "restart", "edgecore")
    third, node = converge(dict(params, token=None, token_optional=True, join_timeout=5), host)
    assert not third["changed"] and not third["needs_token"]


def test_join_timeout_reports_reason(env):
    root, params = env
    with pytest.raises(Failed, match="did not obtain its certificate"):
        converge(dict(params, join_timeout=1), FakeHost())


def test_images_imported_once(env, tmp_path):
    root, params = env
    archive = tmp_path / "pause.tar"
    manifest = json.dumps([{"RepoTags": ["registry.k8s.io/pause:3.10"]}]).encode()
    with tarfile.open(str(archive), "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    params = dict(params, image_archives=[str(archive)], join_timeout=5)
    converge(params, host)
    assert len(host.ran("ctr", "-n", "k8s.io", "images", "import")) == 1
    host.commands = []
    result, node = converge(dict(params, token=None), host)
    assert not result["changed"] and not host.ran("ctr", "-n", "k8s.io", "images", "import")


PAUSE = "registry.k8s.io/pause:3.10"
PAUSE_URL = "http://172.31.250.1:8080/images/registry.k8s.io/pause/3.10/linux-amd64.tar"


def test_side_loaded_image_is_downloaded_verified_imported_once(env, monkeypatch):
    root, params = env
    mirror = mirror_with(PAUSE, PAUSE_URL)
    monkeypatch.setattr(edge_node, "open_url", mirror)
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    params = dict(params, images=[{"ref": PAUSE, "url": PAUSE_URL, "sha256": None}], join_timeout=5)
    result, node = converge(params, host)
    assert "side-load %s from %s" % (PAUSE, PAUSE_URL) in result["changes"]
    assert mirror.fetched == [PAUSE_URL + ".sha256", PAUSE_URL]
    assert len(host.ran("ctr", "-n", "k8s.io", "images", "import")) == 1
    assert os.listdir(params["image_dir"]) == []           # the download is not kept
    mirror.fetched, host.commands = [], []
    result, node = converge(dict(params, token=None), host)
    assert not result["changed"] and mirror.fetched == [] and not host.ran("ctr", "-n", "k8s.io", "images", "import")


def test_side_load_in_check_mode_downloads_nothing(env, monkeypatch):
    root, params = env
    mirror = mirror_with(PAUSE, PAUSE_URL)
    monkeypatch.setattr(edge_node, "open_url", mirror)
    result, node = converge(dict(params, images=[{"ref": PAUSE, "url": PAUSE_URL, "sha256": None}]), FakeHost(), check_mode=True)
    assert "side-load %s from %s" % (PAUSE, PAUSE_URL) in result["changes"] and mirror.fetched == []


def test_side_load_refuses_a_wrong_checksum_or_image(env, monkeypatch):
    root, params = env
    host = FakeHost()
    monkeypatch.setattr(edge_node, "open_url", mirror_with(PAUSE, PAUSE_URL))
    with pytest.raises(Failed, match="cannot side-load registry.k8s.io/pause:3.10 .*sha256 [0-9a-f]+, expected 0{64}"):
        converge(dict(params, images=[{"ref": PAUSE, "url": PAUSE_URL, "sha256": "0" * 64}]), host)
    monkeypatch.setattr(edge_node, "open_url", mirror_with(PAUSE, PAUSE_URL, archive=image_archive("example.com/other:1")))
    with pytest.raises(Failed, match="holds example.com/other:1, not registry.k8s.io/pause:3.10"):
        converge(dict(params, images=[{"ref": PAUSE, "url": PAUSE_URL, "sha256": None}]), host)
    monkeypatch.setattr(edge_node, "open_url", FakeMirror({}))
    with pytest.raises(Failed, match="cannot side-load .*404"):
        converge(dict(params, images=[{"ref": PAUSE, "url": PAUSE_URL, "sha256": None}]), host)
    assert not host.ran("ctr", "-n", "k8s.io", "images", "import")
    assert os.listdir(params["image_dir"]) == []


RELEASE_URL = "http://172.31.250.1:8080/kubeedge/kubeedge/releases/download/v1.23.1/kubeedge-v1.23.1-linux-amd64.tar.gz"
MEMBER = "kubeedge-v1.23.1-linux-amd64/edge/edgecore"


def release_tarball(content=b"#!/bin/sh\necho edgecore\n"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo(MEMBER)
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def test_binary_from_the_mirror_is_installed_once_then_left_alone(env, monkeypatch):
    root, params = env
    os.unlink(params["binary"])
    mirror = mirror_with(None, RELEASE_URL, archive=release_tarball())
    monkeypatch.setattr(edge_node, "open_url", mirror)
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    params = dict(params, binary_url=RELEASE_URL, binary_member=MEMBER, version="v1.23.1", join_timeout=5)
    preview, node = converge(params, host, check_mode=True)
    assert "install %s from %s" % (params["binary"], RELEASE_URL) in preview["changes"]
    assert not os.path.exists(params["binary"]) and mirror.fetched == [RELEASE_URL + ".sha256"]
    mirror.fetched = []
    result, node = converge(params, host)
    assert "install %s from %s" % (params["binary"], RELEASE_URL) in result["changes"]
    assert mirror.fetched == [RELEASE_URL + ".sha256", RELEASE_URL] and "start edgecore" in result["changes"]
    assert open(params["binary"], "rb").read() == b"#!/bin/sh\necho edgecore\n"
    assert os.stat(params["binary"]).st_mode & 0o777 == 0o755
    assert not [f for f in os.listdir(os.path.dirname(edge.SOURCE_FILE)) if f.startswith(".")]
    # Converged: only the checksum is read (no download, no hashing of the binary).
    mirror.fetched, host.commands = [], []
    again, node = converge(dict(params, token=None), host)
    assert not again["changed"], again["changes"]
    assert mirror.fetched == [RELEASE_URL + ".sha256"]
    # A new release on the mirror (another digest) is installed and restarts edgecore.
    monkeypatch.setattr(edge_node, "open_url", mirror_with(None, RELEASE_URL, archive=release_tarball(b"new")))
    upgraded, node = converge(dict(params, token=None), host)
    assert "restart edgecore" in upgraded["changes"] and open(params["binary"], "rb").read() == b"new"


def test_binary_download_failures_are_named(env, monkeypatch):
    root, params = env
    params = dict(params, binary_url=RELEASE_URL, binary_member="wrong/path", version="v1.23.1")
    monkeypatch.setattr(edge_node, "open_url", mirror_with(None, RELEASE_URL, archive=release_tarball()))
    with pytest.raises(Failed, match="cannot install .*edgecore from .*: the archive has no wrong/path"):
        converge(params, FakeHost())
    monkeypatch.setattr(edge_node, "open_url", FakeMirror({}))
    with pytest.raises(Failed, match="cannot read the checksum of .*404"):
        converge(params, FakeHost())


def test_info_reports_install_state(env):
    root, params = env
    result, node = converge(dict(params, inspect=True), FakeHost())
    assert result["install"]["ok"] and "fresh join" in result["install"]["detail"]
    issue_cert("other-node")
    result, node = converge(dict(params, inspect=True), FakeHost())
    assert not result["install"]["ok"] and "another node name" in result["install"]["detail"]


def test_absent_resets_and_is_idempotent(env):
    root, params = env
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    converge(dict(params, join_timeout=5), host)
    result, node = converge(dict(params, state="absent"), host)
    assert result["changed"] and "stop edgecore" in result["changes"]
    assert not os.path.exists(edge.UNIT_FILE) and not os.path.exists(edge.EDGECORE_CONFIG)
    assert os.path.exists(edge.CONTAINERD_CONFIG), "runtime config is kept unless purge_runtime_config"
    again, node = converge(dict(params, state="absent"), host)
    assert not again["changed"]
    assert os.path.exists(params["binary"]), "the binary is kept unless purge_install"


def test_absent_with_purge_install_removes_the_binary_its_record_and_the_images(env):
    root, params = env
    host = FakeHost()
    host.on_restart_edgecore = lambda: issue_cert("edge-a-1")
    converge(dict(params, join_timeout=5), host)
    os.makedirs(params["image_dir"])
    with open(edge.SOURCE_FILE, "w") as handle:
        handle.write("{}")
    result, node = converge(dict(params, state="absent", purge_install=True), host)
    for path in (params["binary"], edge.SOURCE_FILE, params["image_dir"]):
        assert "remove %s" % path in result["changes"] and not os.path.exists(path)
    assert not os.path.exists(os.path.dirname(edge.SOURCE_FILE)), "the emptied state directory is left"
    again, node = converge(dict(params, state="absent", purge_install=True), host)
    assert not again["changed"]


def test_init_cgroup_and_mounts():
    text = "9:name=systemd:/docker/abc/init.scope\n4:memory:/docker/abc/init.scope\n1:cpu:/docker/abc\n"
    assert edge.init_cgroup(text) == "/docker/abc"
    assert edge.init_cgroup("0::/init.scope\n") == "/"
    info = ("35 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
            "36 30 0:31 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
            "22 1 0:20 / /proc rw - proc proc rw\n")
    assert edge.cgroup_mounts(info) == ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory"]


def test_cgroup_root_is_rendered():
    config = edge.edgecore_config(dict(PARAMS, cgroup_root_path="/docker/abc"), "v1.23.1")
    assert config["modules"]["edged"]["tailoredKubeletConfig"]["cgroupRoot"] == "/docker/abc"


@pytest.mark.parametrize("override, expected", [
    ({"name": "a;rm -rf /"}, "name: got 'a;rm -rf /'; expected a Node name"),
    ({"name": "Edge_1"}, "name: got 'Edge_1'"),
    ({"websocket_port": 0}, "websocket_port: got 0; expected a TCP/UDP port, 1-65535"),
    ({"cert_port": -1}, "cert_port: got -1"),
    ({"quic_port": 70000}, "quic_port: got 70000"),
    ({"labels": {"bad key!": "x"}}, "labels: got 'bad key!'; expected a label key"),
    ({"labels": {"region": "east china"}}, "labels.region: got 'east china'; expected a label value"),
    ({"pod_cidr": "10.88.0.1/16"}, "pod_cidr: got '10.88.0.1/16'; expected a network in CIDR notation"),
    ({"pod_cidr": "10.88.0.0/33"}, "pod_cidr: got '10.88.0.0/33'"),
    ({"cloudcore_host": "10.0.0.1 x"}, "cloudcore_host: got '10.0.0.1 x'"),
    ({"images": [{"ref": "pause", "url": "http://m/x.tar", "sha256": None}]}, "images[].ref: got 'pause'"),
])
def test_bad_options_are_named_before_anything_runs(override, expected):
    problems = edge_node.input_problems(dict(PARAMS, cni_conf_dir="/etc/cni/net.d", **override))
    assert any(expected in p for p in problems), problems


def test_good_options_have_no_problems():
    assert edge_node.input_problems(dict(PARAMS, cni_conf_dir="/etc/cni/net.d")) == []


def test_edge_node_info_reports_what_inspect_reported(env):
    """edge_node_info (the _info convention) returns the install report of the deprecated inspect=true."""
    from ansible_collections.fleetops.kurator.plugins.modules import edge_node_info

    root, params = env
    host = FakeHost()
    result = edge_node_info.inspect(FakeModule({"name": "edge-a-1"}, host))
    assert result["changed"] is False and result["joined"] is False
    assert result["install"]["ok"] and "fresh join" in result["install"]["detail"]
    legacy, node = converge(dict(params, inspect=True), FakeHost())
    assert legacy["install"] == result["install"]
    issue_cert("edge-a-1")
    result = edge_node_info.inspect(FakeModule({"name": "edge-a-1"}, host))
    assert result["joined"] and result["install"]["ok"] and "joined as edge-a-1" in result["install"]["detail"]
    result = edge_node_info.inspect(FakeModule({"name": "edge-a-2"}, host))
    assert not result["install"]["ok"] and "another node name" in result["install"]["detail"]
    assert not [c for c in host.commands if c[0] == "systemctl" and c[1] not in ("is-active", "is-enabled")], \
        "edge_node_info changes nothing"
