#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""make bench: the collection's numbers in one table, each against its floor where one exists.

  placement   assignments/s of compute_placement vs Karmada's per-replica loop (the reference
              algorithm it must equal), at 10/100/1000 clusters and 100/10000 replicas
  inventory   ansible-inventory --list at 100 / 1,000 / 10,000 edge hosts: seconds and peak RSS
              (the target at 10,000: under 60 s and 2 GiB)
  onboarding  the kubeedge_edge role vs a plain parallel-SSH script doing the same steps (the
              floor), at BENCH_SIZES edge hosts (default 1 5 20 50), cold and re-run
  site        site.yml converged once, then re-run: seconds and changed (the target is 90 s, 0)
  lab-up      lab/lab.sh up from a lab that is down (cold; the binaries already built) and again
              on the running lab (warm)

BENCH_PARTS picks parts (default: all five, in the order above); onboarding, site and lab-up need
the lab (make lab-up), and lab-up takes it down first. It runs outside make test: these are
measurements, never pass/fail timings.
"""

from __future__ import absolute_import, division, print_function

import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
# The checkout's collection tree (make collection), which the benchmarks import plugins through.
sys.path.insert(0, os.path.join(REPO, ".ansible", "collections"))
PARTS = os.environ.get("BENCH_PARTS", "placement inventory onboarding site lab-up").split()
TOPOLOGY = os.path.join(REPO, "inventories", "lab", "topology.yml")
ENV = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1")


def timed(cmd):
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit("%s failed (rc %d):\n%s" % (" ".join(cmd), proc.returncode, (proc.stdout + proc.stderr)[-3000:]))
    return time.monotonic() - started, proc.stdout


def placement_rows():
    import bench_placement as bp
    rows = []
    for count in (10, 100, 1000):
        clusters = bp.make_clusters(count)
        placement = bp.placements(count)["static"]
        for replicas in (100, 10000):
            fast, fast_result = bp.rate(clusters, placement, replicas, True)
            ref, ref_result = bp.rate(clusters, placement, replicas, False)
            same = "equal results" if fast_result == ref_result else "RESULTS DIFFER"
            rows.append(("placement", "%d clusters, %d replicas" % (count, replicas), "%.0f calls/s" % fast,
                         "%.0f calls/s (reference loop)" % ref, "%.2f (fast / reference), %s" % (fast / ref, same)))
    return rows


def inventory_rows():
    import bench_inventory as bi
    rows = []
    for size in (100, 1000, 10000):
        row = bi.run_size(size)
        if row["code"] != 0:
            sys.exit("ansible-inventory failed at %d hosts: %s" % (size, row["stderr"]))
        target = "%d s, %d GiB (target)" % (bi.TARGET_SECONDS, bi.TARGET_BYTES >> 30) if size == 10000 else "-"
        ratio = "%.2f of the time" % (row["seconds"] / bi.TARGET_SECONDS) if size == 10000 else "-"
        rows.append(("inventory", "%d edge hosts" % size,
                     "%.1f s, %.0f MiB" % (row["seconds"], row["peak"] / 2.0 ** 20), target, ratio))
    return rows


def onboarding_rows():
    import bench_onboarding as bo
    rows = []
    for n, role_cold, script_cold, role_warm, script_warm in bo.measure(bo.SIZES):
        rows.append(("onboarding", "%d hosts cold" % n, "%.1f s" % role_cold, "%.1f s (parallel SSH)" % script_cold,
                     "%.2f" % (role_cold / script_cold)))
        rows.append(("onboarding", "%d hosts re-run" % n, "%.1f s" % role_warm, "%.1f s (parallel SSH)" % script_warm,
                     "%.2f" % (role_warm / script_warm)))
    return rows


def site_rows():
    playbook = [os.path.join(REPO, ".venv", "bin", "ansible-playbook"), "-i", TOPOLOGY,
                os.path.join(REPO, "playbooks", "site.yml")]
    converge, _ = timed(playbook)
    seconds, out = timed(playbook)
    changed = sum(int(n) for n in re.findall(r"changed=(\d+)", out.split("PLAY RECAP")[-1]))
    return [("site", "converge (from the lab as it was)", "%.0f s" % converge, "-", "-"),
            ("site", "converged re-run", "%.0f s, changed=%d" % (seconds, changed), "90 s, changed=0 (target)",
             "%.2f" % (seconds / 90.0))]


def lab_up_rows():
    lab = os.path.join(REPO, "lab", "lab.sh")
    timed([lab, "down"])
    cold, _ = timed([lab, "up"])
    warm, _ = timed([lab, "up"])
    return [("lab-up", "cold (lab down, binaries built)", "%.0f s" % cold, "-", "-"),
            ("lab-up", "warm (lab up)", "%.0f s" % warm, "-", "-")]


def main():
    makers = {"placement": placement_rows, "inventory": inventory_rows, "onboarding": onboarding_rows, "site": site_rows, "lab-up": lab_up_rows}
    unknown = [p for p in PARTS if p not in makers]
    if unknown:
        sys.exit("BENCH_PARTS: unknown %s (expected some of %s)" % (", ".join(unknown), ", ".join(makers)))
    rows = []
    for part in PARTS:
        started = time.monotonic()
        rows += makers[part]()
        print("%s: measured in %.0f s" % (part, time.monotonic() - started), file=sys.stderr, flush=True)
    print("| what | case | measured | floor or target | ratio |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| %s |" % " | ".join(row))
    return 1 if any("DIFFER" in row[4] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
