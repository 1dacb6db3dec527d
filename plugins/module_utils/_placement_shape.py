# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: input shapes, the types and known keys of the Karmada API.

Checked before anything is computed, the way the CRD's OpenAPI schema checks them
(karmada-io/karmada v1.18 pkg/apis/policy/v1alpha1 Placement and its parts).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import cluster_name_error, known_key, problem
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_common import INT32_MAX, INT64_MAX


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
