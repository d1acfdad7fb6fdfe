#!/usr/bin/env node
// Route benchmark (not a timed test): adding 10,000 routes and dumping them, netdev vs the C
// reference loop (bench/ref.c: libmnl, one request at a time, each ACK awaited) in the same run,
// alternating, median of RUNS, each run in a fresh namespace. `npm run bench:routes` (inside the
// sandbox: nothing touches the host). Unpinned, like the other benches.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addRoute, addRoutes, createNetns, createVeth, getLink, listRoutes } from 'netdev';
import { cReference, cref, median, requireSandbox, time } from './common.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const RUNS = Number(process.env.RUNS ?? 3);
const N = Number(process.env.ROUTES ?? 10000);
const DUMPS = 9;

requireSandbox('bench:routes');
cReference();
const dst = (i) => {
  const a = 0x0c000000 + i + 1;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
};

/** A fresh namespace with one veth up: routes go through it. */
async function fresh(fn) {
  // lo stays down, as when docs/benchmarks.md was recorded (no 127/8 or ::1 routes in the dumps).
  const ns = await createNetns(undefined, { loopbackUp: false });
  try {
    await createVeth({ name: 'rt0', netns: ns, up: true, peer: { name: 'rt1', up: true } });
    return await fn(ns, (await getLink('rt0', { netns: ns })).index);
  } finally {
    ns.close();
  }
}

// Warm-up (not measured): the JIT compiles netdev's add and dump paths, as a long-running
// orchestrator's would be; the C loop has nothing to warm.
await fresh(async (ns) => {
  for (let pass = 0; pass < 2; pass++)
    await Promise.all(Array.from({ length: N }, (_, i) => addRoute({ netns: ns, destination: dst(i + pass * N), device: 'rt0' })));
  for (let i = 0; i < 5; i++) await listRoutes({ netns: ns, family: 4, table: 'all' });
});
await fresh(async (ns) => {
  await addRoutes(Array.from({ length: N }, (_, i) => ({ destination: dst(i), device: 'rt0' })), { netns: ns });
});

const c = { add: [], dump: [] };
const nd = { together: [], bulk: [], each: [], dump: [], rss: [], rssAbs: [], heap: [] };
let counted = 0;
for (let r = 0; r < RUNS; r++) {
  await fresh(async (ns, idx) => {
    c.add.push(N / (await cref(ns, 'route', N, idx)).seconds);
    const d = await cref(ns, 'rdump', DUMPS);
    c.dump.push(d.seconds);
    counted = d.routes;
  });
  await fresh(async (ns) => {
    const secs = await time(() => Promise.all(Array.from({ length: N }, (_, i) => addRoute({ netns: ns, destination: dst(i), device: 'rt0' }))));
    nd.together.push(N / secs);
    // Dumps into typed Route objects (the same IPv4 routes the C loop counts).
    const times = [];
    let held;
    gc();
    const rss0 = process.memoryUsage().rss;
    const heap0 = getHeapStatistics().used_heap_size;
    for (let i = 0; i < DUMPS; i++) {
      const t0 = performance.now();
      held = await listRoutes({ netns: ns, family: 4, table: 'all' });
      times.push((performance.now() - t0) / 1000);
    }
    gc();

    nd.heap.push((getHeapStatistics().used_heap_size - heap0) / 2 ** 20);
    nd.rss.push((process.memoryUsage().rss - rss0) / 2 ** 20);
    nd.rssAbs.push(process.memoryUsage().rss / 2 ** 20);
    if (held.length < N) throw new Error(`dumped ${held.length} routes`);
    nd.dump.push(median(times));
  });
  await fresh(async (ns) => {
    const specs = Array.from({ length: N }, (_, i) => ({ destination: dst(i), device: 'rt0' }));
    let results;
    const secs = await time(async () => {
      results = await addRoutes(specs, { netns: ns });
    });
    if (results.some(Boolean)) throw new Error('addRoutes failed');
    nd.bulk.push(N / secs);
  });
  await fresh(async (ns) => {
    const secs = await time(async () => {
      for (let i = 0; i < N; i++) await addRoute({ netns: ns, destination: dst(i), device: 'rt0' });
    });
    nd.each.push(N / secs);
  });
}

const f = (x) => `${Math.round(x).toLocaleString('en')}/s`;
const ms = (x) => `${(x * 1000).toFixed(1)} ms`;
console.log(`\nRoutes: ${N} IPv4 /32 routes through a veth, fresh namespace per run, median of ${RUNS} (dumps: median of ${DUMPS} per run)\n`);
const x = (a) => `${f(median(a))} (${(median(a) / median(c.add)).toFixed(2)}x)`;
console.log('| work | C reference (libmnl) | netdev addRoutes (one call) | netdev addRoute, calls issued together | netdev addRoute, awaiting each call | target |');
console.log('|---|---|---|---|---|---|');
console.log(`| add ${N} routes | ${f(median(c.add))} | ${x(nd.bulk)} | ${x(nd.together)} | ${x(nd.each)} | >= 0.8x |`);
console.log(`| dump ${counted} IPv4 routes (C parses each into a struct; netdev builds Route objects) | ${ms(median(c.dump))} | ${ms(median(nd.dump))} (${(median(nd.dump) / median(c.dump)).toFixed(2)}x time) | | | <= 2x |`);
console.log(`\nnetdev dump memory: JS heap held by one result ${median(nd.heap).toFixed(2)} MiB; process RSS after the dumps ${median(nd.rssAbs).toFixed(0)} MiB (change over ${DUMPS} dumps, after a collection: ${median(nd.rss).toFixed(1)} MiB)`);
console.log(`all runs: ${JSON.stringify({ cAdd: c.add.map(Math.round), bulk: nd.bulk.map(Math.round), together: nd.together.map(Math.round), each: nd.each.map(Math.round), cDump: c.dump.map((x) => +(x * 1000).toFixed(2)), dump: nd.dump.map((x) => +(x * 1000).toFixed(2)) })}`);
