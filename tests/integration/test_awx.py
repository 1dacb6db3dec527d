"""Jobs run the way AWX runs them (issue 11): ansible-runner, a private data dir per job, the
project checkout copied into it, the collection installed from the project's own
collections/requirements.yml, the inventory synced from the lab topology the way AWX syncs a
"Sourced from a Project" inventory and served back to the job as AWX serves it, extra vars from
a survey, the vault password answered at the prompt.

What AWX does, and what these tests do in its place (AWX's source: awx/main/tasks/jobs.py,
awx/main/models/inventory.py, awx/playbooks/project_update.yml):
- project update: `ansible-galaxy collection install -r collections/requirements.yml
  --collections-path <cache>/requirements_collections` in the project's root; the job gets
  ANSIBLE_COLLECTIONS_PATH=<private data dir>/requirements_collections:... (older AWX set
  ANSIBLE_COLLECTIONS_PATHS, which ansible-core 2.19 no longer reads)
- inventory sync: `ansible-inventory --list --export -i project/<source path> --output
  artifacts/<id>/output.json --playbook-dir <its dir>`; AWX stores that JSON.
- job: the stored inventory written as an executable script, <private data dir>/inventory/hosts,
  that prints it; for slice k of N only the hosts at k-1, k-1+N, ... of the inventory's hosts
  ordered by name (Inventory.get_script_data(slice_number, slice_count)) and their groups.
  That is not a --limit: a slice's job does not see the other hosts at all.

test_preflight_job_keeps_every_secret_out_of_the_artifacts: preflight.yml at -vvv (verbosity 3),
with cluster-shanghai's kubeconfig inline and vaulted (`!vault` per value) in the project's
topology; every file of the sync's and the job's artifacts (job events included), the stored
inventory and the report is searched for every secret the lab holds.

test_edge_onboarding_as_three_parallel_slices: edge_site_onboard.yml as 3 slices in parallel;
every edge node onboarded exactly once, no slice's events touch another slice's hosts, the
stats (set_stats, AWX's job artifacts) merge into one per-node report, and the edge nodes are
left joined and Ready, as they were found (test_kubeedge.py uses the same five hosts).

  .venv/bin/pytest -m lab -v -s tests/integration/test_awx.py
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml

from conftest import CLUSTERS, KUBECONFIG_DIR, REPO, TOPOLOGY
import runners
from runners import note

pytestmark = pytest.mark.lab

ansible_runner = pytest.importorskip("ansible_runner", reason="ansible-runner is in requirements-dev.txt")

BIN = REPO / ".venv" / "bin"
SOURCE_PATH = "inventories/lab/topology.yml"   # the inventory source's file in the project
SURVEYS = yaml.safe_load((Path(__file__).parent / "awx_survey.yml").read_text())
VAULT_PASSWORD = "awx-test-vault-password-0815"
VAULTED_CLUSTER = "cluster-shanghai"
SLICES = 3
MIN_LENGTH = 20
PKI = Path.home() / ".fleetops" / TOPOLOGY.parent.name / "karmada" / "pki"


# --- AWX's side: project, project update, inventory sync, job inventory ---------------------

def checkout(project: Path) -> Path:
    """The project as AWX checks it out: the tracked files (and new ones not ignored) of this
    repository. The lab's state (.lab: kubeconfigs, SSH key) is outside version control: it is
    linked in, as credentials would be mounted."""
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in files:
        if name and (REPO / name).is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, project / name)
    (project / ".lab").symlink_to((REPO / ".lab").resolve())
    return project


def vault_inline(project: Path, cluster: str) -> str:
    """Replace the cluster's kubeconfig path in the project's topology by its content, vaulted
    per value (`kubeconfig: !vault |`, as docs/topology.md documents). Returns the plaintext."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    plaintext = (KUBECONFIG_DIR / f"{cluster}.kubeconfig").read_text()
    secret = VaultSecret(VAULT_PASSWORD.encode())
    ciphertext = VaultLib([("default", secret)]).encrypt(plaintext, secret).decode()
    topology = project / SOURCE_PATH
    text = topology.read_text()
    line = f"    kubeconfig: ../../.lab/kubeconfigs/{cluster}.kubeconfig\n"
    assert line in text, f"{cluster}'s kubeconfig line not found in {SOURCE_PATH}"
    vaulted = "    kubeconfig: !vault |\n" + "".join(f"      {row}\n" for row in ciphertext.splitlines())
    topology.write_text(text.replace(line, vaulted, 1))
    return plaintext


def clean_env() -> dict:
    """The environment of an AWX task: nothing of this checkout's (make exports ANSIBLE_CONFIG)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}


def project_update(project: Path, collections: Path) -> subprocess.CompletedProcess:
    """AWX's install_collections step (awx/playbooks/project_update.yml)."""
    env = dict(clean_env(), ANSIBLE_FORCE_COLOR="false", ANSIBLE_COLLECTIONS_PATH=str(collections))
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-r", "collections/requirements.yml",
                           "--collections-path", str(collections)],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (collections / "ansible_collections" / "fleetops" / "kurator" / "MANIFEST.json").is_file(), proc.stdout
    return proc


def job_env(pdd: Path, collections: Path) -> dict:
    return {
        "ANSIBLE_COLLECTIONS_PATH": f"{collections}:~/.ansible/collections:/usr/share/ansible/collections",
        # AWX runs in the project directory, whose ansible.cfg applies (named: this process's own
        # environment may carry the checkout's ANSIBLE_CONFIG).
        "ANSIBLE_CONFIG": str(pdd / "project" / "ansible.cfg"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(pdd / "cp"),
        "ANSIBLE_NOCOLOR": "1",
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    }


def inventory_sync(pdd: Path, collections: Path) -> dict:
    """AWX's inventory update of a source "Sourced from a Project" (RunInventoryUpdate.build_args)."""
    source = pdd / "project" / SOURCE_PATH
    output = pdd / "artifacts" / "sync" / "output.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    env = job_env(pdd, collections)
    result = ansible_runner.run_command(
        executable_cmd=str(BIN / "ansible-inventory"),
        cmdline_args=["--list", "--export", "-i", str(source), "--output", str(output),
                      "--playbook-dir", str(source.parent)],
        private_data_dir=str(pdd), host_cwd=str(pdd / "project"), envvars=env,
        runner_mode="subprocess", quiet=True, ident="sync")
    out, err, rc = result
    assert rc == 0, f"inventory sync failed:\n{out}\n{err}"
    return json.loads(output.read_text())


def script_data(stored: dict, slice_number: int = 1, slice_count: int = 1) -> dict:
    """What AWX's Inventory.get_script_data(hostvars=True, slice_number, slice_count) serves: the
    stored hosts ordered by name, every slice_count-th from slice_number-1; every group with its
    hosts of this slice, its children and its vars; all's vars; the slice's host vars."""
    hostvars = stored["_meta"]["hostvars"]
    members = {}
    for group, data in stored.items():
        if group != "_meta":
            for host in data.get("hosts", []):
                hostvars.setdefault(host, {})
                members.setdefault(group, []).append(host)
    names = sorted(hostvars)
    if slice_count > 1:
        names = names[slice_number - 1::slice_count]
    wanted = set(names)
    data = {"all": {"vars": stored.get("all", {}).get("vars", {})}}
    grouped = set()
    for group, info in stored.items():
        if group in ("_meta", "all"):
            continue
        entry = {}
        hosts = [h for h in members.get(group, []) if h in wanted]
        if hosts:
            entry["hosts"] = hosts
            grouped.update(hosts)
        if info.get("children"):
            entry["children"] = info["children"]
        if info.get("vars"):
            entry["vars"] = info["vars"]
        if entry:
            data[group] = entry
    data["all"]["hosts"] = [h for h in names if h not in grouped]
    data["all"]["children"] = [g for g in stored if g not in ("_meta", "all")]
    data["_meta"] = {"hostvars": {h: hostvars[h] for h in names}}
    return data


def write_job_inventory(pdd: Path, data: dict) -> Path:
    """AWX's BaseTask.build_inventory: an executable script that prints the inventory."""
    path = pdd / "inventory" / "hosts"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n" % json.dumps(data))
    path.chmod(0o700)
    return path


def survey_answers(name: str) -> dict:
    """Every question of the job template's survey answered by its default."""
    return {q["variable"]: q["default"] for q in SURVEYS[name]["spec"] if q.get("default") not in (None, "")}


def run_job(pdd: Path, collections: Path, playbook: str, extravars: dict, ident: str, verbosity: int = 0,
            vault: bool = False):
    kwargs = {}
    if vault:  # a Vault credential without a vault id: --ask-vault-pass, answered at the prompt
        kwargs = {"cmdline": "--ask-vault-pass", "passwords": {r"^Vault password:\s*?$": VAULT_PASSWORD}}
    return ansible_runner.run(
        private_data_dir=str(pdd), playbook=playbook, inventory=str(pdd / "inventory" / "hosts"),
        extravars=extravars, envvars=job_env(pdd, collections), verbosity=verbosity, ident=ident,
        quiet=True, timeout=1800, **kwargs)


def stats_artifacts(runner) -> dict:
    """What AWX keeps as the job's artifacts: set_stats data of the playbook_on_stats event."""
    for event in runner.events:
        if event.get("event") == "playbook_on_stats":
            return event.get("event_data", {}).get("artifact_data") or {}
    return {}


def failure_text(runner) -> str:
    return runner.stdout.read()[-6000:] if runner.stdout else ""


# --- the lab's secrets -----------------------------------------------------------------------

def pem_lines(text: str) -> list[str]:
    """Two full base64 lines of a PEM body: either in the output is a leak."""
    body = [line for line in text.splitlines() if line and not line.startswith("-----")]
    return [line for line in (body[:1] + body[-2:-1]) if len(line) >= MIN_LENGTH]


def lab_secrets(extra: dict[str, str]) -> dict[str, str]:
    """Every secret value the lab holds: the kubeconfigs' client keys and tokens, every Secret's
    data in the five clusters and in Karmada (when it runs), the controller PKI keys, the lab's
    S3 credentials and SSH private key; as written, base64 and decoded."""
    from test_site import lab_file, pki_keys, secret_values  # the same sources as site.yml's -vvv test

    out = {}
    for name in CLUSTERS:
        kubeconfig = KUBECONFIG_DIR / f"{name}.kubeconfig"
        out.update(secret_values(kubeconfig))
        for user in yaml.safe_load(kubeconfig.read_text()).get("users") or []:
            fields = user.get("user") or {}
            if fields.get("client-key-data"):
                out[f"{name} kubeconfig client-key-data"] = fields["client-key-data"]
                for i, line in enumerate(pem_lines(base64.b64decode(fields["client-key-data"]).decode())):
                    out[f"{name} kubeconfig client key (PEM line {i})"] = line
            if fields.get("token"):
                out[f"{name} kubeconfig token"] = fields["token"]
    # The controller PKI exists once the karmada role has run, and test_awx.py runs before
    # test_karmada.py: with Karmada up its keys must be there; without it, keys left by an
    # earlier install are searched for too.
    karmada = runners.karmada_answers(TOPOLOGY)
    if karmada:
        out.update(secret_values(runners.karmada_kubeconfig(TOPOLOGY)))
    for key in pki_keys() if karmada else sorted(PKI.rglob("*.key")):
        for i, line in enumerate(pem_lines(key.read_text())):
            out[f"controller {key.relative_to(PKI)} (PEM line {i})"] = line
        out[f"controller {key.relative_to(PKI)} (base64 file)"] = base64.b64encode(key.read_bytes()).decode()
    s3 = lab_file(".lab/s3/credentials", "lab.py's write_s3_credentials at lab-up")   # the lab's S3 store
    for line in s3.read_text().splitlines():
        key, _sep, value = line.partition("=")
        if key.strip() in ("aws_access_key_id", "aws_secret_access_key") and value.strip():
            out[f"lab S3 {key.strip()}"] = value.strip()
    assert {"lab S3 aws_access_key_id", "lab S3 aws_secret_access_key"} <= set(out), f"{s3} lacks a key id or secret key"
    ssh_key = lab_file(".lab/ssh/id_ed25519", "lab/hosts/hosts.sh at lab-up")
    ssh_lines = pem_lines(ssh_key.read_text())
    assert ssh_lines, f"{ssh_key} holds no PEM body"
    for i, line in enumerate(ssh_lines):
        out[f"lab ssh key (line {i})"] = line
    out.update(extra)
    return {what: value for what, value in out.items() if len(value.strip()) >= MIN_LENGTH}


def search(root: Path, needles: dict[str, str]) -> tuple[list[str], int]:
    """(what was found where, bytes searched) over every file under root."""
    found, size = [], 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        text = path.read_bytes().decode(errors="replace")
        size += len(text)
        # JSON events escape newlines; search both forms
        unescaped = text.replace("\\n", "\n")
        for what, value in needles.items():
            if value in text or value in unescaped:
                found.append(f"{what} in {path.relative_to(root)}")
    return found, size


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def awx(tmp_path_factory):
    """One project sync (checkout, collections, inventory sync) shared by the jobs."""
    base = tmp_path_factory.mktemp("awx")
    sync_pdd = base / "sync"
    checkout(sync_pdd / "project")
    vaulted_plaintext = vault_inline(sync_pdd / "project", VAULTED_CLUSTER)
    collections = base / "requirements_collections"
    t0 = time.monotonic()
    project_update(sync_pdd / "project", collections)
    stored = inventory_sync(sync_pdd, collections)
    note(f"AWX project update + inventory sync: {time.monotonic() - t0:.0f}s, "
         f"{len(stored['_meta']['hostvars'])} hosts")
    return {"base": base, "sync": sync_pdd, "collections": collections, "stored": stored,
            "vaulted_plaintext": vaulted_plaintext}


def new_job_dir(awx, name: str) -> Path:
    """A job's private data dir with its own copy of the synced project (AWX copies the project
    into every job's private data dir)."""
    pdd = awx["base"] / name
    shutil.copytree(awx["sync"] / "project", pdd / "project", symlinks=True)
    (pdd / "env").mkdir(parents=True)
    return pdd


# --- tests -----------------------------------------------------------------------------------

def test_synced_inventory_is_portable_and_holds_no_secret(awx):
    stored = awx["stored"]
    hostvars = stored["_meta"]["hostvars"]
    text = json.dumps(stored)
    assert str(Path.home()) + "/" not in text.replace(str(REPO), "<repo>").replace(str(awx["base"]), "<pdd>"), \
        "the synced inventory carries this machine's HOME"
    assert "/bin/python" not in text, "the synced inventory carries an interpreter path"
    assert hostvars["host"]["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
    assert set(hostvars[VAULTED_CLUSTER]["fleetops_kubeconfig"]) == {"__ansible_vault"}
    key = yaml.safe_load(awx["vaulted_plaintext"])["users"][0]["user"]["client-key-data"]
    assert key not in text


def test_preflight_job_keeps_every_secret_out_of_the_artifacts(awx):
    pdd = new_job_dir(awx, "job-preflight")
    write_job_inventory(pdd, script_data(awx["stored"]))
    t0 = time.monotonic()
    runner = run_job(pdd, awx["collections"], "playbooks/preflight.yml", survey_answers("preflight"),
                     ident="preflight", verbosity=3, vault=True)
    seconds = time.monotonic() - t0
    stdout = (pdd / "artifacts" / "preflight" / "stdout").read_text()
    assert runner.status == "successful", f"{runner.status} rc={runner.rc}\n{stdout[-8000:]}"
    # The roles ran from the collection the project update installed, not from this checkout.
    assert f"{awx['collections']}/ansible_collections/fleetops/kurator/roles/preflight/tasks/main.yml" in stdout
    # The vaulted cluster was checked with its decrypted kubeconfig.
    rows = stats_artifacts(runner)["fleetops_preflight"]["rows"]
    shanghai = [r for r in rows if r["target"] == VAULTED_CLUSTER]
    assert shanghai and all(r["ok"] for r in shanghai), shanghai
    assert stats_artifacts(runner)["fleetops_preflight"]["failed"] == 0
    report = pdd / "project" / "playbooks" / "preflight-report.txt"
    assert report.is_file() and VAULTED_CLUSTER in report.read_text()

    needles = lab_secrets({"vault password": VAULT_PASSWORD})
    kinds = {re.sub(r"[:\[ ].*", "", what) for what in needles}
    # A fresh lab (the suite's first test) holds the five cluster keys (three forms each), the S3 key
    # and the vault password; later in the suite there are more.
    assert len(needles) >= 15 and f"{VAULTED_CLUSTER} kubeconfig client-key-data" in needles, sorted(needles)[:20]
    leaked, searched = [], 0
    for root in (pdd / "artifacts", awx["sync"] / "artifacts", pdd / "inventory", pdd / "env"):
        found, size = search(root, needles)
        leaked += [f"{root.relative_to(awx['base'])}: {f}" for f in found]
        searched += size
    # env/passwords is the job's input (ansible-runner writes the prompts' answers there, 0600),
    # not its output: the vault password is expected there and nowhere else.
    assert (pdd / "env" / "passwords").stat().st_mode & 0o077 == 0
    leaked.remove("job-preflight/env: vault password in passwords")
    leaked += [f"report: {what}" for what, value in needles.items() if value in report.read_text()]
    events = len(list((pdd / "artifacts" / "preflight" / "job_events").glob("*.json")))
    note(f"AWX-style preflight job (-vvv, 1 vaulted kubeconfig): {seconds:.0f}s, {events} job events, "
         f"{searched // 1024} KiB of artifacts searched for {len(needles)} secret values "
         f"({len(kinds)} sources), {len(leaked)} found")
    assert not leaked, f"secrets in the AWX job's artifacts: {leaked}"


def edge_nodes_ready() -> dict[str, bool]:
    from kubernetes import client, config
    core = client.CoreV1Api(config.new_client_from_config(str(KUBECONFIG_DIR / "host.kubeconfig")))
    out = {}
    for node in core.list_node(label_selector="node-role.kubernetes.io/edge").items:
        ready = [c for c in node.status.conditions or [] if c.type == "Ready"]
        out[node.metadata.name] = bool(ready) and ready[0].status == "True"
    return out


def event_hosts(runner) -> set[str]:
    hosts = set()
    for event in runner.events:
        data = event.get("event_data") or {}
        if data.get("host"):
            hosts.add(data["host"])
    return hosts


def test_edge_onboarding_as_three_parallel_slices(awx, lab_topology):
    edge = sorted(n["name"] for s in lab_topology["edge_sites"] for n in s["nodes"])
    # As test_kubeedge.py leaves the lab, the edge nodes are joined and the slices change nothing.
    # On a fresh lab they are not: then cloudcore is installed first (kubeedge.yml limited to its
    # host: no edge node, no Karmada) and the slices do the join - either way every edge node
    # ends joined and Ready, the state test_kubeedge.py converges to.
    before = edge_nodes_ready()
    joined_before = all(before.get(n) for n in edge)
    if not joined_before:
        runners.assert_ok(runners.ansible_playbook(TOPOLOGY, REPO / "playbooks" / "kubeedge.yml",
                                                   "--limit", "kubeedge_cloud")[0])

    stored = awx["stored"]
    slices = {k: script_data(stored, k, SLICES) for k in range(1, SLICES + 1)}
    hosts = {k: set(d["_meta"]["hostvars"]) for k, d in slices.items()}
    assert set().union(*hosts.values()) == set(stored["_meta"]["hostvars"])
    assert sum(len(h) for h in hosts.values()) == len(stored["_meta"]["hostvars"]), "slices overlap"
    edge_of = {k: sorted(h & set(edge)) for k, h in hosts.items()}
    # The lab's host cluster is in one slice only: the others must onboard without its host vars.
    assert sum("host" in h for h in hosts.values()) == 1

    jobs, threads = {}, []
    answers = survey_answers("edge_site_onboard")

    def launch(k):
        pdd = new_job_dir(awx, f"job-onboard-slice-{k}")
        write_job_inventory(pdd, slices[k])
        jobs[k] = (pdd, run_job(pdd, awx["collections"], "playbooks/edge_site_onboard.yml", answers,
                                ident=f"slice-{k}"))

    t0 = time.monotonic()
    for k in slices:
        thread = threading.Thread(target=launch, args=(k,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - t0

    merged = {}
    for k, (pdd, runner) in sorted(jobs.items()):
        stdout = (pdd / "artifacts" / f"slice-{k}" / "stdout").read_text()
        assert runner.status == "successful", f"slice {k}: {runner.status}\n{stdout[-8000:]}"
        touched = event_hosts(runner) - {"localhost"}
        assert touched <= hosts[k], f"slice {k} touched hosts of other slices: {sorted(touched - hosts[k])}"
        assert set(edge_of[k]) <= touched, f"slice {k} did not run on {sorted(set(edge_of[k]) - touched)}"
        report = stats_artifacts(runner).get("fleetops_edge_onboard")
        assert report is not None, f"slice {k}: no fleetops_edge_onboard in the stats"
        assert sorted(report) == edge_of[k], (k, sorted(report), edge_of[k])
        assert not set(report) & set(merged), f"slice {k} reported nodes another slice reported"
        merged.update(report)
        assert (pdd / "project" / "playbooks" / "edge-onboard-all.txt").is_file()
    assert sorted(merged) == edge, f"every edge node exactly once: {sorted(merged)}"
    bad = {n: r for n, r in merged.items() if not r["ok"] or r["status"] != "Ready"}
    assert not bad, bad
    after = edge_nodes_ready()
    assert all(after.get(n) for n in edge), f"edge nodes not Ready after the sliced onboarding: {after}"
    changed = sorted(n for n, r in merged.items() if r["changed"])
    changes = {}   # host -> what the edge_node module changed
    for _pdd, runner in jobs.values():
        for e in runner.events:
            res = (e.get("event_data") or {}).get("res") or {}
            if e.get("event") == "runner_on_ok" and res.get("changed"):
                changes.setdefault(e["event_data"]["host"], []).extend(
                    res.get("changes") or [f"task {e['event_data'].get('task')!r}"])
    if joined_before:
        # A joined node's re-run changes nothing - except images its edged removed meanwhile: under
        # disk pressure the kubelet's image GC deletes images no pod uses (the lab machine's disk
        # can cross the 15% imagefs threshold), and side-loading them again is convergence.
        other = {h: [c for c in cs if not c.startswith("side-load ")] for h, cs in changes.items()}
        other = {h: cs for h, cs in other.items() if cs}
        assert not other, f"joined nodes changed by the sliced onboarding: {other}"
    note(f"edge_site_onboard.yml as {SLICES} parallel AWX slices: {seconds:.0f}s, "
         f"slices {', '.join(f'{k}: {v}' for k, v in edge_of.items())}, "
         f"joined before: {joined_before}, changed: {changed} "
         f"({sum(len(c) for c in changes.values())} changes, "
         f"{sum(c.startswith('side-load ') for cs in changes.values() for c in cs)} of them image side-loads)")
