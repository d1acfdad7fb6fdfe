// GsoSplitter / TcpCoalescer: pure packet arithmetic, checked against an independent checksum
// verifier written here. No privileges needed. The kernel's view (a TCP transfer through a
// forwarder that splits one way and coalesces the other) is in test/integration/tun.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { GsoSplitter, TcpCoalescer, parseVnetHeader, writeVnetHeader } from 'netdev';

function csum(buf, start, end, initial = 0) {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (buf[i] << 8) | (i + 1 < end ? buf[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Checks an IP packet's header and TCP/UDP checksums; returns its fields. */
function verify(p) {
  const v6 = p[0] >> 4 === 6;
  const ihl = v6 ? 40 : (p[0] & 15) * 4;
  if (!v6) {
    assert.equal(csum(p, 0, ihl), 0xffff, 'IPv4 header checksum');
    assert.equal(p.readUInt16BE(2), p.length, 'IPv4 total length');
  } else assert.equal(p.readUInt16BE(4), p.length - 40, 'IPv6 payload length');
  const proto = v6 ? p[6] : p[9];
  const l4len = p.length - ihl;
  const pseudo = (v6 ? csum(p, 8, 40) : csum(p, 12, 20)) + proto + l4len;
  assert.equal(csum(p, ihl, p.length, pseudo), 0xffff, `${proto === 6 ? 'TCP' : 'UDP'} checksum`);
  const t = ihl;
  if (proto === 6) {
    const thl = (p[t + 12] >> 4) * 4;
    return { v6, ihl, seq: p.readUInt32BE(t + 4), flags: p[t + 13], payload: p.subarray(t + thl), id: v6 ? 0 : p.readUInt16BE(4) };
  }
  assert.equal(p.readUInt16BE(t + 4), l4len, 'UDP length');
  return { v6, ihl, payload: p.subarray(t + 8), id: v6 ? 0 : p.readUInt16BE(4) };
}

/** A TCP packet (IPv4 or IPv6) with full checksums; `options` are raw TCP option bytes. */
function tcp({ v6 = false, seq = 1000, ack = 77, flags = 0x10, payload, sport = 40000, dport = 80, options = Buffer.alloc(0), id = 9, src = 1 }) {
  const ihl = v6 ? 40 : 20;
  const thl = 20 + options.length;
  const p = Buffer.alloc(ihl + thl + payload.length);
  if (v6) {
    p[0] = 0x60;
    p.writeUInt16BE(thl + payload.length, 4);
    p[6] = 6;
    p[7] = 64;
    p[23] = src;
    p[39] = 2;
    p[8] = 0xfd;
    p[24] = 0xfd;
  } else {
    p[0] = 0x45;
    p.writeUInt16BE(p.length, 2);
    p.writeUInt16BE(id, 4);
    p[6] = 0x40;
    p[8] = 64;
    p[9] = 6;
    Buffer.from([10, 0, 0, src]).copy(p, 12);
    Buffer.from([10, 0, 0, 2]).copy(p, 16);
    p.writeUInt16BE(~csum(p, 0, 20) & 0xffff, 10);
  }
  p.writeUInt16BE(sport, ihl);
  p.writeUInt16BE(dport, ihl + 2);
  p.writeUInt32BE(seq >>> 0, ihl + 4);
  p.writeUInt32BE(ack, ihl + 8);
  p[ihl + 12] = (thl / 4) << 4;
  p[ihl + 13] = flags;
  p.writeUInt16BE(502, ihl + 14);
  options.copy(p, ihl + 20);
  payload.copy(p, ihl + thl);
  const pseudo = (v6 ? csum(p, 8, 40) : csum(p, 12, 20)) + 6 + thl + payload.length;
  p.writeUInt16BE(~csum(p, ihl, p.length, pseudo) & 0xffff, ihl + 16);
  return p;
}

/** Prefixes a packet with a virtio_net_hdr, making it a GSO super-packet of `gsoSize` segments. */
function superPacket(p, gsoType, gsoSize) {
  const v6 = p[0] >> 4 === 6;
  const ihl = v6 ? 40 : 20;
  const out = Buffer.concat([Buffer.alloc(10), p]);
  const l4 = gsoType === 'udp_l4' ? 8 : (p[ihl + 12] >> 4) * 4;
  writeVnetHeader(out, { flags: 1, gsoType, hdrLen: ihl + l4, gsoSize, csumStart: ihl, csumOffset: gsoType === 'udp_l4' ? 6 : 16 });
  // NEEDS_CSUM: the checksum field holds the pseudo-header sum, as the kernel leaves it.
  const pseudo = csum(p, v6 ? 8 : 12, v6 ? 40 : 20) + (gsoType === 'udp_l4' ? 17 : 6) + p.length - ihl;
  out.writeUInt16BE(csum(Buffer.alloc(0), 0, 0, pseudo), 10 + ihl + (gsoType === 'udp_l4' ? 6 : 16));
  return out;
}

function list(packets, withHdr = false) {
  const bufs = packets.map((p) => (withHdr ? Buffer.concat([Buffer.alloc(10), p]) : p));
  const buffer = Buffer.concat(bufs);
  const offsets = new Int32Array(bufs.length);
  const lengths = new Int32Array(bufs.length);
  let o = 0;
  bufs.forEach((b, i) => {
    offsets[i] = o;
    lengths[i] = b.length;
    o += b.length;
  });
  return { count: bufs.length, buffer, offsets, lengths };
}

for (const v6 of [false, true]) {
  test(`split: a 64 KB TCP/IPv${v6 ? 6 : 4} super-packet becomes MSS-sized segments with exact sequence numbers, flags and checksums`, () => {
    const data = randomBytes(65000 - (v6 ? 60 : 40) - 12);
    const opts = Buffer.from([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]); // NOP NOP timestamps
    const sp = superPacket(tcp({ v6, seq: 0xfffff000, flags: 0x18, payload: data, options: opts, id: 65530 }), v6 ? 'tcpv6' : 'tcpv4', 1388);
    const split = new GsoSplitter();
    const n = split.split(sp);
    assert.equal(n, Math.ceil(data.length / 1388));
    const parts = [];
    for (let i = 0; i < n; i++) {
      const f = verify(split.packet(i));
      assert.equal(f.seq, (0xfffff000 + i * 1388) >>> 0, 'sequence number (wrapping)');
      assert.equal(f.flags, i === n - 1 ? 0x18 : 0x10, 'PSH only on the last segment');
      if (!v6) assert.equal(f.id, (65530 + i) & 0xffff, 'IPv4 ids count up');
      assert.ok(f.payload.length <= 1388);
      assert.deepEqual(split.packet(i).subarray(f.ihl + 20, f.ihl + 32), opts, 'options repeated');
      parts.push(Buffer.from(f.payload));
    }
    assert.deepEqual(Buffer.concat(parts), data);
    // With room for a virtio_net_hdr before each segment (for a vnetHdr device without offloads).
    const withHdr = new GsoSplitter({ vnetHdr: true });
    assert.equal(withHdr.split(sp), n);
    assert.deepEqual(withHdr.packet(3).subarray(0, 10), Buffer.alloc(10));
    assert.deepEqual(withHdr.packet(3).subarray(10), split.packet(3));
  });

  test(`coalesce: in-order IPv${v6 ? 6 : 4} segments merge into one super-packet, and splitting it gives the segments back byte for byte`, () => {
    const split = new GsoSplitter();
    const data = randomBytes(40 * 1400 + 300);
    const sp = superPacket(tcp({ v6, seq: 5, flags: 0x18, payload: data }), v6 ? 'tcpv6' : 'tcpv4', 1400);
    const n = split.split(sp);
    const segments = Array.from({ length: n }, (_, i) => Buffer.from(split.packet(i)));
    const gro = new TcpCoalescer();
    assert.equal(gro.coalesce(list(segments)), 1);
    const merged = gro.packet(0);
    const h = parseVnetHeader(merged);
    assert.deepEqual(h, { flags: 1, gsoType: v6 ? 'tcpv6' : 'tcpv4', ecn: false, hdrLen: (v6 ? 40 : 20) + 20, gsoSize: 1400, csumStart: v6 ? 40 : 20, csumOffset: 16 });
    const again = new GsoSplitter();
    assert.equal(again.split(merged), n);
    for (let i = 0; i < n; i++) assert.deepEqual(again.packet(i), segments[i], `segment ${i}`);
  });
}

test('coalesce: flows stay apart, order is kept, and what must not merge passes through unchanged', () => {
  const pay = (n) => randomBytes(n);
  const a1 = tcp({ seq: 100, payload: pay(1000) });
  const b1 = tcp({ seq: 7, payload: pay(1000), sport: 41000 });
  const a2 = tcp({ seq: 1100, payload: pay(1000) });
  const b2 = tcp({ seq: 1007, payload: pay(500), sport: 41000 }); // shorter: ends b's group
  const b3 = tcp({ seq: 1507, payload: pay(500), sport: 41000 }); // after a short one: new group
  const gap = tcp({ seq: 9999, payload: pay(1000) }); // not in sequence: a new group of a
  const syn = tcp({ seq: 1, flags: 0x02, payload: Buffer.alloc(0), sport: 42000 });
  const otherAck = tcp({ seq: 10999, ack: 78, payload: pay(1000) }); // another ACK number
  const udp = Buffer.from(a1);
  udp[9] = 17; // not TCP
  const gro = new TcpCoalescer();
  const input = [a1, b1, a2, b2, b3, gap, syn, otherAck, udp];
  const n = gro.coalesce(list(input));
  const out = Array.from({ length: n }, (_, i) => gro.packet(i));
  const body = (p) => p.subarray(10);
  assert.equal(n, 7);
  assert.equal(parseVnetHeader(out[0]).gsoType, 'tcpv4'); // a1 + a2
  assert.deepEqual(verifyMerged(out[0]), Buffer.concat([a1.subarray(40), a2.subarray(40)]));
  assert.deepEqual(verifyMerged(out[1]), Buffer.concat([b1.subarray(40), b2.subarray(40)])); // b1 + b2
  for (const [i, p] of [[2, b3], [3, gap], [4, syn], [5, otherAck], [6, udp]]) {
    assert.deepEqual(out[i].subarray(0, 10), Buffer.alloc(10), `packet ${i} header`);
    assert.deepEqual(body(out[i]), p, `packet ${i} unchanged`);
  }
  // Input with virtio_net_hdrs (from a vnetHdr device without offloads) works the same.
  const withHdr = new TcpCoalescer({ vnetHdr: true });
  assert.equal(withHdr.coalesce(list(input, true)), 7);
  assert.deepEqual(withHdr.packet(1), gro.packet(1));
  // maxSegments and the 64 KB limit end groups.
  const many = Array.from({ length: 60 }, (_, i) => tcp({ seq: i * 1400, payload: pay(1400) }));
  assert.equal(new TcpCoalescer({ maxSegments: 8 }).coalesce(list(many)), 8);
  const big = new TcpCoalescer();
  assert.equal(big.coalesce(list(many)), 2, '60 x 1400 bytes do not fit one 64 KB packet');
  assert.ok(big.packet(0).length <= 65535 + 10);
});

/** Splits a merged packet and returns its payload after checking every segment. */
function verifyMerged(p) {
  const s = new GsoSplitter();
  const n = s.split(p);
  return Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.from(verify(s.packet(i)).payload)));
}

test('split: UDP segmentation (USO) and checksum completion without GSO', () => {
  const payload = randomBytes(3000);
  const udp = Buffer.alloc(28 + payload.length);
  udp[0] = 0x45;
  udp.writeUInt16BE(udp.length, 2);
  udp[8] = 64;
  udp[9] = 17;
  Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]).copy(udp, 12);
  udp.writeUInt16BE(~csum(udp, 0, 20) & 0xffff, 10);
  udp.writeUInt16BE(5000, 20);
  udp.writeUInt16BE(6000, 22);
  udp.writeUInt16BE(8 + payload.length, 24);
  payload.copy(udp, 28);
  const split = new GsoSplitter();
  assert.equal(split.split(superPacket(udp, 'udp_l4', 1200)), 3);
  const parts = [0, 1, 2].map((i) => Buffer.from(verify(split.packet(i)).payload));
  assert.deepEqual(Buffer.concat(parts), payload);
  // No GSO, NEEDS_CSUM: the checksum is completed.
  const one = superPacket(tcp({ payload: randomBytes(100) }), 'tcpv4', 1400);
  one[1] = 0; // gsoType none
  assert.equal(split.split(one), 1);
  verify(split.packet(0));
});

test('bad input: truncated or foreign packets and wrong types answer ERR_INVALID_ARG_*', () => {
  const split = new GsoSplitter();
  const code = { code: 'ERR_INVALID_ARG_VALUE' };
  assert.throws(() => split.split(Buffer.alloc(5)), code);
  assert.throws(() => split.split('packet'), { code: 'ERR_INVALID_ARG_TYPE' });
  const sp = superPacket(tcp({ payload: randomBytes(3000) }), 'tcpv4', 1000);
  assert.throws(() => split.split(sp.subarray(0, 40)), code); // truncated TCP header
  const noSize = Buffer.from(sp);
  noSize.writeUInt16LE(0, 4);
  assert.throws(() => split.split(noSize), code);
  const ufo = Buffer.from(sp);
  ufo[1] = 3;
  assert.throws(() => split.split(ufo), code);
  const wrongProto = Buffer.from(sp);
  wrongProto[1] = 5; // udp_l4 on a TCP packet
  assert.throws(() => split.split(wrongProto), code);
  const notIp = Buffer.from(sp);
  notIp[10] = 0x15;
  assert.throws(() => split.split(notIp), code);
  assert.throws(() => new GsoSplitter({ vnetHdr: 'yes' }), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => new TcpCoalescer({ maxSegments: 0 }), code);
  const gro = new TcpCoalescer();
  assert.throws(() => gro.coalesce({ count: 1 }), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => gro.coalesce({ count: 1, buffer: Buffer.alloc(4), offsets: Int32Array.of(2), lengths: Int32Array.of(9) }), code);
  assert.throws(() => gro.coalesce({ count: 3, buffer: Buffer.alloc(4), offsets: new Int32Array(1), lengths: new Int32Array(1) }), code);
  // Garbage never throws anything else and never reads outside the packet.
  for (let i = 0; i < 2000; i++) {
    const junk = randomBytes(11 + (i % 200));
    try {
      split.split(junk);
    } catch (e) {
      assert.equal(e.code, 'ERR_INVALID_ARG_VALUE', String(e));
    }
    gro.coalesce(list([junk, junk]));
  }
});
