# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""artifact_sha256 and image_archives(checksums): every download pinned, never fetched beside it
unless the operator allows it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.artifact_sha256 import artifact_sha256
from ansible_collections.fleetops.kurator.plugins.filter.image_archives import image_archives

ETCD = {"component": "etcd", "mirror": "etcd-io/etcd/releases/download/{version}/etcd-{version}-linux-{arch}.tar.gz",
        "checksum": "file"}
PATH = "etcd-io/etcd/releases/download/v3.6.14/etcd-v3.6.14-linux-amd64.tar.gz"


def test_the_manifest_pins_first_then_the_table():
    assert artifact_sha256(ETCD, "v3.6.14", "amd64", {PATH: "a" * 64}) == "a" * 64
    pinned = dict(ETCD, checksum={"v3.6.14": {"amd64": "b" * 64}})
    assert artifact_sha256(pinned, "v3.6.14", "amd64", {}) == "b" * 64
    assert artifact_sha256(pinned, "v3.6.14", "amd64", {PATH: "a" * 64}) == "a" * 64


def test_an_unpinned_artifact_is_refused_unless_allowed():
    with pytest.raises(AnsibleFilterError, match="no pinned sha256 for etcd v3.6.14 \\(amd64\\): add the line "
                                                 "'<sha256>  %s'" % PATH):
        artifact_sha256(ETCD, "v3.6.14", "amd64", {})
    assert artifact_sha256(ETCD, "v3.6.14", "amd64", {}, True) == ""
    # another version or arch is not pinned by a neighbour's value
    pinned = dict(ETCD, checksum={"v3.6.13": {"amd64": "b" * 64}})
    assert artifact_sha256(pinned, "v3.6.14", "amd64", {}, True) == ""


@pytest.mark.parametrize("artifact, checksums", [("etcd", {}), (ETCD, None), (ETCD, ["a"])])
def test_bad_arguments(artifact, checksums):
    with pytest.raises(AnsibleFilterError, match="artifact_sha256: "):
        artifact_sha256(artifact, "v1", "amd64", checksums)


def test_image_archives_carry_the_pinned_sha256():
    path = "images/registry.k8s.io/pause/3.10/linux-amd64.tar"
    assert image_archives(["registry.k8s.io/pause:3.10"], "https://m", "amd64", {path: "c" * 64}) == [
        {"ref": "registry.k8s.io/pause:3.10", "url": "https://m/" + path, "sha256": "c" * 64}]
    with pytest.raises(AnsibleFilterError, match="no pinned sha256 for registry.k8s.io/pause:3.10"):
        image_archives(["registry.k8s.io/pause:3.10"], "https://m", "amd64", {})
    assert image_archives(["registry.k8s.io/pause:3.10"], "https://m", "amd64", {}, True) == [
        {"ref": "registry.k8s.io/pause:3.10", "url": "https://m/" + path}]
