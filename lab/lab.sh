#!/usr/bin/env bash
# fleetops lab: one command for the whole lab (see lab/README.md).
#   lab/lab.sh up       build missing binaries (cached), start clusters + kwok, the
#                       artifact mirror and S3, the SSH hosts (lab/hosts/hosts.sh), build
#                       the container images into the mirror (lab/images/build.sh), join
#                       the real kubelet nodes and deploy CoreDNS (lab/lab.py nodes),
#                       write inventories/lab/topology.yml. Idempotent.
#   lab/lab.sh down     stop everything; verify no lab process or listener remains
#   lab/lab.sh status   health per process and resident memory totals
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOSTS_SH="$HERE/hosts/hosts.sh"
PY="${FLEETOPS_LAB_PYTHON:-python3}"
# Components lab-up needs (FLEETOPS_LAB_COMPONENTS overrides).
COMPONENTS="${FLEETOPS_LAB_COMPONENTS:-etcd kubernetes kwok helm karmada kubeedge coredns volcano velero velero_plugin_for_aws gofakes3 prometheus_operator prometheus thanos istio karmada_previous}"

log() { printf '[lab] %s\n' "$*" >&2; }

up() {
  local t0=$SECONDS
  # shellcheck disable=SC2086
  "$HERE/build-binaries.sh" $COMPONENTS
  "$PY" "$HERE/lab.py" up
  if [[ -x $HOSTS_SH || -f $HOSTS_SH ]]; then
    log "lab hosts: $HOSTS_SH up"
    bash "$HOSTS_SH" up
  else
    log "lab hosts: $HOSTS_SH not present yet, skipping"
  fi
  # Container images from the lab's binaries, into the mirror (needs dockerd: after the hosts).
  bash "$HERE/images/build.sh"
  # Real kubelet nodes (hosts with role node) join their clusters; CoreDNS on them.
  "$PY" "$HERE/lab.py" nodes
  # hosts.json may have appeared/changed: regenerate the topology with the hosts.
  "$PY" "$HERE/lab.py" topology >/dev/null
  log "lab up finished in $((SECONDS - t0))s"
}

down() {
  local rc=0
  if [[ -f $HOSTS_SH ]]; then bash "$HOSTS_SH" down || rc=1; fi
  "$PY" "$HERE/lab.py" down || rc=1
  return $rc
}

status() {
  local rc=0
  "$PY" "$HERE/lab.py" status || rc=1
  if [[ -f $HOSTS_SH ]]; then
    echo
    bash "$HOSTS_SH" status || rc=1
  fi
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac
