# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.fleetops.kurator.plugins.module_utils._traffic import TrafficError, traffic_weights


def test_passthrough_for_modern_istio():
    assert traffic_weights({'east-china': 3, 'north-china': 1}) == {'east-china': 3, 'north-china': 1}
    assert traffic_weights({'a': 60.0, 'b': 40}) == {'a': 60, 'b': 40}


def test_example_60_40_is_already_100():
    assert traffic_weights({'cluster-shanghai': 60, 'cluster-hangzhou': 40}, normalize=True) == \
        {'cluster-hangzhou': 40, 'cluster-shanghai': 60}


def test_thirds_tie_broken_by_name():
    # 33.33 each, one point left: equal remainders, the smallest name wins it.
    assert traffic_weights({'c': 1, 'b': 1, 'a': 1}, normalize=True) == {'a': 34, 'b': 33, 'c': 33}


def test_largest_remainder_not_name_when_remainders_differ():
    # shares 14.29, 28.57, 57.14 -> floors 14, 28, 57 (99); largest remainder is b (.57)
    assert traffic_weights({'a': 1, 'b': 2, 'c': 4}, normalize=True) == {'a': 14, 'b': 29, 'c': 57}


def test_zero_weight_destination_stays_zero():
    assert traffic_weights({'a': 0, 'b': 5}, normalize=True) == {'a': 0, 'b': 100}


@pytest.mark.parametrize('weights,msg', [
    ({'a': 0, 'b': 0}, 'total destination weight = 0'),
    ({'a': -1, 'b': 5}, '>= 0'),
    ({'': 1}, 'non-empty'),
    ({'a': 'x'}, 'number'),
    ({'a': True}, 'number'),
    ({}, 'non-empty mapping'),
    ({'a': 1.5}, 'whole number'),
    ({'a': 2 ** 31}, 'int32'),
    ({'a': float('nan')}, 'finite'),
])
def test_rejects(weights, msg):
    with pytest.raises(TrafficError, match=msg):
        traffic_weights(weights)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(alphabet='abcdef', min_size=1, max_size=4),
                       st.one_of(st.integers(0, 10 ** 9), st.floats(0, 1e6, allow_nan=False)),
                       min_size=1, max_size=12))
def test_normalized_properties(weights):
    if not any(weights.values()):
        with pytest.raises(TrafficError):
            traffic_weights(weights, normalize=True)
        return
    got = traffic_weights(weights, normalize=True)
    assert sum(got.values()) == 100
    assert set(got) == set(weights)
    total = sum(Fraction(v) for v in weights.values())
    for name, value in weights.items():
        share = 100 * Fraction(value) / total
        # Largest remainder never strays more than one point from the exact share.
        assert share - 1 < got[name] < share + 1
    assert got == traffic_weights(dict(reversed(list(weights.items()))), normalize=True)
