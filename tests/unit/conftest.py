# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Make the collection importable as ansible_collections.fleetops.kurator.

When the repository is not already checked out under an
ansible_collections/<namespace>/<name> tree (ansible-test does that), build one
in a temp dir with a symlink to the repository and put it first on sys.path.
ansible-core's collection loader is installed over that tree plus every
site-packages/ansible_collections directory, so collections shipped with the
``ansible`` package (kubernetes.core, ...) resolve in the same namespace and
plugin loaders used by tests (inventory, filters) find this collection.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collections_root():
    parts = REPO.split(os.sep)
    if len(parts) >= 3 and parts[-3] == 'ansible_collections':
        return os.sep.join(parts[:-3])
    # One tree per checkout: two worktrees testing at once must not re-point each other's link.
    checkout = hashlib.sha256(os.path.realpath(REPO).encode()).hexdigest()[:12]
    root = os.path.join(tempfile.gettempdir(), 'fleetops-kurator-unit-%d-%s' % (os.getuid(), checkout))
    link = os.path.join(root, 'ansible_collections', 'fleetops', 'kurator')
    if not os.path.islink(link) or os.path.realpath(link) != os.path.realpath(REPO):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(REPO, link)
    return root


_ROOT = _collections_root()
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

try:
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
except ImportError:
    _AnsibleCollectionFinder = None
if _AnsibleCollectionFinder is not None:
    _paths = [_ROOT] + [p for p in sys.path
                        if p != _ROOT and os.path.isdir(os.path.join(p, 'ansible_collections'))]
    _AnsibleCollectionFinder(paths=_paths, scan_sys_paths=False)._install()


def pytest_configure(config):
    # ansible's plugin loader tries to install its own finder later and warns that one exists.
    config.addinivalue_line('filterwarnings', 'ignore:AnsibleCollectionFinder has already been configured')
