# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""verify_rows and cert_rows: what playbooks/verify.yml read, as rows that say what is wrong."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime

import pytest

from ansible_collections.fleetops.kurator.plugins.filter.cert_rows import cert_rows
from ansible_collections.fleetops.kurator.plugins.filter.verify_rows import verify_rows

UP = {"checks": [{"name": "api reachable", "ok": True, "detail": "https://x"},
                 {"name": "credentials", "ok": True, "detail": "authenticated as admin"},
                 {"name": "version", "ok": True, "detail": "v1.35.4"}], "version": "v1.35.4"}
VOLCANO = {"name": "volcano", "namespace": "volcano-system", "deployments": ["vc-scheduler", "vc-webhook-manager"]}


def node(name, ready="True"):
    return {"metadata": {"name": name}, "status": {"conditions": [{"type": "Ready", "status": ready, "reason": "R"}]}}


def deployment(name, namespace, want, have):
    return {"metadata": {"name": name, "namespace": namespace}, "spec": {"replicas": want},
            "status": {"availableReplicas": have}}


def by_check(rows):
    return dict(((r["target"], r["check"]), r) for r in rows)


def test_a_cluster_that_does_not_answer_is_one_failing_row():
    down = {"checks": [{"name": "api reachable", "ok": False, "detail": "https://x:1: [Errno 111] Connection refused"}]}
    rows = verify_rows({"api": down, "nodes": {"resources": []}}, "c1", components=[VOLCANO])
    assert [(r["target"], r["check"], r["status"]) for r in rows] == [("c1", "api", "FAIL")]
    assert "Connection refused" in rows[0]["detail"]


def test_nodes_and_edge_nodes():
    reads = {"api": UP, "nodes": {"resources": [node("n1"), node("n2", "False"), node("e1"), node("e2", "Unknown")]}}
    rows = by_check(verify_rows(reads, "host", edge_nodes=["e1", "e2", "e3"]))
    assert rows[("host", "api")]["ok"]
    assert not rows[("host", "nodes")]["ok"] and "n2" in rows[("host", "nodes")]["detail"]
    assert "1/2 Ready" in rows[("host", "nodes")]["detail"]
    assert rows[("e1", "edge node")]["ok"]
    assert not rows[("e2", "edge node")]["ok"] and "NotReady" in rows[("e2", "edge node")]["detail"]
    assert "no Node e3" in rows[("e3", "edge node")]["detail"]


def test_components_expected_missing_and_extra():
    reads = {"api": UP, "deployments": {"resources": [
        deployment("vc-scheduler", "volcano-system", 2, 0), deployment("vc-extra", "volcano-system", 1, 1),
        deployment("vc-webhook-manager", "elsewhere", 1, 1)]}}
    rows = by_check(verify_rows(reads, "c1", components=[VOLCANO]))
    assert rows[("c1", "volcano vc-scheduler")]["detail"] == "0/2 available"
    assert not rows[("c1", "volcano vc-scheduler")]["ok"]
    assert "missing" in rows[("c1", "volcano vc-webhook-manager")]["detail"]
    assert rows[("c1", "volcano vc-extra")]["ok"]


def test_a_component_not_installed_is_one_row_and_a_failed_read_says_why():
    rows = verify_rows({"api": UP, "deployments": {"resources": []}}, "c1", components=[VOLCANO])
    assert [(r["check"], r["ok"]) for r in rows] == [("api", True), ("volcano", False)]
    assert "not installed" in rows[1]["detail"]
    failed = verify_rows({"api": UP, "deployments": {"failed": True, "msg": "Forbidden at https://x/apis"}}, "c1",
                         components=[VOLCANO])
    assert failed[1]["detail"] == "Forbidden at"


def test_bsls_prometheus_karmada_units():
    bsl = {"metadata": {"name": "default"}, "spec": {"objectStorage": {"bucket": "gone"}},
           "status": {"phase": "Unavailable", "message": "rpc error: NoSuchBucket"}}
    prom = {"metadata": {"name": "k8s"}, "spec": {"replicas": 2}, "status": {"availableReplicas": 2}}
    cluster = {"metadata": {"name": "m1"}, "status": {"conditions": [{"type": "Ready", "status": "False",
                                                                      "reason": "ClusterNotReachable"}]}}
    rows = by_check(verify_rows({"api": UP, "bsls": {"resources": [bsl]}, "prometheus": {"resources": [prom]}}, "c1"))
    assert not rows[("c1", "velero bsl default")]["ok"]
    assert "bucket gone" in rows[("c1", "velero bsl default")]["detail"]
    assert rows[("c1", "prometheus k8s")]["ok"]
    karmada = by_check(verify_rows({"karmada": {"resources": [cluster]}}, "karmada", members=["m1", "m2"]))
    assert karmada[("karmada", "api")]["ok"]
    assert "ClusterNotReachable" in karmada[("m1", "karmada member")]["detail"]
    assert "not joined" in karmada[("m2", "karmada member")]["detail"]
    down = verify_rows({"karmada": {"msg": "no Karmada kubeconfig at ~/x"}}, "karmada", members=["m1"])
    assert [(r["check"], r["ok"]) for r in down] == [("api", False)]
    units = verify_rows({"units": {"rc": 3, "stdout_lines": ["active", "inactive"]}}, "h1", units=["a", "b"])
    assert [(r["check"], r["ok"], r["detail"]) for r in units] == [("unit a", True, "active"), ("unit b", False, "inactive")]
    gone = verify_rows({"units": {"unreachable": True, "msg": "ssh: connect to host h1 port 22: No route"}}, "h1", units=["a"])
    assert [(r["check"], r["ok"]) for r in gone] == [("units", False)]


@pytest.fixture(scope="module")
def pem():
    """A self-signed certificate valid for 10 days from 2030-01-01."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, u"t")])
    start = datetime.datetime(2030, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=10))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_certificates_fail_within_min_days(pem):
    start = (datetime.datetime(2030, 1, 1) - datetime.datetime(1970, 1, 1)).total_seconds()
    certs = [{"target": "controller", "check": "cert ca.crt", "pem": pem}]
    assert cert_rows(certs, 5, now=start)[0]["ok"]
    late = cert_rows(certs, 30, now=start)[0]
    assert not late["ok"] and "expires 2030-01-11 (10 days)" in late["detail"]
    assert not cert_rows([{"target": "c", "check": "x", "pem": "junk"}], 1)[0]["ok"]


def test_kubeconfig_certificates_of_its_context(pem):
    data = base64.b64encode(pem.encode()).decode()
    kubeconfig = {"current-context": "b", "contexts": [{"name": "a", "context": {"cluster": "ca", "user": "ua"}},
                                                       {"name": "b", "context": {"cluster": "cb", "user": "ub"}}],
                  "clusters": [{"name": "cb", "cluster": {"certificate-authority-data": data}}],
                  "users": [{"name": "ub", "user": {"token": "t"}}]}
    rows = cert_rows([{"target": "c1", "check": "kubeconfig", "kubeconfig": kubeconfig}], 1, now=0)
    assert [(r["target"], r["check"], r["ok"]) for r in rows] == [("c1", "kubeconfig CA", True)]
