#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: kurator_backup
short_description: A Kurator Backup, Restore or Migrate of a fleet, from a backup intent
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Applies a C(backup.kurator.dev/v1alpha1) C(Backup) (O(kind=Backup)), C(Restore) or C(Migrate) with
    server-side apply, for the clusters of a Kurator Fleet (all of them, or O(clusters)).
  - A Backup comes from a backup intent - O(schedule), retention (O(ttl), or O(keep_last), which becomes
    the TTL that keeps that many backups of the schedule, since Velero and Kurator expire backups by
    age), what to back up (O(namespaces), O(resources), O(label_selector), ...) - or from the user's
    C(BackupPolicy) document (O(definition); not an upstream kind), translated field by field and listed
    in RV(translations).
  - Storage is not per backup in Kurator - it is the Fleet's backup plugin (C(Fleet.spec.plugin.backup),
    which the M(fleetops.kurator.kurator_fleet) role fills from the topology's C(settings.s3)); a storage
    location in O(definition) is compared with the fleet's and a difference is reported as a warning.
  - The object is checked against Kurator's CRD schema (from O(crds), else as installed) before it is
    sent, every problem with its field path; the API server is asked for strict field validation too.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.k8s
  - fleetops.kurator.karmada_policy.force_conflicts
  - fleetops.kurator.kurator
options:
  kind:
    description: Which Kurator object.
    type: str
    choices: [Backup, Restore, Migrate]
    default: Backup
  name:
    description: Name of the object (default for a Backup - the name in O(definition)).
    type: str
  namespace:
    description: Namespace of the object (the fleet's namespace).
    type: str
    default: default
  fleet:
    description: The Fleet whose clusters are backed up, restored or migrated. Required with O(state=present).
    type: str
  clusters:
    description:
      - Clusters of the fleet (AttachedCluster names) to back up or restore into; all of the fleet's when empty.
      - With O(kind=Migrate), the target clusters.
    type: list
    elements: str
    default: []
  definition:
    description: The user's C(BackupPolicy) document (C(spec.schedule), C(retentionPolicy.keepLast), C(backupContent.namespaces), C(storageLocation)).
    type: dict
  schedule:
    description: Cron schedule of a Backup (Velero's syntax, for example C(0 2 * * *) or C(@every 6h)); empty - a one-off backup.
    type: str
  ttl:
    description: How long a backup is kept (a duration such as C(720h0m0s)).
    type: str
  keep_last:
    description: Keep the last N backups of O(schedule) - emitted as the TTL N times the schedule's interval.
    type: int
  namespaces:
    description: Namespaces to include (C(resourceFilter.includedNamespaces)).
    type: list
    elements: str
  excluded_namespaces:
    description: Namespaces to leave out.
    type: list
    elements: str
  resources:
    description: Resources to include (for example C(deployments), C(configmaps)).
    type: list
    elements: str
  excluded_resources:
    description: Resources to leave out.
    type: list
    elements: str
  label_selector:
    description: Only objects matching this label selector (C(matchLabels), C(matchExpressions)).
    type: dict
  include_cluster_resources:
    description: Include cluster-scoped resources.
    type: bool
  backup_name:
    description: With O(kind=Restore), the Kurator Backup to restore from.
    type: str
  source_cluster:
    description: With O(kind=Migrate), the cluster to migrate from.
    type: str
  namespace_mapping:
    description: With O(kind=Restore) or O(kind=Migrate), namespace renames (C(old) to C(new)).
    type: dict
  preserve_node_ports:
    description: With O(kind=Restore) or O(kind=Migrate), keep the Services' node ports.
    type: bool
  labels:
    description: Labels of the object.
    type: dict
    default: {}
  state:
    description: Whether the object should exist.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The user's example 06 (BackupPolicy) as a Kurator Backup of the fleet
  fleetops.kurator.kurator_backup:
    definition: "{{ lookup('ansible.builtin.file', '06-backup-policy.yaml') | ansible.builtin.from_yaml }}"
    namespace: kurator-fleet
    fleet: fleetops
  register: backup
# backup.translations: keepLast 7 -> ttl 168h0m0s, ...

- name: Restore the production namespace into cluster-shanghai
  fleetops.kurator.kurator_backup:
    kind: Restore
    name: production-restore
    namespace: kurator-fleet
    fleet: fleetops
    backup_name: production-backup
    clusters: [cluster-shanghai]

- name: Move the production namespace from cluster-beijing to cluster-shanghai
  fleetops.kurator.kurator_backup:
    kind: Migrate
    name: production-move
    namespace: kurator-fleet
    fleet: fleetops
    source_cluster: cluster-beijing
    clusters: [cluster-shanghai]
    namespaces: [production]
'''

RETURN = r'''
objects:
  description: Reference (apiVersion, kind, name, namespace, changed) of the object applied.
  returned: state=present
  type: list
  elements: dict
deleted:
  description: References of the objects deleted (O(state=absent)).
  returned: always
  type: list
  elements: dict
owner:
  description: Value of the C(fleetops.kurator/owner) label on the object.
  returned: always
  type: str
translations:
  description: What was translated from the intent (or the BackupPolicy document) into Kurator's fields, and why.
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found (field path, value, expectation) when the input or the object is rejected.
  returned: failure
  type: list
  elements: str
'''

from ansible_collections.fleetops.kurator.plugins.module_utils._backup import (
    API_VERSION, BackupError, backup_intent, kurator_backup, kurator_migrate, kurator_restore)
from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier, CoreException, k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._kurator import API_VERSIONS, converge, kurator_argument_spec, owner_labels
from ansible_collections.fleetops.kurator.plugins.module_utils._labels import problem
from ansible_collections.fleetops.kurator.plugins.module_utils._policy import OWNER_LABEL

INTENT_OPTIONS = ('schedule', 'ttl', 'keep_last', 'namespaces', 'excluded_namespaces', 'resources',
                  'excluded_resources', 'label_selector', 'include_cluster_resources')


def storage_warnings(module, params, storage):
    """Compare the BackupPolicy's storageLocation with the Fleet's backup plugin."""
    if not storage:
        return []
    try:
        fleet = Applier(module).get({'apiVersion': API_VERSIONS['Fleet'], 'kind': 'Fleet',
                                     'metadata': {'name': params['fleet'], 'namespace': params['namespace']}})
    except CoreException:
        fleet = None
    location = (((((fleet or {}).get('spec') or {}).get('plugin') or {}).get('backup') or {}).get('storage') or {}).get('location')
    if not location:
        return ['definition.spec.storageLocation %s: Fleet %s/%s has no backup plugin (Fleet.spec.plugin.backup), so no '
                'Velero stores this backup until it has one' % (storage, params['namespace'], params['fleet'])]
    differs = dict((k, (v, location.get(k))) for k, v in storage.items() if location.get(k) != v)
    if differs:
        return ['definition.spec.storageLocation differs from Fleet %s/%s\'s backup plugin (%s): Kurator keeps every backup '
                'of a fleet in the fleet\'s location, so this one goes to bucket %s'
                % (params['namespace'], params['fleet'],
                   ', '.join('%s %s, the fleet has %s' % (k, a, b) for k, (a, b) in sorted(differs.items())),
                   location.get('bucket'))]
    return []


def main():
    argument_spec = kurator_argument_spec(
        kind=dict(type='str', default='Backup', choices=['Backup', 'Restore', 'Migrate']),
        name=dict(type='str'),
        fleet=dict(type='str'),
        clusters=dict(type='list', elements='str', default=[]),
        definition=dict(type='dict'),
        schedule=dict(type='str'),
        ttl=dict(type='str'),
        keep_last=dict(type='int'),
        namespaces=dict(type='list', elements='str'),
        excluded_namespaces=dict(type='list', elements='str'),
        resources=dict(type='list', elements='str'),
        excluded_resources=dict(type='list', elements='str'),
        label_selector=dict(type='dict'),
        include_cluster_resources=dict(type='bool'),
        backup_name=dict(type='str'),
        source_cluster=dict(type='str'),
        namespace_mapping=dict(type='dict'),
        preserve_node_ports=dict(type='bool'),
        labels=dict(type='dict', default={}),
    )
    module = k8s_module(argument_spec=argument_spec, supports_check_mode=True,
                        required_one_of=[('name', 'definition')])
    params = module.params
    kind = params['kind']
    try:
        errors = []
        if params['state'] == 'present' and not params['fleet']:
            errors.append(problem('fleet', None, 'the Fleet whose clusters this %s is for' % kind))
        if kind != 'Backup':
            for key in ('definition', 'schedule', 'ttl', 'keep_last'):
                if params[key] is not None:
                    errors.append(problem(key, params[key], 'nothing with kind=%s (it is an option of a Backup)' % kind))
        if kind == 'Restore' and params['state'] == 'present' and not params['backup_name']:
            errors.append(problem('backup_name', None, 'the Kurator Backup to restore from (kind=Restore)'))
        if kind == 'Migrate' and params['state'] == 'present' and (not params['source_cluster'] or not params['clusters']):
            errors.append(problem('source_cluster/clusters', [params['source_cluster'], params['clusters']],
                                  'a source cluster and at least one target cluster (kind=Migrate)'))
        if errors:
            raise BackupError(errors)
        intent = backup_intent(params['name'] or (params['definition'] or {}).get('metadata', {}).get('name'),
                               clusters=params['clusters'] if kind == 'Backup' else None,
                               definition=params['definition'],
                               **dict((k, params[k]) for k in INTENT_OPTIONS))
    except BackupError as exc:
        module.fail_json(msg='invalid %s: %s' % (kind, exc), errors=exc.errors, translations=[])
    name, namespace = intent['name'], params['namespace']
    labels = dict(params['labels'])
    labels.update(owner_labels(kind, namespace, name))
    objects = []
    if params['state'] == 'present':
        if kind == 'Backup':
            objects = [kurator_backup(intent, params['fleet'], namespace, labels)]
        elif kind == 'Restore':
            objects = [kurator_restore(name, params['backup_name'], params['fleet'], namespace, labels,
                                       params['clusters'], intent, params['namespace_mapping'],
                                       params['preserve_node_ports'])]
        else:
            objects = [kurator_migrate(name, params['fleet'], params['source_cluster'], params['clusters'], namespace,
                                       labels, intent, params['namespace_mapping'], params['preserve_node_ports'])]
        for warning in storage_warnings(module, params, intent['storage']):
            module.warn(warning)
            intent['translations'].append(warning)
    converge(module, objects, [kind], [(API_VERSION, kind)], namespace, labels[OWNER_LABEL], prune=False,
             extra={'translations': intent['translations']})


if __name__ == '__main__':
    main()
