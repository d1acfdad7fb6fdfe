// Packaging: ESM and CommonJS consumers share one instance; works inside worker_threads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import * as esm from 'netdev';
import { createNetns, createVeth, getLink } from 'netdev';

test('import and require give the same functions (one copy of the state)', () => {
  const cjs = createRequire(import.meta.url)('netdev');
  for (const name of ['createNetns', 'createVeth', 'createBridge', 'setLink', 'addAddress', 'listLinks', 'NetdevError'])
    assert.equal(esm[name], cjs[name], name);
});

test('worker_threads: each environment has its own native state; both work at once', async () => {
  const ns = await createNetns();
  try {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { openNetns, createVeth, listLinks } = require('netdev');
      (async () => {
        const ns = await openNetns({ fd: workerData.fd });
        const made = [];
        for (let i = 0; i < 20; i++) made.push((await createVeth({ name: workerData.prefix + i, netns: ns })).name);
        parentPort.postMessage({ made });
        // The dump waits for the others' creations: a dump that keeps being interrupted by them
        // fails EAGAIN after its retries (documented), which is not what this test is about.
        await new Promise((resolve) => parentPort.once('message', resolve));
        const seen = (await listLinks({ netns: ns, kind: 'veth' })).map((l) => l.name);
        ns.close();
        parentPort.postMessage({ made, seen });
      })().catch((e) => parentPort.postMessage({ error: String(e) }));`;
    const workers = ['wa', 'wb'].map((prefix) => new Worker(code, { eval: true, workerData: { fd: ns.fd, prefix } }));
    const next = (w) => new Promise((res, rej) => { w.once('message', res); w.once('error', rej); });
    const created = workers.map(next);
    // Meanwhile the main thread works in the same namespace.
    const mine = await Promise.all(Array.from({ length: 20 }, (_, i) => createVeth({ name: `m${i}`, netns: ns })));
    for (const c of await Promise.all(created)) assert.equal(c.error, undefined);
    const listed = workers.map(next);
    for (const w of workers) w.postMessage('list');
    const results = await Promise.all(listed);
    assert.equal(mine.length, 20);
    for (const [i, r] of results.entries()) {
      assert.equal(r.error, undefined);
      const prefix = ['wa', 'wb'][i];
      assert.deepEqual(r.made, Array.from({ length: 20 }, (_, j) => prefix + j));
      for (const name of r.made) assert.ok(r.seen.includes(name));
    }
    assert.equal((await getLink('wb19', { netns: ns })).kind, 'veth');
    assert.equal((await getLink('m19', { netns: ns })).kind, 'veth');
    await Promise.all(workers.map((w) => w.terminate()));
  } finally {
    ns.close();
  }
});

test('the sanitizer tier really runs the sanitized addon (scripts/sanitize.mjs)', (t) => {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  const addon = maps.split('\n').find((l) => l.endsWith('/netdev.node'))?.split(' ').pop();
  assert.ok(addon, 'the addon is loaded');
  const runtime = maps.includes('libclang_rt.asan');
  const instrumented = readFileSync(addon).includes('__asan_init');
  t.diagnostic(`addon ${addon}: ${instrumented ? 'ASan-instrumented' : 'plain'}; ASan runtime ${runtime ? 'loaded' : 'absent'}`);
  const sanitized = process.env.NETDEV_SANITIZED === '1';
  assert.equal(instrumented, sanitized);
  assert.equal(runtime, sanitized);
});
