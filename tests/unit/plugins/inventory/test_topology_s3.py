# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""settings.s3: validation, defaults, fleetops_s3, and the s3_credentials filter."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.fleetops.kurator.plugins.module_utils._s3 import S3CredentialsError, credentials
from ansible_collections.fleetops.kurator.plugins.module_utils._topology import normalize, normalize_s3, validate
from ansible_collections.fleetops.kurator.plugins.filter.s3_credentials import s3_credentials

from test_topology import KNOWN, EncryptedString, _inventory, good

SECRET = "s3cr3t-Key/with+chars"


def with_s3(s3, **settings):
    data = good()
    data["settings"]["s3"] = s3
    data["settings"].update(settings)
    return data


def errors_of(s3, **settings):
    return validate(with_s3(s3, **settings), known_versions=KNOWN)


GOOD = {"endpoint": "https://s3.example:9000", "region": "eu-west-1", "force_path_style": True,
        "checksum_algorithm": "", "ca_file": "ca.pem", "buckets": {"velero": "velero-backups", "thanos": "thanos.metrics"},
        "access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET}


def test_complete_s3_settings_are_valid():
    assert errors_of(GOOD) == []
    assert errors_of({"credentials_file": "creds", "profile": "backup", "buckets": {"velero": "b-1"}}) == []
    assert errors_of({}) == []


@pytest.mark.parametrize("edit, field, expected", [
    ({"endpoint": "s3.local"}, "settings.s3.endpoint", "URL"),
    ({"endpoint": "http://s3.local:9000"}, "settings.s3.endpoint", "allow_insecure_http"),
    ({"region": "US East"}, "settings.s3.region", "us-east-1"),
    ({"force_path_style": "true"}, "settings.s3.force_path_style", "true or false"),
    ({"checksum_algorithm": "MD5"}, "settings.s3.checksum_algorithm", "CRC32"),
    ({"buckets": ["velero-backups"]}, "settings.s3.buckets", "a mapping"),
    ({"buckets": {"velero": "Velero_Backups"}}, "settings.s3.buckets.velero", "S3 bucket name"),
    ({"buckets": {"velero": "ab"}}, "settings.s3.buckets.velero", "3-63"),
    ({"buckets": {"velero": "a..b"}}, "settings.s3.buckets.velero", "S3 bucket name"),
    ({"buckets": {"velero": "10.0.0.1"}}, "settings.s3.buckets.velero", "S3 bucket name"),
    ({"buckets": {"Velero": "ok-bucket"}}, "settings.s3.buckets.Velero", "purpose name"),
    ({"access_key_id": "AKIA"}, "settings.s3.secret_access_key", "together with access_key_id"),
    ({"secret_access_key": SECRET}, "settings.s3.access_key_id", "together with secret_access_key"),
    ({"access_key_id": "AKIA", "secret_access_key": SECRET, "credentials_file": "c"}, "settings.s3.credentials_file",
     "not both"),
    ({"profile": "p"}, "settings.s3.profile", "only with credentials_file"),
    ({"credentials_file": ""}, "settings.s3.credentials_file", "non-empty string"),
    ({"acess_key_id": "x"}, "settings.s3.acess_key_id", "did you mean 'access_key_id'"),
    ({"bucket": "x"}, "settings.s3.bucket", "did you mean 'buckets'"),
])
def test_each_s3_mistake_is_named(edit, field, expected):
    errors = errors_of(edit)
    assert any(e.startswith(field + ": got ") and expected in e for e in errors), errors


def test_a_bad_secret_key_is_never_shown():
    errors = errors_of({"access_key_id": "AKIA", "secret_access_key": SECRET + "\n"})
    assert any(e.startswith("settings.s3.secret_access_key: got ") for e in errors), errors
    assert not any(SECRET in e for e in errors)


def test_vaulted_keys_are_accepted_without_decrypting_them():
    assert errors_of({"access_key_id": EncryptedString(), "secret_access_key": EncryptedString()}) == []


def test_defaults_follow_the_kind_of_store():
    other = normalize_s3({"endpoint": "http://10.0.0.1:9000"})
    assert (other["configured"], other["force_path_style"], other["checksum_algorithm"], other["region"]) == \
        (True, True, "", "us-east-1")
    aws = normalize_s3({"region": "eu-west-1"})
    assert (aws["endpoint"], aws["force_path_style"], aws["checksum_algorithm"]) == ("", False, "CRC32")
    assert normalize_s3(None)["configured"] is False
    assert normalize(good())["settings"]["s3"]["configured"] is False
    assert normalize_s3({"endpoint": "https://x", "force_path_style": False, "checksum_algorithm": "SHA256"})[
        "force_path_style"] is False


def test_inventory_publishes_fleetops_s3_without_the_secret_in_fleetops_settings(tmp_path):
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(with_s3(dict(GOOD, endpoint="http://10.0.0.9:9000"), allow_insecure_http=True)))
    all_vars = _inventory(str(path)).groups["all"].get_vars()
    s3 = all_vars["fleetops_s3"]
    assert s3["endpoint"] == "http://10.0.0.9:9000" and s3["buckets"]["velero"] == "velero-backups"
    assert s3["ca_file"] == str(tmp_path / "ca.pem")
    assert s3["secret_access_key"] == SECRET
    assert "secret_access_key" not in all_vars["fleetops_settings"]["s3"]
    assert SECRET not in repr(all_vars["fleetops_settings"])
    assert "http://10.0.0.9:9000" in all_vars["fleetops_insecure_urls"]


def test_credentials_file_is_resolved_and_read(tmp_path):
    (tmp_path / "creds").write_text("[default]\naws_access_key_id = A1\naws_secret_access_key = S1\n"
                                    "[backup]\naws_access_key_id=A2\naws_secret_access_key=%s\n" % SECRET)
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(with_s3({"credentials_file": "creds", "profile": "backup"})))
    s3 = _inventory(str(path)).groups["all"].get_vars()["fleetops_s3"]
    assert s3["credentials_file"] == str(tmp_path / "creds")
    got = s3_credentials(dict(s3))
    assert (got["access_key_id"], got["secret_access_key"]) == ("A2", SECRET)
    assert got["aws_credentials_file"] == "[default]\naws_access_key_id = A2\naws_secret_access_key = %s\n" % SECRET


def test_inline_credentials():
    got = s3_credentials(normalize_s3({"access_key_id": "A", "secret_access_key": SECRET}))
    assert (got["access_key_id"], got["secret_access_key"]) == ("A", SECRET)


@pytest.mark.parametrize("content, s3, expected", [
    (None, {}, "no credentials"),
    (None, {"credentials_file": "missing"}, "cannot be read"),
    ("[default]\naws_access_key_id = A\n", {"credentials_file": "creds"}, "no aws_secret_access_key"),
    ("[other]\naws_access_key_id = A\n", {"credentials_file": "creds"}, "no [default] profile (profiles: other)"),
    ("aws_secret_access_key = %s\n" % SECRET, {"credentials_file": "creds"}, "not an AWS credentials file"),
])
def test_credential_errors_say_why_and_never_show_the_secret(tmp_path, content, s3, expected):
    if content is not None:
        (tmp_path / "creds").write_text(content)
    s3 = dict(s3)
    if "credentials_file" in s3:
        s3["credentials_file"] = os.path.join(str(tmp_path), s3["credentials_file"])
    with pytest.raises(S3CredentialsError) as info:
        credentials(normalize_s3(s3))
    assert expected in str(info.value)
    assert SECRET not in str(info.value)


def test_no_s3_settings():
    with pytest.raises(S3CredentialsError, match="no settings.s3"):
        credentials(normalize_s3(None))


def test_vaulted_secret_key_through_the_plugin_stays_vaulted(tmp_path):
    """A real !vault secret key, parsed with no vault secret loaded: it stays encrypted in fleetops_s3."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    secret = VaultSecret(b"test-password")
    ciphertext = VaultLib([("default", secret)]).encrypt(SECRET, secret).decode()
    text = yaml.safe_dump(with_s3({"access_key_id": "AKIA", "secret_access_key": "PLACEHOLDER"}))
    text = text.replace("secret_access_key: PLACEHOLDER", "secret_access_key: !vault |\n%s"
                        % "\n".join("        " + line for line in ciphertext.splitlines()))
    path = tmp_path / "topology.yml"
    path.write_text(text)
    s3 = _inventory(str(path)).groups["all"].get_vars()["fleetops_s3"]
    assert type(s3["secret_access_key"]).__name__ in ("EncryptedString", "AnsibleVaultEncryptedUnicode")
