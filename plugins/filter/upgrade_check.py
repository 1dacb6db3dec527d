# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter upgrade_check: whether a move from the installed versions to the wanted one is an upgrade
playbooks/upgrade.yml may run - a patch or the next minor, never a downgrade or a skipped minor
unless allowed.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: upgrade_check
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Says whether moving installed versions to a wanted one is an upgrade that may run
positional: wanted, allow_downgrade, allow_skip_minor
description:
  - Takes the installed versions of one component (one per host or cluster, as C({where, version})) and the wanted
    version, and returns C({ok, action, message, behind}).
  - C(action) is C(none) when every copy already runs the wanted version, C(upgrade) when each differs by patch
    releases or by the next minor, C(downgrade) or C(skip) when one is newer or more than one minor behind.
  - A downgrade or a skipped minor is C(ok=false) unless O(allow_downgrade) or O(allow_skip_minor) says so; a major
    change is treated as a skipped minor.
  - Versions are C(v1.2.3) or C(1.2.3); a suffix after C(-) or C(+) is kept in the message and ignored in the order.
    A version that is not of that form is C(ok=false) with a message naming it.
options:
  _input:
    description: The installed copies, each C({where, version}); an empty version means not installed (skipped).
    type: list
    elements: dict
    required: true
  wanted:
    description: The version the topology asks for.
    type: str
    required: true
  allow_downgrade:
    description: Let a copy newer than O(wanted) be moved back.
    type: bool
    default: false
  allow_skip_minor:
    description: Let a copy more than one minor behind O(wanted) (or of another major) move in one step.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Refuse what is not an upgrade
  ansible.builtin.assert:
    that: check.ok
    fail_msg: "{{ check.message }}"
  vars:
    check: "{{ [{'where': 'karmada-1', 'version': 'v1.18.1'}] | fleetops.kurator.upgrade_check('v1.18.2') }}"
"""

RETURN = r"""
_value:
  description: C({ok, action, message, behind}); C(behind) lists the copies that are not at O(wanted) yet.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")


def _parse(version, what):
    match = VERSION.match(str(version).strip())
    if not match:
        raise ValueError("%s: %r is not a version of the form v1.2.3" % (what, version))
    return tuple(int(part) for part in match.groups())


def upgrade_check(installed, wanted, allow_downgrade=False, allow_skip_minor=False):
    if not isinstance(installed, list) or not all(isinstance(c, dict) for c in installed):
        raise AnsibleFilterError("upgrade_check: the input must be a list of {where, version}, got %r" % (installed,))
    copies = [c for c in installed if c.get("version")]
    try:
        target = _parse(wanted, "the wanted version")
        parsed = [(c.get("where", "?"), str(c["version"]), _parse(c["version"], c.get("where", "?"))) for c in copies]
    except ValueError as err:
        return {"ok": False, "action": "invalid", "message": str(err), "behind": []}
    moving = [(where, text) for where, text, version in parsed if version != target]
    behind = [where for where, dummy in moving]
    newer = ["%s runs %s" % (where, text) for where, text, version in parsed if version > target]
    skipped = ["%s runs %s" % (where, text) for where, text, version in parsed
               if version < target and (version[0] != target[0] or target[1] - version[1] > 1)]
    if not parsed:
        return {"ok": True, "action": "none", "message": "not installed anywhere: nothing to upgrade", "behind": []}
    if not behind:
        return {"ok": True, "action": "none", "message": "every copy runs %s already" % wanted, "behind": []}
    if newer:
        return {"ok": bool(allow_downgrade), "action": "downgrade", "behind": behind,
                "message": "%s is a downgrade: %s%s" % (wanted, ", ".join(newer),
                                                        "" if allow_downgrade else " (upgrade_allow_downgrade=true allows it)")}
    if skipped:
        return {"ok": bool(allow_skip_minor), "action": "skip", "behind": behind,
                "message": "%s skips a minor release: %s%s" % (wanted, ", ".join(skipped),
                                                               "" if allow_skip_minor else
                                                               " (upgrade one minor at a time, or upgrade_allow_skip_minor=true)")}
    moves = ", ".join("%s from %s" % copy for copy in moving)
    return {"ok": True, "action": "upgrade", "behind": behind, "message": "upgrade to %s: %s" % (wanted, moves)}


class FilterModule(object):
    def filters(self):
        return {"upgrade_check": upgrade_check}
