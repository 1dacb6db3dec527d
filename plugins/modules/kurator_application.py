#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: kurator_application
short_description: A Kurator Application (git, helm or OCI source; sync policies; fleet or label destination)
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Applies an C(apps.kurator.dev/v1alpha1) C(Application) with server-side apply - C(spec.source)
    from O(source), C(spec.syncPolicies) from O(sync_policies), and C(spec.destination) from O(fleet)
    and O(cluster_selector) (C(clusterSelector.matchLabels), matched against the fleet's
    AttachedCluster labels). Without O(fleet) Kurator deploys it to the host cluster.
  - O(source) and O(sync_policies) are Kurator's own fields (for example
    C(gitRepository{url, interval, ref}), C(kustomization{path, interval, prune}) or
    C(helm{chart, interval, values})), per policy optionally with its own C(destination).
  - The Application is checked against Kurator's CRD schema (from O(crds), else as installed in the
    cluster) before it is sent; every problem is reported with its field path (for example
    C(spec.syncPolicies[0].kustomization.prune)) and nothing is applied. The API server is asked for
    strict field validation too.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.k8s
  - fleetops.kurator.karmada_policy.force_conflicts
  - fleetops.kurator.kurator
options:
  name:
    description: Name of the Application.
    type: str
    required: true
  namespace:
    description: Namespace of the Application (the fleet's namespace, when it targets a fleet).
    type: str
    default: default
  source:
    description: C(spec.source) - exactly one of C(gitRepository), C(helmRepository), C(ociRepository). Required with O(state=present).
    type: dict
  sync_policies:
    description: C(spec.syncPolicies) - each with C(kustomization) or C(helm), and optionally C(name), C(destination), C(rollout).
    type: list
    elements: dict
  fleet:
    description: The Fleet the Application targets (C(spec.destination.fleet)).
    type: str
  cluster_selector:
    description: Labels that select the fleet's clusters (C(spec.destination.clusterSelector.matchLabels)).
    type: dict
  labels:
    description: Labels of the Application object.
    type: dict
    default: {}
  state:
    description: Whether the Application should exist.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The podinfo kustomization into the production clusters of the fleet
  fleetops.kurator.kurator_application:
    name: podinfo
    namespace: kurator-fleet
    fleet: fleetops
    cluster_selector: {environment: production}
    source:
      gitRepository:
        url: https://github.com/stefanprodan/podinfo
        interval: 3m0s
        ref: {branch: master}
    sync_policies:
      - kustomization:
          path: ./deploy/webapp
          interval: 5m0s
          prune: true
          timeout: 2m0s
'''

RETURN = r'''
objects:
  description: Reference (apiVersion, kind, name, namespace, changed) of the Application applied.
  returned: state=present
  type: list
  elements: dict
deleted:
  description: References of the objects deleted (O(state=absent)).
  returned: always
  type: list
  elements: dict
owner:
  description: Value of the C(fleetops.kurator/owner) label on the Application.
  returned: always
  type: str
errors:
  description: Every problem found (field path, value, expectation) when the Application is rejected.
  returned: failure
  type: list
  elements: str
'''

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._kurator import (
    API_VERSIONS, KuratorError, application_object, converge, kurator_argument_spec, owner_labels)
from ansible_collections.fleetops.kurator.plugins.module_utils._policy import OWNER_LABEL


def main():
    argument_spec = kurator_argument_spec(
        name=dict(type='str', required=True),
        source=dict(type='dict'),
        sync_policies=dict(type='list', elements='dict'),
        fleet=dict(type='str'),
        cluster_selector=dict(type='dict'),
        labels=dict(type='dict', default={}),
    )
    module = k8s_module(argument_spec=argument_spec, supports_check_mode=True,
                        required_if=[('state', 'present', ('source', 'sync_policies'))])
    params = module.params
    owner = owner_labels('Application', params['namespace'], params['name'])[OWNER_LABEL]
    objects = []
    if params['state'] == 'present':
        try:
            objects = [application_object(params['name'], params['namespace'], params['source'],
                                          params['sync_policies'], params['fleet'], params['cluster_selector'],
                                          params['labels'])]
        except KuratorError as exc:
            module.fail_json(msg='invalid Application %s: %s' % (params['name'], exc), errors=exc.errors)
    converge(module, objects, ['Application'], [(API_VERSIONS['Application'], 'Application')],
             params['namespace'], owner, prune=False)


if __name__ == '__main__':
    main()
