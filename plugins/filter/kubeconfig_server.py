# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter kubeconfig_server: the API server URL of a cluster's kubeconfig reference (path or vaulted content).

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: kubeconfig_server
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: The API server URL in a cluster's kubeconfig
description:
  - Takes a cluster's C(fleetops_kubeconfig) (a file path, or vaulted inline content) and returns the
    C(server) of the cluster that O(context) names - by default the kubeconfig's C(current-context),
    else its first cluster.
positional: context
options:
  _input:
    description: The kubeconfig reference (a path or inline kubeconfig content).
    type: str
    required: true
  context:
    description: Context to read; empty means the kubeconfig's C(current-context).
    type: str
"""

EXAMPLES = r"""
- name: Where the controller reaches the cluster
  ansible.builtin.debug:
    msg: "{{ fleetops_kubeconfig | fleetops.kurator.kubeconfig_server(fleetops_kube_context | default('')) }}"
"""

RETURN = r"""
_value:
  description: The server URL, for example C(https://10.0.0.1:6443).
  type: str
"""

import os

import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.kubeconfig import is_inline


def kubeconfig_server(ref, context=None):
    """The API server URL of the context (default: current-context, else the first cluster)."""
    text = str(ref)
    try:
        if is_inline(text):
            doc = yaml.safe_load(text)
        else:
            with open(os.path.expanduser(text)) as handle:
                doc = yaml.safe_load(handle)
    except (IOError, OSError, yaml.YAMLError) as exc:
        raise AnsibleFilterError("kubeconfig_server: cannot read the kubeconfig: %s" % exc)
    if not isinstance(doc, dict) or not doc.get("clusters"):
        raise AnsibleFilterError("kubeconfig_server: the kubeconfig has no clusters")
    context = context or doc.get("current-context") or ""
    wanted = [c.get("context", {}).get("cluster") for c in doc.get("contexts") or [] if c.get("name") == context]
    name = wanted[0] if wanted and wanted[0] else doc["clusters"][0].get("name")
    for cluster in doc["clusters"]:
        if cluster.get("name") == name:
            return cluster.get("cluster", {}).get("server")
    raise AnsibleFilterError("kubeconfig_server: context %r names cluster %r, which the kubeconfig does not define"
                             % (context, name))


class FilterModule(object):
    def filters(self):
        return {"kubeconfig_server": kubeconfig_server}
