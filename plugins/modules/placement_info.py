#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: placement_info
short_description: Compare the computed replica plan with Karmada's ResourceBindings
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - For applied workloads, reads their C(work.karmada.io/v1alpha2) ResourceBindings from the Karmada API
    server and returns, per binding, the replicas Karmada assigned (C(spec.clusters)) next to the plan
    this collection computes from the binding's own placement, replicas and resource UID.
  - C(match) tells whether both agree; a mismatch usually means the plan lacks inputs the scheduler had
    (available replicas from estimators, taints, or a previous assignment from before a change).
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.info_module
options:
  namespace:
    description: Namespace of the bindings. All namespaces when omitted.
    type: str
  name:
    description: Name of one ResourceBinding (Karmada names them C(<resource name>-<kind lowercased>)).
    type: str
  kind:
    description: Only bindings for resources of this kind (for example C(Deployment)).
    type: str
  resource_name:
    description: Only bindings for a resource with this name.
    type: str
  member_clusters:
    description:
      - Member clusters for the plan (C(name), C(labels), C(provider), C(region), C(zones),
        C(available_replicas)), shaped like the topology's C(member_clusters). Read from the Karmada
        Cluster objects when omitted.
      - The alias C(topology) is the option's earlier name.
    type: list
    elements: dict
    aliases: [topology]
'''

EXAMPLES = r'''
- name: Is Karmada doing what the plan says for the frontend?
  fleetops.kurator.placement_info:
    namespace: default
    kind: Deployment
    resource_name: frontend-app
  register: info

- name: Fail on a mismatch
  ansible.builtin.assert:
    that: info.bindings | map(attribute='match') | min
'''

RETURN = r'''
bindings:
  description: One entry per ResourceBinding.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Binding name.
      type: str
    namespace:
      description: Binding namespace.
      type: str
    resource:
      description: The resource template the binding is for (apiVersion, kind, name, namespace, uid).
      type: dict
    replicas:
      description: C(spec.replicas) of the binding.
      type: int
    scheduled:
      description: Replicas per cluster from C(spec.clusters) of the binding (zero entries removed).
      type: dict
    plan:
      description: Replicas per cluster computed by this collection for the binding's placement.
      type: dict
    match:
      description: Whether C(plan) equals C(scheduled).
      type: bool
    error:
      description: Why no plan could be computed, when that happens.
      type: str
      returned: when the placement cannot be scheduled
'''

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import (
    Applier, CoreException, k8s_argument_spec, k8s_module)
from ansible_collections.fleetops.kurator.plugins.module_utils._karmada import karmada_clusters
from ansible_collections.fleetops.kurator.plugins.module_utils._placement import (
    PlacementError, compute_placement, normalize_clusters)


def binding_report(binding, clusters):
    meta, spec = binding.get('metadata') or {}, binding.get('spec') or {}
    resource = spec.get('resource') or {}
    replicas = spec.get('replicas') or 0
    scheduled = dict((c['name'], c.get('replicas') or 0) for c in spec.get('clusters') or []
                     if c.get('replicas'))
    entry = {'name': meta.get('name'), 'namespace': meta.get('namespace'), 'resource': resource,
             'replicas': replicas, 'scheduled': scheduled}
    try:
        # A first-schedule plan: dynamic strategies that scaled step by step may legitimately differ.
        plan = compute_placement(clusters, spec.get('placement') or {}, replicas, uid=resource.get('uid') or '')
        entry['plan'] = plan
    except PlacementError as exc:
        entry['plan'] = {}
        entry['error'] = str(exc)
    entry['match'] = entry['plan'] == scheduled
    return entry


def main():
    argument_spec = k8s_argument_spec(
        namespace=dict(type='str'),
        name=dict(type='str'),
        kind=dict(type='str'),
        resource_name=dict(type='str'),
        member_clusters=dict(type='list', elements='dict', aliases=['topology']),
    )
    module = k8s_module(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params['member_clusters'] is not None:
        try:
            normalize_clusters(params['member_clusters'], 0)
        except PlacementError as exc:
            module.fail_json(msg='member_clusters: %s' % exc)
    applier = Applier(module)
    try:
        clusters = params['member_clusters'] if params['member_clusters'] is not None else karmada_clusters(applier)
        items = applier.list('work.karmada.io/v1alpha2', 'ResourceBinding', params['namespace'])
    except CoreException as exc:
        module.fail_json(msg=str(exc))
    bindings = []
    for item in items:
        resource = (item.get('spec') or {}).get('resource') or {}
        if params['name'] and (item.get('metadata') or {}).get('name') != params['name']:
            continue
        if params['kind'] and resource.get('kind') != params['kind']:
            continue
        if params['resource_name'] and resource.get('name') != params['resource_name']:
            continue
        bindings.append(binding_report(item, clusters))
    module.exit_json(changed=False, bindings=bindings)


if __name__ == '__main__':
    main()
