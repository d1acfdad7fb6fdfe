#!/usr/bin/env node
// Before/after benchmark (not a timed test): the same workloads against two builds of netdev in
// the same run. "Before" is a revision (--base REV, default 45f11ea: the last commit before lib/
// was restructured into layered folders), exported with `git archive` into
// bench/.build/base-<commit>/ and compiled there once (node_modules linked to this tree's; no
// worktree is registered). "After" is the tree this script is in, as `npm run compile` built it.
// Each measurement runs in a child process (bench/compare-worker.mjs) in a fresh network
// namespace, loading the package from one tree; the trees alternate, before and after, and the
// order flips every round so neither always goes first. Prints per workload the median of the
// rounds for each tree and their ratio, and the machine's wake-up cost at the start and the end.
//
//   npm run bench:compare -- [--base REV] [--rounds N] [--only NAME[,NAME...]]
//
// --only takes workload names or their prefixes (route = route.add, route.add-together,
// route.dump). Inside the sandbox only (nothing touches the host's network).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, requireSandbox, wakeupCost } from './common.mjs';
import { WORKLOADS } from './compare-worker.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values: opts } = parseArgs({
  options: { base: { type: 'string', default: '45f11ea' }, rounds: { type: 'string', default: '11' }, only: { type: 'string' } },
});
const ROUNDS = Number(opts.rounds);
const selected = Object.keys(WORKLOADS).filter(
  (name) => !opts.only || opts.only.split(',').some((o) => name === o || name.startsWith(`${o}.`)),
);
if (!(ROUNDS >= 1) || selected.length === 0) {
  console.error(`usage: compare.mjs [--base REV] [--rounds N] [--only NAME,...] (workloads: ${Object.keys(WORKLOADS).join(', ')})`);
  process.exit(2);
}
requireSandbox('bench:compare');
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

/** REV exported and built in bench/.build/base-<commit>/, reused while its build is complete. */
function buildBase(rev) {
  const commit = git('rev-parse', '--verify', `${rev}^{commit}`);
  const dir = join(here, '.build', `base-${commit.slice(0, 12)}`);
  const ready = join(dir, '.compare-ready');
  if (existsSync(ready)) return { commit, dir };
  process.stderr.write(`building ${rev} (${commit.slice(0, 12)}) in ${dir}\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = `${dir}.tar`;
  git('archive', '--format=tar', '-o', tar, commit);
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  rmSync(tar);
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'));
  // Its own compile script: node-gyp configures for this directory, then tsc builds dist/.
  execFileSync(process.execPath, [join(dir, 'scripts/compile.mjs'), '--quiet'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(dir, 'dist/esm/index.js'))) throw new Error(`${rev}: no dist/esm/index.js after compiling`);
  writeFileSync(ready, `${commit}\n`);
  return { commit, dir };
}

/** One measurement: the worker in a fresh network namespace, loading netdev from `tree`. */
function measure(tree, name) {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--net', '--', process.execPath, join(here, 'compare-worker.mjs'), tree, name], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()).value);
      else reject(new Error(`${name} on ${tree}: ${signal ?? `exit ${code}`}\n${err}`));
    });
  });
}

// This tree as `npm run bench:compare` compiled it, then the base.
const base = buildBase(opts.base);
const trees = { before: base.dir, after: root };
const head = `${git('rev-parse', '--short=12', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' + uncommitted changes' : ''}`;
const load0 = loadavg()[0];
const wake0 = await wakeupCost();
const results = Object.fromEntries(selected.map((name) => [name, { before: [], after: [] }]));
const t0 = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  process.stderr.write(`round ${r + 1}/${ROUNDS}\n`);
  const order = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  for (const name of selected)
    for (const which of order) {
      // A failed measurement is reported and left out (NaN) rather than losing the whole run.
      const value = await measure(trees[which], name).catch((e) => {
        process.stderr.write(`${e.message}\n`);
        return NaN;
      });
      results[name][which].push(value);
    }
}
const minutes = (performance.now() - t0) / 60000;
const wake1 = await wakeupCost();

// --- report: every figure as time for the same work, so after/before > 1 means after is slower.
const asTime = (name, v) => (WORKLOADS[name].rate ? 1 / v : v);
const show = (name, v) => (WORKLOADS[name].rate ? `${(v / 1e6).toFixed(3)} Mpps (${(1e6 / v).toFixed(2)} µs/packet)` : `${(v * 1000).toFixed(2)} ms`);
const ok = (xs) => xs.filter((v) => !Number.isNaN(v));
const mid = (name, xs) => (ok(xs).length === 0 ? NaN : WORKLOADS[name].rate ? 1 / median(ok(xs).map((v) => 1 / v)) : median(ok(xs)));
const failed = (xs) => (xs.length - ok(xs).length ? `, ${xs.length - ok(xs).length} failed` : '');
const rows = selected.map((name) => {
  const { before, after } = results[name];
  const pairs = ok(before.map((b, i) => asTime(name, after[i]) / asTime(name, b))).sort((a, b) => a - b);
  const ratio = asTime(name, mid(name, after)) / asTime(name, mid(name, before));
  return [
    WORKLOADS[name].label,
    show(name, mid(name, before)) + failed(before),
    show(name, mid(name, after)) + failed(after),
    `${ratio.toFixed(2)}x`,
    pairs.length ? `${median(pairs).toFixed(2)}x [${pairs[0].toFixed(2)}-${pairs.at(-1).toFixed(2)}], ${pairs.filter((x) => x < 1).length}/${pairs.length}` : '-',
  ];
});
const headers = ['workload', `before (${base.commit.slice(0, 12)})`, `after (${head})`, 'after/before (medians)', 'after/before per round: median [min-max], after faster in'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (row) => `| ${row.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
const us = (x) => `${x.toFixed(1)} µs`;
console.log(`\nnetdev before/after: before = ${opts.base} (${base.commit.slice(0, 12)}), after = this tree (${head})`);
console.log(`Node ${process.version}, kernel ${execFileSync('uname', ['-r']).toString().trim()}, ${cpus().length} CPUs, load average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`);
console.log(`wake-up cost (median of 2000, start -> end): thread ping-pong over a futex ${us(wake0.pingPong)} -> ${us(wake1.pingPong)}, threadpool hop (fs.promises.access) ${us(wake0.threadpoolHop)} -> ${us(wake1.threadpoolHop)}`);
console.log(`${ROUNDS} rounds in ${minutes.toFixed(1)} min: medians over the rounds; before and after alternate (order flipped every round), each measurement in a fresh process and network namespace.`);
console.log('Ratios are of time for the same work (> 1: after is slower). Other work on the machine makes absolute figures noisy;');
console.log('the per-round ratio pairs measurements taken side by side, so it is the fairer one when the load drifts.\n');
console.log(line(headers));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
const raw = Object.fromEntries(selected.map((name) => [name, Object.fromEntries(Object.entries(results[name]).map(([k, xs]) => [k, xs.map((v) => +(WORKLOADS[name].rate ? v : v * 1000).toPrecision(4))]))]));
console.log(`\nall rounds (ms; tun: packets/s): ${JSON.stringify(raw)}`);
