# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Region-weighted routing for the mesh: route specs -> Istio VirtualService + DestinationRule.

Pure Python (the plan layer): validated before anything is applied. A route spec is

    {host, namespace, weights: {subset: weight}, subsets: {subset: cluster or region},
     select_by: cluster|region, normalize: bool, virtual_service: <the user's object>}

- ``weights`` (or, with ``virtual_service``, the weights of its routes) must be whole numbers
  summing to exactly 100 per route; ``normalize: true`` scales any non-negative weights to that
  (largest remainder, ``_traffic.traffic_weights``), as weights derived from the topology need.
- Every subset a route names is defined by ``subsets`` (default: a subset named after a cluster
  or region of the mesh selects it), and names a mesh cluster or a region that has one: a subset
  for a region without a mesh cluster would send its share nowhere.
- ``select_by: cluster`` (default) selects a subset by ``topology.istio.io/cluster`` (the cluster
  ID istiod puts on every endpoint it discovers); a region subset then needs exactly one mesh
  cluster in that region. ``select_by: region`` selects by ``topology.kubernetes.io/region``,
  which istiod copies from the node's label (the nodes must carry it).
- The host must be a Service found in the mesh (``services``: the FQDNs found in the mesh's
  clusters), short names resolved in the route's namespace, as Istio resolves them.
- ``virtual_service`` is emitted exactly as given (the user's own object); only the
  DestinationRule is generated for it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import dns1123_label_error
from ansible_collections.fleetops.kurator.plugins.module_utils._traffic import TrafficError, traffic_weights

CLUSTER_LABEL = "topology.istio.io/cluster"
REGION_LABEL = "topology.kubernetes.io/region"
SELECT_BY = ("cluster", "region")
ROUTE_KEYS = ("host", "namespace", "name", "weights", "subsets", "select_by", "normalize", "virtual_service")
API_VERSION = "networking.istio.io/v1"


class MeshRouteError(ValueError):
    """Every problem of the route specs, one per line."""

    def __init__(self, errors):
        self.errors = errors
        super(MeshRouteError, self).__init__("%d problem(s) in the mesh routes:\n  - %s" % (len(errors), "\n  - ".join(errors)))


def fqdn(host, namespace, domain="cluster.local"):
    """Istio's resolution of a VirtualService/DestinationRule host: a short name is a Service of
    the object's namespace; "svc.ns" gets the cluster domain; a name with the domain is kept."""
    if host.endswith("." + domain) or host.count(".") >= 2:
        return host
    if "." in host:
        return "%s.svc.%s" % (host, domain)
    return "%s.%s.svc.%s" % (host, namespace, domain)


def _vs_weights(path, vs, errors):
    """The (host, {subset: weight}) of each destination of a user's VirtualService's http routes."""
    out = []
    spec = vs.get("spec") if isinstance(vs, dict) else None
    if not isinstance(spec, dict) or not isinstance(spec.get("http"), list) or not spec["http"]:
        errors.append("%s.virtual_service: expected a VirtualService with spec.http routes" % path)
        return out
    for i, http in enumerate(spec["http"]):
        routes = http.get("route") if isinstance(http, dict) else None
        if not isinstance(routes, list) or not routes:
            errors.append("%s.virtual_service.spec.http[%d].route: expected a list of destinations" % (path, i))
            continue
        weights = {}
        hosts = set()
        for j, r in enumerate(routes):
            dest = r.get("destination") if isinstance(r, dict) else None
            if not isinstance(dest, dict) or not dest.get("host"):
                errors.append("%s.virtual_service.spec.http[%d].route[%d].destination.host: missing" % (path, i, j))
                continue
            hosts.add(dest["host"])
            if "subset" not in dest:
                errors.append("%s.virtual_service.spec.http[%d].route[%d].destination.subset: missing (region routing "
                              "sends each share to a subset)" % (path, i, j))
                continue
            weights[dest["subset"]] = r.get("weight", 100 if len(routes) == 1 else None)
        out.append(("%s.virtual_service.spec.http[%d].route" % (path, i), sorted(hosts), weights))
    return out


def _check_weights(path, weights, normalize, errors):
    """{subset: int} summing to 100, or None (errors added)."""
    if not isinstance(weights, dict) or not weights:
        errors.append("%s: expected a mapping of subset to weight" % path)
        return None
    if normalize:
        try:
            return traffic_weights(weights, normalize=True)
        except TrafficError as exc:
            errors.append("%s: %s" % (path, exc))
            return None
    bad = False
    for name, w in sorted(weights.items(), key=lambda kv: str(kv[0])):
        if isinstance(w, bool) or not isinstance(w, int):
            errors.append("%s.%s: got %r; expected a whole number (a percentage; normalize: true scales other weights)"
                          % (path, name, w))
            bad = True
        elif w < 0:
            errors.append("%s.%s: got %r; expected a weight >= 0" % (path, name, w))
            bad = True
    if bad:
        return None
    total = sum(weights.values())
    if total != 100:
        errors.append("%s: the weights sum to %d (%s); expected exactly 100" % (
            path, total, ", ".join("%s=%s" % kv for kv in sorted(weights.items()))))
        return None
    return dict(sorted(weights.items()))


def _subset_labels(path, subset, target, select_by, clusters, errors):
    """The DestinationRule subset labels for a subset naming a mesh cluster or a region."""
    regions = {}
    for c in clusters:
        regions.setdefault(c["region"], []).append(c["name"])
    names = set(c["name"] for c in clusters)
    if target in names:
        if select_by == "region":
            region = next(c["region"] for c in clusters if c["name"] == target)
            return {REGION_LABEL: region}
        return {CLUSTER_LABEL: target}
    if target in regions:
        if select_by == "region":
            return {REGION_LABEL: target}
        if len(regions[target]) > 1:
            errors.append("%s.subsets.%s: region %s has %d mesh clusters (%s) and select_by: cluster selects one; "
                          "name one cluster, or use select_by: region (nodes labelled %s)"
                          % (path, subset, target, len(regions[target]), ", ".join(sorted(regions[target])), REGION_LABEL))
            return None
        return {CLUSTER_LABEL: regions[target][0]}
    errors.append("%s.subsets.%s: %r is neither a mesh cluster (%s) nor a region with a mesh cluster (%s); "
                  "a subset there would receive its share with no endpoint to serve it"
                  % (path, subset, target, ", ".join(sorted(names)) or "none", ", ".join(sorted(regions)) or "none"))
    return None


def plan_routes(routes, clusters, services, labels=None, domain="cluster.local"):
    """Validate route specs and return the objects to apply: a list of
    {name, namespace, host, weights, virtual_service, destination_rule}.

    clusters: the mesh clusters, [{name, region}]; services: the FQDNs of the Services found in
    the mesh's clusters; labels: metadata labels of the generated objects. Raises MeshRouteError
    with every problem at once.
    """
    errors = []
    out = []
    if not isinstance(routes, list):
        raise MeshRouteError(["routes: expected a list of route specs, got %r" % (routes,)])
    known = set(services or [])
    seen = {}
    for i, route in enumerate(routes):
        path = "routes[%d]" % i
        if not isinstance(route, dict):
            errors.append("%s: expected a mapping, got %r" % (path, route))
            continue
        for key in route:
            if key not in ROUTE_KEYS:
                errors.append("%s.%s: unknown key; expected one of %s" % (path, key, ", ".join(ROUTE_KEYS)))
        namespace = route.get("namespace", "default")
        if not isinstance(namespace, str) or dns1123_label_error(namespace):
            errors.append("%s.namespace: got %r; expected a namespace name" % (path, namespace))
            continue
        select_by = route.get("select_by", "cluster")
        if select_by not in SELECT_BY:
            errors.append("%s.select_by: got %r; expected one of %s" % (path, select_by, ", ".join(SELECT_BY)))
            continue
        normalize = route.get("normalize", False)
        if not isinstance(normalize, bool):
            errors.append("%s.normalize: got %r; expected true or false" % (path, normalize))
            continue
        vs = route.get("virtual_service")
        if vs is not None:
            if route.get("weights") is not None:
                errors.append("%s: weights and virtual_service both given; the user's VirtualService carries its own weights"
                              % path)
                continue
            if not isinstance(vs, dict) or vs.get("kind") != "VirtualService":
                errors.append("%s.virtual_service: expected a VirtualService object" % path)
                continue
            groups = _vs_weights(path, vs, errors)
            if not groups:
                continue
            vs_hosts = sorted(set(h for group in groups for h in group[1]))
            if len(vs_hosts) != 1:
                errors.append("%s.virtual_service: its routes name %d destination hosts (%s); expected one (one DestinationRule)"
                              % (path, len(vs_hosts), ", ".join(vs_hosts)))
                continue
            host = vs_hosts[0]
            namespace = (vs.get("metadata") or {}).get("namespace") or namespace
            subsets_used = []
            for gpath, _hosts, w in groups:
                _check_weights(gpath, w, False, errors)
                subsets_used += [s for s in w if s not in subsets_used]
            weights = None
            name = (vs.get("metadata") or {}).get("name") or host.split(".")[0]
        else:
            host = route.get("host")
            if not isinstance(host, str) or not host:
                errors.append("%s.host: got %r; expected the Service name (short, or its FQDN)" % (path, host))
                continue
            weights = _check_weights(path + ".weights", route.get("weights"), normalize, errors)
            if weights is None:
                continue
            subsets_used = list(weights)
            name = route.get("name") or host.split(".")[0]
        if dns1123_label_error(name):
            errors.append("%s.name: got %r; expected a DNS label (the objects' name)" % (path, name))
            continue
        full = fqdn(host, namespace, domain)
        if full not in known:
            errors.append("%s.host: %s (%s) is not a Service in any mesh cluster; found there: %s"
                          % (path, host, full, ", ".join(sorted(known)) or "none"))
        key = (namespace, name)
        if key in seen:
            errors.append("%s: %s/%s is also made by %s" % (path, namespace, name, seen[key]))
        seen[key] = path
        subsets = route.get("subsets") or {}
        if not isinstance(subsets, dict):
            errors.append("%s.subsets: expected a mapping of subset to cluster or region" % path)
            continue
        for s in subsets:
            if s not in subsets_used:
                errors.append("%s.subsets.%s: defined but no route sends traffic to it" % (path, s))
        dr_subsets = []
        for s in subsets_used:
            if dns1123_label_error(str(s)):
                errors.append("%s: subset %r: expected a DNS label" % (path, s))
                continue
            labels_of = _subset_labels(path, s, subsets.get(s, s), select_by, clusters, errors)
            if labels_of is not None:
                dr_subsets.append({"name": s, "labels": labels_of})
        meta = {"name": name, "namespace": namespace}
        if labels:
            meta["labels"] = dict(labels)
        dr = {"apiVersion": API_VERSION, "kind": "DestinationRule", "metadata": copy.deepcopy(meta),
              "spec": {"host": host, "subsets": dr_subsets}}
        if vs is None:
            vs_obj = {"apiVersion": API_VERSION, "kind": "VirtualService", "metadata": copy.deepcopy(meta),
                      "spec": {"hosts": [host], "http": [{"route": [
                          {"destination": {"host": host, "subset": s}, "weight": w} for s, w in weights.items()]}]}}
        else:
            vs_obj = copy.deepcopy(vs)
        out.append({"name": name, "namespace": namespace, "host": full, "weights": weights,
                    "virtual_service": vs_obj, "destination_rule": dr})
    if errors:
        raise MeshRouteError(errors)
    return out
