# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""The fleet's S3 credentials (settings.s3, published as fleetops_s3), resolved on the controller.

Pure functions but for reading the credentials file. No function here puts a secret into an
exception message: a caller may print the message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import configparser
except ImportError:  # pragma: no cover - Python 2
    import ConfigParser as configparser


class S3CredentialsError(Exception):
    pass


def credentials(s3):
    """{access_key_id, secret_access_key} of fleetops_s3: the inline pair (vaulted values are
    decrypted here) or the profile of its AWS shared credentials file."""
    if not isinstance(s3, dict) or not s3.get("configured"):
        raise S3CredentialsError("the topology has no settings.s3 (the S3 store: endpoint, region, buckets, credentials)")
    if s3.get("access_key_id") and s3.get("secret_access_key"):
        return {"access_key_id": str(s3["access_key_id"]), "secret_access_key": str(s3["secret_access_key"])}
    path = s3.get("credentials_file")
    if not path:
        raise S3CredentialsError("settings.s3 has no credentials: set access_key_id and secret_access_key "
                                 "(vaulted), or credentials_file (an AWS shared credentials file)")
    profile = s3.get("profile") or "default"
    parser = configparser.RawConfigParser()
    try:
        with open(path) as handle:
            text = handle.read()
        parser.read_string(text)
    except (IOError, OSError) as exc:
        raise S3CredentialsError("settings.s3.credentials_file %s cannot be read: %s" % (path, exc.strerror or exc))
    except configparser.Error:
        # configparser's message may quote a line of the file, a secret among them.
        raise S3CredentialsError("settings.s3.credentials_file %s: not an AWS credentials file "
                                 "([profile] sections of key = value lines)" % path)
    if not parser.has_section(profile):
        raise S3CredentialsError("settings.s3.credentials_file %s has no [%s] profile (profiles: %s)"
                                 % (path, profile, ", ".join(parser.sections()) or "none"))
    found = {}
    for key in ("aws_access_key_id", "aws_secret_access_key"):
        value = parser.get(profile, key).strip() if parser.has_option(profile, key) else ""
        if not value:
            raise S3CredentialsError("settings.s3.credentials_file %s: profile [%s] has no %s" % (path, profile, key))
        found[key[4:]] = value
    return found


def aws_credentials_file(creds, profile="default"):
    """The AWS shared credentials file text for one access key (what Velero's AWS plugin reads)."""
    return "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (
        profile, creds["access_key_id"], creds["secret_access_key"])
