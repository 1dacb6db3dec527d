#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Benchmark the topology inventory plugin at fleet scale: `ansible-inventory --list`.

Writes a topology with 100, 1,000 and 10,000 edge hosts (5 clusters, 100 hosts per edge
site, labels on every site and node) into a temporary directory and times
`ansible-inventory -i <dir> --list` on it, with this repository's ansible.cfg. Each
size runs in its own measuring process, so the peak RSS reported (resource.getrusage
of its children) is that of one ansible-inventory run. The target (issue 12) is under
60 s and 2 GiB at 10,000 hosts.

    .venv/bin/python bench/bench_inventory.py [--sizes 100,1000,10000] [--timeout 900]
        [--collections-path DIR]   # another checkout, e.g. for a before/after comparison
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SITE_SIZE = 100
TARGET_SECONDS = 60
TARGET_BYTES = 2 << 30


def topology(hosts):
    regions = ["north-china", "east-china", "south-china"]
    clusters = [{"name": "host", "role": "host", "region": regions[0], "kubeconfig": "kubeconfigs/host"}]
    clusters += [{"name": "member-%d" % i, "region": regions[i % 3], "zones": ["%s-a" % regions[i % 3]],
                  "provider": "on-prem", "labels": {"environment": "production", "region": regions[i % 3]},
                  "kubeconfig": "kubeconfigs/member-%d" % i} for i in range(4)]
    sites = []
    for s in range((hosts + SITE_SIZE - 1) // SITE_SIZE):
        count = min(SITE_SIZE, hosts - s * SITE_SIZE)
        sites.append({
            "name": "plant-%d" % s, "region": regions[s % 3], "cluster": "host", "ssh_user": "ops",
            "labels": {"site": "plant-%d" % s, "edge-type": "industrial"},
            "nodes": [{"name": "edge-%d-%d" % (s, n), "address": "10.%d.%d.%d" % (s // 250, s % 250, n + 1),
                       "labels": {"rack": "r%d" % (n % 8)}} for n in range(count)],
        })
    return {"plugin": "fleetops.kurator.topology", "regions": [{"name": r} for r in regions],
            "clusters": clusters, "edge_sites": sites,
            "control_plane_hosts": [{"name": "cloudcore-1", "address": "10.255.0.1", "roles": ["kubeedge_cloud"]}],
            "settings": {"artifact_mirror": "https://mirror.local:8443"}}


def ansible_inventory():
    local = os.path.join(os.path.dirname(sys.executable), "ansible-inventory")
    return local if os.path.exists(local) else shutil.which("ansible-inventory")


def measure(directory, timeout, collections_path):
    """In the measuring process: one ansible-inventory run; prints seconds, peak RSS, exit code."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
    if collections_path:
        env["ANSIBLE_COLLECTIONS_PATH"] = collections_path
    started = time.time()
    with open(os.path.join(directory, "stderr.txt"), "w") as errors:
        try:
            code = subprocess.call([ansible_inventory(), "-i", directory, "--list", "--output",
                                    os.path.join(directory, "inventory.json")],
                                   stdout=errors, stderr=errors, env=env, cwd=REPO, timeout=timeout)
        except subprocess.TimeoutExpired:
            code = "timeout after %d s" % timeout
    seconds = time.time() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    hosts, tail = None, ""
    if code == 0:
        with open(os.path.join(directory, "inventory.json")) as handle:
            hosts = len(json.load(handle)["_meta"]["hostvars"])
    else:
        with open(os.path.join(directory, "stderr.txt")) as handle:
            tail = handle.read()[-600:]
    print(json.dumps({"seconds": seconds, "peak": peak, "code": code, "hosts": hosts, "stderr": tail}))


def run_size(size, timeout=900, collections_path=""):
    """One measuring process on a topology of size edge hosts: {seconds, peak, code, hosts, stderr}."""
    import yaml
    directory = tempfile.mkdtemp(prefix="fleetops-bench-inventory-")
    try:
        with open(os.path.join(directory, "topology.yml"), "w") as handle:
            yaml.safe_dump(topology(size), handle, default_flow_style=None)
        out = subprocess.check_output([sys.executable, os.path.abspath(__file__), "--measure", directory,
                                       "--timeout", str(timeout), "--collections-path", collections_path])
        return json.loads(out.decode("utf-8").strip().splitlines()[-1])
    finally:
        shutil.rmtree(directory)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--timeout", type=int, default=900, help="seconds before one run is stopped")
    parser.add_argument("--collections-path", default="", help="ANSIBLE_COLLECTIONS_PATH for the runs")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure, args.timeout, args.collections_path)
    print("%8s  %10s  %10s  %8s  %s" % ("edge", "seconds", "peak RSS", "hosts", "result"))
    for size in [int(s) for s in args.sizes.split(",")]:
        row = run_size(size, args.timeout, args.collections_path)
        if row["code"] != 0:
            result = "failed (%s) %s" % (row["code"], row["stderr"].strip().splitlines()[-1:] or "")
        elif size >= 10000:
            ok = row["seconds"] < TARGET_SECONDS and row["peak"] < TARGET_BYTES
            result = "%s (target < %d s, < %d GiB)" % ("ok" if ok else "OVER TARGET", TARGET_SECONDS, TARGET_BYTES >> 30)
        else:
            result = "ok"
        print("%8d  %9.1fs  %7.0f MiB  %8s  %s" % (size, row["seconds"], row["peak"] / 2.0 ** 20,
                                                   row["hosts"] if row["hosts"] is not None else "-", result))
        sys.stdout.flush()
    return None


if __name__ == "__main__":
    main()
