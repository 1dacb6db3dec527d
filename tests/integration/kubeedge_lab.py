"""Lab helpers shared by tests/integration/test_kubeedge.py and bench/bench_onboarding.py.

The lab has no registry, so the pod sandbox image is built here: a static `pause` (the same
behaviour as Kubernetes' build/pause/linux/pause.c) in a FROM-scratch image, saved with
`docker save` to the path inventories/lab/group_vars/edge_nodes/kubeedge.yml side-loads.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

CACHE = Path(os.environ.get("FLEETOPS_LAB_CACHE", "/var/cache/fleetops-lab"))
PAUSE_TAR = CACHE / "images" / "pause-3.10-linux-amd64.tar"
PAUSE_REF = "registry.k8s.io/pause:3.10"

PAUSE_C = r"""
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
static void sigdown(int signo) { psignal(signo, "Shutting down, got signal"); exit(0); }
static void sigreap(int signo) { (void)signo; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
int main(void) {
  if (getpid() != 1) fprintf(stderr, "Warning: pause should be the first process\n");
  struct sigaction down = {.sa_handler = sigdown}, reap = {.sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &down, NULL); sigaction(SIGTERM, &down, NULL); sigaction(SIGCHLD, &reap, NULL);
  for (;;) pause();
  return 42;
}
"""


def ensure_pause_image() -> Path:
    """Build the sandbox image archive once (gcc -static + docker build + docker save)."""
    if PAUSE_TAR.exists():
        return PAUSE_TAR
    PAUSE_TAR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        w = Path(work)
        (w / "pause.c").write_text(PAUSE_C)
        subprocess.run(["gcc", "-static", "-Os", "-o", str(w / "pause"), str(w / "pause.c")], check=True)
        subprocess.run(["strip", str(w / "pause")], check=True)
        (w / "Dockerfile").write_text('FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n')
        subprocess.run(["docker", "build", "-q", "-t", PAUSE_REF, str(w)], check=True, capture_output=True)
        tmp = PAUSE_TAR.with_suffix(".tmp")
        subprocess.run(["docker", "save", "-o", str(tmp), PAUSE_REF], check=True)
        tmp.chmod(0o644)
        tmp.rename(PAUSE_TAR)
    return PAUSE_TAR
