# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Files on a managed host: read, compare, write atomically (shared by the modules that
converge several files in one round trip)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import tempfile


def read_text(path):
    """Content of path, or None when it does not exist or cannot be read."""
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def write_atomic(path, content, mode):
    """Write content to a temporary file beside path with mode, then rename it into place."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".fleetops-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        os.chmod(tmp, mode)
        os.rename(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def converge_file(path, content, mode, check_mode):
    """Make path hold content with mode. Returns (note, diff): both None when it already did;
    otherwise a short description and a diff entry. Writes nothing in check mode."""
    current = read_text(path)
    mode_now = os.stat(path).st_mode & 0o7777 if current is not None else None
    if current == content and mode_now == mode:
        return None, None
    note = "write %s" % path if current != content else "chmod %o %s" % (mode, path)
    diff = {"before_header": path, "after_header": path, "before": current or "", "after": content}
    if not check_mode:
        write_atomic(path, content, mode)
    return note, diff
