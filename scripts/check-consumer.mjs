// Installs netdev the three ways a user can (the packed tarball, git+file:// at HEAD, a fresh clone
// as a directory) into clean consumer projects outside the repo, then in each: type-checks
// test/consumer/types.{mts,cts} with the package's types (tsc --strict, module nodenext) and runs
// test/consumer/esm.mjs and cjs.cjs in a private network namespace (scripts/sandbox.mjs), which
// must see only lo and run a program there through the netdev-exec helper. The three installs run
// concurrently: each compiles the addon itself (the git one twice: npm installs the temporary clone
// it prepares too), which is most of the time. `npm run check:consumer [-- --keep]`.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'test/consumer');
const keep = process.argv.includes('--keep');
const npmJs = process.env.npm_execpath;
const npm = npmJs?.endsWith('.js') ? [process.execPath, npmJs] : [npmJs ?? 'npm'];
// A consumer's own environment: nothing inherited from an `npm run` around this script.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const secs = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

/** Runs a command; resolves with its output, rejects with the tail of it. */
function run(argv, cwd, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      log.push(`$ ${argv.join(' ')}\n${out}`);
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.slice(0, 4).join(' ')} … exited ${code}:\n${out.split('\n').slice(-25).join('\n')}`));
    });
  });
}

/** One consumer project: install `spec`, type-check, run ESM and CJS in a private netns. */
async function consumer(kind, spec, base) {
  const dir = join(base, `consumer-${kind}`);
  const log = [];
  const times = {};
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${kind}`, version: '1.0.0', private: true }, null, 2));
  for (const f of ['esm.mjs', 'cjs.cjs', 'types.mts', 'types.cts', 'kinds.mts', 'tsconfig.json']) copyFileSync(join(fixtures, f), join(dir, f));
  let t0 = performance.now();
  const deps = [spec, `typescript@${version('typescript')}`, `@types/node@${version('@types/node')}`];
  await run([...npm, 'install', '--no-audit', '--no-fund', '--prefer-offline', ...deps], dir, log);
  times.install = secs(t0);
  t0 = performance.now();
  await run([process.execPath, join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir], dir, log);
  times.tsc = secs(t0);
  t0 = performance.now();
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    const out = await run([process.execPath, join(root, 'scripts/sandbox.mjs'), process.execPath, file], dir, log);
    const seen = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    if (JSON.stringify(seen.names) !== '["lo"]' || seen.exec !== '42' || seen.oneInstance === false)
      throw new Error(`${kind}: ${file} saw ${JSON.stringify(seen)}; expected names ["lo"], exec "42"`);
  }
  times.run = secs(t0);
  writeFileSync(join(dir, 'check.log'), log.join('\n'));
  return `${kind.padEnd(8)} ${spec}\n         install ${times.install} s, tsc ${times.tsc} s, esm+cjs in a netns ${times.run} s`;
}

const t0 = performance.now();
const base = mkdtempSync(join(tmpdir(), 'netdev-consumer-'));
let ok = false;
try {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  if (execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim())
    console.warn('check-consumer: uncommitted changes: the git and directory installs test HEAD, the tarball the work tree');
  const packed = JSON.parse(execFileSync(npm[0], [...npm.slice(1), 'pack', '--json', '--pack-destination', base], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }));
  const tarball = join(base, packed[0].filename);
  const clone = join(base, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-checkout', root, clone]);
  execFileSync('git', ['-C', clone, 'checkout', '--quiet', head]);
  console.log(`check-consumer: packed and cloned in ${secs(t0)} s; installing into three consumers under ${base}`);
  const results = await Promise.allSettled([
    consumer('tarball', tarball, base),
    consumer('git', `git+file://${root}#${head}`, base),
    consumer('dir', clone, base),
  ]);
  for (const r of results) console.log(r.status === 'fulfilled' ? r.value : `FAILED ${r.reason.message}`);
  ok = results.every((r) => r.status === 'fulfilled');
} finally {
  if (ok && !keep) rmSync(base, { recursive: true, force: true });
  else console.log(`check-consumer: consumers kept in ${base}`);
}
if (!ok) {
  console.error('check-consumer: a consumer install did not give a working package (see above)');
  process.exit(1);
}
console.log(`check-consumer: tarball, git and directory installs work from ESM, CJS and strict TypeScript (${secs(t0)} s)`);
