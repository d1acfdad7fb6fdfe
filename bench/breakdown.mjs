#!/usr/bin/env node
// Where the time goes (a benchmark, not a timed test): an awaited addAddress, an awaited
// createVeth, a 2,001-link listLinks and a 10,000-route listRoutes taken apart, each part measured
// on its own in the same run, against the C reference (bench/ref.c). `npm run bench:breakdown`,
// inside the sandbox.
//
// An awaited call = the JS side (netdev's code with a binding that answers at once: validation,
// coalescing, promises) + the native encode + the kernel's work (the C loop's time per request)
// + what is left: the hand-offs between the JS thread and an I/O thread and back. The hand-offs
// are also measured with the dispatcher's spinning turned off (NETDEV_SPIN_US=0, in a child
// process), which is what every hand-off costs when it is a wake-up.
//
// A dump = the kernel's dump as the C loop reads it + receiving it into the addon and handing
// the bytes to JS (a raw netlink() dump of the very request listLinks sends) + decoding into
// columns (rtnlDump) + building the Link objects (listLinks).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cref, ip4, machineLine, median, requireSandbox, rtnlWorkloads } from './common.mjs';

const require = createRequire(import.meta.url);
const nd = require('../dist/cjs/index.js');
const core = require('../dist/cjs/core/binding.js');
const real = core.binding();
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const RUNS = Number(process.env.RUNS ?? 5);
const N = 1000;
const us = (s) => `${(s * 1e6).toFixed(1)} µs`;
const ms = (s) => `${(s * 1000).toFixed(2)} ms`;

requireSandbox('bench:breakdown');

/** Per native call, the dispatcher's stages between two of its counters' readings (µs). */
function stages(a, b) {
  const n = b.completed - a.completed || 1;
  const per = (k) => (b[k] - a[k]) / n / 1000;
  return { pickup: per('pickupNs'), execute: per('executeNs'), deliver: per('deliverNs') };
}

/**
 * Seconds per awaited addAddress over N fresh /32s on a fresh veth, median of RUNS, and the
 * dispatcher's stages of the median run; the link given as its Link object, or by name.
 */
async function awaitedAddr(byName = false) {
  const each = [];
  const staged = [];
  for (let r = 0; r < RUNS; r++) {
    const ns = await nd.createNetns(undefined, { loopbackUp: false });
    try {
      const created = await nd.createVeth({ name: 'a0', netns: ns, peer: { name: 'a1' } });
      const link = byName ? 'a0' : created;
      for (let i = 1; i <= 50; i++) await nd.addAddress(link, ip4(100000 + i), { netns: ns }); // warm-up
      const s0 = real.dispatcherStats();
      const t0 = performance.now();
      for (let i = 1; i <= N; i++) await nd.addAddress(link, ip4(i), { netns: ns });
      each.push((performance.now() - t0) / 1000 / N);
      staged.push(stages(s0, real.dispatcherStats()));
    } finally {
      ns.close();
    }
  }
  return { each: median(each), stages: staged[each.indexOf(median(each))] };
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await awaitedAddr()));
  process.exit(0);
}

const machine = await machineLine();

// --- an awaited addAddress
const { each: total, stages: spun } = await awaitedAddr();
const { each: byName } = await awaitedAddr(true);
const { each: noSpin, stages: unspun } = JSON.parse(
  execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child'], { env: { ...process.env, NETDEV_SPIN_US: '0' }, encoding: 'utf8' }),
);
// The JS side: the same calls with a binding that answers at once (no thread, no kernel).
let captured;
core.setBindingForTesting({
  ...real,
  rtnl: (_ns, requests) => {
    captured ??= requests;
    return Promise.resolve(requests.map(() => undefined));
  },
});
const jsSide = [];
{
  const ns = await nd.createNetns(undefined, { loopbackUp: false });
  const link = { index: 7, name: 'a0' };
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 1; i <= N; i++) await nd.addAddress(link, ip4(i), { netns: ns });
    jsSide.push((performance.now() - t0) / 1000 / N);
  }
  ns.close();
}
core.setBindingForTesting(undefined);
// The native encode of the request addAddress sends.
const enc = [];
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 10 * N; i++) real.encode(captured);
  enc.push((performance.now() - t0) / 1000 / (10 * N));
}
// The kernel: the C loop, one request at a time, each ACK awaited.
const kernel = [];
for (let r = 0; r < RUNS; r++) {
  const ns = await nd.createNetns(undefined, { loopbackUp: false });
  const link = await nd.createVeth({ name: 'a0', netns: ns, peer: { name: 'a1' } });
  kernel.push((await cref(ns, 'addr', N, link.index)).seconds / N);
  ns.close();
}
const js = median(jsSide);
const encode = median(enc);
const c = median(kernel);

// --- an awaited createVeth: ~0.4 ms of kernel work, longer than any spin, so every hand-off is
// a wake-up; the dispatcher's stages show what they cost next to the kernel's work.
const veths = [];
for (let r = 0; r < RUNS; r++) {
  let ns = await nd.createNetns(undefined, { loopbackUp: false });
  const cVeth = (await cref(ns, 'veth', 300)).seconds / 300;
  ns.close();
  ns = await nd.createNetns(undefined, { loopbackUp: false });
  const s0 = real.dispatcherStats();
  const t0 = performance.now();
  for (let i = 0; i < 300; i++) await nd.createVeth({ name: `v${i}`, netns: ns, peer: { name: `pv${i}` } });
  veths.push({ c: cVeth, each: (performance.now() - t0) / 1000 / 300, stages: stages(s0, real.dispatcherStats()) });
  ns.close();
}
const veth = veths.sort((a, b) => a.each - b.each)[veths.length >> 1];

// --- dumps: 2,001 links and 10,000 routes, the same steps
const DUMPS = 30;
// Each step is timed after a full collection, so that no step pays for the garbage of another
// (the raw dumps' Buffers, for one); listLinks/listRoutes are also timed as users see them.
async function timeDumps(fn, collect = true) {
  for (let i = 0; i < 10; i++) await fn(); // warm-up: JIT, buffers
  const t = [];
  for (let i = 0; i < DUMPS; i++) {
    if (collect) gc();
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) / 1000);
  }
  return median(t);
}

/**
 * The steps of `list()` (listLinks or listRoutes in `ns`): the request it sends is caught with a
 * binding that passes it on, then sent raw (netlink()), through rtnlDump, and as the list; the C
 * loop runs `cArgs` in the same namespace.
 */
async function dumpSteps(ns, list, cArgs) {
  let req;
  core.setBindingForTesting({
    ...real,
    rtnlDump: (n, r) => {
      req ??= r;
      return real.rtnlDump(n, r);
    },
  });
  const count = (await list()).length;
  core.setBindingForTesting(undefined);
  const bytes = real.encode(req);
  // A native handle on the namespace (its own socket pool), as lib/ passes to the addon.
  const h = real.netnsFromFd(ns.fd);
  try {
    return {
      count,
      raw: await timeDumps(() => real.netlink(h, 0, bytes, true)),
      columns: await timeDumps(() => real.rtnlDump(h, req)),
      objects: await timeDumps(list),
      asUsed: await timeDumps(list, false),
      c: (await cref(ns, ...cArgs)).seconds,
    };
  } finally {
    h.close();
  }
}

const ns = await nd.createNetns(undefined, { loopbackUp: false });
await Promise.all(Array.from({ length: 1000 }, (_, i) => nd.createVeth({ name: `v${i}`, netns: ns, peer: { name: `p${i}` } })));
const links = await dumpSteps(ns, () => nd.listLinks({ netns: ns }), ['dump', 9]);
ns.close();
const { withRouteLink, routesBulk } = rtnlWorkloads(nd);
const routes = await withRouteLink(async (rns) => {
  await routesBulk(rns, 10000);
  return dumpSteps(rns, () => nd.listRoutes({ netns: rns, family: 4, table: 'all' }), ['rdump', 9]);
});

console.log(`\nWhere the time goes: an awaited addAddress (median of ${RUNS} x ${N}) and dumps (median of ${DUMPS} after 10 warm-up, each after a full collection)\n${machine}\n`);
console.log('| an awaited addAddress | per call | share |');
console.log('|---|---|---|');
const row = (name, s) => console.log(`| ${name} | ${us(s)} | ${((s / total) * 100).toFixed(0)}% |`);
row("the kernel's work (the C loop's time per request)", c);
row('the native encode', encode);
row("netdev's JS side (validation, coalescing, promises; a binding that answers at once)", js);
row('the hand-offs to an I/O thread and back (the rest)', Math.max(0, total - c - encode - js));
row('**total**', total);
console.log(`\nthe same by name ('a0', resolved by the name cache): ${us(byName)} per call`);
console.log(`the same with spinning off (NETDEV_SPIN_US=0: every hand-off a wake-up): ${us(noSpin)} per call, hand-offs ${us(Math.max(0, noSpin - c - encode - js))}; C: ${us(c)} per call (netdev ${(c / total).toFixed(2)}x, without spinning ${(c / noSpin).toFixed(2)}x)`);
const st = (x) => `pickup ${x.pickup.toFixed(1)} µs, execute ${x.execute.toFixed(1)} µs, deliver ${x.deliver.toFixed(1)} µs`;
console.log(`the dispatcher's stages per native call (its own clock): spinning ${st(spun)}; spinning off ${st(unspun)}`);
console.log(`\nan awaited createVeth (300 per run, median run): ${us(veth.each)} per call against the C loop's ${us(veth.c)} (${(veth.c / veth.each).toFixed(2)}x); dispatcher stages ${st(veth.stages)}`);

/** One dump's table: each step's time and what it adds. */
function dumpTable(what, d, cDoes, name, objects) {
  console.log(`\n| a dump of ${d.count} ${what} | time | step |`);
  console.log('|---|---|---|');
  console.log(`| the kernel's dump (the C loop: receive, ${cDoes}) | ${ms(d.c)} | |`);
  console.log(`| raw netlink() dump of ${name}' request: receive in the addon, bytes to JS | ${ms(d.raw)} | +${ms(d.raw - d.c)} |`);
  console.log(`| rtnlDump: + decode into columns (C++) | ${ms(d.columns)} | +${ms(d.columns - d.raw)} |`);
  console.log(`| ${name}: + the ${objects} objects (JS) | ${ms(d.objects)} | +${ms(d.objects - d.columns)} |`);
  console.log(`\n${name} as used (no collection forced between dumps, so each pays its share of garbage collection): ${ms(d.asUsed)}, ${(d.asUsed / d.c).toFixed(2)}x the C loop's time`);
}
dumpTable('links', links, 'count', 'listLinks', 'Link');
dumpTable('routes', routes, 'parse each into a struct', 'listRoutes', 'Route');
