#!/usr/bin/env node
// rtnetlink benchmark (not a timed test): netdev vs a C reference loop (bench/ref.c: libmnl, one
// socket, one request at a time, waiting for each ACK) vs `ip` spawned per operation, measured in
// the same run, alternating, median of RUNS, each run in a fresh namespace. Run it with
// `npm run bench` (inside the sandbox: nothing touches the host). Unpinned on purpose: pinning
// Node to one CPU starves its GC/JIT threads (see docs/benchmarks.md). Also measures the event
// loop's delay while 200 createVeth + 200 addAddress run at once across 20 namespaces (a figure,
// formerly asserted by a test); `ONLY=loop` runs that part alone.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as netdev from 'netdev';
import { cReference, cref, ip4, loopDelay, machineLine, median, names as namesOf, requireSandbox, rtnlWorkloads, time } from './common.mjs';

const { addAddress, createNetns, createVeth, deleteLink, deleteLinks, listLinks } = netdev;
const { fresh, withLink, vethsEach, vethsTogether, addrsEach, addrsTogether } = rtnlWorkloads(netdev);

const run = promisify(execFile);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const RUNS = Number(process.env.RUNS ?? 3);
const N = 1000;

requireSandbox('bench');
const ONLY = process.env.ONLY;
if (ONLY !== undefined && ONLY !== 'loop') {
  console.error(`ONLY=${ONLY}: only ONLY=loop is known`);
  process.exit(2);
}
if (!ONLY) cReference();
const machine = await machineLine();
const names = (p) => namesOf(p, N);

// --- event-loop delay during a storm: 200 createVeth, each followed by its addAddress, issued
// at once across 20 namespaces; against the same monitor over an idle stretch of the same length.
const STORM_NS = 20;
const storms = [];
for (let r = 0; r < RUNS; r++) {
  const spaces = [];
  for (let i = 0; i < STORM_NS; i++) spaces.push(await createNetns());
  try {
    storms.push(
      await loopDelay(() =>
        Promise.all(
          spaces.flatMap((ns, n) =>
            Array.from({ length: 10 }, (_, i) =>
              createVeth({ name: `c${i}`, netns: ns, peer: { name: `c${i}p` } }).then((link) => addAddress(link, `10.${n}.${i}.1/24`, { netns: ns })),
            ),
          ),
        ),
      ),
    );
  } finally {
    for (const ns of spaces) ns.close();
  }
}
const idle = await loopDelay(() => new Promise((r) => setTimeout(r, Math.round(median(storms.map((s) => s.ms))))));
const loopLine = () => {
  const f = (k) => `${median(storms.map((s) => s[k])).toFixed(2)} ms`;
  const all = (k) => storms.map((s) => s[k].toFixed(2)).join(', ');
  return `event-loop delay during 200 createVeth + 200 addAddress at once across ${STORM_NS} namespaces (median of ${RUNS}): ` +
    `p99 ${f('p99')} [${all('p99')}], max ${f('max')} [${all('max')}], p50 ${f('p50')}, storm ${f('ms')}; ` +
    `idle for as long: p99 ${idle.p99.toFixed(2)} ms, max ${idle.max.toFixed(2)} ms`;
};
if (ONLY === 'loop') {
  console.log(`\n${loopLine()}\n${machine}`);
  process.exit(0);
}

const results = {};
function record(key, seconds) {
  (results[key] ??= []).push(seconds);
}

for (let r = 0; r < RUNS; r++) {
  process.stderr.write(`run ${r + 1}/${RUNS}\n`);
  // --- create 1000 veth pairs
  await fresh(async (ns) => record('veth.c', (await cref(ns, 'veth', N)).seconds));
  await fresh(async (ns) => record('veth.seq', await vethsEach(ns, names('v'))));
  await fresh(async (ns) => record('veth.conc', await vethsTogether(ns, names('v'))));
  await fresh(
    async (ns, name) =>
      record('veth.ip', await time(async () => {
        for (const v of names('v')) await run('ip', ['-n', name, 'link', 'add', v, 'type', 'veth', 'peer', 'name', `p${v}`]);
      })),
    { named: true },
  );
  // --- add 1000 IPv4 addresses to one link
  await withLink(async (ns, _n, link) => record('addr.c', (await cref(ns, 'addr', N, link.index)).seconds));
  await withLink(async (ns, _n, link) => record('addr.seq', await addrsEach(ns, link, N)));
  await withLink(async (ns, _n, link) => record('addr.conc', await addrsTogether(ns, link, N)));
  await withLink(
    async (ns, name) =>
      record('addr.ip', await time(async () => {
        for (let i = 1; i <= N; i++) await run('ip', ['-n', name, 'addr', 'add', ip4(i), 'dev', 'a0']);
      })),
    { named: true },
  );
}

// --- dump 2001 links (lo + 1000 veth pairs) into typed objects
await fresh(async (ns, name) => {
  await vethsTogether(ns, names('d'));
  const dumpC = await cref(ns, 'dump', 9);
  const t = [];
  let count = 0;
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    count = (await listLinks({ netns: ns })).length;
    t.push((performance.now() - t0) / 1000);
  }
  const mem = () => {
    gc();
    gc();
    return { rss: process.memoryUsage().rss, heapUsed: getHeapStatistics().used_heap_size };
  };
  // Memory held by the typed result: keep 5 results alive and divide (one is within GC noise).
  const m0 = mem();
  const held = [];
  for (let i = 0; i < 5; i++) held.push(await listLinks({ netns: ns }));
  const m1 = mem();
  const ipt = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    JSON.parse((await run('ip', ['-n', name, '-s', '-d', '-j', 'link', 'show'], { maxBuffer: 1 << 28 })).stdout);
    ipt.push((performance.now() - t0) / 1000);
  }
  results.dump = { links: dumpC.links, count, held: held[4].length, c: dumpC.seconds, netdev: median(t), ip: median(ipt), rssMiB: (m1.rss - m0.rss) / 5 / 2 ** 20, heapMiB: (m1.heapUsed - m0.heapUsed) / 5 / 2 ** 20 };
}, { named: true });

// --- tear down 1000 links: one group deletion vs one by one
const bulk = [];
for (let r = 0; r < RUNS; r++)
  await fresh(async (ns) => {
    await vethsTogether(ns, names('t'));
    bulk.push(await time(() => deleteLinks(names('t'), { netns: ns })));
  });
let oneByOne;
await fresh(async (ns) => {
  await vethsTogether(ns, names('t'));
  oneByOne = await time(async () => { for (const name of names('t')) await deleteLink(name, { netns: ns }); });
});

// --- report
const rate = (k) => N / median(results[k]);
const fmt = (x) => Math.round(x).toLocaleString('en-US');
const rows = [];
for (const [work, key] of [['create 1000 veth pairs', 'veth'], ['add 1000 IPv4 /32', 'addr']]) {
  const c = rate(`${key}.c`);
  rows.push([work, `${fmt(c)}/s`, `${fmt(rate(`${key}.seq`))}/s (${(rate(`${key}.seq`) / c).toFixed(2)}x)`,
    `${fmt(rate(`${key}.conc`))}/s (${(rate(`${key}.conc`) / c).toFixed(2)}x)`, `${fmt(rate(`${key}.ip`))}/s (${(rate(`${key}.ip`) / c).toFixed(3)}x)`]);
}
const d = results.dump;
rows.push([`dump ${d.links} links`, `${(d.c * 1000).toFixed(1)} ms`, `${(d.netdev * 1000).toFixed(1)} ms (${(d.netdev / d.c).toFixed(2)}x time), ${d.heapMiB.toFixed(2)} MiB JS heap and ${d.rssMiB.toFixed(2)} MiB RSS per held result`, '—', `${(d.ip * 1000).toFixed(1)} ms (ip -s -d -j + JSON.parse, ${(d.ip / d.c).toFixed(1)}x)`]);
const head = ['work', 'C reference (libmnl)', 'netdev, awaiting each', 'netdev, all at once', 'ip per operation'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => '| ' + r.map((x, i) => x.padEnd(widths[i])).join(' | ') + ' |';
console.log(`\nrtnetlink benchmark: median of ${RUNS} runs (dump: median of 9)\n${machine}\n`);
console.log(line(head));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
console.log(`\nteardown of 1000 veth pairs: deleteLinks (one group deletion) ${(median(bulk) * 1000).toFixed(1)} ms vs deleteLink one by one ${(oneByOne * 1000).toFixed(0)} ms: ${(oneByOne / median(bulk)).toFixed(0)}x faster`);
console.log(`dump returned ${d.count} typed Link objects (C counted ${d.links} messages); all runs: ${JSON.stringify(Object.fromEntries(Object.entries(results).filter(([k]) => k !== 'dump').map(([k, v]) => [k, v.map((s) => +(s * 1000).toFixed(1))])))} ms`);
console.log(loopLine());
