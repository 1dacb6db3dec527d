# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: cluster selectors and affinity.

karmada-io/karmada v1.18 pkg/util/selector.go (ClusterMatches, matchZones) over
apimachinery's label and node-selector requirements. An invalid selector matches no
cluster, as in Karmada.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import label_key_error, label_value_error
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_common import PROVIDER_FIELD, REGION_FIELD, ZONE_FIELD


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
