# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Velero plans: cron as Velero parses it, the user's BackupPolicy translated, the keep-last prune plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

import pytest
import yaml

from ansible_collections.fleetops.kurator.plugins.module_utils._velero import (
    PlanError,
    build_kurator_backup,
    build_schedule,
    delete_backup_request,
    from_user_policy,
    go_duration,
    go_duration_seconds,
    parse_cron,
    prune_plan,
)

EXAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'fixtures', 'mission-examples', '06-backup-policy.yaml')
T0 = datetime.datetime(2026, 12, 2, 14, 0)


@pytest.mark.parametrize('cron, after, expected', [
    ('0 2 * * *', T0, datetime.datetime(2026, 12, 3, 2, 0)),
    ('*/15 * * * *', T0, datetime.datetime(2026, 12, 2, 14, 15)),
    ('30 1 * * MON', T0, datetime.datetime(2026, 12, 7, 1, 30)),   # 2026-12-02 is a Wednesday
    ('0 0 1 JAN *', T0, datetime.datetime(2027, 1, 1, 0, 0)),
    ('0 3 15 * 0', T0, datetime.datetime(2026, 12, 6, 3, 0)),       # both days restricted: either matches (Sunday 6th)
    ('@daily', T0, datetime.datetime(2026, 12, 3, 0, 0)),
    ('@hourly', T0, datetime.datetime(2026, 12, 2, 15, 0)),
    ('CRON_TZ=Asia/Shanghai 0 2 * * *', T0, datetime.datetime(2026, 12, 3, 2, 0)),
    ('5-10/5 8-9 * * 1-5', T0, datetime.datetime(2026, 12, 3, 8, 5)),
    ('0 0 29 2 *', T0, datetime.datetime(2028, 2, 29, 0, 0)),
])
def test_next_run(cron, after, expected):
    assert parse_cron(cron).next(after) == expected


def test_every():
    assert parse_cron('@every 6h').next(T0) == T0 + datetime.timedelta(hours=6)


@pytest.mark.parametrize('cron, expected', [
    ('', 'empty'), ('0 2 * *', 'has 4 fields'), ('0 2 * * * *', 'has 6 fields'), ('60 * * * *', 'out of range 0-59'),
    ('0 24 * * *', 'out of range 0-23'), ('0 0 0 * *', 'out of range 1-31'), ('0 0 * 13 *', 'out of range 1-12'),
    ('0 0 * * 7', 'out of range 0-6'), ('*/0 * * * *', 'step'), ('5-1 * * * *', 'starts after'),
    ('0 2 * * FOO', 'not a number or a name'), ('@weekdays', 'unknown descriptor'), ('@every often', 'Go duration'),
    ('0,,5 * * * *', 'empty value'), ('TZ= 0 2 * * *', 'time zone'),
])
def test_bad_cron_is_named(cron, expected):
    with pytest.raises(PlanError) as info:
        parse_cron(cron)
    assert expected in str(info.value)


def test_durations():
    assert go_duration_seconds('168h') == 168 * 3600
    assert go_duration_seconds('1h30m') == 5400
    assert go_duration_seconds('720h0m0s') == 720 * 3600
    assert go_duration_seconds('7d') is None and go_duration_seconds('') is None
    assert go_duration(168 * 3600) == '168h0m0s'


def test_the_users_backup_policy_becomes_a_schedule():
    with open(EXAMPLE) as handle:
        policy = yaml.safe_load(handle)
    opts, notes = from_user_policy(policy)
    assert opts == {'name': 'production-backup', 'schedule': '0 2 * * *', 'keep_last': 7,
                    'included_namespaces': ['production'], 'bucket': 'kurator-backups'}
    assert any('does not exist upstream' in n for n in notes)
    schedule, more = build_schedule(opts['name'], 'velero', opts['schedule'], keep_last=7,
                                    included_namespaces=opts['included_namespaces'])
    assert schedule['spec']['schedule'] == '0 2 * * *'
    assert schedule['spec']['template']['includedNamespaces'] == ['production']
    assert schedule['spec']['template']['storageLocation'] == 'default'
    # 7 daily runs span 7 days; the backstop TTL is four times that, at least 720h.
    assert schedule['spec']['template']['ttl'] == '720h0m0s'
    assert schedule['metadata']['annotations'] == {'fleetops.io/keep-last': '7'}
    assert any('DeleteBackupRequest' in n and 'Failed' in n for n in more)
    assert any('ttl 720h0m0s' in n for n in more)


def test_backstop_ttl_grows_with_the_window():
    schedule, notes = build_schedule('weekly', 'velero', '0 3 * * 0', keep_last=12)
    # 12 weekly runs = 84 days; four times that
    assert schedule['spec']['template']['ttl'] == go_duration(4 * 12 * 7 * 86400)


def test_a_short_ttl_is_warned_about():
    dummy, notes = build_schedule('daily', 'velero', '@daily', keep_last=7, ttl='72h')
    assert any(n.startswith('WARNING: ttl 72h') for n in notes)


@pytest.mark.parametrize('kwargs, expected', [
    ({'name': 'Bad_Name'}, 'name'), ({'keep_last': 0}, 'keep_last'), ({'ttl': '7 days'}, 'ttl'),
    ({'included_namespaces': ['Prod']}, 'included_namespaces'), ({'cron': '0 25 * * *'}, 'out of range'),
])
def test_bad_policy_input(kwargs, expected):
    args = dict(name='p', namespace='velero', cron='0 2 * * *')
    args.update(kwargs)
    with pytest.raises(PlanError) as info:
        build_schedule(**args)
    assert expected in str(info.value)


def test_user_policy_errors():
    with pytest.raises(PlanError, match='unknown keys retention'):
        from_user_policy({'kind': 'BackupPolicy', 'spec': {'retention': {}}})
    with pytest.raises(PlanError, match='provider'):
        from_user_policy({'kind': 'BackupPolicy', 'spec': {'storageLocation': {'provider': 'gcp'}}})


def test_kurator_backup_matches_the_schedule():
    schedule, dummy = build_schedule('p', 'velero', '0 2 * * *', keep_last=7, included_namespaces=['production'])
    backup = build_kurator_backup('p', 'fleets', 'quickstart', schedule)
    assert backup['apiVersion'] == 'backup.kurator.dev/v1alpha1'
    assert backup['spec'] == {'schedule': '0 2 * * *', 'destination': {'fleet': 'quickstart'},
                              'policy': {'resourceFilter': {'includedNamespaces': ['production']}, 'ttl': '720h0m0s'}}


def _backup(name, phase, day):
    return {'metadata': {'name': name, 'uid': 'u-' + name, 'creationTimestamp': '2026-12-%02dT02:00:00Z' % day},
            'status': {'phase': phase, 'startTimestamp': '2026-12-%02dT02:00:01Z' % day}}


def test_prune_keeps_the_newest_completed_and_never_counts_failures():
    phases = ['Completed', 'Failed', 'Completed', 'PartiallyFailed', 'Completed', 'Completed', 'Failed', 'Completed',
              'Completed', 'InProgress']
    backups = [_backup('b-%02d' % (i + 1), ph, i + 1) for i, ph in enumerate(phases)]
    plan = prune_plan(backups, 3)
    assert [e['name'] for e in plan['keep']] == ['b-09', 'b-08', 'b-06']
    assert [e['name'] for e in plan['delete']] == ['b-05', 'b-03', 'b-01']
    assert [e['name'] for e in plan['not_counted']] == ['b-07', 'b-04', 'b-02']
    assert [e['name'] for e in plan['in_progress']] == ['b-10']
    again = prune_plan([b for b in backups if b['metadata']['name'] not in ('b-05', 'b-03', 'b-01')], 3)
    assert again['delete'] == []


def test_prune_skips_backups_already_being_deleted():
    backups = [_backup('a', 'Completed', 1), _backup('b', 'Completed', 2), _backup('c', 'Deleting', 3)]
    plan = prune_plan(backups, 1, deleting=['a'])
    assert [e['name'] for e in plan['keep']] == ['b']
    assert plan['delete'] == []
    assert [e['name'] for e in plan['deleting']] == ['c', 'a']


def test_delete_backup_request_as_velero_makes_it():
    dbr = delete_backup_request(_backup('production-backup-20261202020000', 'Completed', 2), 'velero')
    assert dbr['spec'] == {'backupName': 'production-backup-20261202020000'}
    assert dbr['metadata']['labels']['velero.io/backup-name'] == 'production-backup-20261202020000'
    assert dbr['metadata']['labels']['velero.io/backup-uid'] == 'u-production-backup-20261202020000'
    long_name = 'x' * 80
    assert len(delete_backup_request(_backup(long_name, 'Completed', 1), 'velero')['metadata']['labels']['velero.io/backup-name']) == 63
