#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: volcano_job
short_description: A Volcano Job (batch.volcano.sh/v1alpha1), checked before it is applied, to one cluster or through Karmada
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Applies a Volcano C(batch.volcano.sh/v1alpha1) Job with server-side apply, after checking it. Every
    problem is reported at once, with its field path, before anything is sent.
  - "Checks of the Job itself: C(spec.minAvailable) larger than the sum of the task replicas, a task without a
    name, duplicate or invalid task names, a task C(minAvailable) larger than its replicas, negative replicas,
    invalid resource quantities."
  - "Checks against the cluster (O(check_cluster)): the queue (C(spec.queue), C(default) when unset) exists and is
    Open; a GPU request (an extended resource C(<vendor>/gpu) such as C(nvidia.com/gpu)) has a node offering it;
    a task's C(nodeSelector) matches a schedulable node."
  - O(images) replaces the images of a task's containers (for example where the user's image is not reachable).
  - Volcano's admission defaults (queue, schedulerName, maxRetry, minAvailable of each task and of the job) are
    written out in the object sent, so the stored Job equals the one sent and a re-run reports no change; the
    module lists them in RV(translations).
  - With O(propagate), the connection is the Karmada API server. The module reads the member clusters
    (C(cluster.karmada.io/v1alpha1) Cluster), keeps those that serve the Volcano Job API and have the resources of
    the whole gang free (C(status.resourceSummary) - allocatable minus allocated minus allocating, what Karmada's
    general estimator reads), and applies a PropagationPolicy that places the Job on exactly one of them, with the
    Job as its resource template. The placement is decided when the policy is first created; a re-run keeps it (a
    changed placement would make Karmada move a running gang).
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.k8s
options:
  definition:
    description: The Job, as upstream writes it (for example the user's C(04-volcano-tf-job.yaml)). Required with O(state=present).
    type: dict
  name:
    description: The Job name (O(state=absent) without O(definition); overrides C(metadata.name) otherwise).
    type: str
  namespace:
    description: Namespace of the Job when its C(metadata.namespace) is not set.
    type: str
    default: default
  images:
    description:
      - Task name to the image of all that task's containers; the key C(*) applies to every task not named.
    type: dict
    default: {}
  scheduler_name:
    description: C(spec.schedulerName) when the Job does not set one (vc-scheduler's C(--scheduler-name)).
    type: str
    default: volcano
  cluster:
    description: The cluster's name in messages (for example the inventory host of the cluster).
    type: str
    default: the cluster
  check_cluster:
    description:
      - Read the cluster's Queues and Nodes and check the Job against them.
      - Ignored with O(propagate) (the connection is then the Karmada API server, which has no nodes).
    type: bool
    default: true
  propagate:
    description:
      - Submit the Job through Karmada to one member cluster that has the gang's resources free.
    type: dict
    suboptions:
      clusters:
        description: Candidate member clusters; every member cluster when empty.
        type: list
        elements: str
        default: []
      policy_name:
        description: Name of the PropagationPolicy (namespace of the Job); the Job name when unset.
        type: str
  state:
    description: C(present) applies the Job (and with O(propagate) its policy); C(absent) deletes them.
    type: str
    choices: [present, absent]
    default: present
  force_conflicts:
    description: Take over fields another field manager owns.
    type: bool
    default: false
notes:
  - Volcano's own admission still runs; this module rejects the same mistakes earlier, with field paths, and the
    ones Volcano accepts silently (a task without a name, a GPU request no node can satisfy).
  - The free capacity a Karmada member reports is summed over its nodes; a gang that fits in the sum can still
    not fit on the nodes one by one. The member's vc-scheduler then keeps the whole gang pending (none started).
seealso:
  - module: fleetops.kurator.propagation_policy
'''

EXAMPLES = r'''
- name: The user's TensorFlow job, with a reachable image
  fleetops.kurator.volcano_job:
    definition: "{{ lookup('ansible.builtin.file', '04-volcano-tf-job.yaml') | from_yaml }}"
    namespace: ml
    images: {'*': registry.example.com/tensorflow/tensorflow:2.8.0}

- name: Through Karmada, to the member with free GPU capacity
  fleetops.kurator.volcano_job:
    kubeconfig: "{{ fleetops_karmada_kubeconfig_path }}"
    definition: "{{ lookup('ansible.builtin.file', '04-volcano-tf-job.yaml') | from_yaml }}"
    namespace: ml
    propagate:
      clusters: "{{ groups['batch_clusters'] }}"
  register: tf
# tf.placement.cluster == "cluster-beijing"
'''

RETURN = r'''
job:
  description: The Job as stored (or as it would be stored in check mode).
  returned: state=present
  type: dict
translations:
  description: What was changed from the user's Job before it was sent, and why.
  returned: state=present
  type: list
  elements: str
placement:
  description:
    - With O(propagate) - C(cluster) (where the Job goes), C(kept) (true when an existing policy's placement was
      kept), C(need) (the gang's resources), and C(clusters) (per candidate - C(name), C(fits), C(free), C(short),
      C(free_gpu), C(reason)).
  returned: with propagate
  type: dict
'''

import copy

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import (
    Applier, CoreException, k8s_argument_spec, k8s_module)
from ansible_collections.fleetops.kurator.plugins.module_utils._volcano import (
    API_VERSION, QUEUE_API_VERSION, JobError, check_against_cluster, check_job, complete_job, karmada_fit)

POLICY_API = 'policy.karmada.io/v1alpha1'
CLUSTER_API = 'cluster.karmada.io/v1alpha1'
JOB_GROUP_VERSION = API_VERSION


def serves_jobs(cluster):
    for entry in (cluster.get('status') or {}).get('apiEnablements') or []:
        if entry.get('groupVersion') == JOB_GROUP_VERSION and any(
                r.get('kind') == 'Job' for r in entry.get('resources') or []):
            return True
    return False


def choose(job, clusters, candidates):
    """(cluster name or None, report) - the best member that serves the Job API and fits the gang."""
    by_name = dict(((c.get('metadata') or {}).get('name'), c) for c in clusters)
    unknown = [n for n in candidates if n not in by_name]
    if unknown:
        raise JobError('propagate.clusters: %s %s not a Karmada member cluster (members: %s)'
                       % (', '.join(unknown), 'is' if len(unknown) == 1 else 'are', ', '.join(sorted(by_name))))
    pool = [by_name[n] for n in candidates] if candidates else list(by_name.values())
    fits, need = karmada_fit(job, pool)
    for entry in fits:
        cluster = by_name[entry['name']]
        if not serves_jobs(cluster):
            entry['fits'] = False
            entry['reason'] = 'Volcano is not installed there (%s Job is not served)' % JOB_GROUP_VERSION
        elif entry['short']:
            entry['reason'] = 'not enough free for the whole gang: short of %s' % ', '.join(
                '%s %s' % (v, k) for k, v in sorted(entry['short'].items()))
        else:
            entry['reason'] = 'the whole gang fits'
    fits.sort(key=lambda c: not c['fits'])
    chosen = fits[0]['name'] if fits and fits[0]['fits'] else None
    return chosen, {'need': need, 'clusters': fits}


def policy_for(job, name, cluster):
    meta = job['metadata']
    return {
        'apiVersion': POLICY_API, 'kind': 'PropagationPolicy',
        'metadata': {'name': name, 'namespace': meta['namespace'],
                     'labels': {'app.kubernetes.io/managed-by': 'fleetops-kurator'}},
        'spec': {
            'resourceSelectors': [{'apiVersion': API_VERSION, 'kind': 'Job', 'name': meta['name'],
                                   'namespace': meta['namespace']}],
            'placement': {
                'clusterAffinity': {'clusterNames': [cluster]},
                # One member runs the whole gang: a Volcano Job is not divided between clusters.
                'spreadConstraints': [{'spreadByField': 'cluster', 'minGroups': 1, 'maxGroups': 1}],
            },
        },
    }


def main():
    argument_spec = k8s_argument_spec(
        definition=dict(type='dict'),
        name=dict(type='str'),
        namespace=dict(type='str', default='default'),
        images=dict(type='dict', default={}),
        scheduler_name=dict(type='str', default='volcano'),
        cluster=dict(type='str', default='the cluster'),
        check_cluster=dict(type='bool', default=True),
        propagate=dict(type='dict', options=dict(
            clusters=dict(type='list', elements='str', default=[]),
            policy_name=dict(type='str'),
        )),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        force_conflicts=dict(type='bool', default=False),
    )
    module = k8s_module(argument_spec=argument_spec, supports_check_mode=True,
                        required_if=[('state', 'present', ('definition',))],
                        required_one_of=[('definition', 'name')])
    params = module.params
    applier = Applier(module, force_conflicts=params['force_conflicts'])
    propagate = params['propagate']
    definition = copy.deepcopy(params['definition']) if params['definition'] else None
    if definition is not None and params['name']:
        definition.setdefault('metadata', {})['name'] = params['name']
    try:
        if params['state'] == 'absent':
            meta = (definition or {}).get('metadata') or {}
            name = meta.get('name') or params['name']
            namespace = meta.get('namespace') or params['namespace']
            targets = [(API_VERSION, 'Job', name)]
            if propagate is not None:
                targets.append((POLICY_API, 'PropagationPolicy', propagate.get('policy_name') or name))
            before, deleted = [], []
            for api_version, kind, obj_name in targets:
                found = applier.get({'apiVersion': api_version, 'kind': kind,
                                     'metadata': {'name': obj_name, 'namespace': namespace}})
                if found:
                    applier.delete(api_version, kind, obj_name, namespace)
                    deleted.append({'apiVersion': api_version, 'kind': kind, 'name': obj_name, 'namespace': namespace})
                    before.append(found)
            result = dict(changed=bool(deleted), deleted=deleted)
            if module._diff:
                result['diff'] = {'before': before, 'after': [{} for dummy in before]}
            module.exit_json(**result)

        errors = check_job(definition)
        if errors:
            raise JobError(errors)
        job, translations = complete_job(definition, params['namespace'], params['images'], params['scheduler_name'])
        cluster_name = params['cluster']
        objects, placement = [], None
        if propagate is not None:
            policy_name = propagate.get('policy_name') or job['metadata']['name']
            existing = applier.get({'apiVersion': POLICY_API, 'kind': 'PropagationPolicy',
                                    'metadata': {'name': policy_name, 'namespace': job['metadata']['namespace']}})
            kept = ((((existing or {}).get('spec') or {}).get('placement') or {}).get('clusterAffinity') or {}).get(
                'clusterNames') or []
            chosen, placement = choose(job, applier.list(CLUSTER_API, 'Cluster'), propagate['clusters'])
            placement['kept'] = bool(kept)
            if kept:
                chosen = kept[0]
            if chosen is None:
                raise JobError('no member cluster can run the whole gang of Job %s now (it needs %s): %s' % (
                    job['metadata']['name'], ', '.join('%s %s' % (v, k) for k, v in placement['need'].items()),
                    '; '.join('%s: %s' % (c['name'], c['reason']) for c in placement['clusters']) or 'no members'))
            placement['cluster'] = chosen
            objects.append(policy_for(job, policy_name, chosen))
        elif params['check_cluster']:
            try:
                queues = applier.list(QUEUE_API_VERSION, 'Queue')
            except CoreException:  # the Queue API is not served: Volcano is not installed there
                queues = None
            nodes = applier.list('v1', 'Node')
            errors = check_against_cluster(job, cluster_name, queues, nodes)
            if errors:
                raise JobError(errors)
        # The policy first: Karmada then schedules the Job the moment it is created.
        objects.append(job)
        changed, results, diff = applier.apply(objects)
    except JobError as exc:
        module.fail_json(msg='Volcano Job not applied: %s' % exc, errors=exc.errors)
    except CoreException as exc:
        module.fail_json(msg=str(exc))
    result = dict(changed=changed, job=results[-1]['result'], translations=translations)
    if placement is not None:
        result['placement'] = placement
        result['policy'] = results[0]['result']
    if module._diff:
        result['diff'] = diff
    module.exit_json(**result)


if __name__ == '__main__':
    main()
