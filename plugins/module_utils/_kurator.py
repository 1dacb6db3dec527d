# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Kurator's own API (v0.6, every group v1alpha1): the objects built from the topology.

Pure functions build the objects (``fleet_objects``, ``application_object``) and the
kubeconfig an AttachedCluster's Secret carries (``member_kubeconfig``); ``converge`` is
the module runner: validate every object against Kurator's CRD schemas (``_schema``),
then one server-side apply with ``fieldValidation=Strict`` (so the API server rejects
an unknown field instead of dropping it), then prune what this owner created before and
no longer generates. Kurator's operators are not needed for any of it: the objects are
what they would reconcile.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import json
import os

from ansible_collections.fleetops.kurator.plugins.module_utils._k8s import (
    Applier, CoreException, k8s_argument_spec, redact, ref, result_refs)
from ansible_collections.fleetops.kurator.plugins.module_utils._labels import (
    dns1123_label_error, dns1123_subdomain_error, label_key_error, label_value_error, problem)
from ansible_collections.fleetops.kurator.plugins.module_utils._policy import (
    MANAGED_BY, MANAGED_BY_LABEL, OWNER_LABEL, owner_value)
from ansible_collections.fleetops.kurator.plugins.module_utils._schema import SchemaError, crd_schemas, validate_objects

API_VERSIONS = {
    'Fleet': 'fleet.kurator.dev/v1alpha1',
    'AttachedCluster': 'cluster.kurator.dev/v1alpha1',
    'Application': 'apps.kurator.dev/v1alpha1',
    'Backup': 'backup.kurator.dev/v1alpha1',
    'Restore': 'backup.kurator.dev/v1alpha1',
    'Migrate': 'backup.kurator.dev/v1alpha1',
}
# The CRD of each kind (upstream's plural for Fleet is "fleet").
CRD_NAMES = {
    'Fleet': 'fleet.fleet.kurator.dev',
    'AttachedCluster': 'attachedclusters.cluster.kurator.dev',
    'Application': 'applications.apps.kurator.dev',
    'Backup': 'backups.backup.kurator.dev',
    'Restore': 'restores.backup.kurator.dev',
    'Migrate': 'migrates.backup.kurator.dev',
}
# AttachedCluster.spec.kubeconfig.key: upstream's default key.
KUBECONFIG_KEY = 'value'


class KuratorError(ValueError):
    """Invalid input, with every problem (``errors``)."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(KuratorError, self).__init__('; '.join(self.errors))


def owner_labels(kind, namespace, name):
    return {OWNER_LABEL: owner_value(kind, namespace, name), MANAGED_BY_LABEL: MANAGED_BY}


def _meta(name, namespace, labels):
    return {'name': name, 'namespace': namespace, 'labels': labels}


# --- CRD schemas ------------------------------------------------------------------------------


def read_crd_files(path):
    """The CRD documents in a file or in the *.yaml/*.yml/*.json files of a directory (recursively)."""
    import yaml
    files = []
    if os.path.isdir(path):
        for root, dirs, names in os.walk(path):
            dirs.sort()
            files.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(('.yaml', '.yml', '.json')))
    elif os.path.isfile(path):
        files = [path]
    else:
        raise KuratorError([problem('crds', path, 'a file or directory with Kurator\'s CRDs (it does not exist)')])
    docs = []
    for name in files:
        with open(name) as handle:
            docs.extend(d for d in yaml.safe_load_all(handle) if isinstance(d, dict))
    return docs


def cluster_schemas(applier, kinds):
    """The schemas of the CRDs of ``kinds`` as the API server has them installed."""
    docs, missing = [], []
    for kind in kinds:
        found = applier.get({'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
                             'metadata': {'name': CRD_NAMES[kind]}})
        if found:
            docs.append(found)
        else:
            missing.append(CRD_NAMES[kind])
    if missing:
        raise KuratorError(['Kurator\'s CRDs are not installed in this cluster (%s not found): run the '
                            'fleetops.kurator.kurator role first, or give the CRD files in crds'
                            % ', '.join(missing)])
    return crd_schemas(docs)


def schemas_for(applier, crds, kinds):
    """From the CRD files (``crds``) when given, else from the cluster; every kind must be there."""
    schemas = crd_schemas(read_crd_files(crds)) if crds else cluster_schemas(applier, kinds)
    missing = [k for k in kinds if (API_VERSIONS[k], k) not in schemas]
    if missing:
        raise KuratorError([problem('crds', crds, 'the CRDs of %s (%s missing there)'
                                    % (', '.join(API_VERSIONS[k] + ' ' + k for k in kinds), ', '.join(missing)))])
    return schemas


# --- kubeconfig of a member -------------------------------------------------------------------

_INLINE = (('certificate-authority', 'certificate-authority-data'),
           ('client-certificate', 'client-certificate-data'),
           ('client-key', 'client-key-data'))


def _load_kubeconfig(ref, where):
    import yaml
    if isinstance(ref, dict):
        return copy.deepcopy(ref), ''
    if not isinstance(ref, str) or not ref:
        raise KuratorError([problem(where, '<kubeconfig>', 'a kubeconfig: a file path or its content')])
    if '\n' in ref:
        doc, base = yaml.safe_load(ref), ''
    else:
        path = os.path.expanduser(ref)
        try:
            with open(path) as handle:
                doc = yaml.safe_load(handle)
        except (IOError, OSError) as exc:
            raise KuratorError(['%s: cannot read the kubeconfig %s: %s' % (where, ref, exc.strerror or exc)])
        base = os.path.dirname(path)
    if not isinstance(doc, dict):
        raise KuratorError(['%s: the kubeconfig is not a mapping' % where])
    return doc, base


def _named(items, name, what, where):
    for item in items or []:
        if isinstance(item, dict) and item.get('name') == name:
            return copy.deepcopy(item.get(what) or {})
    raise KuratorError(['%s: the kubeconfig has no %s named %r' % (where, what, name)])


def _inline(section, base, where):
    for ref_key, data_key in _INLINE:
        if ref_key in section:
            path = section.pop(ref_key)
            path = path if os.path.isabs(path) or not base else os.path.join(base, path)
            try:
                with open(path, 'rb') as handle:
                    section[data_key] = base64.b64encode(handle.read()).decode('ascii')
            except (IOError, OSError) as exc:
                raise KuratorError(['%s: cannot read %s %s: %s' % (where, ref_key, path, exc.strerror or exc)])
    if 'tokenFile' in section:
        path = section.pop('tokenFile')
        try:
            with open(path if os.path.isabs(path) or not base else os.path.join(base, path)) as handle:
                section['token'] = handle.read().strip()
        except (IOError, OSError) as exc:
            raise KuratorError(['%s: cannot read tokenFile %s: %s' % (where, path, exc.strerror or exc)])


def member_kubeconfig(ref, context=None, server=None, where='kubeconfig'):
    """The kubeconfig an AttachedCluster's Secret holds: one context, everything inline, as JSON text.

    ``server`` (the topology's api_endpoint) replaces the server URL: fleet-manager runs in the
    host cluster and dials what the controller may reach at another address. Credential plugins
    (exec, auth-provider) are refused: fleet-manager reads the Secret and cannot run them.
    """
    doc, base = _load_kubeconfig(ref, where)
    context = context or doc.get('current-context')
    contexts = [c for c in doc.get('contexts') or [] if isinstance(c, dict)]
    if not context:
        if len(contexts) != 1:
            raise KuratorError(['%s: the kubeconfig has no current-context and %d contexts: name one with the '
                                'cluster\'s context' % (where, len(contexts))])
        context = contexts[0].get('name')
    ctx = _named(contexts, context, 'context', where)
    cluster = _named(doc.get('clusters'), ctx.get('cluster'), 'cluster', where)
    user = _named(doc.get('users'), ctx.get('user'), 'user', where)
    for plugin in ('exec', 'auth-provider'):
        if plugin in user:
            raise KuratorError(['%s: the user of context %r authenticates with a credential plugin (%s); '
                                'fleet-manager reads the kubeconfig from a Secret and cannot run it: use a '
                                'certificate or token kubeconfig' % (where, context, plugin)])
    _inline(cluster, base, where)
    _inline(user, base, where)
    if server:
        cluster['server'] = server
    if not cluster.get('server'):
        raise KuratorError(['%s: cluster %r of the kubeconfig has no server' % (where, ctx.get('cluster'))])
    out = {
        'apiVersion': 'v1', 'kind': 'Config', 'current-context': context,
        'clusters': [{'name': ctx.get('cluster'), 'cluster': cluster}],
        'users': [{'name': ctx.get('user'), 'user': user}],
        'contexts': [{'name': context, 'context': {'cluster': ctx.get('cluster'), 'user': ctx.get('user')}}],
    }
    return json.dumps(out, indent=2, sort_keys=True) + '\n'


# --- Fleet and AttachedClusters ---------------------------------------------------------------


def _check_labels(labels, where, errors):
    if not isinstance(labels, dict):
        errors.append(problem(where, labels, 'a mapping of label keys to string values'))
        return {}
    for key, value in labels.items():
        err = label_key_error(key)
        if err:
            errors.append(problem('%s[%r]' % (where, key), key, 'a label key (%s)' % err))
        if not isinstance(value, str) or label_value_error(value):
            errors.append(problem('%s.%s' % (where, key), value, 'a label value (a string of at most 63 characters)'))
    return labels


def secret_name(cluster):
    return '%s-kubeconfig' % cluster


def fleet_objects(name, namespace, clusters, plugin=None):
    """Secret + AttachedCluster per cluster, then the Fleet listing them (apply in this order).

    ``clusters``: [{name, kubeconfig: <text>, labels}]; ``plugin``: Fleet.spec.plugin as Kurator
    spells it, or None.
    """
    errors = []
    if dns1123_subdomain_error(name):
        errors.append(problem('name', name, 'a Fleet name: a DNS-1123 subdomain'))
    if dns1123_label_error(namespace):
        errors.append(problem('namespace', namespace, 'a namespace name: a DNS-1123 label'))
    seen = {}
    for index, cluster in enumerate(clusters):
        where = 'clusters[%d]' % index
        cname = cluster.get('name')
        # <name>-kubeconfig must stay a valid Secret name, and Kurator's Karmada join names the
        # cluster <name>-attachedcluster (63 characters at most).
        if dns1123_label_error(cname, 47):
            errors.append(problem(where + '.name', cname, 'a cluster name: a DNS-1123 label of at most 47 characters'))
        elif cname in seen:
            errors.append(problem(where + '.name', cname, 'a unique cluster name (already at %s)' % seen[cname]))
        seen.setdefault(cname, where)
        _check_labels(cluster.get('labels') or {}, where + '.labels', errors)
    if plugin is not None and not isinstance(plugin, dict):
        errors.append(problem('plugin', plugin, 'a mapping (Fleet.spec.plugin)'))
    if errors:
        raise KuratorError(errors)
    owner = owner_labels('Fleet', namespace, name)
    objects, refs = [], []
    for cluster in clusters:
        cname = cluster['name']
        labels = dict(cluster.get('labels') or {})
        labels.update(owner)
        objects.append({
            'apiVersion': 'v1', 'kind': 'Secret', 'type': 'Opaque',
            'metadata': _meta(secret_name(cname), namespace, dict(owner)),
            'data': {KUBECONFIG_KEY: base64.b64encode(cluster['kubeconfig'].encode('utf-8')).decode('ascii')},
        })
        objects.append({
            'apiVersion': API_VERSIONS['AttachedCluster'], 'kind': 'AttachedCluster',
            'metadata': _meta(cname, namespace, labels),
            'spec': {'kubeconfig': {'name': secret_name(cname), 'key': KUBECONFIG_KEY}},
        })
        refs.append({'name': cname, 'kind': 'AttachedCluster'})
    spec = {'clusters': refs}
    if plugin:
        spec['plugin'] = copy.deepcopy(plugin)
    objects.append({'apiVersion': API_VERSIONS['Fleet'], 'kind': 'Fleet',
                    'metadata': _meta(name, namespace, dict(owner)), 'spec': spec})
    return objects


FLEET_OWNED = [('v1', 'Secret'), (API_VERSIONS['AttachedCluster'], 'AttachedCluster'), (API_VERSIONS['Fleet'], 'Fleet')]


# --- Application ------------------------------------------------------------------------------

SOURCE_KINDS = ('gitRepository', 'helmRepository', 'ociRepository')


def application_object(name, namespace, source, sync_policies, fleet=None, cluster_selector=None, labels=None):
    """An apps.kurator.dev/v1alpha1 Application; destination {fleet, clusterSelector.matchLabels}."""
    errors = []
    if dns1123_subdomain_error(name):
        errors.append(problem('name', name, 'an Application name: a DNS-1123 subdomain'))
    if dns1123_label_error(namespace):
        errors.append(problem('namespace', namespace, 'a namespace name: a DNS-1123 label'))
    if not isinstance(source, dict) or len([k for k in SOURCE_KINDS if k in source]) != 1:
        errors.append(problem('source', sorted(source) if isinstance(source, dict) else source,
                              'a mapping with exactly one of %s' % ', '.join(SOURCE_KINDS)))
    if not isinstance(sync_policies, list) or not sync_policies:
        errors.append(problem('sync_policies', sync_policies, 'a non-empty list of Application syncPolicies'))
    if cluster_selector is not None and not fleet:
        errors.append(problem('cluster_selector', cluster_selector, 'no selector without fleet (it selects clusters of the fleet)'))
    own = _check_labels(labels or {}, 'labels', errors)
    if cluster_selector:
        _check_labels(cluster_selector, 'cluster_selector', errors)
    if errors:
        raise KuratorError(errors)
    meta_labels = dict(own)
    meta_labels.update(owner_labels('Application', namespace, name))
    spec = {'source': copy.deepcopy(source), 'syncPolicies': copy.deepcopy(sync_policies)}
    if fleet:
        spec['destination'] = {'fleet': fleet}
        if cluster_selector:
            spec['destination']['clusterSelector'] = {'matchLabels': dict(cluster_selector)}
    return {'apiVersion': API_VERSIONS['Application'], 'kind': 'Application',
            'metadata': _meta(name, namespace, meta_labels), 'spec': spec}


# --- the module runner ------------------------------------------------------------------------


def kurator_argument_spec(**extra):
    """The options every Kurator module has, with the module's own (``crds`` and ``validate``: doc fragment
    fleetops.kurator.kurator; ``force_conflicts``: fleetops.kurator.karmada_policy.force_conflicts)."""
    return k8s_argument_spec(
        namespace=dict(type='str', default='default'),
        crds=dict(type='path'),
        validate=dict(type='bool', default=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        force_conflicts=dict(type='bool', default=False),
        **extra)


def per_object_diff(diff):
    """The Applier's {before: [...], after: [...]} as one diff per object, as Ansible's callbacks show them."""
    out = []
    for before, after in zip(diff['before'], diff['after']):
        obj = after or before or {}
        meta = obj.get('metadata') or {}
        header = '%s %s%s' % (obj.get('kind'), meta.get('namespace') + '/' if meta.get('namespace') else '', meta.get('name'))
        out.append({'before': before or {}, 'after': after or {}, 'before_header': header, 'after_header': header})
    return out


def converge(module, objects, kinds, owned, namespace, owner, prune=True, extra=None):
    """Validate, apply in one call, prune; exit the module. ``owner`` is the owner label value.

    ``kinds``: the Kurator kinds among ``objects`` (their schemas are read from ``crds`` or the
    cluster); ``owned``: (apiVersion, kind) pairs pruned by the owner label; ``extra``: more
    result keys.
    """
    extra = extra or {}
    params = module.params
    applier = Applier(module, force_conflicts=params.get('force_conflicts', False), field_validation='Strict')
    selector = '%s=%s' % (OWNER_LABEL, owner)
    try:
        if params['state'] == 'absent':
            changed, deleted, diff = applier.delete_by_labels(owned, namespace, selector)
            result = dict(extra, changed=changed, deleted=deleted, objects=[], owner=owner)
            if module._diff:
                result['diff'] = per_object_diff(diff)
            module.exit_json(**result)
        if params.get('validate', True):
            schemas = schemas_for(applier, params.get('crds'), kinds)
            validate_objects([o for o in objects if o['kind'] in kinds], schemas)
        # Check mode on a cluster whose Kurator CRDs are not installed yet (the role's CRD apply was a
        # dry run): what is not served would be created, nothing of it can be asked about.
        unserved = set()
        if module.check_mode:
            for kind in set((o['apiVersion'], o['kind']) for o in objects) | set(owned):
                try:
                    applier.resource(*kind)
                except CoreException:
                    unserved.add(kind)
        changed, results, diff = applier.apply([o for o in objects if (o['apiVersion'], o['kind']) not in unserved])
        for obj in objects:
            if (obj['apiVersion'], obj['kind']) in unserved:
                changed = True
                results.append(dict(ref(obj), changed=True, result=redact(obj)))
                diff['before'].append({})
                diff['after'].append(redact(obj))
        deleted = []
        if prune:
            keep = [(o['kind'], o['metadata']['name']) for o in objects]
            deleted, before = applier.prune([k for k in owned if k not in unserved], namespace, selector, keep=keep)
            diff['before'].extend(before)
            diff['after'].extend({} for dummy in before)
    except SchemaError as exc:
        module.fail_json(msg='Kurator\'s CRD schema rejects the objects (nothing was applied): %s' % exc,
                         errors=exc.errors, **extra)
    except KuratorError as exc:
        module.fail_json(msg=str(exc), errors=exc.errors)
    except CoreException as exc:
        module.fail_json(msg=str(exc))
    result = dict(extra, changed=changed or bool(deleted), deleted=deleted, owner=owner,
                  objects=result_refs(results))
    if module._diff:
        result['diff'] = per_object_diff(diff)
    module.exit_json(**result)
