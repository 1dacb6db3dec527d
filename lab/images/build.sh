#!/usr/bin/env bash
# Build the lab's container images from the binaries the lab built (no registry is
# reachable), tagged with exactly the upstream names the roles reference, and publish
# each as a `docker save` archive in the artifact mirror, where the roles' side-loading
# takes them from, as on an air-gapped site:
#   <mirror>/images/<registry>/<repository>/<tag>/linux-amd64.tar (+ .sha256)
# An image is rebuilt only when its inputs (recipe, binary) changed: the archive's
# .inputs stamp holds their hash.
#   lab/images/build.sh [image...]     default: every image below
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${FLEETOPS_LAB_CACHE:-/var/cache/fleetops-lab}"
VERSIONS_FILE="${FLEETOPS_VERSIONS_FILE:-$REPO/roles/_artifacts/defaults/main/versions.yml}"
LAB_VERSIONS_FILE="$REPO/lab/versions.yml"   # what only the lab runs
MIRROR="$CACHE/mirror"
ARCH=amd64

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }

pin() { awk -v k="$1" '$1 == k":" {print $2; exit}' "$VERSIONS_FILE" "$LAB_VERSIONS_FILE"; }
KUBE_BIN="$CACHE/bin/kubernetes/$(pin kubernetes)"

# The images: name, reference, and for an image of one static binary, that binary in the
# lab's cache and its path in the image. The tags are the ones upstream uses with the pinned
# versions: pause 3.10 is the sandbox image of Kubernetes 1.35 / KubeEdge 1.23; agnhost 2.59
# is what k8s.io/kubernetes v1.35's e2e manifest (test/utils/image/manifest.go) names.
# A one-binary image is FROM scratch with the binary where upstream's image has it (the
# roles' commands name that path: /usr/local/bin as Kubernetes' and etcd's images, /bin as
# Karmada's alpine images, / as Volcano's, /bin as prometheus-operator's, Prometheus' and
# Thanos' busybox images), ENTRYPOINT that binary; nothing runs a shell (prometheus-operator
# execs a shell only for probes of a listenLocal Prometheus, which the roles do not set).
K=$(pin kubernetes) E=$(pin etcd) KA=$(pin karmada) V=$(pin volcano) VE=$(pin velero) VP=$(pin velero_plugin_for_aws)
PO=$(pin prometheus_operator) P=$(pin prometheus) T=$(pin thanos)
IS=$(pin istio_lab)   # the Istio snapshot the lab builds (the users' pin, 1.30.x, is not served here)
IMAGE_TABLE="
pause   registry.k8s.io/pause:3.10
agnhost registry.k8s.io/e2e-test-images/agnhost:2.59
coredns registry.k8s.io/coredns/coredns:$(pin coredns)
kube-apiserver          registry.k8s.io/kube-apiserver:$K          kubernetes/$K/kube-apiserver          /usr/local/bin/kube-apiserver
kube-controller-manager registry.k8s.io/kube-controller-manager:$K kubernetes/$K/kube-controller-manager /usr/local/bin/kube-controller-manager
etcd                    registry.k8s.io/etcd:${E#v}-0              etcd/$E/etcd                          /usr/local/bin/etcd
$(for c in aggregated-apiserver controller-manager scheduler webhook agent; do   # roles karmada, karmada_member
    echo "karmada-$c docker.io/karmada/karmada-$c:$KA karmada/$KA/karmada-$c /bin/karmada-$c"; done)
$(for c in scheduler controller-manager webhook-manager; do                      # role volcano
    echo "vc-$c docker.io/volcanosh/vc-$c:$V volcano/$V/vc-$c /vc-$c"; done)
velero                docker.io/velero/velero:$VE velero/$VE/velero /velero
velero-plugin-for-aws docker.io/velero/velero-plugin-for-aws:$VP
prometheus-operator        quay.io/prometheus-operator/prometheus-operator:$PO        prometheus_operator/$PO/prometheus-operator        /bin/operator
prometheus-config-reloader quay.io/prometheus-operator/prometheus-config-reloader:$PO prometheus_operator/$PO/prometheus-config-reloader /bin/prometheus-config-reloader
prometheus                 quay.io/prometheus/prometheus:$P                           prometheus/$P/prometheus                           /bin/prometheus
thanos                     quay.io/thanos/thanos:$T                                   thanos/$T/thanos                                   /bin/thanos
pilot                      docker.io/istio/pilot:$IS                                  istio/$IS/pilot-discovery                          /usr/local/bin/pilot-discovery
istio-echo                 gcr.io/istio-testing/app:$IS
"
declare -A REF=() BINARY=()
ORDER=()
while read -r name ref bin dest; do
  [[ -n $name ]] || continue
  ORDER+=("$name"); REF[$name]=$ref
  [[ -z $bin ]] || BINARY[$name]="$bin $dest"
done <<<"$IMAGE_TABLE"

# stage_<name> <dir>: put the build context (Dockerfile + files) into dir.
stage_pause() {
  local d=$1
  gcc -static -Os -o "$d/pause" "$HERE/pause/pause.c"
  strip "$d/pause"
  # Upstream's pause runs as 65535 (runc then needs CAP_SYS_PTRACE to join its namespaces).
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$d/Dockerfile"
}
# Inputs hash the content only (not paths), and of this script only the recipe itself:
# another checkout reuses the image, and an edit elsewhere here rebuilds nothing.
inputs_of() { { cat "${@:2}"; declare -f "$1"; } | sha256sum | cut -c1-16; }
inputs_pause() { inputs_of stage_pause "$HERE/pause/pause.c"; }

stage_agnhost() {
  local d=$1
  [[ -x $KUBE_BIN/agnhost ]] || die "no agnhost in $KUBE_BIN (lab/build-binaries.sh kubernetes)"
  mkdir -p "$d/rootfs/tmp" "$d/rootfs/uploads"
  cp "$KUBE_BIN/agnhost" "$d/rootfs/agnhost"
  # Upstream's entrypoint and default command; a static binary needs no base image.
  printf 'FROM scratch\nCOPY rootfs/ /\nEXPOSE 80 8080 8081 9376 5000\nENTRYPOINT ["/agnhost"]\nCMD ["pause"]\n' >"$d/Dockerfile"
}
inputs_agnhost() { inputs_of stage_agnhost "$KUBE_BIN/agnhost"; }

stage_coredns() {
  local d=$1 bin
  bin="$CACHE/bin/coredns/$(pin coredns)/coredns"
  [[ -x $bin ]] || die "no coredns in $(dirname "$bin") (lab/build-binaries.sh coredns)"
  cp "$bin" "$d/coredns"
  # Upstream's image: the static binary at /coredns, run as nonroot (it binds 53 through
  # NET_BIND_SERVICE, which the lab's Deployment grants as upstream's does).
  printf 'FROM scratch\nCOPY coredns /coredns\nUSER 65532:65532\nEXPOSE 53 53/udp\nENTRYPOINT ["/coredns"]\n' >"$d/Dockerfile"
}
inputs_coredns() { inputs_of stage_coredns "$CACHE/bin/coredns/$(pin coredns)/coredns"; }

# As upstream's image: the plugin in /plugins, cp-plugin (the plugin module's hack/cp-plugin)
# as the entrypoint that copies it into the server's plugin volume at /target; user 65532.
stage_velero-plugin-for-aws() {
  local d=$1 bin
  bin="$CACHE/bin/velero_plugin_for_aws/$VP"
  [[ -x $bin/velero-plugin-for-aws && -x $bin/cp-plugin ]] \
    || die "no velero-plugin-for-aws/cp-plugin in $bin (lab/build-binaries.sh velero_plugin_for_aws)"
  mkdir -p "$d/rootfs/plugins" "$d/rootfs/bin"
  cp "$bin/velero-plugin-for-aws" "$d/rootfs/plugins/"; cp "$bin/cp-plugin" "$d/rootfs/bin/"
  printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/bin\nUSER 65532:65532\nENTRYPOINT ["cp-plugin", "/plugins/velero-plugin-for-aws", "/target/velero-plugin-for-aws"]\n' >"$d/Dockerfile"
}
inputs_velero-plugin-for-aws() {
  inputs_of stage_velero-plugin-for-aws "$CACHE/bin/velero_plugin_for_aws/$VP/velero-plugin-for-aws" \
    "$CACHE/bin/velero_plugin_for_aws/$VP/cp-plugin"
}

# Istio's echo test app (pkg/test/echo, upstream's istio-testing/app image): server and client at
# /usr/local/bin as upstream's image has them, the server the entrypoint, run as 1338 like upstream's.
stage_istio-echo() {
  local d=$1 bin="$CACHE/bin/istio/$IS"
  [[ -x $bin/echo-server && -x $bin/echo-client ]] || die "no echo-server/echo-client in $bin (lab/build-binaries.sh istio)"
  mkdir -p "$d/rootfs/usr/local/bin" "$d/rootfs/tmp"
  cp "$bin/echo-server" "$d/rootfs/usr/local/bin/server"; cp "$bin/echo-client" "$d/rootfs/usr/local/bin/client"
  printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin\nUSER 1338:1338\nENTRYPOINT ["/usr/local/bin/server"]\n' >"$d/Dockerfile"
}
inputs_istio-echo() { inputs_of stage_istio-echo "$CACHE/bin/istio/$IS/echo-server" "$CACHE/bin/istio/$IS/echo-client"; }

stage_binary() {   # stage_binary <name> <dir>
  local name=$1 d=$2 src dest
  read -r src dest <<<"${BINARY[$name]}"
  src="$CACHE/bin/$src"
  [[ -x $src ]] || die "no $(basename "$src") in $(dirname "$src") (lab/build-binaries.sh)"
  mkdir -p "$d/rootfs$(dirname "$dest")" "$d/rootfs/tmp" "$d/rootfs/var/lib/etcd"
  cp "$src" "$d/rootfs$dest"
  printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\nENTRYPOINT ["%s"]\n' "$dest" >"$d/Dockerfile"
}
inputs_binary() { local src dest; read -r src dest <<<"${BINARY[$1]}"; inputs_of stage_binary "$CACHE/bin/$src" <(echo "$dest"); }

# archive_path <ref>: where the mirror serves it.
archive_path() {
  local ref=$1
  printf '%s/images/%s/%s/linux-%s.tar\n' "$MIRROR" "${ref%:*}" "${ref##*:}" "$ARCH"
}

build_image() {
  local name=$1 ref=${REF[$1]} out inputs work t0=$SECONDS
  out="$(archive_path "$ref")"
  if [[ -n ${BINARY[$name]:-} ]]; then inputs="$(inputs_binary "$name")"; else inputs="$("inputs_$name")"; fi
  if [[ -s $out && -s $out.sha256 && "$(cat "$out.inputs" 2>/dev/null)" == "$inputs" ]]; then
    log "$ref: up to date ($out)"; return 0
  fi
  work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  if [[ -n ${BINARY[$name]:-} ]]; then stage_binary "$name" "$work"; else "stage_$name" "$work"; fi
  # The legacy builder: Debian's docker.io has no buildx (its deprecation notice goes to the log).
  DOCKER_BUILDKIT=0 docker build -q -t "$ref" "$work" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; die "docker build of $ref failed"; }
  mkdir -p "$(dirname "$out")"
  docker save -o "$out.tmp" "$ref"
  chmod 0644 "$out.tmp"
  mv "$out.tmp" "$out"
  (cd "$(dirname "$out")" && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
  printf '%s\n' "$inputs" >"$out.inputs"
  log "$ref: built in $((SECONDS - t0))s, $(du -h "$out" | cut -f1) ($out)"
}

main() {
  local names=("$@") n
  ((${#names[@]})) || names=("${ORDER[@]}")
  for n in "${names[@]}"; do [[ -n ${REF[$n]:-} ]] || die "unknown image: $n (known: ${ORDER[*]})"; done
  bash "$REPO/lab/hosts/hosts.sh" dockerd
  for n in "${names[@]}"; do build_image "$n"; done
}

main "$@"
