#!/usr/bin/env node
// One measurement for bench/compare.mjs: `node bench/compare-worker.mjs TREE WORKLOAD` loads netdev
// from TREE's build (TREE/dist/esm/index.js: the package's public API as a user imports it), runs
// WORKLOAD once in its own process and prints one JSON line {"value": ...}. The parent starts it in
// a fresh network namespace; the rtnetlink workloads also use a fresh namespace per measurement,
// as bench/rtnetlink.mjs and bench/routes.mjs do (the same code, from bench/common.mjs). Only API
// that every compared revision exports is used (no netdev/testing: 45f11ea did not have it).
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, names, requireSandbox, rtnlWorkloads, time } from './common.mjs';
import { batchRun, forwardingOn } from './tun-loop.mjs';

const N = 1000; // veth pairs, addresses; the dump runs over lo + 1000 pairs = 2001 links
const ROUTES = 10000;
const DUMPS = 9;

/** The median of `k` runs of measure(), each resolving with its own figure. */
async function medianRuns(k, measure) {
  const t = [];
  for (let i = 0; i < k; i++) t.push(await measure());
  return median(t);
}

/** Seconds of `k` calls of fn after `warm` unmeasured ones; resolves with their median. */
async function medianOf(k, fn, warm = 2) {
  for (let i = 0; i < warm; i++) await fn();
  return medianRuns(k, () => time(fn));
}

/**
 * Each workload resolves with seconds (less is better) or, with `rate`, a rate (more is better).
 * A small unmeasured warm-up first lets the JIT compile the path, in both trees alike.
 */
export const WORKLOADS = {
  'veth.each': {
    label: `create ${N} veth pairs, awaiting each createVeth`,
    async run(w) {
      await w.fresh((ns) => w.vethsEach(ns, names('w', 100)));
      return w.fresh((ns) => w.vethsEach(ns, names('v', N)));
    },
  },
  'veth.together': {
    label: `create ${N} veth pairs, createVeth calls issued together`,
    async run(w) {
      await w.fresh((ns) => w.vethsTogether(ns, names('w', 100)));
      return w.fresh((ns) => w.vethsTogether(ns, names('v', N)));
    },
  },
  'addr.each': {
    label: `add ${N} IPv4 /32 to one link, awaiting each addAddress (median of 3)`,
    async run(w) {
      await w.withLink((ns, _n, link) => w.addrsEach(ns, link, 100));
      return medianRuns(3, () => w.withLink((ns, _n, link) => w.addrsEach(ns, link, N)));
    },
  },
  'addr.together': {
    label: `add ${N} IPv4 /32 to one link, addAddress calls issued together (median of 3)`,
    async run(w) {
      await w.withLink((ns, _n, link) => w.addrsTogether(ns, link, 100));
      return medianRuns(3, () => w.withLink((ns, _n, link) => w.addrsTogether(ns, link, N)));
    },
  },
  'link.dump': {
    label: `listLinks over ${2 * N + 1} links (median of ${DUMPS})`,
    run: (w, nd) =>
      w.fresh(async (ns) => {
        await w.vethsTogether(ns, names('d', N));
        const count = (await nd.listLinks({ netns: ns })).length;
        if (count !== 2 * N + 1) throw new Error(`dumped ${count} links`);
        return medianOf(DUMPS, () => nd.listLinks({ netns: ns }));
      }),
  },
  'route.add': {
    label: `add ${ROUTES.toLocaleString('en')} routes in one addRoutes call (median of 3)`,
    async run(w) {
      await w.withRouteLink((ns) => w.routesBulk(ns, ROUTES));
      return medianRuns(3, () => w.withRouteLink((ns) => w.routesBulk(ns, ROUTES)));
    },
  },
  'route.add-together': {
    label: `add ${ROUTES.toLocaleString('en')} routes, addRoute calls issued together (median of 3)`,
    async run(w) {
      await w.withRouteLink((ns) => w.routesTogether(ns, ROUTES));
      return medianRuns(3, () => w.withRouteLink((ns) => w.routesTogether(ns, ROUTES)));
    },
  },
  'route.dump': {
    label: `listRoutes over ${ROUTES.toLocaleString('en')} routes (median of ${DUMPS})`,
    run: (w) =>
      w.withRouteLink(async (ns) => {
        await w.routesBulk(ns, ROUTES);
        const count = (await w.dumpRoutes(ns)).length;
        if (count < ROUTES) throw new Error(`dumped ${count} routes`);
        return medianOf(DUMPS, () => w.dumpRoutes(ns));
      }),
  },
  tun: {
    label: 'TUN forward, 64 B packets, onPackets + writeBatch (2 s, window 256)',
    rate: true,
    async run(_w, nd) {
      forwardingOn();
      return (await batchRun(nd, { size: 64, seconds: 2, window: 256 })).pps;
    },
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  requireSandbox('bench:compare');
  const [tree, name] = process.argv.slice(2);
  const workload = WORKLOADS[name];
  if (!tree || !workload) {
    console.error(`usage: compare-worker.mjs TREE WORKLOAD (one of ${Object.keys(WORKLOADS).join(', ')})`);
    process.exit(2);
  }
  const nd = await import(pathToFileURL(join(tree, 'dist/esm/index.js')).href);
  console.log(JSON.stringify({ value: await workload.run(rtnlWorkloads(nd), nd) }));
  // A TUN reader's threadpool thread or a closed namespace's handle must not keep the process.
  process.exit(0);
}
