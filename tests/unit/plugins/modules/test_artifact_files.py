# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""artifact_files: a marked file is current until its identity, size, mtime or mode changes; a
missing or unmarked one is stale; record marks nothing in check mode and never reports a change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.fleetops.kurator.plugins.modules import artifact_files

ID = "sha256:" + "ab" * 32 + " etcd-v3.6.14-linux-amd64/etcd"


def run(capsys, args, check=False):
    with patch_module_args(dict(args, _ansible_check_mode=check)):
        with pytest.raises(SystemExit):
            artifact_files.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def binary(tmp_path):
    path = tmp_path / "etcd"
    path.write_bytes(b"\x7fELF" + b"0" * 64)
    path.chmod(0o755)
    try:
        os.setxattr(str(path), "user.probe", b"1")
    except OSError:
        pytest.skip("no user extended attributes on %s" % tmp_path)
    return path


def test_stale_until_recorded_then_current(binary, tmp_path, capsys):
    files = [{"path": str(binary), "identity": ID}, {"path": str(tmp_path / "missing"), "identity": ID}]
    assert run(capsys, {"files": files})["stale"] == [str(binary), str(tmp_path / "missing")]
    result = run(capsys, {"files": files[:1], "state": "record"}, check=True)
    assert not result["changed"] and run(capsys, {"files": files})["stale"][0] == str(binary), "check mode marked"
    result = run(capsys, {"files": files[:1], "state": "record"})
    assert not result["changed"] and result["unmarked"] == []
    assert run(capsys, {"files": files})["stale"] == [str(tmp_path / "missing")]


@pytest.mark.parametrize("change", ["identity", "content", "mode", "replaced"])
def test_any_change_makes_a_marked_file_stale(binary, capsys, change):
    files = [{"path": str(binary), "identity": ID}]
    run(capsys, {"files": files, "state": "record"})
    if change == "identity":
        files = [{"path": str(binary), "identity": ID.replace("ab", "cd")}]
    elif change == "content":
        with open(str(binary), "ab") as handle:
            handle.write(b"patched")
    elif change == "mode":
        binary.chmod(0o777)
    else:
        replacement = binary.parent / "new"
        replacement.write_bytes(binary.read_bytes())
        os.rename(str(replacement), str(binary))
    assert run(capsys, {"files": files})["stale"] == [str(binary)]


def test_relative_paths_are_refused(capsys):
    with patch_module_args({"files": [{"path": "bin/etcd", "identity": ID}]}):
        with pytest.raises(SystemExit):
            artifact_files.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and "bin/etcd" in result["msg"]
