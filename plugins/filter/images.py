# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a side-loaded image's archive lives on the artifact mirror."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.kurator.plugins.module_utils import _images


def image_archives(refs, mirror, arch="amd64"):
    """[{ref, url}] for each image reference."""
    if isinstance(refs, str) or not isinstance(refs, (list, tuple)):
        raise AnsibleFilterError("image_archives: expected a list of image references, got %r" % (refs,))
    try:
        return [{"ref": ref, "url": _images.archive_url(ref, mirror, arch)} for ref in refs]
    except ValueError as exc:
        raise AnsibleFilterError("image_archives: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"image_archives": image_archives}
