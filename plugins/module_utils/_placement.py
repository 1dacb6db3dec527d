# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada v1.18 replica placement, computed the way karmada-scheduler does it.

The facade: callers import from here; the code lives in files named after
karmada-scheduler's own (an independent re-implementation; docs/placement.md explains
the rules):

- ``_placement_scheduler``   generic_scheduler.go / common.go: compute_placement, one pass
- ``_placement_selector``    pkg/util/selector.go: cluster affinity and selectors
- ``_placement_spread``      spreadconstraint/: cluster selection under spread constraints
- ``_placement_assignment``  assignment.go / division_algorithm.go: replicas per strategy
- ``_placement_webster``     pkg/util/helper/webstermethod.go and the Dispenser
- ``_placement_gosort``      Go's sort.Sort (pdqsort), so ties fall where Go leaves them
- ``_placement_normalize``   inputs normalised, CRD and webhook defaults applied
- ``_placement_shape``       types and known keys of the Karmada API, checked first
- ``_placement_common``      constants, PlacementError, Go int32/int64 arithmetic

Dependencies point down this list (scheduler on top, common at the bottom); no file
imports the facade.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import (
    cluster_name_error, known_key, label_key_error, label_value_error, problem)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_common import (
    AGGREGATED, DIVIDED, DUPLICATED, DYNAMIC_AVAILABLE, DYNAMIC_WEIGHT, INT32_MAX, INT64_MAX, PROVIDER_FIELD,
    REGION_FIELD, SEATS_LIMIT, STATIC_WEIGHT, WEIGHTED, ZONE_FIELD, PlacementError)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_webster import (
    allocate_by_weight, fnv32a, uid_prefers_descending, webster, webster_reference)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_selector import (
    cluster_fields, cluster_matches, label_selector_matches, match_zones)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_shape import (
    BOOL, CLUSTER_AFFINITY, CLUSTER_AFFINITY_TERM, CLUSTER_NAME, CLUSTER_NAME_EXPECTED, CLUSTER_NAMES,
    FIELD_SELECTOR, INT32, INT64, LABEL_SELECTOR, OVERFLOW_AFFINITY, PLACEMENT, REPLICA_SCHEDULING,
    SPREAD_CONSTRAINT, STATIC_CLUSTER_WEIGHT, STRING, STRINGS, TOLERATION, WORKLOAD_AFFINITY, anything, enum,
    extend, integer, is_int, list_of, map_of, mapping, placement_shape, scalar, shape_errors)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_normalize import (
    normalize_cluster, normalize_clusters, normalize_previous, normalize_spread_constraints, normalize_strategy)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_gosort import go_sort
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_assignment import (
    assign_replicas, divide_dynamic, merge_target_clusters, static_weight_list)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_spread import (
    group_score, select_best_clusters, select_by_cluster, select_by_region, select_groups, sort_candidates)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement_scheduler import compute_placement

__all__ = (
    # _labels (the label and name checks placement uses)
    'cluster_name_error', 'known_key', 'label_key_error', 'label_value_error', 'problem',
    # _placement_common
    'AGGREGATED', 'DIVIDED', 'DUPLICATED', 'DYNAMIC_AVAILABLE', 'DYNAMIC_WEIGHT', 'INT32_MAX', 'INT64_MAX',
    'PROVIDER_FIELD', 'REGION_FIELD', 'SEATS_LIMIT', 'STATIC_WEIGHT', 'WEIGHTED', 'ZONE_FIELD', 'PlacementError',
    # _placement_webster
    'allocate_by_weight', 'fnv32a', 'uid_prefers_descending', 'webster', 'webster_reference',
    # _placement_selector
    'cluster_fields', 'cluster_matches', 'label_selector_matches', 'match_zones',
    # _placement_shape
    'BOOL', 'CLUSTER_AFFINITY', 'CLUSTER_AFFINITY_TERM', 'CLUSTER_NAME', 'CLUSTER_NAME_EXPECTED', 'CLUSTER_NAMES',
    'FIELD_SELECTOR', 'INT32', 'INT64', 'LABEL_SELECTOR', 'OVERFLOW_AFFINITY', 'PLACEMENT', 'REPLICA_SCHEDULING',
    'SPREAD_CONSTRAINT', 'STATIC_CLUSTER_WEIGHT', 'STRING', 'STRINGS', 'TOLERATION', 'WORKLOAD_AFFINITY',
    'anything', 'enum', 'extend', 'integer', 'is_int', 'list_of', 'map_of', 'mapping', 'placement_shape',
    'scalar', 'shape_errors',
    # _placement_normalize
    'normalize_cluster', 'normalize_clusters', 'normalize_previous', 'normalize_spread_constraints',
    'normalize_strategy',
    # _placement_gosort
    'go_sort',
    # _placement_assignment
    'assign_replicas', 'divide_dynamic', 'merge_target_clusters', 'static_weight_list',
    # _placement_spread
    'group_score', 'select_best_clusters', 'select_by_cluster', 'select_by_region', 'select_groups',
    'sort_candidates',
    # _placement_scheduler
    'compute_placement',
)
