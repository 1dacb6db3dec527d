# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""converge_file: writes only what differs, fixes modes, and writes nothing in check mode."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat

from ansible_collections.fleetops.kurator.plugins.module_utils._files import converge_file


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_is_written_with_its_mode_and_parents(tmp_path):
    path = str(tmp_path / "etc" / "pki" / "ca.key")
    note, diff = converge_file(path, "KEY\n", 0o600, check_mode=False)
    assert note == "write %s" % path
    assert diff == {"before_header": path, "after_header": path, "before": "", "after": "KEY\n"}
    assert open(path).read() == "KEY\n" and mode_of(path) == 0o600


def test_same_content_and_mode_is_left_alone(tmp_path):
    path = str(tmp_path / "unit.service")
    converge_file(path, "[Unit]\n", 0o644, check_mode=False)
    before = os.stat(path).st_ino
    assert converge_file(path, "[Unit]\n", 0o644, check_mode=False) == (None, None)
    assert os.stat(path).st_ino == before


def test_only_the_mode_differs(tmp_path):
    path = str(tmp_path / "k")
    converge_file(path, "x", 0o644, check_mode=False)
    note = converge_file(path, "x", 0o600, check_mode=False)[0]
    assert note == "chmod 600 %s" % path and mode_of(path) == 0o600


def test_check_mode_reports_but_does_not_write(tmp_path):
    path = str(tmp_path / "a.conf")
    converge_file(path, "old\n", 0o644, check_mode=False)
    note, diff = converge_file(path, "new\n", 0o644, check_mode=True)
    assert note and diff["before"] == "old\n" and diff["after"] == "new\n"
    assert open(path).read() == "old\n"
    assert os.listdir(str(tmp_path)) == ["a.conf"]  # no temporary file left behind
