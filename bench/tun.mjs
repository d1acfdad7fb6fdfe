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
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as netdev from 'netdev';
import { machineLine, median, requireSandbox } from './common.mjs';
import { SUPER, batchRun as batchLoop, forwardingOn, packet, prepare as prepareOn, restoreTtl, superPacket as superOf, whenUp as whenUpOn } from './tun-loop.mjs';

const { createPersistentTun, deletePersistentTun, openTun, setLink } = netdev;
const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 2);
const WINDOW = Number(process.env.WINDOW ?? 256);
const OFFLOAD_WINDOW = Number(process.env.OFFLOAD_WINDOW ?? 64);
const work = mkdtempSync(join(tmpdir(), 'netdev-bench-'));
requireSandbox('bench:tun');
const machine = await machineLine();
const ref = join(here, '.build/tun_ref');
if (!existsSync(ref) || statSync(ref).mtimeMs < statSync(join(here, 'tun_ref.c')).mtimeMs) {
  mkdirSync(join(here, '.build'), { recursive: true });
  execFileSync('gcc', ['-O2', '-Wall', '-o', ref, join(here, 'tun_ref.c')], { stdio: 'inherit' });
}
forwardingOn();

let seq = 0;
const prepare = (name) => prepareOn(netdev, name);
const whenUp = (name) => whenUpOn(netdev, name);
const superPacket = () => superOf(netdev);
const batchRun = (size, vnet = false) => batchLoop(netdev, { size, vnet, seconds: SECONDS, window: vnet ? OFFLOAD_WINDOW : WINDOW });

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
console.log(`\nTUN closed-loop forward, one core, one queue; median of ${RUNS} runs of ${SECONDS} s (iterator: 3), window ${WINDOW}\n${machine}\n`);
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
