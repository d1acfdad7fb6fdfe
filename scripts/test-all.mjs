// `npm test`: the host tier (inside the sandbox), then the kernel-matrix tier, then one combined
// closing line "N passed, N failed, N skipped" over both. Exits non-zero if either tier fails.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(args, parse) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const counts = { passed: 0, failed: 0, skipped: 0, seen: false };
    let rest = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
      for (const line of lines) parse(line.replace(/\x1b\[[0-9;]*m/g, "").trim(), counts);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, ...counts }));
  });
}

// node's spec reporter closing lines ("ℹ pass N", …) for the host tier.
const host = await run([join(root, 'scripts/sandbox.mjs'), process.execPath, join(root, 'scripts/run-tests.mjs')], (l, c) => {
  const m = /^ℹ (pass|fail|cancelled|skipped|todo) (\d+)$/.exec(l);
  if (!m) return;
  c.seen = true;
  if (m[1] === 'pass') c.passed += +m[2];
  else if (m[1] === 'fail' || m[1] === 'cancelled') c.failed += +m[2];
  else c.skipped += +m[2];
});
// The kernel-matrix runner's own summary line.
const vm = await run([join(root, 'scripts/kernel-vm.mjs')], (l, c) => {
  const m = /^kernel-vm: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(l);
  if (m) Object.assign(c, { passed: +m[1], failed: +m[2], skipped: +m[3], seen: true });
});
const failedTier = [host, vm].some((t) => t.code !== 0 || !t.seen);
const passed = host.passed + vm.passed;
const failed = host.failed + vm.failed + (failedTier && host.failed + vm.failed === 0 ? 1 : 0);
console.log(`\nhost tier: ${host.passed} passed, ${host.failed} failed, ${host.skipped} skipped (exit ${host.code})`);
console.log(`kernel-matrix tier: ${vm.passed} passed, ${vm.failed} failed, ${vm.skipped} skipped (exit ${vm.code})`);
console.log(`${passed} passed, ${failed} failed, ${host.skipped + vm.skipped} skipped`);
process.exit(failedTier ? 1 : 0);
