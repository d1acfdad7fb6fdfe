// netdev/testing under vitest, the way a vitest user writes it: ESM, hooks imported from vitest,
// the public package names; run under vitest's default pool (forks) and its threads pool. The same
// promises as test/integration/testing.test.mjs (node:test): netnsFixture gives each test a fresh
// namespace and closes it after, withNetns closes on failure, waitFor resolves or rejects with
// ETIMEDOUT. Run by scripts/run-frameworks.mjs, in the sandbox.
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createVeth, listLinks } from 'netdev';
import { netnsFixture, waitFor, withNetns, withNetnsN } from 'netdev/testing';

describe('netnsFixture in beforeEach/afterEach', () => {
  const fx = netnsFixture();
  const seen = [];
  beforeEach(() => fx.setup());
  afterEach(() => fx.teardown());

  test('first test: a fresh namespace (only lo), changed', async () => {
    seen.push(fx.ns);
    expect((await listLinks({ netns: fx.ns })).map((l) => l.name)).toEqual(['lo']);
    await createVeth({ name: 'fx0', peer: { name: 'fx1' }, netns: fx.ns });
    expect((await listLinks({ netns: fx.ns })).map((l) => l.name).sort()).toEqual(['fx0', 'fx1', 'lo']);
  });

  test('second test: another namespace, without the first one\'s links; the first is closed', async () => {
    expect(seen[0].closed).toBe(true);
    expect(fx.ns.closed).toBe(false);
    expect(fx.ns.inode).not.toBe(seen[0].inode);
    expect((await listLinks({ netns: fx.ns })).map((l) => l.name)).toEqual(['lo']);
  });
});

test('the fixture has no namespace outside setup … teardown', async () => {
  const fx = netnsFixture();
  expect(() => fx.ns).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  const ns = await fx.setup();
  await fx.teardown();
  expect(ns.closed).toBe(true);
  expect(() => fx.ns).toThrow(/setup/);
});

test('withNetns closes its namespace when the test body throws', async () => {
  let kept;
  await expect(withNetns(async (ns) => {
    kept = ns;
    await createVeth({ name: 'boom0', peer: { name: 'boom1' }, netns: ns });
    throw new Error('boom');
  })).rejects.toThrow('boom');
  expect(kept.closed).toBe(true);
  expect(await withNetns((ns) => (ns.closed ? 'closed' : 'open'))).toBe('open');
});

test('waitFor resolves with the first truthy value', async () => {
  let n = 0;
  await expect(waitFor(() => (++n >= 3 ? n : 0), { interval: 1 })).resolves.toBe(3);
});

test('waitFor rejects with ETIMEDOUT when the time is up', async () => {
  const started = Date.now();
  await expect(waitFor(async () => false, { timeout: 50, what: 'nothing' }))
    .rejects.toMatchObject({ code: 'ETIMEDOUT', message: expect.stringContaining('nothing') });
  expect(Date.now() - started).toBeGreaterThanOrEqual(50);
});

test('the same link names in parallel namespaces, none in the runner\'s own', async () => {
  const before = (await listLinks()).map((l) => l.name);
  const names = await withNetnsN(3, (list) => Promise.all(list.map(async (ns) => {
    await createVeth({ name: 'fx0', peer: { name: 'fx1' }, netns: ns });
    return (await listLinks({ netns: ns })).map((l) => l.name).sort();
  })));
  expect(names).toEqual([['fx0', 'fx1', 'lo'], ['fx0', 'fx1', 'lo'], ['fx0', 'fx1', 'lo']]);
  expect((await listLinks()).map((l) => l.name)).toEqual(before);
});

// Here 'netdev' is this repository, outside node_modules, so vitest runs its ES-module facade
// itself, as for a linked or workspace package (an installed one Node loads): the facade must still
// hand out the CommonJS build's one instance, with every export defined.
test('import and require of netdev give the same instance', () => {
  const require = createRequire(import.meta.url);
  expect(require('netdev').createVeth).toBe(createVeth);
  expect(require('netdev/testing').netnsFixture).toBe(netnsFixture);
});
