#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: kurator_fleet
short_description: A Kurator Fleet of AttachedClusters (with their kubeconfig Secrets), in step with a cluster list
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Applies to the host cluster, in one call with server-side apply, one Kurator
    C(cluster.kurator.dev/v1alpha1) C(AttachedCluster) per entry of O(clusters), the C(Secret) holding
    that cluster's kubeconfig (key C(value), upstream's default), and a C(fleet.kurator.dev/v1alpha1)
    C(Fleet) listing the AttachedClusters, with O(plugin) as its C(spec.plugin).
  - Every object is checked against Kurator's CRD schemas (from O(crds), else as installed in the
    cluster) before anything is sent; a problem is reported with its field path (for example
    C(spec.plugin.metric.thanos.objectStoreConfig)) and nothing is applied. The API server is asked
    for strict field validation too, so it rejects an unknown field rather than dropping it.
  - Each Secret holds one context of the cluster's kubeconfig with certificates and token inline and
    the server replaced by the cluster's O(clusters[].api_endpoint) when given (fleet-manager runs in
    the host cluster). Its content never appears in results or diffs (keys only).
  - Every object carries C(fleetops.kurator/owner=Fleet.<namespace>.<name>); with O(prune), an
    AttachedCluster and Secret of a cluster no longer listed are deleted, nothing else.
  - Kurator's fleet-manager is not needed to apply these objects; it reconciles them when it runs.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.k8s
  - fleetops.kurator.karmada_policy.force_conflicts
  - fleetops.kurator.kurator
options:
  name:
    description: Name of the Fleet.
    type: str
    required: true
  namespace:
    description: Namespace of the Fleet, its AttachedClusters and Secrets (it must exist).
    type: str
    default: default
  clusters:
    description: The member clusters of the fleet.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Cluster name (the AttachedCluster's name; the Secret is C(<name>-kubeconfig)).
        type: str
        required: true
      kubeconfig:
        description:
          - The cluster's kubeconfig - a path on the controller, or its content (text or a mapping). Never logged.
          - Required with O(state=present).
        type: raw
      context:
        description: The kubeconfig context to take (default its current-context).
        type: str
      api_endpoint:
        description: API server URL to write into the Secret's kubeconfig instead of the kubeconfig's own.
        type: str
      labels:
        description: Labels of the AttachedCluster (Application cluster selectors match them).
        type: dict
        default: {}
  plugin:
    description: C(Fleet.spec.plugin) as Kurator spells it (C(metric), C(backup), C(grafana), C(policy), ...).
    type: dict
  state:
    description: Whether the Fleet, its AttachedClusters and Secrets should exist.
    type: str
    choices: [present, absent]
    default: present
  prune:
    description: With O(state=present), delete the AttachedClusters and Secrets of clusters no longer listed.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: The fleet of two clusters of the topology (the kurator role builds this list for every member)
  fleetops.kurator.kurator_fleet:
    name: fleetops
    namespace: kurator-fleet
    clusters:
      - name: cluster-beijing
        kubeconfig: "{{ hostvars['cluster-beijing'].fleetops_kubeconfig | fleetops.kurator.kubeconfig }}"
        api_endpoint: "{{ hostvars['cluster-beijing'].fleetops_cluster.api_endpoint | default(omit) }}"
        labels: "{{ hostvars['cluster-beijing'].fleetops_labels }}"
      - name: cluster-shanghai
        kubeconfig: "{{ hostvars['cluster-shanghai'].fleetops_kubeconfig | fleetops.kurator.kubeconfig }}"
        labels: "{{ hostvars['cluster-shanghai'].fleetops_labels }}"
    crds: /path/to/kurator/crds

- name: One cluster, its kubeconfig file on the controller
  fleetops.kurator.kurator_fleet:
    name: edge
    clusters:
      - name: cluster-shanghai
        kubeconfig: kubeconfigs/cluster-shanghai.kubeconfig
        api_endpoint: https://10.1.0.10:6443
        labels: {region: east-china}
'''

RETURN = r'''
objects:
  description: References (apiVersion, kind, name, namespace, changed) of the objects applied.
  returned: state=present
  type: list
  elements: dict
deleted:
  description: References of the objects deleted (pruned, or all of them with O(state=absent)).
  returned: always
  type: list
  elements: dict
owner:
  description: Value of the C(fleetops.kurator/owner) label on every object.
  returned: always
  type: str
errors:
  description: Every problem found (field path, value, expectation) when the objects are rejected.
  returned: failure
  type: list
  elements: str
'''

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._kurator import (
    FLEET_OWNED, KuratorError, converge, fleet_objects, kurator_argument_spec, member_kubeconfig, owner_labels)
from ansible_collections.fleetops.kurator.plugins.module_utils._policy import OWNER_LABEL


def main():
    argument_spec = kurator_argument_spec(
        name=dict(type='str', required=True),
        clusters=dict(type='list', elements='dict', default=[], options=dict(
            name=dict(type='str', required=True),
            kubeconfig=dict(type='raw', no_log=True),
            context=dict(type='str'),
            api_endpoint=dict(type='str'),
            labels=dict(type='dict', default={}),
        )),
        plugin=dict(type='dict'),
        prune=dict(type='bool', default=True),
    )
    module = k8s_module(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    owner = owner_labels('Fleet', params['namespace'], params['name'])[OWNER_LABEL]
    objects = []
    if params['state'] == 'present':
        try:
            clusters, errors = [], []
            for index, cluster in enumerate(params['clusters']):
                where = 'clusters[%d].kubeconfig' % index
                if not cluster.get('kubeconfig'):
                    errors.append('%s: got nothing; expected the kubeconfig of cluster %s' % (where, cluster['name']))
                    continue
                try:
                    text = member_kubeconfig(cluster['kubeconfig'], cluster.get('context'),
                                             cluster.get('api_endpoint'), where)
                except KuratorError as exc:
                    errors.extend(exc.errors)
                    continue
                clusters.append(dict(cluster, kubeconfig=text))
            if errors:
                raise KuratorError(errors)
            objects = fleet_objects(params['name'], params['namespace'], clusters, params['plugin'])
        except KuratorError as exc:
            module.fail_json(msg='invalid fleet %s: %s' % (params['name'], exc), errors=exc.errors)
    converge(module, objects, ['Fleet', 'AttachedCluster'], FLEET_OWNED, params['namespace'], owner,
             prune=params['prune'])


if __name__ == '__main__':
    main()
