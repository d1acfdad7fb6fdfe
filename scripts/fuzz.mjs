#!/usr/bin/env node
// Runs the native fuzz targets (native/fuzz) with libFuzzer inside Node, under ASan + UBSan:
//   node scripts/fuzz.mjs [--runs N | --seconds S] [--no-keep] [TARGET...]   (all targets by default)
//   node scripts/fuzz.mjs --replay TARGET FILE...                          (re-run saved inputs)
// Each target starts from its seeds (native/fuzz/corpus/TARGET, real kernel replies captured by
// scripts/fuzz-capture.mjs) plus what earlier runs kept in build/native/corpus/TARGET. A finding
// (sanitizer report, abort, uncaught exception, timeout, out-of-memory) leaves the input in
// build/native/findings/ and makes the run exit 1; --no-keep fuzzes into a scratch corpus removed
// afterwards. Each run is a child that dies with this process (spawnGuarded). Prints one line per target:
//   fuzz: TARGET  N execs in S s (R/s), cov E, corpus C: ok | FINDING …
// `npm test` runs a short run of every target (test/unit/fuzz.test.mjs); `npm run fuzz` a long one.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnGuarded } from './kernel-vm/spawn-guarded.mjs';
import { artifact, build, buildDir, root, sanitizerEnv } from './native.mjs';

const addon = () => artifact('netdev-fuzz');

/** The targets the fuzzing addon exports ({ name, what }). */
export async function targets() {
  const out = await runNode(`console.log(JSON.stringify(require(${JSON.stringify(addon())}).fuzzTargets()))`);
  if (out.code !== 0) throw new Error(`fuzz: cannot load the fuzzing addon:\n${out.output}`);
  return JSON.parse(out.output.trim().split('\n').pop());
}

function runNode(code) {
  return new Promise((resolve) => {
    const child = spawnGuarded(process.execPath, ['-e', code], { env: sanitizerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk) => (output += chunk);
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    child.on('close', (code, signal) => resolve({ code: code ?? 128, signal, output }));
  });
}

/**
 * Fuzzes one target for `runs` executions (or `seconds`). Resolves
 * { target, execs, seconds, rate, cov, corpus, finding } where finding is null or its first lines.
 */
export async function fuzzTarget(target, { runs, seconds, keep = true, maxLen = 16384 } = {}) {
  const seeds = join(root, 'native/fuzz/corpus', target);
  // New inputs go to the first directory: the kept corpus, or a scratch one in the build
  // directory, emptied before and after (so a killed run leaves nothing outside build/).
  const work = join(buildDir, keep ? 'corpus' : 'scratch', target);
  if (!keep) rmSync(work, { recursive: true, force: true });
  const findings = join(buildDir, 'findings');
  mkdirSync(work, { recursive: true });
  mkdirSync(findings, { recursive: true });
  const args = [
    `-max_len=${maxLen}`, '-timeout=10', '-rss_limit_mb=4096', '-print_final_stats=1', '-reload=0',
    `-artifact_prefix=${findings}/${target}-`, ...(runs ? [`-runs=${runs}`] : []),
    ...(seconds ? [`-max_total_time=${seconds}`] : []), work, seeds,
  ];
  const started = performance.now();
  const r = await runNode(`require(${JSON.stringify(addon())}).fuzz(${JSON.stringify(target)}, ${JSON.stringify(args)})`);
  const elapsed = (performance.now() - started) / 1000;
  if (!keep) rmSync(work, { recursive: true, force: true });
  const num = (re) => {
    const m = re.exec(r.output);
    return m ? Number(m[1]) : null;
  };
  const execs = num(/stat::number_of_executed_units:\s*(\d+)/);
  const covs = [...r.output.matchAll(/ cov: (\d+)/g)];
  const corpus = [...r.output.matchAll(/ corp: (\d+)\//g)];
  const done = /Done \d+ runs in \d+ second/.test(r.output);
  let finding = null;
  if (r.code !== 0 || !done) {
    const lines = r.output.split('\n');
    const at = lines.findIndex((l) => /ERROR: |runtime error|FINDING|deadly signal|Test unit written|timeout|out-of-memory/.test(l));
    finding = (at >= 0 ? lines.slice(Math.max(0, at - 2), at + 40) : lines.slice(-40)).join('\n');
  }
  return {
    target,
    execs,
    seconds: elapsed,
    rate: execs ? Math.round(execs / elapsed) : 0,
    cov: covs.length ? Number(covs.at(-1)[1]) : null,
    corpus: corpus.length ? Number(corpus.at(-1)[1]) : null,
    finding,
  };
}

/** Runs each saved input once (a regression replay of findings). */
export async function replay(target, files) {
  const code = `const a = require(${JSON.stringify(addon())}); const fs = require('fs');
for (const f of ${JSON.stringify(files)}) { a.fuzzOne(${JSON.stringify(target)}, fs.readFileSync(f)); console.log('replayed ' + f); }`;
  return runNode(code);
}

export const seedFiles = (target) =>
  readdirSync(join(root, 'native/fuzz/corpus', target)).map((f) => join(root, 'native/fuzz/corpus', target, f));

export const line = (r) =>
  `fuzz: ${r.target.padEnd(8)} ${r.execs ?? '?'} execs in ${r.seconds.toFixed(1)} s (${r.rate}/s), cov ${r.cov}, corpus ${r.corpus}: ${r.finding ? 'FINDING' : 'ok'}`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const [, value] = argv.splice(i, 2);
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      console.error(`fuzz: ${name} needs a positive integer (got ${value})`);
      process.exit(2);
    }
    return n;
  };
  build(['netdev-fuzz']);
  if (argv[0] === '--replay') {
    const r = await replay(argv[1], argv.slice(2));
    process.stdout.write(r.output);
    process.exit(r.code);
  }
  const runs = opt('--runs');
  const seconds = opt('--seconds');
  const keep = !argv.includes('--no-keep');
  const names = argv.filter((a) => !a.startsWith('--'));
  const all = (await targets()).map((t) => t.name);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) {
    console.error(`fuzz: no such target: ${unknown.join(', ')} (targets: ${all.join(', ')})`);
    process.exit(2);
  }
  let failed = 0;
  for (const t of names.length ? names : all) {
    const r = await fuzzTarget(t, { runs: runs ?? (seconds ? undefined : 100000), seconds, keep });
    console.log(line(r));
    if (r.finding) {
      failed++;
      console.log(r.finding);
    }
  }
  process.exit(failed ? 1 : 0);
}
