# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: the shared vocabulary of the scheduler files.

Constants, the error type and Go's integer arithmetic used by every ``_placement_*`` file
(karmada-io/karmada v1.18 pkg/apis/policy/v1alpha1 for the names, Go int32/int64 for the
widths). Replicas and available replicas are int32, static weights are int64, and the sums
Karmada keeps in int32/int64 wrap the same way here.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re


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


def wrap32(value):
    """value as Go's int32 arithmetic leaves it (two's complement wrap-around)."""
    return (value + 2 ** 31) % 2 ** 32 - 2 ** 31


def wrap64(value):
    """value as Go's int64 arithmetic leaves it (two's complement wrap-around)."""
    return (value + 2 ** 63) % 2 ** 64 - 2 ** 63


def as_int(value, what, low=0, high=INT32_MAX):
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
