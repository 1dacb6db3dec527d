"""Karmada Pull mode in the lab: cluster-hangzhou joined through karmada-agent, which runs
as a systemd service on the lab host gw-hangzhou (the members' pods are kwok's and never
run, so an in-member agent could not work here).

Checks: the join (Cluster Pull + Ready with the topology's labels, region, zones, provider
and spec.id, no member credential in Karmada, agent files 0600), re-run changed=0 and a
clean --check --diff, work delivered by the agent, unjoin (agent, RBAC, credentials and the
propagated workload gone) and rejoin, Pull -> Push -> Pull in place, and the Deployment
placement (rendered, Available by kwok only: no agent process runs there).

Runs after test_karmada.py (converged control plane); on its own it needs a converged lab:
  .venv/bin/pytest -m lab -v -s tests/integration/test_karmada_pull.py
"""
from __future__ import annotations

import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import KUBECONFIG_DIR
from runners import ansible_playbook, assert_ok, assert_unchanged, finish_playbook, note, start_playbook, wait
from test_karmada import INVENTORY, KARMADA_KUBECONFIG, PLAYBOOK
# karmada_api is a fixture (used by name).
from test_karmada import karmada_api  # noqa: F401  # pylint: disable=unused-import

pytestmark = pytest.mark.lab

MEMBER = "cluster-hangzhou"
AGENT_HOST = "gw-hangzhou"
UNIT = f"karmada-agent-{MEMBER}"
AGENT_DIR = f"/etc/karmada-agent/{MEMBER}"
PKI_AGENTS = Path.home() / ".fleetops" / INVENTORY.parent.name / "karmada" / "pki" / "agents"
PROBE = "pull-probe"
NS = "default"


def playbook(*extra, inventory: Path = INVENTORY, timeout=1200):
    return ansible_playbook(inventory, PLAYBOOK, "--limit", MEMBER, *extra, timeout=timeout)


@pytest.fixture(scope="module")
def topology() -> dict:
    return yaml.safe_load(INVENTORY.read_text())


@pytest.fixture(scope="module")
def member_entry(topology) -> dict:
    entry = next(c for c in topology["clusters"] if c["name"] == MEMBER)
    assert entry.get("sync_mode") == "Pull" and entry.get("agent_host") == AGENT_HOST, (
        f"{INVENTORY}: {MEMBER} should be sync_mode Pull with agent_host {AGENT_HOST} (lab/lab.py topology)")
    return entry


@pytest.fixture(scope="module")
def agent_ssh(topology):
    host = next(h for h in topology["control_plane_hosts"] if h["name"] == AGENT_HOST)
    key = (INVENTORY.parent / host["ssh_key"]).resolve()

    def run(cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ssh", "-i", str(key), "-p", str(host.get("ssh_port", 22)), "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
             f"{host.get('ssh_user', 'root')}@{host['address']}", cmd],
            capture_output=True, text=True, timeout=60, check=False)
    return run


@pytest.fixture(scope="module")
def member():
    from kubernetes import client, config
    api = config.new_client_from_config(config_file=str(KUBECONFIG_DIR / f"{MEMBER}.kubeconfig"))
    return {"core": client.CoreV1Api(api), "apps": client.AppsV1Api(api), "rbac": client.RbacAuthorizationV1Api(api)}


def variant(tmp_path: Path, **changes) -> Path:
    """A copy of the lab topology (in a directory named like the lab's, so the same controller
    state is used) with MEMBER's entry changed; None removes a key. Paths made absolute."""
    data = yaml.safe_load(INVENTORY.read_text())
    base = INVENTORY.parent
    for c in data["clusters"]:
        c["kubeconfig"] = str((base / c["kubeconfig"]).resolve())
        if c["name"] == MEMBER:
            for k, v in changes.items():
                if v is None:
                    c.pop(k, None)
                else:
                    c[k] = v
    for group in [data.get("control_plane_hosts") or []] + [s["nodes"] for s in data.get("edge_sites") or []]:
        for h in group:
            if h.get("ssh_key"):
                h["ssh_key"] = str((base / h["ssh_key"]).resolve())
    path = tmp_path / INVENTORY.parent.name / "topology.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def cluster(karmada_api) -> dict:
    return karmada_api["custom"].get_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters", MEMBER)


def ready(obj: dict) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in (obj.get("status") or {}).get("conditions", []))


def ready_in(karmada_api, mode: str):
    """The Cluster when it is Ready in sync mode `mode`, else None (for wait())."""
    obj = cluster(karmada_api)
    return obj if ready(obj) and obj["spec"]["syncMode"] == mode else None


def available(member, replicas: int):
    """The member's probe Deployment when `replicas` are available, else None (for wait())."""
    dep = member["apps"].read_namespaced_deployment(PROBE, NS)
    return dep if dep.status.available_replicas == replicas else None


def cluster_names(karmada_api) -> list[str]:
    return [c["metadata"]["name"] for c in karmada_api["custom"].list_cluster_custom_object(
        "cluster.karmada.io", "v1alpha1", "clusters")["items"]]


def karmada_secrets(karmada_api) -> list[str]:
    from kubernetes import client, config
    core = client.CoreV1Api(config.new_client_from_config(config_file=str(KARMADA_KUBECONFIG)))
    return [s.metadata.name for s in core.list_namespaced_secret("karmada-cluster").items]


def assert_no_changes(proc):
    assert_unchanged(proc, (MEMBER,))


def assert_pull_joined(karmada_api, member, member_entry, agent_ssh):
    c = wait(f"{MEMBER} Ready in Pull mode", lambda: ready_in(karmada_api, "Pull"), 120)
    spec, meta = c["spec"], c["metadata"]
    assert spec["region"] == member_entry["region"] and spec["zones"] == member_entry["zones"]
    assert spec["provider"] == member_entry["provider"]
    assert {k: meta["labels"].get(k) for k in member_entry["labels"]} == member_entry["labels"]
    assert spec["id"] == member["core"].read_namespace("kube-system").metadata.uid
    assert spec["apiEndpoint"] == member_entry["api_endpoint"]
    assert "secretRef" not in spec and "impersonatorSecretRef" not in spec, spec
    assert meta["annotations"]["fleetops.kurator/karmada-agent"] == f"host/{AGENT_HOST}"
    assert not [s for s in karmada_secrets(karmada_api) if s.startswith(MEMBER)]
    out = agent_ssh(f"systemctl is-active {UNIT}; stat -c '%a %n' {AGENT_DIR} {AGENT_DIR}/*.kubeconfig")
    assert out.stdout.split("\n")[0] == "active", out.stdout + out.stderr
    modes = [f"600 {AGENT_DIR}/karmada.kubeconfig", f"600 {AGENT_DIR}/member.kubeconfig", f"700 {AGENT_DIR}"]
    assert sorted(out.stdout.split("\n")[1:4]) == modes, out.stdout
    assert oct((PKI_AGENTS / f"{MEMBER}.key").stat().st_mode & 0o777) == "0o600"


# --------------------------------------------------------------------------- join

def test_pull_join(karmada_api, member, member_entry, agent_ssh):
    proc, seconds = playbook()
    assert_ok(proc)
    assert_pull_joined(karmada_api, member, member_entry, agent_ssh)
    note(f"pull join {MEMBER} (converge, agent on {AGENT_HOST}): {seconds:.1f}s")


def test_pull_rerun_and_check_mode_change_nothing():
    proc, seconds = playbook()
    assert_no_changes(proc)
    note(f"pull re-run {MEMBER}: {seconds:.1f}s, changed=0")
    assert_no_changes(playbook("--check", "--diff")[0])


def etcd_answers(address: str, cert: str, key: str) -> str:
    """GET /version from the Karmada etcd's client port with this client certificate; the
    answer, or why the TLS handshake or the request failed."""
    ctx = ssl.create_default_context(cafile=str(PKI_AGENTS.parent / "etcd-ca.crt"))
    ctx.load_cert_chain(cert, key)
    try:
        with socket.create_connection((address, 2379), timeout=10) as raw, \
                ctx.wrap_socket(raw, server_hostname=address) as tls:
            tls.sendall(f"GET /version HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while chunk := tls.recv(4096):
                answer += chunk
            return answer.decode(errors="replace")
    except (ssl.SSLError, OSError) as exc:
        return f"refused: {exc}"


def test_agent_certificate_is_refused_by_etcd(topology):
    """One CA per purpose (issue 12): the agent's client certificate, which the Karmada API
    accepts (the join above), does not open etcd; the API server's etcd client certificate does."""
    karmada_host = next(h for h in topology["control_plane_hosts"] if "karmada" in h.get("roles", []))
    address = karmada_host["address"]
    agent = etcd_answers(address, str(PKI_AGENTS / f"{MEMBER}.crt"), str(PKI_AGENTS / f"{MEMBER}.key"))
    assert agent.startswith("refused:"), agent
    pki = PKI_AGENTS.parent
    client = etcd_answers(address, str(pki / "etcd-client.crt"), str(pki / "etcd-client.key"))
    assert client.startswith("HTTP/1.1 200") and "etcdserver" in client, client
    note(f"agent certificate at etcd {address}:2379: {agent[:120]}")


def test_pull_member_receives_work(karmada_api, member):
    from kubernetes import client
    apps, custom = karmada_api["apps"], karmada_api["custom"]
    labels = {"app": PROBE}
    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name=PROBE, labels=labels),
        spec=client.V1DeploymentSpec(replicas=2, selector=client.V1LabelSelector(match_labels=labels),
                                     template=client.V1PodTemplateSpec(
                                         metadata=client.V1ObjectMeta(labels=labels),
                                         spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx:1.27")]))))
    policy = {"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
              "metadata": {"name": PROBE, "namespace": NS},
              "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": PROBE}],
                       "placement": {"clusterAffinity": {"clusterNames": [MEMBER]}}}}
    for delete in (lambda: apps.delete_namespaced_deployment(PROBE, NS),
                   lambda: custom.delete_namespaced_custom_object("policy.karmada.io", "v1alpha1", NS,
                                                                  "propagationpolicies", PROBE)):
        try:
            delete()
        except client.ApiException as exc:
            assert exc.status == 404, exc
    wait("no earlier probe in Karmada",
         lambda: PROBE not in [d.metadata.name for d in apps.list_namespaced_deployment(NS).items], 60)
    custom.create_namespaced_custom_object("policy.karmada.io", "v1alpha1", NS, "propagationpolicies", policy)
    apps.create_namespaced_deployment(NS, dep)
    d = wait(f"{PROBE} Available in {MEMBER} (applied by the agent)", lambda: available(member, 2), 120)
    assert d.spec.replicas == 2


# --------------------------------------------------------------------------- unjoin / rejoin

def work_role_state(rbac) -> str:
    """'held' when Karmada's namespace deletion has reached the agent's Work Role and the
    unjoin's finalizer keeps it; 'deleted' when it is gone; '' while untouched."""
    from kubernetes.client.exceptions import ApiException
    try:
        role = rbac.read_namespaced_role(f"system:karmada:{MEMBER}:agent-work", f"karmada-es-{MEMBER}")
    except ApiException as exc:
        if exc.status == 404:
            return "deleted"
        raise
    if role.metadata.deletion_timestamp:
        assert "fleetops.kurator/pull-unjoin" in (role.metadata.finalizers or []), role.metadata
        return "held"
    return ""


TEST_FINALIZER = "fleetops.kurator.test/keep-work"


def set_test_finalizer(custom, work: str, keep: bool) -> None:
    """Add or remove the test's own finalizer on a Work of MEMBER (the agent owns another)."""
    from kubernetes.client.exceptions import ApiException
    es = f"karmada-es-{MEMBER}"
    for _attempt in range(20):
        try:
            obj = custom.get_namespaced_custom_object("work.karmada.io", "v1alpha1", es, "works", work)
        except ApiException as exc:
            if exc.status == 404 and not keep:
                return
            raise
        rest = [f for f in obj["metadata"].get("finalizers") or [] if f != TEST_FINALIZER]
        body = {"metadata": {"resourceVersion": obj["metadata"]["resourceVersion"],
                             "finalizers": rest + ([TEST_FINALIZER] if keep else [])}}
        try:
            custom.patch_namespaced_custom_object("work.karmada.io", "v1alpha1", es, "works", work, body)
            return
        except ApiException as exc:
            if exc.status != 409:  # the agent updated it meanwhile: read again
                raise
    raise AssertionError(f"could not update the finalizers of Work {es}/{work}")


def test_pull_unjoin_and_rejoin(karmada_api, member, member_entry, agent_ssh):
    """The unjoin keeps the agent's Work RBAC until every Work of the cluster is gone. One
    Work is kept by a test finalizer, so Karmada's deletion of the execution namespace
    reaches the agent's Work Role while a Work remains: the Role must be held (without the
    hold the namespace controller deletes it, and a Work the agent has not finished keeps
    the namespace and the Cluster forever - the race a loaded machine lost in CI). Then the
    test lets the Work go and the unjoin finishes."""
    from kubernetes import client, config
    rbac = client.RbacAuthorizationV1Api(config.new_client_from_config(config_file=str(KARMADA_KUBECONFIG)))
    custom = karmada_api["custom"]
    works = custom.list_namespaced_custom_object("work.karmada.io", "v1alpha1", f"karmada-es-{MEMBER}", "works")
    probe_work = next((w["metadata"]["name"] for w in works["items"] if w["metadata"]["name"].startswith(PROBE)), None)
    assert probe_work, f"no Work for {PROBE} in karmada-es-{MEMBER}: {[w['metadata']['name'] for w in works['items']]}"
    t0 = time.monotonic()
    set_test_finalizer(custom, probe_work, keep=True)
    unjoin = start_playbook(INVENTORY, PLAYBOOK, "--limit", MEMBER, "-e", "karmada_member_state=absent")
    try:
        state = wait("Karmada's namespace deletion to reach the agent's Work Role", lambda: work_role_state(rbac), 120, 0.5)
        assert state == "held", f"the agent's Work Role was deleted while Work {probe_work} remained ({state})"
    finally:
        set_test_finalizer(custom, probe_work, keep=False)
    proc = finish_playbook(unjoin, 1200)
    assert_ok(proc)
    note(f"pull unjoin {MEMBER} (one Work kept a while by the test, hold observed, until the Cluster is gone, agent removed): "
         f"{time.monotonic() - t0:.1f}s")
    assert MEMBER not in cluster_names(karmada_api)
    out = agent_ssh(f"systemctl cat {UNIT} >/dev/null 2>&1 && echo unit-present; test -e {AGENT_DIR} && echo dir-present;"
                    " echo done")
    assert out.stdout.strip() == "done", out.stdout + out.stderr
    assert not (PKI_AGENTS / f"{MEMBER}.key").exists() and not (PKI_AGENTS / f"{MEMBER}.crt").exists()
    assert not [r.metadata.name for r in rbac.list_cluster_role().items if MEMBER in r.metadata.name]
    assert "karmada-agent" not in [s.metadata.name for s in member["core"].list_namespaced_service_account("karmada-system").items]
    # The agent removed what Karmada had propagated before its Cluster went away.
    wait(f"{PROBE} removed from {MEMBER}", lambda: PROBE not in [
        d.metadata.name for d in member["apps"].list_namespaced_deployment(NS).items], 60)
    # Unjoining again changes nothing.
    assert_no_changes(playbook("-e", "karmada_member_state=absent")[0])

    proc, seconds = playbook()
    assert_ok(proc)
    note(f"pull rejoin {MEMBER} (until Ready): {seconds:.1f}s")
    assert_pull_joined(karmada_api, member, member_entry, agent_ssh)
    wait(f"{PROBE} back in {MEMBER}", lambda: available(member, 2), 120)


# --------------------------------------------------------------------------- mode and placement switches

def test_pull_to_push_and_back(karmada_api, member, member_entry, agent_ssh, tmp_path):
    uid = cluster(karmada_api)["metadata"]["uid"]
    proc, seconds = playbook(inventory=variant(tmp_path, sync_mode="Push", agent_host=None))
    assert_ok(proc)
    note(f"switch {MEMBER} Pull -> Push in place: {seconds:.1f}s")
    c = wait("Push and Ready", lambda: ready_in(karmada_api, "Push"), 120)
    assert c["metadata"]["uid"] == uid, "the Cluster was recreated instead of switched"
    assert c["spec"]["secretRef"]["name"] == MEMBER
    assert "fleetops.kurator/karmada-agent" not in (c["metadata"].get("annotations") or {})
    assert agent_ssh(f"systemctl cat {UNIT} >/dev/null 2>&1 || echo gone").stdout.strip() == "gone"
    assert PROBE in [d.metadata.name for d in member["apps"].list_namespaced_deployment(NS).items]

    proc, seconds = playbook()
    assert_ok(proc)
    note(f"switch {MEMBER} Push -> Pull in place: {seconds:.1f}s")
    assert cluster(karmada_api)["metadata"]["uid"] == uid
    assert_pull_joined(karmada_api, member, member_entry, agent_ssh)
    assert not [s for s in member["core"].list_namespaced_service_account("karmada-cluster").items
                if s.metadata.name.startswith("karmada-")]


def test_agent_as_deployment_in_member(karmada_api, member, member_entry, agent_ssh, tmp_path):
    """Without agent_host the agent is a Deployment in the member. In this lab kwok marks its
    pod Running and Ready but no agent process runs: only the rendering, the apply and the
    Deployment's availability are shown here, not a working in-member agent."""
    proc = playbook("-e", "karmada_member_wait_ready=false", inventory=variant(tmp_path, agent_host=None))[0]
    assert_ok(proc)
    d = member["apps"].read_namespaced_deployment("karmada-agent", "karmada-system")
    assert d.status.available_replicas == 1
    cmd = d.spec.template.spec.containers[0].command
    assert d.spec.template.spec.service_account_name == "karmada-agent"
    for flag in (f"--cluster-name={MEMBER}", "--report-secrets=None", f"--cluster-region={member_entry['region']}",
                 f"--cluster-zones={','.join(member_entry['zones'])}", f"--cluster-api-endpoint={member_entry['api_endpoint']}"):
        assert flag in cmd, cmd
    secret = member["core"].read_namespaced_secret("karmada-agent-kubeconfig", "karmada-system")
    assert set(secret.data) == {"kubeconfig"}
    assert cluster(karmada_api)["metadata"]["annotations"]["fleetops.kurator/karmada-agent"] == "deployment/karmada-system"
    assert agent_ssh(f"systemctl cat {UNIT} >/dev/null 2>&1 || echo gone").stdout.strip() == "gone"
    assert_no_changes(playbook("-e", "karmada_member_wait_ready=false", inventory=variant(tmp_path, agent_host=None))[0])

    # Back to the agent host: the Deployment goes, the host agent makes the Cluster Ready.
    proc, seconds = playbook()
    assert_ok(proc)
    note(f"agent placement Deployment -> {AGENT_HOST}: {seconds:.1f}s")
    assert "karmada-agent" not in [x.metadata.name for x in member["apps"].list_namespaced_deployment("karmada-system").items]
    assert_pull_joined(karmada_api, member, member_entry, agent_ssh)


def test_pull_cleanup_probe(karmada_api):
    from kubernetes import client
    karmada_api["apps"].delete_namespaced_deployment(PROBE, NS)
    try:
        karmada_api["custom"].delete_namespaced_custom_object("policy.karmada.io", "v1alpha1", NS, "propagationpolicies", PROBE)
    except client.ApiException as exc:
        assert exc.status == 404, exc
