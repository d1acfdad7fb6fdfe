#!/usr/bin/env node
// The kernel-matrix tier: boots the distribution's stock kernel (Debian linux-image-amd64,
// Ubuntu linux-image-generic) under qemu (TCG; KVM does not work on these machines) with the
// host's root shared read-only over 9p, loads the network modules the host kernel lacks, and
// runs test/kernel/guest.sh inside (a chroot into the host root). See docs/kernel-matrix.md.
//
// Exits non-zero on any failure, on any test that did not run, and on a guest that did not
// report. Closing lines, parsed by scripts/test-all.mjs:
//   kernel-vm: WARNING: …                               (zero or more)
//   kernel-vm: N passed, N failed, N skipped            (when the tests ran)
//   kernel-vm: FAILED before running tests: <reason>    (when they did not)
//   kernel-vm: FAILED: <reason>                         (when they ran and the tier failed)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootGuest } from './kernel-vm/boot.mjs';
import { cacheDir, cachedKernel, FIRST_LINE, lastGood, prune, recordGood } from './kernel-vm/cache.mjs';
import { buildInitramfs } from './kernel-vm/initramfs.mjs';
import { parseModulesBuiltin, parseModulesDep } from './kernel-vm/moddep.mjs';
import { download, resolveCandidate } from './kernel-vm/provision.mjs';
import { checkSetpriv } from './kernel-vm/spawn-guarded.mjs';
import { missingFor, staticBusybox } from './provision.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ms = (name, dflt) => Number(process.env[name] ?? dflt);
const limits = {
  totalMs: ms('NETDEV_VM_TIMEOUT_MS', 20 * 60e3),
  stageMs: ms('NETDEV_VM_STAGE_TIMEOUT_MS', 120e3),
  silenceMs: ms('NETDEV_VM_SILENCE_MS', 60e3),
};
// Network modules the tests need (loaded with modprobe in the guest; built-in ones are skipped).
const MODULES = [
  '8021q', 'ipvlan', 'ipvtap', 'bonding', 'dummy', 'team', 'team_mode_activebackup', 'ip_gre', 'ip6_gre', 'geneve', 'vrf',
  'macsec', 'vcan', 'vxcan', 'wireguard', 'nlmon', 'ipip', 'sit', 'veth', 'bridge', 'vxlan', 'macvlan', 'macvtap', 'ifb',
  'ip6_tunnel', 'ip_vti', 'ip6_vti', 'xfrm_interface', 'gtp',
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

const t0 = Date.now();
const cache = cacheDir();
const good = lastGood(cache, FIRST_LINE)?.version ?? null;
const work = mkdtempSync(join(tmpdir(), 'netdev-kvm-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// 1. The kernel to boot: the distribution's current one (cached by release), else the last good.
let kernel = null;
let candidate = null;
try {
  candidate = resolveCandidate();
  kernel = cachedKernel(cache, candidate.version);
  if (kernel) console.log(`kernel-vm: ${candidate.version} (${candidate.packageVersion}) from the cache ${cache}`);
  else kernel = download(cache, candidate, busybox);
} catch (e) {
  const fallback = good && cachedKernel(cache, good);
  if (!fallback) failBeforeTests(`no kernel: ${e.message}`);
  warn(`cannot get the distribution's current kernel (${e.message}); using the last kernel that passed, ${good}`);
  kernel = fallback;
}

/** The modprobe list for this kernel: built-in modules need none; absent ones are named. */
function netModules(k) {
  const dep = parseModulesDep(readFileSync(join(k.modules, 'modules.dep'), 'utf8'));
  const builtin = parseModulesBuiltin(existsSync(join(k.modules, 'modules.builtin')) ? readFileSync(join(k.modules, 'modules.builtin'), 'utf8') : '');
  const absent = MODULES.filter((m) => !dep.has(m) && !builtin.has(m));
  if (absent.length > 0) console.log(`kernel-vm: ${k.version} lacks modules: ${absent.join(' ')} (their tests will fail)`);
  return MODULES.filter((m) => dep.has(m));
}

/** Boots `k`, once more if the guest hangs. */
async function run(k) {
  const { initrd, plan } = buildInitramfs({ kernel: k, busybox, project: root, work });
  const builtin = plan.builtin.length > 0 ? `; built in: ${plan.builtin.join(' ')}` : '';
  console.log(`kernel-vm: boot modules (from ${k.version}'s modules.dep): ${plan.load.map((m) => m.name).join(' ')}${builtin}`);
  const append = `console=ttyS0 quiet panic=-1 cryptomgr.notests netdev_script=${script} netdev_modules=${netModules(k).join(',')}`;
  for (let attempt = 1; ; attempt++) {
    console.log(`kernel-vm: booting ${k.version} under qemu (TCG), running ${script}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    const r = await bootGuest({ vmlinuz: k.vmlinuz, initrd, append, limits });
    const stages = Object.entries(r.stages).map(([s, t]) => `${s} ${(t / 1000).toFixed(1)} s`).join(', ');
    console.log(`kernel-vm: ${k.version}: ${r.status}${r.reason ? ` (${r.reason})` : ''} after ${r.secs.toFixed(0)} s; markers: ${stages || 'none'}`);
    if (r.status !== 'hung' || attempt === 2) return r;
    warn(`the guest (${k.version}) hung on attempt ${attempt} (${r.reason}); booted it again`);
  }
}

// 2. Boot; a kernel that does not boot falls back to the last one that passed.
let result = await run(kernel);
if (!result.testsStarted && good && good !== kernel.version) {
  const fallback = cachedKernel(cache, good);
  if (fallback) {
    warn(`kernel ${kernel.version} FAILED TO BOOT (${result.reason}); falling back to the last kernel that passed, ${good}`);
    kernel = fallback;
    result = await run(kernel);
  }
}
const secs = ((Date.now() - t0) / 1000).toFixed(0);
if (!result.testsStarted) failBeforeTests(result.reason);
if (result.status === 'passed') {
  recordGood(cache, FIRST_LINE, kernel.version, result.summary.passed);
  // Keep the kernel that passed, the one that passed before, and the distribution's current one
  // (when it failed to boot it is tried again next time, without downloading it again).
  const removed = prune(cache, [kernel.version, good, candidate?.version].filter(Boolean));
  if (removed.length > 0) console.log(`kernel-vm: removed older cached kernels: ${removed.join(' ')}`);
}
console.log(`kernel-vm: kernel ${kernel.version}, guest exit ${result.exit ?? 'none'}, ${secs} s`);
for (const w of warnings) console.log(`kernel-vm: WARNING: ${w}`);
if (result.status !== 'passed') console.log(`kernel-vm: FAILED: ${result.reason}`);
const s = result.summary ?? { passed: 0, failed: 0, skipped: 0 };
console.log(`kernel-vm: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
process.exit(result.status === 'passed' ? 0 : 1);
