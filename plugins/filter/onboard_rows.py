# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter onboard_rows: the per-node rows of the edge onboarding report.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: onboard_rows
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: The per-node rows of the edge onboarding report (node, site, ok, status, changed, reason)
positional: hostvars, nodes
description:
  - Builds one row per host of C(playbooks/edge_site_onboard.yml) that reached its pre-flight (the host has
    C(onboard_pre)), from what the play recorded on the host - C(onboard_problem) (empty when nothing went
    wrong), the results C(kubeedge_edge_result) and C(kubeedge_edge_join) of the C(fleetops.kurator.kubeedge_edge)
    role, C(kubeedge_edge_state) and C(fleetops_edge_site) - and the Ready condition of its Node object.
  - "A joined node: C(status) is C(Ready), C(NotReady) or C(failed); C(ok) is true only when nothing failed and the
    Node is Ready; C(reason) says C(joined) (changed now), C(unchanged), the problem, or why the Node is not Ready."
  - "A reset node (C(kubeedge_edge_state=absent)): C(status) is C(removed) or C(failed)."
  - A host without C(onboard_problem) failed before the play recorded one; its row says so.
  - The rows go to M(ansible.builtin.debug) or a file through the C(fleetops.kurator.report_table) filter.
options:
  _input:
    description: The play's hosts, in order (C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  hostvars:
    description: The hosts' variables (C(hostvars)).
    type: dict
    required: true
  nodes:
    description: The Node objects of the cluster (C(resources) of M(kubernetes.core.k8s_info) for kind Node).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Build the per-node report
  ansible.builtin.set_fact:
    onboard_rows: "{{ ansible_play_hosts_all | fleetops.kurator.onboard_rows(hostvars, onboard_nodes.resources | default([])) }}"
  run_once: true

- name: Show it
  ansible.builtin.debug:
    msg: "{{ onboard_rows | fleetops.kurator.report_table(['node', 'site', 'status', 'reason']) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: One row per host that reached the pre-flight, in the order of the hosts.
  type: list
  elements: dict
  sample:
    - {node: edge-node-01, site: plant-east-1, ok: true, status: Ready, changed: true, reason: joined}
    - {node: edge-node-02, site: plant-east-1, ok: false, status: failed, changed: false,
       reason: "cloudcore websocket: connection refused"}
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types
from ansible.module_utils.six.moves.collections_abc import Mapping

DID_NOT_FINISH = "did not finish (failed before the report; see the log above)"
NO_NODE = "no Node object yet"


def _mapping(value):
    return value if isinstance(value, Mapping) else {}


def _ready_condition(node):
    """The Node's Ready condition, or {} (no Node object, or no such condition yet)."""
    for condition in _mapping(_mapping(node).get("status")).get("conditions") or []:
        if _mapping(condition).get("type") == "Ready":
            return condition
    return {}


def _row(host, hv, node):
    problem = hv["onboard_problem"] if "onboard_problem" in hv else DID_NOT_FINISH
    problem = "" if problem is None else str(problem)
    changed = bool(_mapping(hv.get("kubeedge_edge_result")).get("changed")
                   or _mapping(hv.get("kubeedge_edge_join")).get("changed"))
    row = {"node": host, "site": hv.get("fleetops_edge_site", ""), "changed": changed}
    if hv.get("kubeedge_edge_state", "present") == "absent":
        row.update(ok=problem == "", status="removed" if problem == "" else "failed",
                   reason=problem or ("reset, Node deleted" if changed else "nothing to remove"))
        return row
    ready_condition = _ready_condition(node)
    ready = ready_condition.get("status") == "True"
    if problem:
        reason = problem
    elif ready:
        reason = "joined" if changed else "unchanged"
    else:
        reason = "node not Ready: %s" % ready_condition.get("message", NO_NODE)
    row.update(ok=problem == "" and ready, status="Ready" if ready else ("failed" if problem else "NotReady"),
               reason=reason)
    return row


def onboard_rows(hosts, hostvars, nodes=None):
    """Rows {node, site, ok, status, changed, reason} for the hosts that reached the pre-flight."""
    if isinstance(hosts, string_types) or not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("onboard_rows: expected the list of the play's hosts, got %s" % type(hosts).__name__)
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("onboard_rows: hostvars must be a mapping, got %s" % type(hostvars).__name__)
    if nodes is None:
        nodes = []
    if not isinstance(nodes, (list, tuple)):
        raise AnsibleFilterError("onboard_rows: nodes must be a list of Node objects, got %s" % type(nodes).__name__)
    by_name = {}
    for node in nodes:
        name = _mapping(_mapping(node).get("metadata")).get("name")
        if name is not None:
            by_name[name] = node
    rows = []
    for host in hosts:
        hv = hostvars[host] if host in hostvars else {}
        if "onboard_pre" not in hv:
            continue
        rows.append(_row(host, hv, by_name.get(host, {})))
    return rows


class FilterModule(object):
    def filters(self):
        return {"onboard_rows": onboard_rows}
