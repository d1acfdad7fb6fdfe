// Concurrency: many independent requests at once across many namespaces all succeed, and the
// event loop stays responsive (the work happens off the JS thread).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { addAddress, createVeth, listAddresses, listLinks } from 'netdev';
import { withNetnsN } from '../helpers.mjs';

test('200 concurrent createVeth + 200 addAddress across 20 namespaces; event-loop p99 < 10 ms', async (t) => {
  await withNetnsN(20, async (spaces) => {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    const ops = [];
    for (const [n, ns] of spaces.entries())
      for (let i = 0; i < 10; i++)
        ops.push(
          createVeth({ name: `c${i}`, netns: ns, peer: { name: `c${i}p` } }).then((link) =>
            addAddress(link, `10.${n}.${i}.1/24`, { netns: ns }),
          ),
        );
    await Promise.all(ops);
    const ms = performance.now() - t0;
    h.disable();
    const p99 = h.percentile(99) / 1e6;
    const max = h.max / 1e6;
    for (const [n, ns] of spaces.entries()) {
      const names = (await listLinks({ netns: ns, kind: 'veth' })).map((l) => l.name);
      for (let i = 0; i < 10; i++) assert.ok(names.includes(`c${i}`) && names.includes(`c${i}p`), `ns ${n} c${i}`);
      const addrs = (await listAddresses({ netns: ns, family: 4 })).map((a) => a.address);
      for (let i = 0; i < 10; i++) assert.ok(addrs.includes(`10.${n}.${i}.1`));
    }
    t.diagnostic(`400 operations in ${ms.toFixed(1)} ms; event-loop delay p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms`);
    assert.ok(p99 < 10, `event-loop p99 ${p99} ms`);
  });
});
