# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter karmada_replicas: a replica plan exactly as karmada-scheduler v1.18 makes it.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: karmada_replicas
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Replica plan exactly as Karmada v1.18 schedules it
description:
  - Computes how karmada-scheduler v1.18 divides a workload's replicas over member clusters for a
    PropagationPolicy C(placement), without talking to any cluster.
  - Covers cluster matching (C(clusterAffinity) with C(clusterNames), C(exclude), C(labelSelector)
    and C(fieldSelector) on provider/region/zone, and C(clusterAffinities) with overflow affinities),
    Duplicated, Divided/Weighted with static weights (a cluster takes the maximum weight of the
    rules it matches, unmatched clusters get nothing, no positive weight at all means equal
    weights), dynamic weights (C(dynamicWeight=AvailableReplicas)), Aggregated, the Webster
    (Sainte-Lague) method with the tie-break on the FNV-32a hash of the resource UID, and
    spread constraints by cluster or region.
  - The result has no zero entries. With O(replicas) steps replaced by a bulk step, large replica
    counts cost the same as small ones; results are identical to Karmada's per-replica loop.
  - Inputs Karmada cannot schedule (not enough available replicas, too few clusters for
    C(minGroups), unsupported spread constraints, invalid strategy values) fail with a message.
positional: placement, replicas, uid, previous
options:
  _input:
    description:
      - Member clusters. Each item is V({name, labels, provider, region, zones, available_replicas})
        or a C(cluster.karmada.io/v1alpha1) Cluster object.
      - C(available_replicas) is what the replica estimators report as allocatable for this
        workload; it is only used by dynamic weights, Aggregated and spread constraints. When it is
        missing Karmada's fallback (the workload's replica count) is used.
    type: list
    elements: dict
    required: true
  placement:
    description: The C(spec.placement) of a PropagationPolicy in upstream shape.
    type: dict
    required: true
  replicas:
    description: The workload's C(spec.replicas).
    type: int
    required: true
  uid:
    description:
      - UID of the resource template (for example the Deployment's C(metadata.uid)).
      - Its FNV-32a hash decides which cluster wins a Webster tie, as in Karmada.
    type: str
    default: ''
  previous:
    description:
      - "The previous assignment, C({cluster: replicas}) (the ResourceBinding's C(spec.clusters))."
      - Dynamic strategies scale up and down from it; it also orders candidates (cluster locality).
    type: raw
"""

EXAMPLES = r"""
- name: Show the 60/40 split Karmada will make
  ansible.builtin.debug:
    msg: "{{ clusters | fleetops.kurator.karmada_replicas(placement, 10) }}"
  vars:
    clusters:
      - {name: cluster-shanghai, labels: {environment: production, region: east-china}}
      - {name: cluster-hangzhou, labels: {environment: production, region: east-china}}
    placement:
      clusterAffinity:
        labelSelector: {matchLabels: {environment: production}}
      replicaScheduling:
        replicaSchedulingType: Divided
        replicaDivisionPreference: Weighted
        weightPreference:
          staticWeightList:
            - {targetCluster: {clusterNames: [cluster-shanghai]}, weight: 60}
            - {targetCluster: {clusterNames: [cluster-hangzhou]}, weight: 40}
  # -> {"cluster-hangzhou": 4, "cluster-shanghai": 6}

- name: Dynamic weights from available replicas, scaling up from the current binding
  ansible.builtin.set_fact:
    plan: >-
      {{ clusters | fleetops.kurator.karmada_replicas(placement, 24, uid=deploy_uid,
                                                      previous={'member1': 2, 'member2': 4}) }}
"""

RETURN = r"""
_value:
  description: Replicas per cluster, only clusters that get at least one replica, sorted by name.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.module_utils._placement import (
    PlacementError, compute_placement)


def karmada_replicas(clusters, placement, replicas, uid='', previous=None):
    """Return {cluster: replicas} exactly as karmada-scheduler v1.18 would assign them."""
    try:
        return compute_placement(clusters, placement, replicas, uid=uid or '', previous=previous)
    except PlacementError as exc:
        raise AnsibleFilterError('karmada_replicas: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'karmada_replicas': karmada_replicas}
