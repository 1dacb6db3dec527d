# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Upstream Karmada v1.18.2 test vectors, re-written as data.

Each block names the Go test it comes from.  Inputs and expected outputs are
the upstream ones; only the notation changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.fleetops.kurator.plugins.module_utils import _placement as P

EVEN_UID = '4858ca61-3ff8-4095-8267-f3d059d8074c'
ODD_UID = 'd43fdeeb-d750-4e2b-bee3-64eb94534f4c'
M1, M2, M3, M4 = 'member1', 'member2', 'member3', 'member4'


def both(func):
    """Run a vector through the fast path and the per-replica reference."""
    return pytest.mark.parametrize('fast', [True, False], ids=['fast', 'reference'])(func)


# --- pkg/util/helper/webstermethod_test.go -----------------------------------

WIKI = {'PartyA': 100000, 'PartyB': 80000, 'PartyC': 30000, 'PartyD': 20000}
WEBSTER_VECTORS = [
    # (name, seats, votes, initial, descending, expected seats)
    ('example 1200/900/400', 4, {'Alpha': 1200, 'Beta': 900, 'Gamma': 400}, None, False,
     {'Alpha': 2, 'Beta': 1, 'Gamma': 1}),
    ('classic round 1', 1, WIKI, None, False, {'PartyA': 1, 'PartyB': 0, 'PartyC': 0, 'PartyD': 0}),
    ('classic round 2', 2, WIKI, None, False, {'PartyA': 1, 'PartyB': 1, 'PartyC': 0, 'PartyD': 0}),
    ('classic round 3', 3, WIKI, None, False, {'PartyA': 2, 'PartyB': 1, 'PartyC': 0, 'PartyD': 0}),
    ('classic round 4', 4, WIKI, None, False, {'PartyA': 2, 'PartyB': 1, 'PartyC': 1, 'PartyD': 0}),
    ('classic round 5', 5, WIKI, None, False, {'PartyA': 2, 'PartyB': 2, 'PartyC': 1, 'PartyD': 0}),
    ('classic round 6', 6, WIKI, None, False, {'PartyA': 2, 'PartyB': 2, 'PartyC': 1, 'PartyD': 1}),
    ('classic round 7', 7, WIKI, None, False, {'PartyA': 3, 'PartyB': 2, 'PartyC': 1, 'PartyD': 1}),
    ('classic round 8', 8, WIKI, None, False, {'PartyA': 3, 'PartyB': 3, 'PartyC': 1, 'PartyD': 1}),
    ('empty party votes', 1, {}, None, False, {}),
    ('newSeats 0', 0, {'PartyA': 100, 'PartyB': 200}, None, False, {'PartyA': 0, 'PartyB': 0}),
    ('both empty', 0, {}, None, False, {}),
    ('tie broken by seats', 1, {'PartyA': 3, 'PartyB': 1}, {'PartyA': 1, 'PartyB': 0}, False,
     {'PartyA': 1, 'PartyB': 1}),
    ('tie broken by name', 1, {'PartyA': 1, 'PartyB': 1}, None, False, {'PartyA': 1, 'PartyB': 0}),
    # The custom name-only tie-breakers of the Go test equal ours when seats are equal.
    ('custom tie-breaker true', 1, {'PartyA': 1, 'PartyB': 1}, None, False, {'PartyA': 1, 'PartyB': 0}),
    ('custom tie-breaker false', 1, {'PartyA': 1, 'PartyB': 1}, None, True, {'PartyA': 0, 'PartyB': 1}),
    ('new party joins', 2, {'NewParty1': 1, 'NewParty2': 1}, {'OldParty': 0}, False,
     {'NewParty1': 1, 'NewParty2': 1, 'OldParty': 0}),
    ('old and new compete', 2, {'OldParty': 1, 'NewParty': 1}, {'OldParty': 1}, False,
     {'NewParty': 2, 'OldParty': 1}),
    ('initial party without votes', 2, {'PartyA': 100}, {'PartyB': 3}, False, {'PartyA': 2, 'PartyB': 3}),
]


@pytest.mark.parametrize('name,seats,votes,initial,desc,expected', WEBSTER_VECTORS,
                         ids=[v[0] for v in WEBSTER_VECTORS])
def test_webster_upstream(name, seats, votes, initial, desc, expected):
    assert P.webster(seats, votes, initial, desc) == expected
    assert P.webster_reference(seats, votes, initial, desc) == expected


# --- pkg/util/helper/binding_test.go: Test_dispenser_AllocateByWeight ---------

DISPENSER_VECTORS = [
    ('scale up 6', 6, '', {'A': 1, 'B': 2, 'C': 3}, [('A', 1), ('B', 2), ('C', 3)], {'A': 2, 'B': 4, 'C': 6}),
    ('scale up 3', 3, '', {'A': 1, 'B': 2, 'C': 3}, [('A', 1), ('B', 2), ('C', 3)], {'A': 2, 'B': 3, 'C': 4}),
    ('scale up 2', 2, '', {'A': 1, 'B': 2, 'C': 3}, [('A', 1), ('B', 2), ('C', 3)], {'A': 1, 'B': 3, 'C': 4}),
    ('HA 2:1 assign 1', 1, '', None, [('A', 2), ('B', 1)], {'A': 1, 'B': 0}),
    ('HA 2:1 assign 2', 2, '', None, [('A', 2), ('B', 1)], {'A': 1, 'B': 1}),
    ('HA 2:1 assign 3', 3, '', None, [('A', 2), ('B', 1)], {'A': 2, 'B': 1}),
    ('brand new 5', 5, '', None, [('A', 170), ('B', 110), ('C', 60)], {'A': 2, 'B': 2, 'C': 1}),
    ('brand new 6', 6, '', None, [('A', 170), ('B', 110), ('C', 60)], {'A': 3, 'B': 2, 'C': 1}),
    ('odd uuid', 5, ODD_UID, None, [('A', 1), ('B', 1)], {'A': 2, 'B': 3}),
    ('even uuid', 5, EVEN_UID, None, [('A', 1), ('B', 1)], {'A': 3, 'B': 2}),
]


@both
@pytest.mark.parametrize('name,replicas,uid,initial,weights,expected', DISPENSER_VECTORS,
                         ids=[v[0] for v in DISPENSER_VECTORS])
def test_dispenser_upstream(name, replicas, uid, initial, weights, expected, fast):
    assert dict(P.allocate_by_weight(replicas, weights, uid, initial, fast=fast)) == expected


def test_uid_parity_vectors():
    assert P.fnv32a(ODD_UID) & 1 == 1
    assert P.fnv32a(EVEN_UID) & 1 == 0
    assert not P.uid_prefers_descending('')
    # FNV-1a published check values (offset basis for '', 'a').
    assert P.fnv32a('') == 0x811c9dc5
    assert P.fnv32a('a') == 0xe40c292c


# --- binding_test.go: TestDispenseReplicasByTargetClusters (uid "") ------------

SPREAD_VECTORS = [
    ('empty clusters', [], 10, [{}]),
    ('1 cluster 5 -> 10', [(M1, 5)], 10, [{M1: 10}]),
    ('1:1:1 sum 12', [(M1, 5), (M2, 5), (M3, 5)], 12, [{M1: 4, M2: 4, M3: 4}]),
    ('1:1:1 sum 10', [(M1, 5), (M2, 5), (M3, 5)], 10,
     [{M1: 4, M2: 3, M3: 3}, {M1: 3, M2: 4, M3: 3}, {M1: 3, M2: 3, M3: 4}]),
    ('1:2:3 sum 13', [(M1, 1), (M2, 2), (M3, 3)], 13, [{M1: 2, M2: 4, M3: 7}]),
]


@both
@pytest.mark.parametrize('name,clusters,total,wants', SPREAD_VECTORS, ids=[v[0] for v in SPREAD_VECTORS])
def test_spread_by_target_clusters_upstream(name, clusters, total, wants, fast):
    got = dict(P.allocate_by_weight(total, clusters, '', fast=fast))
    assert got in wants
    if name == '1:1:1 sum 10':
        # Upstream accepts any of the three; with an empty UID the name-ascending
        # tie-break makes it exactly member1.
        assert got == {M1: 4, M2: 3, M3: 3}


# --- pkg/scheduler/core/assignment_test.go ------------------------------------

def cand(name, allocatable=0, **cluster):
    c = {'name': name, 'labels': {}, 'provider': '', 'region': '', 'zones': [], 'allocatable': allocatable}
    c.update(cluster)
    return {'name': name, 'allocatable': allocatable, 'cluster': c}


STATIC = {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted'}


def rule(names, weight):
    return {'targetCluster': {'clusterNames': names}, 'weight': weight}


STATIC_VECTORS = [
    ('replica 12, weight 3:2:1', [M1, M2, M3], {'staticWeightList': [rule([M1], 3), rule([M2], 2), rule([M3], 1)]},
     12, {M1: 6, M2: 4, M3: 2}),
    ('replica 12, default weight', [M1, M2, M3], None, 12, {M1: 4, M2: 4, M3: 4}),
    ('replica 13, weight 3:2:1', [M1, M2, M3], {'staticWeightList': [rule([M1], 3), rule([M2], 2), rule([M3], 1)]},
     13, {M1: 7, M2: 4, M3: 2}),
    ('replica 14, weight 3:2:1', [M1, M2, M3], {'staticWeightList': [rule([M1], 3), rule([M2], 2), rule([M3], 1)]},
     14, {M1: 7, M2: 5, M3: 2}),
    # Upstream expects member1:0, member2:0 before removeZeroReplicasCluster.
    ('insufficient replica assignment should get 0 replica', [M1, M2],
     {'staticWeightList': [rule([M1], 1), rule([M2], 1)]}, 0, {}),
    ('selected cluster without weight should be ignored', [M1, M2], {'staticWeightList': [rule([M1], 1)]},
     2, {M1: 2}),
    ('cluster with multiple weights', [M1, M2],
     {'staticWeightList': [rule([M1], 1), rule([M2], 1), rule([M1], 2)]}, 3, {M1: 2, M2: 1}),
]


@both
@pytest.mark.parametrize('name,names,wp,replicas,expected', STATIC_VECTORS, ids=[v[0] for v in STATIC_VECTORS])
def test_static_weight_upstream(name, names, wp, replicas, expected, fast):
    rs = dict(STATIC, weightPreference=wp)
    got = P.assign_replicas([cand(n) for n in names], P.STATIC_WEIGHT, rs, replicas, fast=fast)
    assert dict(got) == expected


DYN = P.DYNAMIC_WEIGHT
AGG = P.AGGREGATED

# Test_dynamicScale: (name, strategy, [(cluster, allocatable)], replicas, previous, expected or None=error)
DYNAMIC_SCALE_VECTORS = [
    ('12 -> 6, dynamic 1:1:1', DYN, [(M1, 1), (M2, 1), (M3, 1)], 6, [(M1, 2), (M2, 4), (M3, 6)],
     {M1: 1, M2: 2, M3: 3}),
    ('12 -> 24, dynamic 10:10:10', DYN, [(M1, 10), (M2, 10), (M3, 10)], 24, [(M1, 2), (M2, 4), (M3, 6)],
     {M1: 6, M2: 8, M3: 10}),
    ('12 -> 24, dynamic 1:1:1', DYN, [(M1, 1), (M2, 1), (M3, 1)], 24, [(M1, 2), (M2, 4), (M3, 6)], None),
    ('12 -> 6, aggregated 1:1:1', AGG, [(M1, 1), (M2, 1), (M3, 1)], 6, [(M1, 4), (M2, 8)], {M2: 6}),
    ('12 -> 8, aggregated 100:100', AGG, [(M1, 100), (M2, 100)], 8, [(M1, 4), (M2, 8)], {M2: 8}),
    ('12 -> 24, aggregated 4:6:8', AGG, [(M1, 4), (M2, 6), (M3, 8)], 24, [(M1, 4), (M2, 8)],
     {M1: 7, M2: 12, M3: 5}),
    ('12 -> 24, aggregated 6:6:20', AGG, [(M1, 6), (M2, 6), (M3, 20)], 24, [(M1, 4), (M2, 8)],
     {M1: 10, M2: 14}),
    ('12 -> 24, aggregated 1:1:1', AGG, [(M1, 1), (M2, 1), (M3, 1)], 24, [(M1, 4), (M2, 8)], None),
    ('12 -> 24, aggregated 4:8:12, cluster2 gone, cluster4 new', AGG, [(M1, 4), (M3, 8), (M4, 12)], 24,
     [(M1, 4), (M2, 8)], {M1: 7, M3: 7, M4: 10}),
    # Test_dynamicScaleUp (first schedules, no previous result)
    ('scale up 12, dynamic 6:8:10', DYN, [(M1, 6), (M2, 8), (M3, 10)], 12, [], {M1: 3, M2: 4, M3: 5}),
    ('scale up 12, dynamic 8:8:10', DYN, [(M1, 8), (M2, 8), (M3, 10)], 12, [], {M1: 4, M2: 4, M3: 4}),
    ('scale up 12, dynamic 3:3:3', DYN, [(M1, 3), (M2, 3), (M3, 3)], 12, [], None),
    ('scale up 12, aggregated 6:8:10', AGG, [(M1, 6), (M2, 8), (M3, 10)], 12, [], {M2: 5, M3: 7}),
    ('scale up 12, aggregated 12:8:10', AGG, [(M1, 12), (M2, 8), (M3, 10)], 12, [], {M1: 12}),
    ('scale up 12, aggregated 3:3:3', AGG, [(M1, 3), (M2, 3), (M3, 3)], 12, [], None),
    ('scale up 12, dynamic 3:3, cluster3 gone, cluster2 new', DYN, [(M1, 3), (M2, 3)], 12,
     [(M1, 6), (M3, 6)], {M1: 9, M2: 3}),
    # Test_assignByDynamicStrategy_UnschedulableErrorPreserved
    ('available 3 < requested 10', DYN, [(M1, 3)], 10, [], None),
]


@both
@pytest.mark.parametrize('name,strategy,cands,replicas,previous,expected', DYNAMIC_SCALE_VECTORS,
                         ids=[v[0] for v in DYNAMIC_SCALE_VECTORS])
def test_dynamic_scale_upstream(name, strategy, cands, replicas, previous, expected, fast):
    candidates = [cand(n, a) for n, a in cands]
    if expected is None:
        with pytest.raises(P.PlacementError, match='not enough to schedule'):
            P.assign_replicas(candidates, strategy, {}, replicas, previous=previous, fast=fast)
    else:
        got = P.assign_replicas(candidates, strategy, {}, replicas, previous=previous, fast=fast)
        assert dict(got) == expected


# Test_assignByDuplicatedStrategy
def test_duplicated_upstream():
    got = P.assign_replicas([cand(M1), cand(M2)], P.DUPLICATED, None, 2)
    assert dict(got) == {M1: 2, M2: 2}
    assert P.assign_replicas([], P.DUPLICATED, None, 2) == []


# --- division_algorithm_test.go: Test_dynamicDivideReplicas -------------------

DIVIDE_VECTORS = [
    ('dynamic 18:12:6', False, [(M1, 18), (M2, 12), (M3, 6)], 12, {M1: 6, M2: 4, M3: 2}),
    ('dynamic 20:12:6', False, [(M1, 20), (M2, 12), (M3, 6)], 12, {M1: 6, M2: 4, M3: 2}),
    ('dynamic 6:12:6', False, [(M1, 6), (M2, 12), (M3, 6)], 12, {M1: 3, M2: 6, M3: 3}),
    ('aggregated 12:6:6', True, [(M2, 12), (M1, 6), (M3, 6)], 12, {M2: 12}),
    ('aggregated 6:6:6', True, [(M1, 6), (M2, 6), (M3, 6)], 12, {M1: 6, M2: 6}),
]


@both
@pytest.mark.parametrize('name,aggregated,available,target,expected', DIVIDE_VECTORS,
                         ids=[v[0] for v in DIVIDE_VECTORS])
def test_dynamic_divide_upstream(name, aggregated, available, target, expected, fast):
    got = P.divide_dynamic(available, target, [], aggregated, '', fast)
    assert dict((n, r) for n, r in got if r) == expected


# --- common_test.go: TestAssignReplicas / TestSelectClusters -------------------

def test_assign_replicas_common_upstream():
    c = [{'name': M1}]
    # single cluster, Divided/Weighted without preference
    assert P.compute_placement(c, {'replicaScheduling': STATIC}, 3) == {M1: 3}
    # no clusters available
    with pytest.raises(P.PlacementError):
        P.compute_placement([], {}, 1)
    # non-workload: zero replicas -> no replica counts (upstream lists clusters with 0)
    assert P.compute_placement([{'name': M1}, {'name': M2}], {}, 0) == {}
    # unsupported strategy
    with pytest.raises(P.PlacementError, match='unsupported'):
        P.compute_placement(c, {'replicaScheduling': {'replicaSchedulingType': 'UnsupportedType',
                                                      'replicaDivisionPreference': 'UnsupportedPreference'}}, 3)


OVERFLOW_PLACEMENT = {
    'replicaScheduling': {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted',
                          'weightPreference': {'dynamicWeight': 'AvailableReplicas'}},
    'clusterAffinities': [{'affinityName': 'affinity1', 'clusterNames': [M1],
                           'overflowAffinities': [{'affinityName': 'overflow', 'clusterNames': [M2]}]}],
}


@pytest.mark.parametrize('name,avail,replicas,previous,expected', [
    ('primary has enough', {M1: 10, M2: 10}, 5, None, {M1: 5}),
    ('primary exhausted, overflow', {M1: 2, M2: 10}, 5, None, {M1: 2, M2: 3}),
    ('all tiers exhausted', {M1: 2, M2: 2}, 10, None, None),
    # allocatable 2 + 3 previously assigned = 5 available in the primary tier
    ('previously assigned replicas count', {M1: 2, M2: 10}, 8, {M1: 3}, {M1: 5, M2: 3}),
])
def test_overflow_upstream(name, avail, replicas, previous, expected):
    clusters = [{'name': n, 'available_replicas': a} for n, a in avail.items()]
    if expected is None:
        with pytest.raises(P.PlacementError, match='not enough'):
            P.compute_placement(clusters, OVERFLOW_PLACEMENT, replicas, previous=previous,
                                observed_affinity='affinity1')
    else:
        assert P.compute_placement(clusters, OVERFLOW_PLACEMENT, replicas, previous=previous,
                                   observed_affinity='affinity1') == expected


# --- pkg/util/selector_test.go: TestClusterMatches, Test_matchZones ----------

CLUSTER1 = {'name': 'cluster1', 'labels': {'foo': 'bar'}, 'zones': ['zone1', 'zone2', 'zone3'],
            'region': 'region1', 'provider': 'provider1'}
ZONES = CLUSTER1['zones']


def fs(*exprs):
    return {'matchExpressions': [dict(key=k, operator=o, values=v) for k, o, v in exprs]}


MATCH_VECTORS = [
    ('excluded and names', {'exclude': ['cluster1'], 'clusterNames': ['cluster1']}, False),
    ('excluded and label selector', {'exclude': ['cluster1'], 'labelSelector': {'matchLabels': {'foo': 'bar'}}}, False),
    ('excluded and field selector', {'exclude': ['cluster1'], 'fieldSelector': fs(('zone', 'In', ZONES))}, False),
    ('names', {'clusterNames': ['cluster1']}, True),
    ('names not matched', {'clusterNames': ['cluster2']}, False),
    ('names and label selector', {'labelSelector': {'matchLabels': {'foo': 'bar'}}, 'clusterNames': ['cluster1']}, True),
    ('names and label selector not matched',
     {'labelSelector': {'matchLabels': {'foo': 'unmatched'}}, 'clusterNames': ['cluster1']}, False),
    ('names and zone & region', {'clusterNames': ['cluster1'],
                                 'fieldSelector': fs(('zone', 'In', ZONES), ('region', 'In', ['region1']))}, True),
    ('names and provider', {'clusterNames': ['cluster1'], 'fieldSelector': fs(('provider', 'In', ['provider1']))}, True),
    ('names and region', {'clusterNames': ['cluster1'], 'fieldSelector': fs(('region', 'In', ['region1']))}, True),
    ('names and zone not in', {'clusterNames': ['cluster1'], 'fieldSelector': fs(('zone', 'NotIn', ZONES))}, False),
    ('names and provider not in', {'clusterNames': ['cluster1'],
                                   'fieldSelector': fs(('provider', 'NotIn', ['provider1']))}, False),
    ('names and region not in', {'clusterNames': ['cluster1'], 'fieldSelector': fs(('region', 'NotIn', ['region1']))},
     False),
    ('labels and zone', {'labelSelector': {'matchLabels': {'foo': 'bar'}}, 'fieldSelector': fs(('zone', 'In', ZONES))},
     True),
    ('labels and provider', {'labelSelector': {'matchLabels': {'foo': 'bar'}},
                             'fieldSelector': fs(('provider', 'In', ['provider1']))}, True),
    ('labels and region', {'labelSelector': {'matchLabels': {'foo': 'bar'}},
                           'fieldSelector': fs(('region', 'In', ['region1']))}, True),
    ('labels and zone not in', {'labelSelector': {'matchLabels': {'foo': 'bar'}},
                                'fieldSelector': fs(('zone', 'NotIn', ZONES))}, False),
    ('labels and provider not in', {'labelSelector': {'matchLabels': {'foo': 'bar'}},
                                    'fieldSelector': fs(('provider', 'NotIn', ['provider1']))}, False),
    ('labels and region not in', {'labelSelector': {'matchLabels': {'foo': 'bar'}},
                                  'fieldSelector': fs(('region', 'NotIn', ['region1']))}, False),
    ('label selector', {'labelSelector': {'matchLabels': {'foo': 'bar'}}}, True),
    ('label selector not matched', {'labelSelector': {'matchLabels': {'foo': 'unmatched'}}}, False),
    ('empty affinity', {}, True),
    ('label selector error', {'labelSelector': {'matchLabels': {'': 'bar'}}}, False),
    ('field selector error', {'fieldSelector': {'matchExpressions': [{'key': ''}]}}, False),
    ('zone matched', {'fieldSelector': fs(('zone', 'In', ZONES))}, True),
    ('zone partially matched', {'clusterNames': ['cluster1'], 'fieldSelector': fs(('zone', 'NotIn', ZONES))}, False),
    ('zone not matched (one zone)', {'clusterNames': ['cluster1'], 'fieldSelector': fs(('zone', 'In', ['zone2']))},
     True),
    ('region matched', {'fieldSelector': fs(('region', 'In', ['region1']))}, True),
    ('region not matched', {'clusterNames': ['cluster1'], 'fieldSelector': fs(('region', 'NotIn', ['region1']))},
     False),
    ('region not matched 2', {'clusterNames': ['cluster1'], 'fieldSelector': fs(('region', 'In', ['region2']))}, False),
    ('provider matched', {'fieldSelector': fs(('provider', 'In', ['provider1']))}, True),
    ('provider not matched', {'fieldSelector': fs(('provider', 'NotIn', ['provider1']))}, False),
    ('provider not matched 2', {'fieldSelector': fs(('provider', 'In', ['provider2']))}, False),
    ('other key not matched', {'fieldSelector': fs(('metadata.name', 'In', ['cluster1']))}, False),
    ('fields, names and labels', {'fieldSelector': fs(('zone', 'In', ZONES)),
                                  'labelSelector': {'matchLabels': {'foo': 'bar'}}, 'clusterNames': ['cluster1']}, True),
    ('fields, names and labels: names differ', {'fieldSelector': fs(('zone', 'In', ZONES)),
                                                'labelSelector': {'matchLabels': {'foo': 'bar'}},
                                                'clusterNames': ['cluster2']}, False),
    ('fields, names and labels: zone not in', {'fieldSelector': fs(('zone', 'NotIn', ZONES)),
                                               'labelSelector': {'matchLabels': {'foo': 'bar'}},
                                               'clusterNames': ['cluster1']}, False),
    ('fields, names and labels: label differs', {'fieldSelector': fs(('zone', 'In', ZONES)),
                                                 'labelSelector': {'matchLabels': {'foo': 'Unmatched'}},
                                                 'clusterNames': ['cluster1']}, False),
]


@pytest.mark.parametrize('name,affinity,want', MATCH_VECTORS, ids=[v[0] for v in MATCH_VECTORS])
def test_cluster_matches_upstream(name, affinity, want):
    assert P.cluster_matches(CLUSTER1, affinity) is want


@pytest.mark.parametrize('op,values,zones,want', [
    ('In', ['foo'], None, False),
    ('In', ['foo'], ['foo', 'bar'], True),
    ('In', ['foo', 'bar'], ['foo', 'bar'], True),
    ('NotIn', ['foo'], None, True),
    ('NotIn', ['foo'], ['foo', 'bar'], False),
    ('Exists', None, None, False),
    ('DoesNotExist', None, None, True),
    ('Gt', None, ['foo'], False),
])
def test_match_zones_upstream(op, values, zones, want):
    assert P.match_zones({'key': 'zone', 'operator': op, 'values': values}, zones) is want


@pytest.mark.parametrize('cluster,want', [
    ({}, {}),
    ({'provider': 'foo'}, {'provider': 'foo'}),
    ({'region': 'foo'}, {'region': 'foo'}),
    ({'provider': 'foo', 'region': 'bar'}, {'provider': 'foo', 'region': 'bar'}),
])
def test_extract_cluster_fields_upstream(cluster, want):
    assert P.cluster_fields(cluster) == want


# --- spreadconstraint/select_groups_test.go ------------------------------------

GROUP_VECTORS = [
    ('empty groups', [], 2, 3, 1, []),
    ('no enough groups', [('R1', 1, 80)], 2, 3, 1, []),
    ('no enough value', [('R1', 1, 80), ('R2', 2, 30)], 2, 3, 4, []),
    ('select one group', [('R1', 1, 80)], 1, 3, 1, ['R1']),
    ('prioritize one path', [('R1', 1, 80), ('R3', 1, 80), ('R2', 1, 60), ('R5', 2, 60), ('R4', 5, 50),
                             ('R6', 3, 50)], 1, 3, 10, ['R5', 'R4', 'R6']),
    ('less total number', [('R1', 1, 80), ('R2', 4, 40), ('R3', 1, 30), ('R4', 3, 30), ('R5', 3, 20),
                           ('R6', 5, 10)], 2, 6, 5, ['R1', 'R2']),
    ('highest score', [('R1', 1, 60), ('R2', 1, 50), ('R3', 1, 40), ('R4', 3, 30), ('R5', 3, 20),
                       ('R6', 3, 10)], 1, 3, 6, ['R1', 'R4', 'R5']),
    ('chosen earlier', [('R1', 1, 60), ('R2', 2, 50), ('R3', 3, 40), ('R4', 4, 30)], 1, 2, 5, ['R1', 'R4']),
    ('greater value', [('R4', 1, 60), ('R3', 3, 50), ('R1', 3, 40), ('R2', 4, 30)], 1, 2, 5, ['R3', 'R1']),
]


@pytest.mark.parametrize('name,groups,lo,hi,target,want', GROUP_VECTORS, ids=[v[0] for v in GROUP_VECTORS])
def test_select_groups_upstream(name, groups, lo, hi, target, want):
    assert P.select_groups(groups, lo, hi, target) == want


# --- spreadconstraint/select_clusters_test.go: TestSelectBestClusters ----------

def detail(name, score, avail, provider, region, zone):
    c = {'name': name, 'labels': {}, 'provider': provider, 'region': region, 'zones': [zone],
         'allocatable': avail}
    return {'name': name, 'score': score, 'available': avail, 'allocatable': avail, 'cluster': c}


INFOS = [detail('member4', 60, 50, 'P2', 'R2', 'Z2'), detail('member2', 40, 60, 'P1', 'R1', 'Z2'),
         detail('member3', 30, 80, 'P2', 'R1', 'Z1'), detail('member1', 20, 40, 'P1', 'R1', 'Z1')]
CLUSTER_SC = [{'spreadByField': 'cluster', 'maxGroups': 2, 'minGroups': 1}]


@pytest.mark.parametrize('name,placement,need,want', [
    ('by cluster score', {'spreadConstraints': CLUSTER_SC}, 100, ['member4', 'member2']),
    ('duplicated ignores resources', {'spreadConstraints': CLUSTER_SC,
                                      'replicaScheduling': {'replicaSchedulingType': 'Duplicated'}},
     120, ['member4', 'member2']),
    ('static weight ignores constraints', {'spreadConstraints': CLUSTER_SC, 'replicaScheduling': dict(
        STATIC, weightPreference={'staticWeightList': [rule(['member1'], 2)]})}, 120,
     ['member4', 'member2', 'member3', 'member1']),
    ('satisfy available resources', {'spreadConstraints': CLUSTER_SC,
                                     'replicaScheduling': {'replicaSchedulingType': 'Divided'}},
     120, ['member4', 'member3']),
    ('insufficient resources', {'spreadConstraints': CLUSTER_SC,
                                'replicaScheduling': {'replicaSchedulingType': 'Divided'}},
     200, 'no enough resource when selecting 2 clusters'),
    ('min groups exceed clusters', {'spreadConstraints': [{'spreadByField': 'cluster', 'maxGroups': 7,
                                                           'minGroups': 7}]},
     30, 'the number of feasible clusters is less than spreadConstraint.MinGroups'),
])
def test_select_best_clusters_upstream(name, placement, need, want):
    rs = placement.get('replicaScheduling')
    if rs is not None:
        dummy, rs = P.normalize_strategy(rs)
        # Upstream builds the placement without the webhook's Divided -> Weighted default.
        rs['replicaDivisionPreference'] = placement['replicaScheduling'].get('replicaDivisionPreference', '')
    if isinstance(want, str):
        with pytest.raises(P.PlacementError, match=want):
            P.select_best_clusters(placement, rs, list(INFOS), need, False)
    else:
        got = P.select_best_clusters(placement, rs, list(INFOS), need, False)
        assert [c['name'] for c in got] == want


# --- spreadconstraint/select_clusters_by_region_test.go ------------------------

def region(score, *members):
    return {'score': score, 'clusters': [detail(n, s, a, 'P1', 'R', 'Z1') for n, s, a in members]}


REGION_VECTORS = [
    ('higher score region', (1, 1), (2, 2), {
        'R1': region(100, ('member1', 100, 40), ('member2', 80, 40)),
        'R2': region(80, ('member3', 80, 40), ('member4', 80, 40), ('member5', 60, 40))},
     ['member1', 'member2']),
    ('region with enough clusters', (1, 1), (3, 3), {
        'R1': region(100, ('member1', 100, 40), ('member2', 80, 40)),
        'R2': region(80, ('member3', 80, 40), ('member4', 80, 40), ('member5', 60, 40))},
     ['member3', 'member4', 'member5']),
    ('enough clusters and higher score', (2, 2), (4, 5), {
        'R1': region(90, ('member1', 90, 40)),
        'R2': region(70, ('member2', 70, 40), ('member3', 60, 40), ('member4', 30, 40)),
        'R3': region(80, ('member5', 80, 40), ('member6', 50, 60)),
        'R4': region(50, ('member7', 50, 50), ('member8', 40, 50), ('member9', 10, 50), ('member10', 0, 50))},
     ['member1', 'member2', 'member3', 'member4']),
    ('more than minGroups regions', (1, 3), (6, 8), {
        'R1': region(70, ('member1', 70, 40)),
        'R2': region(40, ('member2', 40, 40), ('member3', 40, 40), ('member4', 40, 40)),
        'R3': region(60, ('member5', 60, 40), ('member6', 50, 60)),
        'R4': region(70, ('member7', 70, 100)),
        'R5': region(50, ('member8', 50, 50))},
     ['member1', 'member5', 'member2', 'member6', 'member3', 'member4']),
    ('no enough region', (3, 3), (3, 3), {
        'R1': region(100, ('member1', 100, 40), ('member2', 80, 40)),
        'R2': region(80, ('member3', 80, 40), ('member4', 80, 40), ('member5', 60, 40))},
     None),
    ('no enough clusters', (1, 1), (4, 4), {
        'R1': region(100, ('member1', 100, 40), ('member2', 80, 60)),
        'R2': region(80, ('member3', 80, 40), ('member4', 80, 40), ('member5', 60, 40))},
     None),
    ('no more regions to replace', (1, 1), (3, 4), {
        'R1': region(100, ('member1', 100, 40), ('member2', 80, 20))},
     None),
]


@pytest.mark.parametrize('name,reg,clu,regions,want', REGION_VECTORS, ids=[v[0] for v in REGION_VECTORS])
def test_select_by_region_upstream(name, reg, clu, regions, want):
    constraints = {'region': {'spreadByField': 'region', 'minGroups': reg[0], 'maxGroups': reg[1]},
                   'cluster': {'spreadByField': 'cluster', 'minGroups': clu[0], 'maxGroups': clu[1]}}
    if want is None:
        with pytest.raises(P.PlacementError):
            P.select_by_region(constraints, regions)
    else:
        assert [c['name'] for c in P.select_by_region(constraints, regions)] == want


# --- Aggregated with more than 12 clusters and equal capacities -----------------
# Karmada sorts clusters by capacity with Go's sort.Sort, which is not stable above
# 12 elements, so which tied cluster Aggregated keeps depends on pdqsort's moves.
# Expected values were produced by running karmada v1.18.2's GroupClustersWithScore,
# SelectBestClusters and AssignReplicas on exactly these inputs; a stable sort gets
# each of them wrong.

GO_SORT_VECTORS = [
    ([1, 8, 5, 5, 1, 5, 5, 2, 5, 8, 2, 8, 8, 2], {'c04': 2, 'c08': 5}, 21, ODD_UID,
     {'c04': 3, 'c08': 10, 'c11': 8}),
    ([2, 5, 3, 1, 5, 8, 5, 5, 1, 5, 1, 5, 5, 5, 2], {'c07': 1}, 33, '',
     {'c01': 5, 'c04': 5, 'c05': 7, 'c06': 5, 'c07': 6, 'c11': 5}),
    ([2, 2, 2, 3, 5, 2, 3, 1, 5, 3, 2, 5, 5, 2, 5, 8, 1, 5, 5, 1, 1, 1, 5, 8],
     {'c11': 1, 'c01': 1, 'c09': 2, 'c07': 5}, 38, '',
     {'c01': 3, 'c07': 6, 'c09': 5, 'c11': 6, 'c15': 7, 'c22': 4, 'c23': 7}),
    ([1, 1, 1, 5, 2, 3, 2, 5, 1, 1, 1, 2, 5, 5, 5], {'c11': 1}, 5, ODD_UID, {'c11': 2, 'c14': 3}),
]


@pytest.mark.parametrize('available,previous,replicas,uid,expected', GO_SORT_VECTORS)
def test_aggregated_ties_follow_go_sort(available, previous, replicas, uid, expected):
    clusters = [{'name': 'c%02d' % i, 'available_replicas': a} for i, a in enumerate(available)]
    placement = {'replicaScheduling': {'replicaSchedulingType': 'Divided',
                                       'replicaDivisionPreference': 'Aggregated'}}
    assert P.compute_placement(clusters, placement, replicas, uid, previous) == expected
