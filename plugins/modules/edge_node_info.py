#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: edge_node_info
short_description: Report what of KubeEdge is installed on an edge host, and whether it blocks a join
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Reads the edge host (the edgecore unit and configuration, the node certificate, a running kubelet,
    edgecore's service state) and says in plain words what is installed and whether that blocks joining
    it as node O(name). Changes nothing.
  - The pre-flight of C(playbooks/edge_site_onboard.yml) uses it before M(fleetops.kurator.edge_node)
    converges the node.
extends_documentation_fragment:
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.info_module
options:
  name:
    description: Node name the host is to join as (the certificate must be issued for C(system:node:<name>)).
    type: str
    required: true
notes:
  - Requires systemd on the host; no Python libraries beyond the standard library.
seealso:
  - module: fleetops.kurator.edge_node
"""

EXAMPLES = r"""
- name: Pre-flight - existing or broken install
  fleetops.kurator.edge_node_info:
    name: "{{ inventory_hostname }}"
  register: edge_install

- name: Stop here when the host cannot join
  ansible.builtin.assert:
    that: edge_install.install.ok
    fail_msg: "{{ edge_install.install.detail }}"
"""

RETURN = r"""
joined:
  description: Whether the host holds a certificate issued for node O(name).
  returned: always
  type: bool
install:
  description: What is on the host, in plain words, and whether that is a problem.
  returned: always
  type: dict
  contains:
    ok:
      description: False when the host holds something that blocks a join (a kubelet, a certificate for another name).
      type: bool
    detail:
      description: Plain-words description.
      type: str
      sample: no edgecore installed (fresh join)
    installed:
      description: Whether an edgecore unit or configuration is on the host.
      type: bool
    active:
      description: Whether the edgecore service is running.
      type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fleetops.kurator.plugins.module_utils._edge_host import EdgeHost, install_report, joined


def inspect(module):
    host = EdgeHost(module)
    name = module.params["name"]
    install = install_report(host, name)
    return dict(changed=False, joined=joined(name), install=install)


def main():
    module = AnsibleModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    module.exit_json(**inspect(module))


if __name__ == "__main__":
    main()
