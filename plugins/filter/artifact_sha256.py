# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter artifact_sha256: the pinned sha256 of one artifact of the artifact table.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: artifact_sha256
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: The pinned sha256 of an artifact of the artifact table
description:
- Takes an entry of the artifact table (C(fleetops_artifacts[name])) and returns the sha256 its download must have, from
  the operator's manifest (C(settings.artifact_checksums), as C(fleetops_artifact_checksums), keyed by the entry's
  C(mirror) path) first, else from a value pinned in the table.
- Returns an empty string when neither pins it and O(allow_unpinned) is true (the caller then checks the download
  against the C(<asset>.sha256) served beside it); fails, naming the artifact and the manifest line to add, when it is false.
positional: version, arch, checksums, allow_unpinned
options:
  _input:
    description: The artifact's entry in the artifact table.
    type: dict
    required: true
  version:
    description: The artifact's version (from the pin file).
    type: str
    required: true
  arch:
    description: Architecture.
    type: str
    required: true
  checksums:
    description: Pinned sha256 per release path, C(fleetops_artifact_checksums).
    type: dict
    required: true
  allow_unpinned:
    description: Accept an artifact nothing pins (C(fleetops_allow_unpinned_checksums)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Download etcd, verified against its pinned sha256
  ansible.builtin.get_url:
    url: https://mirror.example.com/etcd-io/etcd/releases/download/v3.6.14/etcd-v3.6.14-linux-amd64.tar.gz
    dest: /tmp/etcd.tar.gz
    checksum: "sha256:{{ fleetops_artifacts.etcd | fleetops.kurator.artifact_sha256('v3.6.14', 'amd64', fleetops_artifact_checksums) }}"
"""

RETURN = r"""
_value:
  description: The sha256 (64 hex digits), or an empty string when unpinned artifacts are allowed and nothing pins it.
  type: str
"""

from ansible.errors import AnsibleFilterError


def artifact_sha256(artifact, version, arch, checksums, allow_unpinned=False):
    if not isinstance(artifact, dict) or "mirror" not in artifact:
        raise AnsibleFilterError("artifact_sha256: expected an entry of the artifact table, got %r" % (artifact,))
    if not isinstance(checksums, dict):
        raise AnsibleFilterError("artifact_sha256: checksums: expected a mapping of release path to sha256, got %r" % (checksums,))
    path = artifact["mirror"].replace("{version}", version).replace("{arch}", arch)
    if path in checksums:
        return checksums[path]
    pinned = artifact.get("checksum")
    if isinstance(pinned, dict) and arch in (pinned.get(version) or {}):
        return pinned[version][arch]
    if allow_unpinned:
        return ""
    raise AnsibleFilterError(
        "no pinned sha256 for %s %s (%s): add the line '<sha256>  %s' to the file named by settings.artifact_checksums "
        "(take the value from the release's published checksums, verified out of band), or set "
        "settings.allow_unpinned_checksums: true to trust the .sha256 file served beside it"
        % (artifact.get("component", path), version, arch, path))


class FilterModule(object):
    def filters(self):
        return {"artifact_sha256": artifact_sha256}
