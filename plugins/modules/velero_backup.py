#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: velero_backup
short_description: Take a Velero backup now (of namespaces, or as a schedule would) and wait for its outcome
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Creates a C(velero.io/v1) Backup named O(name) - from a Schedule's template (O(from_schedule), labelled as the
    schedule's own backups are, so they count for M(fleetops.kurator.backup_retention)) or from O(included_namespaces) -
    and waits until it is done.
  - A backup that ends Failed, PartiallyFailed or FailedValidation fails the task (unless O(fail_on_error=false)) with
    Velero's reason in plain words; it is never counted as a good backup.
  - A backup of that name that exists already is reported as it is, not taken again.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
options:
  name:
    description: Name of the Backup (a DNS-1123 subdomain).
    type: str
    required: true
  namespace:
    description: Velero's namespace.
    type: str
    default: velero
  from_schedule:
    description: Take the spec and labels of this Schedule's template.
    type: str
  included_namespaces:
    description: Namespaces to back up (without O(from_schedule)).
    type: list
    elements: str
  storage_location:
    description: The BackupStorageLocation (without O(from_schedule)).
    type: str
    default: default
  ttl:
    description: TTL of the backup (a Go duration; Velero's server default when not given).
    type: str
  wait:
    description: Wait until the backup is done.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
  fail_on_error:
    description: Fail the task when the backup does not complete.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created; the result says whether the backup would be.
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - A backup of that name is taken once.
"""

EXAMPLES = r"""
- name: Back up production now, as the nightly schedule would
  fleetops.kurator.velero_backup:
    name: production-before-upgrade
    from_schedule: production-backup
"""

RETURN = r"""
backup:
  description: The Backup as it ended (or as found).
  returned: always
  type: dict
phase:
  description: Its phase (Completed, PartiallyFailed, Failed, ...).
  returned: always
  type: str
seconds:
  description: Seconds the backup took (start to completion, from its status).
  returned: when done
  type: float
reason:
  description: Why it did not complete, in plain words.
  returned: when not Completed
  type: str
"""

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier, CoreException, k8s_argument_spec, k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._velero import MANAGED_BY, VELERO_API, go_duration, go_duration_seconds, took
from ansible_collections.fleetops.kurator.plugins.module_utils._velero_k8s import DONE, create, get, wait_phase


def outcome(backup):
    """(phase, seconds, reason in plain words or None)."""
    status = (backup or {}).get('status') or {}
    phase = status.get('phase') or 'New'
    seconds = took(status)
    reason = None
    if phase == 'FailedValidation':
        reason = 'Velero refused the backup: %s' % '; '.join(status.get('validationErrors') or ['no reason given'])
    elif phase == 'Failed':
        reason = 'the backup failed: %s' % (status.get('failureReason') or 'see velero backup logs')
        if any(k in (status.get('failureReason') or '') for k in ('connection refused', 'dial tcp', 'i/o timeout', 'no such host')):
            reason += ' (the S3 store was unreachable from the Velero server)'
    elif phase == 'PartiallyFailed':
        reason = 'the backup partially failed: %d error(s), %d warning(s) (velero backup logs %s)' % (
            status.get('errors') or 0, status.get('warnings') or 0, backup['metadata']['name'])
    return phase, seconds, reason


def main():
    module = k8s_module(argument_spec=k8s_argument_spec(
        name=dict(type='str', required=True), namespace=dict(type='str', default='velero'),
        from_schedule=dict(type='str'), included_namespaces=dict(type='list', elements='str'),
        storage_location=dict(type='str', default='default'), ttl=dict(type='str'),
        wait=dict(type='bool', default=True), wait_timeout=dict(type='int', default=600),
        fail_on_error=dict(type='bool', default=True),
    ), supports_check_mode=True, mutually_exclusive=[('from_schedule', 'included_namespaces')])
    p = module.params
    ns = p['namespace']
    applier = Applier(module)
    changed = False
    try:
        backup = get(applier, 'Backup', p['name'], ns)
        if backup is None:
            labels = dict(MANAGED_BY)
            if p['from_schedule']:
                schedule = get(applier, 'Schedule', p['from_schedule'], ns)
                if schedule is None:
                    module.fail_json(msg='velero_backup: no Schedule %s in namespace %s' % (p['from_schedule'], ns))
                spec = dict(schedule['spec']['template'])
                labels['velero.io/schedule-name'] = p['from_schedule']
            else:
                spec = {'includedNamespaces': p['included_namespaces'] or ['*'], 'storageLocation': p['storage_location']}
            if p['ttl']:
                if not go_duration_seconds(p['ttl']):
                    module.fail_json(msg='velero_backup: ttl %r: expected a Go duration such as 720h' % p['ttl'])
                spec['ttl'] = go_duration(go_duration_seconds(p['ttl']))
            obj = {'apiVersion': VELERO_API, 'kind': 'Backup', 'metadata': {'name': p['name'], 'namespace': ns, 'labels': labels},
                   'spec': spec}
            changed = True
            if module.check_mode:
                module.exit_json(changed=True, backup=obj, phase='New')
            backup = create(applier, obj)
        if p['wait']:
            backup, dummy = wait_phase(applier, 'Backup', p['name'], ns, DONE, p['wait_timeout'])
    except CoreException as exc:
        module.fail_json(msg='velero_backup: %s' % exc)
    phase, seconds, reason = outcome(backup)
    result = dict(changed=changed, backup=backup, phase=phase)
    if seconds is not None:
        result['seconds'] = seconds
    if reason:
        result['reason'] = reason
    if p['wait'] and phase not in DONE:
        module.fail_json(msg='velero_backup: backup %s is still %s after %ds' % (p['name'], phase, p['wait_timeout']), **result)
    if reason and p['fail_on_error']:
        module.fail_json(msg='velero_backup: backup %s: %s' % (p['name'], reason), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
