# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""file_set: the content it writes never comes back in its result; the diff only in diff mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.fleetops.kurator.plugins.modules import file_set

KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFAKEFAKEFAKEFAKEFAKEsecretmaterial0123456789\n-----END EC PRIVATE KEY-----\n"


def run(capsys, args, diff=False, check=False):
    """The module's real exit (with Ansible's no_log scrubbing), parsed from its stdout."""
    with patch_module_args(dict(args, _ansible_diff=diff, _ansible_check_mode=check)):
        with pytest.raises(SystemExit):
            file_set.main()
    out = capsys.readouterr().out
    return out, json.loads(out)


def test_content_is_never_returned_and_diff_only_in_diff_mode(tmp_path, capsys):
    key = tmp_path / "pki" / "server.key"
    args = {"files": [{"path": str(key), "content": KEY, "mode": "0600"}]}
    out, result = run(capsys, args, check=True)
    assert result["changed"] and "diff" not in result and "secretmaterial" not in out
    out, result = run(capsys, args, diff=True)
    assert result["changed_paths"] == [str(key)] and result["diff"]
    assert "secretmaterial" not in out, "a key written by file_set came back in its result"
    assert key.read_text() == KEY and oct(key.stat().st_mode & 0o777) == "0o600"
    out, result = run(capsys, args, diff=True)
    assert not result["changed"] and result["diff"] == []
