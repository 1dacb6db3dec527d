# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter cert_rows: PEM certificates as health rows, failing those that expire within a number of days.

One filter per file, documented in the file: Galaxy lists filter plugins by file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cert_rows
version_added: 0.1.0
author: fleetops.kurator contributors (@fleetops)
short_description: Rows saying when certificates expire, failing those too close to it
positional: min_days, now
description:
  - Takes certificates as C({target, check, pem}) and returns one row each, C({target, check, ok, status, detail}),
    failing when the certificate expires in fewer than O(min_days) days, has expired, or cannot be read.
  - A PEM bundle counts by its earliest expiry.
  - An entry C({target, check, kubeconfig, context}) with a kubeconfig mapping stands for the embedded certificates
    of its context (default the current one) - C(certificate-authority-data) and C(client-certificate-data), each
    a row when present (a token or a certificate file gives none).
  - Needs the Python C(cryptography) library on the controller (ansible-core depends on it).
options:
  _input:
    description: The certificates, each C({target, check, pem}) with the PEM text, or C({target, check, kubeconfig}).
    type: list
    elements: dict
    required: true
  min_days:
    description: Fewer days left than this fails.
    type: int
    default: 30
  now:
    description: The time to count from, as seconds since the epoch (default the controller's clock).
    type: float
"""

EXAMPLES = r"""
- name: Rows of the Karmada CA
  ansible.builtin.set_fact:
    rows: "{{ [{'target': 'controller', 'check': 'cert ca.crt', 'pem': lookup('file', pki ~ '/ca.crt')}]
              | fleetops.kurator.cert_rows(30) }}"
"""

RETURN = r"""
_value:
  description: One row per certificate.
  type: list
  elements: dict
"""

import base64
import datetime
import re
import time

try:
    from cryptography import x509
    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

PEM = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
EPOCH = datetime.datetime(1970, 1, 1)


def _not_after(pem):
    """The earliest notAfter of the certificates in a PEM text, as seconds since the epoch."""
    blocks = PEM.findall(pem or "")
    if not blocks:
        raise ValueError("no PEM certificate")
    ends = []
    for block in blocks:
        cert = x509.load_pem_x509_certificate(block.encode("ascii"))
        end = getattr(cert, "not_valid_after_utc", None)
        end = end.replace(tzinfo=None) if end is not None else cert.not_valid_after
        ends.append((end - EPOCH).total_seconds())
    return min(ends)


def _named(items, name):
    found = [i for i in items or [] if isinstance(i, dict) and i.get("name") == name]
    return found[0] if found else {}


def _kubeconfig_certs(entry):
    """The certificates embedded in a kubeconfig's context, as PEM entries."""
    config = entry.get("kubeconfig") or {}
    if not isinstance(config, dict):
        return [{"target": entry.get("target"), "check": entry.get("check", "kubeconfig"), "pem": ""}]
    context = (_named(config.get("contexts"), entry.get("context") or config.get("current-context")).get("context")
               or ((config.get("contexts") or [{}])[0] or {}).get("context") or {})
    cluster = _named(config.get("clusters"), context.get("cluster")).get("cluster") or {}
    user = _named(config.get("users"), context.get("user")).get("user") or {}
    out = []
    for label, data in (("CA", cluster.get("certificate-authority-data")),
                        ("client cert", user.get("client-certificate-data"))):
        if data:
            try:
                pem = base64.b64decode(data).decode("ascii", "replace")
            except (TypeError, ValueError):
                pem = ""
            out.append({"target": entry.get("target"), "check": "%s %s" % (entry.get("check", "kubeconfig"), label),
                        "pem": pem})
    return out


def cert_rows(certs, min_days=30, now=None):
    """One row per certificate: ok while it has at least min_days left."""
    now = time.time() if now is None else float(now)
    rows = []
    expanded = []
    for cert in certs or []:
        expanded.extend(_kubeconfig_certs(cert) if "kubeconfig" in cert else [cert])
    for cert in expanded:
        target, check = cert.get("target", "controller"), cert.get("check", "certificate")
        if not HAS_CRYPTOGRAPHY:
            ok, detail = False, "the Python cryptography library is missing on the controller"
        else:
            try:
                end = _not_after(cert.get("pem"))
            except ValueError as exc:
                ok, detail = False, "unreadable: %s" % exc
            else:
                days = int((end - now) // 86400)
                when = (EPOCH + datetime.timedelta(seconds=end)).strftime("%Y-%m-%d")
                ok = days >= int(min_days)
                detail = "expires %s (%d days)%s" % (
                    when, days, "" if ok else ": within %s days (or expired), renew it" % min_days)
        rows.append({"target": target, "check": check, "ok": ok, "status": "ok" if ok else "FAIL", "detail": detail})
    return rows


class FilterModule(object):
    def filters(self):
        return {"cert_rows": cert_rows}
