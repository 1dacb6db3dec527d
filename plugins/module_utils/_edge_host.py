# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""The edge host's mechanics for edge_node and edge_node_info: commands, systemd units,
containerd's ``ctr``, mounts and paths.

What the files of an edge node contain is in ``_edge`` (pure); what to do about them is in
the modules. This layer only runs things on the host, through the module's
``run_command``, so the modules' logic is tested against a fake ``run_command``.
Paths are read from ``_edge`` at call time (tests point them into a temp dir).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import time

from ansible_collections.fleetops.kurator.plugins.module_utils import _edge as edge
from ansible_collections.fleetops.kurator.plugins.module_utils._files import read_text as read

# Files whose content a removal shows in the diff (configuration; never certificates or tokens).
_DIFF_SUFFIXES = (".yaml", ".toml", ".service", ".conflist")
CRI_NAMESPACE = "k8s.io"


class EdgeHost(object):
    """Commands on the edge host. fail(msg) ends the module (with context() added)."""

    def __init__(self, module, context=None):
        self.module = module
        self.context = context or dict

    def fail(self, msg, **extra):
        result = dict(self.context())
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    def run(self, args, check=True, **kwargs):
        rc, out, err = self.module.run_command(args, **kwargs)
        if check and rc != 0:
            self.fail("%s failed (rc=%d): %s" % (" ".join(args), rc, (err or out).strip()))
        return rc, out, err

    def succeeds(self, args):
        return self.run(args, check=False)[0] == 0

    # --- systemd ---------------------------------------------------------------------------
    def systemctl(self, *args):
        """True when systemctl exits 0 (is-active, is-enabled, ...); never fails the module."""
        return self.succeeds(["systemctl"] + list(args))

    def is_active(self, unit):
        return self.systemctl("is-active", "--quiet", unit)

    def is_enabled(self, unit):
        return self.systemctl("is-enabled", "--quiet", unit)

    def unit(self, verb, unit, check=True):
        """systemctl <verb> <unit> (enable, restart, stop, ...); fails the module on error if check."""
        return self.run(["systemctl", verb, unit], check=check)

    def daemon_reload(self, check=True):
        self.run(["systemctl", "daemon-reload"], check=check)

    def journal_reason(self, unit="edgecore", lines=200):
        """The most telling recent line of a unit's journal (an error if there is one)."""
        rc, out, err = self.run(["journalctl", "-u", unit, "-n", str(lines), "--no-pager", "-o", "cat"], check=False)
        lines = [line for line in out.splitlines() if line.strip()]
        interesting = [line for line in lines
                       if line[:1] in ("E", "F") or "error" in line.lower() or "failed" in line.lower()]
        return (interesting or lines or ["no %s log" % unit])[-1][:400]

    def process_running(self, name):
        return self.succeeds(["pgrep", "-x", name])

    # --- containerd ------------------------------------------------------------------------
    def ctr(self, *args, **kwargs):
        return self.run(["ctr", "-n", CRI_NAMESPACE] + list(args), **kwargs)

    def wait_containerd(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.succeeds(["ctr", "version"]):
                return
            time.sleep(0.5)
        self.fail("containerd did not come up after restart")

    def import_archive(self, path):
        self.ctr("images", "import", "--all-platforms", path)

    def cri_containers(self):
        """IDs of the containers in the CRI namespace (those edged started)."""
        rc, out, err = self.ctr("containers", "ls", "-q", check=False)
        return out.split() if rc == 0 else []

    def remove_containers(self, containers):
        """Kill, wait for and delete the given containers, as keadm reset does."""
        for cid in containers:
            self.ctr("tasks", "kill", "-s", "SIGKILL", cid, check=False)
        for _attempt in range(20):
            rc, out, err = self.ctr("tasks", "ls", "-q", check=False)
            if not out.split():
                break
            time.sleep(0.25)
        for cid in containers:
            self.ctr("tasks", "delete", "-f", cid, check=False)
            self.ctr("containers", "delete", cid, check=False)

    # --- mounts and paths ------------------------------------------------------------------
    @staticmethod
    def mounts_under(dirs):
        """Mount points at or under any of dirs (the kubelet bind-mounts its root dir and pod volumes)."""
        mounts = []
        for line in (read("/proc/self/mounts") or "").splitlines():
            fields = line.split()
            if len(fields) > 1 and any(fields[1] == d or fields[1].startswith(d + "/") for d in dirs):
                mounts.append(fields[1])
        return mounts

    def unmount(self, mounts):
        """Lazy-unmount each mount, deepest first."""
        for mount in sorted(set(mounts), key=len, reverse=True):
            self.run(["umount", "-l", mount], check=False)

    @staticmethod
    def removal_diff(path):
        """The diff of removing path (its content for a configuration file), or None for a directory."""
        if os.path.isfile(path) and not os.path.islink(path):
            return {"before_header": path, "after_header": path,
                    "before": (read(path) or "") if path.endswith(_DIFF_SUFFIXES) else "", "after": ""}
        return None

    @staticmethod
    def remove(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def joined(name):
    """Whether the host holds cloudcore's CA, a key and a certificate issued for node name."""
    return (os.path.exists(edge.CA_FILE) and os.path.exists(edge.KEY_FILE)
            and edge.cert_matches(read(edge.CERT_FILE), name))


def install_report(host, name):
    """What is installed on the host for node name, in plain words, and whether it blocks a join."""
    installed = os.path.exists(edge.UNIT_FILE) or os.path.exists(edge.EDGECORE_CONFIG)
    active = host.is_active("edgecore")
    cert = read(edge.CERT_FILE)
    ok = True
    if host.process_running("kubelet"):
        ok, detail = False, "a kubelet is running on this host; edgecore refuses to start next to it"
    elif cert is not None and not edge.cert_matches(cert, name):
        ok, detail = False, ("a certificate for another node name is in %s; reset the host "
                             "(state=absent) before joining it as %s" % (edge.CERT_FILE, name))
    elif joined(name):
        detail = "joined as %s, edgecore %s" % (name, "running" if active else "NOT running (will be started)")
    elif installed:
        detail = "edgecore installed but not joined (an earlier join did not finish; it will be retried)"
    else:
        detail = "no edgecore installed (fresh join)"
    return {"ok": ok, "detail": detail, "installed": installed, "active": active}
