# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""_volcano: the seed Job's checks (field paths), Volcano's defaults, the gang's request and fit."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
from decimal import Decimal

import pytest

from mission_examples import load

from ansible_collections.fleetops.kurator.plugins.module_utils._volcano import (
    check_against_cluster, check_job, complete_job, gang_request, karmada_fit, quantity)

SEED = load('04-volcano-tf-job.yaml')[0]
QUEUES = [{'metadata': {'name': 'default'}, 'status': {'state': 'Open'}},
          {'metadata': {'name': 'q-high'}, 'status': {'state': 'Open'}},
          {'metadata': {'name': 'q-closed'}, 'status': {'state': 'Closed'}}]


def node(name, gpu=0, labels=None, unschedulable=False):
    alloc = {'cpu': '32', 'memory': '128Gi', 'pods': '110'}
    if gpu:
        alloc['nvidia.com/gpu'] = str(gpu)
    return {'metadata': {'name': name, 'labels': labels or {}}, 'spec': {'unschedulable': unschedulable},
            'status': {'allocatable': alloc}}


GPU_CLUSTER = [node('w-1', labels={'node-type': 'cpu'}), node('g-1', 4, {'node-type': 'gpu'})]
CPU_CLUSTER = [node('w-1', labels={'node-type': 'cpu'}), node('w-2', labels={'node-type': 'cpu'})]


def seed(**spec):
    job = copy.deepcopy(SEED)
    job['spec'].update(spec)
    return job


def test_seed_as_is_is_valid_and_fits_a_gpu_cluster():
    assert check_job(SEED) == []
    assert check_against_cluster(SEED, 'cluster-beijing', QUEUES, GPU_CLUSTER) == []


def test_min_available_larger_than_the_replicas():
    errors = check_job(seed(minAvailable=4))
    assert errors == ['spec.minAvailable: 4 is larger than the sum of spec.tasks[].replicas (3): the gang could never start']


def test_task_without_a_name_and_duplicates():
    job = seed()
    del job['spec']['tasks'][1]['name']
    errors = check_job(job)
    assert len(errors) == 1 and errors[0].startswith('spec.tasks[1].name: missing')
    job['spec']['tasks'][1]['name'] = 'ps'
    assert check_job(job) == ["spec.tasks[1].name: 'ps' is already the name of spec.tasks[0]; task names must be unique"]
    job['spec']['tasks'][1]['name'] = 'Worker_1'
    assert check_job(job)[0].startswith("spec.tasks[1].name: got 'Worker_1'; must consist of lower-case")


def test_every_problem_at_once():
    job = seed(minAvailable=9, queue='')
    del job['spec']['tasks'][0]['name']
    job['spec']['tasks'][1]['minAvailable'] = 5
    job['spec']['tasks'][1]['template']['spec']['containers'][0]['resources']['limits']['cpu'] = 'two'
    paths = [e.split(':')[0] for e in check_job(job)]
    assert paths == ['spec.tasks[0].name', 'spec.tasks[1].minAvailable',
                     'spec.tasks[1].template.spec.containers[0].resources.limits[cpu]', 'spec.minAvailable', 'spec.queue']


def test_not_a_job():
    assert check_job([])[0].startswith('definition: got []')
    errors = check_job({'apiVersion': 'batch/v1', 'kind': 'Job', 'metadata': {}, 'spec': {'tasks': []}})
    assert [e.split(':')[0] for e in errors] == ['apiVersion/kind', 'metadata.name', 'spec.tasks']


def test_queue_missing_or_closed():
    assert check_against_cluster(seed(queue='q-none'), 'cluster-beijing', QUEUES, GPU_CLUSTER) == [
        "spec.queue: queue 'q-none' does not exist in cluster-beijing (queues there: default, q-closed, q-high)"]
    assert 'is Closed' in check_against_cluster(seed(queue='q-closed'), 'c', QUEUES, GPU_CLUSTER)[0]
    # no queue set: Volcano's default queue must exist
    assert check_against_cluster(seed(), 'c', QUEUES[1:], GPU_CLUSTER)[0].startswith("spec.queue: queue 'default'")


def test_gpu_request_on_a_cluster_without_gpu_nodes():
    job = seed()
    worker = job['spec']['tasks'][1]['template']['spec']
    worker['containers'][0]['resources']['limits']['nvidia.com/gpu'] = 1
    del worker['nodeSelector']
    assert check_against_cluster(job, 'cluster-beijing', QUEUES, GPU_CLUSTER) == []
    assert check_against_cluster(job, 'cluster-shanghai', QUEUES, CPU_CLUSTER) == [
        "spec.tasks[1].template.spec.containers[0].resources.limits[nvidia.com/gpu]: task 'worker' requests 1 "
        "nvidia.com/gpu, but no node of cluster-shanghai offers nvidia.com/gpu (no GPU nodes there)"]
    # a cordoned GPU node offers nothing
    cordoned = [node('g-1', 4, {'node-type': 'gpu'}, unschedulable=True)]
    assert len(check_against_cluster(job, 'c', QUEUES, cordoned)) == 1


def test_seed_node_selector_on_a_cluster_without_gpu_nodes():
    assert check_against_cluster(SEED, 'cluster-shanghai', QUEUES, CPU_CLUSTER) == [
        'spec.tasks[1].template.spec.nodeSelector: node-type=gpu matches no schedulable node of cluster-shanghai']


def test_complete_job_writes_the_webhook_defaults_and_images():
    job, notes = complete_job(SEED, 'ml', {'*': 'agnhost:2.59'})
    spec = job['spec']
    assert job['metadata']['namespace'] == 'ml'
    assert spec['queue'] == 'default' and spec['schedulerName'] == 'volcano' and spec['maxRetry'] == 3
    assert [t['minAvailable'] for t in spec['tasks']] == [1, 2] and spec['minAvailable'] == 3
    assert {c['image'] for t in spec['tasks'] for c in t['template']['spec']['containers']} == {'agnhost:2.59'}
    assert len(notes) == 3 and 'tensorflow/tensorflow:2.8.0 -> agnhost:2.59' in notes[0]
    assert SEED['spec']['tasks'][0]['template']['spec']['containers'][0]['image'] == 'tensorflow/tensorflow:2.8.0'
    # per task, and a complete job needs nothing more
    job2, dummy = complete_job(SEED, 'ml', {'worker': 'w:1'})
    assert job2['spec']['tasks'][0]['template']['spec']['containers'][0]['image'] == 'tensorflow/tensorflow:2.8.0'
    assert complete_job(job, 'other', {'*': 'agnhost:2.59'}) == (job, [])


@pytest.mark.parametrize('text,value', [('500m', '0.5'), ('4Gi', str(4 * 1024 ** 3)), (2, '2'), ('1e3', '1000'),
                                        ('1.5', '1.5'), ('2k', '2000')])
def test_quantity(text, value):
    assert quantity(text) == Decimal(value)


def test_quantity_rejects():
    for bad in ('two', '1Xi', True, None):
        with pytest.raises(ValueError):
            quantity(bad)


def test_gang_request_limits_stand_for_requests():
    need = gang_request(SEED)
    assert need['cpu'] == 5 and need['memory'] == 20 * 1024 ** 3 and need['pods'] == 3


def summary(name, gpu_free, allocatable_gpu=8):
    return {'metadata': {'name': name}, 'status': {'resourceSummary': {
        'allocatable': {'cpu': '224', 'memory': '1280Gi', 'pods': '770', 'nvidia.com/gpu': str(allocatable_gpu)},
        'allocated': {'cpu': '10', 'memory': '10Gi', 'pods': '20', 'nvidia.com/gpu': str(allocatable_gpu - gpu_free)}}}}


def test_karmada_fit_picks_the_member_with_free_gpus():
    job = seed()
    job['spec']['tasks'][1]['template']['spec']['containers'][0]['resources']['limits']['nvidia.com/gpu'] = 4
    fits, need = karmada_fit(job, [summary('cluster-shanghai', 4), summary('cluster-beijing', 8),
                                   summary('cluster-guangzhou', 0)])
    assert need['nvidia.com/gpu'] == '8'
    assert [(c['name'], c['fits']) for c in fits] == [
        ('cluster-beijing', True), ('cluster-shanghai', False), ('cluster-guangzhou', False)]
    assert fits[1]['short'] == {'nvidia.com/gpu': '4'} and fits[1]['free_gpu'] == '4'


def test_cluster_without_volcano():
    errors = check_against_cluster(SEED, 'host', None, CPU_CLUSTER)
    assert errors[0].startswith('spec.queue: Volcano is not installed in host') and len(errors) == 2
