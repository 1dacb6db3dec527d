# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Topology fields of the observability roles: clusters[].monitoring (HA Prometheus, group
monitored_clusters) and clusters[].observability (at most one: the Thanos global view)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from test_topology import KNOWN, _inventory, good

from ansible_collections.fleetops.kurator.plugins.module_utils._topology import normalize, validate


def test_groups_and_defaults(tmp_path):
    data = good()
    data["clusters"][0]["monitoring"] = True
    data["clusters"][1].update({"monitoring": True, "observability": True})
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    groups = inv.get_groups_dict()
    assert groups["monitored_clusters"] == ["host", "cluster-shanghai"]
    assert groups["observability_clusters"] == ["cluster-shanghai"]
    assert inv.get_host("cluster-shanghai").get_vars()["fleetops_cluster"]["observability"] is True
    plain = normalize(good())["clusters"][1]
    assert plain["monitoring"] is False and plain["observability"] is False


def test_groups_exist_when_empty(tmp_path):
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(good()))
    groups = _inventory(str(path)).get_groups_dict()
    assert groups["monitored_clusters"] == [] and groups["observability_clusters"] == []


@pytest.mark.parametrize("field, value, expected", [
    ("monitoring", "yes", "clusters[1].monitoring: got 'yes'"),
    ("observability", 1, "clusters[1].observability: got 1"),
])
def test_not_a_bool(field, value, expected):
    data = good()
    data["clusters"][1][field] = value
    errors = validate(data, known_versions=KNOWN)
    assert any(e.startswith(expected) and "true or false" in e for e in errors), errors


def test_one_observability_cluster_at_most():
    data = good()
    for cluster in data["clusters"]:
        cluster["observability"] = True
    errors = validate(data, known_versions=KNOWN)
    assert [e for e in errors if e.startswith("clusters: got ") and "at most one cluster with observability: true" in e
            and "clusters[0], clusters[1]" in e], errors
