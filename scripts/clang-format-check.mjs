// Fails when a native source file is not formatted as .clang-format says (`npm run lint`).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(dirname(createRequire(import.meta.url).resolve('clang-format/package.json')), 'index.js');
const dirs = ['native', 'bench'];
const files = dirs.flatMap((d) =>
  readdirSync(join(root, d), { recursive: true })
    .map(String)
    .filter((f) => /\.(cc|h|c)$/.test(f) && !f.includes('.build'))
    .map((f) => join(root, d, f)),
);
let bad = 0;
for (const f of files) {
  try {
    execFileSync(process.execPath, [bin, '--dry-run', '--Werror', '--style=file', f], { stdio: 'pipe' });
  } catch (e) {
    bad++;
    process.stderr.write(String(e.stderr || e.message).split('\n').slice(0, 6).join('\n') + '\n');
  }
}
if (bad) {
  console.error(`clang-format: ${bad} file(s) need formatting (npx clang-format -i --style=file FILE)`);
  process.exit(1);
}
console.log(`clang-format: ${files.length} files OK`);
