# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""_backup: the backup intent (example 06), retention as TTL, Kurator's Backup/Restore/Migrate."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from kurator_crds import crd_dir
from mission_examples import load

from ansible_collections.fleetops.kurator.plugins.module_utils import _backup, _kurator, _schema


@pytest.fixture(scope='module')
def schemas():
    return _schema.crd_schemas(_kurator.read_crd_files(crd_dir()))


@pytest.mark.parametrize('schedule, seconds', [
    ('0 2 * * *', 86400), ('@daily', 86400), ('*/15 * * * *', 900), ('0 */6 * * *', 6 * 3600),
    ('30 1 * * 0', 7 * 86400), ('0 3 * * 7', 7 * 86400), ('@every 6h', 6 * 3600), ('@hourly', 3600),
    ('0 0,12 * * *', 12 * 3600),
])
def test_schedule_interval(schedule, seconds):
    assert _backup.schedule_interval(schedule) == seconds


@pytest.mark.parametrize('schedule, why', [
    ('0 2 * * 1-5', 'not evenly spaced'), ('0 0 1 * *', 'not evenly spaced'), ('0 25 * * *', 'outside 0-23'),
    ('0 2 * *', '5 fields'), ('0 2 * * MON', 'names are not supported'), ('@every soon', 'duration'),
])
def test_irregular_or_bad_schedules(schedule, why):
    with pytest.raises(ValueError) as exc:
        _backup.schedule_interval(schedule)
    assert why in str(exc.value)


def test_example_06_becomes_a_kurator_backup(schemas):
    doc = load('06-backup-policy.yaml')[0]
    intent = _backup.backup_intent(None, definition=doc)
    assert intent['name'] == 'production-backup' and intent['schedule'] == '0 2 * * *'
    assert intent['ttl'] == '168h0m0s' and intent['namespaces'] == ['production']
    assert intent['storage'] == {'provider': 'aws', 'bucket': 'kurator-backups'}
    text = '\n'.join(intent['translations'])
    assert 'keepLast 7 -> ttl 168h0m0s' in text and 'not an upstream kind' in text and 'storageLocation' in text
    obj = _backup.kurator_backup(intent, 'fleetops', 'kurator-fleet', {'a': 'b'})
    assert obj['spec'] == {'schedule': '0 2 * * *', 'destination': {'fleet': 'fleetops'},
                           'policy': {'resourceFilter': {'includedNamespaces': ['production']}, 'ttl': '168h0m0s'}}
    assert _schema.validate(obj, schemas) == []


def test_intent_errors_all_at_once():
    doc = {'kind': 'BackupPolicy', 'metadata': {'name': 'x'},
           'spec': {'schedule': '0 2 * * 1-5', 'retentionPolicy': {'keepLats': 3, 'keepLast': 3},
                    'backupContent': {'namespace': ['a']}, 'storageLocation': {'bucket': 'b', 'region': 'r'}, 'extra': 1}}
    with pytest.raises(_backup.BackupError) as exc:
        _backup.backup_intent(None, definition=doc)
    text = '\n'.join(exc.value.errors)
    for path in ('definition.spec.extra', 'definition.spec.retentionPolicy.keepLats', 'definition.spec.backupContent.namespace',
                 'definition.spec.storageLocation.region', 'schedule:'):
        assert path in text, (path, text)
    with pytest.raises(_backup.BackupError) as exc:
        _backup.backup_intent('b', ttl='1 week', keep_last=0)
    text = '\n'.join(exc.value.errors)
    assert 'ttl:' in text and 'keep_last:' in text
    with pytest.raises(_backup.BackupError) as exc:
        _backup.backup_intent('b', keep_last=3)
    assert 'a schedule too' in str(exc.value)


def test_one_off_backup_restore_migrate_are_valid(schemas):
    intent = _backup.backup_intent('once', namespaces=['web'], ttl='720h0m0s', clusters=['cluster-beijing'],
                                   label_selector={'matchLabels': {'app': 'web'}}, include_cluster_resources=False)
    backup = _backup.kurator_backup(intent, 'fleetops', 'kurator-fleet', {})
    assert 'schedule' not in backup['spec']
    assert backup['spec']['destination']['clusters'] == [{'name': 'cluster-beijing', 'kind': 'AttachedCluster'}]
    restore = _backup.kurator_restore('r', 'once', 'fleetops', 'kurator-fleet', {}, ['cluster-shanghai'], intent,
                                      {'web': 'web-restored'}, True)
    migrate = _backup.kurator_migrate('m', 'fleetops', 'cluster-beijing', ['cluster-shanghai'], 'kurator-fleet', {},
                                      intent, preserve_node_ports=False)
    for obj in (backup, restore, migrate):
        assert _schema.validate(obj, schemas) == [], obj['kind']
    assert migrate['spec']['sourceCluster']['clusters'] == [{'name': 'cluster-beijing', 'kind': 'AttachedCluster'}]
