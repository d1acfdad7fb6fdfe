// Boots one guest under qemu (TCG) and watches its console: each boot stage must be reported
// within `stageMs` of the previous one, and while the tests run the guest must print something
// (its heartbeat at least) every `silenceMs`. A guest that misses either is killed and reported
// as hung; a failure marker (a failed insmod, a failed 9p mount) is reported with its reason.
import { parseMarker, STAGES } from './markers.mjs';
import { spawnGuarded } from './spawn-guarded.mjs';

/**
 * @returns {Promise<{ status: 'passed' | 'tests-failed' | 'boot-failed' | 'hung' | 'timeout',
 *   reason?: string, testsStarted: boolean, summary: { passed: number, failed: number,
 *   skipped: number, tests: number } | null, exit: number | null, stages: Record<string, number> }>}
 */
export function bootGuest({ vmlinuz, initrd, append, limits }) {
  const t0 = Date.now();
  const qemu = spawnGuarded('qemu-system-x86_64', [
    '-accel', 'tcg,thread=multi', '-m', '2048', '-smp', '2', '-nographic', '-no-reboot',
    '-kernel', vmlinuz, '-initrd', initrd, '-append', append,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-nic', 'none',
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stages = {};
  const counts = {};
  let exit = null;
  let failure = null; // { status, reason }
  let watchdog = null;
  let buffered = '';
  const dmesg = [];

  const arm = (ms, reason) => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => stop('hung', reason()), ms);
  };
  const stop = (status, reason) => {
    if (!failure) failure = { status, reason };
    qemu.kill('SIGKILL');
  };
  const next = () => STAGES.find((s) => !(s in stages));
  const armStage = () => {
    const from = Object.keys(stages).at(-1);
    const what = next();
    arm(limits.stageMs, () => `no '${what}' marker within ${limits.stageMs / 1000} s of ${from ? `'${from}'` : 'starting qemu'}`);
  };
  armStage();
  const overall = setTimeout(() => stop('timeout', `no result after ${limits.totalMs / 1000} s`), limits.totalMs);

  qemu.stdout.setEncoding('utf8');
  qemu.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    buffered += chunk;
    const lines = buffered.split(/\r?\n/);
    buffered = lines.pop();
    for (const line of lines) {
      const mark = parseMarker(line);
      if (mark?.type === 'stage' && !(mark.stage in stages)) {
        stages[mark.stage] = Date.now() - t0;
        if (mark.stage !== 'tests-started') armStage();
      } else if (mark?.type === 'dmesg') dmesg.push(mark.text);
      else if (mark?.type === 'fail' && !failure) {
        failure = { status: 'boot-failed', reason: mark.reason, module: mark.module };
        arm(limits.stageMs, () => 'the guest did not power off after its failure');
      } else if (mark?.type === 'exit') exit = mark.status;
      if ('tests-started' in stages && !failure)
        arm(limits.silenceMs, () => `the guest printed nothing, not even its heartbeat, for ${limits.silenceMs / 1000} s during the tests`);
      // node's spec reporter closing lines: "ℹ tests N", "ℹ pass N", "ℹ fail N", "ℹ skipped N", …
      const c = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line.trim());
      if (c) counts[c[1]] = Number(c[2]);
    }
  });

  return new Promise((resolve) => {
    qemu.on('exit', () => {
      if (buffered !== '') process.stdout.write('\n'); // the runner's own lines start on a line of their own
      clearTimeout(watchdog);
      clearTimeout(overall);
      const testsStarted = 'tests-started' in stages;
      const summary =
        counts.tests === undefined
          ? null
          : { passed: counts.pass ?? 0, failed: (counts.fail ?? 0) + (counts.cancelled ?? 0), skipped: (counts.skipped ?? 0) + (counts.todo ?? 0), tests: counts.tests };
      const base = { testsStarted, summary, exit, stages, secs: (Date.now() - t0) / 1000 };
      if (failure) {
        // The kernel's own words about a module that failed to load, e.g. which symbol is unknown.
        const said = failure.module && dmesg.filter((l) => l.includes(`${failure.module}: `)).at(-1);
        const reason = said ? `${failure.reason} (dmesg: ${said.replace(/^\[[\s\d.]+\]\s*/, '')})` : failure.reason;
        return resolve({ ...base, status: failure.status, reason });
      }
      if (!testsStarted) return resolve({ ...base, status: 'boot-failed', reason: `the guest stopped before its '${next()}' marker` });
      if (exit === null || !summary) return resolve({ ...base, status: 'tests-failed', reason: 'the guest stopped during the tests without reporting a result' });
      // Every test must have run and passed: a skipped or missing one fails the tier.
      const ok = exit === 0 && summary.failed === 0 && summary.skipped === 0 && summary.passed > 0 && summary.passed === summary.tests;
      resolve({ ...base, status: ok ? 'passed' : 'tests-failed', reason: ok ? undefined : `guest exit ${exit}` });
    });
  });
}
