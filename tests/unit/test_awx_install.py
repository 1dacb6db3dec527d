# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""How AWX gets this collection (issue 11): the project's collections/requirements.yml, and an
execution environment built from execution-environment.yml. No lab, no network.

- collections/requirements.yml is installed the way AWX's project update installs it
  (ansible-galaxy collection install -r ... in the project's root directory, into a
  requirements_collections directory) from a copy of the tracked files (a checkout): it must
  yield fleetops.kurator with its plugins and roles, and without the lab.
- `ansible-builder create` on execution-environment.yml must produce a build context whose
  galaxy stage installs fleetops.kurator, and ansible-builder's own introspection of the
  installed collection must find its Python and system dependencies (meta/execution-environment.yml).
  Building the image needs the base image, which no registry here serves.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def _env():
    env = dict(os.environ)
    env.pop("ANSIBLE_CONFIG", None)
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def _checkout(dest):
    """The tracked (and new, not ignored) files, as a project checkout, without local state."""
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, check=True).stdout
    for name in files.decode().split("\0"):
        if not name or not os.path.isfile(os.path.join(REPO, name)):
            continue
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(REPO, name), target)
    return dest


def _version():
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)["version"]


def test_project_requirements_install_the_collection_from_the_checkout(tmp_path):
    project = _checkout(str(tmp_path / "project"))
    target = tmp_path / "requirements_collections"
    # As AWX's project update runs it: in the project's root, into requirements_collections.
    # --no-deps: Galaxy is unreachable here (AWX resolves kubernetes.core/community.crypto there).
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps",
         "-r", "collections/requirements.yml", "--collections-path", str(target)],
        cwd=project, env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = target / "ansible_collections" / "fleetops" / "kurator"
    manifest = yaml.safe_load((installed / "MANIFEST.json").read_text())
    assert manifest["collection_info"]["version"] == _version()
    for path in ("plugins/inventory/topology.py", "roles/kubeedge_edge/tasks/main.yml", "playbooks/edge_site_onboard.yml",
                 "meta/runtime.yml", "meta/execution-environment.yml"):
        assert (installed / path).is_file(), path
    for path in ("lab", "inventories/lab", "tests/integration", "collections", "requirements-dev.txt", "Makefile"):
        assert not (installed / path).exists(), path


def test_execution_environment_contains_the_collection(tmp_path):
    builder = os.path.join(BIN, "ansible-builder")
    if not os.path.exists(builder):
        pytest.fail("ansible-builder is in requirements-dev.txt (galaxy-importer brings it)")
    version = _version()
    definition = yaml.safe_load(open(os.path.join(REPO, "execution-environment.yml")))
    tarball = "fleetops-kurator-%s.tar.gz" % version
    assert [f["src"] for f in definition["additional_build_files"]] == ["build/" + tarball], \
        "execution-environment.yml names another version than galaxy.yml (%s)" % version
    assert {"name": "collections/" + tarball, "type": "file"} in definition["dependencies"]["galaxy"]["collections"]

    work = tmp_path / "ee"
    (work / "build").mkdir(parents=True)
    shutil.copy(os.path.join(REPO, "execution-environment.yml"), str(work))
    build = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path",
                            str(work / "build"), REPO], env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert build.returncode == 0, build.stdout + build.stderr
    context = work / "context"
    create = subprocess.run([builder, "create", "-f", "execution-environment.yml", "-c", str(context)],
                            cwd=str(work), env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert create.returncode == 0, create.stdout + create.stderr
    assert (context / "_build" / "collections" / tarball).is_file()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert {"name": "collections/" + tarball, "type": "file"} in requirements["collections"]
    containerfile = next(p for p in (context / "Containerfile", context / "Dockerfile") if p.exists()).read_text()
    assert "COPY _build /build" in containerfile and "-r requirements.yml" in containerfile

    # What the galaxy stage installs (in /build, the requirements file's directory), and what
    # the builder stage's introspection then finds in it. Only this collection's entry: the
    # others come from Galaxy, unreachable here.
    collections = tmp_path / "usr_share_ansible"
    ours = [c for c in requirements["collections"] if c.get("type") == "file"]
    (context / "_build" / "ours.yml").write_text(yaml.safe_dump({"collections": ours}))
    install = subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-r", "ours.yml",
         "--collections-path", str(collections)],
        cwd=str(context / "_build"), env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert "fleetops.kurator:%s was installed successfully" % version in install.stdout, install.stdout + install.stderr
    pip, bindep = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    introspect = subprocess.run(
        [sys.executable, str(context / "_build" / "scripts" / "introspect.py"), "introspect", str(collections),
         "--write-pip", str(pip), "--write-bindep", str(bindep)],
        env=_env(), capture_output=True, text=True, timeout=120, check=False)
    assert introspect.returncode == 0, introspect.stdout + introspect.stderr
    assert "kubernetes>=24.2.0  # from collection fleetops.kurator" in pip.read_text()
    system = bindep.read_text()
    assert "openssh-clients [platform:rpm]  # from collection fleetops.kurator" in system
    assert "openssh-client [platform:dpkg]  # from collection fleetops.kurator" in system


KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://192.0.2.10:6443"}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
users:
- name: u
  user: {token: NOT-A-REAL-TOKEN-but-kept-secret-4711}
"""


def test_vaulted_inline_kubeconfig_stays_encrypted_through_an_awx_sync(tmp_path):
    """`kubeconfig: !vault |` per value: accepted, encrypted in what an AWX inventory sync stores
    (ansible-inventory --list --export, without the vault password), and decrypted only by the
    task that uses it, in a job whose inventory is that stored data served back as a script."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    secret = VaultSecret(b"vault-pass-for-the-test")
    ciphertext = VaultLib([("default", secret)]).encrypt(KUBECONFIG, secret).decode()
    vaulted = "\n".join("      " + line for line in ciphertext.splitlines())
    (tmp_path / "topology.yml").write_text(
        "plugin: fleetops.kurator.topology\nregions: [{name: r1}]\nclusters:\n"
        "  - name: host\n    role: host\n    region: r1\n    kubeconfig: !vault |\n%s\n"
        "edge_sites:\n  - name: s1\n    region: r1\n    cluster: host\n"
        "    nodes: [{name: e1, address: 192.0.2.21}]\n" % vaulted)
    (tmp_path / "vault-pass").write_text("vault-pass-for-the-test\n")
    env = dict(_env(), ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
    sync = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(tmp_path / "topology.yml"),
                           "--list", "--export", "--output", str(tmp_path / "output.json")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert sync.returncode == 0, sync.stdout + sync.stderr
    stored = (tmp_path / "output.json").read_text()
    assert "NOT-A-REAL-TOKEN" not in stored + sync.stdout + sync.stderr
    hostvars = __import__("json").loads(stored)["_meta"]["hostvars"]
    assert set(hostvars["host"]["fleetops_kubeconfig"]) == {"__ansible_vault"}
    assert set(hostvars["e1"]["fleetops_k8s_kubeconfig"]) == {"__ansible_vault"}

    script = tmp_path / "inventory.sh"
    script.write_text("#!/bin/sh\ncat %s\n" % (tmp_path / "output.json"))
    script.chmod(0o700)
    job = subprocess.run([os.path.join(BIN, "ansible"), "-i", str(script), "e1", "-m", "ansible.builtin.debug", "-a",
                          "msg='{{ fleetops_k8s_kubeconfig | fleetops.kurator.kubeconfig_server }} "
                          "{{ (fleetops_k8s.kubeconfig).users[0].user.token | length }}'",
                          "--vault-password-file", str(tmp_path / "vault-pass")],
                         cwd=REPO, env=dict(env, ANSIBLE_INVENTORY_ENABLED="script"), capture_output=True,
                         text=True, timeout=120, check=False)
    assert "https://192.0.2.10:6443 37" in job.stdout, job.stdout + job.stderr
