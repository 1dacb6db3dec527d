"""The main job at -vvv on the lab, installed from the offline bundle, prints no secret the lab
holds (issues 12 and 18).

The offline bundle (playbooks/offline_bundle.yml) is built from the lab topology with the lab's
mirror as its source, unpacked into an empty directory and served at the mirror's address in place
of the lab's mirror (lab.py mirror-serve), with an empty controller download cache and the bundle's
checksums.txt as the operator's manifest: every binary and CRD site.yml installs comes from it.

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
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from conftest import CLUSTERS, KUBECONFIG_DIR, REPO, STATE, TOPOLOGY
from runners import ansible_playbook, assert_ok, assert_unchanged, karmada_kubeconfig, note

pytestmark = pytest.mark.lab

SITE = REPO / "playbooks" / "site.yml"
BUNDLE = REPO / "playbooks" / "offline_bundle.yml"
LAB_PY = REPO / "lab" / "lab.py"
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


def sha256sums(path: Path) -> dict[str, str]:
    """{path: sha256} of a sha256sum-format file."""
    return {rel: digest for digest, rel in (line.split("  ", 1) for line in path.read_text().splitlines() if line)}


def mirror_serve(*directory: Path) -> None:
    proc = subprocess.run([sys.executable, str(LAB_PY), "mirror-serve", *map(str, directory)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def from_the_bundle(tmp_path_factory):
    """The extra vars that make site.yml install from the offline bundle, served in place of the
    lab's mirror; the lab's mirror is back afterwards, pass or fail."""
    work = tmp_path_factory.mktemp("offline-bundle")
    archive = work / "fleetops-offline-bundle.tar"
    where = ("-e", f"offline_bundle_dir={work / 'tree'}", "-e", f"offline_bundle_file={archive}")
    proc, seconds = ansible_playbook(TOPOLOGY, BUNDLE, *where, timeout=1200)
    assert_ok(proc)
    again, again_seconds = ansible_playbook(TOPOLOGY, BUNDLE, *where, timeout=1200)
    assert_unchanged(again)

    served = work / "served"
    served.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(served, filter="data")
    manifest = yaml.safe_load((served / "manifest.yml").read_text())
    files = manifest["files"]
    kinds = {kind: sum(f["kind"] == kind for f in files) for kind in ("artifact", "image")}
    # Every file is there as the manifest says, and the lab operator's pinned sha256 agree with it.
    for f in files:
        assert hashlib.sha256((served / f["path"]).read_bytes()).hexdigest() == f["sha256"], f["path"]
    checksums = sha256sums(served / "checksums.txt")
    assert checksums == {f["path"]: f["sha256"] for f in files}
    pinned = sha256sums(STATE / "artifact-checksums.txt")
    differ = sorted(path for path, digest in checksums.items() if pinned.get(path) != digest)
    assert not differ, f"the bundle's sha256 differ from the lab's manifest for {differ}"
    # What site.yml installs here is in it: Karmada's and KubeEdge's binaries and CRDs, the images.
    names = {name for f in files for name in f["name"].split(", ")}
    for name in ("karmada-controller-manager", "etcd", "kubeedge-cloudcore", "kubeedge-edgecore", "karmada-crds"):
        assert name in names, f"{name} is not in the bundle: {sorted(names)}"
    assert kinds["image"] > 0, "the lab side-loads images, but the bundle holds none"
    size = sum(f["size"] for f in files)
    note(f"offline bundle: {len(files)} files ({kinds['artifact']} artifacts, {kinds['image']} images), "
         f"{size / 2**20:.0f} MiB, archive {archive.stat().st_size / 2**20:.0f} MiB; built in {seconds:.0f}s, "
         f"re-run {again_seconds:.0f}s changed=0")

    extra = work / "from-the-bundle.json"
    extra.write_text(json.dumps({"fleetops_artifact_checksums": checksums,
                                 "fleetops_artifact_cache": str(work / "empty-cache")}))
    mirror_serve(served)
    try:
        yield ("-e", f"@{extra}")
    finally:
        mirror_serve()
        shutil.rmtree(work, ignore_errors=True)   # ~4 copies of ~1 GiB


def test_site_at_vvv_prints_no_secret_the_lab_holds(from_the_bundle):
    # After test_reset this installs from a reset lab (the proof that site.yml converges again
    # after reset.yml); run alone, it converges what is there. The needles are read afterwards,
    # so the secrets this very run created (join tokens, agent credentials) are searched too.
    # Skipped: Velero, Kurator, Istio and Prometheus/Thanos grep -vvv runs of their own in their test
    # files; Volcano has no -vvv grep yet (its test file installs and removes it). Installing
    # the four again at this point of the suite would cost ~15 minutes of make test.
    proc, seconds = ansible_playbook(TOPOLOGY, SITE, "-vvv", "--skip-tags", SKIPPED, *from_the_bundle, timeout=2400)
    assert_ok(proc)
    wanted = needles()
    kinds = {re.sub(r"[:\[ ].*", "", what) for what in wanted}
    assert len(wanted) > 20 and "controller" in kinds, sorted(wanted)[:20]
    output = proc.stdout + proc.stderr
    leaked = sorted(what for what, value in wanted.items() if value in output)
    note(f"site.yml -vvv from the offline bundle: {seconds:.0f}s, {len(output) // 1024} KiB of output, {len(wanted)} secret values "
         f"searched ({len(kinds)} sources), {len(leaked)} found")
    assert not leaked, f"secrets in the -vvv output of site.yml: {leaked}"
