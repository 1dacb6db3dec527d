"""What the integration tests run: ansible-playbook (and its recap), SSH to lab hosts."""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from conftest import REPO

TIMINGS = REPO / "tests" / "output" / "karmada-timings.txt"


def _playbook_command(inventory: Path, playbook: Path | str, extra: tuple[str, ...], env: dict | None):
    full_env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                    ANSIBLE_FORCE_COLOR="0", **(env or {}))
    return [str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory), str(playbook), *extra], full_env


def ansible_playbook(inventory: Path, playbook: Path | str, *extra: str, timeout: int = 1800,
                     env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run a playbook with the repo's ansible.cfg; return the process and its seconds."""
    cmd, full_env = _playbook_command(inventory, playbook, extra, env)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout, check=False)
    return proc, time.monotonic() - t0


def start_playbook(inventory: Path, playbook: Path | str, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """Start a playbook in the background (to act on the lab while it runs); finish it with
    finish_playbook()."""
    cmd, full_env = _playbook_command(inventory, playbook, extra, env)
    return subprocess.Popen(cmd, cwd=REPO, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_playbook(popen: subprocess.Popen, timeout: int = 1800) -> subprocess.CompletedProcess:
    out, err = popen.communicate(timeout=timeout)
    return subprocess.CompletedProcess(popen.args, popen.returncode, out, err)


def karmada_kubeconfig(inventory: Path) -> Path:
    """Where the karmada role leaves the controller's Karmada kubeconfig for this inventory."""
    return Path.home() / ".fleetops" / inventory.parent.name / "karmada.kubeconfig"


def karmada_answers(inventory: Path) -> bool:
    """Whether the Karmada API of the controller's kubeconfig answers (not only: the file exists)."""
    kubeconfig = karmada_kubeconfig(inventory)
    if not kubeconfig.exists():
        return False
    from kubernetes import client, config
    try:
        api = config.new_client_from_config(config_file=str(kubeconfig))
        client.VersionApi(api).get_code(_request_timeout=5)
        return True
    except Exception:  # noqa: BLE001 - refused, timed out, TLS: Karmada is not there
        return False


def ensure_karmada(inventory: Path) -> None:
    """Install Karmada (playbooks/karmada.yml) unless its API answers: test_karmada installs it
    when the whole suite runs; a file run alone, or after the lab hosts were recreated, needs it."""
    if not karmada_answers(inventory):
        assert_ok(ansible_playbook(inventory, REPO / "playbooks" / "karmada.yml")[0])


def recap(output: str) -> dict:
    """host -> {ok, changed, unreachable, failed, ...} from PLAY RECAP."""
    out = {}
    for m in re.finditer(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", output, re.M):
        out[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
    return out


def assert_ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]


def changed_tasks(output: str) -> list[str]:
    """Names of the tasks that reported a change (for a readable failure)."""
    tasks, current = [], None
    for line in output.splitlines():
        m = re.match(r"^TASK \[(.*)\]", line)
        if m:
            current = m.group(1)
        elif line.startswith("changed:") and current:
            tasks.append(f"{current}: {line[:160]}")
    return tasks


def assert_unchanged(proc: subprocess.CompletedProcess, hosts: tuple[str, ...] = ()) -> None:
    """The run succeeded, the named hosts ran, and no host reported a change."""
    assert_ok(proc)
    ran = recap(proc.stdout)
    assert set(hosts) <= set(ran), f"{sorted(set(hosts) - set(ran))} not in the recap: {proc.stdout[-3000:]}"
    changed = {h: r["changed"] for h, r in recap(proc.stdout).items() if r.get("changed")}
    assert not changed, f"changed on {changed}: {changed_tasks(proc.stdout)}"


def note(line: str) -> None:
    """Print a measurement and append it to tests/output/karmada-timings.txt."""
    print(line)
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    with TIMINGS.open("a") as fh:
        fh.write(time.strftime("%Y-%m-%d %H:%M:%S ") + line + "\n")


def ssh(address: str, command: str, timeout: float = 60, port: int = 22) -> subprocess.CompletedProcess:
    """Run a command on a lab host over real SSH with the lab key."""
    key = os.environ.get("LAB_SSH_KEY", str(REPO / ".lab" / "ssh" / "id_ed25519"))
    return subprocess.run(
        ["ssh", "-i", key, "-p", str(port),
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
         f"root@{address}", command],
        capture_output=True, text=True, timeout=timeout, check=False)


def karmada_versions(addresses: dict[str, str]) -> dict[str, str]:
    """host -> the GitVersion the karmada-controller-manager binary on it reports (host mode)."""
    out = {}
    for host, address in addresses.items():
        proc = ssh(address, "/usr/local/bin/karmada-controller-manager version")
        match = re.search(r'GitVersion:"([^"]+)"', proc.stdout)
        out[host] = match.group(1) if match else proc.stdout + proc.stderr
    return out


def wait(what: str, probe, timeout: float = 180, every: float = 2):
    """probe() until it returns something true (returned), or fail after timeout seconds."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - Karmada answers Not Found until it catches up
            last = exc
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def leftovers(clusters, namespaces: tuple[str, ...], crd_groups: tuple[str, ...]) -> list[str]:
    """What a component left in the lab's clusters: its namespaces and the CRDs of its API groups.
    A clean start runs the removal only when there is something to remove (a fresh lab has nothing)."""
    from conftest import KUBECONFIG_DIR
    from kubernetes import client, config
    found = []
    for cluster in clusters:
        api = config.new_client_from_config(str(KUBECONFIG_DIR / f"{cluster}.kubeconfig"))
        found += [f"{cluster}: namespace {ns.metadata.name}" for ns in client.CoreV1Api(api).list_namespace().items
                  if ns.metadata.name in namespaces]
        found += [f"{cluster}: CRD {crd.metadata.name}"
                  for crd in client.ApiextensionsV1Api(api).list_custom_resource_definition().items
                  if crd.spec.group.endswith(crd_groups)]
    return found
