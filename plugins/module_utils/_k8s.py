# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Apply Kubernetes objects for the collection's modules through kubernetes.core.

One module call applies a whole list of objects with server-side apply (field
manager ``fleetops.kurator``).  Check mode sends the same requests with
``dryRun=All`` so admission and defaulting run for real; diff mode returns
before/after per object; ``changed`` compares the stored object before and
after the apply, so re-applying the same objects reports no change.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import traceback

FIELD_MANAGER = 'fleetops.kurator'

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


# Same option names and aliases as kubernetes.core (doc fragment fleetops.kurator.k8s_auth).
K8S_AUTH_ARGS = dict(
    kubeconfig=dict(type='raw'),
    context=dict(type='str'),
    host=dict(type='str'),
    api_key=dict(type='str', no_log=True),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    validate_certs=dict(type='bool', default=True, aliases=['verify_ssl']),
    ca_cert=dict(type='path', aliases=['ssl_ca_cert']),
    client_cert=dict(type='path', aliases=['cert_file']),
    client_key=dict(type='path', aliases=['key_file'], no_log=False),
    proxy=dict(type='str'),
    no_proxy=dict(type='str'),
    persist_config=dict(type='bool'),
    impersonate_user=dict(type='str'),
    impersonate_groups=dict(type='list', elements='str'),
)

# Fields the API server owns; never part of a diff or of the changed decision.
_VOLATILE_META = ('managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid',
                  'selfLink')


def k8s_argument_spec(**extra):
    spec = copy.deepcopy(K8S_AUTH_ARGS)
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


def ref(obj):
    meta = obj.get('metadata') or {}
    ref_ = {'apiVersion': obj.get('apiVersion'), 'kind': obj.get('kind'), 'name': meta.get('name')}
    if meta.get('namespace'):
        ref_['namespace'] = meta['namespace']
    return ref_


class Applier(object):
    """Server-side apply and label-selected delete for a list of objects.

    ``client`` is a kubernetes.core K8SClient (get_api_client(module)); tests pass a fake.
    """

    def __init__(self, module, client=None, force_conflicts=False):
        self.module = module
        self.force_conflicts = force_conflicts
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

    def _resource(self, api_version, kind):
        try:
            return self.client.resource(kind, api_version)
        except Exception as exc:  # discovery errors name the missing API, which is what users need
            raise CoreException('API %s %s is not served: %s' % (api_version, kind, exc))

    def get(self, obj):
        resource = self._resource(obj['apiVersion'], obj['kind'])
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
            resource = self._resource(obj['apiVersion'], obj['kind'])
            existing = self.get(obj)
            params = dict(server_side=True, field_manager=FIELD_MANAGER,
                          force_conflicts=self.force_conflicts)
            try:
                response = self.client.apply(resource, obj, namespace=obj['metadata'].get('namespace'),
                                             serialize=False, **params)
                applied, dummy = decode_response(response) if HAS_K8S_CORE and not isinstance(
                    response, dict) else (response, [])
            except DynamicApiError as exc:
                body = getattr(exc, 'body', exc)
                raise CoreException('Failed to apply %s %s: %s' % (obj['kind'], obj['metadata']['name'], body))
            before, after = _clean(existing), _clean(applied)
            obj_changed = before != after
            changed = changed or obj_changed
            results.append(dict(ref(obj), changed=obj_changed, result=after))
            if obj_changed:
                before_all.append(before or {})
                after_all.append(after)
        return changed, results, {'before': before_all, 'after': after_all}

    def list(self, api_version, kind, namespace=None, label_selector=None):
        resource = self._resource(api_version, kind)
        try:
            found = self.client.get(resource, namespace=namespace, label_selector=label_selector)
        except NotFoundError:
            return []
        data = found.to_dict() if hasattr(found, 'to_dict') else found
        return data.get('items') or []

    def delete_by_labels(self, kinds, namespace, label_selector):
        """Delete every object of the given (apiVersion, kind)s carrying the labels.

        Returns (changed, deleted refs, diff).  Only objects matching the selector are
        touched, which is how state=absent removes exactly what this collection created.
        """
        deleted, before_all = [], []
        for api_version, kind in kinds:
            resource = self._resource(api_version, kind)
            for item in self.list(api_version, kind, namespace, label_selector):
                item.setdefault('apiVersion', api_version)
                item.setdefault('kind', kind)
                meta = item['metadata']
                if meta.get('deletionTimestamp'):
                    continue
                try:
                    self.client.delete(resource, name=meta['name'], namespace=meta.get('namespace'))
                except NotFoundError:
                    continue
                deleted.append(ref(item))
                before_all.append(_clean(item))
        return bool(deleted), deleted, {'before': before_all, 'after': [{} for dummy in before_all]}


def karmada_clusters(applier):
    """Member clusters as placement input, read from cluster.karmada.io/v1alpha1 Cluster objects."""
    clusters = []
    for item in applier.list('cluster.karmada.io/v1alpha1', 'Cluster'):
        meta, spec = item.get('metadata') or {}, item.get('spec') or {}
        clusters.append({'name': meta.get('name'), 'labels': meta.get('labels') or {},
                         'provider': spec.get('provider'), 'region': spec.get('region'),
                         'zones': spec.get('zones') or ([spec['zone']] if spec.get('zone') else [])})
    return clusters


def workload_replicas(applier, selector, namespace):
    """(replicas, uid) of the resource template a named selector points at, or (None, '')."""
    if not selector.get('name'):
        return None, ''
    obj = {'apiVersion': selector['apiVersion'], 'kind': selector['kind'],
           'metadata': {'name': selector['name'], 'namespace': selector.get('namespace') or namespace}}
    found = applier.get(obj)
    if not found:
        return None, ''
    return (found.get('spec') or {}).get('replicas'), (found.get('metadata') or {}).get('uid', '')


# --- modules that manage one Karmada policy ------------------------------------------

POLICY_API = 'policy.karmada.io/v1alpha1'


def policy_argument_spec(**extra):
    """The options every single-policy module has (doc fragment fleetops.kurator.karmada_policy)."""
    return k8s_argument_spec(
        name=dict(type='str', required=True),
        namespace=dict(type='str', default='default'),
        cluster_scoped=dict(type='bool', default=False),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        force_conflicts=dict(type='bool', default=False),
        **extra)


def run_policy_module(module, kind, build):
    """Converge one policy of ``kind`` (``Cluster<kind>`` with cluster_scoped) and exit.

    ``build(applier, namespace)`` returns (object, plan, translations, warnings) and raises
    PolicyError on invalid input; state=absent deletes the policy without calling it.
    """
    from ansible_collections.fleetops.kurator.plugins.module_utils._policy import PolicyError

    params = module.params
    namespace = None if params['cluster_scoped'] else params['namespace']
    kind = 'Cluster' + kind if params['cluster_scoped'] else kind
    applier = Applier(module, force_conflicts=params['force_conflicts'])
    try:
        if params['state'] == 'absent':
            obj = {'apiVersion': POLICY_API, 'kind': kind, 'metadata': {'name': params['name'], 'namespace': namespace}}
            existing = applier.get(obj)
            if existing:  # the client sends dryRun=All in check mode
                applier.client.delete(applier._resource(POLICY_API, kind), name=params['name'], namespace=namespace)
            module.exit_json(changed=bool(existing), plan={}, translations=[], placement_warnings=[],
                             diff={'before': existing or {}, 'after': {}})
        obj, plan, translations, warnings = build(applier, namespace)
        changed, results, diff = applier.apply([obj])
    except PolicyError as exc:
        module.fail_json(msg='invalid %s: %s' % (kind, exc), errors=exc.errors)
    except CoreException as exc:
        module.fail_json(msg=str(exc))
    for warning in warnings:
        module.warn(warning)
    result = dict(changed=changed, object=results[0]['result'], plan=plan, translations=translations,
                  placement_warnings=warnings)
    if module._diff:
        result['diff'] = {'before': diff['before'][0] if diff['before'] else {},
                          'after': diff['after'][0] if diff['after'] else {}}
    module.exit_json(**result)
