# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Make the collection importable as ansible_collections.fleetops.kurator.

When the repository is not already checked out under an
ansible_collections/<namespace>/<name> tree (ansible-test does that), build one
in a temp dir with a symlink to the repository and put it first on sys.path.
Collections installed with the ``ansible`` package (kubernetes.core, ...) stay
importable because ansible_collections is extended to also search every
site-packages/ansible_collections directory.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _already_in_tree():
    parts = REPO.split(os.sep)
    return len(parts) >= 3 and parts[-3] == 'ansible_collections'


def _setup():
    if _already_in_tree():
        root = os.path.dirname(os.path.dirname(os.path.dirname(REPO)))
    else:
        root = os.path.join(tempfile.gettempdir(), 'fleetops-kurator-unit-%d' % os.getuid())
        link = os.path.join(root, 'ansible_collections', 'fleetops', 'kurator')
        if not os.path.islink(link) or os.path.realpath(link) != os.path.realpath(REPO):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(REPO, link)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        # Let ansible-core's collection loader resolve ansible_collections.* for
        # both our tree and the collections shipped in the ansible package.
        from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
        paths = [root] + [p for p in sys.path
                          if p != root and os.path.isdir(os.path.join(p, 'ansible_collections'))]
        finder = _AnsibleCollectionFinder(paths=paths, scan_sys_paths=False)
        finder._install()
    except ImportError:
        pass


_setup()
