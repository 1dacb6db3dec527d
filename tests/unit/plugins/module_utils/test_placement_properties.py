# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Property tests: the fast Webster path against Karmada's seat-by-seat loop."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math

import pytest
from hypothesis import assume, example, given, settings, strategies as st

from ansible_collections.fleetops.kurator.plugins.module_utils import _placement as P

NAMES = st.text(alphabet='abcxyz-0189', min_size=1, max_size=6)
WEIGHT = st.one_of(
    st.integers(0, 3),                       # many ties and zeros
    st.integers(1, 1000),
    st.integers(1, 2 ** 53 + 17),            # beyond exact float range
    st.integers(2 ** 62, 2 ** 63 - 1),       # huge int64 weights
)
UID = st.one_of(st.just(''), st.just('4858ca61-3ff8-4095-8267-f3d059d8074c'),
                st.just('d43fdeeb-d750-4e2b-bee3-64eb94534f4c'), st.text(max_size=12))


@st.composite
def vote_maps(draw, max_parties=12):
    names = draw(st.lists(NAMES, min_size=0, max_size=max_parties, unique=True))
    return dict((n, draw(WEIGHT)) for n in names)


@settings(max_examples=1500, deadline=None)
@given(votes=vote_maps(), seats=st.integers(0, 400), desc=st.booleans())
@example(votes={'a': 1, 'b': 1}, seats=5, desc=True)
@example(votes={'a': 3, 'b': 3, 'c': 3}, seats=100, desc=False)
@example(votes={'a': 2 ** 63 - 1, 'b': 2 ** 63 - 2, 'c': 1}, seats=333, desc=True)
def test_fast_webster_equals_reference(votes, seats, desc):
    assert P.webster(seats, votes, None, desc) == P.webster_reference(seats, votes, None, desc)


@settings(max_examples=600, deadline=None)
@given(votes=vote_maps(6), seats=st.integers(0, 200), desc=st.booleans(),
       initial=st.dictionaries(NAMES, st.integers(0, 30), max_size=6))
def test_fast_webster_with_initial_seats(votes, seats, desc, initial):
    assert P.webster(seats, votes, initial, desc) == P.webster_reference(seats, votes, initial, desc)


@settings(max_examples=1500, deadline=None)
@given(weights=st.lists(st.tuples(NAMES, WEIGHT), max_size=10, unique_by=lambda t: t[0]),
       replicas=st.integers(0, 300), uid=UID)
def test_allocate_by_weight_properties(weights, replicas, uid):
    fast = P.allocate_by_weight(replicas, weights, uid)
    assert fast == P.allocate_by_weight(replicas, weights, uid, fast=False)
    # Deterministic and independent of the order weights are listed in.
    assert fast == P.allocate_by_weight(replicas, list(reversed(weights)), uid)
    if sum(w for dummy, w in weights) > 0:
        assert sum(r for dummy, r in fast) == replicas
        for name, weight in weights:
            if weight == 0:
                assert dict(fast)[name] == 0


@settings(max_examples=500, deadline=None)
@given(weights=st.lists(st.integers(1, 50), min_size=1, max_size=8), replicas=st.integers(0, 200),
       which=st.integers(0, 7), bump=st.integers(1, 50), uid=UID)
def test_monotonic_in_weight(weights, replicas, which, bump, uid):
    """Raising one cluster's weight never lowers its replicas (Webster is house-monotone
    and weight-monotone for a fixed house size)."""
    assume(which < len(weights))
    names = ['c%02d' % i for i in range(len(weights))]
    before = dict(P.allocate_by_weight(replicas, list(zip(names, weights)), uid))
    raised = list(weights)
    raised[which] += bump
    after = dict(P.allocate_by_weight(replicas, list(zip(names, raised)), uid))
    assert after[names[which]] >= before[names[which]]


@settings(max_examples=500, deadline=None)
@given(weights=st.lists(st.integers(1, 10 ** 6), min_size=1, max_size=20), replicas=st.integers(1, 10 ** 5))
def test_within_one_of_quota_or_near(weights, replicas):
    """Sanity bound independent of Karmada: Webster seats stay within n of the exact quota."""
    names = ['c%02d' % i for i in range(len(weights))]
    got = dict(P.allocate_by_weight(replicas, list(zip(names, weights))))
    total = sum(weights)
    for name, weight in zip(names, weights):
        quota = replicas * weight / total
        assert abs(got[name] - quota) <= len(weights)


@pytest.mark.parametrize('replicas', [10, 1000, 100000, 2 ** 31 - 1])
def test_exact_weights_give_exact_replicas(replicas):
    """Weights equal to the wanted replicas reproduce them exactly: every party's
    quota is an integer, so Webster (and Karmada) hand out exactly that."""
    wanted = {'a': replicas // 2, 'b': replicas // 3, 'c': replicas - replicas // 2 - replicas // 3}
    got = dict(P.allocate_by_weight(sum(wanted.values()), list(wanted.items())))
    assert got == wanted


@settings(max_examples=300, deadline=None)
@given(wanted=st.dictionaries(NAMES, st.integers(1, 10 ** 6), min_size=1, max_size=12), uid=UID)
def test_federated_deployment_weights_are_exact(wanted, uid):
    """The federated_deployment translation relies on this: static weights equal
    to the listed replicas, total = their sum -> exactly the listed replicas."""
    got = dict(P.allocate_by_weight(sum(wanted.values()), list(wanted.items()), uid))
    assert got == wanted


def test_int64_weight_sum_wraps_like_go():
    # Three weights summing to 2**64 wrap to 0 in Go's int64 GetWeightSum: nothing is assigned.
    weights = [('a', 2 ** 63 - 1), ('b', 2 ** 63 - 1), ('c', 2)]
    assert P.allocate_by_weight(5, weights) == []


def test_large_replica_counts_are_fast():
    import time
    weights = [('c%04d' % i, (i * 7919) % 1000 + 1) for i in range(1000)]
    start = time.time()
    got = P.allocate_by_weight(2 ** 31 - 1 - 7, weights)
    assert time.time() - start < 2.0
    assert sum(r for dummy, r in got) == 2 ** 31 - 1 - 7
    total = sum(w for dummy, w in weights)
    for (name, weight), (name2, seats) in zip(sorted(weights), got):
        assert name == name2
        assert math.floor((2 ** 31 - 8) * weight / total) - 1 <= seats <= math.ceil((2 ** 31 - 8) * weight / total) + 1


# --- Go sort.Sort mirror ------------------------------------------------------

@settings(max_examples=500, deadline=None)
@given(values=st.lists(st.integers(0, 4), max_size=120))
def test_go_sort_sorts(values):
    items = [('c%03d' % i, v) for i, v in enumerate(values)]
    got = P.go_sort(items, lambda a, b: a[1] > b[1])
    assert [v for dummy, v in got] == sorted(values, reverse=True)
    assert sorted(got) == sorted(items)
    if len(items) <= 12:
        # Insertion sort below 13 elements: stable.
        assert got == sorted(items, key=lambda t: -t[1])


# --- whole scheduler properties -------------------------------------------------

CLUSTER = st.fixed_dictionaries({
    'name': NAMES,
    'available_replicas': st.integers(0, 60),
})


@settings(max_examples=400, deadline=None)
@given(clusters=st.lists(CLUSTER, min_size=1, max_size=15, unique_by=lambda c: c['name']),
       replicas=st.integers(0, 200), uid=UID,
       mode=st.sampled_from(['dup', 'static', 'dynamic', 'aggregated']),
       previous=st.dictionaries(NAMES, st.integers(0, 40), max_size=5))
def test_scheduler_fast_equals_reference(clusters, replicas, uid, mode, previous):
    rs = {
        'dup': {'replicaSchedulingType': 'Duplicated'},
        'static': {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted'},
        'dynamic': {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted',
                    'weightPreference': {'dynamicWeight': 'AvailableReplicas'}},
        'aggregated': {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Aggregated'},
    }[mode]
    placement = {'replicaScheduling': rs}
    try:
        fast = P.compute_placement(clusters, placement, replicas, uid, previous)
    except P.PlacementError as exc:
        with pytest.raises(P.PlacementError) as again:
            P.compute_placement(clusters, placement, replicas, uid, previous, fast=False)
        assert str(again.value) == str(exc)
        return
    assert fast == P.compute_placement(clusters, placement, replicas, uid, previous, fast=False)
    assert all(v > 0 for v in fast.values())
    assert set(fast) <= set(c['name'] for c in clusters)
    if mode == 'dup':
        assert all(v == replicas for v in fast.values())
    elif replicas > 0:
        assert sum(fast.values()) == replicas
