// Concurrency: many independent requests at once across many namespaces all succeed, and the
// JS thread stays free while they run (the work happens off it). How long the event loop waits
// during such a storm is a figure, measured by `npm run bench` (bench/rtnetlink.mjs, "event-loop
// delay"), not asserted here: it depends on the machine's load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addAddress, createVeth, listAddresses, listLinks } from 'netdev';
import { withNetnsN } from '../helpers.mjs';

test('200 concurrent createVeth + 200 addAddress across 20 namespaces; the event loop turns while they run', async (t) => {
  await withNetnsN(20, async (spaces) => {
    const total = 400;
    let settled = 0;
    const ops = [];
    for (const [n, ns] of spaces.entries())
      for (let i = 0; i < 10; i++)
        ops.push(
          createVeth({ name: `c${i}`, netns: ns, peer: { name: `c${i}p` } }).then((link) => {
            settled++;
            return addAddress(link, `10.${n}.${i}.1/24`, { netns: ns }).then(() => settled++);
          }),
        );
    // Callbacks scheduled after issuing everything. Were the requests carried out on the JS
    // thread, they would all have settled (their promises resolve in microtasks, which run before
    // any macrotask) by the time the first of these runs. Instead the loop keeps turning: a chain
    // of setImmediate counts the turns, and those that saw the storm half-way, until it is over.
    let first;
    let turns = 0;
    let between = 0;
    let storming = true;
    const turn = () => {
      first ??= settled;
      turns++;
      if (settled > 0 && settled < total) between++;
      if (storming) setImmediate(turn);
    };
    setImmediate(turn);
    let timerSaw;
    setTimeout(() => (timerSaw = settled), 0);
    await Promise.all(ops);
    storming = false;
    assert.equal(settled, total);
    assert.ok(first < total, `the first turn after issuing saw ${first} of ${total} settled`);
    assert.notEqual(timerSaw, undefined, 'a timer scheduled during the storm fired before it completed');
    assert.ok(timerSaw < total, `the timer saw ${timerSaw} of ${total} settled`);
    assert.ok(between > 0, `none of ${turns} turns came between the first and the last completion`);
    for (const [n, ns] of spaces.entries()) {
      const names = (await listLinks({ netns: ns, kind: 'veth' })).map((l) => l.name);
      for (let i = 0; i < 10; i++) assert.ok(names.includes(`c${i}`) && names.includes(`c${i}p`), `ns ${n} c${i}`);
      const addrs = (await listAddresses({ netns: ns, family: 4 })).map((a) => a.address);
      for (let i = 0; i < 10; i++) assert.ok(addrs.includes(`10.${n}.${i}.1`));
    }
    t.diagnostic(`${turns} event-loop turns during the storm, ${between} of them between the first and the last completion`);
  });
});
