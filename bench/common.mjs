// Shared by the rtnetlink benchmarks: the sandbox check, the libmnl C reference (built on first
// use or when ref.c changed), and small helpers (timing, event-loop delay).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

/** Exits unless running inside scripts/sandbox.mjs (npm run bench*). */
export function requireSandbox(script) {
  if (process.env.NETDEV_SANDBOX !== '1') {
    console.error(`run me with \`npm run ${script}\` (inside the sandbox)`);
    process.exit(2);
  }
}

/** The C reference binary (libmnl-dev, installed by .ci/run). */
export function cReference() {
  const ref = join(here, '.build/ref');
  if (!existsSync(ref) || statSync(ref).mtimeMs < statSync(join(here, 'ref.c')).mtimeMs) {
    mkdirSync(join(here, '.build'), { recursive: true });
    execFileSync('gcc', ['-O2', '-Wall', '-o', ref, join(here, 'ref.c'), '-lmnl'], { stdio: 'inherit' });
  }
  return ref;
}

/** Runs the C reference in a namespace handle's namespace; resolves with its JSON line. */
export async function cref(ns, ...args) {
  return JSON.parse((await run(cReference(), [`/proc/${process.pid}/fd/${ns.fd}`, ...args.map(String)])).stdout);
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function time(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/**
 * Runs fn while monitoring how late the event loop is (node's histogram, 1 ms resolution): how
 * long a timer or an I/O callback would have waited for the JS thread. Resolves with the wall
 * time and the delay's p50, p99 and max, in ms.
 */
export async function loopDelay(fn) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  h.disable();
  return { ms, p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}
