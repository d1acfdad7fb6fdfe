// netdev/testing, the fixtures users get: the fixture's namespace per test and its teardown,
// waitFor's bounded poll and its ETIMEDOUT, runInSandbox's exit codes; ESM and CJS alike.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createVeth, listLinks } from 'netdev';
import * as testing from 'netdev/testing';
import { netnsFixture, runInSandbox, waitFor, withNetnsN } from 'netdev/testing';

test('import and require of netdev/testing give the same functions', () => {
  const cjs = createRequire(import.meta.url)('netdev/testing');
  for (const name of ['withNetns', 'withNetnsN', 'netnsFixture', 'waitFor', 'runInSandbox']) assert.equal(testing[name], cjs[name], name);
});

describe('netnsFixture: a namespace per test, closed after it', () => {
  const fx = netnsFixture();
  const seen = [];
  beforeEach(() => fx.setup());
  afterEach(() => fx.teardown());
  test('first test: a fresh namespace, changed', async () => {
    seen.push(fx.ns);
    await createVeth({ name: 'fx0', peer: { name: 'fx1' }, netns: fx.ns });
    assert.equal((await listLinks({ netns: fx.ns })).length, 3);
  });
  test('second test: another fresh one; the first is closed', async () => {
    assert.ok(seen[0].closed);
    assert.notEqual(fx.ns.inode, seen[0].inode);
    assert.deepEqual((await listLinks({ netns: fx.ns })).map((l) => l.name), ['lo']);
  });
});

test('outside setup … teardown the fixture refuses to answer', () => {
  assert.throws(() => netnsFixture().ns, { code: 'ERR_INVALID_ARG_VALUE' });
});

test('withNetnsN closes every namespace, also when fn throws', async () => {
  let kept;
  await assert.rejects(withNetnsN(3, (list) => { kept = list; throw new Error('boom'); }), /boom/);
  assert.deepEqual(kept.map((ns) => ns.closed), [true, true, true]);
  await assert.rejects(withNetnsN(0, () => 1), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('waitFor resolves with the first truthy value, and rejects ETIMEDOUT when the time is up', async () => {
  let n = 0;
  assert.equal(await waitFor(async () => (++n >= 3 ? n : 0), { interval: 1 }), 3);
  const started = Date.now();
  await assert.rejects(waitFor(() => false, { timeout: 50, what: 'nothing' }), (e) => e.code === 'ETIMEDOUT' && /nothing/.test(e.message));
  assert.ok(Date.now() - started >= 50);
  await assert.rejects(waitFor(() => true, { timeot: 5 }), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('runInSandbox gives the command\'s exit code (inside a sandbox already, it runs as it is)', () => {
  assert.equal(process.env.NETDEV_SANDBOX, '1');
  assert.equal(runInSandbox('sh', ['-c', 'exit 3']), 3);
  assert.equal(runInSandbox('true'), 0);
  assert.throws(() => runInSandbox('sh', ['-c', 'x\0']), { code: 'ERR_INVALID_ARG_TYPE' });
});
