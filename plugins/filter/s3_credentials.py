# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter s3_credentials: the fleet's S3 access key from fleetops_s3 (inline, vaulted, or a credentials file).

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: s3_credentials
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: The fleet's S3 access key, from the topology's settings.s3
description:
  - Takes C(fleetops_s3) (the topology inventory's C(settings.s3) with its defaults) and returns its access key,
    from C(access_key_id)/C(secret_access_key) (vaulted values are decrypted) or from the C(profile) of
    C(credentials_file), an AWS shared credentials file read on the controller.
  - The result holds a secret; use it only in tasks with C(no_log=true).
options:
  _input:
    description: C(fleetops_s3).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The S3 credentials Secret
  no_log: true
  kubernetes.core.k8s:
    definition:
      apiVersion: v1
      kind: Secret
      metadata: {name: s3-credentials, namespace: monitoring}
      stringData:
        access_key: "{{ (fleetops_s3 | fleetops.kurator.s3_credentials).access_key_id }}"
        secret_key: "{{ (fleetops_s3 | fleetops.kurator.s3_credentials).secret_access_key }}"
"""

RETURN = r"""
_value:
  description: C(access_key_id), C(secret_access_key), and C(aws_credentials_file) (the same key as an AWS shared
    credentials file, profile C(default), as Velero's AWS plugin reads it).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.module_utils._s3 import (
    S3CredentialsError,
    aws_credentials_file,
    credentials,
)


def s3_credentials(s3):
    try:
        creds = credentials(s3)
    except S3CredentialsError as exc:
        raise AnsibleFilterError("s3_credentials: %s" % exc)
    creds["aws_credentials_file"] = aws_credentials_file(creds)
    return creds


class FilterModule(object):
    def filters(self):
        return {"s3_credentials": s3_credentials}
