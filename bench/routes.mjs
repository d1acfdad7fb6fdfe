#!/usr/bin/env node
// Route benchmark (not a timed test): adding 10,000 routes and dumping them, netdev vs the C
// reference loop (bench/ref.c: libmnl, one request at a time, each ACK awaited) in the same run,
// alternating, median of RUNS, each run in a fresh namespace. `npm run bench:routes` (inside the
// sandbox: nothing touches the host). Unpinned, like the other benches.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as netdev from 'netdev';
import { cReference, cref, machineLine, median, requireSandbox, rtnlWorkloads } from './common.mjs';

const { withRouteLink: fresh, routesTogether, routesBulk, routesEach, dumpRoutes } = rtnlWorkloads(netdev);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const RUNS = Number(process.env.RUNS ?? 3);
const N = Number(process.env.ROUTES ?? 10000);
const DUMPS = 9;

requireSandbox('bench:routes');
const machine = await machineLine();
cReference();

// Warm-up (not measured): the JIT compiles netdev's add and dump paths, as a long-running
// orchestrator's would be; the C loop has nothing to warm.
await fresh(async (ns) => {
  for (let pass = 0; pass < 2; pass++) await routesTogether(ns, N, pass * N);
  for (let i = 0; i < 5; i++) await dumpRoutes(ns);
});
await fresh((ns) => routesBulk(ns, N));

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
    nd.together.push(N / (await routesTogether(ns, N)));
    // Dumps into typed Route objects (the same IPv4 routes the C loop counts).
    const times = [];
    let held;
    gc();
    const rss0 = process.memoryUsage().rss;
    const heap0 = getHeapStatistics().used_heap_size;
    for (let i = 0; i < DUMPS; i++) {
      const t0 = performance.now();
      held = await dumpRoutes(ns);
      times.push((performance.now() - t0) / 1000);
    }
    gc();

    nd.heap.push((getHeapStatistics().used_heap_size - heap0) / 2 ** 20);
    nd.rss.push((process.memoryUsage().rss - rss0) / 2 ** 20);
    nd.rssAbs.push(process.memoryUsage().rss / 2 ** 20);
    if (held.length < N) throw new Error(`dumped ${held.length} routes`);
    nd.dump.push(median(times));
  });
  await fresh(async (ns) => nd.bulk.push(N / (await routesBulk(ns, N))));
  await fresh(async (ns) => nd.each.push(N / (await routesEach(ns, N))));
}

const f = (x) => `${Math.round(x).toLocaleString('en')}/s`;
const ms = (x) => `${(x * 1000).toFixed(1)} ms`;
console.log(`\nRoutes: ${N} IPv4 /32 routes through a veth, fresh namespace per run, median of ${RUNS} (dumps: median of ${DUMPS} per run)\n${machine}\n`);
const x = (a) => `${f(median(a))} (${(median(a) / median(c.add)).toFixed(2)}x)`;
console.log('| work | C reference (libmnl) | netdev addRoutes (one call) | netdev addRoute, calls issued together | netdev addRoute, awaiting each call | target |');
console.log('|---|---|---|---|---|---|');
console.log(`| add ${N} routes | ${f(median(c.add))} | ${x(nd.bulk)} | ${x(nd.together)} | ${x(nd.each)} | >= 0.8x |`);
console.log(`| dump ${counted} IPv4 routes (C parses each into a struct; netdev builds Route objects) | ${ms(median(c.dump))} | ${ms(median(nd.dump))} (${(median(nd.dump) / median(c.dump)).toFixed(2)}x time) | | | <= 2x |`);
console.log(`\nnetdev dump memory: JS heap held by one result ${median(nd.heap).toFixed(2)} MiB; process RSS after the dumps ${median(nd.rssAbs).toFixed(0)} MiB (change over ${DUMPS} dumps, after a collection: ${median(nd.rss).toFixed(1)} MiB)`);
console.log(`all runs: ${JSON.stringify({ cAdd: c.add.map(Math.round), bulk: nd.bulk.map(Math.round), together: nd.together.map(Math.round), each: nd.each.map(Math.round), cDump: c.dump.map((x) => +(x * 1000).toFixed(2)), dump: nd.dump.map((x) => +(x * 1000).toFixed(2)) })}`);
