# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""kurator_fleet and kurator_application with a faked client and Kurator's real CRD schemas."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json

import pytest

from kurator_crds import crd_dir
from placement_fakes import FailJson, FakeClient, run_module  # noqa: F401 pylint: disable=unused-import

from ansible_collections.fleetops.kurator.plugins.modules import kurator_application, kurator_fleet

SECRET = 'a2V5LXRoYXQtbXVzdC1ub3QtbGVhaw=='   # the client key in the kubeconfig


def kubeconfig(port):
    return {'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'admin',
            'clusters': [{'name': 'c', 'cluster': {'server': 'https://127.0.0.1:%d' % port}}],
            'users': [{'name': 'u', 'user': {'client-key-data': SECRET, 'client-certificate-data': 'Y2VydA=='}}],
            'contexts': [{'name': 'admin', 'context': {'cluster': 'c', 'user': 'u'}}]}


def fleet_args(names=('cluster-beijing', 'cluster-shanghai'), **extra):
    args = {'name': 'fleetops', 'namespace': 'kurator-fleet', 'crds': crd_dir(),
            'clusters': [{'name': n, 'kubeconfig': kubeconfig(6444 + i), 'api_endpoint': 'https://172.31.250.1:%d' % (6444 + i),
                          'labels': {'environment': 'staging'}} for i, n in enumerate(names)]}
    args.update(extra)
    return args


def stored(client, kind):
    return sorted(k[3] for k in client.store if k[1] == kind)


def test_fleet_apply_idempotent_check_prune_absent(run_module):
    client = FakeClient()
    res = run_module(kurator_fleet, fleet_args(), client, check_mode=True, diff=True)
    assert res['changed'] and not client.store
    res = run_module(kurator_fleet, fleet_args(), client, diff=True)
    assert res['changed']
    assert stored(client, 'AttachedCluster') == ['cluster-beijing', 'cluster-shanghai']
    assert stored(client, 'Secret') == ['cluster-beijing-kubeconfig', 'cluster-shanghai-kubeconfig']
    fl = client.store[('fleet.kurator.dev/v1alpha1', 'Fleet', 'kurator-fleet', 'fleetops')]
    assert [c['name'] for c in fl['spec']['clusters']] == ['cluster-beijing', 'cluster-shanghai']
    secret = client.store[('v1', 'Secret', 'kurator-fleet', 'cluster-beijing-kubeconfig')]
    kc = json.loads(base64.b64decode(secret['data']['value']))
    assert kc['clusters'][0]['cluster']['server'] == 'https://172.31.250.1:6444'
    # the kubeconfig never leaves the module: not in the result, not in the diff
    assert SECRET not in json.dumps(res) and secret['data']['value'] not in json.dumps(res)
    assert run_module(kurator_fleet, fleet_args(), client)['changed'] is False
    assert run_module(kurator_fleet, fleet_args(), client, check_mode=True, diff=True)['changed'] is False
    # a cluster dropped from the list: its AttachedCluster and Secret go, nothing else
    client.add({'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'unrelated', 'namespace': 'kurator-fleet'}})
    res = run_module(kurator_fleet, fleet_args(names=('cluster-beijing',)), client, diff=True)
    assert res['changed']
    assert sorted((d['kind'], d['name']) for d in res['deleted']) == [
        ('AttachedCluster', 'cluster-shanghai'), ('Secret', 'cluster-shanghai-kubeconfig')]
    assert stored(client, 'Secret') == ['cluster-beijing-kubeconfig', 'unrelated']
    fl = client.store[('fleet.kurator.dev/v1alpha1', 'Fleet', 'kurator-fleet', 'fleetops')]
    assert [c['name'] for c in fl['spec']['clusters']] == ['cluster-beijing']
    assert SECRET not in json.dumps(res)
    res = run_module(kurator_fleet, {'name': 'fleetops', 'namespace': 'kurator-fleet', 'state': 'absent'}, client)
    assert res['changed'] and stored(client, 'AttachedCluster') == [] and stored(client, 'Secret') == ['unrelated']


def test_fleet_schema_error_names_the_field_and_sends_nothing(run_module):
    client = FakeClient()
    args = fleet_args(plugin={'metric': {'thanos': {'objectStoreConfig': {'secretNmae': 'x'}}},
                              'backup': {'storage': {'secretName': 7, 'location': {'bucket': 'b', 'provider': 'aws'}}}})
    with pytest.raises(FailJson) as exc:
        run_module(kurator_fleet, args, client)
    out = exc.value.args[0]
    text = '\n'.join(out['errors'])
    assert 'spec.plugin.metric.thanos.objectStoreConfig.secretNmae' in text and "did you mean 'secretName'" in text
    assert 'spec.plugin.backup.storage.secretName: got 7; expected a string' in text
    assert 'nothing was applied' in out['msg']
    assert not [c for c in client.calls if c[0] == 'apply']


def test_fleet_bad_kubeconfig_is_reported_per_cluster(run_module):
    args = fleet_args()
    args['clusters'][1]['kubeconfig'] = '/nonexistent/kc'
    args['clusters'][0]['context'] = 'missing'
    with pytest.raises(FailJson) as exc:
        run_module(kurator_fleet, args, FakeClient())
    errors = exc.value.args[0]['errors']
    assert errors[0].startswith('clusters[0].kubeconfig: ') and "no context named 'missing'" in errors[0]
    assert errors[1].startswith('clusters[1].kubeconfig: cannot read the kubeconfig /nonexistent/kc')


APP = {'name': 'podinfo', 'namespace': 'kurator-fleet', 'fleet': 'fleetops', 'cluster_selector': {'environment': 'staging'},
       'source': {'gitRepository': {'url': 'https://github.com/stefanprodan/podinfo', 'interval': '3m0s',
                                    'ref': {'branch': 'master'}}},
       'sync_policies': [{'kustomization': {'path': './deploy/webapp', 'interval': '5m0s', 'prune': True}}]}


def test_application_apply_idempotent_absent(run_module):
    client = FakeClient()
    args = dict(APP, crds=crd_dir())
    assert run_module(kurator_application, args, client)['changed'] is True
    app = client.store[('apps.kurator.dev/v1alpha1', 'Application', 'kurator-fleet', 'podinfo')]
    assert app['spec']['destination']['clusterSelector'] == {'matchLabels': {'environment': 'staging'}}
    assert run_module(kurator_application, args, client)['changed'] is False
    res = run_module(kurator_application, {'name': 'podinfo', 'namespace': 'kurator-fleet', 'state': 'absent'}, client)
    assert res['changed'] and not client.store


def test_application_typo_rejected_before_sending(run_module):
    client = FakeClient()
    args = dict(APP, crds=crd_dir(), sync_policies=[{'kustomisation': {'path': '.', 'interval': '5m', 'prune': True}}])
    with pytest.raises(FailJson) as exc:
        run_module(kurator_application, args, client)
    assert any("spec.syncPolicies[0].kustomisation: got 'kustomisation'" in e and "did you mean 'kustomization'" in e
               for e in exc.value.args[0]['errors'])
    assert not client.calls


def test_validation_off_sends_it_anyway(run_module):
    client = FakeClient()
    args = dict(APP, validate=False, sync_policies=[{'kustomisation': {}}])
    assert run_module(kurator_application, args, client)['changed'] is True


# --- kurator_backup ---------------------------------------------------------------------------

from mission_examples import load  # noqa: E402

from ansible_collections.fleetops.kurator.plugins.modules import kurator_backup  # noqa: E402


def test_backup_from_example_06_with_the_fleets_storage(run_module):
    client = FakeClient()
    client.add({'apiVersion': 'fleet.kurator.dev/v1alpha1', 'kind': 'Fleet',
                'metadata': {'name': 'fleetops', 'namespace': 'kurator-fleet'},
                'spec': {'plugin': {'backup': {'storage': {'location': {'bucket': 'velero-backups', 'provider': 'aws'}}}}}})
    args = {'definition': load('06-backup-policy.yaml')[0], 'namespace': 'kurator-fleet', 'fleet': 'fleetops',
            'crds': crd_dir()}
    res = run_module(kurator_backup, args, client)
    assert res['changed']
    backup = client.store[('backup.kurator.dev/v1alpha1', 'Backup', 'kurator-fleet', 'production-backup')]
    assert backup['spec']['policy']['ttl'] == '168h0m0s'
    assert any('bucket kurator-backups, the fleet has velero-backups' in t for t in res['translations'])
    assert run_module(kurator_backup, args, client)['changed'] is False


def test_restore_and_migrate_and_their_required_options(run_module):
    client = FakeClient()
    base = {'namespace': 'kurator-fleet', 'fleet': 'fleetops', 'crds': crd_dir()}
    res = run_module(kurator_backup, dict(base, kind='Restore', name='r', backup_name='production-backup',
                                          clusters=['cluster-shanghai']), client)
    assert res['changed']
    res = run_module(kurator_backup, dict(base, kind='Migrate', name='m', source_cluster='cluster-beijing',
                                          clusters=['cluster-shanghai'], namespaces=['production']), client)
    assert res['changed']
    with pytest.raises(FailJson) as exc:
        run_module(kurator_backup, dict(base, kind='Migrate', name='m2', schedule='@daily'), client)
    text = '\n'.join(exc.value.args[0]['errors'])
    assert 'schedule:' in text and 'source_cluster/clusters' in text
    res = run_module(kurator_backup, {'kind': 'Restore', 'name': 'r', 'namespace': 'kurator-fleet', 'state': 'absent'}, client)
    assert res['changed'] and ('backup.kurator.dev/v1alpha1', 'Restore', 'kurator-fleet', 'r') not in client.store
