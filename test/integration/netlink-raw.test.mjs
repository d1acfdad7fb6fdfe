// The netlink transport for any protocol family (lib/netlink/raw.ts over the addon's `netlink`):
// raw rtnetlink and nf_tables (NETLINK_NETFILTER) requests in a fresh namespace, with the same
// reply validation, extended acks and error shape as the rtnetlink API.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { rejectsWith, withNetns } from '../helpers.mjs';

const require = createRequire(import.meta.url);
const { netlinkDump, netlinkTransact } = require('../../dist/cjs/netlink/raw.js');

const NETLINK_ROUTE = 0;
const NETLINK_NETFILTER = 12;
const RTM_GETLINK = 18;
const RTM_NEWLINK = 16;
const IFLA_IFNAME = 3;
const NLM_F_DUMP = 0x300;
const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_GETTABLE = 1;
const NFTA_TABLE_NAME = 1;
const NFPROTO_INET = 1;

/** A netlink message: header (len, type, flags; seq and portid are the transport's), then body. */
function message(type, flags, body) {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + body.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  const pad = Buffer.alloc((4 - (body.length % 4)) % 4);
  return Buffer.concat([h, body, pad]);
}

/** A string attribute (NUL-terminated, padded). */
function attrStr(type, s) {
  const data = Buffer.from(`${s}\0`);
  const a = Buffer.alloc(4);
  a.writeUInt16LE(4 + data.length, 0);
  a.writeUInt16LE(type, 2);
  return Buffer.concat([a, data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
}

/** The messages of a reply buffer: [{ type, body }]. */
function messages(buf) {
  const out = [];
  for (let off = 0; off + 16 <= buf.length; ) {
    const len = buf.readUInt32LE(off);
    out.push({ type: buf.readUInt16LE(off + 4), body: buf.subarray(off + 16, off + len) });
    off += (len + 3) & ~3;
  }
  return out;
}

/** The string attributes of an attribute stream, by type. */
function strAttrs(buf) {
  const out = {};
  for (let off = 0; off + 4 <= buf.length; ) {
    const len = buf.readUInt16LE(off);
    if (len < 4) break;
    out[buf.readUInt16LE(off + 2) & 0x3fff] = buf.subarray(off + 4, off + len).toString().replace(/\0.*$/s, '');
    off += (len + 3) & ~3;
  }
  return out;
}

test('raw rtnetlink: a link dump in a fresh namespace holds lo, decoded from the bytes', async () => {
  await withNetns(async (ns) => {
    const ifinfomsg = Buffer.alloc(16); // family AF_UNSPEC: every link
    const reply = await netlinkDump(ns.handle, NETLINK_ROUTE, message(RTM_GETLINK, NLM_F_DUMP, ifinfomsg), 'raw getlink');
    const links = messages(reply);
    assert.deepEqual(links.map((m) => m.type), [RTM_NEWLINK]);
    assert.equal(strAttrs(links[0].body.subarray(16))[IFLA_IFNAME], 'lo');
    // A request by name: one result, its reply message.
    const byName = Buffer.concat([Buffer.alloc(16), attrStr(IFLA_IFNAME, 'lo')]);
    const [r] = await netlinkTransact(ns.handle, NETLINK_ROUTE, message(RTM_GETLINK, 0, byName), 'raw getlink lo');
    assert.ok(Buffer.isBuffer(r));
    assert.equal(messages(r)[0].type, RTM_NEWLINK);
  });
});

test('raw nf_tables (NETLINK_NETFILTER): a dump, and refusals with their code, one per request', async () => {
  await withNetns(async (ns) => {
    const type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
    const nfgenmsg = (family) => Buffer.from([family, 0, 0, 0]); // family, version, res_id (be16)
    // A fresh namespace has no tables: the dump ends at once.
    const tables = await netlinkDump(ns.handle, NETLINK_NETFILTER, message(type, NLM_F_DUMP, nfgenmsg(0)), 'raw gettable');
    assert.deepEqual(messages(tables), []);
    // Two requests in one datagram: one result each, in order; a missing table is ENOENT.
    const get = (name) => message(type, 0, Buffer.concat([nfgenmsg(NFPROTO_INET), attrStr(NFTA_TABLE_NAME, name)]));
    const results = await netlinkTransact(ns.handle, NETLINK_NETFILTER, Buffer.concat([get('nosuch'), get('nosuch2')]), 'raw gettable nosuch');
    assert.equal(results.length, 2);
    for (const r of results) {
      assert.equal(r.code, 'ENOENT');
      assert.equal(r.syscall, 'netlink');
    }
  });
});

test('raw netlink: what is not whole messages, or an unknown protocol, is refused before any system call', async () => {
  await withNetns(async (ns) => {
    const { binding } = require('../../dist/cjs/core/binding.js');
    for (const bad of [Buffer.alloc(0), Buffer.alloc(15), Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])])
      assert.throws(() => binding().netlink(ns.handle, NETLINK_ROUTE, bad, false), { code: 'ERR_INVALID_ARG_VALUE' });
    const one = message(RTM_GETLINK, NLM_F_DUMP, Buffer.alloc(16));
    assert.throws(() => binding().netlink(ns.handle, NETLINK_ROUTE, Buffer.concat([one, one]), true), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => binding().netlink(ns.handle, 32, one, true), { code: 'ERR_INVALID_ARG_VALUE' });
    // A protocol the kernel does not have: the socket cannot be made (EPROTONOSUPPORT).
    await rejectsWith(netlinkDump(ns.handle, 31, one, 'raw'), 'EPROTONOSUPPORT');
  });
});
