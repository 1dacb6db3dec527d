# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options: kubernetes.core's own argument spec (module_utils.args_common.AUTH_ARG_SPEC),
    # documented here because ansible-test's sanity venv has no kubernetes.core to take its
    # k8s_auth_options fragment from. tests/unit/test_action_group.py checks that this fragment and
    # kubernetes.core's spec agree option by option (names, types, aliases, defaults, no_log).
    DOCUMENTATION = r'''
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or the kubeconfig content as a dictionary.
      - Falls back to E(K8S_AUTH_KUBECONFIG), then to C(~/.kube/config).
      - Never logged (it may hold credentials).
    type: raw
  context:
    description:
      - The kubeconfig context to use. Falls back to E(K8S_AUTH_CONTEXT).
      - For Karmada objects this is the Karmada API server's context.
    type: str
  host:
    description: URL of the API server. Falls back to E(K8S_AUTH_HOST).
    type: str
  api_key:
    description: Token used to authenticate with the API. Falls back to E(K8S_AUTH_API_KEY).
    type: str
  username:
    description: Username for basic authentication. Falls back to E(K8S_AUTH_USERNAME).
    type: str
  password:
    description: Password for basic authentication. Falls back to E(K8S_AUTH_PASSWORD).
    type: str
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate. Falls back to E(K8S_AUTH_VERIFY_SSL).
      - When unset, the certificate is verified unless the kubeconfig turns verification off.
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description: CA certificate that signed the API server's certificate. Falls back to E(K8S_AUTH_SSL_CA_CERT).
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description: Client certificate for TLS authentication. Falls back to E(K8S_AUTH_CERT_FILE).
    type: path
    aliases: [cert_file]
  client_key:
    description: Client key for TLS authentication. Falls back to E(K8S_AUTH_KEY_FILE).
    type: path
    aliases: [key_file]
  proxy:
    description: HTTP proxy URL for API requests. Falls back to E(K8S_AUTH_PROXY).
    type: str
  no_proxy:
    description: Comma separated hosts or CIDRs that bypass O(proxy). Falls back to E(K8S_AUTH_NO_PROXY).
    type: str
  proxy_headers:
    description: Headers sent to the HTTP proxy of O(proxy).
    type: dict
    suboptions:
      proxy_basic_auth:
        description: Proxy credentials as C(user:password). Falls back to E(K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH).
        type: str
      basic_auth:
        description: Basic authentication as C(user:password). Falls back to E(K8S_AUTH_PROXY_HEADERS_BASIC_AUTH).
        type: str
      user_agent:
        description: The C(User-Agent) header. Falls back to E(K8S_AUTH_PROXY_HEADERS_USER_AGENT).
        type: str
  persist_config:
    description: Write refreshed tokens back to the kubeconfig file. Falls back to E(K8S_AUTH_PERSIST_CONFIG).
    type: bool
  impersonate_user:
    description: Username to impersonate. Falls back to E(K8S_AUTH_IMPERSONATE_USER).
    type: str
  impersonate_groups:
    description: Groups to impersonate. Falls back to E(K8S_AUTH_IMPERSONATE_GROUPS).
    type: list
    elements: str
notes:
  - Uses the Kubernetes client of the C(kubernetes.core) collection, so authentication behaves as in
    M(kubernetes.core.k8s).
requirements:
  - kubernetes >= 24.2.0 (Python library)
  - PyYAML >= 3.11
'''
