#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup_retention
short_description: Keep the last N Completed backups of Velero schedules, deleting the older ones with their data
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Velero expires backups by TTL only; "keep the last N" needs a pruner. For each schedule this module keeps the
    N newest backups in phase Completed and deletes every older Completed one through a C(DeleteBackupRequest),
    as C(velero backup delete) does, so the server removes the backup's data from the bucket too.
  - Failed, PartiallyFailed and FailedValidation backups never count toward N; they are reported (RV(schedules[].not_counted))
    and left to their TTL. Backups still running are left alone. Backups already being deleted are reported, not
    requested again.
  - Only the backups of the schedule's own storage location are touched (a read-only location can carry another
    cluster's backups of a schedule with the same name).
  - N is O(keep_last), or the schedule's C(fleetops.io/keep-last) annotation (set by M(fleetops.kurator.backup_policy)).
  - Check mode reports what would be deleted and deletes nothing.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
options:
  schedule:
    description: Name of the Velero Schedule; every Schedule of the namespace with a C(fleetops.io/keep-last) annotation when not given.
    type: str
  keep_last:
    description: How many Completed backups to keep (overrides the annotation).
    type: int
  namespace:
    description: Velero's namespace.
    type: str
    default: velero
  wait:
    description: Wait until the deleted backups are gone (their data removed from the bucket).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 300
attributes:
  check_mode:
    support: full
    details:
      - Nothing is deleted; RV(schedules[].delete) lists what would be.
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - A second run finds nothing beyond the N newest and reports no change.
"""

EXAMPLES = r"""
- name: Keep the last 7 backups of every schedule that says so
  fleetops.kurator.backup_retention:
  register: pruned

- name: Preview what keeping 3 would delete
  fleetops.kurator.backup_retention:
    schedule: production-backup
    keep_last: 3
  check_mode: true
"""

RETURN = r"""
schedules:
  description: Per schedule, the plan (each list newest first, entries C({name, phase, started})).
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: The schedule., type: str}
    keep_last: {description: N., type: int}
    keep: {description: The Completed backups kept., type: list}
    delete: {description: "The Completed backups deleted (would be, in check mode).", type: list}
    not_counted: {description: "Failed or partially failed backups, not counted toward N and not deleted.", type: list}
    in_progress: {description: "Backups still running, left alone.", type: list}
    deleting: {description: Backups already being deleted., type: list}
deleted:
  description: Names of the backups whose deletion was requested.
  returned: always
  type: list
  elements: str
summary:
  description: One line per schedule, in plain words.
  returned: always
  type: list
  elements: str
"""

import time

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier, CoreException, k8s_argument_spec, k8s_module
from ansible_collections.fleetops.kurator.plugins.module_utils._velero import (
    SCHEDULE_LABEL,
    VELERO_API,
    PlanError,
    delete_backup_request,
    prune_plan,
)
from ansible_collections.fleetops.kurator.plugins.module_utils._velero_k8s import create, get

KEEP_ANNOTATION = 'fleetops.io/keep-last'


def _keep_last(schedule, given):
    if given is not None:
        if given < 1:
            raise PlanError('keep_last %d: expected at least 1' % given)
        return given
    text = ((schedule.get('metadata') or {}).get('annotations') or {}).get(KEEP_ANNOTATION)
    if not text or not text.isdigit() or int(text) < 1:
        raise PlanError('schedule %s has no %s annotation (made by backup_policy keep_last): set keep_last'
                        % (schedule['metadata']['name'], KEEP_ANNOTATION))
    return int(text)


def main():
    module = k8s_module(argument_spec=k8s_argument_spec(
        schedule=dict(type='str'), keep_last=dict(type='int'), namespace=dict(type='str', default='velero'),
        wait=dict(type='bool', default=True), wait_timeout=dict(type='int', default=300),
    ), supports_check_mode=True)
    params = module.params
    ns = params['namespace']
    applier = Applier(module)
    try:
        if params['schedule']:
            found = get(applier, 'Schedule', params['schedule'], ns)
            if found is None:
                raise PlanError('schedule %s: no Velero Schedule of that name in namespace %s' % (params['schedule'], ns))
            schedules = [found]
        else:
            schedules = [s for s in applier.list(VELERO_API, 'Schedule', ns)
                         if KEEP_ANNOTATION in ((s.get('metadata') or {}).get('annotations') or {})]
        requests = applier.list(VELERO_API, 'DeleteBackupRequest', ns)
        pending = set(r['spec']['backupName'] for r in requests
                      if ((r.get('status') or {}).get('phase') or 'New') != 'Processed')
        plans, deleted, summary = [], [], []
        for schedule in schedules:
            name = schedule['metadata']['name']
            keep_last = _keep_last(schedule, params['keep_last'])
            location = ((schedule.get('spec') or {}).get('template') or {}).get('storageLocation') or 'default'
            backups = [b for b in applier.list(VELERO_API, 'Backup', ns, label_selector='%s=%s' % (SCHEDULE_LABEL, name))
                       if ((b.get('spec') or {}).get('storageLocation') or 'default') == location]
            by_name = dict((b['metadata']['name'], b) for b in backups)
            plan = prune_plan(backups, keep_last, pending)
            plan.update(name=name, keep_last=keep_last)
            for entry in plan['delete']:
                if not module.check_mode:
                    create(applier, delete_backup_request(by_name[entry['name']], ns))
                deleted.append(entry['name'])
            plans.append(plan)
            line = '%s: kept %d of %d Completed (keep last %d)' % (
                name, len(plan['keep']), len(plan['keep']) + len(plan['delete']), keep_last)
            if plan['delete']:
                line += ', %s %s' % ('would delete' if module.check_mode else 'deleted', ', '.join(e['name'] for e in plan['delete']))
            if plan['not_counted']:
                line += '; not counted: %s' % ', '.join('%s (%s)' % (e['name'], e['phase']) for e in plan['not_counted'])
            if plan['in_progress']:
                line += '; still running: %s' % ', '.join(e['name'] for e in plan['in_progress'])
            if plan['deleting']:
                line += '; already being deleted: %s' % ', '.join(e['name'] for e in plan['deleting'])
            summary.append(line)
        left, refused = [], {}
        if deleted and params['wait'] and not module.check_mode:
            deadline = time.time() + params['wait_timeout']
            left = list(deleted)
            while left and time.time() < deadline:
                left = [n for n in left if get(applier, 'Backup', n, ns) is not None]
                # A request Velero processed with errors will not delete the backup: stop waiting for it.
                refused = dict((r['spec']['backupName'], (r.get('status') or {}).get('errors'))
                               for r in applier.list(VELERO_API, 'DeleteBackupRequest', ns)
                               if r['spec']['backupName'] in left and (r.get('status') or {}).get('phase') == 'Processed'
                               and (r.get('status') or {}).get('errors'))
                if left and set(left) - set(refused):
                    time.sleep(2)
                else:
                    break
    except PlanError as exc:
        module.fail_json(msg='backup_retention: %s' % exc)
    except CoreException as exc:
        module.fail_json(msg='backup_retention: %s' % exc)
    if left:
        why = []
        for name in left:
            errors = refused.get(name) or []
            if 'backup is still in progress' in errors:
                why.append('%s: Velero refused, saying the backup is still in progress although it is Completed (its server '
                           'still tracks a backup that finished while it was being finalized, a race in Velero 1.18; the '
                           'tracking ends when the server restarts: kubectl -n %s rollout restart deployment/velero, then run '
                           'this again)' % (name, ns))
            elif errors:
                why.append('%s: Velero refused: %s' % (name, '; '.join(errors)))
            else:
                why.append('%s: not deleted after %ds' % (name, params['wait_timeout']))
        module.fail_json(msg='backup_retention: deletion requested but not done: %s' % ' | '.join(why),
                         schedules=plans, deleted=deleted, not_deleted=left, summary=summary, changed=True)
    module.exit_json(changed=bool(deleted), schedules=plans, deleted=deleted, summary=summary)


if __name__ == '__main__':
    main()
