#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: host_preflight
short_description: Check that a host can take a fleet component, in one round trip
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Runs every host check at once and returns one result per check; it never changes the host.
  - Checks operating system, architecture, systemd, free disk, clock skew against the controller,
    ports that must be free (or held by the component itself, for re-runs), endpoints that must be
    reachable from the host, and Python libraries (for the controller).
  - The module itself does not fail when a check fails, so a report can show every host's problems
    together; set O(fail_on_error=true) to fail the task instead.
extends_documentation_fragment:
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.info_module
  - fleetops.kurator.checks
options:
  supported_os:
    description: Accepted C(ID) values from C(/etc/os-release). Empty skips the check.
    type: list
    elements: str
    default: [debian, ubuntu, rhel, rocky, almalinux, centos, fedora, opensuse-leap, sles, openEuler, kylin]
  supported_arch:
    description: Accepted machine architectures, in Go/Kubernetes names. Empty skips the check.
    type: list
    elements: str
    default: [amd64, arm64, arm]
  expected_arch:
    description: The architecture the topology declares for this host; a mismatch fails.
    type: str
  require_systemd:
    description: Whether systemd must be the init system.
    type: bool
    default: true
  min_disk_gb:
    description: Free space required on O(disk_path), in GiB. C(0) skips the check.
    type: float
    default: 0
  disk_path:
    description: Where the component keeps its data; the nearest existing parent is measured.
    type: path
    default: /var/lib
  max_clock_skew:
    description: Allowed difference from the controller's clock, in seconds (set by the action plugin).
    type: float
    default: 5
  controller_time:
    description: Controller time used for the skew check. Filled in by the action plugin; do not set.
    type: float
  ports_free:
    description:
      - TCP ports that must be free. A port held by a process named in C(allowed) passes, so a re-run
        against a converged host is clean. Names are compared as the kernel keeps them (first 15 characters).
    type: list
    elements: dict
    default: []
    suboptions:
      port:
        description: TCP port.
        type: int
        required: true
      allowed:
        description: Process names allowed to hold the port.
        type: list
        elements: str
        default: []
  endpoints:
    description: TCP endpoints that must accept a connection from this host.
    type: list
    elements: dict
    default: []
    suboptions:
      host:
        description: Address or name.
        type: str
        required: true
      port:
        description: TCP port.
        type: int
        required: true
      name:
        description: What the endpoint is, for the report.
        type: str
  connect_timeout:
    description: Seconds to wait for each endpoint.
    type: float
    default: 3
  cgroup:
    description:
      - Report the host's cgroup version. C(v2) fails on a cgroup v1 host (kubelet 1.35 and later refuse to
        start there unless their configuration sets C(failCgroupV1=false)); C(report) names the version and
        passes; C(skip) does not look.
    type: str
    choices: [v2, report, skip]
    default: skip
  python_libraries:
    description: Python distributions required on this host, as C(name>=version) or C(name).
    type: list
    elements: str
    default: []
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details: The action plugin records the controller's clock around the call for the skew check.
"""

EXAMPLES = r"""
- name: Can this edge host join?
  fleetops.kurator.host_preflight:
    expected_arch: amd64
    min_disk_gb: 5
    ports_free:
      - {port: 10350, allowed: [edgecore]}
    endpoints:
      - {name: cloudcore websocket, host: 10.0.0.5, port: 10000}
      - {name: cloudcore https, host: 10.0.0.5, port: 10002}
  register: preflight
"""

RETURN = r"""
checks:
  description: One entry per check.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Check name, for example C(arch) or C(port 10000 free).
      type: str
    ok:
      description: Whether the check passed.
      type: bool
    detail:
      description: What was found, in plain words.
      type: str
  sample: [{name: arch, ok: true, detail: amd64}]
facts:
  description: What the host reported (os, arch, time, free disk).
  returned: always
  type: dict
"""

import os
import platform
import socket
import time

from ansible.module_utils.basic import AnsibleModule

STARTED = time.time()  # as early as possible: the clock check compares this with the controller's
GO_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm", "armv6l": "arm"}


CGROUP_ROOT = "/sys/fs/cgroup"


def os_release():
    values = {}
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        if os.path.exists(path):
            with open(path) as handle:
                for line in handle:
                    key, sep, value = line.strip().partition("=")
                    if sep:
                        values[key] = value.strip('"')
            break
    return values


def listeners():
    """Map listening TCP port -> set of process names, read from /proc (no ss/netstat needed)."""
    inodes = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as handle:
            next(handle, None)
            for line in handle:
                fields = line.split()
                if len(fields) > 9 and fields[3] == "0A":  # LISTEN
                    inodes[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    ports = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir("/proc/%s/fd" % pid)
            with open("/proc/%s/comm" % pid) as handle:
                comm = handle.read().strip()
        except (IOError, OSError):
            continue
        for fd in fds:
            try:
                target = os.readlink("/proc/%s/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inode = target[8:-1]
                if inode in inodes:
                    ports.setdefault(inodes[inode], set()).add(comm)
    # Sockets whose owner we cannot see (other namespaces) still count as taken.
    for port in inodes.values():
        ports.setdefault(port, set())
    return ports


def free_gib(path):
    while not os.path.exists(path) and path != "/":
        path = os.path.dirname(path)
    stat = os.statvfs(path)
    return path, stat.f_bavail * stat.f_frsize / float(1 << 30)


def version_tuple(text):
    parts = []
    for piece in text.replace("-", ".").split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def check_library(requirement):
    name, op, wanted = requirement, None, None
    for candidate in (">=", "=="):
        if candidate in requirement:
            name, wanted = [p.strip() for p in requirement.split(candidate, 1)]
            op = candidate
            break
    try:
        try:
            from importlib.metadata import version as dist_version
        except ImportError:  # Python < 3.8
            from importlib_metadata import version as dist_version
        found = dist_version(name)
    except Exception:  # PackageNotFoundError or no metadata support at all
        return False, "not installed (pip install '%s')" % requirement
    if op == ">=" and version_tuple(found) < version_tuple(wanted):
        return False, "%s installed, %s needed" % (found, requirement)
    if op == "==" and found != wanted:
        return False, "%s installed, %s needed" % (found, requirement)
    return True, found


def run_checks(params, now=None):
    checks = []

    def add(name, ok, detail):
        checks.append({"name": name, "ok": bool(ok), "detail": detail})

    release = os_release()
    machine = platform.machine()
    arch = GO_ARCH.get(machine, machine)
    facts = {"os": release.get("ID", "unknown"), "os_version": release.get("VERSION_ID", ""),
             "arch": arch, "time": now if now is not None else time.time()}

    if params["supported_os"]:
        add("os", facts["os"] in params["supported_os"],
            "%s %s" % (release.get("PRETTY_NAME", facts["os"]),
                       "" if facts["os"] in params["supported_os"] else "(supported: %s)" % ", ".join(params["supported_os"])))
    if params["supported_arch"] or params["expected_arch"]:
        ok = not params["supported_arch"] or arch in params["supported_arch"]
        detail = arch
        if params["expected_arch"] and params["expected_arch"] != arch:
            ok, detail = False, "%s, but the topology says %s" % (arch, params["expected_arch"])
        add("arch", ok, detail)
    if params["require_systemd"]:
        ok = os.path.isdir("/run/systemd/system")
        add("systemd", ok, "running" if ok else "systemd is not the init system (/run/systemd/system missing)")
    if params["min_disk_gb"]:
        where, gib = free_gib(params["disk_path"])
        facts["free_disk_gb"] = round(gib, 1)
        add("disk", gib >= params["min_disk_gb"],
            "%.1f GiB free on %s (need %.1f)" % (gib, where, params["min_disk_gb"]))
    if params["controller_time"] is not None:
        skew = facts["time"] - params["controller_time"]
        facts["clock_skew"] = round(skew, 3)
        add("clock", abs(skew) <= params["max_clock_skew"],
            "%+.1f s from the controller (allowed %.0f s)" % (skew, params["max_clock_skew"]))
    if params["ports_free"]:
        taken = listeners()
        for item in params["ports_free"]:
            holders = taken.get(item["port"])
            if holders is None:
                add("port %d free" % item["port"], True, "free")
            elif holders and holders <= set(name[:15] for name in item["allowed"] or []):  # comm is cut at 15 chars
                add("port %d free" % item["port"], True, "held by %s (expected)" % ", ".join(sorted(holders)))
            else:
                add("port %d free" % item["port"], False,
                    "in use by %s" % (", ".join(sorted(holders)) or "another process"))
    for item in params["endpoints"]:
        label = item.get("name") or "endpoint"
        target = "%s:%d" % (item["host"], item["port"])
        try:
            sock = socket.create_connection((item["host"], item["port"]), timeout=params["connect_timeout"])
            sock.close()
            add("reach %s" % label, True, target)
        except (socket.error, socket.timeout) as exc:
            add("reach %s" % label, False, "%s unreachable from this host: %s" % (target, exc))
    if params["cgroup"] != "skip":
        # cgroup.controllers exists only at the root of the unified (v2) hierarchy.
        v2 = os.path.exists(os.path.join(CGROUP_ROOT, "cgroup.controllers"))
        facts["cgroup"] = "v2" if v2 else "v1"
        add("cgroup", v2 or params["cgroup"] == "report",
            "cgroup v2" if v2 else "cgroup v1 (%s is not the unified hierarchy): kubelet 1.35 and later refuse to start "
            "unless their configuration sets failCgroupV1: false; KubeEdge 1.23's edged (kubelet 1.32) still runs" % CGROUP_ROOT)
    for requirement in params["python_libraries"]:
        ok, detail = check_library(requirement)
        add("python %s" % requirement, ok, detail)
    return checks, facts


def main():
    module = AnsibleModule(
        argument_spec=dict(
            supported_os=dict(type="list", elements="str",
                              default=["debian", "ubuntu", "rhel", "rocky", "almalinux", "centos", "fedora",
                                       "opensuse-leap", "sles", "openEuler", "kylin"]),
            supported_arch=dict(type="list", elements="str", default=["amd64", "arm64", "arm"]),
            expected_arch=dict(type="str"),
            require_systemd=dict(type="bool", default=True),
            min_disk_gb=dict(type="float", default=0),
            disk_path=dict(type="path", default="/var/lib"),
            max_clock_skew=dict(type="float", default=5),
            controller_time=dict(type="float"),
            ports_free=dict(type="list", elements="dict", default=[], options=dict(
                port=dict(type="int", required=True),
                allowed=dict(type="list", elements="str", default=[]),
            )),
            endpoints=dict(type="list", elements="dict", default=[], options=dict(
                host=dict(type="str", required=True),
                port=dict(type="int", required=True),
                name=dict(type="str"),
            )),
            connect_timeout=dict(type="float", default=3),
            cgroup=dict(type="str", choices=["v2", "report", "skip"], default="skip"),
            python_libraries=dict(type="list", elements="str", default=[]),
            fail_on_error=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    checks, facts = run_checks(module.params, now=STARTED)
    failed = [c for c in checks if not c["ok"]]
    if failed and module.params["fail_on_error"]:
        module.fail_json(msg="; ".join("%s: %s" % (c["name"], c["detail"]) for c in failed), checks=checks, facts=facts)
    module.exit_json(changed=False, checks=checks, facts=facts)


if __name__ == "__main__":
    main()
