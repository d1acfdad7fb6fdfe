// The undo paths of lib/link/create.ts and links.ts, driven by a fake kernel that refuses one step
// (test/unit/fake-binding.mjs): the alias step after a creation (createLink, and createVeth's
// peer), and deleteLinks' restore of every link's group. Against the real kernel these failures
// are hard to provoke at the right step; here each one is a single refusal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { C, installFakeKernel, nd } from './fake-binding.mjs';

/** A request as [type name, the fields that matter here], for readable sequences. */
function show(r) {
  const name = Object.keys(C).find((n) => n.startsWith('RTM_') && C[n] === r.type);
  const { index, name: ifname, group, alias } = r.link ?? {};
  const fields = Object.fromEntries(Object.entries({ index, name: ifname, group, alias }).filter(([, v]) => v !== undefined));
  return [name, fields];
}

const names = (kernel) => [...kernel.links.values()].map((l) => l.name).sort();

// createLink -------------------------------------------------------------------------------------

test('createBridge: when the alias step is refused after the creation, the new link is deleted and the refusal is thrown', async (t) => {
  const kernel = installFakeKernel(t);
  kernel.refuse((r) => r.type === C.RTM_NEWLINK && r.link.alias !== undefined, 'EINVAL', 'alias refused');
  await assert.rejects(nd.createBridge({ name: 'br0', alias: 'uplink' }), { code: 'EINVAL', message: /alias refused/ });
  const index = 2; // the fake kernel's first index
  assert.deepEqual(kernel.requests.map(show), [
    ['RTM_NEWLINK', { name: 'br0' }],
    ['RTM_GETLINK', { name: 'br0' }],
    ['RTM_NEWLINK', { index, alias: 'uplink' }],
    ['RTM_DELLINK', { index }], // the undo, by the new link's index (never by name)
  ]);
  assert.deepEqual(names(kernel), []);
});

test('createBridge: a failing undo does not hide the alias refusal', async (t) => {
  const kernel = installFakeKernel(t);
  kernel.refuse((r) => r.type === C.RTM_NEWLINK && r.link.alias !== undefined, 'EINVAL');
  kernel.refuse((r) => r.type === C.RTM_DELLINK, 'EBUSY');
  await assert.rejects(nd.createBridge({ name: 'br0', alias: 'uplink' }), { code: 'EINVAL' });
  assert.equal(kernel.requests.at(-1).type, C.RTM_DELLINK, 'the undo was tried');
});

test('createVeth: when the peer\'s alias is refused, the pair is deleted and the refusal is thrown', async (t) => {
  const kernel = installFakeKernel(t);
  kernel.refuse((r) => r.type === C.RTM_NEWLINK && r.link.alias !== undefined, 'EPERM');
  await assert.rejects(nd.createVeth({ name: 've0', peer: { name: 've1', alias: 'far end' } }), { code: 'EPERM' });
  // ve0 is index 2, its peer ve1 index 3.
  assert.deepEqual(kernel.requests.map(show).slice(2), [
    ['RTM_NEWLINK', { index: 3, alias: 'far end' }],
    ['RTM_DELLINK', { index: 2 }],
  ]);
  assert.deepEqual(names(kernel), []);
});

// deleteLinks ------------------------------------------------------------------------------------

/** Three links with groups of their own (0, 5, 0), and what deleteLinks was asked. */
function threeLinks(kernel, { undeletable = false } = {}) {
  const a = kernel.addLink({ name: 'a0' });
  const b = kernel.addLink({ name: 'b0', group: 5 });
  const c = kernel.addLink({ name: 'c0', undeletable });
  return [a, b, c];
}

const groups = (kernel) => Object.fromEntries([...kernel.links.values()].map((l) => [l.name, l.group]));

test('deleteLinks: when tagging one link fails, every link gets its own group back and none is deleted', async (t) => {
  const kernel = installFakeKernel(t);
  const [a, b, c] = threeLinks(kernel);
  kernel.refuse((r) => r.type === C.RTM_NEWLINK && r.link.index === b.index && r.link.group >= 0x40000000, 'EPERM');
  await assert.rejects(nd.deleteLinks(['a0', 'b0', 'c0']), { code: 'EPERM' });
  const seq = kernel.requests.map(show);
  const tag = seq[3][1].group;
  assert.deepEqual(seq, [
    ['RTM_GETLINK', { name: 'a0' }],
    ['RTM_GETLINK', { name: 'b0' }],
    ['RTM_GETLINK', { name: 'c0' }],
    ['RTM_NEWLINK', { index: a.index, group: tag }],
    ['RTM_NEWLINK', { index: b.index, group: tag }], // refused
    ['RTM_NEWLINK', { index: c.index, group: tag }],
    ['RTM_NEWLINK', { index: a.index, group: 0 }], // the restore: each its own group
    ['RTM_NEWLINK', { index: b.index, group: 5 }],
    ['RTM_NEWLINK', { index: c.index, group: 0 }],
  ]);
  assert.deepEqual(groups(kernel), { a0: 0, b0: 5, c0: 0 });
});

test('deleteLinks: when the group deletion is refused (a link that cannot go, like lo), every link gets its group back', async (t) => {
  const kernel = installFakeKernel(t);
  const [a, b, c] = threeLinks(kernel, { undeletable: true });
  await assert.rejects(nd.deleteLinks(['a0', 'b0', 'c0']), { code: 'ENOTSUP' }); // EOPNOTSUPP (95), as Node names it
  const seq = kernel.requests.map(show);
  const tag = seq[3][1].group;
  assert.deepEqual(seq.slice(6), [
    ['RTM_DELLINK', { group: tag }], // refused before deleting any
    ['RTM_NEWLINK', { index: a.index, group: 0 }],
    ['RTM_NEWLINK', { index: b.index, group: 5 }],
    ['RTM_NEWLINK', { index: c.index, group: 0 }],
  ]);
  assert.deepEqual(groups(kernel), { a0: 0, b0: 5, c0: 0 });
});

test('deleteLinks: a failing restore still reports the first failure, and restores the other links', async (t) => {
  const kernel = installFakeKernel(t);
  const [, b] = threeLinks(kernel, { undeletable: true });
  kernel.refuse((r) => r.type === C.RTM_NEWLINK && r.link.index === b.index && r.link.group === 5, 'ENOBUFS');
  await assert.rejects(nd.deleteLinks(['a0', 'b0', 'c0']), { code: 'ENOTSUP' }); // EOPNOTSUPP (95), as Node names it
  assert.deepEqual(groups(kernel), { a0: 0, b0: kernel.links.get(b.index).group, c0: 0 });
  assert.ok(kernel.links.get(b.index).group >= 0x40000000, 'b0 keeps the tag its restore could not undo');
});

test('deleteLinks: a missing link fails the call before any link is tagged', async (t) => {
  const kernel = installFakeKernel(t);
  threeLinks(kernel);
  await assert.rejects(nd.deleteLinks(['a0', 'nope0', 'c0']), { code: 'ENODEV' });
  assert.deepEqual(kernel.requests.map((r) => r.type), [C.RTM_GETLINK, C.RTM_GETLINK, C.RTM_GETLINK]);
  assert.deepEqual(names(kernel), ['a0', 'b0', 'c0']);
});

test('deleteLinks: with every step accepted, the links go in one group deletion', async (t) => {
  const kernel = installFakeKernel(t);
  const keep = kernel.addLink({ name: 'keep0' });
  threeLinks(kernel);
  await nd.deleteLinks(['a0', 'b0', 'c0']);
  const dels = kernel.requests.filter((r) => r.type === C.RTM_DELLINK);
  assert.equal(dels.length, 1);
  assert.ok(dels[0].link.group >= 0x40000000 && dels[0].link.group !== 5);
  assert.deepEqual(names(kernel), [keep.name]);
});
