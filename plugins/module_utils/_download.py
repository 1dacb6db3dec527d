# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""PRIVATE: internal to fleetops.kurator; not a public API.

Downloads made by a managed host itself (from the artifact mirror): streamed to a temp file,
verified by sha256, renamed into place; and a file extracted from a release tarball."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import re
import shutil
import tarfile
import tempfile

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def parse_sha256_file(text):
    """The digest in a `sha256sum` line ("<hex>  <name>")."""
    fields = (text or "").split()
    if not fields or not _SHA256.match(fields[0].lower()):
        raise ValueError("not a sha256sum line: %r" % (text or "")[:80])
    return fields[0].lower()


def expected_sha256(open_url, url, pinned="", validate_certs=True):
    """The digest to verify url against: the pinned one, else the one in <url>.sha256."""
    if pinned:
        return pinned.lower()
    response = open_url(url + ".sha256", validate_certs=validate_certs, timeout=30)
    return parse_sha256_file(response.read().decode("utf-8", "replace"))


def download(open_url, url, dest, sha256, validate_certs=True, timeout=120):
    """Stream url into dest (atomically: a temp file beside it, renamed when the digest matches)."""
    directory = os.path.dirname(dest)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    handle, tmp = tempfile.mkstemp(dir=directory, prefix=".download-")
    digest = hashlib.sha256()
    try:
        with os.fdopen(handle, "wb") as out:
            response = open_url(url, validate_certs=validate_certs, timeout=timeout)
            while True:
                chunk = response.read(1 << 20)
                if not chunk:
                    break
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ValueError("%s: sha256 %s, expected %s" % (url, digest.hexdigest(), sha256))
        os.chmod(tmp, 0o644)
        os.rename(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def extract_member(archive, member, dest, mode=0o755):
    """Write one regular file of a (compressed) tarball to dest, atomically."""
    directory = os.path.dirname(dest)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    # One streaming pass that stops at the member (getmember() would decompress the whole
    # archive to index it, and extracting would then decompress it again from the start).
    with tarfile.open(archive, "r|*") as tar:
        for info in tar:
            if info.name.lstrip("./") != member.lstrip("./"):
                continue
            if not info.isfile():
                raise ValueError("%s in the archive is not a regular file" % member)
            handle, tmp = tempfile.mkstemp(dir=directory, prefix=".extract-")
            try:
                with os.fdopen(handle, "wb") as out:
                    shutil.copyfileobj(tar.extractfile(info), out, 1 << 20)
                os.chmod(tmp, mode)
                os.rename(tmp, dest)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            return
    raise ValueError("the archive has no %s" % member)
