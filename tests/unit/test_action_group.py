# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""The k8s action group (meta/runtime.yml) and the modules' documentation agree.

A module that takes kubernetes.core's connection options (k8s_argument_spec) is in the group
``fleetops.kurator.k8s``, so a play sets its connection once with module_defaults; it documents
those options with kubernetes.core's own doc fragment and its membership with the
``action_group`` attribute. A module outside the group claims neither.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import os

import pytest
import yaml

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
MODULES = os.path.join(REPO, 'plugins', 'modules')
NAMES = sorted(n[:-3] for n in os.listdir(MODULES) if n.endswith('.py') and not n.startswith('_'))
AUTH_FRAGMENT = 'fleetops.kurator.k8s_auth'
GROUP_FRAGMENT = 'fleetops.kurator.attributes.action_group_k8s'


def _group():
    with open(os.path.join(REPO, 'meta', 'runtime.yml')) as handle:
        return set(yaml.safe_load(handle)['action_groups']['k8s'])


def _module(name):
    with open(os.path.join(MODULES, name + '.py')) as handle:
        source = handle.read()
    doc = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'DOCUMENTATION':
            doc = yaml.safe_load(node.value.value)
    return source, doc


def test_group_names_existing_modules():
    assert _group() <= set(NAMES), sorted(_group() - set(NAMES))


@pytest.mark.parametrize('name', NAMES)
def test_group_membership_matches_the_docs_and_the_argument_spec(name):
    source, doc = _module(name)
    fragments = doc.get('extends_documentation_fragment') or []
    # k8s_argument_spec directly, or through the policy or the Kurator helpers that extend it.
    takes_connection = any(spec + '(' in source for spec in ('k8s_argument_spec', 'policy_argument_spec',
                                                             'kurator_argument_spec'))
    in_group = name in _group()
    assert takes_connection == in_group, (
        '%s: %s kubernetes.core connection options but is %sin the k8s action group (meta/runtime.yml)'
        % (name, 'takes' if takes_connection else 'does not take', '' if in_group else 'not '))
    assert (AUTH_FRAGMENT in fragments) == in_group, '%s: doc fragment %s' % (name, AUTH_FRAGMENT)
    assert (GROUP_FRAGMENT in fragments) == in_group, '%s: doc fragment %s' % (name, GROUP_FRAGMENT)


def test_the_group_attribute_names_the_group():
    from ansible_collections.fleetops.kurator.plugins.doc_fragments.attributes import ModuleDocFragment

    attribute = yaml.safe_load(ModuleDocFragment.ACTION_GROUP_K8S)['attributes']['action_group']
    assert attribute['membership'] == ['fleetops.kurator.k8s']


def test_connection_options_are_kubernetes_cores():
    """The spec is kubernetes.core's, so kubeconfig (a path or the content) is no_log; the stand-in
    used where kubernetes.core is not importable is equal to it."""
    from ansible_collections.fleetops.kurator.plugins.module_utils import _k8s
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC

    spec = _k8s.k8s_argument_spec(extra=dict(type='str'))
    assert dict((k, v) for k, v in spec.items() if k != 'extra') == AUTH_ARG_SPEC
    assert _k8s.AUTH_ARG_SPEC is AUTH_ARG_SPEC
    assert _k8s._AUTH_ARG_SPEC_STANDIN == AUTH_ARG_SPEC
    assert spec['kubeconfig']['no_log'] is True


def _doc_type(spec):
    return spec.get('type') or 'str'


def test_the_fragment_documents_kubernetes_cores_spec():
    from ansible_collections.fleetops.kurator.plugins.doc_fragments.k8s_auth import ModuleDocFragment
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC

    def check(documented, spec, path):
        assert sorted(documented) == sorted(spec), path
        for name, arg in spec.items():
            doc = documented[name]
            where = path + name
            assert doc.get('type', 'str') == _doc_type(arg), where
            assert sorted(doc.get('aliases') or []) == sorted(arg.get('aliases') or []), where
            assert doc.get('default') == arg.get('default'), where
            assert doc.get('elements') == arg.get('elements'), where
            if arg.get('options'):
                check(doc.get('suboptions') or {}, arg['options'], where + '.')

    check(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'], AUTH_ARG_SPEC, '')
