# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Adversarial topologies (issue 12): each is refused with a clear reason, quickly.

Two kinds of case:

* field cases edit the valid topology of test_topology and must give an error at the
  field path with the expected fragment (validate());
* file cases write a file and go through the inventory plugin (the reason) and through
  ansible-core's InventoryManager with this repository's enabled plugins and
  any_unparsed_is_failed (does the run stop?). They run in a child process with a time
  and memory limit, so an alias bomb cannot take the test run down with it.

With FLEETOPS_BAD_INPUT_REPORT=<file> outcomes are appended to that file as JSON instead
of asserted (the before/after counts of the issue).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import resource
import signal
import time

import pytest
import yaml

from test_topology import APPEND, KNOWN, good, mutate

from ansible_collections.fleetops.kurator.plugins.module_utils._topology import normalize, validate

# This repository's ansible.cfg: the plugins tried on a source, in order.
ENABLED = ["fleetops.kurator.topology", "ansible.builtin.yaml", "ansible.builtin.ini", "ansible.builtin.host_list"]
# What docs/topology.md recommends: without ansible.builtin.ini, which accepts an empty file
# as an empty inventory (no topology error can stop the run then).
RECOMMENDED = ["fleetops.kurator.topology", "ansible.builtin.yaml", "ansible.builtin.host_list"]
TIME_LIMIT = 20  # seconds for one file case (a bomb before the fix ran past 300 s)
MEMORY_LIMIT = 3 << 30


def node(**fields):
    return [(("edge_sites", 0, "nodes", 0, key), value) for key, value in fields.items()]


# (id, edits, field path, fragment of the expectation)
FIELD_CASES = [
    ("address-unspecified-v4", node(address="0.0.0.0"), "edge_sites[0].nodes[0].address", "unspecified"),
    ("address-unspecified-v6", node(address="::"), "edge_sites[0].nodes[0].address", "unspecified"),
    ("address-broadcast", node(address="255.255.255.255"), "edge_sites[0].nodes[0].address", "broadcast"),
    ("address-multicast-v4", node(address="224.0.0.1"), "edge_sites[0].nodes[0].address", "multicast"),
    ("address-multicast-v6", node(address="ff02::1"), "edge_sites[0].nodes[0].address", "multicast"),
    ("address-loopback-v4", node(address="127.0.0.1"), "edge_sites[0].nodes[0].address", "allow_loopback_addresses"),
    ("address-loopback-v4-other", node(address="127.8.0.3"), "edge_sites[0].nodes[0].address", "loopback"),
    ("address-loopback-v6", node(address="::1"), "edge_sites[0].nodes[0].address", "loopback"),
    ("address-loopback-mapped", node(address="::ffff:127.0.0.1"), "edge_sites[0].nodes[0].address", "loopback"),
    ("address-localhost", node(address="localhost"), "edge_sites[0].nodes[0].address", "localhost"),
    ("address-localhost-sub", node(address="edge.localhost"), "edge_sites[0].nodes[0].address", "localhost"),
    ("address-newline", node(address="edge-1.plant.example\n"), "edge_sites[0].nodes[0].address", "DNS name"),
    ("address-list", node(address=["10.0.0.1"]), "edge_sites[0].nodes[0].address", "DNS name"),
    ("cp-address-unspecified", [(("control_plane_hosts", 0, "address"), "0.0.0.0")], "control_plane_hosts[0].address",
     "unspecified"),
    ("advertise-address-unspecified", [(("settings", "kubeedge_advertise_address"), "0.0.0.0")],
     "settings.kubeedge_advertise_address", "unspecified"),
    ("advertise-address-loopback", [(("settings", "kubeedge_advertise_address"), "127.0.0.1")],
     "settings.kubeedge_advertise_address", "loopback"),
    ("allow-loopback-string", [(("settings", "allow_loopback_addresses"), "yes")], "settings.allow_loopback_addresses",
     "true or false"),
    ("provider-newline", [(("clusters", 1, "provider"), "on-prem\nx")], "clusters[1].provider", "label value"),
    ("provider-space", [(("clusters", 1, "provider"), "on prem")], "clusters[1].provider", "no spaces"),
    ("provider-trailing-newline", [(("clusters", 1, "provider"), "aws\n")], "clusters[1].provider", "label value"),
    ("provider-int", [(("clusters", 1, "provider"), 5)], "clusters[1].provider", "label value"),
    ("zone-space", [(("clusters", 1, "zones"), ["east china a"])], "clusters[1].zones[0]", "no spaces"),
    ("zone-newline", [(("clusters", 1, "zones"), ["a\n"])], "clusters[1].zones[0]", "label value"),
    ("zone-too-long", [(("clusters", 1, "zones"), ["z" * 64])], "clusters[1].zones[0]", "63 characters"),
    ("ssh-user-newline", node(ssh_user="ops\nProxyCommand x"), "edge_sites[0].nodes[0].ssh_user", "newlines"),
    ("ssh-user-option", node(ssh_user="-oProxyCommand=x"), "edge_sites[0].nodes[0].ssh_user", "'-'"),
    ("ssh-key-newline", node(ssh_key="key\n"), "edge_sites[0].nodes[0].ssh_key", "newlines"),
    ("context-newline", [(("clusters", 1, "context"), "ctx\n")], "clusters[1].context", "newlines"),
    ("display-name-newline", [(("regions", 0, "display_name"), "East\nChina")], "regions[0].display_name",
     "newlines"),
    ("cluster-name-too-long", [(("clusters", 1, "name"), "c" * 49)], "clusters[1].name", "at most 48"),
    ("cluster-name-newline", [(("clusters", 1, "name"), "cluster-shanghai\n")], "clusters[1].name", "lower-case"),
    ("region-name-newline", [(("regions", 0, "name"), "east-china\n")], "regions[0].name", "lower-case"),
    ("node-name-newline", node(name="edge-1\n"), "edge_sites[0].nodes[0].name", "lower-case"),
    ("label-key-newline", node(labels={"env\n": "x"}), "edge_sites[0].nodes[0].labels['env\\n']", "label key"),
    ("label-value-newline", node(labels={"env": "prod\n"}), "edge_sites[0].nodes[0].labels.env", "label value"),
    ("url-newline", [(("settings", "artifact_mirror"), "http://mirror.local\n")], "settings.artifact_mirror", "URL"),
    ("version-newline", [(("settings", "versions"), {"karmada": "v1.18.2\n"})], "settings.versions.karmada",
     "version string"),
    ("vars-bad-name", [(("settings", "vars"), {"my var": 1})], "settings.vars.my var", "variable name"),
    ("vars-keyword", [(("settings", "vars"), {"class": 1})], "settings.vars.class", "variable name"),
    ("region-ref-list", [(("clusters", 1, "region"), ["east-china"])], "clusters[1].region", "name of a region"),
    ("site-cluster-ref-list", [(("edge_sites", 0, "cluster"), ["host"])], "edge_sites[0].cluster",
     "name of a cluster"),
    ("cp-region-ref-dict", [(("control_plane_hosts", 0, "region"), {"a": 1})], "control_plane_hosts[0].region",
     "name of a region"),
    ("ssh-port-list", node(ssh_port=[22]), "edge_sites[0].nodes[0].ssh_port", "1 to 65535"),
    ("cp-name-list", [(("control_plane_hosts", 0, "name"), ["cp-1"])], "control_plane_hosts[0].name", "lower-case"),
    ("sync-mode-list", [(("clusters", 1, "sync_mode"), ["Push"])], "clusters[1].sync_mode", "Push, Pull"),
    ("arch-list", node(arch=["amd64"]), "edge_sites[0].nodes[0].arch", "amd64"),
    ("cp-role-list", [(("control_plane_hosts", 0, "roles"), [["karmada"]])], "control_plane_hosts[0].roles[0]",
     "karmada"),
    ("agent-host-cp-name-list", [(("control_plane_hosts", APPEND), {"name": ["gw"], "address": "10.0.0.9",
                                                                    "roles": ["karmada_agent"]}),
                                 (("clusters", 1, "sync_mode"), "Pull"), (("clusters", 1, "agent_host"), "gw")],
     "clusters[1].agent_host", "control_plane_hosts entry"),
]


def field_outcome(edits, path, fragment):
    try:
        errors = validate(mutate(edits), known_versions=KNOWN)
    except Exception as exc:  # pylint: disable=broad-except
        return "crash", "%s: %s" % (type(exc).__name__, exc)
    if any(e.startswith(path + ": got ") and fragment in e for e in errors):
        return "clear", "; ".join(errors)
    return ("unclear", "; ".join(errors)) if errors else ("silent", "")


def _topology_text():
    return yaml.safe_dump(good())


BOMB_HEAD = """plugin: fleetops.kurator.topology
regions: [{name: r}]
clusters: [{name: h, role: host, region: r, kubeconfig: k}]
settings:
  vars:
"""


def _billion_laughs(levels=9):
    """A valid topology of ~600 bytes whose settings.vars expand to 9^9 strings."""
    lines = ["    l0: &l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for i in range(1, levels):
        lines.append("    l%d: &l%d [%s]" % (i, i, ",".join(["*l%d" % (i - 1)] * 9)))
    return BOMB_HEAD + "\n".join(lines) + "\n"


def _mapping_bomb(levels=9):
    """The same with mappings instead of sequences."""
    lines = ["    m0: &m0 {%s}" % ", ".join("k%d: lol" % k for k in range(9))]
    for i in range(1, levels):
        lines.append("    m%d: &m%d {%s}" % (i, i, ", ".join("k%d: *m%d" % (k, i - 1) for k in range(9))))
    return BOMB_HEAD + "\n".join(lines) + "\n"


def _latin1_value():
    return _topology_text().replace("east-china\n", "east-china\n    display_name: 'Caf\xe9'\n", 1).encode("latin-1")


def _duplicate_key():
    text = _topology_text()
    return text + "clusters: []\n"


def _deep(levels):
    return "plugin: fleetops.kurator.topology\nx: " + "[" * levels + "]" * levels + "\n"


# Content that ansible.builtin.ini happily reads as an (almost) empty inventory: with ini enabled
# no topology error can stop the run, so their assertion uses the plugins docs/topology.md recommends.
INI_READS = ("empty-file", "only-comments", "top-level-scalar")

# (id, content: bytes/str or a special, fragment the plugin's error must contain)
FILE_CASES = [
    ("empty-file", "", "the file is empty"),
    ("only-comments", "# the fleet, to be written\n", "the file is empty"),
    ("plugin-line-only", "plugin: fleetops.kurator.topology\n", "regions: got None"),
    ("top-level-list", "- plugin: fleetops.kurator.topology\n", "expected a mapping"),
    ("top-level-scalar", "fleet\n", "document: got 'fleet'; expected a mapping"),
    ("not-utf8-value", _latin1_value(), "not UTF-8"),
    ("not-utf8-comment", b"# caf\xe9\n" + _topology_text().encode(), "line 1, column 6"),
    ("symlink-loop", "@loop", "symlink loop"),
    ("dangling-symlink", "@dangling", "No such file or directory"),
    ("billion-laughs", _billion_laughs(), "more than 1000000 nodes"),
    ("mapping-bomb", _mapping_bomb(), "more than 1000000 nodes"),
    ("recursive-alias", "plugin: fleetops.kurator.topology\nx: &a [1, *a]\n", "inside its own anchor"),
    ("deep-nesting", _deep(500), "nested more than 100 deep"),
    ("deeper-than-libyaml", _deep(5000), "maximum nesting depth"),
    ("undefined-alias", "plugin: fleetops.kurator.topology\nregions: *nowhere\n", "no anchor"),
    ("syntax-error", "plugin: fleetops.kurator.topology\nregions: [\n", "invalid YAML"),
    ("tab-indentation", "plugin: fleetops.kurator.topology\nregions:\n\t- name: a\n", "line 3, column 1"),
    ("nul-byte", "plugin: fleetops.kurator.topology\nregions: [{name: \"a\x00\"}]\n", "invalid YAML"),
    ("two-documents", "plugin: fleetops.kurator.topology\n---\nplugin: other\n", "a single document"),
    ("duplicate-key", _duplicate_key(), "'clusters' a second time"),
    ("duplicate-nested-key", _topology_text().replace("  name: edge-1\n", "  name: edge-1\n    name: edge-9\n", 1),
     "'name' a second time"),
]


def _write(directory, content):
    path = os.path.join(directory, "topology.yml")
    if content == "@loop":
        os.symlink("other.topology.yml", path)
        os.symlink("topology.yml", os.path.join(directory, "other.topology.yml"))
    elif content == "@dangling":
        os.symlink("nowhere.yml", path)
    else:
        with open(path, "wb") as handle:
            handle.write(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _file_outcome(path, fragment, enabled):
    """In the child: the plugin's reason, then whether the InventoryManager stops the run."""
    from ansible import constants as C
    from ansible.errors import AnsibleError
    from ansible.inventory.data import InventoryData
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader, inventory_loader

    init_plugin_loader()
    C.INVENTORY_ENABLED = enabled
    C.INVENTORY_ANY_UNPARSED_IS_FAILED = True
    plugin = inventory_loader.get("fleetops.kurator.topology")
    reason = None
    if plugin.verify_file(path):
        try:
            plugin.parse(InventoryData(), DataLoader(), path)
        except AnsibleError as exc:
            reason = str(exc)
        except Exception as exc:  # pylint: disable=broad-except
            return "crash", "%s: %s" % (type(exc).__name__, exc)
    try:
        InventoryManager(loader=DataLoader(), sources=[path])
        stops = False
    except AnsibleError:
        stops = True
    if reason is not None and fragment in reason and path in reason:
        return ("clear" if stops else "silent"), reason if stops else "the run goes on: " + reason
    if stops:
        return "unclear", reason or "stopped without a reason from the topology plugin"
    return "silent", reason or ""


def in_child(func, *args):
    """func(*args) -> (outcome, message) in a forked child with TIME_LIMIT and MEMORY_LIMIT."""
    read_end, write_end = os.pipe()
    started = time.time()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
            result = func(*args)
        except BaseException as exc:  # pylint: disable=broad-except
            result = ("crash", "%s: %s" % (type(exc).__name__, exc))
        os.write(write_end, json.dumps([result[0], result[1][:1500]]).encode("utf-8"))
        os._exit(0)
    os.close(write_end)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() - started > TIME_LIMIT:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            return ("crash", "ran past %d s" % TIME_LIMIT), time.time() - started
        time.sleep(0.02)
    data = os.read(read_end, 1 << 16)
    os.close(read_end)
    elapsed = time.time() - started
    if not data:
        return ("crash", "the child died (exit status %d): out of memory?" % status), elapsed
    return tuple(json.loads(data.decode("utf-8"))), elapsed


def _report(request, kind, msg):
    report = os.environ.get("FLEETOPS_BAD_INPUT_REPORT")
    if not report:
        return False
    with open(report, "a") as handle:
        handle.write(json.dumps({"id": request.node.callspec.id, "outcome": kind, "message": msg[:300]}) + "\n")
    return True


def test_cases_are_distinct():
    ids = [c[0] for c in FIELD_CASES + FILE_CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 60


@pytest.mark.parametrize("edits,path,fragment", [c[1:] for c in FIELD_CASES], ids=[c[0] for c in FIELD_CASES])
def test_adversarial_field_is_refused(edits, path, fragment, request):
    kind, msg = field_outcome(edits, path, fragment)
    if not _report(request, kind, msg):
        assert kind == "clear", "%s: %s" % (kind, msg)


@pytest.mark.parametrize("content,fragment", [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_adversarial_file_is_refused(content, fragment, tmp_path, request):
    path = _write(str(tmp_path), content)
    reporting = os.environ.get("FLEETOPS_BAD_INPUT_REPORT")
    # The report counts with this repository's plugins; an empty file can only stop the run
    # without ansible.builtin.ini, so the assertion for those uses the recommended plugins.
    enabled = RECOMMENDED if request.node.callspec.id in INI_READS and not reporting else ENABLED
    (kind, msg), elapsed = in_child(_file_outcome, path, fragment, enabled)
    if not _report(request, kind, msg):
        assert kind == "clear", "%s: %s" % (kind, msg)
        assert elapsed < 5, "took %.1f s" % elapsed


def test_alias_bomb_is_refused_in_under_a_second(tmp_path):
    """The ~600-byte billion laughs of the issue, through the plugin itself, timed."""
    from ansible.errors import AnsibleParserError
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader, inventory_loader

    init_plugin_loader()
    text = _billion_laughs()
    assert len(text) < 700
    path = _write(str(tmp_path), text)
    plugin = inventory_loader.get("fleetops.kurator.topology")
    started = time.time()
    with pytest.raises(AnsibleParserError) as err:
        plugin.parse(InventoryData(), DataLoader(), path)
    # Generous bound against a slow CI machine; the check itself takes milliseconds.
    assert time.time() - started < 5
    assert "aliases that expand the document by more than 1000000 nodes" in str(err.value)
    assert path in str(err.value)


def test_anchors_within_the_limit_still_work(tmp_path):
    """Ordinary anchors (shared site labels) are fine."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader()
    text = """
plugin: fleetops.kurator.topology
regions: [{name: east-china}]
clusters:
  - {name: host, role: host, region: east-china, kubeconfig: k/host}
edge_sites:
  - name: plant-1
    region: east-china
    cluster: host
    nodes:
      - {name: edge-1, address: 10.0.0.1, labels: &site {edge-type: industrial}}
      - {name: edge-2, address: 10.0.0.2, labels: *site}
"""
    inv = InventoryManager(loader=DataLoader(), sources=[_write(str(tmp_path), text)])
    assert inv.get_host("edge-2").get_vars()["fleetops_labels"] == {"edge-type": "industrial"}


def test_loopback_addresses_with_the_flag():
    data = mutate(node(address="127.0.0.1") + [(("settings", "allow_loopback_addresses"), True),
                                               (("settings", "kubeedge_advertise_address"), "localhost")])
    assert validate(data, known_versions=KNOWN) == []
    assert normalize(data)["settings"]["allow_loopback_addresses"] is True
    assert normalize(good())["settings"]["allow_loopback_addresses"] is False
    # Never the unspecified, broadcast or a multicast address, whatever the flag.
    data = mutate(node(address="0.0.0.0") + [(("settings", "allow_loopback_addresses"), True)])
    assert any("unspecified" in e for e in validate(data, known_versions=KNOWN))


def test_valid_provider_zones_and_addresses_stay_valid():
    data = mutate([(("clusters", 1, "provider"), "AWS"), (("clusters", 1, "zones"), ["us-east-1a", "zone_b.2"]),
                   (("edge_sites", 0, "nodes", 0, "address"), "fd00::10"),
                   (("edge_sites", 0, "nodes", 1, "address"), "169.254.10.1")])
    assert validate(data, known_versions=KNOWN) == []
