// Namespaces: iproute2-compatible named namespaces, anonymous lifetimes, every way to refer to one.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { once } from 'node:events';
import {
  addAddress, connectTcp, createNetns, createTcpServer, createVeth, deleteNetns, getLink, listLinks, listNetns, openNetns,
} from 'netdev';
import { fdMap, ipJson, rejectsWith, waitFor, withNetns } from '../helpers.mjs';

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

/** Connects to host:port inside ns and reads what the server wrote. */
async function fetchOnce(ns, host, port) {
  const sock = await connectTcp({ netns: ns, host, port, timeout: 2000 });
  const chunks = [];
  for await (const c of sock) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

/** Runs fn(port) with a TCP server on host inside ns that writes `reply`, closed afterwards. */
async function withServer(ns, host, reply, fn) {
  const server = await createTcpServer({ netns: ns, host }, (s) => s.end(reply));
  try {
    return await fn(server.address().port);
  } finally {
    server.close();
    await once(server, 'close');
  }
}

test('createNetns brings lo up by default: 127.0.0.1 and the namespace\'s own addresses answer', async () => {
  const name = unique('lo');
  const named = await createNetns(name);
  const anon = await createNetns();
  try {
    for (const ns of [named, anon]) {
      const lo = await getLink('lo', { netns: ns });
      assert.equal(lo.up, true);
      assert.ok(lo.flags.includes('UP') && lo.flags.includes('LOWER_UP'), lo.flags.join(','));
      assert.equal(lo.operstate, 'unknown'); // what a loopback device reports once up (`state UNKNOWN`)
      const [seen] = await ipJson(ns, 'link', 'show', 'lo');
      assert.ok(seen.flags.includes('UP'), seen.flags.join(','));
      await withServer(ns, '127.0.0.1', 'lo', async (port) => assert.equal(await fetchOnce(ns, '127.0.0.1', port), 'lo'));
    }
    // The README's case: a namespace's own address on a veth is reached through lo.
    await createVeth({ name: 'own0', netns: named, up: true, peer: { name: 'own1', up: true, netns: anon } });
    await addAddress('own0', '192.0.2.1/24', { netns: named });
    await withServer(named, '192.0.2.1', 'own', async (port) => assert.equal(await fetchOnce(named, '192.0.2.1', port), 'own'));
    // The same seen by ip, through the name.
    const { stdout } = await run('ip', ['-n', name, '-j', 'link', 'show', 'lo']);
    assert.ok(JSON.parse(stdout)[0].flags.includes('UP'));
  } finally {
    anon.close();
    named.close();
    await deleteNetns(name);
  }
});

test('createNetns(name, { loopbackUp: false }) leaves lo down, exactly as ip netns add does', async () => {
  const name = unique('lodown');
  const ns = await createNetns(name, { loopbackUp: false });
  const byIp = unique('byip');
  await run('ip', ['netns', 'add', byIp]);
  try {
    const lo = await getLink('lo', { netns: ns });
    assert.equal(lo.up, false);
    assert.ok(!lo.flags.includes('UP'), lo.flags.join(','));
    assert.equal(lo.operstate, 'down');
    const ref = await getLink('lo', { netns: byIp });
    assert.deepEqual([lo.up, lo.flags, lo.operstate], [ref.up, ref.flags, ref.operstate]);
    // Without lo, 127.0.0.1 is unreachable and the namespace's own veth address does not answer:
    // the connection times out (the trap the default avoids).
    await withServer(ns, '127.0.0.1', 'lo', (port) => rejectsWith(connectTcp({ netns: ns, host: '127.0.0.1', port }), 'ENETUNREACH'));
    await createVeth({ name: 'own0', netns: ns, up: true, peer: { name: 'own1', up: true } });
    await addAddress('own0', '192.0.2.1/24', { netns: ns });
    await withServer(ns, '192.0.2.1', 'own', (port) =>
      rejectsWith(connectTcp({ netns: ns, host: '192.0.2.1', port, timeout: 300 }), 'ETIMEDOUT'));
  } finally {
    ns.close();
    await deleteNetns(name);
    await run('ip', ['netns', 'delete', byIp]);
  }
  const anon = await createNetns(undefined, { loopbackUp: false });
  try {
    assert.equal((await getLink('lo', { netns: anon })).up, false);
  } finally {
    anon.close();
  }
  await rejectsWith(createNetns(undefined, { loopbackUp: 'yes' }), 'ERR_INVALID_ARG_TYPE');
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
