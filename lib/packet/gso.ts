/**
 * Userspace segmentation and coalescing for `vnetHdr` TUN devices, as wireguard-go and Tailscale
 * do it: a forwarder reads 64 KB TCP super-packets from a device with offloads and either writes
 * them on as they are, or splits them ({@link GsoSplitter}) for a path that takes wire-sized
 * packets; in the other direction it merges consecutive segments of a TCP flow
 * ({@link TcpCoalescer}) and writes one super-packet instead of dozens. Both reuse their output
 * buffer: no allocation per packet once it has grown to the largest batch seen.
 */
import { invalidType, invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';

/** Packets laid out in one buffer (what {@link TunDevice.writeBatch} writes). */
export interface PacketList {
  readonly count: number;
  readonly buffer: Buffer;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
}

/**
 * Reads a caller's PacketList once and checks that snapshot: the right array types, `count`
 * within them, every packet inside the buffer and `minLength` to `maxLength` bytes long. Use the
 * returned values only: a getter may answer differently the next time it is read. @internal
 */
export function readPacketList(list: PacketList, arg: string, minLength = 0, maxLength = Infinity): PacketList {
  if (typeof list !== 'object' || list === null) throw invalidType(arg, 'a PacketList (count, buffer: Buffer, offsets/lengths: Int32Array)', list);
  const { count, buffer, offsets, lengths } = list;
  if (!(buffer instanceof Uint8Array) || !(offsets instanceof Int32Array) || !(lengths instanceof Int32Array))
    throw invalidType(arg, 'a PacketList (count, buffer: Buffer, offsets/lengths: Int32Array)', list);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > offsets.length || count > lengths.length)
    throw invalidValue(`${arg}.count`, count, 'exceeds its offsets/lengths', true);
  for (let i = 0; i < count; i++) {
    const o = offsets[i]!;
    const l = lengths[i]!;
    if (o < 0 || l < minLength || l > maxLength || o + l > buffer.length)
      throw invalidValue(`${arg} packet ${i}`, `${o}+${l}`, `must be ${minLength} to ${maxLength} bytes inside the buffer`, true);
  }
  return { count, buffer, offsets, lengths };
}

const VNET = 10;
const NEEDS_CSUM = 1;
const GSO_NONE = 0;
const GSO_TCPV4 = 1;
const GSO_UDP = 3;
const GSO_TCPV6 = 4;
const GSO_UDP_L4 = 5;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
const TCP_CWR = 0x80;

/** Sums big-endian 16-bit words of b[start, end) onto `sum` (not folded). */
function sum16(b: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  const even = end - ((end - start) & 1);
  for (; i + 8 <= even; i += 8) sum += ((b[i]! << 8) | b[i + 1]!) + ((b[i + 2]! << 8) | b[i + 3]!) + ((b[i + 4]! << 8) | b[i + 5]!) + ((b[i + 6]! << 8) | b[i + 7]!);
  for (; i < even; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (even < end) sum += b[end - 1]! << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** The pseudo-header sum (addresses, protocol, length) of the IP packet at `ip`. */
function pseudoSum(b: Uint8Array, ip: number, v6: boolean, proto: number, len: number): number {
  return (v6 ? sum16(b, ip + 8, ip + 40, 0) : sum16(b, ip + 12, ip + 20, 0)) + proto + len;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function get16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function get32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function ipv4Checksum(b: Uint8Array, ip: number, ihl: number): void {
  b[ip + 10] = 0;
  b[ip + 11] = 0;
  put16(b, ip + 10, ~fold(sum16(b, ip, ip + ihl, 0)) & 0xffff);
}

/** A growable output area of packets. */
class Output implements PacketList {
  count = 0;
  buffer: Buffer;
  offsets: Int32Array;
  lengths: Int32Array;
  protected used = 0;
  constructor(bytes: number, packets: number) {
    this.buffer = Buffer.alloc(bytes);
    this.offsets = new Int32Array(packets);
    this.lengths = new Int32Array(packets);
  }
  /** A zero-copy view of packet i (valid until the next call that refills this object). */
  packet(i: number): Buffer {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw invalidValue('i', i, `must be an index below ${this.count}`, true);
    return this.buffer.subarray(this.offsets[i], this.offsets[i]! + this.lengths[i]!);
  }
  protected reset(bytes: number, packets: number): void {
    this.count = 0;
    this.used = 0;
    if (this.buffer.length < bytes) this.buffer = Buffer.alloc(Math.max(bytes, this.buffer.length * 2));
    if (this.offsets.length < packets) {
      const n = Math.max(packets, this.offsets.length * 2);
      this.offsets = new Int32Array(n);
      this.lengths = new Int32Array(n);
    }
  }
  /** Reserves `len` bytes for the next packet; returns its offset. */
  protected add(len: number): number {
    const o = this.used;
    this.offsets[this.count] = o;
    this.lengths[this.count] = len;
    this.count++;
    this.used += len;
    return o;
  }
}

/** Options of {@link GsoSplitter}. */
export interface GsoSplitterOptions {
  /**
   * Leave a zeroed 10-byte virtio_net_hdr before each output packet (to write them to a `vnetHdr`
   * device that has no offloads). Default false: plain IP packets.
   */
  vnetHdr?: boolean;
}

interface IpInfo {
  v6: boolean;
  ihl: number;
  proto: number;
}

function ipInfo(b: Uint8Array, ip: number, end: number, what: string): IpInfo {
  const version = end > ip ? b[ip]! >> 4 : 0;
  if (version === 4 && end - ip >= 20) {
    const ihl = (b[ip]! & 15) * 4;
    if (ihl >= 20 && ip + ihl <= end) return { v6: false, ihl, proto: b[ip + 9]! };
  } else if (version === 6 && end - ip >= 40) {
    return { v6: true, ihl: 40, proto: b[ip + 6]! };
  }
  throw invalidValue(what, `${end - ip} bytes of version ${version}`, 'is not an IPv4/IPv6 packet this helper can segment');
}

/**
 * Splits GSO super-packets read from a `vnetHdr` TUN (virtio_net_hdr + IP packet) into the
 * wire-sized packets the kernel would have sent (TCP: sequence numbers, PSH/FIN on the last
 * segment, CWR on the first; IPv4 ids counted up; every checksum complete), and completes the
 * checksum of packets that carry `NEEDS_CSUM` without GSO. Output goes into this object's reused
 * buffer: `count`, `buffer`, `offsets`, `lengths`, `packet(i)`; pass it to `device.writeBatch()`.
 *
 * ```ts
 * const split = new GsoSplitter();
 * offloaded.onPackets((batch) => {
 *   for (let i = 0; i < batch.count; i++) {
 *     split.split(batch.packet(i));
 *     plain.writeBatch(split);
 *   }
 * });
 * ```
 */
export class GsoSplitter extends Output {
  private readonly room: number;
  constructor(options: GsoSplitterOptions = {}) {
    super(128 * 1024, 64);
    options = v.object(options, 'options'); // read once, own properties
    if (options.vnetHdr !== undefined && typeof options.vnetHdr !== 'boolean') throw invalidType('options.vnetHdr', 'a boolean', options.vnetHdr);
    this.room = options.vnetHdr ? VNET : 0;
  }

  /**
   * Splits one packet that starts with its virtio_net_hdr. Returns the number of packets now in
   * this object (1 for a packet without GSO).
   */
  split(packet: Uint8Array): number {
    if (!(packet instanceof Uint8Array)) throw invalidType('packet', 'a Buffer or Uint8Array', packet);
    if (packet.length <= VNET) throw invalidValue('packet', packet, 'must hold a 10-byte virtio_net_hdr and a packet', true);
    const flags = packet[0]!;
    const gso = packet[1]! & 0x7f;
    const gsoSize = packet[4]! | (packet[5]! << 8);
    const csumStart = packet[6]! | (packet[7]! << 8);
    const csumOffset = packet[8]! | (packet[9]! << 8);
    const ip = VNET;
    const end = packet.length;
    const room = this.room;
    if (gso === GSO_NONE) {
      this.reset(end - VNET + room, 1);
      const o = this.add(end - VNET + room);
      const out = this.buffer;
      out.fill(0, o, o + room);
      out.set(packet.subarray(VNET), o + room);
      if (flags & NEEDS_CSUM) {
        const cs = o + room + csumStart;
        const field = cs + csumOffset;
        if (csumStart + csumOffset + 2 > end - VNET) throw invalidValue('packet', packet, 'has csumStart/csumOffset beyond its end', true);
        let ck = ~fold(sum16(out, cs, o + room + end - VNET, 0)) & 0xffff;
        if (ck === 0 && csumOffset === 6) ck = 0xffff; // UDP sends a zero sum as all ones
        put16(out, field, ck);
      }
      return this.count;
    }
    if (gso === GSO_UDP) throw invalidValue('packet', 'gsoType udp (UFO)', 'is IP fragmentation, which this helper does not do', true);
    if (gso !== GSO_TCPV4 && gso !== GSO_TCPV6 && gso !== GSO_UDP_L4) throw invalidValue('packet', `gsoType ${gso}`, 'is not a GSO type this helper knows');
    const { v6, ihl, proto } = ipInfo(packet, ip, end, 'packet');
    const tcp = gso !== GSO_UDP_L4;
    if (proto !== (tcp ? 6 : 17)) throw invalidValue('packet', `IP protocol ${proto}`, `does not match gsoType ${gso} (IPv6 extension headers are not supported)`);
    const l4 = ip + ihl;
    const l4len = tcp ? (end >= l4 + 13 ? (packet[l4 + 12]! >> 4) * 4 : 0) : 8;
    if (l4len < (tcp ? 20 : 8) || l4 + l4len > end) throw invalidValue('packet', packet, 'has a truncated transport header', true);
    if (gsoSize === 0) throw invalidValue('packet', packet, 'has GSO without a gsoSize', true);
    const hdr = ihl + l4len;
    const payload = end - l4 - l4len;
    const n = Math.max(1, Math.ceil(payload / gsoSize));
    this.reset(n * (room + hdr) + payload, n);
    const out = this.buffer;
    const seq0 = tcp ? get32(packet, l4 + 4) : 0;
    const id0 = v6 ? 0 : get16(packet, ip + 4);
    const lastFlags = tcp ? packet[l4 + 13]! : 0;
    for (let s = 0; s < n; s++) {
      const from = l4 + l4len + s * gsoSize;
      const len = Math.min(gsoSize, end - from);
      const o = this.add(room + hdr + len);
      const p = o + room;
      out.fill(0, o, p);
      out.set(packet.subarray(ip, ip + hdr), p);
      out.set(packet.subarray(from, from + len), p + hdr);
      if (v6) put16(out, p + 4, l4len + len);
      else {
        put16(out, p + 2, hdr + len);
        put16(out, p + 4, (id0 + s) & 0xffff);
        ipv4Checksum(out, p, ihl);
      }
      const t = p + ihl;
      let sum: number;
      if (tcp) {
        put32(out, t + 4, (seq0 + s * gsoSize) >>> 0);
        let f = lastFlags;
        if (s < n - 1) f &= ~(TCP_FIN | TCP_PSH);
        if (s > 0) f &= ~TCP_CWR;
        out[t + 13] = f;
        out[t + 16] = 0;
        out[t + 17] = 0;
        sum = pseudoSum(out, p, v6, 6, l4len + len);
      } else {
        put16(out, t + 4, 8 + len);
        out[t + 6] = 0;
        out[t + 7] = 0;
        sum = pseudoSum(out, p, v6, 17, 8 + len);
      }
      let ck = ~fold(sum16(out, t, p + hdr + len, sum)) & 0xffff;
      if (!tcp && ck === 0) ck = 0xffff;
      put16(out, t + (tcp ? 16 : 6), ck);
    }
    return this.count;
  }
}

/** Options of {@link TcpCoalescer}. */
export interface TcpCoalescerOptions {
  /** The input packets start with a virtio_net_hdr (read from a `vnetHdr` device). Default false. */
  vnetHdr?: boolean;
  /** Segments merged into one super-packet at most (1-256). Default 64. */
  maxSegments?: number;
}

/**
 * Merges consecutive segments of the same TCP flow (same addresses, ports, ACK number, options,
 * TOS/TTL; in-sequence; equal sizes but for a shorter last one; no SYN/FIN/RST/URG/CWR) into GSO
 * super-packets of up to 64 KB, each preceded by the virtio_net_hdr (TCPv4/TCPv6 GSO,
 * NEEDS_CSUM) a `vnetHdr` device with offloads takes. Other packets pass through in order, with a
 * zeroed header. Like wireguard-go, it does not verify the TCP checksums of the segments it
 * merges: the kernel computes the checksums of the super-packet afresh.
 *
 * ```ts
 * const gro = new TcpCoalescer();
 * plain.onPackets((batch) => {
 *   gro.coalesce(batch);
 *   offloaded.writeBatch(gro);
 * });
 * ```
 */
export class TcpCoalescer extends Output {
  private readonly inHdr: number;
  private readonly maxSegs: number;
  // Per input packet (grown to the batch size).
  private next = new Int32Array(64); // next member of the group, -1 at the end
  private tail = new Int32Array(64); // for a group head: its last member
  private segs = new Int32Array(64); // for a head: segments so far
  private total = new Int32Array(64); // for a head: payload bytes so far
  private gsoSize = new Int32Array(64);
  private lastLen = new Int32Array(64);
  private nextSeq = new Float64Array(64);
  private headOf = new Int32Array(64); // -1: not TCP-coalescable; else the group head
  private ipLen = new Int32Array(64); // IP header length; 0: pass through
  private tcpLen = new Int32Array(64);
  private flows = new Int32Array(64); // open group heads, newest last
  private flowCount = 0;

  constructor(options: TcpCoalescerOptions = {}) {
    super(128 * 1024, 64);
    options = v.object(options, 'options'); // read once, own properties
    if (options.vnetHdr !== undefined && typeof options.vnetHdr !== 'boolean') throw invalidType('options.vnetHdr', 'a boolean', options.vnetHdr);
    this.inHdr = options.vnetHdr ? VNET : 0;
    const m = options.maxSegments ?? 64;
    if (!Number.isInteger(m) || m < 1 || m > 256) throw invalidValue('options.maxSegments', m, 'must be an integer from 1 to 256', true);
    this.maxSegs = m;
  }

  private grow(n: number): void {
    if (this.next.length >= n) return;
    const size = Math.max(n, this.next.length * 2);
    this.next = new Int32Array(size);
    this.tail = new Int32Array(size);
    this.segs = new Int32Array(size);
    this.total = new Int32Array(size);
    this.gsoSize = new Int32Array(size);
    this.lastLen = new Int32Array(size);
    this.nextSeq = new Float64Array(size);
    this.headOf = new Int32Array(size);
    this.ipLen = new Int32Array(size);
    this.tcpLen = new Int32Array(size);
    this.flows = new Int32Array(size);
  }

  /** Whether packets a (a group head) and b belong to the same flow with equal headers. */
  private sameFlow(buf: Uint8Array, a: number, b: number, ia: number, ib: number): boolean {
    const ihl = this.ipLen[ia]!;
    const thl = this.tcpLen[ia]!;
    if (ihl !== this.ipLen[ib] || thl !== this.tcpLen[ib]) return false;
    if (buf[a] !== buf[b]) return false;
    if (ihl === 40) {
      // version/traffic class/flow label, next header, hop limit, addresses
      for (let i = 0; i < 4; i++) if (buf[a + i] !== buf[b + i]) return false;
      for (let i = 6; i < 40; i++) if (buf[a + i] !== buf[b + i]) return false;
    } else {
      if (buf[a + 1] !== buf[b + 1] || (buf[a + 6]! & 0x40) !== (buf[b + 6]! & 0x40) || buf[a + 8] !== buf[b + 8]) return false;
      for (let i = 12; i < 20; i++) if (buf[a + i] !== buf[b + i]) return false;
    }
    const ta = a + ihl;
    const tb = b + ihl;
    for (let i = 0; i < 4; i++) if (buf[ta + i] !== buf[tb + i]) return false; // ports
    for (let i = 8; i < 12; i++) if (buf[ta + i] !== buf[tb + i]) return false; // ack
    for (let i = 14; i < 16; i++) if (buf[ta + i] !== buf[tb + i]) return false; // window
    for (let i = 20; i < thl; i++) if (buf[ta + i] !== buf[tb + i]) return false; // options
    return true;
  }

  /**
   * Coalesces a list of packets (a {@link PacketBatch} or any {@link PacketList}) into this
   * object. Returns the number of packets to write.
   */
  coalesce(list: PacketList): number {
    const { count, buffer: buf, offsets: offs, lengths: lens } = readPacketList(list, 'list');
    const inHdr = this.inHdr;
    this.grow(count);
    this.flowCount = 0;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const o = offs[i]!;
      const len = lens[i]!;
      bytes += len + VNET - inHdr;
      this.headOf[i] = -1;
      this.ipLen[i] = 0;
      this.next[i] = -1;
      this.tail[i] = i;
      this.segs[i] = 1;
      // Candidates: plain TCP/IP (no GSO header of its own), ACK with data, nothing else but PSH.
      if (len <= inHdr) continue;
      if (inHdr && (buf[o]! !== 0 || buf[o + 1]! !== 0)) continue;
      const ip = o + inHdr;
      const end = o + len;
      const version = buf[ip]! >> 4;
      let ihl: number;
      if (version === 4 && end - ip >= 40) {
        ihl = (buf[ip]! & 15) * 4;
        if (ihl !== 20 || buf[ip + 9] !== 6 || get16(buf, ip + 2) !== end - ip || (get16(buf, ip + 6) & 0x3fff) !== 0) continue;
      } else if (version === 6 && end - ip >= 60) {
        ihl = 40;
        if (buf[ip + 6] !== 6 || get16(buf, ip + 4) !== end - ip - 40) continue;
      } else continue;
      const t = ip + ihl;
      const thl = (buf[t + 12]! >> 4) * 4;
      if (thl < 20 || t + thl > end) continue;
      const flags = buf[t + 13]!;
      if ((flags & ~TCP_PSH) !== TCP_ACK) continue;
      const payload = end - t - thl;
      if (payload === 0) continue;
      this.ipLen[i] = ihl;
      this.tcpLen[i] = thl;
      this.total[i] = payload;
      this.gsoSize[i] = payload;
      this.lastLen[i] = payload;
      this.nextSeq[i] = (get32(buf, t + 4) + payload) % 4294967296;
      this.headOf[i] = i;
      // Find this flow's open group, newest first.
      let f = this.flowCount - 1;
      for (; f >= 0; f--) if (this.sameFlow(buf, offs[this.flows[f]!]! + inHdr, ip, this.flows[f]!, i)) break;
      if (f >= 0) {
        const h = this.flows[f]!;
        const maxTotal = 65535 - (ihl === 40 ? thl : ihl + thl);
        const hs = offs[this.tail[h]!]! + inHdr + ihl;
        const fits =
          this.nextSeq[h] === get32(buf, t + 4) &&
          (buf[hs + 13]! & TCP_PSH) === 0 &&
          this.lastLen[h] === this.gsoSize[h] &&
          payload <= this.gsoSize[h]! &&
          this.total[h]! + payload <= maxTotal &&
          this.segs[h]! < this.maxSegs;
        if (fits) {
          this.next[this.tail[h]!] = i;
          this.tail[h] = i;
          this.segs[h]!++;
          this.total[h] = this.total[h]! + payload;
          this.lastLen[h] = payload;
          this.nextSeq[h] = (this.nextSeq[h]! + payload) % 4294967296;
          this.headOf[i] = h;
          bytes -= VNET + ihl + thl;
          continue;
        }
        this.flows[f] = i; // this packet opens the flow's next group
      } else this.flows[this.flowCount++] = i;
    }
    this.reset(bytes, count);
    const out = this.buffer;
    for (let i = 0; i < count; i++) {
      const head = this.headOf[i];
      if (head !== -1 && head !== i) continue; // merged into an earlier packet
      if (head === -1 || this.segs[i] === 1) {
        const o = offs[i]!;
        const len = lens[i]! - inHdr;
        const p = this.add(VNET + len);
        if (inHdr) out.set(buf.subarray(o, o + VNET), p);
        else out.fill(0, p, p + VNET);
        out.set(buf.subarray(o + inHdr, o + inHdr + len), p + VNET);
        continue;
      }
      const ihl = this.ipLen[i]!;
      const thl = this.tcpLen[i]!;
      const hdr = ihl + thl;
      const total = this.total[i]!;
      const p = this.add(VNET + hdr + total);
      const ip = p + VNET;
      const src = offs[i]! + inHdr;
      out.set(buf.subarray(src, src + hdr), ip);
      let w = ip + hdr;
      let last = i;
      for (let m = i; m !== -1; m = this.next[m]!) {
        const s = offs[m]! + inHdr + hdr;
        const e = offs[m]! + lens[m]!;
        out.set(buf.subarray(s, e), w);
        w += e - s;
        last = m;
      }
      const v6 = ihl === 40;
      if (v6) put16(out, ip + 4, thl + total);
      else {
        put16(out, ip + 2, hdr + total);
        ipv4Checksum(out, ip, ihl);
      }
      const t = ip + ihl;
      if (buf[offs[last]! + inHdr + ihl + 13]! & TCP_PSH) out[t + 13] = out[t + 13]! | TCP_PSH;
      put16(out, t + 16, fold(pseudoSum(out, ip, v6, 6, thl + total)));
      // virtio_net_hdr: NEEDS_CSUM, TCP GSO, header length, segment size, checksum start/offset.
      out[p] = NEEDS_CSUM;
      out[p + 1] = v6 ? GSO_TCPV6 : GSO_TCPV4;
      out[p + 2] = hdr & 0xff;
      out[p + 3] = hdr >> 8;
      out[p + 4] = this.gsoSize[i]! & 0xff;
      out[p + 5] = this.gsoSize[i]! >> 8;
      out[p + 6] = ihl;
      out[p + 7] = 0;
      out[p + 8] = 16;
      out[p + 9] = 0;
    }
    return this.count;
  }
}
