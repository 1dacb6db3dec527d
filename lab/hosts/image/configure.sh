#!/bin/bash
# Runs in the Dockerfile layer (RUN, no network needed) to turn the
# debootstrapped rootfs into a systemd container image for the fleetops lab.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# Units that make no sense (or fail) in an unprivileged container, or that only
# cost memory. Masked rather than removed so `systemctl is-system-running`
# reports "running" and each host stays small.
mask=(
  getty@.service serial-getty@.service console-getty.service container-getty@.service
  getty.target systemd-ask-password-wall.path systemd-ask-password-console.path
  systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
  systemd-udev-trigger.service systemd-udev-settle.service systemd-hwdb-update.service
  systemd-logind.service
  systemd-remount-fs.service systemd-modules-load.service kmod-static-nodes.service
  systemd-sysctl.service systemd-firstboot.service systemd-machine-id-commit.service
  systemd-random-seed.service systemd-pstore.service systemd-binfmt.service
  proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
  systemd-journald-audit.socket systemd-update-utmp.service systemd-update-utmp-runlevel.service
  sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount
  sys-fs-fuse-connections.mount dev-hugepages.mount
  apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service
  fstrim.timer dpkg-db-backup.timer
  cryptsetup.target remote-fs.target swap.target
)
for u in "${mask[@]}"; do ln -sfn /dev/null "/etc/systemd/system/$u"; done

install -D -m 0644 /tmp/fleetops-files/journald.conf /etc/systemd/journald.conf.d/fleetops-lab.conf
install -m 0644 /tmp/fleetops-files/fleetops-lab-sshd.conf /etc/ssh/sshd_config.d/fleetops-lab.conf
install -m 0644 /tmp/fleetops-files/ssh-hostkeys.service /etc/systemd/system/ssh-hostkeys.service

# Host keys are generated per container at first boot (ssh-hostkeys.service).
rm -f /etc/ssh/ssh_host_*
systemctl enable ssh.service ssh-hostkeys.service >/dev/null 2>&1
# sshd privilege-separation dir lives on /run (a tmpfs at runtime); ssh.service
# has RuntimeDirectory=sshd, so nothing to do.

# containerd is installed for KubeEdge edge nodes but left to the edge role to
# configure and enable; on the other hosts it would only cost memory.
systemctl disable containerd.service >/dev/null 2>&1 || true

systemctl set-default multi-user.target >/dev/null 2>&1

# Each container gets its own machine-id at boot.
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
# /etc/hostname, /etc/hosts and /etc/resolv.conf are bind-mounted by Docker.
# Locked root password; key-only login.
passwd -l root >/dev/null
install -d -m 0700 /root/.ssh
