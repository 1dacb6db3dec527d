# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""An in-memory stand-in for kubernetes.core's K8SClient, enough for server-side apply tests.

It stores objects, merges applied fields over what is stored (like server-side
apply for fields we own), honours dry_run, label selectors and deletes, and
records every call, so tests can check what a module sent.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import json

import pytest

from kubernetes.dynamic.exceptions import NotFoundError

from ansible_collections.fleetops.kurator.plugins.module_utils._identity import FIELD_MANAGER


class FakeResource(object):
    def __init__(self, api_version, kind, namespaced=True):
        self.api_version, self.kind, self.namespaced = api_version, kind, namespaced


class FakeInstance(object):
    def __init__(self, data):
        self._data = data

    def to_dict(self):
        return copy.deepcopy(self._data)


def _merge(base, patch):
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class _NotFound(NotFoundError):
    def __init__(self):  # pylint: disable=super-init-not-called
        # DynamicApiError.__init__ wants a real HTTP response; the message is all the code under test reads.
        self.args = ('not found',)


class FakeClient(object):
    CLUSTER_SCOPED = ('ClusterPropagationPolicy', 'ClusterOverridePolicy', 'Cluster')

    def __init__(self, dry_run=False):
        self.store = {}
        self.calls = []
        self.dry_run = dry_run
        self.version = 0
        self.apply_params = []

    def key(self, resource, name, namespace):
        return (resource.api_version, resource.kind, namespace if resource.namespaced else None, name)

    def resource(self, kind, api_version):
        return FakeResource(api_version, kind, kind not in self.CLUSTER_SCOPED)

    def add(self, obj):
        res = self.resource(obj['kind'], obj['apiVersion'])
        meta = obj['metadata']
        self.store[self.key(res, meta['name'], meta.get('namespace'))] = copy.deepcopy(obj)

    def get(self, resource, name=None, namespace=None, label_selector=None):
        self.calls.append(('get', resource.kind, name, namespace, label_selector))
        if name:
            found = self.store.get(self.key(resource, name, namespace))
            if found is None:
                raise _NotFound()
            return FakeInstance(found)
        wanted = dict(kv.split('=', 1) for kv in label_selector.split(',')) if label_selector else {}
        items = [o for k, o in sorted(self.store.items())
                 if k[0] == resource.api_version and k[1] == resource.kind
                 and (namespace is None or k[2] == namespace)
                 and all((o['metadata'].get('labels') or {}).get(lk) == lv for lk, lv in wanted.items())]
        return FakeInstance({'items': items})

    def apply(self, resource, definition, namespace=None, serialize=False, **params):
        assert params.get('server_side') is True
        assert params.get('field_manager') == FIELD_MANAGER
        self.apply_params.append(params)
        self.calls.append(('apply', resource.kind, definition['metadata']['name'], namespace, self.dry_run))
        json.dumps(definition)  # must be serialisable, like the real request body
        k = self.key(resource, definition['metadata']['name'], namespace)
        existing = self.store.get(k)
        if existing is None:
            self.version += 1
            new = _merge({'metadata': {'uid': 'uid-%d' % self.version, 'resourceVersion': str(self.version),
                                       'managedFields': [{'manager': FIELD_MANAGER, 'operation': 'Apply'}]}},
                         definition)
        else:
            new = _merge(existing, definition)
            if new != existing:
                self.version += 1
                new['metadata']['resourceVersion'] = str(self.version)
        if not self.dry_run:
            self.store[k] = new
        return copy.deepcopy(new)

    def patch(self, resource, body, name=None, namespace=None, content_type=None):
        """A JSON patch of metadata.managedFields (test, replace, remove), what Applier sends."""
        assert content_type == 'application/json-patch+json'
        self.calls.append(('patch', resource.kind, name, namespace, self.dry_run))
        k = self.key(resource, name, namespace)
        obj = copy.deepcopy(self.store[k])
        for op in body:
            parts = op['path'].strip('/').split('/')
            assert parts[:2] == ['metadata', 'managedFields'], op
            entries = obj['metadata']['managedFields']
            index = int(parts[2])
            if op['op'] == 'test':
                assert entries[index][parts[3]] == op['value'], op
            elif op['op'] == 'replace':
                entries[index][parts[3]] = op['value']
            elif op['op'] == 'remove':
                del entries[index]
        if not self.dry_run:
            self.store[k] = obj
        return copy.deepcopy(obj)

    def delete(self, resource, name=None, namespace=None):
        self.calls.append(('delete', resource.kind, name, namespace, self.dry_run))
        k = self.key(resource, name, namespace)
        if k not in self.store:
            raise _NotFound()
        if not self.dry_run:
            del self.store[k]


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args, client, check_mode=False, diff=False) -> result dict (raises FailJson)."""
    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.fleetops.kurator.plugins.module_utils import _k8s

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise ExitJson(kwargs)

    def fail_json(self, **kwargs):
        raise FailJson(kwargs)

    def warn(self, msg):
        self._test_warnings = getattr(self, '_test_warnings', []) + [msg]

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', warn)

    def run(module, args, client, check_mode=False, diff=False):
        client.dry_run = check_mode
        monkeypatch.setattr(_k8s, 'get_api_client', lambda module=None: client)
        full = dict(args)
        full['_ansible_check_mode'] = check_mode
        full['_ansible_diff'] = diff
        with patch_module_args(full):
            try:
                module.main()
            except ExitJson as exc:
                return exc.args[0]
        raise AssertionError('module did not exit')
    return run
