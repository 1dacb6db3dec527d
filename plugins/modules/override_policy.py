#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: override_policy
short_description: Karmada OverridePolicy or ClusterOverridePolicy, validated before it is sent
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Creates, updates or removes a C(policy.karmada.io/v1alpha1) OverridePolicy (namespaced) or
    ClusterOverridePolicy (O(cluster_scoped=true)) with server-side apply.
  - Rejects what karmada-webhook's ValidateOverrideSpec rejects (targetCluster with overrideRules,
    JSON pointers, fieldOverrider json/yaml rules, label and annotation values, field selectors,
    selector namespaces), naming the field path.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.k8s
  - fleetops.kurator.karmada_policy
  - fleetops.kurator.karmada_policy.force_conflicts
options:
  spec:
    description: The policy C(spec) in upstream shape (C(resourceSelectors), C(overrideRules)).
    type: dict
'''

EXAMPLES = r'''
- name: Pull images from the site mirror in the edge clusters
  fleetops.kurator.override_policy:
    name: nginx-mirror
    namespace: default
    spec:
      resourceSelectors:
        - {apiVersion: apps/v1, kind: Deployment, name: nginx}
      overrideRules:
        - targetCluster:
            labelSelector: {matchLabels: {site: edge}}
          overriders:
            imageOverrider:
              - {component: Registry, operator: replace, value: mirror.plant.local}
'''

RETURN = r'''
object:
  description: The policy as stored (or as it would be stored in check mode).
  returned: state=present
  type: dict
plan:
  description: Always empty; override policies do not place replicas. Present for a uniform interface.
  returned: always
  type: dict
translations:
  description: What was changed from the input (the webhook's namespace defaulting).
  returned: always
  type: list
  elements: str
placement_warnings:
  description: Always empty for override policies.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._karmada import policy_argument_spec, run_policy_module
from ansible_collections.fleetops.kurator.plugins.module_utils._policy import build_override_policy


def main():
    module = k8s_module(argument_spec=policy_argument_spec(spec=dict(type='dict')), supports_check_mode=True,
                        required_if=[('state', 'present', ['spec'])])
    params = module.params

    def build(applier, namespace):
        obj = build_override_policy(params['name'], namespace, params['spec'], cluster_scoped=params['cluster_scoped'])
        translations = []
        # build_override_policy checked the spec's shape: resourceSelectors is a list of mappings.
        if not params['cluster_scoped'] and any(not s.get('namespace')
                                                for s in params['spec'].get('resourceSelectors') or []):
            translations.append('resourceSelectors without a namespace were given namespace %s, as the Karmada '
                                'webhook does.' % namespace)
        return obj, {}, translations, []

    run_policy_module(module, 'OverridePolicy', build)


if __name__ == '__main__':
    main()
