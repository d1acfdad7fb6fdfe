#!/usr/bin/env node
// The kernel-matrix tier: boots stock distribution kernels under qemu (TCG; KVM does not work on
// these machines) with the host's root shared read-only over 9p, loads the network modules the
// host kernel lacks, and runs test/kernel/guest.sh inside (a chroot into the host root). It runs
// one boot per kernel line (LINES below), each resolved, cached, booted and reported on its own.
// See docs/kernel-matrix.md.
//
// Exits non-zero when any line fails: a failed test, a test that did not run, a guest that did
// not report, a line with no kernel. Closing lines, parsed by scripts/test-all.mjs:
//   kernel-vm: [<line>] <release>: N passed, N failed, N skipped   (one per line, for people)
//   kernel-vm: WARNING: [<line>] …                      (zero or more)
//   kernel-vm: FAILED before running tests: <reason>    (when no line ran its tests)
//   kernel-vm: FAILED: [<line>] <reason>; …             (when tests ran and a line failed)
//   kernel-vm: N passed, N failed, N skipped            (summed over the lines, when tests ran)
//
// NETDEV_VM_LINES=stable,backports (the default: every line) runs only the lines named.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, prune, readLines, releasesInUse } from './kernel-vm/cache.mjs';
import { runLine } from './kernel-vm/line.mjs';
import { backportsApt, HOST_APT } from './kernel-vm/provision.mjs';
import { checkSetpriv } from './kernel-vm/spawn-guarded.mjs';
import { missingFor, staticBusybox } from './provision.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ms = (name, dflt) => Number(process.env[name] ?? dflt);
const limits = {
  totalMs: ms('NETDEV_VM_TIMEOUT_MS', 20 * 60e3),
  stageMs: ms('NETDEV_VM_STAGE_TIMEOUT_MS', 120e3),
  silenceMs: ms('NETDEV_VM_SILENCE_MS', 60e3),
};
// Network modules every line's tests need (loaded with modprobe in the guest; built-in ones are skipped).
const MODULES = [
  '8021q', 'ipvlan', 'ipvtap', 'bonding', 'dummy', 'team', 'team_mode_activebackup', 'ip_gre', 'ip6_gre', 'geneve', 'vrf',
  'macsec', 'vcan', 'vxcan', 'wireguard', 'nlmon', 'ipip', 'sit', 'veth', 'bridge', 'vxlan', 'macvlan', 'macvtap', 'ifb',
  'ip6_tunnel', 'ip_vti', 'ip6_vti', 'xfrm_interface', 'gtp',
  // NAT over nf_tables (test/kernel/nat.kernel.mjs); the counter, payload, cmp and immediate
  // expressions are part of nf_tables itself. crc32c_generic first: libcrc32c (which nf_tables
  // and conntrack need) asks for it only through a softdep, which busybox's modprobe ignores.
  'crc32c_generic', 'nf_tables', 'nf_conntrack', 'nf_nat', 'nft_chain_nat', 'nft_nat', 'nft_masq', 'nft_ct', 'nft_reject_inet',
];
/**
 * The kernel lines (scripts/kernel-vm/line.mjs's KernelLine), run one after the other.
 * - stable: the distribution's current linux-image-amd64 (linux-image-generic on Ubuntu), from
 *   the host's own apt sources; the common suite.
 * - backports: linux-image-amd64 from <codename>-backports (Debian only), seen through a private
 *   apt state in the cache; the common suite plus the kinds 6.1 lacks (test/kernel/newer.kernel.mjs).
 */
const LINES = [
  { name: 'stable', apt: () => HOST_APT, suite: 'test/kernel/suite.mjs', modules: [] },
  { name: 'backports', apt: (cache) => backportsApt(cache), suite: 'test/kernel/suite-backports.mjs', modules: ['hsr'] },
];
const script = process.argv[2] ?? 'test/kernel/guest.sh';
const warnings = [];
const warn = (msg) => {
  warnings.push(msg);
  console.log(`kernel-vm: WARNING: ${msg}`);
};

function failBeforeTests(reason) {
  for (const w of warnings) console.log(`kernel-vm: WARNING: ${w}`);
  console.log(`kernel-vm: FAILED before running tests: ${reason}`);
  process.exit(1);
}

const missing = missingFor(['kernel']);
if (missing.length > 0) {
  failBeforeTests(`missing ${missing.map((r) => r.what).join(', ')}: run node scripts/provision.mjs kernel (apt-get install ${missing.map((r) => r.pkg).join(' ')})`);
}
const busybox = staticBusybox();
try {
  checkSetpriv();
} catch (e) {
  failBeforeTests(e.message);
}

const wanted = process.env.NETDEV_VM_LINES ? process.env.NETDEV_VM_LINES.split(',').map((n) => n.trim()) : LINES.map((l) => l.name);
const unknown = wanted.filter((n) => !LINES.some((l) => l.name === n));
if (unknown.length > 0) failBeforeTests(`NETDEV_VM_LINES names no line ${unknown.join(', ')} (lines: ${LINES.map((l) => l.name).join(', ')})`);

const cache = cacheDir();
const work = mkdtempSync(join(tmpdir(), 'netdev-kvm-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const ctx = { cache, busybox, project: root, work, script, modules: MODULES, limits, warn };

const results = [];
for (const line of LINES.filter((l) => wanted.includes(l.name))) results.push(await runLine(line, ctx));

// Keep what any line still needs (its last good release, its current one, the one it ran now),
// whichever lines ran this time; remove the other releases once something passed.
if (results.some((r) => r.status === 'passed')) {
  const keep = [...releasesInUse(readLines(cache), LINES.map((l) => l.name)), ...results.map((r) => r.version).filter(Boolean)];
  const removed = prune(cache, keep);
  if (removed.length > 0) console.log(`kernel-vm: removed older cached kernels: ${removed.join(' ')}`);
}

const counts = (s) => `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
for (const r of results) {
  const head = `kernel-vm: [${r.line}]${r.version ? ` ${r.version}:` : ''}`;
  if (!r.testsStarted) console.log(`${head} FAILED before running tests: ${r.reason}, ${r.secs.toFixed(0)} s`);
  else console.log(`${head} ${counts(r.summary ?? { passed: 0, failed: 0, skipped: 0 })}${r.status === 'passed' ? '' : ` (FAILED: ${r.reason})`}, ${r.secs.toFixed(0)} s`);
}
const failed = results.filter((r) => r.status !== 'passed');
if (!results.some((r) => r.testsStarted)) failBeforeTests(failed.map((r) => `[${r.line}] ${r.reason}`).join('; '));
const why = (r) => `[${r.line}] ${r.testsStarted ? '' : 'before running tests: '}${r.reason}`;
for (const w of warnings) console.log(`kernel-vm: WARNING: ${w}`);
if (failed.length > 0) console.log(`kernel-vm: FAILED: ${failed.map(why).join('; ')}`);
const sum = (k) => results.reduce((n, r) => n + (r.summary?.[k] ?? 0), 0);
console.log(`kernel-vm: ${counts({ passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped') })}`);
process.exit(failed.length > 0 ? 1 : 0);
