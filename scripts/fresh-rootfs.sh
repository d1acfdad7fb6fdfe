#!/usr/bin/env bash
# Runs the README's two set-up commands on a minimal Debian root filesystem that has only Node.js,
# npm and a C++ compiler: the check that the project's own files install everything else (a green
# run on a developer's machine can hide a missing install step). Root only; not part of npm test.
#
#   scripts/fresh-rootfs.sh [--user NAME [--admin-first]] [--dir DIR]
#
# As a user, the first command stops at once naming the apt-get command an administrator must
# run (a user cannot install packages); --admin-first runs `node scripts/provision.mjs ci` as root
# in the clone first, as that administrator would.
#
# 1. debootstrap --variant=minbase of this machine's Debian release into DIR/base (once; kept),
#    plus the running Node.js (binary, headers, npm) and `apt-get install g++`;
# 2. a copy of it for this run, the root bind-mounted onto itself, /proc /sys /dev /run inside,
#    entered with pivot_root (see enter());
# 3. a clone of this checkout's HEAD, then `npm ci && npm run demo` and `npm test`, as root or as
#    NAME (created in the copy), each with its wall time and exit status;
# 4. everything unmounted; the copy is removed unless the run failed.
set -euo pipefail
user=root
admin_first=0
dir=${TMPDIR:-/var/tmp}/netdev-rootfs
while [ $# -gt 0 ]; do
  case $1 in
    --user) user=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --admin-first) admin_first=1; shift ;;
    *) echo "usage: $0 [--user NAME [--admin-first]] [--dir DIR]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "fresh-rootfs: run as root" >&2; exit 2; }
src=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
. /etc/os-release
suite=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}

base=$dir/base
if [ ! -x "$base/usr/bin/g++" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap
  rm -rf "$base"
  debootstrap --variant=minbase "$suite" "$base" "$mirror"
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  install -D "$(readlink -f "$(command -v node)")" "$base/usr/local/bin/node"
  mkdir -p "$base/usr/local/include" "$base/usr/local/lib/node_modules"
  cp -a "$prefix/include/node" "$base/usr/local/include/"
  cp -a "$(npm root -g)/npm" "$base/usr/local/lib/node_modules/"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$base/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$base/usr/local/bin/npx"
  cp /etc/resolv.conf "$base/etc/"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && install -D /etc/ssl/certs/ca-certificates.crt "$base/etc/ssl/certs/ca-certificates.crt"
  chroot "$base" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ >/dev/null'
fi

r=$dir/run.$$
cp -a "$base" "$r"
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  [ "${keep:-0}" = 1 ] || rm -rf "$r"
}
trap cleanup EXIT
mnt() { mount "$@"; mounted+=("${@: -1}"); }
mnt --bind "$r" "$r"
mount --make-rprivate "$r"
for m in proc sys dev dev/pts; do mnt --bind "/$m" "$r/$m"; done
mnt -t tmpfs tmpfs "$r/run"

home=/root
if [ "$user" != root ]; then
  chroot "$r" useradd -m "$user"
  home=/home/$user
fi
git clone -q "$src" "$r$home/netdev"
chroot "$r" chown -R "$user" "$home/netdev"
# Enters the root with pivot_root in a private mount namespace rather than chroot: the kernel
# refuses a chrooted process a user namespace (EPERM), which the unprivileged sandbox needs.
enter() {
  unshare --mount --propagation private --fork -- sh -c \
    'cd "$1" && mkdir -p .oldroot && pivot_root . .oldroot && umount -l /.oldroot && rmdir /.oldroot && shift && exec chroot / "$@"' \
    sh "$r" "$@"
}
run() {
  local t0=$SECONDS rc=0
  echo "fresh-rootfs: as $user: $1"
  enter su "$user" -s /bin/bash -c "cd $home/netdev && export PATH=/usr/local/bin:\$PATH && $1" || rc=$?
  echo "fresh-rootfs: as $user: $1: exit $rc, $((SECONDS - t0)) s"
  return $rc
}
keep=1
if [ "$admin_first" = 1 ]; then
  echo "fresh-rootfs: as root: node scripts/provision.mjs ci"
  enter sh -c "cd $home/netdev && PATH=/usr/local/bin:\$PATH node scripts/provision.mjs ci"
fi
run 'npm ci --no-audit --no-fund && npm run demo'
run 'npm test'
keep=0
