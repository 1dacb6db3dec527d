#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup_policy
short_description: A backup policy (schedule, namespaces, keep the last N) as a Velero Schedule, and a Kurator Backup
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Turns a backup intent - a cron schedule, namespaces or a label selector, a storage location and
    C(keep_last) - into a C(velero.io/v1) Schedule in one cluster, with server-side apply.
  - Takes the user's C(BackupPolicy) picture (O(policy)), which exists neither in Velero nor in Kurator, and says in
    RV(translations) what became what and why.
  - The schedule is validated as Velero parses it (robfig/cron C(ParseStandard)) before anything is sent.
  - Velero has no count-based retention. C(keep_last) is kept honest by M(fleetops.kurator.backup_retention), which
    deletes the Completed backups beyond the N newest through DeleteBackupRequest; the Schedule's C(ttl) is only a
    backstop, by default long enough that Velero's own expiry never removes a backup the rule keeps.
  - The storage location must exist (the C(fleetops.kurator.velero) role makes it); a bucket named in O(policy) or O(bucket)
    must be the location's.
  - When the cluster serves Kurator's C(backup.kurator.dev/v1alpha1) Backup and O(kurator_fleet) is set, the matching
    Kurator Backup is applied too.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.k8s
options:
  name:
    description: Name of the Schedule (a DNS-1123 label); from O(policy) C(metadata.name) when not given.
    type: str
  namespace:
    description: Velero's namespace.
    type: str
    default: velero
  state:
    description: C(present) or C(absent) (the Schedule and the Kurator Backup; existing backups stay).
    type: str
    choices: [present, absent]
    default: present
  policy:
    description:
      - The user's C(BackupPolicy) mapping (C(spec.schedule), C(spec.retentionPolicy.keepLast),
        C(spec.backupContent.namespaces), C(spec.storageLocation{provider,bucket})); the other options override it.
    type: dict
  schedule:
    description: Cron expression (5 fields, or C(@daily), C(@every 6h), optionally after C(CRON_TZ=<zone>)).
    type: str
  included_namespaces:
    description: Namespaces to back up (default all).
    type: list
    elements: str
  excluded_namespaces:
    description: Namespaces not to back up.
    type: list
    elements: str
  label_selector:
    description: Only objects with these labels (a mapping of labels, or a C(matchLabels)/C(matchExpressions) selector).
    type: dict
  storage_location:
    description: The BackupStorageLocation the backups go to.
    type: str
    default: default
  bucket:
    description: The bucket the backups must land in; checked against the storage location's.
    type: str
  keep_last:
    description: How many Completed backups of this schedule to keep (Failed and PartiallyFailed ones do not count).
    type: int
  ttl:
    description: Velero TTL of each backup (a Go duration); by default a backstop computed from O(keep_last) and the schedule.
    type: str
  snapshot_volumes:
    description: Take volume snapshots (needs a VolumeSnapshotLocation).
    type: bool
    default: false
  paused:
    description: Create the Schedule paused.
    type: bool
    default: false
  kurator_fleet:
    description: The Kurator Fleet of the Kurator Backup (its required C(destination.fleet)); no Kurator Backup without it.
    type: str
  kurator_namespace:
    description: Namespace of the Kurator Backup (the Fleet's).
    type: str
    default: default
"""

EXAMPLES = r"""
- name: The user's BackupPolicy (nightly, keep 7, namespace production) in every member cluster
  fleetops.kurator.backup_policy:
    policy: "{{ lookup('ansible.builtin.file', 'backup-policy.yaml') | from_yaml }}"

- name: The same, spelled out
  fleetops.kurator.backup_policy:
    name: production-backup
    schedule: "0 2 * * *"
    included_namespaces: [production]
    keep_last: 7
"""

RETURN = r"""
schedule:
  description: The Velero Schedule as stored (or as it would be stored in check mode).
  returned: state=present
  type: dict
kurator_backup:
  description: The Kurator Backup as stored, when one was applied.
  returned: when applied
  type: dict
translations:
  description: What was translated from the input, and why, in plain words.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier, CoreException, k8s_argument_spec, k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._velero import (
    KURATOR_BACKUP_API,
    VELERO_API,
    PlanError,
    build_kurator_backup,
    build_schedule,
    from_user_policy,
)
from ansible_collections.fleetops.kurator.plugins.module_utils._velero_k8s import location, served


OPTION_KEYS = ('name', 'schedule', 'keep_last', 'included_namespaces', 'bucket')


def options(params):
    """The effective options: the policy's, overridden by those given; and the translations."""
    notes = []
    merged = {}
    if params['policy'] is not None:
        merged, notes = from_user_policy(params['policy'])
    for key in OPTION_KEYS + ('excluded_namespaces', 'label_selector', 'ttl'):
        if params.get(key) is not None:
            merged[key] = params[key]
    return merged, notes


def main():
    module = k8s_module(argument_spec=k8s_argument_spec(
        name=dict(type='str'), namespace=dict(type='str', default='velero'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        policy=dict(type='dict'), schedule=dict(type='str'),
        included_namespaces=dict(type='list', elements='str'), excluded_namespaces=dict(type='list', elements='str'),
        label_selector=dict(type='dict'), storage_location=dict(type='str', default='default'), bucket=dict(type='str'),
        keep_last=dict(type='int'), ttl=dict(type='str'), snapshot_volumes=dict(type='bool', default=False),
        paused=dict(type='bool', default=False),
        kurator_fleet=dict(type='str'), kurator_namespace=dict(type='str', default='default'),
    ), supports_check_mode=True)
    params = module.params
    try:
        opts, translations = options(params)
        if not opts.get('name'):
            raise PlanError('name: not given (nor policy.metadata.name)')
        applier = Applier(module, force_conflicts=True)
        if params['state'] == 'absent':
            changed = False
            for api, kind, ns in ((VELERO_API, 'Schedule', params['namespace']), (KURATOR_BACKUP_API, 'Backup', params['kurator_namespace'])):
                if served(applier, api, kind):
                    changed = applier.delete(api, kind, opts['name'], ns) or changed
            module.exit_json(changed=changed, translations=translations)
        if not opts.get('schedule'):
            raise PlanError('schedule: not given (nor policy.spec.schedule)')
        schedule, notes = build_schedule(
            opts['name'], params['namespace'], opts['schedule'], keep_last=opts.get('keep_last'), ttl=opts.get('ttl'),
            included_namespaces=opts.get('included_namespaces'), excluded_namespaces=opts.get('excluded_namespaces'),
            label_selector=opts.get('label_selector'), storage_location=params['storage_location'],
            snapshot_volumes=params['snapshot_volumes'], paused=params['paused'])
        translations.extend(notes)
        if not served(applier, VELERO_API, 'Schedule'):
            raise PlanError('the cluster does not serve velero.io/v1 Schedule: install Velero first (role fleetops.kurator.velero)')
        bsl = location(applier, params['storage_location'], params['namespace'])
        if bsl is None:
            raise PlanError('storage_location %s: no BackupStorageLocation of that name in namespace %s (the '
                            'fleetops.kurator.velero role makes "default" on settings.s3)' % (params['storage_location'], params['namespace']))
        have_bucket = ((bsl.get('spec') or {}).get('objectStorage') or {}).get('bucket')
        if opts.get('bucket') and opts['bucket'] != have_bucket:
            raise PlanError('bucket %s: the storage location %s writes to bucket %s; set settings.s3.buckets.velero: %s and '
                            're-run the velero role, or name the bucket %s'
                            % (opts['bucket'], params['storage_location'], have_bucket, opts['bucket'], have_bucket))
        objects = [schedule]
        if served(applier, KURATOR_BACKUP_API, 'Backup'):
            if params['kurator_fleet']:
                objects.append(build_kurator_backup(opts['name'], params['kurator_namespace'], params['kurator_fleet'], schedule))
                translations.append('Kurator Backup %s/%s (fleet %s) applied too: Kurator creates the same Velero Schedule '
                                    'in each cluster of the fleet.' % (params['kurator_namespace'], opts['name'], params['kurator_fleet']))
            else:
                translations.append('Kurator\'s Backup CRD is installed, but kurator_fleet is not set (destination.fleet is '
                                    'required): no Kurator Backup was applied.')
        changed, results, diff = applier.apply(objects)
    except PlanError as exc:
        module.fail_json(msg='backup_policy: %s' % exc)
    except CoreException as exc:
        module.fail_json(msg='backup_policy: %s' % exc)
    out = dict(changed=changed, schedule=results[0]['result'], translations=translations)
    if len(results) > 1:
        out['kurator_backup'] = results[1]['result']
    if module._diff:
        out['diff'] = diff
    module.exit_json(**out)


if __name__ == '__main__':
    main()
