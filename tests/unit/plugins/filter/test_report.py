# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.check_rows import check_rows
from ansible_collections.fleetops.kurator.plugins.filter.report_table import report_table


def test_table_lists_failures_first_and_aligns():
    lines = report_table([
        {"target": "a", "check": "disk", "ok": True, "detail": "9 GiB"},
        {"target": "bb", "check": "ssh", "ok": False, "detail": "unreachable:\n refused"},
    ])
    assert lines[0].split() == ["TARGET", "CHECK", "STATUS", "DETAIL"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split()[:3] == ["bb", "ssh", "FAIL"]
    assert lines[2].endswith("unreachable: refused")  # newlines folded: one row per line
    assert lines[3].split()[:3] == ["a", "disk", "ok"]
    assert lines[2].index("ssh") == lines[3].index("disk")


def test_table_rejects_bad_input():
    with pytest.raises(AnsibleFilterError):
        report_table("nope")


def test_check_rows_keeps_unreachable_and_failed_hosts():
    hostvars = {
        "n1": {"r": {"checks": [{"name": "arch", "ok": True, "detail": "amd64"}]}},
        "n2": {"r": {"unreachable": True, "msg": "timed out"}},
        "n3": {"r": {"failed": True, "msg": "boom"}},
        "n4": {"r": {"skipped": True}},
        "n5": {},
    }
    rows = check_rows(hostvars, ["n1", "n2", "n3", "n4", "n5"], ["r"])
    assert rows == [
        {"target": "n1", "check": "arch", "ok": True, "detail": "amd64"},
        {"target": "n2", "check": "ssh", "ok": False, "detail": "unreachable: timed out"},
        {"target": "n3", "check": "preflight", "ok": False, "detail": "boom"},
    ]
