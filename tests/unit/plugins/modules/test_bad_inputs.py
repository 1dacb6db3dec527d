# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Bad module and filter inputs (issue 12): every one is a clear error that names the field.

Each case runs one bad input through a module (with the faked client), a filter or the
module_utils behind them, and gives a fragment the error must contain (usually the field
path). "Clear" means the collection's own error type with that fragment; anything else
is a crash (another exception), unclear (our error, without the fragment) or silent (no
error at all).

With FLEETOPS_BAD_INPUT_REPORT=<file> the outcome of every case is appended to that
file as JSON instead of being asserted: that is how the before/after counts of the
issue were made (the same cases run against the previous commit).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from mission_examples import TOPOLOGY, load
from placement_fakes import FailJson, FakeClient, run_module  # noqa: F401 pylint: disable=unused-import

from ansible_collections.fleetops.kurator.plugins.filter import karmada_replicas as replicas_filter
from ansible_collections.fleetops.kurator.plugins.filter import traffic_weights as traffic_filter
from ansible_collections.fleetops.kurator.plugins.module_utils import _placement as P
from ansible_collections.fleetops.kurator.plugins.module_utils import _policy as POL
from ansible_collections.fleetops.kurator.plugins.module_utils import _traffic as T
from ansible_collections.fleetops.kurator.plugins.modules import (
    federated_deployment, override_policy, placement_info, propagation_policy)

CLEAR = (POL.PolicyError, P.PlacementError, T.TrafficError, AnsibleFilterError, FailJson)
SEL = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'nginx'}
BIG = 2 ** 31
CLUSTERS = [{'name': 'a'}, {'name': 'ab'}, {'name': 'b'}]


# --- how each kind of case is run ------------------------------------------------

def pp_spec(**placement):
    """A valid PropagationPolicy spec with placement fields replaced."""
    return {'resourceSelectors': [dict(SEL)], 'placement': dict(
        {'clusterAffinity': {'clusterNames': ['a', 'b']},
         'replicaScheduling': {'replicaSchedulingType': 'Duplicated'}}, **placement)}


def with_path(obj, path, value):
    """A deep copy of obj with the dotted path (list indexes as numbers) set to value."""
    obj = copy.deepcopy(obj)
    target = obj
    keys = [int(k) if k.isdigit() else k for k in path.split('.')]
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return obj


def pp(path, value, name='p', namespace='default'):
    spec = with_path(pp_spec(), path, value) if path else value
    return lambda run: POL.build_propagation_policy(name, namespace, spec)


def op_spec():
    return {'resourceSelectors': [dict(SEL)],
            'overrideRules': [{'targetCluster': {'clusterNames': ['a']},
                               'overriders': {'imageOverrider': [{'component': 'Registry', 'operator': 'replace',
                                                                  'value': 'mirror.local'}]}}]}


def op(path, value, name='op', namespace='default'):
    spec = with_path(op_spec(), path, value) if path else value
    return lambda run: POL.build_override_policy(name, namespace, spec)


def fed_docs():
    return load('07-federated-deployment.yaml')


def fed(path, value, doc=0):
    """The user's example 07 with one field of document doc changed."""
    def call(run):
        docs = fed_docs()
        docs[doc] = with_path(docs[doc], path, value)
        return POL.federated_deployment(docs, 'default')
    return call


def fed_docs_call(docs):
    return lambda run: POL.federated_deployment(docs, 'default')


def place(clusters=None, placement=None, replicas=3, **kwargs):
    clusters = copy.deepcopy(CLUSTERS) if clusters is None else clusters
    placement = {'replicaScheduling': {'replicaSchedulingType': 'Duplicated'}} if placement is None else placement
    return lambda run: replicas_filter.karmada_replicas(clusters, placement, replicas, **kwargs)


def engine(clusters=None, placement=None, replicas=3, **kwargs):
    clusters = copy.deepcopy(CLUSTERS) if clusters is None else clusters
    placement = {'replicaScheduling': {'replicaSchedulingType': 'Duplicated'}} if placement is None else placement
    return lambda run: P.compute_placement(clusters, placement, replicas, **kwargs)


def traffic(weights, *args, **kwargs):
    return lambda run: traffic_filter.traffic_weights(weights, *args, **kwargs)


def module(mod, args, setup=None):
    def call(run):
        client = FakeClient()
        if setup:
            setup(client)
        return run(mod, args, client)
    call.module = True  # only fail_json is a clear error of a module; any exception is a crash
    return call


def short(**kwargs):
    return lambda run: POL.short_form_spec([dict(SEL)], **kwargs)


def binding(client):
    client.add({'apiVersion': 'work.karmada.io/v1alpha2', 'kind': 'ResourceBinding',
                'metadata': {'name': 'nginx-deployment', 'namespace': 'default'},
                'spec': {'resource': {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'nginx', 'uid': 'u'},
                         'replicas': 2, 'placement': pp_spec()['placement'],
                         'clusters': [{'name': 'a', 'replicas': 2}]}})


def fed_module_docs(path, value, doc=0):
    docs = fed_docs()
    docs[doc] = with_path(docs[doc], path, value)
    return docs


SL = 'placement.replicaScheduling'
WP = {'replicaSchedulingType': 'Divided', 'replicaDivisionPreference': 'Weighted',
      'weightPreference': {'staticWeightList': [{'targetCluster': {'clusterNames': ['a']}, 'weight': 1}]}}

# (id, call, fragment the error must contain)
CASES = [
    # PropagationPolicy spec: strings where lists or mappings belong
    ('pp-spec-string', pp(None, 'nginx'), 'spec: got'),
    ('pp-selectors-string', pp('resourceSelectors', 'Deployment'), 'spec.resourceSelectors'),
    ('pp-selector-string', pp('resourceSelectors', ['Deployment']), 'spec.resourceSelectors[0]'),
    ('pp-selector-labelselector-string', pp('resourceSelectors.0.labelSelector', 'app=x'),
     'spec.resourceSelectors[0].labelSelector'),
    ('pp-selector-matchlabels-list', pp('resourceSelectors.0.labelSelector', {'matchLabels': ['app']}),
     'spec.resourceSelectors[0].labelSelector.matchLabels'),
    ('pp-selector-expressions-string', pp('resourceSelectors.0.labelSelector', {'matchExpressions': 'x'}),
     'spec.resourceSelectors[0].labelSelector.matchExpressions'),
    ('pp-selector-kind-int', pp('resourceSelectors.0.kind', 5), 'spec.resourceSelectors[0].kind'),
    ('pp-selector-typo', pp('resourceSelectors.0', dict(SEL, nmae='x')), "did you mean 'name'"),
    ('pp-placement-string', pp('placement', 'everywhere'), 'spec.placement'),
    ('pp-placement-typo', pp(None, {'resourceSelectors': [SEL], 'placment': {}}), "did you mean 'placement'"),
    ('pp-affinity-typo', pp('placement', {'clusterAfinity': {'clusterNames': ['a']}}),
     "did you mean 'clusterAffinity'"),
    ('pp-affinity-string', pp('placement.clusterAffinity', 'a'), 'spec.placement.clusterAffinity'),
    ('pp-clusternames-string', pp('placement.clusterAffinity.clusterNames', 'ab'),
     'spec.placement.clusterAffinity.clusterNames'),
    ('pp-clusternames-ints', pp('placement.clusterAffinity.clusterNames', [1, 2]),
     'spec.placement.clusterAffinity.clusterNames[0]'),
    ('pp-clusternames-not-dns', pp('placement.clusterAffinity.clusterNames', ['Cluster_A']),
     'spec.placement.clusterAffinity.clusterNames[0]'),
    ('pp-clusternames-too-long', pp('placement.clusterAffinity.clusterNames', ['c' * 49]),
     'at most 48 characters'),
    ('pp-exclude-string', pp('placement.clusterAffinity.exclude', 'a'), 'spec.placement.clusterAffinity.exclude'),
    ('pp-affinity-typo-key', pp('placement.clusterAffinity', {'clusterName': ['a']}), "did you mean 'clusterNames'"),
    ('pp-labelselector-string', pp('placement.clusterAffinity.labelSelector', 'env=prod'),
     'spec.placement.clusterAffinity.labelSelector'),
    ('pp-matchlabels-list', pp('placement.clusterAffinity.labelSelector', {'matchLabels': ['env']}),
     'spec.placement.clusterAffinity.labelSelector.matchLabels'),
    ('pp-matchlabels-value', pp('placement.clusterAffinity.labelSelector', {'matchLabels': {'env': 'bad value!'}}),
     'spec.placement.clusterAffinity.labelSelector.matchLabels'),
    ('pp-matchlabels-key', pp('placement.clusterAffinity.labelSelector', {'matchLabels': {'bad key!': 'x'}}),
     'spec.placement.clusterAffinity.labelSelector.matchLabels'),
    ('pp-matchlabels-bool', pp('placement.clusterAffinity.labelSelector', {'matchLabels': {'gpu': True}}),
     'spec.placement.clusterAffinity.labelSelector.matchLabels'),
    ('pp-expression-values-string', pp('placement.clusterAffinity.labelSelector', {'matchExpressions': [
        {'key': 'env', 'operator': 'In', 'values': 'prod'}]}),
     'spec.placement.clusterAffinity.labelSelector.matchExpressions[0].values'),
    ('pp-expression-string', pp('placement.clusterAffinity.labelSelector', {'matchExpressions': ['env in (a)']}),
     'spec.placement.clusterAffinity.labelSelector.matchExpressions[0]'),
    ('pp-expression-bad-value', pp('placement.clusterAffinity.labelSelector', {'matchExpressions': [
        {'key': 'env', 'operator': 'In', 'values': ['bad value!']}]}),
     'spec.placement.clusterAffinity.labelSelector.matchExpressions[0].values[0]'),
    ('pp-expression-typo', pp('placement.clusterAffinity.labelSelector', {'matchExpressions': [
        {'key': 'env', 'operater': 'In', 'values': ['a']}]}), "did you mean 'operator'"),
    ('pp-expression-operator', pp('placement.clusterAffinity.labelSelector', {'matchExpressions': [
        {'key': 'env', 'operator': 'in', 'values': ['a']}]}),
     'spec.placement.clusterAffinity.labelSelector.matchExpressions[0].operator'),
    ('pp-fieldselector-string', pp('placement.clusterAffinity.fieldSelector', 'region=x'),
     'spec.placement.clusterAffinity.fieldSelector'),
    ('pp-fieldselector-expr-string', pp('placement.clusterAffinity.fieldSelector', {'matchExpressions': 'x'}),
     'spec.placement.clusterAffinity.fieldSelector.matchExpressions'),
    ('pp-fieldselector-values-string', pp('placement.clusterAffinity.fieldSelector', {'matchExpressions': [
        {'key': 'zone', 'operator': 'In', 'values': 'east'}]}),
     'spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].values'),
    ('pp-fieldselector-bad-value', pp('placement.clusterAffinity.fieldSelector', {'matchExpressions': [
        {'key': 'region', 'operator': 'In', 'values': ['east china']}]}),
     'spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].values[0]'),
    ('pp-fieldselector-key', pp('placement.clusterAffinity.fieldSelector', {'matchExpressions': [
        {'key': 'city', 'operator': 'In', 'values': ['x']}]}),
     'spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].key'),
    ('pp-affinities-string', pp('placement', {'clusterAffinities': 'a'}), 'spec.placement.clusterAffinities'),
    ('pp-affinities-item-string', pp('placement', {'clusterAffinities': ['a']}),
     'spec.placement.clusterAffinities[0]'),
    ('pp-affinities-names-string', pp('placement', {'clusterAffinities': [{'affinityName': 'x',
                                                                          'clusterNames': 'ab'}]}),
     'spec.placement.clusterAffinities[0].clusterNames'),
    ('pp-affinity-name-int', pp('placement', {'clusterAffinities': [{'affinityName': 5}]}),
     'spec.placement.clusterAffinities[0].affinityName'),
    ('pp-overflow-string', pp('placement', {'clusterAffinities': [{'affinityName': 'x', 'clusterNames': ['a'],
                                                                  'overflowAffinities': 'b'}]}),
     'spec.placement.clusterAffinities[0].overflowAffinities'),
    ('pp-affinities-typo', pp('placement', {'clusterAffinities': [{'affinityNmae': 'x'}]}),
     "did you mean 'affinityName'"),
    ('pp-tolerations-string', pp('placement.clusterTolerations', 'x'), 'spec.placement.clusterTolerations'),
    ('pp-toleration-string', pp('placement.clusterTolerations', ['x']), 'spec.placement.clusterTolerations[0]'),
    ('pp-toleration-typo', pp('placement.clusterTolerations', [{'keyy': 'a'}]), "did you mean 'key'"),
    ('pp-spread-string', pp('placement.spreadConstraints', 'cluster'), 'spec.placement.spreadConstraints'),
    ('pp-spread-item-string', pp('placement.spreadConstraints', ['cluster']), 'spec.placement.spreadConstraints[0]'),
    ('pp-spread-typo', pp('placement.spreadConstraints', [{'spreadByFeild': 'cluster'}]),
     "did you mean 'spreadByField'"),
    ('pp-spread-groups-string', pp('placement.spreadConstraints', [{'spreadByField': 'cluster', 'maxGroups': '2'}]),
     'spec.placement.spreadConstraints[0]'),
    ('pp-spread-field', pp('placement.spreadConstraints', [{'spreadByField': 'city'}]),
     'spec.placement.spreadConstraints[0].spreadByField'),
    ('pp-rs-string', pp('placement.replicaScheduling', 'Divided'), 'spec.placement.replicaScheduling'),
    ('pp-rs-typo', pp('placement.replicaScheduling', {'replicaSchedulingTyp': 'Divided'}),
     "did you mean 'replicaSchedulingType'"),
    ('pp-rs-type', pp('placement.replicaScheduling', {'replicaSchedulingType': 'Split'}),
     'spec.placement.replicaScheduling.replicaSchedulingType'),
    ('pp-wp-string', pp('placement.replicaScheduling', {'replicaSchedulingType': 'Divided', 'weightPreference': 'x'}),
     'spec.placement.replicaScheduling.weightPreference'),
    ('pp-static-string', pp('placement.replicaScheduling', {
        'replicaSchedulingType': 'Divided', 'weightPreference': {'staticWeightList': 'x'}}),
     'spec.placement.replicaScheduling.weightPreference.staticWeightList'),
    ('pp-static-item-string', pp('placement.replicaScheduling', {
        'replicaSchedulingType': 'Divided', 'weightPreference': {'staticWeightList': ['a']}}),
     'spec.placement.replicaScheduling.weightPreference.staticWeightList[0]'),
    ('pp-static-target-string', pp('placement.replicaScheduling', with_path(
        WP, 'weightPreference.staticWeightList.0.targetCluster', 'a')),
     'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].targetCluster'),
    ('pp-static-names-string', pp('placement.replicaScheduling', with_path(
        WP, 'weightPreference.staticWeightList.0.targetCluster.clusterNames', 'ab')),
     'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].targetCluster.clusterNames'),
    ('pp-static-weight-int64', pp('placement.replicaScheduling', with_path(
        WP, 'weightPreference.staticWeightList.0.weight', 2 ** 63)),
     'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight'),
    ('pp-static-weight-bool', pp('placement.replicaScheduling', with_path(
        WP, 'weightPreference.staticWeightList.0.weight', True)),
     'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight'),
    ('pp-static-weight-zero', pp('placement.replicaScheduling', with_path(
        WP, 'weightPreference.staticWeightList.0.weight', 0)),
     'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight'),
    ('pp-static-typo', pp('placement.replicaScheduling', with_path(
        WP, 'weightPreference.staticWeightList.0', {'targetCluster': {'clusterNames': ['a']}, 'wieght': 1})),
     "did you mean 'weight'"),
    ('pp-dynamic-weight', pp('placement.replicaScheduling', {
        'replicaSchedulingType': 'Divided', 'weightPreference': {'dynamicWeight': 'Available'}}),
     'spec.placement.replicaScheduling.weightPreference.dynamicWeight'),
    ('pp-weightlist-string', pp('placement.replicaScheduling', {'replicaSchedulingType': 'Weighted', 'weightList': 'ab'}),
     'spec.placement.replicaScheduling.weightList'),
    ('pp-weightlist-typo', pp('placement.replicaScheduling', {'replicaSchedulingType': 'Weighted', 'weightList': [
        {'targetCluster': {'clusterNames': ['a']}, 'weigth': 1}]}), "did you mean 'weight'"),
    ('pp-weightlist-names-string', pp('placement.replicaScheduling', {
        'replicaSchedulingType': 'Weighted', 'weightList': [{'targetCluster': {'clusterNames': 'ab'}, 'weight': 1}]}),
     'spec.placement.replicaScheduling.weightList[0].targetCluster.clusterNames'),
    ('pp-workload-affinity-string', pp('placement.workloadAffinity', 'x'), 'spec.placement.workloadAffinity'),
    ('pp-workload-affinity-term-string', pp('placement.workloadAffinity', {'affinity': 'x'}),
     'spec.placement.workloadAffinity.affinity'),
    ('pp-propagatedeps-string', pp('propagateDeps', 'yes'), 'spec.propagateDeps'),
    ('pp-priority-string', pp('priority', 'high'), 'spec.priority'),
    ('pp-priority-int32', pp('priority', BIG), 'spec.priority'),
    ('pp-preemption', pp('preemption', 'always'), 'spec.preemption'),
    ('pp-failover-string', pp('failover', 'x'), 'spec.failover'),
    ('pp-failover-app-string', pp('failover', {'application': 'x'}), 'spec.failover.application'),
    ('pp-failover-decision-string', pp('failover', {'application': {'decisionConditions': 'x'}}),
     'spec.failover.application.decisionConditions'),
    ('pp-failover-purge-mode', pp('failover', {'application': {'purgeMode': 'Slowly', 'gracePeriodSeconds': 5}}),
     'spec.failover.application.purgeMode'),
    ('pp-failover-cluster-purge-mode', pp('failover', {'cluster': {'purgeMode': 'Never'}}),
     'spec.failover.cluster.purgeMode'),
    ('pp-failover-grace-int32', pp('failover', {'application': {'purgeMode': 'Gracefully',
                                                                'gracePeriodSeconds': BIG}}),
     'spec.failover.application.gracePeriodSeconds'),
    ('pp-failover-rules-string', pp('failover', {'application': {'purgeMode': 'Directly', 'statePreservation': {
        'rules': 'x'}}}), 'spec.failover.application.statePreservation.rules'),
    ('pp-suspension-string', pp('suspension', 'x'), 'spec.suspension'),
    ('pp-suspension-dispatching-string', pp('suspension', {'dispatching': 'true'}), 'spec.suspension.dispatching'),
    ('pp-suspension-names-string', pp('suspension', {'dispatchingOnClusters': {'clusterNames': 'ab'}}),
     'spec.suspension.dispatchingOnClusters.clusterNames'),
    ('pp-dependent-overrides-string', pp('dependentOverrides', 'op'), 'spec.dependentOverrides'),
    ('pp-scheduler-name-int', pp('schedulerName', 5), 'spec.schedulerName'),
    ('pp-conflict-resolution', pp('conflictResolution', 'overwrite'), 'spec.conflictResolution'),
    ('pp-activation-preference', pp('activationPreference', 'lazy'), 'spec.activationPreference'),
    ('pp-schedule-priority-string', pp('schedulePriority', 'x'), 'spec.schedulePriority'),
    ('pp-schedule-priority-source', pp('schedulePriority', {'priorityClassSource': 'Foo', 'priorityClassName': 'x'}),
     'spec.schedulePriority.priorityClassSource'),
    ('pp-preserve-string', pp('preserveResourcesOnDeletion', 'yes'), 'spec.preserveResourcesOnDeletion'),
    ('pp-unknown-top-key', pp('replicas', 3), "spec.replicas"),
    ('pp-name-not-dns', pp('placement', pp_spec()['placement'], name='Bad_Name'), 'metadata.name'),
    ('pp-name-too-long', pp('placement', pp_spec()['placement'], name='a' * 254), 'metadata.name'),
    ('pp-name-empty', pp('placement', pp_spec()['placement'], name=''), 'metadata.name'),
    ('pp-namespace-not-dns', pp('placement', pp_spec()['placement'], namespace='Bad NS'), 'metadata.namespace'),
    ('pp-name-newline', pp('placement', pp_spec()['placement'], name='p\n'), 'metadata.name'),

    # OverridePolicy spec
    ('op-spec-string', op(None, 'x'), 'spec: got'),
    ('op-rules-string', op('overrideRules', 'x'), 'spec.overrideRules'),
    ('op-rule-string', op('overrideRules', ['x']), 'spec.overrideRules[0]'),
    ('op-overriders-string', op('overrideRules.0.overriders', 'x'), 'spec.overrideRules[0].overriders'),
    ('op-image-string', op('overrideRules.0.overriders.imageOverrider', 'x'),
     'spec.overrideRules[0].overriders.imageOverrider'),
    ('op-image-predicate-string', op('overrideRules.0.overriders.imageOverrider.0.predicate', 'path'),
     'spec.overrideRules[0].overriders.imageOverrider[0].predicate'),
    ('op-image-component', op('overrideRules.0.overriders.imageOverrider.0.component', 'registry'),
     'spec.overrideRules[0].overriders.imageOverrider[0].component'),
    ('op-image-operator', op('overrideRules.0.overriders.imageOverrider.0.operator', 'set'),
     'spec.overrideRules[0].overriders.imageOverrider[0].operator'),
    ('op-labels-value-string', op('overrideRules.0.overriders', {'labelsOverrider': [{'operator': 'add',
                                                                                     'value': 'a=b'}]}),
     'spec.overrideRules[0].overriders.labelsOverrider[0].value'),
    ('op-labels-value-int', op('overrideRules.0.overriders', {'labelsOverrider': [{'operator': 'add',
                                                                                  'value': {'a': 1}}]}),
     'spec.overrideRules[0].overriders.labelsOverrider[0].value'),
    ('op-annotations-value-list', op('overrideRules.0.overriders', {'annotationsOverrider': [{'operator': 'add',
                                                                                             'value': ['a']}]}),
     'spec.overrideRules[0].overriders.annotationsOverrider[0].value'),
    ('op-command-value-string', op('overrideRules.0.overriders', {'commandOverrider': [
        {'containerName': 'c', 'operator': 'add', 'value': 'ls -l'}]}),
     'spec.overrideRules[0].overriders.commandOverrider[0].value'),
    ('op-command-operator', op('overrideRules.0.overriders', {'commandOverrider': [
        {'containerName': 'c', 'operator': 'replace', 'value': ['x']}]}),
     'spec.overrideRules[0].overriders.commandOverrider[0].operator'),
    ('op-plaintext-string', op(None, {'resourceSelectors': [SEL], 'overriders': {'plaintext': 'x'}}),
     'spec.overriders.plaintext'),
    ('op-field-string', op('overrideRules.0.overriders', {'fieldOverrider': 'x'}),
     'spec.overrideRules[0].overriders.fieldOverrider'),
    ('op-field-json-string', op('overrideRules.0.overriders', {'fieldOverrider': [{'fieldPath': '/a', 'json': 'x'}]}),
     'spec.overrideRules[0].overriders.fieldOverrider[0].json'),
    ('op-field-json-operator', op('overrideRules.0.overriders', {'fieldOverrider': [
        {'fieldPath': '/a', 'json': [{'subPath': '/b', 'operator': 'set', 'value': 1}]}]}),
     'spec.overrideRules[0].overriders.fieldOverrider[0].json[0].operator'),
    ('op-field-path-int', op('overrideRules.0.overriders', {'fieldOverrider': [
        {'fieldPath': 5, 'json': [{'subPath': '/b', 'operator': 'add', 'value': 1}]}]}),
     'spec.overrideRules[0].overriders.fieldOverrider[0].fieldPath'),
    ('op-target-names-string', op('overrideRules.0.targetCluster.clusterNames', 'ab'),
     'spec.overrideRules[0].targetCluster.clusterNames'),
    ('op-overriders-typo', op('overrideRules.0.overriders', {'imageOverider': []}), "did you mean 'imageOverrider'"),
    ('op-rule-typo', op('overrideRules.0', {'targetCluster': {}, 'overiders': {}}), "did you mean 'overriders'"),
    ('op-spec-typo', op(None, {'resourceSelectors': [SEL], 'overideRules': []}), "did you mean 'overrideRules'"),
    ('op-selectors-string', op('resourceSelectors', 'x'), 'spec.resourceSelectors'),
    ('op-target-string', op(None, {'resourceSelectors': [SEL], 'targetCluster': 'x'}), 'spec.targetCluster'),
    ('op-name-not-dns', op('resourceSelectors', [SEL], name='Bad_Name'), 'metadata.name'),
    ('op-namespace-not-dns', op('resourceSelectors', [SEL], namespace='-ns'), 'metadata.namespace'),

    # FederatedDeployment documents
    ('fed-docs-string', fed_docs_call('frontend'), 'definition'),
    ('fed-docs-item-string', fed_docs_call(['frontend']), 'definition[0]'),
    ('fed-docs-companion-string', lambda run: POL.federated_deployment(fed_docs()[:1] + ['x'], 'default'),
     'definition[1]'),
    ('fed-companion-no-metadata', lambda run: POL.federated_deployment(
        fed_docs()[:1] + [{'apiVersion': 'v1', 'kind': 'Service', 'spec': {}}], 'default'), 'definition[1].metadata'),
    ('fed-companion-metadata-string', fed('metadata', 'x', doc=1), 'definition[1].metadata'),
    ('fed-companion-no-apiversion', lambda run: POL.federated_deployment(
        fed_docs()[:1] + [{'kind': 'Service', 'metadata': {'name': 's'}}], 'default'), 'definition[1].apiVersion'),
    ('fed-companion-no-name', fed('metadata', {}, doc=1), 'definition[1].metadata.name'),
    ('fed-companion-name-not-dns', fed('metadata.name', 'Bad_Name', doc=2), 'definition[2].metadata.name'),
    ('fed-companion-service-name', fed('metadata.name', '1-service', doc=1), 'definition[1].metadata.name'),
    ('fed-companion-labels-string', fed('metadata', {'name': 's', 'labels': 'a=b'}, doc=1),
     'definition[1].metadata.labels'),
    ('fed-companion-label-value', fed('metadata', {'name': 's', 'labels': {'a': 'bad value!'}}, doc=1),
     'definition[1].metadata.labels'),
    ('fed-companion-kind', fed('kind', 'Deployment', doc=1), 'unsupported document kind'),
    ('fed-companion-namespace', fed('metadata', {'name': 's', 'namespace': 'other'}, doc=1), 'metadata.namespace'),
    ('fed-metadata-string', fed('metadata', 'x'), 'metadata'),
    ('fed-name-not-dns', fed('metadata.name', 'Frontend_App'), 'metadata.name'),
    ('fed-name-missing', fed('metadata', {}), 'metadata.name'),
    ('fed-namespace-not-dns', fed('metadata', {'name': 'x', 'namespace': 'Bad NS'}), 'metadata.namespace'),
    ('fed-spec-string', fed('spec', 'x'), 'spec: got'),
    ('fed-template-string', fed('spec.template', 'x'), 'spec.template'),
    ('fed-template-spec-string', fed('spec.template.spec', 'x'), 'spec.template.spec'),
    ('fed-template-typo', fed('spec.template', {'spce': {}}), "did you mean 'spec'"),
    ('fed-placement-string', fed('spec.placement', 'x'), 'spec.placement'),
    ('fed-clusters-string', fed('spec.placement.clusters', 'ab'), 'spec.placement.clusters'),
    ('fed-cluster-item-string', fed('spec.placement.clusters', ['a']), 'spec.placement.clusters[0]'),
    ('fed-replicas-int32', fed('spec.placement.clusters.0.replicas', BIG), 'spec.placement.clusters[0].replicas'),
    ('fed-replicas-total-int32', fed('spec.placement.clusters', [{'name': 'a', 'replicas': 2 ** 30 - 1},
                                                                 {'name': 'b', 'replicas': 2 ** 30 - 1},
                                                                 {'name': 'c', 'replicas': 2}]),
     'spec.placement.clusters'),
    ('fed-replicas-string', fed('spec.placement.clusters.0.replicas', '2'), 'spec.placement.clusters[0].replicas'),
    ('fed-replicas-negative', fed('spec.placement.clusters.0.replicas', -1), 'spec.placement.clusters[0].replicas'),
    ('fed-cluster-name-not-dns', fed('spec.placement.clusters.0.name', 'Cluster_A'),
     'spec.placement.clusters[0].name'),
    ('fed-cluster-name-int', fed('spec.placement.clusters.0.name', 5), 'spec.placement.clusters[0].name'),
    ('fed-cluster-typo', fed('spec.placement.clusters.0', {'name': 'a', 'replica': 2}), "did you mean 'replicas'"),
    ('fed-spec-typo', fed('spec', {'template': {'spec': {}}, 'placment': {}}), "did you mean 'placement'"),
    ('fed-placement-typo', fed('spec.placement', {'cluster': []}), "did you mean 'clusters'"),
    ('fed-unknown-top-key', fed('status', {}), 'status'),
    ('fed-two', lambda run: POL.federated_deployment(fed_docs()[:1] * 2, 'default'), 'exactly one'),
    ('fed-template-labels', fed('spec.template.metadata', {'labels': {'bad key!': 'x'}}),
     'spec.template.metadata.labels'),

    # karmada_replicas filter (and the engine behind it)
    ('replicas-clusters-string', place('a,b'), 'clusters'),
    ('replicas-cluster-string', place(['a']), 'mapping'),
    ('replicas-cluster-name-not-dns', place([{'name': 'Cluster A'}]), 'clusters[0].name'),
    ('replicas-cluster-name-int', place([{'name': 5}]), 'name'),
    ('replicas-cluster-name-newline', place([{'name': 'a\n'}]), 'clusters[0].name'),
    ('replicas-cluster-labels-string', place([{'name': 'a', 'labels': 'env=prod'}]), 'labels'),
    ('replicas-cluster-label-bool', place([{'name': 'a', 'labels': {'gpu': True}}]), 'clusters[0].labels.gpu'),
    ('replicas-cluster-label-key', place([{'name': 'a', 'labels': {'bad key!': 'x'}}]), 'clusters[0].labels'),
    ('replicas-cluster-zones-int', place([{'name': 'a', 'zones': 5}]), 'clusters[0].zones'),
    ('replicas-cluster-zone-int', place([{'name': 'a', 'zones': [1]}]), 'clusters[0].zones[0]'),
    ('replicas-cluster-provider-space', place([{'name': 'a', 'provider': 'on prem'}]), 'clusters[0].provider'),
    ('replicas-cluster-object-metadata-string', place([{'metadata': 'a', 'spec': {}}]), 'clusters[0].metadata'),
    ('replicas-available-int32', place([{'name': 'a', 'available_replicas': BIG}]), 'available_replicas'),
    ('replicas-duplicate-cluster', place([{'name': 'a'}, {'name': 'a'}]), 'twice'),
    ('replicas-placement-string', place(placement='x'), 'placement'),
    ('replicas-placement-typo', place(placement={'clusterAfinity': {'clusterNames': ['a']}}),
     "did you mean 'clusterAffinity'"),
    ('replicas-clusternames-string', place(placement={'clusterAffinity': {'clusterNames': 'ab'}}),
     'placement.clusterAffinity.clusterNames'),
    ('replicas-exclude-string', place(placement={'clusterAffinity': {'exclude': 'ab'}}),
     'placement.clusterAffinity.exclude'),
    ('replicas-affinity-string', place(placement={'clusterAffinity': 'a'}), 'placement.clusterAffinity'),
    ('replicas-rs-string', place(placement={'replicaScheduling': 'Divided'}), 'placement.replicaScheduling'),
    ('replicas-spread-string', place(placement={'spreadConstraints': 'x'}), 'placement.spreadConstraints'),
    ('replicas-static-names-string', place(placement={'replicaScheduling': with_path(
        WP, 'weightPreference.staticWeightList.0.targetCluster.clusterNames', 'ab')}),
     'placement.replicaScheduling.weightPreference.staticWeightList[0].targetCluster.clusterNames'),
    ('replicas-expression-values-string', place(placement={'clusterAffinity': {'labelSelector': {
        'matchExpressions': [{'key': 'env', 'operator': 'In', 'values': 'prod'}]}}}),
     'placement.clusterAffinity.labelSelector.matchExpressions[0].values'),
    ('replicas-zone-values-string', place(placement={'clusterAffinity': {'fieldSelector': {
        'matchExpressions': [{'key': 'zone', 'operator': 'In', 'values': 'east'}]}}}),
     'placement.clusterAffinity.fieldSelector.matchExpressions[0].values'),
    ('replicas-int32', place(replicas=BIG), 'replicas'),
    ('replicas-negative', place(replicas=-1), 'replicas'),
    ('replicas-string', place(replicas='many'), 'replicas'),
    ('replicas-previous-string', place(previous='a'), 'previous'),
    ('replicas-previous-value', place(previous={'a': 'x'}), 'previous'),
    ('replicas-uid-int', place(uid=5), 'uid'),
    ('engine-clusternames-string', engine(placement={'clusterAffinity': {'clusterNames': 'ab'}}),
     'placement.clusterAffinity.clusterNames'),
    ('engine-static-weight-int64', engine(placement={'replicaScheduling': with_path(
        WP, 'weightPreference.staticWeightList.0.weight', 2 ** 63)}),
     'placement.replicaScheduling.weightPreference.staticWeightList[0].weight'),

    # traffic_weights filter
    ('traffic-normalize-false-string', traffic({'a': 1, 'b': 2}, normalize='false'), 'normalize'),
    ('traffic-normalize-yes-string', traffic({'a': 1, 'b': 2}, normalize='yes'), 'normalize'),
    ('traffic-normalize-int', traffic({'a': 1, 'b': 2}, 1), 'normalize'),
    ('traffic-weights-string', traffic('a'), 'weights'),
    ('traffic-weight-string', traffic({'a': 'x'}), 'weight of a'),
    ('traffic-weight-negative', traffic({'a': -1}), 'weight of a'),
    ('traffic-name-empty', traffic({'': 1}), 'destination names'),
    ('traffic-weight-bool', traffic({'a': True}), 'weight of a'),
    ('traffic-weight-int32', traffic({'a': BIG}), 'weight of a'),
    ('traffic-weight-nan', traffic({'a': float('nan')}), 'weight of a'),
    ('traffic-name-int', traffic({1: 1}), 'destination names'),
    ('traffic-weight-fraction', traffic({'a': 1.5}), 'weight of a'),

    # propagation_policy short form
    ('short-clusters-string', short(clusters='ab'), 'clusters'),
    ('short-clusters-not-dns', short(clusters=['Bad_Name']), 'clusters[0]'),
    ('short-labels-string', short(cluster_labels='env=prod'), 'cluster_labels'),
    ('short-labels-value', short(cluster_labels={'env': 'bad value!'}), 'cluster_labels.env'),
    ('short-weights-string', short(mode='weighted', weights='a=1'), 'weights'),
    ('short-weights-mixed-keys', short(mode='weighted', weights={1: 1, 'a': 2}), 'weights.1'),
    ('short-weight-string', short(mode='weighted', weights={'a': 'heavy'}), 'weights.a'),
    ('short-weight-zero', short(mode='weighted', weights={'a': 0}), 'weights.a'),

    # the modules
    ('mod-pp-placement-string', module(propagation_policy, {'name': 'p', 'spec': {
        'resourceSelectors': [SEL], 'placement': 'x'}}), 'spec.placement'),
    ('mod-pp-replicas-int32', module(propagation_policy, {'name': 'p', 'spec': pp_spec(), 'replicas': BIG,
                                                          'member_clusters': TOPOLOGY}), 'replicas'),
    ('mod-pp-replicas-negative', module(propagation_policy, {'name': 'p', 'spec': pp_spec(), 'replicas': -1,
                                                             'member_clusters': TOPOLOGY}), 'replicas'),
    ('mod-pp-member-clusters-name', module(propagation_policy, {'name': 'p', 'spec': pp_spec(), 'replicas': 2,
                                                                'member_clusters': [{'name': 'Bad Name'}]}), 'member_clusters'),
    ('mod-pp-member-clusters-labels', module(propagation_policy, {'name': 'p', 'spec': pp_spec(), 'replicas': 2,
                                                                  'member_clusters': [{'name': 'a', 'labels': 'x'}]}), 'member_clusters'),
    ('mod-pp-member-clusters-zones', module(propagation_policy, {'name': 'p', 'spec': pp_spec(), 'replicas': 2,
                                                                 'member_clusters': [{'name': 'a', 'zones': 5}]}), 'member_clusters'),
    ('mod-pp-short-weight', module(propagation_policy, {'name': 'p', 'resources': [SEL], 'mode': 'weighted',
                                                        'weights': {'a': 'heavy'}}), 'weights.a'),
    ('mod-pp-short-clusters', module(propagation_policy, {'name': 'p', 'resources': [SEL],
                                                          'clusters': ['Bad_Name']}), 'clusters[0]'),
    ('mod-pp-short-labels', module(propagation_policy, {'name': 'p', 'resources': [SEL],
                                                        'cluster_labels': {'env': 'bad value!'}}), 'cluster_labels'),
    ('mod-pp-name', module(propagation_policy, {'name': 'Bad_Name', 'spec': pp_spec()}), 'metadata.name'),
    ('mod-pp-namespace', module(propagation_policy, {'name': 'p', 'namespace': 'Bad NS', 'spec': pp_spec()}),
     'metadata.namespace'),
    ('mod-pp-resources-typo', module(propagation_policy, {'name': 'p', 'resources': [dict(SEL, nmae='x')]}),
     "did you mean 'name'"),
    ('mod-pp-clusternames-string', module(propagation_policy, {'name': 'p', 'spec': with_path(
        pp_spec(), 'placement.clusterAffinity.clusterNames', 'ab'), 'replicas': 2, 'member_clusters': CLUSTERS}),
     'spec.placement.clusterAffinity.clusterNames'),
    ('mod-op-rules-string', module(override_policy, {'name': 'op', 'spec': {'overrideRules': 'x'}}),
     'spec.overrideRules'),
    ('mod-op-selectors-string', module(override_policy, {'name': 'op', 'spec': {'resourceSelectors': 'x'}}),
     'spec.resourceSelectors'),
    ('mod-op-name', module(override_policy, {'name': 'Bad_Name', 'spec': op_spec()}), 'metadata.name'),
    ('mod-fed-definition-string', module(federated_deployment, {'definition': 'x'}), 'definition'),
    ('mod-fed-replicas-int32', module(federated_deployment, {'definition': fed_module_docs(
        'spec.placement.clusters', [{'name': 'a', 'replicas': BIG - 1}])}), 'spec.placement.clusters[0].replicas'),
    ('mod-fed-companion-no-metadata', module(federated_deployment, {'definition': fed_docs()[:1] + [
        {'apiVersion': 'v1', 'kind': 'Service', 'spec': {}}]}), 'definition[1].metadata'),
    ('mod-fed-absent-item-string', module(federated_deployment, {'state': 'absent', 'definition': ['x']}),
     'definition[0]'),
    ('mod-fed-absent-metadata-string', module(federated_deployment, {'state': 'absent', 'definition': [
        {'kind': 'FederatedDeployment', 'metadata': 'x'}]}), 'metadata'),
    ('mod-fed-absent-no-fed', module(federated_deployment, {'state': 'absent', 'definition': [
        {'kind': 'Service', 'metadata': {'name': 's'}}]}), 'exactly one FederatedDeployment'),
    ('mod-fed-name', module(federated_deployment, {'definition': fed_module_docs('metadata.name', 'Frontend_App')}),
     'metadata.name'),
    ('mod-info-member-clusters-zones', module(placement_info, {'member_clusters': [{'name': 'a', 'zones': 5}]}, binding),
     'member_clusters'),
    ('mod-info-member-clusters-name', module(placement_info, {'member_clusters': [{'name': 'Bad Name'}]}, binding), 'member_clusters'),
    ('mod-info-member-clusters-labels', module(placement_info, {'member_clusters': [{'name': 'a', 'labels': {'x': True}}]},
                                               binding), 'member_clusters'),
]


def _message(exc):
    if isinstance(exc, FailJson):
        return exc.args[0].get('msg', '')
    return str(exc)


def outcome(call, run, fragment):
    """('clear' | 'unclear' | 'crash' | 'silent', message)."""
    clear = (FailJson,) if getattr(call, 'module', False) else CLEAR
    try:
        call(run)
    except clear as exc:
        msg = _message(exc)
        return ('clear' if fragment in msg else 'unclear'), msg
    except Exception as exc:  # pylint: disable=broad-except
        return 'crash', '%s: %s' % (type(exc).__name__, exc)
    return 'silent', ''


def test_cases_are_distinct():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150


@pytest.mark.parametrize('call,fragment', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_error(call, fragment, run_module, request):
    kind, msg = outcome(call, run_module, fragment)
    report = os.environ.get('FLEETOPS_BAD_INPUT_REPORT')
    if report:
        with open(report, 'a') as handle:
            handle.write(json.dumps({'id': request.node.callspec.id, 'outcome': kind, 'message': msg[:300]}) + '\n')
        return
    assert kind == 'clear', '%s: %s' % (kind, msg)


def test_valid_inputs_still_work(run_module):
    """The same builders with the valid inputs the cases start from."""
    POL.build_propagation_policy('p', 'default', pp_spec())
    POL.build_override_policy('op', 'default', op_spec())
    assert POL.federated_deployment(fed_docs(), 'default')['plan'] == {'cluster-beijing': 2, 'cluster-shanghai': 1}
    assert place()(None) == {'a': 3, 'ab': 3, 'b': 3}
    assert place(placement={'clusterAffinity': {'clusterNames': ['ab']}})(None) == {'ab': 3}
    assert traffic({'a': 1, 'b': 2}, normalize=True)(None) == {'a': 33, 'b': 67}
    assert traffic({'a': 1, 'b': 2}, False)(None) == {'a': 1, 'b': 2}
    res = module(propagation_policy, {'name': 'p', 'spec': pp_spec(), 'replicas': 2, 'member_clusters': CLUSTERS})(run_module)
    assert res['plan'] == {'a': 2, 'b': 2}
