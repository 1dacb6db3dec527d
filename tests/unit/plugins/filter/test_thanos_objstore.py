# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""thanos_objstore: Thanos' objstore.yml from the topology's settings.s3 (fleetops_s3)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.kurator.plugins.filter.thanos_objstore import objstore, thanos_objstore

CREDS = {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG"}


def s3(**kw):
    base = {"configured": True, "endpoint": "http://172.31.250.1:9000", "region": "us-east-1",
            "force_path_style": True, "buckets": {"thanos": "thanos-metrics"}}
    base.update(kw)
    return base


def test_lab_endpoint_plain_http_path_style():
    out = yaml.safe_load(thanos_objstore(s3(), "thanos-metrics", CREDS))
    assert out == {"type": "S3", "config": {
        "bucket": "thanos-metrics", "endpoint": "172.31.250.1:9000", "region": "us-east-1", "insecure": True,
        "access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG", "bucket_lookup_type": "path"}}


def test_aws_when_no_endpoint():
    cfg = objstore(s3(endpoint="", region="eu-west-1", force_path_style=False), "b-1", CREDS)["config"]
    assert cfg["endpoint"] == "s3.eu-west-1.amazonaws.com" and cfg["insecure"] is False
    assert cfg["bucket_lookup_type"] == "auto"


def test_https_endpoint_with_ca():
    cfg = objstore(s3(endpoint="https://s3.example:8443/"), "b-1", CREDS, ca_file="/etc/thanos/ca/ca.crt")["config"]
    assert cfg["endpoint"] == "s3.example:8443" and cfg["insecure"] is False
    assert cfg["http_config"] == {"tls_config": {"ca_file": "/etc/thanos/ca/ca.crt"}}


@pytest.mark.parametrize("args, fragment", [
    ((s3(), "", CREDS), "no bucket"),
    ((s3(endpoint="https://s3.example/prefix"), "b", CREDS), "no path"),
    ((s3(endpoint="ftp://s3.example"), "b", CREDS), "http(s)://"),
    ((s3(), "b", {"access_key_id": "x", "secret_access_key": ""}), "no S3 access key"),
    (("nope", "b", CREDS), "a mapping"),
])
def test_bad_input_is_named(args, fragment):
    with pytest.raises(AnsibleFilterError) as err:
        objstore(*args)
    assert fragment in str(err.value)
    assert CREDS["secret_access_key"] not in str(err.value)
