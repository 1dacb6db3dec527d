#!/bin/bash
# Runs INSIDE the freshly debootstrapped rootfs (chroot, on the build machine):
# point/security updates from the machine's own mirror, then trim.
# Changing this file or packages.txt changes the rootfs stamp (full rebuild);
# everything else about the image lives in the Dockerfile layer (configure.sh).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
apt-get update -qq
apt-get -y -qq -o Dpkg::Options::=--force-confold dist-upgrade >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log /var/cache/debconf/*-old
# Docs and man pages are dead weight in a lab host.
rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/*
