# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Stand-ins for side-loading tests: an image archive as `docker save` writes its manifest,
and an artifact mirror answering open_url from memory."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import json
import tarfile


def image_archive(ref):
    manifest = json.dumps([{"RepoTags": [ref]}]).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    return buf.getvalue()


class FakeMirror(object):
    """open_url over a dict of URL -> bytes; records what was fetched."""

    def __init__(self, files):
        self.files = files
        self.fetched = []

    def __call__(self, url, validate_certs=True, timeout=None):
        self.fetched.append(url)
        if url not in self.files:
            raise IOError("HTTP Error 404: Not Found (%s)" % url)
        return io.BytesIO(self.files[url])


def mirror_files(ref, url, archive=None):
    """The archive of ref at url and its .sha256 beside it."""
    data = archive if archive is not None else image_archive(ref)
    return {url: data, url + ".sha256": ("%s  linux-amd64.tar\n" % hashlib.sha256(data).hexdigest()).encode()}


def mirror_with(ref, url, archive=None):
    return FakeMirror(mirror_files(ref, url, archive))
