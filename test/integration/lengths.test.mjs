// Strings and lists too long for netlink's 16-bit attribute lengths (issue 10, item 2). Before the
// fix, MsgBuilder truncated nla_len, so the tail of a 64 KiB string was read by the kernel as
// attributes of the caller's choosing: a crafted `kind` filter listed the links of ANOTHER
// namespace (an injected IFLA_TARGET_NETNSID), a crafted `congctl` put a route in table 100 (an
// injected RTA_TABLE). Now lib/ refuses such strings before any system call, and the encoder
// refuses any attribute, nest or message whose length does not fit, whoever calls it.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as nd from 'netdev';
import { withNetnsN } from '../helpers.mjs';

const require = createRequire(import.meta.url);
const b = require('node-gyp-build')(new URL('../..', import.meta.url).pathname);
const C = b.constants;

// A string attribute of 65543 bytes + NUL: rta_len 65548 truncates to 12 and its nest's to 16, so
// the kernel takes `prefix` (8 bytes with its NULs) as the string, the next 8 bytes as one
// attribute (`injected`) and the rest as three filler attributes of type `fillerType` (65528
// bytes). Every byte is ASCII, so UTF-8 does not change the length.
function crafted(prefix, injected, fillerType) {
  const s = Buffer.alloc(65543);
  s.write(prefix, 0, 'latin1');
  injected.copy(s, 8);
  let off = 16;
  for (const len of [32636, 32636, 256]) {
    s.writeUInt16LE(len, off);
    s.writeUInt16LE(fillerType, off + 2);
    off += len;
  }
  return s.toString('latin1');
}

function attr(type, value) {
  const a = Buffer.alloc(8);
  a.writeUInt16LE(8, 0);
  a.writeUInt16LE(type, 2);
  a.writeUInt32LE(value, 4);
  return a;
}

const IFLA_LINKINFO = 18;
const IFLA_TARGET_NETNSID = 46;
const RTA_TABLE = 15;

// Namespace A gives B the id 5; B has a veth pair A must not see through listLinks({ netns: A }).
async function setup(fn) {
  await withNetnsN(2, async ([a, other]) => {
    await nd.createVeth({ name: 'secretB', netns: other, peer: { name: 'secretB2' } });
    await nd.setNetnsId(other, 5, { netns: a });
    await nd.createVeth({ name: 'v0', netns: a, up: true, peer: { name: 'v1', up: true } });
    await fn(a, other);
  });
}

const kindExploit = () => crafted('veth', attr(IFLA_TARGET_NETNSID, 5), IFLA_LINKINFO);
const congctlExploit = () => crafted('reno', attr(RTA_TABLE, 100), 0x3000);

test('listLinks: a 64 KiB kind smuggling IFLA_TARGET_NETNSID is refused before any syscall', async () => {
  await setup(async (a) => {
    await assert.rejects(nd.listLinks({ netns: a, kind: kindExploit() }), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(nd.listLinks({ netns: a, kind: 'veth\0' }), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(nd.listLinks({ netns: a, kind: 'k'.repeat(33) }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.deepEqual((await nd.listLinks({ netns: a, kind: 'veth' })).map((l) => l.name).sort(), ['v0', 'v1']);
  });
});

test('addRoute: a 64 KiB congctl smuggling RTA_TABLE is refused, and no route lands in table 100', async () => {
  await setup(async (a) => {
    const spec = { destination: '10.9.0.0/24', device: 'v0', netns: a };
    await assert.rejects(nd.addRoute({ ...spec, metrics: { congctl: congctlExploit() } }), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(nd.addRoute({ ...spec, metrics: { congctl: 'reno\0x' } }), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(nd.addRoute({ ...spec, metrics: { congctl: 'c'.repeat(16) } }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.deepEqual(await nd.listRoutes({ netns: a, table: 100 }), []);
    assert.deepEqual((await nd.listRoutes({ netns: a, family: 4 })).filter((r) => r.destination === '10.9.0.0/24'), []);
    // A real name of the right length still works.
    await nd.addRoute({ ...spec, metrics: { congctl: 'reno' } });
    const [r] = (await nd.listRoutes({ netns: a, family: 4 })).filter((x) => x.destination === '10.9.0.0/24');
    assert.equal(r.metrics?.congctl, 'reno');
  });
});

test('other strings and lists are capped at the kernel limits, NUL refused', async () => {
  await setup(async (a) => {
    const o = { netns: a };
    const cases = [
      ['alias 256 bytes', () => nd.setLink('v0', { alias: 'a'.repeat(256) }, o)],
      ['alias with NUL', () => nd.setLink('v0', { alias: 'a\0b' }, o)],
      ['createVeth alias with NUL', () => nd.createVeth({ name: 'x0', alias: 'a\0b', netns: a })],
      ['address label with NUL', () => nd.addAddress('v0', '10.1.0.1/24', { label: 'v0\0x', netns: a })],
      ['netns path with NUL', () => nd.listLinks({ netns: { path: '/proc/self/ns/net\0/x' } })],
      ['createLinkOfKind kind with NUL', () => nd.createLinkOfKind({ name: 'x0', kind: 'veth\0', netns: a })],
      ['infoData over 65000 bytes', () => nd.createLinkOfKind({ name: 'x0', kind: 'dummy', infoData: Buffer.alloc(70000), netns: a })],
      ['vlan egressQos 1025 entries', () => nd.createVlan({ name: 'x0', parent: 'v0', id: 5, egressQos: Array.from({ length: 1025 }, (_, i) => [i, 1]), netns: a })],
      ['macvlan macaddrs 4097 entries', () => nd.createMacvlan({
        name: 'x0', parent: 'v0', mode: 'source', netns: a,
        macaddrs: Array.from({ length: 4097 }, (_, i) => `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`),
      })],
      ['multipath 1025 next hops', () => nd.addRoute({
        destination: '10.8.0.0/24', netns: a, multipath: Array.from({ length: 1025 }, () => ({ device: 'v0' })),
      })],
    ];
    for (const [name, fn] of cases) {
      await assert.rejects(fn(), (e) => {
        assert.equal(e.code, 'ERR_INVALID_ARG_VALUE', `${name}: ${e.code} ${e.message}`);
        return true;
      }, name);
    }
    const names = (await nd.listLinks(o)).map((l) => l.name).sort();
    assert.deepEqual(names, ['lo', 'v0', 'v1']);
    assert.equal((await nd.getLink('v0', o)).alias, null);
  });
});

test('the encoder refuses oversize attributes even when validation is bypassed (binding called directly)', async () => {
  await setup(async (a) => {
    const refused = { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', message: /netlink attribute 1 in 18 .* over the 65535/ };
    assert.throws(() => b.encode({ type: C.RTM_GETLINK, link: { kind: kindExploit() } }), refused);
    assert.throws(() => b.rtnlDump(a.handle, { type: C.RTM_GETLINK, link: { kind: kindExploit() } }), refused);
    const route = { family: C.AF_INET, dstLen: 24, dst: '10.9.0.0', table: C.RT_TABLE_MAIN, protocol: C.RTPROT_BOOT,
      scope: C.RT_SCOPE_LINK, type: C.RTN_UNICAST, oif: (await nd.getLink('v0', { netns: a })).index };
    assert.throws(() => b.rtnl(a.handle, [{ type: C.RTM_NEWROUTE, flags: C.NLM_F_CREATE | C.NLM_F_EXCL, route: { ...route, metrics: { congctl: congctlExploit() } } }]),
      { code: 'ERR_INVALID_ARG_VALUE', message: /netlink attribute 16 in 8 / });
    // A nest whose members each fit but whose sum does not: the VLAN egress map.
    const qos = Array.from({ length: 6000 }, (_, i) => [i, 1]);
    assert.throws(() => b.encode({ type: C.RTM_NEWLINK, link: { name: 'x0', kind: 'vlan', data: { id: 5, egressQos: qos } } }),
      { code: 'ERR_INVALID_ARG_VALUE', message: /\(nested\)/ });
    // Raw infoData over the attribute limit.
    assert.throws(() => b.encode({ type: C.RTM_NEWLINK, link: { name: 'x0', kind: 'dummy', infoData: Buffer.alloc(70000) } }),
      { code: 'ERR_INVALID_ARG_VALUE' });
    assert.deepEqual(await nd.listRoutes({ netns: a, table: 100 }), []);
    assert.deepEqual((await nd.listLinks({ netns: a })).map((l) => l.name).sort(), ['lo', 'v0', 'v1']);
  });
});
