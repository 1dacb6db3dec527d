#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: file_set
short_description: Write a set of text files on a host in one round trip
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Makes each file in O(files) hold the given content and mode, writing only the ones that differ
    (atomically, through a temporary file in the same directory), and returns the paths it changed.
  - One module run replaces a loop of M(ansible.builtin.copy) or M(ansible.builtin.template) tasks,
    each of which costs a round trip per file; the roles render the content on the controller.
  - Files are owned by the connecting user (the roles connect as root). Missing parent directories
    are created with mode 0755.
  - The content option is C(no_log), so no file's content appears in a result, a log or an AWX job event
    (in a diff it shows as C(********)); the diff is returned only in diff mode. Run tasks that write
    private keys with C(no_log) too, so the task's arguments are never displayed either.
extends_documentation_fragment:
  - fleetops.kurator.attributes
options:
  files:
    description: The files to converge.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path on the host.
        type: path
        required: true
      content:
        description: Exact text content (no newline is added). Never returned (C(no_log)).
        type: str
        required: true
      mode:
        description: Octal permission bits, for example C("0600").
        type: str
        default: "0644"
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: In diff mode, the before and after of each changed file, with contents masked (C(no_log)).
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Write the systemd units
  fleetops.kurator.file_set:
    files:
      - path: /etc/systemd/system/example.service
        content: "{{ lookup('ansible.builtin.template', 'example.service.j2') }}"
  register: units

- name: Copy keys (no content in the output)
  fleetops.kurator.file_set:
    files:
      - path: /etc/example/pki/server.key
        content: "{{ lookup('ansible.builtin.file', 'pki/server.key', rstrip=false) }}"
        mode: "0600"
  no_log: true
"""

RETURN = r"""
changed_paths:
  description: Paths that were written or had their mode changed (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [/etc/systemd/system/example.service]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fleetops.kurator.plugins.module_utils._files import converge_file


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                # no_log: key sets go through here; Ansible then scrubs the content from every result.
                content=dict(type="str", required=True, no_log=True),
                mode=dict(type="str", default="0644"),
            )),
        ),
        supports_check_mode=True,
    )
    changed_paths, diffs = [], []
    for spec in module.params["files"]:
        path = spec["path"]
        if not os.path.isabs(path):
            module.fail_json(msg="files: path %r is not absolute" % path)
        try:
            mode = int(spec["mode"], 8)
        except ValueError:
            module.fail_json(msg="files: mode %r of %s is not octal (expected e.g. '0644')" % (spec["mode"], path))
        try:
            note, diff = converge_file(path, spec["content"], mode, module.check_mode)
        except (IOError, OSError) as e:
            module.fail_json(msg="cannot write %s: %s" % (path, e), changed_paths=changed_paths)
        if note is not None:
            changed_paths.append(path)
            diffs.append(diff)
    result = dict(changed=bool(changed_paths), changed_paths=changed_paths)
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
