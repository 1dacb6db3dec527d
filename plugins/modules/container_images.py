#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: container_images
short_description: Side-load container images from an artifact mirror into a node's containerd
version_added: 0.2.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Runs on a Kubernetes or edge node. For every image that containerd (namespace O(namespace)) does not have,
    downloads its archive (C(docker save) or OCI layout) from the artifact mirror, checks it against its sha256
    (pinned, else the C(<url>.sha256) file beside it), checks that the archive holds the image it is meant to,
    and imports it with C(ctr images import). A present image is neither downloaded nor re-imported.
  - The path for sites without a registry (air-gapped) and for clusters whose images are built locally; the
    archive URLs come from the P(fleetops.kurator.image_archives#filter) filter.
  - Requires containerd's C(ctr) on the host; no Python libraries beyond the standard library.
options:
  images:
    description: The images, each C({ref, url}) with an optional pinned C(sha256), as P(fleetops.kurator.image_archives#filter) returns them.
    type: list
    elements: dict
    required: true
    suboptions:
      ref:
        description: Tagged image reference, for example C(registry.k8s.io/pause:3.10).
        type: str
        required: true
      url:
        description: URL of the image's archive.
        type: str
        required: true
      sha256:
        description: Pinned sha256 of the archive; without it, the C(.sha256) file beside the archive.
        type: str
  namespace:
    description: containerd namespace (the CRI plugin's is C(k8s.io)).
    type: str
    default: k8s.io
  image_dir:
    description: Where archives are downloaded before the import (removed after it).
    type: path
    default: /var/lib/fleetops/images
  validate_certs:
    description: Verify the mirror's TLS certificate.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Reports the images that would be side-loaded; downloads and imports nothing.
  diff_mode:
    support: none
    description: Images have no text to show a diff of; RV(loaded) and the C(changes) list say what was done.
  idempotent:
    support: full
    description: A node that has every image reports no change and downloads nothing.
notes:
  - An image already present under its reference is not compared with the archive; to replace an image under the
    same tag, remove it from containerd first (C(ctr -n k8s.io images rm <ref>)).
"""

EXAMPLES = r"""
- name: Side-load the Volcano images into the batch clusters' nodes
  fleetops.kurator.container_images:
    images: "{{ ['docker.io/volcanosh/vc-scheduler:v1.14.1'] | fleetops.kurator.image_archives(fleetops_artifact_mirror) }}"
"""

RETURN = r"""
loaded:
  description: The references side-loaded by this run (in check mode, those that would be).
  type: list
  elements: str
  returned: always
present:
  description: The requested references containerd already had.
  type: list
  elements: str
  returned: always
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url
from ansible_collections.fleetops.kurator.plugins.module_utils import _images


def main():
    module = AnsibleModule(
        argument_spec=dict(
            images=dict(type="list", elements="dict", required=True, options=dict(
                ref=dict(type="str", required=True),
                url=dict(type="str", required=True),
                sha256=dict(type="str", no_log=False),
            )),
            namespace=dict(type="str", default="k8s.io"),
            image_dir=dict(type="path", default="/var/lib/fleetops/images"),
            validate_certs=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    problems = []
    for i, image in enumerate(p["images"]):
        try:
            _images.parse_ref(image["ref"])
        except ValueError as exc:
            problems.append("images[%d].ref: %s" % (i, exc))
    if problems:
        module.fail_json(msg="; ".join(problems))
    changes = []

    def run(args, check=True):
        rc, out, err = module.run_command(args)
        if check and rc != 0:
            module.fail_json(msg="%s failed (rc=%d): %s" % (" ".join(args), rc, (err or out).strip()), changes=changes)
        return rc, out, err

    def fail(msg):
        module.fail_json(msg=msg, changes=changes)

    if not module.check_mode and not os.path.isdir(p["image_dir"]):
        os.makedirs(p["image_dir"], 0o700)
    loader = _images.SideLoader(run, changes.append, fail, open_url, p["image_dir"], validate_certs=p["validate_certs"],
                                check_mode=module.check_mode, namespace=p["namespace"])
    present = loader.present()
    if present is None:
        module.fail_json(msg="containerd does not answer (ctr -n %s images ls): is it installed and running?" % p["namespace"])
    loaded = loader.load(p["images"], present)
    module.exit_json(changed=bool(loaded), loaded=loaded, changes=changes,
                     present=[i["ref"] for i in p["images"] if i["ref"] in present])


if __name__ == "__main__":
    main()
