#!/usr/bin/env node
// What the project needs from the machine, and the one place that installs it.
//
//   node scripts/provision.mjs STAGE...   (build | demo | test | kernel | bench | fuzz | ci)
//
// Checks the programs and files each stage needs. Nothing missing: silent, exit 0. Something
// missing: as root on a Debian/Ubuntu machine (apt-get), in this project's own checkout, it installs
// the Debian packages that provide them (`apt-get update` only when the package lists are missing
// or an install could not find a package); otherwise it prints one message naming the exact
// command to run and exits 1 before anything else runs. `.ci/run` calls it for every stage,
// `npm test`/`npm run demo` for theirs, and the addon's install hook for `build` (only when it has
// to compile). As a dependency of another project it never installs anything: it names the command.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** True when `file` is an ELF executable without a program interpreter (statically linked). */
function isStaticElf(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
    const h = Buffer.alloc(64);
    if (readSync(fd, h, 0, 64, 0) < 64 || h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2) return false;
    const phoff = Number(h.readBigUInt64LE(32));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3 /* PT_INTERP */) return false;
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const PATH = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
const which = (cmd) => PATH.map((d) => join(d, cmd)).find((p) => existsSync(p)) ?? null;
const hasCmd = (cmd) => () => which(cmd) !== null;

/** The busybox the kernel-matrix initramfs copies (it must be statically linked). */
export const staticBusybox = () => (existsSync('/bin/busybox') ? '/bin/busybox' : (which('busybox') ?? '/bin/busybox'));
const hasFile = (file) => () => existsSync(file);

/** The architecture as clang's runtime libraries name it. */
export const rtArch = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i386' }[process.arch] ?? process.arch;

/** True when clang++ has libFuzzer (without main) and the shared ASan runtime in its resource dir. */
function clangRuntimes() {
  const cxx = which('clang++');
  if (!cxx) return false;
  const r = spawnSync(cxx, ['-print-resource-dir'], { encoding: 'utf8' });
  const dir = join(r.stdout?.trim() ?? '', 'lib', 'linux');
  return r.status === 0 && [`libclang_rt.fuzzer_no_main-${rtArch}.a`, `libclang_rt.asan-${rtArch}.so`].every((f) => existsSync(join(dir, f)));
}

/**
 * One row per need: what it is (for the message), how to tell it is there, the Debian/Ubuntu
 * package that provides it, and the stages that need it.
 */
export const REQUIREMENTS = [
  // node-gyp compiles the addon (npm ci, or a consumer without a prebuilt binary); python3 also
  // plays the forged netlink sender of the watch() test (Node cannot open a raw netlink socket).
  { what: 'python3', present: hasCmd('python3'), pkg: 'python3', stages: ['build', 'test'] },
  { what: 'make', present: hasCmd('make'), pkg: 'make', stages: ['build'] },
  { what: 'g++', present: hasCmd('g++'), pkg: 'g++', stages: ['build'] },
  // The sandbox every run uses (a private network + mount namespace).
  { what: 'unshare', present: hasCmd('unshare'), pkg: 'util-linux', stages: ['demo', 'test', 'bench'] },
  // Cross-checks and fixtures of the host tier.
  { what: 'ip', present: hasCmd('ip'), pkg: 'iproute2', stages: ['test', 'bench'] },
  { what: 'bridge', present: hasCmd('bridge'), pkg: 'iproute2', stages: ['test'] },
  { what: 'tc', present: hasCmd('tc'), pkg: 'iproute2', stages: ['test'] },
  { what: 'nsenter', present: hasCmd('nsenter'), pkg: 'util-linux', stages: ['test'] },
  { what: 'setpriv', present: hasCmd('setpriv'), pkg: 'util-linux', stages: ['test'] },
  { what: 'prlimit', present: hasCmd('prlimit'), pkg: 'util-linux', stages: ['test'] },
  { what: 'mount', present: hasCmd('mount'), pkg: 'mount', stages: ['test'] },
  { what: 'sysctl', present: hasCmd('sysctl'), pkg: 'procps', stages: ['test'] },
  // The router + DHCP scenario: a real DHCP server, and busybox's udhcpc as its client.
  { what: 'dnsmasq', present: hasCmd('dnsmasq'), pkg: 'dnsmasq-base', stages: ['test'] },
  // The NAT tests' oracle (nft -j list ruleset) and the NAT benchmark's peer; netdev never runs it.
  { what: 'nft', present: hasCmd('nft'), pkg: 'nftables', stages: ['test', 'bench'] },
  // Open vSwitch for the OVS tests and benchmark: the daemons the tests start privately (never the
  // package's service), and ovs-vsctl/ovs-appctl as the tests' oracle and the benchmark's peer.
  { what: 'ovsdb-server', present: hasCmd('ovsdb-server'), pkg: 'openvswitch-switch', stages: ['test', 'bench'] },
  { what: 'ovs-vswitchd', present: hasCmd('ovs-vswitchd'), pkg: 'openvswitch-switch', stages: ['test', 'bench'] },
  { what: 'ovs-vsctl', present: hasCmd('ovs-vsctl'), pkg: 'openvswitch-switch', stages: ['test', 'bench'] },
  { what: 'the OVS database schema', present: hasFile('/usr/share/openvswitch/vswitch.ovsschema'), pkg: 'openvswitch-switch', stages: ['test', 'bench'] },
  // The kernel-matrix tier: Debian's stock kernel under qemu, a static busybox in its initramfs,
  // the kernel package fetched with apt-get download and unpacked with dpkg.
  { what: 'qemu-system-x86_64', present: hasCmd('qemu-system-x86_64'), pkg: 'qemu-system-x86', stages: ['test', 'kernel'] },
  { what: 'a static busybox', present: () => isStaticElf(staticBusybox()), pkg: 'busybox-static', stages: ['test', 'kernel'] },
  { what: 'cpio', present: hasCmd('cpio'), pkg: 'cpio', stages: ['test', 'kernel'] },
  { what: 'gzip', present: hasCmd('gzip'), pkg: 'gzip', stages: ['test', 'kernel'] },
  // .ci/run's consumer-install check installs the git tree as a dependency.
  { what: 'git', present: hasCmd('git'), pkg: 'git', stages: ['ci'] },
  // The fuzzing and sanitizer builds (native/CMakeLists.txt): clang with libFuzzer and the shared
  // ASan/UBSan runtime (found through clang itself, whatever its version), and cmake.
  { what: 'clang++', present: hasCmd('clang++'), pkg: 'clang', stages: ['test', 'fuzz'] },
  { what: "clang's libFuzzer and sanitizer runtimes", present: clangRuntimes, pkg: 'libclang-rt-dev', stages: ['test', 'fuzz'] },
  { what: 'cmake', present: hasCmd('cmake'), pkg: 'cmake', stages: ['test', 'fuzz'] },
  // The benchmarks' C references.
  { what: 'gcc', present: hasCmd('gcc'), pkg: 'gcc', stages: ['bench'] },
  { what: 'libmnl headers', present: hasFile('/usr/include/libmnl/libmnl.h'), pkg: 'libmnl-dev', stages: ['bench'] },
];

const STAGES = ['build', 'demo', 'test', 'kernel', 'bench', 'fuzz', 'ci'];

/** The rows a set of stages needs that are missing ('ci' is every stage). */
export function missingFor(stages) {
  const all = stages.includes('ci');
  return REQUIREMENTS.filter((r) => (all || r.stages.some((s) => stages.includes(s))) && !r.present());
}

function osRelease() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const get = (k) => new RegExp(`^${k}="?([^"\\n]*)`, 'm').exec(text)?.[1] ?? '';
    return `${get('ID')} ${get('ID_LIKE')}`;
  } catch {
    return '';
  }
}

/** True when npm (or a person) runs this in the project's own checkout, not as a dependency. */
function ownCheckout() {
  if (!existsSync(join(root, '.git'))) return false;
  const init = process.env.INIT_CWD;
  return init === undefined || init === root;
}

function aptListsPresent() {
  try {
    return readdirSync('/var/lib/apt/lists').some((f) => f.endsWith('_Packages'));
  } catch {
    return false;
  }
}

function apt(args) {
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

const POLICY_RC = '/usr/sbin/policy-rc.d';

/**
 * Installs packages without starting their services (openvswitch-switch's would start daemons on
 * the host): where no policy-rc.d says otherwise, one that forbids starts is in place meanwhile.
 */
function install(pkgs) {
  const args = ['install', '-y', '-qq', '--no-install-recommends', ...pkgs];
  const ours = !existsSync(POLICY_RC);
  if (ours) writeFileSync(POLICY_RC, '#!/bin/sh\n# netdev provision: no service starts during its apt-get install\nexit 101\n', { mode: 0o755 });
  try {
    if (!aptListsPresent() && !apt(['update', '-qq'])) return false;
    if (apt(args)) return true;
    // Stale lists (a package moved since the last update): refresh once and try again.
    return apt(['update', '-qq']) && apt(args);
  } finally {
    if (ours) rmSync(POLICY_RC, { force: true });
  }
}

function main() {
  const stages = process.argv.slice(2);
  if (stages.length === 0 || stages.some((s) => !STAGES.includes(s))) {
    console.error(`usage: provision.mjs STAGE... (${STAGES.join(' | ')})`);
    process.exit(2);
  }
  const missing = missingFor(stages);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((r) => r.pkg))];
  const list = missing.map((r) => (r.what === r.pkg ? r.what : `${r.what} (${r.pkg})`)).join(', ');
  const debianLike = /\b(debian|ubuntu)\b/.test(osRelease()) && (existsSync('/usr/bin/apt-get') || which('apt-get') !== null);
  if (debianLike && process.getuid?.() === 0 && ownCheckout() && process.env.NETDEV_PROVISION !== '0') {
    console.error(`netdev: installing what ${stages.join('/')} needs: ${list}`);
    if (!install(pkgs)) {
      console.error(`netdev: apt-get could not install ${pkgs.join(' ')}`);
      process.exit(1);
    }
    const still = missingFor(stages);
    if (still.length > 0) {
      console.error(`netdev: still missing after apt-get: ${still.map((r) => r.what).join(', ')}`);
      process.exit(1);
    }
    return;
  }
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  const cmd = `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  console.error(
    `netdev: ${stages.join('/')} needs what this machine lacks: ${list}.\n` +
      (debianLike
        ? `Install it, then run the command again:\n  ${cmd}\n`
        : `Install the equivalents of these Debian packages, then run the command again: ${pkgs.join(' ')}\n`),
  );
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
