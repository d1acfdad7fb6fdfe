#!/usr/bin/env node
// NAT benchmark (not a timed test), in a fresh namespace inside the sandbox (npm run bench:nat):
// 1. apply + delete of the router ruleset: configureNat + clearNat against `nft -f` of the same
//    ruleset + `nft delete table`, alternating, median of RUNS cycles (goal: >= 5x faster);
// 2. 10,000 port forwards in one apply: configureNat against a C program sending the very bytes
//    netdev sent, as netdev's transport sends them (bench/nft_ref.c; goal: >= 0.8x C);
// 3. one port forward added to an existing table: addPortForward against `nft add rule`.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as nd from 'netdev';
import { machineLine, median, requireSandbox } from './common.mjs';

requireSandbox('bench:nat');
const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const core = require('../dist/cjs/core/binding.js');
const RUNS = Number(process.env.RUNS ?? 21);
const BULK = 10000;
const work = mkdtempSync(join(tmpdir(), 'netdev-bench-nat-'));
const machine = await machineLine();

const ref = join(here, '.build/nft_ref');
if (!existsSync(ref) || statSync(ref).mtimeMs < statSync(join(here, 'nft_ref.c')).mtimeMs) {
  mkdirSync(join(here, '.build'), { recursive: true });
  execFileSync('gcc', ['-O2', '-Wall', '-o', ref, join(here, 'nft_ref.c')], { stdio: 'inherit' });
}

const ROUTER = {
  masquerade: [{ outInterface: 'wan1', source: '10.2.0.0/16' }],
  snat: [{ source: '10.0.0.0/8', outInterface: 'wan0', toSource: '192.168.0.106' }],
  dnat: [
    { destination: '192.168.0.106', protocol: 'tcp', port: 8080, toDestination: '10.1.0.2', toPort: 80 },
    { destination: '192.168.0.106', protocol: 'udp', port: 5353, toDestination: '10.1.0.2', toPort: 53 },
  ],
  forward: { policy: 'drop', allowEstablished: true, allow: [{ inInterface: 'lan0', outInterface: 'wan0' }] },
};
const ROUTER_NFT = `table inet netdev_nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 192.168.0.106 tcp dport 8080 counter dnat ip to 10.1.0.2:80
    ip daddr 192.168.0.106 udp dport 5353 counter dnat ip to 10.1.0.2:53
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan1" ip saddr 10.2.0.0/16 counter masquerade
    oifname "wan0" ip saddr 10.0.0.0/8 counter snat ip to 192.168.0.106
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related counter accept
    iifname "lan0" oifname "wan0" counter accept
  }
}
`;

const ns = await nd.createNetns(undefined, { loopbackUp: false });
const nsPath = `/proc/${process.pid}/fd/${ns.fd}`;
const nft = (...args) => run('nsenter', [`--net=${nsPath}`, 'nft', ...args]);
const ms = (s) => `${(s * 1000).toFixed(2)} ms`;
async function time(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

try {
  // 1. The router ruleset: apply + delete, alternating.
  const routerFile = join(work, 'router.nft');
  writeFileSync(routerFile, ROUTER_NFT);
  const cyc = { netdev: [], nft: [] };
  for (let i = 0; i < RUNS; i++) {
    const a = async () => cyc.netdev.push(await time(async () => {
      await nd.configureNat({ netns: ns, ...ROUTER });
      await nd.clearNat({ netns: ns });
    }));
    const b = async () => cyc.nft.push(await time(async () => {
      await nft('-f', routerFile);
      await nft('delete', 'table', 'inet', 'netdev_nat');
    }));
    if (i % 2) await b(), await a();
    else await a(), await b();
  }

  // 2. 10,000 port forwards: netdev, and the C loop sending the bytes netdev sent.
  const dnat = Array.from({ length: BULK }, (_, i) => ({ protocol: 'tcp', port: 10000 + i, toDestination: `10.9.${i >> 8}.${i & 255}`, toPort: 80 }));
  const real = core.binding();
  const sent = [];
  core.setBindingForTesting({ ...real, nfBatch: (n, bytes, owner) => (sent.push(Buffer.from(bytes)), real.nfBatch(n, bytes, owner)) });
  await nd.configureNat({ netns: ns, dnat });
  await nd.clearNat({ netns: ns });
  core.setBindingForTesting(undefined);
  // The C loop sends the batches without their generation guard (BATCH_BEGIN's NFNL_BATCH_GENID, which
  // is stale by then): netdev reads the generation (one NFT_MSG_GETGEN) and the tables (one dump)
  // before each apply, which its figure includes.
  const unguarded = (b) => {
    const begin = b.readUInt32LE(0);
    const head = Buffer.from(b.subarray(0, 20));
    head.writeUInt32LE(20, 0);
    return Buffer.concat([head, b.subarray((begin + 3) & ~3)]);
  };
  writeFileSync(join(work, 'apply.bin'), unguarded(sent[0]));
  writeFileSync(join(work, 'delete.bin'), unguarded(sent[1]));
  const BULK_RUNS = Math.max(3, Math.floor(RUNS / 4));
  const bulk = { netdev: [], c: [] };
  for (let i = 0; i < BULK_RUNS; i++) {
    bulk.netdev.push(await time(() => nd.configureNat({ netns: ns, dnat })));
    await nd.clearNat({ netns: ns });
    const { stdout } = await run(ref, [nsPath, join(work, 'apply.bin'), join(work, 'delete.bin'), '1']);
    bulk.c.push(...JSON.parse(stdout).seconds);
  }

  // 3. One port forward into an existing table.
  await nd.configureNat({ netns: ns, ...ROUTER });
  const one = { netdev: [], nft: [] };
  for (let i = 0; i < RUNS; i++) {
    const port = 20000 + i;
    one.netdev.push(await time(() => nd.addPortForward({ netns: ns, protocol: 'tcp', port, toDestination: '10.1.0.9', toPort: 80 })));
    one.nft.push(await time(() => nft('add', 'rule', 'inet', 'netdev_nat', 'prerouting', 'tcp', 'dport', String(port + 1000), 'counter', 'dnat', 'ip', 'to', '10.1.0.9:80')));
  }
  await nd.clearNat({ netns: ns });

  const m = (xs) => median(xs);
  console.log(`\nNAT over nf_tables: netdev against nft (nftables ${(await nft('--version')).stdout.trim().split(' ')[1]}) and a C loop, one fresh namespace; medians`);
  console.log(`${machine}\n`);
  console.log('| work | netdev | peer | netdev is | goal |');
  console.log('|---|---|---|---|---|');
  console.log(`| router ruleset (4 NAT rules, forward policy + 2 rules): apply + delete, ${RUNS} cycles | ${ms(m(cyc.netdev))} | nft -f + nft delete table: ${ms(m(cyc.nft))} | ${(m(cyc.nft) / m(cyc.netdev)).toFixed(1)}x faster | >= 5x |`);
  console.log(`| ${BULK} port forwards in one apply (configureNat), ${BULK_RUNS} runs | ${ms(m(bulk.netdev))} | C sending the same batch: ${ms(m(bulk.c))} | ${(m(bulk.c) / m(bulk.netdev)).toFixed(2)}x C | >= 0.8x |`);
  console.log(`| one port forward added to the router table, ${RUNS} runs | ${ms(m(one.netdev))} | nft add rule: ${ms(m(one.nft))} | ${(m(one.nft) / m(one.netdev)).toFixed(1)}x faster | |`);
  console.log(`\nbatch sizes: ${BULK} rules ${(sent[0].length / 1e6).toFixed(2)} MB; all runs (ms): ${JSON.stringify(Object.fromEntries(Object.entries({ cyc, bulk, one }).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([n, xs]) => [n, xs.map((x) => +(x * 1000).toFixed(2))]))])))}`);
} finally {
  ns.close();
  rmSync(work, { recursive: true, force: true });
}
