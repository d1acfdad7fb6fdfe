#!/usr/bin/env node
// The field's router-namespace recipe, built with netdev alone:
//
//   ip netns add router; ip netns add hostA; ip netns add hostB
//   ip link add r-a netns router type veth peer name eth0 netns hostA   (and r-b / hostB)
//   ip -n router addr add 10.0.1.1/24 dev r-a; ip -n router addr add 10.0.2.1/24 dev r-b
//   ip netns exec router sysctl -w net.ipv4.ip_forward=1
//   ip -n hostA addr add 10.0.1.10/24 dev eth0; ip -n hostA route add default via 10.0.1.1
//   ip netns exec router dnsmasq --dhcp-range=10.0.2.100,10.0.2.150,… --interface=r-b
//   ip netns exec hostB udhcpc -i eth0          (then the lease applied: address + default route)
//
// hostA and hostB then reach each other through the router, and hostB (addressed by DHCP) reaches
// the router. Run it with `node examples/router-dhcp.mjs`: it re-executes itself inside a private
// network + mount namespace (scripts/sandbox.mjs), so it never touches the host. The test suite
// imports buildRouterDhcp() from here.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addAddress, addRoute, connectTcp, createNetns, createTcpServer, createVeth, execFile, getLink, getRoute, setSysctl, spawn,
} from 'netdev';

const DHCP_RANGE = ['10.0.2.100', '10.0.2.150'];

/** Sends `text` over TCP from one namespace to a server in another and returns its answer. */
async function tcpEcho(from, to, host, port, text) {
  const server = await createTcpServer({ netns: to, host, port }, (s) => s.on('data', (d) => s.end(`echo:${d}`)));
  try {
    const sock = await connectTcp({ netns: from, host, port });
    sock.end(text);
    let reply = '';
    for await (const c of sock) reply += c;
    return reply;
  } finally {
    server.close();
  }
}

/**
 * Builds the topology, runs dnsmasq and udhcpc, applies the lease, and checks reachability.
 * Resolves with what it found and a teardown function.
 */
export async function buildRouterDhcp({ log = () => {} } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'netdev-dhcp-'));
  const [router, hostA, hostB] = await Promise.all([0, 1, 2].map(() => createNetns()));
  let dnsmasq;
  const teardown = async () => {
    if (dnsmasq && dnsmasq.exitCode === null) {
      dnsmasq.kill('SIGTERM');
      await once(dnsmasq, 'exit');
    }
    for (const ns of [router, hostA, hostB]) ns.close();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    // Two legs of the router, each a veth pair into a host.
    await createVeth({ name: 'r-a', netns: router, up: true, peer: { name: 'eth0', netns: hostA, up: true } });
    await createVeth({ name: 'r-b', netns: router, up: true, peer: { name: 'eth0', netns: hostB, up: true } });
    await addAddress('r-a', '10.0.1.1/24', { netns: router });
    await addAddress('r-b', '10.0.2.1/24', { netns: router });
    await setSysctl('net.ipv4.ip_forward', 1, { netns: router });
    // hostA: static address and default route.
    await addAddress('eth0', '10.0.1.10/24', { netns: hostA });
    await addRoute({ netns: hostA, destination: 'default', gateway: '10.0.1.1' });
    log('router with legs 10.0.1.1/24 and 10.0.2.1/24, forwarding on; hostA 10.0.1.10 via 10.0.1.1');

    // dnsmasq in the router namespace, DHCP only (port=0: no DNS), on the hostB leg. --no-daemon
    // keeps it in the foreground without changing user (which an unprivileged user namespace,
    // where setgroups() is denied, would refuse).
    const leases = join(work, 'leases');
    dnsmasq = spawn('dnsmasq', [
      '--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--port=0', '--log-facility=-', '--log-dhcp',
      '--interface=r-b', '--bind-interfaces', '--except-interface=lo',
      `--dhcp-range=${DHCP_RANGE[0]},${DHCP_RANGE[1]},255.255.255.0,1h`, '--dhcp-option=option:router,10.0.2.1',
      `--dhcp-leasefile=${leases}`, '--dhcp-authoritative',
    ], { netns: router, stdio: ['ignore', 'ignore', 'pipe'] });
    let dnsmasqLog = '';
    dnsmasq.stderr.on('data', (c) => (dnsmasqLog += c));
    // Ready when it says it listens for DHCP (bounded: a dead dnsmasq fails the wait).
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dnsmasq did not start:\n${dnsmasqLog}`)), 10000);
      const check = () => {
        if (/DHCP, IP range/.test(dnsmasqLog)) {
          clearTimeout(timer);
          resolve();
        }
      };
      dnsmasq.stderr.on('data', check);
      dnsmasq.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`dnsmasq exited with ${code}:\n${dnsmasqLog}`));
      });
      check();
    });
    log(`dnsmasq (pid ${dnsmasq.pid}) serving ${DHCP_RANGE.join('-')} on r-b`);

    // busybox udhcpc in hostB; its script only reports the lease, which netdev then applies.
    const script = join(work, 'udhcpc.sh');
    const leaseOut = join(work, 'lease');
    writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] && printf "%s %s %s\\n" "$ip" "$mask" "$router" > "$LEASE_OUT"\nexit 0\n');
    chmodSync(script, 0o755);
    const client = await execFile('busybox', ['udhcpc', '-f', '-q', '-n', '-i', 'eth0', '-t', '10', '-T', '1', '-s', script], {
      netns: hostB,
      env: { ...process.env, LEASE_OUT: leaseOut },
      timeout: 30000,
    });
    if (client.code !== 0) throw new Error(`udhcpc failed (${client.code}):\n${client.stderr}\n${dnsmasqLog}`);
    const [address, mask, gateway] = readFileSync(leaseOut, 'utf8').trim().split(' ');
    await addAddress('eth0', `${address}/${mask}`, { netns: hostB });
    await addRoute({ netns: hostB, destination: 'default', gateway });
    log(`hostB leased ${address}/${mask}, default via ${gateway}`);

    const bMac = (await getLink('eth0', { netns: hostB })).mac;
    const leaseFile = readFileSync(leases, 'utf8');
    const aToB = await tcpEcho(hostA, hostB, address, 7000, 'from A');
    const bToA = await tcpEcho(hostB, hostA, '10.0.1.10', 7001, 'from B');
    const bToRouter = await tcpEcho(hostB, router, '10.0.2.1', 7002, 'to the router');
    const routeAB = await getRoute(address, { netns: hostA });
    log(`A -> B: ${aToB}; B -> A: ${bToA}; B -> router: ${bToRouter}`);
    return { address, mask, gateway, bMac, leaseFile, aToB, bToA, bToRouter, routeAB, range: DHCP_RANGE, dnsmasq, teardown };
  } catch (e) {
    await teardown();
    throw e;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.env.NETDEV_SANDBOX !== '1') {
    const sandbox = fileURLToPath(new URL('../scripts/sandbox.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [sandbox, process.execPath, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const result = await buildRouterDhcp({ log: (m) => console.log(m) });
  await result.teardown();
  console.log('torn down');
}
