# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.fleet_report_html import COLOURS, fleet_report_html


def _fleet():
    return {
        "clusters": [
            {"name": "host", "role": "host", "region": "north-china", "error": "",
             "components": ["karmada", "kubeedge", "kurator"],
             "nodes": [{"name": "node-host-1", "ready": "True", "kubelet": "v1.35.4"},
                       {"name": "edge-a-1", "ready": "True", "kubelet": "v1.32.10-kubeedge-v1.23.1"},
                       {"name": "edge-a-2", "ready": "False", "kubelet": "v1.32.10-kubeedge-v1.23.1"}],
             "images": ["registry.k8s.io/coredns/coredns:v1.13.1"]},
            {"name": "cluster-beijing", "role": "member", "region": "north-china", "error": "",
             "components": ["karmada", "volcano", "velero"],
             "nodes": [{"name": "node-beijing-1", "ready": True, "kubelet": "v1.35.4"},
                       {"name": "beijing-worker-1", "ready": "Unknown", "kubelet": "v1.35.4"},
                       {"name": "beijing-worker-2", "ready": None, "kubelet": "v1.35.4"}],
             "images": ["docker.io/volcanosh/vc-scheduler:v1.14.1", "docker.io/velero/velero:v1.17.0",
                        "docker.io/volcanosh/vc-controller-manager:v1.14.1@sha256:abc"]},
            {"name": "cluster-guangzhou", "role": "member", "region": "south-china",
             "error": "API unreachable: connection refused", "components": ["karmada"], "nodes": [], "images": []},
        ],
        "edge_nodes": [
            {"name": "edge-a-1", "site": "site-a", "region": "east-china", "cluster": "host"},
            {"name": "edge-a-2", "site": "site-a", "region": "east-china", "cluster": "host"},
            {"name": "edge-b-1", "site": "site-b", "region": "south-china", "cluster": "host"},
        ],
        "versions": {"karmada": "v1.18.2", "kubeedge": "v1.23.1", "volcano": "v1.14.1", "velero": "v1.18.0",
                     "kurator": "v0.6.0"},
        "placements": {"note": "", "workloads": [
            {"namespace": "default", "kind": "Deployment", "name": "nginx", "replicas": 3,
             "clusters": [{"name": "cluster-beijing", "replicas": 2}, {"name": "cluster-guangzhou", "replicas": 1}]},
            {"namespace": "production", "kind": "Deployment", "name": "web", "replicas": 1,
             "clusters": [{"name": "cluster-beijing"}]},
        ]},
    }


def _svg(page):
    return page[page.index("<svg"):page.index("</svg>")]


def _group(svg, kind, name):
    """The SVG group of one cluster or site."""
    return re.search(r'<g class="%s (\w+)" id="%s-%s">' % (kind, kind, re.escape(name)), svg)


def test_every_cluster_node_and_site_is_in_the_picture():
    svg = _svg(fleet_report_html(_fleet()))
    for name in ("host", "cluster-beijing", "cluster-guangzhou", "site-a", "site-b", "node-host-1",
                 "node-beijing-1", "beijing-worker-1", "edge-a-1", "edge-a-2", "edge-b-1",
                 "region north-china", "region south-china", "region east-china"):
        assert ">%s<" % name in svg, name


def _box(svg, kind, name):
    """The lines of one cluster or site box (it ends at its own closing line)."""
    start = svg.index('id="%s-%s"' % (kind, name))
    return svg[start:svg.index("\n</g>\n", start)]


def test_edge_nodes_are_drawn_in_their_site_not_in_their_cloud_cluster():
    svg = _svg(fleet_report_html(_fleet()))
    assert ">edge-a-1<" in _box(svg, "site", "site-a") and ">edge-a-2<" in _box(svg, "site", "site-a")
    assert ">edge-b-1<" in _box(svg, "site", "site-b")
    assert ">edge-a-1<" not in _box(svg, "cluster", "host") and ">node-host-1<" in _box(svg, "cluster", "host")
    # The host cluster's status counts its own node only.
    assert "host \u00b7 1/1 nodes ready" in svg
    assert "edge site of host \u00b7 1/2 ready" in svg


def test_health_colours():
    svg = _svg(fleet_report_html(_fleet()))
    assert _group(svg, "cluster", "host").group(1) == "ok"
    assert _group(svg, "cluster", "cluster-beijing").group(1) == "bad"  # Ready Unknown: stopped reporting
    assert _group(svg, "cluster", "cluster-guangzhou").group(1) == "bad"  # unreachable
    assert _group(svg, "site", "site-a").group(1) == "bad"  # edge-a-2 NotReady
    assert _group(svg, "site", "site-b").group(1) == "unknown"  # edge-b-1 not registered
    tiles = dict((name, health) for health, name in re.findall(r'<g class="node (\w+)"><title>([^:]+):', svg))
    assert tiles == {"node-host-1": "ok", "node-beijing-1": "ok", "beijing-worker-1": "bad", "beijing-worker-2": "unknown",
                     "edge-a-1": "ok", "edge-a-2": "bad", "edge-b-1": "unknown"}
    for health in ("ok", "bad", "unknown"):
        assert 'fill="%s"' % COLOURS[health] in svg


def test_no_external_references():
    page = fleet_report_html(_fleet())
    for forbidden in ("http://", "https://", "src=", "<link", "<script", "@import", "url("):
        assert forbidden not in page, forbidden
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_text_is_escaped():
    fleet = _fleet()
    fleet["clusters"][0]["region"] = "<script>alert(1)</script>"
    fleet["clusters"][1]["error"] = 'bad "quote" & <b>'
    fleet["placements"]["workloads"][0]["name"] = "<img src=x onerror=alert(1)>"
    page = fleet_report_html(fleet, title="A & B <c>")
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "bad &quot;quote&quot; &amp; &lt;b&gt;" in page
    assert "<title>A &amp; B &lt;c&gt;</title>" in page


def test_versions_pinned_and_running():
    page = fleet_report_html(_fleet())
    table = page[page.index("<h2>Component versions</h2>"):page.index("<h2>Workload placement")]
    assert "<tr><td>volcano</td>" in table
    assert 'class="match">v1.14.1<br><span class="small">runs v1.14.1</span>' in table
    assert 'class="differs">v1.18.0<br><span class="small">runs v1.17.0</span>' in table  # velero
    assert 'class="match">v1.23.1<br><span class="small">runs v1.23.1</span>' in table  # kubeedge, from edge kubelets
    assert 'class="unseen">v1.18.2' in table  # karmada: no karmada image seen
    assert "<td>v1.35.4</td>" in table  # kubelet, the host's own node only


def test_placement_table_and_replicas_per_cluster():
    page = fleet_report_html(_fleet())
    table = page[page.index("<h2>Workload placement"):]
    header = re.search(r"<tr>(<th>.*?)</tr>", table).group(1)
    assert header.endswith("<th>cluster-beijing</th><th>cluster-guangzhou</th><th>host</th>")
    assert "<td>default</td><td>Deployment</td><td>nginx</td><td>3</td><td>2</td><td>1</td>" in table
    assert "<td>production</td><td>Deployment</td><td>web</td><td>1</td><td>placed</td>" in table
    assert "member \u00b7 1/3 nodes ready \u00b7 2 replicas" in page


def test_placement_note_when_karmada_is_missing():
    fleet = _fleet()
    fleet["placements"] = {"note": "Karmada is not installed", "workloads": []}
    page = fleet_report_html(fleet)
    assert '<p class="note">Karmada is not installed</p>' in page
    assert "replicas" not in _svg(page)


def test_deterministic_and_sorted():
    fleet = _fleet()
    shuffled = _fleet()
    shuffled["clusters"].reverse()
    shuffled["edge_nodes"].reverse()
    shuffled["placements"]["workloads"].reverse()
    for cluster in shuffled["clusters"]:
        cluster["nodes"].reverse()
        cluster["images"].reverse()
    assert fleet_report_html(fleet) == fleet_report_html(shuffled)


def test_many_clusters_wrap_inside_their_region():
    fleet = {"clusters": [{"name": "c%d" % i, "region": "r", "nodes": [{"name": "n%d" % i, "ready": True}]}
                          for i in range(9)]}
    svg = _svg(fleet_report_html(fleet))
    xs = [int(x) for x in re.findall(r'<rect x="(\d+)" y="\d+" width="306"', svg)]
    assert len(xs) == 9 and max(xs) + 306 <= 1310


@pytest.mark.parametrize("bad", ["nope", {"clusters": "x"}, {"clusters": [{"role": "host"}]},
                                 {"clusters": [{"name": "a", "nodes": ["n1"]}]}, {"edge_nodes": [{}]},
                                 {"versions": ["v1"]}])
def test_bad_input(bad):
    with pytest.raises(AnsibleFilterError):
        fleet_report_html(bad)
