/**
 * The virtio_net_hdr that `vnetHdr` devices put before each packet: its size, and reading and
 * writing it.
 */
import { invalidType, invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';

/** A virtio_net_hdr (the 10 bytes before each packet of a `vnetHdr` device). */
export interface VnetHeader {
  /** VIRTIO_NET_HDR_F_NEEDS_CSUM (1), F_DATA_VALID (2). */
  flags: number;
  /** GSO type: 'none', 'tcpv4', 'udp', 'tcpv6', 'udp_l4', with `ecn` for the ECN bit. */
  gsoType: 'none' | 'tcpv4' | 'udp' | 'tcpv6' | 'udp_l4' | number;
  ecn: boolean;
  /** Length of the headers (Ethernet + IP + TCP/UDP) the segments repeat. */
  hdrLen: number;
  /** Payload bytes per segment when the packet is a GSO super-packet. */
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

/** Size of the header `vnetHdr` devices put before each packet. */
export const VNET_HDR_LEN = 10;

const GSO_NAMES: Record<number, VnetHeader['gsoType']> = { 0: 'none', 1: 'tcpv4', 3: 'udp', 4: 'tcpv6', 5: 'udp_l4' };

/** Decodes the virtio_net_hdr at `offset` (little-endian, as the kernel writes it for TUN). */
export function parseVnetHeader(buf: Uint8Array, offset = 0): VnetHeader {
  if (!(buf instanceof Uint8Array)) throw invalidType('buf', 'a Buffer or Uint8Array', buf);
  if (!Number.isInteger(offset) || offset < 0 || offset + VNET_HDR_LEN > buf.length)
    throw invalidValue('offset', offset, 'leaves no room for a 10-byte virtio_net_hdr', true);
  const d = new DataView(buf.buffer, buf.byteOffset + offset, VNET_HDR_LEN);
  const gso = d.getUint8(1);
  return {
    flags: d.getUint8(0),
    gsoType: GSO_NAMES[gso & 0x7f] ?? gso & 0x7f,
    ecn: (gso & 0x80) !== 0,
    hdrLen: d.getUint16(2, true),
    gsoSize: d.getUint16(4, true),
    csumStart: d.getUint16(6, true),
    csumOffset: d.getUint16(8, true),
  };
}

/** Encodes a virtio_net_hdr into `buf` at `offset` (for writing to a `vnetHdr` device). */
export function writeVnetHeader(buf: Uint8Array, header: Partial<VnetHeader>, offset = 0): void {
  if (!(buf instanceof Uint8Array)) throw invalidType('buf', 'a Buffer or Uint8Array', buf);
  header = v.object(header, 'header');
  if (!Number.isInteger(offset) || offset < 0 || offset + VNET_HDR_LEN > buf.length)
    throw invalidValue('offset', offset, 'leaves no room for a 10-byte virtio_net_hdr', true);
  const codes: Record<string, number> = { none: 0, tcpv4: 1, udp: 3, tcpv6: 4, udp_l4: 5 };
  const type = header.gsoType === undefined ? 0 : typeof header.gsoType === 'number' ? v.integer(header.gsoType, 'header.gsoType', 0, 127) : v.lookup(codes, header.gsoType);
  if (type === undefined) throw invalidValue('header.gsoType', header.gsoType, 'is not a GSO type');
  // Every field is checked before the first byte is written: a bad one leaves buf as it was.
  const flags = v.integer(header.flags ?? 0, 'header.flags', 0, 255);
  const ecn = header.ecn === undefined ? false : v.bool(header.ecn, 'header.ecn');
  const hdrLen = v.integer(header.hdrLen ?? 0, 'header.hdrLen', 0, 65535);
  const gsoSize = v.integer(header.gsoSize ?? 0, 'header.gsoSize', 0, 65535);
  const csumStart = v.integer(header.csumStart ?? 0, 'header.csumStart', 0, 65535);
  const csumOffset = v.integer(header.csumOffset ?? 0, 'header.csumOffset', 0, 65535);
  const d = new DataView(buf.buffer, buf.byteOffset + offset, VNET_HDR_LEN);
  d.setUint8(0, flags);
  d.setUint8(1, type | (ecn ? 0x80 : 0));
  d.setUint16(2, hdrLen, true);
  d.setUint16(4, gsoSize, true);
  d.setUint16(6, csumStart, true);
  d.setUint16(8, csumOffset, true);
}
