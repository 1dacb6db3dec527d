#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: artifact_files
short_description: Tell which installed artifact files are stale, in one round trip, without hashing them
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - The internal C(_artifacts) role's way to skip copying binaries that are already in place. Each file it copies is
    marked with an extended attribute (C(user.fleetops.artifact)) holding the artifact's identity (its pinned sha256
    and the path inside the archive) and the file's size, modification time, mode and owner as written.
  - O(state=check) returns the files of O(files) that are missing, unmarked, marked with another identity, or whose
    size, modification time, mode or owner changed since they were marked (edited, replaced or chmod-ed by hand). No file is read or hashed,
    so a converged run costs one round trip per host however large the binaries are.
  - O(state=record) marks the given files after they were copied. It never reports a change (the copy did). On a
    filesystem without user extended attributes nothing is marked and every file stays stale, so the copy then
    compares contents as before - slower, never wrong.
extends_documentation_fragment:
  - fleetops.kurator.attributes
options:
  files:
    description: The installed files.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path on the host.
        type: path
        required: true
      identity:
        description: What the file must have been installed from (for example C(sha256:<digest> <member>)).
        type: str
        required: true
  state:
    description: C(check) reports the stale files; C(record) marks the files as installed from their identity.
    type: str
    choices: [check, record]
    default: check
attributes:
  check_mode:
    support: full
    details: C(check) reads only; C(record) marks nothing in check mode.
  diff_mode:
    support: none
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Which binaries need copying
  fleetops.kurator.artifact_files:
    files:
      - {path: /usr/local/bin/etcd, identity: "sha256:0123... etcd-v3.6.14-linux-amd64/etcd"}
  register: stale
"""

RETURN = r"""
stale:
  description: With O(state=check), the paths of O(files) that must be copied again.
  returned: always
  type: list
  elements: str
  sample: [/usr/local/bin/etcd]
unmarked:
  description: With O(state=record), the paths that could not be marked (no user extended attributes there).
  returned: always
  type: list
  elements: str
  sample: []
"""

import errno
import os

from ansible.module_utils.basic import AnsibleModule

ATTRIBUTE = "user.fleetops.artifact"


def mark(path, identity):
    """The attribute's value for path as it is now: identity, size, mtime (ns), mode and owner."""
    st = os.stat(path)
    return ("%s %d %d %o %d:%d" % (identity, st.st_size, st.st_mtime_ns, st.st_mode & 0o7777, st.st_uid, st.st_gid)
            ).encode("utf-8")


def is_current(path, identity):
    try:
        return os.getxattr(path, ATTRIBUTE) == mark(path, identity)
    except (IOError, OSError):
        return False   # missing, unmarked, or no user xattrs here: copy (and compare) it


def record(path, identity):
    """Mark path; False where the filesystem has no user extended attributes."""
    try:
        os.setxattr(path, ATTRIBUTE, mark(path, identity))
        return True
    except (IOError, OSError) as e:
        if e.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            return False
        raise


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                identity=dict(type="str", required=True),
            )),
            state=dict(type="str", choices=["check", "record"], default="check"),
        ),
        supports_check_mode=True,
    )
    files = module.params["files"]
    relative = [f["path"] for f in files if not os.path.isabs(f["path"])]
    if relative:
        module.fail_json(msg="files: paths must be absolute (got %s)" % ", ".join(relative))
    if module.params["state"] == "check":
        module.exit_json(changed=False, unmarked=[],
                         stale=[f["path"] for f in files if not is_current(f["path"], f["identity"])])
    unmarked = []
    if not module.check_mode:
        for f in files:
            try:
                if not record(f["path"], f["identity"]):
                    unmarked.append(f["path"])
            except (IOError, OSError) as e:
                module.fail_json(msg="cannot mark %s: %s" % (f["path"], e))
    module.exit_json(changed=False, stale=[], unmarked=unmarked)


if __name__ == "__main__":
    main()
