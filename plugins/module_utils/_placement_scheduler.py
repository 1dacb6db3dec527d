# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: one scheduling pass, from the placement to {cluster: replicas}.

karmada-io/karmada v1.18 pkg/scheduler/core/generic_scheduler.go and common.go: the filter
plugins (ClusterAffinity, SpreadConstraint), the ClusterLocality score, cluster selection
and replica assignment, with clusterAffinities tried in order and overflow tiers filled
one after another.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import problem
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_assignment import assign_replicas
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_common import DUPLICATED, PlacementError, as_int
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_normalize import (
    normalize_clusters, normalize_previous, normalize_spread_constraints, normalize_strategy)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_selector import cluster_matches
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_shape import PLACEMENT, shape_errors
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_spread import select_best_clusters, sort_candidates


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
    replicas = as_int(replicas, 'replicas')
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
