#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: host_remove
short_description: Remove systemd services and the files of an install from a host in one round trip
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Stops and disables each unit of O(units), deletes its unit file and drop-in directory under
    O(unit_dir), reloads systemd once when a unit file went away, then deletes each path of O(paths)
    (a file, or a directory with everything under it).
  - What is already gone is left alone, so a second run reports no change; the C(reset) playbook of
    the collection removes each component's host side with one call of this module per host.
  - Refuses, before touching anything, a path that is not absolute, is C(/) or is a top-level
    directory such as C(/etc) or C(/usr) (a mistyped variable must not wipe a host).
extends_documentation_fragment:
  - fleetops.kurator.attributes
options:
  units:
    description: systemd units to stop, disable and delete; a name without a suffix means C(<name>.service).
    type: list
    elements: str
    default: []
  paths:
    description: Absolute paths to delete (files, or directories and everything under them).
    type: list
    elements: path
    default: []
  unit_dir:
    description: Where the unit files were written.
    type: path
    default: /etc/systemd/system
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The before and after of each unit and path (present or absent).
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Remove cloudcore from the host
  fleetops.kurator.host_remove:
    units: [cloudcore]
    paths: [/etc/kubeedge, /usr/local/bin/cloudcore]
"""

RETURN = r"""
removed_units:
  description: Units that were stopped, disabled and deleted (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [cloudcore.service]
removed_paths:
  description: Paths that were deleted (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [/etc/kubeedge]
"""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule


def unit_name(name):
    return name if "." in name else name + ".service"


def refused(path):
    """Why path must not be deleted, or None."""
    if not os.path.isabs(path):
        return "is not absolute"
    normal = os.path.normpath(path)
    if normal.count("/") < 2 or normal in ("/", "//"):
        return "is / or a top-level directory"
    return None


def present(path):
    return os.path.lexists(path)


def unit_known(module, unit, unit_file):
    """True when systemd has the unit loaded from some file, or its file is still there."""
    if present(unit_file):
        return True
    rc, out, dummy = module.run_command(["systemctl", "show", "-p", "LoadState", "--value", unit])
    return rc == 0 and out.strip() not in ("", "not-found")


def delete(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            units=dict(type="list", elements="str", default=[]),
            paths=dict(type="list", elements="path", default=[]),
            unit_dir=dict(type="path", default="/etc/systemd/system"),
        ),
        supports_check_mode=True,
    )
    bad = ["%s %s" % (p, refused(p)) for p in module.params["paths"] if refused(p)]
    if bad:
        module.fail_json(msg="paths: refusing to delete %s (expected absolute paths below a top-level directory)"
                         % "; ".join(bad))
    unit_dir = module.params["unit_dir"]
    removed_units, removed_paths, diffs = [], [], []
    reload_needed = False
    for unit in [unit_name(u) for u in module.params["units"]]:
        unit_file = os.path.join(unit_dir, unit)
        if not unit_known(module, unit, unit_file):
            continue
        removed_units.append(unit)
        diffs.append({"before_header": unit, "after_header": unit, "before": "present\n", "after": "absent\n"})
        if module.check_mode:
            continue
        # disable --now: stopped and no longer started at boot; an already stopped unit is fine.
        module.run_command(["systemctl", "disable", "--now", unit])
        for leftover in (unit_file, unit_file + ".d"):
            if present(leftover):
                delete(leftover)
                reload_needed = True
    if reload_needed:
        rc, dummy, err = module.run_command(["systemctl", "daemon-reload"])
        if rc != 0:
            module.fail_json(msg="systemctl daemon-reload failed: %s" % err.strip(),
                             removed_units=removed_units, removed_paths=removed_paths)
        for unit in removed_units:
            module.run_command(["systemctl", "reset-failed", unit])
    for path in module.params["paths"]:
        if not present(path):
            continue
        removed_paths.append(path)
        diffs.append({"before_header": path, "after_header": path, "before": "present\n", "after": "absent\n"})
        if module.check_mode:
            continue
        try:
            delete(path)
        except (IOError, OSError) as e:
            module.fail_json(msg="cannot delete %s: %s" % (path, e),
                             removed_units=removed_units, removed_paths=removed_paths)
    result = dict(changed=bool(removed_units or removed_paths), removed_units=removed_units, removed_paths=removed_paths)
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
