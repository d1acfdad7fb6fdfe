/**
 * Userspace segmentation for `vnetHdr` TUN devices, as wireguard-go and Tailscale do it: a
 * forwarder reads 64 KB TCP super-packets from a device with offloads and either writes them on as
 * they are, or splits them ({@link GsoSplitter}) for a path that takes wire-sized packets. The
 * other direction, merging consecutive segments of a TCP flow into one super-packet, is
 * {@link TcpCoalescer} (tcp_coalesce.ts). The splitter reuses its output buffer: no allocation per
 * packet once it has grown to the largest batch seen.
 */
import { invalidType, invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';
import {
  GSO_NONE, GSO_TCPV4, GSO_TCPV6, GSO_UDP, GSO_UDP_L4, NEEDS_CSUM, TCP_CWR, TCP_FIN, TCP_PSH, VNET,
  fold, get16, get32, ipv4Checksum, pseudoSum, put16, put32, sum16,
} from './headers.js';
import { Output } from './packet_list.js';

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
