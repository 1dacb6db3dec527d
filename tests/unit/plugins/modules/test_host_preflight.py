# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""host_preflight checks, run for real on this machine (loopback sockets, /proc, statvfs)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket

import pytest

from ansible_collections.fleetops.kurator.plugins.modules import host_preflight as hp

DEFAULTS = dict(supported_os=[], supported_arch=[], expected_arch=None, require_systemd=False, min_disk_gb=0,
                disk_path="/var/lib", max_clock_skew=5, controller_time=None, ports_free=[], endpoints=[],
                connect_timeout=1, cgroup="skip", python_libraries=[], fail_on_error=False)


def run(**overrides):
    params = dict(DEFAULTS)
    params.update(overrides)
    checks, facts = hp.run_checks(params, now=1000.0)
    return {c["name"]: c for c in checks}, facts


@pytest.fixture
def listener():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


def free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_port_in_use_by_another_process_fails(listener):
    checks = run(ports_free=[{"port": listener, "allowed": ["cloudcore"]}])[0]
    check = checks["port %d free" % listener]
    assert not check["ok"]
    assert "in use by" in check["detail"]


def test_port_held_by_the_expected_process_passes(listener):
    with open("/proc/self/comm") as handle:
        me = handle.read().strip()
    checks = run(ports_free=[{"port": listener, "allowed": [me]}])[0]
    assert checks["port %d free" % listener]["ok"], checks


def test_free_port_passes():
    port = free_port()
    checks = run(ports_free=[{"port": port, "allowed": []}])[0]
    assert checks["port %d free" % port] == {"name": "port %d free" % port, "ok": True, "detail": "free"}


def test_endpoints_reachable_and_unreachable(listener):
    dead = free_port()
    endpoints = [{"host": "127.0.0.1", "port": listener, "name": "up"},
                 {"host": "127.0.0.1", "port": dead, "name": "down"}]
    checks = run(endpoints=endpoints)[0]
    assert checks["reach up"]["ok"]
    assert not checks["reach down"]["ok"]
    assert "127.0.0.1:%d unreachable" % dead in checks["reach down"]["detail"]


def test_clock_skew_is_judged_against_the_limit():
    checks, facts = run(controller_time=990.0, max_clock_skew=5)
    assert not checks["clock"]["ok"] and facts["clock_skew"] == 10.0
    checks = run(controller_time=998.0, max_clock_skew=5)[0]
    assert checks["clock"]["ok"]


def test_arch_mismatch_with_topology_fails():
    actual = hp.GO_ARCH.get(os.uname()[4], os.uname()[4])
    other = "arm64" if actual != "arm64" else "amd64"
    checks = run(expected_arch=other)[0]
    assert not checks["arch"]["ok"] and "topology says %s" % other in checks["arch"]["detail"]
    checks = run(expected_arch=actual, supported_arch=["amd64", "arm64", "arm"])[0]
    assert checks["arch"]["ok"]


def test_disk_requirement():
    checks = run(min_disk_gb=0.001, disk_path="/nonexistent/deeper/path")[0]
    assert checks["disk"]["ok"] and "on /" in checks["disk"]["detail"]
    checks = run(min_disk_gb=10 ** 9)[0]
    assert not checks["disk"]["ok"]


def test_os_check_names_the_supported_list():
    checks = run(supported_os=["plan9"])[0]
    assert not checks["os"]["ok"] and "supported: plan9" in checks["os"]["detail"]


def test_python_libraries():
    checks = run(python_libraries=["pytest>=1.0", "pytest>=999.0", "no-such-distribution-xyz"])[0]
    assert checks["python pytest>=1.0"]["ok"]
    assert not checks["python pytest>=999.0"]["ok"]
    assert "not installed" in checks["python no-such-distribution-xyz"]["detail"]


@pytest.mark.parametrize("unified", [True, False])
def test_cgroup_version_is_named_and_v1_fails_only_when_v2_is_required(tmp_path, monkeypatch, unified):
    if unified:
        (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    monkeypatch.setattr(hp, "CGROUP_ROOT", str(tmp_path))
    reported, facts = run(cgroup="report")
    required = run(cgroup="v2")[0]
    assert facts["cgroup"] == ("v2" if unified else "v1")
    assert reported["cgroup"]["ok"] is True
    assert required["cgroup"]["ok"] is unified
    if not unified:
        assert "failCgroupV1: false" in required["cgroup"]["detail"]
    assert "cgroup" not in run()[0]
