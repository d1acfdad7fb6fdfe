// The netlink dispatcher (native/napi/dispatcher.h): netlink requests run on a few dedicated I/O
// threads of this environment, which spin briefly for more work, and the event loop keeps turning
// for a while to collect replies without sleeping. These tests pin down what must hold whatever
// the machine's speed: the thread count is bounded, every request settles (in order for one
// caller), and the spinning stops once the work does.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { addAddress, createVeth, listAddresses, listLinks } from 'netdev';
import { withNetns, withNetnsN } from '../helpers.mjs';

const { binding } = createRequire(import.meta.url)('../../dist/cjs/core/binding.js');
const stats = () => binding().dispatcherStats();

test('at most 4 I/O threads, however many requests are in flight across namespaces', async () => {
  await withNetnsN(16, async (spaces) => {
    const before = stats().completed;
    const links = await Promise.all(spaces.flatMap((ns) => Array.from({ length: 8 }, (_, i) => createVeth({ name: `d${i}`, netns: ns, peer: { name: `d${i}p` } }))));
    assert.equal(links.length, 128);
    await Promise.all(spaces.map((ns) => listLinks({ netns: ns })));
    const after = stats();
    assert.ok(after.threads >= 1 && after.threads <= 4, `threads: ${after.threads}`);
    assert.ok(after.completed - before >= 16, `completed ${after.completed - before} native calls`);
    const counts = await Promise.all(spaces.map(async (ns) => (await listLinks({ netns: ns })).length));
    assert.deepEqual(counts, spaces.map(() => 17)); // lo and 8 pairs, in each
  });
});

test('awaited calls from one caller settle in order, each seeing the last one done', async () => {
  await withNetns(async (ns) => {
    const link = await createVeth({ name: 'o0', netns: ns, peer: { name: 'o1' } });
    for (let i = 1; i <= 50; i++) {
      await addAddress(link, `10.9.0.${i}/32`, { netns: ns });
      if (i % 10 === 0) assert.equal((await listAddresses({ netns: ns, link: 'o0', family: 4 })).length, i);
    }
  });
});

test('once the work is done, the process goes idle: no thread or loop keeps spinning', async () => {
  await withNetns(async (ns) => {
    const link = await createVeth({ name: 'i0', netns: ns, peer: { name: 'i1' } });
    for (let i = 1; i <= 200; i++) await addAddress(link, `10.8.${i >> 8}.${i & 255}/32`, { netns: ns });
    const turns = stats().spinTurns;
    // The loop stops spinning with its last reply; an I/O thread spins 100 µs at most after its
    // last request. Over the next 300 ms (a measuring window, not a wait for anything) the
    // process is idle.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const used = (cpu.user + cpu.system) / 1000;
    // An idle Node process uses a few ms of CPU in 300 ms (timers, GC); a spinning thread, ~300.
    assert.ok(used < wall / 4, `${used.toFixed(1)} ms of CPU in ${wall.toFixed(0)} ms of idle time`);
    assert.ok(stats().spinTurns - turns < 50, 'the event loop stopped spinning for replies');
  });
});

test('a request for one namespace completes beside six dumps of another in flight', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => createVeth({ name: `w${i}`, netns: a, peer: { name: `w${i}p` } })));
    const dumps = Array.from({ length: 6 }, () => listLinks({ netns: a }));
    const quick = createVeth({ name: 'q0', netns: b, peer: { name: 'q1' } });
    const [all, q] = await Promise.all([Promise.all(dumps), quick]);
    assert.deepEqual(all.map((l) => l.length), dumps.map(() => 401));
    assert.equal(q.name, 'q0');
  });
});
