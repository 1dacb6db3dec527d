# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter check_rows: registered check results of many hosts as report rows.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: check_rows
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Collect registered check results of many hosts into report rows
positional: hosts, register_names
description:
  - Reads, for each host, the registered results named in O(register_names) and returns one row per
    check C({target, check, ok, detail}).
  - An unreachable host, or a task that failed before checking, becomes one failing row with the reason.
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  hosts:
    description: Hosts to report on, for example C(ansible_play_hosts_all).
    type: list
    elements: str
    required: true
  register_names:
    description: Names of the registered variables holding C(checks) lists.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Rows for the report
  ansible.builtin.set_fact:
    rows: "{{ hostvars | fleetops.kurator.check_rows(ansible_play_hosts_all, ['host_checks']) }}"
"""

RETURN = r"""
_value:
  description: One row per check.
  type: list
  elements: dict
"""


def check_rows(hostvars, hosts, register_names):
    """Flatten registered check results of several hosts into report rows.

    A host whose result says unreachable or failed gets one FAIL row with the reason,
    so nothing disappears from the report.
    """
    rows = []
    for host in hosts:
        variables = hostvars[host]
        for name in register_names:
            result = variables.get(name)
            if not isinstance(result, dict) or result.get("skipped"):
                continue
            if result.get("unreachable"):
                rows.append({"target": host, "check": "ssh", "ok": False,
                             "detail": "unreachable: %s" % result.get("msg", "")})
            elif result.get("failed") and not result.get("checks"):
                rows.append({"target": host, "check": "preflight", "ok": False, "detail": result.get("msg", "")})
            for check in result.get("checks") or []:
                rows.append({"target": host, "check": check.get("name"), "ok": bool(check.get("ok")),
                             "detail": check.get("detail", "")})
    return rows


class FilterModule(object):
    def filters(self):
        return {"check_rows": check_rows}
