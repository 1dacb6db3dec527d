# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Every role has a README (Galaxy refuses the collection otherwise: "No role readme found")
that lists each variable of its meta/argument_specs.yml and shows an example play."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest
import yaml

ROLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'roles')
NAMES = sorted(n for n in os.listdir(ROLES) if os.path.isdir(os.path.join(ROLES, n)))


def _readme(role):
    with open(os.path.join(ROLES, role, 'README.md')) as handle:
        return handle.read()


def _defaults(role):
    names = []
    for root, _dirs, files in os.walk(os.path.join(ROLES, role, 'defaults')):
        for name in files:
            with open(os.path.join(root, name)) as handle:
                names.extend(yaml.safe_load(handle) or {})
    return names


@pytest.mark.parametrize('role', NAMES)
def test_readme_lists_every_variable_of_the_argument_specs(role):
    text = _readme(role)
    with open(os.path.join(ROLES, role, 'meta', 'argument_specs.yml')) as handle:
        specs = yaml.safe_load(handle)['argument_specs']
    variables = text.split('\n## Variables', 1)[-1].split('\n## ', 1)[0]
    listed = set(re.findall(r'^\| `([a-z0-9_]+)` \|', variables, re.M))
    missing = sorted(set(name for spec in specs.values() for name in spec.get('options') or {}) - listed)
    assert not missing, 'roles/%s/README.md: add a table row for %s (meta/argument_specs.yml)' % (role, missing)
    known = set(name for spec in specs.values() for name in spec.get('options') or {}) | set(_defaults(role))
    stale = sorted(listed - known)
    assert not stale, 'roles/%s/README.md: %s are neither in meta/argument_specs.yml nor in defaults/' % (role, stale)


@pytest.mark.parametrize('role', NAMES)
def test_readme_has_an_example_with_the_role(role):
    text = _readme(role)
    assert text.startswith('# fleetops.kurator.%s' % role)
    assert '## Example' in text
    assert 'fleetops.kurator.%s' % role in text.split('## Example', 1)[1]
