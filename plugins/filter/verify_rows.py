# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter verify_rows: what playbooks/verify.yml read from one cluster, host or Karmada, as health rows.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: verify_rows
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Turn the reads of playbooks/verify.yml into health rows
positional: target, components, edge_nodes, members, units
description:
  - Takes the registered results of one target's reads (each a C(k8s_info), C(cluster_preflight) or
    C(command) result, registered with C(failed_when=false)) and returns one row per thing checked,
    C({target, check, ok, status, detail}).
  - Only the reads present in the input make rows, so a component the topology does not enable gives none.
  - A read that did not answer (no C(resources)) is one failing row saying why, never a crash.
  - C(api) is a C(cluster_preflight) result; when the API did not answer, that is the only row.
  - C(nodes) is a Node list; its Nodes outside O(edge_nodes) make one row, each edge node one row of its own.
  - C(deployments) is a Deployment list; each of O(components) makes one row per Deployment it expects or has
    in its namespace (all replicas available); none of them there is one row, not installed.
  - C(bsls) (Velero BackupStorageLocations) and C(prometheus) (Prometheus objects) make one row per object.
  - C(karmada) is Karmada's Cluster list; the API makes one row and each of O(members) one (Ready).
  - C(units) is the result of C(systemctl is-active) with O(units) as arguments; one row per unit.
options:
  _input:
    description: The reads, a mapping of C(api), C(nodes), C(deployments), C(bsls), C(prometheus), C(karmada), C(units).
    type: dict
    required: true
  target:
    description: The name the rows carry (the cluster, host or C(karmada)).
    type: str
    required: true
  components:
    description: Components expected in C(deployments), each C({name, namespace, deployments}).
    type: list
    elements: dict
    default: []
  edge_nodes:
    description: The edge nodes this cluster serves (Node names).
    type: list
    elements: str
    default: []
  members:
    description: The member clusters Karmada should have joined.
    type: list
    elements: str
    default: []
  units:
    description: The systemd units, in the order given to C(systemctl is-active).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Rows of this cluster
  ansible.builtin.set_fact:
    verify_rows: >-
      {{ {'api': verify_api, 'nodes': verify_nodes} | fleetops.kurator.verify_rows(inventory_hostname,
         edge_nodes=groups['edge_nodes']) }}
"""

RETURN = r"""
_value:
  description: One row per check.
  type: list
  elements: dict
"""

import re


def _row(target, check, ok, detail):
    return {"target": target, "check": check, "ok": bool(ok), "status": "ok" if ok else "FAIL", "detail": detail}


def _why(result):
    """The short reason a read did not answer (the module's message without its URLs and stack)."""
    if not isinstance(result, dict):
        return "not read"
    if result.get("unreachable"):
        return "unreachable: %s" % _short(result.get("msg", ""))
    return _short(result.get("msg") or result.get("stderr") or "no answer")


def _short(text):
    text = re.sub(r"\S+://\S+", "", str(text)).strip()
    for pattern in (r"\[Errno -?\d+\] [^\"')]+", r"CERTIFICATE_VERIFY_FAILED[^\"')]*", r"timed out",
                    r"Failed to find exact match for \S+", r"Unauthorized"):
        match = re.search(pattern, text)
        if match:
            return match.group(0).strip()
    return (text.splitlines()[-1] if text else "no answer")[:200]


def _resources(result):
    if isinstance(result, dict) and not result.get("failed") and isinstance(result.get("resources"), list):
        return result["resources"]
    return None


def _ready(node):
    conditions = (node.get("status") or {}).get("conditions") or []
    ready = [c for c in conditions if c.get("type") == "Ready"]
    return ready[0] if ready else {}


def _available(obj):
    """(ok, 'a/b available') for a Deployment or a Prometheus object."""
    want = (obj.get("spec") or {}).get("replicas", 1)
    have = (obj.get("status") or {}).get("availableReplicas", 0) or 0
    return have >= want and want > 0, "%s/%s available%s" % (have, want, " (scaled to 0)" if not want else "")


def _api_rows(target, result):
    checks = (result or {}).get("checks") if isinstance(result, dict) else None
    if not checks:
        return [_row(target, "api", False, _why(result))], False
    bad = [c for c in checks if c.get("name") in ("api reachable", "credentials") and not c.get("ok")]
    if bad:
        return [_row(target, "api", False, "; ".join("%s: %s" % (c["name"], c.get("detail", "")) for c in bad))], False
    version = [c.get("detail", "") for c in checks if c.get("name") == "version"]
    return [_row(target, "api", True, "answers, %s" % (result.get("version") or (version[0] if version else "")))], True


def _node_rows(target, result, edge_nodes):
    nodes = _resources(result)
    if nodes is None:
        return [_row(target, "nodes", False, _why(result))]
    by_name = dict((n["metadata"]["name"], n) for n in nodes)
    rows = []
    own = [n for name, n in sorted(by_name.items()) if name not in edge_nodes]
    not_ready = [n["metadata"]["name"] for n in own if _ready(n).get("status") != "True"]
    detail = "%d/%d Ready" % (len(own) - len(not_ready), len(own))
    rows.append(_row(target, "nodes", not not_ready and own,
                     detail + ("; not Ready: " + ", ".join(not_ready) if not_ready else "")))
    for name in edge_nodes:
        node = by_name.get(name)
        if node is None:
            rows.append(_row(name, "edge node", False, "no Node %s in %s (not onboarded?)" % (name, target)))
            continue
        ready = _ready(node)
        ok = ready.get("status") == "True"
        rows.append(_row(name, "edge node", ok, "Ready in %s" % target if ok else "%s in %s: %s %s" % (
            "NotReady" if ready else "no Ready condition", target, ready.get("reason", ""), ready.get("message", ""))))
    return rows


def _component_rows(target, result, components):
    deployments = _resources(result)
    rows = []
    for comp in components:
        name, namespace = comp["name"], comp["namespace"]
        if deployments is None:
            rows.append(_row(target, name, False, _why(result)))
            continue
        found = dict((d["metadata"]["name"], d) for d in deployments
                     if d["metadata"].get("namespace") == namespace)
        if not found:
            rows.append(_row(target, name, False, "not installed: none of its Deployments (%s) in %s" % (
                ", ".join(comp.get("deployments") or []) or "any", namespace)))
            continue
        for deployment in list(comp.get("deployments") or []) + sorted(set(found) - set(comp.get("deployments") or [])):
            check = "%s %s" % (name, deployment)
            if deployment not in found:
                rows.append(_row(target, check, False, "Deployment %s/%s is missing" % (namespace, deployment)))
                continue
            ok, detail = _available(found[deployment])
            rows.append(_row(target, check, ok, detail))
    return rows


def _bsl_rows(target, result):
    locations = _resources(result)
    if locations is None:
        return [_row(target, "velero bsl", False, _why(result))]
    if not locations:
        return [_row(target, "velero bsl", False, "no BackupStorageLocation")]
    rows = []
    for bsl in sorted(locations, key=lambda b: b["metadata"]["name"]):
        status, spec = bsl.get("status") or {}, bsl.get("spec") or {}
        bucket = (spec.get("objectStorage") or {}).get("bucket", "")
        phase = status.get("phase", "not validated yet")
        detail = "%s (bucket %s)" % (phase, bucket)
        if phase != "Available" and status.get("message"):
            detail += ": " + _short(status["message"])
        rows.append(_row(target, "velero bsl %s" % bsl["metadata"]["name"], phase == "Available", detail))
    return rows


def _prometheus_rows(target, result):
    objects = _resources(result)
    if objects is None:
        return [_row(target, "prometheus", False, _why(result))]
    if not objects:
        return [_row(target, "prometheus", False, "no Prometheus object")]
    rows = []
    for obj in sorted(objects, key=lambda o: o["metadata"]["name"]):
        ok, detail = _available(obj)
        rows.append(_row(target, "prometheus %s" % obj["metadata"]["name"], ok, detail))
    return rows


def _karmada_rows(target, result, members):
    clusters = _resources(result)
    if clusters is None:
        return [_row(target, "api", False, _why(result))]
    rows = [_row(target, "api", True, "answers, %d member clusters" % len(clusters))]
    by_name = dict((c["metadata"]["name"], c) for c in clusters)
    for member in members:
        cluster = by_name.get(member)
        if cluster is None:
            rows.append(_row(member, "karmada member", False, "not joined: no Cluster %s in Karmada" % member))
            continue
        ready = _ready(cluster)
        ok = ready.get("status") == "True"
        rows.append(_row(member, "karmada member", ok, "Ready" if ok else "%s: %s %s" % (
            "not Ready" if ready else "no Ready condition", ready.get("reason", ""), ready.get("message", ""))))
    return rows


def _unit_rows(target, result, units):
    if not isinstance(result, dict) or result.get("unreachable") or "stdout_lines" not in result:
        return [_row(target, "units", False, _why(result))]
    states = list(result["stdout_lines"]) + ["unknown"] * len(units)
    return [_row(target, "unit %s" % unit, state == "active", state) for unit, state in zip(units, states)]


def verify_rows(reads, target, components=None, edge_nodes=None, members=None, units=None):
    """Health rows of one target from what verify.yml read there; failures say why in plain words."""
    reads = reads or {}
    rows = []
    if "api" in reads:
        api_rows, up = _api_rows(target, reads["api"])
        rows.extend(api_rows)
        if not up:
            return rows
    if "nodes" in reads:
        rows.extend(_node_rows(target, reads["nodes"], list(edge_nodes or [])))
    if components:
        rows.extend(_component_rows(target, reads.get("deployments"), components))
    if "bsls" in reads:
        rows.extend(_bsl_rows(target, reads["bsls"]))
    if "prometheus" in reads:
        rows.extend(_prometheus_rows(target, reads["prometheus"]))
    if "karmada" in reads:
        rows.extend(_karmada_rows(target, reads["karmada"], list(members or [])))
    if "units" in reads:
        rows.extend(_unit_rows(target, reads["units"], list(units or [])))
    return rows


class FilterModule(object):
    def filters(self):
        return {"verify_rows": verify_rows}
