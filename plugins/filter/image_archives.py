# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter image_archives: where side-loaded images' archives live on the artifact mirror.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: image_archives
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Where side-loaded images' archives live on the artifact mirror
description:
- Takes a list of tagged image references and returns, for each, its reference and the URL of its archive (C(docker
  save) or OCI layout tarball) on the artifact mirror - C(<mirror>/images/<registry>/<repository>/<tag>/linux-<arch>.tar),
  with the archive's sha256 in a C(.sha256) file beside it. A mirror serves images in this layout (the lab's mirror does,
  see lab/images/build.sh).
- With O(checksums) (the topology's C(settings.artifact_checksums), as C(fleetops_artifact_checksums)), each entry
  carries its pinned C(sha256) from that manifest; an archive it does not list fails the filter unless
  O(allow_unpinned) (then the C(.sha256) file beside the archive is used).
- Fails when no mirror is set (images are not pulled from registries by this path) or a reference has no tag.
positional: mirror, arch
options:
  _input:
    description: Image references, for example C(registry.k8s.io/pause:3.10).
    type: list
    elements: str
    required: true
  mirror:
    description: The artifact mirror's base URL (the topology's C(settings.artifact_mirror)).
    type: str
    required: true
  arch:
    description: Architecture of the archives.
    type: str
    default: amd64
  checksums:
    description: Pinned sha256 per release path (relative to the mirror root), C(fleetops_artifact_checksums).
    type: dict
  allow_unpinned:
    description: With O(checksums), accept an archive the manifest does not list (C(fleetops_allow_unpinned_checksums)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Side-load the sandbox image on an edge node
  fleetops.kurator.edge_node:
    name: "{{ inventory_hostname }}"
    cloudcore_host: 10.0.0.21
    images: "{{ ['registry.k8s.io/pause:3.10'] | fleetops.kurator.image_archives(fleetops_settings.artifact_mirror) }}"
"""

RETURN = r"""
_value:
  description: One C({ref, url}) per reference.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.kurator.plugins.module_utils import _images


def image_archives(refs, mirror, arch="amd64", checksums=None, allow_unpinned=False):
    """[{ref, url}] for each image reference, with sha256 when the manifest pins it."""
    if isinstance(refs, str) or not isinstance(refs, (list, tuple)):
        raise AnsibleFilterError("image_archives: expected a list of image references, got %r" % (refs,))
    if checksums is not None and not isinstance(checksums, dict):
        raise AnsibleFilterError("image_archives: checksums: expected a mapping of release path to sha256, got %r" % (checksums,))
    out = []
    try:
        for ref in refs:
            entry = {"ref": ref, "url": _images.archive_url(ref, mirror, arch)}
            path = _images.archive_path(ref, arch)
            if checksums is not None and path in checksums:
                entry["sha256"] = checksums[path]
            elif checksums is not None and not allow_unpinned:
                raise ValueError("no pinned sha256 for %s (%s) in settings.artifact_checksums; add its line "
                                 "('<sha256>  %s'), or set settings.allow_unpinned_checksums: true to trust the "
                                 ".sha256 file beside it" % (ref, path, path))
            out.append(entry)
    except ValueError as exc:
        raise AnsibleFilterError("image_archives: %s" % exc)
    return out


class FilterModule(object):
    def filters(self):
        return {"image_archives": image_archives}
