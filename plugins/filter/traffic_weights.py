# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter traffic_weights: validated Istio route weights.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: traffic_weights
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Validate region weights and turn them into Istio route weights
description:
  - Takes a mapping of destination (region, subset or cluster) to weight and returns integer
    weights for an Istio VirtualService route.
  - Validates what Istio validates since 1.15 - every weight is a number >= 0 and the total is not 0 -
    and that every destination name is a non-empty string.
  - With O(normalize=true) the weights are scaled to integers summing to exactly 100, as Istio
    before 1.15 requires. The largest-remainder method is used - each destination gets
    floor(100 * weight / total), the missing points go one each to the largest remainders, and
    equal remainders are broken by destination name in ascending order, so the result is
    deterministic. A destination whose share rounds down to 0 gets weight 0 (Istio skips it).
positional: normalize
options:
  _input:
    description: Mapping of destination name to weight (non-negative numbers).
    type: dict
    required: true
  normalize:
    description:
      - Scale to integers that sum to exactly 100.
      - When false, weights must already be whole numbers and are returned unchanged.
      - Must be a real boolean (V(true) or V(false) in Jinja). A string such as C("false") or C("yes"), or a
        number, is an error rather than being guessed at; convert a string with the C(bool) filter first.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Weights for Istio >= 1.15 (any non-negative integers)
  ansible.builtin.debug:
    msg: "{{ {'east-china': 3, 'north-china': 1} | fleetops.kurator.traffic_weights }}"
  # -> {"east-china": 3, "north-china": 1}

- name: Percentages that sum to 100 for older Istio
  ansible.builtin.debug:
    msg: "{{ {'a': 1, 'b': 1, 'c': 1} | fleetops.kurator.traffic_weights(normalize=true) }}"
  # -> {"a": 34, "b": 33, "c": 33}
"""

RETURN = r"""
_value:
  description: Destination name to integer weight, sorted by name.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.module_utils._traffic import (
    TrafficError, traffic_weights as _traffic_weights)


def traffic_weights(weights, normalize=False):
    """Return validated Istio route weights, optionally scaled to sum to exactly 100."""
    try:
        return _traffic_weights(weights, normalize=normalize)
    except TrafficError as exc:
        raise AnsibleFilterError('traffic_weights: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'traffic_weights': traffic_weights}
