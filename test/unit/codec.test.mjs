// rtnetlink encoding and decoding against golden bytes, laid out by hand from the uapi headers
// (struct nlmsghdr, ifinfomsg, ifaddrmsg, rtattr; IFLA_*/IFA_* numbers). No privileges needed.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const b = require('node-gyp-build')(root);
// The whole decode path: native parsing, then lib/'s expansion of link and route batches into
// objects (each family registers its expander as its module loads).
require(`${root}dist/cjs/link/decode.js`);
require(`${root}dist/cjs/ip/route_decode.js`);
const { expand } = require(`${root}dist/cjs/netlink/expand.js`);
const decode = (buf) => expand(b.decode(buf));
const C = b.constants;

const hex = (s) => s.replace(/#[^\n]*/g, '').replace(/\s+/g, '');

test('uapi constants are the kernel ABI values', () => {
  assert.equal(C.RTM_NEWLINK, 16);
  assert.equal(C.RTM_GETLINK, 18);
  assert.equal(C.RTM_NEWADDR, 20);
  assert.equal(C.NLM_F_CREATE, 0x400);
  assert.equal(C.NLM_F_EXCL, 0x200);
  assert.equal(C.AF_INET6, 10);
});

test('RTM_NEWLINK veth with a peer: nested IFLA_LINKINFO / IFLA_INFO_DATA / VETH_INFO_PEER', () => {
  const got = b.encode({ type: C.RTM_NEWLINK, flags: C.NLM_F_CREATE | C.NLM_F_EXCL, link: { name: 'v0', kind: 'veth', peer: { name: 'v1' } } });
  const want = hex(`
    58000000 1000 0006 00000000 00000000            # nlmsghdr: len 88, RTM_NEWLINK, CREATE|EXCL
    00 00 0000 00000000 00000000 00000000           # ifinfomsg (all zero)
    0700 0300 76300000                              # IFLA_IFNAME "v0"
    3000 1280                                       # IFLA_LINKINFO | NLA_F_NESTED, len 48
      0900 0100 76657468 00000000                   # IFLA_INFO_KIND "veth"
      2000 0280                                     # IFLA_INFO_DATA | NESTED, len 32
        1c00 0180                                   # VETH_INFO_PEER | NESTED, len 28
          00 00 0000 00000000 00000000 00000000     # peer ifinfomsg
          0700 0300 76310000                        # IFLA_IFNAME "v1"`);
  assert.equal(got.toString('hex'), want);
});

test('RTM_NEWADDR IPv4 with broadcast: IFA_LOCAL, IFA_ADDRESS, IFA_BROADCAST like iproute2', () => {
  const got = b.encode({
    type: C.RTM_NEWADDR,
    flags: C.NLM_F_CREATE | C.NLM_F_EXCL,
    addr: { family: C.AF_INET, prefixLength: 24, index: 7, local: '192.168.10.1', broadcast: '192.168.10.255' },
  });
  assert.equal(
    got.toString('hex'),
    hex(`30000000 1400 0006 00000000 00000000
         02 18 00 00 07000000
         0800 0200 c0a80a01
         0800 0100 c0a80a01
         0800 0400 c0a80aff`),
  );
});

test('RTM_NEWLINK set: up via ifi_flags/ifi_change, IFLA_MTU, IFLA_MASTER', () => {
  const got = b.encode({ type: C.RTM_NEWLINK, link: { index: 3, up: true, mtu: 1400, master: 2 } });
  assert.equal(
    got.toString('hex'),
    hex(`30000000 1000 0000 00000000 00000000
         00 00 0000 03000000 01000000 01000000
         0800 0400 78050000
         0800 0a00 02000000`),
  );
});

test('IPv6 address with flags above 8 bits goes in IFA_FLAGS, lifetimes in IFA_CACHEINFO', () => {
  const got = b.encode({
    type: C.RTM_NEWADDR,
    addr: { family: C.AF_INET6, prefixLength: 64, index: 1, local: 'fd00::1', flags: C.IFA_F_NODAD | C.IFA_F_NOPREFIXROUTE, validLifetime: 100, preferredLifetime: 50 },
  });
  const buf = got;
  assert.equal(buf.readUInt32LE(0), buf.length);
  assert.equal(buf[16], 10); // AF_INET6
  assert.equal(buf[18], C.IFA_F_NODAD & 0xff); // ifa_flags holds the low 8 bits
  // IFA_FLAGS (8) carries all 32 bits; IFA_CACHEINFO (6) carries preferred, valid.
  const attrs = {};
  for (let off = 24; off < buf.length; ) {
    const len = buf.readUInt16LE(off);
    attrs[buf.readUInt16LE(off + 2)] = buf.subarray(off + 4, off + len);
    off += (len + 3) & ~3;
  }
  assert.equal(attrs[8].readUInt32LE(0), C.IFA_F_NODAD | C.IFA_F_NOPREFIXROUTE);
  assert.deepEqual([attrs[6].readUInt32LE(0), attrs[6].readUInt32LE(4)], [50, 100]);
  assert.equal(attrs[2].toString('hex'), 'fd000000000000000000000000000001');
});

// Builds a reply message by hand: header, fixed struct, attributes.
function msg(type, fixed, attrs, flags = 0) {
  const parts = [fixed];
  for (const [t, data] of attrs) {
    const a = Buffer.alloc((4 + data.length + 3) & ~3);
    a.writeUInt16LE(4 + data.length, 0);
    a.writeUInt16LE(t, 2);
    data.copy(a, 4);
    parts.push(a);
  }
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + body.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  return Buffer.concat([h, body]);
}
const u32 = (v) => { const x = Buffer.alloc(4); x.writeUInt32LE(v); return x; };
const str = (s) => Buffer.from(s + '\0');

test('decodes RTM_NEWLINK: flags, operstate, mac, master, kind, veth peer, stats', () => {
  const ifi = Buffer.alloc(16);
  ifi.writeUInt16LE(1, 2); // ARPHRD_ETHER
  ifi.writeInt32LE(5, 4); // index
  ifi.writeUInt32LE(0x1 | 0x2 | 0x1000 | 0x10000, 8); // UP|BROADCAST|MULTICAST|LOWER_UP
  const linkinfo = msg(0, Buffer.alloc(0), [[1, str('veth')]]).subarray(16);
  const stats = Buffer.alloc(8 * 24);
  stats.writeBigUInt64LE(123n, 0); // rx_packets
  stats.writeBigUInt64LE(2n ** 40n, 16); // rx_bytes
  const m = msg(16, ifi, [
    [3, str('v0')], [4, u32(1500)], [1, Buffer.from([2, 0, 0, 0, 0, 1])], [10, u32(2)], [5, u32(6)],
    [16, Buffer.from([6])], [18 | 0x8000, linkinfo], [23, stats], [13, u32(1000)], [20, str('veth-a')],
  ]);
  const [link] = decode(m);
  assert.equal(link.index, 5);
  assert.equal(link.name, 'v0');
  assert.equal(link.type, 'ether');
  assert.deepEqual(link.flags, ['UP', 'BROADCAST', 'MULTICAST', 'LOWER_UP']);
  assert.equal(link.up, true);
  assert.equal(link.operstate, 'up');
  assert.equal(link.mtu, 1500);
  assert.equal(link.mac, '02:00:00:00:00:01');
  assert.equal(link.master, 2);
  assert.equal(link.parent, 6);
  assert.equal(link.kind, 'veth');
  assert.deepEqual(link.info, { peerIndex: 6 });
  assert.equal(link.txqlen, 1000);
  assert.equal(link.alias, 'veth-a');
  assert.equal(link.stats.rxPackets, 123);
  assert.equal(link.stats.rxBytes, 2 ** 40);
});

test('decodes RTM_NEWADDR: local vs peer, label, scope, flags, lifetimes', () => {
  const ifa = Buffer.from([2, 32, 0x80, 0, 9, 0, 0, 0]); // AF_INET /32 PERMANENT scope global idx 9
  const ci = Buffer.alloc(16);
  ci.writeUInt32LE(0xffffffff, 0);
  ci.writeUInt32LE(600, 4);
  const m = msg(20, ifa, [[2, Buffer.from([10, 0, 0, 1])], [1, Buffer.from([10, 0, 0, 2])], [3, str('eth0:1')], [6, ci]]);
  const [a] = decode(m);
  assert.deepEqual(a, {
    index: 9, family: 4, address: '10.0.0.1', prefixLength: 32, peer: '10.0.0.2', label: 'eth0:1',
    scope: 'global', flags: ['permanent'], validLifetime: 600, preferredLifetime: Infinity,
  });
});

test('decodes NLMSG_ERROR with extended ack (message and offset)', () => {
  const err = Buffer.alloc(4 + 16);
  err.writeInt32LE(-95, 0);
  const m = msg(2, err, [[1, str('Unknown device type')], [2, u32(40)]], 0x100 | 0x200); // CAPPED|ACK_TLVS
  assert.deepEqual(b.decodeError(m), { errnum: 95, extack: 'Unknown device type', extackOffset: 40 });
});

test('malformed and random input never crashes the decoder', () => {
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 5000; i++) {
    const len = rand() % 200;
    const buf = Buffer.alloc(len);
    for (let j = 0; j < len; j++) buf[j] = rand();
    if (len >= 16 && i % 2) { buf.writeUInt32LE(len, 0); buf.writeUInt16LE(i % 4 ? 16 : 20, 4); }
    assert.ok(Array.isArray(decode(buf)));
    b.decodeError(buf);
  }
  // A truncated attribute inside a valid header is skipped, not read past.
  const ifi = Buffer.alloc(16);
  const m = msg(16, ifi, [[3, str('x')]]);
  m.writeUInt16LE(200, 32); // rta_len beyond the message
  assert.equal(decode(m)[0].name, '');
});
