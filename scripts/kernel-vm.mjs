#!/usr/bin/env node
// The kernel-matrix tier: boots Debian's stock kernel (linux-image-amd64) under qemu (TCG; KVM
// does not work on these machines) with the host's root shared read-only over 9p, loads the
// network modules the host kernel lacks, and runs test/kernel/guest.sh inside (a chroot into the
// host root). Exits non-zero on any failure, on any test that did not run, and on a guest that
// did not report. Provisions on first use: the kernel package is downloaded and unpacked into
// .cache/kernel-vm (never installed over the host's /boot or /lib/modules); qemu, busybox-static
// and cpio come from Debian packages (installed by .ci/run).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache/kernel-vm');
const TIMEOUT_MS = Number(process.env.NETDEV_VM_TIMEOUT_MS ?? 20 * 60 * 1000);

function need(cmd, pkg) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
  } catch {
    console.error(`kernel-vm: '${cmd}' is missing: apt-get install ${pkg} (.ci/run does)`);
    process.exit(1);
  }
}
need('qemu-system-x86_64', 'qemu-system-x86');
need('cpio', 'cpio');
need('gzip', 'gzip');
if (!existsSync('/bin/busybox')) need('busybox', 'busybox-static');
const busybox = existsSync('/bin/busybox') ? '/bin/busybox' : execFileSync('sh', ['-c', 'command -v busybox']).toString().trim();

// 1. The stock kernel, unpacked into the cache.
function provisionKernel() {
  const unpacked = join(cache, 'root');
  const have = existsSync(join(unpacked, 'boot')) && readdirSync(join(unpacked, 'boot')).find((f) => f.startsWith('vmlinuz-'));
  if (have) return { dir: unpacked, version: have.slice('vmlinuz-'.length) };
  mkdirSync(cache, { recursive: true });
  const depends = () => execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' });
  let out = '';
  try {
    out = depends();
  } catch {
    // apt lists missing on a fresh machine
  }
  if (!/Depends: linux-image-/.test(out)) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    out = depends();
  }
  const pkg = /Depends: (linux-image-[^\s]+)/.exec(out)?.[1];
  if (!pkg) throw new Error('kernel-vm: cannot resolve the package behind linux-image-amd64');
  console.log(`kernel-vm: downloading ${pkg} into ${cache}`);
  execFileSync('apt-get', ['download', pkg], { cwd: cache, stdio: ['ignore', 'inherit', 'pipe'] });
  const deb = readdirSync(cache).find((f) => f.startsWith(pkg) && f.endsWith('.deb'));
  rmSync(unpacked, { recursive: true, force: true });
  execFileSync('dpkg', ['-x', join(cache, deb), unpacked]);
  rmSync(join(cache, deb));
  const version = readdirSync(join(unpacked, 'lib/modules'))[0];
  execFileSync(busybox, ['depmod', '-b', unpacked, version]);
  return { dir: unpacked, version };
}

// 2. A tiny initramfs: static busybox, the modules to mount the host over 9p, and /init.
function buildInitramfs(kernel) {
  const dir = join(cache, 'initramfs');
  rmSync(dir, { recursive: true, force: true });
  for (const d of ['bin', 'proc', 'sys', 'dev', 'host', 'modules', 'lib/modules']) mkdirSync(join(dir, d), { recursive: true });
  cpSync(busybox, join(dir, 'bin/busybox'));
  const mods = join(kernel.dir, 'lib/modules', kernel.version, 'kernel');
  const boot = [
    'drivers/virtio/virtio.ko', 'drivers/virtio/virtio_ring.ko', 'drivers/virtio/virtio_pci_legacy_dev.ko',
    'drivers/virtio/virtio_pci_modern_dev.ko', 'drivers/virtio/virtio_pci.ko', 'fs/netfs/netfs.ko', 'fs/fscache/fscache.ko',
    'net/9p/9pnet.ko', 'net/9p/9pnet_virtio.ko', 'fs/9p/9p.ko',
  ];
  for (const m of boot) cpSync(join(mods, m), join(dir, 'modules', m.split('/').pop()));
  const rel = (p) => p.slice(root.length);
  const init = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in ${boot.map((m) => m.split('/').pop().replace('.ko', '')).join(' ')}; do insmod /modules/$m.ko || echo "insmod $m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro hostroot /host || { echo "NETDEV-VM-EXIT 97"; poweroff -f; }
# The guest kernel's own modules (from the cache, over 9p), loaded with busybox's modprobe.
mount --bind /host${root}${rel(join(kernel.dir, 'lib/modules'))} /lib/modules
for m in $(echo "$netdev_modules" | tr , " "); do modprobe $m || echo "modprobe $m failed"; done
for fs in proc sys dev; do mount --bind /$fs /host/$fs; done
# Writable /run and /tmp for the guest; the project may itself live under /tmp (a CI clone):
# keep it reachable at the same path.
mkdir -p /project; mount --bind /host${root} /project
mount -t tmpfs tmpfs /host/run; mount -t tmpfs tmpfs /host/tmp
mkdir -p /host${root} 2>/dev/null; mount --bind /project /host${root}
echo "NETDEV-VM-KERNEL $(uname -r)"
chroot /host /bin/sh -c "cd ${root} && exec /bin/sh $netdev_script"
echo "NETDEV-VM-EXIT $?"
poweroff -f
`;
  writeFileSync(join(dir, 'init'), init);
  chmodSync(join(dir, 'init'), 0o755);
  const initrd = join(cache, 'initrd.gz');
  execFileSync('sh', ['-c', `cd '${dir}' && find . | cpio -o -H newc --quiet | gzip -1 > '${initrd}'`]);
  return initrd;
}

const MODULES = [
  '8021q', 'ipvlan', 'ipvtap', 'bonding', 'dummy', 'team', 'team_mode_activebackup', 'ip_gre', 'ip6_gre', 'geneve', 'vrf',
  'macsec', 'vcan', 'vxcan', 'wireguard', 'nlmon', 'ipip', 'sit', 'veth', 'bridge', 'vxlan', 'macvlan', 'macvtap', 'ifb',
];

const t0 = Date.now();
const kernel = provisionKernel();
const initrd = buildInitramfs(kernel);
const script = process.argv[2] ?? 'test/kernel/guest.sh';
console.log(`kernel-vm: booting ${kernel.version} under qemu (TCG), running ${script}`);
const qemu = spawn('qemu-system-x86_64', [
  '-accel', 'tcg,thread=multi', '-m', '2048', '-smp', '2', '-nographic', '-no-reboot',
  '-kernel', join(kernel.dir, 'boot', `vmlinuz-${kernel.version}`), '-initrd', initrd,
  '-append', `console=ttyS0 quiet panic=-1 netdev_script=${script} netdev_modules=${MODULES.join(',')}`,
  '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
  '-nic', 'none',
], { stdio: ['ignore', 'pipe', 'inherit'] });
let exitStatus = null;
const counts = {};
let buffered = '';
qemu.stdout.setEncoding('utf8');
qemu.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  buffered += chunk;
  const lines = buffered.split(/\r?\n/);
  buffered = lines.pop();
  for (const line of lines) {
    const m = /NETDEV-VM-EXIT (\d+)/.exec(line);
    if (m) exitStatus = Number(m[1]);
    // node's spec reporter closing lines: "ℹ tests N", "ℹ pass N", "ℹ fail N", "ℹ skipped N", …
    const c = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line.trim());
    if (c) counts[c[1]] = Number(c[2]);
  }
});
const timer = setTimeout(() => {
  console.error(`kernel-vm: no result after ${TIMEOUT_MS / 1000} s; stopping the guest`);
  qemu.kill('SIGKILL');
}, TIMEOUT_MS);
qemu.on('exit', () => {
  clearTimeout(timer);
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  const summary =
    counts.tests === undefined
      ? null
      : { passed: counts.pass ?? 0, failed: (counts.fail ?? 0) + (counts.cancelled ?? 0), skipped: (counts.skipped ?? 0) + (counts.todo ?? 0), tests: counts.tests };
  if (exitStatus === null || !summary) {
    console.error(`kernel-vm: the guest did not report a result (${secs} s)`);
    process.exit(1);
  }
  // Every test must have run and passed: a skipped or missing one fails the tier.
  const ok = exitStatus === 0 && summary.failed === 0 && summary.skipped === 0 && summary.passed > 0 && summary.passed === summary.tests;
  console.log(`kernel-vm: kernel ${kernel.version}, guest exit ${exitStatus}, ${secs} s`);
  console.log(`kernel-vm: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
  process.exit(ok ? 0 : 1);
});
