# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Kubernetes name and label grammar, and the one message format for a bad field.

One implementation for the topology validation (``_topology``), the policy
validation (``_policy``) and the placement engine (``_placement``):

* label keys and values as apimachinery's ``IsQualifiedName`` / ``IsValidLabelValue``;
* DNS-1123 labels and subdomains, DNS-1035 labels (Service names) and Karmada
  cluster names (``ValidateClusterName``: a DNS-1123 label of at most 48 characters);
* ``problem(path, value, expected)``: ``"<path>: got <value>; expected <expected>"``,
  with ``show`` never printing a vaulted value, and ``known_key`` for unknown keys
  with a "did you mean".

Every pattern is matched against the whole string (``fullmatch``): with ``match``
and ``$`` a trailing newline would pass.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re

_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")

LABEL_VALUE_MAX = 63
DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
CLUSTER_NAME_MAX = 48  # Karmada: the execution namespace karmada-es-<name> must stay a DNS label

DNS1123_LABEL_RULE = "lower-case letters, digits and '-', starting and ending with a letter or digit"


def label_key_error(key):
    """Why key is not a valid Kubernetes label key (IsQualifiedName), or None."""
    if not isinstance(key, str) or not key:
        return "name part must be non-empty"
    parts = key.split("/")
    if len(parts) > 2:
        return 'a qualified name must have at most one "/"'
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            return "prefix part must be non-empty"
        if len(prefix) > DNS1123_SUBDOMAIN_MAX or not _DNS1123_SUBDOMAIN.fullmatch(prefix):
            return "prefix part must be a DNS-1123 subdomain"
    if not name:
        return "name part must be non-empty"
    if len(name) > 63:
        return "name part must be no more than 63 characters"
    if not _QUALIFIED_NAME.fullmatch(name):
        return ('name part must consist of alphanumeric characters, "-", "_" or ".", and must '
                "start and end with an alphanumeric character")
    return None


def label_value_error(value):
    """Why value is not a valid Kubernetes label value (IsValidLabelValue), or None."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > LABEL_VALUE_MAX:
        return "must be no more than %d characters" % LABEL_VALUE_MAX
    if value and not _QUALIFIED_NAME.fullmatch(value):
        return ('must be empty or consist of alphanumeric characters, "-", "_" or ".", and '
                "must start and end with an alphanumeric character")
    return None


def dns1123_label_error(value, max_length=DNS1123_LABEL_MAX):
    """Why value is not a DNS-1123 label (namespaces, region and host names), or None."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if len(value) > max_length:
        return "must be no more than %d characters" % max_length
    if not _DNS1123_LABEL.fullmatch(value):
        return "must consist of " + DNS1123_LABEL_RULE
    return None


def dns1123_subdomain_error(value):
    """Why value is not a DNS-1123 subdomain (the name of most Kubernetes objects), or None."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        return "must be no more than %d characters" % DNS1123_SUBDOMAIN_MAX
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        return "must consist of lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
    return None


def dns1035_label_error(value):
    """Why value is not a DNS-1035 label (Service names), or None."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if len(value) > DNS1123_LABEL_MAX:
        return "must be no more than %d characters" % DNS1123_LABEL_MAX
    if not _DNS1035_LABEL.fullmatch(value):
        return "must consist of lower-case letters, digits and '-', starting with a letter and ending with a letter or digit"
    return None


def cluster_name_error(value):
    """Why value cannot be a Karmada cluster name (ValidateClusterName), or None."""
    return dns1123_label_error(value, CLUSTER_NAME_MAX)


def is_vaulted(value):
    """A vault-encrypted value (ansible-core 2.19 EncryptedString, or AnsibleVaultEncryptedUnicode before)."""
    return type(value).__name__ in ("AnsibleVaultEncryptedUnicode", "EncryptedString")


def show(value):
    """A short, safe rendering of a bad value (never the content of a vaulted secret)."""
    if is_vaulted(value):
        return "<vaulted value>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def problem(path, value, expected):
    """The one error format: '<path>: got <value>; expected <expected>'."""
    return "%s: got %s; expected %s" % (path, show(value), expected)


def known_key(key, allowed):
    """What an unknown key should have been: the closest known key first, then all of them."""
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    hint = " (did you mean '%s'?)" % close[0] if close else ""
    return "a known key%s: %s" % (hint, ", ".join(allowed))
