// Argument validation: no privileges needed, nothing reaches the kernel.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { addAddress, createBridge, createNetns, createVeth, setLink } from 'netdev';

// Every call below must fail in validation, before any syscall. Should validation ever regress,
// they must still not reach the host: they target a namespace made here (and `npm run test:unit`
// runs inside the sandbox too). Without the privilege to make one, the calls on an existing link
// target a link that does not exist in this namespace, so a regressed call could only fail.
let ns;
let link = 'lo';
before(async (t) => {
  try {
    ns = await createNetns();
  } catch (e) {
    link = 'nd-absent0';
    assert.ok(!existsSync(`/sys/class/net/${link}`));
    t.diagnostic(`no namespace of our own (${e.code}): link checks target the absent link ${link}`);
  }
});
after(() => ns?.close());
const on = (extra = {}) => ({ ...extra, ...(ns ? { netns: ns } : {}) });

async function code(p) {
  try {
    await p;
  } catch (e) {
    return [e.code, e.constructor.name];
  }
  return ['resolved'];
}

test('interface names are checked like the kernel checks them', async () => {
  for (const bad of ['', 'a'.repeat(16), 'a/b', 'a b', 'a:b', '.', '..', 'tab\there', 'nul\0x'])
    assert.deepEqual(await code(createVeth(on({ name: bad }))), ['ERR_INVALID_ARG_VALUE', 'TypeError'], JSON.stringify(bad));
  assert.deepEqual(await code(createVeth(on({ name: 42 }))), ['ERR_INVALID_ARG_TYPE', 'TypeError']);
  // 15 bytes is the longest valid name (IFNAMSIZ - 1), counted in bytes, not characters.
  assert.deepEqual(await code(createVeth(on({ name: 'é'.repeat(8) }))), ['ERR_INVALID_ARG_VALUE', 'TypeError']);
});

test('MTU, MAC and CIDR are range- and format-checked', async () => {
  for (const mtu of [0, 67, 65537, 1500.5, -1])
    assert.deepEqual(await code(createVeth(on({ name: 'v0', mtu }))), ['ERR_INVALID_ARG_VALUE', 'RangeError'], String(mtu));
  assert.deepEqual(await code(createVeth(on({ name: 'v0', mtu: '1500' }))), ['ERR_INVALID_ARG_TYPE', 'TypeError']);
  for (const mac of ['02:00:00:00:00', 'zz:00:00:00:00:01', '01:00:5e:00:00:01', '00:00:00:00:00:00', '02-00-00-00-00-01', ''])
    assert.deepEqual((await code(setLink(link, { mac }, on())))[0], 'ERR_INVALID_ARG_VALUE', mac);
  for (const cidr of ['10.0.0.1/33', '10.0.0/24', 'fe80::1/129', '10.0.0.1/', '10.0.0.1/-1', 'host/24', '10.0.0.1/08a'])
    assert.deepEqual((await code(addAddress(link, cidr, on())))[0], 'ERR_INVALID_ARG_VALUE', cidr);
});

test('unknown option keys and wrong option types are refused', async () => {
  assert.deepEqual(await code(createVeth(on({ name: 'v0', peerName: 'x' }))), ['ERR_INVALID_ARG_VALUE', 'TypeError']);
  assert.deepEqual(await code(createVeth(on({ name: 'v0', peer: { nam: 'x' } }))), ['ERR_INVALID_ARG_VALUE', 'TypeError']);
  assert.deepEqual(await code(createBridge(on({ name: 'b0', stp: 'yes' }))), ['ERR_INVALID_ARG_TYPE', 'TypeError']);
  assert.deepEqual(await code(createBridge(on({ name: 'b0', vlanProtocol: '802.1x' }))), ['ERR_INVALID_ARG_VALUE', 'TypeError']);
  assert.deepEqual(await code(createBridge(on({ name: 'b0', forwardDelay: 31 }))), ['ERR_INVALID_ARG_VALUE', 'RangeError']);
  assert.deepEqual(await code(setLink(link, null, on())), ['ERR_INVALID_ARG_TYPE', 'TypeError']);
  assert.deepEqual(await code(addAddress(link, '10.0.0.1/24', on({ broadcast: 'x' }))), ['ERR_INVALID_ARG_VALUE', 'TypeError']);
  assert.deepEqual(await code(addAddress(link, 'fe80::1/64', on({ broadcast: '+' }))), ['ERR_INVALID_ARG_VALUE', 'TypeError']);
});
