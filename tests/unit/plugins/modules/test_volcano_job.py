# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""volcano_job with a faked client: checks before anything is sent, idempotence, Karmada placement."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from mission_examples import load
from placement_fakes import FailJson, FakeClient, run_module  # noqa: F401 pylint: disable=unused-import

from ansible_collections.fleetops.kurator.plugins.modules import volcano_job

SEED = load('04-volcano-tf-job.yaml')[0]
JOB_KEY = ('batch.volcano.sh/v1alpha1', 'Job', 'ml', 'tensorflow-training')
POLICY_KEY = ('policy.karmada.io/v1alpha1', 'PropagationPolicy', 'ml', 'tensorflow-training')


def applies(client):
    return [c for c in client.calls if c[0] == 'apply']


def cluster_with(gpu_nodes=1):
    client = FakeClient()
    client.add({'apiVersion': 'scheduling.volcano.sh/v1beta1', 'kind': 'Queue', 'metadata': {'name': 'default'},
                'status': {'state': 'Open'}})
    client.add({'apiVersion': 'v1', 'kind': 'Node', 'metadata': {'name': 'w-1', 'labels': {'node-type': 'cpu'}},
                'status': {'allocatable': {'cpu': '32'}}})
    for i in range(gpu_nodes):
        client.add({'apiVersion': 'v1', 'kind': 'Node', 'metadata': {'name': 'g-%d' % i, 'labels': {'node-type': 'gpu'}},
                    'status': {'allocatable': {'cpu': '64', 'nvidia.com/gpu': '4'}}})
    return client


def test_seed_applied_once_then_unchanged(run_module):
    client = cluster_with()
    args = {'definition': SEED, 'namespace': 'ml', 'images': {'*': 'agnhost:2.59'}, 'cluster': 'cluster-beijing'}
    res = run_module(volcano_job, args, client, check_mode=True, diff=True)
    assert res['changed'] is True and JOB_KEY not in client.store
    res = run_module(volcano_job, args, client)
    assert res['changed'] is True and res['job']['spec']['minAvailable'] == 3
    assert any('defaults written out' in t for t in res['translations'])
    assert run_module(volcano_job, args, client)['changed'] is False
    assert run_module(volcano_job, args, client, check_mode=True)['changed'] is False
    assert run_module(volcano_job, {'name': 'tensorflow-training', 'namespace': 'ml', 'state': 'absent'},
                      client)['changed'] is True
    assert JOB_KEY not in client.store


@pytest.mark.parametrize('mutate,path', [
    (lambda j: j['spec'].update(minAvailable=5), 'spec.minAvailable: 5 is larger than the sum'),
    (lambda j: j['spec']['tasks'][0].pop('name'), 'spec.tasks[0].name: missing'),
])
def test_bad_job_is_rejected_before_anything_is_read(run_module, mutate, path):
    job = copy.deepcopy(SEED)
    mutate(job)
    client = cluster_with()
    with pytest.raises(FailJson) as exc:
        run_module(volcano_job, {'definition': job}, client)
    assert path in exc.value.args[0]['msg'] and client.calls == []


def test_missing_queue_and_no_gpu_nodes_are_rejected_before_apply(run_module):
    job = copy.deepcopy(SEED)
    job['spec']['queue'] = 'q-training'
    job['spec']['tasks'][1]['template']['spec']['containers'][0]['resources']['limits']['nvidia.com/gpu'] = 1
    client = cluster_with(gpu_nodes=0)
    with pytest.raises(FailJson) as exc:
        run_module(volcano_job, {'definition': job, 'cluster': 'cluster-shanghai'}, client)
    errors = exc.value.args[0]['errors']
    assert [e.split(':')[0] for e in errors] == [
        'spec.queue', 'spec.tasks[1].template.spec.containers[0].resources.limits[nvidia.com/gpu]',
        'spec.tasks[1].template.spec.nodeSelector']
    assert 'cluster-shanghai' in errors[0] and applies(client) == []


def member(name, gpu_free, volcano=True):
    enablements = [{'groupVersion': 'apps/v1', 'resources': [{'name': 'deployments', 'kind': 'Deployment'}]}]
    if volcano:
        enablements.append({'groupVersion': 'batch.volcano.sh/v1alpha1', 'resources': [{'name': 'jobs', 'kind': 'Job'}]})
    return {'apiVersion': 'cluster.karmada.io/v1alpha1', 'kind': 'Cluster', 'metadata': {'name': name},
            'status': {'apiEnablements': enablements, 'resourceSummary': {
                'allocatable': {'cpu': '224', 'memory': '1280Gi', 'pods': '770', 'nvidia.com/gpu': '8'},
                'allocated': {'cpu': '4', 'memory': '8Gi', 'pods': '10', 'nvidia.com/gpu': str(8 - gpu_free)}}}}


def gpu_seed():
    job = copy.deepcopy(SEED)
    job['spec']['tasks'][1]['template']['spec']['containers'][0]['resources']['limits']['nvidia.com/gpu'] = 4
    return job


def test_propagate_to_the_member_with_free_gpus_and_keep_it(run_module):
    client = FakeClient()
    for c in (member('cluster-shanghai', 4), member('cluster-beijing', 8), member('cluster-guangzhou', 8, volcano=False)):
        client.add(c)
    args = {'definition': gpu_seed(), 'namespace': 'ml', 'propagate': {}}
    res = run_module(volcano_job, args, client)
    assert res['placement']['cluster'] == 'cluster-beijing' and res['placement']['kept'] is False
    reasons = dict((c['name'], c['reason']) for c in res['placement']['clusters'])
    assert reasons['cluster-shanghai'] == 'not enough free for the whole gang: short of 4 nvidia.com/gpu'
    assert 'Volcano is not installed' in reasons['cluster-guangzhou']
    policy = client.store[POLICY_KEY]
    assert policy['spec']['placement']['clusterAffinity'] == {'clusterNames': ['cluster-beijing']}
    assert policy['spec']['resourceSelectors'][0]['kind'] == 'Job'
    assert [c[1] for c in applies(client)] == ['PropagationPolicy', 'Job']
    # the gang now uses beijing's GPUs: a re-run keeps the placement and changes nothing
    client.add(member('cluster-beijing', 0))
    res = run_module(volcano_job, args, client)
    assert res['changed'] is False and res['placement'] == dict(res['placement'], cluster='cluster-beijing', kept=True)
    res = run_module(volcano_job, dict(args, state='absent'), client)
    assert res['changed'] is True and POLICY_KEY not in client.store and JOB_KEY not in client.store


def test_propagate_fails_when_no_member_fits(run_module):
    client = FakeClient()
    client.add(member('cluster-beijing', 2))
    with pytest.raises(FailJson) as exc:
        run_module(volcano_job, {'definition': gpu_seed(), 'namespace': 'ml', 'propagate': {}}, client)
    assert 'no member cluster can run the whole gang' in exc.value.args[0]['msg']
    assert 'cluster-beijing: not enough free' in exc.value.args[0]['msg'] and applies(client) == []
    with pytest.raises(FailJson) as exc:
        run_module(volcano_job, {'definition': gpu_seed(), 'propagate': {'clusters': ['cluster-x']}}, client)
    assert 'propagate.clusters: cluster-x is not a Karmada member cluster' in exc.value.args[0]['msg']
