#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: propagation_policy
short_description: Karmada PropagationPolicy or ClusterPropagationPolicy, validated, with the replica plan
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Creates, updates or removes a C(policy.karmada.io/v1alpha1) PropagationPolicy (namespaced) or
    ClusterPropagationPolicy (O(cluster_scoped=true)) on the Karmada API server with server-side apply.
  - Takes an upstream-shaped O(spec), or a short form (O(resources), O(clusters) or O(cluster_labels),
    O(mode), O(weights)).
  - Accepts user shorthands and emits the upstream shape, listing each change in RV(translations) -
    for example C(replicaScheduling.weightList) becomes C(weightPreference.staticWeightList), and
    C(replicaSchedulingType=Weighted) becomes C(Divided).
  - Rejects, before anything is sent, what karmada-webhook would reject, with the field path in the
    message (for example C(spec.placement.spreadConstraints[1].maxGroups)).
  - Returns the replica plan Karmada v1.18 will compute (see the P(fleetops.kurator.karmada_replicas#filter)
    filter), and RV(placement_warnings) for parts of the request Karmada would ignore.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.k8s
  - fleetops.kurator.karmada_policy
  - fleetops.kurator.karmada_policy.force_conflicts
options:
  spec:
    description:
      - The policy C(spec) in upstream shape (C(resourceSelectors), C(placement), ...).
      - Mutually exclusive with the short form options.
    type: dict
  resources:
    description: Short form - resource selectors (C(apiVersion), C(kind), C(name) or C(labelSelector), C(namespace)).
    type: list
    elements: dict
  clusters:
    description: Short form - member cluster names.
    type: list
    elements: str
  cluster_labels:
    description: Short form - select member clusters by these labels.
    type: dict
  mode:
    description:
      - Short form - C(duplicated) (every cluster runs all replicas), C(weighted) (static weights, equal
        when O(weights) is empty), C(dynamic) (weights from available replicas), C(aggregated) (as few
        clusters as capacity allows).
    type: str
    choices: [duplicated, weighted, dynamic, aggregated]
    default: duplicated
  weights:
    description: Short form - cluster name to static weight (O(mode=weighted)).
    type: dict
  replicas:
    description:
      - Replica count used for RV(plan). Defaults to C(spec.replicas) of the selected resource when the
        first selector names one that exists on the Karmada API server.
    type: int
  uid:
    description: UID of the resource template for the plan's tie-break. Read from the resource when found.
    type: str
  member_clusters:
    description:
      - Member clusters for RV(plan) (C(name), C(labels), C(provider), C(region), C(zones),
        C(available_replicas)), shaped like the topology's C(member_clusters). Read from the Karmada
        Cluster objects when omitted.
      - Not the short form's O(clusters), which selects clusters by name for the policy itself.
      - The alias C(topology) is the option's earlier name.
    type: list
    elements: dict
    aliases: [topology]
notes:
  - The plan does not consider cluster taints, API enablement or eviction, which the real scheduler also
    filters on; M(fleetops.kurator.placement_info) compares the plan with the real binding.
seealso:
  - module: fleetops.kurator.placement_info
  - plugin: fleetops.kurator.karmada_replicas
    plugin_type: filter
'''

EXAMPLES = r'''
- name: The user's example 01 as is
  fleetops.kurator.propagation_policy:
    name: nginx-propagation
    namespace: default
    spec:
      resourceSelectors:
        - {apiVersion: apps/v1, kind: Deployment, name: nginx}
      placement:
        clusterAffinity:
          clusterNames: [cluster-beijing, cluster-shanghai, cluster-guangzhou]
        replicaScheduling:
          replicaSchedulingType: Duplicated

- name: The user's example 02 (weightList shorthand is translated)
  fleetops.kurator.propagation_policy:
    name: frontend-app
    cluster_scoped: true
    spec: "{{ lookup('file', 'frontend-weighted.yaml') | from_yaml | json_query('spec') }}"
    replicas: 10
  register: frontend
# frontend.plan == {"cluster-hangzhou": 4, "cluster-shanghai": 6}

- name: Short form
  fleetops.kurator.propagation_policy:
    name: api
    namespace: shop
    resources:
      - {apiVersion: apps/v1, kind: Deployment, name: api}
    cluster_labels: {environment: production}
    mode: weighted
    weights: {cluster-shanghai: 3, cluster-hangzhou: 1}
'''

RETURN = r'''
object:
  description: The policy as stored (or as it would be stored in check mode).
  returned: state=present
  type: dict
plan:
  description: Replicas per cluster as Karmada v1.18 will assign them; empty when no replica count is known.
  returned: always
  type: dict
  sample: {"cluster-hangzhou": 4, "cluster-shanghai": 6}
translations:
  description: What was changed from the user's input to produce upstream objects, and why.
  returned: always
  type: list
  elements: str
placement_warnings:
  description:
    - Parts of the request Karmada would ignore, or plan limitations.
    - Each is also shown as an Ansible warning.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._karmada import (
    karmada_clusters, policy_argument_spec, run_policy_module, workload_replicas)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement import (
    INT32_MAX, PlacementError, compute_placement, normalize_clusters)
from ansible_collections.fleetops.kurator.plugins.module_utils._policy import (
    build_propagation_policy, short_form_spec)

SHORT_FORM = ('resources', 'clusters', 'cluster_labels', 'weights')


def compute_plan(applier, placement, selectors, namespace, params, warnings):
    replicas, uid = params['replicas'], params['uid']
    if replicas is None or uid is None:
        try:
            found_replicas, found_uid = workload_replicas(applier, selectors[0], namespace) \
                if selectors else (None, '')
        except Exception as exc:
            found_replicas, found_uid = None, ''
            warnings.append('could not read the resource template for the plan: %s' % exc)
        replicas = found_replicas if replicas is None else replicas
        uid = found_uid if uid is None else uid
    if replicas is None:
        return {}
    clusters = params['member_clusters']
    if clusters is None:
        try:
            clusters = karmada_clusters(applier)
        except Exception as exc:
            names = (placement.get('clusterAffinity') or {}).get('clusterNames')
            clusters = [{'name': n} for n in names or []]
            warnings.append('could not list Karmada clusters (%s); plan uses clusterNames only' % exc)
    try:
        return compute_placement(clusters, placement, replicas, uid=uid or '')
    except PlacementError as exc:
        warnings.append('Karmada could not schedule this placement: %s' % exc)
        return {}


def main():
    argument_spec = policy_argument_spec(
        spec=dict(type='dict'),
        resources=dict(type='list', elements='dict'),
        clusters=dict(type='list', elements='str'),
        cluster_labels=dict(type='dict'),
        mode=dict(type='str', default='duplicated', choices=['duplicated', 'weighted', 'dynamic', 'aggregated']),
        weights=dict(type='dict'),
        replicas=dict(type='int'),
        uid=dict(type='str'),
        member_clusters=dict(type='list', elements='dict', aliases=['topology']),
    )
    module = k8s_module(argument_spec=argument_spec, supports_check_mode=True,
                        mutually_exclusive=[('spec', key) for key in SHORT_FORM])
    params = module.params
    # Plan inputs are checked up front: a bad one is an error, not a warning that no plan could be made.
    if params['replicas'] is not None and not 0 <= params['replicas'] <= INT32_MAX:
        module.fail_json(msg='replicas: got %d; expected an integer from 0 to %d (Kubernetes replicas are an int32)'
                         % (params['replicas'], INT32_MAX))
    if params['member_clusters'] is not None:
        try:
            normalize_clusters(params['member_clusters'], 0)
        except PlacementError as exc:
            module.fail_json(msg='member_clusters: %s' % exc)

    def build(applier, namespace):
        if params['spec'] is not None:
            spec = params['spec']
        else:
            if not params['resources']:
                module.fail_json(msg='one of spec or resources is required')
            spec = short_form_spec(params['resources'], params['clusters'], params['cluster_labels'],
                                   params['mode'], params['weights'])
        obj, translations, warnings = build_propagation_policy(params['name'], namespace, spec,
                                                               cluster_scoped=params['cluster_scoped'])
        plan = compute_plan(applier, obj['spec']['placement'], obj['spec']['resourceSelectors'],
                            params['namespace'], params, warnings)
        return obj, plan, translations, warnings

    run_policy_module(module, 'PropagationPolicy', build)


if __name__ == '__main__':
    main()
