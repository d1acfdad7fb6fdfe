// Namespace handles are held by reference for the whole of a request (issue 10, item 3). Before
// the fix a destination (setLink's moveTo, a veth peer's netns, setNetnsId's target) travelled to
// the kernel as a bare fd number: with the request queued, `nsA.close()` then
// `openNetns({ fd: nsB.fd })` reused the number and the link landed in B while the promise
// resolved. The race is made deterministic here: every libuv threadpool thread is parked in
// open() of a FIFO while the requests are encoded and queued, the handle is closed, its fd
// number is taken by a handle on B, and only then is the pool released.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as nd from 'netdev';
import { withNetnsN } from '../helpers.mjs';

const POOL = Number(process.env.UV_THREADPOOL_SIZE) || 4;

/** Parks every threadpool thread in open(FIFO, O_RDONLY); the returned function releases them. */
function parkThreadpool(t) {
  const dir = mkdtempSync(join(tmpdir(), 'netdev-park-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const readers = Array.from({ length: POOL }, () => fs.promises.open(fifo, 'r'));
  return async () => {
    // A non-blocking writer open fails ENXIO until a reader is in open(); on a loaded machine the
    // pool threads may not have got there yet: poll for it, bounded.
    let w;
    for (const deadline = Date.now() + 10000; w === undefined; ) {
      try {
        w = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      } catch (err) {
        if (err.code !== 'ENXIO' || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    for (const r of await Promise.all(readers)) await r.close();
    fs.closeSync(w);
  };
}

/** Lets queued work be encoded (microtasks, then one macrotask turn). */
const settle = () => new Promise((r) => setImmediate(r));

/**
 * Closes `victim` and opens handles on `other` until one gets the victim's old fd number, if that
 * number is free at all (a handle still held by in-flight work keeps it). The handles opened are
 * closed after the test.
 */
async function reuseFd(t, victim, other) {
  const fd = victim.fd;
  victim.close();
  const free = !fs.readdirSync('/proc/self/fd').includes(String(fd));
  for (let i = 0; i < 64; i++) {
    const h = await nd.openNetns({ fd: other.fd });
    t.after(() => h.close());
    if (h.fd === fd) return true;
  }
  assert.ok(!free, `fd ${fd} was free but not reused`);
  return false;
}

const names = async (ns) => (await nd.listLinks({ netns: ns })).map((l) => l.name).sort();

test('setLink moveTo: a handle closed while requests are queued never sends a link to the namespace that reuses its fd', async (t) => {
  await withNetnsN(3, async ([home, a, b]) => {
    const N = 12;
    for (let i = 0; i < N; i++) await nd.createVeth({ name: `m${i}`, netns: home, peer: { name: `p${i}` } });
    const aView = await nd.openNetns(a); // to look inside A once `a` is closed
    t.after(() => aView.close());
    const release = parkThreadpool(t);
    const moves = [];
    for (let i = 0; i < N; i++) {
      moves.push(nd.setLink(`m${i}`, { moveTo: a }, { netns: home }).then(() => 'ok', (e) => e));
      // the deprecated spelling takes the same path
      moves.push(nd.setLink(`p${i}`, { netns: a }, { netns: home }).then(() => 'ok', (e) => e));
    }
    await settle();
    await reuseFd(t, a, b);
    await release();
    const results = await Promise.all(moves);
    for (const r of results) if (r !== 'ok') assert.equal(r.code, 'ERR_INVALID_ARG_VALUE', String(r));
    assert.deepEqual(await names(b), ['lo'], 'nothing moved into B');
    const expected = results.map((r, i) => (r === 'ok' ? (i % 2 ? `p${i >> 1}` : `m${i >> 1}`) : null)).filter(Boolean).sort();
    assert.deepEqual(await names(aView), ['lo', ...expected].sort());
    assert.equal(results.filter((r) => r === 'ok').length, 2 * N, 'every move completed into A');
  });
});

test('createVeth peer netns and setNetnsId: the destination is held until the request is done', async (t) => {
  await withNetnsN(4, async ([home, a, b, obs]) => {
    const aView = await nd.openNetns(a);
    t.after(() => aView.close());
    const release = parkThreadpool(t);
    const veth = nd.createVeth({ name: 'c0', netns: home, peer: { name: 'c1', netns: a } }).then(() => 'ok', (e) => e);
    // In a namespace of its own: the veth above makes home give A an id by itself.
    const nsid = nd.setNetnsId(a, 7, { netns: obs }).then(() => 'ok', (e) => e);
    await settle();
    await reuseFd(t, a, b);
    await release();
    assert.equal(await veth, 'ok');
    assert.equal(await nsid, 'ok');
    assert.deepEqual(await names(b), ['lo']);
    assert.deepEqual(await names(aView), ['c1', 'lo']);
    assert.equal(await nd.getNetnsId(b, { netns: obs }), null, 'B got no id');
    assert.equal(await nd.getNetnsId(aView, { netns: obs }), 7);
  });
});

test('the operating namespace: a multi-step call keeps its namespace when the handle is closed mid-way', async (t) => {
  await withNetnsN(2, async ([a, b]) => {
    await nd.createVeth({ name: 'r0', netns: a, peer: { name: 'r1' } });
    await nd.createVeth({ name: 'r0', netns: b, peer: { name: 'r1' } });
    const aView = await nd.openNetns(a);
    t.after(() => aView.close());
    const release = parkThreadpool(t);
    // A rename looks the index up first, then sends RTM_NEWLINK: two round trips.
    const rename = nd.setLink('r0', { name: 'renamed', up: true }, { netns: a }).then(() => 'ok', (e) => e);
    const up = nd.setLink('r1', { up: true }, { netns: a }).then(() => 'ok', (e) => e);
    await settle();
    await reuseFd(t, a, b);
    await release();
    assert.equal(await rename, 'ok');
    assert.equal(await up, 'ok');
    assert.deepEqual(await names(aView), ['lo', 'r1', 'renamed']);
    assert.deepEqual(await names(b), ['lo', 'r0', 'r1'], 'B untouched');
    assert.ok((await nd.getLink('r1', { netns: b })).flags.includes('UP') === false);
    // New calls on the closed handle are refused before any syscall.
    await assert.rejects(nd.listLinks({ netns: a }), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(nd.setLink('r1', { moveTo: a }, { netns: b }), { code: 'ERR_INVALID_ARG_VALUE' });
  });
});

test('{ fd } references are read (duplicated) at call time: the caller may close its fd right after', async (t) => {
  await withNetnsN(3, async ([home, a, b]) => {
    await nd.createVeth({ name: 'f0', netns: home, peer: { name: 'f1' } });
    const aView = await nd.openNetns(a);
    t.after(() => aView.close());
    const mine = await nd.openNetns(a); // stands for a caller's own fd on A
    const release = parkThreadpool(t);
    const move = nd.setLink('f0', { moveTo: { fd: mine.fd } }, { netns: home }).then(() => 'ok', (e) => e);
    const list = nd.listLinks({ netns: { fd: mine.fd } }).then((l) => l.map((x) => x.name), (e) => e);
    await settle();
    await reuseFd(t, mine, b);
    await release();
    assert.equal(await move, 'ok');
    assert.ok(Array.isArray(await list));
    assert.deepEqual(await names(b), ['lo']);
    assert.deepEqual(await names(aView), ['f0', 'lo']);
  });
});

test('closing handles after in-flight requests leaves no fd open', async () => {
  const before = fs.readdirSync('/proc/self/fd').length;
  await withNetnsN(2, async ([home, a]) => {
    await nd.createVeth({ name: 'g0', netns: home, peer: { name: 'g1' } });
    const p = nd.setLink('g0', { moveTo: a }, { netns: home });
    a.close();
    await p;
  });
  assert.equal(fs.readdirSync('/proc/self/fd').length, before);
});

test('the addon holds a destination handle for each request that names it (binding called directly)', async (t) => {
  const { createRequire } = await import('node:module');
  const b = createRequire(import.meta.url)('node-gyp-build')(new URL('../..', import.meta.url).pathname);
  const C = b.constants;
  await withNetnsN(3, async ([home, a, other]) => {
    await nd.createVeth({ name: 'h0', netns: home, peer: { name: 'h1' } });
    const aView = await nd.openNetns(a);
    t.after(() => aView.close());
    const release = parkThreadpool(t);
    const p = b.rtnl(home.handle, [{ type: C.RTM_NEWLINK, link: { name: 'h0', targetNetns: a.handle } }]);
    await reuseFd(t, a, other); // a.handle closes here: no lib/ hold, only the request's own
    await release();
    const [r] = await p;
    assert.equal(r, undefined);
    assert.deepEqual(await names(aView), ['h0', 'lo']);
    assert.deepEqual(await names(other), ['lo']);
    // A closed handle or a bare fd number is refused by the encoder.
    assert.throws(() => b.encode({ type: C.RTM_NEWLINK, link: { name: 'h1', targetNetns: a.handle } }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => b.encode({ type: C.RTM_NEWLINK, link: { name: 'h1', targetNetns: aView.fd } }), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});
