#!/usr/bin/env node
// Refreshes the fuzz targets' seed corpus (native/fuzz/corpus) with real kernel replies: builds a
// namespace holding one of everything this kernel offers (a bridge with a port and an FDB entry,
// veth, vxlan with a flood entry, macvlan, macvtap, ifb, tun/tap; IPv4/IPv6 addresses; unicast,
// multipath, blackhole and metric-carrying routes in two tables; rules; ARP/NDP neighbours; the
// namespace id its veth peer's namespace gets) with netdev,
// then dumps it from inside with scripts/fuzz-capture.py (started with netdev's execFile).
//   node scripts/fuzz-capture.mjs    (re-executes itself in the sandbox)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.NETDEV_SANDBOX !== '1') {
  const r = spawnSync(process.execPath, [join(root, 'scripts/sandbox.mjs'), process.execPath, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const nd = await import(join(root, 'dist/esm/index.js'));
const ns = await nd.createNetns('fuzzcap');
const other = await nd.createNetns('fuzzcap-peer');
const netns = ns;
let failed = 0;
async function step(what, fn) {
  try {
    await fn();
  } catch (err) {
    failed++;
    console.error(`fuzz-capture: ${what}: ${err.code ?? ''} ${err.message}`);
  }
}
const tun = [];
try {
  await step('bridge', () => nd.createBridge({ name: 'br0', netns, up: true }));
  await step('veth', () => nd.createVeth({ name: 'v0', peer: { name: 'v1', netns: other }, netns, mtu: 1400, up: true }));
  await step('veth2', () => nd.createVeth({ name: 'p0', peer: { name: 'p1' }, netns, master: 'br0', up: true }));
  await step('vxlan', () => nd.createVxlan({ name: 'vx0', vni: 42, local: '10.1.0.1', port: 4789, device: 'v0', netns }));
  await step('macvlan', () => nd.createMacvlan({ name: 'mv0', parent: 'v0', mode: 'bridge', netns }));
  await step('macvtap', () => nd.createMacvtap({ name: 'mvt0', parent: 'v0', mode: 'vepa', netns }));
  await step('ifb', () => nd.createIfb({ name: 'ifb9', netns }));
  await step('tap', async () => tun.push(await nd.openTap({ name: 'tap0', netns, vnetHdr: true, offload: { csum: true, tso4: true } })));
  await step('tun', async () => tun.push(await nd.openTun({ name: 'tun0', netns })));
  await step('alias', () => nd.setLink('p0', { alias: 'a port' }, { netns }));
  await step('addr4', () => nd.addAddress('v0', '10.1.0.1/24', { netns, label: 'v0:a' }));
  await step('addr4b', () => nd.addAddress('v0', '10.1.0.5/24', { netns, validLifetime: 600, preferredLifetime: 300 }));
  await step('addr6', () => nd.addAddress('v0', '2001:db8::1/64', { netns, noDad: true }));
  await step('addr-peer', () => nd.addAddress('mv0', '10.3.0.1/32', { netns, peer: '10.3.0.2' }));
  await step('route', () => nd.addRoute({ destination: '10.2.0.0/16', gateway: '10.1.0.2', netns, metric: 50, mtu: 1300 }));
  await step('route-table', () =>
    nd.addRoute({ destination: '10.4.0.0/16', gateway: '10.1.0.2', table: 100, protocol: 'static', netns }),
  );
  await step('multipath', () =>
    nd.addRoute({
      destination: '10.5.0.0/16',
      multipath: [{ gateway: '10.1.0.2', weight: 2 }, { gateway: '10.1.0.3' }],
      netns,
    }),
  );
  await step('blackhole', () => nd.addRoute({ destination: '10.6.0.0/16', type: 'blackhole', netns }));
  await step('prohibit6', () => nd.addRoute({ destination: '2001:db8:1::/48', type: 'prohibit', netns }));
  await step('route6', () => nd.addRoute({ destination: '2001:db8:2::/48', device: 'v0', pref: 'high', netns }));
  await step('rule', () => nd.addRule({ from: '10.1.0.0/24', table: 100, priority: 100, netns }));
  await step('rule-fwmark', () => nd.addRule({ fwmark: 7, fwmask: 0xff, table: 100, priority: 101, netns }));
  await step('rule6', () => nd.addRule({ family: 6, to: '2001:db8::/32', action: 'unreachable', priority: 102, netns }));
  await step('neigh', () => nd.addNeighbour({ device: 'v0', address: '10.1.0.9', mac: '02:00:00:00:00:09', netns }));
  await step('neigh6', () =>
    nd.addNeighbour({ device: 'v0', address: '2001:db8::9', mac: '02:00:00:00:00:0a', router: true, netns }),
  );
  await step('fdb', () => nd.addFdb('p0', { mac: '02:00:00:00:00:0b', state: 'permanent', master: true }, { netns }));
  await step('vxlan-fdb', () => nd.addFdb('vx0', { mac: '00:00:00:00:00:00', dst: '10.1.0.7', self: true }, { netns }));
  const out = join(root, 'native/fuzz/corpus');
  const r = await nd.execFile('python3', [join(root, 'scripts/fuzz-capture.py'), out, String(0x4e44)], { netns });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
} finally {
  for (const t of tun) await t.close();
  ns.close();
  other.close();
  await nd.deleteNetns('fuzzcap');
  await nd.deleteNetns('fuzzcap-peer');
}
console.log(`fuzz-capture: done (${failed} step(s) failed)`);
