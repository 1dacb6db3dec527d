# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""propagation_policy, override_policy, federated_deployment and placement_info with a faked client."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from mission_examples import TOPOLOGY, load
from placement_fakes import FailJson, FakeClient, run_module  # noqa: F401 pylint: disable=unused-import

from ansible_collections.fleetops.kurator.plugins.modules import (
    federated_deployment, override_policy, placement_info, propagation_policy)


def applies(client):
    return [c for c in client.calls if c[0] == 'apply']


# --- propagation_policy ---------------------------------------------------------

def test_example_01_apply_idempotent_check_and_diff(run_module):
    pp = load('01-nginx-propagation.yaml')[0]
    client = FakeClient()
    client.add({'apiVersion': 'apps/v1', 'kind': 'Deployment',
                'metadata': {'name': 'nginx', 'namespace': 'default', 'uid': 'u-1'}, 'spec': {'replicas': 2}})
    args = {'name': 'nginx-propagation', 'spec': pp['spec'], 'member_clusters': TOPOLOGY}
    # check mode: dry run, nothing stored, but a change is predicted with a diff
    res = run_module(propagation_policy, args, client, check_mode=True, diff=True)
    assert res['changed'] is True
    assert res['diff']['before'] == {} and res['diff']['after']['kind'] == 'PropagationPolicy'
    assert applies(client)[-1][-1] is True  # dry_run
    assert ('policy.karmada.io/v1alpha1', 'PropagationPolicy', 'default', 'nginx-propagation') not in client.store
    # real run
    res = run_module(propagation_policy, args, client)
    assert res['changed'] is True
    assert res['plan'] == {'cluster-beijing': 2, 'cluster-shanghai': 2, 'cluster-guangzhou': 2}
    stored = client.store[('policy.karmada.io/v1alpha1', 'PropagationPolicy', 'default', 'nginx-propagation')]
    assert stored['spec']['resourceSelectors'][0]['namespace'] == 'default'
    # second run: no change; check mode also reports none
    assert run_module(propagation_policy, args, client)['changed'] is False
    assert run_module(propagation_policy, args, client, check_mode=True)['changed'] is False


def test_example_02_translations_warnings_and_plan(run_module):
    cpp = load('02-frontend-weighted.yaml')[0]
    client = FakeClient()
    res = run_module(propagation_policy, {'name': 'frontend-app', 'cluster_scoped': True, 'spec': cpp['spec'],
                                          'replicas': 10, 'uid': '', 'member_clusters': TOPOLOGY}, client)
    assert res['plan'] == {'cluster-shanghai': 6, 'cluster-hangzhou': 4}
    assert any('staticWeightList' in t for t in res['translations'])
    assert any('Aggregated' in w for w in res['placement_warnings'])
    obj = res['object']
    assert obj['kind'] == 'ClusterPropagationPolicy'
    assert 'weightList' not in obj['spec']['placement']['replicaScheduling']


def test_invalid_policy_is_rejected_before_sending(run_module):
    client = FakeClient()
    spec = {'resourceSelectors': [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'x'}],
            'placement': {'spreadConstraints': [{'spreadByField': 'cluster', 'minGroups': 1},
                                                {'spreadByField': 'region', 'minGroups': 3, 'maxGroups': 2}]}}
    with pytest.raises(FailJson) as exc:
        run_module(propagation_policy, {'name': 'bad', 'spec': spec}, client)
    assert 'spec.placement.spreadConstraints[1].maxGroups' in exc.value.args[0]['msg']
    assert applies(client) == []


def test_short_form_and_mutual_exclusion(run_module):
    client = FakeClient()
    res = run_module(propagation_policy, {
        'name': 'api', 'namespace': 'shop',
        'resources': [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'api'}],
        'cluster_labels': {'region': 'east-china'}, 'mode': 'weighted',
        'weights': {'cluster-shanghai': 3, 'cluster-hangzhou': 1}, 'replicas': 8, 'member_clusters': TOPOLOGY}, client)
    assert res['plan'] == {'cluster-shanghai': 6, 'cluster-hangzhou': 2}
    with pytest.raises(FailJson):
        run_module(propagation_policy, {'name': 'x', 'spec': {}, 'clusters': ['a']}, client)


def test_absent_deletes_only_the_policy(run_module):
    client = FakeClient()
    client.add({'apiVersion': 'policy.karmada.io/v1alpha1', 'kind': 'PropagationPolicy',
                'metadata': {'name': 'p', 'namespace': 'default'}, 'spec': {}})
    client.add({'apiVersion': 'policy.karmada.io/v1alpha1', 'kind': 'PropagationPolicy',
                'metadata': {'name': 'other', 'namespace': 'default'}, 'spec': {}})
    assert run_module(propagation_policy, {'name': 'p', 'state': 'absent'}, client)['changed'] is True
    assert run_module(propagation_policy, {'name': 'p', 'state': 'absent'}, client)['changed'] is False
    assert len(client.store) == 1


# --- override_policy ------------------------------------------------------------

def test_override_policy_apply_and_reject(run_module):
    client = FakeClient()
    spec = {'resourceSelectors': [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'nginx'}],
            'overrideRules': [{'targetCluster': {'clusterNames': ['cluster-beijing']},
                               'overriders': {'imageOverrider': [{'component': 'Registry', 'operator': 'replace',
                                                                  'value': 'mirror.local'}]}}]}
    res = run_module(override_policy, {'name': 'op', 'spec': spec}, client)
    assert res['changed'] is True and res['object']['kind'] == 'OverridePolicy'
    assert run_module(override_policy, {'name': 'op', 'spec': spec}, client)['changed'] is False
    bad = dict(spec, targetCluster={'clusterNames': ['a']})
    with pytest.raises(FailJson) as exc:
        run_module(override_policy, {'name': 'op2', 'spec': bad}, client)
    assert 'spec.targetCluster' in exc.value.args[0]['msg']


# --- federated_deployment -------------------------------------------------------

def test_example_07_present_idempotent_absent(run_module):
    docs = load('07-federated-deployment.yaml')
    client = FakeClient()
    unrelated = {'apiVersion': 'apps/v1', 'kind': 'Deployment',
                 'metadata': {'name': 'unrelated', 'namespace': 'default', 'labels': {'app': 'frontend'}}}
    client.add(unrelated)
    res = run_module(federated_deployment, {'definition': docs}, client, diff=True)
    assert res['changed'] is True
    assert res['plan'] == {'cluster-beijing': 2, 'cluster-shanghai': 1}
    kinds = ['Deployment', 'Service', 'Ingress', 'PropagationPolicy', 'PropagationPolicy']
    assert [o['kind'] for o in res['objects']] == kinds
    assert len(res['diff']['after']) == 5
    assert run_module(federated_deployment, {'definition': docs}, client)['changed'] is False
    # check-mode absent predicts deletions but keeps everything
    res = run_module(federated_deployment, {'name': 'frontend-app', 'state': 'absent'}, client, check_mode=True)
    assert res['changed'] is True and len(res['deleted']) == 5 and len(client.store) == 6
    res = run_module(federated_deployment, {'name': 'frontend-app', 'state': 'absent'}, client)
    assert len(res['deleted']) == 5
    # Exactly what it created is gone; the unrelated Deployment stays.
    assert list(client.store.values()) == [unrelated]
    assert run_module(federated_deployment, {'name': 'frontend-app', 'state': 'absent'}, client)['changed'] is False


def test_federated_companion_secret_values_never_leave_the_module(run_module):
    """A companion Secret is applied, but its values appear in no result or diff (keys only;
    a changed key is marked changed), on apply, on change and on removal."""
    import base64
    import json
    docs = load('07-federated-deployment.yaml')
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'frontend-db', 'namespace': 'default'},
              'data': {'password': base64.b64encode(b'hunter2-original').decode(), 'user': base64.b64encode(b'app').decode()}}
    client = FakeClient()
    res = run_module(federated_deployment, {'definition': docs + [secret]}, client, diff=True)
    out = json.dumps(res)
    assert res['changed'] and secret['data']['password'] not in out and secret['data']['user'] not in out
    shown = [o for o in res['diff']['after'] if o.get('kind') == 'Secret'][0]
    assert shown['data'] == {'password': '<redacted, changed>', 'user': '<redacted, changed>'}
    changed = dict(secret, data=dict(secret['data'], password=base64.b64encode(b'hunter2-rotated').decode()))
    res = run_module(federated_deployment, {'definition': docs + [changed]}, client, diff=True)
    out = json.dumps(res)
    assert changed['data']['password'] not in out and secret['data']['password'] not in out
    before = [o for o in res['diff']['before'] if o.get('kind') == 'Secret'][0]
    after = [o for o in res['diff']['after'] if o.get('kind') == 'Secret'][0]
    assert before['data'] == after['data'] == {'password': '<redacted, changed>', 'user': '<redacted>'}
    res = run_module(federated_deployment, {'name': 'frontend-app', 'state': 'absent'}, client, diff=True)
    assert changed['data']['password'] not in json.dumps(res)


def test_federated_prunes_dropped_companions(run_module):
    docs = load('07-federated-deployment.yaml')
    client = FakeClient()
    run_module(federated_deployment, {'definition': docs}, client)
    without_ingress = [d for d in docs if d['kind'] != 'Ingress']
    res = run_module(federated_deployment, {'definition': without_ingress}, client)
    assert res['changed'] is True
    assert [d['kind'] for d in res['deleted']] == ['Ingress']


# --- placement_info ---------------------------------------------------------------

def test_placement_info_compares_binding(run_module):
    client = FakeClient()
    placement = {'clusterAffinity': {'clusterNames': ['cluster-beijing', 'cluster-shanghai']},
                 'replicaScheduling': {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted',
                                       'weightPreference': {'staticWeightList': [
                                           {'targetCluster': {'clusterNames': ['cluster-beijing']}, 'weight': 2},
                                           {'targetCluster': {'clusterNames': ['cluster-shanghai']}, 'weight': 1}]}}}
    for name, clusters in (('good-deployment', [{'name': 'cluster-beijing', 'replicas': 2},
                                                {'name': 'cluster-shanghai', 'replicas': 1}]),
                           ('odd-deployment', [{'name': 'cluster-beijing', 'replicas': 3}])):
        client.add({'apiVersion': 'work.karmada.io/v1alpha2', 'kind': 'ResourceBinding',
                    'metadata': {'name': name, 'namespace': 'default'},
                    'spec': {'resource': {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': name[:-11],
                                          'uid': 'abc'},
                             'replicas': 3, 'placement': placement, 'clusters': clusters}})
    for c in TOPOLOGY:
        client.add({'apiVersion': 'cluster.karmada.io/v1alpha1', 'kind': 'Cluster',
                    'metadata': {'name': c['name'], 'labels': c['labels']}, 'spec': {}})
    res = run_module(placement_info, {'namespace': 'default'}, client, check_mode=True)
    assert res['changed'] is False
    by_name = dict((b['name'], b) for b in res['bindings'])
    assert by_name['good-deployment']['match'] is True
    assert by_name['good-deployment']['plan'] == {'cluster-beijing': 2, 'cluster-shanghai': 1}
    assert by_name['odd-deployment']['match'] is False
    res = run_module(placement_info, {'resource_name': 'good'}, client)
    assert [b['name'] for b in res['bindings']] == ['good-deployment']


def test_member_clusters_keeps_its_earlier_name_topology(run_module):
    """member_clusters was called topology: the alias gives the same plan in both modules."""
    cpp = load('02-frontend-weighted.yaml')[0]
    results = [run_module(propagation_policy, {'name': 'frontend-app', 'cluster_scoped': True, 'spec': cpp['spec'],
                                               'replicas': 10, 'uid': '', key: TOPOLOGY}, FakeClient())
               for key in ('member_clusters', 'topology')]
    assert [r['plan'] for r in results] == [{'cluster-shanghai': 6, 'cluster-hangzhou': 4}] * 2
    client = FakeClient()
    client.add({'apiVersion': 'work.karmada.io/v1alpha2', 'kind': 'ResourceBinding',
                'metadata': {'name': 'frontend-app-deployment', 'namespace': 'default'},
                'spec': {'resource': {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'frontend-app', 'uid': ''},
                         'replicas': 10, 'placement': results[0]['object']['spec']['placement'],
                         'clusters': [{'name': 'cluster-shanghai', 'replicas': 6}, {'name': 'cluster-hangzhou', 'replicas': 4}]}})
    plans = [run_module(placement_info, {key: TOPOLOGY}, client)['bindings'][0]['plan']
             for key in ('member_clusters', 'topology')]
    assert plans == [{'cluster-shanghai': 6, 'cluster-hangzhou': 4}] * 2


def test_objects_of_the_legacy_field_manager_are_handed_over():
    """An object applied before 0.1.0 as field manager fleetops.kurator (label value too) moves to the one
    identity: its managed-fields entry is renamed (ownership intact, no conflict), its label follows,
    and the next apply changes nothing."""
    from ansible_collections.fleetops.kurator.plugins.module_utils._identity import FIELD_MANAGER, MANAGED_BY
    from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier

    class Module(object):
        def __init__(self, check_mode):
            self.check_mode = check_mode

    def apply(client, check_mode=False):
        client.dry_run = check_mode
        return Applier(Module(check_mode), client=client).apply([copy.deepcopy(wanted)])[0]

    wanted = {'apiVersion': 'v1', 'kind': 'ConfigMap',
              'metadata': {'name': 'c', 'namespace': 'default', 'labels': {'app.kubernetes.io/managed-by': MANAGED_BY}},
              'data': {'a': '1'}}
    client = FakeClient()
    key = ('v1', 'ConfigMap', 'default', 'c')
    client.add({'apiVersion': 'v1', 'kind': 'ConfigMap', 'data': {'a': '1'},
                'metadata': {'name': 'c', 'namespace': 'default', 'labels': {'app.kubernetes.io/managed-by': 'fleetops.kurator'},
                             'managedFields': [{'manager': 'kubectl-edit', 'operation': 'Update'},
                                               {'manager': 'fleetops.kurator', 'operation': 'Apply'}]}})
    # check mode: predicted (the label), the hand-over sent as a dry run, nothing stored
    assert apply(client, check_mode=True) is True
    assert [c[0] for c in client.calls].count('patch') == 1 and client.apply_params[-1]['force_conflicts'] is True
    assert client.store[key]['metadata']['managedFields'][1]['manager'] == 'fleetops.kurator'
    # real run: the entry renamed in place, the label ours again, no forced apply
    assert apply(client) is True and client.apply_params[-1]['force_conflicts'] is False
    stored = client.store[key]
    assert [(e['manager'], e['operation']) for e in stored['metadata']['managedFields']] == [
        ('kubectl-edit', 'Update'), (FIELD_MANAGER, 'Apply')]
    assert stored['metadata']['labels']['app.kubernetes.io/managed-by'] == MANAGED_BY
    assert apply(client) is False and apply(client, check_mode=True) is False
    assert [c[0] for c in client.calls].count('patch') == 2, 'nothing left to hand over'
    # both names present (an interrupted hand-over): the legacy entry only goes
    stored['metadata']['managedFields'].append({'manager': 'fleetops.kurator', 'operation': 'Apply'})
    assert apply(client) is False
    assert [e['manager'] for e in client.store[key]['metadata']['managedFields']] == ['kubectl-edit', FIELD_MANAGER]
