# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Topology fields of the istio role: clusters[].mesh (group mesh_clusters), clusters[].network and
settings.mesh (mesh ID, trust domain, default network), published as fleetops_mesh."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from test_topology import KNOWN, _inventory, good

from ansible_collections.fleetops.kurator.plugins.module_utils._topology import normalize, validate


def test_group_and_mesh_vars(tmp_path):
    data = good()
    data["clusters"][0]["mesh"] = True
    data["clusters"][1].update({"mesh": True, "network": "net-east"})
    data.setdefault("settings", {})["mesh"] = {"id": "fleet", "trust_domain": "example.org"}
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    inv = _inventory(str(path))
    assert inv.get_groups_dict()["mesh_clusters"] == ["host", "cluster-shanghai"]
    first = inv.get_host("host").get_vars()["fleetops_mesh"]
    assert first == {"id": "fleet", "trust_domain": "example.org", "network": "network1", "cluster_id": "host"}
    assert inv.get_host("cluster-shanghai").get_vars()["fleetops_mesh"]["network"] == "net-east"


def test_defaults_and_empty_group(tmp_path):
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(good()))
    inv = _inventory(str(path))
    assert inv.get_groups_dict()["mesh_clusters"] == []
    assert inv.get_host("cluster-shanghai").get_vars()["fleetops_mesh"] == {}
    topo = normalize(good())
    assert topo["settings"]["mesh"] == {"id": "mesh1", "trust_domain": "cluster.local", "network": "network1"}
    assert topo["clusters"][1]["mesh"] is False and "network" not in topo["clusters"][1]


@pytest.mark.parametrize("cluster, settings, expected", [
    ({"mesh": "yes"}, None, "clusters[1].mesh: got 'yes'"),
    ({"network": "net1"}, None, "clusters[1].network: got 'net1'"),
    ({"mesh": True, "network": "Net_1"}, None, "clusters[1].network: got 'Net_1'"),
    ({}, {"id": "Mesh One"}, "settings.mesh.id: got 'Mesh One'"),
    ({}, {"trust_domain": "bad domain"}, "settings.mesh.trust_domain: got 'bad domain'"),
    ({}, {"ids": "x"}, "settings.mesh.ids: got 'ids'"),
])
def test_errors_name_the_field(cluster, settings, expected):
    data = good()
    data["clusters"][1].update(cluster)
    if settings is not None:
        data.setdefault("settings", {})["mesh"] = settings
    errors = validate(data, known_versions=KNOWN)
    assert any(e.startswith(expected) for e in errors), errors
