// Checks that the committed docs/api is exactly what `npm run docs` generates from lib/ now:
// regenerates into a temporary directory and diffs. `npm run check:docs`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'netdev-api-docs-'));
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', out, '--logLevel', 'Error'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const diff = spawnSync('diff', ['-ru', join(root, 'docs/api'), out], { encoding: 'utf8' });
  if (diff.status !== 0) {
    const lines = (diff.stdout || diff.stderr).split('\n');
    console.error(`check-api-docs: docs/api differs from what \`npm run docs\` generates (run it and commit):`);
    console.error(lines.slice(0, 60).join('\n') + (lines.length > 60 ? `\n… (${lines.length - 60} more lines)` : ''));
    process.exitCode = 1; // not exit(): the finally below removes the temporary directory
  } else {
    console.log('check-api-docs: docs/api matches the generated reference');
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
