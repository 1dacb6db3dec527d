# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter kubeconfig: a cluster's kubeconfig reference from the topology (fleetops_kubeconfig) - a file
path, or vaulted inline content that stays encrypted until a task uses it.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: kubeconfig
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: A cluster's kubeconfig reference as kubernetes.core's kubeconfig option takes it
description:
  - Takes a cluster's C(fleetops_kubeconfig) from the topology inventory - a file path, or vaulted
    inline kubeconfig content - and returns the path (a leading C(~) expanded on the machine that runs the task), or the decrypted
    content as a mapping.
options:
  _input:
    description: The kubeconfig reference (a path or inline kubeconfig content).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: List the nodes of a cluster of the topology
  kubernetes.core.k8s_info:
    kubeconfig: "{{ fleetops_kubeconfig | fleetops.kurator.kubeconfig }}"
    kind: Node
"""

RETURN = r"""
_value:
  description: The path, or the kubeconfig as a mapping.
  type: raw
"""

import os

import yaml
from ansible.errors import AnsibleFilterError


def is_inline(text):
    """Whether a kubeconfig reference is inline content rather than a path (kubeconfig_server uses it too)."""
    return "\n" in text


def kubeconfig(ref):
    """The value kubernetes.core's kubeconfig option takes: the path, or the content as a dict."""
    text = str(ref)  # decrypts a vaulted value
    if not is_inline(text):
        # A ~ path stays ~ in the inventory (an AWX sync stores host vars): expanded here, where it is used.
        return os.path.expanduser(text)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AnsibleFilterError("kubeconfig: inline kubeconfig is not YAML: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"kubeconfig": kubeconfig}
