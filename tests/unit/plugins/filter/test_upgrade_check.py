# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""upgrade_check: which version moves playbooks/upgrade.yml runs, and what it says when it refuses."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.kurator.plugins.filter.upgrade_check import upgrade_check


def copies(*versions):
    return [{"where": "karmada-%d" % (i + 1), "version": v} for i, v in enumerate(versions)]


@pytest.mark.parametrize("installed, wanted, action", [
    (("v1.18.1", "v1.18.1", "v1.18.1"), "v1.18.2", "upgrade"),
    (("v1.17.4",), "v1.18.2", "upgrade"),              # the next minor
    (("v1.18.1", "v1.18.2"), "v1.18.2", "upgrade"),    # an upgrade stopped half-way goes on
    (("1.30.2",), "1.30.3", "upgrade"),                # Istio's versions have no v
    (("v1.18.2",), "v1.18.2", "none"),
    (("",), "v1.18.2", "none"),                        # not installed anywhere
])
def test_allowed(installed, wanted, action):
    check = upgrade_check(copies(*installed), wanted)
    assert check["ok"] and check["action"] == action, check


def test_behind_names_only_the_copies_to_move():
    check = upgrade_check(copies("v1.18.1", "v1.18.2", "v1.18.1"), "v1.18.2")
    assert check["behind"] == ["karmada-1", "karmada-3"]
    assert check["message"] == "upgrade to v1.18.2: karmada-1 from v1.18.1, karmada-3 from v1.18.1"


@pytest.mark.parametrize("installed, wanted, action, names", [
    (("v1.18.2",), "v1.18.1", "downgrade", "karmada-1 runs v1.18.2"),
    (("v1.18.1", "v1.19.0"), "v1.18.2", "downgrade", "karmada-2 runs v1.19.0"),
    (("v1.16.3",), "v1.18.2", "skip", "karmada-1 runs v1.16.3"),
    (("v0.9.9",), "v1.0.0", "skip", "karmada-1 runs v0.9.9"),     # a major change counts as a skipped minor
])
def test_refused_unless_allowed(installed, wanted, action, names):
    check = upgrade_check(copies(*installed), wanted)
    assert not check["ok"] and check["action"] == action and names in check["message"], check
    assert "upgrade_allow_" in check["message"]
    allowed = upgrade_check(copies(*installed), wanted, allow_downgrade=action == "downgrade",
                            allow_skip_minor=action == "skip")
    assert allowed["ok"] and allowed["action"] == action, allowed


def test_a_downgrade_is_named_before_a_skip():
    check = upgrade_check(copies("v1.16.0", "v1.19.0"), "v1.18.2", allow_skip_minor=True)
    assert not check["ok"] and check["action"] == "downgrade"


@pytest.mark.parametrize("installed, wanted, named", [
    (("latest",), "v1.18.2", "karmada-1: 'latest'"),
    (("v1.18.1",), "1.18", "the wanted version: '1.18'"),
])
def test_a_version_that_is_not_one_is_named(installed, wanted, named):
    check = upgrade_check(copies(*installed), wanted)
    assert not check["ok"] and check["action"] == "invalid" and named in check["message"], check


def test_input_must_be_copies():
    with pytest.raises(AnsibleFilterError, match="list of"):
        upgrade_check("v1.18.1", "v1.18.2")
