// Request coalescing (lib/netlink/rtnl.ts), counted at the addon's boundary: operations started in
// the same tick for the same namespace share native rtnl() calls, and every caller still gets
// its own result. Runs over the fake kernel (test/unit/fake-binding.mjs): no privileges needed,
// and the number of native calls is exact, which no test against the real kernel can see.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { C, installFakeKernel, nd } from './fake-binding.mjs';

const range = (n) => Array.from({ length: n }, (_, i) => i);

test('N concurrent addAddress calls in one namespace share one native rtnl call, in call order', async (t) => {
  const kernel = installFakeKernel(t);
  const link = kernel.addLink({ name: 'd0' });
  const N = 10;
  await Promise.all(range(N).map((i) => nd.addAddress(link.index, `10.0.0.${i + 1}/24`)));
  assert.equal(kernel.rtnlCalls.length, 1, 'one native call for all of them');
  assert.deepEqual(
    kernel.rtnlCalls[0].requests.map((r) => r.addr.local),
    range(N).map((i) => `10.0.0.${i + 1}`),
  );
  assert.equal(kernel.addrs.size, N);
});

test('N concurrent createVeth calls share one native rtnl call, each create kept next to its read-back', async (t) => {
  const kernel = installFakeKernel(t);
  const N = 8;
  const links = await Promise.all(range(N).map((i) => nd.createVeth({ name: `ve${i}` })));
  assert.equal(kernel.rtnlCalls.length, 1, 'one native call for all of them');
  const got = kernel.rtnlCalls[0].requests.map((r) => [r.type, r.link.name]);
  const want = range(N).flatMap((i) => [
    [C.RTM_NEWLINK, `ve${i}`],
    [C.RTM_GETLINK, `ve${i}`],
  ]);
  assert.deepEqual(got, want);
  assert.deepEqual(links.map((l) => l.name), range(N).map((i) => `ve${i}`), 'each caller gets its own link');
});

test('in a coalesced call, a refused request fails its own caller only', async (t) => {
  const kernel = installFakeKernel(t);
  const link = kernel.addLink({ name: 'd0' });
  kernel.addAddr({ family: C.AF_INET, prefixLength: 24, index: link.index, local: '10.0.0.3' });
  const results = await Promise.allSettled(range(5).map((i) => nd.addAddress(link.index, `10.0.0.${i + 1}/24`)));
  assert.equal(kernel.rtnlCalls.length, 1);
  assert.deepEqual(
    results.map((r) => (r.status === 'rejected' ? r.reason.code : 'ok')),
    ['ok', 'ok', 'EEXIST', 'ok', 'ok'],
  );
});

test('requests for different namespaces are never coalesced into one native call', async (t) => {
  const kernel = installFakeKernel(t);
  const link = kernel.addLink({ name: 'd0' });
  await Promise.all(
    range(6).map((i) => nd.addAddress(link.index, `10.0.0.${i + 1}/24`, { netns: i % 2 ? 'nd-odd' : 'nd-even' })),
  );
  assert.deepEqual(
    kernel.rtnlCalls.map((c) => [c.ns, c.requests.map((r) => r.addr.local)]),
    [
      [`${nd.NETNS_RUN_DIR}/nd-even`, ['10.0.0.1', '10.0.0.3', '10.0.0.5']],
      [`${nd.NETNS_RUN_DIR}/nd-odd`, ['10.0.0.2', '10.0.0.4', '10.0.0.6']],
    ],
  );
});

test('a coalesced call carries at most 64 requests, and never splits one caller\'s requests', async (t) => {
  const kernel = installFakeKernel(t);
  const link = kernel.addLink({ name: 'd0' });
  // One single request, then 32 callers of two (create + read-back): 65 in all. The call is cut
  // before the pair that would make it 65, not inside it.
  await Promise.all([
    nd.deleteLink(link.index),
    ...range(32).map((i) => nd.createVeth({ name: `ve${i}` })),
  ]);
  assert.deepEqual(kernel.rtnlCalls.map((c) => c.requests.length), [63, 2]);
  assert.deepEqual(kernel.rtnlCalls[1].requests.map((r) => r.link.name), ['ve31', 've31']);
});

test('a batch the encoder refuses is retried caller by caller: only the refused caller fails', async (t) => {
  const kernel = installFakeKernel(t);
  const link = kernel.addLink({ name: 'd0' });
  kernel.refuseEncoding((r) => r.addr?.local === '10.0.0.2');
  const results = await Promise.allSettled(range(3).map((i) => nd.addAddress(link.index, `10.0.0.${i + 1}/24`)));
  assert.deepEqual(
    results.map((r) => (r.status === 'rejected' ? r.reason.message : 'ok')),
    ['ok', 'fake kernel: encoder refuses this request', 'ok'],
  );
  // The whole batch first (refused before sending), then each caller on its own.
  assert.deepEqual(
    kernel.rtnlCalls.map((c) => c.requests.map((r) => r.addr.local)),
    [['10.0.0.1', '10.0.0.2', '10.0.0.3'], ['10.0.0.1'], ['10.0.0.2'], ['10.0.0.3']],
  );
  assert.equal(kernel.addrs.size, 2);
});
