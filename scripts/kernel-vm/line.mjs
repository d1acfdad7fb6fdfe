// One kernel line of the kernel-matrix tier (scripts/kernel-vm.mjs): finds the line's current
// kernel through the line's apt state, takes it from the cache or downloads it, boots it (once
// more if the guest hangs) with the line's suite and modules, and falls back to the line's last
// good kernel when the current one cannot be had or does not boot. A line reads and writes only
// its own record in the cache (cache.mjs); its log lines and warnings carry its name.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootGuest } from './boot.mjs';
import { cachedKernel, lastGood, recordCandidate, recordGood } from './cache.mjs';
import { buildInitramfs } from './initramfs.mjs';
import { parseModulesBuiltin, parseModulesDep } from './moddep.mjs';
import { download, resolveCandidate } from './provision.mjs';

/**
 * @typedef {{ name: string, apt: (cache: string) => import('./provision.mjs').AptState,
 *   suite: string, modules: string[] }} KernelLine
 *   apt: the apt state that resolves and downloads the line's kernel (it may throw: the line
 *   then fails alone); suite: the test file guest.sh runs; modules: modprobed besides the common ones
 * @typedef {{ cache: string, busybox: string, project: string, work: string, script: string,
 *   modules: string[], limits: object, warn: (msg: string) => void }} Context
 * @typedef {{ line: string, version: string | null, status: string, reason?: string,
 *   testsStarted: boolean, summary: { passed: number, failed: number, skipped: number } | null,
 *   exit?: number | null, secs: number }} LineResult
 */

const read = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** The modprobe list for kernel `k`: built-in modules need none; absent ones are named. */
function netModules(k, wanted, log) {
  const dep = parseModulesDep(read(join(k.modules, 'modules.dep')));
  const builtin = parseModulesBuiltin(read(join(k.modules, 'modules.builtin')));
  const absent = wanted.filter((m) => !dep.has(m) && !builtin.has(m));
  if (absent.length > 0) log(`${k.version} lacks modules: ${absent.join(' ')} (their tests will fail)`);
  return wanted.filter((m) => dep.has(m));
}

/** @returns {Promise<LineResult>} */
export async function runLine(line, ctx) {
  const t0 = Date.now();
  const log = (msg) => console.log(`kernel-vm: [${line.name}] ${msg}`);
  const warn = (msg) => ctx.warn(`[${line.name}] ${msg}`);
  const done = (kernel, r) => ({ line: line.name, version: kernel?.version ?? null, ...r, secs: (Date.now() - t0) / 1000 });
  const good = lastGood(ctx.cache, line.name)?.version ?? null;
  const work = join(ctx.work, line.name);
  mkdirSync(work, { recursive: true });

  // 1. The kernel to boot: the line's current one (cached by release), else its last good one.
  let kernel = null;
  try {
    const apt = line.apt(ctx.cache);
    const candidate = resolveCandidate(apt, log);
    recordCandidate(ctx.cache, line.name, candidate.version);
    kernel = cachedKernel(ctx.cache, candidate.version);
    if (kernel) log(`${candidate.version} (${candidate.packageVersion}) from the cache ${ctx.cache}`);
    else kernel = download(ctx.cache, candidate, ctx.busybox, apt.options, log);
  } catch (e) {
    const fallback = good && cachedKernel(ctx.cache, good);
    if (!fallback) return done(null, { status: 'no-kernel', testsStarted: false, summary: null, reason: `no kernel: ${e.message}` });
    warn(`cannot get the distribution's current kernel (${e.message}); using the last kernel that passed, ${good}`);
    kernel = fallback;
  }

  /** Boots `k`, once more if the guest hangs. */
  async function run(k) {
    const { initrd, plan } = buildInitramfs({ kernel: k, busybox: ctx.busybox, project: ctx.project, work });
    const builtin = plan.builtin.length > 0 ? `; built in: ${plan.builtin.join(' ')}` : '';
    log(`boot modules (from ${k.version}'s modules.dep): ${plan.load.map((m) => m.name).join(' ')}${builtin}`);
    const modules = netModules(k, [...ctx.modules, ...line.modules], log);
    const append = `console=ttyS0 quiet panic=-1 cryptomgr.notests netdev_script=${ctx.script} netdev_suite=${line.suite} netdev_modules=${modules.join(',')}`;
    for (let attempt = 1; ; attempt++) {
      log(`booting ${k.version} under qemu (TCG), running ${ctx.script} with ${line.suite}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      const r = await bootGuest({ vmlinuz: k.vmlinuz, initrd, append, limits: ctx.limits });
      const stages = Object.entries(r.stages).map(([s, t]) => `${s} ${(t / 1000).toFixed(1)} s`).join(', ');
      log(`${k.version}: ${r.status}${r.reason ? ` (${r.reason})` : ''} after ${r.secs.toFixed(0)} s; markers: ${stages || 'none'}`);
      if (r.status !== 'hung' || attempt === 2) return r;
      warn(`the guest (${k.version}) hung on attempt ${attempt} (${r.reason}); booted it again`);
    }
  }

  // 2. Boot; a kernel that does not boot falls back to the line's last one that passed.
  let result = await run(kernel);
  if (!result.testsStarted && good && good !== kernel.version) {
    const fallback = cachedKernel(ctx.cache, good);
    if (fallback) {
      warn(`kernel ${kernel.version} FAILED TO BOOT (${result.reason}); falling back to the last kernel that passed, ${good}`);
      kernel = fallback;
      result = await run(kernel);
    }
  }
  if (result.status === 'passed') recordGood(ctx.cache, line.name, kernel.version, result.summary.passed);
  const r = done(kernel, result);
  log(`kernel ${kernel.version}, guest exit ${result.exit ?? 'none'}, ${r.secs.toFixed(0)} s`);
  return r;
}
