#!/usr/bin/env bash
# Build the lab's upstream binaries from Go modules (module proxy only) and cache them
# outside the repository, keyed by version:
#   ${FLEETOPS_LAB_CACHE:-/var/cache/fleetops-lab}/bin/<component>/<version>/<binary>
# A component counts as cached when its .built stamp exists and it has every expected
# output; the stamp is written only after a successful build, so an interrupted build is
# redone, a finished one never. An output added to a component later (karmada-agent) is
# built alone into the cached dir when the component supports it (missing_<component>).
# Usage: lab/build-binaries.sh [-j N] [component...]
#   default components: etcd kubernetes kwok helm karmada kubeedge coredns volcano
#   extra components:   gofakes3 velero velero_plugin_for_aws thanos prometheus prometheus_operator istio
#                       karmada_previous (the older patch release the upgrade test starts from)
#                       (also: all)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VERSIONS_FILE="${FLEETOPS_VERSIONS_FILE:-$REPO/roles/_artifacts/defaults/main/versions.yml}"
LAB_VERSIONS_FILE="$REPO/lab/versions.yml"   # what only the lab runs
CACHE="${FLEETOPS_LAB_CACHE:-/var/cache/fleetops-lab}"
JOBS="${FLEETOPS_BUILD_JOBS:-2}"      # components built at once (2 cores)

CORE=(etcd kubernetes kwok helm karmada kubeedge coredns volcano)
# Lab-only or not yet in the lab's default set (their roles are to come): built by `all`.
EXTRA=(gofakes3 velero velero_plugin_for_aws thanos prometheus prometheus_operator istio karmada_previous)
# The version key of a component whose lab build is not the users' pin: Istio's 1.30.x tags are
# refused by the module proxy here; the lab builds the one served master snapshot (istio_lab in
# lab/versions.yml) and its topology sets settings.versions.istio to it.
declare -A VERSION_KEY=([istio]=istio_lab [karmada_previous]=karmada_previous)

export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOPATH="$CACHE/go/path"
export GOTOOLCHAIN=local
mkdir -p "$CACHE/bin" "$CACHE/logs" "$CACHE/work" "$GOMODCACHE" "$GOCACHE"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# version <key>: read "  key: value" from the version pin file, else the lab's own.
version() {
  local v
  v="$(awk -v k="$1" '$1 == k":" {print $2; exit}' "$VERSIONS_FILE" "$LAB_VERSIONS_FILE")"
  [[ -n "$v" ]] || { log "no version for '$1' in $VERSIONS_FILE or $LAB_VERSIONS_FILE"; return 1; }
  printf '%s\n' "$v"
}

# gomod_of <module@version>: path of the downloaded upstream go.mod.
gomod_of() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}

# Print an upstream go.mod's replace/exclude directives without local-path replaces.
copy_directives() {
  awk '/^(replace|exclude)[ \t]*\($/ { blk=1; print; next }
       blk && /^\)/                  { blk=0; print; next }
       blk                           { if ($0 !~ /=>[ \t]*\.\.?\//) print; next }
       /^(replace|exclude)[ \t]/     { if ($0 !~ /=>[ \t]*\.\.?\//) print }' "$1"
}

# Fresh throwaway module per component (MVS must not mix components' requirements).
workmod() {
  local d="$CACHE/work/$1"
  rm -rf "$d" && mkdir -p "$d" && cd "$d"
  go mod init example.invalid/"$1" >/dev/null 2>&1
}

build_etcd() {   # recipe C
  local v=$1 out=$2
  workmod etcd
  go get "go.etcd.io/etcd/server/v3@$v" "go.etcd.io/etcd/etcdctl/v3@$v"
  CGO_ENABLED=0 go build -trimpath -o "$out/etcd" go.etcd.io/etcd/server/v3
  CGO_ENABLED=0 go build -trimpath -o "$out/etcdctl" go.etcd.io/etcd/etcdctl/v3
}

build_kubernetes() {   # recipe B; [pkg...]: only these (default: all) - for adding a binary to a cache
  local v=$1 out=$2 stg="v0.${1#v1.}" minor; shift 2
  minor="$(cut -d. -f2 <<<"$v")"
  workmod kubernetes
  local gomod m gover gogodebug
  gomod="$(gomod_of "k8s.io/kubernetes@$v")"
  gover="$(awk '$1=="go"{print $2; exit}' "$gomod")"               # e.g. 1.25.0
  gogodebug="$(awk '$1=="godebug" && $2 ~ /^default=/ {print $2; exit}' "$gomod")"
  go mod edit -go="$gover" -godebug="${gogodebug:-default=go${gover%.*}}"
  for m in $(awk '$1 ~ /^k8s\.io\// && $2=="v0.0.0" {print $1}' "$gomod"); do
    go mod edit -replace="$m=$m@$stg"
  done
  # kube-scheduler too: kwok makes pods Running, but something must bind them to nodes.
  # kubelet/kube-proxy: the lab's real nodes; agnhost (test/images/agnhost): the e2e tests'
  # general workload image, the lab's too.
  local sub=("$@") pkgs=() gets=() b
  ((${#sub[@]})) || sub=(cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubectl
                         cmd/kubelet cmd/kube-proxy test/images/agnhost)
  for b in "${sub[@]}"; do pkgs+=("k8s.io/kubernetes/$b"); gets+=("k8s.io/kubernetes/$b@$v"); done
  go get "${gets[@]}"
  local ldf="-s -w -X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1"
  ldf+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  ldf+=" -X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldf" -o "$out/" "${pkgs[@]}"
}
missing_kubernetes() {
  local f
  for f in "$@"; do
    case "$f" in
      agnhost) echo test/images/agnhost ;;
      kube*) echo "cmd/$f" ;;
      *) return 1 ;;
    esac
  done
}

build_kwok() {
  local v=$1 out=$2
  CGO_ENABLED=0 GOBIN="$out" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$v"
  # kwok's default stages (node heartbeat, pod ready...) for reference by the lab.
  local src="$GOMODCACHE/sigs.k8s.io/kwok@$v/kustomize/stage"
  [[ -d "$src" ]] && { mkdir -p "$out/stage"; cp -r "$src/." "$out/stage/"; chmod -R u+w "$out/stage"; }
  return 0
}

build_helm() {
  local v=$1 out=$2 major="${1%%.*}"
  CGO_ENABLED=0 GOBIN="$out" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/$major/internal/version.version=$v" "helm.sh/helm/$major/cmd/helm@$v"
}

build_karmada() {   # [cmd...]: only these (default: all) - for adding a binary to a cache
  local v=$1 out=$2 M=github.com/karmada-io/karmada b; shift 2
  local ldf="-s -w -X $M/pkg/version.gitVersion=$v"
  local cmds=("$@") gets=() pkgs=()
  ((${#cmds[@]})) || cmds=(controller-manager scheduler webhook aggregated-apiserver agent karmadactl)
  for b in "${cmds[@]}"; do gets+=("$M/cmd/$b@$v"); pkgs+=("$M/cmd/$b"); done
  # One scratch module for all of them: same module version, so one graph, one build.
  workmod "karmada-$v"
  go get "${gets[@]}"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldf" -o "$out/" "${pkgs[@]}"
  for b in "${cmds[@]}"; do [[ $b == karmadactl ]] || mv "$out/$b" "$out/karmada-$b"; done
  (($#)) && return 0
  # CRD trees the roles apply (charts/karmada/_crds), taken from the module zip.
  rm -rf "$out/crds"; mkdir -p "$out/crds"
  cp -r "$GOMODCACHE/$M@$v/charts/karmada/_crds/." "$out/crds/"
  chmod -R u+w "$out/crds"
}
# The older patch release (lab/versions.yml karmada_previous): the same recipe, its own cache dir.
build_karmada_previous() { build_karmada "$@"; }
# missing_<component> <missing output...>: the build_<component> arguments that add just
# those outputs to an existing cache dir (a binary added to the component later).
missing_karmada() {
  local f
  for f in "$@"; do
    case "$f" in
      karmadactl) echo karmadactl ;;
      karmada-*) echo "${f#karmada-}" ;;
      *) return 1 ;;   # crds: a full build
    esac
  done
}

build_kubeedge() {   # recipe D (CGO: edgecore needs sqlite)
  local v=$1 out=$2 P=github.com/kubeedge/kubeedge
  workmod kubeedge
  local gomod gover
  gomod="$(gomod_of "$P@$v")"
  gover="$(awk '$1=="go"{print $2; exit}' "$gomod")"
  go mod edit -go="$gover"
  copy_directives "$gomod" >> go.mod
  # The k8s fork modules (github.com/kubeedge/kubernetes/staging/...) are not in the
  # checksum database (lookups 404): verify them against upstream's own go.sum instead.
  local dir
  dir="$(go mod download -json "$P@$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  cp "$dir/go.sum" go.sum && chmod u+w go.sum
  export GONOSUMDB="github.com/kubeedge/kubernetes,github.com/kubeedge/kubeedge/staging${GONOSUMDB:+,$GONOSUMDB}"
  # api/beehive are nested modules (staging/src/...) left out of the module zip, and their
  # staging pseudo-versions are refused by the proxy here. The published v1.23.0 modules are
  # byte-identical to those staging dirs at the v1.23.1 tag: use them.
  local staged="${FLEETOPS_KUBEEDGE_STAGING_VERSION:-v1.23.0}"
  go mod edit -replace="github.com/kubeedge/api=github.com/kubeedge/api@$staged" \
              -replace="github.com/kubeedge/beehive=github.com/kubeedge/beehive@$staged"
  go get "$P/cloud/cmd/cloudcore@$v" "$P/edge/cmd/edgecore@$v" "$P/keadm/cmd/keadm@$v" "$P/edge/cmd/edgemark@$v"
  local major minor ldf
  major="$(cut -d. -f1 <<<"${v#v}")"; minor="$(cut -d. -f2 <<<"$v")"
  ldf="-s -w -X $P/pkg/version.gitVersion=$v -X $P/pkg/version.gitMajor=$major"
  ldf+=" -X $P/pkg/version.gitMinor=$minor -X $P/pkg/version.gitTreeState=clean"
  CGO_ENABLED=1 go build -trimpath -ldflags "$ldf" -o "$out/" \
    "$P/cloud/cmd/cloudcore" "$P/edge/cmd/edgecore" "$P/keadm/cmd/keadm" "$P/edge/cmd/edgemark"
  rm -rf "$out/crds"; mkdir -p "$out/crds"
  cp -r "$GOMODCACHE/$P@$v/build/crds/." "$out/crds/"; chmod -R u+w "$out/crds"
}

build_coredns() {   # the lab clusters' DNS (what kubeadm deploys), as a Deployment on real nodes
  local v=$1 out=$2 M=github.com/coredns/coredns
  workmod coredns
  local gomod
  gomod="$(gomod_of "$M@$v")"
  go mod edit -go="$(awk '$1=="go"{print $2; exit}' "$gomod")"
  copy_directives "$gomod" >> go.mod
  go get "$M@$v"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $M/coremain.GitCommit=$v" -o "$out/coredns" "$M"
}

# scratch_build <module> <version> <outdir> <ldflags> <pkg...>: a throwaway module that
# requires <module>@<version> with upstream's non-local replace/exclude directives (the
# proxy's /@v/list is often 403, which breaks `go install` of such modules), then builds
# (with the build tags in SCRATCH_TAGS, when set).
scratch_build() {
  local mod=$1 v=$2 out=$3 ldf=$4 gomod p gets=(); shift 4
  workmod "$(basename "$mod")"
  gomod="$(gomod_of "$mod@$v")"
  go mod edit -go="$(awk '$1=="go"{print $2; exit}' "$gomod")"
  copy_directives "$gomod" >> go.mod
  for p in "$@"; do gets+=("$p@$v"); done
  go get "${gets[@]}"
  CGO_ENABLED=0 go build -trimpath ${SCRATCH_TAGS:+-tags "$SCRATCH_TAGS"} -ldflags "-s -w $ldf" -o "$out/" "$@"
}

# copy_tree <module@version subdir> <out subdir>: data (CRDs) from the module zip.
copy_tree() {
  rm -rf "$2"; mkdir -p "$2"
  cp -r "$GOMODCACHE/$1/." "$2/"; chmod -R u+w "$2"
}

build_volcano() {   # v1.15 needs volcano.sh/apis v1.15, which the proxy refuses: pin v1.14.x
  local v=$1 out=$2 M=volcano.sh/volcano
  local apis="${FLEETOPS_VOLCANO_APIS_VERSION:-v1.14.0}"
  workmod volcano
  local gomod; gomod="$(gomod_of "$M@$v")"
  go mod edit -go="$(awk '$1=="go"{print $2; exit}' "$gomod")"
  copy_directives "$gomod" >> go.mod
  go mod edit -replace="volcano.sh/apis=volcano.sh/apis@$apis"
  go get "$M/cmd/scheduler@$v" "$M/cmd/controller-manager@$v" "$M/cmd/webhook-manager@$v" "$M/cmd/cli@$v"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $M/pkg/version.Version=$v -X $M/pkg/version.GitSHA=release" \
    -o "$out/" "$M/cmd/scheduler" "$M/cmd/controller-manager" "$M/cmd/webhook-manager" "$M/cmd/cli"
  mv "$out/scheduler" "$out/vc-scheduler"; mv "$out/controller-manager" "$out/vc-controller-manager"
  mv "$out/webhook-manager" "$out/vc-webhook-manager"; mv "$out/cli" "$out/vcctl"
  copy_tree "$M@$v/config/crd/volcano/bases" "$out/crds"
}

build_velero() {   # [crds]: only the CRD tree (for adding it to a cache)
  local v=$1 out=$2 M=github.com/vmware-tanzu/velero
  if [[ ${3:-} != crds ]]; then
    scratch_build "$M" "$v" "$out" "-X $M/pkg/buildinfo.Version=$v -X $M/pkg/buildinfo.GitTreeState=clean" "$M/cmd/velero"
  else
    go mod download "$M@$v"
  fi
  # The server refuses to start without every CRD of velero.io/v1 and v2alpha1 (one flat tree).
  copy_tree "$M@$v/config/crd/v1/bases" "$out/crds"
  cp "$GOMODCACHE/$M@$v/config/crd/v2alpha1/bases/"*.yaml "$out/crds/"; chmod u+w "$out/crds/"*
}
missing_velero() { local f; for f in "$@"; do [[ $f == crds/* ]] || return 1; done; echo crds; }

build_velero_plugin_for_aws() {   # [package...]: only these (default: the plugin and cp-plugin)
  local v=$1 out=$2 M=github.com/vmware-tanzu/velero-plugin-for-aws p; shift 2
  local pkgs=("$@") args=()
  # cp-plugin: what upstream's image runs as its init container, copying the plugin to /target.
  ((${#pkgs[@]})) || pkgs=(velero-plugin-for-aws hack/cp-plugin)
  for p in "${pkgs[@]}"; do args+=("$M/$p@$v"); done
  CGO_ENABLED=0 GOBIN="$out" go install -trimpath -ldflags "-s -w" "${args[@]}"
}
missing_velero_plugin_for_aws() {
  local f
  for f in "$@"; do case "$f" in cp-plugin) echo hack/cp-plugin ;; *) return 1 ;; esac; done
}

# Upstream's release build (.promu.yml) sets the tags netgo and slicelabels: without
# slicelabels, Thanos' gRPC codec casts Prometheus' (string) labels as slices, and the store
# gateway panics on its first answer ("makeslice: len out of range", thanos-io/thanos#8543).
build_thanos() {
  local v=$1 out=$2 M=github.com/thanos-io/thanos
  SCRATCH_TAGS=netgo,slicelabels scratch_build "$M" "$v" "$out" "-X github.com/prometheus/common/version.Version=${v#v}" "$M/cmd/thanos"
}

build_prometheus() {   # Prometheus 3.X.Y is Go module v0.3XX.Y
  local v=$1 out=$2 M=github.com/prometheus/prometheus minor patch modver
  minor="$(cut -d. -f2 <<<"$v")"; patch="$(cut -d. -f3 <<<"$v")"
  modver="v0.3$(printf '%02d' "$minor").$patch"
  CGO_ENABLED=0 GOBIN="$out" go install -trimpath \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=${v#v}" \
    "$M/cmd/prometheus@$modver" "$M/cmd/promtool@$modver"
}

# prometheus-operator and its config-reloader (the operator puts the reloader beside every
# Prometheus it runs). Upstream's go.mod replaces pkg/apis/monitoring and pkg/client with
# local paths (left out here); the published modules of the same version are required
# instead. Some prometheus-operator modules 404 in the checksum database: upstream's go.sum
# verifies them. Version without "v", as upstream's Makefile: the operator's default
# reloader image tag is "v" + that version.
build_prometheus_operator() {
  local v=$1 out=$2 M=github.com/prometheus-operator/prometheus-operator dir
  workmod prometheus-operator
  local gomod; gomod="$(gomod_of "$M@$v")"
  go mod edit -go="$(awk '$1=="go"{print $2; exit}' "$gomod")"
  copy_directives "$gomod" >> go.mod
  dir="$(go mod download -json "$M@$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  cp "$dir/go.sum" go.sum && chmod u+w go.sum
  export GONOSUMDB="$M${GONOSUMDB:+,$GONOSUMDB}"
  go get "$M/cmd/operator@$v" "$M/cmd/prometheus-config-reloader@$v" \
         "$M/pkg/apis/monitoring@$v" "$M/pkg/client@$v"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/prometheus/common/version.Version=${v#v}" \
    -o "$out/" "$M/cmd/operator" "$M/cmd/prometheus-config-reloader"
  mv "$out/operator" "$out/prometheus-operator"
  copy_tree "$M@$v/example/prometheus-operator-crd" "$out/crds"
}

# Istio (lab: the served master snapshot, 1.31-dev): istiod (pilot-discovery) and the echo test
# app of the same module (pkg/test/echo: server, and the client that calls xds:/// through istiod,
# proxyless gRPC). No Envoy: it is C++ and cannot be built here. The CRDs are the base chart's.
build_istio() {
  local v=$1 out=$2 M=istio.io/istio tag
  tag="$(cat "$(go mod download -json "$M@$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')/VERSION")-dev"
  local ldf="-X $M/pkg/version.buildVersion=$tag-${v##*-} -X $M/pkg/version.buildGitRevision=${v##*-}"
  ldf+=" -X $M/pkg/version.buildStatus=Clean -X $M/pkg/version.buildTag=$v"
  scratch_build "$M" "$v" "$out" "$ldf" "$M/pilot/cmd/pilot-discovery" "$M/pkg/test/echo/cmd/server" "$M/pkg/test/echo/cmd/client"
  mv "$out/server" "$out/echo-server"; mv "$out/client" "$out/echo-client"
  mkdir -p "$out/crds"
  cp "$GOMODCACHE/$M@$v/manifests/charts/base/files/crd-all.gen.yaml" "$out/crds/"; chmod u+w "$out/crds/"*
}

build_gofakes3() {
  local v=$1 out=$2
  CGO_ENABLED=0 GOBIN="$out" go install -trimpath -ldflags "-s -w" \
    "github.com/johannesboyne/gofakes3/cmd/gofakes3@$v"
}

# Binaries each component must produce; a build without them is a failed build.
declare -A OUTPUTS=(
  [etcd]="etcd etcdctl"
  [kubernetes]="kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy agnhost"
  [kwok]="kwok stage/node/fast/node-initialize.yaml"
  [helm]="helm"
  [karmada]="karmada-controller-manager karmada-scheduler karmada-webhook karmada-aggregated-apiserver karmada-agent karmadactl crds/kustomization.yaml"
  [karmada_previous]="karmada-controller-manager karmada-scheduler karmada-webhook karmada-aggregated-apiserver karmada-agent karmadactl crds/kustomization.yaml"
  [kubeedge]="cloudcore edgecore keadm edgemark"
  [coredns]="coredns"
  [gofakes3]="gofakes3"
  [volcano]="vc-scheduler vc-controller-manager vc-webhook-manager vcctl"
  [velero]="velero crds/velero.io_backups.yaml crds/velero.io_datauploads.yaml crds/velero.io_datadownloads.yaml"
  [velero_plugin_for_aws]="velero-plugin-for-aws cp-plugin"
  [thanos]="thanos"
  [prometheus]="prometheus promtool"
  [prometheus_operator]="prometheus-operator prometheus-config-reloader crds/monitoring.coreos.com_prometheuses.yaml"
  [istio]="pilot-discovery echo-server echo-client crds/crd-all.gen.yaml"
)
check_outputs() {
  local c=$1 d=$2 f
  for f in ${OUTPUTS[$c]}; do
    [[ -s "$d/$f" ]] || { echo "missing output: $f"; return 1; }
  done
}

# missing_outputs <component> <dir>: the expected outputs absent from dir.
missing_outputs() {
  local c=$1 d=$2 f
  for f in ${OUTPUTS[$c]}; do [[ -s "$d/$f" ]] || echo "$f"; done
}

# add_missing <component> <version> <dir>: a cached build that lacks outputs added to the
# component since (karmada-agent): build only those into the cache dir, when the component
# knows how (missing_<component>); otherwise return 1 for a full rebuild.
add_missing() {
  local c=$1 v=$2 out=$3 missing=() args=() list tmp t0 rc=0
  read -ra missing <<<"$(missing_outputs "$c" "$out" | tr '\n' ' ')"
  ((${#missing[@]})) || return 0
  declare -F "missing_$c" >/dev/null || return 1
  list="$("missing_$c" "${missing[@]}")" || return 1
  read -ra args <<<"$(tr '\n' ' ' <<<"$list")"
  ((${#args[@]})) || return 1
  tmp="$out.add.$$"; rm -rf "$tmp"; mkdir -p "$tmp"
  log "$c $v: cached, adding ${missing[*]} (log: $CACHE/logs/build-$c-add.log)"
  t0=$(date +%s)
  set +e
  ( set -euo pipefail; "build_$c" "$v" "$tmp" "${args[@]}" ) >"$CACHE/logs/build-$c-add.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    local f
    for f in "${missing[@]}"; do
      [[ -s "$tmp/$f" ]] || { log "$c $v: adding $f produced no file"; rm -rf "$tmp"; return 2; }
      mv "$tmp/$f" "$out/$f"
    done
    rm -rf "$tmp"
    printf 'added=%s seconds=%s at=%s\n' "${missing[*]}" "$(( $(date +%s) - t0 ))" "$(date -u +%FT%TZ)" >> "$out/.built"
    log "$c $v: added ${missing[*]} in $(( $(date +%s) - t0 ))s"
  else
    log "$c $v: adding ${missing[*]} FAILED — tail of $CACHE/logs/build-$c-add.log:"
    tail -n 15 "$CACHE/logs/build-$c-add.log" >&2
    rm -rf "$tmp"; return 2
  fi
}

# build_one <component>: cached → return; else build into a temp dir, then move + stamp.
build_one() {
  local c=$1 v out tmp t0 t1
  v="$(version "${VERSION_KEY[$c]:-$c}")"
  out="$CACHE/bin/$c/$v"
  if [[ -f "$out/.built" ]] && [[ -z "$(missing_outputs "$c" "$out")" ]]; then
    log "$c $v: cached ($out)"; return 0
  fi
  exec 9>"$CACHE/work/.$c.lock"
  flock 9
  if [[ -f "$out/.built" ]]; then
    local arc=0
    add_missing "$c" "$v" "$out" || arc=$?
    ((arc == 0)) && { log "$c $v: cached"; return 0; }
    ((arc == 2)) && return 1
    log "$c $v: cached build lacks $(missing_outputs "$c" "$out" | tr '\n' ' ')- rebuilding"
  fi
  tmp="$out.tmp.$$"; rm -rf "$tmp"; mkdir -p "$tmp"
  log "$c $v: building (log: $CACHE/logs/build-$c.log)"
  t0=$(date +%s)
  # Not `if ( ... )`: errexit is ignored inside a subshell that is an if-condition, so a
  # failing step would go unnoticed and the stamp would be written for a broken build.
  local rc=0
  set +e
  ( set -euo pipefail; "build_$c" "$v" "$tmp"; check_outputs "$c" "$tmp" ) >"$CACHE/logs/build-$c.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    t1=$(date +%s)
    rm -rf "$out"; mv "$tmp" "$out"
    printf 'component=%s\nversion=%s\nbuild_seconds=%s\nbuilt_at=%s\ngo=%s\n' \
      "$c" "$v" "$((t1 - t0))" "$(date -u +%FT%TZ)" "$(go env GOVERSION)" > "$out/.built"
    log "$c $v: built in $((t1 - t0))s ($(awk "BEGIN{printf \"%.1f\", $((t1 - t0))/60}") min; cold when $CACHE/go was empty)"
  else
    log "$c $v: FAILED after $(( $(date +%s) - t0 ))s — tail of $CACHE/logs/build-$c.log:"
    tail -n 15 "$CACHE/logs/build-$c.log" >&2
    rm -rf "$tmp"; return 1
  fi
}

main() {
  local comps=()
  while (($#)); do
    case "$1" in
      -j) JOBS=$2; shift 2 ;;
      -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
      all) comps+=("${CORE[@]}" "${EXTRA[@]}"); shift ;;
      *) comps+=("$1"); shift ;;
    esac
  done
  ((${#comps[@]})) || comps=("${CORE[@]}")
  # Share the cores between the components building at once: go build -p = cores / jobs.
  local cores; cores="$(nproc)"
  export GOFLAGS="-buildvcs=false -p=$(( cores / JOBS > 0 ? cores / JOBS : 1 ))"
  local c
  for c in "${comps[@]}"; do
    declare -F "build_$c" >/dev/null || { log "unknown component: $c"; exit 2; }
  done
  local failed=0 running=0
  for c in "${comps[@]}"; do
    if ((running >= JOBS)); then wait -n || failed=1; running=$((running - 1)); fi
    build_one "$c" & running=$((running + 1))
  done
  while ((running > 0)); do wait -n || failed=1; running=$((running - 1)); done
  trim_build_cache
  return "$failed"
}

# The lab's kubelets and edgecores share this disk: below 15% free their image garbage
# collection deletes side-loaded images, and every re-run imports them again (changed).
# Go's build cache (~18 GiB after `all`) only speeds up rebuilds: drop it when space is short.
trim_build_cache() {
  local free; free="$(df --output=avail,size "$CACHE" | awk 'NR == 2 { printf "%d", 100 * $1 / $2 }')"
  if ((free < 25)); then
    log "disk ${free}% free: dropping the Go build cache ($(du -sh "$GOCACHE" 2>/dev/null | cut -f1)); binaries and modules stay"
    go clean -cache
  fi
}

# On one line: bash parses it whole, so an edit of this file while a build runs cannot
# feed the running shell new lines after main returns.
main "$@"; exit $?
