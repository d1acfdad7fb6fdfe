// Runs the whole suite with node's test runner (inside the sandbox that `npm test` sets up):
// unit tests (no privileges) and integration tests (each in fresh namespaces).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.NETDEV_SANDBOX !== '1') {
  console.error('run-tests: run me through scripts/sandbox.mjs (npm test does)');
  process.exit(2);
}
// Arguments: test files to run (all by default), or --exclude=FILE to leave one out.
const args = process.argv.slice(2);
const excluded = args.filter((a) => a.startsWith('--exclude=')).map((a) => a.slice('--exclude='.length));
const chosen = args.filter((a) => !a.startsWith('--'));
const files = chosen.length
  ? chosen
  : ['unit', 'integration'].flatMap((d) =>
      readdirSync(join(root, 'test', d))
        .filter((f) => f.endsWith('.test.mjs'))
        .sort()
        .map((f) => join('test', d, f))
        .filter((f) => !excluded.includes(f)),
    );
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
