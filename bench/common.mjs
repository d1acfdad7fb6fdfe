// Shared by the benchmarks: the sandbox check, the libmnl C reference (built on first use or when
// ref.c changed), the rtnetlink workloads bound to a netdev module (the package, or another
// revision's build for bench/compare.mjs), the machine's wake-up cost, and small helpers (timing,
// event-loop delay).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { access } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';

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

/** `${p}0` .. `${p}${n - 1}`. */
export const names = (p, n) => Array.from({ length: n }, (_, i) => `${p}${i}`);
/** The i-th IPv4 /32 of the address benchmarks (11.0.0.i and up). */
export const ip4 = (i) => `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
/** The i-th destination of the route benchmarks (12.0.0.1 and up). */
export const routeDst = (i) => {
  const a = 0x0c000000 + i + 1;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
};

/**
 * The rtnetlink workloads of the benchmarks, bound to one netdev module `nd`: the package itself,
 * or another revision's build (bench/compare-worker.mjs), so that both are measured by one code.
 * The timed ones resolve with seconds.
 */
export function rtnlWorkloads(nd) {
  /**
   * fn(ns, name) in a fresh namespace. Its links are deleted in one operation before it goes, so
   * that a dying namespace full of devices does not hold the kernel's locks during the next
   * measurement. lo stays down, as when docs/benchmarks.md was recorded.
   */
  async function fresh(fn, { named = false } = {}) {
    const name = `bench${Math.floor(Math.random() * 1e9)}`;
    const ns = await nd.createNetns(named ? name : undefined, { loopbackUp: false });
    try {
      return await fn(ns, name);
    } finally {
      const links = (await nd.listLinks({ netns: ns })).filter((l) => l.name !== 'lo').map((l) => l.index);
      if (links.length) await nd.deleteLinks(links, { netns: ns });
      ns.close();
      if (named) await nd.deleteNetns(name);
    }
  }
  const veth = (ns, name) => nd.createVeth({ name, netns: ns, peer: { name: `p${name}` } });
  const route = (ns, i) => nd.addRoute({ netns: ns, destination: routeDst(i), device: 'rt0' });
  return {
    fresh,
    /** fn(ns, name, link) in a fresh namespace holding the veth a0 (peer a1). */
    withLink: (fn, opts) => fresh(async (ns, name) => fn(ns, name, await nd.createVeth({ name: 'a0', netns: ns, peer: { name: 'a1' } })), opts),
    /**
     * fn(ns, index of rt0) in a fresh namespace with one veth up (rt0, peer rt1) that the routes go
     * through; lo down (no 127/8 or ::1 routes in the dumps). Closed without deleting its links.
     */
    async withRouteLink(fn) {
      const ns = await nd.createNetns(undefined, { loopbackUp: false });
      try {
        await nd.createVeth({ name: 'rt0', netns: ns, up: true, peer: { name: 'rt1', up: true } });
        return await fn(ns, (await nd.getLink('rt0', { netns: ns })).index);
      } finally {
        ns.close();
      }
    },
    /** Creates the veth pairs `list` (peers p<name>), awaiting each call. */
    vethsEach: (ns, list) => time(async () => { for (const name of list) await veth(ns, name); }),
    /** Creates the veth pairs `list` (peers p<name>), calls issued together. */
    vethsTogether: (ns, list) => time(() => Promise.all(list.map((name) => veth(ns, name)))),
    /** Adds ip4(1..n) to `link`, awaiting each call. */
    addrsEach: (ns, link, n) => time(async () => { for (let i = 1; i <= n; i++) await nd.addAddress(link, ip4(i), { netns: ns }); }),
    /** Adds ip4(1..n) to `link`, calls issued together. */
    addrsTogether: (ns, link, n) => time(() => Promise.all(Array.from({ length: n }, (_, i) => nd.addAddress(link, ip4(i + 1), { netns: ns })))),
    /** Adds routeDst(from .. from + n - 1) through rt0 with addRoute, calls issued together. */
    routesTogether: (ns, n, from = 0) => time(() => Promise.all(Array.from({ length: n }, (_, i) => route(ns, from + i)))),
    /** The same routes with addRoute, awaiting each call. */
    routesEach: (ns, n) => time(async () => { for (let i = 0; i < n; i++) await route(ns, i); }),
    /** The same routes in one addRoutes call (throws if any failed). */
    async routesBulk(ns, n) {
      const specs = Array.from({ length: n }, (_, i) => ({ destination: routeDst(i), device: 'rt0' }));
      let results;
      const secs = await time(async () => {
        results = await nd.addRoutes(specs, { netns: ns });
      });
      if (results.some(Boolean)) throw new Error('addRoutes failed');
      return secs;
    },
    /** Every IPv4 route of every table, as typed Route objects. */
    dumpRoutes: (ns) => nd.listRoutes({ netns: ns, family: 4, table: 'all' }),
  };
}

/**
 * What a wake-up costs on this machine, in µs (median of `n`): a round trip between two threads
 * that wait on a futex (Atomics.wait/notify: the C semaphore ping-pong of the control-plane note),
 * and a bare threadpool hop from Node (fs.promises.access), which every awaited netdev call pays
 * at least once. Figures from machines whose wake-ups differ are not comparable.
 */
export async function wakeupCost(n = 2000) {
  const hop = [];
  for (let i = 0; i < n + 100; i++) {
    const t0 = performance.now();
    await access('/');
    if (i >= 100) hop.push((performance.now() - t0) * 1000);
  }
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const peer = new Worker(
    `const a = new Int32Array(require('node:worker_threads').workerData);
    for (;;) { Atomics.wait(a, 0, 0); if (Atomics.load(a, 0) === 2) break; Atomics.store(a, 0, 0); Atomics.notify(a, 0); }`,
    { eval: true, workerData: flag.buffer },
  );
  await new Promise((resolve) => peer.once('online', resolve));
  const trip = [];
  for (let i = 0; i < n + 100; i++) {
    const t0 = performance.now();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    Atomics.wait(flag, 0, 1);
    if (i >= 100) trip.push((performance.now() - t0) * 1000);
  }
  Atomics.store(flag, 0, 2);
  Atomics.notify(flag, 0);
  await new Promise((resolve) => peer.once('exit', resolve));
  return { pingPong: median(trip), threadpoolHop: median(hop) };
}

/**
 * The header line that tells machines apart, printed by every benchmark: CPUs, kernel, Node, load
 * and the wake-up cost (wakeupCost()) measured now. Figures are comparable only between machines
 * (or moments) whose wake-up costs agree.
 */
export async function machineLine() {
  const w = await wakeupCost();
  const kernel = execFileSync('uname', ['-r']).toString().trim();
  return `machine: ${cpus().length} CPUs, kernel ${kernel}, Node ${process.version}, load average ${loadavg()[0].toFixed(2)}; ` +
    `wake-up cost: thread ping-pong over a futex ${w.pingPong.toFixed(1)} µs, threadpool hop ${w.threadpoolHop.toFixed(1)} µs (median of 2000)`;
}
