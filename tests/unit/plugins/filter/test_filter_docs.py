# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Every filter a FilterModule exposes is documented, and no doc describes a name nobody exposes.

Galaxy (galaxy-importer) lists filter plugins by file name, so a filter documented inside
<name>.py, the only filter of that file, is listed once with its docs; a file of several
filters is listed as a phantom entry without docs, and a <name>.yml doc beside a <name>.py
is listed twice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import importlib
import os

import pytest
import yaml

FILTER_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'filter')
PACKAGE = 'ansible_collections.fleetops.kurator.plugins.filter.'
# One filter per file, documented in the file.
SELF_DOCUMENTED = ('karmada_replicas', 'traffic_weights', 'report_table', 'check_rows', 'onboard_rows', 'kubeconfig',
                   'kubeconfig_server', 's3_credentials')
SELF_DOCUMENTED += ('thanos_objstore', 'fleet_report_html', 'verify_rows', 'cert_rows', 'upgrade_check')


def _modules():
    names = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(FILTER_DIR, '*.py'))
                   if not p.endswith('__init__.py'))
    return dict((name, importlib.import_module(PACKAGE + name)) for name in names)


def _docs():
    """{filter name: (DOCUMENTATION, RETURN)} from in-file docs and <name>.yml sidecars."""
    docs = {}
    for name, module in _modules().items():
        if hasattr(module, 'DOCUMENTATION'):
            docs[name] = (yaml.safe_load(module.DOCUMENTATION), yaml.safe_load(module.RETURN))
    for path in glob.glob(os.path.join(FILTER_DIR, '*.yml')):
        with open(path) as handle:
            doc = yaml.safe_load(handle)
        docs[os.path.basename(path)[:-4]] = (doc['DOCUMENTATION'], doc['RETURN'])
    return docs


def test_every_exposed_filter_is_documented_and_every_doc_is_exposed():
    exposed = set()
    for module in _modules().values():
        exposed.update(module.FilterModule().filters())
    assert set(_docs()) == exposed


@pytest.mark.parametrize('name', sorted(_docs()))
def test_doc_is_complete(name):
    documentation, returns = _docs()[name]
    assert documentation['name'] == name
    assert documentation['short_description']
    assert '_input' in documentation['options']
    assert '_value' in returns


@pytest.mark.parametrize('name', SELF_DOCUMENTED)
def test_one_self_documented_filter_per_file(name):
    module = _modules()[name]
    assert list(module.FilterModule().filters()) == [name]
    assert yaml.safe_load(module.DOCUMENTATION)['name'] == name
    assert yaml.safe_load(module.EXAMPLES)
    assert not os.path.exists(os.path.join(FILTER_DIR, name + '.yml'))
