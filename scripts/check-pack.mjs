// Checks what `npm pack` would put in the tarball against scripts/pack-files.txt: nothing packed
// outside the list, every required line present, and everything installing needs is in: the
// package.json entry points and every file binding.gyp compiles with the local headers they
// include. `npm run check:pack`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const listFile = 'scripts/pack-files.txt';

function globRegExp(glob) {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*|\*|\?/g, (m) => (m === '**' ? '.*' : m === '*' ? '[^/]*' : '[^/]'));
  return new RegExp(`^${re}$`);
}

const rules = readFileSync(join(root, listFile), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => ({ glob: l.replace(/^\?/, ''), optional: l.startsWith('?') }))
  .map((r) => ({ ...r, re: globRegExp(r.glob) }));

const npm = process.env.npm_execpath;
const [cmd, pre] = npm?.endsWith('.js') ? [process.execPath, [npm]] : [npm ?? 'npm', []];
const json = execFileSync(cmd, [...pre, 'pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const packed = new Set(JSON.parse(json)[0].files.map((f) => f.path));

const problems = [];
for (const file of packed) if (!rules.some((r) => r.re.test(file))) problems.push(`packed but not in ${listFile}: ${file}`);
for (const r of rules) if (!r.optional && ![...packed].some((f) => r.re.test(f))) problems.push(`nothing packed matches required ${r.glob}`);

// What installing needs: the entry points, and the addon's sources with their local includes.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The files the exports map points at (its values: its keys are subpaths such as ./testing).
const targets = (e) => (typeof e === 'string' ? [e] : e && typeof e === 'object' ? Object.values(e).flatMap(targets) : []);
const entries = [pkg.main, pkg.types, pkg.module, ...targets(pkg.exports)]
  .filter((p) => typeof p === 'string' && !p.endsWith('/'))
  .map((p) => normalize(p));
const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'));
const sources = gyp.targets.flatMap((t) => t.sources);
// A quoted include is looked up next to the including file, then in the targets' local include
// directories (binding.gyp's include_dirs that are paths, not `<!(…)` command substitutions).
const includeDirs = [...new Set(gyp.targets.flatMap((t) => t.include_dirs ?? []).filter((d) => !d.startsWith('<')))];
const needed = new Set(['binding.gyp', ...entries]);
const queue = [...sources];
while (queue.length) {
  const file = normalize(queue.pop());
  if (needed.has(file)) continue;
  needed.add(file);
  if (!existsSync(join(root, file))) continue;
  for (const m of readFileSync(join(root, file), 'utf8').matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
    const inc = [dirname(file), ...includeDirs].map((d) => normalize(join(d, m[1]))).find((f) => existsSync(join(root, f)));
    if (inc) queue.push(inc);
  }
}
for (const file of needed) if (!packed.has(file)) problems.push(`needed to install but not packed: ${file}`);

if (problems.length) {
  console.error(`check-pack: the tarball is not what ${listFile} allows:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-pack: ${packed.size} files, all allowed; ${needed.size} needed to install, all packed`);
