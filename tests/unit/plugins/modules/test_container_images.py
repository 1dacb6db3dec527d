# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""container_images: side-loading into containerd (ctr answered by a fake run_command, the
mirror by a fake open_url)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.kurator.plugins.module_utils import _images
from image_fakes import FakeMirror, image_archive, mirror_files

ETCD = "registry.k8s.io/etcd:3.6.14-0"
PAUSE = "registry.k8s.io/pause:3.10"
MIRROR = "http://172.31.250.1:8080"


class Mirror(FakeMirror):
    def __init__(self, refs, holds=None):
        files = {}
        for ref in refs:
            url = _images.archive_url(ref, MIRROR)
            files.update(mirror_files(ref, url, image_archive((holds or {}).get(ref, ref))))
        super(Mirror, self).__init__(files)


class Containerd(object):
    def __init__(self, present=()):
        self.present, self.commands = set(present), []

    def __call__(self, args, check=True):
        self.commands.append(args)
        if args[3:5] == ["images", "ls"]:
            return 0, "\n".join(sorted(self.present)) + "\n", ""
        if args[3:5] == ["images", "import"]:
            self.present.update(_images.archive_refs(args[-1]))
            return 0, "", ""
        raise AssertionError(args)

    def imports(self):
        return [c for c in self.commands if c[3:5] == ["images", "import"]]


class Failed(Exception):
    pass


def loader(run, mirror, tmp_path, check_mode=False, notes=None):
    def fail(msg):
        raise Failed(msg)
    return _images.SideLoader(run, (notes if notes is not None else []).append, fail, mirror, str(tmp_path),
                              check_mode=check_mode)


def images(*refs):
    return [{"ref": r, "url": _images.archive_url(r, MIRROR), "sha256": None} for r in refs]


def test_only_missing_images_are_downloaded_and_imported_then_nothing(tmp_path):
    ctr, mirror = Containerd(present=[PAUSE]), Mirror([ETCD, PAUSE])
    side = loader(ctr, mirror, tmp_path)
    assert side.load(images(ETCD, PAUSE), side.present()) == [ETCD]
    assert mirror.fetched == [_images.archive_url(ETCD, MIRROR) + ".sha256", _images.archive_url(ETCD, MIRROR)]
    assert len(ctr.imports()) == 1 and list(tmp_path.iterdir()) == []
    mirror.fetched = []
    assert side.load(images(ETCD, PAUSE), side.present()) == [] and mirror.fetched == []


def test_check_mode_reports_and_fetches_nothing(tmp_path):
    ctr, mirror, notes = Containerd(), Mirror([ETCD]), []
    side = loader(ctr, mirror, tmp_path, check_mode=True, notes=notes)
    assert side.load(images(ETCD), side.present()) == [ETCD]
    assert mirror.fetched == [] and not ctr.imports() and notes == ["side-load %s from %s" % (ETCD, _images.archive_url(ETCD, MIRROR))]


def test_an_archive_holding_another_image_is_refused(tmp_path):
    ctr, mirror = Containerd(), Mirror([ETCD], holds={ETCD: "example.com/other:1"})
    with pytest.raises(Failed, match="holds example.com/other:1, not registry.k8s.io/etcd:3.6.14-0"):
        loader(ctr, mirror, tmp_path).load(images(ETCD), set())
    assert not ctr.imports() and list(tmp_path.iterdir()) == []


def test_a_wrong_pinned_checksum_and_a_missing_archive_fail_naming_the_image(tmp_path):
    ctr = Containerd()
    pinned = [dict(images(ETCD)[0], sha256="0" * 64)]
    with pytest.raises(Failed, match="cannot side-load registry.k8s.io/etcd:3.6.14-0 .*expected 0{64}"):
        loader(ctr, Mirror([ETCD]), tmp_path).load(pinned, set())
    with pytest.raises(Failed, match="cannot side-load registry.k8s.io/etcd:3.6.14-0 .*404"):
        loader(ctr, Mirror([]), tmp_path).load(images(ETCD), set())
    assert not ctr.imports()
