// Open vSwitch through OVSDB: a real ovsdb-server + ovs-vswitchd per test (netdev/testing's
// startOvs, in the test's own namespace), the tutorial's experiments with traffic, read back and
// cross-checked with `ovs-vsctl --format=json list` (the CLI as an oracle only).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { OvsError, addAddress, connectTcp, createNetns, createTcpServer, createVeth, execFile as execIn, getLinkFeatures, openOvs, setLink, setLinkFeatures, spawn as spawnIn } from 'netdev';
import { startOvs } from 'netdev/testing';
import { rejectsWith, waitFor, withNetns } from '../helpers.mjs';

const run = promisify(execFile);

/** `ovs-vsctl --format=json list TABLE [NAME]` of an instance, as objects (the oracle). */
async function vsctlList(ovs, table, name) {
  const { stdout } = await run('ovs-vsctl', [`--db=unix:${ovs.socket}`, '--format=json', 'list', table, ...(name ? [name] : [])], { env: { ...process.env, ...ovs.env } });
  const { headings, data } = JSON.parse(stdout);
  return data.map((row) => Object.fromEntries(headings.map((h, i) => [h, row[i]])));
}
const vsSet = (x) => (Array.isArray(x) && x[0] === 'set' ? x[1] : [x]);

/** Runs fn with a private OVS in a fresh namespace; stops it whatever happens. */
async function withOvs(fn) {
  return withNetns(async (host) => {
    const ovs = await startOvs({ netns: host });
    try {
      return await fn(ovs, host);
    } catch (e) {
      e.message += `\n--- ovs-vswitchd.log (tail) ---\n${ovs.log().split('\n').slice(-15).join('\n')}`;
      throw e;
    } finally {
      await ovs.stop();
    }
  });
}

/** A "VM": a namespace with one end of a veth (vmN, the address), the other end (vmN-o) in host. */
async function vm(host, n, address) {
  const ns = await createNetns();
  await createVeth({ name: `vm${n}-o`, netns: host, peer: { name: `vm${n}`, netns: ns } });
  await setLink(`vm${n}-o`, { up: true }, { netns: host });
  await setLink(`vm${n}`, { up: true }, { netns: ns });
  await addAddress(`vm${n}`, address, { netns: ns });
  return ns;
}

/**
 * A TCP round trip from ns to a server in peer at address: resolves with the echoed text. TCP over
 * veth into the userspace datapath needs transmit checksum offload off on the VM end (ping works
 * regardless, which hides it): netdev turns it off itself (setLinkFeatures, no ethtool).
 */
async function tcpEcho(ns, peer, address, payload) {
  const server = await createTcpServer({ netns: peer, host: address }, (s) => s.pipe(s));
  try {
    const sock = await connectTcp({ netns: ns, host: address, port: server.address().port, timeout: 5000 });
    const chunks = [];
    sock.on('data', (d) => chunks.push(d));
    sock.end(payload);
    await new Promise((resolve, reject) => sock.on('close', resolve).on('error', reject));
    return Buffer.concat(chunks).toString();
  } finally {
    server.close();
  }
}

/** Whether one ICMP echo from ns to address is answered (busybox ping, bounded). */
async function pings(ns, address) {
  const r = await execIn('busybox', ['ping', '-c', '1', '-W', '2', address], { netns: ns, timeout: 10_000 });
  return r.code === 0;
}

test('experiment 1: two VMs on br-in reach each other; the rows read back as ovs-vsctl lists them', async () => {
  await withOvs(async (ovs, host) => {
    const c = ovs.client;
    await c.addBridge('br-in');
    await setLink('br-in', { up: true }, { netns: host });
    const a = await vm(host, 1, '10.50.0.1/24');
    const b = await vm(host, 2, '10.50.0.2/24');
    try {
      await c.addPort('br-in', 'vm1-o');
      await c.addPort('br-in', 'vm2-o');
      assert.deepEqual(await c.listBridges(), ['br-in']);
      assert.equal(await c.bridgeExists('br-in'), true);
      assert.equal(await c.bridgeExists('br-ex'), false);
      assert.deepEqual(await c.listPorts('br-in'), ['vm1-o', 'vm2-o']);
      assert.equal(await c.portToBridge('vm2-o'), 'br-in');
      assert.ok(await pings(a, '10.50.0.2'), 'vm1 reaches vm2 through br-in');
      assert.ok(await pings(b, '10.50.0.1'), 'vm2 reaches vm1 through br-in');
      // TCP, with the VMs' transmit checksum offload off (read back as off).
      for (const [ns, link] of [[a, 'vm1'], [b, 'vm2']]) await setLinkFeatures(link, { 'tx-checksumming': false }, { netns: ns });
      assert.equal((await getLinkFeatures('vm1', { netns: a }))['tx-checksum-ip-generic'].active, false);
      const big = 'x'.repeat(200_000);
      assert.equal(await tcpEcho(a, b, '10.50.0.2', big), big, '200 KB over TCP through br-in and back');
      // The oracle: ovs-vsctl's own view of the same rows.
      const [br] = await vsctlList(ovs, 'Bridge', 'br-in');
      assert.equal(br.datapath_type, (await c.getBridge('br-in')).datapathType === 'system' ? '' : 'netdev');
      assert.equal(vsSet(br.ports).length, 3);
      const ifaces = await vsctlList(ovs, 'Interface');
      for (const i of await c.list('Interface')) {
        const o = ifaces.find((x) => x.name === i.name);
        assert.ok(o, i.name);
        assert.equal(o.ofport, i.ofport);
        assert.ok(i.ofport > 0, `${i.name} has an OpenFlow port`);
        assert.equal(o._uuid[1], i.uuid);
      }
      const shown = await c.show();
      assert.deepEqual(shown.bridges.map((x) => x.portList.map((p) => p.name)), [['br-in', 'vm1-o', 'vm2-o']]);
      assert.match(shown.text, /Bridge br-in\n {8}datapath_type: netdev\n {8}Port br-in\n/);
    } finally {
      a.close();
      b.close();
    }
  });
});

test('experiment 2: VLAN isolation with tag=10/11; removing the tag (tag: null) joins them again', async () => {
  await withOvs(async (ovs, host) => {
    const c = ovs.client;
    await c.addBridge('br-in');
    const vms = [];
    try {
      for (let n = 1; n <= 3; n++) vms.push(await vm(host, n, `10.51.0.${n}/24`));
      await c.addPort('br-in', 'vm1-o', { tag: 10 });
      await c.addPort('br-in', 'vm2-o', { tag: 10 });
      await c.addPort('br-in', 'vm3-o', { tag: 11 });
      assert.ok(await pings(vms[0], '10.51.0.2'), 'same tag: reached');
      assert.equal(await pings(vms[0], '10.51.0.3'), false, 'other tag: not reached');
      const [p3] = await vsctlList(ovs, 'Port', 'vm3-o');
      assert.equal(p3.tag, 11);
      // `ovs-vsctl remove Port vm3-o tag 11` and the same for vm1-o: both untagged, on VLAN 0.
      await c.setPort('vm3-o', { tag: null });
      await c.setPort('vm1-o', { tag: null });
      assert.deepEqual(vsSet((await vsctlList(ovs, 'Port', 'vm3-o'))[0].tag), []);
      assert.equal((await c.getPort('vm3-o')).tag, undefined);
      assert.ok(await pings(vms[0], '10.51.0.3'), 'both untagged: reached');
      assert.equal(await pings(vms[1], '10.51.0.3'), false, 'tag 10 against untagged: not reached');
      // A trunk carrying 10 and 11 as the bridge sees it.
      await c.addPort('br-in', 'trunk0', { type: 'internal', trunks: [10, 11], vlanMode: 'trunk' });
      const [t] = await vsctlList(ovs, 'Port', 'trunk0');
      assert.deepEqual(vsSet(t.trunks), [10, 11]);
      assert.equal(t.vlan_mode, 'trunk');
      await c.setPort('trunk0', { trunks: [10] });
      assert.deepEqual((await c.getPort('trunk0')).trunks, [10]);
    } finally {
      for (const ns of vms) ns.close();
    }
  });
});

test('may-exist / if-exists, missing bridges and ports, and a device ovs-vswitchd cannot make', async () => {
  await withOvs(async (ovs) => {
    const c = ovs.client;
    await c.addBridge('br-a');
    await c.addBridge('br-a', { mayExist: true });
    await rejectsWith(c.addBridge('br-a'), 'EEXIST');
    await c.addPort('br-a', 'p1', { type: 'internal' });
    await c.addPort('br-a', 'p1', { type: 'internal', mayExist: true });
    await rejectsWith(c.addPort('br-a', 'p1', { type: 'internal' }), 'EEXIST');
    await c.addBridge('br-b');
    await rejectsWith(c.addPort('br-b', 'p1', { type: 'internal', mayExist: true }), 'EEXIST');
    await rejectsWith(c.addPort('br-none', 'p2'), 'ENOENT');
    await rejectsWith(c.deletePort('br-b', 'p1'), 'ENOENT');
    assert.equal(await c.deletePort('br-b', 'p1', { ifExists: true }), false);
    await rejectsWith(c.portToBridge('nope'), 'ENOENT');
    await rejectsWith(c.setPort('nope', { tag: 1 }), 'ENOENT');
    // No such device: ovs-vsctl would exit 0; netdev rejects with the daemon's words and removes the port.
    const e = await rejectsWith(c.addPort('br-a', 'ghost0'), 'ERR_OVS_INTERFACE');
    assert.ok(e instanceof OvsError);
    assert.equal(e.interface, 'ghost0');
    assert.match(e.details, /No such device/);
    assert.deepEqual(await c.listPorts('br-a'), ['p1']);
    assert.equal((await vsctlList(ovs, 'Port')).some((p) => p.name === 'ghost0'), false);
    assert.equal(await c.deletePort('br-a', 'p1'), true);
    assert.equal(await c.deleteBridge('br-a'), true);
    assert.equal(await c.deleteBridge('br-a', { ifExists: true }), false);
    await rejectsWith(c.deleteBridge('br-a'), 'ENOENT');
    assert.deepEqual(await c.listBridges(), ['br-b']);
    assert.deepEqual((await vsctlList(ovs, 'Bridge')).map((b) => b.name), ['br-b']);
  });
});

test('bad input is refused before anything is sent', async () => {
  await withOvs(async (ovs) => {
    const c = ovs.client;
    await c.addBridge('br0');
    const bad = [
      [() => c.addBridge('has space'), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addBridge('a-name-too-long-for-linux'), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addBridge(7), 'ERR_INVALID_ARG_TYPE'],
      [() => c.addBridge('br1', { datapathType: 'dpdk' }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addBridge('br1', { typo: 1 }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { tag: 4096 }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { tag: -1 }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { trunks: [1, 5000] }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { vlanMode: 'sideways' }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { type: 'warp' }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { type: 'gre', options: { remote_ip: '10.0.0.1', colour: 'red' } }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { type: 'gre', options: {} }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { type: 'gre', options: { remote_ip: '300.0.0.1' } }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { type: 'patch', options: {} }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { type: 'internal', options: { peer: 'x' } }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.addPort('br0', 'p0', { mtuRequest: 10 }), 'ERR_INVALID_ARG_VALUE'],
      [() => c.setPort('p0', { tag: 'ten' }), 'ERR_INVALID_ARG_TYPE'],
    ];
    const before = JSON.stringify(await vsctlList(ovs, 'Port'));
    for (const [call, code] of bad) {
      let threw;
      try {
        await call();
      } catch (e) {
        threw = e;
      }
      assert.equal(threw?.code, code, `${call}: ${threw?.message}`);
    }
    assert.equal(JSON.stringify(await vsctlList(ovs, 'Port')), before, 'nothing was written');
  });
});

test('200 concurrent port additions: all present, nothing duplicated', async () => {
  await withOvs(async (ovs) => {
    const c = ovs.client;
    await c.addBridge('br0');
    const names = Array.from({ length: 200 }, (_, i) => `c${i}`);
    await Promise.all(names.map((n, i) => c.addPort('br0', n, { type: 'internal', tag: 1 + (i % 4000) })));
    assert.deepEqual(await c.listPorts('br0'), [...names].sort());
    const rows = (await vsctlList(ovs, 'Port')).filter((p) => p.name.startsWith('c'));
    assert.equal(rows.length, 200);
    assert.equal(new Set(rows.map((p) => p.name)).size, 200);
    // The same names again at once: every one refused, nothing added.
    const again = await Promise.allSettled(names.slice(0, 20).map((n) => c.addPort('br0', n, { type: 'internal' })));
    assert.ok(again.every((r) => r.status === 'rejected' && r.reason.code === 'EEXIST'));
    assert.equal((await vsctlList(ovs, 'Port')).length, 201);
  });
});

test('no server: a clear error naming the socket, at once', async () => {
  const t0 = Date.now();
  const e = await rejectsWith(openOvs({ socket: '/run/netdev-no-such-ovs/db.sock' }), 'ENOENT');
  assert.ok(e instanceof OvsError);
  assert.match(e.message, /\/run\/netdev-no-such-ovs\/db\.sock/);
  assert.ok(Date.now() - t0 < 5000);
});

test('ovs-vswitchd not running: a change is in the database, and the wait ends with ETIMEDOUT', async () => {
  await withNetns(async () => {
    const ovs = await startOvs();
    try {
      // A second client with a short timeout; stop ovs-vswitchd by its control socket.
      await run('ovs-appctl', [`--target=${ovs.dir}/ovs-vswitchd.ctl`, 'exit'], { env: { ...process.env, ...ovs.env } });
      const c = await openOvs({ socket: ovs.socket, timeout: 1500 });
      try {
        const e = await rejectsWith(c.addBridge('br-late'), 'ETIMEDOUT');
        assert.match(e.message, /ovs-vswitchd did not apply/);
        assert.equal(await c.bridgeExists('br-late'), true);
        await c.addBridge('br-nowait', { noWait: true });
        assert.equal(await c.bridgeExists('br-nowait'), true);
      } finally {
        c.close();
      }
    } finally {
      await ovs.stop();
    }
  });
});

test('experiment 3: a real dnsmasq behind an OVS port (tag 10) leases an address to a VM on the same VLAN', async () => {
  await withOvs(async (ovs, host) => {
    const c = ovs.client;
    await c.addBridge('br-in');
    const work = mkdtempSync(join(tmpdir(), 'netdev-ovs-dhcp-'));
    const dhcp = await createNetns();
    const client = await createNetns();
    let dnsmasq;
    try {
      await createVeth({ name: 'dhcp-o', netns: host, up: true, peer: { name: 'tap-dhcp', netns: dhcp, up: true } });
      await createVeth({ name: 'vm1-o', netns: host, up: true, peer: { name: 'eth0', netns: client, up: true } });
      await addAddress('tap-dhcp', '10.52.0.2/24', { netns: dhcp });
      // Both ends that send UDP through the userspace datapath compute their own checksums.
      await setLinkFeatures('tap-dhcp', { tx: false }, { netns: dhcp });
      await setLinkFeatures('eth0', { tx: false }, { netns: client });
      await c.addPort('br-in', 'dhcp-o', { tag: 10 });
      await c.addPort('br-in', 'vm1-o', { tag: 10 });
      const leases = join(work, 'leases');
      let log = '';
      dnsmasq = spawnIn('dnsmasq', ['--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--port=0', '--log-facility=-', '--log-dhcp',
        '--interface=tap-dhcp', '--bind-interfaces', '--dhcp-range=10.52.0.100,10.52.0.150,255.255.255.0,1h', `--dhcp-leasefile=${leases}`, '--dhcp-authoritative'],
      { netns: dhcp, stdio: ['ignore', 'ignore', 'pipe'] });
      dnsmasq.stderr.on('data', (d) => (log += d));
      await waitFor(() => /DHCP, IP range/.test(log) || dnsmasq.exitCode !== null, { what: 'dnsmasq to listen' });
      assert.equal(dnsmasq.exitCode, null, log);
      const script = join(work, 'udhcpc.sh');
      writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] && echo "$ip" > "$LEASE_OUT"\nexit 0\n', { mode: 0o755 });
      const r = await execIn('busybox', ['udhcpc', '-f', '-q', '-n', '-i', 'eth0', '-t', '10', '-T', '1', '-s', script], {
        netns: client, env: { ...process.env, LEASE_OUT: join(work, 'lease') }, timeout: 30_000,
      });
      assert.equal(r.code, 0, `${r.stderr}\n${log}`);
      const address = readFileSync(join(work, 'lease'), 'utf8').trim();
      const n = Number(address.split('.')[3]);
      assert.ok(address.startsWith('10.52.0.') && n >= 100 && n <= 150, address);
      assert.match(readFileSync(leases, 'utf8'), new RegExp(` ${address.replaceAll('.', '\\.')} `));
    } finally {
      if (dnsmasq && dnsmasq.exitCode === null) {
        dnsmasq.kill('SIGTERM');
        await once(dnsmasq, 'exit');
      }
      dhcp.close();
      client.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

test('experiments 4 and 5: two hosts joined by GRE over an underlay; VMs across reach each other, VLANs stay apart across the tunnel', async () => {
  // Each host: its own OVS; br-phy holds the underlay address (userspace tunnels route and ARP
  // through an OVS bridge), br-in the VMs and the GRE port to the other host.
  const h = [await createNetns(), await createNetns()];
  const ovs = [];
  const vms = [];
  try {
    await createVeth({ name: 'u0', netns: h[0], up: true, peer: { name: 'u0', netns: h[1], up: true } });
    for (let i = 0; i < 2; i++) {
      const o = await startOvs({ netns: h[i] });
      ovs.push(o);
      const c = o.client;
      await c.addBridge('br-phy');
      await c.addPort('br-phy', 'u0');
      await setLink('br-phy', { up: true }, { netns: h[i] });
      await addAddress('br-phy', `192.168.60.${i + 1}/24`, { netns: h[i] });
      await c.addBridge('br-in');
      await c.addPort('br-in', 'gre0', { type: 'gre', options: { remote_ip: `192.168.60.${2 - i}` } });
      // Two VMs per host: tag 10 and tag 11; inner MTU 1400 leaves room for the GRE header.
      for (const [k, tag] of [[1, 10], [2, 11]]) {
        const n = i * 2 + k;
        const ns = await createNetns();
        vms.push(ns);
        await createVeth({ name: `vm${n}-o`, netns: h[i], up: true, mtu: 1400, peer: { name: 'eth0', netns: ns, up: true, mtu: 1400 } });
        await addAddress('eth0', `10.60.0.${n}/24`, { netns: ns });
        await setLinkFeatures('eth0', { tx: false }, { netns: ns });
        await c.addPort('br-in', `vm${n}-o`, { tag });
      }
      const gre = await c.getInterface('gre0');
      assert.equal(gre.type, 'gre');
      assert.equal(gre.options.remote_ip, `192.168.60.${2 - i}`);
      assert.ok(gre.ofport > 0);
      const [oracle] = await vsctlList(o, 'Interface', 'gre0');
      assert.deepEqual(oracle.options, ['map', [['remote_ip', `192.168.60.${2 - i}`]]]);
    }
    // vm1 (host 0, tag 10) and vm3 (host 1, tag 10) meet across the tunnel; vm4 (tag 11) does not.
    await waitFor(() => pings(vms[0], '10.60.0.3'), { timeout: 20_000, interval: 200, what: 'vm1 to reach vm3 over GRE' });
    assert.ok(await pings(vms[1], '10.60.0.4'), 'tag 11 meets tag 11 across the tunnel');
    assert.equal(await pings(vms[0], '10.60.0.4'), false, 'tag 10 does not reach tag 11 across the tunnel');
    const big = 'y'.repeat(100_000);
    assert.equal(await tcpEcho(vms[0], vms[2], '10.60.0.3', big), big, 'TCP across the tunnel');
  } finally {
    for (const o of ovs) await o.stop();
    for (const ns of [...vms, ...h]) ns.close();
  }
});

test('ovsdb-server restarted in the middle of 40 additions: the client reconnects, a retry with mayExist completes them, nothing is duplicated', async () => {
  await withOvs(async (ovs) => {
    const c = ovs.client;
    await c.addBridge('br0');
    let reconnected = 0;
    c.db.on('reconnect', () => reconnected++);
    const names = Array.from({ length: 40 }, (_, i) => `r${i}`);
    // Each outcome is taken as it comes (an error or undefined): none is left unhandled meanwhile.
    const first = names.map((n) => c.addPort('br0', n, { type: 'internal' }).then(() => undefined, (e) => e));
    await first[3];
    await ovs.restartServer();
    const errors = (await Promise.all(first)).filter(Boolean);
    for (const e of errors) assert.ok(['ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e.code), `${e.code}: ${e.message}`);
    await waitFor(() => reconnected > 0, { what: 'the client to reconnect' });
    // Whatever committed before the crash is there; the rest is added now; nothing twice.
    await Promise.all(names.map((n) => c.addPort('br0', n, { type: 'internal', mayExist: true })));
    assert.deepEqual(await c.listPorts('br0'), [...names].sort());
    const rows = (await vsctlList(ovs, 'Port')).map((p) => p.name);
    assert.equal(rows.length, 41);
    assert.equal(new Set(rows).size, 41);
  });
});

test('a transaction: a bridge and its ports in one commit; a refused verb sends nothing', async () => {
  await withOvs(async (ovs) => {
    const c = ovs.client;
    await c.transaction((tx) => {
      tx.addBridge('br-int');
      tx.addPort('br-int', 'patch-tun', { type: 'patch', options: { peer: 'patch-int' } });
      tx.addBridge('br-tun');
      tx.addPort('br-tun', 'patch-int', { type: 'patch', options: { peer: 'patch-tun' } });
      tx.addPort('br-int', 'q1', { type: 'internal', tag: 5 });
    });
    assert.deepEqual(await c.listBridges(), ['br-int', 'br-tun']);
    assert.deepEqual(await c.listPorts('br-int'), ['patch-tun', 'q1']);
    assert.equal((await vsctlList(ovs, 'Port', 'q1'))[0].tag, 5);
    const before = JSON.stringify(await vsctlList(ovs, 'Port'));
    await rejectsWith(c.transaction((tx) => {
      tx.addBridge('br-ex');
      tx.addPort('br-none', 'x1');
    }), 'ENOENT');
    await rejectsWith(c.transaction((tx) => {
      tx.addPort('br-int', 'x2', { tag: 9999 });
    }), 'ERR_INVALID_ARG_VALUE');
    assert.equal(JSON.stringify(await vsctlList(ovs, 'Port')), before, 'nothing of a refused transaction was written');
    await c.transaction((tx) => {
      assert.equal(tx.deleteBridge('br-tun'), true);
      tx.setPort('q1', { tag: null });
    });
    assert.deepEqual(await c.listBridges(), ['br-int']);
    assert.equal((await c.getPort('q1')).tag, undefined);
  });
});

test('a test process SIGKILLed with a private OVS running: both daemons die with it', async () => {
  const { spawn: spawnChild } = await import('node:child_process');
  const script = "const { startOvs } = require('netdev/testing'); startOvs().then((o) => { process.stdout.write(o.dir + '\\n'); setInterval(() => {}, 1000); });";
  const child = spawnChild(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const dir = await waitFor(() => out.includes('\n') && out.trim(), { timeout: 20_000, what: 'the child to start its OVS' });
  const daemons = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
    } catch {
      return false;
    }
  });
  assert.equal(daemons().length, 2, 'ovsdb-server and ovs-vswitchd run');
  child.kill('SIGKILL');
  await once(child, 'exit');
  await waitFor(() => daemons().length === 0, { what: 'the daemons to die with their parent' });
  rmSync(dir, { recursive: true, force: true }); // the run directory is the one thing a SIGKILL leaves
});
