// watch()'s resync (lib/events/events.ts): when the kernel drops notifications (ENOBUFS), the
// watcher dumps again and emits exactly the difference against what it knew. Driven through the
// fake kernel (test/unit/fake-binding.mjs), whose monitor reports the overflow on demand and
// whose table changes without any notification: what the kernel would have said, and dropped.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { C, addrMessage, installFakeKernel, nd } from './fake-binding.mjs';

// A broken resync may never say 'synced' again: fail then, rather than hang.
const bounded = { timeout: 10_000 };

const addr = (n, extra = {}) => ({ family: C.AF_INET, prefixLength: 24, index: 2, local: `10.0.0.${n}`, ...extra });

/** A fake kernel with link 2 holding 10.0.0.1-3/24, and a ready address watcher on it. */
async function watching(t) {
  const kernel = installFakeKernel();
  const link = kernel.addLink({ name: 'd0' });
  assert.equal(link.index, 2);
  for (const n of [1, 2, 3]) kernel.addAddr(addr(n));
  const w = nd.watch({ address: true });
  t.after(() => {
    w.close();
    kernel.uninstall();
  });
  const events = [];
  w.on('event', (e) => events.push(e.kind === 'address' ? [e.type, e.address.address, e.address.scope] : [e.kind]));
  await w.ready;
  assert.deepEqual(events, [['synced']]);
  events.length = 0;
  return { kernel, w, events, monitor: kernel.monitors[0] };
}

test('watch: after ENOBUFS the watcher re-dumps and emits exactly the additions, changes and deletions', bounded, async (t) => {
  const { kernel, w, events } = await watching(t);
  // Unnotified changes: 10.0.0.1 gone, 10.0.0.3 now link-scoped, 10.0.0.4 new, 10.0.0.2 as it was.
  kernel.deleteAddr(addr(1));
  kernel.addAddr(addr(3, { scope: C.RT_SCOPE_LINK }));
  kernel.addAddr(addr(4));
  const synced = once(w, 'synced');
  kernel.overflow();
  await synced;
  assert.deepEqual(events, [
    ['resync'],
    ['change', '10.0.0.3', 'link'],
    ['add', '10.0.0.4', 'global'],
    ['delete', '10.0.0.1', 'global'],
    ['synced'],
  ]);
});

test('watch: the resync drops what the socket still queued, then reads on', bounded, async (t) => {
  const { kernel, w, monitor } = await watching(t);
  monitor.ops.length = 0;
  const synced = once(w, 'synced');
  kernel.overflow();
  await synced;
  assert.deepEqual(monitor.ops, ['drop', 'start']);
  assert.deepEqual(
    kernel.calls.filter((c) => c.fn === 'rtnlDump').map((c) => c.request.type),
    [C.RTM_GETADDR, C.RTM_GETADDR],
    'the initial dump, then one for the resync',
  );
});

test('watch: after a resync, the watcher knows the dumped state (a later notification is a change, not an add)', bounded, async (t) => {
  const { kernel, w, events } = await watching(t);
  kernel.addAddr(addr(4));
  const synced = once(w, 'synced');
  kernel.overflow();
  await synced;
  events.length = 0;
  kernel.notify([addrMessage(C.RTM_NEWADDR, addr(4)), addrMessage(C.RTM_DELADDR, addr(2))]);
  assert.deepEqual(events, [['change', '10.0.0.4', 'global'], ['delete', '10.0.0.2', 'global']]);
});

test('watch: a notification that arrives during the resync is applied after the dump, not undone by it', bounded, async (t) => {
  const { kernel, w, events } = await watching(t);
  const added = once(w, 'address'); // the first address event: after the resync's 'synced'
  kernel.overflow(); // the dump is taken now (the fake answers with the table as it is)
  kernel.addAddr(addr(5));
  kernel.notify([addrMessage(C.RTM_NEWADDR, addr(5))]); // newer than the dump
  await added;
  assert.deepEqual(events, [['resync'], ['synced'], ['add', '10.0.0.5', 'global']]);
});

test('watch: an overflow during a resync starts another round once it is done', bounded, async (t) => {
  const { kernel, w, events } = await watching(t);
  let synced = 0;
  const twice = new Promise((resolve) => w.on('synced', () => ++synced === 2 && resolve()));
  kernel.overflow();
  kernel.addAddr(addr(6));
  kernel.overflow(); // lost again while catching up
  await twice;
  assert.deepEqual(events, [['resync'], ['synced'], ['resync'], ['add', '10.0.0.6', 'global'], ['synced']]);
});
