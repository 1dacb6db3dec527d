# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Region-weighted routing (module_utils._mesh): the seed's VirtualService and weights from the
topology, validated before apply."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.fleetops.kurator.plugins.module_utils._mesh import (
    CLUSTER_LABEL, REGION_LABEL, MeshRouteError, fqdn, plan_routes)

from mission_examples import load

MESH = ({"name": "cluster-beijing", "region": "north-china"},
        {"name": "cluster-shanghai", "region": "east-china"},
        {"name": "cluster-guangzhou", "region": "south-china"})
SERVICES = ("user-service.default.svc.cluster.local", "echo.mesh-test.svc.cluster.local")
SUBSETS = {"beijing": "cluster-beijing", "shanghai": "cluster-shanghai", "guangzhou": "cluster-guangzhou"}


def errors_of(routes, clusters=MESH, services=SERVICES):
    with pytest.raises(MeshRouteError) as exc:
        plan_routes(routes, clusters, services)
    return exc.value.errors


def test_seed_virtual_service_is_emitted_unchanged():
    seed = load("05-user-service-virtualservice.yaml")[0]
    kept = copy.deepcopy(seed)
    [out] = plan_routes([{"virtual_service": seed, "subsets": SUBSETS}], MESH, SERVICES)
    assert out["virtual_service"] == kept          # the user's object, byte for byte the same data
    assert out["virtual_service"] is not seed      # a copy: the input is not shared
    assert out["destination_rule"]["spec"] == {"host": "user-service", "subsets": [
        {"name": "beijing", "labels": {CLUSTER_LABEL: "cluster-beijing"}},
        {"name": "shanghai", "labels": {CLUSTER_LABEL: "cluster-shanghai"}},
        {"name": "guangzhou", "labels": {CLUSTER_LABEL: "cluster-guangzhou"}}]}   # the VirtualService's order
    assert out["destination_rule"]["metadata"] == {"name": "user-service", "namespace": "default"}
    assert out["host"] == "user-service.default.svc.cluster.local"


def test_weights_make_both_objects():
    [out] = plan_routes([{"host": "echo", "namespace": "mesh-test", "weights": {"beijing": 50, "shanghai": 30, "guangzhou": 20},
                          "subsets": SUBSETS}], MESH, SERVICES, labels={"app.kubernetes.io/managed-by": "fleetops-kurator"})
    vs = out["virtual_service"]
    assert vs["apiVersion"] == "networking.istio.io/v1" and vs["kind"] == "VirtualService"
    assert vs["metadata"] == {"name": "echo", "namespace": "mesh-test", "labels": {"app.kubernetes.io/managed-by": "fleetops-kurator"}}
    assert vs["spec"]["hosts"] == ["echo"]
    assert {r["destination"]["subset"]: r["weight"] for r in vs["spec"]["http"][0]["route"]} == \
        {"beijing": 50, "shanghai": 30, "guangzhou": 20}
    assert out["weights"] == {"beijing": 50, "guangzhou": 20, "shanghai": 30}


def test_region_names_as_subsets_select_their_one_cluster():
    [out] = plan_routes([{"host": "echo", "namespace": "mesh-test",
                          "weights": {"north-china": 50, "east-china": 30, "south-china": 20}}], MESH, SERVICES)
    assert {s["name"]: s["labels"] for s in out["destination_rule"]["spec"]["subsets"]} == {
        "east-china": {CLUSTER_LABEL: "cluster-shanghai"}, "north-china": {CLUSTER_LABEL: "cluster-beijing"},
        "south-china": {CLUSTER_LABEL: "cluster-guangzhou"}}


def test_select_by_region_uses_the_node_region_label():
    mesh = MESH + ({"name": "cluster-hangzhou", "region": "east-china"},)
    [out] = plan_routes([{"host": "echo", "namespace": "mesh-test", "select_by": "region",
                          "weights": {"north-china": 50, "east-china": 50}}], mesh, SERVICES)
    assert [s["labels"] for s in out["destination_rule"]["spec"]["subsets"]] == [
        {REGION_LABEL: "east-china"}, {REGION_LABEL: "north-china"}]


def test_region_with_two_clusters_needs_select_by_region():
    mesh = MESH + ({"name": "cluster-hangzhou", "region": "east-china"},)
    [e] = errors_of([{"host": "echo", "namespace": "mesh-test", "weights": {"north-china": 50, "east-china": 50}}], mesh)
    assert "region east-china has 2 mesh clusters (cluster-hangzhou, cluster-shanghai)" in e


def test_weights_must_sum_to_100():
    [e] = errors_of([{"host": "echo", "namespace": "mesh-test", "weights": {"beijing": 50, "shanghai": 30, "guangzhou": 30},
                      "subsets": SUBSETS}])
    assert "sum to 110" in e and "expected exactly 100" in e


def test_weights_must_be_integers():
    errs = errors_of([{"host": "echo", "namespace": "mesh-test", "weights": {"beijing": 50.5, "shanghai": "30", "guangzhou": True},
                       "subsets": SUBSETS}])
    assert len(errs) == 3 and all("expected a whole number" in e for e in errs)


def test_normalize_scales_topology_weights():
    [out] = plan_routes([{"host": "echo", "namespace": "mesh-test", "normalize": True,
                          "weights": {"beijing": 5, "shanghai": 3, "guangzhou": 2}, "subsets": SUBSETS}], MESH, SERVICES)
    assert out["weights"] == {"beijing": 50, "guangzhou": 20, "shanghai": 30}
    [out] = plan_routes([{"host": "echo", "namespace": "mesh-test", "normalize": True,
                          "weights": {"beijing": 1, "shanghai": 1, "guangzhou": 1}, "subsets": SUBSETS}], MESH, SERVICES)
    assert sum(out["weights"].values()) == 100 and out["weights"]["beijing"] == 34


def test_subset_of_a_region_without_cluster_is_refused():
    mesh = MESH[:2]   # no mesh cluster in south-china
    errs = errors_of([{"host": "echo", "namespace": "mesh-test", "weights": {"north-china": 50, "east-china": 30, "south-china": 20}}],
                     mesh)
    assert len(errs) == 1 and "subsets.south-china" in errs[0] and "no endpoint to serve it" in errs[0]


def test_undefined_subset_in_users_virtual_service():
    seed = load("05-user-service-virtualservice.yaml")[0]
    errs = errors_of([{"virtual_service": seed, "subsets": {"beijing": "cluster-beijing", "shanghai": "cluster-shanghai"}}])
    assert len(errs) == 1 and "subsets.guangzhou" in errs[0]


def test_unresolvable_host():
    errs = errors_of([{"host": "user-svc", "weights": {"beijing": 100}, "subsets": {"beijing": "cluster-beijing"}}])
    assert len(errs) == 1 and "user-svc.default.svc.cluster.local) is not a Service in any mesh cluster" in errs[0]


def test_users_virtual_service_weights_checked():
    seed = load("05-user-service-virtualservice.yaml")[0]
    seed["spec"]["http"][0]["route"][0]["weight"] = 60
    errs = errors_of([{"virtual_service": seed, "subsets": SUBSETS}])
    assert len(errs) == 1 and "sum to 110" in errs[0]


def test_every_problem_at_once():
    errs = errors_of([
        {"host": "echo", "namespace": "mesh-test", "weights": {"beijing": 100}, "subsets": SUBSETS, "typo": 1},
        {"host": "nope", "weights": {"x": 100}},
        "not a mapping",
    ])
    assert len(errs) >= 5
    assert any("typo: unknown key" in e for e in errs)
    assert any("defined but no route sends traffic to it" in e for e in errs)
    assert any("routes[1].subsets.x" in e for e in errs)
    assert any("routes[2]: expected a mapping" in e for e in errs)


def test_unused_subset_definition_and_duplicates():
    r = {"host": "echo", "namespace": "mesh-test", "weights": {"beijing": 100}, "subsets": {"beijing": "cluster-beijing"}}
    errs = errors_of([r, dict(r)])
    assert errs == ["routes[1]: mesh-test/echo is also made by routes[0]"]


def test_fqdn():
    assert fqdn("echo", "ns") == "echo.ns.svc.cluster.local"
    assert fqdn("echo.other", "ns") == "echo.other.svc.cluster.local"
    assert fqdn("echo.other.svc.cluster.local", "ns") == "echo.other.svc.cluster.local"
