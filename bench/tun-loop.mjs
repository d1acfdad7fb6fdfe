// The TUN closed-loop forward shared by bench/tun.mjs and bench/compare-worker.mjs: the packets,
// the TTL restore, the device preparation and netdev's batch loop. Imports no netdev: the functions
// that call it take the module they measure (the package, or a build of another revision).
import { writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

export const SUPER = 65000; // bytes of IP packet in offload mode (one TCP super-packet, MSS 1400)

export const sysctl = (key, value) => writeFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, String(value));

/** Forwarding on, redirects and reverse-path filtering off, in the caller's namespace. */
export function forwardingOn() {
  sysctl('net.ipv4.ip_forward', 1);
  sysctl('net.ipv4.conf.all.send_redirects', 0);
  sysctl('net.ipv4.conf.default.send_redirects', 0);
  sysctl('net.ipv4.conf.all.rp_filter', 0);
  sysctl('net.ipv4.conf.default.rp_filter', 0);
}

/** The folded ones'-complement sum of the 16-bit words of p[start, end), plus `initial`. */
function sum16(p, start, end, initial = 0) {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += p.readUInt16BE(i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

/** A UDP/IPv4 packet of `size` bytes 10.50.2.2 -> 10.50.1.2, TTL 64. */
export function packet(size) {
  const p = Buffer.alloc(size);
  p[0] = 0x45;
  p.writeUInt16BE(size, 2);
  p[8] = 64;
  p[9] = 17;
  Buffer.from([10, 50, 2, 2]).copy(p, 12);
  Buffer.from([10, 50, 1, 2]).copy(p, 16);
  p.writeUInt16BE(~sum16(p, 0, 20) & 0xffff, 10);
  p.writeUInt16BE(40000, 20);
  p.writeUInt16BE(9, 22);
  p.writeUInt16BE(size - 20, 24);
  return p;
}

/** A 64 KB TCP/IPv4 super-packet 10.50.2.2 -> 10.50.1.2 behind its virtio_net_hdr (TSO, MSS 1400). */
export function superPacket(nd) {
  const p = Buffer.alloc(10 + SUPER);
  const ip = 10;
  p[ip] = 0x45;
  p.writeUInt16BE(SUPER, ip + 2);
  p[ip + 6] = 0x40;
  p[ip + 8] = 64;
  p[ip + 9] = 6;
  Buffer.from([10, 50, 2, 2, 10, 50, 1, 2]).copy(p, ip + 12);
  p.writeUInt16BE(~sum16(p, ip, ip + 20) & 0xffff, ip + 10);
  const t = ip + 20;
  p.writeUInt16BE(40000, t);
  p.writeUInt16BE(9, t + 2);
  p[t + 12] = 0x50;
  p[t + 13] = 0x10;
  p.writeUInt16BE(1000, t + 14);
  // NEEDS_CSUM: the TCP checksum field holds the pseudo-header sum.
  p.writeUInt16BE(sum16(p, ip + 12, ip + 20, 6 + SUPER - 20), t + 16);
  nd.writeVnetHeader(p, { flags: 1, gsoType: 'tcpv4', hdrLen: 40, gsoSize: 1400, csumStart: 20, csumOffset: 16 });
  return p;
}

/** The TTL came back as 63: restore 64 and patch the checksum (RFC 1624), in place. */
export function restoreTtl(b, o = 0) {
  const old = (b[o + 8] << 8) | b[o + 9];
  b[o + 8] = 64;
  const nw = (b[o + 8] << 8) | b[o + 9];
  let sum = (~((b[o + 10] << 8) | b[o + 11]) & 0xffff) + (~old & 0xffff) + nw;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  const ck = ~sum & 0xffff;
  b[o + 10] = ck >> 8;
  b[o + 11] = ck & 0xff;
}

/** 10.50.0.1/16 on the device, up, no redirects or rp_filter on it. */
export async function prepare(nd, name) {
  await nd.addAddress(name, '10.50.0.1/16');
  await nd.setLink(name, { up: true });
  sysctl(`net.ipv4.conf.${name}.send_redirects`, 0);
  sysctl(`net.ipv4.conf.${name}.rp_filter`, 0);
}

// Until linkwatch installs the real qdisc, transmitted packets are dropped (noop qdisc). A TUN's
// operstate stays "unknown", so the qdisc is what to watch.
export async function whenUp(nd, name) {
  for (let i = 0; i < 300 && (await nd.getLink(name)).qdisc === 'noop'; i++) await new Promise((r) => setTimeout(r, 10));
}

let seq = 0;

/**
 * netdev's batch API (onPackets + writeBatch) forwarding `window` primed packets for `seconds`,
 * after 200 ms of warm-up. Resolves with packets per second, GC events and packets counted.
 */
export async function batchRun(nd, { size = 64, vnet = false, seconds, window }) {
  const hdr = vnet ? 10 : 0;
  const dev = await nd.openTun({ name: `tnd${seq++}`, ...(vnet ? { vnetHdr: true, offload: { csum: true, tso4: true, tso6: true } } : {}) });
  await prepare(nd, dev.name);
  let n = 0;
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  dev.onPackets((batch) => {
    const buf = batch.buffer;
    const offs = batch.offsets;
    for (let i = 0; i < batch.count; i++) restoreTtl(buf, offs[i] + hdr);
    dev.writeBatch(batch);
    n += batch.count;
  });
  await whenUp(nd, dev.name);
  const p = vnet ? superPacket(nd) : packet(size);
  for (let i = 0; i < window; i++) await dev.write(p);
  await new Promise((r) => setTimeout(r, 200)); // warm up (JIT)
  obs.observe({ entryTypes: ['gc'] });
  const n0 = n;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const secs = (performance.now() - t0) / 1000;
  const got = n - n0;
  obs.disconnect();
  dev.close();
  return { pps: got / secs, gcs, packets: got };
}
