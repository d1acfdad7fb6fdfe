#!/usr/bin/env node
// TUN packet benchmark (not a timed test): a closed-loop forward through the kernel.
// One TUN with 10.50.0.1/16, forwarding on, redirects off; W UDP packets 10.50.2.2 -> 10.50.1.2
// are primed; the kernel forwards each back out of the same TUN (TTL - 1); the program reads it,
// restores the TTL with an incremental checksum update, and writes it back. Measured: netdev's
// batch API (onPackets + writeBatch), netdev's async iterator + write(), and a C reference loop
// (bench/tun_ref.c, blocking read/write) in the same run, alternating, median of RUNS. Runs in the
// sandbox's private namespace (npm run bench:tun).
import { execFileSync, execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { addAddress, createPersistentTun, deletePersistentTun, getLink, openTun, setLink, writeVnetHeader } from 'netdev';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 2);
const WINDOW = Number(process.env.WINDOW ?? 256);
const OFFLOAD_WINDOW = Number(process.env.OFFLOAD_WINDOW ?? 64);
const SUPER = 65000; // bytes of IP packet in offload mode (one TCP super-packet, MSS 1400)
const work = mkdtempSync(join(tmpdir(), 'netdev-bench-'));
if (process.env.NETDEV_SANDBOX !== '1') {
  console.error('run me with `npm run bench:tun` (inside the sandbox)');
  process.exit(2);
}
const ref = join(here, '.build/tun_ref');
if (!existsSync(ref) || statSync(ref).mtimeMs < statSync(join(here, 'tun_ref.c')).mtimeMs) {
  mkdirSync(join(here, '.build'), { recursive: true });
  execFileSync('gcc', ['-O2', '-Wall', '-o', ref, join(here, 'tun_ref.c')], { stdio: 'inherit' });
}

const sysctl = (key, value) => writeFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, String(value));
sysctl('net.ipv4.ip_forward', 1);
sysctl('net.ipv4.conf.all.send_redirects', 0);
sysctl('net.ipv4.conf.default.send_redirects', 0);
sysctl('net.ipv4.conf.all.rp_filter', 0);
sysctl('net.ipv4.conf.default.rp_filter', 0);

/** The folded ones'-complement sum of the 16-bit words of p[start, end), plus `initial`. */
function sum16(p, start, end, initial = 0) {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += p.readUInt16BE(i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

function packet(size) {
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
function superPacket() {
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
  writeVnetHeader(p, { flags: 1, gsoType: 'tcpv4', hdrLen: 40, gsoSize: 1400, csumStart: 20, csumOffset: 16 });
  return p;
}

// The TTL came back as 63: restore 64 and patch the checksum (RFC 1624), in place.
function restoreTtl(b, o) {
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

let seq = 0;
async function prepare(name) {
  await addAddress(name, '10.50.0.1/16');
  await setLink(name, { up: true });
  sysctl(`net.ipv4.conf.${name}.send_redirects`, 0);
  sysctl(`net.ipv4.conf.${name}.rp_filter`, 0);
}

// Until linkwatch installs the real qdisc, transmitted packets are dropped (noop qdisc). A TUN's
// operstate stays "unknown", so the qdisc is what to watch.
async function whenUp(name) {
  for (let i = 0; i < 300 && (await getLink(name)).qdisc === 'noop'; i++) await new Promise((r) => setTimeout(r, 10));
}

async function cRun(size, vnet = false) {
  const name = `tref${seq++}`;
  await createPersistentTun({ name, vnetHdr: vnet });
  await setLink(name, { txqlen: 5000 });
  await prepare(name);
  const file = join(work, `${name}.bin`);
  writeFileSync(file, vnet ? superPacket() : packet(size));
  const args = [name, String(SECONDS), file, String(vnet ? OFFLOAD_WINDOW : WINDOW), ...(vnet ? ['vnet'] : [])];
  const { stdout } = await run(ref, args);
  await deletePersistentTun(name);
  const r = JSON.parse(stdout);
  return r.packets / r.seconds;
}

async function fsStreamRun(size) {
  const name = `tfs${seq++}`;
  await createPersistentTun({ name });
  await setLink(name, { txqlen: 5000 });
  await prepare(name);
  const script = join(here, 'tun-fsstream.mjs');
  const child = run(ref, ['--exec-fd', name, process.execPath, script, String(SECONDS), packet(size).toString('hex'), String(WINDOW)]);
  const { stdout } = await child;
  await deletePersistentTun(name);
  const r = JSON.parse(stdout);
  return r.packets / r.seconds;
}

async function batchRun(size, vnet = false) {
  const hdr = vnet ? 10 : 0;
  const dev = await openTun({ name: `tnd${seq++}`, ...(vnet ? { vnetHdr: true, offload: { csum: true, tso4: true, tso6: true } } : {}) });
  await prepare(dev.name);
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
  await whenUp(dev.name);
  const p = vnet ? superPacket() : packet(size);
  for (let i = 0; i < (vnet ? OFFLOAD_WINDOW : WINDOW); i++) await dev.write(p);
  await new Promise((r) => setTimeout(r, 200)); // warm up (JIT)
  obs.observe({ entryTypes: ['gc'] });
  const n0 = n;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const secs = (performance.now() - t0) / 1000;
  const got = n - n0;
  obs.disconnect();
  dev.close();
  return { pps: got / secs, gcs, packets: got };
}

async function iteratorRun(size) {
  const dev = await openTun({ name: `tit${seq++}` });
  await prepare(dev.name);
  await whenUp(dev.name);
  const p = packet(size);
  for (let i = 0; i < WINDOW; i++) await dev.write(p);
  let n = 0;
  const stop = Date.now() + SECONDS * 1000;
  const t0 = performance.now();
  for await (const pkt of dev) {
    restoreTtl(pkt, 0);
    dev.write(pkt).catch(() => {});
    if ((++n & 255) === 0 && Date.now() >= stop) break;
  }
  const secs = (performance.now() - t0) / 1000;
  dev.close();
  return n / secs;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${(x / 1e6).toFixed(3)} Mpps`;
const rows = [];
const ONLY = process.env.ONLY; // 'packets' or 'offload' to run one part
for (const size of ONLY === 'offload' ? [] : [64, 1400]) {
  const c = [];
  const b = [];
  const it = [];
  const fsr = [];
  let gcs = 0;
  let packets = 0;
  for (let r = 0; r < RUNS; r++) {
    c.push(await cRun(size));
    const br = await batchRun(size);
    b.push(br.pps);
    gcs += br.gcs;
    packets += br.packets;
    if (r < 3) it.push(await iteratorRun(size));
    if (r < 3) fsr.push(await fsStreamRun(size));
  }
  rows.push({ size, c: median(c), batch: median(b), iter: median(it), fs: median(fsr), gcs, packets, all: { c, b, it, fsr } });
}
console.log(`\nTUN closed-loop forward, one core, one queue; median of ${RUNS} runs of ${SECONDS} s (iterator: 3), window ${WINDOW}\n`);
console.log('| packet | C blocking loop | netdev batch API (onPackets + writeBatch) | netdev async iterator + write() | fs.createReadStream + writeSync | batch vs fs stream | GC events during batch runs |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.size} B | ${fmt(r.c)} | ${fmt(r.batch)} (${(r.batch / r.c).toFixed(2)}x) | ${fmt(r.iter)} (${(r.iter / r.c).toFixed(2)}x) | ${fmt(r.fs)} (${(r.fs / r.c).toFixed(2)}x) | ${(r.batch / r.fs).toFixed(1)}x | ${r.gcs} in ${(r.packets / 1e6).toFixed(1)} M packets |`);
// Offload mode: 64 KB TCP super-packets with virtio_net_hdr, the same loop.
const oc = [];
const ob = [];
for (let r = 0; r < (ONLY === 'packets' ? 0 : RUNS); r++) {
  oc.push(await cRun(0, true));
  ob.push((await batchRun(0, true)).pps);
}
const gbit = (pps) => `${((pps * SUPER * 8) / 1e9).toFixed(1)} Gbit/s`;
console.log(`\nOffload mode (vnetHdr, csum+TSO): ${SUPER}-byte TCP super-packets, window ${OFFLOAD_WINDOW}, median of ${RUNS}\n`);
console.log('| C loop with vnet headers | netdev batch API | ratio |');
console.log('|---|---|---|');
console.log(`| ${gbit(median(oc))} (${Math.round(median(oc))} pkt/s) | ${gbit(median(ob))} (${Math.round(median(ob))} pkt/s) | ${(median(ob) / median(oc)).toFixed(2)}x |`);
console.log(`\noffload runs (pkt/s): ${JSON.stringify({ c: oc.map(Math.round), batch: ob.map(Math.round) })}`);
console.log(`\nall runs (pps): ${JSON.stringify(rows.map((r) => ({ size: r.size, c: r.all.c.map(Math.round), batch: r.all.b.map(Math.round), iterator: r.all.it.map(Math.round), fsStream: r.all.fsr.map(Math.round) })))}`);
rmSync(work, { recursive: true, force: true });
