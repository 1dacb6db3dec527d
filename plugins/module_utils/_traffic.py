# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Region weights -> Istio VirtualService route weights.

Istio >= 1.15 accepts any non-negative int32 weights whose sum is not zero
(traffic share = weight / sum).  Older Istio wants integers that sum to
exactly 100; normalize=True produces those with the largest-remainder method:
every destination gets floor(100 * w / sum), and the points still missing go
one each to the largest remainders, ties broken by destination name
(ascending), so the result is deterministic.  normalize must be a real boolean:
the strings "false" or "yes" are refused rather than guessed at.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
from fractions import Fraction

INT32_MAX = 2 ** 31 - 1


class TrafficError(ValueError):
    """Raised for weights Istio would reject."""


def _number(name, value):
    if isinstance(value, bool):
        raise TrafficError('weight of %s must be a number, got %r' % (name, value))
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value for c in '.eE') else int(value)
        except ValueError:
            raise TrafficError('weight of %s must be a number, got %r' % (name, value))
    if not isinstance(value, (int, float)):
        raise TrafficError('weight of %s must be a number, got %r' % (name, value))
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise TrafficError('weight of %s must be finite, got %r' % (name, value))
    if value < 0:
        raise TrafficError('weight of %s must be >= 0, got %r' % (name, value))
    return value


def traffic_weights(weights, normalize=False):
    """Validate {destination: weight} and return {destination: int weight}.

    normalize=False: weights must be whole numbers <= 2147483647 (Istio int32) and
    are returned unchanged.  normalize=True: any non-negative numbers, scaled to
    integers summing to exactly 100 (largest remainder, ties by name).
    """
    if not isinstance(normalize, bool):
        # Strict on purpose: bool('false') is True, and a quoted "false" from a survey or an
        # extra var would silently scale the weights.
        raise TrafficError('normalize: got %r; expected true or false (a boolean, not a string or a number)'
                           % (normalize,))
    if not isinstance(weights, dict) or not weights:
        raise TrafficError('weights must be a non-empty mapping of destination to weight')
    clean = {}
    for name, value in weights.items():
        if not isinstance(name, str) or not name.strip():
            raise TrafficError('destination names must be non-empty strings, got %r' % (name,))
        clean[name] = _number(name, value)
    if not any(clean.values()):
        raise TrafficError('total destination weight = 0: at least one weight must be > 0')
    if not normalize:
        result = {}
        for name, value in clean.items():
            if isinstance(value, float):
                if not value.is_integer():
                    raise TrafficError('weight of %s must be a whole number (use normalize=true '
                                       'to scale fractions), got %r' % (name, value))
                value = int(value)
            if value > INT32_MAX:
                raise TrafficError('weight of %s exceeds %d (Istio int32)' % (name, INT32_MAX))
            result[name] = value
        return dict(sorted(result.items()))
    exact = dict((n, Fraction(v)) for n, v in clean.items())
    total = sum(exact.values())
    shares = dict((n, 100 * v / total) for n, v in exact.items())
    result = dict((n, int(s.numerator // s.denominator)) for n, s in shares.items())
    missing = 100 - sum(result.values())
    order = sorted(shares, key=lambda n: (-(shares[n] - result[n]), n))
    for name in order[:missing]:
        result[name] += 1
    return dict(sorted(result.items()))
