# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter mesh_routes: region weights -> Istio VirtualService + DestinationRule, validated.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: mesh_routes
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Turn region weights into an Istio VirtualService and DestinationRule, validated before apply
description:
  - Takes a list of route specs and returns, per route, a VirtualService (C(networking.istio.io/v1)) whose
    http route splits traffic over subsets by weight, and a DestinationRule whose subsets select the endpoints of
    one cluster (label C(topology.istio.io/cluster), the cluster ID istiod gives every endpoint) or one region
    (C(topology.kubernetes.io/region), which istiod copies from the node's label).
  - A spec is C({host, namespace, name, weights, subsets, select_by, normalize}) - C(weights) maps a subset to its
    weight; C(subsets) maps a subset to a mesh cluster or a region (default - the subset's own name);
    C(select_by) is C(cluster) (default) or C(region); C(normalize=true) scales any non-negative weights (for
    instance from P(fleetops.kurator.traffic_weights#filter)) to whole numbers summing to 100.
  - Or C({virtual_service, subsets, select_by}) - the user's own VirtualService, returned exactly as given, with
    the DestinationRule its subsets need.
  - Everything is checked before anything is applied, and every problem is reported at once - weights whole
    numbers summing to exactly 100 per route, every subset a route names defined, every definition naming a mesh
    cluster or a region that has one (no share sent to a region without endpoints), the host a Service found in
    the mesh (short names resolved in the route's namespace, as Istio resolves them).
positional: clusters, services
options:
  _input:
    description: The route specs.
    type: list
    elements: dict
    required: true
  clusters:
    description: The mesh clusters, each C({name, region}).
    type: list
    elements: dict
    required: true
  services:
    description: FQDNs (C(<name>.<namespace>.svc.cluster.local)) of the Services found in the mesh's clusters.
    type: list
    elements: str
    required: true
  labels:
    description: Metadata labels of the generated objects (not added to a user's VirtualService).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The seed's 50/30/20 over three clusters
  ansible.builtin.set_fact:
    routes: >-
      {{ [{'host': 'user-service', 'namespace': 'default',
           'weights': {'beijing': 50, 'shanghai': 30, 'guangzhou': 20},
           'subsets': {'beijing': 'cluster-beijing', 'shanghai': 'cluster-shanghai', 'guangzhou': 'cluster-guangzhou'}}]
         | fleetops.kurator.mesh_routes(mesh, services) }}
  vars:
    mesh: [{name: cluster-beijing, region: north-china}, {name: cluster-shanghai, region: east-china},
           {name: cluster-guangzhou, region: south-china}]
    services: [user-service.default.svc.cluster.local]
"""

RETURN = r"""
_value:
  description: Per route C({name, namespace, host, weights, virtual_service, destination_rule}).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.module_utils._mesh import MeshRouteError, plan_routes


def mesh_routes(routes, clusters, services, labels=None):
    """Return the validated VirtualService and DestinationRule of each route."""
    try:
        return plan_routes(routes, clusters, services, labels=labels or {})
    except MeshRouteError as exc:
        raise AnsibleFilterError("mesh_routes: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"mesh_routes": mesh_routes}
