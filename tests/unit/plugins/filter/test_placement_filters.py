# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter import karmada_replicas, traffic_weights
from mission_examples import TOPOLOGY, load

FILTERS = dict(karmada_replicas.FilterModule().filters(), **traffic_weights.FilterModule().filters())


def test_filters_registered():
    assert set(FILTERS) == {'karmada_replicas', 'traffic_weights'}


def test_example_01_duplicated_full_count_everywhere():
    pp = load('01-nginx-propagation.yaml')[0]
    got = FILTERS['karmada_replicas'](TOPOLOGY, pp['spec']['placement'], 3)
    assert got == {'cluster-beijing': 3, 'cluster-shanghai': 3, 'cluster-guangzhou': 3}


def test_example_02_translated_placement_60_40():
    placement = {
        'clusterAffinity': {'labelSelector': {'matchLabels': {'environment': 'production',
                                                              'region': 'east-china'}}},
        'replicaScheduling': {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted',
                              'weightPreference': {'staticWeightList': [
                                  {'targetCluster': {'clusterNames': ['cluster-shanghai']}, 'weight': 60},
                                  {'targetCluster': {'clusterNames': ['cluster-hangzhou']}, 'weight': 40}]}},
    }
    assert FILTERS['karmada_replicas'](TOPOLOGY, placement, 10) == {'cluster-shanghai': 6, 'cluster-hangzhou': 4}
    # 5 replicas: quotas 3 and 2 exactly.
    assert FILTERS['karmada_replicas'](TOPOLOGY, placement, 5) == {'cluster-shanghai': 3, 'cluster-hangzhou': 2}


def test_errors_surface_as_filter_errors():
    placement = {'replicaScheduling': {'replicaSchedulingType': 'Divided',
                                       'replicaDivisionPreference': 'Aggregated'}}
    clusters = [{'name': 'a', 'available_replicas': 1}, {'name': 'b', 'available_replicas': 1}]
    with pytest.raises(AnsibleFilterError, match='not enough to schedule'):
        FILTERS['karmada_replicas'](clusters, placement, 5)
    with pytest.raises(AnsibleFilterError, match='traffic_weights'):
        FILTERS['traffic_weights']({'a': 0})


def test_traffic_weights_filter():
    assert FILTERS['traffic_weights']({'a': 2, 'b': 1}, True) == {'a': 67, 'b': 33}
