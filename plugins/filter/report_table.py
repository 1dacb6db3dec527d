# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter report_table: rows of check results as an aligned plain-text table.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: report_table
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Render check or onboarding results as an aligned plain-text table
positional: columns, failed_first
description:
  - Turns a list of mappings into a list of aligned lines, one per row, with a header.
  - Rows with C(ok=false) show C(FAIL) in the status column and come first.
options:
  _input:
    description: Rows, for example C({target, check, ok, detail}).
    type: list
    elements: dict
    required: true
  columns:
    description: Keys to show, in order.
    type: list
    elements: str
    default: [target, check, status, detail]
  failed_first:
    description: List failing rows first.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Show the preflight report
  ansible.builtin.debug:
    msg: "{{ rows | fleetops.kurator.report_table }}"
"""

RETURN = r"""
_value:
  description: The table, one string per line.
  type: list
  elements: str
"""

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


class FilterModule(object):
    def filters(self):
        return {"report_table": report_table}
