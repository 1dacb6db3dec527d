#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Benchmark edge onboarding: the kubeedge_edge role vs a plain parallel-SSH script.

For N lab edge hosts (BENCH_SIZES, default "1 5 20 50"): starts N edge hosts
(LAB_EDGE_HOSTS=N lab/hosts/hosts.sh up), then for the role and for bench/onboard_script.sh
(the same steps: edgecore and the images downloaded by each host from the artifact mirror when
missing, containerd/CNI/edgecore config, image import, systemd unit, token bootstrap, wait for
the certificate):

  cold   - every node reset first (edge_node state=absent + Node deleted), then onboarded
  re-run - onboarded again with nothing to do

and prints both times and their ratio. Needs the running lab with cloudcore installed
(playbooks/kubeedge.yml). The lab is put back to its 5 edge hosts at the end.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "plugins", "module_utils"))
import kubeedge_lab  # noqa: E402
import _edge as edge  # noqa: E402
import _images  # noqa: E402

STATE = os.environ.get("FLEETOPS_LAB_STATE", "/var/lib/fleetops-lab")
TOPOLOGY = os.path.join(REPO, "inventories", "lab", "topology.yml")
BIN = os.path.join(REPO, ".venv", "bin")
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1 5 20 50").split()]
ENV = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
# Our own controller download cache (other lab runs may empty the default one meanwhile).
ARTIFACT_CACHE = "/var/tmp/fleetops-bench-cache"
# What the lab side-loads (inventories/lab/group_vars/edge_nodes/kubeedge.yml).
IMAGES = [kubeedge_lab.PAUSE_REF, kubeedge_lab.AGNHOST_REF]


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, **kw)


def lab_hosts(n):
    sh(["lab/hosts/hosts.sh", "up"], cwd=REPO, env=dict(os.environ, LAB_EDGE_HOSTS=str(n)),
       stdout=subprocess.DEVNULL)
    # Recreated hosts have new host keys: the lab's known_hosts (what ssh verifies) follows them.
    sh(["python3", "lab/lab.py", "topology"], cwd=REPO, stdout=subprocess.DEVNULL)
    with open(os.path.join(STATE, "hosts.json")) as handle:
        hosts = json.load(handle)
    return {name: h for name, h in hosts.items() if h["role"] == "edge"}


def inventory(workdir, edge_hosts):
    """The lab topology with exactly these edge hosts (absolute paths), plus the lab group_vars."""
    with open(TOPOLOGY) as handle:
        topo = yaml.safe_load(handle)
    base = os.path.dirname(TOPOLOGY)
    for cluster in topo["clusters"]:
        cluster["kubeconfig"] = os.path.normpath(os.path.join(base, cluster["kubeconfig"]))
    for cp in topo.get("control_plane_hosts", []):
        cp["ssh_key"] = os.path.normpath(os.path.join(base, cp["ssh_key"]))
    template = topo["edge_sites"][0]["nodes"][0]
    key = os.path.normpath(os.path.join(base, template["ssh_key"]))
    for site in topo["edge_sites"]:
        labels = site["nodes"][0]["labels"]
        site["nodes"] = [dict(template, name=name, address=h["address"], ssh_key=key, labels=labels)
                         for name, h in sorted(edge_hosts.items()) if h["site"] == site["name"]]
    topo["edge_sites"] = [s for s in topo["edge_sites"] if s["nodes"]]
    inv = os.path.join(workdir, "inventory")
    os.makedirs(inv)
    with open(os.path.join(inv, "topology.yml"), "w") as handle:
        yaml.safe_dump(topo, handle, sort_keys=False)
    shutil.copytree(os.path.join(base, "group_vars"), os.path.join(inv, "group_vars"))
    return inv, key, topo


def playbook(inv, *args):
    t0 = time.time()
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", inv, "-f", "25",
                           "-e", "fleetops_artifact_cache=" + ARTIFACT_CACHE, *args],
                          cwd=REPO, env=ENV, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit("ansible-playbook failed: %s" % " ".join(args))
    return time.time() - t0


def reset(workdir, inv):
    play = os.path.join(workdir, "reset.yml")
    with open(play, "w") as handle:
        handle.write("- hosts: edge_nodes\n  gather_facts: false\n  roles:\n"
                     "    - {role: fleetops.kurator.kubeedge_edge, kubeedge_edge_state: absent,"
                     " kubeedge_edge_purge_runtime_config: true}\n"
                     "  tasks:\n    - name: Cold start - no binary, no image archive, no imported image\n"
                     "      ansible.builtin.shell: >-\n"
                     "        rm -rf /usr/local/bin/edgecore /var/lib/fleetops;\n"
                     "        ctr -n k8s.io images rm %s >/dev/null 2>&1 || true\n" % " ".join(IMAGES))
    playbook(inv, play)


def script_workdir(workdir, inv, key, topo, edge_hosts):
    """Per-host files rendered with the module's own helpers, so both sides write the same bytes."""
    from kubernetes import client, config
    import base64
    host_cluster = [c for c in topo["clusters"] if c["role"] == "host"][0]
    api = client.CoreV1Api(config.new_client_from_config(config_file=host_cluster["kubeconfig"]))
    token = base64.b64decode(api.read_namespaced_secret("tokensecret", "kubeedge").data["tokendata"]).decode()
    w = os.path.join(workdir, "script")
    os.makedirs(w)
    shutil.copy(key, os.path.join(w, "key"))
    os.chmod(os.path.join(w, "key"), 0o600)
    with open(os.path.join(REPO, "roles", "_artifacts", "defaults", "main", "versions.yml")) as handle:
        version = yaml.safe_load(handle)["fleetops_versions"]["kubeedge"]   # edgecore 1.23 has no --version
    mirror = topo["settings"]["artifact_mirror"].rstrip("/")
    release = "kubeedge-%s-linux-amd64" % version
    mirror_env = "EDGECORE_URL=%s/kubeedge/kubeedge/releases/download/%s/%s.tar.gz\nEDGECORE_MEMBER=%s/edge/edgecore\n" % (
        mirror, version, release, release)
    images = "".join("%s %s\n" % (ref, _images.archive_url(ref, mirror)) for ref in IMAGES)
    cloudcore = [c for c in topo["control_plane_hosts"] if "kubeedge_cloud" in c["roles"]][0]["address"]
    lines = []
    for site in topo["edge_sites"]:
        for node in site["nodes"]:
            p = dict(name=node["name"], cloudcore_host=cloudcore, websocket_port=10000, quic_port=10001,
                     cert_port=10002, stream_port=10004, hub_protocol="websocket", edge_stream=False,
                     labels=node["labels"], node_ip=None, runtime_endpoint="unix:///run/containerd/containerd.sock",
                     cgroup_driver="cgroupfs", cgroup_root_path="@CGROUP_ROOT@",
                     sandbox_image="registry.k8s.io/pause:3.10", edgecore_overrides={},
                     containerd_snapshotter="overlayfs", restrict_oom_score_adj=True,   # lab hosts lack CAP_SYS_RESOURCE
                     cni_bin_dir="/usr/lib/cni", cni_conf_dir="/etc/cni/net.d",
                     pod_cidr="10.88.0.0/16")
            d = os.path.join(w, node["name"])
            os.makedirs(d)
            files = {"edgecore.yaml": edge.render_json(edge.edgecore_config(p, version)),
                     "containerd.toml": edge.render_containerd(p), "cni.conflist": edge.render_cni(p),
                     "edgecore.service": edge.render_unit("/usr/local/bin/edgecore"), "token": token + "\n",
                     "mirror.env": mirror_env, "images.txt": images}
            for name, content in files.items():
                with open(os.path.join(d, name), "w") as handle:
                    handle.write(content)
            lines.append("%s %s" % (node["name"], node["address"]))
    with open(os.path.join(w, "hosts"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return w


def run_script(w):
    t0 = time.time()
    proc = subprocess.run([os.path.join(HERE, "onboard_script.sh"), w], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit("onboard_script.sh failed")
    return time.time() - t0


def forget_removed_nodes(remaining):
    """Delete the Node objects of the edge hosts the bench added and removed again."""
    from kubernetes import client, config
    with open(TOPOLOGY) as handle:
        topo = yaml.safe_load(handle)
    host = [c for c in topo["clusters"] if c["role"] == "host"][0]
    api = client.CoreV1Api(config.new_client_from_config(
        config_file=os.path.normpath(os.path.join(os.path.dirname(TOPOLOGY), host["kubeconfig"]))))
    for node in api.list_node(label_selector="node-role.kubernetes.io/edge").items:
        if node.metadata.name not in remaining:
            api.delete_node(node.metadata.name)


def measure(sizes):
    """[(hosts, role cold, script cold, role re-run, script re-run)] in seconds."""
    for ref in IMAGES:
        kubeedge_lab.image_archive(ref)
    rows = []
    try:
        for n in sizes:
            edge_hosts = lab_hosts(n)
            workdir = tempfile.mkdtemp(prefix="bench-onboarding-")
            inv, key, topo = inventory(workdir, edge_hosts)
            role_play = os.path.join(workdir, "role.yml")
            with open(role_play, "w") as handle:
                handle.write("- hosts: edge_nodes\n  gather_facts: false\n  roles:\n"
                             "    - fleetops.kurator.kubeedge_edge\n")
            reset(workdir, inv)
            role_cold = playbook(inv, role_play)
            role_warm = playbook(inv, role_play)
            w = script_workdir(workdir, inv, key, topo, edge_hosts)
            reset(workdir, inv)
            script_cold = run_script(w)
            script_warm = run_script(w)
            rows.append((n, role_cold, script_cold, role_warm, script_warm))
            print("N=%-3d role cold %6.1fs  script cold %6.1fs  |  role re-run %6.1fs  script re-run %6.1fs"
                  % (n, role_cold, script_cold, role_warm, script_warm), flush=True)
            shutil.rmtree(workdir, ignore_errors=True)
    finally:
        remaining = lab_hosts(5) if sizes != [5] else {}
        if remaining:
            forget_removed_nodes(remaining)
    return rows


def main():
    rows = measure(SIZES)
    print()
    print("| hosts | role cold (s) | script cold (s) | ratio | role re-run (s) | script re-run (s) | ratio |")
    print("|---|---|---|---|---|---|---|")
    for n, rc, sc, rw, sw in rows:
        print("| %d | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |" % (n, rc, sc, rc / sc, rw, sw, rw / sw))


if __name__ == "__main__":
    main()
