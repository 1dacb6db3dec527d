# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""PRIVATE: internal to fleetops.kurator; not a public API.

Side-loaded container images: where an image archive lives on an artifact mirror."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# <registry>/<repository>:<tag>; a digest reference cannot name a mirror path.
_REF = re.compile(r"^(?P<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+)"
                  r":(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$")


def parse_ref(ref):
    """(repository, tag) of a fully qualified, tagged image reference; ValueError otherwise."""
    match = _REF.match(ref or "") if isinstance(ref, str) else None
    if not match:
        raise ValueError("%r is not a tagged image reference of the form <registry>/<repository>:<tag> "
                         "(for example registry.k8s.io/pause:3.10)" % (ref,))
    return match.group("repo"), match.group("tag")


def archive_path(ref, arch="amd64"):
    """Mirror-relative path of an image's archive: images/<registry>/<repository>/<tag>/linux-<arch>.tar."""
    repo, tag = parse_ref(ref)
    return "images/%s/%s/linux-%s.tar" % (repo, tag, arch)


def archive_url(ref, mirror, arch="amd64"):
    if not mirror:
        raise ValueError("side-loading %s needs an artifact mirror (settings.artifact_mirror): images come "
                         "from <mirror>/images/..., not from a registry" % ref)
    return "%s/%s" % (mirror.rstrip("/"), archive_path(ref, arch))
