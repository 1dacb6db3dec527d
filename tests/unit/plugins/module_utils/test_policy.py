# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.fleetops.kurator.plugins.module_utils import _placement as P
from ansible_collections.fleetops.kurator.plugins.module_utils import _policy as POL
from mission_examples import load


SEL = [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'nginx'}]


def spec_with(placement, **extra):
    spec = {'resourceSelectors': SEL, 'placement': placement}
    spec.update(extra)
    return spec


# --- webhook validation: each rule with the field path in the message --------

@pytest.mark.parametrize('spec,path,msg', [
    (spec_with({'clusterAffinity': {}, 'clusterAffinities': []}), 'spec.placement',
     'clusterAffinities cannot co-exist with clusterAffinity'),
    (spec_with({'clusterAffinity': {'fieldSelector': {'matchExpressions': [
        {'key': 'foo', 'operator': 'In', 'values': ['a']}]}}}),
     'spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].key', 'unsupported key'),
    (spec_with({'clusterAffinity': {'fieldSelector': {'matchExpressions': [
        {'key': 'region', 'operator': 'Exists'}]}}}),
     'spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].operator', 'must be In or NotIn'),
    (spec_with({'spreadConstraints': [{'spreadByField': 'cluster', 'minGroups': 1},
                                      {'spreadByField': 'region', 'minGroups': 3, 'maxGroups': 2}]}),
     'spec.placement.spreadConstraints[1].maxGroups', 'maxGroups lower than minGroups is not allowed'),
    (spec_with({'spreadConstraints': [{'spreadByField': 'cluster', 'minGroups': -1}]}),
     'spec.placement.spreadConstraints[0].minGroups', 'minGroups lower than 0'),
    (spec_with({'spreadConstraints': [{'spreadByField': 'cluster', 'spreadByLabel': 'x'}]}),
     'spec.placement.spreadConstraints[0]', 'spreadByLabel should not co-exist with spreadByField'),
    (spec_with({'spreadConstraints': [{'spreadByField': 'region', 'minGroups': 1}]}),
     'spec.placement.spreadConstraints', 'the cluster spread constraint must be enabled'),
    (spec_with({'spreadConstraints': [{'spreadByField': 'cluster'}, {'spreadByField': 'cluster'}]}),
     'spec.placement.spreadConstraints', 'multiple cluster spread constraints are not allowed'),
    (spec_with({'clusterAffinities': [{'affinityName': 'a', 'clusterNames': ['x'],
                                       'overflowAffinities': [{'affinityName': 'b'}]}]}),
     'spec.placement.clusterAffinities[0].overflowAffinities', 'only be used together with dynamic weight'),
    (spec_with({'clusterAffinities': [{'affinityName': 'a'}, {'affinityName': 'a'}]}),
     'spec.placement.clusterAffinities', 'unique name'),
    (spec_with({'clusterAffinities': [{'affinityName': 'bad name!'}]}),
     'spec.placement.clusterAffinities[0].affinityName', 'alphanumeric'),
    (spec_with({'clusterTolerations': [{'key': 'k', 'operator': 'Gt', 'value': '1'}]}),
     'spec.placement.clusterTolerations[0].operator', 'supported values'),
    (spec_with({'replicaScheduling': {'replicaSchedulingType': 'Divided', 'weightPreference': {
        'staticWeightList': [{'targetCluster': {'clusterNames': ['a']}, 'weight': 0}]}}}),
     'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight', 'greater than or equal to 1'),
    (spec_with({'replicaScheduling': {'replicaSchedulingType': 'Weighted'}}),
     'spec.placement.replicaScheduling.replicaSchedulingType', 'supported values'),
    (spec_with({}, failover={'application': {'decisionConditions': {'tolerationSeconds': 10},
                                             'purgeMode': 'Directly'}}),
     'spec.propagateDeps', 'application failover is set, propagateDeps must be true'),
    (spec_with({}, propagateDeps=True, failover={'application': {'purgeMode': 'Gracefully'}}),
     'spec.failover.application.gracePeriodSeconds', 'should not be empty when purgeMode is gracefully'),
    (spec_with({}, propagateDeps=True, failover={'application': {'purgeMode': 'Directly',
                                                                 'gracePeriodSeconds': 5}}),
     'spec.failover.application.gracePeriodSeconds', 'only takes effect when purgeMode is gracefully'),
    (spec_with({}, propagateDeps=True, failover={'application': {'purgeMode': 'Gracefully',
                                                                 'gracePeriodSeconds': 0}}),
     'spec.failover.application.gracePeriodSeconds', 'must be greater than 0'),
    (spec_with({}, propagateDeps=True, failover={'application': {
        'decisionConditions': {'tolerationSeconds': -1}, 'purgeMode': 'Directly'}}),
     'spec.failover.application.decisionConditions.tolerationSeconds', 'greater than or equal to 0'),
    ({'resourceSelectors': [{'apiVersion': 'apps/v1', 'kind': 'Deployment'}], 'placement': {},
      'preemption': 'Always'}, 'spec.resourceSelectors[0].name', 'name cannot be empty if preemption is Always'),
    (spec_with({}, suspension={'dispatching': True, 'dispatchingOnClusters': {'clusterNames': ['a']}}),
     'spec.suspension', 'cannot co-exist with dispatchingOnClusters'),
    ({'resourceSelectors': [], 'placement': {}}, 'spec.resourceSelectors', 'Required value'),
])
def test_webhook_rejections_name_the_field(spec, path, msg):
    errors = POL.validate_propagation_spec(spec, None)
    assert any(e.startswith(path + ':') and msg in e for e in errors), errors


def test_namespace_mismatch_only_for_namespaced_policies():
    spec = spec_with({})
    spec['resourceSelectors'] = [dict(SEL[0], namespace='other')]
    errors = POL.validate_propagation_spec(spec, 'default')
    assert any(e.startswith('spec.resourceSelectors[0].namespace:') for e in errors)
    assert POL.validate_propagation_spec(spec, None) == []


def test_valid_upstream_example_01_passes():
    pp = load('01-nginx-propagation.yaml')[0]
    obj, translations, warnings = POL.build_propagation_policy('nginx-propagation', 'default', pp['spec'])
    assert translations == [] and warnings == []
    assert obj['spec']['resourceSelectors'][0]['namespace'] == 'default'
    assert obj['kind'] == 'PropagationPolicy' and obj['apiVersion'] == 'policy.karmada.io/v1alpha1'


def test_example_02_weightlist_translated_with_messages():
    cpp = load('02-frontend-weighted.yaml')[0]
    obj, translations, warnings = POL.build_propagation_policy('frontend-app', None, cpp['spec'],
                                                               cluster_scoped=True)
    rs = obj['spec']['placement']['replicaScheduling']
    assert 'weightList' not in rs
    assert rs == {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted',
                  'weightPreference': {'staticWeightList': cpp['spec']['placement']['replicaScheduling']['weightList']}}
    assert any('weightList' in t and 'staticWeightList' in t for t in translations)
    assert any('"Weighted"' in t for t in translations)
    assert any('Aggregated ignores static weights' in w for w in warnings)
    assert obj['kind'] == 'ClusterPropagationPolicy' and 'namespace' not in obj['metadata']
    # And the plan honours 60/40.
    clusters = [{'name': 'cluster-shanghai', 'labels': {'environment': 'production', 'region': 'east-china'}},
                {'name': 'cluster-hangzhou', 'labels': {'environment': 'production', 'region': 'east-china'}},
                {'name': 'cluster-beijing', 'labels': {'environment': 'production', 'region': 'north-china'}}]
    assert P.compute_placement(clusters, obj['spec']['placement'], 10) == {'cluster-shanghai': 6,
                                                                           'cluster-hangzhou': 4}


def test_upstream_aggregated_with_static_weights_is_kept_but_warned():
    placement = {'replicaScheduling': {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Aggregated',
                                       'weightPreference': {'staticWeightList': [
                                           {'targetCluster': {'clusterNames': ['a']}, 'weight': 1}]}}}
    obj, translations, warnings = POL.build_propagation_policy('p', 'ns', spec_with(placement))
    assert obj['spec']['placement']['replicaScheduling']['replicaDivisionPreference'] == 'Aggregated'
    assert translations == []
    assert any('ignores weightPreference.staticWeightList' in w for w in warnings)


def test_invalid_policy_raises_with_all_errors():
    with pytest.raises(POL.PolicyError) as exc:
        POL.build_propagation_policy('p', 'ns', spec_with({'spreadConstraints': [
            {'spreadByField': 'cluster', 'minGroups': 3, 'maxGroups': 1}]}))
    assert 'spec.placement.spreadConstraints[0].maxGroups' in str(exc.value)


@pytest.mark.parametrize('mode,expected_rs', [
    ('duplicated', {'replicaSchedulingType': 'Duplicated'}),
    ('aggregated', {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Aggregated'}),
    ('dynamic', {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted',
                 'weightPreference': {'dynamicWeight': 'AvailableReplicas'}}),
])
def test_short_form_modes(mode, expected_rs):
    spec = POL.short_form_spec(SEL, clusters=['a', 'b'], mode=mode)
    assert spec['placement']['replicaScheduling'] == expected_rs
    assert spec['placement']['clusterAffinity'] == {'clusterNames': ['a', 'b']}


def test_short_form_weighted_and_labels():
    spec = POL.short_form_spec(SEL, cluster_labels={'env': 'prod'}, mode='weighted', weights={'b': 1, 'a': 3})
    assert spec['placement']['clusterAffinity'] == {'labelSelector': {'matchLabels': {'env': 'prod'}}}
    assert spec['placement']['replicaScheduling']['weightPreference']['staticWeightList'] == [
        {'targetCluster': {'clusterNames': ['a']}, 'weight': 3},
        {'targetCluster': {'clusterNames': ['b']}, 'weight': 1}]
    with pytest.raises(POL.PolicyError, match='weights'):
        POL.short_form_spec(SEL, mode='duplicated', weights={'a': 1})


# --- override policy validation -------------------------------------------------

@pytest.mark.parametrize('spec,path,msg', [
    ({'targetCluster': {}, 'overrideRules': []}, 'spec.targetCluster', "overrideRules and targetCluster can't co-exist"),
    ({'overriders': {'plaintext': [{'path': '/a', 'operator': 'remove'}]}, 'overrideRules': []},
     'spec.overriders', "overrideRules and overriders can't co-exist"),
    ({'overrideRules': [{'overriders': {'imageOverrider': [{'predicate': {'path': 'no-slash'},
                                                            'component': 'Tag', 'operator': 'replace',
                                                            'value': 'v1'}]}}]},
     'spec.overrideRules[0].overriders.imageOverrider[0].predicate.path', 'JSON pointer'),
    ({'overrideRules': [{'overriders': {'fieldOverrider': [{'fieldPath': '/data/x'}]}}]},
     'spec.overrideRules[0].overriders.fieldOverrider[0]', 'either JSON or YAML'),
    ({'overrideRules': [{'overriders': {'fieldOverrider': [{'fieldPath': '/d', 'json': [
        {'subPath': '/a', 'operator': 'add'}], 'yaml': [{'subPath': '/b', 'operator': 'remove'}]}]}}]},
     'spec.overrideRules[0].overriders.fieldOverrider[0]', 'both YAML and JSON'),
    ({'overrideRules': [{'overriders': {'fieldOverrider': [{'fieldPath': '/d', 'json': [
        {'subPath': '/a', 'operator': 'add'}]}]}}]},
     'spec.overrideRules[0].overriders.fieldOverrider[0].json[0].value', 'value is required'),
    ({'overrideRules': [{'overriders': {'fieldOverrider': [{'fieldPath': '/d', 'yaml': [
        {'subPath': '/a', 'operator': 'remove', 'value': 1}]}]}}]},
     'spec.overrideRules[0].overriders.fieldOverrider[0].yaml[0].value', 'not allowed for remove'),
    ({'overrideRules': [{'overriders': {'labelsOverrider': [{'operator': 'add', 'value': {'a': 'bad value'}}]}}]},
     'spec.overrideRules[0].overriders.labelsOverrider[0].value', 'alphanumeric'),
    ({'overrideRules': [{'targetCluster': {'fieldSelector': {'matchExpressions': [
        {'key': 'zone', 'operator': 'Exists'}]}}, 'overriders': {}}]},
     'spec.overrideRules[0].targetCluster.fieldSelector.matchExpressions[0].operator', 'must be In or NotIn'),
])
def test_override_rejections(spec, path, msg):
    errors = POL.validate_override_spec(spec, None)
    assert any(e.startswith(path + ':') and msg in e for e in errors), errors


def test_override_policy_object():
    obj = POL.build_override_policy('op', 'web', {
        'resourceSelectors': SEL,
        'overrideRules': [{'targetCluster': {'clusterNames': ['a']},
                           'overriders': {'imageOverrider': [{'component': 'Registry', 'operator': 'replace',
                                                              'value': 'mirror.local'}]}}]})
    assert obj['kind'] == 'OverridePolicy' and obj['spec']['resourceSelectors'][0]['namespace'] == 'web'


# --- FederatedDeployment (example 07) -------------------------------------------

def test_example_07_exact_replicas_and_companions():
    docs = load('07-federated-deployment.yaml')
    out = POL.federated_deployment(docs, 'default')
    kinds = [(o['kind'], o['metadata']['name']) for o in out['objects']]
    assert kinds == [('Deployment', 'frontend-app'), ('Service', 'frontend-service'),
                     ('Ingress', 'frontend-ingress'), ('PropagationPolicy', 'frontend-app'),
                     ('PropagationPolicy', 'frontend-app-companions')]
    owner = 'FederatedDeployment.default.frontend-app'
    assert out['owner'] == owner
    for obj in out['objects']:
        assert obj['metadata']['labels'][POL.OWNER_LABEL] == owner
        assert obj['metadata']['namespace'] == 'default'
    deploy = out['objects'][0]
    assert deploy['spec']['replicas'] == 3
    # The scheduler's own computation on the emitted policy gives exactly 2 and 1.
    pp = out['objects'][3]
    clusters = [{'name': n} for n in ('cluster-beijing', 'cluster-shanghai', 'cluster-guangzhou',
                                      'cluster-hangzhou')]
    for uid in ('', '4858ca61-3ff8-4095-8267-f3d059d8074c', 'd43fdeeb-d750-4e2b-bee3-64eb94534f4c'):
        assert P.compute_placement(clusters, pp['spec']['placement'], deploy['spec']['replicas'], uid) == \
            {'cluster-beijing': 2, 'cluster-shanghai': 1}
    companions = out['objects'][4]['spec']
    assert companions['placement']['clusterAffinity']['clusterNames'] == ['cluster-beijing', 'cluster-shanghai']
    assert P.compute_placement(clusters, companions['placement'], 0) == {}
    assert out['plan'] == {'cluster-beijing': 2, 'cluster-shanghai': 1}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(['c-a', 'c-b', 'c-c', 'c-d', 'c-e', 'c-f']), st.integers(1, 5000),
                       min_size=1), st.text(max_size=8))
def test_federated_translation_is_exact_for_any_listing(wanted, uid):
    doc = {'kind': 'FederatedDeployment', 'metadata': {'name': 'x'},
           'spec': {'template': {'spec': {'replicas': 1}},
                    'placement': {'clusters': [{'name': n, 'replicas': r} for n, r in wanted.items()]}}}
    out = POL.federated_deployment([doc], 'ns')
    pp = [o for o in out['objects'] if o['kind'] == 'PropagationPolicy'][0]
    got = P.compute_placement([{'name': n} for n in ['c-a', 'c-b', 'c-c', 'c-d', 'c-e', 'c-f']],
                              pp['spec']['placement'], out['replicas'], uid)
    assert got == wanted


def test_federated_errors_name_fields():
    doc = {'kind': 'FederatedDeployment', 'metadata': {'name': 'x'},
           'spec': {'template': {'spec': {'replicas': 1}}, 'placement': {'clusters': [{'name': 'a', 'replicas': -1}]}}}
    with pytest.raises(POL.PolicyError, match=r'spec.placement.clusters\[0\].replicas'):
        POL.federated_deployment([doc], 'ns')


def test_owner_label_is_valid_even_for_long_names():
    value = POL.owner_value('FederatedDeployment', 'n' * 60, 'x' * 60)
    assert len(value) <= 63 and P.label_value_error(value) is None
