/**
 * Userspace coalescing for `vnetHdr` TUN devices, as wireguard-go and Tailscale do it: a forwarder
 * merges consecutive segments of a TCP flow ({@link TcpCoalescer}) and writes one super-packet to
 * a device with offloads instead of dozens. The other direction, splitting super-packets, is
 * {@link GsoSplitter} (gso.ts). The coalescer reuses its output buffer: no allocation per packet
 * once it has grown to the largest batch seen.
 */
import { invalidType, invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';
import { GSO_TCPV4, GSO_TCPV6, NEEDS_CSUM, TCP_ACK, TCP_PSH, VNET, fold, get16, get32, ipv4Checksum, pseudoSum, put16 } from './headers.js';
import { Output, readPacketList, type PacketList } from './packet_list.js';

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
