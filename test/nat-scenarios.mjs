// NAT test scenarios shared by the host tier (test/integration/nat.test.mjs) and the kernel-matrix
// tier (test/kernel/nat.kernel.mjs): the router topology, echo servers, and nft -j as the oracle.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import {
  addAddress, addPortForward, addRoute, clearNat, configureNat, connectTcp, createTcpServer, createUdpSocket, createVeth, deletePortForward, listNat,
  setSysctl,
} from 'netdev';
import { rejectsWith, withNetns, withNetnsN } from './helpers.mjs';

const run = promisify(execFile);

/** `nft -j list ruleset` in the namespace: [{ table }, { chain }, { rule }, …]. */
export async function nftJson(ns) {
  const { stdout } = await run('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'nft', '-j', 'list', 'ruleset'], { maxBuffer: 256 << 20 });
  return JSON.parse(stdout).nftables.filter((o) => !o.metainfo);
}

/** The rules of a chain as nft decodes them, without handles and counters. */
export async function nftRules(ns, chain) {
  return (await nftJson(ns))
    .filter((o) => o.rule && o.rule.chain === chain)
    .map((o) => o.rule.expr.filter((e) => !e.counter));
}

export const strip = ({ handle: _h, packets: _p, bytes: _b, ...rest }) => rest;

export const ROUTER = {
  snat: [{ source: '10.0.0.0/8', outInterface: 'wan0', toSource: '192.168.0.106' }],
  dnat: [
    { destination: '192.168.0.106', protocol: 'tcp', port: 8080, toDestination: '10.1.0.2', toPort: 80 },
    { destination: '192.168.0.106', protocol: 'udp', port: 5353, toDestination: '10.1.0.2', toPort: 53 },
  ],
};

/**
 * The tutorials' router: client (10.0.0.2) -- lan0 [router] wan0 (192.168.0.106) -- upstream
 * (192.168.0.1), and the router's srv0 (10.1.0.1) -- server (10.1.0.2). Upstream has no route back
 * to 10/8: only the router's SNAT lets replies reach the client.
 */
export async function routerTopology([client, router, upstream, server]) {
  await createVeth({ name: 'lan0', netns: router, up: true, peer: { name: 'eth0', netns: client, up: true } });
  await createVeth({ name: 'wan0', netns: router, up: true, peer: { name: 'eth0', netns: upstream, up: true } });
  await createVeth({ name: 'srv0', netns: router, up: true, peer: { name: 'eth0', netns: server, up: true } });
  await addAddress('lan0', '10.0.0.1/24', { netns: router });
  await addAddress('wan0', '192.168.0.106/24', { netns: router });
  await addAddress('srv0', '10.1.0.1/24', { netns: router });
  await addAddress('eth0', '10.0.0.2/24', { netns: client });
  await addAddress('eth0', '192.168.0.1/24', { netns: upstream });
  await addAddress('eth0', '10.1.0.2/24', { netns: server });
  await addRoute({ destination: 'default', gateway: '10.0.0.1', netns: client });
  await addRoute({ destination: 'default', gateway: '10.1.0.1', netns: server });
  await setSysctl('net.ipv4.ip_forward', 1, { netns: router });
}

/** A TCP echo server prefixing what it saw of its peer; resolves with it and the peers it saw. */
export async function echoServer(netns, host, port) {
  const peers = [];
  const server = await createTcpServer({ netns, host, port }, (s) => {
    peers.push(s.remoteAddress);
    s.once('data', (d) => s.end(`${s.remoteAddress}:${d}`));
  });
  return { server, peers };
}

export async function tcpAsk(netns, host, port, what, timeout = 5000) {
  const sock = await connectTcp({ netns, host, port, timeout });
  sock.end(what);
  const chunks = [];
  for await (const c of sock) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

export async function udpAsk(netns, host, port, what, timeout = 5000) {
  const sock = await createUdpSocket({ netns, type: 'udp4' });
  let timer;
  try {
    const answer = once(sock, 'message');
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no UDP answer from ${host}:${port} in ${timeout} ms`), { code: 'ETIMEDOUT' })), timeout);
    });
    sock.send(what, port, host);
    const [msg] = await Promise.race([answer, late]);
    return msg.toString();
  } finally {
    clearTimeout(timer);
    sock.close();
  }
}

export async function udpEcho(netns, address, port) {
  const sock = await createUdpSocket({ netns, type: 'udp4', address, port });
  sock.on('message', (m, r) => sock.send(`${r.address}:${m}`, r.port, r.address));
  return sock;
}

/** configureNat writes what nft reads back as the same rules, and listNat returns the config */
export async function oracleScenario() {
  await withNetns(async (ns) => {
    const config = {
      masquerade: [{ outInterface: 'wan0', source: '10.0.0.0/8' }, { outInterface: 'wan1' }],
      snat: [{ source: 'fd00::/64', toSource: 'fd99::1' }],
      dnat: [...ROUTER.dnat, { inInterface: 'wan0', toDestination: '10.1.0.3' }],
      forward: { policy: 'drop', allowEstablished: true, allow: [{ inInterface: 'lan0', outInterface: 'wan0' }] },
    };
    await configureNat({ netns: ns, ...config });
    const st = await listNat({ netns: ns });
    assert.equal(st.exists, true);
    assert.equal(st.owner, false);
    assert.deepEqual(st.masquerade.map(strip), config.masquerade);
    assert.deepEqual(st.snat.map(strip), config.snat);
    assert.deepEqual(st.dnat.map(strip), [
      { ...config.dnat[0], destination: '192.168.0.106/32' },
      { ...config.dnat[1], destination: '192.168.0.106/32' },
      config.dnat[2],
    ]);
    assert.deepEqual(st.forward, config.forward);
    assert.deepEqual(st.unrecognized, []);
    for (const r of [...st.masquerade, ...st.snat, ...st.dnat]) assert.ok(Number.isInteger(r.handle) && r.handle > 0);

    // The oracle: nft's own decoding of the bytes netdev wrote.
    const all = await nftJson(ns);
    const table = all.find((o) => o.table).table;
    assert.deepEqual([table.family, table.name], ['inet', 'netdev_nat']);
    const chains = Object.fromEntries(all.filter((o) => o.chain).map(({ chain: c }) => [c.name, [c.type, c.hook, c.prio, c.policy]]));
    assert.deepEqual(chains, { prerouting: ['nat', 'prerouting', -100, 'accept'], postrouting: ['nat', 'postrouting', 100, 'accept'], forward: ['filter', 'forward', 0, 'drop'] });
    const m = (left, right, op = '==') => ({ match: { op, left, right } });
    const meta = (key) => ({ meta: { key } });
    const payload = (protocol, field) => ({ payload: { protocol, field } });
    assert.deepEqual(await nftRules(ns, 'postrouting'), [
      [m(meta('oifname'), 'wan0'), m(payload('ip', 'saddr'), { prefix: { addr: '10.0.0.0', len: 8 } }), { masquerade: null }],
      [m(meta('oifname'), 'wan1'), { masquerade: null }],
      [m(payload('ip6', 'saddr'), { prefix: { addr: 'fd00::', len: 64 } }), { snat: { family: 'ip6', addr: 'fd99::1' } }],
    ]);
    assert.deepEqual(await nftRules(ns, 'prerouting'), [
      [m(payload('ip', 'daddr'), '192.168.0.106'), m(payload('tcp', 'dport'), 8080), { dnat: { family: 'ip', addr: '10.1.0.2', port: 80 } }],
      [m(payload('ip', 'daddr'), '192.168.0.106'), m(payload('udp', 'dport'), 5353), { dnat: { family: 'ip', addr: '10.1.0.2', port: 53 } }],
      [m(meta('iifname'), 'wan0'), m(meta('nfproto'), 'ipv4'), { dnat: { family: 'ip', addr: '10.1.0.3' } }],
    ]);
    assert.deepEqual(await nftRules(ns, 'forward'), [
      [m({ ct: { key: 'state' } }, ['established', 'related'], 'in'), { accept: null }],
      [m(meta('iifname'), 'lan0'), m(meta('oifname'), 'wan0'), { accept: null }],
    ]);

    // Applying again replaces the table: the old rules are gone, not doubled.
    await configureNat({ netns: ns, masquerade: [{ outInterface: 'wan9' }] });
    const again = await listNat({ netns: ns });
    assert.deepEqual(again.masquerade.map(strip), [{ outInterface: 'wan9' }]);
    assert.deepEqual([again.snat, again.dnat, again.forward], [[], [], undefined]);
    assert.equal((await nftJson(ns)).filter((o) => o.table).length, 1);
    assert.equal(await clearNat({ netns: ns }), true);
    assert.equal(await clearNat({ netns: ns }), false);
    assert.deepEqual(await nftJson(ns), []);
    assert.equal((await listNat({ netns: ns })).exists, false);
  });
}

/** the router experiment: SNAT out (upstream sees the router), DNAT in to a server (TCP and UDP, replies back) */
export async function routerScenario() {
  await withNetnsN(4, async (nss) => {
    const [client, router, upstream, server] = nss;
    await routerTopology(nss);
    const up = await echoServer(upstream, '192.168.0.1', 7000);
    const upUdp = await udpEcho(upstream, '192.168.0.1', 7001);
    const srv = await echoServer(server, '10.1.0.2', 80);
    const srvUdp = await udpEcho(server, '10.1.0.2', 53);
    try {
      // Without NAT, upstream cannot answer 10.0.0.2: the connection does not establish.
      await rejectsWith(tcpAsk(client, '192.168.0.1', 7000, 'x', 300), 'ETIMEDOUT');
      await configureNat({ netns: router, ...ROUTER });
      assert.equal(await tcpAsk(client, '192.168.0.1', 7000, 'hello'), '192.168.0.106:hello');
      assert.equal(await udpAsk(client, '192.168.0.1', 7001, 'dgram'), '192.168.0.106:dgram');
      // DNAT: upstream reaches the server through the router's address, with the port changed.
      assert.equal(await tcpAsk(upstream, '192.168.0.106', 8080, 'in'), '192.168.0.1:in');
      assert.equal(await udpAsk(upstream, '192.168.0.106', 5353, 'q'), '192.168.0.1:q');
      assert.deepEqual(srv.peers, ['192.168.0.1']);
      // The counters saw it.
      const st = await listNat({ netns: router });
      assert.ok(st.snat[0].packets >= 2, `snat counter ${st.snat[0].packets}`);
      assert.ok(st.dnat[0].packets >= 1 && st.dnat[1].packets >= 1);
      // A port forward added and deleted on its own, the rest untouched.
      const { handle } = await addPortForward({ netns: router, protocol: 'tcp', port: 2222, toDestination: '10.1.0.2', toPort: 80 });
      assert.equal(await tcpAsk(upstream, '192.168.0.106', 2222, 'pf'), '192.168.0.1:pf');
      assert.equal((await listNat({ netns: router })).dnat.length, 3);
      assert.equal(await deletePortForward({ netns: router, handle }), true);
      assert.equal(await deletePortForward({ netns: router, handle }), false);
      await rejectsWith(tcpAsk(upstream, '192.168.0.106', 2222, 'pf', 300), 'ECONNREFUSED');
      // A range of ports, all to one.
      const range = await addPortForward({ netns: router, protocol: 'tcp', port: [3000, 3010], toDestination: '10.1.0.2', toPort: 80 });
      assert.equal(await tcpAsk(upstream, '192.168.0.106', 3005, 'range'), '192.168.0.1:range');
      assert.deepEqual(strip((await listNat({ netns: router })).dnat.find((d) => d.handle === range.handle)), { protocol: 'tcp', port: [3000, 3010], toDestination: '10.1.0.2', toPort: 80 });
      assert.equal(await deletePortForward({ netns: router, protocol: 'tcp', port: [3000, 3010], toDestination: '10.1.0.2', toPort: 80 }), true);
      // By its matches too.
      await addPortForward({ netns: router, protocol: 'udp', port: 6000, toDestination: '10.1.0.2', toPort: 53 });
      assert.equal(await deletePortForward({ netns: router, protocol: 'udp', port: 6000, toDestination: '10.1.0.2', toPort: 53 }), true);
      assert.deepEqual((await listNat({ netns: router })).dnat.map(strip), ROUTER.dnat.map((d) => ({ ...d, destination: '192.168.0.106/32' })));
    } finally {
      up.server.close();
      srv.server.close();
      upUdp.close();
      srvUdp.close();
    }
  });
}

/** forward policy drop: new connections from outside are refused, inside-out and its replies pass */
export async function forwardScenario() {
  await withNetnsN(4, async (nss) => {
    const [client, router, upstream] = nss;
    await routerTopology(nss);
    // Upstream may route to 10/8 here: only the policy stops it.
    await addRoute({ destination: '10.0.0.0/8', gateway: '192.168.0.106', netns: upstream });
    const up = await echoServer(upstream, '192.168.0.1', 7000);
    const inside = await echoServer(client, '10.0.0.2', 7002);
    try {
      assert.equal(await tcpAsk(upstream, '10.0.0.2', 7002, 'open'), '192.168.0.1:open', 'before the policy');
      await configureNat({ netns: router, masquerade: [{ outInterface: 'wan0' }], forward: { policy: 'drop', allowEstablished: true, allow: [{ inInterface: 'lan0', outInterface: 'wan0' }] } });
      await rejectsWith(tcpAsk(upstream, '10.0.0.2', 7002, 'blocked', 300), 'ETIMEDOUT');
      assert.equal(await tcpAsk(client, '192.168.0.1', 7000, 'out'), '192.168.0.106:out');
      const st = await listNat({ netns: router });
      assert.deepEqual(st.forward, { policy: 'drop', allowEstablished: true, allow: [{ inInterface: 'lan0', outInterface: 'wan0' }] });
    } finally {
      up.server.close();
      inside.server.close();
    }
  });
}
