# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""image_archives filter and the _images helpers: mirror layout of side-loaded images."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.image_archives import image_archives
from ansible_collections.fleetops.kurator.plugins.module_utils import _download, _images


def test_mirror_layout():
    assert image_archives(["registry.k8s.io/pause:3.10", "registry.k8s.io/e2e-test-images/agnhost:2.59"],
                          "http://172.31.250.1:8080/") == [
        {"ref": "registry.k8s.io/pause:3.10",
         "url": "http://172.31.250.1:8080/images/registry.k8s.io/pause/3.10/linux-amd64.tar"},
        {"ref": "registry.k8s.io/e2e-test-images/agnhost:2.59",
         "url": "http://172.31.250.1:8080/images/registry.k8s.io/e2e-test-images/agnhost/2.59/linux-amd64.tar"}]
    assert _images.archive_path("registry.example.com:5000/team/app:v1", "arm64") == \
        "images/registry.example.com:5000/team/app/v1/linux-arm64.tar"


@pytest.mark.parametrize("ref", ["pause:3.10", "registry.k8s.io/pause", "registry.k8s.io/pause@sha256:" + "0" * 64,
                                 "registry.k8s.io/Pause:3.10", "registry.k8s.io/pause:3.10\nx", "", None])
def test_bad_references_are_refused(ref):
    with pytest.raises(AnsibleFilterError, match="image_archives: .* is not a tagged image reference"):
        image_archives([ref], "http://mirror")


def test_no_mirror_and_wrong_input_type():
    with pytest.raises(AnsibleFilterError, match="needs an artifact mirror"):
        image_archives(["registry.k8s.io/pause:3.10"], "")
    with pytest.raises(AnsibleFilterError, match="expected a list of image references"):
        image_archives("registry.k8s.io/pause:3.10", "http://mirror")


def test_sha256_file():
    assert _download.parse_sha256_file("%s  linux-amd64.tar\n" % ("A" * 64)) == "a" * 64
    with pytest.raises(ValueError, match="not a sha256sum line"):
        _download.parse_sha256_file("<html>404</html>")
