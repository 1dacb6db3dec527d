#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: federated_deployment
short_description: Turn a FederatedDeployment document into a Deployment and Karmada policies
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - C(FederatedDeployment) is not an upstream API (it comes from the retired KubeFed; Kurator has no such
    CRD). This module accepts that document and applies real objects to the Karmada API server instead
    - the Deployment, a PropagationPolicy that puts exactly the listed replicas in each listed cluster,
    and the Service, Ingress (and ConfigMap, Secret, HorizontalPodAutoscaler) documents given next to it,
    propagated to the same clusters.
  - The exact split works because the policy uses static weights equal to the listed replicas and the
    Deployment's replicas equal their sum, for which Karmada's Webster division returns exactly the
    listed numbers whatever the tie-break.
  - Every object carries the label C(fleetops.kurator/owner=FederatedDeployment.<namespace>.<name>);
    O(state=absent) deletes exactly the objects carrying it.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.k8s
  - fleetops.kurator.karmada_policy.force_conflicts
options:
  definition:
    description:
      - The FederatedDeployment document, or a list of documents (the FederatedDeployment plus Service,
        Ingress, ConfigMap, Secret or HorizontalPodAutoscaler documents), for example from
        C(lookup('file', ...) | from_yaml_all).
    type: raw
  name:
    description: Name of the FederatedDeployment; required with O(state=absent) when O(definition) is not given.
    type: str
  namespace:
    description: Namespace for the objects when the documents do not set one.
    type: str
    default: default
  state:
    description: Whether the translated objects should exist.
    type: str
    choices: [present, absent]
    default: present
  prune:
    description: With O(state=present), delete objects with this owner label that are no longer generated.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: The user's example 07
  fleetops.kurator.federated_deployment:
    definition: "{{ lookup('ansible.builtin.file', 'federated-deployment.yaml') | ansible.builtin.from_yaml_all | list }}"
    namespace: default
  register: fed
# fed.plan == {"cluster-beijing": 2, "cluster-shanghai": 1}

- name: Remove everything it created
  fleetops.kurator.federated_deployment:
    name: frontend-app
    namespace: default
    state: absent
'''

RETURN = r'''
plan:
  description: Replicas per cluster for the Deployment (Karmada's result for the generated policy).
  returned: always
  type: dict
  sample: {"cluster-beijing": 2, "cluster-shanghai": 1}
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
translations:
  description: What was translated from the FederatedDeployment into upstream objects, and why.
  returned: always
  type: list
  elements: str
placement_warnings:
  description: Parts of the request Karmada would ignore.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import (
    Applier, CoreException, k8s_argument_spec, k8s_module, result_refs)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement import PlacementError, compute_placement
from ansible_collections.fleetops.kurator.plugins.module_utils._policy import (
    OWNER_LABEL, PolicyError, federated_deployment, federated_identity, owner_value)

OWNED_KINDS = [('apps/v1', 'Deployment'), ('v1', 'Service'), ('networking.k8s.io/v1', 'Ingress'),
               ('v1', 'ConfigMap'), ('v1', 'Secret'), ('autoscaling/v2', 'HorizontalPodAutoscaler'),
               ('policy.karmada.io/v1alpha1', 'PropagationPolicy')]


def main():
    argument_spec = k8s_argument_spec(
        definition=dict(type='raw'),
        name=dict(type='str'),
        namespace=dict(type='str', default='default'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        prune=dict(type='bool', default=True),
        force_conflicts=dict(type='bool', default=False),
    )
    module = k8s_module(argument_spec=argument_spec, supports_check_mode=True,
                        required_one_of=[('definition', 'name')])
    params = module.params
    docs = params['definition']
    applier = Applier(module, force_conflicts=params['force_conflicts'])
    try:
        if params['state'] == 'absent':
            namespace, name = params['namespace'], params['name']
            if docs:
                name, namespace = federated_identity(docs, namespace)
            owner = owner_value('FederatedDeployment', namespace, name)
            changed, deleted, diff = applier.delete_by_labels(OWNED_KINDS, namespace,
                                                              '%s=%s' % (OWNER_LABEL, owner))
            result = dict(changed=changed, deleted=deleted, owner=owner, plan={}, translations=[],
                          placement_warnings=[])
            if module._diff:
                result['diff'] = diff
            module.exit_json(**result)
        out = federated_deployment(docs, params['namespace'])
        deploy = out['objects'][0]
        namespace = deploy['metadata']['namespace']
        # The plan is Karmada's own computation on the generated policy (equal to the listing).
        plan = compute_placement([{'name': n} for n in out['placement']['clusterAffinity']['clusterNames']],
                                 out['placement'], out['replicas']) if out['plan'] else {}
        changed, results, diff = applier.apply(out['objects'])
        deleted = []
        if params['prune']:
            wanted = [(o['kind'], o['metadata']['name']) for o in out['objects']]
            deleted, dummy = applier.prune(OWNED_KINDS, namespace, '%s=%s' % (OWNER_LABEL, out['owner']), keep=wanted)
    except PolicyError as exc:
        module.fail_json(msg='invalid FederatedDeployment: %s' % exc, errors=exc.errors)
    except PlacementError as exc:
        module.fail_json(msg='FederatedDeployment cannot be placed: %s' % exc)
    except CoreException as exc:
        module.fail_json(msg=str(exc))
    result = dict(changed=changed or bool(deleted), plan=plan, owner=out['owner'], deleted=deleted,
                  objects=result_refs(results),
                  translations=out['translations'], placement_warnings=[])
    if module._diff:
        result['diff'] = diff
    module.exit_json(**result)


if __name__ == '__main__':
    main()
