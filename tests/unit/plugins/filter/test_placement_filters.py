# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.placement import FilterModule
from mission_examples import TOPOLOGY, load

FILTERS = FilterModule().filters()


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


def test_filter_docs_are_valid_yaml():
    here = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'filter')
    for name in ('karmada_replicas', 'traffic_weights'):
        with open(os.path.join(here, name + '.yml')) as f:
            doc = yaml.safe_load(f)
        assert doc['DOCUMENTATION']['name'] == name
        assert '_input' in doc['DOCUMENTATION']['options']
        assert '_value' in doc['RETURN']
