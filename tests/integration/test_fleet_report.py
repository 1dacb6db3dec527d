"""The fleet report (playbooks/fleet_report.yml) against the lab, and its page in a real browser.

The playbook reads every cluster (Nodes, the workloads' images) and, when it answers, Karmada's
ResourceBindings; it prints the text table and writes one self-contained HTML page. Debian's
chromium (headless) then renders the page: every cluster, edge site and edge node of the
topology is in the rendered SVG, and a screenshot comes out. The page is written to a temporary
path: the run changes nothing in the lab.

Order matters (file order): the first run writes the page, a re-run leaves an unchanged page
unchanged, a run with ResourceBindings given as extra vars fills the placement table (Karmada may
be down in the shared lab), a --check run writes nothing, then the browser.

  .venv/bin/pytest -q -p no:cacheprovider tests/integration/test_fleet_report.py
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, karmada_answers, note, recap

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "fleet_report.yml"
INVENTORY = Path(os.environ.get("FLEETOPS_TEST_INVENTORY", TOPOLOGY))
TOPO = yaml.safe_load(INVENTORY.read_text())
CLUSTER_NAMES = sorted(c["name"] for c in TOPO["clusters"])
SITES = sorted(s["name"] for s in TOPO.get("edge_sites", []))
EDGE_NODES = sorted(n["name"] for s in TOPO.get("edge_sites", []) for n in s["nodes"])
# The test's browser flags: no sandbox (root in a container), no GPU, nothing fetched in the background.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fleet-report") / "fleet-report.html"


def _write_task(output: str) -> str:
    """The result line of the 'Write the fleet page' task."""
    match = re.search(r"^TASK \[Write the fleet page\].*?\n(\w+: \[[^\n]*)", output, re.M | re.S)
    assert match, output[-3000:]
    return match.group(1)


def test_report_writes_the_page_and_prints_the_table(page):
    proc, seconds = ansible_playbook(INVENTORY, PLAYBOOK, "-e", f"fleet_report_file={page}")
    assert_ok(proc)
    note(f"fleet_report.yml (first run): {seconds:.1f}s")
    assert set(CLUSTER_NAMES) <= set(recap(proc.stdout))
    assert not any(r.get("failed") or r.get("unreachable") for r in recap(proc.stdout).values()), proc.stdout[-3000:]
    # The text table stays in the output, one row per cluster.
    table = proc.stdout[proc.stdout.index("TARGET"):]
    for name in CLUSTER_NAMES:
        assert re.search(rf"^\s+{re.escape(name)}\s+(host|member)\s", table, re.M), table[:3000]
    assert f"Page: {page}" in proc.stdout
    html = page.read_text()
    assert oct(page.stat().st_mode & 0o777) == "0o644"
    for forbidden in ("http://", "https://", "src=", "<link", "<script", "url("):
        assert forbidden not in html, forbidden
    if karmada_answers(INVENTORY):
        assert "<h2>Workload placement (replicas per cluster)</h2>\n<table>" in html
    else:
        assert "The Karmada API did not answer" in html or "Karmada is not installed" in html


def test_rerun_changes_the_page_only_when_its_content_changes(page):
    before = page.read_text()
    proc, seconds = ansible_playbook(INVENTORY, PLAYBOOK, "-e", f"fleet_report_file={page}")
    assert_ok(proc)
    note(f"fleet_report.yml (re-run): {seconds:.1f}s")
    # The lab is shared: a node may change state between the runs, and then the page does.
    expected = "ok" if page.read_text() == before else "changed"
    assert _write_task(proc.stdout).startswith(expected + ":"), _write_task(proc.stdout)
    changed = {h: r["changed"] for h, r in recap(proc.stdout).items() if r.get("changed")}
    assert changed == ({} if expected == "ok" else {"host": 1}), changed


def _binding(namespace: str, kind: str, name: str, replicas, clusters: list) -> dict:
    """A ResourceBinding as Karmada returns it (work.karmada.io/v1alpha2), the fields the report reads."""
    spec = {"resource": {"apiVersion": "v1" if kind == "ConfigMap" else "apps/v1", "kind": kind, "name": name,
                         "namespace": namespace}, "clusters": clusters}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"metadata": {"namespace": namespace, "name": f"{name}-{kind.lower()}"}, "spec": spec}


def test_placements_table_from_resource_bindings(tmp_path):
    """The placement path of the playbook whatever Karmada's state in the shared lab: the bindings
    are handed in as extra vars (they win over the registered read), shaped as Karmada returns them."""
    members = sorted(c["name"] for c in TOPO["clusters"] if c["role"] == "member")
    bindings = [
        _binding("default", "Deployment", "nginx", 5, [{"name": members[0], "replicas": 3},
                                                       {"name": members[1], "replicas": 2}]),
        _binding("default", "DaemonSet", "agent", None, [{"name": members[0]}]),
        _binding("default", "ConfigMap", "settings", None, [{"name": members[0]}]),  # not a workload
        _binding("karmada-system", "Deployment", "internal", 1, [{"name": members[0], "replicas": 1}]),
    ]
    extra = tmp_path / "bindings.json"
    extra.write_text(json.dumps({"fleet_report_bindings": {"resources": bindings}}))
    target = tmp_path / "fleet-report.html"
    proc, seconds = ansible_playbook(INVENTORY, PLAYBOOK, "-e", f"fleet_report_file={target}", "-e", f"@{extra}")
    assert_ok(proc)
    note(f"fleet_report.yml (placements given): {seconds:.1f}s")
    assert re.search(rf"default\s+Deployment\s+nginx\s+5\s+{members[0]}=3 {members[1]}=2", proc.stdout), proc.stdout[-3000:]
    assert re.search(rf"default\s+DaemonSet\s+agent\s+{members[0]}=placed", proc.stdout), proc.stdout[-3000:]
    assert "settings" not in proc.stdout and "internal" not in proc.stdout
    html = target.read_text()
    table = html[html.index("<h2>Workload placement"):]
    columns = re.findall(r"<th>([^<]+)</th>", table.split("</tr>")[0])[4:]
    assert columns == CLUSTER_NAMES
    row = re.search(r"<tr><td>default</td><td>Deployment</td><td>nginx</td><td>5</td>(.*?)</tr>", table).group(1)
    cells = dict(zip(columns, re.findall(r"<td[^>]*>([^<]*)</td>", row)))
    assert cells[members[0]] == "3" and cells[members[1]] == "2"
    assert all(v == "\u2013" for k, v in cells.items() if k not in members[:2])
    assert "settings" not in table and "internal" not in table
    # The cluster's box says the replicas Karmada put there.
    box = html[html.index(f'id="cluster-{members[0]}"'):]
    assert re.search(r'class="small">member \u00b7 \d+/\d+ nodes ready \u00b7 3 replicas<', box.split("<g class=")[0]), box[:600]


def test_check_mode_writes_nothing(tmp_path):
    target = tmp_path / "check" / "fleet-report.html"
    proc, seconds = ansible_playbook(INVENTORY, PLAYBOOK, "--check", "-e", f"fleet_report_file={target}")
    assert_ok(proc)
    note(f"fleet_report.yml --check: {seconds:.1f}s")
    assert not target.exists() and not target.parent.exists()


def _chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    # Debian's chromium must be there (make system-deps installs it): a missing browser fails the test.
    binary = shutil.which("chromium")
    assert binary, "chromium not found: run make system-deps (apt-get install -y chromium)"
    return subprocess.run([binary, *CHROMIUM_FLAGS, *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


def test_browser_renders_every_cluster_site_and_edge_node(page, tmp_path):
    proc = _chromium(f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-3000:]
    dom = proc.stdout
    assert "<svg" in dom and "</svg>" in dom, dom[:2000]
    svg = dom[dom.index("<svg"):dom.index("</svg>")]
    missing = [n for n in CLUSTER_NAMES + SITES + EDGE_NODES if f">{n}<" not in svg]
    assert not missing, f"not in the rendered picture: {missing}"
    for name in CLUSTER_NAMES:
        assert re.search(rf'<g class="cluster (ok|bad|unknown)" id="cluster-{re.escape(name)}">', svg), name


def test_browser_screenshot(page, tmp_path):
    shot = tmp_path / "fleet-report.png"
    proc = _chromium(f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1400,1000",
                     page.as_uri())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert shot.exists() and shot.stat().st_size > 10_000, proc.stderr[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("FLEET_REPORT_SCREENSHOT")
    if keep:  # docs/images/fleet-report.png is taken this way
        shutil.copyfile(shot, keep)
