# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: cluster selection under spread constraints.

karmada-io/karmada v1.18 pkg/scheduler/core/spreadconstraint/ (SelectBestClusters,
selectBestClustersByRegion, selectBestClustersByCluster, calcGroupScore, selectGroups,
sortClusters).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math

from ansible_collections.fleetops.kurator.plugins.module_utils._placement_common import DIVIDED, DUPLICATED, WEIGHTED, PlacementError
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_normalize import normalize_spread_constraints


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
