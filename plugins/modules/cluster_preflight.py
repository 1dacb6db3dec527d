#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cluster_preflight
short_description: Check that a Kubernetes cluster is reachable, that its credentials work and its version fits
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
description:
  - Calls C(/version) and creates a C(SelfSubjectReview) (who am I) with the given credentials.
  - Returns one result per check and never changes the cluster. The task does not fail when a check
    fails unless O(fail_on_error=true), so a report can show every cluster's problems together.
extends_documentation_fragment:
  - fleetops.kurator.k8s_auth
  - fleetops.kurator.attributes.action_group_k8s
  - fleetops.kurator.attributes
  - fleetops.kurator.attributes.info_module
  - fleetops.kurator.checks
options:
  min_version:
    description: Lowest supported Kubernetes version (inclusive), as C(major.minor).
    type: str
    default: "1.29"
  max_version:
    description:
      - Highest supported Kubernetes version (inclusive), as C(major.minor).
      - KubeEdge 1.23's edge kubelet is 1.32, so a cluster that serves edge nodes must not run past 1.35.
    type: str
    default: "1.35"
"""

EXAMPLES = r"""
- name: Is cluster-shanghai usable?
  fleetops.kurator.cluster_preflight:
    kubeconfig: /etc/fleet/kubeconfigs/shanghai.kubeconfig
    context: shanghai
  register: cluster_checks

# In a play over the topology's clusters: the connection the inventory resolved, set once.
- name: Check every cluster
  hosts: clusters
  gather_facts: false
  module_defaults:
    group/fleetops.kurator.k8s: "{{ fleetops_k8s }}"
  tasks:
    - name: Is this cluster usable?
      fleetops.kurator.cluster_preflight:
      register: cluster_checks
"""

RETURN = r"""
checks:
  description: One entry per check (C(api reachable), C(credentials), C(version)).
  returned: always
  type: list
  elements: dict
  sample: [{name: version, ok: true, detail: v1.35.4}]
version:
  description: C(gitVersion) reported by the API server, when reachable.
  returned: when the API server answered
  type: str
user:
  description: The identity the credentials authenticate as.
  returned: when the credentials are valid
  type: str
"""

import re
import traceback

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import k8s_argument_spec, k8s_module

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    import kubernetes

    IMPORT_ERROR = None
except ImportError:
    IMPORT_ERROR = traceback.format_exc()


def minor_tuple(text):
    match = re.match(r"^v?(\d+)\.(\d+)", text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def run_checks(api_client, min_version, max_version):
    checks = []
    result = {}

    def add(name, ok, detail):
        checks.append({"name": name, "ok": bool(ok), "detail": detail})

    try:
        info = kubernetes.client.VersionApi(api_client).get_code(_request_timeout=10)
        result["version"] = info.git_version
        add("api reachable", True, api_client.configuration.host)
    except kubernetes.client.exceptions.ApiException as exc:
        if exc.status in (401, 403):
            # /version is public by default; refusing it means the credentials were rejected.
            add("api reachable", True, api_client.configuration.host)
            add("credentials", False, "rejected by the API server (HTTP %s)" % exc.status)
            return checks, result
        add("api reachable", False, "%s answered HTTP %s" % (api_client.configuration.host, exc.status))
        return checks, result
    except Exception as exc:  # connection refused, TLS failure, DNS, timeout
        add("api reachable", False, "%s: %s" % (api_client.configuration.host, _short(exc)))
        return checks, result

    try:
        review = kubernetes.client.AuthenticationV1Api(api_client).create_self_subject_review(
            body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, _request_timeout=10)
        user = review.status.user_info.username
        result["user"] = user
        add("credentials", True, "authenticated as %s" % user)
    except kubernetes.client.exceptions.ApiException as exc:
        if exc.status in (401, 403):
            add("credentials", False, "rejected by the API server (HTTP %s)" % exc.status)
        else:
            add("credentials", False, "could not verify (HTTP %s)" % exc.status)
    except Exception as exc:
        add("credentials", False, _short(exc))

    have, low, high = minor_tuple(result["version"]), minor_tuple(min_version), minor_tuple(max_version)
    add("version", have is not None and low <= have <= high,
        "%s (supported %s to %s)" % (result["version"], min_version, max_version))
    return checks, result


def _short(exc):
    """The useful part of a connection error: urllib3 nests the reason several times."""
    text = str(exc)
    for pattern in (r"\[Errno -?\d+\] [^\"')]+", r"CERTIFICATE_VERIFY_FAILED[^\"')]*", r"timed out", r"Unauthorized"):
        match = re.search(pattern, text)
        if match:
            return match.group(0).strip()
    lines = text.strip().splitlines()
    return (lines[-1] if lines else exc.__class__.__name__)[:200]


def main():
    module = k8s_module(
        argument_spec=k8s_argument_spec(
            min_version=dict(type="str", default="1.29"),
            max_version=dict(type="str", default="1.35"),
            fail_on_error=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    if IMPORT_ERROR:
        module.fail_json(msg="cluster_preflight needs the kubernetes Python library and kubernetes.core",
                         exception=IMPORT_ERROR)
    for key in ("min_version", "max_version"):
        if minor_tuple(module.params[key]) is None:
            module.fail_json(msg="%s: got %r; expected a version such as 1.35" % (key, module.params[key]))
    try:
        api_client = get_api_client(module=module).client.client
    except Exception as exc:  # the client asks for /version while it is built
        checks, result = [{"name": "api reachable", "ok": False, "detail": _short(exc)}], {}
    else:
        checks, result = run_checks(api_client, module.params["min_version"], module.params["max_version"])
    failed = [c for c in checks if not c["ok"]]
    if failed and module.params["fail_on_error"]:
        module.fail_json(msg="; ".join("%s: %s" % (c["name"], c["detail"]) for c in failed), checks=checks, **result)
    module.exit_json(changed=False, checks=checks, **result)


if __name__ == "__main__":
    main()
