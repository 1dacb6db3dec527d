#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: velero_restore
short_description: Restore a Velero backup into a cluster (migration or disaster recovery), refusing to merge into live namespaces
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Creates a C(velero.io/v1) Restore of O(backup) and waits until it is done, reporting its phase, warnings, errors
    and seconds.
  - The backup may come from another cluster (migration). It must be in one of this cluster's storage locations (the
    C(velero_restore_from) variable of the C(fleetops.kurator.velero) role adds a read-only one per source cluster), and the
    module waits for Velero to sync it in.
  - A namespace the restore would write into that exists already is refused, unless O(existing_namespace=allow).
    Velero would merge the backup into what is there (keeping what exists unless O(existing_resource_policy=update)).
  - A restore of that name that exists already is reported as it is, not run again.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
options:
  name:
    description: Name of the Restore.
    type: str
    required: true
  backup:
    description: Name of the Backup to restore.
    type: str
    required: true
  namespace:
    description: Velero's namespace.
    type: str
    default: velero
  included_namespaces:
    description: Namespaces of the backup to restore (default those the backup has).
    type: list
    elements: str
  namespace_mapping:
    description: Restore namespace C(key) as namespace C(value).
    type: dict
  existing_namespace:
    description: C(refuse) a restore into a namespace that exists, or C(allow) it.
    type: str
    choices: [refuse, allow]
    default: refuse
  existing_resource_policy:
    description: What Velero does with an object that exists (C(none) keeps it, C(update) updates it).
    type: str
    choices: [none, update]
    default: none
  wait_timeout:
    description: Seconds to wait for the backup to be synced in and for the restore.
    type: int
    default: 600
  fail_on_error:
    description: Fail the task when the restore does not complete.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created; the checks (backup present, namespaces free) run.
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - A restore of that name runs once.
"""

EXAMPLES = r"""
- name: Migrate production from cluster-beijing to cluster-shanghai
  fleetops.kurator.velero_restore:
    name: production-from-beijing
    backup: production-migration
"""

RETURN = r"""
restore:
  description: The Restore as it ended (or as found).
  returned: always
  type: dict
phase:
  description: Its phase.
  returned: always
  type: str
seconds:
  description: Seconds the restore took (from its status).
  returned: when done
  type: float
warning_count:
  description: Number of warnings Velero reported.
  returned: always
  type: int
error_count:
  description: Number of errors Velero reported.
  returned: always
  type: int
"""

import time

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier, CoreException, k8s_argument_spec, k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._velero import MANAGED_BY, VELERO_API, took
from ansible_collections.fleetops.kurator.plugins.module_utils._velero_k8s import DONE, create, get, wait_for, wait_phase


def main():
    module = k8s_module(argument_spec=k8s_argument_spec(
        name=dict(type='str', required=True), backup=dict(type='str', required=True),
        namespace=dict(type='str', default='velero'), included_namespaces=dict(type='list', elements='str'),
        namespace_mapping=dict(type='dict'), existing_namespace=dict(type='str', default='refuse', choices=['refuse', 'allow']),
        existing_resource_policy=dict(type='str', default='none', choices=['none', 'update']),
        wait_timeout=dict(type='int', default=600), fail_on_error=dict(type='bool', default=True),
    ), supports_check_mode=True)
    p = module.params
    ns = p['namespace']
    applier = Applier(module)
    changed = False
    start = time.time()
    try:
        restore = get(applier, 'Restore', p['name'], ns)
        if restore is None:
            # A backup of another cluster appears once Velero has synced it from the storage location.
            backup, dummy = wait_for(applier, 'Backup', p['backup'], ns, lambda found: found is not None,
                                     p['wait_timeout'], interval=3, start=start)
            if backup is None:
                module.fail_json(msg='velero_restore: backup %s is not in this cluster after %ds: it is in none of its storage '
                                     'locations (for another cluster\'s backup, run the velero role with velero_restore_from: '
                                     '[<that cluster>])' % (p['backup'], p['wait_timeout']))
            phase = (backup.get('status') or {}).get('phase')
            if phase not in ('Completed', 'PartiallyFailed'):
                module.fail_json(msg='velero_restore: backup %s is %s, not Completed: nothing to restore from' % (p['backup'], phase))
            spec = backup.get('spec') or {}
            sources = p['included_namespaces'] or spec.get('includedNamespaces') or ['*']
            mapping = p['namespace_mapping'] or {}
            targets = [mapping.get(n, n) for n in sources if n != '*']
            if p['existing_namespace'] == 'refuse':
                if '*' in sources:
                    module.fail_json(msg='velero_restore: the backup %s covers all namespaces: name them in included_namespaces '
                                         'to check that none exists, or set existing_namespace: allow' % p['backup'])
                live = []
                for target in targets:
                    found = get(applier, 'Namespace', target, None, api_version='v1')
                    if found is not None:
                        live.append('%s%s' % (target, ' (being deleted)' if found['metadata'].get('deletionTimestamp') else ''))
                if live:
                    module.fail_json(msg='velero_restore: refused: namespace %s exists in this cluster; the restore would merge the '
                                         'backup into it (existing objects kept as they are). Delete it first, or set '
                                         'existing_namespace: allow (and existing_resource_policy: update to overwrite)'
                                         % ', '.join(live), refused=live)
            obj = {'apiVersion': VELERO_API, 'kind': 'Restore',
                   'metadata': {'name': p['name'], 'namespace': ns, 'labels': dict(MANAGED_BY)},
                   'spec': {'backupName': p['backup'], 'includedNamespaces': sources,
                            'existingResourcePolicy': p['existing_resource_policy']}}
            if mapping:
                obj['spec']['namespaceMapping'] = mapping
            changed = True
            if module.check_mode:
                module.exit_json(changed=True, restore=obj, phase='New', warning_count=0, error_count=0)
            restore = create(applier, obj)
        left = max(1, p['wait_timeout'] - int(time.time() - start))
        restore, dummy = wait_phase(applier, 'Restore', p['name'], ns, DONE, left)
    except CoreException as exc:
        module.fail_json(msg='velero_restore: %s' % exc)
    status = (restore or {}).get('status') or {}
    phase = status.get('phase') or 'New'
    result = dict(changed=changed, restore=restore, phase=phase, warning_count=status.get('warnings') or 0,
                  error_count=status.get('errors') or 0)
    seconds = took(status)
    if seconds is not None:
        result['seconds'] = seconds
    if phase not in DONE:
        module.fail_json(msg='velero_restore: restore %s is still %s after %ds' % (p['name'], phase, p['wait_timeout']), **result)
    if phase != 'Completed' and p['fail_on_error']:
        why = status.get('failureReason') or '; '.join(status.get('validationErrors') or []) or \
            '%d error(s), %d warning(s) (velero restore logs %s)' % (result['error_count'], result['warning_count'], p['name'])
        module.fail_json(msg='velero_restore: restore %s is %s: %s' % (p['name'], phase, why), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
