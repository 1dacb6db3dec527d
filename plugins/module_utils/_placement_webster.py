# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Karmada placement: Webster / Sainte-Lague seats with Karmada's ordering.

karmada-io/karmada v1.18 pkg/util/helper/webstermethod.go (AllocateWebsterSeats, the UID
tie-breaker) and the Dispenser of pkg/util/helper/binding.go (AllocateByWeight). An
independent re-implementation; docs/placement.md explains the rules.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import heapq
import math

from ansible_collections.fleetops.kurator.plugins.module_utils._placement_common import INT32_MAX, SEATS_LIMIT, PlacementError, wrap64


def fnv32a(text):
    """FNV-1a 32-bit hash of a string's UTF-8 bytes (Go hash/fnv New32a)."""
    h = 0x811c9dc5
    for byte in bytearray(text.encode('utf-8')):
        h ^= byte
        h = (h * 0x01000193) & 0xffffffff
    return h


def uid_prefers_descending(uid):
    """Karmada's tieBreakerByUID: odd FNV-1a hash of the UID -> larger names win ties."""
    if not uid:
        return False
    return bool(fnv32a(uid) & 1)


def _priority(votes, seats):
    # Exactly Go's float64(votes) / float64(2*seats+1): Python floats are IEEE doubles
    # and int->float conversion rounds to nearest-even like Go.
    return float(votes) / float(2 * seats + 1)


def _rank_keys(names, descending):
    ordered = sorted(names)
    if descending:
        return dict((n, -i) for i, n in enumerate(ordered))
    return dict((n, i) for i, n in enumerate(ordered))


def _parties(votes, initial):
    parties = {}
    for name, seats in (initial or {}).items():
        parties[name] = [0, int(seats)]
    for name, vote in votes.items():
        if name in parties:
            parties[name][0] = int(vote)
        else:
            parties[name] = [int(vote), 0]
    for name, (vote, seats) in parties.items():
        if vote < 0:
            raise PlacementError('weight of %s is negative (%d)' % (name, vote))
        if seats < 0:
            raise PlacementError('initial replicas of %s are negative (%d)' % (name, seats))
    return parties


def webster_reference(new_seats, votes, initial=None, descending=False):
    """Seat-by-seat Webster exactly as Karmada's AllocateWebsterSeats loops.

    O(new_seats * log(parties)); kept as the oracle for the fast version.
    Returns {name: seats} for every party.
    """
    parties = _parties(votes, initial)
    if not parties:
        return {}
    rank = _rank_keys(parties, descending)
    heap = [(-_priority(v, s), s, rank[n], n) for n, (v, s) in parties.items()]
    heapq.heapify(heap)
    for dummy in range(max(0, int(new_seats))):
        dummy, seats, key, name = heapq.heappop(heap)
        seats += 1
        heapq.heappush(heap, (-_priority(parties[name][0], seats), seats, key, name))
    return dict((name, seats) for dummy, seats, dummy2, name in heap)


def _seats_above(votes, threshold):
    """Number of k >= 0 with float priority votes/(2k+1) strictly above threshold."""
    approx = (float(votes) / threshold - 1.0) / 2.0
    k = int(math.ceil(approx)) if approx > 0 else 0
    k = max(0, min(k, INT32_MAX))
    # The float estimate can be off by one or two; settle it with the exact comparison.
    while k > 0 and not _priority(votes, k - 1) > threshold:
        k -= 1
    while _priority(votes, k) > threshold:
        k += 1
    return k


def webster(new_seats, votes, initial=None, descending=False):
    """Webster seats identical to Karmada's loop, without one step per seat.

    Every (party, k) pair has the priority votes/(2k+1); Karmada's heap hands
    out seats in the total order (priority desc, seats asc, name), and a
    party's own priorities never rise with k, so the result is the top
    new_seats pairs.  All pairs strictly above a threshold are therefore
    taken first in bulk; the threshold is chosen so that at most new_seats
    pairs lie above it and at most ~1.5 seats per party are left, which the
    same heap as Karmada's then hands out one by one.  Cost: O(P log P).
    """
    parties = _parties(votes, initial)
    if not parties:
        return {}
    new_seats = max(0, int(new_seats))
    positive = [(n, v, s) for n, (v, s) in parties.items() if v > 0]
    count = len(positive)
    if positive and new_seats > 2 * count:
        total_votes = sum(v for dummy, v, dummy2 in positive)
        total_seats = new_seats + sum(s for dummy, dummy2, s in positive)
        threshold = float(total_votes) / (2.0 * (total_seats - count))
        while True:
            taken = {}
            for name, vote, seats in positive:
                above = _seats_above(vote, threshold) - seats
                if above > 0:
                    taken[name] = above
            if sum(taken.values()) <= new_seats:
                break
            # Only reachable with initial seats (or float edge cases): raise the bar.
            threshold *= 2.0
        for name, extra in taken.items():
            parties[name][1] += extra
        new_seats -= sum(taken.values())
    if new_seats:
        rank = _rank_keys(parties, descending)
        heap = [(-_priority(v, s), s, rank[n], n) for n, (v, s) in parties.items()]
        heapq.heapify(heap)
        for dummy in range(new_seats):
            dummy, seats, key, name = heapq.heappop(heap)
            seats += 1
            parties[name][1] = seats
            heapq.heappush(heap, (-_priority(parties[name][0], seats), seats, key, name))
    return dict((name, seats) for name, (dummy, seats) in parties.items())


def allocate_by_weight(replicas, weights, uid='', initial=None, fast=True):
    """Karmada's Dispenser: NewDispenser(replicas, initial, uid).AllocateByWeight(weights).

    weights: list of (name, weight) in order.  Returns [(name, replicas)] sorted by name.
    """
    result = sorted((initial or {}).items())
    if replicas == 0 and result:
        return result
    # GetWeightSum is an int64 sum: mirror its wrap-around.
    if wrap64(sum(w for dummy, w in weights)) == 0:
        return result
    votes = dict(weights)
    func = webster if fast else webster_reference
    seats = func(replicas, votes, dict(result), uid_prefers_descending(uid))
    if any(s > SEATS_LIMIT for s in seats.values()):
        raise PlacementError('more than %d replicas in one cluster overflow Karmada\'s int32 '
                             'Webster arithmetic; not supported' % SEATS_LIMIT)
    return sorted(seats.items())
