// The link name -> index cache (lib/netlink/names.ts): a name is looked up once while nothing
// changes, and any change to the namespace's links (made by netdev or by another process) is
// seen before the cache is read again, so a call by name never reaches a link that has lost it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { addAddress, createVeth, deleteLink, listAddresses, setLink } from 'netdev';
import { fdCount, rejectsWith, withNetns } from '../helpers.mjs';

const run = promisify(execFile);
const { binding } = createRequire(import.meta.url)('../../dist/cjs/core/binding.js');
const calls = () => binding().dispatcherStats().completed;
/** `ip ARGS` run by another process inside the namespace. */
const ipIn = (ns, ...args) => run('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...args]);
const v4 = async (ns, link) => (await listAddresses({ netns: ns, link, family: 4 })).map((a) => a.address);

/** Adds 10.7.0.N/32 to `name` until a call costs one native call (the cache is in use). */
async function untilCached(ns, name, from) {
  for (let i = from; i < from + 200; i++) {
    const before = calls();
    await addAddress(name, `10.7.0.${i}/32`, { netns: ns });
    if (calls() - before === 1) return i + 1;
  }
  assert.fail('the name was never served from the cache');
}

test('repeated calls by name look the name up once', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'n0', netns: ns, peer: { name: 'n1' } });
    const next = await untilCached(ns, 'n0', 1);
    const before = calls();
    for (let i = next; i < next + 20; i++) await addAddress('n0', `10.7.0.${i}/32`, { netns: ns });
    assert.equal(calls() - before, 20, 'one native call per addAddress, no lookups');
    assert.equal((await v4(ns, 'n0')).length, next + 19);
  });
});

test('a link renamed by another process is not reached by its old name; a new link of that name is', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'r0', netns: ns, peer: { name: 'r1' } });
    await untilCached(ns, 'r0', 1);
    await ipIn(ns, 'link', 'set', 'r0', 'name', 'old0');
    await rejectsWith(addAddress('r0', '10.7.1.1/32', { netns: ns }), 'ENODEV');
    await ipIn(ns, 'link', 'add', 'r0', 'type', 'veth', 'peer', 'name', 'r2');
    await addAddress('r0', '10.7.1.2/32', { netns: ns });
    assert.deepEqual(await v4(ns, 'r0'), ['10.7.1.2']);
    assert.ok(!(await v4(ns, 'old0')).includes('10.7.1.2'), 'the renamed link did not get it');
  });
});

test('a link deleted and made again under the same name by another process gets the call', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'd0', netns: ns, peer: { name: 'd1' } });
    await untilCached(ns, 'd0', 1);
    await ipIn(ns, 'link', 'del', 'd0');
    await ipIn(ns, 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd2');
    await addAddress('d0', '10.7.2.1/32', { netns: ns });
    assert.deepEqual(await v4(ns, 'd0'), ['10.7.2.1']);
  });
});

test("netdev's own rename and deletion are seen too", async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 's0', netns: ns, peer: { name: 's1' } });
    await untilCached(ns, 's0', 1);
    await setLink('s0', { name: 'moved0' }, { netns: ns });
    await rejectsWith(addAddress('s0', '10.7.3.1/32', { netns: ns }), 'ENODEV');
    await createVeth({ name: 's0', netns: ns, peer: { name: 's2' } });
    await untilCached(ns, 's0', 10);
    await deleteLink('s0', { netns: ns });
    await rejectsWith(addAddress('s0', '10.7.3.2/32', { netns: ns }), 'ENODEV');
  });
});

test('closing the namespace handle closes its cache: no descriptor is left behind', async () => {
  const before = fdCount();
  await withNetns(async (ns) => {
    await createVeth({ name: 'c0', netns: ns, peer: { name: 'c1' } });
    await untilCached(ns, 'c0', 1);
    assert.ok(fdCount() > before, 'the handle, its sockets and its monitor are open');
  });
  assert.equal(fdCount(), before);
});
