#!/usr/bin/env node
// Worker-termination soak: worker_threads that use netdev are terminated (or call process.exit())
// while operations, watchers and TUN readers are live, many times; the process must survive, stay
// usable, and get every fd back. test/integration/workers.test.mjs runs each scenario in a child
// process (an abort or a segfault is a failed test, not a crashed runner) with a smaller count.
//
//   node scripts/sandbox.mjs node scripts/soak-workers.mjs [SCENARIO…] [--count N] [--concurrency C] [--verbose]
//
// Scenarios (all of them when none is given; each prints one JSON line):
//   terminate  workers looping on a failing getLink('missing0') and listLinks() in their own
//              fresh namespace, terminated at random points (starting up, or a few ms into the loop)
//   exit       workers calling process.exit() with operations in flight
//   watch      workers terminated with a live watch() seeing events
//   tun        workers terminated with a TUN device receiving packets (onPackets)
//   fds        workers opening and closing sockets and TUN devices in a loop, terminated at random
//              points: an fd the addon handed over just before the end is closed with the worker
//   unload     the main thread never loads netdev; a worker loads it, opens a TUN device and a
//              watcher, goes idle and is terminated (Node unloads the addon with the worker)
// After the scenarios: the fd count is back to its baseline, and the main thread can still use
// netdev (for `unload`, only then is it loaded in the main thread).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fdCount, fdMap } from './fds.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.NETDEV_SANDBOX !== '1') {
  console.error('soak-workers: run me through scripts/sandbox.mjs (it never touches the host network)');
  process.exit(2);
}

const args = process.argv.slice(2);
const option = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = Number(args.splice(i, 2)[1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer`);
  return v;
};
const count = option('--count', 1000);
const verbose = args.includes('--verbose') && args.splice(args.indexOf('--verbose'), 1).length > 0;
const concurrency = option('--concurrency', 2);
const all = ['terminate', 'exit', 'watch', 'tun', 'fds', 'unload'];
const scenarios = args.length ? args : all;
for (const s of scenarios) if (!all.includes(s)) throw new Error(`unknown scenario ${s}`);

const pkg = JSON.stringify(root);
const rand = (n) => Math.floor(Math.random() * n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Worker sources. Each posts 'go' once the interesting part is running.
const sources = {
  terminate: `
    const { parentPort } = require('node:worker_threads');
    const { createNetns, getLink, listLinks } = require(${pkg});
    (async () => {
      const ns = await createNetns();
      parentPort.postMessage('go');
      for (;;) {
        getLink('missing0', { netns: ns }).catch(() => {});
        listLinks({ netns: ns });
        try { await getLink('missing0', { netns: ns }); } catch {}
        await listLinks({ netns: ns });
      }
    })();`,
  exit: `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createNetns, getLink, listLinks, getSysctl } = require(${pkg});
    (async () => {
      const ns = await createNetns();
      for (let round = 0; ; round++) {
        for (let i = 0; i < 8; i++) {
          getLink('missing0', { netns: ns }).catch(() => {});
          listLinks({ netns: ns }).then(() => { if (workerData.inCallback && round >= workerData.rounds) process.exit(0); });
          getSysctl('net.ipv4.ip_forward', { netns: ns }).catch(() => {});
        }
        if (!workerData.inCallback && round >= workerData.rounds) process.exit(0);
        await new Promise((r) => setImmediate(r));
      }
    })();`,
  watch: `
    const { parentPort } = require('node:worker_threads');
    const { createNetns, watch, createVeth, deleteLink } = require(${pkg});
    (async () => {
      const ns = await createNetns();
      const w = watch({ netns: ns });
      w.on('link', () => {});
      w.on('address', () => {});
      await w.ready;
      parentPort.postMessage('go');
      for (let i = 0; ; i++) {
        await createVeth({ name: 'wv' + (i % 4), netns: ns, peer: { name: 'wp' + (i % 4) }, up: true });
        await deleteLink('wv' + (i % 4), { netns: ns });
      }
    })();`,
  tun: `
    const { parentPort } = require('node:worker_threads');
    const { createNetns, openTun, addAddress, setLink, createUdpSocket } = require(${pkg});
    (async () => {
      const ns = await createNetns();
      const dev = await openTun({ name: 'wt0', netns: ns });
      let packets = 0;
      dev.onPackets((b) => { packets += b.count; });
      await addAddress('wt0', '10.48.0.1/24', { netns: ns });
      await setLink('wt0', { up: true }, { netns: ns });
      const s = await createUdpSocket({ netns: ns, type: 'udp4' });
      s.on('error', () => {});
      parentPort.postMessage('go');
      const payload = Buffer.alloc(512);
      for (;;) {
        for (let i = 0; i < 16; i++) s.send(payload, 9, '10.48.0.' + (2 + (i % 8)));
        await new Promise((r) => setImmediate(r));
      }
    })();`,
  fds: `
    const { parentPort } = require('node:worker_threads');
    const { createNetns, createUdpSocket, createTcpServer, openTun } = require(${pkg});
    (async () => {
      const ns = await createNetns();
      parentPort.postMessage('go');
      for (let i = 0; ; i++) {
        const opens = [
          createUdpSocket({ netns: ns, type: 'udp4' }).then((s) => s.close()),
          createTcpServer({ netns: ns, host: '127.0.0.1' }).then((s) => s.close()),
          openTun({ netns: ns, name: 'wf' + (i % 4) }).then((d) => d.close()),
        ];
        await Promise.allSettled(opens);
      }
    })();`,
  unload: `
    const { parentPort } = require('node:worker_threads');
    const { createNetns, openTun, watch } = require(${pkg});
    (async () => {
      const ns = await createNetns();
      const dev = await openTun({ name: 'wu0', netns: ns });
      dev.onPackets(() => {});
      const w = watch({ netns: ns }).ref();
      w.on('link', () => {});
      await w.ready;
      parentPort.postMessage('go');
      // idle: the ref'd watcher keeps the worker alive until it is terminated
    })();`,
};

// One worker's life: how it ends depends on the scenario.
async function one(scenario, i) {
  const workerData = { rounds: rand(4), inCallback: i % 2 === 1 };
  const w = new Worker(sources[scenario], { eval: true, workerData, stdout: true, stderr: true });
  const exited = new Promise((resolve, reject) => {
    w.once('error', reject);
    w.once('exit', resolve);
  });
  const go = new Promise((resolve) => w.once('message', resolve));
  if (scenario === 'exit') {
    const code = await exited;
    if (code !== 0) throw new Error(`worker ${i} exited with ${code}`);
    return;
  }
  if (scenario === 'terminate' && i % 2 === 0) {
    // Anywhere in its life: while loading the addon, creating its namespace, or in the loop.
    await sleep(rand(40));
  } else {
    await Promise.race([go, exited]);
    await sleep(rand(scenario === 'unload' ? 3 : 8));
  }
  await w.terminate();
  await exited;
}


async function run(scenario) {
  const started = Date.now();
  const n = count;
  let next = 0;
  let done = 0;
  // One at a time for `unload`: each termination is then the last user of the addon.
  const lanes = Array.from({ length: scenario === 'unload' ? 1 : concurrency }, async () => {
    while (next < n) {
      const i = next++;
      await one(scenario, i);
      done++;
      if (verbose) process.stderr.write(`${scenario} ${done}\n`);
    }
  });
  await Promise.all(lanes);
  return { scenario, workers: done, ms: Date.now() - started };
}

// A worker first (not using netdev): Node's own lazily opened fds are in the baseline.
await new Promise((resolve) => new Worker('', { eval: true }).once('exit', resolve));
const baseline = fdCount();
const baselineTargets = fdMap();
for (const s of scenarios) {
  const r = await run(s);
  // Worker fds are closed when its environment is torn down, before 'exit' is emitted.
  r.fds = fdCount() - baseline;
  console.log(JSON.stringify(r));
  if (r.fds !== 0) {
    const extra = Object.entries(fdMap()).filter(([fd]) => !(fd in baselineTargets));
    console.error(`soak-workers: ${r.fds} fd(s) more than the baseline after ${s}: ${JSON.stringify(Object.fromEntries(extra.slice(0, 20)))}`);
    process.exit(1);
  }
}
// The main thread is healthy: it can load netdev (for `unload`: for the first time) and use it.
const { createNetns, listLinks } = await import('netdev');
const ns = await createNetns();
const links = await listLinks({ netns: ns });
ns.close();
if (links.length !== 1 || links[0].name !== 'lo') throw new Error('unexpected links ' + JSON.stringify(links));
console.log(JSON.stringify({ healthy: true, fds: fdCount() - baseline }));
