"""The main job at -vvv on the lab prints no secret the lab holds (issue 12).

site.yml runs everything the topology describes; here preflight, Karmada, KubeEdge and the
report (see SKIPPED below). The needles are every secret value the lab's clusters and the controller hold after
the earlier tests: every Secret's data in the five clusters and in Karmada (certificates
excluded: they are public), the keys of the controller PKI, and the clusters' own kubeconfig
client keys, and the lab's S3 secret key; each is searched as written and as base64.

Runs after test_reset (so site.yml installs again from a reset lab); on its own:
  .venv/bin/pytest -m lab -v -s tests/integration/test_site.py
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
import yaml

from conftest import CLUSTERS, KUBECONFIG_DIR, REPO, TOPOLOGY
from runners import ansible_playbook, assert_ok, karmada_kubeconfig, note

pytestmark = pytest.mark.lab

SITE = REPO / "playbooks" / "site.yml"
PKI = Path.home() / ".fleetops" / TOPOLOGY.parent.name / "karmada" / "pki"
SKIPPED = "velero,kurator,observability,volcano,istio"
MIN_LENGTH = 20   # shorter values (a namespace name, "true") are not secrets and appear anywhere


def public(key: str) -> bool:
    return key.endswith((".crt", ".pem")) or key in ("ca.crt", "caBundle", "namespace")


def secret_values(kubeconfig: Path) -> dict[str, str]:
    from kubernetes import client, config
    api = client.CoreV1Api(config.new_client_from_config(str(kubeconfig)))
    found = {}
    for secret in api.list_secret_for_all_namespaces().items:
        for key, value in (secret.data or {}).items():
            if public(key) or not value:
                continue
            where = f"{kubeconfig.stem}:{secret.metadata.namespace}/{secret.metadata.name}[{key}]"
            found[where] = value
            decoded = base64.b64decode(value).decode(errors="replace")
            found[where + " (decoded)"] = decoded
    return found


def pem_bodies(path: Path) -> list[str]:
    """The base64 lines of a PEM key: any one of them in the output is a leak."""
    return [line for line in path.read_text().splitlines() if line and not line.startswith("-----")]


def lab_file(relative: str, made_by: str) -> Path:
    """A file of the lab that holds secrets the tests search for: missing, it is a failure naming it
    (a needle left out would let its secret leak unnoticed)."""
    path = REPO / relative
    assert path.is_file(), f"{path} is missing ({made_by} writes it): its secrets cannot be searched for"
    return path


def pki_keys() -> list[Path]:
    """The controller PKI's private keys (the karmada role writes them); none is a failure naming the directory."""
    keys = sorted(PKI.rglob("*.key"))
    assert keys, f"no private key under the controller PKI {PKI} (the karmada role writes them)"
    return keys


def needles() -> dict[str, str]:
    out = {}
    for name in CLUSTERS:
        out.update(secret_values(KUBECONFIG_DIR / f"{name}.kubeconfig"))
        user = yaml.safe_load((KUBECONFIG_DIR / f"{name}.kubeconfig").read_text())["users"][0]["user"]
        out[f"{name} kubeconfig client-key-data"] = user["client-key-data"]
    out.update(secret_values(karmada_kubeconfig(TOPOLOGY)))
    credentials = lab_file(".lab/s3/credentials", "lab.py's write_s3_credentials at lab-up")
    for line in credentials.read_text().splitlines():
        if line.startswith("aws_secret_access_key"):
            out["lab S3 secret access key"] = line.split("=", 1)[1].strip()
    assert "lab S3 secret access key" in out, f"{credentials} has no aws_secret_access_key line"
    for key in pki_keys():
        body = pem_bodies(key)
        out[f"controller {key.relative_to(PKI)}"] = body[0]
        out[f"controller {key.relative_to(PKI)} (base64 file)"] = base64.b64encode(key.read_bytes()).decode()
    return {what: value for what, value in out.items() if len(value.strip()) >= MIN_LENGTH}


def test_site_at_vvv_prints_no_secret_the_lab_holds():
    # After test_reset this installs from a reset lab (the proof that site.yml converges again
    # after reset.yml); run alone, it converges what is there. The needles are read afterwards,
    # so the secrets this very run created (join tokens, agent credentials) are searched too.
    # Skipped: Velero, Kurator, Istio and Prometheus/Thanos grep -vvv runs of their own in their test
    # files; Volcano has no -vvv grep yet (its test file installs and removes it). Installing
    # the four again at this point of the suite would cost ~15 minutes of make test.
    proc, seconds = ansible_playbook(TOPOLOGY, SITE, "-vvv", "--skip-tags", SKIPPED, timeout=2400)
    assert_ok(proc)
    wanted = needles()
    kinds = {re.sub(r"[:\[ ].*", "", what) for what in wanted}
    assert len(wanted) > 20 and "controller" in kinds, sorted(wanted)[:20]
    output = proc.stdout + proc.stderr
    leaked = sorted(what for what, value in wanted.items() if value in output)
    note(f"site.yml -vvv: {seconds:.0f}s, {len(output) // 1024} KiB of output, {len(wanted)} secret values "
         f"searched ({len(kinds)} sources), {len(leaked)} found")
    assert not leaked, f"secrets in the -vvv output of site.yml: {leaked}"
