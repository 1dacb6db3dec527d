"""KubeEdge end to end in the lab: real cloudcore (host mode on cloudcore-1), real edgecore with
Debian's containerd on the five edge hosts of two sites, Nodes registered in the host cluster,
the host cluster registered in Karmada as an edge cluster, and a real container at the edge.

Order matters (pytest runs a module's tests in file order): converge, the edge workload,
re-run and check mode on the converged fleet, then the tests that reset or break one node
(each leaves the fleet converged again).

  .venv/bin/pytest -m lab -v tests/integration/test_kubeedge.py
"""
from __future__ import annotations

import base64
import datetime
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TOPOLOGY
import runners
from runners import assert_ok, assert_unchanged, changed_tasks, note, recap, ssh, wait

pytestmark = pytest.mark.lab

PLAYBOOK = REPO / "playbooks" / "kubeedge.yml"
ONBOARD = REPO / "playbooks" / "edge_site_onboard.yml"
KARMADA_KUBECONFIG = runners.karmada_kubeconfig(TOPOLOGY)
# Our own controller download cache: other lab tests may empty the default one while we run.
ARTIFACT_CACHE = "/var/tmp/fleetops-kubeedge-test-cache"
# Where runs that do not name a report file write it (never into the repository).
DEFAULT_REPORT = "/var/tmp/fleetops-kubeedge-test-report.txt"
EDGE_LABEL = "fleetops.kurator/edge"
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.59"
CLOUDCORE = "cloudcore-1"


def ansible(playbook, *extra, timeout=1200):
    return runners.ansible_playbook(TOPOLOGY, playbook, "-e", f"fleetops_artifact_cache={ARTIFACT_CACHE}",
                                    "-e", f"onboard_report_file={DEFAULT_REPORT}", *extra, timeout=timeout)[0]


def start(playbook, *extra):
    return runners.start_playbook(TOPOLOGY, playbook, "-e", f"fleetops_artifact_cache={ARTIFACT_CACHE}", *extra)


def report_rows(path) -> dict:
    rows = {}
    for line in Path(path).read_text().splitlines()[2:]:
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=3)
        if len(parts) >= 3:
            rows[parts[0]] = {"site": parts[1], "status": parts[2], "reason": parts[3] if len(parts) > 3 else ""}
    return rows


@pytest.fixture(scope="module")
def edge_nodes() -> dict:
    topo = yaml.safe_load(TOPOLOGY.read_text())
    nodes = {}
    for site in topo.get("edge_sites", []):
        for node in site["nodes"]:
            nodes[node["name"]] = {"site": site["name"], "labels": node.get("labels", {}), "address": node["address"]}
    assert len(nodes) == 5 and {n["site"] for n in nodes.values()} == {"site-a", "site-b"}, \
        f"the lab topology should have 5 edge nodes on 2 sites, has {sorted(nodes)}"
    return nodes


@pytest.fixture(scope="module")
def cloudcore_address() -> str:
    topo = yaml.safe_load(TOPOLOGY.read_text())
    return next(h["address"] for h in topo["control_plane_hosts"] if h["name"] == CLOUDCORE)


@pytest.fixture(scope="module")
def core(api_clients):
    from kubernetes import client
    return client.CoreV1Api(api_clients["host"])


def edge_node_objects(core) -> dict:
    """name -> (Node, Ready?) of the host cluster's edge nodes."""
    out = {}
    for node in core.list_node(label_selector="node-role.kubernetes.io/edge").items:
        ready = [c for c in node.status.conditions or [] if c.type == "Ready"]
        out[node.metadata.name] = (node, bool(ready) and ready[0].status == "True")
    return out


def join_token(core) -> str:
    secret = core.read_namespaced_secret("tokensecret", "kubeedge")
    return base64.b64decode(secret.data["tokendata"]).decode().strip()


@pytest.fixture(scope="module")
def converged(edge_nodes, tmp_path_factory):
    # The edge clusters' registration needs a Karmada control plane.
    runners.ensure_karmada(TOPOLOGY)
    report = tmp_path_factory.mktemp("kubeedge") / "report.txt"
    t0 = time.monotonic()
    result = ansible(PLAYBOOK, "-e", f"onboard_report_file={report}")
    assert_ok(result)
    note(f"kubeedge.yml converge (cloudcore, {len(edge_nodes)} edge nodes, Karmada edge registration): "
         f"{time.monotonic() - t0:.0f}s")
    return result, report


def test_all_edge_nodes_are_ready_with_their_labels(converged, core, edge_nodes):
    result, report = converged
    nodes = edge_node_objects(core)
    missing = sorted(set(edge_nodes) - set(nodes))
    assert not missing, f"edge nodes of the topology without a Node object: {missing}"
    for name in edge_nodes:
        node, ready = nodes[name]
        assert ready, f"{name} is not Ready"
        labels = node.metadata.labels
        assert labels.get("node-role.kubernetes.io/edge") == ""
        for key, value in edge_nodes[name]["labels"].items():
            assert labels.get(key) == value, (name, key)
        assert node.status.node_info.kubelet_version.endswith("-kubeedge-v1.23.1"), node.status.node_info
        assert node.status.node_info.container_runtime_version.startswith("containerd://")
    rows = report_rows(report)
    assert {n: r["status"] for n, r in rows.items()} == {n: "Ready" for n in edge_nodes}


@pytest.fixture(scope="module")
def karmada_custom(converged):
    from kubernetes import client, config
    return client.CustomObjectsApi(config.new_client_from_config(config_file=str(KARMADA_KUBECONFIG)))


def test_host_cluster_is_registered_in_karmada_as_an_edge_cluster(karmada_custom):
    cluster = karmada_custom.get_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters", "host")
    assert cluster["metadata"]["labels"].get(EDGE_LABEL) == "true", cluster["metadata"]["labels"]
    ready = [c for c in cluster["status"]["conditions"] if c["type"] == "Ready"]
    assert ready and ready[0]["status"] == "True", cluster["status"]
    members = karmada_custom.list_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters")["items"]
    edge_clusters = sorted(c["metadata"]["name"] for c in members if (c["metadata"].get("labels") or {}).get(EDGE_LABEL))
    assert edge_clusters == ["host"], edge_clusters


def edge_workload(name: str) -> list[dict]:
    labels = {"app": name}
    return [{
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"nodeSelector": {"node-role.kubernetes.io/edge": ""},
                     "containers": [{"name": "agnhost", "image": AGNHOST, "imagePullPolicy": "IfNotPresent",
                                     "args": ["netexec", "--http-port=8080"],
                                     "ports": [{"containerPort": 8080}],
                                     # ready means edged's prober reached the port, not just "started"
                                     "readinessProbe": {"httpGet": {"path": "/hostname", "port": 8080},
                                                        "periodSeconds": 2}}]}}},
    }]


def test_a_real_container_runs_at_the_edge_through_karmada(karmada_custom, core, edge_nodes):
    """A Deployment in Karmada, propagated by a policy that selects edge clusters by label,
    runs agnhost (side-loaded from the mirror) on an edge node; the pod answers HTTP."""
    name = "edge-probe"
    k8s = {"kubeconfig": str(KARMADA_KUBECONFIG), "validate_certs": True}
    play = [{"name": "edge workload", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Deployment in Karmada", "kubernetes.core.k8s": dict(k8s, state="present", definition=edge_workload(name))},
        {"name": "to every edge cluster", "fleetops.kurator.propagation_policy": dict(k8s, name=name, namespace="default", spec={
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name}],
            "placement": {"clusterAffinity": {"labelSelector": {"matchLabels": {EDGE_LABEL: "true"}}}}})},
    ]}]
    playbook = Path(runners.TIMINGS.parent) / "edge-workload.yml"
    playbook.parent.mkdir(parents=True, exist_ok=True)
    # A fresh start: the host cluster outlives the lab's hosts, and pods of an earlier run may
    # still be listed Running on an edge node that was recreated since (a status nobody updates).
    absent = [{"name": "edge workload gone", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "no Deployment in Karmada", "kubernetes.core.k8s": dict(
            k8s, state="absent", api_version="apps/v1", kind="Deployment", name=name, namespace="default",
            wait=True)}]}]
    playbook.write_text(yaml.safe_dump(absent))
    assert_ok(runners.ansible_playbook(TOPOLOGY, playbook)[0])
    for stale in core.list_namespaced_pod("default", label_selector=f"app={name}").items:
        core.delete_namespaced_pod(stale.metadata.name, "default", grace_period_seconds=0)
    playbook.write_text(yaml.safe_dump(play))
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2)
    t0 = time.monotonic()
    assert_ok(runners.ansible_playbook(TOPOLOGY, playbook)[0])

    def running():
        pods = core.list_namespaced_pod("default", label_selector=f"app={name}").items
        return [p for p in pods if p.status.phase == "Running" and p.status.pod_ip
                and p.metadata.deletion_timestamp is None and p.metadata.creation_timestamp >= started
                and all(c.ready for c in p.status.container_statuses or [])]
    pod = wait("the edge-probe pod Running and ready on an edge node", running, timeout=300, every=3)[0]
    note(f"Karmada -> edge: Deployment applied to Running pod in {time.monotonic() - t0:.0f}s on {pod.spec.node_name}")
    assert pod.spec.node_name in edge_nodes, pod.spec.node_name
    # The container really runs: agnhost answers on the pod IP from its node.
    address = edge_nodes[pod.spec.node_name]["address"]
    url = f"http://{pod.status.pod_ip}:8080/hostname"

    def answers():
        answer = ssh(address, f"curl -sS --max-time 5 {url}")
        return answer.stdout.strip() if answer.returncode == 0 else None
    # The bridge may take a moment after the sandbox reports its IP; a few tries, then fail.
    assert wait(f"agnhost answering on {url} from {pod.spec.node_name}", answers, timeout=60, every=3) == pod.metadata.name
    images = ssh(address, "ctr -n k8s.io images ls -q").stdout.split()
    assert AGNHOST in images and "registry.k8s.io/pause:3.10" in images
    # Karmada sees it as its own: the binding schedules it to the edge cluster only.
    binding = karmada_custom.get_namespaced_custom_object("work.karmada.io", "v1alpha2", "default",
                                                          "resourcebindings", f"{name}-deployment")
    assert [c["name"] for c in binding["spec"]["clusters"]] == ["host"], binding["spec"]


@pytest.fixture(scope="module")
def rerun_vvv(converged):  # pylint: disable=unused-argument
    """The converged re-run, at -vvv: one run is both the idempotence test and the secret grep."""
    t0 = time.monotonic()
    result = ansible(PLAYBOOK, "-vvv")
    return result, time.monotonic() - t0


def test_second_run_changes_nothing(rerun_vvv):
    result, seconds = rerun_vvv
    assert_unchanged(result)
    note(f"kubeedge.yml converged re-run (-vvv): {seconds:.0f}s, changed=0")


def test_check_diff_is_clean(converged):
    result = ansible(PLAYBOOK, "--check", "--diff")
    assert_unchanged(result)
    assert "--- before" not in result.stdout


def host_state(address) -> dict:
    """What an edge host holds of KubeEdge."""
    out = ssh(address, "for p in /etc/kubeedge /var/lib/kubeedge /var/lib/edged /etc/systemd/system/edgecore.service; do "
                       "[ -e $p ] && echo path=$p; done; pgrep -x edgecore >/dev/null && echo process=edgecore; "
                       "echo containers=$(ctr -n k8s.io containers ls -q | wc -l); true").stdout
    return {"paths": re.findall(r"^path=(\S+)", out, re.M), "edgecore": "process=edgecore" in out,
            "containers": int(re.search(r"containers=(\d+)", out).group(1))}


def reset(*names):
    result = ansible(ONBOARD, "--limit", ",".join(names), "-e", "kubeedge_edge_state=absent")
    assert_ok(result)
    return result


def test_cloudcore_runs_with_its_own_identity_which_stays_out_of_vvv(rerun_vvv, core, cloudcore_address):
    """cloudcore's kubeconfig holds its own ServiceAccount token (kubeedge/cloudcore), not the
    operator's credentials; the token is not in a -vvv run's output."""
    remote = yaml.safe_load(ssh(cloudcore_address, "cat /etc/kubeedge/cloudcore.kubeconfig").stdout)
    assert [u["name"] for u in remote["users"]] == ["cloudcore"], remote["users"][0].keys()
    user = remote["users"][0]["user"]
    assert set(user) == {"token"}, sorted(user)   # no client certificate or key of the operator
    token = base64.b64decode(core.read_namespaced_secret("cloudcore-token", "kubeedge").data["token"]).decode()
    assert user["token"] == token
    operator = yaml.safe_load((REPO / ".lab" / "kubeconfigs" / "host.kubeconfig").read_text())
    assert operator["users"][0]["user"]["client-key-data"] not in ssh(cloudcore_address, "cat /etc/kubeedge/cloudcore.kubeconfig").stdout
    # cloudcore works with it: the node objects it manages are Ready (checked above); the
    # converged re-run at -vvv (cloud part included) changed nothing and prints no token.
    result = rerun_vvv[0]
    assert_unchanged(result)
    output = result.stdout + result.stderr
    needles = {"token": token, "token (base64)": base64.b64encode(token.encode()).decode(),
               "token signature": token.split(".")[-1]}
    hits = {what: output.count(value) for what, value in needles.items() if value in output}
    note(f"cloudcore identity -vvv grep: {len(needles)} needles in {len(output)} bytes, hits={hits}")
    assert not hits, hits


def test_reset_leaves_the_host_clean_and_onboarding_again_keeps_secrets_out_of_vvv(converged, core, edge_nodes, tmp_path):
    victim = "edge-a-2"
    address = edge_nodes[victim]["address"]
    reset(victim)
    assert victim not in edge_node_objects(core)
    state = host_state(address)
    assert state == {"paths": [], "edgecore": False, "containers": 0}, state
    again = reset(victim)
    assert_unchanged(again)

    # Onboard it again at -vvv: the join token really goes to the node, and never to the output.
    token = join_token(core)
    report = tmp_path / "report.txt"
    result = ansible(ONBOARD, "--limit", victim, "-vvv", "-e", f"onboard_report_file={report}")
    assert_ok(result)
    assert report_rows(report)[victim]["status"] == "Ready"
    key = ssh(address, "cat /etc/kubeedge/certs/server.key").stdout.strip()
    assert "PRIVATE KEY" in key
    output = result.stdout + result.stderr
    needles = {"join token": token, "token signature": token.split(".")[-1],
               "token (base64)": base64.b64encode(token.encode()).decode(), "node key": key.splitlines()[1]}
    hits = {what: output.count(value) for what, value in needles.items() if value in output}
    note(f"kubeedge -vvv grep: {len(needles)} secrets checked in {len(output)} bytes of output, hits={hits}")
    assert not hits, hits
    modes = ssh(address, "stat -c '%a %n' /etc/kubeedge/certs/server.key; "
                         "ls /etc/kubeedge/bootstrap-edgecore.conf 2>&1; true").stdout
    assert "600 /etc/kubeedge/certs/server.key" in modes, modes
    assert "No such file" in modes, f"the bootstrap token file is left on the node: {modes}"


def stream_until(popen, marker: str, timeout: float = 600) -> list[str]:
    """Read a running playbook's output until a line contains marker; return the lines read."""
    lines, deadline = [], time.monotonic() + timeout
    for line in popen.stdout:
        lines.append(line)
        if marker in line:
            return lines
        assert time.monotonic() < deadline, f"no {marker!r} within {timeout}s"
    raise AssertionError(f"the run ended before {marker!r}: {''.join(lines)[-3000:]}")


def finish(popen, lines, timeout: float = 1200) -> subprocess.CompletedProcess:
    """The rest of a playbook streamed with stream_until (read through the same text stream:
    communicate() would skip what that stream already buffered)."""
    lines = list(lines) + list(popen.stdout)
    popen.wait(timeout=timeout)
    return subprocess.CompletedProcess(popen.args, popen.returncode, "".join(lines), popen.stderr.read())


def assert_one_ready_node(core, name):
    nodes = [n for n in core.list_node().items if n.metadata.name == name]
    assert len(nodes) == 1
    wait(f"{name} Ready", lambda: edge_node_objects(core).get(name, (None, False))[1], timeout=240)


def test_cloudcore_restarted_while_a_site_is_onboarded(converged, core, edge_nodes, cloudcore_address, tmp_path):
    """cloudcore goes away while a node joins: the run says what happened; nothing is duplicated;
    at the latest a re-run joins the node."""
    victim = "edge-b-1"
    reset(victim)
    report = tmp_path / "report.txt"
    popen = start(ONBOARD, "-e", "edge_site=site-b", "-e", f"onboard_report_file={report}")
    lines = stream_until(popen, "TASK [fleetops.kurator.kubeedge_edge : Join the nodes that have no certificate yet")
    restart = ssh(cloudcore_address, "systemctl restart cloudcore && systemctl is-active cloudcore")
    assert restart.returncode == 0, restart.stderr
    result = finish(popen, lines)
    rows = report_rows(report)
    assert rows[victim]["status"] in ("Ready", "failed") and rows[victim]["reason"], rows[victim]
    assert rows["edge-b-2"]["status"] == "Ready", rows
    if result.returncode != 0:
        # The failure is named; the re-run joins the node.
        assert rows[victim]["status"] == "failed", rows
        assert_ok(ansible(ONBOARD, "-e", "edge_site=site-b", "-e", f"onboard_report_file={report}"))
        assert report_rows(report)[victim]["status"] == "Ready"
    note(f"cloudcore restarted during onboarding: first run rc={result.returncode}, {victim}: {rows[victim]}")
    assert_one_ready_node(core, victim)
    assert ssh(edge_nodes[victim]["address"], "pgrep -c -x edgecore").stdout.strip() == "1"
    assert_unchanged(ansible(ONBOARD, "-e", "edge_site=site-b"))


def test_killed_edgecore_is_healed_by_a_rerun_and_nothing_else_changes(converged, core, edge_nodes):
    victim = "edge-a-3"
    address = edge_nodes[victim]["address"]
    killed = ssh(address, "systemctl kill -s KILL edgecore; sleep 1; systemctl is-active edgecore; true")
    assert killed.stdout.strip() != "active", killed.stdout
    result = ansible(ONBOARD)
    assert_ok(result)
    stats = recap(result.stdout)
    others = {h: s["changed"] for h, s in stats.items() if h != victim and s.get("changed")}
    assert not others, (others, changed_tasks(result.stdout))
    assert ssh(address, "systemctl is-active edgecore").stdout.strip() == "active"
    assert ssh(address, "pgrep -c -x edgecore").stdout.strip() == "1"
    assert_one_ready_node(core, victim)
    note(f"edgecore killed on {victim}: re-run changed={stats[victim]['changed']} there, 0 elsewhere")


def test_interrupted_onboarding_is_finished_by_a_rerun(converged, core, edge_nodes, tmp_path):
    """SIGINT after edgecore's configuration was written but before the node joined."""
    victim = "edge-a-1"
    address = edge_nodes[victim]["address"]
    reset(victim)
    watcher = subprocess.Popen(
        ["ssh", "-i", str(REPO / ".lab" / "ssh" / "id_ed25519"), "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", f"root@{address}",
         "for i in $(seq 6000); do [ -f /etc/kubeedge/config/edgecore.yaml ] && "
         "{ [ -f /etc/kubeedge/certs/server.crt ] && echo joined || echo written; exit 0; }; sleep 0.05; done; echo timeout"],
        stdout=subprocess.PIPE, text=True)
    popen = start(ONBOARD, "--limit", victim, "-e", f"onboard_report_file={tmp_path / 'interrupted.txt'}")
    seen = watcher.stdout.readline().strip()
    popen.send_signal(signal.SIGINT)
    interrupted = runners.finish_playbook(popen, timeout=300)
    watcher.wait(timeout=30)
    assert seen == "written", f"edgecore.yaml was not seen before the join ({seen})"
    assert interrupted.returncode != 0, interrupted.stdout[-2000:]
    before = host_state(address)
    report = tmp_path / "report.txt"
    rerun = ansible(ONBOARD, "-e", f"onboard_report_file={report}")
    assert_ok(rerun)
    stats = recap(rerun.stdout)
    assert not {h: s["changed"] for h, s in stats.items() if h != victim and s.get("changed")}, changed_tasks(rerun.stdout)
    assert report_rows(report)[victim]["status"] == "Ready", report_rows(report)[victim]
    assert_one_ready_node(core, victim)
    leftovers = ssh(address, "ls /etc/kubeedge/bootstrap-edgecore.conf 2>/dev/null; pgrep -c -x edgecore").stdout.split()
    assert leftovers == ["1"], f"after the re-run: {leftovers} (interrupted at: {before})"
    note(f"SIGINT during onboarding of {victim}: host held {before}; re-run changed={stats[victim]['changed']}, Ready")


def test_stopped_host_is_reported_then_joined_by_a_rerun(converged, core, edge_nodes, tmp_path):
    victim, other = "edge-b-2", "edge-a-1"
    # Both nodes start from scratch, so the run has real work on a host that stays up.
    reset(victim, other)
    assert victim not in edge_node_objects(core)

    report = tmp_path / "report.txt"
    popen = start(ONBOARD, "-e", f"onboard_report_file={report}")
    lines = stream_until(popen, "TASK [Pre-flight - problems in plain words]")
    try:
        subprocess.run(["docker", "stop", "-t", "2", victim], check=True, capture_output=True)
        result = finish(popen, lines)
    finally:
        if popen.returncode is None:
            popen.kill()
        subprocess.run(["docker", "start", victim], check=True, capture_output=True)
    assert result.returncode != 0, "a node failed: the run must say so"
    rows = report_rows(report)
    assert rows[victim]["status"] == "failed" and "unreachable" in rows[victim]["reason"], rows[victim]
    assert all(rows[n]["status"] == "Ready" for n in edge_nodes if n != victim), rows
    assert recap(result.stdout)[other]["failed"] == 0

    wait(f"{victim} back on SSH", lambda: ssh(edge_nodes[victim]["address"],
                                              "systemctl is-system-running --wait >/dev/null; true").returncode == 0)
    rerun = ansible(ONBOARD, "-e", f"onboard_report_file={report}")
    assert_ok(rerun)
    stats = recap(rerun.stdout)
    assert stats[victim]["changed"] > 0
    assert {h: s["changed"] for h, s in stats.items() if h != victim and s["changed"]} == {}
    assert edge_node_objects(core)[victim][1], f"{victim} not Ready after the re-run"
    assert report_rows(report)[victim]["reason"] == "joined"


@pytest.mark.parametrize("site", ["x:all", "site-a,localhost", "no-such-site"])
def test_edge_site_must_name_a_site_of_the_topology(site):
    """edge_site (an AWX survey field) is a site name, never a host pattern: refused on the
    controller with the sites there are, before any host is contacted."""
    result = ansible(ONBOARD, "-e", f"edge_site={site}", timeout=120)
    assert result.returncode != 0, result.stdout[-2000:]
    assert "expected the name of one edge site of the topology" in result.stdout, result.stdout[-2000:]
    assert set(recap(result.stdout)) == {"localhost"}, recap(result.stdout)
