"""The collection's one field manager against a real API server (issue 10).

An object applied by an earlier version under the field manager ``fleetops.kurator`` (and
labelled with it) is handed over to ``fleetops-kurator`` by the Applier: without the hand-over
the new manager's apply conflicts on the label; check mode predicts the change without making
it; the real run renames the managed-fields entry; the next run (and its check mode) change
nothing. A throw-away ConfigMap in the lab's cluster-hangzhou, deleted at the end.

  .venv/bin/pytest -q -p no:cacheprovider tests/integration/test_field_manager.py
"""
from __future__ import annotations

import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.lab

sys.path.insert(0, str(REPO / ".ansible" / "collections"))
from ansible_collections.fleetops.kurator.plugins.module_utils._identity import (  # noqa: E402
    FIELD_MANAGER, LEGACY_FIELD_MANAGERS, MANAGED_BY)
from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import Applier  # noqa: E402
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client  # noqa: E402

NAME, NAMESPACE = "fleetops-field-manager-handover", "default"
LEGACY = LEGACY_FIELD_MANAGERS[0]


class _Module:
    def __init__(self, check_mode):
        self.check_mode = check_mode


def _config_map(managed_by):
    return {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"},
            "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": {"app.kubernetes.io/managed-by": managed_by}}}


def test_legacy_field_manager_is_handed_over(kubeconfigs):
    from kubernetes.dynamic.exceptions import ConflictError, NotFoundError

    def client(check_mode=False):
        k8s = get_api_client(kubeconfig=str(kubeconfigs["cluster-hangzhou"]))
        k8s.dry_run = check_mode
        return k8s

    def apply(check_mode=False):
        return Applier(_Module(check_mode), client=client(check_mode)).apply([_config_map(MANAGED_BY)])[0]

    k8s = client()
    resource = k8s.resource("ConfigMap", "v1")

    def stored():
        obj = k8s.get(resource, name=NAME, namespace=NAMESPACE).to_dict()
        return ([(e["manager"], e["operation"]) for e in obj["metadata"]["managedFields"]],
                obj["metadata"]["labels"]["app.kubernetes.io/managed-by"])

    try:
        k8s.delete(resource, name=NAME, namespace=NAMESPACE)
    except NotFoundError:
        pass
    try:
        k8s.apply(resource, _config_map(LEGACY), namespace=NAMESPACE, server_side=True, field_manager=LEGACY)
        assert stored() == ([(LEGACY, "Apply")], LEGACY)
        with pytest.raises(ConflictError, match="conflict"):
            k8s.apply(resource, _config_map(MANAGED_BY), namespace=NAMESPACE, server_side=True,
                      field_manager=FIELD_MANAGER, dry_run="All")
        assert apply(check_mode=True) is True
        assert stored() == ([(LEGACY, "Apply")], LEGACY), "check mode changes nothing"
        assert apply() is True
        assert stored() == ([(FIELD_MANAGER, "Apply")], MANAGED_BY)
        assert apply() is False and apply(check_mode=True) is False
    finally:
        try:
            k8s.delete(resource, name=NAME, namespace=NAMESPACE)
        except NotFoundError:
            pass
