// The frameworks tier of `npm test` (inside the sandbox it sets up): netdev/testing's fixtures as
// jest and vitest users write them (test/frameworks/), so that the promise "they work under
// node:test, jest and vitest" is tested under all three (node:test: the host tier's
// test/integration/testing.test.mjs). Four runs, each a real framework run:
//   jest in worker processes (two files, two workers: jest's default on a machine with 3+ cores),
//   jest --runInBand (the tests in jest's own process: its default with one file or 2 cores),
//   vitest's default pool (forks), and vitest's worker-thread pool (netdev supports worker_threads).
// Ends with one line per run and the closing "frameworks: N passed, N failed, N skipped" that
// scripts/test-all.mjs parses; exits non-zero if any run failed or reported nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.NETDEV_SANDBOX !== '1') {
  console.error('run-frameworks: run me through scripts/sandbox.mjs (npm test does)');
  process.exit(2);
}
const jest = join(root, 'node_modules/jest/bin/jest.js');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'netdev-frameworks-'));

// Each run writes its results as JSON (jest's and vitest's json reporters share the format).
const runs = [
  // A fresh cache directory: jest runs in band whenever its cache says earlier runs were fast.
  { name: 'jest (workers)', args: [jest, '--config', 'test/frameworks/jest/jest.config.cjs', '--maxWorkers=2'], env: { NETDEV_JEST_MODE: 'workers' } },
  { name: 'jest (in band)', args: [jest, '--config', 'test/frameworks/jest/jest.config.cjs', '--runInBand'], env: { NETDEV_JEST_MODE: 'in-band' } },
  // --no-cache: vitest would keep its results under test/frameworks/vitest/node_modules/.vite.
  { name: 'vitest (default pool)', args: [vitest, 'run', '--root', 'test/frameworks/vitest', '--no-cache'] },
  { name: 'vitest (threads pool)', args: [vitest, 'run', '--root', 'test/frameworks/vitest', '--no-cache', '--pool=threads'] },
];
const results = [];
try {
  runs.forEach((run, i) => {
    const out = join(tmp, `results-${i}.json`);
    const args = run.args[0] === jest
      ? [...run.args, `--cacheDirectory=${join(tmp, `jest-cache-${i}`)}`, '--json', `--outputFile=${out}`]
      : [...run.args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`];
    console.log(`\nframeworks: ${run.name}`);
    const started = Date.now();
    const r = spawnSync(process.execPath, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...run.env, NETDEV_FRAMEWORKS_PID: String(process.pid) },
    });
    const json = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined;
    results.push({
      name: run.name,
      code: r.status ?? 1,
      ms: Date.now() - started,
      json,
      passed: json?.numPassedTests ?? 0,
      failed: (json?.numFailedTests ?? 0) + (json?.numRuntimeErrorTestSuites ?? 0),
      skipped: (json?.numPendingTests ?? 0) + (json?.numTodoTests ?? 0),
    });
  });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log('');
for (const r of results) {
  const counts = `${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
  if (!r.json || r.passed === 0) console.log(`frameworks: ${r.name}: FAILED: no results (exit ${r.code})`);
  else console.log(`frameworks: ${r.name}: ${counts} (${r.ms} ms)${r.code !== 0 ? ` FAILED (exit ${r.code})` : ''}`);
}
const bad = results.filter((r) => r.code !== 0 || !r.json || r.passed === 0);
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
// A run that failed without a failed test (it crashed, or ran nothing) counts as one failure.
const failed = sum('failed') + bad.filter((r) => r.failed === 0).length;
console.log(`frameworks: ${sum('passed')} passed, ${failed} failed, ${sum('skipped')} skipped`);
process.exit(bad.length ? 1 : 0);
