# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""velero_backup and velero_restore, and the poll loop they share (_velero_k8s.wait_for), with a faked
client and a faked clock (Velero itself, and real time, are the integration tests' part)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from placement_fakes import FailJson, FakeClient, FakeInstance, run_module  # noqa: F401 pylint: disable=unused-import

from ansible_collections.fleetops.kurator.plugins.module_utils import _velero_k8s
from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier
from ansible_collections.fleetops.kurator.plugins.module_utils._velero import VELERO_API, took
from ansible_collections.fleetops.kurator.plugins.modules import velero_backup, velero_restore

FINISHED = {'startTimestamp': '2026-12-02T14:00:00Z', 'completionTimestamp': '2026-12-02T14:01:30Z'}


class VeleroClient(FakeClient):
    """FakeClient plus create (Velero's Backup and Restore are created, not applied)."""

    def create(self, resource, body, namespace=None):
        self.calls.append(('create', resource.kind, body['metadata']['name'], namespace, self.dry_run))
        if not self.dry_run:
            self.add(body)
        return FakeInstance(copy.deepcopy(body))

    def status(self, kind, name, namespace, **status):
        key = self.key(self.resource(kind, VELERO_API), name, namespace)
        self.store[key]['status'] = status


class Clock(object):
    """time.time and time.sleep: sleeping advances the clock and runs what the test scheduled for then."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []
        self.events = {}    # number of sleeps -> callable

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        event = self.events.pop(len(self.sleeps), None)
        if event:
            event()


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    for module in (_velero_k8s, velero_restore):
        monkeypatch.setattr(module, 'time', fake)
    return fake


def velero_obj(kind, name, phase=None, **spec):
    obj = {'apiVersion': VELERO_API, 'kind': kind, 'metadata': {'name': name, 'namespace': 'velero'}, 'spec': spec}
    if phase:
        obj['status'] = dict(FINISHED, phase=phase)
    return obj


class _Module(object):
    check_mode = False


def applier(client):
    return Applier(_Module(), client=client)


# --- the shared poll loop --------------------------------------------------------------


def test_wait_for_polls_until_the_object_is_there(clock):
    client = VeleroClient()
    clock.events[2] = lambda: client.add(velero_obj('Backup', 'b1'))
    found, seconds = _velero_k8s.wait_for(applier(client), 'Backup', 'b1', 'velero', lambda o: o is not None, 60, interval=3)
    assert found['metadata']['name'] == 'b1'
    assert clock.sleeps == [3, 3] and seconds == 6


def test_wait_for_gives_up_at_the_timeout_counted_from_start(clock):
    client = VeleroClient()
    found, seconds = _velero_k8s.wait_for(applier(client), 'Backup', 'b1', 'velero', lambda o: o is not None, 10,
                                          interval=3, start=clock.now - 4)
    assert found is None
    assert clock.sleeps == [3, 3] and seconds == 10   # 4 already gone, then 3 + 3: 10 >= 10 after the third read


def test_wait_phase_ends_at_a_done_phase_or_when_the_object_is_gone(clock):
    client = VeleroClient()
    client.add(velero_obj('Backup', 'b1'))
    clock.events[1] = lambda: client.status('Backup', 'b1', 'velero', phase='InProgress')
    clock.events[2] = lambda: client.status('Backup', 'b1', 'velero', phase='Completed')
    found, dummy = _velero_k8s.wait_phase(applier(client), 'Backup', 'b1', 'velero', _velero_k8s.DONE, 60)
    assert found['status']['phase'] == 'Completed' and clock.sleeps == [2, 2]
    gone, dummy = _velero_k8s.wait_phase(applier(client), 'Backup', 'nope', 'velero', _velero_k8s.DONE, 60)
    assert gone is None and clock.sleeps == [2, 2]


def test_took():
    assert took(FINISHED) == 90.0
    assert took({'startTimestamp': FINISHED['startTimestamp']}) is None
    assert took({}) is None


# --- velero_restore ----------------------------------------------------------------------


def test_restore_waits_for_the_backup_to_be_synced_then_restores(run_module, clock):
    client = VeleroClient()
    client.add(velero_obj('Backup', 'prod', 'Completed', includedNamespaces=['production']))
    del client.store[next(iter(client.store))]   # not synced yet
    clock.events[2] = lambda: client.add(velero_obj('Backup', 'prod', 'Completed', includedNamespaces=['production']))
    clock.events[3] = lambda: client.status('Restore', 'r1', 'velero', phase='Completed', warnings=2, **FINISHED)
    res = run_module(velero_restore, {'name': 'r1', 'backup': 'prod', 'namespace_mapping': {'production': 'prod2'}}, client)
    assert clock.sleeps == [3, 3, 2]
    assert res['changed'] is True and res['phase'] == 'Completed' and res['seconds'] == 90.0
    assert res['warning_count'] == 2 and res['error_count'] == 0
    assert res['restore']['spec'] == {'backupName': 'prod', 'includedNamespaces': ['production'],
                                      'existingResourcePolicy': 'none', 'namespaceMapping': {'production': 'prod2'}}
    again = run_module(velero_restore, {'name': 'r1', 'backup': 'prod'}, client)
    assert again['changed'] is False and again['phase'] == 'Completed'


def test_restore_check_mode_creates_nothing(run_module, clock):
    client = VeleroClient()
    client.add(velero_obj('Backup', 'prod', 'Completed', includedNamespaces=['production']))
    res = run_module(velero_restore, {'name': 'r1', 'backup': 'prod'}, client, check_mode=True)
    assert res == {'changed': True, 'restore': res['restore'], 'phase': 'New', 'warning_count': 0, 'error_count': 0}
    assert not [c for c in client.calls if c[0] == 'create'] and clock.sleeps == []


def test_restore_of_a_backup_that_never_appears_says_where_to_look(run_module, clock):
    with pytest.raises(FailJson) as err:
        run_module(velero_restore, {'name': 'r1', 'backup': 'prod', 'wait_timeout': 9}, VeleroClient())
    assert err.value.args[0]['msg'].startswith('velero_restore: backup prod is not in this cluster after 9s: it is in '
                                               'none of its storage locations')
    assert clock.sleeps == [3, 3, 3]


def test_restore_refuses_an_existing_namespace(run_module, clock):
    client = VeleroClient()
    client.add(velero_obj('Backup', 'prod', 'Completed', includedNamespaces=['production']))
    client.add({'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'production'}})
    with pytest.raises(FailJson) as err:
        run_module(velero_restore, {'name': 'r1', 'backup': 'prod'}, client)
    assert err.value.args[0]['refused'] == ['production']


def test_restore_failing_is_reported(run_module, clock):
    client = VeleroClient()
    client.add(velero_obj('Backup', 'prod', 'Completed', includedNamespaces=['production']))
    clock.events[1] = lambda: client.status('Restore', 'r1', 'velero', phase='PartiallyFailed', errors=1, warnings=0)
    with pytest.raises(FailJson) as err:
        run_module(velero_restore, {'name': 'r1', 'backup': 'prod', 'existing_namespace': 'allow'}, client)
    assert err.value.args[0]['msg'] == ('velero_restore: restore r1 is PartiallyFailed: 1 error(s), 0 warning(s) '
                                        '(velero restore logs r1)')
    assert 'seconds' not in err.value.args[0]


# --- velero_backup -----------------------------------------------------------------------


def test_backup_from_a_schedule_waits_for_its_phase(run_module, clock):
    client = VeleroClient()
    client.add(velero_obj('Schedule', 'nightly', template={'includedNamespaces': ['production'], 'ttl': '720h0m0s'}))
    clock.events[1] = lambda: client.status('Backup', 'now', 'velero', phase='Completed', **FINISHED)
    res = run_module(velero_backup, {'name': 'now', 'from_schedule': 'nightly'}, client)
    assert res['changed'] is True and res['phase'] == 'Completed' and res['seconds'] == 90.0 and 'reason' not in res
    assert res['backup']['metadata']['labels']['velero.io/schedule-name'] == 'nightly'
    assert res['backup']['spec'] == {'includedNamespaces': ['production'], 'ttl': '720h0m0s'}
    assert clock.sleeps == [2]


def test_backup_check_mode_and_no_wait(run_module, clock):
    client = VeleroClient()
    res = run_module(velero_backup, {'name': 'now', 'ttl': '48h'}, client, check_mode=True)
    assert res['changed'] is True and res['phase'] == 'New' and res['backup']['spec']['ttl'] == '48h0m0s'
    assert not client.store
    res = run_module(velero_backup, {'name': 'now', 'wait': False}, client)
    assert res['changed'] is True and res['phase'] == 'New' and clock.sleeps == []


def test_backup_still_running_at_the_timeout(run_module, clock):
    client = VeleroClient()
    client.add(velero_obj('Backup', 'now'))
    client.status('Backup', 'now', 'velero', phase='InProgress')
    with pytest.raises(FailJson) as err:
        run_module(velero_backup, {'name': 'now', 'wait_timeout': 4}, client)
    assert err.value.args[0]['msg'] == 'velero_backup: backup now is still InProgress after 4s'
    assert err.value.args[0]['changed'] is False and clock.sleeps == [2, 2]
