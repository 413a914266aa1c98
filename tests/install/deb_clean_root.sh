#!/usr/bin/env bash
# tests/install/deb_clean_root.sh BUILD_DIR: the package `make deb` makes,
# installed as a new user would into a clean Debian 12 root (minbase, made
# by debootstrap and kept as build/deb-root/base.tgz for the next run),
# with apt resolving its Depends from the same mirror this machine uses;
# then, in that root, `parigot new` writes an app whose `make run` and
# `make test` pass. Needs root (chroot, mounts); exits 77 (skipped) without.
set -euo pipefail
build=$(cd "$1" && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: installing into a clean root needs root"; exit 77
fi
# In a mount namespace of its own where there can be one (not in a chroot,
# whose root is no mount point), so that the root's mounts (/dev bound in)
# end with this script even when it is killed, and a later rm -rf of the
# build folder never reaches the host's /dev; elsewhere the trap below
# unmounts them.
if [ -z "${PG_DEB_IN_NAMESPACE:-}" ] &&
   unshare --mount --propagation private true 2>/dev/null; then
  PG_DEB_IN_NAMESPACE=1 exec unshare --mount --propagation private "$0" "$@"
fi
command -v debootstrap >/dev/null || { echo "no debootstrap (scripts/install-deps.sh installs it)"; exit 1; }

deb=$(ls -t "$build"/deb/parigot_*.deb 2>/dev/null | head -n 1) # the newest
[ -n "$deb" ] || { echo "no package in $build/deb: make deb first"; exit 1; }

cache=$build/deb-root
base=$cache/base.tgz
mkdir -p "$cache"
# the mirror this machine's apt uses (deb822 sources first, then the one-line kind)
mirror=$(grep -hm1 '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | head -n 1 || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
if [ ! -f "$base" ]; then
  rm -rf "$cache/rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm \
    "$cache/rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { echo "debootstrap failed: $(tail -n 1 "$cache/debootstrap.log")"; exit 1; }
  tar -C "$cache/rootfs" -czf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf "$cache/rootfs"
fi

root=$(mktemp -d "$cache/run-XXXXXX")
cleanup() {
  local m
  for m in dev/pts dev proc; do mountpoint -q "$root/$m" && umount "$root/$m"; done
  # never delete while anything is still mounted inside
  if grep -q " $root/" /proc/mounts; then echo "left $root: still mounted"; else rm -rf "$root"; fi
}
trap cleanup EXIT
tar -C "$root" -xzf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# the machine's extra CA certificates, for a mirror behind them
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
fi
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp "$deb" "$root/tmp/"
chroot "$root" /bin/bash -ec -o pipefail "
  export DEBIAN_FRONTEND=noninteractive HOME=/root
  apt-get update -q >/tmp/apt.log 2>&1 || { tail -n 5 /tmp/apt.log; exit 1; }
  apt-get install -y -q --no-install-recommends /tmp/$(basename "$deb") >>/tmp/apt.log 2>&1 ||
    { tail -n 20 /tmp/apt.log; exit 1; }
  echo installed: \$(dpkg-query -W -f='\${Package} \${Version}' parigot)
  parigot --version
  cd /root && parigot new hello
  cd hello && make run >/tmp/run.log 2>&1 || { cat /tmp/run.log; exit 1; }
  grep -x 'Hello, world!' /tmp/run.log
  make test 2>/dev/null | tail -n 2
  rm -rf /root/hello
"
