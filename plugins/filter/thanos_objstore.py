# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter thanos_objstore: Thanos' object storage configuration (objstore.yml) for one bucket of
the fleet's S3 store (the topology's settings.s3, fleetops_s3).

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: thanos_objstore
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Thanos' objstore.yml (type S3) for a bucket of the fleet's S3 store
description:
  - Takes C(fleetops_s3) (the topology's C(settings.s3) with its defaults) and returns the Thanos object storage
    configuration (type C(S3)) that the Thanos sidecar, store gateway and compactor read, as YAML text.
  - The endpoint URL becomes Thanos' C(endpoint) (host and port) and C(insecure) (C(http://)); no endpoint means AWS S3
    of the region. C(force_path_style) becomes C(bucket_lookup_type=path).
  - The result holds the secret key; use it only in tasks with C(no_log=true).
options:
  _input:
    description: C(fleetops_s3).
    type: dict
    required: true
  bucket:
    description: The bucket (C(fleetops_s3.buckets.thanos)).
    type: str
    required: true
  credentials:
    description: C(access_key_id) and C(secret_access_key) (C(fleetops_s3 | fleetops.kurator.s3_credentials)).
    type: dict
    required: true
  ca_file:
    description: Path of the endpoint's CA bundle inside the Thanos container (when C(fleetops_s3.ca_file) is set).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The Thanos object storage Secret
  no_log: true
  kubernetes.core.k8s:
    definition:
      apiVersion: v1
      kind: Secret
      metadata: {name: thanos-objstore, namespace: monitoring}
      stringData:
        objstore.yml: "{{ fleetops_s3 | fleetops.kurator.thanos_objstore(fleetops_s3.buckets.thanos, fleetops_s3 | fleetops.kurator.s3_credentials) }}"
"""

RETURN = r"""
_value:
  description: The objstore.yml text.
  type: str
"""

import json

import yaml
from ansible.errors import AnsibleFilterError
from ansible.module_utils.six.moves.urllib.parse import urlsplit


def objstore(s3, bucket, credentials, ca_file=""):
    """The Thanos objstore configuration as a dict (pure; thanos_objstore dumps it)."""
    if not isinstance(s3, dict):
        raise AnsibleFilterError("thanos_objstore: expected fleetops_s3 (a mapping), got %r" % type(s3).__name__)
    if not bucket:
        raise AnsibleFilterError("thanos_objstore: no bucket (settings.s3.buckets.thanos in the topology)")
    endpoint = s3.get("endpoint") or ""
    region = s3.get("region") or "us-east-1"
    if endpoint:
        url = urlsplit(endpoint)
        if url.scheme not in ("http", "https") or not url.hostname or url.path not in ("", "/"):
            raise AnsibleFilterError("thanos_objstore: settings.s3.endpoint %r: expected http(s)://host[:port] "
                                     "(Thanos takes no path in the endpoint)" % endpoint)
        host = url.netloc.rsplit("@", 1)[-1]
        insecure = url.scheme == "http"
    else:
        host, insecure = "s3.%s.amazonaws.com" % region, False
    config = {
        "bucket": bucket,
        "endpoint": host,
        "region": region,
        "insecure": insecure,
        "access_key": str((credentials or {}).get("access_key_id") or ""),
        "secret_key": str((credentials or {}).get("secret_access_key") or ""),
        "bucket_lookup_type": "path" if s3.get("force_path_style") else "auto",
    }
    if not config["access_key"] or not config["secret_key"]:
        raise AnsibleFilterError("thanos_objstore: no S3 access key (settings.s3 access_key_id/secret_access_key "
                                 "or credentials_file in the topology)")
    if ca_file:
        config["http_config"] = {"tls_config": {"ca_file": ca_file}}
    return {"type": "S3", "config": config}


def thanos_objstore(s3, bucket, credentials, ca_file=""):
    # Through JSON: the values are Ansible's tagged strings, which the YAML dumper refuses.
    plain = json.loads(json.dumps(objstore(s3, bucket, credentials, ca_file)))
    return yaml.safe_dump(plain, default_flow_style=False, sort_keys=True)


class FilterModule(object):
    def filters(self):
        return {"thanos_objstore": thanos_objstore}
