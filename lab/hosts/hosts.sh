#!/usr/bin/env bash
# fleetops lab hosts: Debian 12 systemd containers under Docker, reached over
# real SSH. See lab/hosts/README.md.
#
#   lab/hosts/hosts.sh image    build (or reuse) the base image, print its tag
#   lab/hosts/hosts.sh up       start the hosts, write /var/lib/fleetops-lab/hosts.json
#   lab/hosts/hosts.sh status   container state, systemd state, ssh, memory per host
#   lab/hosts/hosts.sh down     remove hosts, network, volumes (and our dockerd)
#   lab/hosts/hosts.sh dockerd  only make sure dockerd runs (for molecule)
#   lab/hosts/hosts.sh ssh NAME [CMD...]   ssh into a lab host with the lab key
#
# Parameters (environment):
#   LAB_KARMADA_HOSTS   Karmada control-plane hosts, 1..3            (default 1)
#   LAB_KARMADA_HA_HOSTS  separate 3-host Karmada for the HA test, 0|3 (default 0)
#   LAB_EDGE_HOSTS      edge hosts, 0..98, split site-a/site-b       (default 5: 3+2)
#   LAB_CLUSTER_NODES   real kubelet nodes per cluster, 0..3; cluster-beijing gets one
#                       more (traffic between two real nodes)        (default 1)
#   LAB_NET_PREFIX      first three octets of the lab /24            (default 172.31.250)
#   FLEETOPS_LAB_CACHE  rootfs/deb cache outside the repo            (default /var/cache/fleetops-lab)
#   FLEETOPS_LAB_STATE  state dir (hosts.json, dockerd log)          (default /var/lib/fleetops-lab)
#   LAB_SSH_KEY         private key path                              (default <repo>/.lab/ssh/id_ed25519)
#   LAB_KEEP_DOCKERD=1  `down` leaves dockerd running
#   LAB_BOOT_TIMEOUT    seconds to wait for each host to boot         (default 180)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
IMAGE_DIR="$HERE/image"

STATE="${FLEETOPS_LAB_STATE:-/var/lib/fleetops-lab}"
CACHE="${FLEETOPS_LAB_CACHE:-/var/cache/fleetops-lab}"
SSH_KEY="${LAB_SSH_KEY:-$ROOT/.lab/ssh/id_ed25519}"
NET_NAME="fleetops-lab"
NET_PREFIX="${LAB_NET_PREFIX:-172.31.250}"
SUBNET="$NET_PREFIX.0/24"
GATEWAY="$NET_PREFIX.1"
KARMADA_HOSTS="${LAB_KARMADA_HOSTS:-1}"
KARMADA_HA_HOSTS="${LAB_KARMADA_HA_HOSTS:-0}"
EDGE_HOSTS="${LAB_EDGE_HOSTS:-5}"
CLUSTER_NODES="${LAB_CLUSTER_NODES:-1}"
# The lab's clusters (lab/lab.py CLUSTERS), by index: their real nodes' addresses derive from it.
LAB_CLUSTERS=(host cluster-beijing cluster-shanghai cluster-guangzhou cluster-hangzhou)
BOOT_TIMEOUT="${LAB_BOOT_TIMEOUT:-180}"
IMAGE_REPO="fleetops-lab/debian12-systemd"
SUITE="bookworm"
LABEL="fleetops.lab"
PARALLEL="${LAB_PARALLEL:-8}"

log() { printf '[hosts] %s\n' "$*" >&2; }
die() { printf '[hosts] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (docker, debootstrap)"
mkdir -p "$STATE"

# --------------------------------------------------------------------------
# dockerd
# --------------------------------------------------------------------------
ensure_docker() {
  if ! command -v dockerd >/dev/null 2>&1; then
    log "installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends docker.io >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io >/dev/null; }
  fi
  if docker info >/dev/null 2>&1; then return 0; fi
  if [[ -d /run/systemd/system ]]; then
    log "starting docker.service"
    systemctl start docker.service
  else
    log "starting dockerd (no systemd here); log: $STATE/dockerd.log"
    setsid nohup dockerd >>"$STATE/dockerd.log" 2>&1 </dev/null 9>&- &
    echo $! >"$STATE/dockerd.pid"
  fi
  local i
  for i in $(seq 1 120); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "dockerd did not come up; see $STATE/dockerd.log"
}

stop_our_dockerd() {
  [[ -f $STATE/dockerd.pid ]] || return 0
  local pid; pid="$(cat "$STATE/dockerd.pid")"
  if [[ ${LAB_KEEP_DOCKERD:-0} == 1 ]]; then return 0; fi
  if kill -0 "$pid" 2>/dev/null && [[ "$(cat /proc/"$pid"/comm 2>/dev/null)" == dockerd ]]; then
    if [[ -n "$(docker ps -aq 2>/dev/null)" ]]; then
      log "dockerd left running: other containers exist"
      return 0
    fi
    log "stopping dockerd (pid $pid, started by hosts.sh)"
    kill -TERM "$pid"
    local i
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$STATE/dockerd.pid"
}

# --------------------------------------------------------------------------
# image
# --------------------------------------------------------------------------
mirror_url() {
  # First Debian archive URI the machine is configured with (deb822 or one-line).
  local f u
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    u="$(awk '/^URIs:/ {for (i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/) {print $i; exit}}' "$f")"
    [[ -n $u ]] && { echo "${u%/}"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    u="$(awk '$1=="deb" {for (i=2;i<=NF;i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) {print $i; exit}}' "$f")"
    [[ -n $u ]] && { echo "${u%/}"; return; }
  done
  echo "http://deb.debian.org/debian"
}

rootfs_stamp() {
  # The debootstrapped rootfs depends only on the package list, the chroot
  # script and the mirror; a changed recipe is a new rootfs.
  { cat "$IMAGE_DIR/packages.txt" "$IMAGE_DIR/bootstrap-rootfs.sh"; echo "$(mirror_url) $SUITE"; } \
    | sha256sum | cut -c1-12
}

image_stamp() {
  # The image adds the Dockerfile layer (configure.sh, files/): content hash of all.
  (cd "$IMAGE_DIR" && find . -type f | LC_ALL=C sort | xargs sha256sum; echo "$(mirror_url) $SUITE") \
    | sha256sum | cut -c1-12
}

image_tag() { echo "$IMAGE_REPO:$(image_stamp)"; }

build_rootfs() {
  local out="$1" mirror work pkgs
  mirror="$(mirror_url)"
  command -v debootstrap >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  pkgs="$(grep -v '^\s*#' "$IMAGE_DIR/packages.txt" | awk 'NF {print $1}' | paste -sd, -)"
  work="$CACHE/build.$$"
  mkdir -p "$CACHE/debs" "$work"
  # shellcheck disable=SC2064
  trap "umount -l '$work/rootfs/proc' 2>/dev/null || true; rm -rf '$work'" EXIT
  log "debootstrap $SUITE from $mirror (minbase + $(echo "$pkgs" | tr , ' ' | wc -w) packages)"
  debootstrap --variant=minbase --include="$pkgs" --cache-dir="$CACHE/debs" \
    "$SUITE" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # Same apt sources as this machine (Debian entries only), for updates now and
  # for anyone running apt inside a lab host later.
  local srcs="$work/rootfs/etc/apt/sources.list.d/debian.sources"
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$srcs"
    : >"$work/rootfs/etc/apt/sources.list"
  fi
  # Never start daemons inside the chroot (on the host!).
  printf '#!/bin/sh\nexit 101\n' >"$work/rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$work/rootfs/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$work/rootfs/etc/resolv.conf"
  cp "$IMAGE_DIR/bootstrap-rootfs.sh" "$work/rootfs/tmp/bootstrap-rootfs.sh"
  mount -t proc proc "$work/rootfs/proc"
  log "updating rootfs in chroot"
  chroot "$work/rootfs" /bin/bash /tmp/bootstrap-rootfs.sh >&2
  umount "$work/rootfs/proc"
  rm -f "$work/rootfs/usr/sbin/policy-rc.d" "$work/rootfs/etc/resolv.conf" "$work/rootfs/tmp/bootstrap-rootfs.sh"
  log "packing rootfs"
  tar -C "$work/rootfs" --numeric-owner --xattrs --acls -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  rm -rf "$work"
  trap - EXIT
}

cmd_image() {
  ensure_docker
  local rstamp stamp tag tarball base t0=$SECONDS
  stamp="$(image_stamp)"; tag="$IMAGE_REPO:$stamp"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    docker tag "$tag" "$IMAGE_REPO:latest"
    echo "$tag"; return 0
  fi
  rstamp="$(rootfs_stamp)"; base="$IMAGE_REPO-rootfs:$rstamp"
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    tarball="$CACHE/images/debian12-systemd-rootfs-$rstamp.tar"
    mkdir -p "$CACHE/images"
    if [[ ! -f $tarball ]]; then
      build_rootfs "$tarball"
      log "rootfs built in $((SECONDS - t0))s: $tarball ($(du -h "$tarball" | cut -f1))"
    else
      log "reusing cached rootfs $tarball"
    fi
    docker import "$tarball" "$base" >/dev/null
  fi
  docker build -q --build-arg "BASE=$base" -t "$tag" -t "$IMAGE_REPO:latest" "$IMAGE_DIR" >/dev/null
  log "image $tag ready in $((SECONDS - t0))s"
  # Drop superseded stamps (kept while a container still uses them).
  local old
  for old in $(docker images --format '{{.Repository}}:{{.Tag}}' "$IMAGE_REPO" "$IMAGE_REPO-rootfs"); do
    [[ $old == "$tag" || $old == "$base" || $old == "$IMAGE_REPO:latest" ]] && continue
    docker rmi "$old" >/dev/null 2>&1 || true
  done
  echo "$tag"
}

# --------------------------------------------------------------------------
# topology
# --------------------------------------------------------------------------
# Emits "name role site ip" lines. Fixed addresses keep the lab stable:
#   cloudcore-1 .10 · karmada-N .20+N · gw-hangzhou .30 · karmada-ha-N .40+N
#   node-<cluster>-N .60+5*index+N (site = the cluster) · edge-a-N .100+N · edge-b-N .150+N
desired_hosts() {
  [[ $KARMADA_HOSTS =~ ^[1-3]$ ]] || die "LAB_KARMADA_HOSTS must be 1..3"
  [[ $KARMADA_HA_HOSTS =~ ^[03]$ ]] || die "LAB_KARMADA_HA_HOSTS must be 0 or 3"
  # site-a takes .101-.149, site-b .151-.199: at most 49 each.
  if ! [[ $EDGE_HOSTS =~ ^[0-9]+$ ]] || ((EDGE_HOSTS > 98)); then die "LAB_EDGE_HOSTS must be 0..98"; fi
  echo "cloudcore-1 cloudcore - $NET_PREFIX.10"
  local i a b
  for ((i = 1; i <= KARMADA_HOSTS; i++)); do echo "karmada-$i karmada - $NET_PREFIX.$((20 + i))"; done
  # A host in cluster-hangzhou's network that runs its karmada-agent (Pull mode).
  echo "gw-hangzhou gateway - $NET_PREFIX.30"
  # Not part of the lab topology: tests/integration/test_karmada_ha.py writes its own.
  for ((i = 1; i <= KARMADA_HA_HOSTS; i++)); do echo "karmada-ha-$i karmada-ha - $NET_PREFIX.$((40 + i))"; done
  [[ $CLUSTER_NODES =~ ^[0-3]$ ]] || die "LAB_CLUSTER_NODES must be 0..3"
  local idx n c
  for idx in "${!LAB_CLUSTERS[@]}"; do
    c=${LAB_CLUSTERS[$idx]}; n=$CLUSTER_NODES
    [[ $c == cluster-beijing ]] && ((n > 0)) && n=$((n + 1))
    for ((i = 1; i <= n; i++)); do echo "node-${c#cluster-}-$i node $c $NET_PREFIX.$((60 + 5 * idx + i))"; done
  done
  a=$(((EDGE_HOSTS + 1) / 2)); b=$((EDGE_HOSTS - a))
  for ((i = 1; i <= a; i++)); do echo "edge-a-$i edge site-a $NET_PREFIX.$((100 + i))"; done
  for ((i = 1; i <= b; i++)); do echo "edge-b-$i edge site-b $NET_PREFIX.$((150 + i))"; done
}

ensure_key() {
  mkdir -p "$(dirname "$SSH_KEY")"
  # The key directory ignores itself, whatever the repo's .gitignore says.
  [[ -f "$(dirname "$SSH_KEY")/.gitignore" ]] || echo '*' >"$(dirname "$SSH_KEY")/.gitignore"
  if [[ ! -f $SSH_KEY ]]; then
    ssh-keygen -q -t ed25519 -N '' -C fleetops-lab -f "$SSH_KEY"
  fi
  chmod 0600 "$SSH_KEY"
}

ensure_network() {
  if docker network inspect "$NET_NAME" >/dev/null 2>&1; then
    local have
    have="$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$NET_NAME")"
    [[ $have == "$SUBNET" ]] || die "network $NET_NAME exists with subnet $have, want $SUBNET (run down first)"
    return 0
  fi
  # --internal: lab hosts reach each other and this machine (the gateway
  # address, where the lab's API servers and artifact mirror listen), nothing else.
  docker network create --driver bridge --internal \
    --subnet "$SUBNET" --gateway "$GATEWAY" \
    -o com.docker.network.bridge.name=fleetops-lab \
    --label "$LABEL=network" "$NET_NAME" >/dev/null
  log "network $NET_NAME $SUBNET (internal, gateway $GATEWAY)"
}

ensure_sysctls() {
  # systemd in every lab host holds ~5 inotify instances, all charged to root
  # in the init user namespace; Debian's default of 128 runs out at ~15 hosts
  # (units fail with Result: resources, systemd stays "initializing" or exits 255).
  local key want have
  for kv in fs.inotify.max_user_instances=8192 fs.inotify.max_user_watches=524288; do
    key=${kv%=*}; want=${kv#*=}
    have="$(sysctl -n "$key")"
    if ((have < want)); then
      sysctl -qw "$key=$want" || die "cannot raise $key to $want (have $have)"
      log "raised $key $have -> $want"
    fi
  done
}

ensure_kubelet_sysctls() {
  # edgecore embeds the kubelet, whose container manager sets these (global,
  # not namespaced) sysctls at start and dies if it cannot: /proc/sys is
  # read-only inside the lab hosts, so set them on this machine, as the kubelet
  # itself would on a real node. LAB_KUBELET_SYSCTLS=0 skips this.
  [[ ${LAB_KUBELET_SYSCTLS:-1} == 1 ]] || return 0
  local kv key want have
  for kv in vm.overcommit_memory=1 vm.panic_on_oom=0 kernel.panic=10 kernel.panic_on_oops=1 \
            kernel.keys.root_maxkeys=1000000 kernel.keys.root_maxbytes=25000000; do
    key=${kv%=*}; want=${kv#*=}
    have="$(sysctl -n "$key")"
    if [[ $have != "$want" ]]; then
      sysctl -qw "$key=$want" || die "cannot set $key=$want (have $have)"
      log "set $key $have -> $want (kubelet/edgecore default)"
    fi
  done
}

SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
          -o BatchMode=yes -o ConnectTimeout=5)

start_host() { # name role site ip image
  local name=$1 role=$2 site=$3 ip=$4 image=$5 cur spec
  local args=(--hostname "$name" --network "$NET_NAME" --ip "$ip"
    --cap-add SYS_ADMIN --cap-add NET_ADMIN --security-opt seccomp=unconfined
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw --cgroupns=host
    --tmpfs /run --tmpfs /run/lock
    --label "$LABEL=host" --label "$LABEL.role=$role" --label "$LABEL.site=$site")
  if [[ $role == edge || $role == node ]]; then
    # overlayfs on Docker's overlayfs fails; a volume gives containerd ext4.
    args+=(-v "fleetops-lab-$name-containerd:/var/lib/containerd")
    # The kubelet inside edgecore refuses to start without /dev/kmsg (OOM
    # watcher); reading it needs CAP_SYSLOG.
    args+=(--device /dev/kmsg --cap-add SYSLOG)
    # runc joins a pod's sandbox namespaces through /proc/<pid>/ns of the sandbox process,
    # which runs as uid 65535 (upstream pause): without CAP_SYS_PTRACE every app container
    # fails with "can't get final child's PID from pipe: EOF". A real node has it.
    args+=(--cap-add SYS_PTRACE)
  fi
  if [[ $role == karmada || $role == karmada-ha ]]; then
    # /etc/hosts survives a restart, as on a real machine (Docker rewrites its own on every start):
    # the karmada role keeps the control plane's peer name there.
    args+=(-v "$STATE/etc-hosts/$name:/etc/hosts")
  fi
  if [[ $role == node ]]; then
    # A Kubernetes node forwards between its pod bridge and the lab network (pod routes
    # between nodes, lab/nodes.py); /proc/sys is read-only inside, so set it at creation.
    args+=(--sysctl net.ipv4.ip_forward=1 --sysctl net.ipv4.conf.all.rp_filter=0)
  fi
  # A host whose image or flags changed is recreated; otherwise left alone.
  spec="$(printf '%s\n' "$image" "${args[@]}" | sha256sum | cut -c1-12)"
  cur="$(docker inspect -f "{{index .Config.Labels \"$LABEL.spec\"}} {{.State.Running}}" "$name" 2>/dev/null || true)"
  if [[ -n $cur ]]; then
    if [[ $cur == "$spec true" ]]; then return 0; fi
    if [[ $cur == "$spec false" ]]; then docker start "$name" >/dev/null; return 0; fi
    # A recreated host is a fresh machine: its containerd volume goes too.
    docker rm -f "$name" >/dev/null
    docker volume rm -f "fleetops-lab-$name-containerd" >/dev/null 2>&1 || true
  fi
  if [[ $role == edge || $role == node ]]; then
    docker volume create --label "$LABEL=volume" "fleetops-lab-$name-containerd" >/dev/null
  fi
  if [[ " ${args[*]} " == *":/etc/hosts "* ]]; then   # a new machine's /etc/hosts
    mkdir -p "$STATE/etc-hosts"
    printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$ip" "$name" >"$STATE/etc-hosts/$name"
  fi
  docker run -d --name "$name" --label "$LABEL.spec=$spec" "${args[@]}" "$image" /lib/systemd/systemd >/dev/null
}

wait_host() { # name ip -> prints "name systemd-state"
  local name=$1 ip=$2 state="" deadline=$((SECONDS + BOOT_TIMEOUT))
  docker exec -i "$name" sh -c 'install -d -m 0700 /root/.ssh && cat >/root/.ssh/authorized_keys && chmod 0600 /root/.ssh/authorized_keys' \
    <"$SSH_KEY.pub"
  while ((SECONDS < deadline)); do
    state="$(timeout 60 docker exec "$name" systemctl is-system-running --wait 2>/dev/null || true)"
    [[ $state == running || $state == degraded ]] && break
    sleep 1
  done
  [[ $state == running || $state == degraded ]] || { echo "$name boot-timeout:${state:-none}"; return 1; }
  while ((SECONDS < deadline)); do
    if ssh -i "$SSH_KEY" "${SSH_OPTS[@]}" "root@$ip" true 2>/dev/null; then
      echo "$name $state"; return 0
    fi
    sleep 1
  done
  echo "$name ssh-timeout"; return 1
}

write_hosts_json() { # image, desired ("name role site ip" lines)
  python3 - "$STATE/hosts.json" "$STATE/hosts-meta.json" "$SSH_KEY" "$1" "$NET_NAME" "$SUBNET" "$GATEWAY" "$2" <<'PY'
import json, os, sys
out, meta_out, key, image, net, subnet, gw, desired = sys.argv[1:9]
hosts = {}
for line in desired.splitlines():
    name, role, site, ip = line.split()
    hosts[name] = {"address": ip, "ssh_port": 22, "role": role,
                   "site": None if site == "-" else site}
for path, data in ((out, hosts), (meta_out, {
        "network": net, "subnet": subnet, "gateway": gw, "image": image,
        "ssh_user": "root", "ssh_private_key_file": key})):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)
PY
}

cmd_up() {
  local t0=$SECONDS image desired name role site ip
  ensure_docker
  image="$(cmd_image)"
  ensure_key
  ensure_sysctls
  ((EDGE_HOSTS + CLUSTER_NODES == 0)) || ensure_kubelet_sysctls
  ensure_network
  desired="$(desired_hosts)"
  # Remove lab hosts that are no longer wanted (e.g. LAB_EDGE_HOSTS lowered).
  local extra=() vols=()
  for name in $(docker ps -a --filter "label=$LABEL=host" --format '{{.Names}}'); do
    if ! grep -q "^$name " <<<"$desired"; then
      extra+=("$name"); vols+=("fleetops-lab-$name-containerd")
    fi
  done
  if ((${#extra[@]})); then
    log "removing ${#extra[@]} hosts not in the requested topology: ${extra[*]}"
    docker rm -f "${extra[@]}" >/dev/null
    docker volume rm -f "${vols[@]}" >/dev/null 2>&1 || true
  fi
  log "starting $(wc -l <<<"$desired") hosts from $image"
  # Wait on our own job pids only: a plain `wait` would also wait for a
  # dockerd this script started in the background.
  local failed=0 tmp pids=()
  tmp="$(mktemp -d)"
  while read -r name role site ip; do
    { start_host "$name" "$role" "$site" "$ip" "$image" >"$tmp/$name.start" 2>&1 || echo fail >"$tmp/$name.startfail"; } &
    pids+=($!)
    if ((${#pids[@]} >= PARALLEL)); then wait "${pids[@]}"; pids=(); fi
  done <<<"$desired"
  ((${#pids[@]} == 0)) || wait "${pids[@]}"
  pids=()
  log "containers started after $((SECONDS - t0))s; waiting for systemd and sshd"
  if compgen -G "$tmp/*.startfail" >/dev/null; then
    for f in "$tmp"/*.startfail; do n="$(basename "$f" .startfail)"; log "start $n failed: $(cat "$tmp/$n.start")"; done
    rm -rf "$tmp"; die "some hosts did not start"
  fi
  while read -r name role site ip; do
    wait_host "$name" "$ip" >"$tmp/$name.wait" 2>&1 &
    pids+=($!)
  done <<<"$desired"
  wait "${pids[@]}" || true
  while read -r name role site ip; do
    local res; res="$(cat "$tmp/$name.wait")"
    case "$res" in
      "$name running" | "$name degraded") ;;
      *) log "host $name not ready: $res"; failed=1 ;;
    esac
    [[ $res == "$name degraded" ]] && log "note: $name systemd is degraded: $(docker exec "$name" systemctl --failed --no-legend --plain | awk '{print $1}' | paste -sd' ')"
  done <<<"$desired"
  rm -rf "$tmp"
  ((failed == 0)) || die "some hosts are not ready (see above; docker logs NAME)"
  write_hosts_json "$image" "$desired"
  log "$(wc -l <<<"$desired") hosts up in $((SECONDS - t0))s; inventory data: $STATE/hosts.json"
  printf '  %-17s %-16s %-10s %s\n' NAME ADDRESS ROLE SITE
  while read -r name role site ip; do printf '  %-17s %-16s %-10s %s\n' "$name" "$ip" "$role" "$site"; done <<<"$desired"
  echo "  ssh: ssh -i $SSH_KEY root@<address>   (or: lab/hosts/hosts.sh ssh <name>)"
}

# Memory of one container in bytes, read from its cgroup like `docker stats`
# does (usage minus inactive file cache). `docker stats` itself is unreliable
# here: Docker 20.10's shim loses the cgroup of most systemd containers on
# cgroup v1 ("collecting stats ...: no metrics received") and reports 0B.
mem_bytes() {
  local pid line path usage inactive
  pid="$(docker inspect -f '{{.State.Pid}}' "$1" 2>/dev/null)" || { echo 0; return; }
  [[ $pid -gt 0 ]] || { echo 0; return; }
  if line="$(grep -E '^[0-9]+:memory:' "/proc/$pid/cgroup")"; then
    path="/sys/fs/cgroup/memory${line#*:memory:}"; path="${path%/init.scope}"
    usage="$(cat "$path/memory.usage_in_bytes")"
    inactive="$(awk '$1=="total_inactive_file" {print $2}' "$path/memory.stat")"
  else
    line="$(grep -E '^0::' "/proc/$pid/cgroup")"
    path="/sys/fs/cgroup${line#0::}"; path="${path%/init.scope}"
    usage="$(cat "$path/memory.current")"
    inactive="$(awk '$1=="inactive_file" {print $2}' "$path/memory.stat")"
  fi
  echo $((usage - ${inactive:-0}))
}

cmd_status() {
  if ! docker info >/dev/null 2>&1; then echo "dockerd: not running"; return 0; fi
  local names; names="$(docker ps -a --filter "label=$LABEL=host" --format '{{.Names}}' | sort -V)"
  if [[ -z $names ]]; then echo "no lab hosts"; return 0; fi
  printf '%-17s %-16s %-9s %-10s %-5s %s\n' NAME ADDRESS STATE SYSTEMD SSH MEMORY
  local total=0 n ip st sd ok bytes
  for n in $names; do
    ip="$(docker inspect -f "{{with index .NetworkSettings.Networks \"$NET_NAME\"}}{{.IPAddress}}{{end}}" "$n")"
    st="$(docker inspect -f '{{.State.Status}}' "$n")"
    sd=-; ok=-; bytes=0
    if [[ $st == running ]]; then
      sd="$(timeout 10 docker exec "$n" systemctl is-system-running 2>/dev/null || true)"
      ssh -i "$SSH_KEY" "${SSH_OPTS[@]}" "root@$ip" true 2>/dev/null && ok=yes || ok=NO
      bytes="$(mem_bytes "$n")"
    fi
    printf '%-17s %-16s %-9s %-10s %-5s %s\n' "$n" "${ip:--}" "$st" "${sd:-?}" "$ok" "$(numfmt --to=iec-i --suffix=B --format=%.1f "$bytes")"
    total=$((total + bytes))
  done
  echo "total: $(numfmt --to=iec-i --suffix=B --format=%.1f "$total") for $(wc -w <<<"$names") hosts"
}

cmd_down() {
  if ! docker info >/dev/null 2>&1; then
    rm -f "$STATE/hosts.json" "$STATE/hosts-meta.json"
    log "dockerd not running; nothing to remove"; return 0
  fi
  local ids; ids="$(docker ps -aq --filter "label=$LABEL=host")"
  if [[ -n $ids ]]; then
    # shellcheck disable=SC2086
    docker rm -f -v $ids >/dev/null
    log "removed $(wc -w <<<"$ids") hosts"
  fi
  docker network rm "$NET_NAME" >/dev/null 2>&1 || true
  local vols; vols="$(docker volume ls -q --filter "label=$LABEL=volume")"
  # shellcheck disable=SC2086
  [[ -z $vols ]] || docker volume rm -f $vols >/dev/null
  rm -f "$STATE/hosts.json" "$STATE/hosts-meta.json"
  stop_our_dockerd
}

cmd_ssh() {
  local name=${1:?usage: hosts.sh ssh NAME [CMD...]}; shift
  local ip
  ip="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["address"])' "$STATE/hosts.json" "$name")"
  exec ssh -i "$SSH_KEY" "${SSH_OPTS[@]}" "root@$ip" "$@"
}

with_lock() {
  exec 9>"$STATE/hosts.lock"
  flock -w 600 9 || die "another hosts.sh is running"
  "$@"
}

case "${1:-}" in
  up) with_lock cmd_up ;;
  down) with_lock cmd_down ;;
  status) cmd_status ;;
  image) with_lock cmd_image ;;
  dockerd) ensure_docker ;;
  ssh) shift; cmd_ssh "$@" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
