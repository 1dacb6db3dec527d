# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Build Karmada policy objects (policy.karmada.io/v1alpha1) from what users write.

* validate_propagation_spec / validate_override_spec first check the shape of the
  spec against the Karmada v1.18 API types (types, known keys with a "did you mean",
  CRD enums; "<field path>: got X; expected Y"), then reproduce karmada-webhook's
  ValidatePropagationSpec / ValidateOverrideSpec (pkg/util/validation/validation.go)
  with the failing field path in every message, so nothing invalid is sent.
* translate_spec turns user shorthands into the upstream shape and reports each
  translation; warnings name what Karmada would silently ignore.
* federated_deployment turns the user's FederatedDeployment (a KubeFed-era idea,
  not an upstream CRD) into a Deployment, Service/Ingress and PropagationPolicies.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import hashlib
import re

from ansible_collections.fleetops.kurator.plugins.module_utils import _identity
from ansible_collections.fleetops.kurator.plugins.module_utils._labels import (
    cluster_name_error, dns1035_label_error, dns1123_label_error, dns1123_subdomain_error, label_key_error,
    label_value_error, problem)
from ansible_collections.fleetops.kurator.plugins.module_utils._placement import (
    BOOL, CLUSTER_AFFINITY, CLUSTER_NAME, CLUSTER_NAMES, INT32, INT32_MAX, INT64_MAX, LABEL_SELECTOR, REPLICA_SCHEDULING,
    SEATS_LIMIT, STATIC_CLUSTER_WEIGHT, STRING, STRINGS, anything, enum, extend, integer, is_int, list_of, map_of,
    mapping, placement_shape, shape_errors)

API_VERSION = 'policy.karmada.io/v1alpha1'
OWNER_LABEL = 'fleetops.kurator/owner'
MANAGED_BY_LABEL = _identity.MANAGED_BY_LABEL
MANAGED_BY = _identity.MANAGED_BY

MODES = ('duplicated', 'weighted', 'dynamic', 'aggregated')
SPREAD_FIELDS = ('cluster', 'region', 'zone', 'provider')


class PolicyError(ValueError):
    """Invalid input; .errors lists every problem as 'field.path: message'."""

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = [errors]
        self.errors = list(errors)
        super(PolicyError, self).__init__('; '.join(self.errors))


def _err(path, message, value=None):
    if value is None:
        return '%s: %s' % (path, message)
    return '%s: Invalid value: %r: %s' % (path, value, message)


# ---------------------------------------------------------------------------
# Validation (karmada-webhook + CRD schema)
# ---------------------------------------------------------------------------

# The v1.18 API types (pkg/apis/policy/v1alpha1), for the shape check.
RESOURCE_SELECTOR = mapping({'apiVersion': STRING, 'kind': STRING, 'namespace': STRING, 'name': STRING,
                             'labelSelector': LABEL_SELECTOR})
STATE_PRESERVATION = mapping({'rules': list_of(mapping({'aliasLabelName': STRING, 'jsonPath': STRING}))})
FAILOVER = mapping({
    'application': mapping({
        'decisionConditions': mapping({'tolerationSeconds': INT32}),
        'purgeMode': enum('Directly', 'Gracefully', 'Never', 'Immediately', 'Graciously'),
        'gracePeriodSeconds': INT32,
        'statePreservation': STATE_PRESERVATION}),
    'cluster': mapping({'purgeMode': enum('Directly', 'Gracefully'), 'statePreservation': STATE_PRESERVATION}),
})
PROPAGATION_FIELDS = {
    'resourceSelectors': list_of(RESOURCE_SELECTOR),
    'association': BOOL,
    'propagateDeps': BOOL,
    'placement': placement_shape(),
    'priority': INT32,
    'preemption': STRING,
    'dependentOverrides': STRINGS,
    'schedulerName': STRING,
    'failover': FAILOVER,
    'conflictResolution': STRING,
    'activationPreference': STRING,
    'suspension': mapping({'dispatching': BOOL, 'dispatchingOnClusters': mapping({'clusterNames': CLUSTER_NAMES})}),
    'preserveResourcesOnDeletion': BOOL,
    'schedulePriority': mapping({'priorityClassSource': enum('KubePriorityClass'), 'priorityClassName': STRING}),
}
PROPAGATION_SPEC = mapping(PROPAGATION_FIELDS)
# What users may write: the upstream spec plus the weightList shorthand translate_placement moves.
USER_PROPAGATION_SPEC = mapping(dict(PROPAGATION_FIELDS, placement=placement_shape(
    extend(REPLICA_SCHEDULING, weightList=list_of(STATIC_CLUSTER_WEIGHT)))))

OPERATOR = enum('add', 'remove', 'replace')
PATCHES = list_of(mapping({'subPath': STRING, 'operator': OPERATOR, 'value': anything}))
COMMAND_ARGS = list_of(mapping({'containerName': STRING, 'operator': enum('add', 'remove'), 'value': STRINGS}))
LABELS_ANNOTATIONS = list_of(mapping({'operator': OPERATOR, 'value': map_of(STRING, 'a mapping of keys to string values')}))
OVERRIDERS = mapping({
    'plaintext': list_of(mapping({'path': STRING, 'operator': OPERATOR, 'value': anything})),
    'imageOverrider': list_of(mapping({'predicate': mapping({'path': STRING}),
                                       'component': enum('Registry', 'Repository', 'Tag'),
                                       'operator': OPERATOR, 'value': STRING})),
    'commandOverrider': COMMAND_ARGS,
    'argsOverrider': COMMAND_ARGS,
    'labelsOverrider': LABELS_ANNOTATIONS,
    'annotationsOverrider': LABELS_ANNOTATIONS,
    'fieldOverrider': list_of(mapping({'fieldPath': STRING, 'json': PATCHES, 'yaml': PATCHES})),
})
OVERRIDE_SPEC = mapping({
    'resourceSelectors': list_of(RESOURCE_SELECTOR),
    'overrideRules': list_of(mapping({'targetCluster': CLUSTER_AFFINITY, 'overriders': OVERRIDERS})),
    'targetCluster': CLUSTER_AFFINITY,
    'overriders': OVERRIDERS,
})


def _validate_field_selector(fs, path):
    errors = []
    for i, expr in enumerate((fs or {}).get('matchExpressions') or []):
        if expr.get('key') not in ('provider', 'region', 'zone'):
            errors.append(_err('%s.matchExpressions[%d].key' % (path, i),
                               'unsupported key %r, must be provider, region, or zone' % (expr.get('key'),)))
        if expr.get('operator') not in ('In', 'NotIn'):
            errors.append(_err('%s.matchExpressions[%d].operator' % (path, i),
                               'unsupported operator %r, must be In or NotIn' % (expr.get('operator'),)))
        errors += _selector_value_errors(expr.get('values'), '%s.matchExpressions[%d].values' % (path, i))
    return errors


def _selector_value_errors(values, path):
    """Selector values are compared with label values (or provider/region/zones): an invalid one never matches."""
    errors = []
    for j, value in enumerate(values or []):
        msg = label_value_error(value)
        if msg:
            errors.append(_err('%s[%d]' % (path, j), msg, value))
    return errors


def _validate_label_selector(sel, path):
    if sel is None:
        return []
    errors = _label_errors(sel.get('matchLabels'), path + '.matchLabels')
    for i, expr in enumerate(sel.get('matchExpressions') or []):
        p = '%s.matchExpressions[%d]' % (path, i)
        op = expr.get('operator')
        if op not in ('In', 'NotIn', 'Exists', 'DoesNotExist'):
            errors.append(_err(p + '.operator', 'not a valid selector operator', op))
        elif op in ('In', 'NotIn') and not expr.get('values'):
            errors.append(_err(p + '.values', 'must be specified when `operator` is \'In\' or \'NotIn\''))
        elif op in ('Exists', 'DoesNotExist') and expr.get('values'):
            errors.append(_err(p + '.values', 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''))
        msg = label_key_error(expr.get('key'))
        if msg:
            errors.append(_err(p + '.key', msg, expr.get('key')))
        errors += _selector_value_errors(expr.get('values'), p + '.values')
    return errors


def _validate_cluster_affinity(aff, path):
    if aff is None:
        return []
    errors = _validate_field_selector(aff.get('fieldSelector'), path + '.fieldSelector')
    errors += _validate_label_selector(aff.get('labelSelector'), path + '.labelSelector')
    return errors


def _empty_affinity(aff):
    return not (aff.get('labelSelector') is not None or aff.get('fieldSelector') is not None
                or aff.get('clusterNames') or aff.get('exclude'))


def overflow_allowed(rs):
    if not rs or rs.get('replicaSchedulingType', 'Divided') != 'Divided':
        return False
    pref = rs.get('replicaDivisionPreference') or 'Weighted'
    if pref == 'Aggregated':
        return True
    return pref == 'Weighted' and bool((rs.get('weightPreference') or {}).get('dynamicWeight'))


def _validate_replica_scheduling(rs, path):
    """CRD schema checks for replicaScheduling (enums, weight minimum 1)."""
    errors = []
    if rs is None:
        return errors
    rtype = rs.get('replicaSchedulingType')
    if rtype not in (None, '', 'Duplicated', 'Divided'):
        errors.append(_err(path + '.replicaSchedulingType', 'supported values: "Duplicated", "Divided"', rtype))
    pref = rs.get('replicaDivisionPreference')
    if pref not in (None, '', 'Aggregated', 'Weighted'):
        errors.append(_err(path + '.replicaDivisionPreference', 'supported values: "Aggregated", "Weighted"', pref))
    wp = rs.get('weightPreference') or {}
    if wp.get('dynamicWeight') not in (None, '', 'AvailableReplicas'):
        errors.append(_err(path + '.weightPreference.dynamicWeight', 'supported values: "AvailableReplicas"',
                           wp.get('dynamicWeight')))
    for i, rule in enumerate(wp.get('staticWeightList') or []):
        p = '%s.weightPreference.staticWeightList[%d]' % (path, i)
        weight = rule.get('weight')
        if not is_int(weight) or weight < 1:
            errors.append(_err(p + '.weight', 'should be an integer greater than or equal to 1', weight))
        if 'targetCluster' not in rule:
            errors.append(_err(p + '.targetCluster', 'Required value'))
        errors += _validate_cluster_affinity(rule.get('targetCluster'), p + '.targetCluster')
    return errors


def _validate_spread_constraints(constraints, path):
    errors = []
    seen = {}
    for i, sc in enumerate(constraints or []):
        p = '%s[%d]' % (path, i)
        field, label = sc.get('spreadByField'), sc.get('spreadByLabel')
        if field and label:
            errors.append(_err(p, 'spreadByLabel should not co-exist with spreadByField'))
        if field and field not in SPREAD_FIELDS:
            errors.append(_err(p + '.spreadByField', 'supported values: "cluster", "region", "zone", "provider"',
                               field))
        lo, hi = sc.get('minGroups', 0) or 0, sc.get('maxGroups', 0) or 0
        if not is_int(lo) or not is_int(hi):
            errors.append(_err(p, 'minGroups and maxGroups must be integers'))
            continue
        if lo < 0:
            errors.append(_err(p + '.minGroups', 'minGroups lower than 0 is not allowed', lo))
        if hi < 0:
            errors.append(_err(p + '.maxGroups', 'maxGroups lower than 0 is not allowed', hi))
        if 0 < hi < lo:
            errors.append(_err(p + '.maxGroups', 'maxGroups lower than minGroups is not allowed', hi))
        if field:
            if field in seen:
                errors.append(_err(path, 'multiple %s spread constraints are not allowed' % field))
            seen[field] = True
    if seen and 'cluster' not in seen:
        errors.append(_err(path, 'the cluster spread constraint must be enabled in one of the constraints '
                                 'in case of SpreadByField is enabled'))
    return errors


def validate_placement(placement, path='spec.placement'):
    errors = []
    placement = placement or {}
    if placement.get('clusterAffinity') is not None and placement.get('clusterAffinities') is not None:
        errors.append(_err(path, 'clusterAffinities cannot co-exist with clusterAffinity'))
    rs = placement.get('replicaScheduling')
    terms = placement.get('clusterAffinities') or []
    for i, term in enumerate(terms):
        if term.get('overflowAffinities') is not None and not overflow_allowed(rs):
            errors.append(_err('%s.clusterAffinities[%d].overflowAffinities' % (path, i),
                               'overflowAffinities can only be used together with dynamic weight or '
                               'aggregated scheduling'))
    errors += _validate_cluster_affinity(placement.get('clusterAffinity'), path + '.clusterAffinity')
    names = set()
    for i, term in enumerate(terms):
        p = '%s.clusterAffinities[%d]' % (path, i)
        name = term.get('affinityName')
        msg = label_key_error(name) if name else 'must be non-empty'
        if msg:
            errors.append(_err(p + '.affinityName', msg, name))
        elif len(name) > 32:
            errors.append(_err(p + '.affinityName', 'must be no more than 32 characters', name))
        if name in names:
            errors.append(_err(path + '.clusterAffinities', 'each affinity term in a policy must have a unique name'))
        names.add(name)
        errors += _validate_cluster_affinity(term, p)
        overflow = term.get('overflowAffinities')
        if overflow is not None:
            if _empty_affinity(term):
                errors.append(_err(p + '.overflowAffinities', 'overflowAffinities can only be used together '
                                                              'with the inline ClusterAffinity'))
            seen = set([name])
            for j, oa in enumerate(overflow):
                op = '%s.overflowAffinities[%d]' % (p, j)
                oname = oa.get('affinityName')
                msg = label_key_error(oname)
                if msg:
                    errors.append(_err(op + '.affinityName', msg, oname))
                if oname in seen:
                    errors.append(_err(op + '.affinityName', 'overflow affinity name must be unique and must not '
                                                             'duplicate the primary group\'s affinityName', oname))
                seen.add(oname)
                errors += _validate_cluster_affinity(oa, op)
    errors += _validate_spread_constraints(placement.get('spreadConstraints'), path + '.spreadConstraints')
    wa = placement.get('workloadAffinity')
    if wa:
        for kind in ('affinity', 'antiAffinity'):
            if wa.get(kind) is not None:
                key = wa[kind].get('groupByLabelKey')
                msg = label_key_error(key)
                if msg:
                    errors.append(_err('%s.workloadAffinity.%s.groupByLabelKey' % (path, kind), msg, key))
        if wa.get('affinity') and wa.get('antiAffinity') and \
                wa['affinity'].get('groupByLabelKey') == wa['antiAffinity'].get('groupByLabelKey'):
            errors.append(_err(path + '.workloadAffinity',
                               'affinity and antiAffinity must not use the same groupByLabelKey'))
    for i, tol in enumerate(placement.get('clusterTolerations') or []):
        if tol.get('operator') in ('Lt', 'Gt'):
            errors.append(_err('%s.clusterTolerations[%d].operator' % (path, i),
                               'Unsupported value: %r: supported values: "", "Exists", "Equal"' % tol['operator']))
    errors += _validate_replica_scheduling(rs, path + '.replicaScheduling')
    return errors


def _validate_selectors(selectors, namespace, path, required=True):
    errors = []
    if required and not selectors:
        errors.append(_err(path, 'Required value: at least one resource selector'))
    for i, sel in enumerate(selectors or []):
        p = '%s[%d]' % (path, i)
        if not sel.get('apiVersion'):
            errors.append(_err(p + '.apiVersion', 'Required value'))
        if not sel.get('kind'):
            errors.append(_err(p + '.kind', 'Required value'))
        if namespace and sel.get('namespace', namespace) != namespace:
            errors.append(_err(p + '.namespace', 'namespace of resource selector must be the same as the '
                                                 'namespace of the policy', sel.get('namespace')))
        errors += _validate_label_selector(sel.get('labelSelector'), p + '.labelSelector')
    return errors


def validate_propagation_spec(spec, namespace=None):
    """karmada-webhook ValidatePropagationSpec; namespace=None for ClusterPropagationPolicy.

    A spec of the wrong shape (types, unknown keys, CRD enums) gets only those errors:
    the webhook's rules assume the shape.
    """
    spec = {} if spec is None else spec
    return shape_errors(PROPAGATION_SPEC, spec, 'spec') or _propagation_rules(spec, namespace)


def _propagation_rules(spec, namespace):
    """The webhook's rules for a spec of the right shape."""
    errors = validate_placement(spec.get('placement'))
    failover = spec.get('failover') or {}
    app = failover.get('application')
    if app is not None and not spec.get('propagateDeps'):
        errors.append(_err('spec.propagateDeps', 'application failover is set, propagateDeps must be true',
                           bool(spec.get('propagateDeps'))))
    if app is not None:
        p = 'spec.failover.application'
        tol = (app.get('decisionConditions') or {}).get('tolerationSeconds', 300)
        if is_int(tol) and tol < 0:
            errors.append(_err(p + '.decisionConditions.tolerationSeconds', 'must be greater than or equal to 0', tol))
        mode = app.get('purgeMode', 'Gracefully')
        grace = app.get('gracePeriodSeconds')
        gracefully = mode in ('Gracefully', 'Graciously')
        if not gracefully and grace is not None:
            errors.append(_err(p + '.gracePeriodSeconds', 'only takes effect when purgeMode is gracefully', grace))
        if gracefully and grace is None:
            errors.append(_err(p + '.gracePeriodSeconds', 'should not be empty when purgeMode is gracefully'))
        if grace is not None and is_int(grace) and grace <= 0:
            errors.append(_err(p + '.gracePeriodSeconds', 'must be greater than 0', grace))
    for kind in ('application', 'cluster'):
        rules = ((failover.get(kind) or {}).get('statePreservation') or {}).get('rules') or []
        for i, rule in enumerate(rules):
            msg = label_key_error(rule.get('aliasLabelName'))
            if msg:
                errors.append(_err('spec.failover.%s.statePreservation.rules[%d].aliasLabelName' % (kind, i),
                                   msg, rule.get('aliasLabelName')))
    errors += _validate_selectors(spec.get('resourceSelectors'), namespace, 'spec.resourceSelectors')
    if spec.get('preemption') == 'Always':
        for i, sel in enumerate(spec.get('resourceSelectors') or []):
            if not sel.get('name'):
                errors.append(_err('spec.resourceSelectors[%d].name' % i,
                                   'name cannot be empty if preemption is Always, the empty name may cause '
                                   'unexpected resources preemption'))
    suspension = spec.get('suspension') or {}
    if suspension.get('dispatching') and (suspension.get('dispatchingOnClusters') or {}).get('clusterNames'):
        errors.append(_err('spec.suspension', 'suspension dispatching cannot co-exist with '
                                              'dispatchingOnClusters.clusterNames'))
    for key, allowed in (('preemption', ('Always', 'Never')), ('conflictResolution', ('Abort', 'Overwrite')),
                         ('activationPreference', ('', 'Lazy'))):
        if key in spec and spec[key] not in allowed:
            errors.append(_err('spec.' + key, 'supported values: %s' % ', '.join('"%s"' % a for a in allowed),
                               spec[key]))
    return errors


_JSON_POINTER = re.compile(r'(/([^~/]|~[01])*)*')


def _pointer_error(path):
    if not isinstance(path, str) or not _JSON_POINTER.fullmatch(path):
        return 'JSON pointer must be empty or start with a "/"'
    return None


def _json_size(value):
    return 0 if value is None else 1


def validate_override_spec(spec, namespace=None):
    """karmada-webhook ValidateOverrideSpec (after the shape check, as for propagation specs)."""
    spec = {} if spec is None else spec
    return shape_errors(OVERRIDE_SPEC, spec, 'spec') or _override_rules(spec, namespace)


def _override_rules(spec, namespace):
    errors = []
    if spec.get('targetCluster') is not None:
        errors += _validate_cluster_affinity(spec['targetCluster'], 'spec.targetCluster')
        if spec.get('overrideRules') is not None:
            errors.append(_err('spec.targetCluster', 'overrideRules and targetCluster can\'t co-exist'))
    overriders = spec.get('overriders') or {}
    deprecated = ('plaintext', 'imageOverrider', 'commandOverrider', 'argsOverrider', 'labelsOverrider',
                  'annotationsOverrider')
    if any(overriders.get(k) for k in deprecated) and spec.get('overrideRules') is not None:
        errors.append(_err('spec.overriders', 'overrideRules and overriders can\'t co-exist'))
    for r, rule in enumerate(spec.get('overrideRules') or []):
        rp = 'spec.overrideRules[%d]' % r
        ov = rule.get('overriders') or {}
        for i, item in enumerate(ov.get('annotationsOverrider') or []):
            for key in (item.get('value') or {}):
                msg = label_key_error(key)
                if msg:
                    errors.append(_err('%s.overriders.annotationsOverrider[%d].value' % (rp, i), msg, key))
        for i, item in enumerate(ov.get('labelsOverrider') or []):
            for key, value in (item.get('value') or {}).items():
                msg = label_key_error(key) or label_value_error(value)
                if msg:
                    errors.append(_err('%s.overriders.labelsOverrider[%d].value' % (rp, i), msg, {key: value}))
        for i, item in enumerate(ov.get('imageOverrider') or []):
            pred = item.get('predicate')
            if pred is not None and _pointer_error(pred.get('path')):
                errors.append(_err('%s.overriders.imageOverrider[%d].predicate.path' % (rp, i),
                                   _pointer_error(pred.get('path')), pred.get('path')))
        for i, fo in enumerate(ov.get('fieldOverrider') or []):
            fp = '%s.overriders.fieldOverrider[%d]' % (rp, i)
            if fo.get('yaml') and fo.get('json'):
                errors.append(_err(fp, 'FieldOverrider has both YAML and JSON set. Only one is allowed'))
            if not fo.get('yaml') and not fo.get('json'):
                errors.append(_err(fp, 'Required value: FieldOverrider must have either JSON or YAML set'))
            if _pointer_error(fo.get('fieldPath')):
                errors.append(_err(fp + '.fieldPath', _pointer_error(fo.get('fieldPath')), fo.get('fieldPath')))
            for kind in ('json', 'yaml'):
                for j, patch in enumerate(fo.get(kind) or []):
                    pp = '%s.%s[%d]' % (fp, kind, j)
                    if _pointer_error(patch.get('subPath')):
                        errors.append(_err(pp + '.subPath', _pointer_error(patch.get('subPath')),
                                           patch.get('subPath')))
                    op = patch.get('operator')
                    if op in ('add', 'replace') and _json_size(patch.get('value')) == 0:
                        errors.append(_err(pp + '.value', 'value is required for add or replace operation'))
                    if op == 'remove' and _json_size(patch.get('value')) != 0:
                        errors.append(_err(pp + '.value', 'value is not allowed for remove operation'))
        errors += _validate_cluster_affinity(rule.get('targetCluster'), rp + '.targetCluster')
    errors += _validate_selectors(spec.get('resourceSelectors'), namespace, 'spec.resourceSelectors',
                                  required=False)
    return errors


# ---------------------------------------------------------------------------
# Translation of user shorthands
# ---------------------------------------------------------------------------

def translate_placement(placement):
    """Return (upstream placement, translations, warnings)."""
    placement = copy.deepcopy(placement or {})
    translations, warnings = [], []
    rs = placement.get('replicaScheduling')
    if rs is None:
        return placement, translations, warnings
    weight_list = rs.pop('weightList', None)
    rtype = rs.get('replicaSchedulingType')
    if rtype == 'Weighted':
        rs['replicaSchedulingType'] = 'Divided'
        translations.append('replicaScheduling.replicaSchedulingType "Weighted" is not an upstream value '
                            '(Duplicated|Divided); emitted "Divided", which divides replicas by weight.')
    if weight_list is not None:
        wp = rs.setdefault('weightPreference', {}) or {}
        rs['weightPreference'] = wp
        wp['staticWeightList'] = list(wp.get('staticWeightList') or []) + list(weight_list)
        translations.append('replicaScheduling.weightList is not an upstream field; moved its %d rule(s) to '
                            'replicaScheduling.weightPreference.staticWeightList.' % len(weight_list))
        if rs.get('replicaDivisionPreference') == 'Aggregated':
            rs['replicaDivisionPreference'] = 'Weighted'
            warnings.append('replicaDivisionPreference Aggregated ignores static weights in Karmada (it packs '
                            'replicas into as few clusters as capacity allows); to honour the weights you gave, '
                            'the policy uses replicaDivisionPreference Weighted.')
        elif not rs.get('replicaDivisionPreference'):
            rs['replicaDivisionPreference'] = 'Weighted'
        rs.setdefault('replicaSchedulingType', 'Divided')
    wp = rs.get('weightPreference') or {}
    if rs.get('replicaDivisionPreference') == 'Aggregated' and wp.get('staticWeightList'):
        warnings.append('Karmada ignores weightPreference.staticWeightList when replicaDivisionPreference is '
                        'Aggregated; replicas go to as few clusters as their available capacity allows.')
    if wp.get('staticWeightList') and wp.get('dynamicWeight'):
        warnings.append('weightPreference.dynamicWeight takes precedence: Karmada ignores staticWeightList '
                        'when dynamicWeight is set.')
    if rs.get('replicaSchedulingType') == 'Duplicated' and (rs.get('replicaDivisionPreference') or wp):
        warnings.append('replicaDivisionPreference/weightPreference have no effect with Duplicated: every '
                        'cluster gets the full replica count.')
    if placement.get('spreadConstraints') and rs.get('replicaSchedulingType', 'Divided') == 'Divided' and \
            (rs.get('replicaDivisionPreference') or 'Weighted') == 'Weighted' and \
            (not rs.get('weightPreference') or (wp.get('staticWeightList') and not wp.get('dynamicWeight'))):
        warnings.append('Karmada ignores spreadConstraints with static-weight division.')
    return placement, translations, warnings


def short_form_spec(resources, clusters=None, cluster_labels=None, mode='duplicated', weights=None):
    """Build an upstream PropagationSpec from the module's short form."""
    if mode not in MODES:
        raise PolicyError(_err('mode', 'must be one of %s' % ', '.join(MODES), mode))
    errors = shape_errors(list_of(RESOURCE_SELECTOR, 'a list of resource selectors'), resources or [], 'resources')
    errors += shape_errors(CLUSTER_NAMES, clusters or [], 'clusters')
    errors += shape_errors(map_of(anything, 'a mapping of label keys to values'), cluster_labels or {},
                           'cluster_labels')
    if isinstance(cluster_labels, dict):
        errors += _label_errors(cluster_labels, 'cluster_labels')
    if weights is not None and not isinstance(weights, dict):
        errors.append(problem('weights', weights, 'a mapping of cluster name to weight'))
    for key, value in (weights if isinstance(weights, dict) else {}).items():
        if cluster_name_error(key):
            errors.append(problem('weights.%s' % key, key, 'a cluster name (%s)' % cluster_name_error(key)))
        if not is_int(value) or not 1 <= value <= INT64_MAX:
            errors.append(problem('weights.%s' % key, value, 'an integer weight from 1 to %d' % INT64_MAX))
    if errors:
        raise PolicyError(errors)
    placement = {}
    affinity = {}
    if clusters:
        affinity['clusterNames'] = list(clusters)
    if cluster_labels:
        affinity['labelSelector'] = {'matchLabels': dict(cluster_labels)}
    if affinity:
        placement['clusterAffinity'] = affinity
    if mode == 'duplicated':
        placement['replicaScheduling'] = {'replicaSchedulingType': 'Duplicated'}
    elif mode == 'aggregated':
        placement['replicaScheduling'] = {'replicaSchedulingType': 'Divided',
                                          'replicaDivisionPreference': 'Aggregated'}
    elif mode == 'dynamic':
        placement['replicaScheduling'] = {'replicaSchedulingType': 'Divided',
                                          'replicaDivisionPreference': 'Weighted',
                                          'weightPreference': {'dynamicWeight': 'AvailableReplicas'}}
    else:
        rs = {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted'}
        if weights:
            rs['weightPreference'] = {'staticWeightList': [
                {'targetCluster': {'clusterNames': [name]}, 'weight': weight}
                for name, weight in sorted(weights.items())]}
        placement['replicaScheduling'] = rs
    if weights and mode != 'weighted':
        raise PolicyError(_err('weights', 'only used with mode=weighted (mode is %s)' % mode))
    selectors = []
    for res in resources or []:
        sel = dict((k, v) for k, v in res.items() if v not in (None, ''))
        selectors.append(sel)
    return {'resourceSelectors': selectors, 'placement': placement}


def build_propagation_policy(name, namespace, spec, cluster_scoped=False, labels=None):
    """Return (object, translations, warnings) or raise PolicyError."""
    spec = copy.deepcopy({} if spec is None else spec)
    meta_errors = _metadata_errors(name, namespace, cluster_scoped)
    errors = shape_errors(USER_PROPAGATION_SPEC, spec, 'spec')
    if errors:
        raise PolicyError(meta_errors + errors)
    translations, warnings = [], []
    placement, t, w = translate_placement(spec.get('placement'))
    translations += t
    warnings += w
    spec['placement'] = placement
    if not cluster_scoped:
        for sel in spec.get('resourceSelectors') or []:
            if not sel.get('namespace'):
                # The mutating webhook does the same.
                sel['namespace'] = namespace
    errors = _propagation_rules(spec, None if cluster_scoped else namespace)
    obj = _policy_object('PropagationPolicy', name, namespace, spec, cluster_scoped, labels, meta_errors + errors)
    return obj, translations, warnings


def _metadata_errors(name, namespace, cluster_scoped):
    """A policy's name is a DNS-1123 subdomain; its namespace (unless cluster-scoped) a DNS-1123 label."""
    errors = []
    if not name:
        errors.append(_err('metadata.name', 'Required value'))
    elif dns1123_subdomain_error(name):
        errors.append(problem('metadata.name', name, 'an object name, a DNS-1123 subdomain (%s)'
                              % dns1123_subdomain_error(name)))
    if not cluster_scoped and dns1123_label_error(namespace):
        errors.append(problem('metadata.namespace', namespace, 'a namespace name, a DNS-1123 label (%s)'
                              % dns1123_label_error(namespace)))
    return errors


def _policy_object(kind, name, namespace, spec, cluster_scoped, labels, errors):
    """The policy object, or PolicyError with every error."""
    if errors:
        raise PolicyError(errors)
    meta = {'name': name}
    if not cluster_scoped:
        meta['namespace'] = namespace
    if labels:
        meta['labels'] = dict(labels)
    return {'apiVersion': API_VERSION, 'kind': 'Cluster' + kind if cluster_scoped else kind,
            'metadata': meta, 'spec': spec}


def build_override_policy(name, namespace, spec, cluster_scoped=False, labels=None):
    spec = copy.deepcopy({} if spec is None else spec)
    meta_errors = _metadata_errors(name, namespace, cluster_scoped)
    errors = shape_errors(OVERRIDE_SPEC, spec, 'spec')
    if errors:
        raise PolicyError(meta_errors + errors)
    if not cluster_scoped:
        for sel in spec.get('resourceSelectors') or []:
            sel.setdefault('namespace', namespace)
    errors = _override_rules(spec, None if cluster_scoped else namespace)
    return _policy_object('OverridePolicy', name, namespace, spec, cluster_scoped, labels, meta_errors + errors)


# ---------------------------------------------------------------------------
# FederatedDeployment -> real objects
# ---------------------------------------------------------------------------

def owner_value(kind, namespace, name):
    """Ownership label value; long values are shortened with a hash to stay a valid label."""
    value = '%s.%s.%s' % (kind, namespace, name)
    if len(value) > 63 or label_value_error(value):
        digest = hashlib.sha256(value.encode('utf-8')).hexdigest()[:10]
        value = ('%s.%s' % (kind, re.sub(r'[^A-Za-z0-9_.-]', '-', name)))[:52].strip('-_.') + '.' + digest
    return value


def owner_labels(kind, namespace, name):
    return {OWNER_LABEL: owner_value(kind, namespace, name), MANAGED_BY_LABEL: MANAGED_BY}


def _with_labels(obj, labels):
    obj = copy.deepcopy(obj)
    meta = obj.setdefault('metadata', {})
    merged = dict(meta.get('labels') or {})
    merged.update(labels)
    meta['labels'] = merged
    return obj


COMPANION_KINDS = ('Service', 'Ingress', 'ConfigMap', 'Secret', 'HorizontalPodAutoscaler')
FEDERATED_DEPLOYMENT = mapping({
    'apiVersion': STRING,
    'kind': STRING,
    'metadata': map_of(anything),  # ObjectMeta: name and namespace are checked below, the rest is not used
    'spec': mapping({
        'template': mapping({
            'metadata': mapping({'labels': map_of(anything), 'annotations': map_of(STRING)}),
            'spec': map_of(anything, 'a mapping (the Deployment spec)'),
        }),
        'placement': mapping({'clusters': list_of(mapping({
            'name': CLUSTER_NAME,
            # Karmada's Webster arithmetic overflows int32 above 2^30 - 1 replicas in one cluster.
            'replicas': integer(0, SEATS_LIMIT, 'a replica count')}), 'a list of {name, replicas}')}),
    }),
})


def _documents(documents):
    """The non-empty documents of a definition, each checked to be a mapping."""
    if documents is None:
        return []
    if isinstance(documents, dict):
        documents = [documents]
    if not isinstance(documents, list):
        raise PolicyError(problem('definition', documents, 'a document or a list of documents'))
    errors = [problem('definition[%d]' % i, d, 'a document (a mapping)')
              for i, d in enumerate(documents) if d and not isinstance(d, dict)]
    if errors:
        raise PolicyError(errors)
    return [(i, d) for i, d in enumerate(documents) if d]


def _meta_name(meta, path, name_error, what):
    name = meta.get('name')
    if not name:
        return [_err(path + '.name', 'Required value')]
    reason = name_error(name)
    return [problem(path + '.name', name, '%s (%s)' % (what, reason))] if reason else []


def federated_identity(documents, namespace):
    """(name, namespace) of the one FederatedDeployment in documents, checked; raises PolicyError."""
    feds = [d for dummy, d in _documents(documents) if d.get('kind') == 'FederatedDeployment']
    if len(feds) != 1:
        raise PolicyError(_err('definition', 'exactly one FederatedDeployment document is required, found %d'
                               % len(feds)))
    meta = feds[0].get('metadata')
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        raise PolicyError(problem('metadata', meta, 'a mapping with name (and namespace)'))
    # The PropagationPolicy for the companions is <name>-companions: keep it a subdomain too.
    errors = _meta_name(meta, 'metadata', lambda n: dns1123_subdomain_error(n) or (
        'must be no more than 242 characters' if len(n) > 242 else None), 'a Deployment name, a DNS-1123 subdomain')
    namespace = meta.get('namespace') or namespace or 'default'
    if dns1123_label_error(namespace):
        errors.append(problem('metadata.namespace', namespace, 'a namespace name, a DNS-1123 label (%s)'
                              % dns1123_label_error(namespace)))
    if errors:
        raise PolicyError(errors)
    return meta['name'], namespace


def _companion_errors(index, doc, namespace):
    path = 'definition[%d]' % index
    kind = doc.get('kind')
    if kind not in COMPANION_KINDS:
        return [_err('definition', 'unsupported document kind %r next to the FederatedDeployment' % (kind,))]
    errors = []
    if not isinstance(doc.get('apiVersion'), str) or not doc['apiVersion']:
        errors.append(problem(path + '.apiVersion', doc.get('apiVersion'), 'the apiVersion of the %s' % kind))
    meta = doc.get('metadata')
    if not isinstance(meta, dict):
        return errors + [problem(path + '.metadata', meta, 'a mapping with the %s\'s name' % kind)]
    if kind == 'Service':
        errors += _meta_name(meta, path + '.metadata', dns1035_label_error, 'a Service name, a DNS-1035 label')
    else:
        errors += _meta_name(meta, path + '.metadata', dns1123_subdomain_error, 'an object name, a DNS-1123 subdomain')
    if meta.get('namespace', namespace) != namespace:
        errors.append(_err('%s %s metadata.namespace' % (kind, meta.get('name')),
                           'must be the FederatedDeployment namespace %s' % namespace))
    labels = meta.get('labels')
    if labels is not None and not isinstance(labels, dict):
        errors.append(problem(path + '.metadata.labels', labels, 'a mapping of label keys to values'))
    else:
        errors += _label_errors(labels, path + '.metadata.labels')
    return errors


def _label_errors(labels, path):
    """One error per bad label key (or, for a good key, its bad value) of a labels mapping."""
    errors = []
    for key, value in (labels or {}).items():
        msg, bad = label_key_error(key), key
        if msg is None:
            msg, bad = label_value_error(value), value
        if msg:
            errors.append(_err('%s.%s' % (path, key), msg, bad))
    return errors


def federated_deployment(documents, namespace):
    """Translate the FederatedDeployment document (plus Service/Ingress documents).

    Returns dict(objects=[...], plan={cluster: replicas}, translations=[...],
    owner=<label value>, placement=<placement of the Deployment policy>).
    Weights equal to the listed replicas with replicas = their sum make Karmada's
    Webster division give exactly the listed numbers (each quota is an integer).
    """
    name, namespace = federated_identity(documents, namespace)
    docs = _documents(documents)
    fed = [d for dummy, d in docs if d.get('kind') == 'FederatedDeployment'][0]
    errors = shape_errors(FEDERATED_DEPLOYMENT, fed, '')
    for index, doc in docs:
        if doc is not fed:
            errors += _companion_errors(index, doc, namespace)
    if errors:
        raise PolicyError(errors)
    spec = fed.get('spec') or {}
    template_meta = (spec.get('template') or {}).get('metadata') or {}
    errors = _label_errors(template_meta.get('labels'), 'spec.template.metadata.labels')
    template = copy.deepcopy((spec.get('template') or {}).get('spec'))
    if not template:
        errors.append(_err('spec.template.spec', 'Required value: the Deployment spec'))
    clusters = (spec.get('placement') or {}).get('clusters') or []
    wanted = {}
    for i, c in enumerate(clusters):
        cname, replicas = c.get('name'), c.get('replicas') or 0
        if not cname:
            errors.append(_err('spec.placement.clusters[%d].name' % i, 'Required value'))
        elif cname in wanted:
            errors.append(_err('spec.placement.clusters[%d].name' % i, 'Duplicate value', cname))
        else:
            wanted[cname] = replicas
    if not clusters:
        errors.append(_err('spec.placement.clusters', 'Required value: at least one cluster'))
    if sum(wanted.values()) > INT32_MAX:
        errors.append(problem('spec.placement.clusters', '%d replicas in all' % sum(wanted.values()),
                              'at most %d replicas in all (the Deployment\'s replicas are an int32)' % INT32_MAX))
    if errors:
        raise PolicyError(errors)
    kind = 'FederatedDeployment'
    labels = owner_labels(kind, namespace, name)
    translations = ['FederatedDeployment is not an upstream API (it comes from the retired KubeFed); it was '
                    'translated into a Deployment plus Karmada PropagationPolicies.']
    total = sum(wanted.values())
    if template.get('replicas') is not None and template['replicas'] != total:
        translations.append('spec.template.spec.replicas %s differs from the sum of the placement (%d); the '
                            'Deployment uses %d so every cluster gets exactly its listed replicas.'
                            % (template['replicas'], total, total))
    template['replicas'] = total
    deployment = _with_labels({'apiVersion': 'apps/v1', 'kind': 'Deployment',
                               'metadata': {'name': name, 'namespace': namespace,
                                            'labels': dict(template_meta.get('labels') or {})},
                               'spec': template}, labels)
    if template_meta.get('annotations'):
        deployment['metadata']['annotations'] = dict(template_meta['annotations'])
    if template_meta.get('labels') or template_meta.get('annotations'):
        translations.append('spec.template.metadata labels and annotations were put on the Deployment.')
    listed = list(wanted)
    weighted = [n for n in listed if wanted[n] > 0]
    placement = {
        'clusterAffinity': {'clusterNames': weighted or listed},
        'replicaScheduling': {
            'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted',
            'weightPreference': {'staticWeightList': [
                {'targetCluster': {'clusterNames': [n]}, 'weight': wanted[n]} for n in weighted]}},
    }
    if not weighted:
        placement['replicaScheduling'] = {'replicaSchedulingType': 'Duplicated'}
    translations.append('spec.placement.clusters became a PropagationPolicy with static weights equal to the '
                        'listed replicas (%s) and Deployment replicas %d; Karmada\'s Webster division then '
                        'gives exactly those numbers.' % (', '.join('%s=%d' % (n, wanted[n]) for n in listed),
                                                          total))
    zero = [n for n in listed if wanted[n] == 0]
    if zero:
        translations.append('clusters listed with 0 replicas (%s) get no Deployment replicas (Karmada weights '
                            'must be >= 1) but still receive the Service and Ingress.' % ', '.join(zero))
    objects = [deployment]
    pp, dummy, dummy2 = build_propagation_policy(name, namespace, {
        'resourceSelectors': [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': name}],
        'placement': placement}, labels=labels)
    policies = [pp]
    extra = []
    for dummy, doc in docs:
        if doc is not fed:
            obj = _with_labels(doc, labels)
            obj['metadata'].setdefault('namespace', namespace)
            extra.append(obj)
    if extra:
        selectors = [{'apiVersion': o['apiVersion'], 'kind': o['kind'], 'name': o['metadata']['name']}
                     for o in extra]
        pp2, dummy, dummy2 = build_propagation_policy('%s-companions' % name, namespace, {
            'resourceSelectors': selectors,
            'placement': {'clusterAffinity': {'clusterNames': listed},
                          'replicaScheduling': {'replicaSchedulingType': 'Duplicated'}}}, labels=labels)
        policies.append(pp2)
        translations.append('%s propagated to the same clusters (%s) by PropagationPolicy %s-companions.'
                            % (', '.join('%s/%s' % (o['kind'], o['metadata']['name']) for o in extra),
                               ', '.join(listed), name))
    objects += extra + policies
    return {'objects': objects, 'owner': labels[OWNER_LABEL], 'placement': placement,
            'plan': dict((n, wanted[n]) for n in sorted(weighted)), 'translations': translations,
            'replicas': total}
