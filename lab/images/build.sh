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

# name -> image reference. The tags are the ones upstream uses with the pinned versions:
# pause 3.10 is the sandbox image of Kubernetes 1.35 / KubeEdge 1.23; agnhost 2.59 is what
# k8s.io/kubernetes v1.35's e2e manifest (test/utils/image/manifest.go) names.
declare -A REF=(
  [pause]="registry.k8s.io/pause:3.10"
  [agnhost]="registry.k8s.io/e2e-test-images/agnhost:2.59"
  [coredns]="registry.k8s.io/coredns/coredns:$(pin coredns)"
  # Karmada's in_cluster mode (roles/karmada/vars/main.yml _karmada_image_defaults) and the
  # karmada-agent Deployment (karmada_member_agent_image): upstream's names and tags.
  [kube-apiserver]="registry.k8s.io/kube-apiserver:$(pin kubernetes)"
  [kube-controller-manager]="registry.k8s.io/kube-controller-manager:$(pin kubernetes)"
  [etcd]="registry.k8s.io/etcd:$(pin etcd | sed 's/^v//')-0"
  [karmada-aggregated-apiserver]="docker.io/karmada/karmada-aggregated-apiserver:$(pin karmada)"
  [karmada-controller-manager]="docker.io/karmada/karmada-controller-manager:$(pin karmada)"
  [karmada-scheduler]="docker.io/karmada/karmada-scheduler:$(pin karmada)"
  [karmada-webhook]="docker.io/karmada/karmada-webhook:$(pin karmada)"
  [karmada-agent]="docker.io/karmada/karmada-agent:$(pin karmada)"
  # Volcano (roles/volcano): upstream's docker.io/volcanosh images.
  [vc-scheduler]="docker.io/volcanosh/vc-scheduler:$(pin volcano)"
  [vc-controller-manager]="docker.io/volcanosh/vc-controller-manager:$(pin volcano)"
  [vc-webhook-manager]="docker.io/volcanosh/vc-webhook-manager:$(pin volcano)"
)
ORDER=(pause agnhost coredns kube-apiserver kube-controller-manager etcd karmada-aggregated-apiserver
       karmada-controller-manager karmada-scheduler karmada-webhook karmada-agent
       vc-scheduler vc-controller-manager vc-webhook-manager)
# Images of one static binary: name -> "<binary in the lab's cache> <path in the image>",
# FROM scratch, the binary where upstream's image has it (the roles' commands name that
# path: /bin/karmada-* as Karmada's alpine images, /usr/local/bin for Kubernetes' and etcd's,
# /vc-* as Volcano's), ENTRYPOINT that binary. Nothing in the roles runs a shell in them.
declare -A BINARY=(
  [kube-apiserver]="kubernetes/$(pin kubernetes)/kube-apiserver /usr/local/bin/kube-apiserver"
  [kube-controller-manager]="kubernetes/$(pin kubernetes)/kube-controller-manager /usr/local/bin/kube-controller-manager"
  [etcd]="etcd/$(pin etcd)/etcd /usr/local/bin/etcd"
  [karmada-aggregated-apiserver]="karmada/$(pin karmada)/karmada-aggregated-apiserver /bin/karmada-aggregated-apiserver"
  [karmada-controller-manager]="karmada/$(pin karmada)/karmada-controller-manager /bin/karmada-controller-manager"
  [karmada-scheduler]="karmada/$(pin karmada)/karmada-scheduler /bin/karmada-scheduler"
  [karmada-webhook]="karmada/$(pin karmada)/karmada-webhook /bin/karmada-webhook"
  [karmada-agent]="karmada/$(pin karmada)/karmada-agent /bin/karmada-agent"
  [vc-scheduler]="volcano/$(pin volcano)/vc-scheduler /vc-scheduler"
  [vc-controller-manager]="volcano/$(pin volcano)/vc-controller-manager /vc-controller-manager"
  [vc-webhook-manager]="volcano/$(pin volcano)/vc-webhook-manager /vc-webhook-manager"
)

# stage_<name> <dir>: put the build context (Dockerfile + files) into dir.
stage_pause() {
  local d=$1
  gcc -static -Os -o "$d/pause" "$HERE/pause/pause.c"
  strip "$d/pause"
  # Upstream's pause runs as 65535 (runc then needs CAP_SYS_PTRACE to join its namespaces).
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$d/Dockerfile"
}
# Inputs hash the content only (not paths): another checkout of the same recipe reuses the image.
inputs_pause() { cat "$HERE/pause/pause.c" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16; }

stage_agnhost() {
  local d=$1
  [[ -x $KUBE_BIN/agnhost ]] || die "no agnhost in $KUBE_BIN (lab/build-binaries.sh kubernetes)"
  mkdir -p "$d/rootfs/tmp" "$d/rootfs/uploads"
  cp "$KUBE_BIN/agnhost" "$d/rootfs/agnhost"
  # Upstream's entrypoint and default command; a static binary needs no base image.
  printf 'FROM scratch\nCOPY rootfs/ /\nEXPOSE 80 8080 8081 9376 5000\nENTRYPOINT ["/agnhost"]\nCMD ["pause"]\n' >"$d/Dockerfile"
}
inputs_agnhost() { cat "$KUBE_BIN/agnhost" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16; }

stage_coredns() {
  local d=$1 bin
  bin="$CACHE/bin/coredns/$(pin coredns)/coredns"
  [[ -x $bin ]] || die "no coredns in $(dirname "$bin") (lab/build-binaries.sh coredns)"
  cp "$bin" "$d/coredns"
  # Upstream's image: the static binary at /coredns, run as nonroot (it binds 53 through
  # NET_BIND_SERVICE, which the lab's Deployment grants as upstream's does).
  printf 'FROM scratch\nCOPY coredns /coredns\nUSER 65532:65532\nEXPOSE 53 53/udp\nENTRYPOINT ["/coredns"]\n' >"$d/Dockerfile"
}
inputs_coredns() { cat "$CACHE/bin/coredns/$(pin coredns)/coredns" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16; }

stage_binary() {   # stage_binary <name> <dir>
  local name=$1 d=$2 src dest
  read -r src dest <<<"${BINARY[$name]}"
  src="$CACHE/bin/$src"
  [[ -x $src ]] || die "no $(basename "$src") in $(dirname "$src") (lab/build-binaries.sh)"
  mkdir -p "$d/rootfs$(dirname "$dest")" "$d/rootfs/tmp" "$d/rootfs/var/lib/etcd"
  cp "$src" "$d/rootfs$dest"
  printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\nENTRYPOINT ["%s"]\n' "$dest" >"$d/Dockerfile"
}
inputs_binary() { local src dest; read -r src dest <<<"${BINARY[$1]}"; cat "$CACHE/bin/$src" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16; }

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
