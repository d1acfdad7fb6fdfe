// `npm test`: the host tier (inside the sandbox), the frameworks tier (netdev/testing's fixtures
// under jest and vitest, scripts/run-frameworks.mjs, in the sandbox too), the sanitizer tier (the
// host suite again against the ASan + UBSan addon, scripts/sanitize.mjs), then the kernel-matrix
// tier; then one line per tier (failed, and why) and one combined closing line "N passed,
// N failed, N skipped" over all (scripts/test-summary.mjs). Exits non-zero if any tier fails.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tierFailed, tierLines, totalLine } from './test-summary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(args, parse) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const tier = { passed: 0, failed: 0, skipped: 0, seen: false, warnings: [] };
    let rest = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
      for (const line of lines) parse(line.replace(/\x1b\[[0-9;]*m/g, "").trim(), tier);
    });
    child.on('close', (code, signal) => resolve({ ...tier, code: code ?? 1, ...(signal && !tier.reason ? { reason: `killed by ${signal}` } : {}) }));
  });
}

// node's spec reporter closing lines ("ℹ pass N", …), for the host and sanitizer tiers.
function nodeTestCounts(l, t) {
  const m = /^ℹ (pass|fail|cancelled|skipped|todo) (\d+)$/.exec(l);
  if (!m) return;
  t.seen = true;
  if (m[1] === 'pass') t.passed += +m[2];
  else if (m[1] === 'fail' || m[1] === 'cancelled') t.failed += +m[2];
  else t.skipped += +m[2];
}
const host = await run([join(root, 'scripts/sandbox.mjs'), process.execPath, join(root, 'scripts/run-tests.mjs')], nodeTestCounts);
// The frameworks tier's closing line (scripts/run-frameworks.mjs).
const frameworks = await run([join(root, 'scripts/sandbox.mjs'), process.execPath, join(root, 'scripts/run-frameworks.mjs')], (l, t) => {
  const m = /^frameworks: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(l);
  if (m) Object.assign(t, { passed: +m[1], failed: +m[2], skipped: +m[3], seen: true });
  const f = /^frameworks: (.*?): (?:\d+ passed, .*)?FAILED/.exec(l);
  if (f) t.reason = t.reason ? `${t.reason}, ${f[1]}` : f[1];
});
// The sanitizer tier: the same host suite against the ASan + UBSan build (scripts/sanitize.mjs).
const sanitized = await run([join(root, 'scripts/sanitize.mjs')], nodeTestCounts);
// The kernel-matrix runner's own closing lines (scripts/kernel-vm.mjs).
const vm = await run([join(root, 'scripts/kernel-vm.mjs')], (l, t) => {
  const m = /^kernel-vm: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(l);
  if (m) Object.assign(t, { passed: +m[1], failed: +m[2], skipped: +m[3], seen: true });
  const f = /^kernel-vm: FAILED(?: before running tests)?: (.*)$/.exec(l);
  if (f) t.reason = f[1];
  const w = /^kernel-vm: WARNING: (.*)$/.exec(l);
  if (w && !t.warnings.includes(w[1])) t.warnings.push(w[1]);
});
console.log('');
const tiers = { 'host tier': host, 'frameworks tier': frameworks, 'sanitizer tier': sanitized, 'kernel-matrix tier': vm };
for (const [name, tier] of Object.entries(tiers)) for (const line of tierLines(name, tier)) console.log(line);
console.log(totalLine(Object.values(tiers)));
process.exit(Object.values(tiers).some(tierFailed) ? 1 : 0);
