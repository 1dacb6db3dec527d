# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Where the tests find Kurator's v0.6.0 CRDs: test data beside the repository, not in it.

The collection carries no copy (real fleets install them from Kurator's charts through the
artifact mirror); ../shared/reference/kurator-crds/ holds them, as CI has it
(FLEETOPS_KURATOR_CRDS overrides). A test that needs them fails, never skips, without them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KURATOR_CRDS = os.environ.get('FLEETOPS_KURATOR_CRDS', os.path.join(
    os.path.dirname(os.path.realpath(REPO)), 'shared', 'reference', 'kurator-crds', 'v0.6.0'))


def crd_dir():
    assert os.path.isdir(KURATOR_CRDS), (
        "Kurator's v0.6.0 CRDs are not at %s: they belong in ../shared/reference/kurator-crds/v0.6.0 beside "
        "the repository (Kurator v0.6.0's manifests/charts/*/crds), or set FLEETOPS_KURATOR_CRDS" % KURATOR_CRDS)
    return KURATOR_CRDS
