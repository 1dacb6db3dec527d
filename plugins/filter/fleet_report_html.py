# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter fleet_report_html: the fleet as one self-contained HTML page (inline SVG, no assets).

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_report_html
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Render the fleet (topology, health, versions, placements) as one HTML page
description:
  - Returns one self-contained HTML document - inline CSS and an inline SVG picture, no scripts,
    no links, no fonts or images to fetch - so the page can be mailed, attached or opened offline.
  - "The picture: one box per region; in it, its clusters with their nodes and its edge sites with
    their edge nodes. Green means ready, red not ready or unreachable, grey unknown (an edge node
    its cloud cluster does not list, a node without a Ready condition, a cluster that has no nodes)."
  - Edge nodes (C(edge_nodes)) are drawn in their site, not among the nodes of their cloud cluster.
  - "Below the picture: a health table, the component versions per cluster (the pinned version and
    what runs, read from the image tags of the cluster's workloads, the kubelet versions and the
    KubeEdge suffix of the edge nodes' kubelet versions) and the placement of the user's workloads
    (replicas per cluster, from Karmada's ResourceBindings)."
  - Every text is HTML-escaped and everything is sorted, so the same fleet gives the same page.
positional: title
options:
  _input:
    description:
      - "The fleet, a mapping with C(clusters), C(edge_nodes), C(versions) and C(placements)."
      - "C(clusters): each C({name, role, region, error, nodes, components, images}); C(error) is empty
        when the cluster's API answered; C(nodes) are C({name, ready, kubelet}) with C(ready) true, false
        or the Ready condition's status (C(True), C(False), C(Unknown) - not ready), null when the node has no
        Ready condition; C(components) are the names of the
        pinned components enabled for the cluster; C(images) are the image references its workloads run."
      - "C(edge_nodes): each C({name, site, region, cluster}), C(cluster) being the site's cloud cluster."
      - "C(versions): the pinned version per component (C(fleetops_artifact_versions))."
      - "C(placements): C({note, workloads}); C(note) says why there are none (Karmada not installed, not
        answering); each workload is C({namespace, kind, name, replicas, clusters}) with C(clusters) a list
        of C({name, replicas}) as in a ResourceBinding's C(spec.clusters)."
    type: dict
    required: true
  title:
    description: The page's title and heading.
    type: str
    default: Fleet report
"""

EXAMPLES = r"""
- name: Write the fleet page
  ansible.builtin.copy:
    content: "{{ fleet | fleetops.kurator.fleet_report_html(title='Fleet report: prod') }}"
    dest: /tmp/fleet-report.html
    mode: "0644"
  delegate_to: localhost
  vars:
    fleet:
      clusters:
        - {name: host, role: host, region: north-china, error: "", components: [karmada],
           nodes: [{name: node-1, ready: true, kubelet: v1.35.4}], images: []}
      edge_nodes: [{name: edge-1, site: site-a, region: east-china, cluster: host}]
      versions: {karmada: v1.18.2}
      placements: {note: "", workloads: []}
"""

RETURN = r"""
_value:
  description: The HTML document.
  type: str
"""

import re
from html import escape

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types

COLOURS = {"ok": "#2e9d4a", "bad": "#d64541", "unknown": "#8a8a8a"}
# Which pinned component an image belongs to, by the last part of its repository.
IMAGE_COMPONENTS = (
    ("karmada", re.compile(r"^karmada-")),
    ("volcano", re.compile(r"^vc-")),
    ("velero_plugin_for_aws", re.compile(r"^velero-plugin-for-aws$")),
    ("velero", re.compile(r"^velero$")),
    ("thanos", re.compile(r"^thanos$")),
    ("prometheus_operator", re.compile(r"^prometheus-(operator|config-reloader)$")),
    ("prometheus", re.compile(r"^prometheus$")),
    ("kubeedge", re.compile(r"^cloudcore$")),
    ("kurator", re.compile(r"^(kurator-|cluster-operator$|fleet-manager$)")),
)
KUBEEDGE_KUBELET = re.compile(r"-kubeedge-(v[0-9][^-]*)$")

# The picture's geometry (pixels).
WIDTH = 1310
PAD = 10
TILE_W = 140
TILE_H = 22
GAP = 6
COLS = 2
BOX_W = 2 * PAD + COLS * TILE_W + (COLS - 1) * GAP
BOX_HEAD = 46
REGION_HEAD = 30
LABEL_MAX = 21


def _text(value):
    return escape("" if value is None else str(value), quote=True)


def _ready(value):
    """True, False or None (no Ready condition: unknown) from a bool or a Ready condition status.

    A node that stopped reporting has Ready=Unknown: it is not ready (red), not unknown (grey)."""
    if isinstance(value, bool) or value is None:
        return value
    return {"true": True, "false": False, "unknown": False}.get(str(value).strip().lower())


def _health(states):
    """ok / bad / unknown for a group of node states."""
    if all(s is None for s in states):
        return "unknown"  # no nodes, or none that the cloud cluster lists
    return "ok" if all(s is True for s in states) else "bad"


def _tag(image):
    """(repository basename, tag) of an image reference; the tag is '' when there is none."""
    ref = str(image).split("@", 1)[0]
    name, tag = ref, ""
    if ":" in ref.rsplit("/", 1)[-1]:
        name, tag = ref.rsplit(":", 1)
    return name.rsplit("/", 1)[-1], tag


def _running(cluster, edge_names):
    """component -> sorted versions seen running in the cluster."""
    seen = {}
    for image in cluster["images"]:
        base, tag = _tag(image)
        for component, pattern in IMAGE_COMPONENTS:
            if pattern.search(base) and tag:
                seen.setdefault(component, set()).add(tag)
                break
    for node in cluster["nodes"]:
        kubelet = str(node.get("kubelet") or "")
        if not kubelet:
            continue
        match = KUBEEDGE_KUBELET.search(kubelet)
        if match:
            seen.setdefault("kubeedge", set()).add(match.group(1))
        if node["name"] not in edge_names:
            seen.setdefault("kubelet", set()).add(kubelet)
    return dict((k, sorted(v)) for k, v in seen.items())


def _prepare(fleet):
    if not isinstance(fleet, dict):
        raise AnsibleFilterError("fleet_report_html: expected a mapping, got %s" % type(fleet).__name__)
    clusters = fleet.get("clusters") or []
    if not isinstance(clusters, list) or not all(isinstance(c, dict) and c.get("name") for c in clusters):
        raise AnsibleFilterError("fleet_report_html: clusters must be a list of mappings with a name")
    edge_nodes = fleet.get("edge_nodes") or []
    if not isinstance(edge_nodes, list) or not all(isinstance(n, dict) and n.get("name") for n in edge_nodes):
        raise AnsibleFilterError("fleet_report_html: edge_nodes must be a list of mappings with a name")
    out = []
    for cluster in clusters:
        nodes = cluster.get("nodes") or []
        if not isinstance(nodes, list) or not all(isinstance(n, dict) and n.get("name") for n in nodes):
            raise AnsibleFilterError("fleet_report_html: nodes of %s must be mappings with a name" % cluster["name"])
        out.append({
            "name": str(cluster["name"]), "role": str(cluster.get("role") or ""),
            "region": str(cluster.get("region") or ""), "error": str(cluster.get("error") or ""),
            "nodes": sorted(({"name": str(n["name"]), "ready": _ready(n.get("ready")),
                              "kubelet": n.get("kubelet") or ""} for n in nodes), key=lambda n: n["name"]),
            "components": sorted(set(str(c) for c in cluster.get("components") or [])),
            "images": sorted(set(str(i) for i in cluster.get("images") or [])),
        })
    out.sort(key=lambda c: c["name"])
    return out, sorted(edge_nodes, key=lambda n: str(n["name"]))


def _sites(edge_nodes, clusters):
    """site -> {name, region, cluster, nodes: [{name, ready}]}; readiness from the cloud cluster's nodes."""
    by_cluster = dict((c["name"], c) for c in clusters)
    sites = {}
    for node in edge_nodes:
        name = str(node.get("site") or "(no site)")
        site = sites.setdefault(name, {"name": name, "region": str(node.get("region") or ""),
                                       "cluster": str(node.get("cluster") or ""), "nodes": []})
        cloud = by_cluster.get(site["cluster"])
        listed = dict((n["name"], n["ready"]) for n in cloud["nodes"]) if cloud and not cloud["error"] else {}
        site["nodes"].append({"name": str(node["name"]), "ready": listed.get(str(node["name"]))})
    return [sites[k] for k in sorted(sites)]


def _placements(placements):
    """(note, workloads sorted, {cluster: replicas})."""
    placements = placements or {}
    note = str(placements.get("note") or "")
    workloads = []
    for item in placements.get("workloads") or []:
        targets = {}
        for target in item.get("clusters") or []:
            if isinstance(target, dict) and target.get("name"):
                targets[str(target["name"])] = target.get("replicas")
        workloads.append({"namespace": str(item.get("namespace") or ""), "kind": str(item.get("kind") or ""),
                          "name": str(item.get("name") or ""), "replicas": item.get("replicas"),
                          "clusters": targets})
    workloads.sort(key=lambda w: (w["namespace"], w["kind"], w["name"]))
    per_cluster = {}
    for workload in workloads:
        for name, replicas in workload["clusters"].items():
            per_cluster[name] = per_cluster.get(name, 0) + (replicas if isinstance(replicas, int) else 0)
    return note, workloads, per_cluster


def _label(name):
    return name if len(name) <= LABEL_MAX else name[:LABEL_MAX - 1] + "\u2026"


def _tiles(nodes, x0, y0):
    parts = []
    for i, node in enumerate(nodes):
        x = x0 + PAD + (i % COLS) * (TILE_W + GAP)
        y = y0 + BOX_HEAD + (i // COLS) * (TILE_H + GAP)
        health = {True: "ok", False: "bad"}.get(node["ready"], "unknown")
        state = {True: "Ready", False: "NotReady"}.get(node["ready"], "unknown")
        parts.append(
            '<g class="node %s"><title>%s: %s</title><rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s"/>'
            '<text x="%d" y="%d" class="tile">%s</text></g>'
            % (health, _text(node["name"]), state, x, y, TILE_W, TILE_H, COLOURS[health],
               x + 6, y + 15, _text(_label(node["name"]))))
    return parts


def _box_height(count):
    rows = max(1, (count + COLS - 1) // COLS)
    return BOX_HEAD + rows * (TILE_H + GAP) - GAP + PAD


def _box(item, x, y):
    """One cluster or edge site: a frame coloured by health, its name, a status line, its node tiles."""
    height = _box_height(len(item["nodes"]))
    colour = COLOURS[item["health"]]
    dash = ' stroke-dasharray="6 4"' if item["kind"] == "site" else ""
    parts = ['<g class="%s %s" id="%s-%s">' % (item["kind"], item["health"], item["kind"], _text(item["name"])),
             '<title>%s</title>' % _text(item["name"]),
             '<rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="#ffffff" stroke="%s" stroke-width="3"%s/>'
             % (x, y, BOX_W, height, colour, dash),
             '<text x="%d" y="%d" class="name">%s</text>' % (x + PAD, y + 18, _text(item["name"])),
             '<text x="%d" y="%d" class="small">%s</text>' % (x + PAD, y + 35, _text(item["status"]))]
    if not item["nodes"]:
        parts.append('<text x="%d" y="%d" class="small">no nodes</text>' % (x + PAD, y + BOX_HEAD + 15))
    parts.extend(_tiles(item["nodes"], x, y))
    parts.append("</g>")
    return parts, height


def _picture(clusters, sites, edge_names, per_cluster, placed):
    items = {}
    for cluster in clusters:
        nodes = [n for n in cluster["nodes"] if n["name"] not in edge_names]
        ready = len([n for n in nodes if n["ready"] is True])
        if cluster["error"]:
            health, status = "bad", "%s \u00b7 API unreachable" % cluster["role"]
        else:
            health = _health([n["ready"] for n in nodes])
            status = "%s \u00b7 %d/%d nodes ready" % (cluster["role"], ready, len(nodes))
        if placed and not cluster["error"]:
            status += " \u00b7 %d replicas" % per_cluster.get(cluster["name"], 0)
        items.setdefault(cluster["region"], []).append(
            {"kind": "cluster", "name": cluster["name"], "health": health, "status": status, "nodes": nodes})
    for site in sites:
        ready = len([n for n in site["nodes"] if n["ready"] is True])
        items.setdefault(site["region"], []).append(
            {"kind": "site", "name": site["name"], "health": _health([n["ready"] for n in site["nodes"]]),
             "status": "edge site of %s \u00b7 %d/%d ready" % (site["cluster"], ready, len(site["nodes"])),
             "nodes": site["nodes"]})
    parts, y = [], PAD
    for region in sorted(items):
        inner, x, row_y, row_h = [], 2 * PAD, y + REGION_HEAD, 0
        for item in items[region]:
            if x + BOX_W > WIDTH - 2 * PAD:
                x, row_y, row_h = 2 * PAD, row_y + row_h + PAD, 0
            box, height = _box(item, x, row_y)
            inner.extend(box)
            x, row_h = x + BOX_W + 14, max(row_h, height)
        bottom = row_y + row_h + PAD
        parts.append('<g class="region" id="region-%s">' % _text(region))
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="#eef2f7" stroke="#9fb0c8"/>'
                     % (PAD, y, WIDTH - 2 * PAD, bottom - y))
        parts.append('<text x="%d" y="%d" class="region-name">%s</text>'
                     % (2 * PAD, y + 21, _text("region " + (region or "(none)"))))
        parts.extend(inner)
        parts.append("</g>")
        y = bottom + PAD
    # Inline SVG in HTML needs no xmlns (the parser knows it): the page holds no URL at all.
    head = ('<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="fleet topology">'
            % (WIDTH, y, WIDTH, y))
    return [head] + parts + ["</svg>"]


def _versions_table(clusters, versions, edge_names):
    components = sorted(set(c for cluster in clusters for c in cluster["components"]))
    running = dict((c["name"], _running(c, edge_names)) for c in clusters)
    rows = ["<table><tr><th>component</th>%s</tr>" % "".join("<th>%s</th>" % _text(c["name"]) for c in clusters)]
    kubelets = ["<td>%s</td>" % _text(", ".join(running[c["name"]].get("kubelet", [])) or "\u2013") for c in clusters]
    rows.append("<tr><td>kubelet (not pinned)</td>%s</tr>" % "".join(kubelets))
    for component in components:
        pinned = str(versions.get(component, "") or "")
        cells = []
        for cluster in clusters:
            if component not in cluster["components"]:
                cells.append('<td class="off">\u2013</td>')
                continue
            seen = running[cluster["name"]].get(component, [])
            if not seen:
                state, detail = "unseen", "not seen running"
            elif seen == [pinned]:
                state, detail = "match", "runs " + pinned
            else:
                state, detail = "differs", "runs " + ", ".join(seen)
            cells.append('<td class="%s">%s<br><span class="small">%s</span></td>'
                         % (state, _text(pinned or "(not pinned)"), _text(detail)))
        rows.append("<tr><td>%s</td>%s</tr>" % (_text(component), "".join(cells)))
    rows.append("</table>")
    return rows


def _health_table(clusters, sites, edge_names):
    rows = ["<table><tr><th>cluster or site</th><th>region</th><th>role</th><th>nodes ready</th><th>detail</th></tr>"]
    for cluster in clusters:
        nodes = [n for n in cluster["nodes"] if n["name"] not in edge_names]
        down = [n["name"] for n in nodes if n["ready"] is not True]
        detail = cluster["error"] or ("not ready: " + ", ".join(down) if down else "")
        ready = "\u2013" if cluster["error"] else "%d/%d" % (len(nodes) - len(down), len(nodes))
        rows.append("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
                    % (_text(cluster["name"]), _text(cluster["region"]), _text(cluster["role"]), ready, _text(detail)))
    for site in sites:
        down = [n["name"] for n in site["nodes"] if n["ready"] is not True]
        rows.append("<tr><td>%s</td><td>%s</td><td>edge site of %s</td><td>%d/%d</td><td>%s</td></tr>"
                    % (_text(site["name"]), _text(site["region"]), _text(site["cluster"]),
                       len(site["nodes"]) - len(down), len(site["nodes"]),
                       _text("not ready or not registered: " + ", ".join(down) if down else "")))
    rows.append("</table>")
    return rows


def _placement_table(note, workloads, clusters):
    if note:
        return ['<p class="note">%s</p>' % _text(note)]
    if not workloads:
        return ['<p class="note">Karmada places no workloads.</p>']
    names = sorted(set(c["name"] for c in clusters) | set(n for w in workloads for n in w["clusters"]))
    rows = ["<table><tr><th>namespace</th><th>kind</th><th>workload</th><th>replicas</th>%s</tr>"
            % "".join("<th>%s</th>" % _text(n) for n in names)]
    for workload in workloads:
        cells = []
        for name in names:
            if name not in workload["clusters"]:
                cells.append('<td class="off">\u2013</td>')
            else:
                replicas = workload["clusters"][name]
                cells.append("<td>%s</td>" % _text("placed" if replicas is None else replicas))
        rows.append("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td>%s</tr>"
                    % (_text(workload["namespace"]), _text(workload["kind"]), _text(workload["name"]),
                       _text("" if workload["replicas"] is None else workload["replicas"]), "".join(cells)))
    rows.append("</table>")
    return rows


STYLE = """body { font-family: sans-serif; margin: 1.5em; color: #222; }
h2 { margin-top: 1.4em; }
svg text { font-family: sans-serif; }
.name { font-size: 14px; font-weight: bold; fill: #222; }
.region-name { font-size: 15px; font-weight: bold; fill: #3c4a60; }
.small { font-size: 12px; fill: #555; }
.tile { font-size: 11px; fill: #ffffff; }
table { border-collapse: collapse; margin-top: 0.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; font-size: 13px; vertical-align: top; }
th { background: #eef2f7; }
td.off { color: #aaa; }
td.match { background: #e3f4e7; }
td.differs { background: #fbe3e2; }
td.unseen { background: #f2f2f2; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; color: #ffffff; border-radius: 4px; }
.note { color: #555; font-style: italic; }"""


def fleet_report_html(fleet, title="Fleet report"):
    """The fleet as one self-contained HTML document (see DOCUMENTATION)."""
    if not isinstance(title, string_types):
        raise AnsibleFilterError("fleet_report_html: title must be a string")
    clusters, edge_nodes = _prepare(fleet)
    versions = fleet.get("versions") or {}
    if not isinstance(versions, dict):
        raise AnsibleFilterError("fleet_report_html: versions must be a mapping of component to version")
    edge_names = set(str(n["name"]) for n in edge_nodes)
    sites = _sites(edge_nodes, clusters)
    note, workloads, per_cluster = _placements(fleet.get("placements"))
    lines = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             "<title>%s</title>" % _text(title), "<style>", STYLE, "</style>", "</head>", "<body>",
             "<h1>%s</h1>" % _text(title),
             '<p class="legend"><span style="background:%s">ready</span><span style="background:%s">not ready or '
             'unreachable</span><span style="background:%s">unknown or not registered</span></p>'
             % (COLOURS["ok"], COLOURS["bad"], COLOURS["unknown"])]
    lines.extend(_picture(clusters, sites, edge_names, per_cluster, not note))
    lines.append("<h2>Health</h2>")
    lines.extend(_health_table(clusters, sites, edge_names))
    lines.append("<h2>Component versions</h2>")
    lines.append('<p class="small">Pinned version per component enabled for the cluster; below it, the version '
                 "its images (or nodes) run.</p>")
    lines.extend(_versions_table(clusters, versions, edge_names))
    lines.append("<h2>Workload placement (replicas per cluster)</h2>")
    lines.extend(_placement_table(note, workloads, clusters))
    lines.extend(["</body>", "</html>", ""])
    return "\n".join(lines)


class FilterModule(object):
    def filters(self):
        return {"fleet_report_html": fleet_report_html}
