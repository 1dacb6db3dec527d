# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""_schema (structural-schema validation) against Kurator's real v0.6.0 CRDs, and _kurator's builders."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json

import pytest

from kurator_crds import crd_dir

from ansible_collections.fleetops.kurator.plugins.module_utils import _kurator, _schema


@pytest.fixture(scope='module')
def schemas():
    return _schema.crd_schemas(_kurator.read_crd_files(crd_dir()))


KUBECONFIG = {
    'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'a',
    'clusters': [{'name': 'c', 'cluster': {'server': 'https://127.0.0.1:6444', 'certificate-authority-data': 'Q0E='}},
                 {'name': 'other', 'cluster': {'server': 'https://x'}}],
    'users': [{'name': 'u', 'user': {'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5'}}],
    'contexts': [{'name': 'a', 'context': {'cluster': 'c', 'user': 'u'}}],
}


def fleet(clusters=('cluster-beijing', 'cluster-shanghai'), plugin=None):
    return _kurator.fleet_objects('fleetops', 'kurator-fleet', [
        {'name': n, 'kubeconfig': '{}', 'labels': {'region': 'north-china'}} for n in clusters], plugin)


def test_every_kurator_kind_has_a_schema(schemas):
    for kind, api_version in _kurator.API_VERSIONS.items():
        assert (api_version, kind) in schemas, kind


def test_generated_fleet_is_valid(schemas):
    objects = fleet(plugin={'metric': {'thanos': {'objectStoreConfig': {'secretName': 'thanos-objstore'}}}})
    assert [o['kind'] for o in objects] == ['Secret', 'AttachedCluster', 'Secret', 'AttachedCluster', 'Fleet']
    _schema.validate_objects([o for o in objects if o['kind'] != 'Secret'], schemas)
    fl = objects[-1]
    assert fl['spec']['clusters'] == [{'name': 'cluster-beijing', 'kind': 'AttachedCluster'},
                                      {'name': 'cluster-shanghai', 'kind': 'AttachedCluster'}]
    ac = objects[1]
    assert ac['spec'] == {'kubeconfig': {'name': 'cluster-beijing-kubeconfig', 'key': 'value'}}
    assert ac['metadata']['labels']['fleetops.kurator/owner'] == 'Fleet.kurator-fleet.fleetops'
    assert ac['metadata']['labels']['region'] == 'north-china'


def test_typo_and_wrong_type_named_with_their_paths(schemas):
    objects = fleet(plugin={'metric': {'thanos': {'objectStoreConfg': {'secretName': 's'}}}})
    objects[-1]['spec']['clusters'][0]['name'] = 7
    with pytest.raises(_schema.SchemaError) as exc:
        _schema.validate_objects(objects[1:], schemas)
    errors = exc.value.errors
    assert any(e.startswith('Fleet kurator-fleet/fleetops: spec.clusters[0].name: got 7; expected a string') for e in errors), errors
    assert any("spec.plugin.metric.thanos.objectStoreConfg: got 'objectStoreConfg'" in e
               and "did you mean 'objectStoreConfig'" in e for e in errors), errors
    assert any('spec.plugin.metric.thanos.objectStoreConfig: got None; expected a value: the field is required' in e
               for e in errors), errors


def test_enum_pattern_and_int_or_string(schemas):
    app = _kurator.application_object('podinfo', 'kurator-fleet', {
        'gitRepository': {'url': 'ftp://x', 'interval': '3 minutes', 'gitImplementation': 'svn'}},
        [{'kustomization': {'interval': '5m', 'prune': 'yes', 'path': './deploy'}}], fleet='fleetops',
        cluster_selector={'environment': 'production'})
    errors = _schema.validate(app, schemas)
    text = '\n'.join(errors)
    assert "spec.source.gitRepository.url: got 'ftp://x'; expected a string matching ^(http|https|ssh)://.*$" in text
    assert 'spec.source.gitRepository.interval' in text
    assert "spec.source.gitRepository.gitImplementation: got 'svn'; expected one of go-git, libgit2" in text
    assert "spec.syncPolicies[0].kustomization.prune: got 'yes'; expected true or false" in text
    assert len(errors) == 4, errors


def test_valid_application(schemas):
    app = _kurator.application_object('podinfo', 'kurator-fleet', {
        'gitRepository': {'url': 'https://github.com/stefanprodan/podinfo', 'interval': '3m0s', 'ref': {'branch': 'master'}}},
        [{'name': 'prod', 'kustomization': {'interval': '5m0s', 'prune': True, 'path': './deploy/webapp', 'timeout': '2m0s'}},
         {'helm': {'releaseName': 'x', 'interval': '1m', 'chart': {'spec': {'chart': 'podinfo', 'version': '6.x'}},
                   'values': {'replicaCount': 2, 'anything': {'goes': [1]}}}}],
        fleet='fleetops', cluster_selector={'environment': 'production'})
    assert _schema.validate(app, schemas) == []
    assert app['spec']['destination'] == {'fleet': 'fleetops', 'clusterSelector': {'matchLabels': {'environment': 'production'}}}


def test_application_input_errors():
    with pytest.raises(_kurator.KuratorError) as exc:
        _kurator.application_object('Bad_Name', 'ns', {'gitRepository': {}, 'helmRepository': {}}, [],
                                    cluster_selector={'a': 'b'})
    text = '\n'.join(exc.value.errors)
    assert 'name:' in text and 'source:' in text and 'sync_policies:' in text and 'cluster_selector:' in text


def test_unknown_kind_and_metadata(schemas):
    errors = _schema.validate({'apiVersion': 'apps.kurator.dev/v1', 'kind': 'Application', 'metadata': {'name': 'x'}}, schemas)
    assert 'apiVersion/kind' in errors[0] and 'apps.kurator.dev/v1alpha1 Application' in errors[0]
    errors = _schema.validate({'apiVersion': 'fleet.kurator.dev/v1alpha1', 'kind': 'Fleet', 'metadata': {'name': 'UP'}}, schemas)
    assert errors and errors[0].startswith("metadata.name: got 'UP'")


def test_list_types_and_formats():
    schema = {'type': 'object', 'properties': {
        'when': {'type': 'string', 'format': 'date-time'},
        'n': {'type': 'integer', 'format': 'int32', 'minimum': 0},
        'tags': {'type': 'array', 'items': {'type': 'string'}, 'x-kubernetes-list-type': 'set'},
        'ports': {'type': 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port'],
                  'items': {'type': 'object', 'properties': {'port': {'type': 'integer'}}}},
        'free': {'type': 'object', 'x-kubernetes-preserve-unknown-fields': True},
        'opt': {'type': 'string', 'nullable': True},
        'ios': {'x-kubernetes-int-or-string': True, 'anyOf': [{'type': 'integer'}, {'type': 'string'}]},
    }}
    schemas = {('x/v1', 'X'): {'type': 'object', 'properties': {'spec': schema}}}
    good = {'apiVersion': 'x/v1', 'kind': 'X', 'metadata': {'name': 'a'},
            'spec': {'when': '2026-12-02T10:00:00Z', 'n': 3, 'tags': ['a', 'b'], 'ports': [{'port': 1}, {'port': 2}],
                     'free': {'a': {'b': 1}}, 'opt': None, 'ios': '50%'}}
    assert _schema.validate(good, schemas) == []
    bad = {'apiVersion': 'x/v1', 'kind': 'X', 'metadata': {'name': 'a'},
           'spec': {'when': 'yesterday', 'n': 2 ** 40, 'tags': ['a', 'a'], 'ports': [{'port': 1}, {'port': 1}],
                    'ios': 1.5, 'extra': True}}
    text = '\n'.join(_schema.validate(bad, schemas))
    for path in ('spec.when', 'spec.n', 'spec.tags[1]', 'spec.ports[1]', 'spec.ios', 'spec.extra'):
        assert path + ':' in text, (path, text)


def test_member_kubeconfig_one_context_inline_and_endpoint(tmp_path):
    text = _kurator.member_kubeconfig(KUBECONFIG, server='https://172.31.250.1:6444')
    doc = json.loads(text)
    assert [c['name'] for c in doc['clusters']] == ['c']
    assert doc['clusters'][0]['cluster']['server'] == 'https://172.31.250.1:6444'
    assert doc['users'][0]['user']['client-key-data'] == 'a2V5'
    assert text == _kurator.member_kubeconfig(KUBECONFIG, server='https://172.31.250.1:6444')  # stable text
    # file references are inlined, relative to the kubeconfig's directory
    (tmp_path / 'ca.crt').write_text('CA')
    kc = json.loads(json.dumps(KUBECONFIG))
    kc['clusters'][0]['cluster'] = {'server': 'https://a', 'certificate-authority': 'ca.crt'}
    (tmp_path / 'kc').write_text(json.dumps(kc))
    doc = json.loads(_kurator.member_kubeconfig(str(tmp_path / 'kc')))
    assert base64.b64decode(doc['clusters'][0]['cluster']['certificate-authority-data']) == b'CA'


def test_member_kubeconfig_refuses_plugins_and_names_the_field():
    kc = json.loads(json.dumps(KUBECONFIG))
    kc['users'][0]['user'] = {'exec': {'command': 'aws'}}
    with pytest.raises(_kurator.KuratorError) as exc:
        _kurator.member_kubeconfig(kc, where='clusters[1].kubeconfig')
    assert exc.value.errors[0].startswith('clusters[1].kubeconfig: ') and 'exec' in exc.value.errors[0]
    with pytest.raises(_kurator.KuratorError) as exc:
        _kurator.member_kubeconfig(KUBECONFIG, context='nope')
    assert "no context named 'nope'" in str(exc.value)


def test_fleet_input_errors():
    with pytest.raises(_kurator.KuratorError) as exc:
        _kurator.fleet_objects('fleetops', 'ns', [{'name': 'a', 'kubeconfig': '', 'labels': {'k': 1}},
                                                  {'name': 'a', 'kubeconfig': ''}], plugin=[])
    text = '\n'.join(exc.value.errors)
    assert 'clusters[0].labels.k' in text and 'clusters[1].name' in text and 'plugin' in text


def test_kurator_argument_spec_matches_its_doc_fragment():
    """The options every Kurator module takes from kurator_argument_spec are the ones the doc fragment
    fleetops.kurator.kurator documents (type, default), and the module's own come on top."""
    import yaml
    from ansible_collections.fleetops.kurator.plugins.doc_fragments.kurator import ModuleDocFragment
    spec = _kurator.kurator_argument_spec(name=dict(type='str', required=True))
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    for key, doc in documented.items():
        assert spec[key]['type'] == doc['type'] and spec[key].get('default') == doc.get('default'), key
    assert spec['name'] == {'type': 'str', 'required': True}
    assert spec['state'] == {'type': 'str', 'default': 'present', 'choices': ['present', 'absent']}
    assert spec['kubeconfig']['no_log'] is True   # the connection options are kubernetes.core's
