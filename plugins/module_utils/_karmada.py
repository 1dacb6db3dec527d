# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada on top of the generic apply layer (``_k8s``).

What the policy modules share: the Karmada clusters as placement input, the replicas of
the resource template a policy selects, and the runner that converges one policy object
(``PropagationPolicy``/``OverridePolicy`` or their ``Cluster`` variants). ``_k8s`` imports
nothing from here, so the apply layer stays free of the domain.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier, CoreException, k8s_argument_spec
from ansible_collections.fleetops.kurator.plugins.module_utils._policy import API_VERSION, PolicyError

CLUSTER_API_VERSION = 'cluster.karmada.io/v1alpha1'


def karmada_clusters(applier):
    """Member clusters as placement input, read from cluster.karmada.io/v1alpha1 Cluster objects."""
    clusters = []
    for item in applier.list(CLUSTER_API_VERSION, 'Cluster'):
        meta, spec = item.get('metadata') or {}, item.get('spec') or {}
        clusters.append({'name': meta.get('name'), 'labels': meta.get('labels') or {},
                         'provider': spec.get('provider'), 'region': spec.get('region'),
                         'zones': spec.get('zones') or ([spec['zone']] if spec.get('zone') else [])})
    return clusters


def workload_replicas(applier, selector, namespace):
    """(replicas, uid) of the resource template a named selector points at, or (None, '')."""
    if not selector.get('name'):
        return None, ''
    obj = {'apiVersion': selector['apiVersion'], 'kind': selector['kind'],
           'metadata': {'name': selector['name'], 'namespace': selector.get('namespace') or namespace}}
    found = applier.get(obj)
    if not found:
        return None, ''
    return (found.get('spec') or {}).get('replicas'), (found.get('metadata') or {}).get('uid', '')


# --- modules that manage one Karmada policy ------------------------------------------


def policy_argument_spec(**extra):
    """The options every single-policy module has (doc fragment fleetops.kurator.karmada_policy)."""
    return k8s_argument_spec(
        name=dict(type='str', required=True),
        namespace=dict(type='str', default='default'),
        cluster_scoped=dict(type='bool', default=False),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        force_conflicts=dict(type='bool', default=False),
        **extra)


def run_policy_module(module, kind, build):
    """Converge one policy of ``kind`` (``Cluster<kind>`` with cluster_scoped) and exit.

    ``build(applier, namespace)`` returns (object, plan, translations, warnings) and raises
    PolicyError on invalid input; state=absent deletes the policy without calling it.
    """
    params = module.params
    namespace = None if params['cluster_scoped'] else params['namespace']
    kind = 'Cluster' + kind if params['cluster_scoped'] else kind
    applier = Applier(module, force_conflicts=params['force_conflicts'])
    try:
        if params['state'] == 'absent':
            obj = {'apiVersion': API_VERSION, 'kind': kind, 'metadata': {'name': params['name'], 'namespace': namespace}}
            existing = applier.get(obj)
            if existing:  # the client sends dryRun=All in check mode
                applier.delete(API_VERSION, kind, params['name'], namespace)
            module.exit_json(changed=bool(existing), plan={}, translations=[], placement_warnings=[],
                             diff={'before': existing or {}, 'after': {}})
        obj, plan, translations, warnings = build(applier, namespace)
        changed, results, diff = applier.apply([obj])
    except PolicyError as exc:
        module.fail_json(msg='invalid %s: %s' % (kind, exc), errors=exc.errors)
    except CoreException as exc:
        module.fail_json(msg=str(exc))
    for warning in warnings:
        module.warn(warning)
    result = dict(changed=changed, object=results[0]['result'], plan=plan, translations=translations,
                  placement_warnings=warnings)
    if module._diff:
        result['diff'] = {'before': diff['before'][0] if diff['before'] else {},
                          'after': diff['after'][0] if diff['after'] else {}}
    module.exit_json(**result)
