#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Benchmark the placement engine: assignments per second.

For 10, 100 and 1000 clusters and 10 .. 100000 replicas, times full
compute_placement() calls (matching + strategy + Webster) for static weights
and dynamic weights, and the same work with Karmada's per-replica loop
(reference) where that finishes in reasonable time.  Each cell runs for about
0.5 s (at least one call), so the whole table takes well under a minute.
"""

from __future__ import absolute_import, division, print_function

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The checkout's collection tree (`make collection`: .ansible/collections/ansible_collections/
# fleetops/kurator -> the checkout): the placement files import each other by their
# collection names, so the facade cannot be loaded as a lone file.
sys.path.insert(0, os.path.join(HERE, '..', '.ansible', 'collections'))
from ansible_collections.fleetops.kurator.plugins.module_utils import _placement as P  # noqa: E402

CLUSTERS = (10, 100, 1000)
REPLICAS = (10, 100, 1000, 10000, 100000)
CELL_SECONDS = 0.5
# The reference loop is O(replicas * log clusters) per call; skip cells that would
# take more than this many seat steps for a single call.
REFERENCE_MAX_STEPS = 200000


def make_clusters(count):
    # Uneven weights and capacity, with ties, like a real fleet.
    return [{'name': 'member%04d' % i, 'labels': {'tier': 'gold' if i % 3 else 'silver'},
             'available_replicas': 1000000 + (i * 7919) % 5000}
            for i in range(count)]


def placements(count):
    rules = [{'targetCluster': {'clusterNames': ['member%04d' % i]}, 'weight': (i * 31) % 97 + 1}
             for i in range(count)]
    return {
        'static': {'replicaScheduling': {'replicaSchedulingType': 'Divided',
                                         'replicaDivisionPreference': 'Weighted',
                                         'weightPreference': {'staticWeightList': rules}}},
        'dynamic': {'replicaScheduling': {'replicaSchedulingType': 'Divided',
                                          'replicaDivisionPreference': 'Weighted',
                                          'weightPreference': {'dynamicWeight': 'AvailableReplicas'}}},
    }


def rate(clusters, placement, replicas, fast):
    calls = 0
    start = time.perf_counter()
    deadline = start + CELL_SECONDS
    result = None
    while True:
        result = P.compute_placement(clusters, placement, replicas, uid='bench', fast=fast)
        calls += 1
        now = time.perf_counter()
        if now >= deadline:
            break
    return calls / (now - start), result


def main():
    started = time.perf_counter()
    header = 'mode      impl       clusters ' + ''.join('%12s' % ('r=%d' % r) for r in REPLICAS)
    print('Assignments per second (full compute_placement calls; "-" = not run)')
    print(header)
    print('-' * len(header))
    mismatches = 0
    for mode in ('static', 'dynamic'):
        for count in CLUSTERS:
            clusters = make_clusters(count)
            placement = placements(count)[mode]
            fast_row, ref_row = [], []
            for replicas in REPLICAS:
                fast_rate, fast_result = rate(clusters, placement, replicas, True)
                fast_row.append('%12.1f' % fast_rate)
                if replicas * max(1, count.bit_length()) <= REFERENCE_MAX_STEPS * 4 and replicas <= 10000:
                    ref_rate, ref_result = rate(clusters, placement, replicas, False)
                    ref_row.append('%12.1f' % ref_rate)
                    if ref_result != fast_result:
                        mismatches += 1
                else:
                    ref_row.append('%12s' % '-')
            print('%-9s %-10s %8d %s' % (mode, 'fast', count, ''.join(fast_row)))
            print('%-9s %-10s %8d %s' % (mode, 'reference', count, ''.join(ref_row)))
    print('-' * len(header))
    verdict = 'yes' if not mismatches else 'NO (%d mismatches)' % mismatches
    print('fast == reference in every cell where both ran: %s' % verdict)
    print('total time: %.1f s' % (time.perf_counter() - started))
    return 1 if mismatches else 0


if __name__ == '__main__':
    sys.exit(main())
