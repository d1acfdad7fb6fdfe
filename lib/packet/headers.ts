/**
 * Header bytes shared by the GSO splitter (gso.ts) and the TCP coalescer (tcp_coalesce.ts): the
 * virtio_net_hdr and TCP flag values, big-endian reads and writes, Internet checksums.
 */

export const VNET = 10;
export const NEEDS_CSUM = 1;
export const GSO_NONE = 0;
export const GSO_TCPV4 = 1;
export const GSO_UDP = 3;
export const GSO_TCPV6 = 4;
export const GSO_UDP_L4 = 5;
export const TCP_FIN = 0x01;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_CWR = 0x80;

/** Sums big-endian 16-bit words of b[start, end) onto `sum` (not folded). */
export function sum16(b: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  const even = end - ((end - start) & 1);
  for (; i + 8 <= even; i += 8) sum += ((b[i]! << 8) | b[i + 1]!) + ((b[i + 2]! << 8) | b[i + 3]!) + ((b[i + 4]! << 8) | b[i + 5]!) + ((b[i + 6]! << 8) | b[i + 7]!);
  for (; i < even; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (even < end) sum += b[end - 1]! << 8;
  return sum;
}

export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** The pseudo-header sum (addresses, protocol, length) of the IP packet at `ip`. */
export function pseudoSum(b: Uint8Array, ip: number, v6: boolean, proto: number, len: number): number {
  return (v6 ? sum16(b, ip + 8, ip + 40, 0) : sum16(b, ip + 12, ip + 20, 0)) + proto + len;
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function get16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function get32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

export function ipv4Checksum(b: Uint8Array, ip: number, ihl: number): void {
  b[ip + 10] = 0;
  b[ip + 11] = 0;
  put16(b, ip + 10, ~fold(sum16(b, ip, ip + ihl, 0)) & 0xffff);
}
