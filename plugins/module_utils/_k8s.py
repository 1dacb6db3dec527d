# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Apply Kubernetes objects for the collection's modules through kubernetes.core.

The generic layer: it knows Kubernetes, not Karmada (the policy runner and the Karmada
cluster reader are in ``_karmada``). One module call applies a whole list of objects
with server-side apply (field manager ``FIELD_MANAGER``, the collection's one identity: ``_identity``). Check mode sends the same
requests with ``dryRun=All`` so admission and defaulting run for real; diff mode returns
before/after per object; ``changed`` compares the stored object before and after the
apply, so re-applying the same objects reports no change.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import json
import traceback

from ansible_collections.fleetops.kurator.plugins.module_utils._identity import FIELD_MANAGER, LEGACY_FIELD_MANAGERS

# The connection options are kubernetes.core's own (module_utils.args_common.AUTH_ARG_SPEC: names,
# aliases, no_log on the kubeconfig and the tokens), documented by the doc fragment
# fleetops.kurator.k8s_auth. Where kubernetes.core is not importable (ansible-test's sanity venv),
# this equal spec stands in; tests/unit/test_action_group.py keeps it equal to kubernetes.core's.
_AUTH_ARG_SPEC_STANDIN = {
    'kubeconfig': {'type': 'raw', 'no_log': True},
    'context': {},
    'host': {},
    'api_key': {'no_log': True},
    'username': {},
    'password': {'no_log': True},
    'validate_certs': {'type': 'bool', 'aliases': ['verify_ssl']},
    'ca_cert': {'type': 'path', 'aliases': ['ssl_ca_cert']},
    'client_cert': {'type': 'path', 'aliases': ['cert_file']},
    'client_key': {'type': 'path', 'aliases': ['key_file']},
    'proxy': {'type': 'str'},
    'no_proxy': {'type': 'str'},
    'proxy_headers': {'type': 'dict', 'options': {
        'proxy_basic_auth': {'type': 'str', 'no_log': True},
        'basic_auth': {'type': 'str', 'no_log': True},
        'user_agent': {'type': 'str'},
    }},
    'persist_config': {'type': 'bool'},
    'impersonate_user': {},
    'impersonate_groups': {'type': 'list', 'elements': 'str'},
}
try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
except ImportError:
    AUTH_ARG_SPEC = _AUTH_ARG_SPEC_STANDIN

K8S_IMP_ERR = None
try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import decode_response
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
    HAS_K8S_CORE = True
except ImportError:
    K8S_IMP_ERR = traceback.format_exc()
    HAS_K8S_CORE = False
    AnsibleK8SModule = None
    CoreException = Exception

try:
    from kubernetes.dynamic.exceptions import NotFoundError, DynamicApiError
except ImportError:
    # Reported by AnsibleK8SModule's own requirement check.
    class NotFoundError(Exception):
        pass

    class DynamicApiError(Exception):
        pass


# Fields the API server owns; never part of a diff or of the changed decision.
_VOLATILE_META = ('managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid',
                  'selfLink')


def k8s_argument_spec(**extra):
    """kubernetes.core's connection options plus the module's own."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(extra)
    return spec


def k8s_module(argument_spec, **kwargs):
    """An AnsibleModule wrapped by kubernetes.core's AnsibleK8SModule (check_mode -> dry run)."""
    if not HAS_K8S_CORE:
        from ansible.module_utils.basic import AnsibleModule, missing_required_lib
        module = AnsibleModule(argument_spec=argument_spec, **kwargs)
        module.fail_json(msg=missing_required_lib('kubernetes.core collection'), exception=K8S_IMP_ERR)
    return AnsibleK8SModule(argument_spec=argument_spec, **kwargs)


def _clean(obj):
    """Drop server-owned fields and status so before/after show what we manage."""
    if obj is None:
        return None
    obj = copy.deepcopy(obj)
    meta = obj.get('metadata') or {}
    for key in _VOLATILE_META:
        meta.pop(key, None)
    annotations = meta.get('annotations') or {}
    annotations.pop('kubectl.kubernetes.io/last-applied-configuration', None)
    if 'annotations' in meta and not annotations:
        meta.pop('annotations')
    obj.pop('status', None)
    return obj


REDACTED = '<redacted>'


def redact(obj, other=None):
    """A Secret as it may be shown (diff, results): its keys, no values. A value that differs
    from the same key in other (the other side of a diff) shows as '<redacted, changed>', so a
    diff still says which keys change."""
    if not obj or obj.get('kind') != 'Secret':
        return obj
    obj = copy.deepcopy(obj)
    for field in ('data', 'stringData'):
        values = obj.get(field)
        if not isinstance(values, dict):
            continue
        theirs = ((other or {}).get(field) or {}) if isinstance(other, dict) else {}
        obj[field] = dict((key, REDACTED if key in theirs and theirs[key] == value or other is None
                           else REDACTED[:-1] + ', changed>') for key, value in values.items())
    return obj


def api_message(exc):
    """What the API server said: the message of its Status body, else the body as it came."""
    body = getattr(exc, 'body', exc)
    try:
        text = body.decode('utf-8') if isinstance(body, bytes) else body
        return json.loads(text).get('message') or text
    except (ValueError, AttributeError, TypeError):
        return body


def ref(obj):
    meta = obj.get('metadata') or {}
    ref_ = {'apiVersion': obj.get('apiVersion'), 'kind': obj.get('kind'), 'name': meta.get('name')}
    if meta.get('namespace'):
        ref_['namespace'] = meta['namespace']
    return ref_


def result_refs(results):
    """The Applier's apply results as a module returns them: each object's reference and changed flag, no body."""
    return [dict((k, v) for k, v in r.items() if k != 'result') for r in results]


class Applier(object):
    """Server-side apply and label-selected delete for a list of objects.

    ``client`` is a kubernetes.core K8SClient (get_api_client(module)); tests pass a fake.
    ``field_validation='Strict'`` makes the API server reject unknown fields instead of dropping
    them with a warning (its default for a request that does not ask).
    """

    def __init__(self, module, client=None, force_conflicts=False, field_validation=None):
        self.module = module
        self.force_conflicts = force_conflicts
        self.field_validation = field_validation
        self._client = client

    @property
    def client(self):
        if self._client is None:
            try:
                self._client = get_api_client(module=self.module)
            except CoreException as exc:
                self.module.fail_json(msg='Could not connect to the API server: %s' % exc)
        return self._client

    @property
    def check_mode(self):
        return bool(self.module.check_mode)

    def resource(self, api_version, kind):
        """The discovered API resource of (apiVersion, kind); CoreException naming it when not served."""
        try:
            return self.client.resource(kind, api_version)
        except Exception as exc:  # discovery errors name the missing API, which is what users need
            raise CoreException('API %s %s is not served: %s' % (api_version, kind, exc))

    def get(self, obj):
        resource = self.resource(obj['apiVersion'], obj['kind'])
        meta = obj['metadata']
        try:
            found = self.client.get(resource, name=meta['name'], namespace=meta.get('namespace'))
        except NotFoundError:
            return None
        return found.to_dict() if hasattr(found, 'to_dict') else found

    def apply(self, objects):
        """Apply every object; return (changed, results, diff)."""
        results, before_all, after_all = [], [], []
        changed = False
        for obj in objects:
            resource = self.resource(obj['apiVersion'], obj['kind'])
            existing = self.get(obj)
            migrated = self.adopt_legacy_fields(resource, obj, existing)
            params = dict(field_manager=FIELD_MANAGER,
                          # A dry run cannot see the adoption it did not persist: fields the legacy
                          # manager holds would conflict, so check mode predicts the adopted apply.
                          force_conflicts=self.force_conflicts or (migrated and self.check_mode))
            try:
                response = self._send(resource, obj, params)
                applied, dummy = decode_response(response) if HAS_K8S_CORE and not isinstance(
                    response, dict) else (response, [])
            except DynamicApiError as exc:
                raise CoreException('Failed to apply %s %s: %s' % (obj['kind'], obj['metadata']['name'], api_message(exc)))
            before, after = _clean(existing), _clean(applied)
            obj_changed = before != after
            changed = changed or obj_changed
            results.append(dict(ref(obj), changed=obj_changed, result=after))
            if obj_changed:
                # Secret values never leave the module (results or diff): keys only.
                before_all.append(redact(before, after) or {})
                after_all.append(redact(after, before or {}))
            results[-1]['result'] = redact(after)
        return changed, results, {'before': before_all, 'after': after_all}

    def _send(self, resource, obj, params):
        namespace = obj['metadata'].get('namespace')
        dynamic = getattr(self.client, 'client', None)
        if self.field_validation and dynamic is not None:
            # kubernetes.core's apply passes no query parameter through: send the same request
            # (its dry run in check mode) with the kubernetes client's own server_side_apply.
            if getattr(self.client, 'dry_run', False):
                params['dry_run'] = 'All'
            return dynamic.server_side_apply(resource, body=obj, name=obj['metadata']['name'], namespace=namespace,
                                             serialize=False, query_params=[('fieldValidation', self.field_validation)],
                                             **params)
        return self.client.apply(resource, obj, namespace=namespace, serialize=False, server_side=True, **params)

    def adopt_legacy_fields(self, resource, obj, existing):
        """Rename the managed-fields entry of a legacy field manager (LEGACY_FIELD_MANAGERS) to FIELD_MANAGER.

        An object applied under an earlier name keeps every field it owned, now owned by the one
        name, so the next apply neither conflicts nor leaves fields owned by a manager that no
        longer applies them. One JSON patch, guarded by a test of the entry (a dry run in check
        mode). Returns whether the object had such an entry.
        """
        entries = ((existing or {}).get('metadata') or {}).get('managedFields') or []
        ours = any(e.get('manager') == FIELD_MANAGER and e.get('operation') == 'Apply' and not e.get('subresource')
                   for e in entries)
        ops = []
        for index in reversed(range(len(entries))):   # highest index first: a removal shifts none still to do
            entry = entries[index]
            if entry.get('manager') in LEGACY_FIELD_MANAGERS and entry.get('operation') == 'Apply' \
                    and not entry.get('subresource'):
                path = '/metadata/managedFields/%d' % index
                ops.append({'op': 'test', 'path': path + '/manager', 'value': entry['manager']})
                # With an entry of our own already there, the legacy one only goes (ours holds what we apply).
                ops.append({'op': 'remove', 'path': path} if ours
                           else {'op': 'replace', 'path': path + '/manager', 'value': FIELD_MANAGER})
                ours = True
        if not ops:
            return False
        meta = obj['metadata']
        try:
            self.client.patch(resource, ops, name=meta['name'], namespace=meta.get('namespace'),
                              content_type='application/json-patch+json')
        except DynamicApiError as exc:
            body = getattr(exc, 'body', exc)
            raise CoreException('Failed to hand %s %s over from field manager %s to %s: %s'
                                % (obj['kind'], meta['name'], ', '.join(LEGACY_FIELD_MANAGERS), FIELD_MANAGER, body))
        return True

    def list(self, api_version, kind, namespace=None, label_selector=None):
        resource = self.resource(api_version, kind)
        try:
            found = self.client.get(resource, namespace=namespace, label_selector=label_selector)
        except NotFoundError:
            return []
        data = found.to_dict() if hasattr(found, 'to_dict') else found
        return data.get('items') or []

    def delete(self, api_version, kind, name, namespace=None):
        """Delete one object (a dry run in check mode); False when it was not there."""
        try:
            self.client.delete(self.resource(api_version, kind), name=name, namespace=namespace)
        except NotFoundError:
            return False
        return True

    def prune(self, kinds, namespace, label_selector, keep=()):
        """Delete the objects of the given (apiVersion, kind)s carrying the labels, except those in keep.

        ``keep`` holds (kind, name) pairs. Returns (deleted refs, the deleted objects as they were).
        Objects already being deleted are left alone. Only objects matching the selector are
        touched, which is how the collection removes exactly what it created.
        """
        keep = set(keep)
        deleted, before = [], []
        for api_version, kind in kinds:
            for item in self.list(api_version, kind, namespace, label_selector):
                item.setdefault('apiVersion', api_version)
                item.setdefault('kind', kind)
                meta = item['metadata']
                if (kind, meta['name']) in keep or meta.get('deletionTimestamp'):
                    continue
                if self.delete(api_version, kind, meta['name'], meta.get('namespace')):
                    deleted.append(ref(item))
                    before.append(redact(_clean(item)))
        return deleted, before

    def delete_by_labels(self, kinds, namespace, label_selector):
        """Delete every object of the given (apiVersion, kind)s carrying the labels.

        Returns (changed, deleted refs, diff); state=absent of a module that owns objects.
        """
        deleted, before = self.prune(kinds, namespace, label_selector)
        return bool(deleted), deleted, {'before': before, 'after': [{} for dummy in before]}
