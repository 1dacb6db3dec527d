# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""kubeconfig / kubeconfig_server: a path stays a path, inline content becomes a mapping, and the
server is the one of the named context, else current-context, else the first cluster."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.kubeconfig import kubeconfig
from ansible_collections.fleetops.kurator.plugins.filter.kubeconfig_server import kubeconfig_server

DOC = """apiVersion: v1
kind: Config
clusters:
  - {name: a, cluster: {server: 'https://a:6443'}}
  - {name: b, cluster: {server: 'https://b:6443'}}
contexts:
  - {name: ctx-a, context: {cluster: a, user: u}}
  - {name: ctx-b, context: {cluster: b, user: u}}
current-context: ctx-b
users: [{name: u, user: {}}]
"""


def test_a_path_stays_a_path():
    assert kubeconfig('/etc/fleet/host.kubeconfig') == '/etc/fleet/host.kubeconfig'


def test_inline_content_becomes_a_mapping():
    assert kubeconfig(DOC)['current-context'] == 'ctx-b'


@pytest.mark.parametrize('context, server', [(None, 'https://b:6443'), ('', 'https://b:6443'),
                                             ('ctx-a', 'https://a:6443'), ('missing', 'https://a:6443')])
def test_server_of_the_context(tmp_path, context, server):
    path = tmp_path / 'k'
    path.write_text(DOC)
    assert kubeconfig_server(str(path), context) == server
    assert kubeconfig_server(DOC, context) == server


def test_unreadable_or_broken_kubeconfigs_are_named(tmp_path):
    with pytest.raises(AnsibleFilterError, match='cannot read'):
        kubeconfig_server(str(tmp_path / 'absent'))
    with pytest.raises(AnsibleFilterError, match='no clusters'):
        kubeconfig_server('apiVersion: v1\nkind: Config\n')
    with pytest.raises(AnsibleFilterError, match='does not define'):
        kubeconfig_server(DOC.replace('cluster: a, user', 'cluster: zz, user'), 'ctx-a')
