# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types


def report_table(rows, columns=None, failed_first=True):
    """Render a list of dicts as an aligned plain-text table (a list of lines).

    Rows with ``ok: false`` are marked FAIL and listed first, so the problems are
    what a field engineer reads first.
    """
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise AnsibleFilterError("report_table: expected a list of mappings, got %r" % type(rows).__name__)
    if columns is None:
        columns = ["target", "check", "status", "detail"]
    elif isinstance(columns, string_types) or not isinstance(columns, list):
        raise AnsibleFilterError("report_table: columns must be a list of keys")
    prepared = []
    for row in rows:
        item = dict(row)
        if "status" not in item and "ok" in item:
            item["status"] = "ok" if item["ok"] else "FAIL"
        prepared.append(item)
    if failed_first:
        prepared.sort(key=lambda r: 0 if r.get("ok") is False else 1)
    cells = [[str(c).upper() for c in columns]] + [
        [" ".join(str(r.get(c, "")).split()) for c in columns] for r in prepared]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


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
        return {"report_table": report_table, "check_rows": check_rows}
