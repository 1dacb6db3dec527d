"""Lab helpers shared by tests/integration/test_kubeedge.py and bench/bench_onboarding.py.

The lab has no registry: lab/images/build.sh builds its images (the pod sandbox image, a
static `pause` in a FROM-scratch image, and agnhost) into the artifact mirror, from where
the kubeedge_edge role side-loads them (inventories/lab/group_vars/edge_nodes/kubeedge.yml).
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("FLEETOPS_LAB_CACHE", "/var/cache/fleetops-lab"))
PAUSE_REF = "registry.k8s.io/pause:3.10"
AGNHOST_REF = "registry.k8s.io/e2e-test-images/agnhost:2.59"


def image_archive(ref: str) -> Path:
    """The mirror's archive of an image (lab/images/build.sh), built when missing."""
    repo, tag = ref.rsplit(":", 1)
    path = CACHE / "mirror" / "images" / repo / tag / "linux-amd64.tar"
    if not path.exists():
        name = repo.rsplit("/", 1)[1]
        subprocess.run(["bash", str(REPO / "lab" / "images" / "build.sh"), name], check=True)
    return path


PAUSE_TAR = CACHE / "mirror" / "images" / "registry.k8s.io" / "pause" / "3.10" / "linux-amd64.tar"


def ensure_pause_image() -> Path:
    return image_archive(PAUSE_REF)
