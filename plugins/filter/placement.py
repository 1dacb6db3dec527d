# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Filters: karmada_replicas (Karmada v1.18 replica plan) and traffic_weights (Istio)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.module_utils._placement import (
    PlacementError, compute_placement)
from ansible_collections.fleetops.kurator.plugins.module_utils._traffic import (
    TrafficError, traffic_weights as _traffic_weights)


def karmada_replicas(clusters, placement, replicas, uid='', previous=None):
    """Return {cluster: replicas} exactly as karmada-scheduler v1.18 would assign them."""
    try:
        return compute_placement(clusters, placement, replicas, uid=uid or '', previous=previous)
    except PlacementError as exc:
        raise AnsibleFilterError('karmada_replicas: %s' % exc)


def traffic_weights(weights, normalize=False):
    """Return validated Istio route weights, optionally scaled to sum to exactly 100."""
    try:
        return _traffic_weights(weights, normalize=bool(normalize))
    except TrafficError as exc:
        raise AnsibleFilterError('traffic_weights: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {
            'karmada_replicas': karmada_replicas,
            'traffic_weights': traffic_weights,
        }
