# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""One license header on every Python file of the collection and its unit tests (make lint runs
ruff over the same files): the GPL line and the copyright line within the first lines, and
every private module_util says it is PRIVATE."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os

import pytest

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
LICENSE = '# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)'
COPYRIGHT = '# Copyright: (c) 2026, fleetops.kurator contributors'
PRIVATE = '# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.'
FILES = sorted(os.path.relpath(p, REPO) for pattern in ('plugins/**/*.py', 'tests/unit/**/*.py')
               for p in glob.glob(os.path.join(REPO, pattern), recursive=True)
               if not p.endswith('__init__.py'))


def _head(path, lines=6):
    with open(os.path.join(REPO, path)) as handle:
        return [handle.readline().rstrip('\n') for dummy in range(lines)]


def test_there_are_files():
    assert len(FILES) > 50


@pytest.mark.parametrize('path', FILES)
def test_license_header(path):
    head = _head(path)
    assert LICENSE in head and COPYRIGHT in head, '%s: the first lines carry %r and %r' % (path, LICENSE, COPYRIGHT)


@pytest.mark.parametrize('path', [p for p in FILES if os.path.basename(p).startswith('_')
                                  and os.sep + 'module_utils' + os.sep in os.sep + p])
def test_private_module_utils_say_so(path):
    assert PRIVATE in _head(path, 8), '%s: a private module_util carries %r' % (path, PRIVATE)
