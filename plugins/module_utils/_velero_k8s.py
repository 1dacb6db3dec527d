# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Velero on top of _k8s: reading Velero objects, creating one and waiting for its phase."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import NotFoundError
from ansible_collections.fleetops.kurator.plugins.module_utils._velero import VELERO_API


def served(applier, api_version, kind):
    """Whether the cluster serves this API (a CRD installed)."""
    try:
        applier.resource(api_version, kind)
        return True
    except Exception:  # not served: discovery does not know it
        return False


def get(applier, kind, name, namespace, api_version=VELERO_API):
    resource = applier.resource(api_version, kind)
    try:
        found = applier.client.get(resource, name=name, namespace=namespace)
    except NotFoundError:
        return None
    return found.to_dict() if hasattr(found, 'to_dict') else found


def create(applier, obj):
    resource = applier.resource(obj['apiVersion'], obj['kind'])
    created = applier.client.create(resource, obj, namespace=obj['metadata'].get('namespace'))
    return created.to_dict() if hasattr(created, 'to_dict') else created


# The phases a Backup or a Restore ends in (Velero's terminal phases of both).
DONE = ('Completed', 'PartiallyFailed', 'Failed', 'FailedValidation')


def wait_for(applier, kind, name, namespace, until, timeout, interval=2, start=None):
    """Poll the object until until(object) holds (the object is None while it is not there) or timeout
    seconds have passed since start (default now); (the object as last read, seconds since start)."""
    start = time.time() if start is None else start
    while True:
        obj = get(applier, kind, name, namespace)
        if until(obj) or time.time() - start >= timeout:
            return obj, time.time() - start
        time.sleep(interval)


def wait_phase(applier, kind, name, namespace, done, timeout, interval=2):
    """Poll until the object's status.phase is in done (or it is gone: None); (object, seconds)."""
    return wait_for(applier, kind, name, namespace,
                    lambda obj: obj is None or (obj.get('status') or {}).get('phase') in done, timeout, interval)


def location(applier, name, namespace):
    """The BackupStorageLocation, or None."""
    return get(applier, 'BackupStorageLocation', name, namespace)
