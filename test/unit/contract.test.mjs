// The JS<->C++ contract, checked both ways without privileges: the names lib/ declares
// (lib/core/contract.ts, lib/core/binding.ts REQUEST_KEYS) are the addon's; every request key
// lib/ can send is read by the encoder; every field of every kind table round-trips; the
// generated kind types (lib/link/kinds/data.ts) are those of the addon's tables.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const b = require('node-gyp-build')(root);
const contract = require(`${root}dist/cjs/core/contract.js`);
const { REQUEST_KEYS } = require(`${root}dist/cjs/core/binding.js`);
const { packRoute } = require(`${root}dist/cjs/ip/routes.js`);
const C = b.constants;

test('the constants lib/ may name are exactly the addon\'s', () => {
  assert.deepEqual([...contract.CONSTANT_NAMES].sort(), Object.keys(C).sort());
});

test('link and route column slots, counters and packed route fields are the addon\'s', () => {
  assert.deepEqual([...contract.LINK_NUMS], b.contract.linkNums);
  assert.deepEqual([...contract.LINK_STRS], b.contract.linkStrs);
  assert.deepEqual([...contract.LINK_STATS], b.contract.linkStats);
  assert.deepEqual([...contract.ROUTE_NUMS], b.contract.routeNums);
  assert.deepEqual([...contract.ROUTE_FIELDS], b.contract.routeFields);
  assert.equal(b.linkTables.layout.nums, contract.LINK_NUMS.length - 1 + contract.LINK_STATS.length);
  assert.equal(b.linkTables.layout.strs, contract.LINK_STRS.length);
});

test('lib/link/kinds/data.ts is what the addon\'s tables generate (npm run gen:kinds)', async () => {
  const { generate } = await import(`${root}scripts/gen-kind-types.mjs`);
  assert.equal(readFileSync(`${root}lib/link/kinds/data.ts`, 'utf8'), generate());
});

test('the packed route form encodes the bytes of the object form, field for field', () => {
  const route = {
    family: 2, dstLen: 24, srcLen: 16, tos: 4, table: 1000, protocol: 4, scope: 0, type: 1, flags: 4, dst: '10.1.2.0',
    src: '10.3.0.0', gateway: '10.0.0.1', prefsrc: '10.0.0.2', oif: 7, iif: 8, priority: 9, mark: 10, uid: 11, pref: 1, expires: 12,
    metrics: { mtu: 1400 }, multipath: undefined,
  };
  const packed = packRoute(route);
  assert.equal(packed.length, contract.ROUTE_FIELDS.length);
  const enc = (r) => b.encode({ type: C.RTM_NEWROUTE, flags: C.NLM_F_CREATE, route: r });
  assert.deepEqual(enc(packed), enc(route));
  const hops = { ...route, gateway: undefined, oif: undefined, multipath: [{ gateway: '10.0.0.1', oif: 7, weight: 3 }] };
  assert.deepEqual(enc(packRoute(hops)), enc(hops));
});

// Per request type: its message type, and for every key a value that the encoder must write. A key
// of REQUEST_KEYS with no sample here fails the test: the list below must grow with the interface.
const handle = () => b.netnsCurrent();
const SAMPLES = {
  link: {
    type: 'RTM_NEWLINK',
    values: {
      family: 7, index: 3, name: 'x0', up: true, promisc: true, arp: false, mtu: 1400, mac: '02:00:00:00:00:01',
      broadcast: 'ff:ff:ff:ff:ff:fe', txqlen: 10, group: 2, master: 5, alias: 'a', targetNetns: handle, netnsPid: 1,
      extMask: 1, allmulti: true, multicast: false, numTxQueues: 4, numRxQueues: 2, gsoMaxSize: 32768, gsoMaxSegs: 32,
      groMaxSize: 32768, altnames: ['an-alternative-name'], kind: 'dummy', parent: 2, port: { priority: 3 }, protinfo: { priority: 3 }, bridgeVlans: [{ vid: 10 }],
      // Keys that mean something only beside another: [the other keys, the key's value].
      peer: [{ kind: 'veth' }, { name: 'p0' }],
      data: [{ kind: 'vlan' }, { id: 5 }],
      portKind: [{ port: {} }, 'bond'],
      bridgeFlags: [{ bridgeVlans: [{ vid: 10 }] }, 1],
      infoData: [{ kind: 'x' }, Buffer.from([8, 0, 1, 0, 1, 0, 0, 0])],
    },
  },
  addr: {
    type: 'RTM_NEWADDR',
    base: { family: 2 },
    values: {
      family: [{}, 10], prefixLength: 24, index: 1, scope: 253, flags: 0x80, local: '10.0.0.1', peer: '10.0.0.2', broadcast: '10.0.0.255',
      label: 'lo:1',
      validLifetime: [{ family: 2 }, 100],
      preferredLifetime: [{ family: 2 }, 50],
    },
  },
  neigh: {
    type: 'RTM_NEWNEIGH',
    values: {
      family: 2, index: 1, state: 0x80, flags: 2, mac: '02:00:00:00:00:01', dst: [{ family: 2 }, '10.0.0.1'], vlan: 5, port: 4789,
      vni: 5, srcVni: 6, via: 3, master: 4,
    },
  },
  route: {
    type: 'RTM_NEWROUTE',
    base: { family: 2 },
    values: {
      family: [{}, 10], dstLen: 24, srcLen: 16, tos: 4, table: 5, protocol: 4, scope: 253, type: 1, flags: 4,
      dst: [{ family: 2 }, '10.1.0.0'], src: [{ family: 2 }, '10.2.0.0'], gateway: [{ family: 2 }, '10.0.0.1'],
      prefsrc: [{ family: 2 }, '10.0.0.2'], oif: 2, iif: 3, priority: 10, mark: 1, uid: 5, pref: 1, expires: 10,
      metrics: { mtu: 1400 }, multipath: [[{ family: 2 }], [{ gateway: '10.0.0.1', oif: 2 }]],
    },
  },
  rule: {
    type: 'RTM_NEWRULE',
    values: {
      family: 2, dstLen: 8, srcLen: 8, tos: 1, table: 5, action: 1, flags: 2, dst: [{ family: 2 }, '10.0.0.0'],
      src: [{ family: 2 }, '10.1.0.0'], iif: 'eth0', oif: 'eth1', priority: 10, fwmark: 1, fwmask: 0xff, goto: 5,
      suppressPrefixLength: 0, suppressIfgroup: 1, protocol: 4, ipProto: 6, l3mdev: true, uidRange: { start: 1, end: 2 },
      sportRange: { start: 1000, end: 2000 }, dportRange: { start: 80, end: 80 },
    },
  },
  nsid: { type: 'RTM_NEWNSID', values: { nsid: 2, targetNetns: handle, pid: 1 } },
};

for (const [family, keys] of Object.entries(REQUEST_KEYS)) {
  test(`every ${family} request key lib/ can send is read by the encoder (each alone changes the bytes)`, () => {
    const { type, values, base: common = {} } = SAMPLES[family];
    const enc = (req) => b.encode({ type: C[type], flags: 0, [family]: req }).toString('hex');
    const missing = keys.filter((k) => !Object.hasOwn(values, k));
    assert.deepEqual(missing, [], `no sample for these ${family} keys: add one above`);
    const unread = [];
    for (const key of keys) {
      let v = values[key];
      let base = { ...common };
      if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'object' && !Array.isArray(v[0]) && key !== 'bridgeVlans') [base, v] = [{ ...common, ...v[0] }, v[1]];
      else if (Array.isArray(v) && Array.isArray(v[0])) [base, v] = [{ ...common, ...v[0][0] }, v[1]];
      if (key === 'family') base = {};
      const value = typeof v === 'function' ? v() : v;
      if (enc(base) === enc({ ...base, [key]: value })) unread.push(key);
      if (value && typeof value.close === 'function') value.close();
    }
    assert.deepEqual(unread, [], `the encoder ignores these ${family} keys`);
  });
}

/** A writable value for a table field, by its encoding. */
function sample(f) {
  switch (f.enc) {
    case 'integer': return f.max > 2 ** 31 ? 123456 : f.max;
    case 'seconds': return Math.round(((f.min + f.max) / 2) * 100) / 100;
    case 'boolean': return true;
    case 'enum': return f.names[1] ?? f.names[0];
    case 'ipv4': return '192.0.2.7';
    case 'ipv6': return '2001:db8::7';
    case 'portRange': return [1000, 2000];
    case 'qosMap': return [[1, 2], [3, 4]];
    case 'macList': return ['02:00:00:00:00:07'];
    case 'ipv4List': return ['192.0.2.7', '192.0.2.8'];
    case 'mac': return '02:00:00:00:00:07';
    case 'hex64': return '0011223344556677';
    default: throw new Error(`no sample for encoding ${f.enc} (${f.key})`);
  }
}

function roundTrip(tables, place) {
  for (const [kind, fields] of Object.entries(tables)) {
    const data = Object.fromEntries(fields.filter((f) => !f.readOnly).map((f) => [f.key, sample(f)]));
    const link = place === 'kind' ? { index: 1, kind, data } : { index: 1, port: data, portKind: kind };
    const [batch] = b.decode(b.encode({ type: C.RTM_NEWLINK, flags: 0, link }));
    const back = batch.extra[place === 'kind' ? 0 : 1];
    for (const [key, value] of Object.entries(data)) assert.deepEqual(back[key], value, `${place} ${kind}: ${key}`);
    for (const f of fields.filter((x) => x.readOnly))
      assert.throws(() => b.encode({ type: C.RTM_NEWLINK, flags: 0, link: place === 'kind' ? { index: 1, kind, data: { [f.key]: 1 } } : { index: 1, port: { [f.key]: 1 }, portKind: kind } }), { code: 'ERR_INVALID_ARG_VALUE' }, `${kind}.${f.key} is read-only`);
  }
}

test('every writable field of every kind table round-trips (encode, then decode, equals the input)', () => {
  roundTrip(b.kindTables, 'kind');
});

test('every writable field of every port table round-trips', () => {
  roundTrip(b.portTables, 'port');
});
