#!/usr/bin/env node
// The scenario every tutorial of the field starts with, built with netdev alone:
//
//   ip netns add ns1..ns4; ip link add br1 type bridge; ip link set br1 up
//   ip link add tapN type veth peer name tapN_peer netns nsN; ip link set tapN master br1 up
//   ip -n nsN addr add 192.168.10.N/24 dev tapN_peer; ip -n nsN link set tapN_peer up
//
// then every namespace connects to every other over TCP, and everything is torn down.
// It runs inside a private network + mount namespace (scripts/sandbox.mjs), so it never touches
// the host's interfaces or /run/netns; started directly, it re-executes itself there.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.env.NETDEV_SANDBOX !== '1') {
  const sandbox = fileURLToPath(new URL('../scripts/sandbox.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [sandbox, process.execPath, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const {
  addAddress, connectTcp, createBridge, createNetns, createTcpServer, createVeth, deleteLinks, deleteNetns,
  getLink, listAddresses, listNetns, openNetns,
} = await import('netdev');

const N = 4;
const names = Array.from({ length: N }, (_, i) => `ns${i + 1}`);
const ip = (i) => `192.168.10.${i + 1}`;
const started = performance.now();
const handles = [];
const servers = [];
let host;

async function teardown() {
  for (const s of servers) s.close();
  if (host) {
    // One kernel operation for all ports (one RCU grace period instead of four).
    await deleteLinks(names.map((_, i) => `tap${i + 1}`), { netns: host }).catch(() => undefined);
    await deleteLinks(['br1'], { netns: host }).catch(() => undefined);
    host.close();
  }
  for (const h of handles) h.close();
  for (const n of names) await deleteNetns(n).catch(() => undefined);
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    interrupted = true;
    console.log(`\n${sig}: tearing down`);
    teardown().finally(() => process.exit(130));
  });
}

try {
  // The "host" of the scenario: the sandbox's own namespace (private, created for this run).
  host = await openNetns();
  await createBridge({ name: 'br1', netns: host, up: true });
  for (const [i, name] of names.entries()) {
    const ns = await createNetns(name);
    handles.push(ns);
    await createVeth({ name: `tap${i + 1}`, netns: host, master: 'br1', up: true, peer: { name: `tap${i + 1}_peer`, netns: ns, up: true } });
    await addAddress(`tap${i + 1}_peer`, `${ip(i)}/24`, { netns: ns });
  }
  // Each namespace answers with its own name.
  for (const [i, ns] of handles.entries())
    servers.push(await createTcpServer({ netns: ns, host: ip(i), port: 7000 }, (s) => s.end(names[i])));

  // Topology, read back from the kernel.
  const rows = [];
  const br = await getLink('br1', { netns: host });
  rows.push(['(host)', 'br1', 'bridge', br.mac, br.operstate, '-', '-']);
  for (const [i, ns] of handles.entries()) {
    const port = await getLink(`tap${i + 1}`, { netns: host });
    const peer = await getLink(`tap${i + 1}_peer`, { netns: ns });
    const [addr] = await listAddresses({ netns: ns, link: peer, family: 4 });
    rows.push(['(host)', port.name, 'veth', port.mac, port.operstate, `br1 port, ${port.port?.state}`, '-']);
    rows.push([names[i], peer.name, 'veth', peer.mac, peer.operstate, `peer of ${port.name}`, `${addr.address}/${addr.prefixLength}`]);
  }
  table(['namespace', 'link', 'kind', 'mac', 'state', 'role', 'address'], rows);
  console.log(`named namespaces: ${(await listNetns()).join(', ')}\n`);

  // Reachability: a TCP connection from every namespace to every namespace's server.
  // (Bridge ports go through listening/learning only with STP on; ours is off, so this is quick.)
  const matrix = [];
  let ok = 0;
  for (const [i, from] of handles.entries()) {
    const row = [names[i]];
    for (let j = 0; j < N; j++) {
      const t0 = performance.now();
      try {
        const sock = await connectTcp({ netns: from, host: ip(j), port: 7000, timeout: 3000 });
        let reply = '';
        for await (const chunk of sock) reply += chunk;
        const good = reply === names[j];
        if (good) ok++;
        row.push(good ? `OK ${(performance.now() - t0).toFixed(1)}ms` : `BAD(${reply})`);
      } catch (e) {
        row.push(`FAIL ${e.code ?? e.message}`);
      }
    }
    matrix.push(row);
  }
  console.log('TCP reachability (row connects to column):');
  table(['from \\ to', ...names.map((n, j) => `${n} ${ip(j)}`)], matrix);
  console.log(`${ok}/${N * N} connections OK`);
  await teardown();
  console.log(`torn down; named namespaces left: ${(await listNetns()).length}; took ${(performance.now() - started).toFixed(0)} ms`);
  process.exitCode = ok === N * N ? 0 : 1;
} catch (e) {
  if (!interrupted) {
    console.error(e);
    await teardown();
    process.exitCode = 1;
  }
}

function table(head, rows) {
  const widths = head.map((h, c) => Math.max(String(h).length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) => '| ' + r.map((v, c) => String(v ?? '').padEnd(widths[c])).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}
