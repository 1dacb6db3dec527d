# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""host_remove: deletes units and paths once, reports nothing on a second run, changes nothing in
check mode, and refuses a path that would wipe a host before deleting anything. systemctl is faked
(the unit test isolates the module's logic; the lab's test_reset runs it against real systemd)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.fleetops.kurator.plugins.modules import host_remove


@pytest.fixture
def systemctl(monkeypatch):
    calls = []

    def run_command(self, args, **kwargs):
        calls.append(args)
        return (0, "not-found\n", "") if args[1] == "show" else (0, "", "")
    monkeypatch.setattr(AnsibleModule, "run_command", run_command)
    return calls


def run(capsys, args, check=False, diff=False):
    with patch_module_args(dict(args, _ansible_check_mode=check, _ansible_diff=diff)):
        with pytest.raises(SystemExit):
            host_remove.main()
    return json.loads(capsys.readouterr().out)


def layout(tmp_path):
    units = tmp_path / "systemd"
    (units / "cloudcore.service.d").mkdir(parents=True)
    (units / "cloudcore.service").write_text("[Service]\n")
    conf = tmp_path / "etc" / "kubeedge"
    (conf / "certs").mkdir(parents=True)
    (conf / "certs" / "server.key").write_text("key")
    binary = tmp_path / "bin" / "cloudcore"
    binary.parent.mkdir()
    binary.write_text("elf")
    return {"units": ["cloudcore"], "paths": [str(conf), str(binary)], "unit_dir": str(units)}, units


def test_removes_once_then_reports_nothing(tmp_path, capsys, systemctl):
    args, units = layout(tmp_path)
    result = run(capsys, args)
    assert result["changed"] and result["removed_units"] == ["cloudcore.service"]
    assert result["removed_paths"] == args["paths"]
    assert not list(units.iterdir()) and not any((tmp_path / "etc").iterdir())
    assert ["systemctl", "disable", "--now", "cloudcore.service"] in systemctl
    assert ["systemctl", "daemon-reload"] in systemctl
    del systemctl[:]
    again = run(capsys, args)
    assert not again["changed"] and again["removed_units"] == [] and again["removed_paths"] == []
    assert ["systemctl", "daemon-reload"] not in systemctl


def test_check_mode_changes_nothing_and_diff_names_each_item(tmp_path, capsys, systemctl):
    args, units = layout(tmp_path)
    result = run(capsys, args, check=True, diff=True)
    assert result["changed"] and (units / "cloudcore.service").exists() and (tmp_path / "bin" / "cloudcore").exists()
    assert [d["before_header"] for d in result["diff"]] == ["cloudcore.service"] + args["paths"]
    assert all(call[1] == "show" for call in systemctl), systemctl


@pytest.mark.parametrize("path", ["/", "/etc", "/usr/", "relative/dir", "/etc/.."])
def test_refuses_a_path_that_would_wipe_a_host_before_touching_anything(tmp_path, capsys, systemctl, path):
    args, units = layout(tmp_path)
    with patch_module_args(dict(args, paths=args["paths"] + [path])):
        with pytest.raises(SystemExit):
            host_remove.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and "refusing to delete %s" % path in result["msg"]
    assert (units / "cloudcore.service").exists() and (tmp_path / "etc" / "kubeedge").exists() and not systemctl
