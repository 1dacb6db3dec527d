# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: replicas assigned to the selected clusters.

karmada-io/karmada v1.18 pkg/scheduler/core/assignment.go (assignReplicasToClusters per
strategy: Duplicated, static weights, dynamic weights, Aggregated),
division_algorithm.go (dynamicDivideReplicas) and util.go (getStaticWeightInfoList).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.fleetops.kurator.plugins.module_utils._placement_common import (
    AGGREGATED, DUPLICATED, INT64_MAX, STATIC_WEIGHT, PlacementError, as_int, wrap32, wrap64)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_gosort import go_sort
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_selector import cluster_matches
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_webster import allocate_by_weight


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
        rule_weight = as_int(rule.get('weight', 0), 'staticWeightList weight', 0, INT64_MAX)
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
    if wrap64(sum(w for dummy, w in weights)) == 0:
        weights += [(cand['name'], 1) for cand in candidates]
    return weights


def divide_dynamic(available, target, scheduled, aggregated, uid, fast=True):
    """dynamicDivideReplicas over ordered (name, replicas) availability."""
    total = wrap32(sum(r for dummy, r in available))
    if total < target:
        raise PlacementError('Clusters available replicas %d are not enough to schedule.' % total)
    if aggregated:
        prior = set(n for n, r in scheduled if r > 0)
        if prior:
            available = ([a for a in available if a[0] in prior] +
                         [a for a in available if a[0] not in prior])
        running = 0
        for i, (dummy, replicas) in enumerate(available):
            running = wrap32(running + replicas)
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
            replicas = wrap32(replicas + old_map.pop(name))
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
        assigned = wrap32(sum(r for dummy, r in scheduled))
        aggregated = strategy == AGGREGATED
        if fresh:
            prev = {}
            for n, r in scheduled:
                prev.setdefault(n, r)
            available = _sort_desc([(c['name'], wrap32(c['allocatable'] + prev.get(c['name'], 0)))
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
