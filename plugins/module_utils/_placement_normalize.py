# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: inputs normalised, with the CRD and webhook defaults applied.

Clusters (a flat mapping or a Karmada Cluster object), the previous assignment (a
binding's spec.clusters) and the defaults karmada-webhook sets on replicaScheduling and
spreadConstraints (pkg/webhook/propagationpolicy, pkg/util/helper/policy.go).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import cluster_name_error, label_key_error, label_value_error, problem
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_common import (
    AGGREGATED, DIVIDED, DUPLICATED, DYNAMIC_AVAILABLE, DYNAMIC_WEIGHT, STATIC_WEIGHT, WEIGHTED, PlacementError,
    as_int)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_shape import CLUSTER_NAME_EXPECTED


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
    available = as_int(available, 'available_replicas of cluster %s' % name)
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
    return [(str(n), as_int(r, 'previous replicas of %s' % n)) for n, r in items]


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
