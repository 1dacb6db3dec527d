#!/usr/bin/env python3
"""fleetops lab runtime: five real Kubernetes control planes with kwok nodes, an
artifact mirror and an S3 store, all as background processes on this machine.

    lab/lab.py up        start what is not running (idempotent), bootstrap nodes
    lab/lab.py down      stop every lab process (pid files), verify nothing listens
    lab/lab.py status    health per process, Ready nodes, resident memory
    lab/lab.py topology  (re)write inventories/lab/topology.yml
    lab/lab.py mirror    (re)build the artifact mirror tree from the binary cache
    lab/lab.py mirror-serve [DIR]   serve DIR (an unpacked offline bundle) at the mirror's address; no DIR: the mirror again
    lab/lab.py nodes     join the lab hosts with role `node` to their clusters as real
                         kubelet nodes, route pod ranges, deploy CoreDNS (lab/nodes.py)

Standard library only (system python3 works; no PyYAML or kubernetes client needed).
Binaries come from lab/build-binaries.sh's cache; state lives outside the repository:
    ${FLEETOPS_LAB_STATE:-/var/lib/fleetops-lab}   pids, logs, etcd data, PKI, S3 data
    ${FLEETOPS_LAB_CACHE:-/var/cache/fleetops-lab} binaries and the mirror tree
"""
from __future__ import annotations

import base64
import fcntl
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
STATE = Path(os.environ.get("FLEETOPS_LAB_STATE", "/var/lib/fleetops-lab"))
CACHE = Path(os.environ.get("FLEETOPS_LAB_CACHE", "/var/cache/fleetops-lab"))
VERSIONS_FILE = Path(os.environ.get(
    "FLEETOPS_VERSIONS_FILE", REPO / "roles/_artifacts/defaults/main/versions.yml"))
LAB_VERSIONS_FILE = HERE / "versions.yml"   # what only the lab runs (kwok, S3, DNS)
KUBECONFIG_DIR = Path(os.environ.get("FLEETOPS_LAB_KUBECONFIG_DIR", REPO / ".lab" / "kubeconfigs"))
TOPOLOGY_FILE = Path(os.environ.get("FLEETOPS_LAB_TOPOLOGY", REPO / "inventories" / "lab" / "topology.yml"))
# Shifts every port: a second lab instance (e.g. testing lab.py itself) beside the real one.
PORT_OFFSET = int(os.environ.get("FLEETOPS_LAB_PORT_OFFSET", "0"))
HOSTS_JSON = STATE / "hosts.json"
HOSTS_META = STATE / "hosts-meta.json"

# The lab hosts' Docker network (lab/hosts/hosts.sh): fixed /24, the machine is .1.
NET_PREFIX = os.environ.get("LAB_NET_PREFIX", "172.31.250")
MIRROR_PORT = int(os.environ.get("LAB_MIRROR_PORT", "8080")) + PORT_OFFSET
S3_PORT = int(os.environ.get("LAB_S3_PORT", "9000")) + PORT_OFFSET
S3_BUCKETS = ("velero-backups", "thanos-metrics")
S3_REGION = "us-east-1"


def gateway() -> str:
    """Address of this machine on the lab hosts' network (what containers dial)."""
    try:
        return json.loads(HOSTS_META.read_text())["gateway"]
    except (OSError, ValueError, KeyError):
        return f"{NET_PREFIX}.1"


# Extra SANs so the API servers are reachable through Docker's default bridge too.
EXTRA_SAN_IPS = [ip for ip in os.environ.get("LAB_EXTRA_SAN_IPS", "172.17.0.1").split(",") if ip]


@dataclass
class Cluster:
    name: str
    index: int
    role: str
    region: str
    zones: list[str]
    labels: dict[str, str]
    workers: int = 3
    gpu_nodes: int = 2
    provider: str = "lab"

    # Ports: one block per cluster, all distinct so the five clusters coexist.
    @property
    def api_port(self) -> int: return 6443 + PORT_OFFSET + self.index
    @property
    def etcd_port(self) -> int: return 2379 + PORT_OFFSET + 2 * self.index
    @property
    def etcd_peer_port(self) -> int: return 2380 + PORT_OFFSET + 2 * self.index
    @property
    def kcm_port(self) -> int: return 11000 + PORT_OFFSET + self.index
    @property
    def sched_port(self) -> int: return 11010 + PORT_OFFSET + self.index
    @property
    def kwok_port(self) -> int: return 11020 + PORT_OFFSET + self.index
    @property
    def service_cidr(self) -> str: return f"10.{96 + self.index}.0.0/16"
    @property
    def service_ip(self) -> str: return f"10.{96 + self.index}.0.1"
    @property
    def pod_cidr(self) -> str: return f"10.{200 + self.index}.0.0/16"
    @property
    def dir(self) -> Path: return STATE / "clusters" / self.name
    @property
    def pki(self) -> Path: return self.dir / "pki"
    @property
    def kubeconfig(self) -> Path: return KUBECONFIG_DIR / f"{self.name}.kubeconfig"
    @property
    def short(self) -> str: return self.name.removeprefix("cluster-")


# The sample topology. Members shanghai and hangzhou are production in east-china.
CLUSTERS = [
    Cluster("host", 0, "host", "north-china", ["north-china-a"], {}, workers=3, gpu_nodes=0),
    Cluster("cluster-beijing", 1, "member", "north-china", ["north-china-a", "north-china-b"],
            {"environment": "staging", "region": "north-china"}),
    Cluster("cluster-shanghai", 2, "member", "east-china", ["east-china-a", "east-china-b"],
            {"environment": "production", "region": "east-china"}),
    Cluster("cluster-guangzhou", 3, "member", "south-china", ["south-china-a"],
            {"environment": "staging", "region": "south-china"}),
    Cluster("cluster-hangzhou", 4, "member", "east-china", ["east-china-c"],
            {"environment": "production", "region": "east-china"}),
]
REGIONS = ["north-china", "east-china", "south-china"]
# Pull-mode members and the lab host (role gateway in hosts.json) that runs their karmada-agent.
PULL_AGENTS = {"cluster-hangzhou": "gw-hangzhou"}

# Memory: per-process Go soft limits; everything shares the machine's 2 cores.
GO_ENV = {
    "etcd": {"GOMAXPROCS": "2", "GOMEMLIMIT": "96MiB"},
    "kube-apiserver": {"GOMAXPROCS": "2", "GOMEMLIMIT": "320MiB"},
    "kube-controller-manager": {"GOMAXPROCS": "1", "GOMEMLIMIT": "96MiB"},
    "kube-scheduler": {"GOMAXPROCS": "1", "GOMEMLIMIT": "64MiB"},
    "kwok": {"GOMAXPROCS": "1", "GOMEMLIMIT": "64MiB"},
    "gofakes3": {"GOMAXPROCS": "1", "GOMEMLIMIT": "128MiB"},
}


def shown(path: Path) -> str:
    """path relative to the repository when inside it (for messages)."""
    return str(path.relative_to(REPO)) if REPO in path.parents else str(path)


def log(msg: str) -> None:
    print(f"[lab] {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> None:
    log(f"ERROR: {msg}")
    sys.exit(1)


# ---------------------------------------------------------------------------
# versions and binaries
# ---------------------------------------------------------------------------
def versions() -> dict[str, str]:
    out = {}
    for path in (LAB_VERSIONS_FILE, VERSIONS_FILE):   # the collection's pins win
        for line in path.read_text().splitlines():
            m = re.match(r"^\s+([a-z0-9_]+):\s*([^\s#]+)", line)
            if m:
                out[m.group(1)] = m.group(2).strip("'\"")
    return out


def bindir(component: str) -> Path:
    d = CACHE / "bin" / component / versions()[component]
    if not (d / ".built").exists():
        die(f"{component} {versions()[component]} is not built: run lab/build-binaries.sh {component}")
    return d


def binary(component: str, name: str) -> Path:
    return bindir(component) / name


# ---------------------------------------------------------------------------
# processes
# ---------------------------------------------------------------------------
def pidfile(name: str) -> Path:
    return STATE / "run" / f"{name}.pid"


def logfile(name: str) -> Path:
    return STATE / "logs" / f"{name}.log"


def running_pid(name: str) -> int | None:
    """pid of lab process `name` if its pid file points at a live process of ours."""
    try:
        pid = int(pidfile(name).read_text().split()[0])
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        exe = pidfile(name).read_text().split()[1]
    except (OSError, ValueError, IndexError):
        return None
    if cmd and cmd[0].decode(errors="replace") == exe:
        # a zombie still has a cmdline only while not reaped; check state
        try:
            st = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return None
        return None if st == "Z" else pid
    return None


def start(name: str, argv: list[str], env: dict[str, str] | None = None,
          cwd: Path | None = None) -> bool:
    """Start argv detached unless already running. Returns True if started now."""
    if running_pid(name):
        return False
    (STATE / "run").mkdir(parents=True, exist_ok=True)
    (STATE / "logs").mkdir(parents=True, exist_ok=True)
    penv = dict(os.environ)
    penv.pop("KUBECONFIG", None)
    penv.update(env or {})
    with open(logfile(name), "ab") as lf:
        lf.write(f"\n==== {time.strftime('%F %T')} start: {' '.join(argv)}\n".encode())
        lf.flush()
        p = subprocess.Popen(argv, stdout=lf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=penv, cwd=cwd or STATE, start_new_session=True)
    pidfile(name).write_text(f"{p.pid} {argv[0]}\n")
    return True


def stop(name: str, timeout: float = 15) -> bool:
    pid = running_pid(name)
    if pid is None:
        pidfile(name).unlink(missing_ok=True)
        return False
    try:
        os.killpg(pid, signal.SIGTERM)  # each process leads its own session/group
    except ProcessLookupError:
        pass
    deadline = time.time() + timeout
    while time.time() < deadline and running_pid(name):
        time.sleep(0.2)
    if running_pid(name):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        time.sleep(0.5)
    pidfile(name).unlink(missing_ok=True)
    return True


def rss_kib(pid: int) -> int:
    """Resident memory of pid and its descendants (KiB)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo.extend(int(c) for c in children)
        except OSError:
            pass
    return total


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# ---------------------------------------------------------------------------
# PKI (openssl)
# ---------------------------------------------------------------------------
def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(d: Path, name: str, cn: str) -> None:
    if (d / f"{name}.crt").exists():
        return
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "3650",
            "-subj", f"/CN={cn}", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature", cwd=d)


def make_cert(d: Path, name: str, ca: str, subj: str, usage: str,
              sans: list[str] | None = None) -> None:
    if (d / f"{name}.crt").exists():
        return
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subj, cwd=d)
    ext = [f"extendedKeyUsage={usage}", "keyUsage=critical,digitalSignature,keyEncipherment",
           "basicConstraints=CA:FALSE"]
    if sans:
        ext.append("subjectAltName=" + ",".join(sans))
    (d / f"{name}.ext").write_text("\n".join(ext) + "\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.crt", "-days", "3650", "-sha256",
            "-extfile", f"{name}.ext", cwd=d)
    (d / f"{name}.csr").unlink()
    (d / f"{name}.ext").unlink()


def ensure_pki(c: Cluster) -> None:
    d = c.pki
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    make_ca(d, "ca", f"fleetops-lab-{c.name}-ca")
    make_ca(d, "front-proxy-ca", f"fleetops-lab-{c.name}-front-proxy-ca")
    ips = sorted({"127.0.0.1", c.service_ip, gateway(), *EXTRA_SAN_IPS})
    dns = ["localhost", c.name, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
           "kubernetes.default.svc.cluster.local"]
    make_cert(d, "apiserver", "ca", f"/CN=kube-apiserver-{c.name}", "serverAuth",
              [f"IP:{ip}" for ip in ips] + [f"DNS:{n}" for n in dns])
    make_cert(d, "admin", "ca", "/O=system:masters/CN=kubernetes-admin", "clientAuth")
    make_cert(d, "controller-manager", "ca", "/CN=system:kube-controller-manager", "clientAuth")
    make_cert(d, "scheduler", "ca", "/CN=system:kube-scheduler", "clientAuth")
    make_cert(d, "front-proxy-client", "front-proxy-ca", "/CN=front-proxy-client", "clientAuth")
    # The API server's own identity toward kubelets (logs, exec, port-forward on real nodes).
    make_cert(d, "apiserver-kubelet-client", "ca", "/O=system:masters/CN=kube-apiserver-kubelet-client",
              "clientAuth")
    if not (d / "sa.key").exists():
        openssl("genrsa", "-out", "sa.key", "2048", cwd=d)
        openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=d)
    for f in d.glob("*.key"):
        os.chmod(f, 0o600)


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def kubeconfig_text(c: Cluster, user: str, server: str) -> str:
    ctx = c.name
    return f"""apiVersion: v1
kind: Config
clusters:
- name: {ctx}
  cluster:
    server: {server}
    certificate-authority-data: {b64(c.pki / 'ca.crt')}
users:
- name: {ctx}-{user}
  user:
    client-certificate-data: {b64(c.pki / f'{user}.crt')}
    client-key-data: {b64(c.pki / f'{user}.key')}
contexts:
- name: {ctx}
  context:
    cluster: {ctx}
    user: {ctx}-{user}
current-context: {ctx}
"""


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        os.chmod(path, 0o600)
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def ensure_kubeconfigs(c: Cluster) -> None:
    local = f"https://127.0.0.1:{c.api_port}"
    for user in ("admin", "controller-manager", "scheduler"):
        write_private(c.dir / f"{user}.kubeconfig", kubeconfig_text(c, user, local))
    # What the controller (Ansible on this machine) uses ...
    write_private(c.kubeconfig, kubeconfig_text(c, "admin", local))
    # ... and what a lab host container uses to reach the same API server.
    write_private(KUBECONFIG_DIR / f"{c.name}.hosts.kubeconfig",
                  kubeconfig_text(c, "admin", f"https://{gateway()}:{c.api_port}"))
    gi = KUBECONFIG_DIR.parent / ".gitignore"
    if not gi.exists():
        gi.write_text("*\n")


# ---------------------------------------------------------------------------
# Kubernetes REST (stdlib)
# ---------------------------------------------------------------------------
class Api:
    def __init__(self, c: Cluster):
        self.base = f"https://127.0.0.1:{c.api_port}"
        self.ctx = ssl.create_default_context(cafile=str(c.pki / "ca.crt"))
        self.ctx.load_cert_chain(str(c.pki / "admin.crt"), str(c.pki / "admin.key"))

    def req(self, method: str, path: str, body: dict | None = None, timeout: float = 5,
            ctype: str = "application/json"):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.base + path, data=data, method=method,
                                   headers={"Content-Type": ctype, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(r, context=self.ctx, timeout=timeout) as resp:
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode())
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw.decode(errors="replace")
        except (urllib.error.URLError, OSError, ssl.SSLError) as e:
            return 0, str(e)

    def ready(self) -> bool:
        code, body = self.req("GET", "/readyz", timeout=3)
        return code == 200


# ---------------------------------------------------------------------------
# cluster processes
# ---------------------------------------------------------------------------
def start_etcd(c: Cluster) -> bool:
    data = c.dir / "etcd"
    data.mkdir(parents=True, exist_ok=True)
    os.chmod(data, 0o700)
    return start(f"{c.name}-etcd", [
        str(binary("etcd", "etcd")),
        f"--name={c.name}", f"--data-dir={data}",
        f"--listen-client-urls=http://127.0.0.1:{c.etcd_port}",
        f"--advertise-client-urls=http://127.0.0.1:{c.etcd_port}",
        f"--listen-peer-urls=http://127.0.0.1:{c.etcd_peer_port}",
        f"--initial-advertise-peer-urls=http://127.0.0.1:{c.etcd_peer_port}",
        f"--initial-cluster={c.name}=http://127.0.0.1:{c.etcd_peer_port}",
        "--quota-backend-bytes=268435456",      # 256 MiB is plenty for a lab cluster
        "--snapshot-count=2000",                # small raft log kept in memory
        "--auto-compaction-mode=periodic", "--auto-compaction-retention=10m",
        "--unsafe-no-fsync",                    # lab only: no durability needed, saves IO
        "--log-level=warn",
    ], env=GO_ENV["etcd"])


def etcd_healthy(c: Cluster) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{c.etcd_port}/health", timeout=2) as r:
            return json.loads(r.read()).get("health") == "true"
    except (OSError, ValueError):
        return False


def start_apiserver(c: Cluster) -> bool:
    p = c.pki
    return start(f"{c.name}-kube-apiserver", [
        str(binary("kubernetes", "kube-apiserver")),
        f"--etcd-servers=http://127.0.0.1:{c.etcd_port}",
        "--bind-address=0.0.0.0", f"--secure-port={c.api_port}",
        f"--advertise-address={gateway()}",
        f"--tls-cert-file={p / 'apiserver.crt'}", f"--tls-private-key-file={p / 'apiserver.key'}",
        f"--client-ca-file={p / 'ca.crt'}",
        f"--service-account-key-file={p / 'sa.pub'}",
        f"--service-account-signing-key-file={p / 'sa.key'}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-cluster-ip-range={c.service_cidr}",
        "--authorization-mode=Node,RBAC", "--allow-privileged=true",
        # aggregation layer (Karmada aggregated apiserver, metrics APIs)
        f"--requestheader-client-ca-file={p / 'front-proxy-ca.crt'}",
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        f"--proxy-client-cert-file={p / 'front-proxy-client.crt'}",
        f"--proxy-client-key-file={p / 'front-proxy-client.key'}",
        # Webhooks and aggregated APIs served by pods on the real nodes: this machine routes
        # pod addresses (lab/nodes.py), not Service addresses (kube-proxy runs on the nodes).
        "--enable-aggregator-routing=true",
        f"--kubelet-client-certificate={p / 'apiserver-kubelet-client.crt'}",
        f"--kubelet-client-key={p / 'apiserver-kubelet-client.key'}",
        "--kubelet-preferred-address-types=InternalIP,Hostname",   # node names are not in DNS
        # memory: smaller caches and no profiling; events expire fast
        "--profiling=false", "--event-ttl=30m",
        "--max-requests-inflight=100", "--max-mutating-requests-inflight=50",
        "--v=1",
    ], env=GO_ENV["kube-apiserver"])


def start_controller_manager(c: Cluster) -> bool:
    p = c.pki
    kc = c.dir / "controller-manager.kubeconfig"
    return start(f"{c.name}-kube-controller-manager", [
        str(binary("kubernetes", "kube-controller-manager")),
        f"--kubeconfig={kc}", f"--authentication-kubeconfig={kc}", f"--authorization-kubeconfig={kc}",
        "--bind-address=127.0.0.1", f"--secure-port={c.kcm_port}",
        "--leader-elect=false", f"--cluster-name={c.name}",
        f"--root-ca-file={p / 'ca.crt'}",
        f"--service-account-private-key-file={p / 'sa.key'}",
        "--use-service-account-credentials=true",
        f"--cluster-signing-cert-file={p / 'ca.crt'}", f"--cluster-signing-key-file={p / 'ca.key'}",
        f"--service-cluster-ip-range={c.service_cidr}",
        "--profiling=false", "--v=1",
    ], env=GO_ENV["kube-controller-manager"])


def start_scheduler(c: Cluster) -> bool:
    kc = c.dir / "scheduler.kubeconfig"
    return start(f"{c.name}-kube-scheduler", [
        str(binary("kubernetes", "kube-scheduler")),
        f"--kubeconfig={kc}", f"--authentication-kubeconfig={kc}", f"--authorization-kubeconfig={kc}",
        "--bind-address=127.0.0.1", f"--secure-port={c.sched_port}",
        "--leader-elect=false", "--profiling=false", "--v=1",
    ], env=GO_ENV["kube-scheduler"])


KWOK_STAGES = [  # relative to the stage tree saved from kwok's module by build-binaries.sh
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
]


def kwok_config() -> Path:
    cfg = STATE / "kwok.yaml"
    # kwok applies no defaults to a KwokConfiguration read from a file: set them all.
    docs = ["apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions:\n"
            "  nodeLeaseDurationSeconds: 40\n  nodeLeaseParallelism: 4\n"
            "  nodePlayStageParallelism: 4\n  podPlayStageParallelism: 4\n"
            "  podsOnNodeSyncParallelism: 1\n"]
    stage_dir = bindir("kwok") / "stage"
    for rel in KWOK_STAGES:
        docs.append((stage_dir / rel).read_text())
    text = "\n---\n".join(d.strip("-\n") + "\n" for d in docs)
    if not cfg.exists() or cfg.read_text() != text:
        cfg.write_text(text)
    return cfg


def start_kwok(c: Cluster) -> bool:
    return start(f"{c.name}-kwok", [
        str(binary("kwok", "kwok")),
        f"--kubeconfig={c.dir / 'admin.kubeconfig'}", f"--config={kwok_config()}",
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        f"--cidr={c.pod_cidr}", "--node-ip=127.0.0.1",
        f"--node-port={c.kwok_port}", f"--server-address=127.0.0.1:{c.kwok_port}",
        "--node-lease-duration-seconds=40",
    ], env=GO_ENV["kwok"])


def node_objects(c: Cluster) -> list[dict]:
    nodes = []

    def node(name: str, zone: str, cpu: str, mem: str, extra_labels: dict, extra_cap: dict) -> dict:
        cap = {"cpu": cpu, "memory": mem, "pods": "110", "ephemeral-storage": "200Gi", **extra_cap}
        labels = {
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
            "topology.kubernetes.io/region": c.region, "topology.kubernetes.io/zone": zone,
            "type": "kwok", "fleetops.io/lab-cluster": c.name, **extra_labels,
        }
        return {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels,
                         "annotations": {"kwok.x-k8s.io/node": "fake",
                                         "node.alpha.kubernetes.io/ttl": "0"}},
            "spec": {},
            "status": {"capacity": cap, "allocatable": cap,
                       "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux",
                                    "kubeletVersion": versions()["kubernetes"], "kubeProxyVersion": "",
                                    "containerRuntimeVersion": "kwok"}},
        }

    for i in range(1, c.workers + 1):
        zone = c.zones[(i - 1) % len(c.zones)]
        nodes.append(node(f"{c.short}-worker-{i}", zone, "32", "128Gi",
                          {"node-type": "cpu"}, {}))
    for i in range(1, c.gpu_nodes + 1):
        zone = c.zones[(i - 1) % len(c.zones)]
        nodes.append(node(f"{c.short}-gpu-{i}", zone, "64", "512Gi",
                          {"node-type": "gpu", "nvidia.com/gpu.product": "lab-fake-gpu"},
                          {"nvidia.com/gpu": "4"}))
    return nodes


def ensure_nodes(c: Cluster) -> int:
    api = Api(c)
    created = 0
    for n in node_objects(c):
        code, _ = api.req("GET", f"/api/v1/nodes/{n['metadata']['name']}")
        if code == 404:
            code, body = api.req("POST", "/api/v1/nodes", n)
            if code not in (200, 201, 409):
                die(f"{c.name}: creating node {n['metadata']['name']}: {code} {body}")
            created += 1
    return created


def heal_kwok_pods(c: Cluster) -> int:
    """Delete pods on kwok nodes that the node controller marked NotReady.

    When a cluster's API server is down longer than the node-monitor grace period, the
    controller-manager marks the nodes NotReady and their pods Ready=False. kwok turns the
    nodes Ready again but never the pods (its pod-ready stage ran once), so they would stay
    unavailable forever. Nothing runs in them: their owners recreate them and kwok makes the
    new ones Ready."""
    api = Api(c)
    code, nodes = api.req("GET", "/api/v1/nodes")
    if code != 200:
        return 0
    kwok = {n["metadata"]["name"] for n in nodes.get("items", [])
            if (n["metadata"].get("annotations") or {}).get("kwok.x-k8s.io/node") == "fake"}
    code, pods = api.req("GET", "/api/v1/pods", timeout=30)
    if code != 200:
        return 0
    healed = 0
    for p in pods.get("items", []):
        conditions = {k.get("type"): k.get("status") for k in p.get("status", {}).get("conditions") or []}
        if (p["spec"].get("nodeName") in kwok and p["status"].get("phase") == "Running"
                and conditions.get("Ready") == "False" and conditions.get("ContainersReady") == "True"
                and p["metadata"].get("ownerReferences") and not p["metadata"].get("deletionTimestamp")):
            meta = p["metadata"]
            code, _ = api.req("DELETE", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}?gracePeriodSeconds=0")
            healed += code in (200, 202)
    return healed


def node_counts(c: Cluster) -> tuple[int, int]:
    code, body = Api(c).req("GET", "/api/v1/nodes")
    if code != 200:
        return 0, 0
    ready = 0
    for n in body.get("items", []):
        for cond in n.get("status", {}).get("conditions", []):
            if cond.get("type") == "Ready" and cond.get("status") == "True":
                ready += 1
    return ready, len(body.get("items", []))


def wait_for(what: str, pred, timeout: float, interval: float = 0.5) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(interval)
    die(f"timed out after {timeout:.0f}s waiting for {what}")


# ---------------------------------------------------------------------------
# artifact mirror
# ---------------------------------------------------------------------------
MIRROR = CACHE / "mirror"
# Kurator's CRDs as data (test data of the project, not in the repository): see mirror_releases.
KURATOR_CRDS = Path(os.environ.get("FLEETOPS_KURATOR_CRDS_ROOT", REPO.parent / "shared" / "reference" / "kurator-crds"))


def _tar(dest: Path, members: list[tuple[Path, str]]) -> None:
    """Write a gzip tarball of (source file, archive name) pairs, reproducibly."""
    tmp = dest.with_suffix(dest.suffix + ".tmp")
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf:
                dirs = set()
                for src, arc in members:
                    parts = arc.split("/")[:-1]
                    for i in range(1, len(parts) + 1):
                        d = "/".join(parts[:i])
                        if d not in dirs:
                            dirs.add(d)
                            ti = tarfile.TarInfo(d)
                            ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 0
                            tf.addfile(ti)
                    ti = tf.gettarinfo(str(src), arc)
                    ti.uid = ti.gid = 0
                    ti.uname = ti.gname = "root"
                    ti.mtime = 0
                    ti.mode = 0o755 if os.access(src, os.X_OK) else 0o644
                    with open(src, "rb") as f:
                        tf.addfile(ti, f)
    os.replace(tmp, dest)


def _tree(root: Path, prefix: str) -> list[tuple[Path, str]]:
    return [(p, f"{prefix}/{p.relative_to(root)}") for p in sorted(root.rglob("*")) if p.is_file()]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def mirror_releases() -> dict[str, tuple[str, str, list]]:
    """component -> (release dir, version, [(asset, builder)])."""
    v = versions()
    rel: dict[str, tuple[str, str, list]] = {}
    arch = "linux-amd64"

    def have(comp: str) -> Path | None:
        d = CACHE / "bin" / comp / v.get(comp, "-")
        return d if (d / ".built").exists() else None

    if d := have("etcd"):
        ver = v["etcd"]
        rel["etcd"] = (f"etcd-io/etcd/releases/download/{ver}", ver, [
            (f"etcd-{ver}-{arch}.tar.gz", lambda out, d=d, ver=ver: _tar(out, [
                (d / "etcd", f"etcd-{ver}-{arch}/etcd"), (d / "etcdctl", f"etcd-{ver}-{arch}/etcdctl")])),
        ])
    if d := have("kubernetes"):
        ver = v["kubernetes"]
        bins = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"]
        assets = [(f"kubernetes-server-{arch}.tar.gz", lambda out, d=d: _tar(
            out, [(d / b, f"kubernetes/server/bin/{b}") for b in bins]))]
        # dl.k8s.io also serves single binaries; mirror them as <name>-linux-amd64 (the
        # node binaries too, when the cache has them).
        singles = bins + [b for b in ("kubelet", "kube-proxy") if (d / b).exists()]
        assets += [(f"{b}-{arch}", lambda out, d=d, b=b: shutil.copyfile(d / b, out)) for b in singles]
        rel["kubernetes"] = (f"kubernetes/kubernetes/releases/download/{ver}", ver, assets)
    if d := have("kwok"):
        ver = v["kwok"]
        rel["kwok"] = (f"kubernetes-sigs/kwok/releases/download/{ver}", ver, [
            (f"kwok-{arch}", lambda out, d=d: shutil.copyfile(d / "kwok", out)),
        ])
    if d := have("helm"):
        ver = v["helm"]
        rel["helm"] = (f"helm/helm/releases/download/{ver}", ver, [
            (f"helm-{ver}-{arch}.tar.gz", lambda out, d=d: _tar(out, [(d / "helm", f"{arch}/helm")])),
        ])
    # karmada_previous: the older patch release the upgrade test installs first (lab/versions.yml).
    for comp in ("karmada", "karmada_previous"):
        if d := have(comp):
            ver = v[comp]
            assets = [(f"{b}-{arch}.tgz", lambda out, d=d, b=b: _tar(out, [(d / b, b)]))
                      for b in ("karmadactl", "karmada-controller-manager", "karmada-scheduler",
                                "karmada-webhook", "karmada-aggregated-apiserver", "karmada-agent")
                      if (d / b).exists()]
            # upstream's crds.tar.gz: crds/{bases,patches,kustomization.yaml}
            assets.append(("crds.tar.gz", lambda out, d=d: _tar(out, _tree(d / "crds", "crds"))))
            rel[comp] = (f"karmada-io/karmada/releases/download/{ver}", ver, assets)
    if d := have("kubeedge"):
        ver = v["kubeedge"]
        top = f"kubeedge-{ver}-{arch}"
        assets = [
            (f"{top}.tar.gz", lambda out, d=d, top=top, ver=ver: _tar(out, [
                (d / "cloudcore", f"{top}/cloud/cloudcore/cloudcore"),
                (d / "edgecore", f"{top}/edge/edgecore")])),
            (f"keadm-{ver}-{arch}.tar.gz", lambda out, d=d, ver=ver: _tar(out, [
                (d / "keadm", f"keadm-{ver}-{arch}/keadm/keadm")])),
            (f"edgecore-{ver}-{arch}.tar.gz", lambda out, d=d, ver=ver: _tar(out, [
                (d / "edgecore", f"edgecore-{ver}-{arch}/edgecore")])),
            (f"cloudcore-{ver}-{arch}.tar.gz", lambda out, d=d, ver=ver: _tar(out, [
                (d / "cloudcore", f"cloudcore-{ver}-{arch}/cloudcore")])),
            (f"edgemark-{ver}-{arch}.tar.gz", lambda out, d=d, ver=ver: _tar(out, [
                (d / "edgemark", f"edgemark-{ver}-{arch}/edgemark")])),
            ("crds.tar.gz", lambda out, d=d: _tar(out, _tree(d / "crds", "crds"))),
        ]
        rel["kubeedge"] = (f"kubeedge/kubeedge/releases/download/{ver}", ver, assets)
    if d := have("volcano"):
        ver = v["volcano"]
        # Upstream ships the CRDs in the source tree (config/crd/volcano/bases), not as a
        # release asset: the mirror packs them once, as crds/bases/*.yaml.
        rel["volcano"] = (f"volcano-sh/volcano/releases/download/{ver}", ver, [
            ("crds.tar.gz", lambda out, d=d: _tar(out, _tree(d / "crds", "crds/bases"))),
        ])
    # Kurator cannot be built here (its module is refused); its CRDs are data beside the
    # repository (../shared/reference/kurator-crds/<version>, Kurator's charts' crds/). The
    # mirror packs them as the mirror-only crds.tar.gz the kurator role installs (crds/*.yaml).
    ver = v.get("kurator", "-")
    if (d := KURATOR_CRDS / ver).is_dir():
        members = [(p, f"crds/{p.name}") for p in sorted(d.glob("*.yaml"))]
        members += [(p, "crds/LICENSE") for p in (d.parent / "LICENSE",) if p.exists()]   # Apache-2.0
        rel["kurator"] = (f"kurator-dev/kurator/releases/download/{ver}", ver, [
            ("crds.tar.gz", lambda out, members=members: _tar(out, members)),
        ])
    if d := have("velero"):
        ver = v["velero"]
        # The server runs from its image; its CRDs (config/crd/{v1,v2alpha1}/bases in the source
        # tree, no release asset upstream) are packed once, as crds/*.yaml.
        rel["velero"] = (f"vmware-tanzu/velero/releases/download/{ver}", ver, [
            ("crds.tar.gz", lambda out, d=d: _tar(out, _tree(d / "crds", "crds"))),
        ])
    # Istio: the lab builds the served master snapshot (lab/versions.yml istio_lab; the topology's
    # settings.versions.istio names it). The base chart's CRDs (manifests/charts/base/files, no
    # release asset upstream) are packed once, as crds/crd-all.gen.yaml.
    ver = v.get("istio_lab", "-")
    if ((d := CACHE / "bin" / "istio" / ver) / ".built").exists():
        rel["istio"] = (f"istio/istio/releases/download/{ver}", ver, [
            ("crds.tar.gz", lambda out, d=d: _tar(out, _tree(d / "crds", "crds"))),
        ])
    if d := have("prometheus_operator"):
        ver = v["prometheus_operator"]
        # Upstream keeps the CRDs in the source tree (example/prometheus-operator-crd): the mirror
        # packs them once, as crds/*.yaml (as Volcano's).
        rel["prometheus_operator"] = (f"prometheus-operator/prometheus-operator/releases/download/{ver}", ver, [
            ("crds.tar.gz", lambda out, d=d: _tar(out, _tree(d / "crds", "crds"))),
        ])
    if d := have("gofakes3"):
        ver = v["gofakes3"]
        rel["gofakes3"] = (f"johannesboyne/gofakes3/releases/download/{ver}", ver, [
            (f"gofakes3-{ver}-{arch}.tar.gz", lambda out, d=d, ver=ver: _tar(out, [
                (d / "gofakes3", f"gofakes3-{ver}-{arch}/gofakes3")])),
        ])
    return rel


def ensure_mirror() -> list[str]:
    """Build missing release dirs (stamped per version); return built ones."""
    built = []
    for comp, (reldir, ver, assets) in mirror_releases().items():
        d = MIRROR / reldir
        stamp = d / ".complete"
        # A complete release dir only gains the assets added since (karmada-agent); the
        # ones already there are kept as they are (their checksums stay valid).
        todo = [(a, m) for a, m in assets
                if not stamp.exists() or not (d / a).exists() or not (d / f"{a}.sha256").exists()]
        if not todo:
            continue
        t0 = time.time()
        d.mkdir(parents=True, exist_ok=True)
        for asset, make in todo:
            out = d / asset
            make(out)
            if not asset.endswith((".tar.gz", ".tgz")):
                os.chmod(out, 0o755)
            (d / f"{asset}.sha256").write_text(f"{_sha256(out)}  {asset}\n")
        (d / "sha256sums.txt").write_text("".join((d / f"{a}.sha256").read_text() for a, _ in assets))
        stamp.write_text(f"{comp} {ver}\n")
        built.append(f"{reldir}: {len(todo)} asset(s) ({time.time() - t0:.0f}s)")
    idx = MIRROR / "index.txt"
    lines = sorted(str(p.relative_to(MIRROR)) for p in MIRROR.rglob("*")
                   if p.is_file() and p.name not in (".complete", "index.txt"))
    idx.write_text("\n".join(lines) + "\n")
    return built


ARTIFACT_CHECKSUMS = STATE / "artifact-checksums.txt"


def write_artifact_checksums() -> None:
    """The topology's settings.artifact_checksums: every file the mirror serves with the sha256
    recorded when it was made (its <file>.sha256), by path from the mirror root - what an
    operator keeps of a release's published checksums, read on the controller, not fetched."""
    lines = []
    for sums in sorted(MIRROR.rglob("*.sha256")):
        digest, _, name = sums.read_text().strip().partition("  ")
        target = sums.with_name(name.strip() or sums.name[:-len(".sha256")])
        if target.is_file():
            lines.append(f"{digest}  {target.relative_to(MIRROR)}")
    ARTIFACT_CHECKSUMS.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT_CHECKSUMS.write_text("\n".join(lines) + "\n")


def start_mirror() -> bool:
    MIRROR.mkdir(parents=True, exist_ok=True)
    return start("artifact-mirror", [
        sys.executable, "-m", "http.server", str(MIRROR_PORT), "--bind", "0.0.0.0",
        "--directory", str(MIRROR)])


def serve_mirror(directory: str | None) -> None:
    """Serve another directory at the mirror's address (an unpacked offline bundle, so the lab's
    own mirror is out of reach while a test installs from it), or the lab's mirror again (None)."""
    root = Path(directory).resolve() if directory else MIRROR
    if directory and not (root / "checksums.txt").is_file():
        raise SystemExit(f"{root}: not an unpacked offline bundle (no checksums.txt)")
    stop("artifact-mirror")
    start("artifact-mirror", [sys.executable, "-m", "http.server", str(MIRROR_PORT), "--bind", "0.0.0.0",
                              "--directory", str(root)])
    deadline = time.time() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", MIRROR_PORT), timeout=1):
                break
        except OSError:
            if time.time() > deadline:
                raise SystemExit(f"the mirror did not answer on port {MIRROR_PORT} serving {root}")
            time.sleep(0.2)
    print(f"mirror serves {root}")


# ---------------------------------------------------------------------------
# S3 (gofakes3, MIT)
# ---------------------------------------------------------------------------
def start_s3() -> bool:
    d = STATE / "s3"
    d.mkdir(parents=True, exist_ok=True)
    return start("s3", [
        str(binary("gofakes3", "gofakes3")), "-backend", "bolt", "-bolt.db", str(d / "s3.db"),
        "-host", f"0.0.0.0:{S3_PORT}",
    ], env=GO_ENV["gofakes3"])


def ensure_buckets() -> list[str]:
    made = []
    for b in S3_BUCKETS:
        url = f"http://127.0.0.1:{S3_PORT}/{b}"
        try:
            urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=3)
            continue
        except urllib.error.HTTPError as e:
            if e.code != 404:
                die(f"S3 HEAD {b}: {e.code}")
        urllib.request.urlopen(urllib.request.Request(url, method="PUT", data=b""), timeout=5)
        made.append(b)
    return made


# ---------------------------------------------------------------------------
# topology
# ---------------------------------------------------------------------------
def _flow(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"


# The clusters of the lab's Istio mesh (the seed's beijing/shanghai/guangzhou split).
MESH_CLUSTERS = ("cluster-beijing", "cluster-shanghai", "cluster-guangzhou")


def topology_text(hosts: dict) -> str:
    gw = gateway()
    key = "../../.lab/ssh/id_ed25519"
    try:  # the key hosts.sh generated, relative to the topology file when inside the repo
        k = Path(json.loads(HOSTS_META.read_text())["ssh_private_key_file"]).resolve()
        key = os.path.relpath(k, TOPOLOGY_FILE.parent) if REPO in k.parents else str(k)
    except (OSError, ValueError, KeyError):
        pass
    out = [
        "# Generated by lab/lab.py (lab/lab.sh up) from the lab's fixed layout: cluster ports,",
        "# the lab hosts' network (lab/hosts/hosts.sh, fixed addresses) and the machine's",
        "# address on it. Parsed by the fleetops.kurator.topology inventory plugin.",
        "plugin: fleetops.kurator.topology",
        "regions:",
    ]
    out += [f"  - {{name: {r}}}" for r in REGIONS]
    out.append("clusters:")
    edge = {n: h for n, h in hosts.items() if h.get("role") == "edge"}
    for c in CLUSTERS:
        out += [
            f"  - name: {c.name}",
            f"    role: {c.role}",
            f"    region: {c.region}",
            f"    zones: [{', '.join(c.zones)}]",
            f"    provider: {c.provider}",
            f"    labels: {_flow(c.labels)}",
            f"    kubeconfig: {os.path.relpath(c.kubeconfig, TOPOLOGY_FILE.parent)}",
        ]
        # cluster-hangzhou joins in Pull mode, its karmada-agent on the gw-hangzhou lab host
        # (a systemd host in the member's network: the members' pods are kwok's, they never run).
        agent = PULL_AGENTS.get(c.name)
        out += [f"    sync_mode: {'Pull' if agent in hosts else 'Push'}"]
        if agent in hosts:
            out += [f"    agent_host: {agent}"]
        # What Karmada (on the karmada-1 lab host) and the agent dial; 127.0.0.1 is the controller only.
        out += [f"    api_endpoint: https://{gw}:{c.api_port}"]
        # The host cluster carries the edge sites: registered in Karmada as an edge cluster.
        if c.role == "host" and edge:
            out += ["    edge: true"]
        # The members have the kwok GPU nodes: they run batch work (Volcano).
        if c.role == "member":
            out += ["    batch: true"]
        # The Istio mesh: the three members of the seed's 50/30/20 split (one cluster per region).
        if c.name in MESH_CLUSTERS:
            out += ["    mesh: true"]
        # Prometheus + Thanos sidecar in three clusters (at least three in the global view; two
        # more HA Prometheus pairs would not fit the lab's memory); the global view in
        # cluster-beijing, whose two real nodes take Thanos Query's HA shape.
        if c.name in ("host", "cluster-beijing", "cluster-shanghai"):
            out += ["    monitoring: true"]
        if c.name == "cluster-beijing":
            out += ["    observability: true"]
        # The real (kubelet) nodes: roles side-load their images into them over SSH.
        nodes = sorted((n for n, h in hosts.items() if h.get("role") == "node" and h.get("site") == c.name),
                       key=lambda n: int(n.rsplit("-", 1)[1]))
        if nodes:
            out += ["    nodes:"] + [f"      - {{name: {n}, address: {hosts[n]['address']}, ssh_user: root, "
                                     f"ssh_port: {hosts[n].get('ssh_port', 22)}, ssh_key: {key}, arch: amd64}}"
                                     for n in nodes]
    if edge:
        sites = {
            "site-a": ("east-china", {"region": "east-china", "environment": "production",
                                      "edge-type": "industrial"}),
            "site-b": ("south-china", {"region": "south-china", "environment": "staging",
                                       "edge-type": "retail"}),
        }
        out.append("edge_sites:")
        for site, (region, labels) in sites.items():
            members = sorted((n for n, h in edge.items() if h.get("site") == site),
                             key=lambda n: int(n.rsplit("-", 1)[1]))
            if not members:
                continue
            out += [f"  - name: {site}", f"    region: {region}", "    cluster: host", "    nodes:"]
            for n in members:
                h = edge[n]
                out.append(f"      - {{name: {n}, address: {h['address']}, ssh_user: root, "
                           f"ssh_port: {h.get('ssh_port', 22)}, ssh_key: {key}, arch: amd64, "
                           f"labels: {_flow(labels)}}}")
    cp_roles = {"karmada": "karmada", "cloudcore": "kubeedge_cloud", "gateway": "karmada_agent"}
    cp = {n: h for n, h in hosts.items() if h.get("role") in cp_roles
          and (h["role"] != "gateway" or n in PULL_AGENTS.values())}
    if cp:
        out.append("control_plane_hosts:")
        for n in sorted(cp):
            h = cp[n]
            roles = cp_roles[h["role"]]
            out.append(f"  - {{name: {n}, address: {h['address']}, ssh_user: root, "
                       f"ssh_port: {h.get('ssh_port', 22)}, ssh_key: {key}, roles: [{roles}]}}")
    out += [
        "settings:",
        f"  artifact_mirror: http://{gw}:{MIRROR_PORT}",
        # The lab's mirror and S3 store speak plain http on the lab network.
        "  allow_insecure_http: true",
        # No registry in reach: the in-cluster roles side-load their images from the mirror.
        "  side_load_images: true",
        # Istio's 1.30.x tags are refused by the module proxy here: the lab builds and tests the one
        # served master snapshot (1.31-dev), not the users' default in the pin file.
        f"  versions: {{istio: {versions().get('istio_lab', '')}}}",
        "  mesh: {id: fleet-mesh, trust_domain: cluster.local, network: lab-network}",
        # Every download is checked against the sha256 the lab recorded when it built the mirror.
        f"  artifact_checksums: {ARTIFACT_CHECKSUMS}",
        # Host keys are verified against the lab hosts' keys (written by this script).
        f"  ssh: {{known_hosts: {KNOWN_HOSTS}}}",
        # gofakes3 accepts any key; the lab's is random, in a 0600 file (write_s3_credentials).
        f"  s3: {{endpoint: http://{gw}:{S3_PORT}, region: {S3_REGION}, "
        f"buckets: {{velero: {S3_BUCKETS[0]}, thanos: {S3_BUCKETS[1]}}}, credentials_file: ../../.lab/s3/credentials}}",
    ]
    return "\n".join(out) + "\n"


KNOWN_HOSTS = STATE / "known_hosts"


def write_known_hosts(hosts: dict) -> None:
    """The lab hosts' SSH host keys, as the topology's settings.ssh.known_hosts: ssh verifies
    every host (they get new keys whenever their containers are recreated)."""
    lines = []
    for name, h in sorted(hosts.items()):
        got = subprocess.run(["docker", "exec", name, "cat", "/etc/ssh/ssh_host_ed25519_key.pub"],
                             capture_output=True, text=True, timeout=30)
        if got.returncode == 0 and got.stdout.startswith("ssh-"):
            port = h.get("ssh_port", 22)
            where = h["address"] if port == 22 else f"[{h['address']}]:{port}"
            lines.append(f"{where} {' '.join(got.stdout.split()[:2])}\n")
    text = "".join(lines)
    if not KNOWN_HOSTS.exists() or KNOWN_HOSTS.read_text() != text:
        KNOWN_HOSTS.write_text(text)


S3_CREDENTIALS = REPO / ".lab" / "s3" / "credentials"


def write_s3_credentials() -> None:
    """The lab topology's settings.s3.credentials_file: an AWS credentials file with a random key,
    made once (gofakes3 checks no signature; the key is what the tests grep outputs for)."""
    if S3_CREDENTIALS.exists():
        os.chmod(S3_CREDENTIALS, 0o600)
        return
    import secrets
    write_private(S3_CREDENTIALS, f"[default]\naws_access_key_id = LAB{secrets.token_hex(8).upper()}\n"
                                  f"aws_secret_access_key = {secrets.token_urlsafe(30)}\n")
    gi = S3_CREDENTIALS.parent.parent / ".gitignore"
    if not gi.exists():
        gi.write_text("*\n")


def write_topology() -> bool:
    write_s3_credentials()
    try:
        hosts = json.loads(HOSTS_JSON.read_text())
    except (OSError, ValueError):
        hosts = {}
    if hosts:
        write_known_hosts(hosts)
    # After lab/images/build.sh too (lab.sh runs `topology` last): the images' sums are in it.
    write_artifact_checksums()
    text = topology_text(hosts)
    TOPOLOGY_FILE.parent.mkdir(parents=True, exist_ok=True)
    if TOPOLOGY_FILE.exists() and TOPOLOGY_FILE.read_text() == text:
        return False
    TOPOLOGY_FILE.write_text(text)
    return True


# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------
def all_process_names() -> list[str]:
    names = []
    for c in CLUSTERS:
        names += [f"{c.name}-{p}" for p in ("etcd", "kube-apiserver", "kube-controller-manager",
                                           "kube-scheduler", "kwok")]
    return names + ["artifact-mirror", "s3"]


def cmd_up() -> None:
    t0 = time.time()
    for d in ("run", "logs", "clusters"):
        (STATE / d).mkdir(parents=True, exist_ok=True)
    started: list[str] = []

    def note(ok: bool, what: str) -> None:
        if ok:
            started.append(what)

    for c in CLUSTERS:
        ensure_pki(c)
        ensure_kubeconfigs(c)
        note(start_etcd(c), f"{c.name}-etcd")
    for c in CLUSTERS:
        wait_for(f"{c.name} etcd", lambda c=c: etcd_healthy(c), 60)
        note(start_apiserver(c), f"{c.name}-kube-apiserver")
    # mirror + S3 while the API servers start
    note(start_s3(), "s3")
    built = ensure_mirror()
    note(start_mirror(), "artifact-mirror")
    for c in CLUSTERS:
        wait_for(f"{c.name} kube-apiserver /readyz", Api(c).ready, 180)
        note(start_controller_manager(c), f"{c.name}-kube-controller-manager")
        note(start_scheduler(c), f"{c.name}-kube-scheduler")
        note(start_kwok(c), f"{c.name}-kwok")
    created = {c.name: ensure_nodes(c) for c in CLUSTERS}
    wait_for("S3 store", lambda: port_open(S3_PORT), 30)
    buckets = ensure_buckets()
    wait_for("artifact mirror", lambda: port_open(MIRROR_PORT), 30)
    for c in CLUSTERS:
        want = c.workers + c.gpu_nodes
        wait_for(f"{c.name} nodes Ready", lambda c=c, want=want: node_counts(c)[0] >= want, 120)
    healed = {c.name: heal_kwok_pods(c) for c in CLUSTERS}
    topo = write_topology()

    gw = gateway()
    print(f"lab up in {time.time() - t0:.0f}s; started {len(started)} process(es)"
          + (f": {', '.join(started)}" if started else " (all were already running)"))
    for c in CLUSTERS:
        r, n = node_counts(c)
        print(f"  {c.name:18} https://127.0.0.1:{c.api_port} (hosts: https://{gw}:{c.api_port})  "
              f"nodes {r}/{n} Ready{' (+' + str(created[c.name]) + ' created)' if created[c.name] else ''}"
              f"{'; ' + str(healed[c.name]) + ' NotReady kwok pod(s) recreated' if healed[c.name] else ''}"
              f"  kubeconfig {shown(c.kubeconfig)}")
    print(f"  artifact mirror    http://{gw}:{MIRROR_PORT}  (root {MIRROR})"
          + (f"; built {', '.join(built)}" if built else ""))
    print(f"  S3 (gofakes3)      http://{gw}:{S3_PORT}  buckets {', '.join(S3_BUCKETS)}"
          + (f" (created {', '.join(buckets)})" if buckets else ""))
    print(f"  topology           {shown(TOPOLOGY_FILE)}{' (updated)' if topo else ''}")
    print(f"  state {STATE}  logs {STATE / 'logs'}")


def cmd_down() -> None:
    stopped = []
    # dependants first: kwok/scheduler/kcm, then apiservers, then etcd
    order = ["kwok", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"]
    for part in order:
        for c in CLUSTERS:
            if stop(f"{c.name}-{part}"):
                stopped.append(f"{c.name}-{part}")
    for name in ("artifact-mirror", "s3"):
        if stop(name):
            stopped.append(name)
    # anything left from a pid file we do not know about (renamed process)
    for pf in (STATE / "run").glob("*.pid") if (STATE / "run").exists() else []:
        if stop(pf.stem):
            stopped.append(pf.stem)
    print(f"stopped {len(stopped)} process(es)" + (f": {', '.join(stopped)}" if stopped else ""))
    import nodes  # noqa: PLC0415
    routes = nodes.remove_machine_routes()
    if routes:
        print(f"removed {routes} route(s) to the real nodes' pod ranges")
    ports = [p for c in CLUSTERS for p in (c.api_port, c.etcd_port, c.etcd_peer_port, c.kcm_port,
                                           c.sched_port, c.kwok_port)] + [MIRROR_PORT, S3_PORT]
    # A stopped process's listening socket can outlive it by a moment (seen: S3 on 9000 right
    # after its process exited): give the kernel a few seconds before calling it a leftover.
    deadline = time.time() + 10
    busy = [p for p in ports if port_open(p)]
    while busy and time.time() < deadline:
        time.sleep(0.5)
        busy = [p for p in busy if port_open(p)]
    if busy:
        die(f"ports still listening after down: {busy}")


def healthz(port: int, tls: bool) -> bool:
    """kcm/scheduler serve /healthz without auth (always-allow path); kwok over HTTP."""
    ctx = ssl._create_unverified_context() if tls else None  # loopback health probe only
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=3, context=ctx) as r:
            return r.status == 200
    except (OSError, ValueError):
        return False


def cmd_status() -> int:
    bad = 0
    total = 0
    rows = []
    for name in all_process_names():
        pid = running_pid(name)
        rss = rss_kib(pid) if pid else 0
        total += rss
        rows.append((name, pid, rss))
    health: dict[str, str] = {}
    for c in CLUSTERS:
        if running_pid(f"{c.name}-kube-apiserver"):
            api = Api(c)
            code, ver = api.req("GET", "/version", timeout=3)
            r, n = node_counts(c)
            health[f"{c.name}-kube-apiserver"] = (
                f"readyz={'ok' if api.ready() else 'FAIL'} version={ver.get('gitVersion') if code == 200 else '?'} "
                f"nodes={r}/{n} Ready")
            if not api.ready() or r < n or n == 0:
                bad += 1
        for part, port in (("kube-controller-manager", c.kcm_port), ("kube-scheduler", c.sched_port),
                           ("kwok", c.kwok_port)):
            if running_pid(f"{c.name}-{part}"):
                health[f"{c.name}-{part}"] = "healthz=" + ("ok" if healthz(port, part != "kwok") else "FAIL")
        if running_pid(f"{c.name}-etcd"):
            health[f"{c.name}-etcd"] = "health=" + ("ok" if etcd_healthy(c) else "FAIL")
    if running_pid("artifact-mirror"):
        health["artifact-mirror"] = f"http://{gateway()}:{MIRROR_PORT} " + (
            "listening" if port_open(MIRROR_PORT) else "NOT listening")
    if running_pid("s3"):
        health["s3"] = f"http://{gateway()}:{S3_PORT} " + (
            "listening" if port_open(S3_PORT) else "NOT listening")
    print(f"{'process':42} {'pid':>7} {'RSS MiB':>8}  health")
    for name, pid, rss in rows:
        if not pid:
            bad += 1
        print(f"{name:42} {pid or '-':>7} {rss / 1024:8.0f}  {health.get(name, '' if pid else 'NOT RUNNING')}")
    print(f"{'lab processes total':42} {'':>7} {total / 1024:8.0f}")
    docker_mib = docker_memory_mib()
    if docker_mib is not None:
        print(f"{'lab host containers (cgroups)':42} {'':>7} {docker_mib:8.0f}")
        total += docker_mib * 1024
    print(f"{'LAB TOTAL resident':42} {'':>7} {total / 1024:8.0f}  (budget 6144 MiB)")
    return 1 if bad else 0


def _cgroup_mem_bytes(pid: int) -> int:
    """Container memory as `docker stats` computes it (usage minus inactive file cache),
    read from the cgroup: Docker 20.10's stats report 0B for these systemd containers."""
    cg = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    v1 = [line for line in cg if re.match(r"^\d+:memory:", line)]
    if v1:
        path = Path("/sys/fs/cgroup/memory" + v1[0].split(":", 2)[2])
        usage_file, inactive_key = "memory.usage_in_bytes", "total_inactive_file"
    else:
        path = Path("/sys/fs/cgroup" + [line for line in cg if line.startswith("0::")][0][3:])
        usage_file, inactive_key = "memory.current", "inactive_file"
    if path.name == "init.scope":
        path = path.parent
    usage = int((path / usage_file).read_text())
    inactive = 0
    for line in (path / "memory.stat").read_text().splitlines():
        k, _, v = line.partition(" ")
        if k == inactive_key:
            inactive = int(v)
    return usage - inactive


def docker_memory_mib() -> float | None:
    """Resident memory of the lab host containers (label fleetops.lab=host), MiB."""
    if not shutil.which("docker"):
        return None
    try:
        names = subprocess.run(["docker", "ps", "-q", "--filter", "label=fleetops.lab=host"],
                               capture_output=True, text=True, timeout=10).stdout.split()
        if not names:
            return None
        pids = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", *names],
                              capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    total = 0
    for pid in pids:
        try:
            total += _cgroup_mem_bytes(int(pid))
        except (OSError, ValueError, IndexError):
            pass
    return total / 2**20


def lab_lock(name: str):
    """Serialize commands that change the lab (several engineers share one machine)."""
    path = STATE / f".{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log(f"another lab command holds {path}; waiting")
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "status"
    if cmd in ("up", "down", "topology", "mirror", "nodes"):
        lab_lock("lab")
    if cmd == "up":
        cmd_up()
    elif cmd == "down":
        cmd_down()
    elif cmd == "status":
        return cmd_status()
    elif cmd == "topology":
        print("updated" if write_topology() else "unchanged", TOPOLOGY_FILE)
    elif cmd == "nodes":
        import nodes  # noqa: PLC0415 - only this command needs Docker
        nodes.cmd_nodes()
    elif cmd == "mirror":
        print("\n".join(ensure_mirror()) or "mirror up to date")
        write_artifact_checksums()
    elif cmd == "mirror-serve":
        serve_mirror(argv[2] if len(argv) > 2 else None)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
