# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""onboard_rows: the per-node rows of playbooks/edge_site_onboard.yml.

The rows were built by inline Jinja in the playbook; that template is kept here as the oracle,
rendered by Ansible's own templar, and the filter must give the same rows on every case."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.onboard_rows import onboard_rows

# The playbook's template before the filter (edge_site_onboard.yml, "Build the per-node report").
ORACLE = """{% set _nodes = dict(nodes | map(attribute='metadata.name') | zip(nodes)) %}
{% for h in ansible_play_hosts_all if hostvars[h].onboard_pre is defined %}
{% set hv = hostvars[h] %}
{% set problem = hv.onboard_problem | default('did not finish (failed before the report; see the log above)') %}
{% set node = _nodes[h] | default({}) %}
{% set ready = (node.status.conditions | default([]) | selectattr('type', 'equalto', 'Ready') | list + [{}]) | first %}
{% set res = {'changed': (hv.kubeedge_edge_result | default({})).changed | default(false)
              or (hv.kubeedge_edge_join | default({})).changed | default(false)} %}
{% if (hv.kubeedge_edge_state | default('present')) == 'absent' %}
- {node: {{ h | to_json }}, site: {{ hv.fleetops_edge_site | default('') | to_json }}, ok: {{ (problem == '') | to_json }},
   status: {{ ('removed' if problem == '' else 'failed') | to_json }}, changed: {{ (res.changed | default(false)) | to_json }},
   reason: {{ (problem if problem else ('reset, Node deleted' if res.changed | default(false) else 'nothing to remove')) | to_json }}}
{% else %}
- node: {{ h | to_json }}
  site: {{ hv.fleetops_edge_site | default('') | to_json }}
  ok: {{ (problem == '' and ready.status | default('') == 'True') | to_json }}
  status: {{ ('Ready' if ready.status | default('') == 'True' else ('failed' if problem else 'NotReady')) | to_json }}
  changed: {{ (res.changed | default(false)) | to_json }}
  reason: {{ (problem if problem else ('joined' if ready.status | default('') == 'True' and res.changed | default(false)
              else ('unchanged' if ready.status | default('') == 'True'
              else ('node not Ready: ' ~ (ready.message | default('no Node object yet')))))) | to_json }}
{% endif %}
{% endfor %}"""


def oracle(hosts, hostvars, nodes):
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar

    try:
        from ansible.template import trust_as_template   # ansible-core >= 2.19 renders trusted templates only
    except ImportError:
        def trust_as_template(text):
            return text
    import yaml
    text = Templar(loader=DataLoader(), variables={
        "ansible_play_hosts_all": hosts, "hostvars": hostvars, "nodes": nodes}).template(trust_as_template(ORACLE))
    return yaml.safe_load(text) or []


def node(name, status=None, message=None):
    conditions = [{"type": "MemoryPressure", "status": "False"}]
    if status is not None:
        ready = {"type": "Ready", "status": status}
        if message is not None:
            ready["message"] = message
        conditions.append(ready)
    return {"metadata": {"name": name}, "status": {"conditions": conditions}}


PROBLEMS = [None, "", "cloudcore websocket: connection refused"]     # None: onboard_problem never set
RESULTS = [None, {"changed": False}, {"changed": True}, {"skipped": True}]
STATES = [None, "present", "absent"]
NODES = [None, ("True", None), ("False", "container runtime is down"), ("Unknown", None)]


def _cases():
    for problem, result, join, state, node_state in itertools.product(PROBLEMS, RESULTS, RESULTS[:3], STATES, NODES):
        hv = {"onboard_pre": {"checks": []}, "fleetops_edge_site": "plant-east-1"}
        if problem is not None:
            hv["onboard_problem"] = problem
        if result is not None:
            hv["kubeedge_edge_result"] = result
        if join is not None:
            hv["kubeedge_edge_join"] = join
        if state is not None:
            hv["kubeedge_edge_state"] = state
        yield hv, node_state


def test_rows_equal_the_playbook_template_on_every_case():
    cases = list(_cases())
    hosts = ["edge-%03d" % i for i in range(len(cases))] + ["edge-unreached", "edge-nosite"]
    hostvars = dict((h, hv) for h, (hv, dummy) in zip(hosts, cases))
    hostvars["edge-unreached"] = {"fleetops_edge_site": "plant-east-1"}          # no pre-flight: no row
    hostvars["edge-nosite"] = {"onboard_pre": {}, "onboard_problem": ""}          # no site, no Node
    nodes = [node(h, *n) for h, (dummy, n) in zip(hosts, cases) if n is not None]
    nodes.append({"metadata": {"name": "not-a-host"}})
    got = onboard_rows(hosts, hostvars, nodes)
    assert got == oracle(hosts, hostvars, nodes)
    assert len(got) == len(cases) + 1 and "edge-unreached" not in [r["node"] for r in got]


def test_rows_say_what_happened():
    hostvars = {
        "a": {"onboard_pre": {}, "onboard_problem": "", "kubeedge_edge_result": {"changed": True}},
        "b": {"onboard_pre": {}, "onboard_problem": ""},
        "c": {"onboard_pre": {}, "onboard_problem": "", "kubeedge_edge_join": {"changed": True}},
        "d": {"onboard_pre": {}, "onboard_problem": "disk: 1 GiB free"},
        "e": {"onboard_pre": {}},
        "f": {"onboard_pre": {}, "onboard_problem": "", "kubeedge_edge_state": "absent",
              "kubeedge_edge_result": {"changed": True}},
    }
    rows = onboard_rows(list(hostvars), hostvars, [node("a", "True"), node("b", "True"), node("c", "False", "PLEG")])
    assert [(r["node"], r["ok"], r["status"], r["reason"]) for r in rows] == [
        ("a", True, "Ready", "joined"),
        ("b", True, "Ready", "unchanged"),
        ("c", False, "NotReady", "node not Ready: PLEG"),
        ("d", False, "failed", "disk: 1 GiB free"),
        ("e", False, "failed", "did not finish (failed before the report; see the log above)"),
        ("f", True, "removed", "reset, Node deleted"),
    ]
    assert onboard_rows([], {}) == []


@pytest.mark.parametrize("args", [("edge-1", {}), (["a"], ["a"]), (["a"], {}, {"metadata": {}})])
def test_bad_input_is_named(args):
    with pytest.raises(AnsibleFilterError, match="onboard_rows"):
        onboard_rows(*args)
