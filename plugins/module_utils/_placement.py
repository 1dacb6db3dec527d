# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada v1.18 replica placement, computed the way karmada-scheduler does it.

Reference: karmada-io/karmada v1.18 pkg/scheduler/core (assignment.go,
division_algorithm.go, common.go, spreadconstraint/), pkg/util/helper
(webstermethod.go, binding.go) and pkg/util/selector.go.  This is an
independent re-implementation; docs/placement.md explains the rules.

Integer widths follow Karmada: replicas and available replicas are int32,
static weights are int64, and the sums Karmada keeps in int32/int64 wrap the
same way here, so even overflowing inputs give the scheduler's answer.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import heapq
import math
import re

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import (
    cluster_name_error, known_key, label_key_error, label_value_error, problem)

INT32_MAX = 2 ** 31 - 1
INT64_MAX = 2 ** 63 - 1
# Karmada computes float64(2*seats+1) in int32; beyond this it would overflow.
SEATS_LIMIT = 2 ** 30 - 1

DUPLICATED = 'Duplicated'
DIVIDED = 'Divided'
WEIGHTED = 'Weighted'
AGGREGATED = 'Aggregated'
DYNAMIC_AVAILABLE = 'AvailableReplicas'

STATIC_WEIGHT = 'StaticWeight'
DYNAMIC_WEIGHT = 'DynamicWeight'

PROVIDER_FIELD = 'provider'
REGION_FIELD = 'region'
ZONE_FIELD = 'zone'


class PlacementError(Exception):
    """Raised for inputs Karmada would refuse or could not schedule."""


def _wrap32(value):
    return (value + 2 ** 31) % 2 ** 32 - 2 ** 31


def _wrap64(value):
    return (value + 2 ** 63) % 2 ** 64 - 2 ** 63


# ---------------------------------------------------------------------------
# Webster / Sainte-Lague with Karmada's ordering
# ---------------------------------------------------------------------------

def fnv32a(text):
    """FNV-1a 32-bit hash of a string's UTF-8 bytes (Go hash/fnv New32a)."""
    h = 0x811c9dc5
    for byte in bytearray(text.encode('utf-8')):
        h ^= byte
        h = (h * 0x01000193) & 0xffffffff
    return h


def uid_prefers_descending(uid):
    """Karmada's tieBreakerByUID: odd FNV-1a hash of the UID -> larger names win ties."""
    if not uid:
        return False
    return bool(fnv32a(uid) & 1)


def _priority(votes, seats):
    # Exactly Go's float64(votes) / float64(2*seats+1): Python floats are IEEE doubles
    # and int->float conversion rounds to nearest-even like Go.
    return float(votes) / float(2 * seats + 1)


def _rank_keys(names, descending):
    ordered = sorted(names)
    if descending:
        return dict((n, -i) for i, n in enumerate(ordered))
    return dict((n, i) for i, n in enumerate(ordered))


def _parties(votes, initial):
    parties = {}
    for name, seats in (initial or {}).items():
        parties[name] = [0, int(seats)]
    for name, vote in votes.items():
        if name in parties:
            parties[name][0] = int(vote)
        else:
            parties[name] = [int(vote), 0]
    for name, (vote, seats) in parties.items():
        if vote < 0:
            raise PlacementError('weight of %s is negative (%d)' % (name, vote))
        if seats < 0:
            raise PlacementError('initial replicas of %s are negative (%d)' % (name, seats))
    return parties


def webster_reference(new_seats, votes, initial=None, descending=False):
    """Seat-by-seat Webster exactly as Karmada's AllocateWebsterSeats loops.

    O(new_seats * log(parties)); kept as the oracle for the fast version.
    Returns {name: seats} for every party.
    """
    parties = _parties(votes, initial)
    if not parties:
        return {}
    rank = _rank_keys(parties, descending)
    heap = [(-_priority(v, s), s, rank[n], n) for n, (v, s) in parties.items()]
    heapq.heapify(heap)
    for dummy in range(max(0, int(new_seats))):
        dummy, seats, key, name = heapq.heappop(heap)
        seats += 1
        heapq.heappush(heap, (-_priority(parties[name][0], seats), seats, key, name))
    return dict((name, seats) for dummy, seats, dummy2, name in heap)


def _seats_above(votes, threshold):
    """Number of k >= 0 with float priority votes/(2k+1) strictly above threshold."""
    approx = (float(votes) / threshold - 1.0) / 2.0
    k = int(math.ceil(approx)) if approx > 0 else 0
    k = max(0, min(k, INT32_MAX))
    # The float estimate can be off by one or two; settle it with the exact comparison.
    while k > 0 and not _priority(votes, k - 1) > threshold:
        k -= 1
    while _priority(votes, k) > threshold:
        k += 1
    return k


def webster(new_seats, votes, initial=None, descending=False):
    """Webster seats identical to Karmada's loop, without one step per seat.

    Every (party, k) pair has the priority votes/(2k+1); Karmada's heap hands
    out seats in the total order (priority desc, seats asc, name), and a
    party's own priorities never rise with k, so the result is the top
    new_seats pairs.  All pairs strictly above a threshold are therefore
    taken first in bulk; the threshold is chosen so that at most new_seats
    pairs lie above it and at most ~1.5 seats per party are left, which the
    same heap as Karmada's then hands out one by one.  Cost: O(P log P).
    """
    parties = _parties(votes, initial)
    if not parties:
        return {}
    new_seats = max(0, int(new_seats))
    positive = [(n, v, s) for n, (v, s) in parties.items() if v > 0]
    count = len(positive)
    if positive and new_seats > 2 * count:
        total_votes = sum(v for dummy, v, dummy2 in positive)
        total_seats = new_seats + sum(s for dummy, dummy2, s in positive)
        threshold = float(total_votes) / (2.0 * (total_seats - count))
        while True:
            taken = {}
            for name, vote, seats in positive:
                above = _seats_above(vote, threshold) - seats
                if above > 0:
                    taken[name] = above
            if sum(taken.values()) <= new_seats:
                break
            # Only reachable with initial seats (or float edge cases): raise the bar.
            threshold *= 2.0
        for name, extra in taken.items():
            parties[name][1] += extra
        new_seats -= sum(taken.values())
    if new_seats:
        rank = _rank_keys(parties, descending)
        heap = [(-_priority(v, s), s, rank[n], n) for n, (v, s) in parties.items()]
        heapq.heapify(heap)
        for dummy in range(new_seats):
            dummy, seats, key, name = heapq.heappop(heap)
            seats += 1
            parties[name][1] = seats
            heapq.heappush(heap, (-_priority(parties[name][0], seats), seats, key, name))
    return dict((name, seats) for name, (dummy, seats) in parties.items())


def allocate_by_weight(replicas, weights, uid='', initial=None, fast=True):
    """Karmada's Dispenser: NewDispenser(replicas, initial, uid).AllocateByWeight(weights).

    weights: list of (name, weight) in order.  Returns [(name, replicas)] sorted by name.
    """
    result = sorted((initial or {}).items())
    if replicas == 0 and result:
        return result
    # GetWeightSum is an int64 sum: mirror its wrap-around.
    if _wrap64(sum(w for dummy, w in weights)) == 0:
        return result
    votes = dict(weights)
    func = webster if fast else webster_reference
    seats = func(replicas, votes, dict(result), uid_prefers_descending(uid))
    if any(s > SEATS_LIMIT for s in seats.values()):
        raise PlacementError('more than %d replicas in one cluster overflow Karmada\'s int32 '
                             'Webster arithmetic; not supported' % SEATS_LIMIT)
    return sorted(seats.items())


# ---------------------------------------------------------------------------
# Selectors (pkg/util/selector.go and apimachinery label selectors)
# ---------------------------------------------------------------------------

class _SelectorError(Exception):
    pass


def _requirement(key, op, values):
    """Validate like apimachinery labels.NewRequirement; return a match function."""
    if label_key_error(key):
        raise _SelectorError('invalid key %r' % (key,))
    values = list(values or [])
    if op in ('In', 'NotIn', 'in', 'notin'):
        if not values:
            raise _SelectorError('values must be non-empty for %s' % op)
    elif op in ('Equals', 'DoubleEquals', 'NotEquals'):
        if len(values) != 1:
            raise _SelectorError('exactly one value is required for %s' % op)
    elif op in ('Exists', 'DoesNotExist'):
        if values:
            raise _SelectorError('values must be empty for %s' % op)
    elif op in ('Gt', 'Lt'):
        if len(values) != 1:
            raise _SelectorError('exactly one value is required for %s' % op)
        try:
            int(values[0])
        except (TypeError, ValueError):
            raise _SelectorError('value must be an integer for %s' % op)
    else:
        raise _SelectorError('%r is not a valid operator' % (op,))
    for value in values:
        if op not in ('Gt', 'Lt') and label_value_error(value):
            raise _SelectorError('invalid value %r' % (value,))

    def match(labels):
        present = key in labels
        if op in ('In', 'in', 'Equals', 'DoubleEquals'):
            return present and labels[key] in values
        if op in ('NotIn', 'notin', 'NotEquals'):
            return not present or labels[key] not in values
        if op == 'Exists':
            return present
        if op == 'DoesNotExist':
            return not present
        if not present:
            return False
        try:
            have = int(labels[key])
        except (TypeError, ValueError):
            return False
        return have > int(values[0]) if op == 'Gt' else have < int(values[0])
    return match


def label_selector_matches(selector, labels):
    """metav1.LabelSelectorAsSelector(selector).Matches(labels); invalid -> _SelectorError."""
    reqs = []
    for key, value in sorted((selector.get('matchLabels') or {}).items()):
        reqs.append(_requirement(key, 'Equals', [value]))
    for expr in selector.get('matchExpressions') or []:
        op = expr.get('operator')
        if op not in ('In', 'NotIn', 'Exists', 'DoesNotExist'):
            raise _SelectorError('%r is not a valid label selector operator' % (op,))
        reqs.append(_requirement(expr.get('key'), op, expr.get('values')))
    return all(r(labels) for r in reqs)


def match_zones(expr, zones):
    """Karmada matchZones for the fieldSelector key 'zone'."""
    op = expr.get('operator')
    values = expr.get('values') or []
    zones = zones or []
    if op == 'In':
        return any(z in values for z in zones)
    if op == 'NotIn':
        return not any(z in values for z in zones)
    if op == 'Exists':
        return len(zones) > 0
    if op == 'DoesNotExist':
        return len(zones) == 0
    return False


def _field_expressions_match(exprs, fields):
    """lifted.NodeSelectorRequirementsAsSelector(exprs).Matches(fields)."""
    reqs = []
    for expr in exprs:
        op = expr.get('operator')
        if op not in ('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'):
            raise _SelectorError('%r is not a valid node selector operator' % (op,))
        reqs.append(_requirement(expr.get('key'), op, expr.get('values')))
    return all(r(fields) for r in reqs)


def cluster_fields(cluster):
    fields = {}
    if cluster.get('provider'):
        fields[PROVIDER_FIELD] = cluster['provider']
    if cluster.get('region'):
        fields[REGION_FIELD] = cluster['region']
    return fields


def cluster_matches(cluster, affinity):
    """Karmada util.ClusterMatches for a normalised cluster and a ClusterAffinity dict."""
    affinity = affinity or {}
    name = cluster['name']
    if name in (affinity.get('exclude') or []):
        return False
    try:
        if affinity.get('labelSelector') is not None:
            if not label_selector_matches(affinity['labelSelector'], cluster.get('labels') or {}):
                return False
        field_selector = affinity.get('fieldSelector')
        if field_selector is not None:
            others = []
            for expr in field_selector.get('matchExpressions') or []:
                if expr.get('key') != ZONE_FIELD:
                    others.append(expr)
                elif not match_zones(expr, cluster.get('zones')):
                    return False
            if others and not _field_expressions_match(others, cluster_fields(cluster)):
                return False
    except _SelectorError:
        return False
    names = affinity.get('clusterNames') or []
    return not names or name in names


# ---------------------------------------------------------------------------
# Input shapes: types and known keys of the Karmada API, checked before use
# ---------------------------------------------------------------------------
#
# A shape is a function (value, path, errors) that appends one message per problem in
# the "<path>: got X; expected Y" form.  mapping() also rejects unknown keys with a
# "did you mean", so a typo such as clusterAfinity is an error instead of a placement
# that silently selects every cluster.  A key whose value is None counts as absent,
# as it does for the Kubernetes API.  Shapes check types and the CRD enums the
# webhook-style checks in _policy do not already check; value rules (weight >= 1,
# minGroups <= maxGroups, ...) stay with those checks.

def mapping(fields):
    """A mapping with exactly these keys (each optional), each value of its shape."""
    allowed = tuple(fields)

    def check(value, path, errors):
        if not isinstance(value, dict):
            errors.append(problem(path, value, 'a mapping'))
            return
        for key, item in value.items():
            sub = '%s.%s' % (path, key) if path else str(key)
            if key not in fields:
                errors.append(problem(sub, key, known_key(key, allowed)))
            elif item is not None:
                fields[key](item, sub, errors)
    check.fields = fields
    return check


def extend(shape, **fields):
    """A mapping shape with more keys (for inline structs such as ClusterAffinityTerm)."""
    merged = dict(shape.fields)
    merged.update(fields)
    return mapping(merged)


def list_of(item, what='a list'):
    def check(value, path, errors):
        if not isinstance(value, list):
            errors.append(problem(path, value, what))
            return
        for i, entry in enumerate(value):
            item(entry, '%s[%d]' % (path, i), errors)
    return check


def map_of(item, what='a mapping'):
    def check(value, path, errors):
        if not isinstance(value, dict):
            errors.append(problem(path, value, what))
            return
        for key, entry in value.items():
            item(entry, '%s.%s' % (path, key), errors)
    return check


def scalar(test, expected):
    def check(value, path, errors):
        if not test(value):
            errors.append(problem(path, value, expected))
    return check


def is_int(value):
    """An integer that is not a bool (YAML true is an int to Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def integer(low, high, what='an integer'):
    return scalar(lambda v: is_int(v) and low <= v <= high, '%s from %d to %d' % (what, low, high))


def enum(*values):
    return scalar(lambda v: isinstance(v, str) and v in values, 'one of %s' % ', '.join(values))


def anything(value, path, errors):
    """Free-form JSON (override values): nothing to check."""


STRING = scalar(lambda v: isinstance(v, str), 'a string')
BOOL = scalar(lambda v: isinstance(v, bool), 'true or false')
INT32 = integer(-2 ** 31, INT32_MAX, 'an int32 integer')
INT64 = integer(-2 ** 63, INT64_MAX, 'an int64 integer')
CLUSTER_NAME_EXPECTED = ("a Karmada cluster name (a DNS-1123 label: lower-case letters, digits and '-', "
                         "at most 48 characters)")
CLUSTER_NAME = scalar(lambda v: cluster_name_error(v) is None, CLUSTER_NAME_EXPECTED)
CLUSTER_NAMES = list_of(CLUSTER_NAME, 'a list of cluster names')
STRINGS = list_of(STRING, 'a list of strings')

LABEL_SELECTOR = mapping({
    'matchLabels': map_of(anything, 'a mapping of label keys to values'),
    'matchExpressions': list_of(mapping({'key': STRING, 'operator': STRING, 'values': STRINGS})),
})
FIELD_SELECTOR = mapping({
    'matchExpressions': list_of(mapping({'key': STRING, 'operator': STRING, 'values': STRINGS})),
})
CLUSTER_AFFINITY = mapping({
    'labelSelector': LABEL_SELECTOR,
    'fieldSelector': FIELD_SELECTOR,
    'clusterNames': CLUSTER_NAMES,
    'exclude': CLUSTER_NAMES,
})
OVERFLOW_AFFINITY = extend(CLUSTER_AFFINITY, affinityName=STRING)
CLUSTER_AFFINITY_TERM = extend(CLUSTER_AFFINITY, affinityName=STRING,
                               overflowAffinities=list_of(OVERFLOW_AFFINITY))
STATIC_CLUSTER_WEIGHT = mapping({'targetCluster': CLUSTER_AFFINITY, 'weight': INT64})
REPLICA_SCHEDULING = mapping({
    'replicaSchedulingType': STRING,
    'replicaDivisionPreference': STRING,
    'weightPreference': mapping({'staticWeightList': list_of(STATIC_CLUSTER_WEIGHT), 'dynamicWeight': STRING}),
})
TOLERATION = mapping({'key': STRING, 'operator': STRING, 'value': STRING, 'effect': STRING,
                      'tolerationSeconds': INT64})
SPREAD_CONSTRAINT = mapping({'spreadByField': STRING, 'spreadByLabel': STRING,
                             'maxGroups': INT64, 'minGroups': INT64})
WORKLOAD_AFFINITY = mapping({'affinity': mapping({'groupByLabelKey': STRING}),
                             'antiAffinity': mapping({'groupByLabelKey': STRING})})


def placement_shape(replica_scheduling=REPLICA_SCHEDULING):
    """Shape of a Placement (Karmada v1.18), with the given replicaScheduling shape."""
    return mapping({
        'clusterAffinity': CLUSTER_AFFINITY,
        'clusterAffinities': list_of(CLUSTER_AFFINITY_TERM),
        'clusterTolerations': list_of(TOLERATION),
        'spreadConstraints': list_of(SPREAD_CONSTRAINT),
        'replicaScheduling': replica_scheduling,
        'workloadAffinity': WORKLOAD_AFFINITY,
    })


PLACEMENT = placement_shape()


def shape_errors(shape, value, path):
    errors = []
    shape(value, path, errors)
    return errors


# ---------------------------------------------------------------------------
# Input normalisation
# ---------------------------------------------------------------------------

def _as_int(value, what, low=0, high=INT32_MAX):
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and re.match(r'^-?[0-9]+$', value.strip()):
            value = int(value)
        else:
            raise PlacementError('%s must be an integer, got %r' % (what, value))
    if value < low or value > high:
        raise PlacementError('%s must be between %d and %d, got %d' % (what, low, high, value))
    return value


def normalize_cluster(cluster, replicas, path='cluster'):
    """Accept {name, labels, provider, region, zones|zone, available_replicas} or a Cluster object.

    Names, labels, provider, region and zones must be what a Karmada Cluster can hold
    (ValidateClusterName, label keys and values); path names the entry in errors.
    """
    if not isinstance(cluster, dict):
        raise PlacementError('each cluster must be a mapping, got %r' % (cluster,))
    if 'metadata' in cluster or 'spec' in cluster:
        meta = cluster.get('metadata') or {}
        spec = cluster.get('spec') or {}
        if not isinstance(meta, dict) or not isinstance(spec, dict):
            raise PlacementError(problem(path + ('.metadata' if not isinstance(meta, dict) else '.spec'),
                                         meta if not isinstance(meta, dict) else spec, 'a mapping'))
        flat = {'name': meta.get('name'), 'labels': meta.get('labels'),
                'provider': spec.get('provider'), 'region': spec.get('region'),
                'zones': spec.get('zones'), 'zone': spec.get('zone')}
        for key in ('available_replicas', 'availableReplicas'):
            if key in cluster:
                flat['available_replicas'] = cluster[key]
        cluster = flat
    name = cluster.get('name')
    if not name or not isinstance(name, str):
        raise PlacementError('every cluster needs a non-empty name: %r' % (cluster,))
    if cluster_name_error(name):
        raise PlacementError(problem(path + '.name', name, CLUSTER_NAME_EXPECTED))
    zones = cluster.get('zones')
    if zones is None:
        zones = [cluster['zone']] if cluster.get('zone') else []
    if isinstance(zones, str):
        zones = [zones]
    if not isinstance(zones, list):
        raise PlacementError(problem(path + '.zones', zones, 'a list of zone names'))
    fields = [('%s.zones[%d]' % (path, i), z) for i, z in enumerate(zones)]
    fields += [(path + '.' + key, cluster.get(key)) for key in ('provider', 'region') if cluster.get(key)]
    for where, value in fields:
        if not value or label_value_error(value):
            raise PlacementError(problem(where, value, 'a non-empty string that is a valid label value (%s)'
                                         % (label_value_error(value) or 'must be non-empty')))
    available = cluster.get('available_replicas', cluster.get('availableReplicas'))
    if available is None:
        # No estimator answer: Karmada falls back to spec.replicas (MaxInt32 -> replicas).
        available = replicas
    available = _as_int(available, 'available_replicas of cluster %s' % name)
    labels = cluster.get('labels') or {}
    if not isinstance(labels, dict):
        raise PlacementError('labels of cluster %s must be a mapping' % name)
    for key, value in labels.items():
        reason = label_key_error(key)
        if reason:
            raise PlacementError(problem('%s.labels[%r]' % (path, key), key, 'a label key (%s)' % reason))
        reason = label_value_error(value)
        if reason:
            hint = ' (quote it in YAML, e.g. "%s")' % str(value).lower() if isinstance(value, bool) else ''
            raise PlacementError(problem('%s.labels.%s' % (path, key), value, 'a label value (%s)%s' % (reason, hint)))
    return {
        'name': name,
        'labels': dict(labels),
        'provider': cluster.get('provider') or '',
        'region': cluster.get('region') or '',
        'zones': list(zones),
        'allocatable': available,
    }


def normalize_clusters(clusters, replicas):
    """normalize_cluster for each entry of a list; a name listed twice is an error."""
    if not isinstance(clusters, list):
        raise PlacementError('clusters must be a list')
    normalized = [normalize_cluster(c, replicas, 'clusters[%d]' % i) for i, c in enumerate(clusters)]
    seen = set()
    for c in normalized:
        if c['name'] in seen:
            raise PlacementError('cluster %s is listed twice' % c['name'])
        seen.add(c['name'])
    return normalized


def normalize_previous(previous):
    """Previous result (binding spec.clusters) as an ordered list of (name, replicas)."""
    if not previous:
        return []
    items = []
    if isinstance(previous, dict):
        items = list(previous.items())
    elif isinstance(previous, list):
        for entry in previous:
            if not isinstance(entry, dict) or 'name' not in entry:
                raise PlacementError('previous entries need name and replicas: %r' % (entry,))
            items.append((entry['name'], entry.get('replicas', 0) or 0))
    else:
        raise PlacementError('previous must be a mapping {cluster: replicas} or a list')
    return [(str(n), _as_int(r, 'previous replicas of %s' % n)) for n, r in items]


def normalize_strategy(replica_scheduling):
    """Apply the CRD/webhook defaults and name the Karmada strategy."""
    if replica_scheduling is None:
        return DUPLICATED, None
    rs = dict(replica_scheduling)
    rtype = rs.get('replicaSchedulingType') or DIVIDED
    if rtype == DUPLICATED:
        return DUPLICATED, rs
    if rtype != DIVIDED:
        raise PlacementError('unsupported replicaSchedulingType %r (Duplicated or Divided)' % (rtype,))
    pref = rs.get('replicaDivisionPreference') or WEIGHTED
    rs['replicaSchedulingType'] = DIVIDED
    rs['replicaDivisionPreference'] = pref
    if pref == AGGREGATED:
        return AGGREGATED, rs
    if pref != WEIGHTED:
        raise PlacementError('unsupported replicaDivisionPreference %r (Aggregated or Weighted)' % (pref,))
    wp = rs.get('weightPreference')
    if wp and wp.get('dynamicWeight'):
        if wp['dynamicWeight'] != DYNAMIC_AVAILABLE:
            raise PlacementError('unsupported dynamicWeight %r (AvailableReplicas)' % (wp['dynamicWeight'],))
        return DYNAMIC_WEIGHT, rs
    return STATIC_WEIGHT, rs


def normalize_spread_constraints(constraints):
    """Webhook defaults: empty field and label -> cluster; minGroups 0 -> 1."""
    result = []
    for sc in constraints or []:
        sc = dict(sc)
        if not sc.get('spreadByField') and not sc.get('spreadByLabel'):
            sc['spreadByField'] = 'cluster'
        if not sc.get('minGroups'):
            sc['minGroups'] = 1
        sc.setdefault('maxGroups', 0)
        result.append(sc)
    return result


# ---------------------------------------------------------------------------
# Replica assignment (assignment.go / division_algorithm.go / common.go)
# ---------------------------------------------------------------------------

class _GoSort(object):
    """Go's sort.Sort (pdqsort, Go >= 1.19) over a list with a less(x, y) function.

    Karmada sorts TargetClustersList with sort.Sort, which is not stable for
    more than 12 elements; equal elements end up where pdqsort puts them, and
    Aggregated keeps a prefix of that order.  Mirroring the algorithm keeps
    ties identical to the scheduler.
    """

    def __init__(self, data, less):
        self.d = data
        self.lt = less

    def less(self, i, j):
        return self.lt(self.d[i], self.d[j])

    def swap(self, i, j):
        self.d[i], self.d[j] = self.d[j], self.d[i]

    def sort(self):
        n = len(self.d)
        if n > 1:
            self.pdqsort(0, n, n.bit_length())
        return self.d

    def insertion(self, a, b):
        for i in range(a + 1, b):
            j = i
            while j > a and self.less(j, j - 1):
                self.swap(j, j - 1)
                j -= 1

    def sift_down(self, lo, hi, first):
        root = lo
        while True:
            child = 2 * root + 1
            if child >= hi:
                return
            if child + 1 < hi and self.less(first + child, first + child + 1):
                child += 1
            if not self.less(first + root, first + child):
                return
            self.swap(first + root, first + child)
            root = child

    def heap_sort(self, a, b):
        hi = b - a
        for i in range((hi - 1) // 2, -1, -1):
            self.sift_down(i, hi, a)
        for i in range(hi - 1, -1, -1):
            self.swap(a, a + i)
            self.sift_down(0, i, a)

    def pdqsort(self, a, b, limit):
        balanced, partitioned = True, True
        while True:
            length = b - a
            if length <= 12:
                self.insertion(a, b)
                return
            if limit == 0:
                self.heap_sort(a, b)
                return
            if not balanced:
                self.break_patterns(a, b)
                limit -= 1
            pivot, hint = self.choose_pivot(a, b)
            if hint == 2:
                self.reverse(a, b)
                pivot = (b - 1) - (pivot - a)
                hint = 1
            if balanced and partitioned and hint == 1 and self.partial_insertion(a, b):
                return
            if a > 0 and not self.less(a - 1, pivot):
                a = self.partition_equal(a, b, pivot)
                continue
            mid, partitioned = self.partition(a, b, pivot)
            left, right = mid - a, b - mid
            threshold = length // 8
            if left < right:
                balanced = left >= threshold
                self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                balanced = right >= threshold
                self.pdqsort(mid + 1, b, limit)
                b = mid

    def partition(self, a, b, pivot):
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and self.less(i, a):
            i += 1
        while i <= j and not self.less(j, a):
            j -= 1
        if i > j:
            self.swap(j, a)
            return j, True
        self.swap(i, j)
        i += 1
        j -= 1
        while True:
            while i <= j and self.less(i, a):
                i += 1
            while i <= j and not self.less(j, a):
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            i += 1
            j -= 1
        self.swap(j, a)
        return j, False

    def partition_equal(self, a, b, pivot):
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not self.less(a, i):
                i += 1
            while i <= j and self.less(a, j):
                j -= 1
            if i > j:
                return i
            self.swap(i, j)
            i += 1
            j -= 1

    def partial_insertion(self, a, b):
        i = a + 1
        for dummy in range(5):
            while i < b and not self.less(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < 50:
                return False
            self.swap(i, i - 1)
            if i - a >= 2:
                for j in range(i - 1, 0, -1):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
            if b - i >= 2:
                for j in range(i + 1, b):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
        return False

    def break_patterns(self, a, b):
        length = b - a
        if length >= 8:
            state = [length]

            def nxt():
                mask = 2 ** 64 - 1
                r = state[0]
                r ^= (r << 13) & mask
                r ^= r >> 7
                r ^= (r << 17) & mask
                state[0] = r
                return r
            modulus = 1 << length.bit_length()
            start = a + (length // 4) * 2 - 1
            for idx in range(start, start + 3):
                other = nxt() & (modulus - 1)
                if other >= length:
                    other -= length
                self.swap(idx, a + other)

    def choose_pivot(self, a, b):
        length = b - a
        swaps = [0]
        i, j, k = a + length // 4, a + length // 4 * 2, a + length // 4 * 3

        def median(x, y, z):
            if self.less(y, x):
                swaps[0] += 1
                x, y = y, x
            if self.less(z, y):
                swaps[0] += 1
                y, z = z, y
            if self.less(y, x):
                swaps[0] += 1
                x, y = y, x
            return y
        if length >= 8:
            if length >= 50:
                i = median(i - 1, i, i + 1)
                j = median(j - 1, j, j + 1)
                k = median(k - 1, k, k + 1)
            j = median(i, j, k)
        if swaps[0] == 0:
            return j, 1
        if swaps[0] == 12:
            return j, 2
        return j, 0

    def reverse(self, a, b):
        i, j = a, b - 1
        while i < j:
            self.swap(i, j)
            i += 1
            j -= 1


def go_sort(items, less):
    """Sort a copy of items exactly like Go's sort.Sort with the given less."""
    return _GoSort(list(items), less).sort()


def _sort_desc(items):
    # TargetClustersList: Less is replicas descending, sorted with Go's unstable sort.Sort.
    return go_sort(items, lambda x, y: x[1] > y[1])


def static_weight_list(candidates, weight_preference):
    """getStaticWeightInfoList: max weight of matching rules; all zero -> equal weights."""
    rules = (weight_preference or {}).get('staticWeightList') if weight_preference else None
    if weight_preference is None:
        rules = [{'targetCluster': {'clusterNames': [c['name']]}, 'weight': 1} for c in candidates]
    best = dict((cand['name'], 0) for cand in candidates)
    for rule in rules or []:
        rule_weight = _as_int(rule.get('weight', 0), 'staticWeightList weight', 0, INT64_MAX)
        target = rule.get('targetCluster') or {}
        if target.get('clusterNames') and target.get('labelSelector') is None \
                and target.get('fieldSelector') is None:
            # Names-only rule: look the names up instead of matching every cluster.
            excluded = set(target.get('exclude') or [])
            matched = [n for n in set(target['clusterNames']) if n in best and n not in excluded]
        else:
            matched = [c['name'] for c in candidates if cluster_matches(c['cluster'], target)]
        for name in matched:
            if rule_weight > best[name]:
                best[name] = rule_weight
    weights = [(cand['name'], best[cand['name']]) for cand in candidates if best[cand['name']] > 0]
    if _wrap64(sum(w for dummy, w in weights)) == 0:
        weights += [(cand['name'], 1) for cand in candidates]
    return weights


def divide_dynamic(available, target, scheduled, aggregated, uid, fast=True):
    """dynamicDivideReplicas over ordered (name, replicas) availability."""
    total = _wrap32(sum(r for dummy, r in available))
    if total < target:
        raise PlacementError('Clusters available replicas %d are not enough to schedule.' % total)
    if aggregated:
        prior = set(n for n, r in scheduled if r > 0)
        if prior:
            available = ([a for a in available if a[0] in prior] +
                         [a for a in available if a[0] not in prior])
        running = 0
        for i, (dummy, replicas) in enumerate(available):
            running = _wrap32(running + replicas)
            if running >= target:
                available = available[:i + 1]
                break
    new = allocate_by_weight(target, available, uid, fast=fast)
    return merge_target_clusters(scheduled, new)


def merge_target_clusters(old, new):
    if not old:
        return list(new)
    if not new:
        return list(old)
    old_map = dict(old)
    merged = []
    for name, replicas in new:
        if name in old_map:
            replicas = _wrap32(replicas + old_map.pop(name))
        merged.append((name, replicas))
    merged += [(n, r) for n, r in old if n in old_map]
    return merged


def assign_replicas(candidates, strategy, rs, replicas, uid='', previous=None, fresh=False, fast=True):
    """assignReplicasToClusters for ordered candidates; returns [(name, replicas)] without zeros.

    candidates: [{'name', 'allocatable', 'cluster'}] in the scheduler's order.
    previous: [(name, replicas)] -- the binding's spec.clusters.
    """
    previous = previous or []
    if strategy == DUPLICATED:
        result = [(c['name'], replicas) for c in candidates]
    elif strategy == STATIC_WEIGHT:
        weights = static_weight_list(candidates, (rs or {}).get('weightPreference'))
        result = allocate_by_weight(replicas, weights, uid, fast=fast)
    else:
        names = set(c['name'] for c in candidates)
        scheduled = [(n, r) for n, r in previous if n in names]
        assigned = _wrap32(sum(r for dummy, r in scheduled))
        aggregated = strategy == AGGREGATED
        if fresh:
            prev = {}
            for n, r in scheduled:
                prev.setdefault(n, r)
            available = _sort_desc([(c['name'], _wrap32(c['allocatable'] + prev.get(c['name'], 0)))
                                    for c in candidates])
            result = divide_dynamic(available, replicas, [], aggregated, uid, fast)
        elif assigned > replicas:
            result = divide_dynamic(_sort_desc(scheduled), replicas, [], aggregated, uid, fast)
        elif assigned < replicas:
            available = _sort_desc([(c['name'], c['allocatable']) for c in candidates])
            result = divide_dynamic(available, replicas - assigned, scheduled, aggregated, uid, fast)
        else:
            result = scheduled
    return [(n, r) for n, r in result if r > 0]


# ---------------------------------------------------------------------------
# Cluster selection with spread constraints (spreadconstraint/)
# ---------------------------------------------------------------------------

def _should_ignore_spread(rs):
    if rs is None:
        return False
    if rs.get('replicaSchedulingType') != DIVIDED or rs.get('replicaDivisionPreference') != WEIGHTED:
        return False
    wp = rs.get('weightPreference')
    return wp is None or (bool(wp.get('staticWeightList')) and not wp.get('dynamicWeight'))


def sort_candidates(cands, extra_key=None):
    """sortClusters: overflow order asc, score desc, [extra], name asc."""
    def key(c):
        k = [c.get('overflow', 0), -c['score']]
        if extra_key:
            k.append(extra_key(c))
        k.append(c['name'])
        return k
    return sorted(cands, key=key)


def group_score(clusters, replicas, duplicated, min_groups, cluster_min_groups):
    """calcGroupScore / calcGroupScoreForDuplicate."""
    unit = 1000
    if duplicated:
        valid = [c for c in clusters if c['available'] >= replicas]
        if not valid:
            return 0
        return len(valid) * unit + sum(c['score'] for c in valid) // len(valid)
    target = int(math.ceil(float(replicas) / float(min_groups)))
    need = max(cluster_min_groups, min_groups)
    total_avail = total_score = valid = 0
    for c in clusters:
        total_avail += c['available']
        total_score += c['score']
        valid += 1
        if valid >= need and total_avail >= target:
            break
    if total_avail < target:
        return total_avail * unit + total_score // len(clusters)
    return target * unit + total_score // valid


def select_groups(groups, min_groups, max_groups, target):
    """selectGroups: groups is [(name, value, weight)]; returns names of the best path."""
    if not groups:
        return []
    groups = sorted(groups, key=lambda g: (g[1], -g[2], g[0]))
    paths = []
    path = []
    counter = [0]

    def dfs(total, begin):
        if total >= target and min_groups <= len(path) <= max_groups:
            counter[0] += 1
            chosen = sorted(path, key=lambda g: (-g[2], g[0]))
            paths.append((sum(g[2] for g in chosen), sum(g[1] for g in chosen), counter[0],
                          [g[0] for g in chosen]))
            return
        if len(path) >= max_groups:
            return
        for i in range(begin, len(groups)):
            total += groups[i][1]
            path.append(groups[i])
            dfs(total, i + 1)
            # Karmada stops backtracking when every group is needed for minGroups.
            if len(groups) == min_groups:
                break
            total -= groups[i][1]
            path.pop()

    dfs(0, 0)
    if not paths:
        return []
    if len(paths) == 1:
        return paths[0][3]
    paths.sort(key=lambda p: (-p[0], -p[1], p[2]))
    final = paths[0][3]
    for dummy, dummy2, dummy3, names in paths[1:]:
        # A strict prefix of the best path is preferred (fewer regions, same leaders).
        if len(names) < len(final) and final[:len(names)] == names:
            final = names
    return final


def select_by_cluster(constraint, clusters, need_replicas):
    total = len(clusters)
    if total < constraint['minGroups']:
        raise PlacementError('the number of feasible clusters is less than spreadConstraint.MinGroups')
    need = min(total, constraint.get('maxGroups') or 0)
    if need_replicas < 0:
        return clusters[:need]
    chosen = list(clusters[:need])
    rest = list(clusters[need:])
    idx = len(chosen) - 1
    while sum(c['available'] for c in chosen) < need_replicas and idx >= 0:
        best, best_avail = -1, chosen[idx]['available']
        for i, c in enumerate(rest):
            if best_avail < c['available']:
                best, best_avail = i, c['available']
        if best >= 0:
            chosen[idx], rest[best] = rest[best], chosen[idx]
        idx -= 1
    if sum(c['available'] for c in chosen) < need_replicas:
        raise PlacementError('no enough resource when selecting %d clusters' % need)
    return chosen


def select_by_region(constraints, regions):
    """selectBestClustersByRegion; regions: {name: {'score': int, 'clusters': [cand...]}}."""
    region_sc = constraints.get('region', {})
    cluster_sc = constraints.get('cluster', {})
    if len(regions) < region_sc.get('minGroups', 0):
        raise PlacementError('the number of feasible region is less than spreadConstraint.MinGroups')
    groups = [(name, len(info['clusters']), info['score']) for name, info in regions.items()]
    chosen = select_groups(groups, region_sc.get('minGroups', 0), region_sc.get('maxGroups', 0),
                           cluster_sc.get('minGroups', 0))
    if not chosen:
        raise PlacementError('the number of clusters is less than the cluster spreadConstraint.MinGroups')
    selected, rest = [], []
    for name in chosen:
        selected.append(regions[name]['clusters'][0])
        rest += regions[name]['clusters'][1:]
    need = min(len(selected) + len(rest), cluster_sc.get('maxGroups', 0))
    if need - len(selected) > 0:
        rest = sort_candidates(rest, lambda c: -c['available'])
        selected += rest[:need - len(selected)]
    return selected


def select_best_clusters(placement, rs, cands, replicas, duplicated):
    """SelectBestClusters over candidates sorted by the scheduler."""
    constraints = normalize_spread_constraints(placement.get('spreadConstraints'))
    if not constraints or _should_ignore_spread(rs):
        return cands
    need_replicas = -1 if rs is None or rs.get('replicaSchedulingType') == DUPLICATED else replicas
    by_field = {}
    for sc in constraints:
        if sc.get('spreadByField'):
            by_field[sc['spreadByField']] = sc
    if 'region' in by_field:
        regions = {}
        for c in cands:
            region = c['cluster']['region']
            if region:
                regions.setdefault(region, {'clusters': []})['clusters'].append(c)
        cluster_min = by_field.get('cluster', {}).get('minGroups', 0)
        for info in regions.values():
            info['score'] = group_score(info['clusters'], replicas, duplicated,
                                        by_field['region']['minGroups'], cluster_min)
        return select_by_region(by_field, regions)
    if 'cluster' in by_field:
        return select_by_cluster(by_field['cluster'], cands, need_replicas)
    raise PlacementError('just support cluster and region spread constraint '
                         '(Karmada cannot schedule spreadByField zone/provider or spreadByLabel alone)')


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------

def _feasible(clusters, affinities, constraints):
    """Filter plugins: ClusterAffinity (any of the affinities) and SpreadConstraint."""
    fields = set(sc.get('spreadByField') for sc in constraints)
    result = []
    for c in clusters:
        order = None
        for i, aff in enumerate(affinities):
            if cluster_matches(c, aff):
                order = i
                break
        if order is None:
            continue
        if ('provider' in fields and not c['provider']) or ('region' in fields and not c['region']) \
                or ('zone' in fields and not c['zones']):
            continue
        result.append((c, order))
    return result


def _schedule(clusters, placement, affinities, overflow, replicas, uid, previous, fresh, fast):
    strategy, rs = normalize_strategy(placement.get('replicaScheduling'))
    constraints = normalize_spread_constraints(placement.get('spreadConstraints'))
    feasible = _feasible(clusters, affinities, constraints)
    if not feasible:
        raise PlacementError('0/%d clusters are available: no cluster matches the placement' % len(clusters))
    prev_names = [n for n, dummy in previous]
    prev_map = {}
    for n, r in previous:
        prev_map.setdefault(n, r)
    cands = []
    for c, order in feasible:
        cands.append({
            'name': c['name'], 'cluster': c, 'overflow': order,
            # ClusterLocality: 100 when the cluster already holds the workload.
            'score': 100 if c['name'] in prev_names else 0,
            'allocatable': c['allocatable'],
            'available': c['allocatable'] + prev_map.get(c['name'], 0),
        })
    cands = sort_candidates(cands, lambda c: -c['available'])
    selected = select_best_clusters(placement, rs, cands, replicas, strategy == DUPLICATED)
    if not selected:
        raise PlacementError('no clusters available to schedule')
    if replicas <= 0:
        # Karmada propagates to every selected cluster without a replica count.
        return []
    if not overflow:
        return assign_replicas(selected, strategy, rs, replicas, uid, previous, fresh, fast)
    tiers = {}
    for c in selected:
        tiers.setdefault(c['overflow'], []).append(c)
    result, remaining = [], replicas
    for order in sorted(tiers):
        tier_replicas = min(remaining, sum(c['available'] for c in tiers[order]))
        result += assign_replicas(tiers[order], strategy, rs, tier_replicas, uid, previous, fresh, fast)
        remaining -= tier_replicas
        if remaining <= 0:
            break
    if remaining > 0:
        raise PlacementError('Clusters available replicas are not enough to schedule.')
    return result


def compute_placement(clusters, placement, replicas, uid='', previous=None, fresh=False,
                      observed_affinity=None, fast=True):
    """Return {cluster: replicas} (no zero entries) as karmada-scheduler v1.18 assigns them.

    clusters: list of {name, labels, provider, region, zones, available_replicas}
    placement: a PropagationPolicy spec.placement in upstream shape
    previous: the previous assignment {name: replicas} (binding spec.clusters)
    fresh: True when a reschedule was triggered (rescheduleTriggeredAt > lastScheduledTime)
    observed_affinity: status.schedulerObservedAffinityName for clusterAffinities
    """
    placement = placement or {}
    if not isinstance(placement, dict):
        raise PlacementError('placement must be a mapping')
    errors = shape_errors(PLACEMENT, placement, 'placement')
    if errors:
        raise PlacementError('; '.join(errors))
    replicas = _as_int(replicas, 'replicas')
    if not isinstance(uid, str):
        raise PlacementError(problem('uid', uid, 'a string (the UID of the resource template)'))
    normalized = normalize_clusters(clusters, replicas)
    previous = normalize_previous(previous)
    for sc in placement.get('spreadConstraints') or []:
        if sc.get('spreadByField') and sc.get('spreadByLabel'):
            raise PlacementError('spreadByField and spreadByLabel cannot be set together')
    terms = placement.get('clusterAffinities')
    if placement.get('clusterAffinity') is not None and terms:
        raise PlacementError('clusterAffinity and clusterAffinities cannot co-exist')
    if not terms:
        affinity = placement.get('clusterAffinity')
        result = _schedule(normalized, placement, [affinity or {}], False, replicas, uid,
                           previous, fresh, fast)
    else:
        start = 0
        for i, term in enumerate(terms):
            if term.get('affinityName') == observed_affinity:
                start = i
                break
        first_error = None
        result = None
        for term in terms[start:]:
            affinities = [term]
            overflow = term.get('overflowAffinities')
            if overflow and replicas > 0:
                affinities += list(overflow)
            try:
                result = _schedule(normalized, placement, affinities, bool(overflow) and replicas > 0,
                                   replicas, uid, previous, fresh, fast)
                break
            except PlacementError as exc:
                first_error = first_error or exc
        if result is None:
            raise first_error
    return dict(sorted(result))
