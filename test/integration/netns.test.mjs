// Namespaces: iproute2-compatible named namespaces, anonymous lifetimes, every way to refer to one.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createNetns, createVeth, deleteNetns, getLink, listLinks, listNetns, openNetns } from 'netdev';
import { fdMap, rejectsWith, waitFor, withNetns } from '../helpers.mjs';

const run = promisify(execFile);
const unique = (p) => `${p}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;

test('a named namespace is what `ip netns add` makes: ip netns list/exec see it', async () => {
  const name = unique('named');
  const ns = await createNetns(name);
  try {
    assert.ok((await listNetns()).includes(name));
    const { stdout } = await run('ip', ['-j', 'netns', 'list']);
    assert.ok(JSON.parse(stdout).some((e) => e.name === name));
    // A link made through netdev is visible through `ip netns exec`.
    await createVeth({ name: 'seen0', netns: name });
    const exec = await run('ip', ['netns', 'exec', name, 'ip', '-j', 'link', 'show', 'seen0']);
    assert.equal(JSON.parse(exec.stdout)[0].ifname, 'seen0');
    // And one made by ip is visible to netdev, through the name and through the handle.
    await run('ip', ['-n', name, 'link', 'add', 'byip0', 'type', 'veth', 'peer', 'name', 'byip1']);
    assert.equal((await getLink('byip0', { netns: name })).kind, 'veth');
    assert.equal((await getLink('byip1', { netns: ns })).kind, 'veth');
    await rejectsWith(createNetns(name), 'EEXIST');
  } finally {
    ns.close();
    await deleteNetns(name);
  }
  assert.ok(!(await listNetns()).includes(name));
  const { stdout } = await run('ip', ['netns', 'list']);
  assert.ok(!stdout.includes(name));
  await rejectsWith(deleteNetns(name), 'ENOENT');
  await rejectsWith(getLink('lo', { netns: name }), 'ENOENT');
});

test('an anonymous namespace lives exactly as long as its handle', async () => {
  await withNetns(async (outside) => {
    const inner = await createNetns();
    assert.equal(inner.name, null);
    // A veth with one end inside and one outside: when the inner namespace dies, both ends go.
    await createVeth({ name: 'in0', netns: inner, peer: { name: 'out0', netns: outside } });
    assert.equal((await getLink('out0', { netns: outside })).kind, 'veth');
    const inode = inner.inode;
    assert.ok(Object.values(fdMap()).includes(`net:[${inode}]`));
    await inner[Symbol.asyncDispose]();
    assert.equal(inner.closed, true);
    // Closing is deterministic: no fd of ours refers to the namespace any more (no waiting for GC).
    assert.ok(!Object.values(fdMap()).includes(`net:[${inode}]`));
    assert.equal(inner.fd, -1);
    await waitFor(async () => !(await listLinks({ netns: outside })).some((l) => l.name === 'out0'), {
      what: 'the namespace to be destroyed',
    });
  });
});

test('openNetns by name, path, pid, fd and handle all reach the same namespace', async () => {
  const name = unique('refs');
  const ns = await createNetns(name);
  try {
    const byName = await openNetns(name);
    const byPath = await openNetns({ path: `/run/netns/${name}` });
    const byFd = await openNetns({ fd: ns.fd });
    const byHandle = await openNetns(ns);
    for (const h of [byName, byPath, byFd, byHandle]) {
      assert.equal(h.inode, ns.inode);
      h.close();
    }
    const self = await openNetns({ pid: process.pid });
    const current = await openNetns();
    assert.equal(self.inode, current.inode);
    assert.notEqual(self.inode, ns.inode);
    self.close();
    current.close();
    // Every form works as the netns option of an operation, too.
    await createVeth({ name: 'r0', netns: { path: `/run/netns/${name}` }, peer: { name: 'r1', netns: { fd: ns.fd } } });
    assert.equal((await getLink('r1', { netns: name })).kind, 'veth');
  } finally {
    ns.close();
    await deleteNetns(name);
  }
});

test('a closed handle and bad references are refused before any system call', async () => {
  const ns = await createNetns();
  ns.close();
  ns.close(); // idempotent
  await rejectsWith(getLink('lo', { netns: ns }), 'ERR_INVALID_ARG_VALUE');
  await rejectsWith(openNetns({ path: 'relative' }), 'ERR_INVALID_ARG_VALUE');
  await rejectsWith(openNetns({ pid: -1 }), 'ERR_INVALID_ARG_VALUE');
  await rejectsWith(openNetns({ path: '/proc/self/ns/mnt' }), 'EINVAL');
  await rejectsWith(openNetns({ path: '/etc/hostname' }), 'EINVAL');
  await rejectsWith(createNetns('a/b'), 'ERR_INVALID_ARG_VALUE');
  await rejectsWith(createNetns('..'), 'ERR_INVALID_ARG_VALUE');
});
