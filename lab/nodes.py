"""Real Kubernetes worker nodes for the lab's clusters (`lab/lab.py nodes`, run by lab.sh up
after the hosts and the images).

Every lab host with role `node` (lab/hosts/hosts.sh) becomes a worker of the cluster its
`site` names: Debian's containerd and CNI plugins, the lab's own kubelet and kube-proxy
builds, joined with a client certificate of its own (system:node:<name>) signed by the
cluster's CA. Its pods get a /24 of the cluster's pod range, routed on the lab network
(this machine and every other node route it to the node), so pods reach pods in other
clusters and every API server reaches pods (webhooks, aggregated APIs). Then CoreDNS in
each cluster. kwok nodes stay: real nodes carry the taint `fleetops.io/lab-node=real`, so
only workloads that tolerate it run real containers (images are side-loaded, there is no
registry to pull from).

Idempotent: a node's files are replaced and its services restarted only when their content
changed; binaries are copied only when the cached build differs; images are imported only
when containerd lacks them. Standard library only, like lab.py.
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import io
import json
import subprocess
import tarfile
import time
from pathlib import Path

import lab as L

TAINT = {"key": "fleetops.io/lab-node", "value": "real", "effect": "NoSchedule"}
REAL_LABEL = ("fleetops.io/lab-node", "real")
BRIDGE = "fleetops-lab"              # the Docker bridge of the lab network (hosts.sh)
CNI_BIN = "/usr/lib/cni"             # Debian's containernetworking-plugins
SANDBOX_IMAGE = "registry.k8s.io/pause:3.10"
DNS_PORT = 1053                       # CoreDNS runs as non-root: the Service maps 53 to it


IMPORTED = "/var/lib/fleetops-lab-images"    # on a node: "<ref> <archive sha256>" per import


def mirror_images() -> dict[str, tuple[str, str]]:
    """Every image archive lab/images/build.sh put in the mirror: reference -> (mirror path,
    archive sha256). There is no registry: roles reference upstream's names with IfNotPresent
    and side-load them from the mirror (settings.side_load_images)."""
    out = {}
    for tar in sorted((L.MIRROR / "images").glob("**/linux-amd64.tar")):
        rel = tar.relative_to(L.MIRROR / "images")
        repo, tag = "/".join(rel.parts[:-2]), rel.parts[-2]
        digest = Path(f"{tar}.sha256").read_text().split()[0]
        out[f"{repo}:{tag}"] = (str(tar.relative_to(L.MIRROR)), digest)
    return out


# What the lab itself runs on its nodes: the sandbox, its DNS and the tests' workload. The
# components' images are the roles' to side-load (settings.side_load_images, lab topology).
def lab_images() -> dict[str, tuple[str, str]]:
    own = ("registry.k8s.io/pause:", "registry.k8s.io/e2e-test-images/agnhost:", "registry.k8s.io/coredns/coredns:")
    return {ref: v for ref, v in mirror_images().items() if ref.startswith(own)}


def coredns_image() -> str:
    return f"registry.k8s.io/coredns/coredns:{L.versions()['coredns']}"


def node_hosts() -> dict[str, dict]:
    try:
        hosts = json.loads(L.HOSTS_JSON.read_text())
    except (OSError, ValueError):
        return {}
    return {n: h for n, h in sorted(hosts.items()) if h.get("role") == "node"}


def cluster_of(host: dict) -> L.Cluster:
    for c in L.CLUSTERS:
        if c.name == host["site"]:
            return c
    L.die(f"node host names cluster {host['site']!r}, which the lab does not have")


def node_cidr(c: L.Cluster, name: str) -> str:
    """A /24 high in the cluster's /16 (kwok hands out fake pod IPs from its bottom)."""
    i = int(name.rsplit("-", 1)[1])
    a, b = c.pod_cidr.split(".")[:2]
    return f"{a}.{b}.{128 + i}.0/24"


def dns_ip(c: L.Cluster) -> str:
    return f"10.{96 + c.index}.0.10"


def docker(*args: str, stdin: bytes | None = None, check: bool = True,
           timeout: float = 300) -> subprocess.CompletedProcess:
    r = subprocess.run(["docker", *args], input=stdin, capture_output=True, timeout=timeout)
    if check and r.returncode:
        L.die(f"docker {' '.join(args[:3])}...: {r.stderr.decode(errors='replace').strip()}")
    return r


def sh(name: str, script: str, check: bool = True, timeout: float = 300) -> str:
    r = docker("exec", "-i", name, "bash", "-euo", "pipefail", "-s", stdin=script.encode(),
               check=False, timeout=timeout)
    if check and r.returncode:
        L.die(f"{name}: {r.stderr.decode(errors='replace').strip()[-2000:]}")
    return r.stdout.decode()


# ---------------------------------------------------------------------------
# what goes on a node
# ---------------------------------------------------------------------------
def ensure_node_pki(c: L.Cluster, name: str) -> None:
    L.make_cert(c.pki, f"node-{name}", "ca", f"/O=system:nodes/CN=system:node:{name}", "clientAuth")
    # kube-proxy's user is bound to system:node-proxier by the API server's bootstrap RBAC.
    L.make_cert(c.pki, "kube-proxy", "ca", "/CN=system:kube-proxy", "clientAuth")
    for f in c.pki.glob("*.key"):
        f.chmod(0o600)


def kubelet_config(c: L.Cluster, cgroup_root: str) -> dict:
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        # This machine mounts cgroup v1; kubelet 1.35 refuses it unless told (KEP-5573).
        "failCgroupV1": False,
        # The host is a container sharing the machine's cgroup tree: pods go under its own
        # cgroup, so two nodes never share /kubepods.
        "cgroupDriver": "cgroupfs", "cgroupRoot": cgroup_root,
        "containerRuntimeEndpoint": "unix:///run/containerd/containerd.sock",
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True},
                           "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}},
        "authorization": {"mode": "Webhook"},
        "clusterDomain": "cluster.local", "clusterDNS": [dns_ip(c)],
        "resolvConf": "",            # no upstream DNS on the lab network
        "failSwapOn": False,
        "registerWithTaints": [TAINT],
        "evictionHard": {"memory.available": "100Mi", "nodefs.available": "1%",
                         "imagefs.available": "1%", "nodefs.inodesFree": "1%"},
        "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,
        "serializeImagePulls": False,
    }


def kube_proxy_config(c: L.Cluster, name: str) -> dict:
    return {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": "/etc/kubernetes/kube-proxy.kubeconfig"},
        "mode": "iptables", "clusterCIDR": c.pod_cidr, "hostnameOverride": name,
        # /proc/sys is read-only in the lab hosts: leave conntrack sizing and
        # route_localnet (localhost NodePorts) alone, as kind does.
        "conntrack": {"maxPerCore": 0, "tcpEstablishedTimeout": "0s", "tcpCloseWaitTimeout": "0s"},
        "iptables": {"localhostNodePorts": False},
        "metricsBindAddress": "127.0.0.1:10249",
    }


CONTAINERD = f"""# Written by lab/nodes.py: containerd with CRI for the lab's kubelet.
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{SANDBOX_IMAGE}"
  # No CAP_SYS_RESOURCE in the lab hosts: runc may not lower oom_score_adj below its own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{CNI_BIN}"
    conf_dir = "/etc/cni/net.d"
"""


def cni_config(cidr: str) -> dict:
    # No masquerade: pod addresses are routed on the lab network, peers see the real source.
    return {"cniVersion": "1.0.0", "name": "lab-pods", "plugins": [
        {"type": "bridge", "bridge": "cni0", "isGateway": True, "ipMasq": False, "hairpinMode": True,
         "ipam": {"type": "host-local", "ranges": [[{"subnet": cidr}]], "routes": [{"dst": "0.0.0.0/0"}]}},
        {"type": "portmap", "capabilities": {"portMappings": True}},
    ]}


def unit(description: str, exec_start: str, env: dict[str, str], after: str) -> str:
    envs = "".join(f"Environment={k}={v}\n" for k, v in env.items())
    return (f"[Unit]\nDescription={description} (lab/nodes.py)\nAfter={after}\nWants={after}\n\n"
            f"[Service]\n{envs}ExecStart={exec_start}\nRestart=always\nRestartSec=2\n\n"
            "[Install]\nWantedBy=multi-user.target\n")


def node_files(c: L.Cluster, name: str, host: dict, cgroup_root: str) -> dict[str, tuple[bytes, int]]:
    gw = L.gateway()
    server = f"https://{gw}:{c.api_port}"
    region_zone = f"topology.kubernetes.io/region={c.region},topology.kubernetes.io/zone={c.zones[0]}"
    labels = f"{REAL_LABEL[0]}={REAL_LABEL[1]},fleetops.io/lab-cluster={c.name},{region_zone}"
    kubelet = (f"/usr/local/bin/kubelet --config=/etc/kubernetes/kubelet.yaml "
               f"--kubeconfig=/etc/kubernetes/kubelet.kubeconfig --hostname-override={name} "
               f"--node-ip={host['address']} --node-labels={labels} --v=1")
    js = lambda d: (json.dumps(d, indent=2, sort_keys=True) + "\n").encode()  # noqa: E731
    return {
        "etc/kubernetes/pki/ca.crt": ((c.pki / "ca.crt").read_bytes(), 0o644),
        "etc/kubernetes/kubelet.kubeconfig": (L.kubeconfig_text(c, f"node-{name}", server).encode(), 0o600),
        "etc/kubernetes/kube-proxy.kubeconfig": (L.kubeconfig_text(c, "kube-proxy", server).encode(), 0o600),
        "etc/kubernetes/kubelet.yaml": (js(kubelet_config(c, cgroup_root)), 0o644),
        "etc/kubernetes/kube-proxy.yaml": (js(kube_proxy_config(c, name)), 0o644),
        "etc/containerd/config.toml": (CONTAINERD.encode(), 0o644),
        "etc/cni/net.d/10-lab-pods.conflist": (js(cni_config(node_cidr(c, name))), 0o644),
        "etc/systemd/system/kubelet.service": (unit(
            "Kubernetes kubelet", kubelet, {"GOMAXPROCS": "1", "GOMEMLIMIT": "128MiB"},
            "containerd.service").encode(), 0o644),
        "etc/systemd/system/kube-proxy.service": (unit(
            "Kubernetes kube-proxy", "/usr/local/bin/kube-proxy --config=/etc/kubernetes/kube-proxy.yaml",
            {"GOMAXPROCS": "1", "GOMEMLIMIT": "64MiB"}, "network-online.target").encode(), 0o644),
    }


def tar_of(files: dict[str, tuple[bytes, int]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for path, (data, mode) in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), mode, 0
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def binary_stamp() -> str:
    st = [(b, (L.bindir("kubernetes") / b).stat()) for b in ("kubelet", "kube-proxy")]
    return L.versions()["kubernetes"] + " " + " ".join(f"{b}:{s.st_size}:{int(s.st_mtime)}" for b, s in st)


PROBE = r"""
cg=$(awk -F: '$2=="name=systemd" || $2=="" {print $3; exit}' /proc/1/cgroup); cg=${cg%/init.scope}
echo "cgroup=${cg:-/}"
echo "files=$(cat /etc/kubernetes/.lab-files 2>/dev/null || true)"
echo "binaries=$(cat /usr/local/bin/.lab-binaries 2>/dev/null || true)"
echo "images=$( (systemctl is-active -q containerd && ctr -n k8s.io images ls -q) 2>/dev/null | paste -sd' ' - || true)"
echo "imported=$(paste -sd, /var/lib/fleetops-lab-images 2>/dev/null || true)"
"""


def probe(name: str) -> dict[str, str]:
    out = {}
    for line in sh(name, PROBE).splitlines():
        k, _, v = line.partition("=")
        out[k] = v
    return out


def converge_node(name: str, host: dict, peers: dict[str, dict]) -> list[str]:
    c = cluster_of(host)
    ensure_node_pki(c, name)
    state = probe(name)
    did = []
    files = node_files(c, name, host, state["cgroup"])
    digest = hashlib.sha256(tar_of(files)).hexdigest()[:16]
    restart = []
    if state["binaries"] != binary_stamp():
        for b in ("kubelet", "kube-proxy"):
            docker("cp", str(L.bindir("kubernetes") / b), f"{name}:/usr/local/bin/{b}")
        sh(name, f"echo '{binary_stamp()}' > /usr/local/bin/.lab-binaries")
        did.append("binaries")
        restart = ["kubelet", "kube-proxy"]
    if state["files"] != digest:
        docker("exec", "-i", name, "tar", "-x", "-C", "/", stdin=tar_of(files))
        sh(name, f"echo {digest} > /etc/kubernetes/.lab-files")
        did.append("config")
        restart = ["containerd", "kubelet", "kube-proxy"]
    # The kubelet wants its cgroup root in every hierarchy; routes to the other nodes' pods.
    routes = "".join(f"ip route replace {node_cidr(cluster_of(h), n)} via {h['address']}\n"
                     for n, h in peers.items() if n != name)
    sh(name, f"""
cg='{state['cgroup']}'
for m in $(grep -E ' - cgroup2? ' /proc/self/mountinfo | awk '{{print $5}}'); do mkdir -p "$m$cg"; done
{routes}
systemctl daemon-reload
systemctl enable -q containerd kubelet kube-proxy
{''.join(f'systemctl restart {u}' + chr(10) for u in restart)}systemctl start containerd kubelet kube-proxy
""")
    # Images from the artifact mirror, as a site without a registry would side-load them.
    # A present reference is re-imported when its archive changed (a rebuilt lab image).
    now = probe(name) if restart else state
    have = set(now["images"].split())
    imported = dict(line.split(" ", 1) for line in now["imported"].split(",") if " " in line)
    missing = {ref: (path, digest) for ref, (path, digest) in lab_images().items()
               if ref not in have or imported.get(ref) != digest}
    if missing:
        base = f"http://{L.gateway()}:{L.MIRROR_PORT}"
        keep = {r: d for r, d in imported.items() if r not in missing}
        stamp = "".join(f"{r} {d}\n" for r, d in sorted({**keep, **{r: d for r, (_, d) in missing.items()}}.items()))
        sh(name, "for i in $(seq 1 30); do ctr -n k8s.io version >/dev/null 2>&1 && break; sleep 1; done\n"
                 + "".join(f"curl -fsS {base}/{path} | ctr -n k8s.io images import - >/dev/null\n"
                           for path, _ in missing.values())
                 + f"cat > {IMPORTED} <<'EOF'\n{stamp}EOF\n", timeout=900)
        did.append(f"{len(missing)} image(s)")
    return did


# ---------------------------------------------------------------------------
# the machine's side: routes to pods, forwarding between lab hosts
# ---------------------------------------------------------------------------
def ensure_machine_routes(nodes: dict[str, dict]) -> None:
    for n, h in nodes.items():
        subprocess.run(["ip", "route", "replace", node_cidr(cluster_of(h), n), "via", h["address"],
                        "dev", BRIDGE], check=True)
    # Docker isolates an --internal network: bridged frames whose addresses are outside its
    # subnet (pod to pod across nodes) are dropped. DOCKER-USER is Docker's chain for this.
    rule = ["DOCKER-USER", "-i", BRIDGE, "-o", BRIDGE, "-j", "ACCEPT"]
    if subprocess.run(["iptables", "-C", *rule], capture_output=True).returncode:
        subprocess.run(["iptables", "-I", *rule], check=True)


def ensure_control_plane_routes(nodes: dict[str, dict]) -> list[str]:
    """The Karmada hosts route the pods too: the host cluster's Prometheus scrapes the metrics of
    Karmada's host-mode controllers on them (role prometheus), and without masquerade (the CNI
    above) their answers go to pod addresses that the lab network alone does not route."""
    try:
        hosts = json.loads(L.HOSTS_JSON.read_text())
    except (OSError, ValueError):
        return []
    routes = "".join(f"ip route replace {node_cidr(cluster_of(h), n)} via {h['address']}\n" for n, h in nodes.items())
    done = []
    for name, h in sorted(hosts.items()):
        if h.get("role") in ("karmada", "karmada-ha") and routes:
            sh(name, routes, check=False)   # a stopped host gets them at the next lab.sh up
            done.append(name)
    return done


def remove_machine_routes() -> int:
    """Routes to the lab's pod ranges (lab down); the Docker rule goes with dockerd's chains."""
    out = subprocess.run(["ip", "route", "show", "dev", BRIDGE], capture_output=True, text=True).stdout
    removed = 0
    for line in out.splitlines():
        dst = line.split()[0] if line.strip() else ""
        if dst.startswith("10.") and " via " in line:
            subprocess.run(["ip", "route", "del", dst, "dev", BRIDGE], capture_output=True)
            removed += 1
    rule = ["DOCKER-USER", "-i", BRIDGE, "-o", BRIDGE, "-j", "ACCEPT"]
    subprocess.run(["iptables", "-D", *rule], capture_output=True)
    return removed


# ---------------------------------------------------------------------------
# CoreDNS (what kubeadm deploys, with the lab's toleration)
# ---------------------------------------------------------------------------
COREFILE = f""".:{DNS_PORT} {{
    errors
    health {{
        lameduck 5s
    }}
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {{
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }}
    cache 30
    loop
    reload
    loadbalance
}}
"""


def coredns_objects(c: L.Cluster) -> list[tuple[str, dict]]:
    ns, labels = "kube-system", {"k8s-app": "kube-dns"}
    meta = lambda name, **kw: {"name": name, **kw}  # noqa: E731
    return [
        (f"/api/v1/namespaces/{ns}/serviceaccounts/coredns",
         {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("coredns", namespace=ns)}),
        ("/apis/rbac.authorization.k8s.io/v1/clusterroles/system:coredns",
         {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta("system:coredns"),
          "rules": [{"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"],
                     "verbs": ["list", "watch"]},
                    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"],
                     "verbs": ["list", "watch"]}]}),
        ("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:coredns",
         {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
          "metadata": meta("system:coredns"),
          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:coredns"},
          "subjects": [{"kind": "ServiceAccount", "name": "coredns", "namespace": ns}]}),
        (f"/api/v1/namespaces/{ns}/configmaps/coredns",
         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("coredns", namespace=ns),
          "data": {"Corefile": COREFILE}}),
        (f"/apis/apps/v1/namespaces/{ns}/deployments/coredns",
         {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("coredns", namespace=ns, labels=labels),
          "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
              "metadata": {"labels": labels},
              "spec": {
                  "serviceAccountName": "coredns", "priorityClassName": "system-cluster-critical",
                  "dnsPolicy": "Default",
                  "nodeSelector": {REAL_LABEL[0]: REAL_LABEL[1]},
                  "tolerations": [{"key": TAINT["key"], "operator": "Exists"}],
                  "containers": [{
                      "name": "coredns", "image": coredns_image(), "imagePullPolicy": "IfNotPresent",
                      "args": ["-conf", "/etc/coredns/Corefile"],
                      "ports": [{"name": "dns", "containerPort": DNS_PORT, "protocol": "UDP"},
                                {"name": "dns-tcp", "containerPort": DNS_PORT, "protocol": "TCP"}],
                      "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "96Mi"}},
                      "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                          "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True},
                      "volumeMounts": [{"name": "config", "mountPath": "/etc/coredns", "readOnly": True}],
                      "livenessProbe": {"httpGet": {"path": "/health", "port": 8080}, "periodSeconds": 10,
                                        "failureThreshold": 5},
                      "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}, "periodSeconds": 3},
                  }],
                  "volumes": [{"name": "config", "configMap": {"name": "coredns"}}],
              }}}}),
        (f"/api/v1/namespaces/{ns}/services/kube-dns",
         {"apiVersion": "v1", "kind": "Service", "metadata": meta("kube-dns", namespace=ns, labels=labels),
          "spec": {"selector": labels, "clusterIP": dns_ip(c), "ports": [
              {"name": "dns", "port": 53, "targetPort": DNS_PORT, "protocol": "UDP"},
              {"name": "dns-tcp", "port": 53, "targetPort": DNS_PORT, "protocol": "TCP"}]}}),
    ]


def apply(api: L.Api, path: str, obj: dict) -> bool:
    """Server-side apply; True when the object changed."""
    code, before = api.req("GET", path)
    code, body = api.req("PATCH", path + "?fieldManager=fleetops-lab&force=true", obj,
                         ctype="application/apply-patch+yaml")
    if code not in (200, 201):
        L.die(f"apply {path}: {code} {body}")
    old = before.get("metadata", {}).get("resourceVersion") if isinstance(before, dict) else None
    return old != body.get("metadata", {}).get("resourceVersion")


def ensure_coredns(c: L.Cluster) -> int:
    api = L.Api(c)
    return sum(apply(api, path, obj) for path, obj in coredns_objects(c))


# ---------------------------------------------------------------------------
# command
# ---------------------------------------------------------------------------
def real_nodes_ready(c: L.Cluster, names: list[str]) -> bool:
    code, body = L.Api(c).req("GET", "/api/v1/nodes?labelSelector=" + "%3D".join(REAL_LABEL))
    if code != 200:
        return False
    ready = {n["metadata"]["name"] for n in body.get("items", [])
             if any(k.get("type") == "Ready" and k.get("status") == "True"
                    for k in n.get("status", {}).get("conditions", []))}
    return set(names) <= ready


def coredns_ready(c: L.Cluster) -> bool:
    code, body = L.Api(c).req("GET", "/apis/apps/v1/namespaces/kube-system/deployments/coredns")
    return code == 200 and body.get("status", {}).get("readyReplicas", 0) >= 1


def cmd_nodes() -> None:
    t0 = time.time()
    nodes = node_hosts()
    if not nodes:
        print("no node hosts (LAB_CLUSTER_NODES=0): clusters keep kwok nodes only")
        return
    ensure_machine_routes(nodes)
    # Certificates first, one at a time: two nodes of one cluster would both issue its
    # kube-proxy certificate (and race on the CA serial file).
    for n, h in nodes.items():
        ensure_node_pki(cluster_of(h), n)
    # Three at a time: mostly waiting on docker exec, curl and ctr import.
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        done = {n: pool.submit(converge_node, n, h, nodes) for n, h in nodes.items()}
        changed = {n: f.result() for n, f in done.items() if f.result()}
    per_cluster: dict[str, list[str]] = {}
    for n, h in nodes.items():
        per_cluster.setdefault(h["site"], []).append(n)
    clusters = [c for c in L.CLUSTERS if c.name in per_cluster]
    for c in clusters:
        L.wait_for(f"{c.name} real nodes Ready ({', '.join(per_cluster[c.name])})",
                   lambda c=c: real_nodes_ready(c, per_cluster[c.name]), 180, 1)
    routed = ensure_control_plane_routes(nodes)
    dns = {c.name: ensure_coredns(c) for c in clusters}
    for c in clusters:
        L.wait_for(f"{c.name} CoreDNS ready", lambda c=c: coredns_ready(c), 180, 1)
    print(f"real nodes ready in {time.time() - t0:.0f}s (pod routes also on {', '.join(routed) or 'no control-plane host'}):")
    for c in clusters:
        for n in per_cluster[c.name]:
            print(f"  {c.name:18} {n:18} {nodes[n]['address']:15} pods {node_cidr(c, n)}"
                  + (f"  ({', '.join(changed[n])})" if n in changed else ""))
        print(f"  {c.name:18} CoreDNS {dns_ip(c)}" + (f" ({dns[c.name]} object(s) applied)" if dns[c.name] else ""))
