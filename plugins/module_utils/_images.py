# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""PRIVATE: internal to fleetops.kurator; not a public API.

Side-loaded container images: where an image archive lives on an artifact mirror."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import tarfile

from ansible_collections.fleetops.kurator.plugins.module_utils import _download

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


def normalize_ref(ref):
    """Docker short names as containerd stores them: nginx:1 -> docker.io/library/nginx:1."""
    name = ref
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = "docker.io/library/" + name
    elif "." not in first and ":" not in first and first != "localhost":
        name = "docker.io/" + name
    if ":" not in name.rsplit("/", 1)[-1] and "@" not in name:
        name += ":latest"
    return name


def image_refs_in_archive(members):
    """Image names in a `docker save` or OCI archive, from its manifest.json / index.json.

    ``members`` maps member name -> bytes (only manifest.json and index.json are read).
    """
    refs = []
    if "manifest.json" in members:
        for item in json.loads(members["manifest.json"].decode("utf-8")) or []:
            refs.extend(item.get("RepoTags") or [])
    if not refs and "index.json" in members:
        for item in json.loads(members["index.json"].decode("utf-8")).get("manifests") or []:
            annotations = item.get("annotations") or {}
            ref = annotations.get("io.containerd.image.name") or annotations.get("org.opencontainers.image.ref.name")
            if ref and ("/" in ref or ":" in ref):
                refs.append(ref)
    return [normalize_ref(r) for r in refs]


def archive_refs(path):
    """Image names in the archive at path; raises (IOError, OSError, TarError) when unreadable."""
    members = {}
    with tarfile.open(path) as archive:
        for name in ("manifest.json", "index.json"):
            try:
                handle = archive.extractfile(name)
            except KeyError:
                continue
            if handle is not None:
                members[name] = handle.read()
    return image_refs_in_archive(members)


def image_file_name(ref):
    """A file name for an image reference (no '/' or ':')."""
    return ref.replace("/", "_").replace(":", "_")


class SideLoader(object):
    """Images into a host's containerd from archives on an artifact mirror: only those it lacks,
    each download checked against its sha256, each archive checked to hold the image it names.

    run(argv, check=True) -> (rc, out, err); note(text) records a change; fail(msg) does not
    return. Shared by edge_node and container_images."""

    def __init__(self, run, note, fail, open_url, image_dir, validate_certs=True, check_mode=False,
                 namespace="k8s.io"):
        self.run, self.note, self.fail, self.open_url = run, note, fail, open_url
        self.image_dir, self.validate_certs, self.check_mode = image_dir, validate_certs, check_mode
        self.namespace = namespace

    def present(self):
        """The image references containerd has, or None when it does not answer."""
        rc, out, _err = self.run(["ctr", "-n", self.namespace, "images", "ls", "-q"], check=False)
        return set(out.split()) if rc == 0 else None

    def load(self, images, present):
        """Side-load each {ref, url[, sha256]} not in present; return the references (to be) loaded."""
        loaded = []
        for image in images:
            ref, url = image["ref"], image["url"]
            if present is not None and ref in present:
                continue
            self.note("side-load %s from %s" % (ref, url))
            loaded.append(ref)
            if self.check_mode:
                continue
            path = os.path.join(self.image_dir, "%s.tar" % image_file_name(ref))
            try:
                parse_ref(ref)
                sha256 = _download.expected_sha256(self.open_url, url, image.get("sha256"), self.validate_certs)
                _download.download(self.open_url, url, path, sha256, validate_certs=self.validate_certs)
            except Exception as exc:   # URLError, HTTPError, ValueError, OSError: say which image and why
                self.fail("cannot side-load %s from %s: %s" % (ref, url, exc))
            try:
                try:
                    refs = archive_refs(path)
                except (IOError, OSError, tarfile.TarError) as exc:
                    self.fail("cannot read image archive %s from %s: %s" % (path, url, exc))
                if ref not in refs:
                    self.fail("the archive at %s holds %s, not %s" % (url, ", ".join(refs) or "no named image", ref))
                self.run(["ctr", "-n", self.namespace, "images", "import", "--all-platforms", path])
            finally:
                if os.path.exists(path):
                    os.unlink(path)
        return loaded
