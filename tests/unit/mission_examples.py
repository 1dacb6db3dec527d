# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""The user's examples (a copy of shared/mission-examples kept with the tests) and the
four-member fleet the unit tests place them on."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import yaml

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'mission-examples')
TOPOLOGY = [
    {'name': 'cluster-beijing', 'labels': {'environment': 'production', 'region': 'north-china'}},
    {'name': 'cluster-shanghai', 'labels': {'environment': 'production', 'region': 'east-china'}},
    {'name': 'cluster-guangzhou', 'labels': {'environment': 'production', 'region': 'south-china'}},
    {'name': 'cluster-hangzhou', 'labels': {'environment': 'production', 'region': 'east-china'}},
]


def load(name):
    """The non-empty YAML documents of one example."""
    with open(os.path.join(EXAMPLES, name)) as f:
        return [d for d in yaml.safe_load_all(f) if d]
