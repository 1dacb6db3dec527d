# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cluster's kubeconfig reference from the topology (fleetops_kubeconfig): a file path,
or vaulted inline content that stays encrypted until a task uses it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml
from ansible.errors import AnsibleFilterError


def _inline(text):
    return "\n" in text


def kubeconfig(ref):
    """The value kubernetes.core's kubeconfig option takes: the path, or the content as a dict."""
    text = str(ref)  # decrypts a vaulted value
    if not _inline(text):
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AnsibleFilterError("kubeconfig: inline kubeconfig is not YAML: %s" % exc)


def kubeconfig_server(ref, context=None):
    """The API server URL of the context (default: current-context, else the first cluster)."""
    text = str(ref)
    try:
        if _inline(text):
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
        return {"kubeconfig": kubeconfig, "kubeconfig_server": kubeconfig_server}
