#!/usr/bin/env bash
# The same onboarding steps as the kubeedge_edge role, as a plain parallel-SSH script
# (the baseline of `make bench-onboarding`), one SSH session per host. Idempotent like the
# role: the host downloads edgecore from the mirror only when its recorded install differs
# and side-loads only the images containerd lacks, writes only what differs, restarts only
# on change, waits for the certificate.
#
#   bench/onboard_script.sh WORKDIR
# WORKDIR holds: hosts (one "name address" a line), key (ssh key), and
# <name>/{edgecore.yaml,containerd.toml,cni.conflist,edgecore.service,token,mirror.env,images.txt}.
set -euo pipefail
W=$1
PAR=${PARALLEL:-25}
SSH=(ssh -i "$W/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
     -o BatchMode=yes -o ConnectTimeout=10 -o ControlMaster=auto -o ControlPersist=120s
     -o "ControlPath=$W/cm-%h")
export W

onboard() {   # name address
  local name=$1 ip=$2
  # 1. configuration, binary and images from the mirror, service, join: one remote script
  # The files and the script go in one stream: the host unpacks, then runs onboard.sh.
  tar -C "$W/$name" -cf - . -C "$W" onboard.sh | "${SSH[@]}" "root@$ip" \
    "rm -rf /tmp/onb && mkdir -p /tmp/onb && tar -C /tmp/onb -xf - && bash /tmp/onb/onboard.sh"
}
REMOTE_SCRIPT=$(cat <<'REMOTE'
set -euo pipefail
S=/tmp/onb; rc=0; edge=0; ctd=0
# edgecore from the mirror unless the recorded install (url, digest, size, mtime) still matches
. $S/mirror.env
want_sha="$(curl -fsS "$EDGECORE_URL.sha256" | cut -d' ' -f1)"
rec=/var/lib/fleetops/edgecore-source.txt
have="$(stat -c '%s %Y' /usr/local/bin/edgecore 2>/dev/null || true)"
if [[ "$(cat $rec 2>/dev/null)" != "$EDGECORE_URL $want_sha $have" || -z $have ]]; then
  mkdir -p /var/lib/fleetops; curl -fsS -o /var/lib/fleetops/.dl "$EDGECORE_URL"
  echo "$want_sha  /var/lib/fleetops/.dl" | sha256sum -c --quiet
  tar -xzOf /var/lib/fleetops/.dl "$EDGECORE_MEMBER" > /usr/local/bin/.edgecore.new; rm -f /var/lib/fleetops/.dl
  chmod 0755 /usr/local/bin/.edgecore.new; mv /usr/local/bin/.edgecore.new /usr/local/bin/edgecore; edge=1
  echo "$EDGECORE_URL $want_sha $(stat -c '%s %Y' /usr/local/bin/edgecore)" > $rec
fi
# cgroupRoot = the cgroup of the host's init (the container's own cgroup in the lab), as the role's cgroup_root=self
cg="$(awk -F: '$2=="name=systemd"{print $3}' /proc/1/cgroup)"; cg="${cg%/init.scope}"; cg="${cg:-/}"
sed -i "s#@CGROUP_ROOT@#$cg#" $S/edgecore.yaml
for m in $(awk '{for(i=7;i<=NF;i++) if($i=="-"){if($(i+1)=="cgroup"||$(i+1)=="cgroup2") print $5; break}}' /proc/self/mountinfo); do [[ -d $m$cg ]] || mkdir -p "$m$cg"; done
put() { # src dest mode -> 0 if changed
  if ! cmp -s "$1" "$2"; then mkdir -p "$(dirname "$2")"; install -m "$3" "$1" "$2"; return 0; fi; return 1; }
put $S/containerd.toml /etc/containerd/config.toml 0644 && ctd=1 || true
put $S/cni.conflist /etc/cni/net.d/10-fleetops-edge.conflist 0644 || true
put $S/edgecore.yaml /etc/kubeedge/config/edgecore.yaml 0644 && edge=1 || true
put $S/edgecore.service /etc/systemd/system/edgecore.service 0644 && { edge=1; systemctl daemon-reload; } || true
if [[ $ctd == 1 ]] || ! systemctl is-active -q containerd; then
  systemctl enable -q containerd; systemctl restart containerd
  for i in $(seq 60); do ctr version >/dev/null 2>&1 && break; sleep 0.5; done
fi
have="$(ctr -n k8s.io images ls -q)"
while read -r ref url; do
  grep -qx "$ref" <<<"$have" && continue
  mkdir -p /var/lib/fleetops/images; t=/var/lib/fleetops/images/.side-load.tar
  curl -fsS -o $t "$url"; echo "$(curl -fsS "$url.sha256" | cut -d' ' -f1)  $t" | sha256sum -c --quiet
  ctr -n k8s.io images import --all-platforms "$t" >/dev/null; rm -f $t
done < $S/images.txt
joined=0
if [[ -f /etc/kubeedge/certs/server.crt && -f /etc/kubeedge/ca/rootCA.crt ]]; then joined=1; fi
if [[ $joined == 0 ]]; then install -m 0600 $S/token /etc/kubeedge/bootstrap-edgecore.conf; edge=1; fi
systemctl is-enabled -q edgecore || systemctl enable -q edgecore
if [[ $edge == 1 ]] || ! systemctl is-active -q edgecore; then systemctl restart edgecore; fi
if [[ $joined == 0 ]]; then
  for i in $(seq 120); do [[ -f /etc/kubeedge/certs/server.crt ]] && break; sleep 1; done
  [[ -f /etc/kubeedge/certs/server.crt ]] || { echo "no certificate after 120s" >&2; exit 1; }
  rm -f /etc/kubeedge/bootstrap-edgecore.conf
fi
rm -rf /tmp/onb
REMOTE
)
printf '%s\n' "$REMOTE_SCRIPT" >"$W/onboard.sh"
export -f onboard
# bash arrays do not survive export: re-declare them in the children.
declare -p SSH >"$W/arrays.sh"
fails=0
xargs -P "$PAR" -L 1 bash -c 'source "$W/arrays.sh"; onboard "$0" "$1" >"$W/log-$0" 2>&1 || { echo "FAILED $0: $(tail -1 "$W/log-$0")"; exit 255; }' \
  <"$W/hosts" || fails=1
exit $fails
