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
  // Every field a value no other field has, so that two swapped positions cannot go unseen.
  const route = {
    family: 2, dstLen: 24, srcLen: 16, tos: 4, table: 1000, protocol: 17, scope: 200, type: 7, flags: 8, dst: '10.1.2.0',
    src: '10.3.0.0', gateway: '10.0.0.1', prefsrc: '10.0.0.2', oif: 71, iif: 81, priority: 91, mark: 101, uid: 111, pref: 3,
    expires: 121, metrics: { mtu: 1400 }, multipath: undefined,
  };
  const packed = packRoute(route);
  assert.equal(packed.length, contract.ROUTE_FIELDS.length);
  contract.ROUTE_FIELDS.forEach((f, i) => assert.equal(packed[i], route[f], `packRoute puts ${f} at position ${i}`));
  const enc = (r) => b.encode({ type: C.RTM_NEWROUTE, flags: C.NLM_F_CREATE, route: r });
  assert.deepEqual(enc(packed), enc(route));
  const hops = { ...route, gateway: undefined, oif: undefined, multipath: [{ gateway: '10.0.0.1', oif: 7, weight: 3 }] };
  assert.deepEqual(enc(packRoute(hops)), enc(hops));
});

test('the link counters lib/ builds are LINK_STATS, in the addon\'s order', () => {
  const { statsAt } = require(`${root}dist/cjs/link/decode.js`);
  const st = statsAt(Float64Array.from(contract.LINK_STATS, (_, i) => 100 + i), 0);
  assert.deepEqual(Object.keys(st), [...contract.LINK_STATS]);
  contract.LINK_STATS.forEach((k, i) => assert.equal(st[k], 100 + i, k));
});

// Per request type: its message type, and for every key two values the encoder must tell apart
// (so a key read but ignored fails too), optionally with other keys it needs beside it. A key of
// REQUEST_KEYS with no sample here fails the test: the list below must grow with the interface.
const handle = () => b.netnsCurrent();
const pair = (a, bb, needs = {}) => ({ a, b: bb, needs });
const SAMPLES = {
  link: {
    type: 'RTM_NEWLINK',
    keys: {
      family: pair(7, 10), index: pair(3, 4), name: pair('x0', 'x1'), up: pair(true, false), promisc: pair(true, false),
      arp: pair(true, false), mtu: pair(1400, 1500), mac: pair('02:00:00:00:00:01', '02:00:00:00:00:02'),
      broadcast: pair('ff:ff:ff:ff:ff:fe', 'ff:ff:ff:ff:ff:fd'), txqlen: pair(10, 11), group: pair(2, 3), master: pair(5, 6),
      alias: pair('a', 'b'), allmulti: pair(true, false), multicast: pair(true, false), numTxQueues: pair(4, 2),
      numRxQueues: pair(2, 4), gsoMaxSize: pair(32768, 16384), gsoMaxSegs: pair(32, 16), groMaxSize: pair(32768, 16384),
      altnames: pair(['an-alternative-name'], ['another-name']), targetNetns: pair(handle, null), netnsPid: pair(1, 2), extMask: pair(1, 8), kind: pair('dummy', 'ifb'),
      parent: pair(2, 3), port: pair({ priority: 3 }, { priority: 4 }), protinfo: pair({ priority: 3 }, { cost: 4 }),
      bridgeVlans: pair([{ vid: 10 }], [{ vid: 11, pvid: true }]),
      peer: pair({ name: 'p0' }, { name: 'p1' }, { kind: 'veth' }),
      data: pair({ id: 5 }, { id: 6 }, { kind: 'vlan' }),
      portKind: pair('bond', 'bridge', { port: {} }),
      bridgeFlags: pair(1, 2, { bridgeVlans: [{ vid: 10 }] }),
      infoData: pair(Buffer.from([8, 0, 1, 0, 1, 0, 0, 0]), Buffer.from([8, 0, 1, 0, 2, 0, 0, 0]), { kind: 'x' }),
    },
  },
  addr: {
    type: 'RTM_NEWADDR',
    keys: {
      family: pair(2, 10), prefixLength: pair(24, 16, { family: 2 }), index: pair(1, 2, { family: 2 }), scope: pair(253, 200, { family: 2 }),
      flags: pair(0x80, 0x100, { family: 2 }), local: pair('10.0.0.1', '10.0.0.3', { family: 2 }), peer: pair('10.0.0.2', '10.0.0.4', { family: 2 }),
      broadcast: pair('10.0.0.255', '10.0.0.127', { family: 2 }), label: pair('lo:1', 'lo:2', { family: 2 }),
      validLifetime: pair(100, 200, { family: 2 }), preferredLifetime: pair(50, 60, { family: 2 }),
    },
  },
  neigh: {
    type: 'RTM_NEWNEIGH',
    keys: {
      family: pair(2, 10), index: pair(1, 2), state: pair(0x80, 0x02), flags: pair(2, 8), mac: pair('02:00:00:00:00:01', '02:00:00:00:00:02'),
      dst: pair('10.0.0.1', '10.0.0.2', { family: 2 }), vlan: pair(5, 6), port: pair(4789, 4790), vni: pair(5, 6), srcVni: pair(6, 7),
      via: pair(3, 4), master: pair(4, 5),
    },
  },
  route: {
    type: 'RTM_NEWROUTE',
    keys: {
      family: pair(2, 10), dstLen: pair(24, 16, { family: 2 }), srcLen: pair(16, 8, { family: 2 }), tos: pair(4, 8, { family: 2 }),
      table: pair(5, 300, { family: 2 }), protocol: pair(4, 17, { family: 2 }), scope: pair(253, 200, { family: 2 }), type: pair(1, 7, { family: 2 }),
      flags: pair(4, 8, { family: 2 }), dst: pair('10.1.0.0', '10.4.0.0', { family: 2 }), src: pair('10.2.0.0', '10.5.0.0', { family: 2 }),
      gateway: pair('10.0.0.1', '10.0.0.9', { family: 2 }), prefsrc: pair('10.0.0.2', '10.0.0.8', { family: 2 }), oif: pair(2, 3, { family: 2 }),
      iif: pair(3, 4, { family: 2 }), priority: pair(10, 11, { family: 2 }), mark: pair(1, 2, { family: 2 }), uid: pair(5, 6, { family: 2 }),
      pref: pair(1, 3, { family: 10 }), expires: pair(10, 20, { family: 10 }), metrics: pair({ mtu: 1400 }, { mtu: 1300 }, { family: 2 }),
      multipath: pair([{ gateway: '10.0.0.1', oif: 2 }], [{ gateway: '10.0.0.1', oif: 2, weight: 2 }], { family: 2 }),
    },
  },
  rule: {
    type: 'RTM_NEWRULE',
    keys: {
      family: pair(2, 10), dstLen: pair(8, 16, { family: 2 }), srcLen: pair(8, 16, { family: 2 }), tos: pair(1, 2, { family: 2 }),
      table: pair(5, 300, { family: 2 }), action: pair(1, 2, { family: 2 }), flags: pair(2, 4, { family: 2 }),
      dst: pair('10.0.0.0', '10.9.0.0', { family: 2 }), src: pair('10.1.0.0', '10.8.0.0', { family: 2 }), iif: pair('eth0', 'eth2', { family: 2 }),
      oif: pair('eth1', 'eth3', { family: 2 }), priority: pair(10, 11, { family: 2 }), fwmark: pair(1, 2, { family: 2 }),
      fwmask: pair(0xff, 0xf0, { family: 2 }), goto: pair(5, 6, { family: 2 }), suppressPrefixLength: pair(0, 8, { family: 2 }),
      suppressIfgroup: pair(1, 2, { family: 2 }), protocol: pair(4, 5, { family: 2 }), ipProto: pair(6, 17, { family: 2 }),
      l3mdev: pair(true, false, { family: 2 }), uidRange: pair({ start: 1, end: 2 }, { start: 1, end: 3 }, { family: 2 }),
      sportRange: pair({ start: 1000, end: 2000 }, { start: 1000, end: 2001 }, { family: 2 }),
      dportRange: pair({ start: 80, end: 80 }, { start: 81, end: 81 }, { family: 2 }),
    },
  },
  nsid: { type: 'RTM_NEWNSID', keys: { nsid: pair(2, 3), targetNetns: pair(handle, null), pid: pair(1, 2) } },
};

for (const [family, keys] of Object.entries(REQUEST_KEYS)) {
  test(`every ${family} request key lib/ can send is read by the encoder, value and all`, () => {
    const { type, keys: samples } = SAMPLES[family];
    const enc = (req) => b.encode({ type: C[type], flags: 0, [family]: req }).toString('hex');
    const missing = keys.filter((k) => !Object.hasOwn(samples, k));
    assert.deepEqual(missing, [], `no sample for these ${family} keys: add one above`);
    const ignored = [];
    const valueIgnored = [];
    for (const key of keys) {
      const { a, b: bb, needs } = samples[key];
      const va = typeof a === 'function' ? a() : a;
      const vb = typeof bb === 'function' ? bb() : bb;
      const without = enc(needs);
      const withA = enc({ ...needs, [key]: va });
      // null stands for "absent" (a key whose only other value is not to send it).
      const withB = vb === null ? without : enc({ ...needs, [key]: vb });
      if (withA === without) ignored.push(key);
      if (withA === withB) valueIgnored.push(key);
      for (const h of [va, vb]) if (h && typeof h.close === 'function') h.close();
    }
    assert.deepEqual(ignored, [], `the encoder ignores these ${family} keys`);
    assert.deepEqual(valueIgnored, [], `the encoder writes the same bytes for two values of these ${family} keys`);
  });
}

/** Two writable values for a table field, different from each other and, by the field's position, from its neighbours'. */
function samples(f, i) {
  const span = (lo, hi) => [lo + ((i * 7919 + 17) % (hi - lo + 1)), lo + ((i * 104729 + 3) % (hi - lo + 1))];
  switch (f.enc) {
    case 'integer': {
      const hi = Math.min(f.max, 2 ** 31);
      // Above 255 where the range allows, and not a byte palindrome, so that byte order shows.
      const [x, y] = hi - f.min > 0x1234 ? [f.min + 0x1234 + i, f.min + 0x0a0b + i] : span(f.min, hi);
      return x === y ? [x, x === hi ? f.min : x + 1] : [x, y];
    }
    case 'seconds': return [Math.round((f.min + (f.max - f.min) / 3) * 100) / 100, Math.round((f.min + (f.max - f.min) / 2) * 100 + 1) / 100];
    case 'boolean': return [true, false];
    case 'enum': { const names = [...new Set(f.names)]; return [names[i % names.length], names[(i + 1) % names.length]]; }
    case 'ipv4': return [`192.0.2.${10 + i}`, `198.51.100.${10 + i}`];
    case 'ipv6': return [`2001:db8::${(10 + i).toString(16)}`, `2001:db8:1::${(10 + i).toString(16)}`];
    case 'portRange': return [[1000 + i, 2000 + i], [3000 + i, 4000 + i]];
    case 'qosMap': return [[[1, 2], [3, 4]], [[5, 6]]];
    case 'macList': return [[`02:00:00:00:01:${(16 + i).toString(16)}`], [`02:00:00:00:02:${(16 + i).toString(16)}`, '02:00:00:00:03:01']];
    case 'ipv4List': return [[`192.0.2.${10 + i}`], ['192.0.2.1', '192.0.2.2']];
    case 'mac': return [`02:00:00:00:00:${(16 + i).toString(16)}`, `02:00:00:00:01:${(16 + i).toString(16)}`];
    case 'hex64': return ['0011223344556677', '8899aabbccddeeff'];
    default: throw new Error(`no sample for encoding ${f.enc} (${f.key})`);
  }
}

/** The attribute types inside IFLA_LINKINFO's data (kind) or slave data (port) of an encoded link request. */
function dataTypes(buf, place) {
  const attrs = (from, to) => {
    const out = [];
    for (let o = from; o + 4 <= to; ) {
      const len = buf.readUInt16LE(o);
      out.push({ type: buf.readUInt16LE(o + 2) & 0x3fff, from: o + 4, to: o + len });
      o += (len + 3) & ~3;
    }
    return out;
  };
  const linkinfo = attrs(32, buf.length).find((x) => x.type === 18); // IFLA_LINKINFO
  const data = attrs(linkinfo.from, linkinfo.to).find((x) => x.type === (place === 'kind' ? 2 : 5)); // IFLA_INFO_DATA, IFLA_INFO_SLAVE_DATA
  return data ? attrs(data.from, data.to).map((x) => x.type) : [];
}

function roundTrip(tables, place) {
  for (const [kind, fields] of Object.entries(tables)) {
    const request = (data) => ({ type: C.RTM_NEWLINK, flags: 0, link: place === 'kind' ? { index: 1, kind, data } : { index: 1, port: data, portKind: kind } });
    fields.forEach((f, i) => {
      if (f.readOnly) {
        assert.throws(() => b.encode(request({ [f.key]: samples({ ...f, enc: f.enc === 'bridgeId' ? 'mac' : f.enc }, i)[0] })), { code: 'ERR_INVALID_ARG_VALUE' }, `${kind}.${f.key} is read-only`);
        return;
      }
      if (f.enc === 'seconds') assert.ok(f.max * 100 <= 2 ** 32 - 1, `${kind}.${f.key}: ${f.max} s fits a u32 of centiseconds`);
      for (const value of samples(f, i)) {
        // Each field alone: the attribute it writes is the row's, and it decodes back to the value.
        const buf = b.encode(request({ [f.key]: value }));
        const types = dataTypes(buf, place);
        if (!(f.enc === 'boolean' && value === false && types.length === 0)) assert.deepEqual(types, [f.type], `${place} ${kind}.${f.key} writes ${f.attr}`);
        const [batch] = b.decode(buf);
        const back = batch.extra[place === 'kind' ? 0 : 1] ?? {};
        assert.deepEqual(back[f.key] ?? false, value, `${place} ${kind}.${f.key} = ${JSON.stringify(value)} round-trips`);
      }
    });
    // And all of them together (bit fields of one attribute combine).
    const all = Object.fromEntries(fields.filter((f) => !f.readOnly).map((f, i) => [f.key, samples(f, i)[0]]));
    const [batch] = b.decode(b.encode(request(all)));
    const back = batch.extra[place === 'kind' ? 0 : 1];
    for (const [key, value] of Object.entries(all)) assert.deepEqual(back[key], value, `${place} ${kind}: ${key} together`);
  }
}

test('every writable field of every kind table writes its own attribute and round-trips, each value', () => {
  roundTrip(b.kindTables, 'kind');
});

test('every writable field of every port table writes its own attribute and round-trips, each value', () => {
  roundTrip(b.portTables, 'port');
});

test('read-only bridge settings decode from the kernel\'s bytes: ids as priority.MAC, timers in seconds', () => {
  const hex = (t) => t.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  const msg = Buffer.from(hex(`
    50000000 1000 0000 00000000 00000000   # nlmsghdr: len 80, RTM_NEWLINK
    00 00 0000 07000000 00000000 00000000  # ifinfomsg: index 7
    3000 1200                              # IFLA_LINKINFO, len 48
      0b00 0100 62726964 676500 00         # IFLA_INFO_KIND "bridge"
      2000 0200                            # IFLA_INFO_DATA, len 32
        0800 0100 dc050000                 # IFLA_BR_FORWARD_DELAY 1500 cs
        0c00 0b00 8000 0200 0000 00aa      # IFLA_BR_BRIDGE_ID prio 0x8000, 02:00:00:00:00:aa
        0800 0500 01000000                 # IFLA_BR_STP_STATE 1`), 'hex');
  msg.writeUInt32LE(msg.length, 0);
  const [batch] = b.decode(msg);
  assert.deepEqual(batch.extra[0], { forwardDelay: 15, bridgeId: '8000.02:00:00:00:00:aa', stp: true });
});
